//! The public ODRL evaluator test suite (SolidLab ODRL-Test-Suite, `shared/specs/odrl-test-suite`,
//! see its SOURCE.md): 68 cases, each a policy, a request, a state of the world and the expected
//! compliance report. Each case's policy becomes compact JSON-LD, its request the action asked
//! for with the recipient and target, and its state of the world the [`policy::Facts`] (now,
//! party and asset collection memberships, violated duties). A case passes when every rule's
//! activation and every premise's satisfaction (action, target, party, each constraint by id)
//! equal the expected report's.
//!
//! Cases this crate deliberately does not support are listed in [`SKIPPED`] with the reason, and
//! the test checks that the reason holds; the number of passing cases is asserted exactly.

#[path = "suite/convert.rs"]
mod convert;
#[path = "suite/graph.rs"]
mod graph;

use std::path::PathBuf;

use graph::{load_dir, Graph, EX, RDF_TYPE};
use policy::Policy;

/// Cases not run, by number, with why. Each is checked: the policy must be refused for exactly
/// that reason.
const SKIPPED: &[(&str, &str)] = &[
    ("001", NO_ACTION),
    ("002", NO_ACTION),
    ("003", NO_ACTION),
    ("004", NO_ACTION),
    ("005", NO_ACTION),
    ("006", NO_ACTION),
];

/// Policies 1 and 2 ("everybody can do everything" / "nobody can do anything") have a rule with no
/// action, which the suite reads as "any action". ODRL 2.2 requires exactly one action per rule,
/// and a permission for every action is not something a node should grant by omission: such a
/// policy is refused as malformed.
const NO_ACTION: &str = "a rule needs an `action`";

/// How many of the 68 cases pass; a regression changes it.
const PASSING: usize = 62;

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/odrl-test-suite")
}

/// The graph (among `graphs`) that describes `iri`.
fn describing<'a>(graphs: &'a [Graph], iri: &str) -> &'a Graph {
    graphs.iter().find(|g| g.object(iri, RDF_TYPE).is_some()).unwrap_or_else(|| panic!("no file describes {iri}"))
}

#[test]
fn odrl_evaluator_test_suite() {
    let dir = suite_dir();
    let cases = load_dir(&dir.join("test_cases"));
    let policies = load_dir(&dir.join("policies"));
    let requests = load_dir(&dir.join("requests"));
    let worlds = load_dir(&dir.join("sotw"));
    assert_eq!(cases.len(), 68, "the suite has 68 cases");

    let mut passed = Vec::new();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for case in &cases {
        let number = case.file.trim_start_matches("testcase-").get(..3).unwrap_or_default().to_owned();
        let ids = case.of_type(&format!("{EX}TestCase"));
        let [id] = ids.as_slice() else { panic!("{}: expected one ex:TestCase", case.file) };
        let link =
            |key: &str| case.iri(id, &format!("{EX}{key}")).unwrap_or_else(|| panic!("{}: no ex:{key}", case.file));
        let (policy_iri, request_iri, sotw_iri) = (link("policy"), link("request"), link("sotw"));

        let policy_json = convert::policy_json(describing(&policies, &policy_iri), &policy_iri);
        let parsed = Policy::parse(&policy_json);
        if let Some((_, reason)) = SKIPPED.iter().find(|(n, _)| *n == number) {
            match &parsed {
                Err(error) if error.message.contains(reason) => skipped.push(format!("{} ({reason})", case.file)),
                other => failures.push(format!("{}: listed as skipped ({reason}) but parsed as {other:?}", case.file)),
            }
            continue;
        }
        let policy = match parsed {
            Ok(policy) => policy,
            Err(error) => {
                failures.push(format!("{}: policy refused: {error}", case.file));
                continue;
            }
        };
        let (action, facts) = convert::request_and_facts(
            describing(&requests, &request_iri),
            &request_iri,
            describing(&worlds, &sotw_iri),
            &sotw_iri,
        );
        let evaluation = policy.evaluate(&action, &facts);
        let expected = convert::expected(case, &link("expectedReport"));
        let actual = convert::actual(&evaluation);
        if expected == actual {
            passed.push(case.file.clone());
        } else {
            failures.push(format!("{}:\n  expected {expected:?}\n  actual   {actual:?}", case.file));
        }
    }
    println!("ODRL test suite: {} passed, {} skipped, {} failed", passed.len(), skipped.len(), failures.len());
    for line in &skipped {
        println!("skipped {line}");
    }
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(skipped.len(), SKIPPED.len());
    assert_eq!(passed.len(), PASSING, "passing cases changed");
    assert_eq!(passed.len() + skipped.len(), 68);
}
