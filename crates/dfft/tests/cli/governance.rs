//! `dfft rulebook release | endorse | verify | comment | diff | impact`: endorsed releases.

use std::path::PathBuf;

use crate::support::*;

/// Private keys (as `node.key` holds them) and their DIDs: Ed25519 from the seeds [n; 32], n = 1..=6.
const KEYS: [(&str, &str); 6] = [
    ("z3u2RHj5hRUAqd2AGVStkvCty1KjGWyk5SeUkBjfVp51Wh3e", "did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX"),
    ("z3u2RMeNqiwBRvKPQahQCDXpFt6VWgBwkWLJJbQKZC7cG2NM", "did:key:z6Mko9hTggMwjSTEaJaPUfE6tqcy2xvU6BnNq3e3o8qVBiyH"),
    ("z3u2RRZfz2QC2DccYfwudWrjYksFkqQ9Ra27s14ycaAD1Mh4", "did:key:z6MkvRXNYcE7MMduynWTgeKbDaT1iijDSC8pZqXZc8rHPrf2"),
    ("z3u2RVUy8KsCcWuqgmCR4pBeqde1zzcM6dhwRQjdfxCokh1m", "did:key:z6Mkt6316e2PN3mZdB6N9CrzomJYUd1s5yBZi1XYHmwT9TUP"),
    ("z3u2RZQGGdLDCpD4prSvW7Wa8WQnF9pYmhPkypQHjLFQW2LU", "did:key:z6MkmtWtY63GQVBrpMyRJWEzsnxfsGkemu6CtMDwGTv4RYj2"),
    ("z3u2RdKZQvoDo7WHxwhRwQqVRPBYVK2kSm5aYE4wniJ1FMfB", "did:key:z6Mkon22vwz9JoNpGDxCrGZRgeNFTdRTwXYYN3fvAhA3K19x"),
];

/// The members: the secretariat is a node directory (its `node.key`), the others key files.
/// Japan PPC and Rwanda NCSA are government members, the civil society forum advisory; key 6 is
/// nobody's.
struct Governance {
    dir: TempDir,
    secretariat_node: PathBuf,
}

impl Governance {
    /// Key files, a node directory for the secretariat and `governance.toml` (1 secretariat,
    /// 2 government, 1 advisory).
    fn new() -> Governance {
        let dir = TempDir::new("governance");
        for (n, (private, _)) in KEYS.iter().enumerate() {
            std::fs::write(dir.join(&format!("key{}", n + 1)), format!("{private}\n")).expect("write a key file");
        }
        let node = dir.join("secretariat-node");
        let init = dfft(&["init", node.to_str().expect("UTF-8"), "--name", "Secretariat", "--jurisdiction", "JP"]);
        init.expect_code(OK);
        let secretariat = init
            .stdout
            .split_whitespace()
            .find(|w| w.starts_with("did:key:"))
            .unwrap_or_else(|| panic!("init prints the node's did:key:\n{}", init.stdout))
            .to_owned();
        let config = format!(
            r#"name = "DFFT rulebook governance (test)"
[[member]]
did = "{secretariat}"
name = "Secretariat"
role = "secretariat"

[[member]]
did = "{}"
name = "Japan PPC"
role = "government"
jurisdiction = "JP"

[[member]]
did = "{}"
name = "Rwanda NCSA"
role = "government"
jurisdiction = "RW"

[[member]]
did = "{}"
name = "Civil society forum"
role = "advisory"

[threshold]
secretariat = 1
government = 2
advisory = 1
"#,
            KEYS[1].1, KEYS[2].1, KEYS[3].1
        );
        std::fs::write(dir.join("governance.toml"), config).expect("write the governance file");
        Governance { dir, secretariat_node: node }
    }

    fn key(&self, n: usize) -> String {
        self.dir.join(&format!("key{n}")).to_str().expect("UTF-8").to_owned()
    }

    fn file(&self) -> String {
        self.dir.join("governance.toml").to_str().expect("UTF-8").to_owned()
    }

    fn endorse(&self, release: &TempDir, key: &str, role: &str) -> Run {
        dfft(&["rulebook", "endorse", release.arg(), "--key", key, "--role", role])
    }

    /// Secretariat, both government members and the civil society forum.
    fn endorse_all(&self, release: &TempDir) {
        self.endorse(release, self.secretariat_node.to_str().expect("UTF-8"), "secretariat").expect_code(OK);
        self.endorse(release, &self.key(2), "government").expect_code(OK);
        self.endorse(release, &self.key(3), "government").expect_code(OK);
        self.endorse(release, &self.key(4), "advisory").expect_code(OK);
    }

    fn verify(&self, release: &TempDir) -> Run {
        dfft(&["rulebook", "verify", release.arg(), "--governance", &self.file()])
    }
}

