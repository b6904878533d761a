//! Every refused query names its clause and the reason, before any data is read.

mod common;

use common::schema;
use compute::{check, ComputeError, QueryError};

fn refusal(sql: &str) -> QueryError {
    match check(&schema(), sql) {
        Err(ComputeError::Refused(q)) => q,
        other => panic!("{sql}: expected a refusal, got {other:?}"),
    }
}

/// Asserts the clause and that the reason contains `needle`.
fn refused(sql: &str, clause: &str, needle: &str) {
    let q = refusal(sql);
    let sql: String = sql.chars().take(100).collect(); // long hostile queries stay out of the log
    assert_eq!(q.clause, clause, "{sql}: {q}");
    assert!(q.reason.contains(needle), "{sql}: reason {:?} should contain {needle:?}", q.reason);
}

const ROW_LEVEL: &str =
    "row-level results are not released: every selected expression must be an aggregate or a GROUP BY column";

#[test]
fn row_level_selects_are_refused() {
    refused("SELECT name FROM data", "SELECT", ROW_LEVEL);
    refused("SELECT name FROM data", "SELECT", "\"name\"");
    refused("SELECT *  FROM data", "SELECT", ROW_LEVEL);
    refused("SELECT data.* FROM data", "SELECT", ROW_LEVEL);
    refused("SELECT COUNT(*), age FROM data", "SELECT", ROW_LEVEL);
    refused("SELECT city, COUNT(*) FROM data", "SELECT", ROW_LEVEL);
    refused("SELECT age + 1 FROM data", "SELECT", ROW_LEVEL);
    refused("SELECT 1 FROM data", "SELECT", ROW_LEVEL);
}

#[test]
fn joins_subqueries_and_other_tables_are_refused() {
    refused("SELECT COUNT(*) FROM data JOIN data AS b ON data.age = b.age", "FROM", "joins are not accepted");
    refused("SELECT COUNT(*) FROM data, data AS b", "FROM", "exactly one table");
    refused("SELECT COUNT(*) FROM sqlite_master", "FROM", "table sqlite_master is not accepted");
    refused("SELECT COUNT(*) FROM main.data", "FROM", "is not accepted");
    refused("SELECT COUNT(*) FROM (SELECT * FROM data)", "FROM", "subqueries are not accepted");
    refused("SELECT COUNT(*) FROM data WHERE age IN (SELECT age FROM data)", "WHERE", "subqueries are not accepted");
    refused("SELECT COUNT(*) FROM data WHERE EXISTS (SELECT 1 FROM data)", "WHERE", "subqueries");
    refused("SELECT COUNT(*) FROM data WHERE age > (SELECT AVG(age) FROM data)", "WHERE", "subqueries");
    refused("WITH t AS (SELECT * FROM data) SELECT COUNT(*) FROM t", "WITH", "common table expressions");
    refused("SELECT COUNT(*) FROM data UNION SELECT COUNT(*) FROM data", "query", "UNION is not accepted");
    refused("SELECT COUNT(*)", "FROM", "FROM data");
}

#[test]
fn unknown_columns_are_refused_with_the_declared_ones() {
    refused("SELECT SUM(salary) FROM data", "SELECT", "unknown column \"salary\"; declared columns: name, age");
    refused("SELECT COUNT(*) FROM data WHERE salary > 3", "WHERE", "unknown column \"salary\"");
    refused("SELECT COUNT(*) FROM data GROUP BY town", "GROUP BY", "unknown column \"town\"");
    refused("SELECT COUNT(*) FROM data AS d WHERE x.age > 3", "WHERE", "x.age is not accepted");
}

