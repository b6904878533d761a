//! W3C Verifiable Presentations 2.0: a holder shows its credentials to one verifier, once.
//!
//! The holder wraps its credentials and signs the whole with an `authentication` proof bound to
//! the verifier's URL (`domain`) and answering the verifier's nonce (`challenge`), so a
//! presentation cannot be replayed to another verifier or reused with the same one:
//!
//! ```json
//! {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
//!  "holder": "did:web:node.example", "verifiableCredential": [{…secured credential…}],
//!  "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
//!            "proofPurpose": "authentication", "domain": "https://provider.example",
//!            "challenge": "nonce-from-the-provider", "created": "…", …}}
//! ```
//!
//! [`verify_presentation`] checks the holder's proof only; each credential inside is then checked
//! with [`verify_credential`](crate::credential::verify_credential) and `holder` set, so a
//! credential about someone else is refused.

use std::fmt;

use serde_json::{json, Map, Value};
use time::{Duration, OffsetDateTime};

use crate::di::{self, KeyResolver, ProofOptions, SignError, VerifyError, VerifyOptions};
use crate::keys::KeyPair;
use crate::shape::{self, Bad, CREDENTIALS_V2};

/// The most credentials one presentation may carry; more are refused before anything is hashed.
pub const MAX_CREDENTIALS: usize = 16;

/// The proof purpose of a holder's signature on a presentation.
pub const AUTHENTICATION: &str = "authentication";

/// The presentation `type`.
pub const TYPE_PRESENTATION: &str = "VerifiablePresentation";

/// Wraps `credentials` in a presentation by `holder_did` and signs it with `holder` for the
/// verifier at `domain`, answering its `challenge`, at `now`. `verification_method` must be a key
/// of `holder_did`.
pub fn present(
    holder: &KeyPair,
    holder_did: &str,
    verification_method: &str,
    credentials: &[Value],
    domain: &str,
    challenge: &str,
    now: OffsetDateTime,
) -> Result<Value, SignError> {
    let invalid = |message: String| Err(SignError::InvalidDocument(message));
    if credentials.len() > MAX_CREDENTIALS {
        return invalid(format!("{} credentials: expected at most {MAX_CREDENTIALS}", credentials.len()));
    }
    if !holder_did.starts_with("did:") {
        return invalid(format!("holder {:?}: expected a DID", shape::short(holder_did)));
    }
    if shape::did_of(verification_method) != holder_did {
        return invalid(format!(
            "verificationMethod {:?} is not a key of the holder {}",
            shape::short(verification_method),
            shape::short(holder_did)
        ));
    }
    if domain.is_empty() || challenge.is_empty() {
        return invalid("domain and challenge: expected the verifier's URL and nonce (non-empty)".into());
    }
    let presentation = json!({
        "@context": [CREDENTIALS_V2],
        "type": [TYPE_PRESENTATION],
        "holder": holder_did,
        "verifiableCredential": credentials,
    });
    let options = ProofOptions {
        verification_method: verification_method.to_owned(),
        proof_purpose: AUTHENTICATION.to_owned(),
        created: Some(now),
        expires: None,
        id: None,
        domain: Some(domain.to_owned()),
        challenge: Some(challenge.to_owned()),
        nonce: None,
    };
    di::sign_value(&presentation, &options, holder)
}

/// What a verifier expects of a presentation.
#[derive(Clone, Copy)]
pub struct PresentationCheck<'a> {
    /// The current time, from the caller's clock.
    pub now: OffsetDateTime,
    /// The verifier's own URL: the proof's `domain` must be it.
    pub domain: &'a str,
    /// The nonce the verifier handed out: the proof's `challenge` must be it.
    pub challenge: &'a str,
    /// Turns the holder's proof key into a public key.
    pub resolver: &'a dyn KeyResolver,
}

/// A presentation whose holder's proof holds. The credentials are not verified yet.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedPresentation {
    /// The holder DID (who signed it).
    pub holder: String,
    /// The secured credentials inside, as signed.
    pub credentials: Vec<Value>,
}

/// Why a presentation was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresentationError {
    /// A field is missing or malformed.
    Malformed {
        /// The field, e.g. `holder`.
        field: String,
        /// What would be accepted.
        expected: String,
    },
    /// The holder's proof does not hold.
    Proof(VerifyError),
    /// The proof is bound to another verifier.
    WrongAudience {
        /// This verifier's URL.
        expected: String,
        /// The proof's `domain` (`(none)` if absent).
        found: String,
    },
    /// The proof answers another nonce: a replay of someone else's presentation, or an old one.
    WrongChallenge,
    /// Someone other than the holder signed it.
    HolderMismatch {
        /// The presentation's `holder`.
        holder: String,
        /// The proof's `verificationMethod`.
        signer: String,
    },
    /// More than [`MAX_CREDENTIALS`] credentials.
    TooManyCredentials(usize),
}