fn rulebook_version(dir: &TempDir) -> String {
    let text = read(&dir.join("rulebook.toml"));
    let line = text.lines().find(|l| l.starts_with("version = ")).expect("rulebook.toml has a version");
    line.trim_start_matches("version = ").trim_matches('"').to_owned()
}

/// A copy of the repository's rulebook made into a release effective on `effective`.
fn released(effective: &str) -> (TempDir, String) {
    let dir = rulebook_copy();
    let version = rulebook_version(&dir);
    let run = dfft(&["rulebook", "release", dir.arg(), "--version", &version, "--effective", effective]);
    run.expect_code(OK);
    assert!(run.stdout.starts_with("release sha256:"), "{}", run.stdout);
    (dir, version)
}

// ------------------------------------------------------------------------------------------------
// release
// ------------------------------------------------------------------------------------------------

#[test]
fn release_writes_a_manifest_of_every_file_and_refuses_to_replace_another_release() {
    let (dir, version) = released("2020-01-01");
    let manifest = parse_json(&read(&dir.join("release.json")));
    assert_eq!(manifest["version"], version.as_str());
    assert_eq!(manifest["effective"], "2020-01-01");
    let paths: Vec<&str> = manifest["files"].as_array().expect("files").iter().map(|f| str_of(f, "path")).collect();
    assert!(paths.contains(&"jurisdictions/JP.toml") && paths.contains(&"trust-list.toml"), "{paths:?}");

    // The same release again is fine; another one needs --force.
    dfft(&["rulebook", "release", dir.arg(), "--version", &version, "--effective", "2020-01-01"]).expect_code(OK);
    let args = ["rulebook", "release", dir.arg(), "--version", &version, "--effective", "2020-02-01"];
    assert_bad_input(&args, &["already describes another release", "--force"]);
    let mut forced = args.to_vec();
    forced.push("--force");
    dfft(&forced).expect_code(OK);
    assert_eq!(parse_json(&read(&dir.join("release.json")))["effective"], "2020-02-01");
}

#[test]
fn release_refuses_a_version_other_than_the_rulebooks_and_a_bad_date() {
    let dir = rulebook_copy();
    let version = rulebook_version(&dir);
    assert_bad_input(
        &["rulebook", "release", dir.arg(), "--version", "1999.1", "--effective", "2020-01-01"],
        &["--version 1999.1 differs from rulebook.toml's version", &version],
    );
    assert_bad_input(
        &["rulebook", "release", dir.arg(), "--version", &version, "--effective", "2020-13-01"],
        &["--effective", "'2020-13-01' is not a date"],
    );
    assert!(!dir.join("release.json").exists());
}

// ------------------------------------------------------------------------------------------------
// endorse, verify
// ------------------------------------------------------------------------------------------------

#[test]
fn too_few_endorsements_leave_the_release_not_in_force_naming_the_missing_role() {
    let gov = Governance::new();
    let (release, version) = released("2020-01-01");
    let first = gov.endorse(&release, gov.secretariat_node.to_str().expect("UTF-8"), "secretariat");
    first.expect_code(OK);
    assert!(
        first.stdout.contains("endorsed release sha256:") && first.stdout.contains("as secretariat"),
        "{}",
        first.stdout
    );
    gov.endorse(&release, &gov.key(2), "government").expect_code(OK);
    gov.endorse(&release, &gov.key(4), "advisory").expect_code(OK);

    let run = gov.verify(&release);
    run.expect_code(FAILURE);
    assert!(run.stdout.contains("NOT IN FORCE"), "{}", run.stdout);
    assert!(
        run.stdout.contains("missing 1 more government member (has 1 of 2: Japan PPC; yet to endorse: Rwanda NCSA)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Japan PPC (government, JP)"), "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!("rulebook release {version} is not in force: missing 1 more government member")),
        "{}",
        run.stderr
    );
}

