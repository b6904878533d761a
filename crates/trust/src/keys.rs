//! Ed25519 keys, their multibase forms and `did:key` identifiers.
//!
//! A public key is the 32-byte encoding of a curve point; as a Multikey `publicKeyMultibase` it is
//! the multicodec prefix `0xed01` and those bytes in base58btc with the multibase prefix `z`
//! (always `z6Mk…`); as a DID it is `did:key:` followed by that string, and its one verification
//! method is `did:key:z6Mk…#z6Mk…`. Private keys use the multicodec `0x1300` (`80 26`) prefix.
//!
//! **Verification policy (strict).** [`PublicKey`] only holds keys whose encoding is canonical
//! and whose point is not of small order, and [`PublicKey::verify`] is `ed25519-dalek`'s
//! `verify_strict`: RFC 8032 with canonical `S`, the cofactorless equation, and small-order `R`
//! rejected. Every signature this crate makes passes; malleated and "valid for any message"
//! signatures do not. `tests/speccheck.rs` pins the verdict for each published edge case.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// Multicodec prefix of an Ed25519 public key (`ed25519-pub`, 0xed as an unsigned varint).
pub const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 private key seed (`ed25519-priv`, 0x1300 as an unsigned varint).
pub const ED25519_PRIV_MULTICODEC: [u8; 2] = [0x80, 0x26];

const DID_KEY_PREFIX: &str = "did:key:";

/// Why a key, its encoding or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Not a base58btc multibase string (which starts with `z`).
    NotMultibase(String),
    /// The characters after `z` are not base58 (bitcoin alphabet).
    Base58 {
        /// The offending input (shortened if long).
        value: String,
        /// What the decoder found.
        reason: String,
    },
    /// The multicodec prefix is not the expected one (`0xed01` for public keys, `0x1300` for
    /// private keys).
    WrongCodec {
        /// The offending input (shortened if long).
        value: String,
        /// The codec expected, e.g. `ed25519-pub (0xed01)`.
        expected: &'static str,
    },
    /// The key has the wrong length once decoded.
    WrongLength {
        /// The offending input (shortened if long).
        value: String,
        /// Bytes after the multicodec prefix.
        length: usize,
    },
    /// The 32 bytes are not the canonical encoding of a point on the curve.
    InvalidPoint(String),
    /// The point has small order: such a key "verifies" signatures it never made.
    WeakKey(String),
    /// Not a `did:key` DID (or DID URL).
    NotDidKey(String),
    /// A `did:key` verification method whose fragment is not the key itself
    /// (`did:key:X#Y` with `Y` ≠ `X`).
    FragmentMismatch(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::NotMultibase(value) => {
                write!(f, "{value:?} is not a base58btc multibase value (expected a leading 'z')")
            }
            KeyError::Base58 { value, reason } => write!(f, "{value:?} is not valid base58btc: {reason}"),
            KeyError::WrongCodec { value, expected } => write!(f, "{value:?} is not an {expected} key"),
            KeyError::WrongLength { value, length } => {
                write!(f, "{value:?} holds {length} key bytes, expected 32")
            }
            KeyError::InvalidPoint(value) => {
                write!(f, "{value:?} is not a canonically encoded Ed25519 public key")
            }
            KeyError::WeakKey(value) => write!(f, "{value:?} is a small-order (weak) Ed25519 public key"),
            KeyError::NotDidKey(value) => write!(f, "{value:?} is not a did:key (expected \"did:key:z6Mk…\")"),
            KeyError::FragmentMismatch(value) => {
                write!(f, "verification method {value:?} does not name its own key (expected \"did:key:X#X\")")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// A signature that does not verify under the given key and message (including signatures with
/// non-canonical `S` or small-order `R`, which strict verification refuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadSignature;

impl fmt::Display for BadSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the signature does not verify")
    }
}

impl std::error::Error for BadSignature {}

