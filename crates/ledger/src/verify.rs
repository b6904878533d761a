//! Checking inclusion and consistency proofs (RFC 9162 §2.1.3.2 and §2.1.4.2).
//!
//! Everything here takes untrusted input: any sizes (0 and `u64::MAX` included), any index, a
//! proof of any length. Nothing panics, and the work is bounded: the proof's length is checked
//! against the one the sizes imply (never more than 65 hashes) before anything is hashed.
//!
//! **A proof does not bind the tree size, the root does.** The same proof can verify against the
//! same root for two different sizes (the inclusion proof of leaf 0 in a tree of 3 leaves also
//! verifies as a proof for a tree of 4 leaves against the 3-leaf root). Take the size and the
//! root from the same signed checkpoint, never the size from the party that sent the proof.

use std::fmt;

use crate::hash::{node_hash, Hash};
use crate::math::{consistency_proof_len, inclusion_proof_len};

/// Why a proof was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// No leaf `index` in a tree of `size` leaves (`index >= size`, including every index when
    /// `size` is 0).
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof from the empty tree: RFC 9162 defines none (it needs `0 < old size`);
    /// every tree extends the empty one, so there is nothing to check.
    EmptyOldTree { new_size: u64 },
    /// The old tree is larger than the new one.
    OldSizeExceedsNewSize { old_size: u64, new_size: u64 },
    /// The proof has `got` hashes; the sizes (and index) call for exactly `want`.
    WrongProofLength { got: usize, want: usize },
    /// The inclusion proof leads to `computed`, not to the expected root.
    RootMismatch { computed: Hash, expected: Hash },
    /// The consistency proof does not lead to the old root.
    OldRootMismatch { computed: Hash, expected: Hash },
    /// The consistency proof leads to the old root but not to the new one.
    NewRootMismatch { computed: Hash, expected: Hash },
    /// Two different roots for the same size: the log has shown two different trees.
    SameSizeDifferentRoots { size: u64, old_root: Hash, new_root: Hash },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::IndexOutOfRange { index, size } => {
                write!(f, "leaf index {index} is out of range for a tree of size {size}")
            }
            VerifyError::EmptyOldTree { new_size } => write!(
                f,
                "no consistency proof from the empty tree to size {new_size}: the old size must be at least 1"
            ),
            VerifyError::OldSizeExceedsNewSize { old_size, new_size } => {
                write!(f, "old tree size {old_size} is larger than new tree size {new_size}")
            }
            VerifyError::WrongProofLength { got, want } => {
                write!(f, "proof has {got} hashes, the sizes call for {want}")
            }
            VerifyError::RootMismatch { computed, expected } => {
                write!(f, "proof leads to root {computed}, expected {expected}")
            }
            VerifyError::OldRootMismatch { computed, expected } => {
                write!(f, "proof leads to old root {computed}, expected {expected}")
            }
            VerifyError::NewRootMismatch { computed, expected } => {
                write!(f, "proof leads to new root {computed}, expected {expected}")
            }
            VerifyError::SameSizeDifferentRoots { size, old_root, new_root } => {
                write!(f, "two different roots for tree size {size}: {old_root} and {new_root}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// Checks that `leaf` is leaf number `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Result<(), VerifyError> {
    let computed = inclusion_root(index, size, leaf, proof)?;
    if computed != *root {
        return Err(VerifyError::RootMismatch { computed, expected: *root });
    }
    Ok(())
}

/// The root that `proof` implies for a tree of `size` leaves whose leaf `index` is `leaf`; fails
/// only on an index out of range or a proof of the wrong length. RFC 9162 §2.1.3.2 steps 1 to 4.
pub fn inclusion_root(index: u64, size: u64, leaf: &Hash, proof: &[Hash]) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    let want = inclusion_proof_len(index, size);
    if proof.len() != want {
        return Err(VerifyError::WrongProofLength { got: proof.len(), want });
    }
    // `fn` and `sn` in the RFC: the node's index and the last index at the current level.
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        // The RFC's "if sn is 0, fail" guard and its final "sn is 0" check need no code: how `f`
        // and `s` move depends on the index and size alone, never on the hashes, and the proof
        // has exactly the length that brings `s` to 0 with its last hash (see `math`).
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            // On the right border, levels without a left sibling are skipped.
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    Ok(r)
}

