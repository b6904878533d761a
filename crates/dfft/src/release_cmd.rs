//! `dfft rulebook release | endorse | verify | comment | diff | impact`: endorsed rulebook
//! releases. Thin: the rules are in the `governance` crate; here files are read and written.
//!
//! A release directory is a rulebook plus `release.json` (the manifest), `endorsements/*.json`
//! (one signed endorsement per member) and `comments/*.json` (signed public comments).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use governance::{GovernanceConfig, Manifest, Rejected, Role, Standing};
use rules::{Day, FlowInput, Rulebook, Sources};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use trust::KeyPair;

use crate::release_args::{CommentArgs, DiffArgs, EndorseArgs, ImpactArgs, ReleaseArgs, VerifyArgs};
use crate::{out, Failure};

pub const RELEASE_FILE: &str = "release.json";
pub const ENDORSEMENTS_DIR: &str = "endorsements";
pub const COMMENTS_DIR: &str = "comments";
/// Endorsements and comments are small; anything larger is not one.
const MAX_DOCUMENT_BYTES: u64 = 1 << 20;

/// The rulebook in `rulebook_dir` if its release is in force under `governance_file` on `today`
/// (YYYY-MM-DD): the files match `release.json`, the rulebook is valid, and the governance
/// members endorsed it as the threshold requires. Otherwise an input error whose message starts
/// "rulebook release <version> is not in force:" and names what is missing.
pub fn load_in_force(rulebook_dir: &Path, governance_file: &Path, today: &str) -> Result<(Rulebook, Sources), Failure> {
    let today = Day::parse(today).map_err(|e| Failure::input(anyhow!("today: {e}")))?;
    let config = read_governance(governance_file)?;
    let (sources, manifest) = read_release(rulebook_dir)?;
    let not_in_force =
        |why: String| Failure::input(anyhow!("rulebook release {} is not in force: {why}", manifest.version));
    let (rulebook, problems) = examine(&manifest, &sources);
    if !problems.is_empty() {
        return Err(not_in_force(format!("its files do not match {RELEASE_FILE}:\n{}", problems.join("\n"))));
    }
    let standing = standing(rulebook_dir, &manifest, &config, today);
    match rulebook {
        Some(rulebook) if standing.in_force => Ok((rulebook, sources)),
        _ => Err(not_in_force(standing.explain())),
    }
}

// ------------------------------------------------------------------------------------------------
// release
// ------------------------------------------------------------------------------------------------

pub fn release(a: &ReleaseArgs) -> Result<(), Failure> {
    let sources = read_sources(&a.dir)?;
    let rulebook = compile(&sources, &a.dir)?;
    if a.version != rulebook.release.version {
        return Err(Failure::input(anyhow!(
            "--version {} differs from rulebook.toml's version {}: a release carries the version its decisions \
             report (edit rulebook.toml, or pass --version {})",
            a.version,
            rulebook.release.version,
            rulebook.release.version
        )));
    }
    let name = a.name.as_deref().unwrap_or(&rulebook.release.name);
    let manifest = Manifest::new(&sources, name, &a.version, &a.effective)
        .map_err(|e| Failure::input(anyhow!("{}", e.replace("release effective date", "--effective"))))?;
    let path = a.dir.join(RELEASE_FILE);
    let text = manifest.to_json_pretty();
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if existing != text && !a.force {
            let other = Manifest::from_json(&existing)
                .map(|m| format!("version {}, effective {}, {}", m.version, m.effective, m.digest()))
                .unwrap_or_else(|e| format!("unreadable: {e}"));
            return Err(Failure::input(anyhow!(
                "{} already describes another release ({other}); pass --force to replace it (endorsements of \
                 that release will no longer count)",
                path.display()
            )));
        }
    }
    write(&path, &text)?;
    out(&format!(
        "release {}\n  rulebook {} \"{}\", {} files, effective {}\n  wrote {}\n",
        manifest.digest(),
        manifest.version,
        manifest.name,
        manifest.files.len(),
        manifest.effective,
        path.display()
    ))
}

// ------------------------------------------------------------------------------------------------
// endorse, comment
// ------------------------------------------------------------------------------------------------

