//! What a credential says about its subject: one claim per credential, of three kinds.

use serde_json::{json, Map, Value};

use crate::shape;
use crate::shape::{bad, optional_str, Bad};
use crate::trust_list::check_dataspace;

/// The `type` of a credential stating a certification (e.g. APEC CBPR).
pub const TYPE_CERTIFICATION: &str = "DfftCertificationCredential";
/// The `type` of a credential stating membership of a dataspace.
pub const TYPE_MEMBERSHIP: &str = "DfftMembershipCredential";
/// The `type` of a credential stating who the subject is in law (name, jurisdiction).
pub const TYPE_LEGAL_ENTITY: &str = "DfftLegalEntityCredential";

/// The claim a credential makes about its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Holds a certification: `credentialSubject: {"id", "certification": scheme}`.
    Certification {
        /// A scheme id from [`CERTIFICATION_SCHEMES`](crate::trust_list::CERTIFICATION_SCHEMES).
        scheme: String,
    },
    /// Belongs to a dataspace: `credentialSubject: {"id", "memberOf": dataspace}`.
    Membership {
        /// The dataspace id (a URL or short name, printable ASCII).
        dataspace: String,
    },
    /// Is this legal entity: `credentialSubject: {"id", "legalName", "jurisdiction"}`.
    LegalEntity {
        /// The registered name.
        legal_name: String,
        /// ISO 3166-1 alpha-2, e.g. `US`.
        jurisdiction: String,
    },
}

impl Claim {
    /// The kind a trust list accredits issuers for: `certification:apec-cbpr`,
    /// `membership:<dataspace>` or `legal-entity`.
    pub fn kind(&self) -> String {
        match self {
            Claim::Certification { scheme } => format!("certification:{scheme}"),
            Claim::Membership { dataspace } => format!("membership:{dataspace}"),
            Claim::LegalEntity { .. } => "legal-entity".to_owned(),
        }
    }

    /// The credential `type` that carries this claim.
    pub fn credential_type(&self) -> &'static str {
        match self {
            Claim::Certification { .. } => TYPE_CERTIFICATION,
            Claim::Membership { .. } => TYPE_MEMBERSHIP,
            Claim::LegalEntity { .. } => TYPE_LEGAL_ENTITY,
        }
    }

    /// Short human words, e.g. `apec-cbpr certification`.
    pub fn describe(&self) -> String {
        match self {
            Claim::Certification { scheme } => format!("{scheme} certification"),
            Claim::Membership { dataspace } => format!("membership of {dataspace}"),
            Claim::LegalEntity { legal_name, jurisdiction } => format!("legal entity {legal_name} ({jurisdiction})"),
        }
    }

    /// The `credentialSubject` stating this claim about `subject`.
    pub(crate) fn to_subject(&self, subject: &str) -> Value {
        match self {
            Claim::Certification { scheme } => json!({"id": subject, "certification": scheme}),
            Claim::Membership { dataspace } => json!({"id": subject, "memberOf": dataspace}),
            Claim::LegalEntity { legal_name, jurisdiction } => {
                json!({"id": subject, "legalName": legal_name, "jurisdiction": jurisdiction})
            }
        }
    }

    /// Reads the one claim of a `credentialSubject`. Whether a certification scheme is known is
    /// checked later, to refuse it with its own error.
    pub(crate) fn from_subject(subject: &Map<String, Value>) -> Result<Claim, Bad> {
        const ONE_CLAIM: &str =
            "exactly one claim: \"certification\", \"memberOf\", or \"legalName\" with \"jurisdiction\"";
        let certification = optional_str(
            subject,
            "certification",
            "credentialSubject.certification",
            "a certification scheme id, e.g. \"apec-cbpr\"",
        )?;
        let dataspace =
            optional_str(subject, "memberOf", "credentialSubject.memberOf", "a dataspace id (a non-empty string)")?;
        let legal = subject.contains_key("legalName") || subject.contains_key("jurisdiction");
        let claim = match (certification, dataspace, legal) {
            (Some(scheme), None, false) => Claim::Certification { scheme: scheme.to_owned() },
            (None, Some(dataspace), false) => Claim::Membership { dataspace: dataspace.to_owned() },
            (None, None, true) => {
                let name = optional_str(subject, "legalName", "credentialSubject.legalName", "the registered name")?;
                let jurisdiction = optional_str(
                    subject,
                    "jurisdiction",
                    "credentialSubject.jurisdiction",
                    "an ISO 3166-1 alpha-2 code, e.g. \"US\"",
                )?;
                Claim::LegalEntity {
                    legal_name: name
                        .ok_or_else(|| bad("credentialSubject.legalName", "the registered name"))?
                        .to_owned(),
                    jurisdiction: jurisdiction
                        .ok_or_else(|| {
                            bad("credentialSubject.jurisdiction", "an ISO 3166-1 alpha-2 code, e.g. \"US\"")
                        })?
                        .to_owned(),
                }
            }
            _ => return Err(bad("credentialSubject", ONE_CLAIM)),
        };
        claim.check_values()?;
        Ok(claim)
    }

    /// The checks of the claim's values that do not depend on the verifier (a known scheme does).
    pub(crate) fn check_values(&self) -> Result<(), Bad> {
        match self {
            Claim::Certification { scheme } if scheme.is_empty() => {
                Err(bad("credentialSubject.certification", "a certification scheme id, e.g. \"apec-cbpr\""))
            }
            Claim::Membership { dataspace } => {
                check_dataspace(dataspace).map_err(|e| bad("credentialSubject.memberOf", e))
            }
            Claim::LegalEntity { legal_name, .. } if legal_name.trim().is_empty() => {
                Err(bad("credentialSubject.legalName", "the registered name (a non-empty string)"))
            }
            Claim::LegalEntity { jurisdiction, .. }
                if jurisdiction.len() != 2 || !jurisdiction.bytes().all(|b| b.is_ascii_uppercase()) =>
            {
                Err(bad(
                    "credentialSubject.jurisdiction",
                    format!("an ISO 3166-1 alpha-2 code, e.g. \"US\", not {:?}", shape::short(jurisdiction)),
                ))
            }
            _ => Ok(()),
        }
    }
}
