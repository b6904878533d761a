//! Verifiable Credentials: issue → verify for each claim and both DID methods, every refusal
//! produced by the input that should produce it, status lists, and hostile input.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use time::Duration;
use trust::credential::{CredentialContext, VerifiedCredential};
use trust::{
    issue, issue_status_list, status_urls, verify_credential, verify_status_list, Claim, CredentialDraft,
    CredentialError, DidKeyResolver, SignError, StatusEntry, StatusError, StatusList, StatusPurpose, VerifyError,
    TYPE_CERTIFICATION, TYPE_LEGAL_ENTITY, TYPE_MEMBERSHIP,
};

fn error_of(result: Result<VerifiedCredential, CredentialError>) -> CredentialError {
    result.expect_err("the credential should be refused")
}

// ---- round trips ----

#[test]
fn a_certification_by_a_did_key_issuer_verifies() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    assert_eq!(credential["type"], json!(["VerifiableCredential", TYPE_CERTIFICATION]));
    assert_eq!(credential["credentialSubject"]["certification"], "apec-cbpr");
    assert_eq!(credential["credentialStatus"]["statusListIndex"], "42");
    assert_eq!(credential["proof"]["proofPurpose"], "assertionMethod");

    let verified = verifier.check(&credential, Some(&holder_did())).expect("verifies");
    assert_eq!(
        verified,
        VerifiedCredential {
            id: Some("urn:uuid:6a1f4a4e-2b1c-4a7e-9d0b-1f2e3d4c5b6a".into()),
            issuer: cbpr_did(),
            subject: holder_did(),
            claim: certification("apec-cbpr"),
            valid_until: Some(at("2027-01-01T00:00:00Z")),
        }
    );
    // Without a holder to match, too.
    assert!(verifier.check(&credential, None).is_ok());
}

#[test]
fn each_claim_kind_round_trips_with_a_did_web_issuer() {
    let verifier = Verifier::new();
    for (claim, credential_type) in [(membership(), TYPE_MEMBERSHIP), (legal_entity(), TYPE_LEGAL_ENTITY)] {
        let credential = issue_web(&web_draft(claim.clone()));
        assert_eq!(credential["type"][1], credential_type);
        assert_eq!(credential["proof"]["verificationMethod"], web_method());
        let verified = verifier.check(&credential, Some(WEB_HOLDER)).expect("verifies");
        assert_eq!(verified.claim, claim);
        assert_eq!(verified.issuer, WEB_ISSUER);
        assert_eq!(verified.subject, WEB_HOLDER);
        assert_eq!(verified.valid_until, None);
        assert!(credential.get("credentialStatus").is_none());
    }
}

#[test]
fn each_claim_kind_round_trips_with_a_did_key_issuer() {
    let mut verifier = Verifier::new();
    if let Some(entry) = verifier.trust_list.issuers.iter_mut().find(|i| i.did == cbpr_did()) {
        entry.accredited.extend([format!("membership:{DATASPACE}"), "legal-entity".into()]);
    }
    for claim in [certification("apec-cbpr"), certification("global-cbpr"), membership(), legal_entity()] {
        let draft = CredentialDraft { claim: claim.clone(), status: Vec::new(), ..cbpr_draft(0) };
        let verified = verifier.check(&issue_cbpr(&draft), Some(&holder_did())).expect("verifies");
        assert_eq!(verified.claim, claim);
    }
}

#[test]
fn a_did_web_issuer_can_certify_too() {
    let mut verifier = Verifier::new();
    if let Some(entry) = verifier.trust_list.issuers.iter_mut().find(|i| i.did == WEB_ISSUER) {
        entry.accredited.push("certification:dpf".into());
    }
    let credential = issue_web(&web_draft(certification("dpf")));
    let verified = verifier.check(&credential, Some(WEB_HOLDER)).expect("verifies");
    assert_eq!(verified.claim.kind(), "certification:dpf");
}

#[test]
fn claims_describe_themselves() {
    assert_eq!(certification("apec-cbpr").kind(), "certification:apec-cbpr");
    assert_eq!(certification("apec-cbpr").describe(), "apec-cbpr certification");
    assert_eq!(membership().kind(), format!("membership:{DATASPACE}"));
    assert_eq!(membership().credential_type(), TYPE_MEMBERSHIP);
    assert_eq!(legal_entity().kind(), "legal-entity");
    assert_eq!(legal_entity().describe(), "legal entity Tokyo Research Institute K.K. (JP)");
}