pub fn endorse(a: &EndorseArgs) -> Result<(), Failure> {
    let role = Role::parse(&a.role).map_err(|e| Failure::input(anyhow!("--role: {e}")))?;
    let key = read_key(&a.key)?;
    let (sources, manifest) = read_release(&a.dir)?;
    if let Err(problems) = manifest.check(&sources) {
        return Err(Failure::failed(anyhow!(
            "the rulebook in {} is not the release it describes; nothing was endorsed:\n{}",
            a.dir.display(),
            problems.join("\n")
        )));
    }
    let document = governance::endorse(&manifest, &key, role, now()).map_err(|e| Failure::failed(anyhow!(e)))?;
    let did = key.public_key().to_did_key();
    let tail: String = did.chars().skip(did.chars().count().saturating_sub(16)).collect();
    let path = a.dir.join(ENDORSEMENTS_DIR).join(format!("{tail}.json"));
    write(&path, &pretty(&document)?)?;
    out(&format!(
        "{did} endorsed release {} (rulebook {}, effective {}) as {role}\n  wrote {}\n",
        manifest.digest(),
        manifest.version,
        manifest.effective,
        path.display()
    ))
}

pub fn comment(a: &CommentArgs) -> Result<(), Failure> {
    let key = read_key(&a.key)?;
    let (_, manifest) = read_release(&a.dir)?;
    let digest = manifest.digest();
    let document =
        governance::comment(&digest, &a.text, &key, now()).map_err(|e| Failure::input(anyhow!("--text: {e}")))?;
    let text = pretty(&document)?;
    let created = document.get("created").and_then(Value::as_str).unwrap_or("undated").replace(':', "");
    let hash = sha256_hex(text.as_bytes());
    let path = a.dir.join(COMMENTS_DIR).join(format!("{created}-{}.json", &hash[..8]));
    write(&path, &text)?;
    out(&format!(
        "{} commented on release {} (rulebook {})\n  wrote {}\n",
        key.public_key().to_did_key(),
        digest,
        manifest.version,
        path.display()
    ))
}

// ------------------------------------------------------------------------------------------------
// verify
// ------------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct VerifyReport {
    dir: String,
    in_force: bool,
    /// Files that do not match release.json, and other reasons the rulebook is not the release.
    files: Vec<String>,
    standing: Standing,
    comments: Vec<CommentRow>,
    invalid_comments: Vec<Rejected>,
}

#[derive(Serialize)]
struct CommentRow {
    file: String,
    #[serde(flatten)]
    comment: governance::Comment,
}

pub fn verify(a: &VerifyArgs) -> Result<(), Failure> {
    let config = read_governance(&a.governance)?;
    let today = match &a.as_of {
        Some(d) => Day::parse(d).map_err(|e| Failure::input(anyhow!("--as-of: {e}")))?,
        None => Day::today(),
    };
    let (sources, manifest) = read_release(&a.dir)?;
    let (_, files) = examine(&manifest, &sources);
    let standing = standing(&a.dir, &manifest, &config, today);
    let (comments, invalid_comments) = comments(&a.dir, &manifest.digest());
    let report = VerifyReport {
        dir: a.dir.display().to_string(),
        in_force: standing.in_force && files.is_empty(),
        files,
        standing,
        comments,
        invalid_comments,
    };
    if a.json {
        out(&(serde_json::to_string_pretty(&report).map_err(Failure::failed)? + "\n"))?;
    } else {
        out(&verify_text(&report))?;
    }
    if report.in_force {
        return Ok(());
    }
    let mut why: Vec<String> = report.files.clone();
    why.extend(report.standing.missing.iter().map(|m| format!("missing {m}")));
    why.extend(report.standing.not_yet_effective.iter().map(|n| format!("not yet effective: {n}")));
    Err(Failure::failed(anyhow!("rulebook release {} is not in force: {}", report.standing.version, why.join("; "))))
}

