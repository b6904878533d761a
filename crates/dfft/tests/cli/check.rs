//! `dfft check`: readable, JSON, file/stdin, batch, bad input.

use serde_json::Value;

use crate::support::*;

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
