//! Randomness from the operating system: keys, process ids, nonces, tokens.

use base64::Engine;

pub fn bytes32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    fill(&mut bytes);
    bytes
}

fn fill(bytes: &mut [u8]) {
    // The OS random source failing is not recoverable and not caused by input.
    #[allow(clippy::expect_used)]
    getrandom::fill(bytes).expect("the operating system's random source is available");
}

/// A random URN process or record id (`urn:uuid:` with a version-4 UUID).
pub fn urn() -> String {
    let mut b = [0u8; 16];
    fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// 128 random bits, for token nonces.
pub fn nonce() -> u128 {
    let mut b = [0u8; 16];
    fill(&mut b);
    u128::from_le_bytes(b)
}

/// A 256-bit bearer secret, base64url.
pub fn token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes32())
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}