fn verify_text(r: &VerifyReport) -> String {
    let s = &r.standing;
    let mut t = String::new();
    let verdict = if r.in_force { "IN FORCE" } else { "NOT IN FORCE" };
    let _ = writeln!(t, "rulebook release {} ({}) in {}: {verdict}", s.version, s.release, r.dir);
    let _ = writeln!(t, "  effective {}, governance: {}", s.effective, s.governance);
    for f in &r.files {
        let _ = writeln!(t, "  file: {f}");
    }
    for line in s.explain().lines() {
        let _ = writeln!(t, "  {line}");
    }
    let _ = writeln!(t, "comments ({}):", r.comments.len() + r.invalid_comments.len());
    for c in &r.comments {
        let _ = writeln!(t, "  {} {} ({}):\n    {}", c.comment.created, c.comment.author, c.file, c.comment.text);
    }
    for c in &r.invalid_comments {
        let _ = writeln!(t, "  INVALID {}: {}", c.file, c.reason);
    }
    t
}

/// The release's standing: every file in `endorsements/` checked; unreadable ones are refused.
fn standing(dir: &Path, manifest: &Manifest, config: &GovernanceConfig, today: Day) -> Standing {
    let mut documents = Vec::new();
    let mut unreadable = Vec::new();
    for (file, document) in read_documents(&dir.join(ENDORSEMENTS_DIR), ENDORSEMENTS_DIR) {
        match document {
            Ok(value) => documents.push((file, value)),
            Err(reason) => unreadable.push(Rejected { file, reason }),
        }
    }
    let mut standing = governance::evaluate(manifest, &documents, config, today);
    standing.rejected.extend(unreadable);
    standing.rejected.sort_by(|a, b| a.file.cmp(&b.file));
    standing
}

fn comments(dir: &Path, release: &str) -> (Vec<CommentRow>, Vec<Rejected>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    let now = now();
    for (file, document) in read_documents(&dir.join(COMMENTS_DIR), COMMENTS_DIR) {
        match document.and_then(|v| governance::verify_comment(&v, release, now)) {
            Ok(comment) => valid.push(CommentRow { file, comment }),
            Err(reason) => invalid.push(Rejected { file, reason }),
        }
    }
    valid.sort_by(|a, b| (&a.comment.created, &a.file).cmp(&(&b.comment.created, &b.file)));
    (valid, invalid)
}

// ------------------------------------------------------------------------------------------------
// diff, impact
// ------------------------------------------------------------------------------------------------

pub fn diff(a: &DiffArgs) -> Result<(), Failure> {
    let old = compile(&read_sources(&a.old)?, &a.old)?;
    let new = compile(&read_sources(&a.new)?, &a.new)?;
    let d = governance::diff(&old, &new);
    if a.json {
        out(&(serde_json::to_string_pretty(&d).map_err(Failure::failed)? + "\n"))
    } else {
        out(&d.to_text())
    }
}

pub fn impact(a: &ImpactArgs) -> Result<(), Failure> {
    let today = match &a.as_of {
        Some(d) => Day::parse(d).map_err(|e| Failure::input(anyhow!("--as-of: {e}")))?,
        None => Day::today(),
    };
    let flows = read_flows(&a.flows)?;
    let old = compile(&read_sources(&a.old)?, &a.old)?;
    let new = compile(&read_sources(&a.new)?, &a.new)?;
    // A flow the rulebook in force cannot read is a mistake in the file, not an impact.
    for (at, flow) in &flows {
        old.resolve(flow, today).map_err(|e| Failure::input(anyhow!("--flows {} {at}: {e}", a.flows.display())))?;
    }
    let flows: Vec<FlowInput> = flows.into_iter().map(|(_, f)| f).collect();
    let changes = governance::impact(&old, &new, &flows, today);
    if a.json {
        let report = serde_json::json!({ "flows": flows.len(), "changed": changes });
        out(&(serde_json::to_string_pretty(&report).map_err(Failure::failed)? + "\n"))
    } else {
        out(&governance::impact::to_text(&changes, flows.len()))
    }
}

