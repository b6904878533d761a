//! C2SP signed notes (`c2sp.org/signed-note`): a UTF-8 text ending in a newline, a blank line,
//! then one or more signature lines `— <key name> base64(key ID || signature)`.
//!
//! ```text
//! This is an example message.
//!
//! — example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=
//! ```
//!
//! [`Note::parse`] checks the shape only; [`Note::verify`] checks the signatures against the keys
//! the caller trusts. A signature whose key name and key ID both match a known key must verify,
//! or the whole note is rejected; signatures from other keys are ignored but counted; at least
//! one known key must have signed. A note's text means nothing until it has been verified.
//!
//! Keys: [`Ed25519Verifier`] (signature type 0x01, the vkey form `name+keyid+base64(0x01 || key)`)
//! and [`Ed25519Signer`] (the skey form `PRIVATE+KEY+name+keyid+base64(0x01 || seed)`); other
//! signature types plug in through the [`Verifier`] and [`Signer`] traits (the cosignatures of
//! [`crate::checkpoint`] do). Key IDs are always the recommended
//! `SHA-256(name || 0x0A || type || public key)[:4]`, and a key whose stated ID differs is refused.
//! Verification is strict: canonical, not small-order public keys, `ed25519-dalek`'s
//! `verify_strict`.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The largest note [`Note::parse`] accepts, in bytes (and the largest text [`Note::new`] takes).
pub const MAX_NOTE_SIZE: usize = 1 << 20;
/// The most signature lines [`Note::parse`] accepts (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;
/// The signature type of Ed25519 note signatures.
pub const SIGNATURE_TYPE_ED25519: u8 = 0x01;

/// What starts a signature line: an em dash (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// What starts a signer key.
const SKEY_PREFIX: &str = "PRIVATE+KEY+";

/// The key ID of a key: the first four bytes, big-endian, of
/// `SHA-256(name || 0x0A || signature_type || public_key)`.
pub fn key_id(name: &str, signature_type: u8, public_key: &[u8]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', signature_type])
        .chain_update(public_key)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Whether `name` may name a key: non-empty, without Unicode spaces, `+` or ASCII control
/// characters (which a note cannot hold).
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+' || c < ' ')
}

/// Something that signs note texts.
pub trait Signer {
    /// The key name written in the signature line.
    fn name(&self) -> &str;
    /// The key ID written before the signature.
    fn key_id(&self) -> u32;
    /// The signature of `text` (without the key ID).
    fn sign(&self, text: &str) -> Vec<u8>;
}

/// Something that checks signatures on note texts.
pub trait Verifier {
    /// The key name the signature line must carry.
    fn name(&self) -> &str;
    /// The key ID the signature must start with.
    fn key_id(&self) -> u32;
    /// Whether `signature` (the bytes after the key ID) is a valid signature of `text`. Takes
    /// untrusted input: any length, any bytes.
    fn verify(&self, text: &str, signature: &[u8]) -> bool;
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    name: String,
    key_id: u32,
    signature: Vec<u8>,
}

impl NoteSignature {
    /// A signature by the key `name` / `key_id`. The name must be a valid key name and the
    /// signature non-empty.
    pub fn new(name: &str, key_id: u32, signature: Vec<u8>) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::BadKeyName(quote(name)));
        }
        if signature.is_empty() {
            return Err(NoteError::BadSignatureLine { line: quote(name), reason: "the signature is empty" });
        }
        Ok(NoteSignature { name: name.to_owned(), key_id, signature })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The signature bytes after the key ID.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The line as written in a note, without its newline: `— name base64(key ID || signature)`.
    pub fn line(&self) -> String {
        let mut bytes = Vec::with_capacity(4 + self.signature.len());
        bytes.extend_from_slice(&self.key_id.to_be_bytes());
        bytes.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}", self.name, BASE64.encode(bytes))
    }

    fn parse(line: &str) -> Result<Self, NoteError> {
        let bad = |reason| NoteError::BadSignatureLine { line: quote(line), reason };
        let rest =
            line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| bad("it does not start with an em dash and a space"))?;
        let (name, encoded) =
            rest.split_once(' ').ok_or_else(|| bad("there is no space between key name and signature"))?;
        if !is_valid_key_name(name) {
            return Err(bad("the key name is empty or holds a space or '+'"));
        }
        let bytes = decode_base64(encoded).ok_or_else(|| bad("the signature is not canonical standard base64"))?;
        match bytes.split_first_chunk::<4>() {
            Some((id, signature)) if !signature.is_empty() => Ok(NoteSignature {
                name: name.to_owned(),
                key_id: u32::from_be_bytes(*id),
                signature: signature.to_vec(),
            }),
            _ => Err(bad("the signature is shorter than a key ID and one byte")),
        }
    }
}

