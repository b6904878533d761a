//! Every supported left operand with every operator it takes, against facts that satisfy and
//! facts that violate it, plus missing facts and unsupported operands and operators.

use policy::{evaluate, Facts, Policy, RuleState, Satisfaction};
use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);

fn offer(constraint: Value) -> Value {
    json!({ "@id": "urn:offer", "@type": "Offer", "permission": [{ "action": "use", "constraint": [constraint] }] })
}

fn atomic(left: &str, operator: &str, right: Value) -> Value {
    json!({ "leftOperand": left, "operator": operator, "rightOperand": right })
}

/// The state of the single constraint of a one-permission offer.
fn state(constraint: Value, facts: &Facts) -> Satisfaction {
    let verdict = evaluate(&offer(constraint), "use", facts).unwrap_or_else(|e| panic!("{e}"));
    let state = verdict.rules[0].constraints[0].state;
    assert_eq!(verdict.permitted, state == Satisfaction::Satisfied, "{:#}", verdict.to_json());
    state
}

use Satisfaction::{Satisfied as S, Unknown as U, Violated as V};

#[test]
fn spatial() {
    let fr = Facts::at(NOW).with_jurisdiction("fr");
    let cases = [
        ("eq", json!("FR"), S),
        ("eq", json!("DE"), V),
        ("neq", json!("DE"), S),
        ("neq", json!("fr"), V),
        ("isAnyOf", json!(["DE", "FR"]), S),
        ("isAnyOf", json!(["DE", "IT"]), V),
        ("isNoneOf", json!(["DE", "IT"]), S),
        ("isNoneOf", json!(["FR"]), V),
    ];
    for (operator, right, expected) in cases {
        assert_eq!(state(atomic("spatial", operator, right.clone()), &fr), expected, "spatial {operator} {right}");
        assert_eq!(state(atomic("spatial", operator, right), &Facts::at(NOW)), U, "unknown jurisdiction");
    }
    let full = atomic("http://www.w3.org/ns/odrl/2/spatial", "http://www.w3.org/ns/odrl/2/eq", json!("FR"));
    assert_eq!(state(full, &fr), S);
}

#[test]
fn purpose() {
    let research = Facts::at(NOW).with_purpose("dpv:ResearchAndDevelopment");
    let cases = [
        ("eq", json!("dpv:ResearchAndDevelopment"), S),
        ("eq", json!("dpv:Marketing"), V),
        ("isA", json!("dpv:ResearchAndDevelopment"), S),
        ("isA", json!("dpv:Marketing"), V),
        ("neq", json!("dpv:Marketing"), S),
        ("isAnyOf", json!(["dpv:Marketing", "dpv:ResearchAndDevelopment"]), S),
        ("isAnyOf", json!(["dpv:Marketing"]), V),
        ("isNoneOf", json!(["dpv:Marketing"]), S),
        ("isNoneOf", json!(["dpv:ResearchAndDevelopment"]), V),
    ];
    for (operator, right, expected) in cases {
        assert_eq!(
            state(atomic("purpose", operator, right.clone()), &research),
            expected,
            "purpose {operator} {right}"
        );
        assert_eq!(state(atomic("purpose", operator, right), &Facts::at(NOW)), U);
    }
}

#[test]
fn certification() {
    let certified = Facts::at(NOW).with_certification("ISO27001").with_certification("SOC2");
    let cases = [
        ("eq", json!("ISO27001"), S),
        ("eq", json!("BSI-C5"), V),
        ("isAnyOf", json!(["BSI-C5", "SOC2"]), S),
        ("isAnyOf", json!(["BSI-C5"]), V),
        ("isAllOf", json!(["ISO27001", "SOC2"]), S),
        ("isAllOf", json!(["ISO27001", "BSI-C5"]), V),
        ("isNoneOf", json!(["BSI-C5"]), S),
        ("isNoneOf", json!(["SOC2"]), V),
    ];
    for left in ["dfft:certification", "https://w3id.org/dfft/ns#certification"] {
        for (operator, right, expected) in &cases {
            assert_eq!(state(atomic(left, operator, right.clone()), &certified), *expected, "{operator} {right}");
        }
    }
    // Holding nothing is a known fact, not an unknown one.
    assert_eq!(state(atomic("dfft:certification", "isAnyOf", json!(["SOC2"])), &Facts::at(NOW)), V);
}

#[test]
fn elapsed_time() {
    let started = Facts::at(NOW).with_agreement_started(datetime!(2026-01-01 09:00 UTC)); // 151 days
    let cases = [
        ("lteq", "P180D", S),
        ("lteq", "P151D", S),
        ("lteq", "P150D", V),
        ("lt", "P151D", V),
        ("lt", "P6M", S),
        ("gt", "P4M", S),
        ("gt", "P5M", V), // exactly five months: not more
        ("gt", "P151D", V),
        ("gteq", "P151D", S),
        ("eq", "P151D", S),
        ("eq", "PT1H", V),
        ("neq", "P1Y", S),
    ];
    for (operator, period, expected) in cases {
        let typed = json!({ "@value": period, "@type": "xsd:duration" });
        assert_eq!(
            state(atomic("elapsedTime", operator, typed), &started),
            expected,
            "elapsedTime {operator} {period}"
        );
        assert_eq!(state(atomic("elapsedTime", operator, json!(period)), &Facts::at(NOW)), U);
    }
}

