use super::*;

fn now() -> OffsetDateTime {
    datetime::parse("2024-06-01T12:00:00Z").expect("valid")
}

fn issuer() -> KeyPair {
    KeyPair::from_seed(&[1; 32])
}

fn credential() -> Value {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer().public_key().to_did_key(),
        "credentialSubject": {"id": "did:example:subject", "certification": "CBPR"}
    })
}

fn signed_with(edit: impl FnOnce(&mut ProofOptions)) -> Value {
    let mut options = ProofOptions::assertion(&issuer().public_key(), now() - Duration::hours(1));
    edit(&mut options);
    sign_value(&credential(), &options, &issuer()).expect("signs")
}

#[test]
fn round_trip_reports_signer_and_times() {
    let secured = signed_with(|options| options.expires = Some(now() + Duration::days(30)));
    let verified = verify_value(&secured, &VerifyOptions::new(now())).expect("verifies");
    assert_eq!(verified.document, credential());
    assert_eq!(verified.key, issuer().public_key());
    assert_eq!(verified.verification_method, issuer().public_key().to_verification_method());
    assert_eq!(verified.created, Some(now() - Duration::hours(1)));
    assert_eq!(verified.expires, Some(now() + Duration::days(30)));
}

#[test]
fn time_checks_use_the_given_clock_with_skew() {
    let secured = signed_with(|options| options.expires = Some(now() + Duration::days(1)));
    let mut options = VerifyOptions::new(now() - Duration::hours(1) - Duration::minutes(4));
    assert!(verify_value(&secured, &options).is_ok());
    options.now = now() - Duration::hours(1) - Duration::minutes(6);
    assert!(matches!(verify_value(&secured, &options), Err(VerifyError::CreatedInFuture(_))));
    options.now = now() + Duration::days(1) + Duration::minutes(4);
    assert!(verify_value(&secured, &options).is_ok());
    options.now = now() + Duration::days(1) + Duration::minutes(6);
    assert_eq!(verify_value(&secured, &options), Err(VerifyError::Expired("2024-06-02T12:00:00Z".into())));
    options.max_clock_skew = Duration::ZERO;
    options.now = now() + Duration::days(1);
    assert!(verify_value(&secured, &options).is_ok());
}

#[test]
fn purpose_domain_and_challenge_must_match() {
    let secured =
        signed_with(|options| (options.domain, options.challenge) = (Some("dfft.example".into()), Some("n-1".into())));
    let mut options = VerifyOptions::new(now());
    options.domain = Some("dfft.example".into());
    options.challenge = Some("n-1".into());
    assert!(verify_value(&secured, &options).is_ok());
    options.challenge = Some("n-2".into());
    assert!(matches!(verify_value(&secured, &options), Err(VerifyError::ChallengeMismatch { .. })));
    options.challenge = None;
    options.domain = Some("other.example".into());
    assert!(matches!(verify_value(&secured, &options), Err(VerifyError::DomainMismatch { .. })));
    options.domain = None;
    options.proof_purpose = "authentication".into();
    assert!(matches!(verify_value(&secured, &options), Err(VerifyError::ProofPurposeMismatch { .. })));
    let unbound = signed_with(|_| ());
    let mut options = VerifyOptions::new(now());
    options.challenge = Some("n-1".into());
    assert!(matches!(verify_value(&unbound, &options), Err(VerifyError::ChallengeMismatch { .. })));
}

#[test]
fn did_key_is_not_authorized_for_key_agreement() {
    let secured = signed_with(|options| options.proof_purpose = "keyAgreement".into());
    let mut options = VerifyOptions::new(now());
    options.proof_purpose = "keyAgreement".into();
    assert!(matches!(verify_value(&secured, &options), Err(VerifyError::PurposeNotAuthorized { .. })));
}

#[test]
fn signing_refuses_a_foreign_did_key_and_signed_documents() {
    let mut options = ProofOptions::assertion(&KeyPair::from_seed(&[2; 32]).public_key(), now());
    assert!(matches!(sign_value(&credential(), &options, &issuer()), Err(SignError::KeyMismatch { .. })));
    options.verification_method = "did:key:nonsense#nonsense".into();
    assert!(matches!(sign_value(&credential(), &options, &issuer()), Err(SignError::Key(_))));
    let options = ProofOptions::assertion(&issuer().public_key(), now());
    let secured = sign_value(&credential(), &options, &issuer()).expect("signs");
    assert_eq!(sign_value(&secured, &options, &issuer()), Err(SignError::AlreadySigned));
    assert_eq!(sign_value(&serde_json::json!([1]), &options, &issuer()), Err(SignError::NotAnObject));
    assert!(matches!(sign("{\"a\":1,\"a\":2}", &options, &issuer()), Err(SignError::Json(_))));
    let mut empty = options.clone();
    empty.proof_purpose.clear();
    assert!(matches!(sign_value(&credential(), &empty, &issuer()), Err(SignError::InvalidOptions(_))));
}

