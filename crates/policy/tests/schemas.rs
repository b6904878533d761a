//! The offers and duties this crate builds validate against the official DSP 2025-1 JSON
//! Schemas (loaded from the spec folder as in crates/dsp/tests/schemas.rs, with the published
//! `#definitions/X` references read as `#/definitions/X`), and evaluate as documented.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jsonschema::{Draft, Retrieve, Uri, Validator};
use policy::{
    default_offer, delete_after, drop_fields, encrypt, evaluate, exclude, generalize, k_anonymity, no_onward_transfer,
    pseudonymize, without_target, Duty, Facts,
};
use serde_json::{json, Value};
use time::macros::datetime;

struct LocalSchemas(HashMap<String, Value>);

impl Retrieve for LocalSchemas {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0.get(uri.as_str()).cloned().ok_or_else(|| format!("not in the spec folder: {}", uri.as_str()).into())
    }
}

fn fix_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(target) if key == "$ref" && target.contains("#definitions/") => {
                        *target = target.replace("#definitions/", "#/definitions/");
                    }
                    _ => fix_refs(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fix_refs),
        _ => {}
    }
}

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/dsp-2025-1")
}

fn read_schema(file: &str) -> Value {
    let path = spec_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    fix_refs(&mut schema);
    schema
}

/// A validator for `#/definitions/{definition}` of the contract schema (`Policy`, `Offer`,
/// `MessageOffer`, `Duty`, ...).
fn validator(definition: &str) -> Validator {
    let contract = read_schema("negotiation/contract-schema.json");
    let id = contract["$id"].as_str().unwrap_or_default().to_owned();
    let local = HashMap::from([(id.clone(), contract)]);
    let root = json!({ "$schema": "https://json-schema.org/draft/2019-09/schema", "$ref": format!("{id}#/definitions/{definition}") });
    jsonschema::options()
        .with_draft(Draft::Draft201909)
        .with_retriever(LocalSchemas(local))
        .build(&root)
        .unwrap_or_else(|e| panic!("{definition}: {e}"))
}

fn assert_valid(definition: &str, instance: &Value) {
    let errors: Vec<String> =
        validator(definition).iter_errors(instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{definition}: {instance:#}\n{}", errors.join("\n"));
}

fn duties() -> Vec<Value> {
    vec![
        delete_after("P180D").unwrap_or_default(),
        pseudonymize(&["name", "email"]),
        pseudonymize(&[]),
        no_onward_transfer(),
        drop_fields(&["email", "phone"]).unwrap_or_default(),
        generalize("birth_date", "year").unwrap_or_default(),
        generalize("age", "band:10").unwrap_or_default(),
        generalize("postcode", "prefix:3").unwrap_or_default(),
        exclude("subject_id", &["S-17", "S-42"]).unwrap_or_default(),
        k_anonymity(5, &["age", "postcode"]).unwrap_or_default(),
        encrypt(),
    ]
}

#[test]
fn the_duties_are_schema_valid_duties() {
    for duty in duties() {
        assert_valid("Duty", &duty);
        assert_valid("Permission", &json!({ "action": "use", "duty": [duty.clone()] }));
    }
    assert!(!validator("Duty").is_valid(&json!({ "constraint": [] })), "the schema is loaded: a duty needs an action");
}

#[test]
fn the_default_offer_is_a_schema_valid_offer_and_permits_use_with_its_duty() {
    let offer = default_offer("urn:offer:1", "urn:dataset:1");
    assert_valid("Policy", &offer);
    assert_valid("MessageOffer", &offer);
    let in_catalog = without_target(&offer);
    assert_valid("Offer", &in_catalog);
    assert!(!validator("Offer").is_valid(&offer), "a catalog offer must not name its target");

    let facts = Facts::at(datetime!(2026-06-01 09:00 UTC)).with_target("urn:dataset:1");
    let verdict = evaluate(&offer, "use", &facts).unwrap_or_else(|e| panic!("{e}"));
    assert!(verdict.permitted, "{:?}", verdict.reasons);
    assert_eq!(verdict.duties, [Duty::NoOnwardTransfer]);
    assert!(evaluate(&in_catalog, "use", &Facts::at(facts.now)).is_ok_and(|v| v.permitted));
}

#[test]
fn an_offer_with_every_operand_is_schema_valid() {
    let constraint = |left: &str, operator: &str, right: Value| json!({ "leftOperand": left, "operator": operator, "rightOperand": right });
    let offer = json!({
        "@id": "urn:offer:2", "@type": "Offer",
        "permission": [{
            "action": "use",
            "constraint": [
                constraint("spatial", "isAnyOf", json!(["DE", "FR"])),
                constraint("purpose", "isA", json!("https://w3id.org/dpv#ResearchAndDevelopment")),
                constraint("https://w3id.org/dfft/ns#certification", "isAllOf", json!(["ISO27001"])),
                constraint("elapsedTime", "lteq", json!({ "@value": "P180D", "@type": "xsd:duration" })),
                constraint("dateTime", "lt", json!("2027-01-01T00:00:00Z")),
                constraint("count", "lteq", json!({ "@value": "10", "@type": "xsd:integer" })),
                { "or": [constraint("spatial", "eq", json!("IT")), constraint("spatial", "eq", json!("ES"))] }
            ],
            "duty": duties()
        }]
    });
    assert_valid("Offer", &offer);
    let facts = Facts::at(datetime!(2026-06-01 09:00 UTC))
        .with_jurisdiction("DE")
        .with_purpose("https://w3id.org/dpv#ResearchAndDevelopment")
        .with_certification("ISO27001")
        .with_agreement_started(datetime!(2026-05-01 00:00 UTC))
        .with_use_count(3);
    let verdict = evaluate(&offer, "use", &facts).unwrap_or_else(|e| panic!("{e}"));
    assert!(!verdict.permitted, "the `or` over IT and ES is violated");
    assert_eq!(verdict.rules[0].constraints.iter().filter(|c| c.state == policy::Satisfaction::Satisfied).count(), 6);
    assert!(evaluate(&offer, "use", &facts.with_jurisdiction("IT")).is_ok_and(|v| !v.permitted), "IT is not DE or FR");
}