#[test]
fn enough_endorsements_put_the_release_in_force_and_others_are_refused_with_the_reason() {
    let gov = Governance::new();
    let (release, _) = released("2020-01-01");
    gov.endorse(&release, gov.secretariat_node.to_str().expect("UTF-8"), "secretariat").expect_code(OK);
    gov.endorse(&release, &gov.key(2), "government").expect_code(OK);
    gov.endorse(&release, &gov.key(4), "advisory").expect_code(OK);
    // Someone who is not a member, and a member claiming another role.
    gov.endorse(&release, &gov.key(6), "advisory").expect_code(OK);
    gov.endorse(&release, &gov.key(3), "advisory").expect_code(OK);
    let run = gov.verify(&release);
    run.expect_code(FAILURE);
    assert!(run.stdout.contains("is not a member of DFFT rulebook governance (test)"), "{}", run.stdout);
    assert!(run.stdout.contains(KEYS[5].1), "the outsider is named:\n{}", run.stdout);
    assert!(
        run.stdout
            .contains("Rwanda NCSA endorsed as advisory but its role in DFFT rulebook governance (test) is government"),
        "{}",
        run.stdout
    );

    // The NCSA endorses again, in its role: its endorsement file is replaced.
    gov.endorse(&release, &gov.key(3), "government").expect_code(OK);
    let run = gov.verify(&release);
    run.expect_code(OK);
    assert!(run.stdout.contains(": IN FORCE"), "{}", run.stdout);
    assert!(run.stdout.contains("in force since 2020-01-01"), "{}", run.stdout);

    let json = dfft(&["rulebook", "verify", release.arg(), "--governance", &gov.file(), "--json"]);
    let report = json.expect_code(OK).json();
    assert_eq!(report["in_force"], true);
    let names: Vec<&str> =
        report["standing"]["endorsed_by"].as_array().expect("endorsers").iter().map(|e| str_of(e, "name")).collect();
    assert_eq!(names, ["Secretariat", "Japan PPC", "Rwanda NCSA", "Civil society forum"]);
    assert_eq!(report["standing"]["rejected"].as_array().expect("rejected").len(), 1, "only the outsider: {report}");
}

