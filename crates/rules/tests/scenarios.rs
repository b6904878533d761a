//! The scenario suite: every `scenarios/*.toml` flow must get the verdict the law gives it.
//! Each scenario cites the legal source its expectation rests on.

use std::path::Path;

use rules::{Day, FlowInput, Rulebook};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    scenario: Vec<Scenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    name: String,
    flow: FlowInput,
    verdict: String,
    #[serde(default)]
    options_include: Vec<Vec<String>>,
    /// Rule ids whose obligations must be in the decision (e.g. the destination's import rules).
    #[serde(default)]
    obligations_from: Vec<String>,
    source: String,
}

#[test]
fn every_scenario_gets_the_verdict_the_law_gives_it() {
    let rulebook = Rulebook::embedded().expect("embedded rulebook is valid");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).expect("scenario dir").flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
        let text = std::fs::read_to_string(path).expect("readable scenario file");
        let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let fname = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        for s in file.scenario {
            total += 1;
            assert!(!s.source.trim().is_empty(), "{fname}: scenario '{}' has no legal source", s.name);
            assert!(s.flow.as_of.is_some(), "{fname}: scenario '{}' needs an as_of date so it stays true", s.name);
            let flow = match rulebook.resolve(&s.flow, Day::today()) {
                Ok(f) => f,
                Err(e) => {
                    failures.push(format!("{fname}: '{}': {e}", s.name));
                    continue;
                }
            };
            let decision = match rulebook.decide(&flow) {
                Ok(d) => d,
                Err(e) => {
                    failures.push(format!("{fname}: '{}': {e:?}", s.name));
                    continue;
                }
            };
            let report = rulebook.report(&flow, &decision);
            if report.verdict != s.verdict {
                failures.push(format!(
                    "{fname}: '{}': expected {}, got {}\n    source: {}\n    why: {}",
                    s.name,
                    s.verdict,
                    report.verdict,
                    s.source,
                    report.explanation.join(" | ")
                ));
                continue;
            }
            for rule in &s.obligations_from {
                if !report.obligations.iter().any(|o| &o.rule == rule) {
                    failures.push(format!("{fname}: '{}': no obligation from {rule}", s.name));
                }
            }
            for want in &s.options_include {
                let mut want = want.clone();
                want.sort();
                let found = report.options.iter().any(|o| {
                    let mut have = o.safeguards.clone();
                    have.sort();
                    have == want
                });
                if !found {
                    let have: Vec<String> = report.options.iter().map(|o| o.safeguards.join("+")).collect();
                    failures.push(format!(
                        "{fname}: '{}': option {} missing; options: {}",
                        s.name,
                        want.join("+"),
                        have.join(", ")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {total} scenarios failed:\n{}", failures.len(), failures.join("\n"));
    assert!(total >= 8, "the scenario suite has only {total} scenarios");
}
