//! Each transform on small CSV and NDJSON inputs, the errors, and a plan made from an agreement.

use std::cell::Cell;
use std::collections::HashSet;
use std::io::{Cursor, Read};

use plane::{apply, check, pseudonym, Format, Generalization, Plan, PlanError, PlaneError, Report, Source};
use serde_json::json;
use time::macros::datetime;

const KEY: [u8; 32] = [42; 32];

fn run(plan: &Plan, input: &str) -> (String, Report) {
    let mut out = Vec::new();
    let report = apply(plan, &input.as_bytes().to_vec(), &mut out).unwrap_or_else(|e| panic!("{e}"));
    (String::from_utf8(out).expect("the output is UTF-8"), report)
}

fn fail(plan: &Plan, input: &str) -> (PlaneError, Vec<u8>) {
    let mut out = Vec::new();
    match apply(plan, &input.as_bytes().to_vec(), &mut out) {
        Ok(_) => panic!("applied: {input}"),
        Err(error) => (error, out),
    }
}

fn csv_plan() -> Plan {
    Plan { pseudonym_key: KEY, ..Plan::none(Format::Csv) }
}

fn ndjson_plan() -> Plan {
    Plan { pseudonym_key: KEY, ..Plan::none(Format::Ndjson) }
}

fn set(values: &[&str]) -> HashSet<String> {
    values.iter().map(|s| s.to_string()).collect()
}

const PEOPLE: &str = "\
id,name,email,birth_date,age,postcode
1,Ada,ada@example.org,1815-12-10,36,SW1A 1AA
2,\"Hopper, Grace\",grace@example.org,1906-12-09,85,\"10001\"
3,\"Alan \"\"Al\"\" Turing\",alan@example.org,n/a,41,\"WA1
1AA\"
";

