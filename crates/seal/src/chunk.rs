//! One chunk sealed or opened: ChaCha20-Poly1305 with its index in the nonce and its index and
//! final flag in the associated data.

use std::io;

use chacha20poly1305::{AeadInOut, ChaCha20Poly1305, KeyInit, Nonce, Tag};

use crate::error::SealError;
use crate::layout::TAG_LEN;

/// The chunk key of one sealed stream (zeroed when dropped).
pub(crate) struct ChunkCipher(ChaCha20Poly1305);

impl ChunkCipher {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        ChunkCipher(ChaCha20Poly1305::new(&(*key).into()))
    }

    /// Encrypts chunk `index` in place and returns its tag.
    pub(crate) fn seal(&self, index: u64, last: bool, plaintext: &mut [u8]) -> Result<[u8; TAG_LEN], SealError> {
        let tag = self
            .0
            .encrypt_inout_detached(&nonce(index), &aad(index, last), plaintext.into())
            // Only inputs beyond 256 GiB are refused; a chunk is 64 KiB.
            .map_err(|_| SealError::Io(io::Error::other(format!("ChaCha20-Poly1305 refused to seal chunk {index}"))))?;
        Ok(tag.into())
    }

    /// Checks and decrypts chunk `index` (ciphertext then tag) in place; returns the plaintext
    /// length, the plaintext being the front of `sealed`.
    pub(crate) fn open(&self, index: u64, last: bool, sealed: &mut [u8]) -> Result<usize, SealError> {
        let length =
            sealed.len().checked_sub(TAG_LEN).ok_or(SealError::Truncated { chunk: index, length: sealed.len() })?;
        let (ciphertext, tag) = sealed.split_at_mut(length);
        let tag = Tag::try_from(&*tag).map_err(|_| SealError::Unauthentic { chunk: index })?;
        self.0
            .decrypt_inout_detached(&nonce(index), &aad(index, last), ciphertext.into(), &tag)
            .map_err(|_| SealError::Unauthentic { chunk: index })?;
        Ok(length)
    }
}

/// `0x00000000 ‖ index (u64, big-endian)`: unique per chunk under a key unique per stream.
fn nonce(index: u64) -> Nonce {
    let mut nonce = [0u8; 12];
    let (_, counter) = nonce.split_at_mut(4);
    counter.copy_from_slice(&index.to_be_bytes());
    nonce.into()
}

/// `index (u64, big-endian) ‖ final flag`: a chunk opens only at its place and with its role.
fn aad(index: u64, last: bool) -> [u8; 9] {
    let mut aad = [0u8; 9];
    let (counter, flag) = aad.split_at_mut(8);
    counter.copy_from_slice(&index.to_be_bytes());
    flag.fill(u8::from(last));
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_opens_only_at_its_index_and_role() {
        let cipher = ChunkCipher::new(&[9; 32]);
        let mut buffer = b"chunk body".to_vec();
        let tag = cipher.seal(3, false, &mut buffer).expect("a chunk");
        buffer.extend_from_slice(&tag);
        for (index, last) in [(2, false), (4, false), (3, true)] {
            assert!(matches!(cipher.open(index, last, &mut buffer.clone()), Err(SealError::Unauthentic { .. })));
        }
        assert!(matches!(cipher.open(3, false, &mut buffer[..15]), Err(SealError::Truncated { chunk: 3, length: 15 })));
        let length = cipher.open(3, false, &mut buffer).expect("an authentic stream");
        assert_eq!(&buffer[..length], b"chunk body");
    }

    #[test]
    fn nonce_and_aad_are_big_endian() {
        assert_eq!(nonce(0x0102).as_slice(), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
        assert_eq!(aad(0x0102, true), [0, 0, 0, 0, 0, 0, 1, 2, 1]);
    }
}
