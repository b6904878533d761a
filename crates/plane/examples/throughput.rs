//! How fast `plane::apply` streams a CSV, and that its memory does not grow with the file.
//!
//! Writes a CSV of about the given size (id, name, email, birth_date, age, postcode, diagnosis,
//! amount) to the temporary directory, then applies (a) no transforms, (b) pseudonymization of two
//! columns, (c) drop + pseudonymize + generalize + k-anonymity, writing to a sink. Prints MB/s of
//! input and the peak resident memory so far (VmHWM); run it at two sizes to see the peak stay put.
//!
//! `cargo run -p plane --release --example throughput [megabytes, default 200]`

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use plane::{apply, Format, Generalization, Plan};

const NAMES: [&str; 8] = ["Ada", "Grace", "\"Doe, Jane\"", "Alan", "Marie", "\"Smith, J.\"", "Tim", "Katherine"];
const DIAGNOSES: [&str; 5] = ["J45.909", "E11.9", "I10", "F32.A", "M54.5"];

/// xorshift64*: deterministic test data, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % below
    }
}

fn generate(path: &PathBuf, bytes: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "id,name,email,birth_date,age,postcode,diagnosis,amount")?;
    let (mut rng, mut written, mut rows) = (Rng(0x9e37_79b9_7f4a_7c15), 0u64, 0u64);
    let mut line = Vec::with_capacity(128);
    while written < bytes {
        rows += 1;
        let year = 1940 + rng.next(70);
        line.clear();
        writeln!(
            line,
            "{rows},{},person{rows}@example.org,{year}-{:02}-{:02},{},{}{} {}AA,{},{}.{:02}",
            NAMES[rng.next(8) as usize],
            1 + rng.next(12),
            1 + rng.next(28),
            2026 - year,
            ["SW", "NW", "EC", "WC", "N", "E"][rng.next(6) as usize],
            1 + rng.next(20),
            rng.next(10),
            DIAGNOSES[rng.next(5) as usize],
            rng.next(5000),
            rng.next(100),
        )?;
        out.write_all(&line)?;
        written += line.len() as u64;
    }
    out.flush()?;
    Ok(rows)
}

/// Peak resident memory so far, from /proc/self/status.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// CPU seconds this process has used (user + system), from /proc/self/stat: unlike wall time,
/// not inflated when other processes share the cores.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and
    // 13th, in clock ticks of 1/100 s.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = after.split_whitespace().skip(11).take(2).filter_map(|t| t.parse().ok()).collect();
    ticks.iter().sum::<f64>() / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let megabytes: u64 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(200);
    let dir = std::env::temp_dir().join(format!("dfft-plane-throughput-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("people.csv");
    let rows = generate(&path, megabytes * 1_000_000)?;
    let size = std::fs::metadata(&path)?.len();
    println!("{}: {rows} rows, {:.1} MB; peak RSS after generating: {}", path.display(), size as f64 / 1e6, peak_rss());

    let key = [7u8; 32];
    let cases = [
        ("(a) no transforms", Plan::none(Format::Csv)),
        (
            "(baseline) drop one column: CSV read and write alone",
            Plan { drop: vec!["amount".into()], ..Plan::none(Format::Csv) },
        ),
        (
            "(b) pseudonymize name, email",
            Plan { pseudonymize: vec!["name".into(), "email".into()], pseudonym_key: key, ..Plan::none(Format::Csv) },
        ),
        (
            "(c) drop + pseudonymize + generalize + k-anonymity",
            Plan {
                drop: vec!["email".into()],
                pseudonymize: vec!["name".into()],
                pseudonym_key: key,
                generalize: vec![
                    ("birth_date".into(), Generalization::Year),
                    ("age".into(), Generalization::Band(10)),
                    ("postcode".into(), Generalization::Prefix(2)),
                ],
                k_anonymity: Some((5, vec!["birth_date".into(), "age".into(), "postcode".into()])),
                ..Plan::none(Format::Csv)
            },
        ),
    ];
    for (name, plan) in cases {
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        let report = apply(&plan, &path, &mut std::io::sink())?;
        let (seconds, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu_start);
        println!(
            "{name}: {seconds:.2} s, {:.0} MB/s ({cpu:.2} s CPU, {:.0} MB/s per CPU second); rows out {:?}, suppressed {}, {:.1} MB out; peak RSS: {}",
            size as f64 / 1e6 / seconds,
            size as f64 / 1e6 / cpu.max(0.01),
            report.rows_out,
            report.rows_suppressed,
            report.bytes_out as f64 / 1e6,
            peak_rss()
        );
        println!("    {}", plan.describe().join("; "));
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