// ---- every refusal, from the input that should produce it ----

#[test]
fn a_forged_field_breaks_the_signature() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    for (pointer, forged) in [
        ("/credentialSubject/certification", json!("global-cbpr")),
        ("/credentialSubject/id", json!(stranger_key().public_key().to_did_key())),
        ("/validUntil", json!("2099-01-01T00:00:00Z")),
        ("/credentialStatus/statusListIndex", json!("43")),
        ("/proof/created", json!("2026-01-01T00:00:01Z")),
    ] {
        let mut changed = credential.clone();
        *changed.pointer_mut(pointer).expect("field exists") = forged;
        let error = error_of(verifier.check(&changed, None));
        assert_eq!(error, CredentialError::Proof(VerifyError::BadSignature), "{pointer}");
        assert_eq!(error.code(), "signature");
        assert_eq!(error.to_string(), "signature: the signature does not verify");
    }
}

#[test]
fn a_key_the_issuer_does_not_control_is_refused() {
    let verifier = Verifier::new();
    // The stranger signs a credential naming the trusted issuer.
    let credential = issue_cbpr(&cbpr_draft(42));
    let stranger = stranger_key();
    let forged = resign(&credential, |_| {}, &stranger, &stranger.public_key().to_verification_method());
    let error = error_of(verifier.check(&forged, None));
    assert!(matches!(&error, CredentialError::IssuerKeyMismatch { issuer, .. } if *issuer == cbpr_did()), "{error}");
    assert_eq!(error.code(), "issuer-key");
    // And issuing refuses to make one.
    let refused = issue(&cbpr_draft(42), &stranger, &stranger.public_key().to_verification_method(), now());
    assert!(matches!(refused, Err(SignError::InvalidDocument(message)) if message.contains("not a key of the issuer")));
}

#[test]
fn a_did_web_issuer_key_must_be_in_its_document() {
    let verifier = Verifier::new();
    let credential = issue_web(&web_draft(membership()));
    // Signed by another key under the same DID URL: the document lists the real key.
    let forged = resign(&credential, |_| {}, &stranger_key(), &web_method());
    assert_eq!(error_of(verifier.check(&forged, None)), CredentialError::Proof(VerifyError::BadSignature));
    // A verifier that never fetched the document cannot resolve the key.
    let empty = Verifier { resolver: trust::DocumentResolver::new(), ..Verifier::new() };
    let error = error_of(empty.check(&credential, None));
    assert!(
        matches!(&error, CredentialError::Proof(VerifyError::UnresolvableKey { reason, .. }) if reason.contains("not fetched")),
        "{error}"
    );
}

#[test]
fn expired_and_not_yet_valid_credentials_are_refused() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    let expired = error_of(verifier.check_at(&credential, None, at("2027-01-01T00:00:01Z")));
    assert_eq!(expired, CredentialError::Expired { valid_until: "2027-01-01T00:00:00Z".into() });
    assert_eq!(expired.to_string(), "expired on 2027-01-01T00:00:00Z");
    assert_eq!(expired.code(), "expired");

    let early = error_of(verifier.check_at(&credential, None, at("2025-12-31T23:59:59Z")));
    assert_eq!(early, CredentialError::NotYetValid { valid_from: "2026-01-01T00:00:00Z".into() });
    assert_eq!(early.code(), "not-yet-valid");

    // Both ends are inclusive (the status lists were signed an hour before now(), so check the
    // bounds on a credential without status).
    let draft = CredentialDraft { status: Vec::new(), ..cbpr_draft(0) };
    let credential = issue_cbpr(&draft);
    assert!(verifier.check_at(&credential, None, at("2026-01-01T00:00:00Z")).is_ok());
    assert!(verifier.check_at(&credential, None, at("2027-01-01T00:00:00Z")).is_ok());
}

