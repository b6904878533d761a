//! Accepted queries: what they are rewritten to and what they release.

mod common;

use common::{people, rng, schema, synthetic, TempDir};
use compute::{check, run, Answer, OutputKind};
use serde_json::{json, Value};

fn answer(db: &std::path::Path, sql: &str, epsilon: f64, seed: u64) -> Answer {
    run(db, &schema(), sql, epsilon, &mut rng(seed)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn count(v: &Value) -> i64 {
    let n = v.as_i64().unwrap_or_else(|| panic!("{v} is not an integer"));
    assert!(n >= 0, "noisy counts are never negative: {n}");
    n
}

fn near(v: &Value, expected: f64, tolerance: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((x - expected).abs() <= tolerance, "{x} is not within {tolerance} of {expected}");
}

#[test]
fn count_is_rewritten_and_released_as_a_non_negative_integer() {
    let q = check(&schema(), "SELECT COUNT(*) FROM data").expect("the query is accepted");
    assert_eq!(q.sql, "SELECT COUNT(*) FROM data");
    assert_eq!(q.outputs[0].kind, OutputKind::Count { column: None });
    let dir = TempDir::new("accept-count");
    let db = people(&dir);
    let a = answer(&db, "select count(*) as n from DATA", 10.0, 1);
    assert_eq!(a.columns, vec!["n"]);
    assert_eq!(a.rows.len(), 1);
    assert!((count(&a.rows[0][0]) - 6).abs() <= 1);
    assert_eq!(a.epsilon_spent, 10.0);
    assert!(a.mechanism.contains("discrete Laplace"), "{}", a.mechanism);
    assert!(a.mechanism.contains("split over 1 measurement (COUNT(*))"), "{}", a.mechanism);
}

#[test]
fn count_with_where_binds_every_literal() {
    let sql = "SELECT COUNT(age) FROM data AS d WHERE (d.age > 40 AND NOT city = 'Paris') OR age BETWEEN -1 AND 1.5 \
               OR band IN (1, 2) OR city LIKE 'Ly%' OR score IS NULL OR data.income IS NOT NULL";
    let q = check(&schema(), sql).expect("the query is accepted");
    assert_eq!(
        q.sql,
        "SELECT COUNT(\"age\") FROM data WHERE (((((((\"age\" > ?1) AND (NOT (\"city\" = ?2))) \
         OR (\"age\" BETWEEN ?3 AND ?4)) OR (\"band\" IN (?5, ?6))) OR (\"city\" LIKE ?7)) \
         OR (\"score\" IS NULL)) OR (\"income\" IS NOT NULL))"
    );
    assert_eq!(q.params.len(), 7);
    let dir = TempDir::new("accept-where");
    let db = people(&dir);
    let a = answer(&db, "SELECT COUNT(*) FROM data WHERE age > 40", 10.0, 2);
    assert!((count(&a.rows[0][0]) - 3).abs() <= 1, "{a:?}");
    let a = answer(&db, "SELECT COUNT(*) FROM data WHERE city IN ('Paris', 'Nice') AND age IS NOT NULL", 10.0, 3);
    assert!((count(&a.rows[0][0]) - 2).abs() <= 1, "{a:?}");
    let a = answer(&db, "SELECT COUNT(*) FROM data WHERE age > 1000", 10.0, 4);
    assert!(count(&a.rows[0][0]) <= 1, "an empty selection is still released: {a:?}");
}

#[test]
fn sum_and_avg_are_clamped_and_share_measurements() {
    let q =
        check(&schema(), "SELECT SUM(income), AVG(income), COUNT(income) FROM data").expect("the query is accepted");
    assert_eq!(
        q.sql,
        "SELECT SUM(CAST(ROUND(MIN(MAX(\"income\", ?1), ?2) * ?3) AS INTEGER)), COUNT(\"income\") FROM data"
    );
    assert_eq!(q.measurements, vec!["SUM(income)", "COUNT(income)"]);
    assert_eq!(q.outputs[1].kind, OutputKind::Avg { column: "income".into(), bounds: (0.0, 200_000.0) });
    assert_eq!(q.outputs[0].name, "SUM(income)");

    let dir = TempDir::new("accept-sum");
    let db = people(&dir);
    // Ages 34+45+29+61+52 = 221 over 5 non-NULL values; noise scale 120 / (10/2) = 24.
    let a = answer(&db, "SELECT SUM(age), AVG(age) FROM data", 10.0, 5);
    near(&a.rows[0][0], 221.0, 24.0 * 12.0);
    let avg = a.rows[0][1].as_f64().expect("test setup");
    assert!((0.0..=120.0).contains(&avg), "AVG stays within the bounds: {avg}");
    assert!(a.mechanism.contains("split over 2 measurements (SUM(age), COUNT(age))"), "{}", a.mechanism);

    // On many rows the noise is small next to the answer. income = (i % 1000) * 100, mean 49,950.
    let db = synthetic(&dir, 20_000);
    let a = answer(&db, "SELECT AVG(income) AS mean, SUM(age) FROM data", 1.0, 6);
    near(&a.rows[0][0], 49_950.0, 500.0);
    near(&a.rows[0][1], 990_000.0, 120.0 * 3.0 * 15.0);
}

#[test]
fn sums_clamp_values_outside_the_bounds() {
    let dir = TempDir::new("accept-clamp");
    let db = people(&dir);
    // Fay's 300,000 counts as 200,000: 52,000 + 61,000.5 + 48,000 + 75,000 + 200,000 = 436,000.5.
    // Noise scale 200,000 / 10 = 20,000; 15 scales is a 1-in-3-million miss.
    let a = answer(&db, "SELECT SUM(income) FROM data", 10.0, 7);
    near(&a.rows[0][0], 436_000.5, 300_000.0);
    let q = check(&schema(), "SELECT SUM(income) FROM data").expect("the query is accepted");
    let conn = common::open(&db);
    let mut stmt = conn.prepare(&q.sql).expect("the SQL prepares");
    let exact: i64 =
        stmt.query_row(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0)).expect("the database answers");
    let grid = match q.params[2] {
        compute::Param::Real(scale) => scale,
        ref other => panic!("{other:?}"),
    };
    assert!(((exact as f64) / grid - 436_000.5).abs() < 1.0, "the exact clamped sum on the grid is {exact}");
}

#[test]
fn group_by_releases_every_domain_value_including_absent_ones() {
    let dir = TempDir::new("accept-group");
    let db = people(&dir);
    let a = answer(&db, "SELECT city, COUNT(*) AS n FROM data GROUP BY city", 10.0, 8);
    assert_eq!(a.columns, vec!["city", "n"]);
    let cities: Vec<&Value> = a.rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        cities,
        vec![&json!("Paris"), &json!("Lyon"), &json!("Nice")],
        "domain order; Marseille is not declared"
    );
    let counts: Vec<i64> = a.rows.iter().map(|r| count(&r[1])).collect();
    for (got, want) in counts.iter().zip([3, 2, 0]) {
        assert!((got - want).abs() <= 1, "{counts:?}");
    }
    assert!(a.mechanism.contains("3 disjoint groups"), "{}", a.mechanism);

    // Grouping a column missing from every selected row still releases every declared group.
    let a = answer(&db, "SELECT city, COUNT(*) FROM data WHERE age > 1000 GROUP BY city", 10.0, 9);
    assert_eq!(a.rows.len(), 3);
}

