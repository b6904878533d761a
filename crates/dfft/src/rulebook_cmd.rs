//! `dfft rulebook ...`: validate, list, show, matrix.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{anyhow, Context};
use rules::{Day, FlowInput, Rulebook, Sources};
use serde::Serialize;

use crate::args::{Cli, MatrixArgs};
use crate::{out, Failure};

/// The rulebook from `--rulebook DIR`, else the built-in one.
pub fn load(cli: &Cli) -> Result<Rulebook, Failure> {
    load_from(cli.rulebook.as_deref())
}

fn sources(dir: Option<&Path>) -> Result<Sources, Failure> {
    match dir {
        Some(d) => {
            Sources::from_dir(d).with_context(|| format!("reading rulebook {}", d.display())).map_err(Failure::input)
        }
        None => Ok(Sources::embedded()),
    }
}

fn load_from(dir: Option<&Path>) -> Result<Rulebook, Failure> {
    Rulebook::from_sources(&sources(dir)?).map_err(|d| Failure::failed(anyhow!("invalid rulebook:\n{d}")))
}

/// The trust list (`trust-list.toml`) of the rulebook from `--rulebook DIR`, else the built-in one.
pub fn trust_list(cli: &Cli) -> Result<trust::TrustList, Failure> {
    trust_list_of(&sources(cli.rulebook.as_deref())?)
}

/// The trust list among a release's files (none: no accredited issuers).
pub fn trust_list_of(sources: &Sources) -> Result<trust::TrustList, Failure> {
    let name = trust::trust_list::FILE_NAME;
    match sources.files.iter().find(|f| f.path == name) {
        Some(file) => {
            trust::TrustList::parse(&file.text).map_err(|e| Failure::failed(anyhow!("invalid rulebook: {e}")))
        }
        None => Ok(trust::TrustList::default()),
    }
}

/// The law a node serves under: the rulebook and trust list from `--rulebook DIR` (else the
/// built-in ones). When the node directory holds a governance file, the release must be in force
/// (endorsed by enough of the bodies it names, and effective), or the node refuses to start.
pub fn load_law(cli: &Cli, node_dir: &Path) -> Result<node::Law, Failure> {
    let governance = node_dir.join(GOVERNANCE_FILE);
    let (rulebook, sources) = if governance.exists() {
        let Some(release) = cli.rulebook.as_deref() else {
            return Err(Failure::input(anyhow!(
                "{} names the bodies whose endorsement this node requires, so it runs only an endorsed release: pass --rulebook RELEASE_DIR",
                governance.display()
            )));
        };
        crate::release_cmd::load_in_force(release, &governance, &node::app::today())?
    } else {
        // One read of the files for both: the trust list is the one beside these rules.
        let sources = sources(cli.rulebook.as_deref())?;
        let rulebook =
            Rulebook::from_sources(&sources).map_err(|d| Failure::failed(anyhow!("invalid rulebook:\n{d}")))?;
        (rulebook, sources)
    };
    let trust_list = trust_list_of(&sources)?;
    Ok(node::Law { rulebook: std::sync::Arc::new(rulebook), trust_list: std::sync::Arc::new(trust_list) })
}

/// In a node directory: the governance configuration (members, roles, threshold) that makes the
/// node require an endorsed release.
pub const GOVERNANCE_FILE: &str = "governance.toml";

pub fn validate(cli: &Cli, dir: Option<&Path>) -> Result<(), Failure> {
    let rulebook = load_from(dir.or(cli.rulebook.as_deref()))?;
    let routes = rulebook.rules.iter().filter(|r| !r.restriction).count();
    let uncertain = rulebook.rules.iter().filter(|r| r.uncertain).count();
    out(&format!(
        "rulebook {} is valid: {} jurisdictions, {} routes, {} restrictions, {} sets ({} rules marked uncertain)\n{}\n",
        rulebook.release.version,
        rulebook.jurisdictions.len(),
        routes,
        rulebook.rules.len() - routes,
        rulebook.sets.len(),
        uncertain,
        rulebook.release.digest
    ))
}

#[derive(Serialize)]
struct ListRow<'a> {
    id: &'a str,
    name: &'a str,
    law: &'a str,
    members: Vec<&'a str>,
    rules: usize,
    citations: usize,
    uncertain: usize,
    reviewed: String,
}

pub fn list(cli: &Cli, json: bool) -> Result<(), Failure> {
    let rulebook = load(cli)?;
    let mut text = String::new();
    let rows: Vec<ListRow> = rulebook
        .jurisdictions
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let rules: Vec<_> = rulebook.rules.iter().filter(|r| usize::from(r.jurisdiction) == i).collect();
            ListRow {
                id: &j.id,
                name: &j.name,
                law: &j.law,
                members: j.members.iter().map(|m| rulebook.country_code(m.0)).collect(),
                rules: rules.len(),
                citations: rules.iter().filter(|r| r.citation.url.starts_with("http")).count(),
                uncertain: rules.iter().filter(|r| r.uncertain).count(),
                reviewed: j.reviewed.to_string(),
            }
        })
        .collect();
    if json {
        return out(&(serde_json::to_string_pretty(&rows).map_err(Failure::failed)? + "\n"));
    }
    let _ = writeln!(text, "{:<4} {:<44} {:>5} {:>9} {:>9}  reviewed", "id", "name", "rules", "citations", "uncertain");
    for r in &rows {
        let _ = writeln!(
            text,
            "{:<4} {:<44} {:>5} {:>9} {:>9}  {}",
            r.id,
            truncate(r.name, 44),
            r.rules,
            r.citations,
            r.uncertain,
            r.reviewed
        );
    }
    let _ = writeln!(
        text,
        "\n{} jurisdictions; rulebook {} ({})",
        rows.len(),
        rulebook.release.version,
        rulebook.release.digest
    );
    out(&text)
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).chain(std::iter::once('…')).collect()
    }
}

