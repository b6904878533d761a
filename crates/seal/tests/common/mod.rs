//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{self, Read, Write};

use seal::{Opener, SealError, Sealer};
use trust::KeyPair;

pub const SEED: [u8; 32] = [42; 32];
pub const INFO: &[u8] = b"transfer-1";

pub fn consumer() -> KeyPair {
    KeyPair::from_seed(&[7; 32])
}

/// Reproducible bytes that are not all alike (xorshift).
pub fn plaintext(length: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ length as u64;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

pub fn seal_with(plaintext: &[u8], recipient: &KeyPair, seed: [u8; 32], info: &[u8]) -> Vec<u8> {
    let mut sealer = Sealer::new(Vec::new(), &recipient.public_key(), seed, info).expect("a sealer");
    sealer.write_all(plaintext).expect("writing to memory");
    sealer.finish().expect("the final chunk")
}

pub fn seal(plaintext: &[u8]) -> Vec<u8> {
    seal_with(plaintext, &consumer(), SEED, INFO)
}

/// Opens a whole stream; the error of the header or of a chunk, whichever comes first.
pub fn open_with(sealed: &[u8], recipient: &KeyPair, info: &[u8]) -> io::Result<Vec<u8>> {
    let mut opener = Opener::new(sealed, recipient, info)?;
    let mut plaintext = Vec::new();
    opener.read_to_end(&mut plaintext)?;
    Ok(plaintext)
}

pub fn open(sealed: &[u8]) -> io::Result<Vec<u8>> {
    open_with(sealed, &consumer(), INFO)
}

/// The `SealError` an opening failed with (panics if it failed otherwise, or succeeded).
pub fn refusal(result: io::Result<Vec<u8>>) -> String {
    let error = result.expect_err("the stream must be refused");
    assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}");
    let inner = SealError::from_io(&error).unwrap_or_else(|| panic!("not a SealError: {error}"));
    format!("{inner:?}")
}