#[test]
fn other_verification_methods_go_through_the_resolver() {
    struct Directory(PublicKey);
    impl KeyResolver for Directory {
        fn resolve(&self, method: &str, purpose: &str) -> Result<PublicKey, VerifyError> {
            if method == "did:web:issuer.example#key-1" && purpose == ASSERTION_METHOD {
                Ok(self.0)
            } else {
                Err(VerifyError::UnresolvableKey { verification_method: method.into(), reason: "unknown".into() })
            }
        }
    }
    let secured = signed_with(|options| options.verification_method = "did:web:issuer.example#key-1".into());
    let options = VerifyOptions::new(now());
    assert!(verify_with(&secured, &options, &Directory(issuer().public_key())).is_ok());
    assert_eq!(
        verify_with(&secured, &options, &Directory(KeyPair::from_seed(&[9; 32]).public_key())),
        Err(VerifyError::BadSignature)
    );
    assert!(matches!(verify_value(&secured, &options), Err(VerifyError::UnresolvableKey { .. })));
}

#[test]
fn malformed_proofs_get_specific_errors() {
    let options = VerifyOptions::new(now());
    let secured = signed_with(|_| ());
    let with = |path: &str, value: Value| {
        let mut copy = secured.clone();
        if let Some(slot) = copy.pointer_mut(path) {
            *slot = value;
        }
        verify_value(&copy, &options)
    };
    let without = |property: &str| {
        let mut copy = secured.clone();
        copy["proof"].as_object_mut().expect("a proof object").remove(property);
        verify_value(&copy, &options)
    };
    assert_eq!(verify_value(&serde_json::json!("text"), &options), Err(VerifyError::NotAnObject));
    assert_eq!(verify_value(&credential(), &options), Err(VerifyError::MissingProof));
    assert_eq!(with("/proof", serde_json::json!([{}, {}])), Err(VerifyError::ProofSet(2)));
    assert!(matches!(with("/proof", serde_json::json!("z1")), Err(VerifyError::WrongType { property: "proof", .. })));
    assert_eq!(
        with("/proof/type", "Ed25519Signature2020".into()),
        Err(VerifyError::UnsupportedProofType("Ed25519Signature2020".into()))
    );
    assert_eq!(
        with("/proof/cryptosuite", "eddsa-rdfc-2022".into()),
        Err(VerifyError::UnsupportedCryptosuite("eddsa-rdfc-2022".into()))
    );
    assert_eq!(
        with("/proof/cryptosuite", 7.into()),
        Err(VerifyError::WrongType { property: "cryptosuite", expected: "a string" })
    );
    for property in ["type", "cryptosuite", "proofValue", "verificationMethod", "proofPurpose"] {
        assert_eq!(without(property), Err(VerifyError::MissingProperty(property)), "{property}");
    }
    for bad in ["2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJ", "z0OIl", "z2HnFSSPPBzR36zd", ""] {
        assert!(matches!(with("/proof/proofValue", bad.into()), Err(VerifyError::MalformedProofValue { .. })), "{bad}");
    }
    let long = format!("z{}", "1".repeat(100_000));
    assert!(matches!(with("/proof/proofValue", long.into()), Err(VerifyError::MalformedProofValue { .. })));
    assert!(matches!(
        with("/proof/created", "yesterday".into()),
        Err(VerifyError::InvalidDateTime { property: "created", .. })
    ));
    let mut bad_expiry = secured.clone();
    bad_expiry["proof"]["expires"] = "2024-13-01T00:00:00Z".into();
    assert!(matches!(
        verify_value(&bad_expiry, &options),
        Err(VerifyError::InvalidDateTime { property: "expires", .. })
    ));
    assert!(matches!(with("/proof/created", 1.into()), Err(VerifyError::WrongType { property: "created", .. })));
    let mut chained = secured.clone();
    chained["proof"]["previousProof"] = "urn:uuid:1".into();
    assert_eq!(verify_value(&chained, &options), Err(VerifyError::ProofChain));
    let method = issuer().public_key().to_did_key();
    assert!(matches!(
        with("/proof/verificationMethod", format!("{method}#key-1").into()),
        Err(VerifyError::KeyMismatch(_))
    ));
    assert!(matches!(
        with("/proof/verificationMethod", "did:key:z6Mk".into()),
        Err(VerifyError::UnresolvableKey { .. })
    ));
    assert_eq!(with("/@context", serde_json::json!(["https://example.org/other"])), Err(VerifyError::ContextMismatch));
    assert_eq!(
        with("/@context", "https://www.w3.org/ns/credentials/v2".into()).map(|v| v.key),
        Ok(issuer().public_key())
    );
    assert_eq!(with("/credentialSubject/certification", "APEC".into()), Err(VerifyError::BadSignature));
    assert!(matches!(verify("{\"proof\":{},\"proof\":{}}", &options), Err(VerifyError::DuplicateKey { .. })));
    assert!(matches!(verify("{", &options), Err(VerifyError::MalformedJson(_))));
}
