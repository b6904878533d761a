//! C2SP checkpoints (`c2sp.org/tlog-checkpoint`) and Ed25519 cosignatures
//! (`c2sp.org/tlog-cosignature`, `cosignature/v1`, signature type 0x04).
//!
//! A checkpoint is the text of a [signed note](crate::note): the origin line, the tree size in
//! decimal (no leading zeros), the root hash in base64, and optional non-empty extension lines.
//!
//! ```text
//! example.com/behind-the-sofa
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//! ```
//!
//! A cosignature is a note signature on a checkpoint whose bytes are an 8-byte big-endian
//! timestamp (POSIX seconds, at most 2^63 - 1) and an Ed25519 signature of
//! `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint text. The clock is the
//! caller's: timestamps are arguments.
//!
//! A checkpoint's size and root come from the same signed text, so an inclusion or consistency
//! proof checked against them is bound to the tree the log signed.

use std::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::hash::{Hash, HASH_SIZE};
use crate::note::{self, KeyError, Note, NoteError, NoteSignature, Verified, Verifier};

/// The signature type of Ed25519 cosignatures (`cosignature/v1`).
pub const SIGNATURE_TYPE_COSIGNATURE: u8 = 0x04;
/// The largest cosignature timestamp, 2^63 - 1.
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;
/// Length of an Ed25519 cosignature after the key ID: timestamp and signature.
pub const COSIGNATURE_SIZE: usize = 8 + 64;

/// A checkpoint: the tree head a log signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

impl Checkpoint {
    /// The checkpoint of the log `origin` at `size` leaves with root `root`. The origin must be a
    /// non-empty line (no newline or other control character).
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        check_line(origin).map_err(|_| CheckpointError::BadOrigin(note::quote(origin)))?;
        Ok(Checkpoint { origin: origin.to_owned(), size, root, extensions: Vec::new() })
    }

    /// The same checkpoint with extension lines (each non-empty, no control character). Their use
    /// is not recommended: monitors cannot audit them.
    pub fn with_extensions(mut self, extensions: Vec<String>) -> Result<Self, CheckpointError> {
        for line in &extensions {
            check_line(line).map_err(|_| CheckpointError::BadExtension(note::quote(line)))?;
        }
        self.extensions = extensions;
        Ok(self)
    }

    /// Parses a checkpoint from a note text (with its final newline). Strict: at least three
    /// non-empty lines, the size in decimal without sign or leading zeros, the root hash in
    /// canonical base64 of exactly 32 bytes.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        note::check_text(text.as_bytes())?;
        let body = text.strip_suffix('\n').ok_or(CheckpointError::Note(NoteError::MissingFinalNewline))?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next()) else {
            return Err(CheckpointError::TooFewLines);
        };
        if origin.is_empty() {
            return Err(CheckpointError::BadOrigin(String::new()));
        }
        let size = note::parse_decimal(size).ok_or_else(|| CheckpointError::BadSize(note::quote(size)))?;
        let root = note::decode_base64(root)
            .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
            .ok_or_else(|| CheckpointError::BadRoot(note::quote(root)))?;
        let mut extensions = Vec::new();
        for line in lines {
            if line.is_empty() {
                return Err(CheckpointError::BadExtension(String::new()));
            }
            extensions.push(line.to_owned());
        }
        Ok(Checkpoint { origin: origin.to_owned(), size, root, extensions })
    }

    /// Parses a checkpoint note, verifies it against `verifiers` (see [`Note::verify`]) and only
    /// then parses its text.
    pub fn open(bytes: &[u8], verifiers: &[&dyn Verifier]) -> Result<(Checkpoint, Note, Verified), CheckpointError> {
        let (note, verified) = Note::open(bytes, verifiers)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok((checkpoint, note, verified))
    }

    /// The unsigned note of this checkpoint, to be signed with [`Note::sign`].
    pub fn to_note(&self) -> Result<Note, CheckpointError> {
        Ok(Note::new(self.to_string())?)
    }

    /// The origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// The extension lines.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }
}

/// The note text: one line each for origin, size, root and extensions, each ending in newline.
impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}\n{}\n{}", self.origin, self.size, note::encode_base64(self.root.as_bytes()))?;
        for line in &self.extensions {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// A non-empty line without control characters.
fn check_line(line: &str) -> Result<(), ()> {
    if line.is_empty() || line.bytes().any(|b| b < 0x20) {
        return Err(());
    }
    Ok(())
}

/// The message an Ed25519 cosignature signs: `cosignature/v1\ntime <timestamp>\n` and the
/// checkpoint's note text.
pub fn cosigned_message(checkpoint_text: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_text}")
}

