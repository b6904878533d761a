//! W3C Bitstring Status List v1.0: whether an issuer has revoked or suspended a credential.
//!
//! An issuer publishes one `BitstringStatusListCredential` whose `credentialSubject.encodedList`
//! holds a long bitstring, one entry per credential it issued; each credential points at its
//! entry with a `BitstringStatusListEntry` in `credentialStatus`. [`StatusList`] is the bitstring
//! ([`StatusList::encode`] / [`StatusList::decode`]), and [`credential_status`] reads one
//! credential's entry from the already fetched and already verified list credential.
//!
//! The encoding (spec §2.2, `encodedList`): the bitstring, GZIP-compressed (RFC 1952),
//! base64url-encoded without padding (RFC 4648), with the multibase prefix `u`. Index 0 is the
//! left-most bit of the bitstring, i.e. the most significant bit of the first byte (spec §7.1).
//! The uncompressed bitstring is at least 16 KB (131,072 entries), the spec's minimum for group
//! privacy.
//!
//! Only entries of one bit (`statusSize` absent or `1`) are supported; conforming processors may
//! choose so (spec §1.3). A larger `statusSize` is refused with [`StatusError::Unsupported`].

use std::fmt;
use std::io::{Read, Write};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;

/// The spec's minimum (and default) number of entries in a list: 131,072, i.e. 16 KB of bits.
pub const MIN_ENTRIES: usize = 131_072;

/// The largest uncompressed bitstring [`StatusList::decode`] accepts: 16 MiB (about 134 million
/// entries). Anything larger is refused as a likely decompression bomb, without being inflated.
pub const MAX_DECOMPRESSED_BYTES: usize = 16 * 1024 * 1024;

/// Why a status list or a status entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusError {
    /// A list length below [`MIN_ENTRIES`], above the decode cap, or not a whole number of bytes.
    BadLength {
        /// The length asked for, in entries.
        len: usize,
    },
    /// An index at or past the end of the list.
    OutOfRange {
        /// The index asked for.
        index: usize,
        /// The number of entries in the list.
        len: usize,
    },
    /// `encodedList` does not start with the multibase prefix `u` (base64url, no padding).
    MissingMultibasePrefix {
        /// The first character found, if any.
        found: Option<char>,
    },
    /// The characters after `u` are not base64url without padding.
    BadBase64(String),
    /// The decoded bytes are not a valid GZIP stream.
    BadGzip(String),
    /// The uncompressed bitstring is shorter than 16 KB (131,072 entries).
    TooShort {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The uncompressed bitstring is larger than [`MAX_DECOMPRESSED_BYTES`].
    TooLarge,
    /// A field of the entry or of the list credential is missing or malformed.
    Field {
        /// The field, e.g. `credentialStatus.statusListIndex`.
        field: &'static str,
        /// What would be accepted.
        expected: &'static str,
    },
    /// The list credential's `statusPurpose` does not include the entry's.
    PurposeMismatch {
        /// The entry's `statusPurpose`.
        entry: String,
        /// The list credential's `credentialSubject.statusPurpose` values.
        list: Vec<String>,
    },
    /// The list credential's `id` is not the entry's `statusListCredential`.
    WrongList {
        /// The entry's `statusListCredential`.
        expected: String,
        /// The list credential's `id`.
        found: String,
    },
    /// A valid feature this implementation does not support (entries of more than one bit).
    Unsupported {
        /// The field, e.g. `credentialStatus.statusSize`.
        field: &'static str,
        /// What is supported.
        supported: &'static str,
    },
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadLength { len } => write!(
                f,
                "a status list of {len} entries: expected a multiple of 8 from {MIN_ENTRIES} to {}",
                MAX_DECOMPRESSED_BYTES * 8
            ),
            Self::OutOfRange { index, len } => {
                write!(f, "status list index {index} is out of range: expected 0 to {}", len.saturating_sub(1))
            }
            Self::MissingMultibasePrefix { found: Some(c) } => {
                write!(f, "encodedList starts with {c:?}: expected the multibase prefix 'u' (base64url, no padding)")
            }
            Self::MissingMultibasePrefix { found: None } => {
                write!(f, "encodedList is empty: expected 'u' followed by base64url (no padding)")
            }
            Self::BadBase64(reason) => write!(f, "encodedList is not base64url without padding after 'u': {reason}"),
            Self::BadGzip(reason) => write!(f, "encodedList is not a GZIP (RFC 1952) stream: {reason}"),
            Self::TooShort { bytes } => {
                write!(f, "encodedList holds {bytes} bytes uncompressed: expected at least 16384 (131,072 entries)")
            }
            Self::TooLarge => {
                write!(f, "encodedList inflates past {MAX_DECOMPRESSED_BYTES} bytes: refused as a decompression bomb")
            }
            Self::Field { field, expected } => write!(f, "{field}: expected {expected}"),
            Self::PurposeMismatch { entry, list } => write!(
                f,
                "credentialStatus.statusPurpose {entry:?} is not among the list credential's \
                 credentialSubject.statusPurpose {list:?}"
            ),
            Self::WrongList { expected, found } => {
                write!(f, "the list credential's id {found:?}: expected the entry's statusListCredential {expected:?}")
            }
            Self::Unsupported { field, supported } => write!(f, "{field}: only {supported} is supported"),
        }
    }
}

