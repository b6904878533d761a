//! Encryption of a data transfer to the recipient's `did:key`, streaming and resumable.
//!
//! When an agreement requires it, a provider seals what it serves so that only the consumer it
//! agreed with can read it. The consumer is known by its Ed25519 `did:key`; its X25519 key is
//! derived from that key (as `did:key` derives its `keyAgreement` key), so no other key needs
//! distributing. [`Sealer`] is an [`std::io::Write`] adapter for the provider, [`Opener`] an
//! [`std::io::Read`] adapter for the consumer.
//!
//! A transfer's ciphertext is **deterministic**: the same sender seed, recipient, `info` and
//! plaintext always give the same bytes. An interrupted pull resumes with an HTTP `Range`
//! request, and the provider serves the bytes from any offset without resealing what came
//! before ([`ResumeAt`], [`Sealer::resume`]).
//!
//! ```
//! use std::io::{Read, Write};
//!
//! let consumer = trust::KeyPair::from_seed(&[7; 32]);
//! // The provider derives the seed from its secret, the transfer and the content's version.
//! let seed = [42; 32];
//!
//! let mut sealer = seal::Sealer::new(Vec::new(), &consumer.public_key(), seed, b"transfer-1")?;
//! sealer.write_all(b"rows of personal data")?;
//! let sealed = sealer.finish()?;
//! assert_eq!(sealed.len() as u64, seal::ciphertext_len(21));
//!
//! let mut plaintext = Vec::new();
//! seal::Opener::new(sealed.as_slice(), &consumer, b"transfer-1")?.read_to_end(&mut plaintext)?;
//! assert_eq!(plaintext, b"rows of personal data");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Format `dfft-seal/1`
//!
//! All integers are big-endian. A sealed stream is a 64-byte header followed by chunks:
//!
//! | offset | length | field |
//! | --- | --- | --- |
//! | 0 | 12 | magic, the ASCII bytes `dfft-seal/1\n` ([`MAGIC`]) |
//! | 12 | 32 | `enc`, the HPKE encapsulated key (the sender's ephemeral X25519 public key) |
//! | 44 | 4 | chunk size in plaintext bytes, always 65536 ([`CHUNK`]) |
//! | 48 | 16 | key check: `Export("dfft-seal/1 key check", 16)` |
//! | 64 | … | chunk 0, chunk 1, …, each `ChaCha20-Poly1305(plaintext) ‖ 16-byte tag` |
//!
//! **Key schedule.** RFC 9180 HPKE in base mode with DHKEM(X25519, HKDF-SHA256) (`0x0020`),
//! HKDF-SHA256 (`0x0001`) and ChaCha20Poly1305 (`0x0003`):
//! - `pkR` is the recipient's Ed25519 public key mapped to Montgomery form (the birational map
//!   `u = (1 + y) / (1 − y)`); `skR` is the lower 32 bytes of SHA-512 of its Ed25519 seed
//!   (clamped by X25519). These are the keys of the recipient's `did:key` `keyAgreement` method.
//! - The ephemeral key pair is `DeriveKeyPair(seed)` (RFC 9180 §7.1.3), `seed` being the
//!   sender's 32 bytes for this transfer; that is what makes the stream reproducible.
//! - The HPKE `info` is `magic ‖ chunk size (u32) ‖ info`, `info` being the caller's (such as
//!   the transfer id), so the header's fields and the transfer are bound to every key.
//! - The chunk key is `Export("dfft-seal/1 chunk key", 32)`, the key check
//!   `Export("dfft-seal/1 key check", 16)`; the context's own `Seal` is not used.
//!
//! **Chunks.** The plaintext of `L` bytes is cut into `⌊L / 65536⌋ + 1` chunks: every chunk but
//! the last holds exactly 65536 bytes, the last holds `L mod 65536` bytes (possibly none) and is
//! the only one flagged final. Chunk `i` is sealed with nonce `0x00000000 ‖ i (u64)` and
//! associated data `i (u64) ‖ final (one byte, 0x00 or 0x01)`. So a sealed chunk is 65552 bytes
//! unless it is the last, which is shorter; a reader knows the end by a short chunk followed by
//! the end of the stream, and truncation, reordering, duplication and swapping of chunks all
//! fail authentication. Chunk `i` starts at ciphertext offset `64 + i · 65552`, and
//! [`ciphertext_len`]`(L) = 64 + L + 16 · (⌊L / 65536⌋ + 1)`.
//!
//! # What it guarantees, and what it asks of the caller
//! - **Confidentiality and integrity** against anyone without the recipient's Ed25519 seed or
//!   the sender's seed. Base mode does **not** authenticate the sender: anyone can seal to a
//!   recipient. That the bytes come from the agreed provider is the transport's business (the
//!   authenticated provider endpoint), not this format's.
//! - **The seed must be unique per plaintext.** Determinism means the same seed, recipient and
//!   `info` give the same chunk keys; sealing two different plaintexts with them reuses the
//!   ChaCha20 keystream and leaks their XOR. Derive the seed from the provider's secret, the
//!   transfer id *and* the content's version (its digest), so a resumed pull of changed content
//!   gets a new seed. The seed decrypts the transfer (with the recipient's public key): keep it
//!   as secret as the data.
//! - **Streaming releases plaintext early.** [`Opener`] hands out each chunk once it
//!   authenticates; only reaching the end (`read` returning 0) proves the stream complete. After
//!   any error, discard everything read.
//! - **One key for signing and key agreement.** The recipient's Ed25519 key also serves X25519;
//!   Thormarker, "On using the same key pair for Ed25519 and an X25519 based KEM" (ePrint
//!   2021/509), shows this safe for a hashed-ElGamal KEM such as HPKE's DHKEM. There is no
//!   forward secrecy: whoever later obtains that seed can open recorded transfers.
//!
//! The crate is pure: no randomness of its own (the seed is an argument), no clock, and IO only
//! through the `Read`/`Write` it wraps. Hostile input gets an error, never a panic.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]
#![warn(missing_docs)]

mod chunk;
mod error;
mod header;
mod keys;
mod layout;
mod opener;
mod sealer;
mod suite;

pub use error::SealError;
pub use keys::recipient_public;
pub use layout::{chunk_offset, ciphertext_len, ResumeAt, CHUNK, HEADER_LEN, MAGIC, SEALED_CHUNK, TAG_LEN};
pub use opener::Opener;
pub use sealer::Sealer;
