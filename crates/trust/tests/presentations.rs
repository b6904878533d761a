//! Verifiable Presentations: present → verify → verify each credential for the holder, and every
//! refusal (audience, challenge, signer, tampering, size), plus hostile input.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use time::Duration;
use trust::presentation::AUTHENTICATION;
use trust::{
    did_web, present, sign_value, verify_presentation, CredentialError, DidKeyResolver, DocumentResolver, KeyResolver,
    PresentationCheck, PresentationError, ProofOptions, SignError, VerifiedPresentation, VerifyError, MAX_CREDENTIALS,
};

const VERIFIER_URL: &str = "https://provider.example/dsp";
const NONCE: &str = "b6f1c0d2-nonce";

fn check(resolver: &dyn KeyResolver) -> PresentationCheck<'_> {
    PresentationCheck { now: now(), domain: VERIFIER_URL, challenge: NONCE, resolver }
}

fn presentation(credentials: &[Value]) -> Value {
    present(&holder_key(), &holder_did(), &holder_method(), credentials, VERIFIER_URL, NONCE, now()).expect("signed")
}

fn refusal(vp: &Value) -> PresentationError {
    verify_presentation(vp, &check(&DidKeyResolver)).expect_err("the presentation should be refused")
}

#[test]
fn a_presentation_round_trips_and_its_credentials_verify_for_the_holder() {
    let credential = issue_cbpr(&cbpr_draft(42));
    let vp = presentation(std::slice::from_ref(&credential));
    assert_eq!(vp["type"], json!(["VerifiablePresentation"]));
    assert_eq!(vp["proof"]["proofPurpose"], AUTHENTICATION);
    assert_eq!(vp["proof"]["domain"], VERIFIER_URL);
    assert_eq!(vp["proof"]["challenge"], NONCE);

    let verified = verify_presentation(&vp, &check(&DidKeyResolver)).expect("verifies");
    assert_eq!(verified, VerifiedPresentation { holder: holder_did(), credentials: vec![credential] });

    let verifier = Verifier::new();
    for credential in &verified.credentials {
        let claim = verifier.check(credential, Some(&verified.holder)).expect("the credential verifies");
        assert_eq!(claim.claim, certification("apec-cbpr"));
    }
}

#[test]
fn an_empty_presentation_proves_who_the_holder_is() {
    let verified = verify_presentation(&presentation(&[]), &check(&DidKeyResolver)).expect("verifies");
    assert_eq!(verified.holder, holder_did());
    assert!(verified.credentials.is_empty());
}

#[test]
fn a_did_web_holder_presents_with_its_document_key() {
    let verifier = Verifier::new();
    let credentials = [issue_web(&web_draft(membership())), issue_web(&web_draft(legal_entity()))];
    let method = format!("{WEB_HOLDER}#key-1");
    let vp = present(&holder_key(), WEB_HOLDER, &method, &credentials, VERIFIER_URL, NONCE, now()).expect("signed");
    assert_eq!(did_web::dids_to_fetch(&vp), vec![WEB_HOLDER.to_owned(), WEB_ISSUER.to_owned()]);

    let verified = verify_presentation(&vp, &check(&verifier.resolver)).expect("verifies");
    assert_eq!(verified.holder, WEB_HOLDER);
    for credential in &verified.credentials {
        verifier.check(credential, Some(&verified.holder)).expect("the credential verifies");
    }
    // Without the holder's document, its key cannot be found.
    let error = verify_presentation(&vp, &check(&DocumentResolver::new())).expect_err("unresolvable");
    assert!(matches!(error, PresentationError::Proof(VerifyError::UnresolvableKey { .. })), "{error:?}");
}

#[test]
fn a_presentation_for_another_verifier_is_refused() {
    let vp = present(&holder_key(), &holder_did(), &holder_method(), &[], "https://other.example", NONCE, now())
        .expect("signed");
    let error = refusal(&vp);
    assert_eq!(
        error,
        PresentationError::WrongAudience { expected: VERIFIER_URL.into(), found: "https://other.example".into() }
    );
    assert_eq!(error.code(), "wrong-audience");
    assert_eq!(
        error.to_string(),
        format!("wrong audience: the presentation is for https://other.example, not for {VERIFIER_URL}")
    );
}

