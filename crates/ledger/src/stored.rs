//! Stored-hash addressing: every hash of an append-only tree gets a fixed position in one dense
//! sequence, so storage can keep hashes by number and proofs read O(log n) of them.
//!
//! The order is the one of golang.org/x/mod/sumdb/tlog: when leaf `n` is appended, its own hash is
//! written, then the hash of every perfect subtree it completes, smallest first. Hashes are never
//! rewritten, so the first `stored_hash_count(size)` hashes of a log describe every tree of at
//! most `size` leaves, and a log grows by appending to one sequence.
//!
//! ```text
//! level 2                6
//! level 1        2               5               9
//! level 0    0       1       3       4       7       8      10
//! leaf       0       1       2       3       4       5       6
//! ```
//!
//! The addressing is defined for every node of a tree of at most [`MAX_TREE_SIZE`] leaves; the
//! functions here check that bound before computing any index.

use crate::error::TreeError;
use crate::frontier::Frontier;
use crate::hash::{node_hash, Hash};
use crate::math::{consistency_ranges, fold_right, inclusion_ranges, Range};
use crate::MAX_TREE_SIZE;

/// Reads stored hashes by their index ([`stored_hash_index`]); the one thing a storage layer must
/// provide for proofs and tree hashes.
pub trait HashReader {
    /// Why a read failed.
    type Error;

    /// Returns the hashes at `indexes`, one per index and in the same order (the indexes are not
    /// necessarily sorted). Each call in this crate asks for O(log n) hashes at once.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

/// A stored hash that a [`HashReader`] over a slice does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MissingHash {
    /// The index asked for.
    pub index: u64,
    /// How many hashes the slice holds.
    pub stored: u64,
}

impl std::fmt::Display for MissingHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stored hash {} is missing: only {} hashes are stored", self.index, self.stored)
    }
}

impl std::error::Error for MissingHash {}

/// The stored-hash array in memory, as [`Frontier::append_stored`] builds it.
impl HashReader for [Hash] {
    type Error = MissingHash;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        indexes
            .iter()
            .map(|&index| {
                usize::try_from(index)
                    .ok()
                    .and_then(|i| self.get(i))
                    .copied()
                    .ok_or(MissingHash { index, stored: self.len() as u64 })
            })
            .collect()
    }
}

impl HashReader for Vec<Hash> {
    type Error = MissingHash;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MissingHash> {
        self.as_slice().read_hashes(indexes)
    }
}

/// The position of the hash of node `n` at `level` (the perfect subtree over leaves
/// `n * 2^level .. (n + 1) * 2^level`) in the stored sequence.
///
/// Defined for nodes of trees of at most [`MAX_TREE_SIZE`] leaves (`level < 64`,
/// `(n + 1) * 2^level <= 2^63`); elsewhere the result is meaningless but the call never panics.
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    // The node is written right after leaf `last = (n + 1) * 2^level - 1` and the `level` hashes
    // below it, i.e. at `stored_hash_count(last) + level`, and `stored_hash_count(x) =
    // 2x - popcount(x)` while `popcount(last) = popcount(n) + level`. So the index is
    // `2 (n + 1) 2^level - 2 - popcount(n)`. The intermediate `2 (n + 1) 2^level` reaches 2^64 at
    // the very top of the range, so the arithmetic wraps; the result itself always fits, so
    // modular arithmetic gives it exactly.
    n.wrapping_add(1)
        .wrapping_shl(u32::from(level))
        .wrapping_mul(2)
        .wrapping_sub(2)
        .wrapping_sub(u64::from(n.count_ones()))
}

/// The inverse of [`stored_hash_index`]: the `(level, n)` of the node stored at `index`. Total:
/// every `u64` is the index of exactly one node.
pub fn split_stored_hash_index(index: u64) -> (u8, u64) {
    // The leaf whose append wrote `index` is the last `leaf` with `stored_hash_count(leaf) <= index`.
    // Since `stored_hash_count(x) = 2x - popcount(x)` lies in `[2x - 64, 2x]`, it is at most 33
    // steps above `index / 2`. u128 keeps `stored_hash_count(2^63 + 1) = 2^64` exact.
    let first_index = |leaf: u64| 2 * u128::from(leaf) - u128::from(leaf.count_ones());
    let target = u128::from(index);
    let mut leaf = index / 2;
    while first_index(leaf + 1) <= target {
        leaf += 1;
    }
    // The hashes written with `leaf` are its own (level 0) and one per completed subtree, so the
    // offset is the level, at most `trailing_ones(leaf) <= 63`.
    let level = (target - first_index(leaf)) as u32;
    (level as u8, leaf.checked_shr(level).unwrap_or(0))
}

