//! Loads a synthetic 1M-row CSV and times a few DP queries on it.
//!
//! `cargo run -p compute --release --example query_rate [rows]`

use std::io::Write;
use std::time::Instant;

use compute::{load, run, Column, Schema};

const QUERIES: [&str; 6] = [
    "SELECT COUNT(*) FROM data",
    "SELECT COUNT(*) FROM data WHERE age BETWEEN 30 AND 40 AND country = 'FR'",
    "SELECT SUM(income), AVG(income) FROM data",
    "SELECT country, COUNT(*), AVG(income) FROM data GROUP BY country",
    "SELECT country, band, COUNT(*) FROM data WHERE income > 50000 GROUP BY country, band ORDER BY country",
    "SELECT COUNT(*) FROM data WHERE name LIKE '%99%'",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("compute-query-rate-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("people.csv");
    let db = dir.join("people.db");

    let countries = ["FR", "DE", "JP", "SG", "BR", "KE"];
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv)?);
    writeln!(out, "name,age,income,country,band")?;
    // A small LCG: reproducible data without another dependency.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..rows {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let age = 18 + (x >> 33) % 70;
        let income = 15_000.0 + ((x >> 20) % 150_000) as f64 + 0.5;
        let country = countries[(x >> 45) as usize % countries.len()];
        writeln!(out, "p{i},{age},{income},{country},{}", 1 + (x >> 50) % 5)?;
    }
    out.flush()?;
    drop(out);
    let size = std::fs::metadata(&csv)?.len();
    println!("wrote {rows} rows ({:.1} MB) of CSV in {:.2?}", size as f64 / 1e6, started.elapsed());

    let schema = Schema {
        columns: vec![
            Column::text("name"),
            Column::integer("age").bounds(0.0, 120.0),
            Column::real("income").bounds(0.0, 250_000.0),
            Column::text("country").domain(countries),
            Column::integer("band").domain(["1", "2", "3", "4", "5"]),
        ],
    };
    let started = Instant::now();
    let report = load(&csv, &schema, &db)?;
    let secs = started.elapsed().as_secs_f64();
    println!("loaded {} rows in {secs:.2} s: {:.0} rows/s", report.rows, report.rows as f64 / secs);

    let mut rng = compute::dp::secure_rng()?;
    for sql in QUERIES {
        let started = Instant::now();
        let answer = run(&db, &schema, sql, 1.0, &mut rng)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let first = answer.rows.first().map(serde_json::to_string).transpose()?.unwrap_or_default();
        println!("{ms:8.1} ms  {:>2} rows  first {first:<40} {sql}", answer.rows.len());
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
