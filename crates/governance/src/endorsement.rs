//! An endorsement: a governance member's signed statement that it endorses one release, in one
//! role. A JSON document secured with a Data Integrity `eddsa-jcs-2022` proof by the member's
//! `did:key`:
//!
//! ```json
//! {"type": "RulebookEndorsement", "release": "sha256:…", "name": "dfft rulebook",
//!  "version": "2026.11.25", "effective": "2026-12-01", "endorser": "did:key:z6Mk…",
//!  "role": "government", "proof": {…}}
//! ```
//!
//! Whether the endorser is a member in that role is for the node's governance file to say
//! ([`crate::evaluate`]); here only the statement and its signature are checked.

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use trust::{KeyPair, ProofOptions, VerifyOptions};

use crate::config::Role;
use crate::manifest::Manifest;

pub const ENDORSEMENT_TYPE: &str = "RulebookEndorsement";

/// What a verified endorsement says, and that its signer is the endorser it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endorsement {
    /// The digest of the release endorsed.
    pub release: String,
    pub name: String,
    pub version: String,
    pub effective: String,
    /// The signer's `did:key`.
    pub endorser: String,
    /// The role the endorser claims.
    pub role: Role,
    pub created: Option<OffsetDateTime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Statement {
    /// Checked before parsing, to name a document of another type as such.
    #[serde(rename = "type")]
    _kind: String,
    release: String,
    name: String,
    version: String,
    effective: String,
    endorser: String,
    role: String,
}

/// `key`'s endorsement of `manifest` in `role`, signed at `now`.
pub fn endorse(manifest: &Manifest, key: &KeyPair, role: Role, now: OffsetDateTime) -> Result<Value, String> {
    let statement = serde_json::json!({
        "type": ENDORSEMENT_TYPE,
        "release": manifest.digest(),
        "name": manifest.name,
        "version": manifest.version,
        "effective": manifest.effective,
        "endorser": key.public_key().to_did_key(),
        "role": role.as_str(),
    });
    trust::sign_value(&statement, &ProofOptions::assertion(&key.public_key(), now), key)
        .map_err(|e| format!("cannot sign the endorsement: {e}"))
}

impl Endorsement {
    /// Verifies the proof (at `now`) and reads the statement. Refused: a bad or missing proof,
    /// another document type, unknown fields, an unknown role, a signer other than the endorser.
    pub fn verify(value: &Value, now: OffsetDateTime) -> Result<Endorsement, String> {
        let verified =
            trust::verify_value(value, &VerifyOptions::new(now)).map_err(|e| format!("its proof is not valid: {e}"))?;
        let kind = verified.document.get("type").and_then(Value::as_str).unwrap_or("(none)");
        if kind != ENDORSEMENT_TYPE {
            return Err(format!("it is not an endorsement: type is '{kind}', expected '{ENDORSEMENT_TYPE}'"));
        }
        let s: Statement = serde_json::from_value(verified.document.clone())
            .map_err(|e| format!("it is not a well-formed endorsement: {e}"))?;
        let role = Role::parse(&s.role).map_err(|e| format!("it claims an unknown {e}"))?;
        let signer = verified.key.to_did_key();
        if s.endorser != signer {
            return Err(format!("it names endorser {} but was signed by {signer}", trust_short(&s.endorser)));
        }
        Ok(Endorsement {
            release: s.release,
            name: s.name,
            version: s.version,
            effective: s.effective,
            endorser: s.endorser,
            role,
            created: verified.created,
        })
    }
}

/// Input quoted in a message, cut to a readable length.
pub(crate) fn trust_short(text: &str) -> String {
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{key, manifest, now};

    #[test]
    fn an_endorsement_verifies_and_says_what_was_endorsed() {
        let m = manifest("2026-01-01");
        let doc = endorse(&m, &key(2), Role::Government, now()).expect("signed");
        assert_eq!(doc["type"], ENDORSEMENT_TYPE);
        assert_eq!(doc["proof"]["cryptosuite"], "eddsa-jcs-2022");
        let e = Endorsement::verify(&doc, now()).expect("valid");
        assert_eq!(e.release, m.digest());
        assert_eq!(e.endorser, key(2).public_key().to_did_key());
        assert_eq!(e.role, Role::Government);
        assert_eq!((e.version.as_str(), e.effective.as_str()), (m.version.as_str(), "2026-01-01"));
    }

    #[test]
    fn a_changed_statement_or_another_signer_is_refused() {
        let m = manifest("2026-01-01");
        let mut doc = endorse(&m, &key(2), Role::Government, now()).expect("signed");
        doc["role"] = "secretariat".into();
        assert!(Endorsement::verify(&doc, now()).expect_err("tampered").contains("signature does not verify"));

        // A key signs a statement naming someone else as endorser.
        let mut forged = serde_json::json!({
            "type": ENDORSEMENT_TYPE, "release": m.digest(), "name": m.name, "version": m.version,
            "effective": m.effective, "endorser": key(1).public_key().to_did_key(), "role": "secretariat"
        });
        forged =
            trust::sign_value(&forged, &ProofOptions::assertion(&key(6).public_key(), now()), &key(6)).expect("signed");
        let err = Endorsement::verify(&forged, now()).expect_err("wrong signer");
        assert!(err.contains("but was signed by did:key:"), "{err}");

        let err = Endorsement::verify(&serde_json::json!({"type": ENDORSEMENT_TYPE}), now()).expect_err("no proof");
        assert!(err.contains("no \"proof\""), "{err}");
    }
}