#[test]
fn group_by_needs_a_groupable_column_with_a_domain() {
    refused("SELECT name, COUNT(*) FROM data GROUP BY name", "GROUP BY", "not declared groupable");
    refused("SELECT COUNT(*) FROM data GROUP BY name", "GROUP BY", "releasing which groups exist would reveal");
    let mut schema = schema();
    schema.columns[0].groupable = true; // groupable, but no domain
    let err = check(&schema, "SELECT COUNT(*) FROM data GROUP BY name").expect_err("must be refused");
    assert!(err.to_string().contains("has no declared domain"), "{err}");
    refused("SELECT COUNT(*) FROM data GROUP BY 1", "GROUP BY", "declared column names only");
    refused("SELECT COUNT(*) FROM data GROUP BY lower(city)", "GROUP BY", "declared column names only");
    refused("SELECT COUNT(*) FROM data GROUP BY ROLLUP (city)", "GROUP BY", "ROLLUP");
}

#[test]
fn statements_other_than_one_select_are_refused() {
    refused("PRAGMA table_info(data)", "statement", "PRAGMA statements are not accepted");
    refused("ATTACH DATABASE 'other.db' AS other", "statement", "ATTACH statements are not accepted");
    refused("DELETE FROM data", "statement", "DELETE statements are not accepted");
    refused("INSERT INTO data (age) VALUES (3)", "statement", "INSERT statements are not accepted");
    refused("DROP TABLE data", "statement", "DROP statements are not accepted");
    refused("SELECT COUNT(*) FROM data; SELECT COUNT(*) FROM data", "statement", "exactly one SELECT statement");
    refused("SELECT COUNT(*) FROM data; DROP TABLE data", "statement", "found 2");
    refused("", "statement", "found 0");
    refused("SELECT COUNT(* FROM data", "syntax", "Expected");
}

#[test]
fn functions_other_than_the_aggregates_are_refused() {
    refused("SELECT lower(city) FROM data", "SELECT", "function lower() is not accepted");
    refused("SELECT COUNT(*) FROM data WHERE lower(city) = 'paris'", "WHERE", "function lower() is not accepted");
    refused("SELECT MAX(age) FROM data", "SELECT", "MAX() is not released: a single row decides it");
    refused("SELECT MIN(income) FROM data", "SELECT", "MIN()");
    refused("SELECT COUNT(DISTINCT city) FROM data", "SELECT", "DISTINCT inside an aggregate");
    refused("SELECT SUM(age) OVER () FROM data", "SELECT", "window functions");
    refused("SELECT SUM(age + 1) FROM data", "SELECT", "must be a declared column");
    refused("SELECT COUNT(*) + 1 FROM data", "SELECT", ROW_LEVEL);
    refused("SELECT SUM(*) FROM data", "SELECT", "is not accepted");
    refused("SELECT load_extension('x') FROM data", "SELECT", "function load_extension() is not accepted");
}

#[test]
fn sum_and_avg_need_numeric_columns_with_bounds() {
    refused("SELECT SUM(score) FROM data", "SELECT", "column \"score\" has no declared bounds");
    refused("SELECT AVG(score) FROM data", "SELECT", "AVG(score)");
    refused("SELECT SUM(city) FROM data", "SELECT", "column \"city\" is text");
    // COUNT needs no bounds.
    assert!(check(&schema(), "SELECT COUNT(score) FROM data").is_ok());
}

#[test]
fn clauses_that_would_leak_exact_values_are_refused() {
    refused("SELECT COUNT(*) FROM data LIMIT 1", "LIMIT", "every group of the declared domain is released");
    refused("SELECT city, COUNT(*) FROM data GROUP BY city LIMIT 1 OFFSET 1", "LIMIT", "WHERE");
    refused("SELECT city, COUNT(*) AS n FROM data GROUP BY city ORDER BY n", "ORDER BY", "exact aggregate");
    refused("SELECT city, COUNT(*) FROM data GROUP BY city ORDER BY COUNT(*) DESC", "ORDER BY", "exact aggregate");
    refused("SELECT city, COUNT(*) FROM data GROUP BY city ORDER BY age", "ORDER BY", "not a GROUP BY column");
    refused("SELECT city, COUNT(*) FROM data GROUP BY city HAVING COUNT(*) > 1", "HAVING", "exact aggregates");
    refused("SELECT DISTINCT COUNT(*) FROM data", "DISTINCT", "is not accepted");
}