#[test]
fn an_issuer_not_on_the_trust_list_is_refused() {
    let verifier = Verifier::new();
    let stranger = stranger_key();
    let draft = CredentialDraft { issuer: stranger.public_key().to_did_key(), status: Vec::new(), ..cbpr_draft(0) };
    let credential = issue(&draft, &stranger, &stranger.public_key().to_verification_method(), now()).expect("issued");
    let error = error_of(verifier.check(&credential, None));
    assert_eq!(
        error,
        CredentialError::UntrustedIssuer {
            issuer: stranger.public_key().to_did_key(),
            kind: "certification:apec-cbpr".into()
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "issuer not trusted: {} is not accredited for certification:apec-cbpr",
            stranger.public_key().to_did_key()
        )
    );
    assert_eq!(error.code(), "untrusted-issuer");
}

#[test]
fn an_issuer_is_trusted_only_for_the_kinds_it_is_accredited_for() {
    let verifier = Verifier::new();
    // The CBPR agent is accredited for apec-cbpr and global-cbpr, not for DPF or memberships.
    for claim in [certification("dpf"), membership()] {
        let draft = CredentialDraft { claim: claim.clone(), status: Vec::new(), ..cbpr_draft(0) };
        let error = error_of(verifier.check(&issue_cbpr(&draft), None));
        assert_eq!(error, CredentialError::UntrustedIssuer { issuer: cbpr_did(), kind: claim.kind() });
    }
    // The registry may vouch for membership of its own dataspace only.
    let other = Claim::Membership { dataspace: "https://dataspace.example/other".into() };
    let error = error_of(verifier.check(&issue_web(&web_draft(other)), None));
    assert_eq!(error.code(), "untrusted-issuer");
}

#[test]
fn an_unknown_certification_scheme_is_refused() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    let unknown = resign(
        &credential,
        |doc| doc["credentialSubject"]["certification"] = json!("apec-cbpx"),
        &cbpr_key(),
        &cbpr_method(),
    );
    let error = error_of(verifier.check(&unknown, None));
    assert_eq!(error, CredentialError::UnknownCertification { scheme: "apec-cbpx".into() });
    assert!(error.to_string().starts_with("unknown certification \"apec-cbpx\": expected one of apec-cbpr, "));
    // Issuing one is refused too.
    let draft = CredentialDraft { claim: certification("apec-cbpx"), ..cbpr_draft(42) };
    let refused = issue(&draft, &cbpr_key(), &cbpr_method(), now());
    assert!(matches!(refused, Err(SignError::InvalidDocument(m)) if m.contains("unknown certification scheme")));
}

#[test]
fn a_type_that_does_not_fit_the_claim_is_refused() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    for wrong in [TYPE_MEMBERSHIP, "DfftSomethingElse"] {
        let changed = resign(
            &credential,
            |doc| doc["type"] = json!(["VerifiableCredential", wrong]),
            &cbpr_key(),
            &cbpr_method(),
        );
        let error = error_of(verifier.check(&changed, None));
        assert_eq!(error, CredentialError::WrongType { found: wrong.into() });
        assert_eq!(error.code(), "wrong-type");
    }
}

#[test]
fn a_credential_about_someone_else_is_refused() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    let other = stranger_key().public_key().to_did_key();
    let error = error_of(verifier.check(&credential, Some(&other)));
    assert_eq!(error, CredentialError::SubjectNotHolder { subject: holder_did(), holder: other });
    assert_eq!(error.code(), "not-holder");
}

#[test]
fn malformed_credentials_name_the_field() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    type Change = Box<dyn Fn(&mut serde_json::Map<String, Value>)>;
    let cases: Vec<(&str, Change)> = vec![
        ("@context", Box::new(|d| d["@context"] = json!([trust::CREDENTIALS_V2, "https://evil.example/ctx"]))),
        ("type", Box::new(|d| d["type"] = json!(["VerifiableCredential"]))),
        ("issuer", Box::new(|d| d["issuer"] = json!({"id": cbpr_did()}))),
        ("validFrom", Box::new(|d| drop(d.remove("validFrom")))),
        ("validUntil", Box::new(|d| d["validUntil"] = json!("2027-01-01"))),
        ("credentialSubject", Box::new(|d| d["credentialSubject"] = json!([]))),
        ("credentialSubject.id", Box::new(|d| d["credentialSubject"]["id"] = json!("node.example"))),
        ("credentialSubject", Box::new(|d| d["credentialSubject"]["memberOf"] = json!(DATASPACE))),
        (
            "credentialSubject.jurisdiction",
            Box::new(|d| {
                d["credentialSubject"] = json!({"id": holder_did(), "legalName": "X", "jurisdiction": "jp"});
            }),
        ),
        ("credentialStatus", Box::new(|d| d["credentialStatus"] = json!("revocation"))),
    ];
    for (field, change) in cases {
        let changed = resign(&credential, change, &cbpr_key(), &cbpr_method());
        let error = error_of(verifier.check(&changed, None));
        assert!(matches!(&error, CredentialError::Malformed { field: f, .. } if f == field), "{field}: got {error:?}");
        assert_eq!(error.code(), "malformed");
        assert!(error.to_string().starts_with(&format!("malformed: {field}: expected ")), "{error}");
    }
}