/// A signed note: its text (ending in a newline) and its signatures, in order. Holds a valid note
/// (apart from having no signature yet, which [`Note::new`] allows): its `Display` form parses
/// back to the same note when it has at least one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// An unsigned note. The text must end in a newline, hold no ASCII control character other
    /// than newline and be at most [`MAX_NOTE_SIZE`] bytes.
    pub fn new(text: impl Into<String>) -> Result<Self, NoteError> {
        let text = text.into();
        check_text(text.as_bytes())?;
        if !text.ends_with('\n') {
            return Err(NoteError::MissingFinalNewline);
        }
        Ok(Note { text, signatures: Vec::new() })
    }

    /// Parses a signed note without verifying it. Strict: at most [`MAX_NOTE_SIZE`] bytes of
    /// UTF-8 without ASCII control characters other than newline; the text is everything up to
    /// and including the newline before the last blank line; after it, between 1 and
    /// [`MAX_SIGNATURES`] well-formed signature lines, each ending in a newline.
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        let note = check_text(bytes)?;
        let split = note.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
        let (text, block) = (&note[..split + 1], &note[split + 2..]);
        let Some(block) = block.strip_suffix('\n') else {
            return Err(if block.is_empty() { NoteError::NoSignatureBlock } else { NoteError::MissingFinalNewline });
        };
        let mut signatures = Vec::new();
        for line in block.split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures { max: MAX_SIGNATURES });
            }
            signatures.push(NoteSignature::parse(line)?);
        }
        Ok(Note { text: text.to_owned(), signatures })
    }

    /// The text, with its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signatures, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Adds a signature, replacing one by the same key name and key ID if there is one.
    pub fn add_signature(&mut self, signature: NoteSignature) {
        match self.signatures.iter_mut().find(|s| s.name == signature.name && s.key_id == signature.key_id) {
            Some(existing) => *existing = signature,
            None => self.signatures.push(signature),
        }
    }

    /// Signs the text with `signer` and adds the signature (see [`Note::add_signature`]).
    pub fn sign(&mut self, signer: &dyn Signer) -> Result<(), NoteError> {
        let signature = NoteSignature::new(signer.name(), signer.key_id(), signer.sign(&self.text))?;
        self.add_signature(signature);
        Ok(())
    }

    /// Verifies the note against the keys the caller trusts. Every signature whose key name and
    /// key ID match a key in `verifiers` must verify (else [`NoteError::InvalidSignature`]);
    /// the others are counted in [`Verified::unknown`]; at least one must be from a known key
    /// (else [`NoteError::NoVerifiedSignature`]). The first matching verifier is used.
    pub fn verify(&self, verifiers: &[&dyn Verifier]) -> Result<Verified, NoteError> {
        let mut verified: Vec<NoteSignature> = Vec::new();
        let mut unknown = 0;
        for signature in &self.signatures {
            let known = verifiers.iter().find(|v| v.name() == signature.name && v.key_id() == signature.key_id);
            let Some(verifier) = known else {
                unknown += 1;
                continue;
            };
            if !verifier.verify(&self.text, &signature.signature) {
                return Err(NoteError::InvalidSignature { name: signature.name.clone(), key_id: signature.key_id });
            }
            if !verified.iter().any(|v| v.name == signature.name && v.key_id == signature.key_id) {
                verified.push(signature.clone());
            }
        }
        if verified.is_empty() {
            return Err(NoteError::NoVerifiedSignature { unknown });
        }
        Ok(Verified { signatures: verified, unknown })
    }

    /// [`Note::parse`] then [`Note::verify`].
    pub fn open(bytes: &[u8], verifiers: &[&dyn Verifier]) -> Result<(Note, Verified), NoteError> {
        let note = Note::parse(bytes)?;
        let verified = note.verify(verifiers)?;
        Ok((note, verified))
    }
}

