//! The X25519 keys of an Ed25519 `did:key`, as its `keyAgreement` method derives them.

use ed25519_dalek::VerifyingKey;
use zeroize::Zeroizing;

use crate::error::SealError;

/// The recipient's X25519 public key: its Ed25519 point in Montgomery form, the public half of
/// [`trust::KeyPair::x25519_secret`]. This is the key of the recipient's `did:key`
/// `keyAgreement` verification method (`z6LS…`).
pub fn recipient_public(did_key_public: &trust::PublicKey) -> Result<[u8; 32], SealError> {
    let point = VerifyingKey::from_bytes(&did_key_public.to_bytes()).map_err(|_| SealError::RecipientKey)?;
    Ok(point.to_montgomery().to_bytes())
}

/// The recipient's X25519 secret, wiped when dropped.
pub(crate) fn recipient_secret(recipient: &trust::KeyPair) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(recipient.x25519_secret())
}
