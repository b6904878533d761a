//! dfft's decision engine side by side with Cedar and Rego (regorus).
//!
//! The compiled rulebook is translated, for one day, into a Cedar schema + policy set + entities
//! (`cedar`) and a Rego module + data document (`rego`), both generated from the rulebook
//! (`view`). Random valid flows from a fixed seed (`rules::gen::FlowGen`, every flow dated that
//! day) are decided by all three engines; verdicts must agree for every flow, and so must the
//! basis of an `allow` (all three) and the options (dfft and Rego; Cedar cannot express them).
//!
//! Only the decision call is timed, per engine: inputs (dfft's resolved `Flow`, Cedar's
//! `Request`s, regorus's input `Value`) are built beforehand, chunk by chunk.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod cedar;
pub mod rego;
pub mod view;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use rules::engine::{Flow, Verdict};
use rules::flow::FlowInput;
use rules::gen::FlowGen;
use rules::{Day, Rulebook};

use crate::cedar::{CedarEngine, CedarRequests};
use crate::rego::RegoEngine;
use crate::view::View;

/// A decision's outcome; `Uncovered`: no law in the rulebook governs the origin on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Allow,
    Conditional,
    Approval,
    Deny,
    Uncovered,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Conditional => "conditional",
            Outcome::Approval => "approval",
            Outcome::Deny => "deny",
            Outcome::Uncovered => "uncovered",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Allow, Outcome::Conditional, Outcome::Approval, Outcome::Deny, Outcome::Uncovered]
            .into_iter()
            .find(|o| o.as_str() == s)
    }

    fn of(v: Verdict) -> Outcome {
        match v {
            Verdict::Allow => Outcome::Allow,
            Verdict::Conditional => Outcome::Conditional,
            Verdict::Approval => Outcome::Approval,
            Verdict::Deny => Outcome::Deny,
        }
    }
}

/// Options as comparable values: (missing mechanisms, certifications the importer must hold one
/// of (empty: none), needs an authority).
pub type OptionSet = BTreeSet<(BTreeSet<String>, BTreeSet<String>, bool)>;

/// One engine's full answer for a flow, as compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub outcome: Outcome,
    /// `allow` across a border: the id of the most preferred met route.
    pub basis: Option<String>,
    /// `None`: the engine does not express options.
    pub options: Option<OptionSet>,
}

/// dfft's answer, from the reference engine.
pub fn dfft_answer(rulebook: &Rulebook, flow: &Flow) -> Answer {
    match rulebook.tables.decide(flow) {
        Err(_) => Answer { outcome: Outcome::Uncovered, basis: None, options: Some(OptionSet::new()) },
        Ok(d) => {
            let options = rulebook
                .tables
                .options(flow, &d)
                .iter()
                .map(|o| {
                    let names = |terms: &rules::vocab::Terms, mask: u64| {
                        terms.names_of(mask).into_iter().map(String::from).collect::<BTreeSet<_>>()
                    };
                    (
                        names(&rulebook.vocab.mechanisms, o.missing),
                        names(&rulebook.vocab.certifications, u64::from(o.certs)),
                        o.approval,
                    )
                })
                .collect();
            let basis = d.route.and_then(|r| rulebook.rules.get(usize::from(r))).map(|r| r.id.clone());
            Answer { outcome: Outcome::of(d.verdict), basis, options: Some(options) }
        }
    }
}

/// Which engines to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Engines {
    pub cedar: bool,
    pub regorus: bool,
    pub rvm: bool,
}

impl Default for Engines {
    fn default() -> Self {
        Engines { cedar: true, regorus: true, rvm: true }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub flows: usize,
    pub seed: u64,
    pub day: Day,
    /// Flows per chunk: inputs are built for a chunk, then each engine decides the chunk.
    pub chunk: usize,
    /// Latencies are measured on the first this many flows (a separate pass, one timer pair per call).
    pub latency_flows: usize,
    /// regorus's interpreter (its slowest path) decides only the first this many flows.
    pub interpreter_flows: usize,
    pub engines: Engines,
    /// Mismatches printed in full (all are counted).
    pub show_mismatches: usize,
}

impl Config {
    pub fn new(flows: usize, day: Day) -> Config {
        Config {
            flows,
            seed: 2026,
            day,
            chunk: 2048,
            latency_flows: flows.min(100_000),
            interpreter_flows: flows.min(100_000),
            engines: Engines::default(),
            show_mismatches: 100,
        }
    }
}

/// Time and latencies of one engine.
#[derive(Debug, Clone, Default)]
pub struct EngineStats {
    pub name: &'static str,
    /// What one timed call does.
    pub call: &'static str,
    pub decisions: u64,
    pub busy: Duration,
    /// Per-call latencies in nanoseconds (first `latency_flows` flows).
    pub latencies: Vec<u64>,
}

impl EngineStats {
    fn new(name: &'static str, call: &'static str) -> EngineStats {
        EngineStats { name, call, ..EngineStats::default() }
    }