#[test]
fn a_presentation_answering_another_nonce_is_refused() {
    // A replay: the same presentation, offered against a fresh nonce.
    let vp = presentation(&[issue_cbpr(&cbpr_draft(42))]);
    let fresh = PresentationCheck { challenge: "a-fresh-nonce", ..check(&DidKeyResolver) };
    let error = verify_presentation(&vp, &fresh).expect_err("replay");
    assert_eq!(error, PresentationError::WrongChallenge);
    assert_eq!(error.code(), "wrong-challenge");
}

#[test]
fn a_presentation_signed_by_someone_other_than_the_holder_is_refused() {
    let stranger = stranger_key();
    // present() will not make one...
    let refused = present(
        &stranger,
        &holder_did(),
        &stranger.public_key().to_verification_method(),
        &[],
        VERIFIER_URL,
        NONCE,
        now(),
    );
    assert!(matches!(refused, Err(SignError::InvalidDocument(m)) if m.contains("not a key of the holder")));
    // ...so the stranger signs one by hand, naming the holder.
    let unsigned = json!({
        "@context": [trust::CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder_did(),
        "verifiableCredential": [issue_cbpr(&cbpr_draft(42))],
    });
    let options = ProofOptions {
        proof_purpose: AUTHENTICATION.into(),
        domain: Some(VERIFIER_URL.into()),
        challenge: Some(NONCE.into()),
        ..ProofOptions::assertion(&stranger.public_key(), now())
    };
    let vp = sign_value(&unsigned, &options, &stranger).expect("signed");
    let error = refusal(&vp);
    assert_eq!(
        error,
        PresentationError::HolderMismatch {
            holder: holder_did(),
            signer: stranger.public_key().to_verification_method()
        }
    );
    assert_eq!(error.code(), "not-holder");
}

#[test]
fn a_tampered_credential_inside_breaks_the_presentation_signature() {
    let mut vp = presentation(&[issue_cbpr(&cbpr_draft(42))]);
    vp["verifiableCredential"][0]["credentialSubject"]["certification"] = json!("global-cbpr");
    let error = refusal(&vp);
    assert_eq!(error, PresentationError::Proof(VerifyError::BadSignature));
    assert_eq!(error.code(), "signature");
    assert_eq!(error.to_string(), "presentation signature: the signature does not verify");

    // A credential swapped in whole (itself validly signed) breaks it too.
    let mut vp = presentation(&[issue_cbpr(&cbpr_draft(42))]);
    vp["verifiableCredential"][0] = issue_cbpr(&cbpr_draft(43));
    assert_eq!(refusal(&vp), PresentationError::Proof(VerifyError::BadSignature));
}

#[test]
fn a_credential_about_someone_else_inside_a_valid_presentation_is_refused() {
    // The holder presents a real credential of another node: its own proof holds, the
    // credential's subject check does not.
    let draft = trust::CredentialDraft { subject: stranger_key().public_key().to_did_key(), ..cbpr_draft(42) };
    let vp = presentation(&[issue_cbpr(&draft)]);
    let verified = verify_presentation(&vp, &check(&DidKeyResolver)).expect("the presentation itself verifies");
    let error = Verifier::new().check(&verified.credentials[0], Some(&verified.holder)).expect_err("not the holder's");
    assert!(matches!(error, CredentialError::SubjectNotHolder { .. }), "{error:?}");
}

#[test]
fn too_many_credentials_are_refused_before_hashing() {
    let credential = issue_cbpr(&cbpr_draft(42));
    let many = vec![credential; MAX_CREDENTIALS + 1];
    let refused = present(&holder_key(), &holder_did(), &holder_method(), &many, VERIFIER_URL, NONCE, now());
    assert!(matches!(refused, Err(SignError::InvalidDocument(_))));
    // Counted even without a valid proof.
    let vp = json!({"verifiableCredential": many, "proof": {}});
    let error = refusal(&vp);
    assert_eq!(error, PresentationError::TooManyCredentials(MAX_CREDENTIALS + 1));
    assert_eq!(error.code(), "too-many");
    // The maximum itself is fine.
    let vp = presentation(&many[..MAX_CREDENTIALS]);
    assert_eq!(verify_presentation(&vp, &check(&DidKeyResolver)).map(|v| v.credentials.len()), Ok(MAX_CREDENTIALS));
}

#[test]
fn a_credential_proof_is_not_a_presentation_proof() {
    // An assertionMethod proof (what credentials carry) does not authenticate a holder.
    let unsigned =
        json!({"@context": [trust::CREDENTIALS_V2], "type": ["VerifiablePresentation"], "holder": holder_did()});
    let options = ProofOptions {
        domain: Some(VERIFIER_URL.into()),
        challenge: Some(NONCE.into()),
        ..ProofOptions::assertion(&holder_key().public_key(), now())
    };
    let vp = sign_value(&unsigned, &options, &holder_key()).expect("signed");
    assert!(matches!(refusal(&vp), PresentationError::Proof(VerifyError::ProofPurposeMismatch { .. })));
}

#[test]
fn a_presentation_from_the_future_is_refused() {
    let vp =
        present(&holder_key(), &holder_did(), &holder_method(), &[], VERIFIER_URL, NONCE, now() + Duration::hours(1))
            .expect("signed");
    assert!(matches!(refusal(&vp), PresentationError::Proof(VerifyError::CreatedInFuture(_))));
}

#[test]
fn malformed_presentations_name_the_field() {
    let sign = |document: Value| {
        let options = ProofOptions {
            proof_purpose: AUTHENTICATION.into(),
            domain: Some(VERIFIER_URL.into()),
            challenge: Some(NONCE.into()),
            ..ProofOptions::assertion(&holder_key().public_key(), now())
        };
        sign_value(&document, &options, &holder_key()).expect("signed")
    };
    let v2 = trust::CREDENTIALS_V2;
    let cases = [
        (
            "@context",
            json!({"@context": "https://www.w3.org/2018/credentials/v1", "type": ["VerifiablePresentation"], "holder": holder_did()}),
        ),
        ("type", json!({"@context": [v2], "type": ["VerifiableCredential"], "holder": holder_did()})),
        ("holder", json!({"@context": [v2], "type": ["VerifiablePresentation"]})),
        (
            "verifiableCredential[1]",
            json!({"@context": [v2], "type": ["VerifiablePresentation"], "holder": holder_did(), "verifiableCredential": [{}, "jwt"]}),
        ),
    ];
    for (field, document) in cases {
        let error = refusal(&sign(document));
        assert!(matches!(&error, PresentationError::Malformed { field: f, .. } if f == field), "{field}: {error:?}");
        assert_eq!(error.code(), "malformed");
    }
    assert!(matches!(refusal(&json!([])), PresentationError::Malformed { .. }));
}

// ---- hostile input ----

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<String>().prop_map(Value::String),
        prop::sample::select(vec![
            VERIFIER_URL,
            NONCE,
            "authentication",
            "VerifiablePresentation",
            "did:web:a.example"
        ])
        .prop_map(Value::from),
    ];
    let key = prop::sample::select(vec![
        "@context",
        "type",
        "holder",
        "verifiableCredential",
        "proof",
        "domain",
        "challenge",
        "proofValue",
        "verificationMethod",
        "proofPurpose",
        "cryptosuite",
    ]);
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..20).prop_map(Value::Array),
            prop::collection::vec((key.clone().prop_map(String::from), inner), 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_json_is_refused_without_panicking(value in json()) {
        prop_assert!(verify_presentation(&value, &check(&resolver())).is_err());
        let _ = did_web::dids_to_fetch(&value);
    }

    #[test]
    fn a_changed_byte_never_verifies(position in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let vp = presentation(&[issue_cbpr(&cbpr_draft(42))]);
        let mut bytes = vp.to_string().into_bytes();
        let at = position.index(bytes.len());
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        let Ok(changed) = trust::jcs::parse_slice(&bytes) else { return Ok(()) };
        let result = verify_presentation(&changed, &check(&DidKeyResolver));
        if changed == vp {
            prop_assert!(result.is_ok());
        } else {
            prop_assert!(result.is_err(), "changed byte {} to {:?} and it still verified", at, byte as char);
        }
    }
}