/// How many hashes a tree of `size` leaves stores: `2 * size - popcount(size)`. For sizes above
/// [`MAX_TREE_SIZE`] the count does not fit and `u64::MAX` is returned.
pub fn stored_hash_count(size: u64) -> u64 {
    let count = 2 * u128::from(size) - u128::from(size.count_ones());
    u64::try_from(count).unwrap_or(u64::MAX)
}

/// Reads `indexes` (if any) and checks that the reader kept its contract.
pub(crate) fn read_exact<R: HashReader + ?Sized>(
    reader: &R,
    indexes: &[u64],
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes).map_err(TreeError::Read)?;
    if hashes.len() != indexes.len() {
        return Err(TreeError::WrongHashCount { want: indexes.len(), got: hashes.len() });
    }
    Ok(hashes)
}

/// The hashes of `ranges`, in order, from one read of their perfect subtrees.
fn range_hashes<R: HashReader + ?Sized>(ranges: &[Range], reader: &R) -> Result<Vec<Hash>, TreeError<R::Error>> {
    let mut indexes = Vec::with_capacity(2 * ranges.len());
    let mut counts = Vec::with_capacity(ranges.len());
    for range in ranges {
        let before = indexes.len();
        indexes.extend(range.subtrees().map(|s| stored_hash_index(s.level, s.index)));
        counts.push(indexes.len() - before);
    }
    let hashes = read_exact(reader, &indexes)?;
    let mut rest = hashes.as_slice();
    let mut out = Vec::with_capacity(ranges.len());
    for count in counts {
        let (these, tail) = rest.split_at(count);
        // Every range is non-empty, so it has at least one subtree.
        out.extend(fold_right(these));
        rest = tail;
    }
    Ok(out)
}

/// The root of the tree of the first `size` leaves ([`EMPTY_ROOT`](crate::EMPTY_ROOT) for 0), from
/// one read of one hash per 1 bit of `size`.
pub fn tree_hash<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Hash, TreeError<R::Error>> {
    Ok(Frontier::from_reader(size, reader)?.root())
}

/// The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162
/// §2.1.3.1), from one read of O(log size) hashes.
pub fn inclusion_proof<R: HashReader + ?Sized>(
    index: u64,
    size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if size > MAX_TREE_SIZE {
        return Err(TreeError::TooLarge { size });
    }
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    range_hashes(&inclusion_ranges(index, size), reader)
}

/// The consistency proof from the tree of the first `old_size` leaves to the tree of the first
/// `new_size` (RFC 9162 §2.1.4.1), from one read of O(log new_size) hashes. Needs
/// `0 < old_size <= new_size`; equal sizes give the empty proof.
pub fn consistency_proof<R: HashReader + ?Sized>(
    old_size: u64,
    new_size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if new_size > MAX_TREE_SIZE {
        return Err(TreeError::TooLarge { size: new_size });
    }
    if old_size == 0 || old_size > new_size {
        return Err(TreeError::InvalidSizes { old_size, new_size });
    }
    range_hashes(&consistency_ranges(old_size, new_size), reader)
}

