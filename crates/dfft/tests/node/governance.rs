//! A node whose directory holds a governance file runs only a rulebook release that the bodies
//! it names have endorsed as its threshold requires — and says what is missing otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::credentials::copy_dir;
use crate::support::*;

/// A stakeholder's key file, made with `dfft identity new`; returns (file, DID).
fn stakeholder(tmp: &TempDir, name: &str) -> (PathBuf, String) {
    let file = tmp.join(&format!("{name}.key"));
    let run = dfft(&["identity", "new", s(&file)]);
    run.expect_code(OK);
    (file, run.stdout.trim().to_owned())
}

/// `dfft serve DIR --rulebook RELEASE` expected to refuse to start: its exit code and stderr.
fn serve_refused(dir: &Path, release: &Path) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dfft"))
        .args(["serve", s(dir), "--listen", "127.0.0.1:0", "--rulebook", s(release)])
        .stdin(Stdio::null())
        .output()
        .expect("dfft serve runs");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_release_with_too_few_endorsements_is_refused_by_the_node_naming_what_is_missing() {
    let tmp = TempDir::new("governance");
    let release = tmp.join("release");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rulebook"), &release);
    let meta = std::fs::read_to_string(release.join("rulebook.toml")).expect("rulebook.toml");
    let version = meta
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_owned())
        .expect("a version line");
    dfft(&["rulebook", "release", s(&release), "--version", &version, "--effective", "2026-01-01"]).expect_code(OK);

    let (secretariat, secretariat_did) = stakeholder(&tmp, "secretariat");
    let (japan, japan_did) = stakeholder(&tmp, "japan");
    let (kenya, kenya_did) = stakeholder(&tmp, "kenya");
    let node = init_node(&tmp, "node", "JP");
    let governance = format!(
        "name = \"Test governance\"\n\
         [[member]]\ndid = \"{secretariat_did}\"\nname = \"Secretariat\"\nrole = \"secretariat\"\n\
         [[member]]\ndid = \"{japan_did}\"\nname = \"Japan PPC\"\nrole = \"government\"\njurisdiction = \"JP\"\n\
         [[member]]\ndid = \"{kenya_did}\"\nname = \"Kenya ODPC\"\nrole = \"government\"\njurisdiction = \"KE\"\n\
         [threshold]\nsecretariat = 1\ngovernment = 2\nadvisory = 0\n"
    );
    std::fs::write(node.join("governance.toml"), governance).expect("write governance.toml");

    // Without a release at all, the node says it needs one.
    let run = dfft(&["serve", s(&node), "--listen", "127.0.0.1:0"]);
    run.expect_code(BAD_INPUT);
    assert!(run.stderr.contains("--rulebook RELEASE_DIR"), "{}", run.stderr);

    // Two of the three endorsements: refused, naming the missing government member.
    for (key, role) in [(&secretariat, "secretariat"), (&japan, "government")] {
        dfft(&["rulebook", "endorse", s(&release), "--key", s(key), "--role", role]).expect_code(OK);
    }
    let (code, stderr) = serve_refused(&node, &release);
    assert_eq!(code, Some(BAD_INPUT), "{stderr}");
    assert!(stderr.contains("is not in force"), "{stderr}");
    assert!(stderr.contains("government") && stderr.contains("Kenya ODPC"), "names who is missing: {stderr}");

    // The third endorsement puts it in force: the node serves.
    dfft(&["rulebook", "endorse", s(&release), "--key", s(&kenya), "--role", "government"]).expect_code(OK);
    let served = Served::start_args(&node, "127.0.0.1:0", &["--rulebook", s(&release)]);
    assert!(served.url.starts_with("http://127.0.0.1:"));
    drop(served);

    // A rule file changed after the endorsements: refused, naming the file.
    let jp = release.join("jurisdictions/JP.toml");
    let text = std::fs::read_to_string(&jp).expect("read JP.toml");
    std::fs::write(&jp, text.replacen("valid_from = \"2022-04-01\"", "valid_from = \"2022-04-02\"", 1)).expect("write");
    let (code, stderr) = serve_refused(&node, &release);
    assert_eq!(code, Some(BAD_INPUT), "{stderr}");
    assert!(stderr.contains("jurisdictions/JP.toml"), "names the changed file: {stderr}");
}