impl std::error::Error for StatusError {}

/// A bitstring status list of one-bit entries; entry 0 is the most significant bit of byte 0.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl fmt::Debug for StatusList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = self.bytes.iter().map(|b| b.count_ones() as usize).sum::<usize>();
        f.debug_struct("StatusList").field("len", &self.len()).field("set", &set).finish()
    }
}

impl Default for StatusList {
    /// An empty list of the spec's default size, [`MIN_ENTRIES`].
    fn default() -> Self {
        Self { bytes: vec![0; MIN_ENTRIES / 8] }
    }
}

impl StatusList {
    /// A list of `len` unset entries. `len` must be a multiple of 8, at least [`MIN_ENTRIES`] and at
    /// most `8 * MAX_DECOMPRESSED_BYTES` (what [`StatusList::decode`] would accept back).
    pub fn new(len: usize) -> Result<Self, StatusError> {
        if len < MIN_ENTRIES || !len.is_multiple_of(8) || len / 8 > MAX_DECOMPRESSED_BYTES {
            return Err(StatusError::BadLength { len });
        }
        Ok(Self { bytes: vec![0; len / 8] })
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Whether the list has no entries (never, for a list built by [`new`](Self::new) or
    /// [`decode`](Self::decode)).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Whether entry `index` is set.
    pub fn get(&self, index: usize) -> Result<bool, StatusError> {
        let byte = self.bytes.get(index / 8).ok_or(StatusError::OutOfRange { index, len: self.len() })?;
        Ok(byte & mask(index) != 0)
    }

    /// Sets or clears entry `index`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<(), StatusError> {
        let len = self.len();
        let byte = self.bytes.get_mut(index / 8).ok_or(StatusError::OutOfRange { index, len })?;
        if value {
            *byte |= mask(index);
        } else {
            *byte &= !mask(index);
        }
        Ok(())
    }

    /// The `encodedList` value: `u` + base64url (no padding) of the GZIP-compressed bitstring.
    /// Deterministic: the GZIP header carries no timestamp or file name.
    pub fn encode(&self) -> String {
        let mut encoder = GzEncoder::new(Vec::with_capacity(self.bytes.len() / 64 + 64), Compression::best());
        // Writing to a Vec cannot fail, and the in-memory deflater only fails on misuse; should
        // either ever happen, the empty result is refused by `decode` rather than misread.
        let compressed: Vec<u8> = encoder.write_all(&self.bytes).and_then(|()| encoder.finish()).unwrap_or_default();
        let mut encoded = String::with_capacity(1 + compressed.len().div_ceil(3) * 4);
        encoded.push('u');
        URL_SAFE_NO_PAD.encode_string(compressed, &mut encoded);
        encoded
    }

    /// Reads an `encodedList` value. Refuses a missing `u` prefix, bad base64url (including
    /// padding), a bad GZIP stream (including a bad CRC or length trailer), an uncompressed
    /// bitstring below 16 KB, and one above [`MAX_DECOMPRESSED_BYTES`] — the latter without ever
    /// inflating more than that.
    pub fn decode(encoded: &str) -> Result<Self, StatusError> {
        let Some(base64) = encoded.strip_prefix('u') else {
            return Err(StatusError::MissingMultibasePrefix { found: encoded.chars().next() });
        };
        let compressed = URL_SAFE_NO_PAD.decode(base64).map_err(|e| StatusError::BadBase64(e.to_string()))?;
        let bytes = inflate_capped(&compressed)?;
        if bytes.len() < MIN_ENTRIES / 8 {
            return Err(StatusError::TooShort { bytes: bytes.len() });
        }
        Ok(Self { bytes })
    }
}

/// Inflates a GZIP stream to at most [`MAX_DECOMPRESSED_BYTES`], growing the buffer by doubling up
/// to exactly the cap (never past it, unlike `read_to_end`), then probes for one byte more: a bomb
/// stops there, having cost no more than the cap. Reading on to the end also checks the GZIP CRC
/// and length trailer.
fn inflate_capped(compressed: &[u8]) -> Result<Vec<u8>, StatusError> {
    let bad_gzip = |e: std::io::Error| StatusError::BadGzip(e.to_string());
    let mut decoder = GzDecoder::new(compressed);
    let mut bytes = vec![0; 64 * 1024];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            if filled >= MAX_DECOMPRESSED_BYTES {
                return match decoder.read(&mut [0; 1]) {
                    Ok(0) => Ok(bytes),
                    Ok(_) => Err(StatusError::TooLarge),
                    Err(e) => Err(bad_gzip(e)),
                };
            }
            let new_len = (filled * 2).min(MAX_DECOMPRESSED_BYTES);
            bytes.reserve_exact(new_len - filled);
            bytes.resize(new_len, 0);
        }
        let Some(spare) = bytes.get_mut(filled..) else { return Err(StatusError::TooLarge) };
        match decoder.read(spare) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(bad_gzip(e)),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// The bit of entry `index` within its byte: index 0 is the most significant bit.
fn mask(index: usize) -> u8 {
    0x80 >> (index % 8)
}

/// One credential's status, read by [`credential_status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The `statusPurpose`, e.g. `revocation` or `suspension`.
    pub purpose: String,
    /// The `statusListIndex`.
    pub index: usize,
    /// Whether the entry's bit is set: for `revocation`, the credential is revoked; for
    /// `suspension`, suspended. The spec's `valid` is `!set`.
    pub set: bool,
}

