//! Bad input to the node commands: exit code 2 (or a clear failure) and a message naming the field.

use crate::support::*;

/// Exit 2, nothing on stdout, and stderr holds every needle.
fn assert_bad_input(run: &Run, needles: &[&str]) {
    run.expect_code(BAD_INPUT);
    for needle in needles {
        assert!(run.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn dataset_add_refuses_an_unknown_category_naming_it() {
    let tmp = TempDir::new("bad-category");
    let p = init_node(&tmp, "p", "DE");
    let data = tmp.join("d.csv");
    write_csv(&data, 3);
    let run =
        dfft(&["dataset", "add", s(&p), "--id", "x", "--file", s(&data), "--category", "nope", "--subjects", "5"]);
    assert_bad_input(&run, &["category", "nope", "health"]);
}

#[test]
fn dataset_add_refuses_a_missing_file_naming_it() {
    let tmp = TempDir::new("missing-file");
    let p = init_node(&tmp, "p", "DE");
    let missing = tmp.join("absent.csv");
    let run =
        dfft(&["dataset", "add", s(&p), "--id", "x", "--file", s(&missing), "--category", "health", "--subjects", "5"]);
    assert_bad_input(&run, &["absent.csv"]);
    let listed = dfft(&["dataset", "list", s(&p), "--json"]);
    listed.expect_code(OK);
    assert_eq!(listed.stdout.trim(), "[]", "nothing was registered");
}

#[test]
fn init_refuses_an_existing_node_and_keeps_its_identity() {
    let tmp = TempDir::new("init-twice");
    let p = init_node(&tmp, "p", "DE");
    let key = std::fs::read_to_string(p.join("node.key")).expect("node.key");
    let token = std::fs::read_to_string(p.join("admin.token")).expect("admin.token");
    let run = dfft(&["init", s(&p), "--name", "other", "--jurisdiction", "JP"]);
    assert_bad_input(&run, &["already holds a node"]);
    assert_eq!(std::fs::read_to_string(p.join("node.key")).expect("node.key"), key, "the key is untouched");
    assert_eq!(std::fs::read_to_string(p.join("admin.token")).expect("token"), token, "the token is untouched");
    let config = std::fs::read_to_string(p.join("dfft.toml")).expect("dfft.toml");
    assert!(config.contains("jurisdiction = \"DE\""), "{config}");
}

#[test]
fn init_refuses_an_unknown_jurisdiction_and_creates_nothing() {
    let tmp = TempDir::new("bad-jurisdiction");
    let dir = tmp.join("q");
    let run = dfft(&["init", s(&dir), "--name", "q", "--jurisdiction", "XX"]);
    assert_bad_input(&run, &["--jurisdiction", "XX"]);
    assert!(!dir.join("dfft.toml").exists(), "no node was created");
}

#[test]
fn negotiate_without_a_serving_node_says_so() {
    let tmp = TempDir::new("not-serving");
    let c = init_node(&tmp, "c", "JP");
    let run =
        dfft(&["negotiate", s(&c), "--provider", "http://127.0.0.1:9", "--dataset", "x", "--purpose", "research"]);
    assert_ne!(run.code, Some(OK));
    assert!(run.stderr.contains("dfft serve"), "the message says to start the node:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    // A node that served once and is gone (a stale serve.url) is named as unreachable.
    let mut node = Served::start(&c, "127.0.0.1:0");
    node.kill9();
    let run =
        dfft(&["negotiate", s(&c), "--provider", "http://127.0.0.1:9", "--dataset", "x", "--purpose", "research"]);
    assert_ne!(run.code, Some(OK));
    assert!(run.stderr.contains("cannot reach the node"), "{}", run.stderr);
}

#[test]
fn a_policy_file_that_is_not_an_odrl_offer_is_refused_naming_the_problem() {
    let tmp = TempDir::new("bad-policy");
    let p = init_node(&tmp, "p", "DE");
    let data = tmp.join("d.csv");
    write_csv(&data, 3);
    let cases: [(&str, &[&str]); 4] = [
        (r#"{"hello": 1}"#, &["policy", "@id"]),
        (r#"{"@id": "urn:o", "@type": "Offer", "permission": []}"#, &["policy", "permission"]),
        ("not json", &["--policy"]),
        ("[1, 2]", &["policy", "JSON object", "found an array"]),
    ];
    for (i, (text, needles)) in cases.iter().enumerate() {
        let policy = tmp.join(&format!("policy-{i}.json"));
        std::fs::write(&policy, text).expect("write");
        let args = ["dataset", "add", s(&p), "--id", "x", "--file", s(&data), "--category", "health"];
        let mut args = args.to_vec();
        args.extend_from_slice(&["--subjects", "5", "--policy", s(&policy)]);
        let run = dfft(&args);
        assert_bad_input(&run, needles);
    }
}

#[test]
fn a_dataset_id_registered_twice_is_refused_naming_it() {
    let tmp = TempDir::new("dataset-twice");
    let p = init_node(&tmp, "p", "DE");
    let data = tmp.join("d.csv");
    write_csv(&data, 3);
    add_dataset(&p, "cases", &data, &[]);
    let run = dfft(&[
        "dataset",
        "add",
        s(&p),
        "--id",
        "cases",
        "--file",
        s(&data),
        "--category",
        "health",
        "--subjects",
        "5",
    ]);
    assert_bad_input(&run, &["a dataset 'cases' already exists", "choose another id"]);
}
