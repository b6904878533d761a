//! The provider's side: a `Write` adapter that seals what it is given, chunk by chunk.

use std::io::{self, Write};

use zeroize::Zeroizing;

use crate::chunk::ChunkCipher;
use crate::error::SealError;
use crate::header::Header;
use crate::keys::recipient_public;
use crate::layout::{ResumeAt, CHUNK, SEALED_CHUNK};
use crate::suite;

/// Seals everything written to it for one recipient and writes the sealed stream to `inner`.
///
/// Call [`Sealer::finish`] at the end: it seals the final chunk. A sealer dropped without it
/// leaves a stream without its final chunk, which [`Opener`](crate::Opener) refuses as
/// truncated. After an error the sealer refuses further use ([`SealError::Poisoned`]).
pub struct Sealer<W: Write> {
    inner: W,
    chunks: ChunkCipher,
    /// The plaintext of the chunk being filled; sealed in place when full.
    buffer: Vec<u8>,
    index: u64,
    /// Output bytes still to drop: the part of the stream a resuming client already holds.
    skip: u64,
    poisoned: bool,
}

impl<W: Write> Sealer<W> {
    /// Starts a sealed stream to `recipient` (writes the header to `inner`).
    ///
    /// `seed` determines the stream and must be unique per plaintext: derive it from the
    /// provider's secret, the transfer and the content's version (see the crate docs). `info`
    /// names the transfer; the recipient must pass the same.
    pub fn new(inner: W, recipient: &trust::PublicKey, seed: [u8; 32], info: &[u8]) -> Result<Self, SealError> {
        Self::resume(inner, recipient, seed, info, ResumeAt::ciphertext_offset(0))
    }

    /// Continues the sealed stream that [`Sealer::new`] with the same arguments would write, from
    /// the point `at`: the output is exactly that stream's bytes from `at`'s ciphertext offset
    /// on, provided the plaintext written starts at [`ResumeAt::plaintext_offset`].
    pub fn resume(
        inner: W,
        recipient: &trust::PublicKey,
        seed: [u8; 32],
        info: &[u8],
        at: ResumeAt,
    ) -> Result<Self, SealError> {
        let seed = Zeroizing::new(seed);
        let (enc, keys) = suite::sender_keys(&recipient_public(recipient)?, &seed, info)?;
        let mut sealer = Sealer {
            inner,
            chunks: keys.chunks,
            buffer: Vec::with_capacity(SEALED_CHUNK),
            index: at.chunk,
            skip: at.skip,
            poisoned: false,
        };
        if at.starts_with_header() {
            let header = Header { enc, check: keys.check }.encode();
            emit(&mut sealer.inner, &mut sealer.skip, &header)?;
        }
        Ok(sealer)
    }

    /// Seals the final chunk (what was written since the last full chunk, possibly nothing),
    /// flushes and returns the wrapped writer.
    pub fn finish(mut self) -> Result<W, SealError> {
        if self.poisoned {
            return Err(SealError::Poisoned);
        }
        // The buffer never stays full, so this chunk is short, as a final chunk must be.
        self.seal_chunk(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn seal_chunk(&mut self, last: bool) -> Result<(), SealError> {
        let tag = self.chunks.seal(self.index, last, &mut self.buffer)?;
        self.buffer.extend_from_slice(&tag);
        let written = emit(&mut self.inner, &mut self.skip, &self.buffer);
        self.buffer.clear();
        // 2^64 chunks are 2^80 bytes: unreachable, but a repeated nonce must be impossible.
        self.index = self.index.checked_add(1).ok_or(SealError::Io(io::Error::other("sealed stream too long")))?;
        Ok(written?)
    }
}

impl<W: Write> Write for Sealer<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.poisoned {
            return Err(SealError::Poisoned.into());
        }
        let taken = (CHUNK - self.buffer.len()).min(data.len());
        self.buffer.extend_from_slice(data.get(..taken).unwrap_or_default());
        // A full chunk is never the final one (that one is always short): seal it now.
        if self.buffer.len() == CHUNK {
            if let Err(error) = self.seal_chunk(false) {
                self.poisoned = true;
                return Err(error.into());
            }
        }
        Ok(taken)
    }

    /// Flushes the wrapped writer. A partly filled chunk stays buffered: chunks are sealed whole.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `bytes` after dropping the first `skip` of them (and counts those down).
fn emit(inner: &mut impl Write, skip: &mut u64, bytes: &[u8]) -> io::Result<()> {
    let dropped = usize::try_from(*skip).unwrap_or(usize::MAX).min(bytes.len());
    *skip -= dropped as u64;
    inner.write_all(bytes.get(dropped..).unwrap_or_default())
}