#[test]
fn csv_drop_pseudonymize_generalize_keep_rfc4180_quoting() {
    let plan = Plan {
        drop: vec!["email".into()],
        pseudonymize: vec!["name".into()],
        generalize: vec![
            ("birth_date".into(), Generalization::Year),
            ("age".into(), Generalization::Band(10)),
            ("postcode".into(), Generalization::Prefix(3)),
        ],
        ..csv_plan()
    };
    let (out, report) = run(&plan, PEOPLE);
    let name = |n: &str| pseudonym(&KEY, "name", n);
    assert_eq!(
        out,
        format!(
            "id,name,birth_date,age,postcode\n1,{},1815,30-39,SW1\n2,{},1906,80-89,100\n3,{},,40-49,WA1\n",
            name("Ada"),
            name("Hopper, Grace"),
            name("Alan \"Al\" Turing")
        )
    );
    assert_eq!(
        report,
        Report {
            rows_in: Some(3),
            rows_out: Some(3),
            rows_excluded: 0,
            rows_suppressed: 0,
            values_suppressed: 1,
            bytes_out: out.len() as u64
        }
    );

    // Kept values that need quotes are quoted again.
    let plan = Plan { drop: vec!["email".into(), "birth_date".into(), "age".into()], ..csv_plan() };
    let (out, _) = run(&plan, PEOPLE);
    assert_eq!(
        out,
        "id,name,postcode\n1,Ada,SW1A 1AA\n2,\"Hopper, Grace\",10001\n3,\"Alan \"\"Al\"\" Turing\",\"WA1\n1AA\"\n"
    );
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_field_name() {
    let plan = Plan { drop: vec!["id".into()], ..csv_plan() };
    assert_eq!(run(&plan, "\u{feff}id,name\n1,Ada\n").0, "name\nAda\n");
}

#[test]
fn exclusion_removes_rows_by_the_value_as_read() {
    let plan = Plan {
        exclude: vec![("email".into(), set(&["grace@example.org", "nobody@example.org"]))],
        pseudonymize: vec!["email".into()],
        ..csv_plan()
    };
    let (out, report) = run(&plan, PEOPLE);
    assert!(!out.contains("Hopper"));
    assert!(out.starts_with(&format!(
        "id,name,email,birth_date,age,postcode\n1,Ada,{},",
        pseudonym(&KEY, "email", "ada@example.org")
    )));
    assert_eq!((report.rows_in, report.rows_out, report.rows_excluded), (Some(3), Some(2), 1));
}

#[test]
fn k_anonymity_suppresses_small_groups_after_generalizing() {
    let input = "id,age,region\n1,31,N\n2,35,N\n3,38,N\n4,52,N\n5,57,S\n6,33,S\n7,39,S\n";
    let grouped = |k| Plan {
        generalize: vec![("age".into(), Generalization::Band(10))],
        k_anonymity: Some((k, vec!["age".into(), "region".into()])),
        ..csv_plan()
    };
    let (out, report) = run(&grouped(2), input);
    assert_eq!(out, "id,age,region\n1,30-39,N\n2,30-39,N\n3,30-39,N\n6,30-39,S\n7,30-39,S\n");
    assert_eq!((report.rows_out, report.rows_suppressed), (Some(5), 2));
    let (out, report) = run(&grouped(3), input);
    assert_eq!(out, "id,age,region\n1,30-39,N\n2,30-39,N\n3,30-39,N\n");
    assert_eq!(report.rows_suppressed, 4);

    // Excluded rows do not count towards a group.
    let plan = Plan { exclude: vec![("id".into(), set(&["1"]))], ..grouped(3) };
    let (out, report) = run(&plan, input);
    assert_eq!(out, "id,age,region\n");
    assert_eq!((report.rows_excluded, report.rows_suppressed), (1, 6));

    // A dropped quasi-identifier is not released, so it does not split groups.
    let plan = Plan { drop: vec!["region".into()], ..grouped(3) };
    let (out, _) = run(&plan, input);
    assert_eq!(out, "id,age\n1,30-39\n2,30-39\n3,30-39\n6,30-39\n7,30-39\n");
}

#[test]
fn ndjson_objects_keep_key_order_and_untouched_values() {
    let input = concat!(
        r#"{"id": 1, "name": "Ada", "email": "ada@example.org", "born": "1815-12-10", "age": 36, "tags": ["a", {"b": null}], "note": null}"#,
        "\n\n",
        r#"{"id":2,"name":"Grace","born":1906,"age":"85","note":"x\u0041"}"#,
        "\r\n",
        r#"{"id":3,"name":null,"born":"unknown","age":41.5}"#,
        "\n"
    );
    let plan = Plan {
        drop: vec!["email".into()],
        pseudonymize: vec!["name".into()],
        generalize: vec![("born".into(), Generalization::Year), ("age".into(), Generalization::Band(10))],
        ..ndjson_plan()
    };
    let (out, report) = run(&plan, input);
    let name = |n: &str| pseudonym(&KEY, "name", n);
    let expected = [
        format!(
            r#"{{"id":1,"name":"{}","born":"1815","age":"30-39","tags":["a", {{"b": null}}],"note":null}}"#,
            name("Ada")
        ),
        format!(r#"{{"id":2,"name":"{}","born":"1906","age":"80-89","note":"x\u0041"}}"#, name("Grace")),
        r#"{"id":3,"name":null,"born":"","age":""}"#.to_owned(),
    ];
    assert_eq!(out, expected.map(|line| line + "\n").concat());
    assert_eq!((report.rows_in, report.rows_out, report.values_suppressed), (Some(3), Some(3), 2));
    for line in out.lines() {
        assert!(serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v.is_object()), "{line}");
    }
}

#[test]
fn ndjson_exclusion_and_k_anonymity_read_values_as_text() {
    let input =
        "{\"id\":1,\"zip\":\"75001\"}\n{\"id\":2,\"zip\":\"75002\"}\n{\"id\":3,\"zip\":\"69001\"}\n{\"id\":4}\n";
    let plan = Plan {
        exclude: vec![("id".into(), set(&["2"]))],
        generalize: vec![("zip".into(), Generalization::Prefix(2))],
        k_anonymity: Some((2, vec!["zip".into()])),
        ..ndjson_plan()
    };
    let (out, report) = run(&plan, input);
    assert_eq!(out, "");
    assert_eq!((report.rows_excluded, report.rows_suppressed), (1, 3));
    let plan = Plan { k_anonymity: Some((1, vec!["zip".into()])), ..plan };
    let (out, _) = run(&plan, input);
    assert_eq!(out, "{\"id\":1,\"zip\":\"75\"}\n{\"id\":3,\"zip\":\"69\"}\n{\"id\":4}\n");
}

#[test]
fn unknown_fields_are_refused_before_anything_is_written() {
    let plan = Plan { pseudonymize: vec!["e-mail".into()], ..csv_plan() };
    let (error, out) = fail(&plan, PEOPLE);
    assert!(out.is_empty());
    assert_eq!(
        error.to_string(),
        "field `e-mail` (to pseudonymize) is not in the data; its fields are: id, name, email, birth_date, age, postcode"
    );
    assert!(matches!(error, PlaneError::Plan(PlanError::UnknownField { .. })));
    let source = PEOPLE.as_bytes().to_vec();
    assert!(matches!(check(&plan, &source), Err(PlaneError::Plan(PlanError::UnknownField { .. }))));
    assert!(check(&Plan { pseudonymize: vec!["email".into()], ..csv_plan() }, &source).is_ok());

    let plan = Plan { k_anonymity: Some((2, vec!["zip".into()])), ..ndjson_plan() };
    let (error, out) = fail(&plan, "{\"id\":1,\"age\":3}\n");
    assert!(out.is_empty());
    assert_eq!(error.to_string(), "field `zip` (to group by) is not in the data; its fields are: id, age");
    assert!(check(&plan, &b"{\"id\":1,\"zip\":3}\n".to_vec()).is_ok());
    assert!(check(&plan, &Vec::new()).is_ok(), "no object, no fields to check");
}

#[test]
fn ndjson_lines_that_are_not_objects_are_numbered() {
    let plan = Plan { drop: vec!["a".into()], ..ndjson_plan() };
    let (error, _) = fail(&plan, "{\"a\":1}\n\n[1,2]\n");
    let PlaneError::Data { line: 3, message } = &error else { panic!("{error}") };
    assert!(message.contains("expected a JSON object"), "{message}");
    assert!(error.to_string().starts_with("line 3: "), "{error}");
    let (error, _) = fail(&plan, "{\"a\":1}\n{\"a\":\n");
    assert!(matches!(error, PlaneError::Data { line: 2, .. }), "{error}");
    let (error, _) = fail(&plan, "\"just a string\"\n");
    assert!(matches!(error, PlaneError::Data { line: 1, .. }), "{error}");
}

#[test]
fn csv_records_of_the_wrong_length_are_numbered() {
    let plan = Plan { drop: vec!["b".into()], ..csv_plan() };
    let (error, _) = fail(&plan, "a,b\n1,2\n3\n");
    assert_eq!(error.to_string(), "line 3: the record has 1 fields where the header has 2");
}

#[test]
fn conflicting_plans_and_plans_dropping_everything_are_refused() {
    let plan = Plan {
        pseudonymize: vec!["age".into()],
        generalize: vec![("age".into(), Generalization::Band(10))],
        ..csv_plan()
    };
    assert!(matches!(fail(&plan, "age\n3\n").0, PlaneError::Plan(PlanError::Invalid { .. })));
    let plan = Plan { drop: vec!["a".into(), "b".into()], ..csv_plan() };
    assert_eq!(fail(&plan, "a,b\n1,2\n").0.to_string(), "field `a, b`: the plan drops every field");
}

#[test]
fn empty_sources_give_empty_outputs() {
    let plan = Plan { k_anonymity: Some((2, vec![])), ..csv_plan() };
    assert_eq!(run(&plan, "").0, "");
    assert_eq!(run(&plan, "a,b\n").0, "a,b\n");
    let plan = Plan { k_anonymity: Some((2, vec![])), ..ndjson_plan() };
    assert_eq!(run(&plan, "").0, "");
    assert_eq!(run(&Plan::none(Format::Csv), "").1, Report::default());
}

#[test]
fn identity_is_a_byte_copy_that_counts_bytes_not_rows() {
    let input = "a,b\r\n\"x\",y\n\n,,,\n";
    let (out, report) = run(&Plan::none(Format::Csv), input);
    assert_eq!(out, input);
    assert_eq!(report, Report { bytes_out: input.len() as u64, ..Report::default() });
    assert_eq!(report.rows_in, None);
}

/// Gives other data on the second open, as a file rewritten mid-transfer would.
struct Changing {
    opened: Cell<u32>,
}

impl Source for Changing {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        self.opened.set(self.opened.get() + 1);
        let data = if self.opened.get() == 1 { "a\n1\n1\n" } else { "a\n1\n1\n2\n" };
        Ok(Box::new(Cursor::new(data.as_bytes().to_vec())))
    }
}

