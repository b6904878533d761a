//! The three-way agreement check on a few thousand flows, so the Cedar and Rego translations
//! cannot drift from the rulebook or the engine: every verdict, basis and option set must match.

use bench::{Config, Engines};
use rules::{Day, Rulebook, Sources};

fn agree(rulebook: &Rulebook, day: &str, flows: usize, seed: u64) -> bench::RunReport {
    let day = Day::parse(day).expect("date");
    let mut loaded = bench::load(rulebook, day).expect("the translations load and validate");
    let mut config = Config::new(flows, day);
    config.seed = seed;
    config.latency_flows = 0;
    config.engines = Engines { cedar: true, regorus: true, rvm: true };
    let report = bench::run(rulebook, &mut loaded, &config).expect("run");
    assert_eq!(report.flows, flows as u64);
    assert!(
        report.agree == report.flows,
        "{} of {} flows disagree; first ones:\n{}",
        report.flows - report.agree,
        report.flows,
        report.mismatches.join("\n")
    );
    report
}

#[test]
fn cedar_rego_and_dfft_agree_on_the_default_day() {
    let rulebook = Rulebook::embedded().expect("the embedded rulebook is valid");
    let report = agree(&rulebook, "2026-06-01", 3000, 2026);
    // The sample exercises every verdict.
    for (i, what) in ["allow", "conditional", "approval", "deny"].iter().enumerate() {
        assert!(report.verdicts[i] > 0, "no {what} verdict among the flows");
    }
}

#[test]
fn cedar_rego_and_dfft_agree_on_an_earlier_day() {
    // Other rules, set members and governing laws are in force (the UK in the EU's sets, laws
    // the rulebook does not model yet).
    let rulebook = Rulebook::embedded().expect("the embedded rulebook is valid");
    agree(&rulebook, "2019-06-01", 1500, 7);
}

/// Rule shapes the rulebook does not use yet: import restrictions (deny and require), a
/// restriction that adds a mechanism only an authority grants, mixed set and country
/// destinations with an exception, certifications, purposes and both subject bounds.
const EXTRA_RULES: &str = r#"

[[route]]
id = "bench-test-mixed-places"
kind = "contract"
summary = "Test rule: transfers to countries of concern, the US or India except Russia, not for marketing, with BCRs approved by the authority."
to = ["us-countries-of-concern", "US", "IN"]
not_to = ["RU"]
not_purposes = ["marketing"]
requires = ["bcr", "tia"]
approval = ["bcr"]
importer_certifications_any = ["dpf", "global-cbpr"]
subjects_above = 10
subjects_up_to = 1000000
citation = { instrument = "Test", article = "1", url = "https://example.org/test" }

[[restriction]]
id = "bench-test-export-require"
kind = "condition"
effect = "require"
summary = "Test rule: exports of employee data by public bodies need a TIA and BCRs approved by the authority."
data_any = ["employee"]
exporter_roles_any = ["public-body"]
not_purposes = ["hr-management"]
requires = ["tia", "bcr"]
approval = ["bcr"]
citation = { instrument = "Test", article = "2", url = "https://example.org/test" }

[[restriction]]
id = "bench-test-import-deny"
kind = "prohibition"
effect = "deny"
direction = "import"
summary = "Test rule: no sensitive data may be imported from the EEA or the US above 1000 people."
origins = ["eea", "US"]
data_any = ["sensitive"]
subjects_above = 1000
citation = { instrument = "Test", article = "3", url = "https://example.org/test" }

[[restriction]]
id = "bench-test-import-require"
kind = "condition"
effect = "require"
direction = "import"
summary = "Test rule: imports to public bodies need an authorisation and a TIA."
importer_roles_any = ["public-body"]
requires = ["authorisation", "tia"]
citation = { instrument = "Test", article = "4", url = "https://example.org/test" }
"#;

#[test]
fn translations_cover_rule_shapes_the_rulebook_does_not_use_yet() {
    let mut sources = Sources::embedded();
    let file = sources.files.iter_mut().find(|f| f.path == "jurisdictions/EU.toml").expect("EU.toml");
    file.text.push_str(EXTRA_RULES);
    let rulebook = Rulebook::from_sources(&sources).expect("the extended rulebook is valid");
    let rules = rulebook.rules.iter().filter(|r| r.id.starts_with("EU.bench-test-")).count();
    assert_eq!(rules, 4);
    let report = agree(&rulebook, "2026-06-01", 4000, 99);
    assert!(report.verdicts[3] > 0, "no deny among the flows");

    // The sample reaches the new rules: import restrictions match, the new route applies.
    let day = Day::parse("2026-06-01").expect("date");
    let route = rulebook.rules.iter().position(|r| r.id == "EU.bench-test-mixed-places").expect("route");
    let mut gen = rules::gen::FlowGen::new(&rulebook, 99);
    let (mut imports, mut routes) = (0, 0);
    for _ in 0..4000 {
        let flow = rules::Flow { as_of: day, ..gen.flow() };
        let Ok(d) = rulebook.decide(&flow) else { continue };
        imports += usize::from(d.import_matched != 0);
        let exports = &rulebook.tables.exports;
        let list = exports.list(exports.at(d.exporter, flow.to, day), rules::engine::ROUTES);
        let candidate = list.enumerate().any(|(i, r)| usize::from(r.rule) == route && d.candidates & (1 << i) != 0);
        routes += usize::from(d.route == Some(route as u16) || candidate);
    }
    assert!(imports >= 50 && routes >= 5, "import restrictions matched {imports} flows, the new route {routes}");
}