    pub fn per_second(&self) -> f64 {
        self.decisions as f64 / self.busy.as_secs_f64().max(1e-12)
    }

    /// The q-quantile latency in nanoseconds (nearest rank).
    pub fn quantile(&self, q: f64) -> u64 {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        if l.is_empty() {
            return 0;
        }
        let rank = ((q * l.len() as f64).ceil() as usize).clamp(1, l.len());
        l[rank - 1]
    }
}

/// Everything a run measured.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub flows: u64,
    /// Flows on which every engine run agreed with dfft on everything compared.
    pub agree: u64,
    pub mismatches: Vec<String>,
    pub verdicts: [u64; 5],
    pub dfft: EngineStats,
    /// dfft's `decide` alone (no options), for reference.
    pub dfft_decide_only: EngineStats,
    pub cedar: Option<EngineStats>,
    /// regorus's tree-walking interpreter.
    pub regorus: Option<EngineStats>,
    /// regorus's bytecode VM.
    pub rvm: Option<EngineStats>,
    pub cedar_policies: usize,
    pub rules_in_force: usize,
    /// Median cost of one empty timer pair, in nanoseconds (included in every latency).
    pub timer_overhead_ns: u64,
    /// Time to build inputs (not timed as decisions), per engine, in total.
    pub input_build: Vec<(&'static str, Duration)>,
    pub setup: Duration,
}

/// The engines loaded for one day.
pub struct Loaded {
    pub view: View,
    pub cedar: CedarEngine,
    pub rego: RegoEngine,
    pub cedar_policies: usize,
}

/// Translates and loads the rulebook for `day` (parse and validate once).
pub fn load(rulebook: &Rulebook, day: Day) -> Result<Loaded, String> {
    let view = View::new(rulebook, day)?;
    let sources = cedar::translate(&view);
    let dups = cedar::duplicate_ids(&sources);
    if !dups.is_empty() {
        return Err(format!("duplicate Cedar policy ids: {dups:?}"));
    }
    let cedar = CedarEngine::new(&view, &sources)?;
    let rego = RegoEngine::new(&rego::data_document(&view))?;
    let cedar_policies = cedar.policy_count();
    Ok(Loaded { view, cedar, rego, cedar_policies })
}

fn timer_overhead() -> u64 {
    let mut samples: Vec<u64> = (0..10_001)
        .map(|_| {
            let t = Instant::now();
            black_box(());
            t.elapsed().as_nanos() as u64
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

impl RunReport {
    /// regorus's faster evaluation path (the figure dfft is compared with).
    pub fn regorus_best(&self) -> Option<&EngineStats> {
        let paths = self.regorus.iter().chain(self.rvm.iter()).filter(|e| e.decisions > 0);
        paths.max_by(|a, b| a.per_second().total_cmp(&b.per_second()))
    }
}

/// Decides `config.flows` flows with every engine, checks agreement and measures.
pub fn run(rulebook: &Rulebook, loaded: &mut Loaded, config: &Config) -> Result<RunReport, String> {
    let started = Instant::now();
    let mut report = RunReport {
        dfft: EngineStats::new("dfft", "Tables::decide + Tables::options"),
        dfft_decide_only: EngineStats::new("dfft (decide only)", "Tables::decide"),
        cedar: config.engines.cedar.then(|| EngineStats::new("cedar", "up to 4 Authorizer::is_authorized")),
        regorus: config
            .engines
            .regorus
            .then(|| EngineStats::new("regorus-interpreter", "Engine::set_input + eval_rule")),
        rvm: config.engines.rvm.then(|| EngineStats::new("regorus-rvm", "RegoVM::set_input + execute (bytecode VM)")),
        cedar_policies: loaded.cedar_policies,
        rules_in_force: loaded.view.rules.len(),
        timer_overhead_ns: timer_overhead(),
        ..RunReport::default()
    };
    let mut build = [Duration::ZERO; 2];
    let mut gen = FlowGen::new(rulebook, config.seed);
    let tables = &rulebook.tables;
    let mut done = 0usize;
    while done < config.flows {
        let n = config.chunk.min(config.flows - done);
        let flows: Vec<Flow> = (0..n).map(|_| Flow { as_of: config.day, ..gen.flow() }).collect();
        let echoes: Vec<FlowInput> = flows.iter().map(|f| rulebook.echo(f)).collect();
        let latency = done < config.latency_flows;
        let lat_n = if latency { n.min(config.latency_flows - done) } else { 0 };

        // dfft: the flows are its input as they are.
        let t = Instant::now();
        for f in &flows {
            if let Ok(d) = tables.decide(black_box(f)) {
                black_box(tables.options(f, &d));
            }
        }
        report.dfft.busy += t.elapsed();
        report.dfft.decisions += n as u64;
        let t = Instant::now();
        for f in &flows {
            let _ = black_box(tables.decide(black_box(f)));
        }
        report.dfft_decide_only.busy += t.elapsed();
        report.dfft_decide_only.decisions += n as u64;
        for f in &flows[..lat_n] {
            let t = Instant::now();
            if let Ok(d) = tables.decide(black_box(f)) {
                black_box(tables.options(f, &d));
            }
            report.dfft.latencies.push(t.elapsed().as_nanos() as u64);
        }
        for f in &flows[..lat_n] {
            let t = Instant::now();
            let _ = black_box(tables.decide(black_box(f)));
            report.dfft_decide_only.latencies.push(t.elapsed().as_nanos() as u64);
        }

        // Cedar.
        let mut cedar_out: Vec<(Outcome, Option<u16>)> = Vec::new();
        if let Some(stats) = report.cedar.as_mut() {
            let t = Instant::now();
            let requests: Vec<CedarRequests> =
                echoes.iter().map(|e| loaded.cedar.requests(e)).collect::<Result<_, _>>()?;
            build[0] += t.elapsed();
            let t = Instant::now();
            cedar_out.extend(requests.iter().map(|r| loaded.cedar.decide(black_box(r))));
            stats.busy += t.elapsed();
            stats.decisions += n as u64;
            for r in &requests[..lat_n] {
                let t = Instant::now();
                black_box(loaded.cedar.decide(black_box(r)));
                stats.latencies.push(t.elapsed().as_nanos() as u64);
            }
        }

        // regorus: the input document is the flow as `dfft check --flow` reads it.
        let t = Instant::now();
        let inputs: Vec<regorus::Value> = if config.engines.regorus || config.engines.rvm {
            echoes
                .iter()
                .map(|e| serde_json::to_value(e).map(regorus::Value::from).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        build[1] += t.elapsed();
        let mut rego_out: Vec<Result<regorus::Value, String>> = Vec::new();
        let interpreter_n = n.min(config.interpreter_flows.saturating_sub(done));
        if let Some(stats) = report.regorus.as_mut().filter(|_| interpreter_n > 0) {
            let batch: Vec<regorus::Value> = inputs[..interpreter_n].to_vec();
            let t = Instant::now();
            for input in batch {
                rego_out.push(loaded.rego.decide_interpreter(input));
            }
            stats.busy += t.elapsed();
            stats.decisions += interpreter_n as u64;
            for input in inputs[..lat_n.min(interpreter_n)].iter().cloned() {
                let t = Instant::now();
                let v = loaded.rego.decide_interpreter(input);
                stats.latencies.push(t.elapsed().as_nanos() as u64);
                drop(black_box(v));
            }
        }
        let mut rvm_out: Vec<Result<regorus::Value, String>> = Vec::new();
        if let Some(stats) = report.rvm.as_mut() {
            let batch = inputs.clone();
            let t = Instant::now();
            for input in batch {
                rvm_out.push(loaded.rego.decide_vm(input));
            }
            stats.busy += t.elapsed();
            stats.decisions += n as u64;
            for input in inputs[..lat_n].iter().cloned() {
                let t = Instant::now();
                let v = loaded.rego.decide_vm(input);
                stats.latencies.push(t.elapsed().as_nanos() as u64);
                drop(black_box(v));
            }
        }

        // Agreement (not timed).
        for (i, flow) in flows.iter().enumerate() {
            let reference = dfft_answer(rulebook, flow);
            report.verdicts[reference.outcome as usize] += 1;
            let mut problems = Vec::new();
            if let Some((outcome, basis)) = cedar_out.get(i) {
                let basis = basis.and_then(|b| loaded.cedar.rule_ids.get(&b).cloned());
                let cedar = Answer { outcome: *outcome, basis, options: None };
                if cedar.outcome != reference.outcome || cedar.basis != reference.basis {
                    problems.push(format!("cedar: {} basis {:?}", cedar.outcome.as_str(), cedar.basis));
                }
            }
            for (name, out) in [("regorus-interpreter", rego_out.get(i)), ("regorus-rvm", rvm_out.get(i))] {
                let Some(out) = out else { continue };
                match out.as_ref().map_err(Clone::clone).and_then(rego::read_decision) {
                    Err(e) => problems.push(format!("{name}: error {e}")),
                    Ok((outcome, basis, options)) => {
                        let answer = Answer { outcome, basis, options: Some(options) };
                        if answer != reference {
                            problems.push(format!(
                                "{name}: {} basis {:?} options {:?}",
                                answer.outcome.as_str(),
                                answer.basis,
                                answer.options
                            ));
                        }
                    }
                }
            }
            if problems.is_empty() {
                report.agree += 1;
            } else if report.mismatches.len() < config.show_mismatches {
                let flow_json = serde_json::to_string(&echoes[i]).unwrap_or_default();
                report.mismatches.push(format!(
                    "flow {}: {flow_json}\n  dfft: {} basis {:?} options {:?}\n  {}",
                    done + i,
                    reference.outcome.as_str(),
                    reference.basis,
                    reference.options,
                    problems.join("\n  ")
                ));
            }
        }
        report.flows += n as u64;
        done += n;
    }
    report.input_build = vec![("cedar requests", build[0]), ("regorus input documents", build[1])];
    report.setup = started.elapsed();
    Ok(report)
}
