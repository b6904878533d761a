//! Laws the decision engine must obey on every flow, checked on generated flows over the real
//! rulebook: safeguards never hurt, more subjects never help, deny is final, decisions are
//! deterministic and independent of rule order, and the rulebook round-trips through its parser.

use std::sync::OnceLock;

use proptest::prelude::*;
use rules::engine::Flow;
use rules::{Day, Rulebook, Sources};

fn rulebook() -> &'static Rulebook {
    static RB: OnceLock<Rulebook> = OnceLock::new();
    RB.get_or_init(|| Rulebook::embedded().expect("embedded rulebook is valid"))
}

/// Any flow over the rulebook's vocabulary, with an exporter some jurisdiction governs.
fn arb_flow() -> impl Strategy<Value = Flow> {
    let rb = rulebook();
    let exporters: Vec<u16> = rb.jurisdictions.iter().flat_map(|j| j.members.iter().map(|m| m.0)).collect();
    let countries = rb.countries.len() as u16;
    let v = &rb.vocab;
    let cat_mask = (1u32 << v.categories.len()) - 1;
    let role_mask = (1u32 << v.roles.len()) - 1;
    let cert_mask = (1u32 << v.certifications.len()) - 1;
    let mech_mask = if v.mechanisms.len() >= 64 { u64::MAX } else { (1u64 << v.mechanisms.len()) - 1 };
    let purposes = v.purposes.len() as u8;
    let thresholds: Vec<u64> =
        vec![0, 1, 999, 1_000, 1_001, 9_999, 10_000, 10_001, 99_999, 100_000, 100_001, 999_999, 1_000_000, 1_000_001];
    let first = Day::parse("2018-01-01").expect("date").0;
    let last = Day::parse("2027-12-31").expect("date").0;
    (
        prop::sample::select(exporters.clone()),
        prop_oneof![prop::sample::select(exporters), 0..countries],
        (1..=cat_mask).prop_map(move |m| m & cat_mask).prop_filter("some data", |m| *m != 0),
        prop_oneof![prop::sample::select(thresholds), 0u64..20_000_000],
        prop::option::weighted(0.9, 0..purposes),
        (any::<u32>(), any::<u32>(), any::<u32>()),
        any::<u64>(),
        first..=last,
    )
        .prop_map(move |(from, to, data, subjects, purpose, (er, ir, certs), safeguards, day)| Flow {
            from,
            to,
            data,
            subjects,
            purpose,
            // Sparse role, certification and safeguard sets, like real flows.
            exporter_roles: er & (er >> 7) & (er >> 13) & role_mask,
            importer_roles: ir & (ir >> 5) & (ir >> 11) & role_mask,
            certifications: certs & (certs >> 3) & cert_mask,
            safeguards: safeguards & (safeguards >> 9) & (safeguards >> 17) & mech_mask,
            as_of: Day(day),
        })
}

fn mechanism() -> impl Strategy<Value = u64> {
    (0..rulebook().vocab.mechanisms.len().min(64)).prop_map(|b| 1u64 << b)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_safeguard_never_makes_a_verdict_worse(flow in arb_flow(), m in mechanism()) {
        let rb = rulebook();
        let Ok(before) = rb.decide(&flow) else { return Ok(()) };
        let before = before.verdict;
        let after = rb.decide(&Flow { safeguards: flow.safeguards | m, ..flow }).expect("exporter is governed").verdict;
        prop_assert!(after <= before, "{before:?} became {after:?} after adding a safeguard: {flow:?}");
    }

    #[test]
    fn more_subjects_never_make_a_verdict_better(flow in arb_flow(), extra in 1u64..2_000_000) {
        let rb = rulebook();
        let Ok(before) = rb.decide(&flow) else { return Ok(()) };
        let before = before.verdict;
        let more = Flow { subjects: flow.subjects.saturating_add(extra), ..flow };
        let after = rb.decide(&more).expect("exporter is governed").verdict;
        prop_assert!(after >= before, "{before:?} became {after:?} with {} more subjects: {flow:?}", extra);
    }

    #[test]
    fn deny_stays_deny_whatever_safeguards_are_added(flow in arb_flow()) {
        let rb = rulebook();
        let Ok(d) = rb.decide(&flow) else { return Ok(()) };
        if d.verdict == rules::Verdict::Deny {
            let all = Flow { safeguards: u64::MAX, ..flow };
            prop_assert_eq!(rb.decide(&all).expect("governed").verdict, rules::Verdict::Deny);
        }
    }

    #[test]
    fn decisions_are_deterministic(flow in arb_flow()) {
        let rb = rulebook();
        prop_assert_eq!(rb.decide(&flow), rb.decide(&flow));
    }
}

/// The rulebook with every jurisdiction's rules, members and sets written in reverse order.
fn reordered() -> Rulebook {
    let rb = rulebook();
    let mut files = Vec::new();
    for (path, j) in &rb.written.jurisdictions {
        let mut j = j.clone();
        j.routes.reverse();
        j.restrictions.reverse();
        j.sets.reverse();
        j.members.reverse();
        files.push(rules::source::SourceFile { path: path.clone(), text: toml::to_string(&j).expect("serialises") });
    }
    let reversed: Vec<_> = Sources::embedded()
        .files
        .into_iter()
        .filter(|f| !f.path.starts_with("jurisdictions/"))
        .chain(files)
        .rev()
        .collect();
    Rulebook::from_sources(&Sources::new(reversed)).expect("reordered rulebook is valid")
}

#[test]
fn decisions_do_not_depend_on_rule_or_file_order() {
    let rb = rulebook();
    let other = reordered();
    assert_ne!(rb.release.digest, other.release.digest, "the files really were rewritten");
    let mut gen = rules::gen::FlowGen::new(rb, 7);
    for _ in 0..20_000 {
        let flow = gen.flow();
        let (a, b) = (rb.decide(&flow), other.decide(&flow));
        assert_eq!(a.is_ok(), b.is_ok(), "flow {flow:?}");
        let (Ok(a), Ok(b)) = (a, b) else { continue };
        let (mut ra, mut rb_) = (rb.report(&flow, &a), other.report(&flow, &b));
        ra.rulebook.digest.clear();
        rb_.rulebook.digest.clear();
        assert_eq!(ra, rb_, "flow {flow:?}");
    }
}

#[test]
fn the_rulebook_round_trips_through_its_own_parser() {
    let rb = rulebook();
    let w = &rb.written;
    for (path, j) in &w.jurisdictions {
        let text = toml::to_string(j).expect("serialises");
        let back: rules::model::JurisdictionFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
        assert_eq!(&back, j, "{path} changed in a round trip");
    }
    let vocab: rules::model::VocabularyFile =
        toml::from_str(&toml::to_string(&w.vocabulary).expect("ser")).expect("parses");
    assert_eq!(vocab, w.vocabulary);
    let countries: rules::model::CountriesFile =
        toml::from_str(&toml::to_string(&w.countries).expect("ser")).expect("parses");
    assert_eq!(countries, w.countries);
    for (path, s) in &w.sets {
        let back: rules::model::SetsFile = toml::from_str(&toml::to_string(s).expect("ser")).expect("parses");
        assert_eq!(&back, s, "{path}");
    }
}