#[test]
fn revoked_and_suspended_credentials_are_refused() {
    let verifier = Verifier::new();
    let revoked = issue_cbpr(&cbpr_draft(REVOKED_INDEX));
    let error = error_of(verifier.check(&revoked, None));
    assert_eq!(error, CredentialError::Revoked { list: REVOCATION_LIST.into(), index: REVOKED_INDEX });
    assert_eq!(error.to_string(), format!("revoked: status list {REVOCATION_LIST} entry {REVOKED_INDEX}"));
    assert_eq!(error.code(), "revoked");

    let mut draft = cbpr_draft(REVOKED_INDEX + 1);
    draft.status.push(StatusEntry {
        list_credential: SUSPENSION_LIST.into(),
        index: SUSPENDED_INDEX,
        purpose: StatusPurpose::Suspension,
    });
    let suspended = issue_cbpr(&draft);
    assert!(suspended["credentialStatus"].is_array());
    let error = error_of(verifier.check(&suspended, None));
    assert_eq!(error, CredentialError::Suspended { list: SUSPENSION_LIST.into(), index: SUSPENDED_INDEX });
    assert_eq!(error.code(), "suspended");

    // Neither bit set: both entries checked, valid.
    draft.status[1].index = SUSPENDED_INDEX + 1;
    assert!(verifier.check(&issue_cbpr(&draft), None).is_ok());
}

#[test]
fn a_status_list_that_was_not_fetched_leaves_the_status_unknown() {
    let verifier = Verifier { lists: HashMap::new(), ..Verifier::new() };
    let error = error_of(verifier.check(&issue_cbpr(&cbpr_draft(42)), None));
    assert!(
        matches!(&error, CredentialError::StatusUnavailable { list, reason } if list == REVOCATION_LIST && reason.contains("not fetched")),
        "{error:?}"
    );
    assert_eq!(error.code(), "status-unavailable");
}

#[test]
fn a_status_list_from_another_issuer_is_not_believed() {
    let mut verifier = Verifier::new();
    // The stranger publishes a list at the URL the credential names, with nothing revoked.
    let list = signed_list(REVOCATION_LIST, &stranger_key(), StatusPurpose::Revocation, &[], None);
    let verified = verify_status_list(&list, now(), &DidKeyResolver).expect("a valid list, of the stranger");
    verifier.lists.insert(REVOCATION_LIST.into(), Arc::new(verified));
    let error = error_of(verifier.check(&issue_cbpr(&cbpr_draft(REVOKED_INDEX)), None));
    assert!(
        matches!(&error, CredentialError::StatusUnavailable { reason, .. } if reason.contains("not by the credential's issuer")),
        "{error:?}"
    );
}

#[test]
fn an_expired_status_list_says_nothing() {
    let mut verifier = Verifier::new();
    let until = now() - Duration::minutes(1);
    let list = signed_list(REVOCATION_LIST, &cbpr_key(), StatusPurpose::Revocation, &[], Some(until));
    // Verified while it was valid, still in the cache after it lapsed.
    let verified = verify_status_list(&list, now() - Duration::minutes(30), &DidKeyResolver).expect("valid then");
    verifier.lists.insert(REVOCATION_LIST.into(), Arc::new(verified));
    let error = error_of(verifier.check(&issue_cbpr(&cbpr_draft(42)), None));
    assert_eq!(
        error,
        CredentialError::StatusUnavailable {
            list: REVOCATION_LIST.into(),
            reason: "list expired on 2026-06-01T08:59:00Z".into()
        }
    );
    // Fetching it now fails in the first place.
    let refused = verify_status_list(&list, now(), &DidKeyResolver).expect_err("expired");
    assert_eq!(refused, CredentialError::Expired { valid_until: "2026-06-01T08:59:00Z".into() });
}