#[test]
fn a_source_that_changes_between_passes_is_an_error() {
    let plan = Plan { k_anonymity: Some((2, vec!["a".into()])), ..csv_plan() };
    let mut out = Vec::new();
    let error = apply(&plan, &Changing { opened: Cell::new(0) }, &mut out).expect_err("refused");
    assert!(matches!(error, PlaneError::SourceChanged { first_pass_rows: 2, second_pass_rows: 3 }), "{error}");
}

#[test]
fn files_are_sources_and_missing_ones_are_named() {
    let path = std::env::temp_dir().join(format!("plane-test-{}.csv", std::process::id()));
    std::fs::write(&path, PEOPLE).expect("temp dir is writable");
    let plan = Plan { drop: vec!["email".into()], ..csv_plan() };
    let mut out = Vec::new();
    let report = apply(&plan, &path, &mut out).expect("applies");
    std::fs::remove_file(&path).expect("removed");
    assert_eq!(report.rows_out, Some(3));
    let error = apply(&plan, &path, &mut out).expect_err("refused");
    assert!(error.to_string().contains(&path.display().to_string()), "{error}");
}

#[test]
fn a_plan_from_an_agreement_is_applied() {
    let agreement = json!({
        "@id": "urn:agreement:1", "@type": "Agreement",
        "permission": [{
            "action": "use",
            "duty": [
                policy::drop_fields(&["email"]).expect("a valid duty"),
                policy::pseudonymize(&["name"]),
                policy::generalize("birth_date", "year").expect("a valid duty"),
                policy::exclude("id", &["2"]).expect("a valid duty"),
                policy::k_anonymity(1, &["birth_date"]).expect("a valid duty"),
                policy::encrypt(),
                policy::no_onward_transfer(),
                policy::delete_after("P30D").expect("a valid duty"),
            ]
        }]
    });
    let verdict =
        policy::evaluate(&agreement, "use", &policy::Facts::at(datetime!(2026-06-01 09:00 UTC))).expect("parses");
    assert!(verdict.permitted);
    let plan = Plan::from_duties(Format::Csv, &verdict.duties, KEY).expect("a plan");
    assert_eq!(
        plan.describe(),
        [
            "drop email",
            "pseudonymize name",
            "generalize birth_date to year",
            "exclude 1 value of id",
            "k-anonymity k=1 over birth_date"
        ]
    );
    let (out, report) = run(&plan, PEOPLE);
    assert_eq!(
        out,
        format!(
            "id,name,birth_date,age,postcode\n1,{},1815,36,SW1A 1AA\n3,{},,41,\"WA1\n1AA\"\n",
            pseudonym(&KEY, "name", "Ada"),
            pseudonym(&KEY, "name", "Alan \"Al\" Turing")
        )
    );
    assert_eq!((report.rows_excluded, report.values_suppressed), (1, 1));

    let unknown =
        json!({ "permission": [{ "action": "use", "duty": [{ "action": "https://w3id.org/dfft/ns#shuffle" }] }] });
    let verdict =
        policy::evaluate(&unknown, "use", &policy::Facts::at(datetime!(2026-06-01 09:00 UTC))).expect("parses");
    let error = Plan::from_duties(Format::Csv, &verdict.duties, KEY).expect_err("refused");
    assert!(error.to_string().contains("`dfft:shuffle`"), "{error}");
}
