//! Broken rulebooks are rejected with the file, line and column of every problem, and a message
//! that names the bad value and what would be accepted.

use rules::source::SourceFile;
use rules::{Rulebook, Sources};

/// The embedded rulebook with `find` replaced by `replace` in `path` (which must contain it).
fn broken(path: &str, find: &str, replace: &str) -> (Sources, usize) {
    let mut sources = Sources::embedded();
    let file = sources.files.iter_mut().find(|f| f.path == path).expect("file exists");
    let at = file.text.find(find).unwrap_or_else(|| panic!("{path} contains {find:?}"));
    let line = file.text[..at].matches('\n').count() + 1;
    file.text = file.text.replacen(find, replace, 1);
    (sources, line)
}

/// Compiling must fail with a diagnostic at `path:line` whose message contains every `needle`.
fn assert_rejected(sources: &Sources, path: &str, line: usize, needles: &[&str]) {
    let diags = Rulebook::from_sources(sources).expect_err("the broken rulebook must be rejected").0;
    let hit = diags.iter().find(|d| d.file == path && d.line == line && needles.iter().all(|n| d.message.contains(n)));
    assert!(
        hit.is_some(),
        "expected {path}:{line} with {needles:?}; got:\n{}",
        diags.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_embedded_rulebook_is_valid() {
    let rb = Rulebook::embedded().unwrap_or_else(|d| panic!("{d}"));
    assert!(rb.jurisdictions.iter().any(|j| j.id == "EU"));
}

#[test]
fn unknown_set_is_located_with_a_suggestion() {
    let (s, line) = broken("jurisdictions/EU.toml", r#"to = ["eu-adequate"]"#, r#"to = ["eu-adequat"]"#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["unknown set or country 'eu-adequat'", "eu-adequate"]);
}

#[test]
fn unknown_category_mechanism_and_role_are_named() {
    let (s, line) = broken("jurisdictions/EU.toml", r#"data_none = ["personal"]"#, r#"data_none = ["persnal"]"#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["unknown data category 'persnal'", "did you mean 'personal'"]);
    let (s, line) = broken("jurisdictions/EU.toml", r#"requires = ["scc", "tia"]"#, r#"requires = ["scc", "tai"]"#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["unknown mechanism (safeguard) 'tai'", "'tia'"]);
    let (s, line) = broken(
        "jurisdictions/EU.toml",
        r#"importer_roles_none = ["public-body"]"#,
        r#"importer_roles_none = ["publicbody"]"#,
    );
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["unknown role 'publicbody'", "'public-body'"]);
}

#[test]
fn bad_dates_are_rejected() {
    let (s, line) = broken("jurisdictions/EU.toml", r#"valid_from = "2023-07-10""#, r#"valid_from = "2023-13-10""#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["'2023-13-10' is not a date", "YYYY-MM-DD"]);
    let (s, line) = broken("jurisdictions/EU.toml", r#"valid_from = "2021-01-01""#, r#"valid_from = "2022-01-01""#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["valid_from 2022-01-01 is after valid_until 2021-06-27"]);
}

#[test]
fn citations_must_have_an_official_address() {
    let find = r#"url = "https://eur-lex.europa.eu/eli/dec_impl/2023/1795/oj""#;
    let (s, _) = broken("jurisdictions/EU.toml", find, r#"url = "eur-lex 2023/1795""#);
    let text = &s.files.iter().find(|f| f.path == "jurisdictions/EU.toml").expect("file").text;
    let line = text[..text.find(r#"id = "adequacy-us-dpf""#).expect("rule")].matches('\n').count() + 1;
    assert_rejected(
        &s,
        "jurisdictions/EU.toml",
        line,
        &["citation url 'eur-lex 2023/1795' must be an http(s) address"],
    );
}

#[test]
fn duplicate_ids_and_unknown_fields_are_rejected() {
    let (s, line) = broken("jurisdictions/EU.toml", r#"id = "public-register""#, r#"id = "adequacy""#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["rule id 'adequacy' is used twice"]);
    let (s, line) =
        broken("jurisdictions/EU.toml", "summary = \"Personal data moves", "sumary = \"Personal data moves");
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["unknown field `sumary`"]);
}

#[test]
fn toml_syntax_errors_are_located() {
    let (s, line) = broken("jurisdictions/EU.toml", r#"kind = "adequacy""#, r#"kind = "adequacy"#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &[]);
}

#[test]
fn structural_mistakes_are_explained() {
    let (s, line) = broken("jurisdictions/EU.toml", r#"kind = "derogation""#, r#"kind = "derogaton""#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["unknown route kind 'derogaton'", "'derogation'"]);
    let (s, line) =
        broken("jurisdictions/EU.toml", "[[route]]\nid = \"uk-bridge\"", "[[restriction]]\nid = \"uk-bridge\"");
    assert_rejected(&s, "jurisdictions/EU.toml", line + 1, &["a restriction needs `effect"]);
    let (s, line) = broken("jurisdictions/EU.toml", r#"approval = ["bcr"]"#, r#"approval = ["authorisation"]"#);
    assert_rejected(&s, "jurisdictions/EU.toml", line, &["every mechanism in `approval` must also be in `requires`"]);
}

#[test]
fn a_country_cannot_be_governed_twice_at_once() {
    let mut sources = Sources::embedded();
    let eu = sources.files.iter().find(|f| f.path == "jurisdictions/EU.toml").expect("EU").text.clone();
    let twin = eu.replacen(r#"id = "EU""#, r#"id = "EU2""#, 1);
    sources.files.push(SourceFile { path: "jurisdictions/EU2.toml".into(), text: twin.clone() });
    let sources = Sources::new(sources.files);
    let line = twin[..twin.find("\"AT\"").expect("AT")].matches('\n').count() + 1;
    // Set ids clash too; the overlap is what this test is about.
    assert_rejected(
        &sources,
        "jurisdictions/EU2.toml",
        line,
        &["country 'AT' is already governed by jurisdiction 'EU'"],
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let (mut s, _) = broken("jurisdictions/EU.toml", r#"data_none = ["personal"]"#, r#"data_none = ["persnal"]"#);
    let eu = s.files.iter_mut().find(|f| f.path == "jurisdictions/EU.toml").expect("EU");
    eu.text = eu.text.replacen(r#"to = ["JP"]"#, r#"to = ["JPN"]"#, 1);
    let diags = Rulebook::from_sources(&s).expect_err("rejected").0;
    assert!(diags.iter().any(|d| d.message.contains("persnal")), "{diags:?}");
    assert!(diags.iter().any(|d| d.message.contains("JPN")), "{diags:?}");
}

#[test]
fn missing_files_are_named() {
    let mut sources = Sources::embedded();
    sources.files.retain(|f| f.path != "vocabulary.toml");
    let diags = Rulebook::from_sources(&sources).expect_err("rejected").0;
    assert!(
        diags.iter().any(|d| d.file == "vocabulary.toml" && d.message.contains("required file is missing")),
        "{diags:?}"
    );
}

#[test]
fn a_category_left_out_of_a_class_stays_within_the_class_parents() {
    // Japan's law does not count biometric data as special-care (sensitive) information.
    let rb = Rulebook::embedded().expect("valid");
    let jp = rb.jurisdiction("JP").expect("JP");
    let cats = &rb.vocab.categories;
    let bit = |id: &str| 1u32 << cats.get(id).expect("category");
    let biometric = jp.closure[usize::from(cats.get("biometric").expect("biometric"))];
    assert_eq!(biometric & bit("sensitive"), 0, "biometric is not sensitive in JP");
    assert_ne!(biometric & bit("personal"), 0, "biometric is still personal in JP");
    let health = jp.closure[usize::from(cats.get("health").expect("health"))];
    assert_ne!(health & bit("sensitive"), 0);
}

#[test]
fn a_syntax_error_in_one_file_does_not_hide_problems_in_another() {
    let (mut s, syntax_line) = broken("jurisdictions/EU.toml", r#"kind = "adequacy""#, r#"kind = "adequacy"#);
    let jp = s.files.iter_mut().find(|f| f.path == "jurisdictions/JP.toml").expect("JP");
    let at = jp.text.find("kind = \"").expect("a kind in JP");
    let line = jp.text[..at].matches('\n').count() + 1;
    jp.text.replace_range(at..at + "kind = \"".len(), "kind = \"zz");
    let diags = Rulebook::from_sources(&s).expect_err("rejected").0;
    assert!(diags.iter().any(|d| d.file == "jurisdictions/EU.toml" && d.line == syntax_line), "{diags:?}");
    assert!(diags.iter().any(|d| d.file == "jurisdictions/JP.toml" && d.line == line), "{diags:?}");
}

#[test]
fn the_trust_list_is_accepted_and_skipped_but_other_files_are_not() {
    let embedded = Sources::embedded();
    assert!(embedded.files.iter().any(|f| f.path == "trust-list.toml"), "the build embeds the trust list");
    let mut sources = embedded.clone();
    let list = sources.files.iter_mut().find(|f| f.path == "trust-list.toml").expect("trust list");
    // Not the law's business: even an issuer entry the compiler does not know is left alone.
    list.text.push_str("[[issuer]]\ndid = \"did:key:z6Mk\"\nname = \"x\"\naccredited = []\n");
    let with_issuer = Rulebook::from_sources(&sources).unwrap_or_else(|d| panic!("{d}"));
    assert_ne!(
        with_issuer.release.digest,
        Rulebook::embedded().expect("valid").release.digest,
        "the trust list is part of the release digest"
    );
    sources.files.push(SourceFile { path: "trust.toml".into(), text: String::new() });
    let diags = Rulebook::from_sources(&Sources::new(sources.files)).expect_err("an unexpected file").0;
    assert!(
        diags.iter().any(|d| d.file == "trust.toml" && d.message.contains("optionally trust-list.toml")),
        "{diags:?}"
    );
}
