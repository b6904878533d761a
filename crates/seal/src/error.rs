//! Why sealing or opening failed.

use std::{fmt, io};

use crate::layout::{CHUNK, HEADER_LEN, MAGIC, TAG_LEN};

/// Why a stream could not be sealed or opened. While reading, [`Opener`](crate::Opener) reports
/// the stream's own faults as an [`io::Error`] of kind [`io::ErrorKind::InvalidData`] that wraps
/// one of these (see [`SealError::from_io`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum SealError {
    /// The recipient's Ed25519 public key has no X25519 counterpart.
    RecipientKey,
    /// HPKE refused to encapsulate or decapsulate (for example, the header's encapsulated key is
    /// a low-order point, whose shared secret would be all zeros).
    Hpke(String),
    /// The stream does not start with the `dfft-seal/1` magic.
    NotSealed,
    /// The stream ends inside the header.
    TruncatedHeader {
        /// Bytes present.
        length: usize,
    },
    /// The header announces another chunk size than the one this format has.
    ChunkSize(u32),
    /// The header's key check does not match: the stream was sealed for another recipient key or
    /// another `info`, or its header was altered.
    WrongRecipient,
    /// A chunk fails authentication: altered, moved, or cut short.
    Unauthentic {
        /// The chunk's index.
        chunk: u64,
    },
    /// The stream ends inside chunk `chunk`, before its tag, or (`length` 0) right before it,
    /// where a final chunk must still come.
    Truncated {
        /// The chunk's index.
        chunk: u64,
        /// Bytes of it present.
        length: usize,
    },
    /// Reading or writing the wrapped stream failed.
    Io(io::Error),
    /// A [`Sealer`](crate::Sealer) was used after writing failed; its output is incomplete.
    Poisoned,
}

impl SealError {
    /// The [`SealError`] inside an error that [`Opener`](crate::Opener) or
    /// [`Sealer`](crate::Sealer) returned through `std::io`, if there is one.
    pub fn from_io(error: &io::Error) -> Option<&SealError> {
        error.get_ref().and_then(|inner| inner.downcast_ref::<SealError>())
    }
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::RecipientKey => f.write_str("the recipient's Ed25519 key has no X25519 counterpart"),
            SealError::Hpke(reason) => write!(f, "HPKE key encapsulation failed: {reason}"),
            SealError::NotSealed => {
                write!(f, "not a sealed stream: it does not start with {:?}", String::from_utf8_lossy(MAGIC))
            }
            SealError::TruncatedHeader { length } => {
                write!(f, "the sealed stream ends inside its header ({length} of {HEADER_LEN} bytes)")
            }
            SealError::ChunkSize(size) => {
                write!(f, "the sealed stream announces {size}-byte chunks; dfft-seal/1 has {CHUNK}")
            }
            SealError::WrongRecipient => f.write_str(
                "the stream was sealed for another recipient key or another transfer (info), or its header was altered",
            ),
            SealError::Unauthentic { chunk } => write!(
                f,
                "sealed chunk {chunk} does not authenticate: the stream was altered, reordered or cut short"
            ),
            SealError::Truncated { chunk, length: 0 } => {
                write!(f, "the sealed stream is truncated: it ends where chunk {chunk} must follow")
            }
            SealError::Truncated { chunk, length } => write!(
                f,
                "the sealed stream is truncated: it ends inside chunk {chunk} ({length} bytes, less than its {TAG_LEN}-byte tag)"
            ),
            SealError::Io(error) => write!(f, "reading or writing the stream failed: {error}"),
            SealError::Poisoned => f.write_str("the sealer was used after a failed write; its output is incomplete"),
        }
    }
}

impl std::error::Error for SealError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SealError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for SealError {
    fn from(error: io::Error) -> Self {
        SealError::Io(error)
    }
}

/// The stream's faults become `InvalidData` (wrapping the [`SealError`]), IO errors stay as they
/// were.
impl From<SealError> for io::Error {
    fn from(error: SealError) -> Self {
        match error {
            SealError::Io(error) => error,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}
