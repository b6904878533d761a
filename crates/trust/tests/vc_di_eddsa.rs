//! The W3C vc-di-eddsa test vectors for `eddsa-jcs-2022` (`../shared/specs/vc-di-eddsa/TestVectors`):
//! signing reproduces every intermediate value byte for byte, the published credential verifies,
//! and every change to it is refused.

use std::fs;
use std::path::Path;

use serde_json::Value;
use trust::{
    datetime, di, jcs, sign_value, verify, verify_value, KeyPair, ProofOptions, PublicKey, VerifyError, VerifyOptions,
};

fn vector(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/vc-di-eddsa/TestVectors").join(name);
    fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn json(name: &str) -> Value {
    jcs::parse(&vector(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn key_pair() -> KeyPair {
    let pair = json("keyPair.json");
    let key = KeyPair::from_private_multibase(pair["privateKeyMultibase"].as_str().expect("private key"))
        .expect("the test private key decodes");
    assert_eq!(key.public_key().to_multibase(), pair["publicKeyMultibase"].as_str().expect("public key"));
    key
}

/// The proof options the vector was made with, read from its proof configuration.
fn vector_options() -> ProofOptions {
    let config = json("eddsa-jcs-2022/proofConfigJCS.json");
    let text = |name: &str| config[name].as_str().unwrap_or_else(|| panic!("proof config {name}")).to_owned();
    ProofOptions {
        verification_method: text("verificationMethod"),
        proof_purpose: text("proofPurpose"),
        created: Some(datetime::parse(&text("created")).expect("created")),
        expires: None,
        id: None,
        domain: None,
        challenge: None,
        nonce: None,
    }
}

fn verifier() -> VerifyOptions {
    VerifyOptions::new(datetime::parse("2025-01-01T00:00:00Z").expect("now"))
}

#[test]
fn signing_reproduces_every_intermediate_value() {
    let unsigned = json("unsigned.json");
    let options = vector_options();

    let config = options.to_proof_config(&unsigned).expect("proof config");
    assert_eq!(Value::Object(config), json("eddsa-jcs-2022/proofConfigJCS.json"));

    let (_, input) = di::prepare(&unsigned, &options).expect("prepare");
    assert_eq!(input.canonical_document, vector("eddsa-jcs-2022/canonDocJCS.txt"));
    assert_eq!(input.canonical_proof_config, vector("eddsa-jcs-2022/proofCanonJCS.txt"));
    assert_eq!(hex(&input.document_hash()), vector("eddsa-jcs-2022/docHashJCS.txt"));
    assert_eq!(hex(&input.proof_config_hash()), vector("eddsa-jcs-2022/proofHashJCS.txt"));
    assert_eq!(hex(&input.hash_data()), vector("eddsa-jcs-2022/combinedHashJCS.txt"));

    let signature = key_pair().sign(&input.hash_data());
    assert_eq!(hex(&signature), vector("eddsa-jcs-2022/sigHexJCS.txt"));

    let secured = sign_value(&unsigned, &options, &key_pair()).expect("sign");
    assert_eq!(secured["proof"]["proofValue"], vector("eddsa-jcs-2022/sigBTC58JCS.txt"));
    assert_eq!(secured, json("eddsa-jcs-2022/signedJCS.json"));
}

#[test]
fn the_published_credential_verifies() {
    let verified = verify(&vector("eddsa-jcs-2022/signedJCS.json"), &verifier()).expect("the vector verifies");
    assert_eq!(verified.document, json("unsigned.json"));
    assert_eq!(verified.key, key_pair().public_key());
    assert_eq!(
        verified.key,
        PublicKey::from_multibase(json("keyPair.json")["publicKeyMultibase"].as_str().expect("public key"))
            .expect("decodes")
    );
    assert_eq!(verified.verification_method, vector_options().verification_method);
    assert_eq!(verified.proof_purpose, "assertionMethod");
    assert_eq!(verified.created, vector_options().created);
    assert_eq!(verified.expires, None);
}

/// Every JSON Pointer in a value, parents before children.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(child, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Changes of one place in a document: the value altered, removed, extended or reordered.
fn tamperings(signed: &Value) -> Vec<(String, Value)> {
    let mut all = Vec::new();
    pointers(signed, String::new(), &mut all);
    let mut out = Vec::new();
    for pointer in all {
        let mut edit = |what: &str, change: &dyn Fn(&mut Value, &str)| {
            let mut copy = signed.clone();
            change(&mut copy, &pointer);
            if &copy != signed {
                out.push((format!("{what} {pointer:?}"), copy));
            }
        };
        edit("alter", &|doc, at| {
            let slot = doc.pointer_mut(at).expect("pointer exists");
            *slot = match slot.take() {
                Value::String(text) if text.is_empty() => Value::String("x".into()),
                Value::String(mut text) => {
                    // Change one character in place: same length, different value.
                    let last = text.pop().expect("non-empty");
                    text.push(if last == 'A' { 'B' } else { 'A' });
                    Value::String(text)
                }
                Value::Object(mut map) => {
                    map.insert("tampered".into(), true.into());
                    Value::Object(map)
                }
                Value::Array(mut items) => {
                    items.push("https://attacker.example/context".into());
                    Value::Array(items)
                }
                other => Value::Array(vec![other]),
            };
        });
        edit("remove", &|doc, at| {
            if let Some((parent, last)) = at.rsplit_once('/') {
                match doc.pointer_mut(parent).expect("parent exists") {
                    Value::Object(map) => {
                        map.remove(&last.replace("~1", "/").replace("~0", "~"));
                    }
                    Value::Array(items) => {
                        items.remove(last.parse::<usize>().expect("index"));
                    }
                    _ => unreachable!("only containers have children"),
                }
            }
        });
        edit("reorder", &|doc, at| {
            if let Some(Value::Array(items)) = doc.pointer_mut(at) {
                items.reverse();
            }
        });
        edit("retype", &|doc, at| {
            let slot = doc.pointer_mut(at).expect("pointer exists");
            if let Value::String(text) = slot {
                *slot = Value::Array(vec![Value::String(text.clone())]);
            }
        });
    }
    out
}

#[test]
fn every_change_to_the_signed_credential_is_refused() {
    let signed = json("eddsa-jcs-2022/signedJCS.json");
    let cases = tamperings(&signed);
    assert!(cases.len() > 60, "only {} tamperings", cases.len());
    let mut refused = 0;
    for (what, tampered) in &cases {
        let result = verify_value(tampered, &verifier());
        if what == "alter \"/@context\"" {
            // vc-di-eddsa §3.3.2 step 4: a document may add contexts after the proof's; what is
            // verified (and returned) is the document under the proof's own @context.
            let verified = result.expect("an extended @context still verifies");
            assert_eq!(verified.document, json("unsigned.json"));
            continue;
        }
        assert!(result.is_err(), "{what} was accepted");
        // The text form goes through duplicate-key parsing too.
        assert!(verify(&tampered.to_string(), &verifier()).is_err(), "{what} was accepted as text");
        refused += 1;
    }
    assert_eq!(refused, cases.len() - 1);
}

#[test]
fn every_single_character_change_to_the_proof_value_is_refused() {
    let signed = json("eddsa-jcs-2022/signedJCS.json");
    let value = signed["proof"]["proofValue"].as_str().expect("proofValue").to_owned();
    let alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut checked = 0;
    for (at, original) in value.char_indices() {
        for replacement in alphabet.chars().chain(['0', 'l', '=', 'é']).filter(|&c| c != original) {
            let mut changed = value.clone();
            changed.replace_range(at..at + original.len_utf8(), &replacement.to_string());
            let mut tampered = signed.clone();
            tampered["proof"]["proofValue"] = changed.clone().into();
            let error = verify_value(&tampered, &verifier()).expect_err(&changed);
            assert!(
                matches!(error, VerifyError::BadSignature | VerifyError::MalformedProofValue { .. }),
                "{changed}: {error}"
            );
            checked += 1;
        }
    }
    assert!(checked > 5000);
}

#[test]
fn a_duplicate_key_in_the_credential_is_refused_before_anything_else() {
    // serde_json alone would keep the last "name" and verify the signature over it.
    let text = vector("eddsa-jcs-2022/signedJCS.json").replacen(
        "\"name\": \"Alumni Credential\",",
        "\"name\": \"Alumni Credential\", \"name\": \"Honorary Degree\",",
        1,
    );
    assert_ne!(text, vector("eddsa-jcs-2022/signedJCS.json"));
    assert_eq!(
        verify(&text, &verifier()),
        Err(VerifyError::DuplicateKey { key: "name".into(), pointer: String::new() })
    );
}

#[test]
fn other_suites_in_the_vectors_are_refused_by_name() {
    let options = verifier();
    assert_eq!(
        verify(&vector("eddsa-rdfc-2022/signedDataInt.json"), &options),
        Err(VerifyError::UnsupportedCryptosuite("eddsa-rdfc-2022".into()))
    );
    assert_eq!(
        verify(&vector("Ed25519Signature2020/signedEdSig.json"), &options),
        Err(VerifyError::UnsupportedProofType("Ed25519Signature2020".into()))
    );
    assert_eq!(verify(&vector("proof-set-chain/signedProofSet2.json"), &options), Err(VerifyError::ProofSet(2)));
}