#[test]
fn histograms_over_integer_and_combined_domains() {
    let dir = TempDir::new("accept-hist");
    let db = synthetic(&dir, 3_000);
    let a = answer(&db, "SELECT band, COUNT(*) FROM data GROUP BY band", 10.0, 10);
    assert_eq!(a.rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), vec![json!(1), json!(2), json!(3)]);
    for row in &a.rows {
        assert!((count(&row[1]) - 1000).abs() <= 1, "{row:?}");
    }
    let a = answer(
        &db,
        "SELECT city, band, COUNT(*), AVG(age) FROM data GROUP BY city, band ORDER BY city, band DESC",
        10.0,
        11,
    );
    assert_eq!(a.rows.len(), 9);
    let keys: Vec<(Value, Value)> = a.rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(keys[0], (json!("Lyon"), json!(3)));
    assert_eq!(keys[3], (json!("Nice"), json!(3)));
    assert_eq!(keys[8], (json!("Paris"), json!(1)));
    for row in &a.rows {
        let n = count(&row[2]);
        if row[0] == json!("Nice") {
            assert!(n <= 2, "Nice is absent: {row:?}");
        } else {
            assert!((n - 500).abs() <= 2, "{row:?}");
        }
    }
}

#[test]
fn order_by_a_group_alias_and_selected_group_columns_anywhere() {
    let q = check(&schema(), "SELECT COUNT(*), city AS c FROM data GROUP BY city ORDER BY c DESC")
        .expect("the query is accepted");
    assert_eq!(q.outputs[1].kind, OutputKind::GroupKey { column: "city".into() });
    let dir = TempDir::new("accept-order");
    let db = people(&dir);
    let a = answer(&db, "SELECT COUNT(*), city AS c FROM data GROUP BY city ORDER BY c DESC", 10.0, 12);
    let cities: Vec<Value> = a.rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(cities, vec![json!("Paris"), json!("Nice"), json!("Lyon")]);
}

#[test]
fn the_same_seed_gives_the_same_answer_and_different_seeds_differ() {
    let dir = TempDir::new("accept-seed");
    let db = people(&dir);
    let sql = "SELECT city, COUNT(*), SUM(income) FROM data GROUP BY city";
    assert_eq!(answer(&db, sql, 0.5, 42), answer(&db, sql, 0.5, 42));
    assert_ne!(answer(&db, sql, 0.5, 42).rows, answer(&db, sql, 0.5, 43).rows);
}

#[test]
fn secure_rng_works_for_real_releases() {
    let dir = TempDir::new("accept-os");
    let db = people(&dir);
    let mut rng = compute::dp::secure_rng().expect("OS randomness");
    let a = run(&db, &schema(), "SELECT COUNT(*) FROM data", 1.0, &mut rng).expect("the query runs");
    count(&a.rows[0][0]);
    assert_eq!(serde_json::to_value(&a).expect("valid JSON")["epsilon_spent"], json!(1.0));
}
