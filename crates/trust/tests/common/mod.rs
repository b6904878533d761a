//! Fixtures shared by the credential, presentation and did:web tests: keys, DIDs, a trust list,
//! status lists, and drafts that verify.

// Each test file uses a different part of these fixtures.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use time::{Duration, OffsetDateTime};
use trust::credential::CredentialContext;
use trust::{
    datetime, did_web, issue, issue_status_list, verify_status_list, Claim, CredentialDraft, DidKeyResolver,
    DocumentResolver, KeyPair, StatusEntry, StatusList, StatusPurpose, TrustList, TrustedIssuer, VerifiedStatusList,
};

pub const WEB_ISSUER: &str = "did:web:registry.example";
pub const WEB_HOLDER: &str = "did:web:node.example%3A8443:dfft";
pub const DATASPACE: &str = "https://dataspace.example/apac-health";
pub const REVOCATION_LIST: &str = "https://cbpr.example/status/1";
pub const SUSPENSION_LIST: &str = "https://cbpr.example/status/2";
/// Set in the revocation list.
pub const REVOKED_INDEX: usize = 5;
/// Set in the suspension list.
pub const SUSPENDED_INDEX: usize = 7;

pub fn now() -> OffsetDateTime {
    datetime::parse("2026-06-01T09:00:00Z").expect("timestamp")
}

pub fn at(text: &str) -> OffsetDateTime {
    datetime::parse(text).expect("timestamp")
}

/// The certification body, a did:key issuer.
pub fn cbpr_key() -> KeyPair {
    KeyPair::from_seed(&[1; 32])
}

pub fn cbpr_did() -> String {
    cbpr_key().public_key().to_did_key()
}

pub fn cbpr_method() -> String {
    cbpr_key().public_key().to_verification_method()
}

/// A business registry and dataspace authority, a did:web issuer.
pub fn web_key() -> KeyPair {
    KeyPair::from_seed(&[2; 32])
}

pub fn web_method() -> String {
    format!("{WEB_ISSUER}#key-1")
}

/// The node that holds credentials, by its did:key.
pub fn holder_key() -> KeyPair {
    KeyPair::from_seed(&[3; 32])
}

pub fn holder_did() -> String {
    holder_key().public_key().to_did_key()
}

pub fn holder_method() -> String {
    holder_key().public_key().to_verification_method()
}

/// Someone nobody accredited.
pub fn stranger_key() -> KeyPair {
    KeyPair::from_seed(&[4; 32])
}

pub fn trust_list() -> TrustList {
    let mut issuers: Vec<TrustedIssuer> = (0..48u8)
        .map(|n| TrustedIssuer {
            did: KeyPair::from_seed(&[100 + n; 32]).public_key().to_did_key(),
            name: format!("filler issuer {n}"),
            accredited: vec!["certification:iso-27001".into()],
        })
        .collect();
    issuers.push(TrustedIssuer {
        did: cbpr_did(),
        name: "CBPR accountability agent".into(),
        accredited: vec!["certification:apec-cbpr".into(), "certification:global-cbpr".into()],
    });
    issuers.push(TrustedIssuer {
        did: WEB_ISSUER.into(),
        name: "Registry and dataspace authority".into(),
        accredited: vec![format!("membership:{DATASPACE}"), "legal-entity".into()],
    });
    TrustList { issuers }
}

/// Resolves did:key, and the did:web issuer and holder from their documents.
pub fn resolver() -> DocumentResolver {
    let mut resolver = DocumentResolver::new();
    resolver.add(WEB_ISSUER, did_web::document(WEB_ISSUER, &web_key().public_key()));
    resolver.add(WEB_HOLDER, did_web::document(WEB_HOLDER, &holder_key().public_key()));
    resolver
}

pub fn certification(scheme: &str) -> Claim {
    Claim::Certification { scheme: scheme.into() }
}

pub fn membership() -> Claim {
    Claim::Membership { dataspace: DATASPACE.into() }
}

pub fn legal_entity() -> Claim {
    Claim::LegalEntity { legal_name: "Tokyo Research Institute K.K.".into(), jurisdiction: "JP".into() }
}

/// An APEC CBPR certification of the holder by the did:key issuer, revocable at `index`.
pub fn cbpr_draft(index: usize) -> CredentialDraft {
    CredentialDraft {
        id: "urn:uuid:6a1f4a4e-2b1c-4a7e-9d0b-1f2e3d4c5b6a".into(),
        issuer: cbpr_did(),
        subject: holder_did(),
        claim: certification("apec-cbpr"),
        valid_from: at("2026-01-01T00:00:00Z"),
        valid_until: Some(at("2027-01-01T00:00:00Z")),
        status: vec![StatusEntry {
            list_credential: REVOCATION_LIST.into(),
            index,
            purpose: StatusPurpose::Revocation,
        }],
    }
}

