//! Revocation and suspension: status entries in credentials, the issuer's signed status list
//! credential, and the verified, decoded lists a verifier caches.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::error::CredentialError;
use super::{check_proof_key, check_validity, prove, require_proof, stamp_for};
use crate::di::{KeyResolver, SignError};
use crate::keys::KeyPair;
use crate::shape::{self, CREDENTIALS_V2};
use crate::status::{EntryFields, ListFields, StatusError, StatusList};

/// The `type` of a status list credential.
pub const TYPE_STATUS_LIST: &str = "BitstringStatusListCredential";

/// What a set status bit means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusPurpose {
    /// `revocation`: withdrawn for good.
    Revocation,
    /// `suspension`: withdrawn for now.
    Suspension,
}

impl StatusPurpose {
    /// `revocation` or `suspension`.
    pub fn as_str(&self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    /// Reads `revocation` or `suspension`.
    pub fn parse(text: &str) -> Option<StatusPurpose> {
        match text {
            "revocation" => Some(StatusPurpose::Revocation),
            "suspension" => Some(StatusPurpose::Suspension),
            _ => None,
        }
    }
}

/// Where a credential's status is kept: an entry of a status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The status list credential's URL (its `id`).
    pub list_credential: String,
    /// The entry in the list.
    pub index: usize,
    /// What a set bit means.
    pub purpose: StatusPurpose,
}

impl StatusEntry {
    /// The `BitstringStatusListEntry` for `credentialStatus`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose.as_str(),
            "statusListIndex": self.index.to_string(),
            "statusListCredential": self.list_credential,
        })
    }
}

/// The verified state of one status list, as a verifier caches it (decoded once, not per check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedStatusList {
    /// The list credential's `id`, which entries name in `statusListCredential`.
    pub url: String,
    /// Who signed it; only that issuer's credentials may use it.
    pub issuer: String,
    /// Its `statusPurpose`s.
    pub purposes: Vec<String>,
    /// The decoded bits.
    pub list: StatusList,
    /// Its `validUntil`: after that, it says nothing.
    pub valid_until: Option<OffsetDateTime>,
}

/// Where a verifier finds status lists it already fetched and verified (the node's bounded
/// cache; a `HashMap` in tests and the CLI).
pub trait StatusLists {
    /// The verified list whose `id` is `url`, if at hand.
    fn status_list(&self, url: &str) -> Option<Arc<VerifiedStatusList>>;
}

impl<S: BuildHasher> StatusLists for HashMap<String, Arc<VerifiedStatusList>, S> {
    fn status_list(&self, url: &str) -> Option<Arc<VerifiedStatusList>> {
        self.get(url).cloned()
    }
}

/// The most status entries a credential may carry: one per purpose.
pub const MAX_STATUS_ENTRIES: usize = 2;

/// The `credentialStatus` entries of a credential: absent, one object, or an array of at most
/// [`MAX_STATUS_ENTRIES`] objects.
pub(crate) fn entries(credential: &Map<String, Value>) -> Result<Vec<&Value>, shape::Bad> {
    const EXPECTED: &str = "a BitstringStatusListEntry object, or an array of one or two of them";
    match credential.get("credentialStatus") {
        None => Ok(Vec::new()),
        Some(entry @ Value::Object(_)) => Ok(vec![entry]),
        Some(Value::Array(items))
            if !items.is_empty() && items.len() <= MAX_STATUS_ENTRIES && items.iter().all(Value::is_object) =>
        {
            Ok(items.iter().collect())
        }
        Some(_) => Err(shape::bad("credentialStatus", EXPECTED)),
    }
}

