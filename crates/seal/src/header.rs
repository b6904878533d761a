//! The 64-byte header: magic, encapsulated key, chunk size, key check.

use crate::error::SealError;
use crate::layout::{CHUNK, HEADER_LEN, KEY_CHECK_LEN, MAGIC};

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// The HPKE encapsulated key.
    pub(crate) enc: [u8; 32],
    /// The exported value a recipient compares before opening any chunk.
    pub(crate) check: [u8; KEY_CHECK_LEN],
}

impl Header {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        let (magic, rest) = bytes.split_at_mut(MAGIC.len());
        let (enc, rest) = rest.split_at_mut(32);
        let (chunk, check) = rest.split_at_mut(4);
        magic.copy_from_slice(MAGIC);
        enc.copy_from_slice(&self.enc);
        chunk.copy_from_slice(&(CHUNK as u32).to_be_bytes());
        check.copy_from_slice(&self.check);
        bytes
    }

    pub(crate) fn parse(bytes: &[u8; HEADER_LEN]) -> Result<Header, SealError> {
        let (magic, rest) = bytes.split_at(MAGIC.len());
        let (enc, rest) = rest.split_at(32);
        let (chunk, check) = rest.split_at(4);
        if magic != MAGIC {
            return Err(SealError::NotSealed);
        }
        let chunk = u32::from_be_bytes(chunk.try_into().map_err(|_| SealError::NotSealed)?);
        if chunk as usize != CHUNK {
            return Err(SealError::ChunkSize(chunk));
        }
        Ok(Header {
            enc: enc.try_into().map_err(|_| SealError::NotSealed)?,
            check: check.try_into().map_err(|_| SealError::NotSealed)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_reads_back_and_names_what_is_wrong() {
        let header = Header { enc: [1; 32], check: [2; KEY_CHECK_LEN] };
        let bytes = header.encode();
        assert_eq!(&bytes[..12], b"dfft-seal/1\n");
        assert_eq!(&bytes[44..48], [0, 1, 0, 0]);
        assert_eq!(Header::parse(&bytes).expect("a header it wrote"), header);

        let mut other_magic = bytes;
        other_magic[10] = b'2';
        assert!(matches!(Header::parse(&other_magic), Err(SealError::NotSealed)));
        let mut other_chunk = bytes;
        other_chunk[45] = 2;
        assert!(matches!(Header::parse(&other_chunk), Err(SealError::ChunkSize(0x0002_0000))));
    }
}
