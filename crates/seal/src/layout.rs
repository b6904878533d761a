//! Where things are in a sealed stream: sizes, lengths and the resume point for a byte offset.

/// The first bytes of every sealed stream.
pub const MAGIC: &[u8; 12] = b"dfft-seal/1\n";
/// Plaintext bytes in every chunk but the last (which holds fewer).
pub const CHUNK: usize = 65536;
/// The Poly1305 tag after each chunk.
pub const TAG_LEN: usize = 16;
/// A full chunk as sealed: plaintext and tag.
pub const SEALED_CHUNK: usize = CHUNK + TAG_LEN;
/// Magic, encapsulated key, chunk size and key check.
pub const HEADER_LEN: usize = MAGIC.len() + 32 + 4 + KEY_CHECK_LEN;

/// Bytes of the exported value that tells a recipient early that a stream is not for it.
pub(crate) const KEY_CHECK_LEN: usize = 16;

const HEADER: u64 = HEADER_LEN as u64;
const FULL: u64 = CHUNK as u64;
const SEALED: u64 = SEALED_CHUNK as u64;
const TAG: u64 = TAG_LEN as u64;

/// The length of the sealed stream of `plaintext_len` bytes: the header, the plaintext, and a
/// tag for each of its `plaintext_len / CHUNK + 1` chunks. Saturates at `u64::MAX` for lengths
/// no stream can have (within 2^48 bytes of `u64::MAX`).
pub fn ciphertext_len(plaintext_len: u64) -> u64 {
    let chunks = plaintext_len / FULL + 1;
    HEADER.saturating_add(plaintext_len).saturating_add(chunks.saturating_mul(TAG))
}

/// Where a provider picks a sealed stream up when a client already holds its first bytes (an
/// HTTP `Range: bytes=N-` request): which chunk to seal first, from which plaintext offset,
/// and how many of the bytes that produces the client already has.
///
/// Check `offset < ciphertext_len(plaintext_len)` first: past the end there is nothing to
/// serve (HTTP 416), and resuming there would seal a chunk the stream does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResumeAt {
    pub(crate) chunk: u64,
    pub(crate) skip: u64,
}

impl ResumeAt {
    /// The resume point for a client that holds the first `offset` bytes of the sealed stream.
    pub fn ciphertext_offset(offset: u64) -> Self {
        let chunk = offset.saturating_sub(HEADER) / SEALED;
        // Chunk 0 is sealed after the header again, so what the client has counts from byte 0.
        let start = if chunk == 0 { 0 } else { chunk_offset(chunk) };
        ResumeAt { chunk, skip: offset.saturating_sub(start) }
    }

    /// The chunk the resumed stream starts sealing at.
    pub fn chunk(&self) -> u64 {
        self.chunk
    }

    /// Where the plaintext fed to the resumed [`Sealer`](crate::Sealer) must start.
    pub fn plaintext_offset(&self) -> u64 {
        self.chunk.saturating_mul(FULL)
    }

    /// Whether the resumed stream starts with the header (it does from chunk 0).
    pub(crate) fn starts_with_header(&self) -> bool {
        self.chunk == 0
    }
}

/// The ciphertext offset of chunk `index`.
pub fn chunk_offset(index: u64) -> u64 {
    HEADER.saturating_add(index.saturating_mul(SEALED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_follow_the_chunk_count() {
        assert_eq!(HEADER_LEN, 64);
        assert_eq!(ciphertext_len(0), 64 + 16);
        assert_eq!(ciphertext_len(1), 64 + 1 + 16);
        assert_eq!(ciphertext_len(FULL - 1), 64 + FULL - 1 + 16);
        assert_eq!(ciphertext_len(FULL), 64 + FULL + 32);
        assert_eq!(ciphertext_len(FULL + 1), 64 + FULL + 1 + 32);
        assert_eq!(ciphertext_len(u64::MAX), u64::MAX);
    }

    #[test]
    fn resume_points_land_on_chunk_starts() {
        assert_eq!(ResumeAt::ciphertext_offset(0), ResumeAt { chunk: 0, skip: 0 });
        assert_eq!(ResumeAt::ciphertext_offset(10), ResumeAt { chunk: 0, skip: 10 });
        assert_eq!(ResumeAt::ciphertext_offset(64), ResumeAt { chunk: 0, skip: 64 });
        assert_eq!(ResumeAt::ciphertext_offset(chunk_offset(1) - 1), ResumeAt { chunk: 0, skip: 64 + SEALED - 1 });
        assert_eq!(ResumeAt::ciphertext_offset(chunk_offset(1)), ResumeAt { chunk: 1, skip: 0 });
        assert_eq!(ResumeAt::ciphertext_offset(chunk_offset(3)), ResumeAt { chunk: 3, skip: 0 });
        assert_eq!(ResumeAt::ciphertext_offset(chunk_offset(3) - 1), ResumeAt { chunk: 2, skip: SEALED - 1 });
        assert_eq!(ResumeAt::ciphertext_offset(chunk_offset(3)).plaintext_offset(), 3 * FULL);
    }
}
