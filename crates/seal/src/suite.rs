//! The HPKE key schedule (RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//! ChaCha20Poly1305) and the two secrets a sealed stream takes from it.

use std::convert::Infallible;

use chacha20::ChaCha20Rng;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::rand_core::{Rng, SeedableRng, TryCryptoRng, TryRng};
use hpke::{Deserializable, HpkeError, Kem, OpModeR, OpModeS, Serializable};
use zeroize::Zeroizing;

use crate::chunk::ChunkCipher;
use crate::error::SealError;
use crate::layout::{CHUNK, KEY_CHECK_LEN, MAGIC};

type Dhkem = X25519HkdfSha256;

const CHUNK_KEY_LABEL: &[u8] = b"dfft-seal/1 chunk key";
const KEY_CHECK_LABEL: &[u8] = b"dfft-seal/1 key check";

/// What both ends derive from the HPKE context.
pub(crate) struct StreamKeys {
    pub(crate) chunks: ChunkCipher,
    pub(crate) check: [u8; KEY_CHECK_LEN],
}

/// The sender's side: the encapsulated key for the header and the stream's keys. The ephemeral
/// key pair is `DeriveKeyPair(seed)`, so the same inputs give the same stream.
pub(crate) fn sender_keys(
    recipient: &[u8; 32],
    seed: &[u8; 32],
    info: &[u8],
) -> Result<([u8; 32], StreamKeys), SealError> {
    let (enc, context) = setup_sender(recipient, seed, &hpke_info(info))?;
    Ok((enc, stream_keys(|label, out| context.export(label, out))?))
}

/// The recipient's side, from its X25519 secret and the header's encapsulated key.
pub(crate) fn receiver_keys(secret: &[u8; 32], enc: &[u8; 32], info: &[u8]) -> Result<StreamKeys, SealError> {
    let context = setup_receiver(secret, enc, &hpke_info(info))?;
    stream_keys(|label, out| context.export(label, out))
}

/// `magic ‖ chunk size (u32, big-endian) ‖ info`: the header's constant fields and the caller's
/// context bind every key.
fn hpke_info(info: &[u8]) -> Vec<u8> {
    let mut bound = Vec::with_capacity(MAGIC.len() + 4 + info.len());
    bound.extend_from_slice(MAGIC);
    bound.extend_from_slice(&(CHUNK as u32).to_be_bytes());
    bound.extend_from_slice(info);
    bound
}

fn stream_keys(export: impl Fn(&[u8], &mut [u8]) -> Result<(), HpkeError>) -> Result<StreamKeys, SealError> {
    let mut key = Zeroizing::new([0u8; 32]);
    export(CHUNK_KEY_LABEL, key.as_mut_slice()).map_err(hpke_error)?;
    let mut check = [0u8; KEY_CHECK_LEN];
    export(KEY_CHECK_LABEL, &mut check).map_err(hpke_error)?;
    Ok(StreamKeys { chunks: ChunkCipher::new(&key), check })
}

type SenderContext = hpke::aead::AeadCtxS<ChaCha20Poly1305, HkdfSha256, Dhkem>;
type ReceiverContext = hpke::aead::AeadCtxR<ChaCha20Poly1305, HkdfSha256, Dhkem>;

/// RFC 9180 `SetupBaseS(pkR, info)` with `ikmE` given.
fn setup_sender(recipient: &[u8; 32], ikm_e: &[u8; 32], info: &[u8]) -> Result<([u8; 32], SenderContext), SealError> {
    let recipient = <Dhkem as Kem>::PublicKey::from_bytes(recipient).map_err(hpke_error)?;
    let mut randomness = SeedRng::new(ikm_e);
    let (enc, context) = hpke::setup_sender_with_rng::<ChaCha20Poly1305, HkdfSha256, Dhkem>(
        &OpModeS::Base,
        &recipient,
        info,
        &mut randomness,
    )
    .map_err(hpke_error)?;
    let mut encoded = [0u8; 32];
    enc.write_exact(&mut encoded);
    Ok((encoded, context))
}

