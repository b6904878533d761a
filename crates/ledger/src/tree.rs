//! Tree hashes and proofs computed from all the leaf hashes in memory: the RFC 9162 definitions
//! for trees small enough to hold. Each call hashes O(n) nodes; a log builds proofs from stored
//! hashes instead ([`crate::stored`]), reading O(log n) of them.

use crate::error::TreeError;
use crate::frontier::Frontier;
use crate::hash::Hash;
use crate::math::{consistency_ranges, inclusion_ranges, Range};

/// The root of the tree whose leaves have these hashes (RFC 9162's MTH); [`EMPTY_ROOT`](crate::EMPTY_ROOT)
/// for none. Allocation-free.
pub fn root(leaves: &[Hash]) -> Hash {
    let mut frontier = Frontier::new();
    for leaf in leaves {
        // A slice holds fewer than MAX_TREE_SIZE (2^63) elements.
        frontier.push(*leaf, |_| {});
    }
    frontier.root()
}

/// The hash of leaves `range` (always within `leaves` where it is used).
fn range_root(leaves: &[Hash], range: Range) -> Hash {
    root(&leaves[range.start as usize..range.end as usize])
}

/// The inclusion proof of leaf `index` in the tree of `leaves` (RFC 9162 §2.1.3.1).
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, TreeError> {
    let size = leaves.len() as u64;
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    Ok(inclusion_ranges(index, size).into_iter().map(|r| range_root(leaves, r)).collect())
}

/// The consistency proof from the tree of the first `old_size` of `leaves` to the tree of all of
/// them (RFC 9162 §2.1.4.1). Needs `0 < old_size <= leaves.len()`; equal sizes give the empty proof.
pub fn consistency_proof(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, TreeError> {
    let new_size = leaves.len() as u64;
    if old_size == 0 || old_size > new_size {
        return Err(TreeError::InvalidSizes { old_size, new_size });
    }
    Ok(consistency_ranges(old_size, new_size).into_iter().map(|r| range_root(leaves, r)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, node_hash, EMPTY_ROOT};

    #[test]
    fn small_trees_by_hand() {
        let l: Vec<Hash> = (0..3u8).map(|i| leaf_hash(&[i])).collect();
        assert_eq!(root(&[]), EMPTY_ROOT);
        assert_eq!(root(&l[..1]), l[0]);
        assert_eq!(root(&l[..2]), node_hash(&l[0], &l[1]));
        assert_eq!(root(&l), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
        assert_eq!(inclusion_proof(&l, 0), Ok(vec![l[1], l[2]]));
        assert_eq!(inclusion_proof(&l, 2), Ok(vec![node_hash(&l[0], &l[1])]));
        assert_eq!(consistency_proof(&l, 1), Ok(vec![l[1], l[2]]));
        assert_eq!(consistency_proof(&l, 2), Ok(vec![l[2]]));
        assert_eq!(consistency_proof(&l, 3), Ok(vec![]));
    }

    #[test]
    fn bad_arguments() {
        let l = [leaf_hash(b"a")];
        assert_eq!(inclusion_proof(&[], 0), Err(TreeError::IndexOutOfRange { index: 0, size: 0 }));
        assert_eq!(inclusion_proof(&l, u64::MAX), Err(TreeError::IndexOutOfRange { index: u64::MAX, size: 1 }));
        assert_eq!(consistency_proof(&l, 0), Err(TreeError::InvalidSizes { old_size: 0, new_size: 1 }));
        assert_eq!(consistency_proof(&l, 2), Err(TreeError::InvalidSizes { old_size: 2, new_size: 1 }));
        assert_eq!(consistency_proof(&[], 0), Err(TreeError::InvalidSizes { old_size: 0, new_size: 0 }));
    }
}
