//! W3C Verifiable Credentials 2.0, as dfft issues and accepts them: one claim about the holder
//! (a certification, a dataspace membership, or who it is in law), signed by the issuer with an
//! `eddsa-jcs-2022` proof, optionally revocable through a Bitstring Status List.
//!
//! ```json
//! {"@context": ["https://www.w3.org/ns/credentials/v2"],
//!  "id": "urn:uuid:…", "type": ["VerifiableCredential", "DfftCertificationCredential"],
//!  "issuer": "did:web:jipdec.example", "validFrom": "2026-01-01T00:00:00Z",
//!  "credentialSubject": {"id": "did:web:node.example", "certification": "apec-cbpr"},
//!  "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
//!                       "statusListIndex": "94567", "statusListCredential": "https://…/status/1"},
//!  "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", …}}
//! ```
//!
//! [`verify_credential`] believes a credential only if all of this holds: the proof verifies
//! under a key the issuer DID controls; the type fits the claim; a certification scheme is one
//! the rulebook knows; the trust list accredits the issuer for that kind of claim; now is within
//! `validFrom`..=`validUntil`; the subject is the presentation's holder; and no status entry is
//! set in the issuer's status list, which the caller fetched and verified beforehand
//! ([`verify_status_list`]) — this crate does no IO.
//!
//! Only the shape written here is accepted (`@context` exactly the VC 2.0 base context, one
//! specific type, an `issuer` DID string, a `credentialSubject` object), and every field is read
//! from the signed bytes, never from anything added after signing.

mod claim;
mod error;
mod status_list;

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

pub use self::claim::{Claim, TYPE_CERTIFICATION, TYPE_LEGAL_ENTITY, TYPE_MEMBERSHIP};
pub use self::error::CredentialError;
pub use self::status_list::{
    issue_status_list, status_urls, verify_status_list, StatusEntry, StatusLists, StatusPurpose, VerifiedStatusList,
    MAX_STATUS_ENTRIES, TYPE_STATUS_LIST,
};
pub use crate::shape::CREDENTIALS_V2;

use crate::datetime;
use crate::di::{self, KeyResolver, ProofOptions, SignError, Verified, VerifyOptions, ASSERTION_METHOD};
use crate::keys::KeyPair;
use crate::shape::{self, Bad};
use crate::trust_list::{self, TrustList};

/// What an issuer states, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialDraft {
    /// The credential's id, e.g. `urn:uuid:…`, chosen by the caller.
    pub id: String,
    /// The issuer's DID (`did:key` or `did:web`).
    pub issuer: String,
    /// The holder's DID.
    pub subject: String,
    /// What is stated about the holder.
    pub claim: Claim,
    /// From when it holds (written in whole seconds).
    pub valid_from: OffsetDateTime,
    /// Until when it holds, if it lapses.
    pub valid_until: Option<OffsetDateTime>,
    /// Where its revocation and/or suspension status is kept: 0, 1 or 2 entries of different
    /// purposes.
    pub status: Vec<StatusEntry>,
}

/// Signs the draft. `verification_method` is the issuer key's URL (`did:key`:
/// `key.public_key().to_verification_method()`; `did:web`: `"<did>#key-1"`); it must be a key of
/// the issuer. A draft that [`verify_credential`] would refuse for its shape is refused here, with
/// [`SignError::InvalidDocument`] naming the field.
pub fn issue(
    draft: &CredentialDraft,
    key: &KeyPair,
    verification_method: &str,
    created: OffsetDateTime,
) -> Result<Value, SignError> {
    let invalid = |bad: Bad| SignError::InvalidDocument(format!("{}: expected {}", bad.field, bad.expected));
    check_draft(draft).map_err(invalid)?;
    let mut credential = Map::new();
    credential.insert("@context".into(), json!([CREDENTIALS_V2]));
    credential.insert("id".into(), draft.id.clone().into());
    credential.insert("type".into(), json!(["VerifiableCredential", draft.claim.credential_type()]));
    credential.insert("issuer".into(), draft.issuer.clone().into());
    credential.insert("validFrom".into(), stamp_for("valid_from", draft.valid_from)?.into());
    if let Some(until) = draft.valid_until {
        credential.insert("validUntil".into(), stamp_for("valid_until", until)?.into());
    }
    credential.insert("credentialSubject".into(), draft.claim.to_subject(&draft.subject));
    match draft.status.as_slice() {
        [] => {}
        [entry] => {
            credential.insert("credentialStatus".into(), entry.to_json());
        }
        entries => {
            credential.insert("credentialStatus".into(), entries.iter().map(StatusEntry::to_json).collect());
        }
    }
    prove(&Value::Object(credential), &draft.issuer, key, verification_method, created)
}