#[test]
fn a_status_entry_that_does_not_fit_its_list_is_refused() {
    let verifier = Verifier::new();
    // A suspension entry pointing at the revocation list.
    let draft = CredentialDraft {
        status: vec![StatusEntry {
            list_credential: REVOCATION_LIST.into(),
            index: 1,
            purpose: StatusPurpose::Suspension,
        }],
        ..cbpr_draft(0)
    };
    let error = error_of(verifier.check(&issue_cbpr(&draft), None));
    assert!(matches!(error, CredentialError::Status(StatusError::PurposeMismatch { .. })), "{error:?}");
    assert_eq!(error.code(), "status");
    // An index past the end of the list.
    let error = error_of(verifier.check(&issue_cbpr(&cbpr_draft(10_000_000)), None));
    assert!(matches!(error, CredentialError::Status(StatusError::OutOfRange { .. })), "{error:?}");
    // A purpose other than revocation or suspension.
    let credential = issue_cbpr(&cbpr_draft(1));
    let message = resign(
        &credential,
        |doc| doc["credentialStatus"]["statusPurpose"] = json!("message"),
        &cbpr_key(),
        &cbpr_method(),
    );
    let error = error_of(verifier.check(&message, None));
    assert!(matches!(error, CredentialError::Status(StatusError::Unsupported { .. })), "{error:?}");
}

// ---- status list credentials ----

#[test]
fn status_lists_round_trip_and_refuse_tampering() {
    let mut list = StatusList::default();
    list.set(3, true).expect("in range");
    let until = Some(now() + Duration::days(2));
    let signed = issue_status_list(
        REVOCATION_LIST,
        &cbpr_did(),
        &StatusPurpose::Revocation,
        &list,
        &cbpr_key(),
        &cbpr_method(),
        now(),
        until,
    )
    .expect("signed");
    assert_eq!(signed["id"], REVOCATION_LIST);
    assert_eq!(signed["type"], json!(["VerifiableCredential", "BitstringStatusListCredential"]));
    assert_eq!(signed["credentialSubject"]["id"], format!("{REVOCATION_LIST}#list"));
    assert_eq!(signed["credentialSubject"]["statusPurpose"], "revocation");

    let verified = verify_status_list(&signed, now(), &DidKeyResolver).expect("verifies");
    assert_eq!(verified.url, REVOCATION_LIST);
    assert_eq!(verified.issuer, cbpr_did());
    assert_eq!(verified.purposes, vec!["revocation".to_owned()]);
    assert_eq!(verified.list, list);
    assert_eq!(verified.valid_until, until.map(|u| u.replace_nanosecond(0).expect("valid")));

    let mut tampered = signed.clone();
    tampered["credentialSubject"]["encodedList"] = json!(StatusList::default().encode());
    assert_eq!(
        verify_status_list(&tampered, now(), &DidKeyResolver),
        Err(CredentialError::Proof(VerifyError::BadSignature))
    );

    let stranger = stranger_key();
    let foreign = resign(&signed, |_| {}, &stranger, &stranger.public_key().to_verification_method());
    assert_eq!(
        verify_status_list(&foreign, now(), &DidKeyResolver).map(|_| ()).map_err(|e| e.code()),
        Err("issuer-key")
    );

    let not_a_list = issue_cbpr(&cbpr_draft(1));
    assert_eq!(
        verify_status_list(&not_a_list, now(), &DidKeyResolver),
        Err(CredentialError::WrongType { found: TYPE_CERTIFICATION.into() })
    );
}

