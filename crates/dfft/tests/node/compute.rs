//! Compute-to-data: a compute-only dataset is never transferred; a consumer's aggregate queries
//! are answered with differential privacy, row-level queries are refused with the reason, and
//! the per-consumer ε budget is enforced.

use serde_json::{json, Value};

use crate::support::*;

fn schema() -> String {
    let regions: Vec<String> = (0..17).map(|i| format!("region-{i}")).collect();
    json!({"columns": [
        {"name": "case_id", "kind": "integer"},
        {"name": "region", "kind": "text", "groupable": true, "domain": regions},
        {"name": "age", "kind": "integer", "bounds": [0.0, 120.0]},
        {"name": "diagnosis", "kind": "text"}
    ]})
    .to_string()
}

fn query(pair: &Pair, sql: &str, epsilon: &str) -> Run {
    dfft(&[
        "query",
        s(&pair.consumer.dir),
        "--provider",
        &pair.provider.url,
        "--dataset",
        "cohort",
        "--sql",
        sql,
        "--epsilon",
        epsilon,
        "--json",
    ])
}

#[test]
fn a_compute_only_dataset_answers_noisy_aggregates_within_a_budget_and_never_rows() {
    let pair = Pair::start_with("compute", "DE", "JP", |p, _| {
        let schema_file = p.with_extension("schema.json");
        std::fs::write(&schema_file, schema()).expect("write the schema");
        let data = p.with_extension("cohort.csv");
        write_csv(&data, 600);
        let args = ["--compute-only", "--schema", s(&schema_file), "--budget", "0.5"];
        add_dataset(p, "cohort", &data, &args);
    });

    // The rows do not leave: a contract for them is refused, naming compute-only.
    let run = pair.negotiate("cohort", &[]);
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.stdout.contains("compute-only"), "{}", run.all());

    // A count: noisy, an integer, near the truth (ages 20..79 in turn: 400 of 600 rows are ≥ 40).
    let run = query(&pair, "SELECT COUNT(*) FROM data WHERE age >= 40", "0.2");
    run.expect_code(OK);
    let answer: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let count = answer["rows"][0][0].as_i64().unwrap_or_else(|| panic!("an integer count: {answer:#}"));
    assert!((300..=500).contains(&count), "{count} is 400 plus noise of scale 5: {answer:#}");
    assert_eq!(answer["epsilon_spent"], 0.2);
    assert!((answer["epsilon_left"].as_f64().expect("left") - 0.3).abs() < 1e-9, "{answer:#}");

    // A histogram over the declared domain: one row per region.
    let run = query(&pair, "SELECT region, COUNT(*) FROM data GROUP BY region", "0.2");
    run.expect_code(OK);
    let answer: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(answer["rows"].as_array().map(Vec::len), Some(17), "{answer:#}");

    // Row-level questions are refused, and cost nothing.
    let run = query(&pair, "SELECT case_id, diagnosis FROM data", "0.05");
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.all().contains("row-level"), "{}", run.all());

    // The budget: 0.4 of 0.5 spent, so 0.2 more is refused; both sides see the spending.
    let run = query(&pair, "SELECT COUNT(*) FROM data", "0.2");
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.all().contains("privacy budget"), "{}", run.all());
    let budget = get(
        &format!("{}/compute/cohort/budget", pair.provider.url),
        Some(&pair.provider.token_from(&pair.consumer.dir)),
    );
    assert_eq!(budget.status, 200, "{}", budget.body);
    assert!((budget.json()["epsilon_spent"].as_f64().expect("spent") - 0.4).abs() < 1e-9, "{}", budget.body);
}
