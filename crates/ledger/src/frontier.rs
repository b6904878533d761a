//! The right border of an append-only tree: enough to append leaves and compute the root without
//! keeping the leaves.

use std::fmt;

use crate::error::TreeError;
use crate::hash::{node_hash, Hash, EMPTY_ROOT};
use crate::math::Range;
use crate::stored::{read_exact, stored_hash_index, HashReader};
use crate::MAX_TREE_SIZE;

/// The hashes of the perfect subtrees a tree of `size` leaves decomposes into, left to right and
/// largest first: one per 1 bit of `size` (at most 64 hashes, kept inline). Also called a compact
/// range or a Merkle mountain range's peaks.
///
/// Appending a leaf merges the subtrees it completes; the root folds the border from the right.
/// The hashes created on the way are exactly the ones a log stores for the new leaf
/// ([`Frontier::append_stored`]), so a writer that keeps a frontier never reads back its own hashes.
#[derive(Clone)]
pub struct Frontier {
    size: u64,
    /// `border[..size.count_ones()]` is live; the rest is stale and never read.
    border: [Hash; 64],
}

impl Frontier {
    /// The frontier of the empty tree.
    pub const fn new() -> Self {
        Frontier { size: 0, border: [Hash([0; 32]); 64] }
    }

    /// Restores a frontier from its size and border (as [`Frontier::border`] returned them).
    /// Fails unless there is one hash per 1 bit of `size` and `size <= MAX_TREE_SIZE`.
    pub fn from_border(size: u64, border: &[Hash]) -> Result<Self, TreeError> {
        if size > MAX_TREE_SIZE {
            return Err(TreeError::TooLarge { size });
        }
        let want = size.count_ones() as usize;
        if border.len() != want {
            return Err(TreeError::WrongHashCount { want, got: border.len() });
        }
        let mut frontier = Frontier { size, ..Frontier::new() };
        frontier.border[..want].copy_from_slice(border);
        Ok(frontier)
    }

    /// Restores the frontier of the first `size` leaves from stored hashes, in one read of one hash
    /// per 1 bit of `size`.
    pub fn from_reader<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Self, TreeError<R::Error>> {
        if size > MAX_TREE_SIZE {
            return Err(TreeError::TooLarge { size });
        }
        let indexes: Vec<u64> =
            Range { start: 0, end: size }.subtrees().map(|s| stored_hash_index(s.level, s.index)).collect();
        let border = read_exact(reader, &indexes)?;
        let mut frontier = Frontier { size, ..Frontier::new() };
        frontier.border[..border.len()].copy_from_slice(&border);
        Ok(frontier)
    }

    /// The number of leaves.
    pub const fn size(&self) -> u64 {
        self.size
    }

    /// The hashes of the perfect subtrees making up the tree, left to right.
    pub fn border(&self) -> &[Hash] {
        &self.border[..self.size.count_ones() as usize]
    }

    /// The tree's root (RFC 9162's MTH); [`EMPTY_ROOT`] for no leaves. No allocation, at most 63
    /// node hashes.
    pub fn root(&self) -> Hash {
        crate::math::fold_right(self.border()).unwrap_or(EMPTY_ROOT)
    }

    /// Appends a leaf hash and returns its index (the size before the call). Fails only when the
    /// tree already has [`MAX_TREE_SIZE`] leaves.
    pub fn append(&mut self, leaf: Hash) -> Result<u64, TreeError> {
        self.check_room()?;
        Ok(self.push(leaf, |_| {}))
    }

    /// Like [`Frontier::append`], and also pushes onto `stored` the hashes a log keeps for the new
    /// leaf `n`, in storage order: they belong at stored indexes `stored_hash_index(0, n)`, `+ 1`,
    /// ... — the leaf hash, then one hash per perfect subtree the leaf completes, smallest first.
    /// Appending leaves `0..n` this way to one vector builds the whole stored-hash array.
    pub fn append_stored(&mut self, leaf: Hash, stored: &mut Vec<Hash>) -> Result<u64, TreeError> {
        self.check_room()?;
        Ok(self.push(leaf, |h| stored.push(h)))
    }

