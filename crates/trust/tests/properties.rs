//! Properties over random JSON documents: signing then verifying round-trips, canonicalization is
//! a fixed point that ignores key order and whitespace, and no change of a single byte of the
//! proof value or of the document's meaning goes unnoticed.

use proptest::prelude::*;
use serde_json::{Map, Value};
use trust::{datetime, jcs, sign_value, verify, verify_value, KeyPair, ProofOptions, VerifyOptions};

fn now() -> time::OffsetDateTime {
    datetime::parse("2026-06-01T00:00:00Z").expect("timestamp")
}

fn issuer() -> KeyPair {
    KeyPair::from_seed(&[11; 32])
}

fn options() -> ProofOptions {
    ProofOptions::assertion(&issuer().public_key(), now())
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        (-1.0e6..1.0e6f64).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[a-zé€😂\\\\\"\\n\\t\u{7f}\u{1}]{0,8}".prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-cA-C@é😂\u{fb33}\u{80}]{0,4}"]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// A random credential-shaped document: an object with a context and random claims.
fn document() -> impl Strategy<Value = Value> {
    prop::collection::vec((key().prop_filter("not proof", |k| k != "proof" && k != "@context"), json()), 0..6).prop_map(
        |members| {
            let mut map: Map<String, Value> = members.into_iter().collect();
            map.insert("@context".into(), Value::from(vec!["https://www.w3.org/ns/credentials/v2"]));
            Value::Object(map)
        },
    )
}

/// The same value written with a different key order and spacing.
fn scrambled(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let members: Vec<String> = map
                .iter()
                .rev()
                .map(|(key, child)| format!(" {} :\n{} ", Value::from(key.as_str()), scrambled(child)))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => format!("[ {} ]", items.iter().map(scrambled).collect::<Vec<_>>().join(" ,\t")),
        other => other.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_round_trips(doc in document()) {
        let secured = sign_value(&doc, &options(), &issuer()).expect("any object can be signed");
        let verified = verify(&secured.to_string(), &VerifyOptions::new(now())).expect("own signatures verify");
        // Compared as JCS reads them: integers beyond 2^53 come back as the doubles that were signed.
        prop_assert_eq!(jcs::canonicalize(&verified.document).expect("jcs"), jcs::canonicalize(&doc).expect("jcs"));
        prop_assert_eq!(&verified.document["@context"], &doc["@context"]);
        prop_assert_eq!(verified.key, issuer().public_key());
    }

    #[test]
    fn canonical_form_is_a_fixed_point_independent_of_layout(value in json()) {
        let canonical = jcs::canonicalize(&value).expect("canonicalizes");
        prop_assert_eq!(jcs::canonicalize_str(&canonical).expect("reparses"), canonical.clone());
        prop_assert_eq!(jcs::canonicalize_str(&scrambled(&value)).expect("scrambled parses"), canonical.clone());
        prop_assert_eq!(jcs::canonicalize_str(&serde_json::to_string_pretty(&value).expect("json")).expect("pretty"), canonical);
    }

    #[test]
    fn changing_one_byte_of_the_proof_value_fails(doc in document(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let secured = sign_value(&doc, &options(), &issuer()).expect("sign");
        let mut proof_value = secured["proof"]["proofValue"].as_str().expect("proofValue").as_bytes().to_vec();
        let at = at.index(proof_value.len());
        prop_assume!(proof_value[at] != byte);
        proof_value[at] = byte;
        let mut tampered = secured.clone();
        tampered["proof"]["proofValue"] = String::from_utf8_lossy(&proof_value).into_owned().into();
        prop_assert!(verify_value(&tampered, &VerifyOptions::new(now())).is_err());
    }

    #[test]
    fn changing_one_byte_of_the_document_fails_unless_the_meaning_is_unchanged(
        doc in document(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let secured = sign_value(&doc, &options(), &issuer()).expect("sign");
        let canonical = jcs::canonicalize(&secured).expect("canonical");
        let mut bytes = canonical.clone().into_bytes();
        let at = at.index(bytes.len());
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        let result = std::str::from_utf8(&bytes).map_err(|_| ()).and_then(|text| {
            verify(text, &VerifyOptions::new(now())).map_err(|_| ()).map(|_| text.to_owned())
        });
        if let Ok(text) = result {
            // Accepted: only if the edit kept the meaning (e.g. an exponent's `e` became `E`).
            prop_assert_eq!(jcs::canonicalize_str(&text).expect("accepted text parses"), canonical);
        }
    }
}

#[test]
fn the_byte_property_does_see_meaning_preserving_edits() {
    // The exception in the property above is real, not a loophole: this edit keeps the meaning.
    let doc = serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "n": 1e30});
    let secured = sign_value(&doc, &options(), &issuer()).expect("sign");
    let canonical = jcs::canonicalize(&secured).expect("canonical");
    assert!(canonical.contains("1e+30"));
    assert!(verify(&canonical.replace("1e+30", "1E+30"), &VerifyOptions::new(now())).is_ok());
    assert!(verify(&canonical.replace("1e+30", "1e+31"), &VerifyOptions::new(now())).is_err());
}