/// Checks that the tree of `new_size` leaves with root `new_root` extends the tree of `old_size`
/// leaves with root `old_root` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal
/// roots. An old size of 0 is rejected ([`VerifyError::EmptyOldTree`]), as in the RFC.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), VerifyError> {
    if old_size == 0 {
        return Err(VerifyError::EmptyOldTree { new_size });
    }
    if old_size > new_size {
        return Err(VerifyError::OldSizeExceedsNewSize { old_size, new_size });
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(VerifyError::WrongProofLength { got: proof.len(), want: 0 });
        }
        if old_root != new_root {
            return Err(VerifyError::SameSizeDifferentRoots {
                size: old_size,
                old_root: *old_root,
                new_root: *new_root,
            });
        }
        return Ok(());
    }
    let want = consistency_proof_len(old_size, new_size);
    if proof.len() != want {
        return Err(VerifyError::WrongProofLength { got: proof.len(), want });
    }
    // Step 2: when the old tree is a perfect subtree the proof leaves its hash out, the verifier
    // has it; otherwise the proof starts with the hash of the old tree's rightmost perfect subtree.
    let (seed, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (first, rest),
            // Unreachable: `want >= 1` when `old_size` is not a power of two.
            None => return Err(VerifyError::WrongProofLength { got: 0, want }),
        }
    };
    // Steps 3 and 4.
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    // Steps 5 and 6: `fr` rebuilds the old root, `sr` the new one.
    let (mut fr, mut sr) = (*seed, *seed);
    for c in rest {
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    // Step 7 (`sn == 0` holds by the length check).
    if fr != *old_root {
        return Err(VerifyError::OldRootMismatch { computed: fr, expected: *old_root });
    }
    if sr != *new_root {
        return Err(VerifyError::NewRootMismatch { computed: sr, expected: *new_root });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;
    use crate::tree;

    #[test]
    fn the_size_is_bound_by_the_root_not_by_the_proof() {
        // The example in the module doc: a proof and a root that fit two sizes.
        let leaves: Vec<Hash> = (0..4u8).map(|i| leaf_hash(&[i])).collect();
        let root3 = tree::root(&leaves[..3]);
        let proof = tree::inclusion_proof(&leaves[..3], 0).expect("in range");
        assert_eq!(verify_inclusion(0, 3, &leaves[0], &proof, &root3), Ok(()));
        assert_eq!(verify_inclusion(0, 4, &leaves[0], &proof, &root3), Ok(()));
        // With the 4-leaf tree's own root, the claim fails.
        let root4 = tree::root(&leaves);
        assert!(verify_inclusion(0, 4, &leaves[0], &proof, &root4).is_err());
    }

    #[test]
    fn the_longest_proofs() {
        let h = leaf_hash(b"x");
        let e = verify_inclusion(0, u64::MAX, &h, &[], &h).expect_err("empty proof");
        assert_eq!(e, VerifyError::WrongProofLength { got: 0, want: 64 });
        let e = verify_consistency(3, u64::MAX, &[], &h, &h).expect_err("empty proof");
        assert_eq!(e, VerifyError::WrongProofLength { got: 0, want: 65 });
    }

    #[test]
    fn messages_quote_the_input() {
        let h = Hash([0xab; 32]);
        let cases = [
            (VerifyError::IndexOutOfRange { index: 9, size: 8 }, "leaf index 9 is out of range for a tree of size 8"),
            (
                VerifyError::EmptyOldTree { new_size: 5 },
                "no consistency proof from the empty tree to size 5: the old size must be at least 1",
            ),
            (
                VerifyError::OldSizeExceedsNewSize { old_size: 6, new_size: 5 },
                "old tree size 6 is larger than new tree size 5",
            ),
            (VerifyError::WrongProofLength { got: 2, want: 3 }, "proof has 2 hashes, the sizes call for 3"),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
        let e = VerifyError::RootMismatch { computed: h, expected: EMPTY };
        assert_eq!(e.to_string(), format!("proof leads to root {h}, expected {EMPTY}"));
        assert!(e.to_string().contains(&"ab".repeat(32)));
    }

    const EMPTY: Hash = crate::hash::EMPTY_ROOT;
}