/// A credential that [`verify_credential`] believes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCredential {
    /// Its `id`, if it has one.
    pub id: Option<String>,
    /// The issuer DID (accredited for the claim's kind).
    pub issuer: String,
    /// `credentialSubject.id`.
    pub subject: String,
    /// What it states.
    pub claim: Claim,
    /// Its `validUntil`, if it lapses.
    pub valid_until: Option<OffsetDateTime>,
}

/// What a verifier checks a credential against. `Copy`, so one context can be adjusted per
/// presentation (`CredentialContext { holder: Some(h), ..ctx }`).
#[derive(Clone, Copy)]
pub struct CredentialContext<'a> {
    /// The current time, from the caller's clock.
    pub now: OffsetDateTime,
    /// Who is believed, for what.
    pub trust_list: &'a TrustList,
    /// Turns proof keys into public keys (`DidKeyResolver`, or a
    /// [`DocumentResolver`](crate::did_web::DocumentResolver) with fetched `did:web` documents).
    pub resolver: &'a dyn KeyResolver,
    /// Status lists already fetched and verified.
    pub status_lists: &'a dyn StatusLists,
    /// When set, the credential's subject must be this DID (the presentation's holder).
    pub holder: Option<&'a str>,
}

/// Verifies one credential: its proof (`assertionMethod`, via `ctx.resolver`), by a key the
/// issuer controls; its shape; that its type fits its claim, a certification scheme is known, and
/// the issuer is accredited in `ctx.trust_list` for the claim's kind; `validFrom <= now <=
/// validUntil`; the subject is `ctx.holder` (if set); then each `credentialStatus` entry against
/// the cached list (found, of the same issuer, not expired, of the entry's purpose, bit not set).
pub fn verify_credential(
    credential: &Value,
    ctx: &CredentialContext<'_>,
) -> Result<VerifiedCredential, CredentialError> {
    let verified = require_proof(credential, ctx.now, ctx.resolver)?;
    let document = shape::object(&verified.document, "credential", "a JSON object")?;
    shape::check_context(document)?;
    let specific = shape::specific_type(document, "VerifiableCredential")?;
    let id = shape::optional_str(document, "id", "id", "a URL (a non-empty string), e.g. \"urn:uuid:…\"")?;
    let issuer = shape::required_did(document, "issuer", "issuer")?;
    let validity = Validity::read(document, true)?;
    let subject = document
        .get("credentialSubject")
        .and_then(Value::as_object)
        .ok_or_else(|| shape::bad("credentialSubject", "an object with the holder's \"id\" and one claim"))?;
    let subject_id = shape::required_str(subject, "id", "credentialSubject.id", "the holder's DID")?;
    if !subject_id.starts_with("did:") {
        return Err(shape::bad("credentialSubject.id", "the holder's DID (\"did:…\")").into());
    }
    let claim = Claim::from_subject(subject)?;
    let entries = status_list::entries(document)?;

    check_proof_key(issuer, &verified.verification_method)?;
    if specific != claim.credential_type() {
        return Err(CredentialError::WrongType { found: shape::short(specific) });
    }
    if let Claim::Certification { scheme } = &claim {
        if trust_list::check_scheme(scheme).is_err() {
            return Err(CredentialError::UnknownCertification { scheme: shape::short(scheme) });
        }
    }
    let kind = claim.kind();
    if !ctx.trust_list.accredits(issuer, &kind) {
        return Err(CredentialError::UntrustedIssuer { issuer: shape::short(issuer), kind: shape::short(&kind) });
    }
    validity.check(ctx.now)?;
    if let Some(holder) = ctx.holder.filter(|holder| *holder != subject_id) {
        return Err(CredentialError::SubjectNotHolder {
            subject: shape::short(subject_id),
            holder: shape::short(holder),
        });
    }
    for entry in entries {
        status_list::check_entry(entry, issuer, ctx.now, ctx.status_lists)?;
    }
    Ok(VerifiedCredential {
        id: id.map(str::to_owned),
        issuer: issuer.to_owned(),
        subject: subject_id.to_owned(),
        claim,
        valid_until: validity.until,
    })
}