/// An Ed25519 cosignature: when it was made and the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cosignature {
    /// POSIX seconds, at most [`MAX_TIMESTAMP`].
    pub timestamp: u64,
    /// The Ed25519 signature of [`cosigned_message`].
    pub signature: [u8; 64],
}

impl Cosignature {
    /// Reads the bytes after the key ID: exactly [`COSIGNATURE_SIZE`] bytes, timestamp at most
    /// [`MAX_TIMESTAMP`]. Does not verify.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CheckpointError> {
        let bytes: &[u8; COSIGNATURE_SIZE] =
            bytes.try_into().map_err(|_| CheckpointError::BadCosignature { len: bytes.len() })?;
        let (timestamp, signature) = bytes.split_at(8);
        let timestamp =
            u64::from_be_bytes(timestamp.try_into().map_err(|_| CheckpointError::BadCosignature { len: 8 })?);
        if timestamp > MAX_TIMESTAMP {
            return Err(CheckpointError::TimestampTooLarge(timestamp));
        }
        let signature = signature.try_into().map_err(|_| CheckpointError::BadCosignature { len: COSIGNATURE_SIZE })?;
        Ok(Cosignature { timestamp, signature })
    }

    /// Reads a note signature as a cosignature (see [`Cosignature::from_bytes`]).
    pub fn from_note_signature(signature: &NoteSignature) -> Result<Self, CheckpointError> {
        Cosignature::from_bytes(signature.signature())
    }

    /// The bytes after the key ID.
    pub fn to_bytes(&self) -> [u8; COSIGNATURE_SIZE] {
        let mut bytes = [0; COSIGNATURE_SIZE];
        bytes[..8].copy_from_slice(&self.timestamp.to_be_bytes());
        bytes[8..].copy_from_slice(&self.signature);
        bytes
    }
}

/// A cosigner's verifier key (signature type 0x04).
#[derive(Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// The verifier for the cosigner `name` with the 32-byte public key `public_key`.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, KeyError> {
        let (name, key_id, key) = note::ed25519_verifier(name, SIGNATURE_TYPE_COSIGNATURE, public_key)?;
        Ok(CosignatureVerifier { name, key_id, key })
    }

    /// Parses a vkey `name+keyid+base64(0x04 || public key)`.
    pub fn from_vkey(vkey: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = note::ed25519_from_vkey(vkey, SIGNATURE_TYPE_COSIGNATURE)?;
        Ok(CosignatureVerifier { name, key_id, key })
    }

    /// The vkey form.
    pub fn to_vkey(&self) -> String {
        note::encode_vkey(&self.name, self.key_id, SIGNATURE_TYPE_COSIGNATURE, self.key.as_bytes())
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
}

impl Verifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn key_id(&self) -> u32 {
        self.key_id
    }

    fn verify(&self, text: &str, signature: &[u8]) -> bool {
        let Ok(cosignature) = Cosignature::from_bytes(signature) else {
            return false;
        };
        let message = cosigned_message(text, cosignature.timestamp);
        self.key.verify_strict(message.as_bytes(), &Signature::from_bytes(&cosignature.signature)).is_ok()
    }
}

impl fmt::Debug for CosignatureVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CosignatureVerifier({})", self.to_vkey())
    }
}

/// A cosigner's signing key (signature type 0x04). The seed comes from the caller; `Debug` does
/// not show it and it is zeroed when dropped.
#[derive(Clone)]
pub struct Cosigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl Cosigner {
    /// The cosigner `name` with the 32-byte secret seed `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        let key = SigningKey::from_bytes(seed);
        let (name, key_id, _) =
            note::ed25519_verifier(name, SIGNATURE_TYPE_COSIGNATURE, key.verifying_key().as_bytes())?;
        Ok(Cosigner { name, key_id, key })
    }

    /// Parses an skey `PRIVATE+KEY+name+keyid+base64(0x04 || seed)`.
    pub fn from_skey(skey: &str) -> Result<Self, KeyError> {
        let (name, key_id, key) = note::ed25519_from_skey(skey, SIGNATURE_TYPE_COSIGNATURE)?;
        Ok(Cosigner { name, key_id, key })
    }

    /// The skey form (secret).
    pub fn to_skey(&self) -> String {
        note::encode_skey(&self.name, self.key_id, SIGNATURE_TYPE_COSIGNATURE, self.key.as_bytes())
    }

    /// The cosigner name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The matching verifier.
    pub fn verifier(&self) -> CosignatureVerifier {
        CosignatureVerifier { name: self.name.clone(), key_id: self.key_id, key: self.key.verifying_key() }
    }

    /// The cosignature of the checkpoint note text `text` at `timestamp`. The text must parse as
    /// a checkpoint and the timestamp be at most [`MAX_TIMESTAMP`]. Checking that the checkpoint
    /// is consistent with what the cosigner saw before is the caller's business.
    pub fn cosign_text(&self, text: &str, timestamp: u64) -> Result<Cosignature, CheckpointError> {
        if timestamp > MAX_TIMESTAMP {
            return Err(CheckpointError::TimestampTooLarge(timestamp));
        }
        Checkpoint::parse(text)?;
        let signature = self.key.sign(cosigned_message(text, timestamp).as_bytes()).to_bytes();
        Ok(Cosignature { timestamp, signature })
    }

    /// Cosigns a checkpoint note at `timestamp` and adds the signature line (replacing an earlier
    /// one by this cosigner).
    pub fn cosign(&self, note: &mut Note, timestamp: u64) -> Result<(), CheckpointError> {
        let cosignature = self.cosign_text(note.text(), timestamp)?;
        note.add_signature(NoteSignature::new(&self.name, self.key_id, cosignature.to_bytes().to_vec())?);
        Ok(())
    }
}