/// Checks one status entry of a credential by `issuer` against the cached lists.
pub(crate) fn check_entry(
    entry: &Value,
    issuer: &str,
    now: OffsetDateTime,
    lists: &dyn StatusLists,
) -> Result<(), CredentialError> {
    let fields = EntryFields::read(entry)?;
    let purpose = StatusPurpose::parse(fields.purpose).ok_or(StatusError::Unsupported {
        field: "credentialStatus.statusPurpose",
        supported: "\"revocation\" or \"suspension\"",
    })?;
    let list_url = shape::short(fields.list_url);
    let unavailable = |reason: String| CredentialError::StatusUnavailable { list: list_url.clone(), reason };
    let list = lists
        .status_list(fields.list_url)
        .ok_or_else(|| unavailable("the list was not fetched (or could not be verified)".into()))?;
    if list.url != fields.list_url {
        return Err(unavailable(format!("the cache answered with another list, {}", shape::short(&list.url))));
    }
    if list.issuer != issuer {
        return Err(unavailable(format!(
            "it is issued by {}, not by the credential's issuer {}",
            shape::short(&list.issuer),
            shape::short(issuer)
        )));
    }
    if let Some(valid_until) = list.valid_until.filter(|until| *until < now) {
        return Err(unavailable(format!("list expired on {}", shape::stamp(valid_until))));
    }
    fields.check_purpose(&list.purposes)?;
    if list.list.get(fields.index)? {
        let (list, index) = (list_url, fields.index);
        return Err(match purpose {
            StatusPurpose::Revocation => CredentialError::Revoked { list, index },
            StatusPurpose::Suspension => CredentialError::Suspended { list, index },
        });
    }
    Ok(())
}

/// The `statusListCredential` URLs a credential points at (so a verifier can fetch them first).
/// Never fails; junk is skipped.
pub fn status_urls(credential: &Value) -> Vec<String> {
    let entries: Vec<&Value> = match credential.get("credentialStatus") {
        Some(Value::Array(items)) => items.iter().take(MAX_STATUS_ENTRIES).collect(),
        Some(entry) => vec![entry],
        None => Vec::new(),
    };
    let mut urls: Vec<String> = Vec::new();
    for url in entries.into_iter().filter_map(|e| e.get("statusListCredential")).filter_map(Value::as_str) {
        if !url.is_empty() && !urls.iter().any(|u| u == url) {
            urls.push(url.to_owned());
        }
    }
    urls
}

/// Signs a `BitstringStatusListCredential`: `id` = `url`, `credentialSubject` `{id: url#list, type
/// BitstringStatusList, statusPurpose, encodedList}`, `validFrom` = `now`, `validUntil` if given.
// The arguments are the list credential's fields; a struct for them would only rename them.
#[allow(clippy::too_many_arguments)]
pub fn issue_status_list(
    url: &str,
    issuer: &str,
    purpose: &StatusPurpose,
    list: &StatusList,
    key: &KeyPair,
    verification_method: &str,
    now: OffsetDateTime,
    valid_until: Option<OffsetDateTime>,
) -> Result<Value, SignError> {
    if url.is_empty() {
        return Err(SignError::InvalidDocument("url: expected the URL the list will be served at".into()));
    }
    let valid_from = stamp_for("now", now)?;
    let valid_until = valid_until.map(|until| stamp_for("valid_until", until)).transpose()?;
    let mut credential = json!({
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", TYPE_STATUS_LIST],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose.as_str(),
            "encodedList": list.encode(),
        },
    });
    if let (Some(until), Value::Object(object)) = (valid_until, &mut credential) {
        object.insert("validUntil".into(), until.into());
    }
    prove(&credential, issuer, key, verification_method, now)
}

/// Verifies a fetched status list credential — a proof by a key its issuer controls, the
/// validity period, the shape — and decodes the list once.
pub fn verify_status_list(
    credential: &Value,
    now: OffsetDateTime,
    resolver: &dyn KeyResolver,
) -> Result<VerifiedStatusList, CredentialError> {
    let verified = require_proof(credential, now, resolver)?;
    let document = shape::object(&verified.document, "statusListCredential", "a JSON object")?;
    shape::check_context(document)?;
    let specific = shape::specific_type(document, "VerifiableCredential")?;
    if specific != TYPE_STATUS_LIST {
        return Err(CredentialError::WrongType { found: shape::short(specific) });
    }
    let issuer = shape::required_did(document, "issuer", "issuer")?;
    check_proof_key(issuer, &verified.verification_method)?;
    let valid_until = check_validity(document, now, false)?;
    let fields = ListFields::read(&verified.document)?;
    let list = StatusList::decode(fields.encoded_list)?;
    Ok(VerifiedStatusList {
        url: fields.id.to_owned(),
        issuer: issuer.to_owned(),
        purposes: fields.purposes.iter().map(|p| (*p).to_owned()).collect(),
        list,
        valid_until,
    })
}