/// The checks [`issue`] makes before signing: what verification would refuse for its shape.
fn check_draft(draft: &CredentialDraft) -> Result<(), Bad> {
    if draft.id.is_empty() {
        return Err(shape::bad("id", "a URL chosen by the issuer, e.g. \"urn:uuid:…\""));
    }
    trust_list::check_did(&draft.issuer).map_err(|e| shape::bad("issuer", e))?;
    if !draft.subject.starts_with("did:") || draft.subject.len() <= 4 {
        return Err(shape::bad("subject", "the holder's DID (\"did:…\")"));
    }
    draft.claim.check_values()?;
    if let Claim::Certification { scheme } = &draft.claim {
        trust_list::check_scheme(scheme).map_err(|e| shape::bad("claim", e))?;
    }
    if draft.valid_until.is_some_and(|until| until < draft.valid_from) {
        return Err(shape::bad("valid_until", "an instant at or after valid_from"));
    }
    if draft.status.len() > MAX_STATUS_ENTRIES {
        return Err(shape::bad("status", "at most two entries, one for revocation and one for suspension"));
    }
    if let [a, b] = draft.status.as_slice() {
        if a.purpose == b.purpose {
            return Err(shape::bad("status", "entries of different purposes (revocation, suspension)"));
        }
    }
    if draft.status.iter().any(|entry| entry.list_credential.is_empty()) {
        return Err(shape::bad("status.list_credential", "the status list credential's URL"));
    }
    Ok(())
}

/// Signs a credential with an `assertionMethod` proof by `verification_method`, which must be a
/// key of `issuer`.
fn prove(
    credential: &Value,
    issuer: &str,
    key: &KeyPair,
    verification_method: &str,
    created: OffsetDateTime,
) -> Result<Value, SignError> {
    trust_list::check_did(issuer).map_err(|e| SignError::InvalidDocument(format!("issuer: {e}")))?;
    if shape::did_of(verification_method) != issuer {
        return Err(SignError::InvalidDocument(format!(
            "verificationMethod {:?} is not a key of the issuer {}: expected \"{}#…\"",
            shape::short(verification_method),
            shape::short(issuer),
            shape::short(issuer)
        )));
    }
    let options = ProofOptions {
        verification_method: verification_method.to_owned(),
        proof_purpose: ASSERTION_METHOD.to_owned(),
        created: Some(created),
        expires: None,
        id: None,
        domain: None,
        challenge: None,
        nonce: None,
    };
    di::sign_value(credential, &options, key)
}

/// An instant as written in a credential, or a refusal naming `field`.
fn stamp_for(field: &str, instant: OffsetDateTime) -> Result<String, SignError> {
    datetime::format(instant)
        .ok_or_else(|| SignError::InvalidDocument(format!("{field}: expected an instant in the years 0000 to 9999")))
}

/// The proof check shared by credentials and status lists.
fn require_proof(
    credential: &Value,
    now: OffsetDateTime,
    resolver: &dyn KeyResolver,
) -> Result<Verified, CredentialError> {
    di::verify_with(credential, &VerifyOptions::new(now), resolver).map_err(CredentialError::Proof)
}

/// The proof's key must belong to the issuer: its DID part is the issuer DID (the resolver has
/// already checked that DID's document lists the key).
fn check_proof_key(issuer: &str, verification_method: &str) -> Result<(), CredentialError> {
    if shape::did_of(verification_method) == issuer {
        return Ok(());
    }
    Err(CredentialError::IssuerKeyMismatch {
        issuer: shape::short(issuer),
        verification_method: shape::short(verification_method),
    })
}

/// `validFrom` and `validUntil`.
struct Validity {
    from: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
}

impl Validity {
    fn read(document: &Map<String, Value>, require_from: bool) -> Result<Validity, Bad> {
        let from = shape::optional_datetime(document, "validFrom", "validFrom")?;
        if require_from && from.is_none() {
            return Err(shape::bad("validFrom", "a date-time like \"2026-01-31T12:00:00Z\""));
        }
        Ok(Validity { from, until: shape::optional_datetime(document, "validUntil", "validUntil")? })
    }

    fn check(&self, now: OffsetDateTime) -> Result<(), CredentialError> {
        if let Some(from) = self.from.filter(|from| *from > now) {
            return Err(CredentialError::NotYetValid { valid_from: shape::stamp(from) });
        }
        if let Some(until) = self.until.filter(|until| *until < now) {
            return Err(CredentialError::Expired { valid_until: shape::stamp(until) });
        }
        Ok(())
    }
}

/// Reads and checks the validity period; returns `validUntil`.
fn check_validity(
    document: &Map<String, Value>,
    now: OffsetDateTime,
    require_from: bool,
) -> Result<Option<OffsetDateTime>, CredentialError> {
    let validity = Validity::read(document, require_from)?;
    validity.check(now)?;
    Ok(validity.until)
}