#[test]
fn status_urls_lists_what_to_fetch_and_skips_junk() {
    let mut draft = cbpr_draft(1);
    draft.status.push(StatusEntry {
        list_credential: SUSPENSION_LIST.into(),
        index: 2,
        purpose: StatusPurpose::Suspension,
    });
    assert_eq!(status_urls(&issue_cbpr(&draft)), vec![REVOCATION_LIST.to_owned(), SUSPENSION_LIST.to_owned()]);
    assert_eq!(status_urls(&issue_cbpr(&cbpr_draft(1))), vec![REVOCATION_LIST.to_owned()]);
    for junk in [
        json!(null),
        json!([]),
        json!({"credentialStatus": 3}),
        json!({"credentialStatus": [1, {"statusListCredential": 2}]}),
    ] {
        assert!(status_urls(&junk).is_empty(), "{junk}");
    }
}

// ---- issuing refuses what verifying would ----

#[test]
fn bad_drafts_are_refused_naming_the_field() {
    let entry = |purpose| StatusEntry { list_credential: REVOCATION_LIST.into(), index: 1, purpose };
    let cases = [
        ("issuer", CredentialDraft { issuer: "did:example:x".into(), ..cbpr_draft(1) }),
        ("subject", CredentialDraft { subject: "someone".into(), ..cbpr_draft(1) }),
        ("id", CredentialDraft { id: String::new(), ..cbpr_draft(1) }),
        (
            "credentialSubject.jurisdiction",
            CredentialDraft {
                claim: Claim::LegalEntity { legal_name: "X".into(), jurisdiction: "Japan".into() },
                ..cbpr_draft(1)
            },
        ),
        (
            "credentialSubject.memberOf",
            CredentialDraft { claim: Claim::Membership { dataspace: "two words".into() }, ..cbpr_draft(1) },
        ),
        ("valid_until", CredentialDraft { valid_until: Some(at("2025-01-01T00:00:00Z")), ..cbpr_draft(1) }),
        (
            "status",
            CredentialDraft {
                status: vec![entry(StatusPurpose::Revocation), entry(StatusPurpose::Revocation)],
                ..cbpr_draft(1)
            },
        ),
        (
            "status",
            CredentialDraft {
                status: vec![
                    entry(StatusPurpose::Revocation),
                    entry(StatusPurpose::Suspension),
                    entry(StatusPurpose::Suspension),
                ],
                ..cbpr_draft(1)
            },
        ),
    ];
    for (field, draft) in cases {
        match issue(&draft, &cbpr_key(), &cbpr_method(), now()) {
            Err(SignError::InvalidDocument(message)) => assert!(message.starts_with(field), "{field}: {message}"),
            other => panic!("{field}: expected a refusal, got {other:?}"),
        }
    }
}

#[test]
fn every_error_has_its_code_and_a_sentence() {
    let errors = [
        (CredentialError::Malformed { field: "issuer".into(), expected: "a DID".into() }, "malformed"),
        (CredentialError::Proof(VerifyError::BadSignature), "signature"),
        (
            CredentialError::IssuerKeyMismatch {
                issuer: "did:web:a".into(),
                verification_method: "did:web:b#k".into(),
            },
            "issuer-key",
        ),
        (CredentialError::WrongType { found: "X".into() }, "wrong-type"),
        (CredentialError::UnknownCertification { scheme: "x".into() }, "unknown-certification"),
        (
            CredentialError::UntrustedIssuer { issuer: "did:web:a".into(), kind: "legal-entity".into() },
            "untrusted-issuer",
        ),
        (CredentialError::NotYetValid { valid_from: "2030-01-01T00:00:00Z".into() }, "not-yet-valid"),
        (CredentialError::Expired { valid_until: "2020-01-01T00:00:00Z".into() }, "expired"),
        (CredentialError::SubjectNotHolder { subject: "did:web:a".into(), holder: "did:web:b".into() }, "not-holder"),
        (CredentialError::Revoked { list: "https://x/status/1".into(), index: 5 }, "revoked"),
        (CredentialError::Suspended { list: "https://x/status/1".into(), index: 5 }, "suspended"),
        (
            CredentialError::StatusUnavailable { list: "https://x/status/1".into(), reason: "r".into() },
            "status-unavailable",
        ),
        (CredentialError::Status(StatusError::TooLarge), "status"),
    ];
    for (error, code) in errors {
        assert_eq!(error.code(), code);
        let message = error.to_string();
        assert!(!message.is_empty() && !message.contains('\n'), "{message}");
        let _: &dyn std::error::Error = &error;
    }
}

