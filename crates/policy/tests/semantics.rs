//! Rule semantics: logical constraints, actions, parties and targets, prohibitions and conflict
//! strategies, duties, and malformed policies.

use policy::{evaluate, Conflict, Duty, Facts, PolicyError, RuleState, Satisfaction};
use serde_json::{json, Value};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);

fn run(policy: &Value, action: &str, facts: &Facts) -> policy::Evaluation {
    evaluate(policy, action, facts).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(policy: &Value) -> PolicyError {
    match evaluate(policy, "use", &Facts::at(NOW)) {
        Err(error) => error,
        Ok(evaluation) => panic!("accepted: {:#}", evaluation.to_json()),
    }
}

fn spatial(code: &str) -> Value {
    json!({ "leftOperand": "spatial", "operator": "eq", "rightOperand": code })
}

/// A constraint that is unknown for [`NOW`]-only facts.
fn unknown() -> Value {
    json!({ "leftOperand": "event", "operator": "eq", "rightOperand": "x" })
}

/// The state of a logical constraint over `DE`, `FR` (satisfied iff jurisdiction matches) and
/// unknown items, for a recipient in Germany.
fn logical(op: &str, items: Vec<Value>) -> Satisfaction {
    let count = items.len();
    let policy = json!({ "permission": [{ "action": "use", "constraint": [{ op: items }] }] });
    let verdict = run(&policy, "use", &Facts::at(NOW).with_jurisdiction("DE"));
    assert_eq!(verdict.rules[0].constraints[0].children.len(), count, "every item is reported");
    verdict.rules[0].constraints[0].state
}

use Satisfaction::{Satisfied as S, Unknown as U, Violated as V};

#[test]
fn logical_constraints_in_three_valued_logic() {
    let (yes, no, maybe) = (spatial("DE"), spatial("FR"), unknown());
    for op in ["and", "andSequence"] {
        assert_eq!(logical(op, vec![yes.clone(), yes.clone()]), S);
        assert_eq!(logical(op, vec![yes.clone(), no.clone()]), V);
        assert_eq!(logical(op, vec![yes.clone(), maybe.clone()]), U);
        assert_eq!(logical(op, vec![no.clone(), maybe.clone()]), V);
    }
    assert_eq!(logical("or", vec![no.clone(), yes.clone()]), S);
    assert_eq!(logical("or", vec![no.clone(), no.clone()]), V);
    assert_eq!(logical("or", vec![no.clone(), maybe.clone()]), U);
    assert_eq!(logical("or", vec![yes.clone(), maybe.clone()]), S);
    assert_eq!(logical("xone", vec![yes.clone(), no.clone()]), S);
    assert_eq!(logical("xone", vec![yes.clone(), yes.clone()]), V);
    assert_eq!(logical("xone", vec![no.clone(), no.clone()]), V);
    assert_eq!(logical("xone", vec![yes.clone(), maybe.clone()]), U);
    assert_eq!(logical("xone", vec![yes.clone(), yes.clone(), maybe.clone()]), V);
    // Nested, with full IRIs.
    let nested =
        json!({ "http://www.w3.org/ns/odrl/2/or": [{ "and": [yes, no.clone()] }, { "xone": [no, spatial("DE")] }] });
    assert_eq!(logical("and", vec![nested]), S);
}

#[test]
fn actions_follow_the_odrl_hierarchy() {
    let policy = json!({ "permission": [{ "action": "use" }], "prohibition": [{ "action": "odrl:print" }] });
    let facts = Facts::at(NOW);
    assert!(run(&policy, "use", &facts).permitted);
    assert!(run(&policy, "http://www.w3.org/ns/odrl/2/read", &facts).permitted);
    assert!(!run(&policy, "print", &facts).permitted);
    let sell = run(&policy, "sell", &facts);
    assert!(!sell.permitted);
    assert_eq!(sell.reasons, ["no permission covers `sell`: the policy permits `use`"]);
    assert_eq!(sell.rules[0].action_match, V);
}

#[test]
fn assignee_and_target_match_the_recipient_and_asset_or_their_groups() {
    let policy = json!({
        "@type": "Agreement", "assignee": "did:web:consumer.example", "target": "urn:dataset:1",
        "permission": [{ "action": "use" }]
    });
    let facts = Facts::at(NOW).with_recipient("did:web:consumer.example").with_target("urn:dataset:1");
    assert!(run(&policy, "use", &facts).permitted);
    let other = run(&policy, "use", &facts.clone().with_recipient("did:web:other.example"));
    assert!(!other.permitted);
    assert_eq!(other.rules[0].party_match, Some(V));
    assert!(other.reasons[0].contains("its assignee is not the recipient"), "{:?}", other.reasons);
    let unnamed = run(&policy, "use", &Facts::at(NOW).with_target("urn:dataset:1"));
    assert_eq!(unnamed.rules[0].state, RuleState::Unknown);
    assert!(!unnamed.permitted);
    let mut grouped = facts.clone().with_target("urn:dataset:2");
    grouped.target_groups.push("urn:dataset:1".into());
    assert!(run(&policy, "use", &grouped).permitted);
    let offer = json!({ "permission": [{ "action": "use" }] });
    assert_eq!(run(&offer, "use", &Facts::at(NOW)).rules[0].target_match, None);
}

#[test]
fn conflicts_follow_the_conflict_strategy() {
    let both = |conflict: Option<&str>| {
        let mut policy = json!({ "permission": [{ "action": "use" }], "prohibition": [{ "action": "use", "constraint": [spatial("US")] }] });
        if let Some(conflict) = conflict {
            policy["conflict"] = json!(conflict);
        }
        policy
    };
    let us = Facts::at(NOW).with_jurisdiction("US");
    let de = Facts::at(NOW).with_jurisdiction("DE");
    for (conflict, strategy) in
        [(None, Conflict::Invalid), (Some("invalid"), Conflict::Invalid), (Some("odrl:prohibit"), Conflict::Prohibit)]
    {
        let verdict = run(&both(conflict), "use", &us);
        assert_eq!(verdict.conflict, strategy);
        assert!(!verdict.permitted);
        assert!(
            verdict.reasons[0].starts_with("prohibition $.prohibition[0] (use) forbids `use`"),
            "{:?}",
            verdict.reasons
        );
        assert!(run(&both(conflict), "use", &de).permitted, "an inactive prohibition forbids nothing");
    }
    assert!(run(&both(Some("perm")), "use", &us).permitted);
    assert!(refused(&both(Some("permit"))).message.contains("perm, prohibit, invalid"));
}

#[test]
fn a_prohibition_that_may_apply_forbids() {
    let policy = json!({ "permission": [{ "action": "use" }], "prohibition": [{ "action": "use", "constraint": [spatial("US")] }] });
    let verdict = run(&policy, "use", &Facts::at(NOW));
    assert_eq!(verdict.rules[1].state, RuleState::Unknown);
    assert!(!verdict.permitted);
    assert!(verdict.reasons[0].contains("may forbid `use`: constraint `spatial eq US`"), "{:?}", verdict.reasons);
}

#[test]
fn duties_come_with_the_permission_that_grants() {
    let policy = json!({
        "permission": [
            { "action": "use", "constraint": [spatial("DE")], "duty": [
                policy::delete_after("P180D").unwrap_or_default(),
                policy::pseudonymize(&["name", "email"]),
                { "@id": "urn:duty:inform", "action": "inform" }
            ]},
            { "action": "use", "constraint": [spatial("FR")], "duty": [policy::no_onward_transfer()] }
        ],
        "obligation": [{ "action": "delete", "constraint": [{ "leftOperand": "dateTime", "operator": "lteq", "rightOperand": "2027-01-01" }] }]
    });
    let facts = Facts::at(NOW).with_jurisdiction("DE");
    let verdict = run(&policy, "use", &facts);
    assert!(verdict.permitted);
    assert_eq!(
        verdict.duties,
        [
            Duty::Delete { within: Some("P180D".into()), by: None },
            Duty::Pseudonymize { fields: vec!["name".into(), "email".into()] },
            Duty::Other { action: "inform".into() },
            Duty::Delete { within: None, by: Some("2027-01-01".into()) },
        ]
    );
    assert_eq!(verdict.rules[1].duties[0].duty, Duty::NoOnwardTransfer);
    let json = verdict.to_json();
    assert_eq!(json["duties"][0], json!({ "kind": "delete", "within": "P180D" }));
    assert_eq!(json["rules"][0]["state"], json!("active"));

    let mut violated = facts;
    violated.violated_duties.push("urn:duty:inform".into());
    let verdict = run(&policy, "use", &violated);
    assert!(!verdict.permitted);
    assert!(verdict.reasons[0].contains("its duty at $.permission[0].duty[2] was violated"), "{:?}", verdict.reasons);
}

#[test]
fn malformed_policies_name_the_path_and_what_is_accepted() {
    let cases = [
        (json!([]), "$", "a policy is a JSON object"),
        (json!({ "permission": [{ "constraint": [] }] }), "$.permission[0]", "a rule needs an `action`"),
        (json!({ "permission": ["use"] }), "$.permission[0]", "{\"action\": \"use\"}"),
        (
            json!({ "permission": [{ "action": "use", "constraint": [{ "leftOperand": "spatial", "operator": "eq" }] }] }),
            "$.permission[0].constraint[0]",
            "missing `rightOperand`",
        ),
        (
            json!({ "permission": [{ "action": "use", "constraint": [{ "leftOperand": "spatial", "operator": "eq", "rightOperand": "Germany" }] }] }),
            "$.permission[0].constraint[0].rightOperand",
            "not an ISO 3166-1 alpha-2 country code",
        ),
        (
            json!({ "permission": [{ "action": "use", "constraint": [{ "leftOperand": "spatial", "operator": "eq", "rightOperand": ["DE", "FR"] }] }] }),
            "$.permission[0].constraint[0].rightOperand",
            "exactly one value; for a list use isAnyOf",
        ),
        (
            json!({ "permission": [{ "action": "use", "constraint": [{ "leftOperand": "dateTime", "operator": "lt", "rightOperand": "soon" }] }] }),
            "$.permission[0].constraint[0].rightOperand",
            "expected e.g. \"2026-06-01T00:00:00Z\"",
        ),
        (
            json!({ "permission": [{ "action": "use", "constraint": [{ "leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "180 days" }] }] }),
            "$.permission[0].constraint[0].rightOperand",
            "expected e.g. \"P180D\"",
        ),
        (
            json!({ "permission": [{ "action": "use", "constraint": [{ "leftOperand": "count", "operator": "lteq", "rightOperand": "-1" }] }] }),
            "$.permission[0].constraint[0].rightOperand",
            "not a non-negative integer",
        ),
        (
            json!({ "permission": [{ "action": "use", "constraint": [{ "and": [], "or": [] }] }] }),
            "$.permission[0].constraint[0]",
            "exactly one of and, or, xone, andSequence",
        ),
        (
            json!({ "permission": [{ "action": { "rdf:value": { "@id": "odrl:print" }, "refinement": [] } }] }),
            "$.permission[0].action",
            "action refinements are not supported",
        ),
        (
            json!({ "prohibition": [{ "action": "use", "duty": [] }] }),
            "$.prohibition[0].duty",
            "only a permission carries duties",
        ),
    ];
    for (policy, path, says) in cases {
        let error = refused(&policy);
        assert_eq!(error.path, path, "{error}");
        assert!(error.message.contains(says), "{error} lacks {says}");
    }
}

#[test]
fn an_empty_policy_permits_nothing() {
    let verdict = run(&json!({ "@id": "urn:p" }), "use", &Facts::at(NOW));
    assert!(!verdict.permitted);
    assert_eq!(verdict.reasons, ["no permission covers `use`: the policy has no permission"]);
}

#[test]
fn an_obligation_is_in_force_whatever_its_terms() {
    let policy = json!({
        "permission": [{ "action": "use" }],
        "obligation": [{ "action": "delete", "constraint": [{ "leftOperand": "dateTime", "operator": "lteq", "rightOperand": "2026-01-01" }] }]
    });
    let verdict = run(&policy, "read", &Facts::at(NOW));
    assert!(verdict.permitted);
    assert_eq!(verdict.rules[1].state, RuleState::Active);
    assert_eq!(verdict.rules[1].constraints[0].state, V, "the deadline has passed: the report shows it");
    assert_eq!(verdict.duties, [Duty::Delete { within: None, by: Some("2026-01-01".into()) }]);
}