/// RFC 9180 `SetupBaseR(enc, skR, info)`.
fn setup_receiver(secret: &[u8; 32], enc: &[u8; 32], info: &[u8]) -> Result<ReceiverContext, SealError> {
    let secret = <Dhkem as Kem>::PrivateKey::from_bytes(secret).map_err(hpke_error)?;
    let enc = <Dhkem as Kem>::EncappedKey::from_bytes(enc).map_err(hpke_error)?;
    hpke::setup_receiver::<ChaCha20Poly1305, HkdfSha256, Dhkem>(&OpModeR::Base, &secret, &enc, info).map_err(hpke_error)
}

fn hpke_error(error: HpkeError) -> SealError {
    SealError::Hpke(error.to_string())
}

/// The "randomness" HPKE draws for the ephemeral key: the caller's seed itself, so the key pair
/// is `DeriveKeyPair(seed)` as RFC 9180 §7.1.3 defines it (X25519 draws exactly 32 bytes).
/// Should a KEM ever draw more, the rest comes from ChaCha20 keyed by the seed, never a repeat
/// of it.
struct SeedRng {
    seed: Zeroizing<[u8; 32]>,
    used: usize,
    more: ChaCha20Rng,
}

impl SeedRng {
    fn new(seed: &[u8; 32]) -> Self {
        SeedRng { seed: Zeroizing::new(*seed), used: 0, more: ChaCha20Rng::from_seed(*seed) }
    }

    fn fill(&mut self, out: &mut [u8]) {
        let rest = self.seed.get(self.used..).unwrap_or_default();
        let taken = rest.len().min(out.len());
        let (from_seed, from_stream) = out.split_at_mut(taken);
        from_seed.copy_from_slice(rest.get(..taken).unwrap_or_default());
        self.used += taken;
        self.more.fill_bytes(from_stream);
    }
}

impl TryRng for SeedRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.fill(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes);
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, out: &mut [u8]) -> Result<(), Infallible> {
        self.fill(out);
        Ok(())
    }
}

// The seed is the caller's secret randomness for this transfer; see the crate docs.
impl TryCryptoRng for SeedRng {}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex<const N: usize>(text: &str) -> [u8; N] {
        let bytes: Vec<u8> =
            (0..text.len()).step_by(2).map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex")).collect();
        bytes.try_into().expect("N bytes")
    }

    // RFC 9180 Appendix A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, base mode.
    const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
    const IKM_E: &str = "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b";
    const PK_RM: &str = "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a";
    const SK_RM: &str = "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb";
    const ENC: &str = "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a";
    const EXPORTS: [(&[u8], &str); 3] = [
        (b"", "4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e"),
        (&[0], "8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69"),
        (b"TestContext", "5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53"),
    ];
    const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
    const AAD_0: &str = "436f756e742d30";
    const CT_0: &str = "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28";

    #[test]
    fn the_seed_is_ikm_e_of_rfc_9180() {
        let info: [u8; 20] = hex(INFO);
        let (enc, mut sender) = setup_sender(&hex(PK_RM), &hex(IKM_E), &info).expect("the vector\'s sender context");
        assert_eq!(enc, hex::<32>(ENC));
        let receiver = setup_receiver(&hex(SK_RM), &enc, &info).expect("the vector\'s receiver context");
        for (context, expected) in EXPORTS {
            let (mut sent, mut received) = ([0u8; 32], [0u8; 32]);
            sender.export(context, &mut sent).expect("a 32-byte export");
            receiver.export(context, &mut received).expect("a 32-byte export");
            assert_eq!(sent, hex::<32>(expected));
            assert_eq!(received, sent);
        }
        // The suite is the RFC's: sequence 0 of the context seals to the published ciphertext.
        let mut buffer = hex::<29>(PT);
        let tag = sender.seal_inout_detached(buffer.as_mut_slice().into(), &hex::<7>(AAD_0)).expect("sequence 0");
        assert_eq!([buffer.as_slice(), tag.to_bytes().as_slice()].concat(), hex::<45>(CT_0));
    }

    #[test]
    fn more_randomness_than_the_seed_never_repeats_it() {
        let mut randomness = SeedRng::new(&[5; 32]);
        let mut drawn = [0u8; 96];
        randomness.fill(&mut drawn[..10]);
        randomness.fill(&mut drawn[10..]);
        assert_eq!(drawn[..32], [5; 32]);
        assert_ne!(drawn[32..64], [5; 32]);
        assert_ne!(drawn[32..64], drawn[64..]);
    }
}
