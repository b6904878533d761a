//! A node as a credential issuer (an accountability agent, a data space's membership authority):
//! issuing credentials, revoking and suspending them, and the status lists it publishes.
//!
//! State lives in `DIR/issuer.json` — the two bitstrings (revocation, suspension) and a register
//! of what was issued — changed under `DIR/issuer.lock` and written atomically, so `dfft vc
//! issue` and `dfft vc revoke` work whether or not the node is serving. A serving node signs a
//! fresh status list credential from that file at each request.

use std::path::Path;

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use trust::{Claim, CredentialDraft, KeyPair, StatusEntry, StatusList, StatusPurpose};

use crate::files::{locked, write_atomic};

pub const ISSUER_FILE: &str = "issuer.json";
const LOCK_FILE: &str = "issuer.lock";
/// How long a served status list credential is valid: verifiers fetch again after this.
pub const STATUS_LIST_VALIDITY_S: i64 = 300;

/// Which DID a credential names as its issuer: the node's `did:key`, or its `did:web` (resolved
/// through the DID document the node serves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DidForm {
    Key,
    Web,
}

impl DidForm {
    pub fn as_str(self) -> &'static str {
        match self {
            DidForm::Key => "key",
            DidForm::Web => "web",
        }
    }

    pub fn parse(text: &str) -> Option<DidForm> {
        match text {
            "key" => Some(DidForm::Key),
            "web" => Some(DidForm::Web),
            _ => None,
        }
    }
}

/// The issuer's DID in `form` and the verification method that signs for it.
pub fn identity(key: &KeyPair, base_url: &str, form: DidForm) -> anyhow::Result<(String, String)> {
    match form {
        DidForm::Key => Ok((key.public_key().to_did_key(), key.public_key().to_verification_method())),
        DidForm::Web => {
            let did = trust::did_web::did_for_url(base_url).map_err(|e| anyhow!("{e}"))?;
            let method = format!("{did}#key-1");
            Ok((did, method))
        }
    }
}

/// One issued credential, as the issuer's register keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub id: String,
    pub subject: String,
    pub kind: String,
    pub form: DidForm,
    /// The credential's entry in both status lists.
    pub index: usize,
    pub issued_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub revoked: bool,
    #[serde(default)]
    pub suspended: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    revocation: String,
    suspension: String,
    issued: Vec<Issued>,
}

impl State {
    fn empty() -> anyhow::Result<State> {
        let list = StatusList::new(trust::status::MIN_ENTRIES).map_err(|e| anyhow!("{e}"))?.encode();
        Ok(State { revocation: list.clone(), suspension: list, issued: Vec::new() })
    }