/// The note as written: text, blank line, one line per signature.
impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.text)?;
        for signature in &self.signatures {
            writeln!(f, "{}", signature.line())?;
        }
        Ok(())
    }
}

/// The outcome of [`Note::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The signatures that verified, one per known key that signed, in note order.
    pub signatures: Vec<NoteSignature>,
    /// How many signatures were from keys not among the verifiers (ignored).
    pub unknown: usize,
}

impl Verified {
    /// Whether the key `name` / `key_id` signed.
    pub fn is_signed_by(&self, name: &str, key_id: u32) -> bool {
        self.signatures.iter().any(|s| s.name == name && s.key_id == key_id)
    }
}

/// Why a note is malformed or does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteError {
    /// The note or text is longer than [`MAX_NOTE_SIZE`].
    TooLarge { size: usize, max: usize },
    /// Not UTF-8 from byte `offset` on.
    NotUtf8 { offset: usize },
    /// An ASCII control character other than newline at byte `offset`.
    ControlCharacter { offset: usize, byte: u8 },
    /// No blank line followed by signature lines.
    NoSignatureBlock,
    /// The text or the last signature line does not end in a newline.
    MissingFinalNewline,
    /// A signature line is malformed.
    BadSignatureLine { line: String, reason: &'static str },
    /// More than [`MAX_SIGNATURES`] signature lines.
    TooManySignatures { max: usize },
    /// A signer's key name is not a valid key name.
    BadKeyName(String),
    /// A signature from a known key does not verify.
    InvalidSignature { name: String, key_id: u32 },
    /// No signature from a known key; `unknown` signatures from other keys were ignored.
    NoVerifiedSignature { unknown: usize },
}

impl fmt::Display for NoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoteError::TooLarge { size, max } => write!(f, "the note has {size} bytes, more than the {max} allowed"),
            NoteError::NotUtf8 { offset } => write!(f, "the note is not UTF-8 at byte {offset}"),
            NoteError::ControlCharacter { offset, byte } => {
                write!(f, "the note holds the control character 0x{byte:02x} at byte {offset}; only newline is allowed")
            }
            NoteError::NoSignatureBlock => {
                write!(f, "the note has no signature block (a blank line followed by signature lines)")
            }
            NoteError::MissingFinalNewline => {
                write!(f, "the note text or its last signature line lacks its final newline")
            }
            NoteError::BadSignatureLine { line, reason } => write!(f, "bad signature line {line:?}: {reason}"),
            NoteError::TooManySignatures { max } => write!(f, "the note has more than {max} signatures"),
            NoteError::BadKeyName(name) => {
                write!(f, "{name:?} is not a key name: it must be non-empty, without spaces or '+'")
            }
            NoteError::InvalidSignature { name, key_id } => {
                write!(f, "the signature by {name} (key ID {key_id:08x}) does not verify")
            }
            NoteError::NoVerifiedSignature { unknown } => {
                write!(f, "the note is not signed by any known key ({unknown} signatures by unknown keys ignored)")
            }
        }
    }
}

impl std::error::Error for NoteError {}

