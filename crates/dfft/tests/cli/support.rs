//! Running the binary, temporary rulebook copies, JSON access.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// The 31 jurisdictions the rulebook must cover.
pub const REQUIRED_JURISDICTIONS: [&str; 31] = [
    "EU", "GB", "CH", "JP", "KR", "CN", "IN", "SG", "AU", "NZ", "CA", "US", "BR", "AR", "MX", "RW", "KE", "NG", "ZA",
    "GH", "EG", "ID", "VN", "TH", "MY", "PH", "SA", "AE", "TR", "RU", "IL",
];

/// Exit codes documented in `dfft --help`.
pub const OK: i32 = 0;
pub const FAILURE: i32 = 1;
pub const BAD_INPUT: i32 = 2;

/// What one run of the binary did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing both streams when it is wrong.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        parse_json(&self.stdout)
    }
}

pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dfft"));
    cmd.args(args).env_remove("RUST_BACKTRACE");
    cmd
}

/// Runs `dfft ARGS` with an empty stdin.
pub fn dfft(args: &[&str]) -> Run {
    let out = command(args).stdin(Stdio::null()).output().expect("the dfft binary runs");
    Run::from_output(out)
}

/// Runs `dfft ARGS` with `input` on stdin (written from a thread, so large outputs cannot deadlock).
pub fn dfft_with_stdin(args: &[&str], input: impl Into<Vec<u8>>) -> Run {
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

pub fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// The strings of a JSON array.
pub fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("not a string: {s}")))
        .collect()
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

/// `sha256:` and 64 lower-case hex digits.
pub fn assert_digest(digest: &str) {
    let hex = digest.strip_prefix("sha256:").unwrap_or_else(|| panic!("digest without sha256: prefix: {digest}"));
    assert_eq!(hex.len(), 64, "digest {digest}");
    assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "digest {digest}");
}

/// The repository's rulebook directory (the one embedded in the binary).
pub fn repo_rulebook() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rulebook")
}

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("dfft-cli-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    pub fn arg(&self) -> &str {
        self.0.to_str().expect("temp paths are UTF-8")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
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
pub fn rulebook_copy() -> TempDir {
    let dir = TempDir::new("rulebook");
    copy_dir(&repo_rulebook(), dir.path());
    dir
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Replaces the first occurrence of `old` in `rel` (which must contain it) and returns the
/// 1-based line where the replacement starts.
pub fn replace_first(dir: &TempDir, rel: &str, old: &str, new: &str) -> usize {
    let path = dir.join(rel);
    let text = read(&path);
    let at = text.find(old).unwrap_or_else(|| panic!("{rel} does not contain {old:?}"));
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(&path, format!("{}{new}{}", &text[..at], &text[at + old.len()..])).expect("write");
    line
}

/// Removes the `[[route]]` block whose id is `id` from the jurisdiction file `rel`.
pub fn remove_route(dir: &TempDir, rel: &str, id: &str) {
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
pub fn today_utc() -> String {
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
pub fn flow_line(from: &str, to: &str, data: &str, extra: &str) -> String {
    format!(r#"{{"from":"{from}","to":"{to}","data":["{data}"]{extra}}}"#)
}

/// `dfft` arguments written as one line (no argument contains a space).
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// A known flow: German personal data to a Japanese research institute (EU adequacy → allow).
pub const DE_JP_RESEARCH: &str =
    "check --from DE --to JP --data personal --subjects 1000 --purpose research --as-of 2026-06-01";

pub const DE_JP_RESEARCH_FLOW: &str =
    r#"{"from":"DE","to":"JP","data":["personal"],"subjects":1000,"purpose":"research","as_of":"2026-06-01"}"#;

/// `dfft check FLAGS --json`, expecting success, as JSON.
pub fn check_json(flags: &str) -> Value {
    dfft(&words(&format!("check {flags} --json"))).expect_code(OK).json()
}

/// The digest of the rulebook built into the binary.
pub fn embedded_digest() -> String {
    let report = check_json("--from DE --to JP --data personal --as-of 2026-06-01");
    str_of(&report["rulebook"], "digest").to_owned()
}

/// A bad-input run: exit 2, and stderr holds every one of `needles`.
pub fn assert_bad_input(args: &[&str], needles: &[&str]) {
    let run = dfft(args);
    run.expect_code(BAD_INPUT);
    for needle in needles {
        assert!(run.stderr.contains(needle), "stderr of {args:?} lacks {needle:?}:\n{}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "bad input prints no decision, got:\n{}", run.stdout);
}
