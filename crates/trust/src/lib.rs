//! dfft's trust layer: who signed a credential, that nobody changed it since, and whether its
//! issuer is believed for what it says.
//!
//! This crate owns:
//! - [`jcs`]: RFC 8785 JSON canonicalization, and JSON parsing that refuses duplicate keys
//!   ([`jcs::parse`], [`jcs::canonicalize`], [`JcsError`]);
//! - [`keys`]: Ed25519 keys ([`KeyPair`], [`PublicKey`]) as Multikey `publicKeyMultibase`
//!   (`z6Mk…`) and `did:key`, with strict signature verification;
//! - [`di`]: W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite, as used by
//!   Verifiable Credentials 2.0 — [`sign`] / [`verify`] with [`ProofOptions`] and
//!   [`VerifyOptions`], the result [`Verified`], the refusals [`VerifyError`], and
//!   [`KeyResolver`] for DID methods other than `did:key`;
//! - [`datetime`]: the XML Schema timestamps of `created` and `expires`;
//! - [`status`]: W3C Bitstring Status List v1.0 — [`StatusList`] (`encodedList`),
//!   [`credential_status`] of a `BitstringStatusListEntry`, the result [`Status`] and the refusals
//!   [`StatusError`];
//! - [`trust_list`]: who is believed for what — [`TrustList`] (`trust-list.toml` in a rulebook
//!   release) of [`TrustedIssuer`]s accredited for kinds of claim, and the
//!   [`CERTIFICATION_SCHEMES`] the rulebook knows;
//! - [`credential`]: W3C Verifiable Credentials 2.0 with one [`Claim`] each (certification,
//!   dataspace membership, legal entity) — [`issue`] a [`CredentialDraft`], [`verify_credential`]
//!   in a [`CredentialContext`] (trust list, key resolver, cached [`StatusLists`], holder) to a
//!   [`VerifiedCredential`] or a [`CredentialError`]; status list credentials with
//!   [`issue_status_list`] / [`verify_status_list`] ([`VerifiedStatusList`]) and [`status_urls`];
//! - [`presentation`]: W3C Verifiable Presentations — [`present`] credentials to one verifier
//!   (domain and challenge), [`verify_presentation`] with a [`PresentationCheck`] to a
//!   [`VerifiedPresentation`] or a [`PresentationError`];
//! - [`did_web`]: `did:web` — [`did_web::document_url`], [`did_web::did_for_url`],
//!   [`did_web::document`], the [`DocumentResolver`] over fetched DID documents, and
//!   [`did_web::dids_to_fetch`].
//!
//! It is pure: no files, no network, no clock (the current time is an argument) and no
//! randomness (keys come from seeds the caller draws). Hostile input is refused with an error
//! value, never a panic. The W3C, RFC 8785 and ed25519-speccheck vectors in `../shared/specs`
//! are its tests.
//!
//! ```
//! use trust::{datetime, sign, verify, KeyPair, ProofOptions, VerifyError, VerifyOptions};
//!
//! // An issuer's key (in real use: 32 random bytes from the operating system, kept secret).
//! let issuer = KeyPair::from_seed(&[7; 32]);
//! let now = datetime::parse("2026-06-01T09:00:00Z").expect("a valid timestamp");
//!
//! let credential = r#"{
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "type": ["VerifiableCredential"],
//!     "issuer": "did:example:kigali-health",
//!     "credentialSubject": {"id": "did:example:tokyo-institute", "certification": "CBPR"}
//! }"#;
//! let secured = sign(credential, &ProofOptions::assertion(&issuer.public_key(), now), &issuer)?;
//! let text = secured.to_string();
//!
//! let verified = verify(&text, &VerifyOptions::new(now))?;
//! assert_eq!(verified.key, issuer.public_key());
//! assert_eq!(verified.document["credentialSubject"]["certification"], "CBPR");
//!
//! let forged = text.replace("CBPR", "PRP");
//! assert_eq!(verify(&forged, &VerifyOptions::new(now)).err(), Some(VerifyError::BadSignature));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod credential;
pub mod datetime;
pub mod di;
pub mod did_web;
pub mod jcs;
pub mod keys;
pub mod presentation;
mod shape;
pub mod status;
pub mod trust_list;

pub use credential::{
    issue, issue_status_list, status_urls, verify_credential, verify_status_list, Claim, CredentialContext,
    CredentialDraft, CredentialError, StatusEntry, StatusLists, StatusPurpose, VerifiedCredential, VerifiedStatusList,
    CREDENTIALS_V2, TYPE_CERTIFICATION, TYPE_LEGAL_ENTITY, TYPE_MEMBERSHIP,
};

pub use di::{
    sign, sign_value, verify, verify_value, verify_with, DidKeyResolver, KeyResolver, ProofOptions, SignError,
    SigningInput, Verified, VerifyError, VerifyOptions,
};
pub use did_web::{dids_to_fetch, DocumentResolver};
pub use jcs::JcsError;
pub use keys::{BadSignature, KeyError, KeyPair, PublicKey};
pub use presentation::{
    present, verify_presentation, PresentationCheck, PresentationError, VerifiedPresentation, MAX_CREDENTIALS,
};
pub use status::{credential_status, Status, StatusError, StatusList};
pub use trust_list::{TrustList, TrustedIssuer, CERTIFICATION_SCHEMES};