/// An Ed25519 public key that strict verification accepts: canonically encoded, not of small
/// order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Checks and wraps a 32-byte public key.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::InvalidPoint(hex(bytes)))?;
        // Decompression accepts a y coordinate ≥ p (a second spelling of some points): require the
        // one canonical encoding, so a key has exactly one did:key.
        if key.to_edwards().compress().as_bytes() != bytes {
            return Err(KeyError::InvalidPoint(hex(bytes)));
        }
        if key.is_weak() {
            return Err(KeyError::WeakKey(hex(bytes)));
        }
        Ok(PublicKey(key))
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The Multikey `publicKeyMultibase` form, `z6Mk…`.
    pub fn to_multibase(&self) -> String {
        multibase(ED25519_PUB_MULTICODEC, &self.to_bytes())
    }

    /// Reads a `publicKeyMultibase` value (`z6Mk…`).
    pub fn from_multibase(text: &str) -> Result<Self, KeyError> {
        let bytes = decode_multibase(text, ED25519_PUB_MULTICODEC, "ed25519-pub (0xed01)")?;
        Self::from_bytes(&bytes)
    }

    /// The DID, `did:key:z6Mk…`.
    pub fn to_did_key(&self) -> String {
        format!("{DID_KEY_PREFIX}{}", self.to_multibase())
    }

    /// Reads a DID `did:key:z6Mk…` (without a fragment).
    pub fn from_did_key(did: &str) -> Result<Self, KeyError> {
        let id = did.strip_prefix(DID_KEY_PREFIX).ok_or_else(|| KeyError::NotDidKey(shorten(did)))?;
        if id.contains(['#', '?', '/', ':']) {
            return Err(KeyError::NotDidKey(shorten(did)));
        }
        Self::from_multibase(id)
    }

    /// The key's verification method, `did:key:z6Mk…#z6Mk…`.
    pub fn to_verification_method(&self) -> String {
        let id = self.to_multibase();
        format!("{DID_KEY_PREFIX}{id}#{id}")
    }

    /// Reads a `did:key` verification method `did:key:X#X`; the fragment must be the key itself.
    pub fn from_verification_method(url: &str) -> Result<Self, KeyError> {
        let (did, fragment) = url.split_once('#').ok_or_else(|| KeyError::NotDidKey(shorten(url)))?;
        let key = Self::from_did_key(did)?;
        if did.strip_prefix(DID_KEY_PREFIX) != Some(fragment) {
            return Err(KeyError::FragmentMismatch(shorten(url)));
        }
        Ok(key)
    }

    /// Strict Ed25519 verification (see the module documentation for the policy).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> Result<(), BadSignature> {
        self.0.verify_strict(message, &Signature::from_bytes(signature)).map_err(|_| BadSignature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_multibase())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_multibase())
    }
}

/// An Ed25519 signing key and its public key. The secret is zeroed when dropped and never
/// printed.
///
/// The crate does no IO, so it draws no randomness: make a key from 32 bytes of the operating
/// system's randomness (`KeyPair::from_seed`) or read a stored one
/// ([`KeyPair::from_private_multibase`]).
#[derive(Clone)]
pub struct KeyPair {
    signing: SigningKey,
}

impl KeyPair {
    /// The key pair for an RFC 8032 secret key (seed).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        KeyPair { signing: SigningKey::from_bytes(seed) }
    }

    /// Reads a `privateKeyMultibase` value (multicodec `0x1300`, base58btc, `z3u2…`).
    pub fn from_private_multibase(text: &str) -> Result<Self, KeyError> {
        // Never echo secret material in errors.
        let redacted = |error: KeyError| match error {
            KeyError::Base58 { reason, .. } => KeyError::Base58 { value: "<private key>".into(), reason },
            KeyError::WrongCodec { expected, .. } => KeyError::WrongCodec { value: "<private key>".into(), expected },
            KeyError::WrongLength { length, .. } => KeyError::WrongLength { value: "<private key>".into(), length },
            KeyError::NotMultibase(_) => KeyError::NotMultibase("<private key>".into()),
            other => other,
        };
        let seed = decode_multibase(text, ED25519_PRIV_MULTICODEC, "ed25519-priv (0x1300)").map_err(redacted)?;
        Ok(Self::from_seed(&seed))
    }

    /// The `privateKeyMultibase` form, for storage. Treat it as the secret it is.
    pub fn to_private_multibase(&self) -> String {
        multibase(ED25519_PRIV_MULTICODEC, self.signing.as_bytes())
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        // A clamped nonzero scalar times the base point has prime order: never weak.
        PublicKey(self.signing.verifying_key())
    }

    /// The X25519 (key agreement) secret of this same key, as `did:key` derives its
    /// `keyAgreement` key: the lower half of SHA-512(seed), unclamped (X25519 clamps on use). Its
    /// public key is this key's Ed25519 point in Montgomery form. Treat it as the secret it is.
    pub fn x25519_secret(&self) -> [u8; 32] {
        self.signing.to_scalar_bytes()
    }

    /// Signs a message (RFC 8032 Ed25519, deterministic).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyPair {{ public: {}, secret: <redacted> }}", self.public_key().to_multibase())
    }
}

/// `z` + base58btc(prefix || bytes).
fn multibase(prefix: [u8; 2], bytes: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(34);
    raw.extend_from_slice(&prefix);
    raw.extend_from_slice(bytes);
    format!("z{}", bs58::encode(raw).into_string())
}

fn decode_multibase(text: &str, prefix: [u8; 2], codec: &'static str) -> Result<[u8; 32], KeyError> {
    let raw = decode_base58btc(text)?;
    let body =
        raw.strip_prefix(&prefix).ok_or_else(|| KeyError::WrongCodec { value: shorten(text), expected: codec })?;
    <[u8; 32]>::try_from(body).map_err(|_| KeyError::WrongLength { value: shorten(text), length: body.len() })
}

