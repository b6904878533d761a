//! Properties over random constraints, policies and facts.

use policy::{evaluate, Facts, Satisfaction};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use serde_json::{json, Value};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);
const CODES: [&str; 3] = ["DE", "FR", "US"];
const CERTS: [&str; 3] = ["ISO27001", "SOC2", "BSI-C5"];
const ORDER: [&str; 6] = ["eq", "neq", "lt", "lteq", "gt", "gteq"];

fn atomic(left: &str, operator: &str, right: Value) -> Value {
    json!({ "leftOperand": left, "operator": operator, "rightOperand": right })
}

/// Any constraint of the supported kinds, plus one this crate does not know.
fn constraint() -> impl Strategy<Value = Value> {
    prop_oneof![
        (select(&CODES[..]), select(&["eq", "neq"][..])).prop_map(|(c, op)| atomic("spatial", op, json!(c))),
        (subsequence(&CODES[..], 1..=3), select(&["isAnyOf", "isNoneOf"][..])).prop_map(|(cs, op)| atomic(
            "spatial",
            op,
            json!(cs)
        )),
        (-3i64..3, select(&ORDER[..])).prop_map(|(days, op)| {
            let at = NOW + Duration::days(days);
            atomic("dateTime", op, json!(format!("{}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day())))
        }),
        (0u64..6, select(&ORDER[..])).prop_map(|(n, op)| atomic("count", op, json!(n.to_string()))),
        (subsequence(&CERTS[..], 1..=3), select(&["isAnyOf", "isAllOf", "isNoneOf"][..])).prop_map(|(cs, op)| atomic(
            "dfft:certification",
            op,
            json!(cs)
        )),
        Just(atomic("event", "gt", json!("x"))),
    ]
}

fn facts() -> impl Strategy<Value = Facts> {
    (proptest::option::of(select(&CODES[..])), 0u64..6, subsequence(&CERTS[..], 0..=3)).prop_map(
        |(code, uses, certs)| {
            let mut facts = Facts::at(NOW).with_use_count(uses);
            facts.recipient_jurisdiction = code.map(str::to_owned);
            facts.certifications = certs.into_iter().map(str::to_owned).collect();
            facts
        },
    )
}

fn state_of(constraint: &Value, facts: &Facts) -> Satisfaction {
    let policy = json!({ "permission": [{ "action": "use", "constraint": [constraint] }] });
    let verdict = evaluate(&policy, "use", facts).unwrap_or_else(|e| panic!("{e}"));
    verdict.rules[0].constraints[0].state
}

fn rule(action: &str, constraints: Vec<Value>) -> Value {
    json!({ "action": action, "constraint": constraints })
}

proptest! {
    #[test]
    fn and_is_satisfied_iff_each_item_is(items in prop::collection::vec(constraint(), 1..5), facts in facts()) {
        let states: Vec<Satisfaction> = items.iter().map(|c| state_of(c, &facts)).collect();
        for op in ["and", "andSequence"] {
            let combined = state_of(&json!({ op: items.clone() }), &facts);
            prop_assert_eq!(combined == Satisfaction::Satisfied, states.iter().all(|s| *s == Satisfaction::Satisfied));
            prop_assert_eq!(combined == Satisfaction::Violated, states.contains(&Satisfaction::Violated));
        }
        // A permission with the items as separate constraints is active exactly when their `and` is.
        let separate = json!({ "permission": [rule("use", items.clone())] });
        let permitted = evaluate(&separate, "use", &facts).map(|v| v.permitted);
        prop_assert_eq!(permitted, Ok(states.iter().all(|s| *s == Satisfaction::Satisfied)));
    }

    #[test]
    fn or_is_satisfied_iff_some_item_is(items in prop::collection::vec(constraint(), 1..5), facts in facts()) {
        let states: Vec<Satisfaction> = items.iter().map(|c| state_of(c, &facts)).collect();
        let combined = state_of(&json!({ "or": items }), &facts);
        prop_assert_eq!(combined == Satisfaction::Satisfied, states.contains(&Satisfaction::Satisfied));
        prop_assert_eq!(combined == Satisfaction::Violated, states.iter().all(|s| *s == Satisfaction::Violated));
    }

    #[test]
    fn xone_is_satisfied_iff_exactly_one_item_is_and_none_unknown(items in prop::collection::vec(constraint(), 1..5), facts in facts()) {
        let states: Vec<Satisfaction> = items.iter().map(|c| state_of(c, &facts)).collect();
        let satisfied = states.iter().filter(|s| **s == Satisfaction::Satisfied).count();
        let combined = state_of(&json!({ "xone": items }), &facts);
        prop_assert_eq!(combined == Satisfaction::Satisfied, satisfied == 1 && !states.contains(&Satisfaction::Unknown));
    }

    #[test]
    fn adding_a_prohibition_never_turns_a_denial_into_a_permission(
        permissions in prop::collection::vec((select(&["use", "read", "sell"][..]), prop::collection::vec(constraint(), 0..3)), 0..3),
        prohibitions in prop::collection::vec((select(&["use", "read", "print"][..]), prop::collection::vec(constraint(), 0..3)), 0..2),
        extra in (select(&["use", "read", "print", "distribute"][..]), prop::collection::vec(constraint(), 0..3)),
        conflict in select(&["perm", "prohibit", "invalid"][..]),
        action in select(&["use", "read", "print", "sell"][..]),
        facts in facts(),
    ) {
        let rules = |list: &[(&str, Vec<Value>)]| list.iter().map(|(a, cs)| rule(a, cs.clone())).collect::<Vec<_>>();
        let mut policy = json!({ "conflict": conflict, "permission": rules(&permissions), "prohibition": rules(&prohibitions) });
        let before = evaluate(&policy, action, &facts).map(|v| v.permitted);
        if let Some(list) = policy["prohibition"].as_array_mut() {
            list.push(rule(extra.0, extra.1));
        }
        let after = evaluate(&policy, action, &facts).map(|v| v.permitted);
        prop_assert!(before.is_ok() && after.is_ok());
        prop_assert!(before == Ok(true) || after == Ok(false), "denied before, permitted after");
    }

    #[test]
    fn the_verdict_does_not_depend_on_constraint_order(items in prop::collection::vec(constraint(), 0..5), facts in facts()) {
        let forward = json!({ "permission": [rule("use", items.clone())] });
        let backward = json!({ "permission": [rule("use", items.into_iter().rev().collect())] });
        prop_assert_eq!(evaluate(&forward, "use", &facts).map(|v| v.permitted), evaluate(&backward, "use", &facts).map(|v| v.permitted));
    }

    #[test]
    fn any_json_is_evaluated_or_refused_without_panicking(policy in json_value(4)) {
        let outcome = evaluate(&policy, "use", &Facts::at(NOW));
        prop_assert!(outcome.is_ok() || outcome.is_err_and(|e| e.path.starts_with('$') && !e.message.is_empty()));
    }
}

const KEYS: [&str; 17] = [
    "permission",
    "prohibition",
    "obligation",
    "action",
    "constraint",
    "leftOperand",
    "operator",
    "rightOperand",
    "and",
    "or",
    "xone",
    "duty",
    "conflict",
    "@id",
    "target",
    "assignee",
    "@value",
];
const WORDS: [&str; 12] =
    ["use", "spatial", "dateTime", "count", "eq", "isAnyOf", "lteq", "DE", "P1D", "2026-01-01", "perm", "x"];

/// Random JSON biased towards ODRL keys and values.
fn json_value(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        select(&WORDS[..]).prop_map(Value::from),
    ];
    leaf.prop_recursive(depth, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((select(&KEYS[..]), inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}
