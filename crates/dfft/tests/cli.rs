//! Black-box tests of the `dfft` binary: every test runs the built executable with real
//! arguments, stdin and files, and checks its stdout, stderr, exit code and written files.
//!
//! Layout: helpers first (running the binary, temporary rulebook copies, JSON access), then one
//! section per command: `check` (readable, JSON, file/stdin, batch, bad input), `rulebook
//! validate`, `list`/`show`, `matrix`, the `--rulebook` override, `--help`, and robustness.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/// The 31 jurisdictions the rulebook must cover.
const REQUIRED_JURISDICTIONS: [&str; 31] = [
    "EU", "GB", "CH", "JP", "KR", "CN", "IN", "SG", "AU", "NZ", "CA", "US", "BR", "AR", "MX", "RW", "KE", "NG", "ZA",
    "GH", "EG", "ID", "VN", "TH", "MY", "PH", "SA", "AE", "TR", "RU", "IL",
];

/// Exit codes documented in `dfft --help`.
const OK: i32 = 0;
const FAILURE: i32 = 1;
const BAD_INPUT: i32 = 2;

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing both streams when it is wrong.
    fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn json(&self) -> Value {
        parse_json(&self.stdout)
    }
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dfft"));
    cmd.args(args).env_remove("RUST_BACKTRACE");
    cmd
}

/// Runs `dfft ARGS` with an empty stdin.
fn dfft(args: &[&str]) -> Run {
    let out = command(args).stdin(Stdio::null()).output().expect("the dfft binary runs");
    Run::from_output(out)
}

/// Runs `dfft ARGS` with `input` on stdin (written from a thread, so large outputs cannot deadlock).
fn dfft_with_stdin(args: &[&str], input: impl Into<Vec<u8>>) -> Run {
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dfft binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.into();
    let writer = std::thread::spawn(move || {
        // The binary may exit before reading everything (e.g. on bad flags); that is its business.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("dfft finishes");
    writer.join().expect("the stdin writer does not panic");
    Run::from_output(out)
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The strings of a JSON array.
fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("not a string: {s}")))
        .collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

/// `sha256:` and 64 lower-case hex digits.
fn assert_digest(digest: &str) {
    let hex = digest.strip_prefix("sha256:").unwrap_or_else(|| panic!("digest without sha256: prefix: {digest}"));
    assert_eq!(hex.len(), 64, "digest {digest}");
    assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "digest {digest}");
}

