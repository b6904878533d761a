//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (vc-di-eddsa §3.3).
//!
//! Signing: the proof configuration is the proof options (`type`, `cryptosuite`, `created`,
//! `verificationMethod`, `proofPurpose`, …) plus the document's `@context`; both it and the
//! document are canonicalized with JCS; the signed bytes are
//! `SHA-256(canonical proof config) || SHA-256(canonical document)`; the Ed25519 signature goes in
//! `proofValue` as base58btc multibase. Verification takes the proof apart the same way, checks
//! the proof's claims (purpose, time, domain, challenge) against the verifier's expectations,
//! resolves the key from `verificationMethod` and verifies strictly.
//!
//! Only single proofs are handled: a document whose `proof` is a set (an array) or that chains
//! proofs (`previousProof`) is refused with its own error rather than half-checked.

use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::datetime;
use crate::jcs::{self, JcsError};
use crate::keys::{self, KeyError, KeyPair, PublicKey};

/// The proof `type` this crate makes and accepts.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite this crate makes and accepts.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The proof purpose of a credential issuer's signature.
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// Proof purposes a `did:key` Ed25519 key is authorized for: its DID document lists the key under
/// these verification relationships (`keyAgreement` uses a derived X25519 key, never this one).
pub const DID_KEY_PURPOSES: [&str; 4] =
    [ASSERTION_METHOD, "authentication", "capabilityInvocation", "capabilityDelegation"];

/// What the signer states in the proof (Data Integrity §2.1). `type` and `cryptosuite` are fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// URL of the key, e.g. `did:key:z6Mk…#z6Mk…`.
    pub verification_method: String,
    /// Why the proof was made, e.g. `assertionMethod` for a credential.
    pub proof_purpose: String,
    /// When the proof was made; written in whole seconds, UTC.
    pub created: Option<OffsetDateTime>,
    /// When the proof stops being valid; written in whole seconds, UTC.
    pub expires: Option<OffsetDateTime>,
    /// An identifier for the proof (a URL).
    pub id: Option<String>,
    /// The security domain the proof is bound to (protects against replay elsewhere).
    pub domain: Option<String>,
    /// A verifier's challenge the proof answers.
    pub challenge: Option<String>,
    /// A random value the signer adds.
    pub nonce: Option<String>,
}

impl ProofOptions {
    /// An `assertionMethod` proof by `key`'s `did:key` verification method, made at `created`:
    /// what an issuer puts on a credential.
    pub fn assertion(key: &PublicKey, created: OffsetDateTime) -> Self {
        ProofOptions {
            verification_method: key.to_verification_method(),
            proof_purpose: ASSERTION_METHOD.to_owned(),
            created: Some(created),
            expires: None,
            id: None,
            domain: None,
            challenge: None,
            nonce: None,
        }
    }

    /// The proof configuration for `document`: these options as JSON plus the document's
    /// `@context`, without `proofValue`.
    pub fn to_proof_config(&self, document: &Value) -> Result<Map<String, Value>, SignError> {
        if self.verification_method.is_empty() || self.proof_purpose.is_empty() {
            return Err(SignError::InvalidOptions("verificationMethod and proofPurpose must not be empty".into()));
        }
        let mut config = Map::new();
        config.insert("type".into(), PROOF_TYPE.into());
        config.insert("cryptosuite".into(), CRYPTOSUITE.into());
        config.insert("verificationMethod".into(), self.verification_method.clone().into());
        config.insert("proofPurpose".into(), self.proof_purpose.clone().into());
        for (name, instant) in [("created", self.created), ("expires", self.expires)] {
            if let Some(instant) = instant {
                let text = datetime::format(instant).ok_or_else(|| {
                    SignError::InvalidOptions(format!("{name} {instant} is outside the years 0000 to 9999"))
                })?;
                config.insert(name.into(), text.into());
            }
        }
        for (name, value) in
            [("id", &self.id), ("domain", &self.domain), ("challenge", &self.challenge), ("nonce", &self.nonce)]
        {
            if let Some(value) = value {
                config.insert(name.into(), value.clone().into());
            }
        }
        if let Some(context) = document.get("@context") {
            config.insert("@context".into(), context.clone());
        }
        Ok(config)
    }
}