pub fn show(cli: &Cli, id: &str, json: bool) -> Result<(), Failure> {
    let rulebook = load(cli)?;
    let mut text = String::new();
    let Some(jur) = rulebook.jurisdiction_index(id) else {
        return Err(Failure::input(anyhow!(rulebook.unknown_jurisdiction(id))));
    };
    let info = &rulebook.jurisdictions[usize::from(jur)];
    if json {
        let written = rulebook.written.jurisdictions.iter().find(|(_, j)| j.id.get_ref() == &info.id).map(|(_, j)| j);
        return out(&(serde_json::to_string_pretty(&written).map_err(Failure::failed)? + "\n"));
    }
    let _ = writeln!(text, "{} — {}\n  law: {}", info.id, info.name, info.law);
    if let Some(a) = &info.authority {
        let _ = writeln!(text, "  authority: {a}");
    }
    let members: Vec<&str> = info.members.iter().map(|m| rulebook.country_code(m.0)).collect();
    let _ = writeln!(text, "  governs exports from: {}", members.join(" "));
    let _ = writeln!(text, "  reviewed: {}   file: {}", info.reviewed, info.file);
    let cats = &rulebook.vocab.categories;
    let sensitive = cats.get("sensitive").map(|s| {
        (0..cats.len())
            .filter(|c| *c != usize::from(s) && info.closure[*c] & (1u32 << s) != 0)
            .map(|c| cats.ids[c].as_str())
            .collect::<Vec<_>>()
    });
    if let Some(s) = sensitive {
        let _ = writeln!(text, "  counts as sensitive here: {}", s.join(", "));
    }
    for (title, restriction) in [("Routes (lawful ways out)", false), ("Restrictions (apply before any route)", true)] {
        let _ = writeln!(text, "\n{title}:");
        for r in rulebook.rules_of(jur).filter(|r| r.restriction == restriction) {
            let dates = match (r.valid_from, r.valid_until) {
                (None, None) => String::new(),
                (f, u) => format!(
                    " [{} … {}]",
                    f.map_or("".into(), |d| d.to_string()),
                    u.map_or("".into(), |d| d.to_string())
                ),
            };
            let flag = if r.uncertain { " (uncertain)" } else { "" };
            let _ = writeln!(
                text,
                "  {} ({}){dates}{flag}\n      {}\n      {} {} <{}>",
                r.id, r.kind, r.summary, r.citation.instrument, r.citation.article, r.citation.url
            );
        }
    }
    out(&text)
}

#[derive(Serialize)]
struct UncertainRow<'a> {
    rule: &'a str,
    summary: &'a str,
    instrument: &'a str,
    article: &'a str,
    url: &'a str,
    note: Option<&'a str>,
    file: &'a str,
    line: usize,
}

/// What still needs a lawyer's check: every rule marked `certainty = "uncertain"`.
pub fn uncertain(cli: &Cli, json: bool) -> Result<(), Failure> {
    let rulebook = load(cli)?;
    let rows: Vec<UncertainRow> = rulebook
        .rules
        .iter()
        .filter(|r| r.uncertain)
        .map(|r| UncertainRow {
            rule: &r.id,
            summary: &r.summary,
            instrument: &r.citation.instrument,
            article: &r.citation.article,
            url: &r.citation.url,
            note: r.note.as_deref(),
            file: &r.file,
            line: r.line,
        })
        .collect();
    if json {
        return out(&(serde_json::to_string_pretty(&rows).map_err(Failure::failed)? + "\n"));
    }
    let mut text = String::new();
    for r in &rows {
        let _ = writeln!(
            text,
            "{} ({}:{})\n    {}, {}\n    why uncertain: {}",
            r.rule,
            r.file,
            r.line,
            r.instrument,
            r.article,
            r.note.unwrap_or("(no note)")
        );
    }
    let _ = writeln!(text, "\n{} of {} rules are marked uncertain", rows.len(), rulebook.rules.len());
    out(&text)
}

pub fn matrix(cli: &Cli, args: &MatrixArgs) -> Result<(), Failure> {
    let rulebook = load(cli)?;
    let first =
        rulebook.jurisdictions.first().map(|j| rulebook.country_code(j.representative).to_owned()).unwrap_or_default();
    let input = FlowInput {
        from: first.clone(),
        to: first,
        data: args.data.clone(),
        subjects: args.subjects,
        purpose: Some(args.purpose.clone()),
        as_of: args.as_of.clone(),
        ..FlowInput::default()
    };
    let template = rulebook.resolve(&input, Day::today()).map_err(Failure::input)?;
    let m = rulebook.matrix(&template);
    out(&m.to_text())?;
    if let Some(path) = &args.svg {
        std::fs::write(path, m.to_svg())
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::failed)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