/// Why a verifier or signer key was refused. Messages quote vkeys, never skeys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The key is not `name+keyid+base64` (or `PRIVATE+KEY+name+keyid+base64`).
    Malformed(&'static str),
    /// The key name is empty or holds a space or `+`.
    BadName(String),
    /// The key ID is not 8 lowercase hex digits.
    BadKeyId(String),
    /// The key material is not canonical standard base64.
    BadBase64,
    /// The key is of another signature type.
    WrongType { want: u8, got: u8 },
    /// The key material has the wrong length.
    WrongLength { want: usize, got: usize },
    /// The public key is not the canonical encoding of a curve point.
    InvalidPoint,
    /// The public key is of small order.
    WeakKey,
    /// The stated key ID is not the one the name, type and key give.
    KeyIdMismatch { stated: u32, computed: u32 },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Malformed(reason) => write!(f, "malformed key: {reason}"),
            KeyError::BadName(name) => {
                write!(f, "{name:?} is not a key name: it must be non-empty, without spaces or '+'")
            }
            KeyError::BadKeyId(id) => write!(f, "{id:?} is not a key ID: it must be 8 lowercase hex digits"),
            KeyError::BadBase64 => write!(f, "the key material is not canonical standard base64"),
            KeyError::WrongType { want, got } => {
                write!(f, "the key has signature type 0x{got:02x}, expected 0x{want:02x}")
            }
            KeyError::WrongLength { want, got } => write!(f, "the key material has {got} bytes, expected {want}"),
            KeyError::InvalidPoint => write!(f, "the public key is not a canonically encoded Ed25519 point"),
            KeyError::WeakKey => write!(f, "the public key is of small order"),
            KeyError::KeyIdMismatch { stated, computed } => {
                write!(f, "the key states key ID {stated:08x}, but its name, type and key give {computed:08x}")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// An Ed25519 verifier key (signature type 0x01).
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519Verifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl Ed25519Verifier {
    /// The verifier for the key `name` with the 32-byte public key `public_key`.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        let (name, key_id, key) = ed25519_verifier(name, SIGNATURE_TYPE_ED25519, public_key)?;
        Ok(Ed25519Verifier { name, key_id, key })
    }

    /// Parses a vkey `name+keyid+base64(0x01 || public key)`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = ed25519_from_vkey(vkey, SIGNATURE_TYPE_ED25519)?;
        Ok(Ed25519Verifier { name, key_id, key })
    }

    /// The vkey form.
    pub fn to_vkey(&self) -> String {
        encode_vkey(&self.name, self.key_id, SIGNATURE_TYPE_ED25519, self.key.as_bytes())
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl Verifier for Ed25519Verifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        self.key.verify_strict(text.as_bytes(), &Signature::from_bytes(&bytes)).is_ok()
    }
}

impl fmt::Debug for Ed25519Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519Verifier({})", self.to_vkey())
    }
}

/// An Ed25519 signer key (signature type 0x01). The seed comes from the caller; `Debug` does not
/// show it and it is zeroed when dropped.
#[derive(Clone)]
pub struct Ed25519Signer {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl Ed25519Signer {
    /// The signer `name` with the 32-byte secret seed `seed` (RFC 8032).
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        let key = SigningKey::from_bytes(seed);
        let (name, key_id, _) = ed25519_verifier(name, SIGNATURE_TYPE_ED25519, key.verifying_key().as_bytes())?;
        Ok(Ed25519Signer { name, key_id, key })
    }

    /// Parses an skey `PRIVATE+KEY+name+keyid+base64(0x01 || seed)`.
    pub fn from_skey(skey: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = ed25519_from_skey(skey, SIGNATURE_TYPE_ED25519)?;
        Ok(Ed25519Signer { name, key_id, key })
    }

    /// The skey form (secret).
    pub fn to_skey(&self) -> String {
        encode_skey(&self.name, self.key_id, SIGNATURE_TYPE_ED25519, self.key.as_bytes())
    }

    /// The matching verifier.
    pub fn verifier(&self) -> Ed25519Verifier {
        Ed25519Verifier { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }
}

impl Signer for Ed25519Signer {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn sign(&self, text: &str) -> Vec<u8> {
        self.key.sign(text.as_bytes()).to_bytes().to_vec()
    }
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519Signer({}+{:08x})", self.name, self.key_id)
    }
}

/// Checks a note or text: size, UTF-8, no ASCII control characters other than newline.
pub(crate) fn check_text(bytes: &[u8]) -> Result<&str, NoteError> {
    if bytes.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge { size: bytes.len(), max: MAX_NOTE_SIZE });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| NoteError::NotUtf8 { offset: e.valid_up_to() })?;
    // Bytes below 0x20 never occur inside a multi-byte UTF-8 sequence.
    if let Some(offset) = bytes.iter().position(|&b| b < 0x20 && b != b'\n') {
        return Err(NoteError::ControlCharacter { offset, byte: bytes[offset] });
    }
    Ok(text)
}