/// The two canonical forms a proof signs, and the hashes made from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningInput {
    /// JCS of the proof configuration (the proof without `proofValue`).
    pub canonical_proof_config: String,
    /// JCS of the document without `proof`.
    pub canonical_document: String,
}

impl SigningInput {
    /// Canonicalizes a proof configuration and an unsecured document.
    pub fn new(proof_config: &Map<String, Value>, unsecured: &Value) -> Result<Self, JcsError> {
        Ok(SigningInput {
            canonical_proof_config: jcs::canonicalize(&Value::Object(proof_config.clone()))?,
            canonical_document: jcs::canonicalize(unsecured)?,
        })
    }

    /// SHA-256 of the canonical proof configuration.
    pub fn proof_config_hash(&self) -> [u8; 32] {
        Sha256::digest(self.canonical_proof_config.as_bytes()).into()
    }

    /// SHA-256 of the canonical document.
    pub fn document_hash(&self) -> [u8; 32] {
        Sha256::digest(self.canonical_document.as_bytes()).into()
    }

    /// The 64 bytes that are signed: proof configuration hash, then document hash.
    pub fn hash_data(&self) -> [u8; 64] {
        let mut data = [0u8; 64];
        let (config, document) = data.split_at_mut(32);
        config.copy_from_slice(&self.proof_config_hash());
        document.copy_from_slice(&self.document_hash());
        data
    }
}

/// Why a document could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The input text is not acceptable JSON (including duplicate keys).
    Json(JcsError),
    /// Only JSON objects can carry a proof.
    NotAnObject,
    /// The document already has a `proof`; proof sets are not made by this crate.
    AlreadySigned,
    /// The proof options cannot be written (empty fields, dates out of range).
    InvalidOptions(String),
    /// The document to sign is not what its builder accepts (a credential draft or presentation
    /// with a bad field); the message names the field and what would be accepted.
    InvalidDocument(String),
    /// The verification method is a `did:key` that is malformed.
    Key(KeyError),
    /// The verification method is a `did:key` of a different key than the signing key.
    KeyMismatch {
        /// The verification method in the options.
        verification_method: String,
        /// The signing key's own verification method.
        signing_key: String,
    },
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Json(error) => error.fmt(f),
            SignError::NotAnObject => f.write_str("only a JSON object can be signed"),
            SignError::AlreadySigned => {
                f.write_str("the document already has a \"proof\" (proof sets are not supported)")
            }
            SignError::InvalidOptions(message) => write!(f, "invalid proof options: {message}"),
            SignError::InvalidDocument(message) => write!(f, "cannot sign: {message}"),
            SignError::Key(error) => write!(f, "invalid verificationMethod: {error}"),
            SignError::KeyMismatch { verification_method, signing_key } => write!(
                f,
                "verificationMethod {verification_method:?} is not the signing key (expected {signing_key:?})"
            ),
        }
    }
}

impl std::error::Error for SignError {}

impl From<JcsError> for SignError {
    fn from(error: JcsError) -> Self {
        SignError::Json(error)
    }
}

/// The proof configuration and signing input for `document` under `options`, without signing:
/// the intermediate values of vc-di-eddsa §3.3.1, for tests and diagnostics.
pub fn prepare(document: &Value, options: &ProofOptions) -> Result<(Map<String, Value>, SigningInput), SignError> {
    let object = document.as_object().ok_or(SignError::NotAnObject)?;
    if object.contains_key("proof") {
        return Err(SignError::AlreadySigned);
    }
    let config = options.to_proof_config(document)?;
    let input = SigningInput::new(&config, document)?;
    Ok((config, input))
}