/// Flows as a JSON array or as NDJSON (one flow a line; blank lines skipped); `-` is stdin. Each
/// with where it was: "flow [2]" or "line 3".
fn read_flows(path: &Path) -> Result<Vec<(String, FlowInput)>, Failure> {
    let name = path.display().to_string();
    let text = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Failure::input(anyhow!("reading flows from stdin: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| Failure::input(anyhow!("--flows {name}: {e}")))?
    };
    if text.trim_start().starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(&text)
            .map_err(|e| Failure::input(anyhow!("--flows {name}: not a JSON array of flows: {e}")))?;
        return items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("flow [{i}]");
                let flow = FlowInput::from_json(&v.to_string())
                    .map_err(|e| Failure::input(anyhow!("--flows {name} {at}: {e}")))?;
                Ok((at, flow))
            })
            .collect();
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let at = format!("line {}", n + 1);
            let flow = FlowInput::from_json(l).map_err(|e| Failure::input(anyhow!("--flows {name} {at}: {e}")))?;
            Ok((at, flow))
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// files
// ------------------------------------------------------------------------------------------------

fn read_sources(dir: &Path) -> Result<Sources, Failure> {
    Sources::from_dir(dir).map_err(|e| Failure::input(anyhow!("reading rulebook {}: {e}", dir.display())))
}

fn compile(sources: &Sources, dir: &Path) -> Result<Rulebook, Failure> {
    Rulebook::from_sources(sources).map_err(|d| Failure::failed(anyhow!("invalid rulebook {}:\n{d}", dir.display())))
}

/// The rulebook files and the release that describes them.
fn read_release(dir: &Path) -> Result<(Sources, Manifest), Failure> {
    let sources = read_sources(dir)?;
    let path = dir.join(RELEASE_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::input(anyhow!(
            "{}: {e}; make the release first: dfft rulebook release {} --version V --effective YYYY-MM-DD",
            path.display(),
            dir.display()
        ))
    })?;
    let manifest = Manifest::from_json(&text).map_err(|e| Failure::input(anyhow!("{}: {e}", path.display())))?;
    Ok((sources, manifest))
}

/// Whether the files are the release: digests, a valid rulebook, the version rulebook.toml states.
fn examine(manifest: &Manifest, sources: &Sources) -> (Option<Rulebook>, Vec<String>) {
    let mut problems = manifest.check(sources).err().unwrap_or_default();
    let rulebook = match Rulebook::from_sources(sources) {
        Ok(rb) => Some(rb),
        Err(d) => {
            problems.push(format!("the rulebook is invalid: {}", d.0.first().map_or(String::new(), |x| x.to_string())));
            None
        }
    };
    if let Some(rb) = &rulebook {
        if rb.release.version != manifest.version {
            problems.push(format!(
                "rulebook.toml says version {} but {RELEASE_FILE} says {}",
                rb.release.version, manifest.version
            ));
        }
    }
    (rulebook, problems)
}

fn read_governance(path: &Path) -> Result<GovernanceConfig, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::input(anyhow!("governance file {}: {e}", path.display())))?;
    GovernanceConfig::parse(&text).map_err(|e| Failure::input(anyhow!("governance file {}: {e}", path.display())))
}

/// A private key from a key file, or from a node directory's `node.key`.
fn read_key(path: &Path) -> Result<KeyPair, Failure> {
    let file: PathBuf = if path.is_dir() { path.join(node::config::KEY_FILE) } else { path.to_owned() };
    let text = std::fs::read_to_string(&file).map_err(|e| Failure::input(anyhow!("--key {}: {e}", file.display())))?;
    KeyPair::from_private_multibase(text.trim()).map_err(|e| {
        Failure::input(anyhow!(
            "--key {}: not a private key ({e}); expected a key file as `dfft identity new` writes, or a node directory",
            file.display()
        ))
    })
}

/// Every `*.json` in `dir` (absent: none), by file name, parsed with duplicate keys refused.
/// Names are given as `label/file.json`.
fn read_documents(dir: &Path, label: &str) -> Vec<(String, Result<Value, String>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = format!("{label}/{}", p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
            let document = match std::fs::metadata(&p) {
                Ok(m) if m.len() > MAX_DOCUMENT_BYTES => Err(format!("{} bytes is too large (at most 1 MiB)", m.len())),
                _ => std::fs::read(&p)
                    .map_err(|e| format!("cannot read it: {e}"))
                    .and_then(|b| trust::jcs::parse_slice(&b).map_err(|e| format!("it is not JSON: {e}"))),
            };
            (name, document)
        })
        .collect()
}

