//! The math of dfft's transparency log: RFC 9162 (and RFC 6962) Merkle tree hashing with SHA-256,
//! inclusion and consistency proofs, and the addressing that lets a storage layer keep a tree's
//! hashes by number.
//!
//! This crate owns:
//! - hashing ([`leaf_hash`], [`node_hash`], [`EMPTY_ROOT`], [`Hash`](struct@Hash));
//! - proof checking for untrusted input ([`verify_inclusion`], [`inclusion_root`],
//!   [`verify_consistency`], [`VerifyError`]); it never panics, and it checks a proof's length
//!   (at most 65 hashes) before hashing anything, whatever the sizes;
//! - incremental roots for an append-only log ([`Frontier`]: the O(log n) right border of
//!   perfect subtrees, with the hashes to store for each new leaf);
//! - stored-hash addressing and proofs from O(log n) stored hashes ([`stored`]:
//!   [`stored_hash_index`], [`HashReader`], `inclusion_proof`, `consistency_proof`, `tree_hash`);
//! - the RFC definitions over leaf hashes in memory ([`tree`]), for small trees and tests.
//!
//! And, kept apart from the math, the C2SP formats of a transparency log:
//! - [`note`]: signed notes, key names and IDs, Ed25519 verifier and signer keys, strict parsing
//!   and verification against the keys a caller trusts;
//! - [`checkpoint`]: checkpoints (origin, size, root) and Ed25519 `cosignature/v1` cosignatures;
//! - [`tiles`]: tile and entry bundle coordinates and paths, entry bundles, and a [`HashReader`]
//!   over tiles ([`tiles::TileHashReader`]) that checks every tile against a trusted root.
//!
//! It does no IO, reads no clock and is not async: storage plugs in through [`HashReader`] and
//! [`tiles::TileReader`], timestamps and key seeds are arguments. Deciding which index an entry
//! gets is the caller's business; this crate only integrates leaf hashes in the order given.
//!
//! ```
//! use ledger::{leaf_hash, stored, verify_consistency, verify_inclusion, Frontier};
//!
//! // A writer appends leaves and keeps every hash in one append-only sequence.
//! let mut frontier = Frontier::new();
//! let mut hashes = Vec::new();
//! let mut roots = Vec::new();
//! for entry in ["alpha", "beta", "gamma", "delta", "epsilon"] {
//!     frontier.append_stored(leaf_hash(entry.as_bytes()), &mut hashes)?;
//!     roots.push(frontier.root());
//! }
//!
//! // Proofs read O(log n) stored hashes; a client checks them against the roots it trusts.
//! let proof = stored::inclusion_proof(1, 5, &hashes)?;
//! verify_inclusion(1, 5, &leaf_hash(b"beta"), &proof, &roots[4])?;
//! assert!(verify_inclusion(1, 5, &leaf_hash(b"BETA"), &proof, &roots[4]).is_err());
//!
//! let proof = stored::consistency_proof(3, 5, &hashes)?;
//! verify_consistency(3, 5, &proof, &roots[2], &roots[4])?;
//! assert_eq!(stored::tree_hash(3, &hashes)?, roots[2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod checkpoint;
mod error;
mod frontier;
mod hash;
mod math;
pub mod note;
pub mod stored;
pub mod tiles;
pub mod tree;
mod verify;

pub use checkpoint::Checkpoint;
pub use error::TreeError;
pub use frontier::Frontier;
pub use hash::{leaf_hash, node_hash, Hash, EMPTY_ROOT, HASH_SIZE};
pub use note::Note;
pub use stored::{split_stored_hash_index, stored_hash_count, stored_hash_index, HashReader, MissingHash};
pub use verify::{inclusion_root, verify_consistency, verify_inclusion, VerifyError};

/// The most leaves a tree may have for this crate to build on it: 2^63. Then every stored hash
/// index fits in a `u64` (the largest tree stores `u64::MAX` hashes). Verification accepts any size.
pub const MAX_TREE_SIZE: u64 = 1 << 63;
