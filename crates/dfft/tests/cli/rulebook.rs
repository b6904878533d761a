//! `dfft rulebook validate | list | show | matrix | uncertain` and the `--rulebook` override.

use crate::support::*;

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