// ---- hostile input ----

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        prop::sample::select(vec![
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "did:web:example.com",
            "VerifiableCredential",
            "BitstringStatusListEntry",
            "revocation",
            "2026-01-01T00:00:00Z",
            trust::CREDENTIALS_V2,
            "eddsa-jcs-2022",
            "DataIntegrityProof",
            "assertionMethod",
        ])
        .prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "@context",
        "id",
        "type",
        "issuer",
        "validFrom",
        "validUntil",
        "credentialSubject",
        "credentialStatus",
        "proof",
        "proofValue",
        "verificationMethod",
        "cryptosuite",
        "proofPurpose",
        "certification",
        "statusListCredential",
        "statusListIndex",
        "statusPurpose",
        "x",
    ]);
    leaf().prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key.clone().prop_map(String::from), inner), 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

fn hostile_context<'a>(verifier: &'a Verifier) -> CredentialContext<'a> {
    context(&verifier.trust_list, &verifier.resolver, &verifier.lists, Some(""))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_json_is_refused_without_panicking(value in json()) {
        let verifier = Verifier::new();
        prop_assert!(verify_credential(&value, &hostile_context(&verifier)).is_err());
        prop_assert!(verify_status_list(&value, now(), &verifier.resolver).is_err());
        let _ = status_urls(&value);
        let _ = trust::dids_to_fetch(&value);
    }

    #[test]
    fn a_changed_byte_never_verifies(position in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let verifier = Verifier::new();
        let credential = issue_cbpr(&cbpr_draft(42));
        let text = credential.to_string();
        let mut bytes = text.clone().into_bytes();
        let at = position.index(bytes.len());
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        // Not JSON (or not UTF-8) any more: nothing to verify.
        let Ok(changed) = trust::jcs::parse_slice(&bytes) else { return Ok(()) };
        let result = verifier.check(&changed, Some(&holder_did()));
        if changed == credential {
            prop_assert!(result.is_ok());
        } else {
            prop_assert!(result.is_err(), "changed byte {} to {:?} and it still verified", at, byte as char);
        }
    }
}

#[test]
fn issuing_is_deterministic() {
    // The same draft at the same time gives the same bytes (Ed25519 signatures are deterministic).
    assert_eq!(issue_cbpr(&cbpr_draft(42)).to_string(), issue_cbpr(&cbpr_draft(42)).to_string());
}

#[test]
fn every_single_byte_change_is_refused() {
    let verifier = Verifier::new();
    let credential = issue_cbpr(&cbpr_draft(42));
    let text = credential.to_string();
    let mut checked = 0;
    for at in 0..text.len() {
        for byte in [b'0', b'a', b'"', b' '] {
            let mut bytes = text.clone().into_bytes();
            if bytes[at] == byte {
                continue;
            }
            bytes[at] = byte;
            let Ok(changed) = trust::jcs::parse_slice(&bytes) else { continue };
            if changed != credential {
                checked += 1;
                assert!(verifier.check(&changed, None).is_err(), "byte {at} -> {:?} still verifies", byte as char);
            }
        }
    }
    assert!(checked > 500, "only {checked} changes parsed");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The issuer itself signs hostile content: the shape checks must refuse it (or accept it
    /// unchanged in meaning) without panicking.
    #[test]
    fn hostile_content_signed_by_a_trusted_issuer_never_panics(
        field in prop::sample::select(vec![
            "@context", "id", "type", "issuer", "validFrom", "validUntil", "credentialSubject", "credentialStatus",
        ]),
        sub in prop::option::of(prop::sample::select(vec![
            "id", "certification", "memberOf", "legalName", "jurisdiction", "type", "statusPurpose",
            "statusListIndex", "statusListCredential", "statusSize",
        ])),
        value in json(),
    ) {
        let verifier = Verifier::new();
        let credential = issue_cbpr(&cbpr_draft(42));
        let changed = resign(&credential, |doc| match sub {
            Some(sub) if doc[field].is_object() => doc[field][sub] = value,
            _ => { doc.insert(field.to_owned(), value); }
        }, &cbpr_key(), &cbpr_method());
        if let Ok(verified) = verifier.check(&changed, Some(&holder_did())) {
            prop_assert_eq!(verified.issuer, cbpr_did());
            prop_assert_eq!(verified.claim, certification("apec-cbpr"));
        }
    }
}