/// Writes a file, creating its directory.
fn write(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Failure::failed(anyhow!("{}: {e}", parent.display())))?;
    }
    std::fs::write(path, text).map_err(|e| Failure::failed(anyhow!("{}: {e}", path.display())))
}

fn pretty(document: &Value) -> Result<String, Failure> {
    Ok(serde_json::to_string_pretty(document).map_err(Failure::failed)? + "\n")
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Now, in whole seconds (proofs carry whole seconds).
fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> KeyPair {
        KeyPair::from_seed(&[n; 32])
    }

    fn put(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create the directory");
        std::fs::write(path, text).expect("write");
    }

    /// The embedded rulebook written to a fresh directory, released effective 2026-01-01, with a
    /// governance file needing the secretariat (key 1) and one government member (key 2 or 3).
    fn release_dir(tag: &str) -> (PathBuf, PathBuf, Manifest) {
        let dir = std::env::temp_dir().join(format!("dfft-release-cmd-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sources = Sources::embedded();
        for f in &sources.files {
            put(&dir.join(&f.path), &f.text);
        }
        let version = Rulebook::from_sources(&sources).expect("valid").release.version;
        let manifest = Manifest::new(&sources, "dfft rulebook", &version, "2026-01-01").expect("a release");
        put(&dir.join(RELEASE_FILE), &manifest.to_json_pretty());
        let did = |n: u8| key(n).public_key().to_did_key();
        let config = format!(
            "name = \"test governance\"\n\
             [[member]]\ndid = \"{}\"\nname = \"Secretariat\"\nrole = \"secretariat\"\n\
             [[member]]\ndid = \"{}\"\nname = \"Japan PPC\"\nrole = \"government\"\n\
             [[member]]\ndid = \"{}\"\nname = \"Rwanda NCSA\"\nrole = \"government\"\n\
             [threshold]\nsecretariat = 1\ngovernment = 1\n",
            did(1),
            did(2),
            did(3)
        );
        let governance = dir.with_extension("governance.toml");
        std::fs::write(&governance, config).expect("write the governance file");
        (dir, governance, manifest)
    }

    fn endorse_as(dir: &Path, manifest: &Manifest, n: u8, role: Role) {
        let at = trust::datetime::parse("2026-01-01T09:00:00Z").expect("a timestamp");
        let document = governance::endorse(manifest, &key(n), role, at).expect("signed");
        put(&dir.join(ENDORSEMENTS_DIR).join(format!("{n}.json")), &document.to_string());
    }

    #[test]
    fn load_in_force_names_the_missing_endorsements_then_returns_the_rulebook() {
        let (dir, governance, manifest) = release_dir("load");
        endorse_as(&dir, &manifest, 1, Role::Secretariat);
        let refused = load_in_force(&dir, &governance, "2026-06-01").expect_err("one government member short");
        assert_eq!(refused.code, crate::exit::BAD_INPUT);
        let message = refused.error.to_string();
        assert!(
            message.starts_with(&format!(
                "rulebook release {} is not in force: missing 1 more government member (has 0 of 1; yet to endorse: \
                 Japan PPC, Rwanda NCSA)",
                manifest.version
            )),
            "{message}"
        );

        endorse_as(&dir, &manifest, 2, Role::Government);
        let (rulebook, _) = load_in_force(&dir, &governance, "2026-06-01").unwrap_or_else(|f| panic!("{:#}", f.error));
        assert_eq!(rulebook.release.version, manifest.version);

        let early = load_in_force(&dir, &governance, "2025-12-31").expect_err("before the effective date");
        assert!(
            early.error.to_string().contains("not yet effective: it takes effect on 2026-01-01"),
            "{:#}",
            early.error
        );

        std::fs::write(dir.join("jurisdictions/JP.toml"), "# emptied\n").expect("write");
        let changed = load_in_force(&dir, &governance, "2026-06-01").expect_err("a changed file");
        let message = changed.error.to_string();
        assert!(message.contains("is not in force: its files do not match release.json"), "{message}");
        assert!(message.contains("jurisdictions/JP.toml changed since the release was made"), "{message}");
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_file(&governance);
    }
}