#[test]
fn where_accepts_only_declared_comparisons_with_literals() {
    refused("SELECT COUNT(*) FROM data WHERE age + 1 > 3", "WHERE", "compare a declared column with a literal");
    refused("SELECT COUNT(*) FROM data WHERE age = NULL", "WHERE", "use IS NULL");
    refused("SELECT COUNT(*) FROM data WHERE age = ?", "WHERE", "parameter ? is not accepted");
    refused(
        "SELECT COUNT(*) FROM data WHERE city = 3",
        "WHERE",
        "column \"city\" (text) is compared with the number 3",
    );
    refused("SELECT COUNT(*) FROM data WHERE age = '3'", "WHERE", "compared with the text '3'");
    refused("SELECT COUNT(*) FROM data WHERE age IN ('a')", "WHERE", "compared with the text 'a'");
    refused("SELECT COUNT(*) FROM data WHERE city GLOB 'P*'", "WHERE", "is not accepted");
    refused("SELECT COUNT(*) FROM data WHERE city LIKE 'P%' ESCAPE '!'", "WHERE", "is not accepted");
    refused("SELECT COUNT(*) FROM data WHERE age", "WHERE", "is not accepted");
    refused("SELECT COUNT(*) FROM data WHERE age || 'x' = 'y'", "WHERE", "is not accepted");
}

#[test]
fn hostile_sizes_are_refused_without_crashing() {
    let long = format!("SELECT COUNT(*) FROM data WHERE {}", vec!["age = 1"; 3000].join(" OR "));
    refused(&long, "query", "at most 16384");
    let deep = format!("SELECT COUNT(*) FROM data WHERE {}age = 1{}", "(".repeat(200), ")".repeat(200));
    refused(&deep, "syntax", "recursion limit");
    let chain = format!("SELECT COUNT(*) FROM data WHERE {}", vec!["age = 1"; 100].join(" AND "));
    refused(&chain, "WHERE", "nested more than 64 levels");
    // Left-deep chains the parser would build without recursing, but printing and dropping recurse.
    let sum = format!("SELECT {}1 FROM data", "1+".repeat(8_000));
    refused(&sum, "query", "the query has 8003 words and operators; at most 500");
    let sum = format!("SELECT {}age FROM data", "age + ".repeat(200));
    refused(&sum, "SELECT", ROW_LEVEL);
    let chain = format!("SELECT COUNT(*) FROM data WHERE age + {}1 > 3", "age + ".repeat(200));
    refused(&chain, "WHERE", "compare a declared column with a literal");
    let values = (0..2_000).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    assert!(check(&schema(), &format!("SELECT COUNT(*) FROM data WHERE age IN ({values})")).is_ok());
    let many = (0..40).map(|i| format!("SUM(age) AS s{i}, COUNT(band) AS c{i}")).collect::<Vec<_>>().join(", ");
    assert!(check(&schema(), &format!("SELECT {many} FROM data")).is_ok(), "duplicates share measurements");
    let wide = ["COUNT(*)"; 5].join(", ");
    assert!(check(&schema(), &format!("SELECT {wide} FROM data")).is_ok());
}

#[test]
fn the_longest_accepted_chain_fits_a_small_stack() {
    // 495 links is the most the word-and-operator cap lets through; printing and dropping the chain
    // recurses once per link. Request handlers run on 2 MiB threads; this checks a quarter of that.
    let worker = std::thread::Builder::new().stack_size(512 * 1024).spawn(|| {
        let sql = format!("SELECT {}age FROM data", "1+".repeat(495));
        let err = check(&schema(), &sql).expect_err("must be refused");
        assert!(err.to_string().contains("row-level results are not released"), "{}", &err.to_string()[..80]);
    });
    assert!(worker.expect("a thread").join().is_ok());
}
