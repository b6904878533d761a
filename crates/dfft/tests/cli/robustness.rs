//! `--help`, conflicting flags, and a reader that goes away.

use std::io::{Read, Write};
use std::process::Stdio;

use crate::support::*;

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