    fn load(dir: &Path) -> anyhow::Result<State> {
        let path = dir.join(ISSUER_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("{} is damaged", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::empty(),
            Err(e) => Err(anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    fn save(&self, dir: &Path) -> anyhow::Result<()> {
        write_atomic(&dir.join(ISSUER_FILE), &serde_json::to_vec_pretty(self)?)
    }

    fn list(&self, purpose: &StatusPurpose) -> anyhow::Result<StatusList> {
        let encoded = match purpose {
            StatusPurpose::Revocation => &self.revocation,
            StatusPurpose::Suspension => &self.suspension,
        };
        StatusList::decode(encoded).map_err(|e| anyhow!("{ISSUER_FILE}: {e}"))
    }
}

/// The URL of one of the issuer's status lists.
pub fn status_list_url(base_url: &str, form: DidForm, purpose: &StatusPurpose) -> String {
    format!("{}/status/{}/{}", base_url.trim_end_matches('/'), form.as_str(), purpose.as_str())
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    pub subject: String,
    pub claim: Claim,
    pub valid_from: OffsetDateTime,
    pub valid_until: Option<OffsetDateTime>,
    pub form: DidForm,
}

/// Issues a credential with revocation and suspension entries, and records it.
pub fn issue(
    dir: &Path,
    key: &KeyPair,
    base_url: &str,
    request: &IssueRequest,
    now: OffsetDateTime,
) -> anyhow::Result<Value> {
    if !request.subject.starts_with("did:") {
        bail!(
            "--subject '{}': must be the holder's DID (e.g. did:key:z6Mk…, from `dfft identity show`)",
            request.subject
        );
    }
    let (issuer, method) = identity(key, base_url, request.form)?;
    locked(&dir.join(LOCK_FILE), || {
        let mut state = State::load(dir)?;
        let index = free_index(&state)?;
        let id = crate::random::urn();
        let status = [StatusPurpose::Revocation, StatusPurpose::Suspension]
            .into_iter()
            .map(|purpose| StatusEntry {
                list_credential: status_list_url(base_url, request.form, &purpose),
                index,
                purpose,
            })
            .collect();
        let draft = CredentialDraft {
            id: id.clone(),
            issuer,
            subject: request.subject.clone(),
            claim: request.claim.clone(),
            valid_from: request.valid_from,
            valid_until: request.valid_until,
            status,
        };
        let credential = trust::issue(&draft, key, &method, now).map_err(|e| anyhow!("cannot sign: {e}"))?;
        state.issued.push(Issued {
            id,
            subject: request.subject.clone(),
            kind: request.claim.kind(),
            form: request.form,
            index,
            issued_at: crate::app::timestamp(now.unix_timestamp() * 1000),
            valid_until: request.valid_until.and_then(trust::datetime::format),
            revoked: false,
            suspended: false,
        });
        state.save(dir)?;
        Ok(credential)
    })
}

/// A random free entry: entries are spread over the list so that its bits say little about
/// when a credential was issued (Bitstring Status List §6, group privacy).
fn free_index(state: &State) -> anyhow::Result<usize> {
    let capacity = trust::status::MIN_ENTRIES;
    if state.issued.len() >= capacity / 2 {
        bail!(
            "this issuer's status lists are half full ({} credentials); a second list is not supported yet",
            state.issued.len()
        );
    }
    loop {
        let candidate = usize::try_from(crate::random::nonce() % capacity as u128).unwrap_or(0);
        if !state.issued.iter().any(|i| i.index == candidate) {
            return Ok(candidate);
        }
    }
}

/// A change to an issued credential's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Revoke,
    Suspend,
    Reinstate,
}

/// Revokes, suspends or reinstates the credential whose id is `selector` (or whose id ends with
/// it). Revocation is final: a revoked credential cannot be reinstated.
pub fn set_status(dir: &Path, selector: &str, change: StatusChange) -> anyhow::Result<Issued> {
    locked(&dir.join(LOCK_FILE), || {
        let mut state = State::load(dir)?;
        let matches: Vec<usize> = state
            .issued
            .iter()
            .enumerate()
            .filter(|(_, i)| !selector.is_empty() && (i.id == selector || i.id.ends_with(selector)))
            .map(|(n, _)| n)
            .collect();
        let position = match matches.as_slice() {
            [one] => *one,
            [] => bail!("no credential issued by this node has the id '{selector}' (see `dfft vc list`)"),
            _ => bail!("'{selector}' matches {} issued credentials; give the full id", matches.len()),
        };
        let Some(record) = state.issued.get(position).cloned() else { bail!("no such credential") };
        if record.revoked && change != StatusChange::Revoke {
            bail!("{} is revoked; revocation is final", record.id);
        }
        let mut revocation = state.list(&StatusPurpose::Revocation)?;
        let mut suspension = state.list(&StatusPurpose::Suspension)?;
        let status = |e: trust::StatusError| anyhow!("{e}");
        match change {
            StatusChange::Revoke => revocation.set(record.index, true).map_err(status)?,
            StatusChange::Suspend => suspension.set(record.index, true).map_err(status)?,
            StatusChange::Reinstate => suspension.set(record.index, false).map_err(status)?,
        }
        state.revocation = revocation.encode();
        state.suspension = suspension.encode();
        let updated = Issued {
            revoked: record.revoked || change == StatusChange::Revoke,
            suspended: match change {
                StatusChange::Suspend => true,
                StatusChange::Reinstate => false,
                StatusChange::Revoke => record.suspended,
            },
            ..record
        };
        if let Some(slot) = state.issued.get_mut(position) {
            *slot = updated.clone();
        }
        state.save(dir)?;
        Ok(updated)
    })
}

/// What this node has issued.
pub fn issued(dir: &Path) -> anyhow::Result<Vec<Issued>> {
    Ok(State::load(dir)?.issued)
}

/// The signed status list credential a node serves at [`status_list_url`].
pub fn status_list_credential(
    dir: &Path,
    key: &KeyPair,
    base_url: &str,
    form: DidForm,
    purpose: &StatusPurpose,
    now: OffsetDateTime,
) -> anyhow::Result<Value> {
    let list = State::load(dir)?.list(purpose)?;
    let (issuer, method) = identity(key, base_url, form)?;
    let url = status_list_url(base_url, form, purpose);
    let until = now + time::Duration::seconds(STATUS_LIST_VALIDITY_S);
    trust::issue_status_list(&url, &issuer, purpose, &list, key, &method, now, Some(until))
        .map_err(|e| anyhow!("cannot sign the status list: {e}"))
}