/// The hashes to store when `leaf` is appended as leaf number `n`, in storage order from
/// `stored_hash_index(0, n)`: the leaf hash, then the hash of each perfect subtree it completes.
/// Reads the left siblings of those subtrees (one hash per trailing 1 bit of `n`) in one call.
/// [`Frontier::append_stored`] gives the same hashes without reading.
pub fn stored_hashes<R: HashReader + ?Sized>(n: u64, leaf: Hash, reader: &R) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if n >= MAX_TREE_SIZE {
        return Err(TreeError::TooLarge { size: n.saturating_add(1) });
    }
    // Completing the subtree at level `l + 1` pairs the new node at level `l` (number `n >> l`,
    // odd) with its left sibling, number `(n >> l) - 1`.
    let completed = n.trailing_ones();
    let indexes: Vec<u64> = (0..completed).map(|l| stored_hash_index(l as u8, (n >> l) - 1)).collect();
    let siblings = read_exact(reader, &indexes)?;
    let mut hashes = Vec::with_capacity(siblings.len() + 1);
    let mut hash = leaf;
    hashes.push(hash);
    for sibling in &siblings {
        hash = node_hash(sibling, &hash);
        hashes.push(hash);
    }
    Ok(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picture_in_the_module_doc() {
        let nodes = [
            ((0, 0), 0),
            ((0, 1), 1),
            ((1, 0), 2),
            ((0, 2), 3),
            ((0, 3), 4),
            ((1, 1), 5),
            ((2, 0), 6),
            ((0, 4), 7),
            ((0, 5), 8),
            ((1, 2), 9),
            ((0, 6), 10),
        ];
        for ((level, n), index) in nodes {
            assert_eq!(stored_hash_index(level, n), index, "({level}, {n})");
            assert_eq!(split_stored_hash_index(index), (level, n), "{index}");
        }
        let counts: Vec<u64> = (0..=7).map(stored_hash_count).collect();
        assert_eq!(counts, [0, 1, 3, 4, 7, 8, 10, 11]);
    }

    #[test]
    fn the_edges_of_the_index_space() {
        // The 2^63 leaves of the largest tree use every index below u64::MAX; the root is the last.
        assert_eq!(stored_hash_count(MAX_TREE_SIZE), u64::MAX);
        assert_eq!(stored_hash_index(63, 0), u64::MAX - 1);
        assert_eq!(split_stored_hash_index(u64::MAX - 1), (63, 0));
        assert_eq!(stored_hash_index(0, MAX_TREE_SIZE - 1), u64::MAX - 64);
        assert_eq!(split_stored_hash_index(u64::MAX - 64), (0, MAX_TREE_SIZE - 1));
        // u64::MAX itself belongs to leaf 2^63, just past the largest tree.
        assert_eq!(split_stored_hash_index(u64::MAX), (0, MAX_TREE_SIZE));
        assert_eq!(stored_hash_index(0, MAX_TREE_SIZE), u64::MAX);
        assert_eq!(stored_hash_count(MAX_TREE_SIZE + 1), u64::MAX);
        assert_eq!(stored_hash_count(u64::MAX), u64::MAX);
        // Out of the domain: meaningless but no panic.
        let _ = stored_hash_index(200, u64::MAX);
    }

    #[test]
    fn slice_reader_reports_missing_hashes() {
        let stored = vec![Hash([1; 32]), Hash([2; 32])];
        assert_eq!(stored.read_hashes(&[1, 0]), Ok(vec![Hash([2; 32]), Hash([1; 32])]));
        let err = stored.read_hashes(&[0, 2]).expect_err("index 2 is not stored");
        assert_eq!(err, MissingHash { index: 2, stored: 2 });
        assert_eq!(err.to_string(), "stored hash 2 is missing: only 2 hashes are stored");
        assert!(stored.read_hashes(&[u64::MAX]).is_err());
    }

    #[test]
    fn sizes_are_checked_before_reading() {
        let none: Vec<Hash> = Vec::new();
        assert_eq!(inclusion_proof(0, 0, &none), Err(TreeError::IndexOutOfRange { index: 0, size: 0 }));
        assert_eq!(inclusion_proof(5, 5, &none), Err(TreeError::IndexOutOfRange { index: 5, size: 5 }));
        assert_eq!(inclusion_proof(0, u64::MAX, &none), Err(TreeError::TooLarge { size: u64::MAX }));
        assert_eq!(consistency_proof(0, 4, &none), Err(TreeError::InvalidSizes { old_size: 0, new_size: 4 }));
        assert_eq!(consistency_proof(5, 4, &none), Err(TreeError::InvalidSizes { old_size: 5, new_size: 4 }));
        assert_eq!(
            consistency_proof(1, MAX_TREE_SIZE + 1, &none),
            Err(TreeError::TooLarge { size: MAX_TREE_SIZE + 1 })
        );
        assert_eq!(
            stored_hashes(MAX_TREE_SIZE, Hash::default(), &none),
            Err(TreeError::TooLarge { size: MAX_TREE_SIZE + 1 })
        );
        assert_eq!(tree_hash(u64::MAX, &none), Err(TreeError::TooLarge { size: u64::MAX }));
        // Nothing to read: no call, no error.
        assert_eq!(tree_hash(0, &none), Ok(crate::EMPTY_ROOT));
        assert_eq!(inclusion_proof(0, 1, &none), Ok(vec![]));
        assert_eq!(consistency_proof(7, 7, &none), Ok(vec![]));
        assert_eq!(stored_hashes(0, Hash([9; 32]), &none), Ok(vec![Hash([9; 32])]));
        // Something to read, and nothing stored: the reader's error comes through.
        assert_eq!(tree_hash(3, &none), Err(TreeError::Read(MissingHash { index: 2, stored: 0 })));
    }

    /// A reader that breaks its contract.
    struct Short;

    impl HashReader for Short {
        type Error = std::convert::Infallible;

        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error> {
            Ok(vec![Hash::default(); indexes.len() - 1])
        }
    }

    #[test]
    fn a_reader_returning_too_few_hashes_is_an_error() {
        assert_eq!(tree_hash(3, &Short), Err(TreeError::WrongHashCount { want: 2, got: 1 }));
        assert_eq!(inclusion_proof(0, 3, &Short), Err(TreeError::WrongHashCount { want: 2, got: 1 }));
        assert_eq!(stored_hashes(1, Hash::default(), &Short), Err(TreeError::WrongHashCount { want: 1, got: 0 }));
    }
}