/// Adds an `eddsa-jcs-2022` proof to a JSON object (vc-di-eddsa §3.3.1) and returns the secured
/// document. If the verification method is a `did:key`, it must be `key`'s.
pub fn sign_value(document: &Value, options: &ProofOptions, key: &KeyPair) -> Result<Value, SignError> {
    if options.verification_method.starts_with("did:key:") {
        let named = PublicKey::from_verification_method(&options.verification_method).map_err(SignError::Key)?;
        if named != key.public_key() {
            return Err(SignError::KeyMismatch {
                verification_method: keys::shorten(&options.verification_method),
                signing_key: key.public_key().to_verification_method(),
            });
        }
    }
    let (mut proof, input) = prepare(document, options)?;
    let signature = key.sign(&input.hash_data());
    proof.insert("proofValue".into(), keys::encode_base58btc(&signature).into());
    let mut secured = document.clone();
    if let Value::Object(object) = &mut secured {
        object.insert("proof".into(), Value::Object(proof));
    }
    Ok(secured)
}

/// [`sign_value`] for a JSON text, which is parsed with duplicate keys refused.
pub fn sign(json: &str, options: &ProofOptions, key: &KeyPair) -> Result<Value, SignError> {
    sign_value(&jcs::parse(json)?, options, key)
}

/// What a verifier expects of a proof. Build with [`VerifyOptions::new`] and adjust fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The current time, from the caller's clock.
    pub now: OffsetDateTime,
    /// The proof purpose required (`assertionMethod` for credentials).
    pub proof_purpose: String,
    /// If set, the proof's `domain` must be (or, for a list, contain) this value.
    pub domain: Option<String>,
    /// If set, the proof's `challenge` must be this value.
    pub challenge: Option<String>,
    /// Tolerance for clocks that disagree: `created` may be this far in the future and `expires`
    /// this far in the past.
    pub max_clock_skew: Duration,
}

impl VerifyOptions {
    /// Expect an `assertionMethod` proof, valid at `now`, with five minutes of clock skew.
    pub fn new(now: OffsetDateTime) -> Self {
        VerifyOptions {
            now,
            proof_purpose: ASSERTION_METHOD.to_owned(),
            domain: None,
            challenge: None,
            max_clock_skew: Duration::minutes(5),
        }
    }
}

/// A verified document and what its proof says about who signed it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The document exactly as signed: without `proof`, and with the proof's `@context` (which
    /// the secured document's `@context` may extend, vc-di-eddsa §3.3.2 step 4).
    pub document: Value,
    /// The key that signed it.
    pub key: PublicKey,
    /// The proof's `verificationMethod`.
    pub verification_method: String,
    /// The proof's `proofPurpose`.
    pub proof_purpose: String,
    /// The proof's `created`, if stated.
    pub created: Option<OffsetDateTime>,
    /// The proof's `expires`, if stated.
    pub expires: Option<OffsetDateTime>,
}