/// Decodes a base58btc multibase string (`z…`). Shared with proof values.
pub(crate) fn decode_base58btc(text: &str) -> Result<Vec<u8>, KeyError> {
    let body = text.strip_prefix('z').ok_or_else(|| KeyError::NotMultibase(shorten(text)))?;
    bs58::decode(body).into_vec().map_err(|error| KeyError::Base58 { value: shorten(text), reason: error.to_string() })
}

/// `z` + base58btc(bytes). Shared with proof values.
pub(crate) fn encode_base58btc(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Input quoted in an error, cut to a readable length: hostile input can be megabytes.
pub(crate) fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 100;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The W3C vc-di-eddsa test key (TestVectors/keyPair.json).
    const PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const PRIVATE: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

    #[test]
    fn multibase_and_did_key_round_trip() {
        let pair = KeyPair::from_private_multibase(PRIVATE).expect("the test key");
        assert_eq!(pair.to_private_multibase(), PRIVATE);
        let public = pair.public_key();
        assert_eq!(public.to_multibase(), PUBLIC);
        assert_eq!(PublicKey::from_multibase(PUBLIC), Ok(public));
        assert_eq!(public.to_did_key(), format!("did:key:{PUBLIC}"));
        assert_eq!(PublicKey::from_did_key(&public.to_did_key()), Ok(public));
        assert_eq!(public.to_verification_method(), format!("did:key:{PUBLIC}#{PUBLIC}"));
        assert_eq!(PublicKey::from_verification_method(&public.to_verification_method()), Ok(public));
        assert_eq!(PublicKey::from_bytes(&public.to_bytes()), Ok(public));
        assert!(!format!("{pair:?}").contains(&PRIVATE[1..]));
    }

    #[test]
    fn malformed_keys_are_refused_with_the_reason() {
        let public = PublicKey::from_multibase(PUBLIC).expect("the test key");
        let other = KeyPair::from_seed(&[7; 32]).public_key().to_multibase();
        assert!(matches!(PublicKey::from_multibase(&PUBLIC[1..]), Err(KeyError::NotMultibase(_))));
        assert!(matches!(PublicKey::from_multibase("z0OIl"), Err(KeyError::Base58 { .. })));
        assert!(matches!(PublicKey::from_multibase(PRIVATE), Err(KeyError::WrongCodec { .. })));
        let short = encode_base58btc(&[0xed, 0x01, 1, 2, 3]);
        assert!(matches!(PublicKey::from_multibase(&short), Err(KeyError::WrongLength { length: 3, .. })));
        assert!(matches!(PublicKey::from_did_key(PUBLIC), Err(KeyError::NotDidKey(_))));
        assert!(matches!(PublicKey::from_did_key(&format!("did:web:{PUBLIC}")), Err(KeyError::NotDidKey(_))));
        assert!(matches!(PublicKey::from_did_key(&public.to_verification_method()), Err(KeyError::NotDidKey(_))));
        assert!(matches!(PublicKey::from_verification_method(&public.to_did_key()), Err(KeyError::NotDidKey(_))));
        assert!(matches!(
            PublicKey::from_verification_method(&format!("did:key:{PUBLIC}#{other}")),
            Err(KeyError::FragmentMismatch(_))
        ));
        assert!(matches!(
            PublicKey::from_verification_method(&format!("did:key:{PUBLIC}#key-1")),
            Err(KeyError::FragmentMismatch(_))
        ));
        assert!(
            matches!(KeyPair::from_private_multibase(PUBLIC), Err(KeyError::WrongCodec { value, .. }) if value == "<private key>")
        );
        // The identity point (small order) and an encoding with y = p (non-canonical).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(PublicKey::from_bytes(&identity), Err(KeyError::WeakKey(_))));
        let mut y_is_p = [0xff; 32];
        y_is_p[0] = 0xed;
        y_is_p[31] = 0x7f;
        assert!(matches!(PublicKey::from_bytes(&y_is_p), Err(KeyError::InvalidPoint(_))));
    }

    #[test]
    fn sign_then_verify() {
        let pair = KeyPair::from_seed(&[42; 32]);
        let signature = pair.sign(b"message");
        assert_eq!(pair.public_key().verify(b"message", &signature), Ok(()));
        assert_eq!(pair.public_key().verify(b"massage", &signature), Err(BadSignature));
        assert_eq!(KeyPair::from_seed(&[43; 32]).public_key().verify(b"message", &signature), Err(BadSignature));
    }

    #[test]
    fn long_input_is_shortened_in_errors() {
        let long = "x".repeat(10_000);
        let message = PublicKey::from_multibase(&long).expect_err("not a key").to_string();
        assert!(message.len() < 300, "{message}");
    }
}