#[test]
fn a_rule_file_changed_after_the_release_fails_verify_and_endorse_naming_the_file() {
    let gov = Governance::new();
    let (release, _) = released("2020-01-01");
    gov.endorse_all(&release);
    gov.verify(&release).expect_code(OK);

    replace_first(
        &release,
        "jurisdictions/JP.toml",
        "\nid = \"consent\"\n",
        "\nid = \"consent\"\nvalid_until = \"2026-12-31\"\n",
    );
    let run = gov.verify(&release);
    run.expect_code(FAILURE);
    assert!(run.stdout.contains("NOT IN FORCE"), "{}", run.stdout);
    assert!(run.stdout.contains("jurisdictions/JP.toml changed since the release was made (sha256 "), "{}", run.stdout);
    assert!(run.stderr.contains("jurisdictions/JP.toml changed since the release was made"), "{}", run.stderr);

    let run = gov.endorse(&release, &gov.key(2), "government");
    run.expect_code(FAILURE);
    assert!(
        run.stderr.contains("nothing was endorsed") && run.stderr.contains("jurisdictions/JP.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_release_endorsed_in_full_is_not_in_force_before_its_effective_date() {
    let gov = Governance::new();
    let (release, _) = released("2999-01-01");
    gov.endorse_all(&release);
    let run = gov.verify(&release);
    run.expect_code(FAILURE);
    assert!(run.stdout.contains("not yet effective: it takes effect on 2999-01-01"), "{}", run.stdout);
    assert!(!run.stdout.contains("missing "), "nothing else is missing:\n{}", run.stdout);
}

#[test]
fn comments_are_listed_with_their_authors_and_forged_ones_are_flagged() {
    let gov = Governance::new();
    let (release, _) = released("2020-01-01");
    let text = "Please cite the 2022 amendment of APPI Art. 28.";
    let run = dfft(&["rulebook", "comment", release.arg(), "--key", &gov.key(6), "--text", text]);
    run.expect_code(OK);
    assert!(run.stdout.starts_with(&format!("{} commented on release sha256:", KEYS[5].1)), "{}", run.stdout);
    let comments: Vec<PathBuf> =
        std::fs::read_dir(release.join("comments")).expect("comments/").flatten().map(|e| e.path()).collect();
    assert_eq!(comments.len(), 1);

    // A copy with its text changed is someone else's words under the author's name.
    let forged = read(&comments[0]).replace("2022", "2023");
    std::fs::write(release.join("comments/forged.json"), forged).expect("write");
    let run = gov.verify(&release);
    run.expect_code(FAILURE);
    assert!(run.stdout.contains("comments (2):"), "{}", run.stdout);
    assert!(run.stdout.contains(KEYS[5].1) && run.stdout.contains(text), "{}", run.stdout);
    assert!(run.stdout.contains("INVALID comments/forged.json: its proof is not valid"), "{}", run.stdout);

    assert_bad_input(&["rulebook", "comment", release.arg(), "--key", &gov.key(6), "--text", " "], &["empty"]);
}

#[test]
fn bad_keys_roles_governance_files_and_missing_releases_are_bad_input() {
    let gov = Governance::new();
    let plain = rulebook_copy();
    assert_bad_input(
        &["rulebook", "verify", plain.arg(), "--governance", &gov.file()],
        &["release.json", "dfft rulebook release"],
    );
    let (release, _) = released("2020-01-01");
    assert_bad_input(
        &["rulebook", "endorse", release.arg(), "--key", &gov.key(2), "--role", "minister"],
        &["--role", "'minister' is not one of: secretariat, government, advisory"],
    );
    assert_bad_input(
        &["rulebook", "endorse", release.arg(), "--key", &gov.file(), "--role", "government"],
        &["--key", "not a private key"],
    );
    let broken = gov.dir.join("broken.toml");
    std::fs::write(
        &broken,
        read(&gov.dir.join("governance.toml")).replace("role = \"advisory\"", "role = \"adviser\""),
    )
    .expect("write");
    assert_bad_input(
        &["rulebook", "verify", release.arg(), "--governance", broken.to_str().expect("UTF-8")],
        &["broken.toml", "line ", "'adviser' is not one of"],
    );
}

// ------------------------------------------------------------------------------------------------
// diff, impact
// ------------------------------------------------------------------------------------------------

#[test]
fn diff_shows_a_changed_rule_with_the_field_and_its_citation() {
    let old = rulebook_copy();
    let new = rulebook_copy();
    replace_first(
        &new,
        "jurisdictions/JP.toml",
        "\nid = \"consent\"\n",
        "\nid = \"consent\"\nvalid_until = \"2026-12-31\"\n",
    );
    let run = dfft(&["rulebook", "diff", old.arg(), new.arg()]);
    run.expect_code(OK);
    assert!(run.stdout.contains("changed (1):"), "{}", run.stdout);
    assert!(run.stdout.contains("~ JP.consent (consent route)"), "{}", run.stdout);
    assert!(run.stdout.contains("valid_until: (none) → 2026-12-31"), "{}", run.stdout);
    assert!(run.stdout.contains("<https://laws.e-gov.go.jp/law/415AC0000000057>"), "{}", run.stdout);

    let json = dfft(&["rulebook", "diff", old.arg(), new.arg(), "--json"]).expect_code(OK).json();
    assert_eq!(json["changed"][0]["rule"], "JP.consent");
    assert_eq!(json["changed"][0]["fields"][0]["field"], "valid_until");
    assert_eq!(json["changed"][0]["citation"]["url"], "https://laws.e-gov.go.jp/law/415AC0000000057");
    assert!(
        json["added"].as_array().is_some_and(Vec::is_empty) && json["removed"].as_array().is_some_and(Vec::is_empty)
    );
}

#[test]
fn impact_reports_a_flow_whose_verdict_changes_and_why() {
    let old = rulebook_copy();
    let new = rulebook_copy();
    remove_route(&new, "jurisdictions/EU.toml", "adequacy-japan");
    let dir = TempDir::new("flows");
    let array = dir.join("flows.json");
    std::fs::write(
        &array,
        format!("[{DE_JP_RESEARCH_FLOW}, {}]", flow_line("DE", "FR", "personal", r#","as_of":"2026-06-01""#)),
    )
    .expect("write");
    let run = dfft(&["rulebook", "impact", old.arg(), new.arg(), "--flows", array.to_str().expect("UTF-8")]);
    run.expect_code(OK);
    assert!(
        run.stdout.starts_with("DE → JP: personal, 1000 subjects, purpose research, as of 2026-06-01"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("before: allow (EU.adequacy-japan)"), "{}", run.stdout);
    assert!(run.stdout.contains("after:  conditional ("), "{}", run.stdout);
    assert!(run.stdout.contains("why: EU.adequacy-japan was removed"), "{}", run.stdout);
    assert!(run.stdout.contains("1 of 2 flows change"), "{}", run.stdout);

    // The same flows as NDJSON.
    let ndjson = dir.join("flows.ndjson");
    std::fs::write(&ndjson, format!("{DE_JP_RESEARCH_FLOW}\n\n{}\n", flow_line("DE", "FR", "personal", "")))
        .expect("write");
    let json =
        dfft(&["rulebook", "impact", old.arg(), new.arg(), "--flows", ndjson.to_str().expect("UTF-8"), "--json"]);
    let report = json.expect_code(OK).json();
    assert_eq!(report["flows"], 2);
    let changed = report["changed"].as_array().expect("changed");
    assert_eq!(changed.len(), 1, "{report}");
    assert_eq!(
        (changed[0]["old"]["verdict"].as_str(), changed[0]["new"]["verdict"].as_str()),
        (Some("allow"), Some("conditional"))
    );

    let bad = dir.join("bad.ndjson");
    std::fs::write(&bad, format!("{DE_JP_RESEARCH_FLOW}\n{}\n", flow_line("DE", "JP", "persnal", ""))).expect("write");
    assert_bad_input(
        &["rulebook", "impact", old.arg(), new.arg(), "--flows", bad.to_str().expect("UTF-8")],
        &["line 2", "flow field `data"],
    );
}
