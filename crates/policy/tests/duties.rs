//! Every duty a constructor builds reads back as the same [`Duty`]; malformed transform duties
//! are refused when the policy is parsed, naming the constraint and what would be accepted.

use policy::{
    delete_after, drop_fields, encrypt, exclude, generalize, k_anonymity, no_onward_transfer, pseudonymize, Duty,
    DutyRule, Facts, Policy, PolicyError,
};
use serde_json::{json, Value};
use time::macros::datetime;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn in_permission(duty: &Value) -> Value {
    json!({ "@type": "Agreement", "permission": [{ "action": "use", "duty": [duty] }] })
}

/// The duty as the permission that carries it reports it.
fn read(duty: &Value) -> Result<Duty, PolicyError> {
    let policy = Policy::parse(&in_permission(duty))?;
    let verdict = policy.evaluate("use", &Facts::at(datetime!(2026-06-01 09:00 UTC)));
    assert!(verdict.permitted, "{:?}", verdict.reasons);
    Ok(verdict.duties[0].clone())
}

fn refused(duty: Value) -> PolicyError {
    match Policy::parse(&in_permission(&duty)) {
        Err(error) => error,
        Ok(_) => panic!("accepted: {duty:#}"),
    }
}

#[test]
fn every_constructor_reads_back_as_its_duty() {
    let cases = [
        (delete_after("P30D").expect("a valid duty"), Duty::Delete { within: Some("P30D".into()), by: None }),
        (pseudonymize(&["name", "email"]), Duty::Pseudonymize { fields: strings(&["name", "email"]) }),
        (pseudonymize(&[]), Duty::Pseudonymize { fields: vec![] }),
        (drop_fields(&["email", "phone"]).expect("a valid duty"), Duty::Drop { fields: strings(&["email", "phone"]) }),
        (
            generalize("birth_date", "year").expect("a valid duty"),
            Duty::Generalize { field: "birth_date".into(), to: "year".into() },
        ),
        (
            generalize("birth_date", "month").expect("a valid duty"),
            Duty::Generalize { field: "birth_date".into(), to: "month".into() },
        ),
        (
            generalize("age", "band:10").expect("a valid duty"),
            Duty::Generalize { field: "age".into(), to: "band:10".into() },
        ),
        (
            generalize("postcode", "prefix:3").expect("a valid duty"),
            Duty::Generalize { field: "postcode".into(), to: "prefix:3".into() },
        ),
        (
            exclude("subject_id", &["S-17", "S-42"]).expect("a valid duty"),
            Duty::Exclude { field: "subject_id".into(), values: strings(&["S-17", "S-42"]) },
        ),
        (
            k_anonymity(5, &["age", "region"]).expect("a valid duty"),
            Duty::KAnonymity { k: 5, quasi_identifiers: strings(&["age", "region"]) },
        ),
        (encrypt(), Duty::Encrypt),
        (no_onward_transfer(), Duty::NoOnwardTransfer),
    ];
    for (json, duty) in cases {
        assert_eq!(read(&json), Ok(duty.clone()), "{json:#}");
        // An obligation states the same duty.
        let obligation = json!({ "obligation": [json.clone()] });
        let verdict =
            Policy::parse(&obligation).expect("parses").evaluate("use", &Facts::at(datetime!(2026-06-01 09:00 UTC)));
        assert_eq!(verdict.duties, [duty], "{obligation:#}");
    }
}

#[test]
fn duties_serialize_with_their_kind() {
    let duty = Duty::KAnonymity { k: 5, quasi_identifiers: strings(&["age"]) };
    assert_eq!(
        serde_json::to_value(&duty).expect("serializes"),
        json!({ "kind": "kAnonymity", "k": 5, "quasiIdentifiers": ["age"] })
    );
    let duty = Duty::Generalize { field: "age".into(), to: "band:10".into() };
    assert_eq!(
        serde_json::to_value(&duty).expect("serializes"),
        json!({ "kind": "generalize", "field": "age", "to": "band:10" })
    );
    assert_eq!(serde_json::to_value(Duty::Encrypt).expect("serializes"), json!({ "kind": "encrypt" }));
}

#[test]
fn compact_names_and_single_values_are_read_too() {
    let duty = json!({ "action": "https://w3id.org/dfft/ns#drop", "constraint": [
        { "leftOperand": "https://w3id.org/dfft/ns#field", "operator": "eq", "rightOperand": "email" }
    ]});
    assert_eq!(read(&duty), Ok(Duty::Drop { fields: strings(&["email"]) }));
    let duty = json!({ "action": "https://w3id.org/dfft/ns#kAnonymity", "constraint": [
        { "leftOperand": "https://w3id.org/dfft/ns#field", "operator": "isAnyOf", "rightOperand": ["age"] },
        { "leftOperand": "https://w3id.org/dfft/ns#k", "operator": "eq", "rightOperand": "3" }
    ]});
    assert_eq!(read(&duty), Ok(Duty::KAnonymity { k: 3, quasi_identifiers: strings(&["age"]) }));
}