    fn check_room(&self) -> Result<(), TreeError> {
        if self.size >= MAX_TREE_SIZE {
            return Err(TreeError::TooLarge { size: self.size.saturating_add(1) });
        }
        Ok(())
    }

    /// Appends without the size check; callers guarantee `size < MAX_TREE_SIZE` (in-memory leaf
    /// slices cannot be longer). `created` sees every new hash in storage order.
    pub(crate) fn push(&mut self, leaf: Hash, mut created: impl FnMut(Hash)) -> u64 {
        let index = self.size;
        // Each trailing 1 bit of the old size is a perfect subtree the new leaf completes. The
        // number of live hashes is at most 63 for sizes below 2^63, so every index is in bounds.
        let mut live = index.count_ones() as usize;
        let mut hash = leaf;
        created(hash);
        for _ in 0..index.trailing_ones() {
            live -= 1;
            hash = node_hash(&self.border[live], &hash);
            created(hash);
        }
        self.border[live] = hash;
        self.size = index + 1;
        index
    }
}

impl Default for Frontier {
    fn default() -> Self {
        Frontier::new()
    }
}

/// Equal when they describe the same tree (stale slots are ignored).
impl PartialEq for Frontier {
    fn eq(&self, other: &Self) -> bool {
        self.size == other.size && self.border() == other.border()
    }
}

impl Eq for Frontier {}

impl fmt::Debug for Frontier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frontier").field("size", &self.size).field("border", &self.border()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn empty_and_single() {
        let mut f = Frontier::new();
        assert_eq!(f.root(), EMPTY_ROOT);
        assert_eq!(f.append(leaf_hash(b"a")), Ok(0));
        assert_eq!(f.root(), leaf_hash(b"a"));
        assert_eq!(f.border(), [leaf_hash(b"a")]);
    }

    #[test]
    fn full_tree_refuses_more_leaves() {
        let mut f = Frontier::from_border(MAX_TREE_SIZE, &[leaf_hash(b"top")]).expect("one hash for 2^63");
        assert_eq!(f.append(leaf_hash(b"x")), Err(TreeError::TooLarge { size: MAX_TREE_SIZE + 1 }));
        let mut stored = Vec::new();
        assert!(f.append_stored(leaf_hash(b"x"), &mut stored).is_err());
        assert!(stored.is_empty());
        assert_eq!(f.size(), MAX_TREE_SIZE);
        assert_eq!(f.root(), leaf_hash(b"top"));
    }

    #[test]
    fn the_largest_border_fits() {
        // 2^63 - 1 leaves: 63 live hashes; the next leaf merges all of them into one.
        let border: Vec<Hash> = (0..63u8).map(|i| leaf_hash(&[i])).collect();
        let mut f = Frontier::from_border(MAX_TREE_SIZE - 1, &border).expect("63 hashes");
        assert_eq!(f.border().len(), 63);
        let mut stored = Vec::new();
        assert_eq!(f.append_stored(leaf_hash(b"last"), &mut stored), Ok(MAX_TREE_SIZE - 1));
        assert_eq!(stored.len(), 64);
        assert_eq!(f.border(), [stored[63]]);
        assert_eq!(f.root(), stored[63]);
    }

    #[test]
    fn from_border_checks_its_input() {
        assert_eq!(Frontier::from_border(3, &[EMPTY_ROOT]), Err(TreeError::WrongHashCount { want: 2, got: 1 }));
        assert_eq!(Frontier::from_border(u64::MAX, &[]), Err(TreeError::TooLarge { size: u64::MAX }));
        assert_eq!(Frontier::from_border(0, &[]), Ok(Frontier::new()));
    }

    #[test]
    fn equality_ignores_stale_slots() {
        let mut a = Frontier::new();
        for i in 0..3u8 {
            a.append(leaf_hash(&[i])).expect("room");
        }
        let b = Frontier::from_border(3, a.border()).expect("restored");
        assert_eq!(a, b);
        assert_eq!(a.root(), b.root());
        assert!(format!("{a:?}").starts_with("Frontier { size: 3, border: [Hash("));
    }
}
