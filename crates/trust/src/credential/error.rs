//! Why a credential (or a status list credential) was refused.

use std::fmt;

use crate::di::VerifyError;
use crate::shape::Bad;
use crate::status::StatusError;
use crate::trust_list::CERTIFICATION_SCHEMES;

/// Why a credential was refused. Each has a stable [`code`](Self::code) and a one-sentence
/// message that names the reason first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialError {
    /// A field is missing or malformed.
    Malformed {
        /// The field, e.g. `credentialSubject.id`.
        field: String,
        /// What would be accepted.
        expected: String,
    },
    /// The proof does not hold: forged, tampered with, an unknown or unauthorized key.
    Proof(VerifyError),
    /// The proof's key is not one the issuer DID controls.
    IssuerKeyMismatch {
        /// The credential's `issuer`.
        issuer: String,
        /// The proof's `verificationMethod`.
        verification_method: String,
    },
    /// The credential's type is not the one its claim needs (or not a type this node knows).
    WrongType {
        /// The specific type found.
        found: String,
    },
    /// A certification scheme the rulebook does not know.
    UnknownCertification {
        /// The scheme id found.
        scheme: String,
    },
    /// The issuer is not on the trust list for this kind of claim.
    UntrustedIssuer {
        /// The credential's `issuer`.
        issuer: String,
        /// The claim's kind, e.g. `certification:apec-cbpr`.
        kind: String,
    },
    /// `validFrom` is after now.
    NotYetValid {
        /// The `validFrom` instant.
        valid_from: String,
    },
    /// `validUntil` is before now.
    Expired {
        /// The `validUntil` instant.
        valid_until: String,
    },
    /// The credential is about someone other than who presented it.
    SubjectNotHolder {
        /// `credentialSubject.id`.
        subject: String,
        /// The presentation's holder.
        holder: String,
    },
    /// The issuer revoked it.
    Revoked {
        /// The status list URL.
        list: String,
        /// The entry.
        index: usize,
    },
    /// The issuer suspended it.
    Suspended {
        /// The status list URL.
        list: String,
        /// The entry.
        index: usize,
    },
    /// Its status cannot be known: the list was not fetched, is from someone else, or expired.
    StatusUnavailable {
        /// The status list URL.
        list: String,
        /// Why.
        reason: String,
    },
    /// A status entry or status list is malformed or does not fit (purpose, index).
    Status(StatusError),
}

impl CredentialError {
    /// A stable short code, for logs, metrics and API answers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed",
            Self::Proof(_) => "signature",
            Self::IssuerKeyMismatch { .. } => "issuer-key",
            Self::WrongType { .. } => "wrong-type",
            Self::UnknownCertification { .. } => "unknown-certification",
            Self::UntrustedIssuer { .. } => "untrusted-issuer",
            Self::NotYetValid { .. } => "not-yet-valid",
            Self::Expired { .. } => "expired",
            Self::SubjectNotHolder { .. } => "not-holder",
            Self::Revoked { .. } => "revoked",
            Self::Suspended { .. } => "suspended",
            Self::StatusUnavailable { .. } => "status-unavailable",
            Self::Status(_) => "status",
        }
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { field, expected } => write!(f, "malformed: {field}: expected {expected}"),
            Self::Proof(error) => write!(f, "signature: {error}"),
            Self::IssuerKeyMismatch { issuer, verification_method } => {
                write!(f, "issuer key: {verification_method} is not a key of the issuer {issuer}")
            }
            Self::WrongType { found } => write!(
                f,
                "wrong type: {found:?} does not match the claim in credentialSubject \
                 (DfftCertificationCredential: certification, DfftMembershipCredential: memberOf, \
                 DfftLegalEntityCredential: legalName and jurisdiction)"
            ),
            Self::UnknownCertification { scheme } => {
                write!(f, "unknown certification {scheme:?}: expected one of {}", CERTIFICATION_SCHEMES.join(", "))
            }
            Self::UntrustedIssuer { issuer, kind } => {
                write!(f, "issuer not trusted: {issuer} is not accredited for {kind}")
            }
            Self::NotYetValid { valid_from } => write!(f, "not yet valid: valid from {valid_from}"),
            Self::Expired { valid_until } => write!(f, "expired on {valid_until}"),
            Self::SubjectNotHolder { subject, holder } => {
                write!(f, "not the holder: the credential is about {subject}, but {holder} presented it")
            }
            Self::Revoked { list, index } => write!(f, "revoked: status list {list} entry {index}"),
            Self::Suspended { list, index } => write!(f, "suspended: status list {list} entry {index}"),
            Self::StatusUnavailable { list, reason } => write!(f, "status unavailable: status list {list}: {reason}"),
            Self::Status(error) => write!(f, "status: {error}"),
        }
    }
}

impl std::error::Error for CredentialError {}

impl From<Bad> for CredentialError {
    fn from(bad: Bad) -> Self {
        CredentialError::Malformed { field: bad.field, expected: bad.expected }
    }
}

impl From<StatusError> for CredentialError {
    fn from(error: StatusError) -> Self {
        CredentialError::Status(error)
    }
}