/// The repository's rulebook directory (the one embedded in the binary).
fn repo_rulebook() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rulebook")
}

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("dfft-cli-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn arg(&self) -> &str {
        self.0.to_str().expect("temp paths are UTF-8")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A private copy of the repository's rulebook, to break or change.
fn rulebook_copy() -> TempDir {
    let dir = TempDir::new("rulebook");
    copy_dir(&repo_rulebook(), dir.path());
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Replaces the first occurrence of `old` in `rel` (which must contain it) and returns the
/// 1-based line where the replacement starts.
fn replace_first(dir: &TempDir, rel: &str, old: &str, new: &str) -> usize {
    let path = dir.join(rel);
    let text = read(&path);
    let at = text.find(old).unwrap_or_else(|| panic!("{rel} does not contain {old:?}"));
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(&path, format!("{}{new}{}", &text[..at], &text[at + old.len()..])).expect("write");
    line
}

/// Removes the `[[route]]` block whose id is `id` from the jurisdiction file `rel`.
fn remove_route(dir: &TempDir, rel: &str, id: &str) {
    let path = dir.join(rel);
    let text = read(&path);
    let id_line = format!("\nid = \"{id}\"\n");
    let at = text.find(&id_line).unwrap_or_else(|| panic!("{rel} has no route {id}"));
    let start = text[..at].rfind("[[route]]").expect("the id belongs to a [[route]] block");
    let end = text[at + 1..].find("\n[[").map_or(text.len(), |e| at + 1 + e + 1);
    let mut edited = text.clone();
    edited.replace_range(start..end, "");
    assert!(!edited.contains(&id_line), "route {id} was removed");
    std::fs::write(&path, edited).expect("write");
}

/// Today's date in UTC as YYYY-MM-DD, from the system clock (civil-from-days).
fn today_utc() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("the clock is after 1970").as_secs();
    let z = i64::try_from(secs / 86_400).expect("days fit") + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A flow as one JSON line.
fn flow_line(from: &str, to: &str, data: &str, extra: &str) -> String {
    format!(r#"{{"from":"{from}","to":"{to}","data":["{data}"]{extra}}}"#)
}

/// `dfft` arguments written as one line (no argument contains a space).
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A known flow: German personal data to a Japanese research institute (EU adequacy → allow).
const DE_JP_RESEARCH: &str =
    "check --from DE --to JP --data personal --subjects 1000 --purpose research --as-of 2026-06-01";

const DE_JP_RESEARCH_FLOW: &str =
    r#"{"from":"DE","to":"JP","data":["personal"],"subjects":1000,"purpose":"research","as_of":"2026-06-01"}"#;

/// `dfft check FLAGS --json`, expecting success, as JSON.
fn check_json(flags: &str) -> Value {
    dfft(&words(&format!("check {flags} --json"))).expect_code(OK).json()
}

/// The digest of the rulebook built into the binary.
fn embedded_digest() -> String {
    let report = check_json("--from DE --to JP --data personal --as-of 2026-06-01");
    str_of(&report["rulebook"], "digest").to_owned()
}

/// A bad-input run: exit 2, and stderr holds every one of `needles`.
fn assert_bad_input(args: &[&str], needles: &[&str]) {
    let run = dfft(args);
    run.expect_code(BAD_INPUT);
    for needle in needles {
        assert!(run.stderr.contains(needle), "stderr of {args:?} lacks {needle:?}:\n{}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "bad input prints no decision, got:\n{}", run.stdout);
}

// ------------------------------------------------------------------------------------------------
// check: readable output
// ------------------------------------------------------------------------------------------------

#[test]
fn check_prints_an_allow_verdict_with_its_legal_basis_and_the_rulebook_digest() {
    let run = dfft(&words(DE_JP_RESEARCH)).expect_code(OK).stdout.clone();
    assert!(run.starts_with("DE → JP  personal  1000 subject(s)  purpose: research  as of 2026-06-01"), "{run}");
    assert!(run.contains("Verdict: ALLOW"), "{run}");
    assert!(run.contains("Legal basis:"), "{run}");
    assert!(run.contains("EU.adequacy-japan"), "the basis names the rule:\n{run}");
    assert!(run.contains("Commission Implementing Decision (EU) 2019/419"), "the basis cites the instrument:\n{run}");
    assert!(run.contains("<https://eur-lex.europa.eu/eli/dec_impl/2019/419/oj>"), "the basis links the source:\n{run}");
    let digest = embedded_digest();
    let last = run.lines().last().expect("output has lines");
    assert!(last.starts_with("Rulebook ") && last.contains(&format!("({digest})")), "last line: {last}");
}

#[test]
fn check_prints_a_conditional_verdict_with_scc_and_tia_as_an_option() {
    // DPF certification does not help before the DPF adequacy decision (10 July 2023).
    let run = dfft(&words(
        "check --from DE --to US --data personal --subjects 1000 --purpose research --as-of 2022-03-01 --cert dpf",
    ));
    let out = &run.expect_code(OK).stdout;
    assert!(out.contains("Verdict: CONDITIONAL"), "{out}");
    assert!(out.contains("What would make it lawful (any one):"), "{out}");
    assert!(out.contains("  - scc + tia\n"), "scc + tia is listed as an option:\n{out}");
    assert!(out.contains("(EU.scc)"), "{out}");
    assert!(out.contains("Legal basis:") && out.contains("EU.scc: "), "{out}");
    assert!(out.contains("[needs an authority's approval]"), "ad-hoc clauses are flagged as needing approval:\n{out}");
    assert!(out.contains(&format!("({})", embedded_digest())), "{out}");
}

#[test]
fn check_says_a_domestic_flow_is_not_a_transfer() {
    let out =
        dfft(&words("check --from DE --to de-by --data health --as-of 2026-06-01")).expect_code(OK).stdout.clone();
    assert!(out.contains("Verdict: ALLOW"), "{out}");
    assert!(out.contains("not a cross-border transfer"), "{out}");
}

// ------------------------------------------------------------------------------------------------
// check --json
// ------------------------------------------------------------------------------------------------

#[test]
fn check_json_has_verdict_basis_explanation_and_rulebook() {
    let report = dfft(&words(&format!("{DE_JP_RESEARCH} --json"))).expect_code(OK).json();
    assert_eq!(report["verdict"], "allow");
    assert_eq!(report["options"], Value::Array(vec![]), "an allowed flow needs no options");
    assert!(report["obligations"].is_array());
    let basis = report["basis"].as_array().expect("basis is an array");
    assert_eq!(basis.len(), 1, "{basis:?}");
    assert_eq!(basis[0]["rule"], "EU.adequacy-japan");
    assert_eq!(basis[0]["role"], "route");
    assert_eq!(basis[0]["url"], "https://eur-lex.europa.eu/eli/dec_impl/2019/419/oj");
    assert!(!str_of(&basis[0], "instrument").is_empty() && !str_of(&basis[0], "article").is_empty());
    let explanation = strings(&report["explanation"]);
    assert!(explanation.iter().any(|s| s.contains("European Union")), "{explanation:?}");
    assert_eq!(explanation.last(), Some(&"Verdict: allow."));
    assert!(!str_of(&report["rulebook"], "version").is_empty());
    assert_digest(str_of(&report["rulebook"], "digest"));
}

#[test]
fn check_json_lists_options_with_safeguards_and_approval() {
    let report = check_json(
        "--from DE --to US --data personal --subjects 1000 --purpose research --as-of 2022-03-01 --cert dpf",
    );
    assert_eq!(report["verdict"], "conditional");
    let options = report["options"].as_array().expect("options is an array");
    let scc = options.iter().find(|o| o["rule"] == "EU.scc").unwrap_or_else(|| panic!("no EU.scc option: {options:?}"));
    assert_eq!(strings(&scc["safeguards"]), ["scc", "tia"]);
    assert_eq!(scc["approval"], false);
    let adhoc = options.iter().find(|o| o["rule"] == "EU.ad-hoc-clauses").expect("ad-hoc clauses are an option");
    assert_eq!(adhoc["approval"], true);
    // Every option is also cited in the basis, with a source URL.
    for o in options {
        let rule = str_of(o, "rule");
        let cited = report["basis"].as_array().expect("basis").iter().find(|b| b["rule"] == rule);
        let url = cited.map(|b| str_of(b, "url")).unwrap_or_else(|| panic!("option {rule} has no basis entry"));
        assert!(url.starts_with("https://"), "{rule}: {url}");
    }
}

#[test]
fn check_json_carries_the_obligations_of_the_basis_route() {
    let report = check_json("--from JP --to US --data personal --safeguard contract --as-of 2026-06-01");
    assert_eq!(report["verdict"], "allow");
    let obligations = report["obligations"].as_array().expect("obligations is an array");
    let ids: Vec<&str> = obligations.iter().map(|o| str_of(o, "id")).collect();
    assert!(ids.contains(&"review-periodically") && ids.contains(&"inform-data-subjects"), "{ids:?}");
    for o in obligations {
        assert_eq!(o["rule"], "JP.equivalent-measures-contract");
        assert!(!str_of(o, "text").is_empty());
    }
}

#[test]
fn check_json_echoes_the_flow_normalised() {
    let report = check_json(concat!(
        "--from de-by --to jp --data health,personal,health --purpose research ",
        "--role importer:processor --safeguard scc --as-of 2026-06-01"
    ));
    let flow = &report["flow"];
    assert_eq!(flow["from"], "DE", "a subdivision resolves to its country, upper case");
    assert_eq!(flow["to"], "JP");
    let mut data = strings(&flow["data"]);
    data.sort_unstable();
    assert_eq!(data, ["health", "personal"], "categories are deduplicated");
    assert_eq!(flow["subjects"], 1, "subjects defaults to 1");
    assert_eq!(flow["purpose"], "research");
    assert_eq!(strings(&flow["importer"]["roles"]), ["processor"]);
    assert_eq!(strings(&flow["exporter"]["roles"]), Vec::<&str>::new());
    assert_eq!(strings(&flow["safeguards"]), ["scc"]);
    assert_eq!(flow["as_of"], "2026-06-01");
}

#[test]
fn check_json_fills_in_today_when_no_date_is_given() {
    let before = today_utc();
    let report = check_json("--from DE --to JP --data personal");
    let after = today_utc();
    let as_of = str_of(&report["flow"], "as_of");
    assert!(as_of == before || as_of == after, "as_of {as_of}, today {before}/{after}");
    assert!(report["flow"].get("purpose").is_none(), "no purpose means none: {}", report["flow"]);
}

// ------------------------------------------------------------------------------------------------
// check --flow FILE / --flow -
// ------------------------------------------------------------------------------------------------

#[test]
fn check_flow_file_gives_the_same_json_as_the_flags() {
    let dir = TempDir::new("flow");
    let file = dir.join("flow.json");
    std::fs::write(&file, DE_JP_RESEARCH_FLOW).expect("write flow");
    let from_flags = dfft(&words(&format!("{DE_JP_RESEARCH} --json"))).expect_code(OK).json();
    let from_file = dfft(&["check", "--flow", file.to_str().expect("UTF-8 path"), "--json"]).expect_code(OK).json();
    assert_eq!(from_file, from_flags);
    assert_eq!(from_file["verdict"], "allow");
}

#[test]
fn check_flow_from_stdin_gives_the_same_json_as_the_flags() {
    let from_flags = dfft(&words(&format!("{DE_JP_RESEARCH} --json"))).expect_code(OK).json();
    let from_stdin = dfft_with_stdin(&words("check --flow - --json"), DE_JP_RESEARCH_FLOW).expect_code(OK).json();
    assert_eq!(from_stdin, from_flags);
}

#[test]
fn check_flow_with_an_unreadable_file_is_bad_input() {
    let dir = TempDir::new("missing");
    let missing = dir.join("no-such-flow.json");
    assert_bad_input(&["check", "--flow", missing.to_str().expect("UTF-8 path")], &["no-such-flow.json"]);
}

#[test]
fn check_flow_with_an_unknown_field_names_it() {
    let run =
        dfft_with_stdin(&words("check --flow -"), r#"{"from":"DE","to":"JP","data":["personal"],"colour":"red"}"#);
    run.expect_code(BAD_INPUT);
    assert!(run.stderr.contains("flow field `colour`"), "{}", run.stderr);
}

#[test]
fn check_flow_with_a_wrongly_typed_field_names_that_field() {
    // The README promises that bad input names the field; a value of the wrong type must name
    // the field it was given for, not the value itself or "(json)".
    for (field, value) in
        [("subjects", "-1"), ("subjects", r#""1000""#), ("as_of", "20260601"), ("data", r#""personal""#)]
    {
        let flow = if field == "data" {
            format!(r#"{{"from":"DE","to":"JP","data":{value}}}"#)
        } else {
            format!(r#"{{"from":"DE","to":"JP","data":["personal"],"{field}":{value}}}"#)
        };
        let run = dfft_with_stdin(&words("check --flow -"), flow.clone());
        run.expect_code(BAD_INPUT);
        assert!(
            run.stderr.contains(&format!("flow field `{field}`")),
            "flow {flow}: the message should name `{field}`, got: {}",
            run.stderr.trim()
        );
    }
}

// ------------------------------------------------------------------------------------------------
// check --batch
// ------------------------------------------------------------------------------------------------

#[test]
fn batch_answers_each_line_in_order_and_reports_bad_lines_in_place() {
    let input = [
        flow_line("DE", "JP", "personal", r#","as_of":"2026-06-01""#),
        r#"{"from":"DE","#.to_owned(),
        flow_line("DE", "US", "personal", r#","as_of":"2022-03-01""#),
        flow_line("DE", "JP", "helth", r#","as_of":"2026-06-01""#),
        flow_line("CN", "DE", "personal", r#","subjects":150000,"as_of":"2026-06-01""#),
    ]
    .join("\n")
        + "\n";
    let run = dfft_with_stdin(&words("check --batch"), input);
    run.expect_code(OK);
    let lines: Vec<Value> = run.stdout.lines().map(parse_json).collect();
    assert_eq!(lines.len(), 5, "one output line per input line:\n{}", run.stdout);

    assert_eq!(lines[0]["verdict"], "allow");
    assert_eq!(lines[0]["flow"]["to"], "JP");

    assert_eq!(lines[1]["line"], 2, "{}", lines[1]);
    assert!(lines[1].get("verdict").is_none());
    assert!(str_of(&lines[1], "error").contains("(json)"), "invalid JSON is reported as such: {}", lines[1]);

    assert_eq!(lines[2]["verdict"], "conditional");
    assert_eq!(lines[2]["flow"]["to"], "US");

    assert_eq!(lines[3]["line"], 4, "{}", lines[3]);
    let error = str_of(&lines[3], "error");
    assert!(error.contains("`data[0]`") && error.contains("'helth'") && error.contains("'health'"), "{error}");

    assert!(lines[4]["verdict"].is_string(), "decided after the bad lines: {}", lines[4]);
    assert_eq!(lines[4]["flow"]["from"], "CN");
}

#[test]
fn batch_keeps_the_input_order_over_many_lines() {
    // More lines than one chunk per core, so the order survives the parallel split; every 997th
    // line is bad, and every good line carries its own number as `subjects`.
    let n = 10_000usize;
    let input: String = (1..=n)
        .map(|i| {
            if i % 997 == 0 {
                format!("{{\"from\":\"DE\",\"to\":\"JP\",\"data\":[\"personal\"],\"purpose\":\"no-such-{i}\"}}\n")
            } else {
                flow_line("DE", "JP", "personal", &format!(r#","subjects":{i},"as_of":"2026-06-01""#)) + "\n"
            }
        })
        .collect();
    let run = dfft_with_stdin(&words("check --batch"), input);
    run.expect_code(OK);
    let mut count = 0;
    for (i, text) in run.stdout.lines().enumerate() {
        let i = i + 1;
        count += 1;
        let v = parse_json(text);
        if i % 997 == 0 {
            assert_eq!(v["line"], i, "{text}");
            assert!(str_of(&v, "error").contains("`purpose`"), "{text}");
        } else {
            assert_eq!(v["flow"]["subjects"], i, "output line {i} answers input line {i}");
        }
    }
    assert_eq!(count, n);
}

#[test]
fn batch_of_empty_input_prints_nothing() {
    let run = dfft_with_stdin(&words("check --batch"), "");
    run.expect_code(OK);
    assert_eq!(run.stdout, "");
}

#[test]
fn batch_line_that_is_not_utf8_is_reported_in_place_and_the_rest_decided() {
    let mut input = flow_line("DE", "JP", "personal", r#","as_of":"2026-06-01""#).into_bytes();
    input.extend_from_slice(b"\n\xff\xfe\n");
    input.extend_from_slice(flow_line("DE", "JP", "personal", r#","as_of":"2026-06-01""#).as_bytes());
    input.push(b'\n');
    let run = dfft_with_stdin(&words("check --batch"), input);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "one output line per input line even when a line is not UTF-8; exit {:?}, stderr: {}",
        run.code,
        run.stderr.trim()
    );
    assert_eq!(parse_json(lines[0])["verdict"], "allow");
    assert_eq!(parse_json(lines[1])["line"], 2);
    assert_eq!(parse_json(lines[2])["verdict"], "allow");
    run.expect_code(OK);
}

// ------------------------------------------------------------------------------------------------
// check: bad input (exit 2, the field named, close names suggested)
// ------------------------------------------------------------------------------------------------

#[test]
fn unknown_country_is_bad_input_with_suggestions() {
    assert_bad_input(
        &words("check --from DX --to JP --data personal"),
        &["`from`", "unknown country code 'DX'", "did you mean", "'DE'"],
    );
    assert_bad_input(&words("check --from DE --to XQ --data personal"), &["`to`", "'XQ'", "did you mean"]);
}

#[test]
fn unknown_category_is_bad_input_suggesting_health() {
    assert_bad_input(
        &words("check --from DE --to JP --data helth"),
        &["`data[0]`", "unknown data category 'helth'", "did you mean 'health'"],
    );
}

#[test]
fn unknown_purpose_is_bad_input_with_suggestions() {
    assert_bad_input(
        &words("check --from DE --to JP --data personal --purpose reserch"),
        &["`purpose`", "'reserch'", "did you mean 'research'"],
    );
}

#[test]
fn unknown_certification_is_bad_input_with_suggestions() {
    assert_bad_input(
        &words("check --from DE --to US --data personal --cert dfp"),
        &["`importer.certifications[0]`", "'dfp'", "did you mean 'dpf'"],
    );
}

#[test]
fn unknown_safeguard_is_bad_input_with_suggestions() {
    assert_bad_input(
        &words("check --from DE --to US --data personal --safeguard scc,sccs"),
        &["`safeguards[1]`", "'sccs'", "did you mean 'scc'"],
    );
}

#[test]
fn bad_role_syntax_is_bad_input_showing_the_expected_form() {
    for role in ["importer", "buyer:processor"] {
        assert_bad_input(
            &words(&format!("check --from DE --to JP --data personal --role {role}")),
            &["--role", &format!("'{role}'"), "exporter:ROLE or importer:ROLE"],
        );
    }
    assert_bad_input(
        &words("check --from DE --to JP --data personal --role importer:procesor"),
        &["`importer.roles[0]`", "did you mean 'processor'"],
    );
}

#[test]
fn bad_date_is_bad_input_showing_the_format() {
    for date in ["2026-13-01", "2023-02-30", "01/06/2026"] {
        assert_bad_input(
            &words(&format!("check --from DE --to JP --data personal --as-of {date}")),
            &["`as_of`", &format!("'{date}'"), "YYYY-MM-DD"],
        );
    }
}

#[test]
fn exporter_country_without_a_law_in_the_rulebook_is_bad_input_naming_the_covered_ones() {
    let run = dfft(&words("check --from UY --to JP --data personal"));
    run.expect_code(BAD_INPUT);
    assert!(run.stderr.contains("`from`") && run.stderr.contains("'UY'"), "{}", run.stderr);
    let covered = run.stderr.split("covered: ").nth(1).unwrap_or_else(|| panic!("no covered list: {}", run.stderr));
    let ids: Vec<&str> = covered.trim().split(", ").collect();
    for id in REQUIRED_JURISDICTIONS {
        assert!(ids.contains(&id), "{id} missing from the covered list {ids:?}");
    }
}

#[test]
fn date_before_the_law_is_modelled_is_bad_input_explaining_the_coverage() {
    assert_bad_input(
        &words("check --from DE --to JP --data personal --as-of 2017-01-01"),
        &["DE", "2017-01-01", "EU from 2018-05-25"],
    );
}

#[test]
fn missing_data_category_in_a_flow_is_bad_input() {
    let run = dfft_with_stdin(&words("check --flow -"), r#"{"from":"DE","to":"JP","data":[]}"#);
    run.expect_code(BAD_INPUT);
    assert!(run.stderr.contains("`data`") && run.stderr.contains("personal"), "{}", run.stderr);
}

#[test]
fn flow_flags_given_with_flow_file_are_not_silently_ignored() {
    // `--as-of`, `--purpose`, `--cert` ... describe the flow; with `--flow` they must either be
    // rejected as bad input or take effect, never be dropped without a word.
    let run = dfft_with_stdin(&words("check --flow - --as-of 2019-01-01 --json"), DE_JP_RESEARCH_FLOW);
    if run.code == Some(OK) {
        assert_eq!(run.json()["flow"]["as_of"], "2019-01-01", "--as-of was ignored with --flow");
    } else {
        run.expect_code(BAD_INPUT);
        assert!(run.stderr.contains("--as-of"), "{}", run.stderr);
    }
}

// ------------------------------------------------------------------------------------------------
// rulebook validate
// ------------------------------------------------------------------------------------------------

#[test]
fn validate_accepts_a_copy_of_the_repository_rulebook_with_the_embedded_digest() {
    let copy = rulebook_copy();
    let run = dfft(&["rulebook", "validate", copy.arg()]);
    run.expect_code(OK);
    assert!(run.stdout.contains("is valid: "), "{}", run.stdout);
    assert!(run.stdout.contains(&embedded_digest()), "the same files give the same digest:\n{}", run.stdout);
}

#[test]
fn validate_points_at_the_line_of_an_unknown_mechanism() {
    let copy = rulebook_copy();
    let line = replace_first(
        &copy,
        "jurisdictions/EU.toml",
        r#"requires = ["scc", "tia"]"#,
        r#"requires = ["scc", "telepathy"]"#,
    );
    let run = dfft(&["rulebook", "validate", copy.arg()]);
    run.expect_code(FAILURE);
    assert!(run.stderr.contains(&format!("jurisdictions/EU.toml:{line}:")), "expected line {line}:\n{}", run.stderr);
    assert!(run.stderr.contains("'telepathy'"), "{}", run.stderr);
    assert!(run.stderr.contains("1 problem(s)"), "{}", run.stderr);
}

#[test]
fn validate_points_at_the_line_of_a_bad_date() {
    let copy = rulebook_copy();
    let line =
        replace_first(&copy, "jurisdictions/JP.toml", r#"valid_from = "2019-01-23""#, r#"valid_from = "2019-02-30""#);
    let run = dfft(&["rulebook", "validate", copy.arg()]);
    run.expect_code(FAILURE);
    assert!(run.stderr.contains(&format!("jurisdictions/JP.toml:{line}:")), "expected line {line}:\n{}", run.stderr);
    assert!(run.stderr.contains("'2019-02-30' is not a date"), "{}", run.stderr);
}

#[test]
fn validate_points_at_the_line_of_a_toml_syntax_error() {
    let copy = rulebook_copy();
    let line =
        replace_first(&copy, "jurisdictions/KR.toml", "\nauthority = ", "\nlaw_note = = \"oops\"\nauthority = ") + 1;
    let run = dfft(&["rulebook", "validate", copy.arg()]);
    run.expect_code(FAILURE);
    assert!(run.stderr.contains(&format!("jurisdictions/KR.toml:{line}:")), "expected line {line}:\n{}", run.stderr);
}

#[test]
fn validate_reports_every_problem_not_just_the_first() {
    let copy = rulebook_copy();
    let eu = replace_first(
        &copy,
        "jurisdictions/EU.toml",
        r#"requires = ["scc", "tia"]"#,
        r#"requires = ["scc", "telepathy"]"#,
    );
    let jp =
        replace_first(&copy, "jurisdictions/JP.toml", r#"valid_from = "2019-01-23""#, r#"valid_from = "2019-02-30""#);
    let sets = replace_first(&copy, "sets.toml", r#""AT", "BE", "BG""#, r#""AT", "XQ", "BG""#);
    let run = dfft(&["rulebook", "validate", copy.arg()]);
    run.expect_code(FAILURE);
    for located in
        [format!("jurisdictions/EU.toml:{eu}:"), format!("jurisdictions/JP.toml:{jp}:"), format!("sets.toml:{sets}:")]
    {
        assert!(run.stderr.contains(&located), "{located} not reported:\n{}", run.stderr);
    }
    assert!(run.stderr.contains("3 problem(s)"), "{}", run.stderr);
}

#[test]
fn validate_reports_syntax_errors_in_several_files() {
    let copy = rulebook_copy();
    let kr =
        replace_first(&copy, "jurisdictions/KR.toml", "\nauthority = ", "\nlaw_note = = \"oops\"\nauthority = ") + 1;
    let sg = replace_first(&copy, "jurisdictions/SG.toml", "\nname = ", "\n[unclosed\nname = ") + 1;
    let run = dfft(&["rulebook", "validate", copy.arg()]);
    run.expect_code(FAILURE);
    assert!(run.stderr.contains(&format!("jurisdictions/KR.toml:{kr}:")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("jurisdictions/SG.toml:{sg}:")), "{}", run.stderr);
    assert!(run.stderr.contains("2 problem(s)"), "{}", run.stderr);
}

#[test]
fn validate_uses_the_rulebook_flag_when_no_directory_is_given() {
    let copy = rulebook_copy();
    replace_first(&copy, "jurisdictions/JP.toml", r#"valid_from = "2019-01-23""#, r#"valid_from = "2019-02-30""#);
    dfft(&["rulebook", "validate"]).expect_code(OK);
    let run = dfft(&["--rulebook", copy.arg(), "rulebook", "validate"]);
    run.expect_code(FAILURE);
    assert!(run.stderr.contains("jurisdictions/JP.toml:"), "{}", run.stderr);
}

#[test]
fn validate_of_a_missing_directory_is_bad_input() {
    let dir = TempDir::new("empty");
    let missing = dir.join("nothing-here");
    assert_bad_input(&["rulebook", "validate", missing.to_str().expect("UTF-8 path")], &["nothing-here"]);
}

// ------------------------------------------------------------------------------------------------
// rulebook list / show
// ------------------------------------------------------------------------------------------------

#[test]
fn list_json_has_every_required_jurisdiction_with_rules_and_citations() {
    let rows = dfft(&["rulebook", "list", "--json"]).expect_code(OK).json();
    let rows = rows.as_array().expect("a JSON array");
    assert!(rows.len() >= 30, "{} jurisdictions", rows.len());
    for row in rows {
        let id = str_of(row, "id");
        assert!(!id.is_empty() && !str_of(row, "name").is_empty(), "{row}");
        let rules = row["rules"].as_u64().unwrap_or_else(|| panic!("{id}: rules is not a number"));
        let citations = row["citations"].as_u64().unwrap_or_else(|| panic!("{id}: citations is not a number"));
        assert!(rules > 0, "{id} has no rules");
        assert!(citations > 0 && citations <= rules, "{id}: {citations} citations for {rules} rules");
    }
    let ids: Vec<&str> = rows.iter().map(|r| str_of(r, "id")).collect();
    for id in REQUIRED_JURISDICTIONS {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn list_prints_a_table_with_the_count_and_digest() {
    let out = dfft(&["rulebook", "list"]).expect_code(OK).stdout.clone();
    for id in REQUIRED_JURISDICTIONS {
        assert!(out.lines().any(|l| l.starts_with(&format!("{id} "))), "no row for {id}:\n{out}");
    }
    assert!(out.contains(&embedded_digest()), "{out}");
}

#[test]
fn show_prints_the_law_and_the_routes_of_one_jurisdiction() {
    let out = dfft(&["rulebook", "show", "JP"]).expect_code(OK).stdout.clone();
    assert!(out.starts_with("JP — Japan"), "{out}");
    assert!(out.contains("law: Act on the Protection of Personal Information"), "{out}");
    assert!(out.contains("Routes (lawful ways out):"), "{out}");
    for route in ["JP.whitelist (adequacy)", "JP.consent (consent)", "JP.apec-cbpr (certification)"] {
        assert!(out.contains(route), "{route} not listed:\n{out}");
    }
    assert!(out.contains("<https://laws.e-gov.go.jp/law/415AC0000000057>"), "routes carry their citation:\n{out}");
}

#[test]
fn show_json_is_the_jurisdiction_file() {
    let jp = dfft(&["rulebook", "show", "jp", "--json"]).expect_code(OK).json();
    assert_eq!(jp["id"], "JP");
    assert!(jp["route"].as_array().is_some_and(|r| r.len() > 5), "{jp}");
}

#[test]
fn show_of_an_unknown_jurisdiction_is_bad_input_with_a_suggestion() {
    assert_bad_input(&["rulebook", "show", "XX"], &["unknown jurisdiction 'XX'", "did you mean"]);
    assert_bad_input(&["rulebook", "show", "JQ"], &["unknown jurisdiction 'JQ'", "did you mean 'JP'"]);
}

// ------------------------------------------------------------------------------------------------
// rulebook matrix
// ------------------------------------------------------------------------------------------------

#[test]
fn matrix_prints_every_jurisdiction_and_writes_an_svg_cell_for_every_pair() {
    let ids: Vec<String> = dfft(&["rulebook", "list", "--json"])
        .expect_code(OK)
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|r| str_of(r, "id").to_owned())
        .collect();
    let n = ids.len();
    let dir = TempDir::new("matrix");
    let svg_path = dir.join("matrix.svg");
    let run = dfft(&[
        "rulebook",
        "matrix",
        "--data",
        "health",
        "--as-of",
        "2026-06-01",
        "--svg",
        svg_path.to_str().expect("UTF-8 path"),
    ]);
    let out = &run.expect_code(OK).stdout;
    assert!(out.starts_with("Verdicts for health data as of 2026-06-01"), "{out}");
    for (r, id) in ids.iter().enumerate() {
        let row = out
            .lines()
            .find(|l| l.starts_with(id.as_str()) && l.split_whitespace().next() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("no row for {id}:\n{out}"));
        let cells: Vec<&str> = row.split_whitespace().skip(1).collect();
        assert_eq!(cells.len(), n, "row {id}: {row}");
        assert_eq!(cells[r], "·", "the diagonal is the same jurisdiction: {row}");
        assert!(cells.iter().all(|c| ["A", "C", "P", "D", "?", "·"].contains(c)), "row {id}: {row}");
    }

    let svg = read(&svg_path);
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.matches("<rect").count() >= n * n, "{} rects for {n}×{n} cells", svg.matches("<rect").count());
    for id in &ids {
        assert!(svg.contains(&format!(">{id}</text>")), "{id} is not labelled in the SVG");
    }
}

#[test]
fn matrix_with_an_unknown_category_is_bad_input() {
    assert_bad_input(&["rulebook", "matrix", "--data", "helth"], &["'helth'", "did you mean 'health'"]);
}

// ------------------------------------------------------------------------------------------------
// --rulebook DIR override
// ------------------------------------------------------------------------------------------------

#[test]
fn rulebook_override_is_used_instead_of_the_embedded_rulebook() {
    let embedded = dfft(&words(&format!("{DE_JP_RESEARCH} --json"))).expect_code(OK).json();
    assert_eq!(embedded["verdict"], "allow");
    assert_eq!(embedded["basis"][0]["rule"], "EU.adequacy-japan");

    let copy = rulebook_copy();
    remove_route(&copy, "jurisdictions/EU.toml", "adequacy-japan");
    let mut args = vec!["--rulebook", copy.arg()];
    args.extend(words(DE_JP_RESEARCH));
    args.push("--json");
    let changed = dfft(&args).expect_code(OK).json();
    assert_eq!(changed["verdict"], "conditional", "without the adequacy route DE→JP needs a safeguard");
    let rules: Vec<&str> = changed["basis"].as_array().expect("basis").iter().map(|b| str_of(b, "rule")).collect();
    assert!(!rules.contains(&"EU.adequacy-japan"), "{rules:?}");
    assert!(rules.contains(&"EU.scc"), "{rules:?}");
    assert_ne!(
        changed["rulebook"]["digest"], embedded["rulebook"]["digest"],
        "the digest identifies the rulebook used"
    );
}

#[test]
fn rulebook_override_with_an_invalid_rulebook_fails_with_its_problems() {
    let copy = rulebook_copy();
    let line =
        replace_first(&copy, "jurisdictions/JP.toml", r#"valid_from = "2019-01-23""#, r#"valid_from = "2019-02-30""#);
    let run = dfft(&["--rulebook", copy.arg(), "check", "--from", "DE", "--to", "JP", "--data", "personal"]);
    run.expect_code(FAILURE);
    assert!(run.stderr.contains("invalid rulebook"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("jurisdictions/JP.toml:{line}:")), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no decision from an invalid rulebook: {}", run.stdout);
}

// ------------------------------------------------------------------------------------------------
// --help and robustness
// ------------------------------------------------------------------------------------------------

#[test]
fn help_documents_the_exit_codes() {
    for args in [&["--help"][..], &["check", "--help"][..]] {
        let out = dfft(args).expect_code(OK).stdout.clone();
        assert!(out.contains("Exit codes:"), "{args:?}:\n{out}");
        for (code, meaning) in [("0", "success"), ("1", "rulebook is invalid"), ("2", "bad input")] {
            assert!(
                out.lines().any(|l| l.trim_start().starts_with(code) && l.contains(meaning)),
                "{args:?}: exit code {code} ({meaning}) is not documented:\n{out}"
            );
        }
    }
}

#[test]
fn conflicting_flags_are_bad_input() {
    let run = dfft(&["check", "--flow", "-", "--from", "DE"]);
    run.expect_code(BAD_INPUT);
    assert!(run.stderr.contains("--from"), "{}", run.stderr);
}

#[test]
fn a_closed_stdout_does_not_make_dfft_panic() {
    // `dfft check ... | head -1` and the like: the reader goes away before dfft writes. dfft
    // must stop with one of its documented exit codes (or SIGPIPE), not panic (exit 101).
    let mut child = command(&["check", "--flow", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dfft binary starts");
    // Close our end of stdout first; dfft only writes after it has read all of stdin.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(DE_JP_RESEARCH_FLOW.as_bytes()).expect("write the flow");
    drop(stdin);
    let mut stderr = String::new();
    child.stderr.take().expect("stderr is piped").read_to_string(&mut stderr).expect("read stderr");
    let status = child.wait().expect("dfft finishes");
    assert!(!stderr.contains("panicked"), "dfft panicked on a closed stdout:\n{stderr}");
    assert!(matches!(status.code(), None | Some(0..=2)), "exit status {status}");
}

#[test]
fn rulebook_uncertain_lists_each_unverified_rule_with_its_reason() {
    let run = dfft(&words("rulebook uncertain --json"));
    run.expect_code(OK);
    let rows = parse_json(&run.stdout);
    let rows = rows.as_array().expect("an array");
    assert!(!rows.is_empty(), "the rulebook marks some facts uncertain");
    for row in rows {
        let rule = row["rule"].as_str().expect("rule id");
        assert!(rule.contains('.'), "{rule}");
        assert!(row["url"].as_str().is_some_and(|u| u.starts_with("http")), "{row}");
        assert!(row["file"].as_str().is_some_and(|f| f.starts_with("jurisdictions/")), "{row}");
    }
    // The readable form counts them.
    let text = dfft(&words("rulebook uncertain"));
    text.expect_code(OK);
    assert!(text.stdout.contains(&format!("{} of ", rows.len())), "{}", text.stdout);
}
