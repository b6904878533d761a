//! Loading CSV and NDJSON into SQLite with the declared types; bad rows named by line; atomicity.

mod common;

use common::{open, schema, TempDir, PEOPLE_CSV};
use compute::{infer_schema, load, Column, ComputeError, Format, Kind, Schema};

#[test]
fn csv_loads_typed_rows_and_ignores_undeclared_columns() {
    let dir = TempDir::new("load-csv");
    let csv = dir.write("people.csv", PEOPLE_CSV);
    let db = dir.path("people.db");
    let report = load(&csv, &schema(), &db).expect("the file loads");
    assert_eq!(report.format, Format::Csv);
    assert_eq!(report.rows, 6);
    assert_eq!(report.ignored_columns, vec!["unused".to_string()]);
    let conn = open(&db);
    let (age, income, score): (Option<i64>, Option<f64>, Option<f64>) = conn
        .query_row("SELECT age, income, score FROM data WHERE name = 'Cid'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("test setup");
    assert_eq!((age, income, score), (Some(29), None, None), "empty fields are NULL");
    let typeof_income: String = conn
        .query_row("SELECT typeof(income) FROM data WHERE name = 'Ann'", [], |r| r.get(0))
        .expect("the database answers");
    assert_eq!(typeof_income, "real");
    let columns: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_table_info('data')", [], |r| r.get(0))
        .expect("the database answers");
    assert_eq!(columns, 6, "the undeclared column is not loaded");
}

#[test]
fn ndjson_loads_typed_rows() {
    let dir = TempDir::new("load-ndjson");
    let input = dir.write(
        "people.ndjson",
        "{\"name\":\"Ann\",\"age\":34,\"income\":52000,\"city\":\"Paris\",\"band\":1,\"score\":0.5}\n\
         \n\
         {\"name\":\"Bob\",\"age\":null,\"income\":1.5,\"city\":\"Lyon\",\"extra\":true}\n",
    );
    let db = dir.path("people.db");
    let report = load(&input, &schema(), &db).expect("the file loads");
    assert_eq!((report.format, report.rows), (Format::Ndjson, 2));
    let conn = open(&db);
    let (age, band): (Option<i64>, Option<i64>) = conn
        .query_row("SELECT age, band FROM data WHERE name = 'Bob'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("the database answers");
    assert_eq!((age, band), (None, None), "null and missing fields are NULL");
}

#[test]
fn a_csv_value_of_the_wrong_type_is_named_by_line_and_column() {
    let dir = TempDir::new("load-bad-csv");
    let csv = dir.write("bad.csv", "name,age,income,city,band,score\nAnn,34,1,Paris,1,0\nBob,old,2,Lyon,2,0\n");
    let err = load(&csv, &schema(), &dir.path("bad.db")).expect_err("must be refused");
    assert_eq!(err, ComputeError::Row { line: 3, message: "column \"age\": \"old\" is not an integer".into() });
    assert_eq!(err.to_string(), "line 3: column \"age\": \"old\" is not an integer");
}

#[test]
fn an_ndjson_value_of_the_wrong_type_is_named_by_line_and_column() {
    let dir = TempDir::new("load-bad-ndjson");
    let input = dir.write("bad.jsonl", "{\"age\": 3}\n{\"age\": \"three\"}\n");
    let err = load(&input, &schema(), &dir.path("bad.db")).expect_err("must be refused");
    let ComputeError::Row { line, message } = err else { panic!("{err:?}") };
    assert_eq!(line, 2);
    assert!(message.starts_with("column \"age\": expected an integer"), "{message}");
    let input = dir.write("bad2.jsonl", "{\"age\": 3}\n[1, 2]\n");
    let err = load(&input, &schema(), &dir.path("bad.db")).expect_err("must be refused");
    assert!(matches!(err, ComputeError::Row { line: 2, .. }), "{err:?}");
}

#[test]
fn ragged_csv_rows_and_missing_header_columns_are_refused() {
    let dir = TempDir::new("load-ragged");
    let csv = dir.write("ragged.csv", "name,age,income,city,band,score\nAnn,34,1,Paris,1,0\nBob,2\n");
    let err = load(&csv, &schema(), &dir.path("r.db")).expect_err("must be refused");
    assert_eq!(err, ComputeError::Row { line: 3, message: "found 2 fields, but the header has 6".into() });
    let csv = dir.write("short.csv", "name,age\nAnn,34\n");
    let err = load(&csv, &schema(), &dir.path("r.db")).expect_err("must be refused");
    assert!(err.to_string().contains("no column \"income\""), "{err}");
    assert!(err.to_string().contains("header columns: name, age"), "{err}");
}

#[test]
fn a_failed_load_leaves_the_previous_database_and_no_temporary_file() {
    let dir = TempDir::new("load-atomic");
    let db = common::people(&dir);
    let bad = dir.write("bad.csv", "name,age,income,city,band,score\nZed,x,1,Paris,1,0\n");
    assert!(load(&bad, &schema(), &db).is_err());
    let rows: i64 = open(&db).query_row("SELECT COUNT(*) FROM data", [], |r| r.get(0)).expect("the database answers");
    assert_eq!(rows, 6, "the old database is untouched");
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .expect("test setup")
        .map(|e| e.expect("a file name").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("loading"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_invalid_schema_is_refused_naming_the_column() {
    let dir = TempDir::new("load-schema");
    let csv = dir.write("p.csv", PEOPLE_CSV);
    let cases = [
        (Schema { columns: vec![Column::text("city").bounds(0.0, 1.0)] }, "only accepted on integer or real"),
        (Schema { columns: vec![Column::integer("age").bounds(5.0, 1.0)] }, "lo ≤ hi"),
        (Schema { columns: vec![Column::integer("age").bounds(0.0, f64::INFINITY)] }, "finite"),
        (Schema { columns: vec![Column::integer("band").domain(["1", "two"])] }, "\"two\" is not an integer"),
        (Schema { columns: vec![Column::text("city").domain(["A", "A"])] }, "declared twice"),
        (Schema { columns: vec![Column::text("city"), Column::text("City")] }, "declared twice"),
        (Schema { columns: vec![] }, "no columns"),
    ];
    for (schema, expected) in cases {
        let err = load(&csv, &schema, &dir.path("s.db")).expect_err("must be refused");
        assert!(matches!(err, ComputeError::Schema(_)), "{err:?}");
        assert!(err.to_string().contains(expected), "{err} should say {expected}");
    }
}

#[test]
fn schema_inference_guesses_kinds_only() {
    let dir = TempDir::new("infer");
    let csv = dir.write("p.csv", PEOPLE_CSV);
    let schema = infer_schema(&csv, 100).expect("test setup");
    let kinds: Vec<(&str, Kind)> = schema.columns.iter().map(|c| (c.name.as_str(), c.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            ("name", Kind::Text),
            ("age", Kind::Integer),
            ("income", Kind::Real),
            ("city", Kind::Text),
            ("band", Kind::Integer),
            ("score", Kind::Real),
            ("unused", Kind::Text),
        ]
    );
    assert!(schema.columns.iter().all(|c| c.bounds.is_none() && c.domain.is_none() && !c.groupable));
    let ndjson = dir.write("p.ndjson", "{\"a\": 1, \"b\": 1.5}\n{\"a\": 2, \"b\": 2, \"c\": \"x\"}\n");
    let schema = infer_schema(&ndjson, 100).expect("test setup");
    let kinds: Vec<Kind> = schema.columns.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, vec![Kind::Integer, Kind::Real, Kind::Text]);
}

#[test]
fn schema_round_trips_through_json() {
    let json = serde_json::to_string(&schema()).expect("valid JSON");
    let back: Schema = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(back, schema());
    let err = serde_json::from_str::<Schema>(r#"{"columns":[{"name":"a","kind":"integer","bound":[0,1]}]}"#);
    assert!(err.is_err(), "unknown fields are refused");
}