/// Reads the status of one credential: `entry` is one `BitstringStatusListEntry` from its
/// `credentialStatus`, and `list_credential` the `BitstringStatusListCredential` found at the
/// entry's `statusListCredential`, already fetched and with its proof already verified (this
/// function checks no proof).
///
/// Checks, per spec §3.2: the entry's `type`, `statusPurpose`, `statusListIndex` (decimal digits)
/// and `statusSize` (absent or 1); that the list credential's `type` includes
/// `BitstringStatusListCredential` and its `id` equals the entry's `statusListCredential`; that its
/// `credentialSubject` is a `BitstringStatusList` whose `statusPurpose` (a string or an array of
/// strings) includes the entry's; and that the index is within the decoded `encodedList`.
pub fn credential_status(entry: &Value, list_credential: &Value) -> Result<Status, StatusError> {
    let entry = EntryFields::read(entry)?;
    let list = ListFields::read(list_credential)?;
    if list.id != entry.list_url {
        return Err(StatusError::WrongList { expected: entry.list_url.to_owned(), found: list.id.to_owned() });
    }
    entry.check_purpose(&list.purposes)?;
    let set = StatusList::decode(list.encoded_list)?.get(entry.index)?;
    Ok(Status { purpose: entry.purpose.to_owned(), index: entry.index, set })
}

/// The fields of one `BitstringStatusListEntry`, checked (spec §2.1). Shared with the credential
/// verifier, which looks the list up in its cache instead of taking it as an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryFields<'a> {
    pub(crate) purpose: &'a str,
    pub(crate) index: usize,
    pub(crate) list_url: &'a str,
}

impl<'a> EntryFields<'a> {
    /// Checks the entry's `type`, `statusPurpose`, `statusListIndex` (decimal digits),
    /// `statusListCredential` and `statusSize` (absent or 1).
    pub(crate) fn read(entry: &'a Value) -> Result<Self, StatusError> {
        if !has_type(entry, "BitstringStatusListEntry") {
            return Err(field("credentialStatus.type", "\"BitstringStatusListEntry\""));
        }
        let purpose = non_empty_str(entry, "statusPurpose")
            .ok_or_else(|| field("credentialStatus.statusPurpose", "a non-empty string, e.g. \"revocation\""))?;
        let index = parse_index(entry.get("statusListIndex"))?;
        let list_url = non_empty_str(entry, "statusListCredential")
            .ok_or_else(|| field("credentialStatus.statusListCredential", "a URL (a non-empty string)"))?;
        check_status_size(entry.get("statusSize"), "credentialStatus.statusSize")?;
        Ok(EntryFields { purpose, index, list_url })
    }