impl PresentationError {
    /// A stable short code, for logs, metrics and API answers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "malformed",
            Self::Proof(_) => "signature",
            Self::WrongAudience { .. } => "wrong-audience",
            Self::WrongChallenge => "wrong-challenge",
            Self::HolderMismatch { .. } => "not-holder",
            Self::TooManyCredentials(_) => "too-many",
        }
    }
}

impl fmt::Display for PresentationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { field, expected } => write!(f, "malformed presentation: {field}: expected {expected}"),
            Self::Proof(error) => write!(f, "presentation signature: {error}"),
            Self::WrongAudience { expected, found } => {
                write!(f, "wrong audience: the presentation is for {found}, not for {expected}")
            }
            Self::WrongChallenge => {
                f.write_str("wrong challenge: the presentation does not answer this verifier's nonce (a replay?)")
            }
            Self::HolderMismatch { holder, signer } => {
                write!(f, "not the holder: {signer} signed a presentation by {holder}")
            }
            Self::TooManyCredentials(count) => {
                write!(f, "too many credentials: {count}, expected at most {MAX_CREDENTIALS}")
            }
        }
    }
}

impl std::error::Error for PresentationError {}

impl From<Bad> for PresentationError {
    fn from(bad: Bad) -> Self {
        PresentationError::Malformed { field: bad.field, expected: bad.expected }
    }
}

/// Checks a presentation's proof: `authentication` purpose, `domain`, `challenge`, time, and a
/// key the `holder` controls. Does not verify the credentials inside: run
/// [`verify_credential`](crate::credential::verify_credential) on each with `holder` set.
pub fn verify_presentation(
    vp: &Value,
    check: &PresentationCheck<'_>,
) -> Result<VerifiedPresentation, PresentationError> {
    let object = shape::object(vp, "presentation", "a JSON object")?;
    // Counted before anything is canonicalized or hashed.
    if let Some(Value::Array(items)) = object.get("verifiableCredential") {
        if items.len() > MAX_CREDENTIALS {
            return Err(PresentationError::TooManyCredentials(items.len()));
        }
    }
    let options = VerifyOptions {
        now: check.now,
        proof_purpose: AUTHENTICATION.to_owned(),
        domain: Some(check.domain.to_owned()),
        challenge: Some(check.challenge.to_owned()),
        max_clock_skew: Duration::minutes(5),
    };
    let verified = di::verify_with(vp, &options, check.resolver).map_err(|error| match error {
        VerifyError::DomainMismatch { expected } => {
            PresentationError::WrongAudience { expected: shape::short(&expected), found: proof_domain(object) }
        }
        VerifyError::ChallengeMismatch { .. } => PresentationError::WrongChallenge,
        other => PresentationError::Proof(other),
    })?;
    let document = shape::object(&verified.document, "presentation", "a JSON object")?;
    shape::check_context(document)?;
    let is_presentation = match document.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(TYPE_PRESENTATION)),
        _ => false,
    };
    if !is_presentation {
        return Err(shape::bad("type", format!("[\"{TYPE_PRESENTATION}\"]")).into());
    }
    let holder = shape::required_did(document, "holder", "holder")?;
    if shape::did_of(&verified.verification_method) != holder {
        return Err(PresentationError::HolderMismatch {
            holder: shape::short(holder),
            signer: shape::short(&verified.verification_method),
        });
    }
    let credentials = credentials(document)?;
    Ok(VerifiedPresentation { holder: holder.to_owned(), credentials })
}

/// `verifiableCredential`: absent (none), one object, or an array of objects.
fn credentials(document: &Map<String, Value>) -> Result<Vec<Value>, Bad> {
    const EXPECTED: &str = "a secured credential (a JSON object) or an array of them";
    let items: Vec<&Value> = match document.get("verifiableCredential") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item) => vec![item],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(n, item)| match item {
            Value::Object(_) => Ok(item.clone()),
            _ => Err(shape::bad(format!("verifiableCredential[{n}]"), EXPECTED)),
        })
        .collect()
}

/// The proof's `domain` as shown in an error.
fn proof_domain(presentation: &Map<String, Value>) -> String {
    match presentation.get("proof").and_then(|proof| proof.get("domain")) {
        Some(Value::String(domain)) => shape::short(domain),
        Some(Value::Array(domains)) => format!("a list of {} other domains", domains.len()),
        Some(_) => "(a domain that is not a string)".to_owned(),
        None => "(none)".to_owned(),
    }
}
