//! `cargo run --release -p bench -- decisions [--flows N] [--json]`
//!
//! Translates the embedded rulebook for one day into Cedar and Rego, decides N random flows with
//! dfft, Cedar and regorus, fails on any disagreement, and reports decisions per second on one
//! thread and per-call latencies.

use std::path::PathBuf;
use std::process::ExitCode;

use bench::{Config, EngineStats, Engines, RunReport};
use clap::{Parser, Subcommand};
use rules::{Day, Rulebook};

#[derive(Parser)]
#[command(name = "bench", about = "dfft's decision engine side by side with Cedar and Rego (regorus)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide random flows with dfft, Cedar and regorus; require identical answers; measure.
    Decisions(Decisions),
}

#[derive(clap::Args)]
struct Decisions {
    /// Number of random flows.
    #[arg(long, default_value_t = 100_000)]
    flows: usize,
    /// Print a JSON summary as the last line.
    #[arg(long)]
    json: bool,
    /// The day the rulebook is translated for; every flow is dated that day.
    #[arg(long, default_value = "2026-06-01")]
    as_of: String,
    /// Seed of the flow generator.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Measure per-call latency on the first this many flows (default: min(flows, 100000)).
    #[arg(long)]
    latency_flows: Option<usize>,
    /// regorus's interpreter decides only the first this many flows (default: min(flows, 100000));
    /// its bytecode VM and the other engines decide every flow.
    #[arg(long)]
    interpreter_flows: Option<usize>,
    /// Flows whose inputs are built at a time, before each engine decides them.
    #[arg(long, default_value_t = 2048)]
    chunk: usize,
    /// Print at most this many mismatches in full (all are counted, and any fails the run).
    #[arg(long, default_value_t = 100)]
    show_mismatches: usize,
    /// Leave Cedar out.
    #[arg(long)]
    no_cedar: bool,
    /// Leave regorus's interpreter out.
    #[arg(long)]
    no_regorus: bool,
    /// Leave regorus's bytecode VM (RVM) out.
    #[arg(long)]
    no_rvm: bool,
    /// Also write the generated Cedar and Rego sources into this directory.
    #[arg(long)]
    emit: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decisions(args) => match decisions(&args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("bench: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn emit(dir: &PathBuf, loaded: &bench::Loaded) -> Result<(), String> {
    let sources = bench::cedar::translate(&loaded.view);
    let data = bench::rego::data_document(&loaded.view);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    for (name, text) in [
        ("dfft.cedarschema", sources.schema.clone()),
        ("dfft.cedar", sources.policy_text()),
        ("entities.json", pretty(&sources.entities)),
        ("dfft.rego", bench::rego::MODULE.to_owned()),
        ("data.json", pretty(&data)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn ns(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.2} ms", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{:.1} µs", n as f64 / 1e3)
    } else {
        format!("{n} ns")
    }
}

fn decisions(args: &Decisions) -> Result<bool, String> {
    let day = Day::parse(&args.as_of)?;
    let rulebook = Rulebook::embedded().map_err(|d| format!("the embedded rulebook is invalid:\n{d:?}"))?;
    let t = std::time::Instant::now();
    let mut loaded = bench::load(&rulebook, day)?;
    let load_time = t.elapsed();
    if let Some(dir) = &args.emit {
        emit(dir, &loaded)?;
    }
    let mut config = Config::new(args.flows, day);
    config.seed = args.seed;
    config.chunk = args.chunk.max(1);
    if let Some(l) = args.latency_flows {
        config.latency_flows = l.min(args.flows);
    }
    config.show_mismatches = args.show_mismatches;
    if let Some(l) = args.interpreter_flows {
        config.interpreter_flows = l.min(args.flows);
    }
    config.engines = Engines { cedar: !args.no_cedar, regorus: !args.no_regorus, rvm: !args.no_rvm };
    eprintln!(
        "rulebook {} on {day}: {} rules in force, {} Cedar policies; translated, parsed and validated in {:.2} s",
        rulebook.release.version,
        loaded.view.rules.len(),
        loaded.cedar_policies,
        load_time.as_secs_f64()
    );
    let report = bench::run(&rulebook, &mut loaded, &config)?;
    print_report(&report, &config);
    if args.json {
        println!("{}", json_summary(&report, &config));
    }
    Ok(report.agree == report.flows)
}

fn engines(report: &RunReport) -> Vec<&EngineStats> {
    let mut out = vec![&report.dfft, &report.dfft_decide_only];
    out.extend(report.cedar.iter());
    out.extend(report.regorus.iter());
    out.extend(report.rvm.iter());
    out
}

fn print_report(report: &RunReport, config: &Config) {
    for m in &report.mismatches {
        println!("MISMATCH {m}");
    }
    let v = report.verdicts;
    println!(
        "{} flows (seed {}, as of {}): allow {}, conditional {}, approval {}, deny {}, uncovered {}",
        report.flows, config.seed, config.day, v[0], v[1], v[2], v[3], v[4]
    );
    println!(
        "agreement: {} of {} flows ({:.4}%){}",
        report.agree,
        report.flows,
        100.0 * report.agree as f64 / (report.flows.max(1)) as f64,
        if report.agree == report.flows { "" } else { " — FAILED" }
    );
    println!();
    println!(
        "{:<20} {:>10} {:>14} {:>10} {:>10} {:>10}  timed call",
        "engine", "flows", "decisions/s", "p50", "p99", "dfft ×"
    );
    let dfft = report.dfft.per_second();
    for e in engines(report) {
        println!(
            "{:<20} {:>10} {:>14.0} {:>10} {:>10} {:>10}  {}",
            e.name,
            e.decisions,
            e.per_second(),
            if e.latencies.is_empty() { "-".to_owned() } else { ns(e.quantile(0.5)) },
            if e.latencies.is_empty() { "-".to_owned() } else { ns(e.quantile(0.99)) },
            format!("{:.1}", dfft / e.per_second()),
            e.call
        );
    }
    println!();
    println!(
        "dfft × = dfft's decisions/s (decide + options) ÷ the engine's. Throughput: one thread, a tight loop \
         over the flows per engine, inputs built beforehand (only the decision calls are inside the clock). \
         Latency: a separate pass over the first {} flows, one Instant::now() pair around each call \
         (timer overhead ≈ {} ns, included).",
        config.latency_flows.min(config.flows),
        report.timer_overhead_ns
    );
    for (what, d) in &report.input_build {
        println!("not timed: building {what}: {:.2} s", d.as_secs_f64());
    }
    println!("wall time of the run: {:.1} s", report.setup.as_secs_f64());
}

fn json_summary(report: &RunReport, config: &Config) -> String {
    let dfft = report.dfft.per_second();
    let best = report.regorus_best();
    let mut o = serde_json::json!({
        "flows": report.flows,
        "agree": report.agree,
        "as_of": config.day.to_string(),
        "seed": config.seed,
        "dfft_per_s": dfft,
        "cedar_per_s": report.cedar.as_ref().map(EngineStats::per_second),
        "regorus_per_s": best.map(EngineStats::per_second),
        "regorus_path": best.map(|e| e.name),
        "dfft_vs_cedar": report.cedar.as_ref().map(|e| dfft / e.per_second()),
        "dfft_vs_regorus": best.map(|e| dfft / e.per_second()),
        "cedar_policies": report.cedar_policies,
        "rules_in_force": report.rules_in_force,
        "latency_flows": config.latency_flows.min(config.flows),
        "timer_overhead_ns": report.timer_overhead_ns,
    });
    for e in engines(report) {
        let key = e.name.replace(" (decide only)", "_decide_only").replace('-', "_");
        o[format!("{key}_flows")] = e.decisions.into();
        o[format!("{key}_per_s")] = e.per_second().into();
        o[format!("{key}_p50_ns")] = e.quantile(0.5).into();
        o[format!("{key}_p99_ns")] = e.quantile(0.99).into();
    }
    o.to_string()
}