    /// Refuses an entry whose purpose the list does not serve.
    pub(crate) fn check_purpose<S: AsRef<str>>(&self, list_purposes: &[S]) -> Result<(), StatusError> {
        if list_purposes.iter().any(|p| p.as_ref() == self.purpose) {
            return Ok(());
        }
        Err(StatusError::PurposeMismatch {
            entry: self.purpose.to_owned(),
            list: list_purposes.iter().map(|p| p.as_ref().to_owned()).collect(),
        })
    }
}

/// The status-list fields of a `BitstringStatusListCredential`, checked (spec §2.2); the
/// `encodedList` is not decoded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListFields<'a> {
    pub(crate) id: &'a str,
    pub(crate) purposes: Vec<&'a str>,
    pub(crate) encoded_list: &'a str,
}

impl<'a> ListFields<'a> {
    /// Checks that `type` includes `BitstringStatusListCredential`, that `id` is a non-empty
    /// string, and that `credentialSubject` is a `BitstringStatusList` with one or more
    /// `statusPurpose`s, one-bit entries and an `encodedList` string.
    pub(crate) fn read(list_credential: &'a Value) -> Result<Self, StatusError> {
        if !has_type(list_credential, "BitstringStatusListCredential") {
            return Err(field("statusListCredential.type", "an array including \"BitstringStatusListCredential\""));
        }
        let id = non_empty_str(list_credential, "id")
            .ok_or_else(|| field("statusListCredential.id", "a string equal to the entry's statusListCredential"))?;
        let subject = list_credential
            .get("credentialSubject")
            .filter(|s| s.is_object())
            .ok_or_else(|| field("statusListCredential.credentialSubject", "an object of type BitstringStatusList"))?;
        if !has_type(subject, "BitstringStatusList") {
            return Err(field("statusListCredential.credentialSubject.type", "\"BitstringStatusList\""));
        }
        let purposes = list_purposes(subject.get("statusPurpose"))?;
        check_status_size(subject.get("statusSize"), "statusListCredential.credentialSubject.statusSize")?;
        let encoded_list = subject.get("encodedList").and_then(Value::as_str).ok_or_else(|| {
            field(
                "statusListCredential.credentialSubject.encodedList",
                "a string: 'u' + base64url (no padding) of a GZIP-compressed bitstring",
            )
        })?;
        Ok(ListFields { id, purposes, encoded_list })
    }
}

fn field(field: &'static str, expected: &'static str) -> StatusError {
    StatusError::Field { field, expected }
}

fn non_empty_str<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Whether `type` is `wanted`, or an array including it.
fn has_type(object: &Value, wanted: &str) -> bool {
    match object.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(types)) => types.iter().any(|t| t.as_str() == Some(wanted)),
        _ => false,
    }
}

/// `statusListIndex`: an integer ≥ 0 as a base-10 string (spec §2.1). One too large for a `usize`
/// cannot be within any list [`StatusList::decode`] accepts (at most 2^27 entries).
fn parse_index(value: Option<&Value>) -> Result<usize, StatusError> {
    const EXPECTED: &str = "a string of decimal digits, e.g. \"94567\"";
    let text = value
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| field("credentialStatus.statusListIndex", EXPECTED))?;
    text.parse::<usize>()
        .map_err(|_| field("credentialStatus.statusListIndex", "an index within the status list (below 2^27)"))
}

/// `statusSize`: absent (meaning 1) or a positive integer; only 1 is supported.
fn check_status_size(value: Option<&Value>, name: &'static str) -> Result<(), StatusError> {
    match value {
        None => Ok(()),
        Some(v) => match v.as_u64() {
            Some(1) => Ok(()),
            Some(n) if n > 1 => Err(StatusError::Unsupported { field: name, supported: "1 (one-bit entries)" }),
            _ => Err(field(name, "an integer greater than zero (only 1 is supported)")),
        },
    }
}

/// `credentialSubject.statusPurpose`: one or more strings (spec §2.2).
fn list_purposes(value: Option<&Value>) -> Result<Vec<&str>, StatusError> {
    const NAME: &str = "statusListCredential.credentialSubject.statusPurpose";
    const EXPECTED: &str = "a non-empty string or a non-empty array of them, e.g. \"revocation\"";
    let purposes: Option<Vec<&str>> = match value {
        Some(Value::String(p)) => Some(vec![p.as_str()]),
        Some(Value::Array(items)) if !items.is_empty() => items.iter().map(Value::as_str).collect(),
        _ => None,
    };
    purposes.filter(|ps| ps.iter().all(|p| !p.is_empty())).ok_or_else(|| field(NAME, EXPECTED))
}
