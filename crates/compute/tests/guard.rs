//! The connection that runs queries: time limit, missing or mismatched databases.

mod common;

use std::time::Duration;

use common::{people, rng, schema, synthetic, TempDir};
use compute::{run, run_with_limit, Column, ComputeError, Schema};

#[test]
fn a_query_past_its_time_limit_is_stopped_and_releases_nothing() {
    let dir = TempDir::new("guard-time");
    let db = synthetic(&dir, 50_000);
    let sql = "SELECT city, band, COUNT(*), SUM(income) FROM data WHERE name LIKE '%9%' GROUP BY city, band";
    let err = run_with_limit(&db, &schema(), sql, 1.0, &mut rng(1), Duration::ZERO).expect_err("must be refused");
    assert_eq!(err, ComputeError::TimedOut { seconds: 1 });
    assert!(err.to_string().contains("nothing was released"));
    assert!(run_with_limit(&db, &schema(), sql, 1.0, &mut rng(1), Duration::from_secs(30)).is_ok());
}

#[test]
fn a_missing_database_is_an_error() {
    let dir = TempDir::new("guard-missing");
    let err = run(&dir.path("nope.db"), &schema(), "SELECT COUNT(*) FROM data", 1.0, &mut rng(1))
        .expect_err("must be refused");
    assert!(matches!(err, ComputeError::Io(ref m) if m.contains("no dataset database")), "{err:?}");
}

#[test]
fn a_database_loaded_with_another_schema_is_refused() {
    let dir = TempDir::new("guard-schema");
    let db = people(&dir);
    let other = Schema { columns: vec![Column::integer("age").bounds(0.0, 1.0), Column::integer("height")] };
    let err = run(&db, &other, "SELECT COUNT(*) FROM data", 1.0, &mut rng(1)).expect_err("must be refused");
    assert!(err.to_string().contains("column \"height\" is declared but not in the dataset database"), "{err}");
    let other = Schema { columns: vec![Column::text("age")] };
    let err = run(&db, &other, "SELECT COUNT(*) FROM data", 1.0, &mut rng(1)).expect_err("must be refused");
    assert!(err.to_string().contains("INTEGER in the dataset database but declared text"), "{err}");
}

#[test]
fn running_leaves_the_database_unchanged() {
    let dir = TempDir::new("guard-readonly");
    let db = people(&dir);
    let before = std::fs::read(&db).expect("temp files");
    run(&db, &schema(), "SELECT city, AVG(income) FROM data GROUP BY city", 1.0, &mut rng(1)).expect("the query runs");
    assert_eq!(std::fs::read(&db).expect("temp files"), before);
}