impl fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cosigner({}+{:08x})", self.name, self.key_id)
    }
}

/// Why a checkpoint or cosignature is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckpointError {
    /// The note around it is malformed or does not verify.
    Note(NoteError),
    /// Fewer than three lines.
    TooFewLines,
    /// The origin line is empty or holds a control character.
    BadOrigin(String),
    /// The size line is not a decimal `u64` without sign or leading zeros.
    BadSize(String),
    /// The root line is not the canonical base64 of 32 bytes.
    BadRoot(String),
    /// An extension line is empty or holds a control character.
    BadExtension(String),
    /// A cosignature is not 8 + 64 bytes long.
    BadCosignature { len: usize },
    /// A cosignature timestamp above 2^63 - 1.
    TimestampTooLarge(u64),
}

impl From<NoteError> for CheckpointError {
    fn from(error: NoteError) -> Self {
        CheckpointError::Note(error)
    }
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Note(error) => write!(f, "{error}"),
            CheckpointError::TooFewLines => write!(f, "a checkpoint has at least three lines: origin, size, root"),
            CheckpointError::BadOrigin(origin) => {
                write!(f, "bad checkpoint origin {origin:?}: it must be a non-empty line")
            }
            CheckpointError::BadSize(size) => {
                write!(f, "bad tree size {size:?}: expected a decimal number without sign or leading zeros")
            }
            CheckpointError::BadRoot(root) => {
                write!(f, "bad root hash {root:?}: expected the canonical base64 of {HASH_SIZE} bytes")
            }
            CheckpointError::BadExtension(line) => {
                write!(f, "bad extension line {line:?}: it must be a non-empty line")
            }
            CheckpointError::BadCosignature { len } => {
                write!(f, "a cosignature has {COSIGNATURE_SIZE} bytes after the key ID, not {len}")
            }
            CheckpointError::TimestampTooLarge(timestamp) => {
                write!(f, "cosignature timestamp {timestamp} exceeds the maximum of {MAX_TIMESTAMP}")
            }
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckpointError::Note(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Ed25519Signer;

    /// The example of the tlog-checkpoint and tlog-cosignature specs (its keys are not published).
    const SPEC_CHECKPOINT: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

    #[test]
    fn the_spec_example_parses() {
        let note = Note::parse(SPEC_CHECKPOINT.as_bytes()).expect("spec note");
        let checkpoint = Checkpoint::parse(note.text()).expect("spec checkpoint");
        assert_eq!(checkpoint.origin(), "example.com/behind-the-sofa");
        assert_eq!(checkpoint.size(), 20852163);
        assert_eq!(checkpoint.root().to_string(), "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
        assert!(checkpoint.extensions().is_empty());
        assert_eq!(checkpoint.to_string(), note.text());
        assert_eq!(note.to_string(), SPEC_CHECKPOINT);
        // The log's signature is a plain Ed25519 one (4 + 64 bytes); the witness's is a
        // cosignature whose timestamp is the one in the spec's example signed message.
        assert_eq!(note.signatures()[0].signature().len(), 64);
        let witness = &note.signatures()[1];
        assert_eq!((witness.name(), witness.key_id()), ("witness.example.com/w1", 0x8d66cf3f));
        let cosignature = Cosignature::from_note_signature(witness).expect("cosignature");
        assert_eq!(cosignature.timestamp, 1679315147);
        assert_eq!(cosignature.to_bytes().as_slice(), witness.signature());
        assert_eq!(
            cosigned_message(note.text(), cosignature.timestamp),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn malformed_checkpoints_are_refused() {
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let cases = [
            ("o\n0\n".to_string(), CheckpointError::TooFewLines),
            (format!("o\n0\n{root}"), CheckpointError::Note(NoteError::MissingFinalNewline)),
            (format!("\n0\n{root}\n"), CheckpointError::BadOrigin(String::new())),
            (format!("o\n00\n{root}\n"), CheckpointError::BadSize("00".into())),
            (format!("o\n01\n{root}\n"), CheckpointError::BadSize("01".into())),
            (format!("o\n+1\n{root}\n"), CheckpointError::BadSize("+1".into())),
            (format!("o\n-1\n{root}\n"), CheckpointError::BadSize("-1".into())),
            (format!("o\n1 \n{root}\n"), CheckpointError::BadSize("1 ".into())),
            (format!("o\n\n{root}\n"), CheckpointError::BadSize(String::new())),
            (format!("o\n18446744073709551616\n{root}\n"), CheckpointError::BadSize("18446744073709551616".into())),
            (
                "o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n".into(),
                CheckpointError::BadRoot("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=".into()),
            ),
            (
                "o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==\n".into(),
                CheckpointError::BadRoot("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==".into()),
            ),
            (
                "o\n1\n47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n".into(),
                CheckpointError::BadRoot("47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into()),
            ),
            (format!("o\n1\n{root}\n\next\n"), CheckpointError::BadExtension(String::new())),
        ];
        for (text, error) in cases {
            assert_eq!(Checkpoint::parse(&text), Err(error), "{text:?}");
        }
        let max = format!("o\n18446744073709551615\n{root}\next one\n");
        let checkpoint = Checkpoint::parse(&max).expect("u64::MAX and an extension");
        assert_eq!((checkpoint.size(), checkpoint.extensions()), (u64::MAX, ["ext one".to_string()].as_slice()));
        assert_eq!(checkpoint.to_string(), max);
        assert!(Checkpoint::new("", 0, Hash::default()).is_err());
        assert!(Checkpoint::new("a\nb", 0, Hash::default()).is_err());
        assert!(Checkpoint::new("o", 0, Hash::default()).and_then(|c| c.with_extensions(vec![String::new()])).is_err());
    }

    #[test]
    fn sign_cosign_and_verify() {
        let log = Ed25519Signer::from_seed("example.com/log", &[1; 32]).expect("log key");
        let witness = Cosigner::from_seed("witness.example/w", &[2; 32]).expect("witness key");
        let checkpoint = Checkpoint::new("example.com/log", 5, crate::leaf_hash(b"x"))
            .and_then(|c| c.with_extensions(vec!["ext".into()]))
            .expect("checkpoint");
        let mut note = checkpoint.to_note().expect("note");
        note.sign(&log).expect("sign");
        witness.cosign(&mut note, 1_700_000_000).expect("cosign");
        let bytes = note.to_string();
        let (parsed, _, verified) =
            Checkpoint::open(bytes.as_bytes(), &[&log.verifier(), &witness.verifier()]).expect("verifies");
        assert_eq!(parsed, checkpoint);
        assert_eq!((verified.signatures.len(), verified.unknown), (2, 0));
        let cosignature = Cosignature::from_note_signature(&verified.signatures[1]).expect("cosignature");
        assert_eq!(cosignature.timestamp, 1_700_000_000);
        // Re-cosigning replaces; the key forms round trip; wrong types are refused.
        witness.cosign(&mut note, 1_700_000_001).expect("cosign again");
        assert_eq!(note.signatures().len(), 2);
        assert_eq!(Cosigner::from_skey(&witness.to_skey()).map(|c| c.key_id()), Ok(witness.key_id()));
        assert_eq!(CosignatureVerifier::from_vkey(&witness.verifier().to_vkey()), Ok(witness.verifier()));
        assert_eq!(
            CosignatureVerifier::from_vkey(&log.verifier().to_vkey()),
            Err(KeyError::WrongType { want: 4, got: 1 })
        );
        // The same key as a plain note verifier does not verify a cosignature.
        let plain = note::Ed25519Verifier::new(witness.name(), &witness.verifier().public_key()).expect("key");
        assert_ne!(plain.key_id(), witness.key_id());
        assert!(!plain.verify(note.text(), &cosignature.to_bytes()));
        // Timestamps, lengths and texts that are not checkpoints are refused.
        assert_eq!(
            witness.cosign(&mut note, MAX_TIMESTAMP + 1),
            Err(CheckpointError::TimestampTooLarge(MAX_TIMESTAMP + 1))
        );
        let mut bad = cosignature.to_bytes();
        bad[0] = 0x80;
        assert_eq!(Cosignature::from_bytes(&bad), Err(CheckpointError::TimestampTooLarge(0x8000_0000_6553_f100)));
        assert!(!witness.verifier().verify(note.text(), &bad));
        assert_eq!(Cosignature::from_bytes(&bad[1..]), Err(CheckpointError::BadCosignature { len: 71 }));
        assert!(matches!(witness.cosign_text("just text\n", 0), Err(CheckpointError::TooFewLines)));
    }
}