pub fn issue_cbpr(draft: &CredentialDraft) -> Value {
    issue(draft, &cbpr_key(), &cbpr_method(), at("2026-01-01T00:00:00Z")).expect("issued")
}

/// A credential by the did:web issuer.
pub fn web_draft(claim: Claim) -> CredentialDraft {
    CredentialDraft {
        id: "urn:uuid:00000000-0000-4000-8000-000000000001".into(),
        issuer: WEB_ISSUER.into(),
        subject: WEB_HOLDER.into(),
        claim,
        valid_from: at("2026-01-01T00:00:00Z"),
        valid_until: None,
        status: Vec::new(),
    }
}

pub fn issue_web(draft: &CredentialDraft) -> Value {
    issue(draft, &web_key(), &web_method(), at("2026-01-01T00:00:00Z")).expect("issued")
}

/// A signed status list by `key` (a did:key issuer) with `set` entries set.
pub fn signed_list(
    url: &str,
    key: &KeyPair,
    purpose: StatusPurpose,
    set: &[usize],
    until: Option<OffsetDateTime>,
) -> Value {
    let mut list = StatusList::default();
    for &index in set {
        list.set(index, true).expect("index in range");
    }
    let did = key.public_key().to_did_key();
    let method = key.public_key().to_verification_method();
    issue_status_list(url, &did, &purpose, &list, key, &method, now() - Duration::hours(1), until).expect("signed list")
}

/// The two lists of the did:key issuer, verified and cached.
pub fn status_lists() -> HashMap<String, Arc<VerifiedStatusList>> {
    let until = Some(now() + Duration::days(1));
    let revocation = signed_list(REVOCATION_LIST, &cbpr_key(), StatusPurpose::Revocation, &[REVOKED_INDEX], until);
    let suspension = signed_list(SUSPENSION_LIST, &cbpr_key(), StatusPurpose::Suspension, &[SUSPENDED_INDEX], until);
    let mut lists = HashMap::new();
    for list in [revocation, suspension] {
        let verified = verify_status_list(&list, now(), &DidKeyResolver).expect("a valid list");
        lists.insert(verified.url.clone(), Arc::new(verified));
    }
    lists
}

/// Everything a verifier needs, at `now()`, for `holder`.
pub fn context<'a>(
    trust_list: &'a TrustList,
    resolver: &'a DocumentResolver,
    lists: &'a HashMap<String, Arc<VerifiedStatusList>>,
    holder: Option<&'a str>,
) -> CredentialContext<'a> {
    CredentialContext { now: now(), trust_list, resolver, status_lists: lists, holder }
}

/// A verifier's state: the trust list, resolver and cached status lists above.
pub struct Verifier {
    pub trust_list: TrustList,
    pub resolver: DocumentResolver,
    pub lists: HashMap<String, Arc<VerifiedStatusList>>,
}

impl Verifier {
    pub fn new() -> Self {
        Verifier { trust_list: trust_list(), resolver: resolver(), lists: status_lists() }
    }

    pub fn check(
        &self,
        credential: &Value,
        holder: Option<&str>,
    ) -> Result<trust::VerifiedCredential, trust::CredentialError> {
        self.check_at(credential, holder, now())
    }

    pub fn check_at(
        &self,
        credential: &Value,
        holder: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<trust::VerifiedCredential, trust::CredentialError> {
        let mut ctx = context(&self.trust_list, &self.resolver, &self.lists, holder);
        ctx.now = now;
        trust::verify_credential(credential, &ctx)
    }
}

/// `secured` without its proof, changed by `change`, signed again with `key` as `method`: a
/// document the issuer really signed, whatever it says.
pub fn resign(
    secured: &Value,
    change: impl FnOnce(&mut serde_json::Map<String, Value>),
    key: &KeyPair,
    method: &str,
) -> Value {
    let mut document = secured.as_object().expect("an object").clone();
    document.remove("proof");
    change(&mut document);
    let options = trust::ProofOptions {
        verification_method: method.into(),
        ..trust::ProofOptions::assertion(&key.public_key(), at("2026-01-01T00:00:00Z"))
    };
    trust::sign_value(&Value::Object(document), &options, key).expect("signed")
}
