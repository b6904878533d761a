//! The consumer's side: a `Read` adapter that checks and decrypts a sealed stream.

use std::io::{self, Read};

use crate::chunk::ChunkCipher;
use crate::error::SealError;
use crate::header::Header;
use crate::keys::recipient_secret;
use crate::layout::{HEADER_LEN, MAGIC, SEALED_CHUNK, TAG_LEN};
use crate::suite;

/// Reads a sealed stream from `inner` and yields its plaintext, one authenticated chunk at a
/// time.
///
/// A fault of the stream (altered, reordered, truncated, extended) is an [`io::Error`] of kind
/// `InvalidData` wrapping a [`SealError`] that names it ([`SealError::from_io`]); errors of
/// `inner` come through as they were. The plaintext is complete only when `read` returns 0;
/// after an error, discard everything read, and every later read fails too.
pub struct Opener<R: Read> {
    inner: R,
    chunks: ChunkCipher,
    /// The current chunk: sealed as read, then its plaintext at the front.
    buffer: Vec<u8>,
    /// Unread plaintext is `buffer[start..end]`.
    start: usize,
    end: usize,
    index: u64,
    state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    Done,
    Failed,
}

impl<R: Read> Opener<R> {
    /// Reads and checks the header. A stream sealed for another recipient key or another `info`
    /// is refused here ([`SealError::WrongRecipient`]).
    pub fn new(mut inner: R, recipient: &trust::KeyPair, info: &[u8]) -> Result<Self, SealError> {
        let mut bytes = [0u8; HEADER_LEN];
        let length = read_full(&mut inner, &mut bytes)?;
        if length < HEADER_LEN {
            let present = bytes.get(..length.min(MAGIC.len())).unwrap_or_default();
            return Err(if MAGIC.starts_with(present) {
                SealError::TruncatedHeader { length }
            } else {
                SealError::NotSealed
            });
        }
        let header = Header::parse(&bytes)?;
        let keys = suite::receiver_keys(&recipient_secret(recipient), &header.enc, info)?;
        if keys.check != header.check {
            return Err(SealError::WrongRecipient);
        }
        Ok(Opener {
            inner,
            chunks: keys.chunks,
            buffer: vec![0; SEALED_CHUNK],
            start: 0,
            end: 0,
            index: 0,
            state: State::Reading,
        })
    }

    /// Reads, checks and decrypts the next chunk into the buffer.
    fn next_chunk(&mut self) -> Result<(), SealError> {
        self.buffer.resize(SEALED_CHUNK, 0);
        let length = read_full(&mut self.inner, &mut self.buffer)?;
        // Every chunk but the last is full; the last is shorter and ends the stream.
        let last = length < SEALED_CHUNK;
        if length < TAG_LEN {
            return Err(SealError::Truncated { chunk: self.index, length });
        }
        let sealed = self.buffer.get_mut(..length).ok_or(SealError::Truncated { chunk: self.index, length })?;
        let plaintext = self.chunks.open(self.index, last, sealed)?;
        (self.start, self.end) = (0, plaintext);
        if last {
            self.state = State::Done;
        } else {
            self.index += 1;
        }
        Ok(())
    }
}

impl<R: Read> Read for Opener<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.start == self.end {
            match self.state {
                State::Done => return Ok(0),
                State::Failed => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "an earlier read of this sealed stream failed; discard what it yielded",
                    ))
                }
                State::Reading => {
                    if let Err(error) = self.next_chunk() {
                        self.state = State::Failed;
                        return Err(error.into());
                    }
                }
            }
        }
        let available = self.buffer.get(self.start..self.end).unwrap_or_default();
        let count = available.len().min(out.len());
        let (to, _) = out.split_at_mut(count);
        to.copy_from_slice(available.get(..count).unwrap_or_default());
        self.start += count;
        Ok(count)
    }
}

/// Reads until `buffer` is full or the stream ends; returns how much was read.
fn read_full(inner: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buffer.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        match inner.read(rest) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}