#[test]
fn constructors_refuse_what_no_duty_could_mean() {
    assert!(drop_fields(&[]).expect_err("refused").message.contains("at least one field name"));
    assert!(drop_fields(&["a", ""]).expect_err("refused").message.contains("not empty"));
    let error = generalize("age", "decade").expect_err("refused");
    assert_eq!(error.path, "to");
    assert!(
        error.message.contains("`decade` is not one of year, month, band:<width>, prefix:<n>"),
        "{}",
        error.message
    );
    assert!(generalize("age", "band:0").is_err());
    assert!(generalize("", "year").is_err());
    assert!(exclude("id", &[]).expect_err("refused").message.contains("at least one value"));
    assert!(k_anonymity(0, &["age"]).expect_err("refused").message.contains("at least 1"));
    assert!(k_anonymity(5, &[]).expect_err("refused").message.contains("at least one quasi-identifier"));
}

const DFFT: &str = "https://w3id.org/dfft/ns#";

fn term(left: &str, operator: &str, right: Value) -> Value {
    json!({ "leftOperand": format!("{DFFT}{left}"), "operator": operator, "rightOperand": right })
}

fn duty(action: &str, constraints: Vec<Value>) -> Value {
    json!({ "action": format!("{DFFT}{action}"), "constraint": constraints })
}

#[test]
fn malformed_transform_duties_are_refused_naming_the_constraint() {
    let cases = [
        (
            duty("generalize", vec![term("field", "eq", json!("age")), term("granularity", "eq", json!("decade"))]),
            "$.permission[0].duty[0]",
            "granularity `decade` is not one of year, month, band:<width>, prefix:<n>",
        ),
        (
            duty("generalize", vec![term("field", "eq", json!("age"))]),
            "$.permission[0].duty[0]",
            "dfft:generalize needs the constraint dfft:granularity eq \"year\"",
        ),
        (
            duty(
                "generalize",
                vec![term("field", "isAnyOf", json!(["a", "b"])), term("granularity", "eq", json!("year"))],
            ),
            "$.permission[0].duty[0].constraint[0]",
            "dfft:field takes `eq` with one non-empty value",
        ),
        (
            duty("drop", vec![term("field", "isNoneOf", json!(["email"]))]),
            "$.permission[0].duty[0].constraint[0]",
            "dfft:field takes `isAnyOf` with non-empty values (or `eq` with one)",
        ),
        (duty("drop", vec![]), "$.permission[0].duty[0]", "dfft:drop needs the constraint dfft:field isAnyOf"),
        (
            duty("drop", vec![term("field", "isAnyOf", json!(["email"])), term("field", "eq", json!("phone"))]),
            "$.permission[0].duty[0].constraint[1]",
            "`dfft:field` is given twice",
        ),
        (
            duty("exclude", vec![term("field", "eq", json!("id")), term("values", "isAnyOf", json!(["1"]))]),
            "$.permission[0].duty[0].constraint[1]",
            "`dfft:values` is not a term of this duty: dfft:exclude takes dfft:field and dfft:value",
        ),
        (
            duty("exclude", vec![term("field", "eq", json!("id")), term("value", "isAnyOf", json!([]))]),
            "$.permission[0].duty[0].constraint[1]",
            "dfft:value takes `isAnyOf` with non-empty values",
        ),
        (
            duty("kAnonymity", vec![term("k", "eq", json!("many")), term("field", "isAnyOf", json!(["age"]))]),
            "$.permission[0].duty[0]",
            "dfft:k `many` is not an integer ≥ 1",
        ),
        (
            duty("kAnonymity", vec![term("k", "eq", json!("0")), term("field", "isAnyOf", json!(["age"]))]),
            "$.permission[0].duty[0]",
            "dfft:k `0` is not an integer ≥ 1",
        ),
        (
            duty(
                "pseudonymize",
                vec![json!({ "or": [term("field", "eq", json!("a")), term("field", "eq", json!("b"))] })],
            ),
            "$.permission[0].duty[0].constraint[0]",
            "dfft:pseudonymize takes dfft:field, as plain constraints, not `or`",
        ),
        (
            duty("encrypt", vec![term("field", "eq", json!("a"))]),
            "$.permission[0].duty[0].constraint[0]",
            "dfft:encrypt takes no constraint",
        ),
    ];
    for (json, path, message) in cases {
        let error = refused(json.clone());
        assert_eq!(error.path, path, "{json:#}: {error}");
        assert!(error.message.contains(message), "{json:#}\n{}\nshould contain: {message}", error.message);
    }
    // In an obligation too.
    let obligation = json!({ "obligation": [duty("drop", vec![])] });
    let error = Policy::parse(&obligation).expect_err("refused");
    assert_eq!(error.path, "$.obligation[0]");
}

#[test]
fn unknown_dfft_actions_are_other_duties_and_hand_built_malformed_ones_too() {
    let unknown = json!({ "action": format!("{DFFT}shuffle") });
    assert_eq!(read(&unknown), Ok(Duty::Other { action: "dfft:shuffle".into() }));
    // A rule built without the parser: `of` cannot refuse, so the duty is Other, which a data
    // plane refuses as a dfft action it does not apply.
    let rule = DutyRule { id: None, path: "$".into(), action: "dfft:drop".into(), constraints: vec![] };
    assert_eq!(Duty::of(&rule), Duty::Other { action: "dfft:drop".into() });
    assert!(Duty::parse(&rule).expect_err("refused").message.contains("needs the constraint"));
}
