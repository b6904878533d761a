//! SHA-256 in the two spellings releases use: bare hex for files, `sha256:hex` for a release.

use sha2::{Digest, Sha256};

/// Lower-case hex of SHA-256(bytes).
pub(crate) fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 12 characters of a digest (after any `sha256:` prefix), enough to tell two apart
/// in a message.
pub(crate) fn short(digest: &str) -> String {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    let cut: String = hex.chars().take(12).collect();
    if cut.len() < hex.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// 64 lower-case hex digits.
pub(crate) fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