/// Why a secured document was refused. Every refusal is one of these; hostile input never panics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The text is not JSON (or not I-JSON: lone surrogates, numbers out of range, too deep).
    MalformedJson(String),
    /// An object repeats a key, so readers could disagree about what was signed.
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// JSON Pointer to the object holding it.
        pointer: String,
    },
    /// The secured document is not a JSON object.
    NotAnObject,
    /// The document has no `proof`.
    MissingProof,
    /// `proof` is a set of proofs, which this crate does not verify.
    ProofSet(usize),
    /// The proof chains to another proof (`previousProof`), which this crate does not verify.
    ProofChain,
    /// A required proof property is absent.
    MissingProperty(&'static str),
    /// A proof property has the wrong JSON type.
    WrongType {
        /// The property.
        property: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The proof `type` is not `DataIntegrityProof`.
    UnsupportedProofType(String),
    /// The `cryptosuite` is not `eddsa-jcs-2022`.
    UnsupportedCryptosuite(String),
    /// `proofValue` is not base58btc multibase of 64 bytes.
    MalformedProofValue {
        /// The value (shortened if long).
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `created` or `expires` is not an XML Schema dateTimeStamp.
    InvalidDateTime {
        /// The property.
        property: &'static str,
        /// Its value (shortened if long).
        value: String,
    },
    /// The proof says it was made after `now` (beyond the allowed clock skew).
    CreatedInFuture(String),
    /// The proof expired before `now` (beyond the allowed clock skew).
    Expired(String),
    /// The proof's purpose is not the one the verifier requires.
    ProofPurposeMismatch {
        /// Required by the verifier.
        expected: String,
        /// Stated in the proof.
        found: String,
    },
    /// The proof is not bound to the verifier's domain.
    DomainMismatch {
        /// Required by the verifier.
        expected: String,
    },
    /// The proof does not answer the verifier's challenge.
    ChallengeMismatch {
        /// Required by the verifier.
        expected: String,
    },
    /// The verification method cannot be resolved to a key (malformed, or not a method this
    /// resolver knows).
    UnresolvableKey {
        /// The proof's `verificationMethod` (shortened if long).
        verification_method: String,
        /// Why.
        reason: String,
    },
    /// The verification method names a key other than the one it is attached to
    /// (`did:key:X#Y` with `Y` ≠ `X`).
    KeyMismatch(String),
    /// The key's controller does not authorize it for the proof's purpose.
    PurposeNotAuthorized {
        /// The proof's `verificationMethod` (shortened if long).
        verification_method: String,
        /// The proof's `proofPurpose`.
        purpose: String,
    },
    /// The document's `@context` does not start with the proof's `@context`.
    ContextMismatch,
    /// The signature does not verify: the document or proof was changed, or another key signed.
    BadSignature,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MalformedJson(message) => write!(f, "invalid json: {message}"),
            VerifyError::DuplicateKey { key, pointer } => {
                let at = if pointer.is_empty() { "the top-level object".to_owned() } else { format!("{pointer:?}") };
                write!(f, "duplicate key {key:?} in {at}")
            }
            VerifyError::NotAnObject => f.write_str("the secured document is not a JSON object"),
            VerifyError::MissingProof => f.write_str("the document has no \"proof\""),
            VerifyError::ProofSet(count) => {
                write!(f, "\"proof\" is a set of {count} proofs; only a single proof is supported")
            }
            VerifyError::ProofChain => f.write_str("\"previousProof\" chains are not supported"),
            VerifyError::MissingProperty(property) => write!(f, "the proof has no {property:?}"),
            VerifyError::WrongType { property, expected } => write!(f, "proof {property:?} must be {expected}"),
            VerifyError::UnsupportedProofType(found) => {
                write!(f, "unsupported proof type {found:?} (expected {PROOF_TYPE:?})")
            }
            VerifyError::UnsupportedCryptosuite(found) => {
                write!(f, "unsupported cryptosuite {found:?} (expected {CRYPTOSUITE:?})")
            }
            VerifyError::MalformedProofValue { value, reason } => write!(f, "malformed proofValue {value:?}: {reason}"),
            VerifyError::InvalidDateTime { property, value } => {
                write!(f, "proof {property:?} {value:?} is not a date-time like \"2024-01-31T12:00:00Z\"")
            }
            VerifyError::CreatedInFuture(created) => write!(f, "the proof was created in the future ({created:?})"),
            VerifyError::Expired(expires) => write!(f, "the proof expired at {expires:?}"),
            VerifyError::ProofPurposeMismatch { expected, found } => {
                write!(f, "proof purpose {found:?} is not the required {expected:?}")
            }
            VerifyError::DomainMismatch { expected } => write!(f, "the proof is not bound to domain {expected:?}"),
            VerifyError::ChallengeMismatch { expected } => {
                write!(f, "the proof does not answer challenge {expected:?}")
            }
            VerifyError::UnresolvableKey { verification_method, reason } => {
                write!(f, "cannot resolve verificationMethod {verification_method:?}: {reason}")
            }
            VerifyError::KeyMismatch(verification_method) => {
                write!(f, "verificationMethod {verification_method:?} does not match its key")
            }
            VerifyError::PurposeNotAuthorized { verification_method, purpose } => {
                write!(f, "verificationMethod {verification_method:?} is not authorized for {purpose:?}")
            }
            VerifyError::ContextMismatch => {
                f.write_str("the document's \"@context\" does not start with the proof's \"@context\"")
            }
            VerifyError::BadSignature => f.write_str("the signature does not verify"),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<JcsError> for VerifyError {
    fn from(error: JcsError) -> Self {
        match error {
            JcsError::DuplicateKey { key, pointer, .. } => VerifyError::DuplicateKey { key, pointer },
            JcsError::Syntax(message) | JcsError::Canonicalize(message) => VerifyError::MalformedJson(message),
        }
    }
}

/// Turns a verification method into a key, checking that its controller authorizes it for the
/// proof purpose. This is where DID methods plug in; resolution must not do IO during
/// verification (fetch and cache documents beforehand).
pub trait KeyResolver {
    /// The key for `verification_method`, if it may make proofs for `proof_purpose`.
    fn resolve(&self, verification_method: &str, proof_purpose: &str) -> Result<PublicKey, VerifyError>;
}

/// Resolves `did:key` Ed25519 verification methods (`did:key:z6Mk…#z6Mk…`), which need no
/// lookup: the key is in the identifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct DidKeyResolver;

impl KeyResolver for DidKeyResolver {
    fn resolve(&self, verification_method: &str, proof_purpose: &str) -> Result<PublicKey, VerifyError> {
        let key = PublicKey::from_verification_method(verification_method).map_err(|error| match error {
            KeyError::FragmentMismatch(value) => VerifyError::KeyMismatch(value),
            other => VerifyError::UnresolvableKey {
                verification_method: keys::shorten(verification_method),
                reason: other.to_string(),
            },
        })?;
        if !DID_KEY_PURPOSES.contains(&proof_purpose) {
            return Err(VerifyError::PurposeNotAuthorized {
                verification_method: keys::shorten(verification_method),
                purpose: keys::shorten(proof_purpose),
            });
        }
        Ok(key)
    }
}

/// Verifies a secured document given as JSON text (duplicate keys are refused), resolving
/// `did:key` verification methods.
pub fn verify(json: &str, options: &VerifyOptions) -> Result<Verified, VerifyError> {
    verify_value(&jcs::parse(json)?, options)
}

/// [`verify`] for an already parsed document. Prefer [`verify`] for input from elsewhere: a
/// `Value` cannot show that its source repeated a key.
pub fn verify_value(secured: &Value, options: &VerifyOptions) -> Result<Verified, VerifyError> {
    verify_with(secured, options, &DidKeyResolver)
}

/// Verifies an `eddsa-jcs-2022` proof (vc-di-eddsa §3.3.2, plus the generic checks of Data
/// Integrity's proof verification: purpose, domain, challenge, and time), resolving the key with
/// `resolver`.
pub fn verify_with(
    secured: &Value,
    options: &VerifyOptions,
    resolver: &dyn KeyResolver,
) -> Result<Verified, VerifyError> {
    let document = secured.as_object().ok_or(VerifyError::NotAnObject)?;
    let proof = match document.get("proof") {
        None => return Err(VerifyError::MissingProof),
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(proofs)) => return Err(VerifyError::ProofSet(proofs.len())),
        Some(_) => return Err(VerifyError::WrongType { property: "proof", expected: "an object" }),
    };

    let proof_type = required_str(proof, "type")?;
    if proof_type != PROOF_TYPE {
        return Err(VerifyError::UnsupportedProofType(keys::shorten(proof_type)));
    }
    let cryptosuite = required_str(proof, "cryptosuite")?;
    if cryptosuite != CRYPTOSUITE {
        return Err(VerifyError::UnsupportedCryptosuite(keys::shorten(cryptosuite)));
    }
    if proof.contains_key("previousProof") {
        return Err(VerifyError::ProofChain);
    }
    let signature = proof_value(required_str(proof, "proofValue")?)?;
    let verification_method = required_str(proof, "verificationMethod")?;
    let proof_purpose = required_str(proof, "proofPurpose")?;
    if proof_purpose != options.proof_purpose {
        return Err(VerifyError::ProofPurposeMismatch {
            expected: options.proof_purpose.clone(),
            found: keys::shorten(proof_purpose),
        });
    }

    let created = optional_datetime(proof, "created")?;
    // An overflowing bound (a clock near year 9999) cannot be exceeded.
    if let (Some(created), Some(latest)) = (created, options.now.checked_add(options.max_clock_skew)) {
        if created > latest {
            return Err(VerifyError::CreatedInFuture(datetime::format(created).unwrap_or_default()));
        }
    }
    let expires = optional_datetime(proof, "expires")?;
    if let (Some(expires), Some(earliest)) = (expires, options.now.checked_sub(options.max_clock_skew)) {
        if expires < earliest {
            return Err(VerifyError::Expired(datetime::format(expires).unwrap_or_default()));
        }
    }
    if let Some(expected) = &options.domain {
        let bound = match proof.get("domain") {
            Some(Value::String(domain)) => domain == expected,
            Some(Value::Array(domains)) => domains.iter().any(|domain| domain.as_str() == Some(expected.as_str())),
            _ => false,
        };
        if !bound {
            return Err(VerifyError::DomainMismatch { expected: expected.clone() });
        }
    }
    if let Some(expected) = &options.challenge {
        if proof.get("challenge").and_then(Value::as_str) != Some(expected.as_str()) {
            return Err(VerifyError::ChallengeMismatch { expected: expected.clone() });
        }
    }

    let key = resolver.resolve(verification_method, proof_purpose)?;

    // §3.3.2 steps 1, 2 and 4: the proof options are the proof minus its value; the document is
    // read under the proof's @context, which the document's own @context must begin with.
    let mut proof_options = proof.clone();
    proof_options.remove("proofValue");
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    if let Some(proof_context) = proof_options.get("@context") {
        let document_context = document.get("@context").map(as_list).unwrap_or_default();
        if !document_context.starts_with(&as_list(proof_context)) {
            return Err(VerifyError::ContextMismatch);
        }
        unsecured.insert("@context".into(), proof_context.clone());
    }
    let unsecured = Value::Object(unsecured);

    let input = SigningInput::new(&proof_options, &unsecured)?;
    key.verify(&input.hash_data(), &signature).map_err(|_| VerifyError::BadSignature)?;

    Ok(Verified {
        // Read back from the signed bytes, so the document is exactly what the signature covers
        // (a caller's `Value` may hold integers beyond 2^53 that JCS rounds).
        document: jcs::parse(&input.canonical_document)?,
        key,
        verification_method: verification_method.to_owned(),
        proof_purpose: proof_purpose.to_owned(),
        created,
        expires,
    })
}

fn required_str<'a>(proof: &'a Map<String, Value>, property: &'static str) -> Result<&'a str, VerifyError> {
    match proof.get(property) {
        None => Err(VerifyError::MissingProperty(property)),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(VerifyError::WrongType { property, expected: "a string" }),
    }
}

fn optional_datetime(
    proof: &Map<String, Value>,
    property: &'static str,
) -> Result<Option<OffsetDateTime>, VerifyError> {
    match proof.get(property) {
        None => Ok(None),
        Some(Value::String(text)) => datetime::parse(text)
            .map(Some)
            .ok_or_else(|| VerifyError::InvalidDateTime { property, value: keys::shorten(text) }),
        Some(_) => Err(VerifyError::WrongType { property, expected: "a date-time string" }),
    }
}

fn proof_value(text: &str) -> Result<[u8; 64], VerifyError> {
    let malformed = |reason: String| VerifyError::MalformedProofValue { value: keys::shorten(text), reason };
    // 64 bytes are at most 88 base58 characters; refuse long input before decoding it.
    if text.len() > 90 {
        return Err(malformed(format!("{} characters is too long for an Ed25519 signature", text.len())));
    }
    let bytes = keys::decode_base58btc(text).map_err(|error| match error {
        KeyError::NotMultibase(_) => malformed("expected base58btc multibase (a leading 'z')".into()),
        KeyError::Base58 { reason, .. } => malformed(reason),
        other => malformed(other.to_string()),
    })?;
    <[u8; 64]>::try_from(bytes.as_slice()).map_err(|_| malformed(format!("{} bytes, expected 64", bytes.len())))
}

/// A JSON-LD `@context` as a list of entries: an array as is, anything else as one entry.
fn as_list(context: &Value) -> Vec<Value> {
    match context {
        Value::Array(entries) => entries.clone(),
        other => vec![other.clone()],
    }
}

#[cfg(test)]
mod tests;