/// Standard base64 with padding, canonical only (no stray trailing bits, exact padding).
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let bytes = BASE64.decode(text).ok()?;
    // The engine is already strict; re-encoding makes "one encoding per value" explicit.
    (BASE64.encode(&bytes) == text).then_some(bytes)
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// At most 64 characters of `text`, for error messages.
pub(crate) fn quote(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(64).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// `name+keyid+base64(type || key)`.
pub(crate) fn encode_vkey(name: &str, key_id: u32, signature_type: u8, key: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(1 + key.len());
    bytes.push(signature_type);
    bytes.extend_from_slice(key);
    format!("{name}+{key_id:08x}+{}", BASE64.encode(bytes))
}

pub(crate) fn encode_skey(name: &str, key_id: u32, signature_type: u8, seed: &[u8]) -> String {
    format!("{SKEY_PREFIX}{}", encode_vkey(name, key_id, signature_type, seed))
}

/// Splits `name+keyid+base64(type || key)` into name, stated key ID, type and key material.
/// Error messages may quote the name and key ID, never the key material.
fn decode_key(text: &str) -> Result<(&str, u32, u8, Vec<u8>), KeyError> {
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(KeyError::Malformed("expected name+keyid+base64"));
    };
    if !is_valid_key_name(name) {
        return Err(KeyError::BadName(quote(name)));
    }
    let id_ok = id.len() == 8 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let key_id = match u32::from_str_radix(id, 16) {
        Ok(key_id) if id_ok => key_id,
        _ => return Err(KeyError::BadKeyId(quote(id))),
    };
    let bytes = decode_base64(encoded).ok_or(KeyError::BadBase64)?;
    let Some((&signature_type, key)) = bytes.split_first() else {
        return Err(KeyError::Malformed("no key material"));
    };
    Ok((name, key_id, signature_type, key.to_vec()))
}

/// Checks a name and public key; returns the name, key ID and key.
pub(crate) fn ed25519_verifier(
    name: &str,
    signature_type: u8,
    public_key: &[u8; 32],
) -> Result<(String, u32, VerifyingKey), KeyError> {
    if !is_valid_key_name(name) {
        return Err(KeyError::BadName(quote(name)));
    }
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| KeyError::InvalidPoint)?;
    // Decompression accepts y >= p, a second spelling of some points: require the canonical one.
    if key.to_edwards().compress().as_bytes() != public_key {
        return Err(KeyError::InvalidPoint);
    }
    if key.is_weak() {
        return Err(KeyError::WeakKey);
    }
    Ok((name.to_owned(), key_id(name, signature_type, public_key), key))
}

/// Parses an Ed25519 vkey of `signature_type`.
pub(crate) fn ed25519_from_vkey(vkey: &str, signature_type: u8) -> Result<(String, u32, VerifyingKey), KeyError> {
    let (name, stated, got_type, key) = decode_key(vkey)?;
    if got_type != signature_type {
        return Err(KeyError::WrongType { want: signature_type, got: got_type });
    }
    let key = <[u8; 32]>::try_from(key.as_slice()).map_err(|_| KeyError::WrongLength { want: 32, got: key.len() })?;
    let (name, computed, key) = ed25519_verifier(name, signature_type, &key)?;
    if stated != computed {
        return Err(KeyError::KeyIdMismatch { stated, computed });
    }
    Ok((name, computed, key))
}

/// Parses an Ed25519 skey of `signature_type` (the key material is the 32-byte seed).
pub(crate) fn ed25519_from_skey(skey: &str, signature_type: u8) -> Result<(String, u32, SigningKey), KeyError> {
    let rest = skey.strip_prefix(SKEY_PREFIX).ok_or(KeyError::Malformed("a signer key starts with PRIVATE+KEY+"))?;
    let (name, stated, got_type, seed) = decode_key(rest)?;
    if got_type != signature_type {
        return Err(KeyError::WrongType { want: signature_type, got: got_type });
    }
    let seed =
        <[u8; 32]>::try_from(seed.as_slice()).map_err(|_| KeyError::WrongLength { want: 32, got: seed.len() })?;
    let key = SigningKey::from_bytes(&seed);
    let (name, computed, _) = ed25519_verifier(name, signature_type, key.verifying_key().as_bytes())?;
    if stated != computed {
        return Err(KeyError::KeyIdMismatch { stated, computed });
    }
    Ok((name, computed, key))
}

/// Decimal ASCII without sign or leading zeros (except `0` itself), fitting a `u64`: the one
/// spelling of a number that checkpoints and tile paths accept.
pub(crate) fn parse_decimal(text: &str) -> Option<u64> {
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    if canonical {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