#[test]
fn date_time() {
    let facts = Facts::at(NOW);
    let cases = [
        ("lt", "2026-06-01T09:00:01Z", S),
        ("lt", "2026-06-01T09:00:00Z", V),
        ("lteq", "2026-06-01T09:00:00Z", S),
        ("lteq", "2026-06-01T11:00:00+02:00", S),
        ("gt", "2026-06-01T08:59Z", S),
        ("gt", "2026-06-01T09:00Z", V),
        ("gteq", "2026-06-01T09:00:00.000Z", S),
        ("eq", "2026-06-01T09:00:00Z", S),
        ("neq", "2026-06-01T09:00:00Z", V),
        // A date is the whole day.
        ("lteq", "2026-06-01", S),
        ("lt", "2026-06-01", V),
        ("eq", "2026-06-01", S),
        ("gt", "2026-05-31", S),
        ("gteq", "2026-06-02", V),
    ];
    for (operator, at, expected) in cases {
        assert_eq!(state(atomic("dateTime", operator, json!(at)), &facts), expected, "dateTime {operator} {at}");
    }
    let typed = json!({ "@value": "2027-01-01", "@type": "http://www.w3.org/2001/XMLSchema#date" });
    assert_eq!(state(atomic("dateTime", "lt", typed), &facts), S);
}

#[test]
fn count() {
    let fifth_use = Facts::at(NOW).with_use_count(4);
    let cases = [
        ("lteq", json!("5"), S),
        ("lteq", json!("4"), V),
        ("lt", json!("6"), S),
        ("lt", json!("5"), V),
        ("eq", json!({ "@value": "5", "@type": "xsd:integer" }), S),
        ("neq", json!("5"), V),
        ("gt", json!("4"), S),
        ("gteq", json!(6), V),
    ];
    for (operator, right, expected) in cases {
        assert_eq!(state(atomic("count", operator, right.clone()), &fifth_use), expected, "count {operator} {right}");
    }
}

#[test]
fn unsupported_operands_and_operators_are_unknown_and_say_what_is_supported() {
    let facts = Facts::at(NOW).with_jurisdiction("DE");
    for (constraint, says) in [
        (
            atomic("payAmount", "lteq", json!("10")),
            "left operand `payAmount` is not supported (supported: spatial, purpose",
        ),
        (atomic("https://example.org/x", "eq", json!("y")), "`https://example.org/x` is not supported"),
        (
            atomic("spatial", "gt", json!("DE")),
            "operator `gt` is not supported for `spatial` (supported: eq, neq, isAnyOf, isNoneOf)",
        ),
        (atomic("dateTime", "term-lteq", json!("x")), "operator `term-lteq` is not supported for `dateTime`"),
    ] {
        let verdict = evaluate(&offer(constraint), "use", &facts).unwrap_or_else(|e| panic!("{e}"));
        assert!(!verdict.permitted);
        assert_eq!(verdict.rules[0].constraints[0].state, U);
        assert_eq!(verdict.rules[0].state, RuleState::Unknown);
        assert!(verdict.reasons[0].contains(says), "{:?} lacks {says}", verdict.reasons);
    }
}

#[test]
fn reasons_name_the_constraint_and_what_would_satisfy_it() {
    let policy = offer(atomic("spatial", "isAnyOf", json!(["DE", "FR"])));
    let verdict = evaluate(&policy, "use", &Facts::at(NOW).with_jurisdiction("US")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verdict.reasons,
        ["permission $.permission[0] (use) is not active: constraint `spatial isAnyOf [DE, FR]` at $.permission[0].constraint[0] is violated: the recipient's jurisdiction must be one of DE, FR; it is US"]
    );
    let retention = offer(atomic("elapsedTime", "lteq", json!("P30D")));
    let late = Facts::at(NOW).with_agreement_started(datetime!(2026-01-01 00:00 UTC));
    let verdict = evaluate(&retention, "use", &late).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        verdict.reasons[0]
            .contains("at most P30D may have passed since the agreement started (that is 2026-01-31T00:00:00Z)"),
        "{:?}",
        verdict.reasons
    );
}

#[test]
fn a_parsed_policy_evaluates_many_requests() {
    let policy = Policy::parse(&offer(atomic("count", "lteq", json!("3")))).unwrap_or_else(|e| panic!("{e}"));
    let permitted: Vec<bool> =
        (0..5).map(|used| policy.evaluate("use", &Facts::at(NOW).with_use_count(used)).permitted).collect();
    assert_eq!(permitted, [true, true, true, false, false]);
}
