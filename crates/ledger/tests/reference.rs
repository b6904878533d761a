//! Every tree size from 1 to 300 against a naive implementation written straight from RFC 9162
//! §2.1 (MTH, PATH, PROOF and SUBPROOF, recursive, with SHA-256 called directly): every root,
//! every inclusion proof of every leaf and every consistency proof between every two sizes, each
//! built three ways (from the leaves in memory, from stored hashes, and incrementally for roots)
//! and each checked by the verifier.
//!
//! The reference caches MTH per leaf range, which changes nothing in what it computes but keeps
//! the run to a second or so.

use std::cell::RefCell;
use std::collections::HashMap;

use ledger::{
    split_stored_hash_index, stored, stored_hash_count, stored_hash_index, tree, verify_consistency, verify_inclusion,
    Frontier, Hash,
};
use sha2::{Digest, Sha256};

const MAX: usize = 300;

/// The RFC's definitions over the leaf data `D[0:n]`, with hashing spelled out.
struct Rfc {
    data: Vec<Vec<u8>>,
    mth: RefCell<HashMap<(usize, usize), Hash>>,
}

impl Rfc {
    fn new(n: usize) -> Self {
        // Leaves of varied lengths, no two alike.
        let data = (0..n).map(|i| (0..=(i % 7) as u8).chain((i as u32).to_le_bytes()).collect()).collect();
        Rfc { data, mth: RefCell::new(HashMap::new()) }
    }

    /// "k is the largest power of two smaller than n (i.e., k < n <= 2k)".
    fn k(n: usize) -> usize {
        let mut k = 1;
        while 2 * k < n {
            k *= 2;
        }
        k
    }

    fn node(left: &Hash, right: &Hash) -> Hash {
        let mut h = Sha256::new();
        h.update([0x01]);
        h.update(left.0);
        h.update(right.0);
        Hash(h.finalize().into())
    }

    fn leaf(&self, i: usize) -> Hash {
        let mut h = Sha256::new();
        h.update([0x00]);
        h.update(&self.data[i]);
        Hash(h.finalize().into())
    }

    /// MTH(D[lo:hi]).
    fn mth(&self, lo: usize, hi: usize) -> Hash {
        if let Some(h) = self.mth.borrow().get(&(lo, hi)) {
            return *h;
        }
        let h = match hi - lo {
            0 => Hash(Sha256::digest(b"").into()),
            1 => self.leaf(lo),
            n => {
                let k = Self::k(n);
                Self::node(&self.mth(lo, lo + k), &self.mth(lo + k, hi))
            }
        };
        self.mth.borrow_mut().insert((lo, hi), h);
        h
    }

    /// PATH(m, D[lo:hi]), `m` relative to `lo`.
    fn path(&self, m: usize, lo: usize, hi: usize) -> Vec<Hash> {
        let n = hi - lo;
        if n == 1 {
            return Vec::new();
        }
        let k = Self::k(n);
        if m < k {
            let mut p = self.path(m, lo, lo + k);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.path(m - k, lo + k, hi);
            p.push(self.mth(lo, lo + k));
            p
        }
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    fn proof(&self, m: usize, n: usize) -> Vec<Hash> {
        self.subproof(m, 0, n, true)
    }

    /// SUBPROOF(m, D[lo:hi], b), `m` relative to `lo`.
    fn subproof(&self, m: usize, lo: usize, hi: usize, b: bool) -> Vec<Hash> {
        let n = hi - lo;
        if m == n {
            return if b { Vec::new() } else { vec![self.mth(lo, hi)] };
        }
        let k = Self::k(n);
        if m <= k {
            let mut p = self.subproof(m, lo, lo + k, b);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.subproof(m - k, lo + k, hi, false);
            p.push(self.mth(lo, lo + k));
            p
        }
    }
}

/// The reference data, its leaf hashes and the stored hashes of all 300 leaves, which hold those of
/// every smaller tree as a prefix (`&store[..stored_hash_count(n)]`: reading past it fails).
fn setup() -> (Rfc, Vec<Hash>, Vec<Hash>) {
    let rfc = Rfc::new(MAX);
    let leaves: Vec<Hash> = (0..MAX).map(|i| rfc.leaf(i)).collect();
    let mut frontier = Frontier::new();
    let mut store = Vec::new();
    for leaf in &leaves {
        frontier.append_stored(*leaf, &mut store).expect("room");
    }
    (rfc, leaves, store)
}

#[test]
fn every_root_and_the_stored_hashes_of_every_leaf() {
    let (rfc, leaves, store) = setup();
    assert_eq!(store.len() as u64, stored_hash_count(MAX as u64));
    assert_eq!(tree::root(&[]), rfc.mth(0, 0));
    let mut frontier = Frontier::new();
    for n in 1..=MAX {
        let size = n as u64;
        let before = stored_hash_count(size - 1) as usize;
        let prefix = &store[..before];
        // What a writer stores for leaf n - 1, read back or kept in a frontier, is the same.
        let mut appended = Vec::new();
        assert_eq!(frontier.append_stored(leaves[n - 1], &mut appended), Ok(size - 1));
        assert_eq!(stored::stored_hashes(size - 1, leaves[n - 1], prefix).as_ref(), Ok(&appended), "leaf {n}");
        assert_eq!(&store[before..stored_hash_count(size) as usize], appended.as_slice(), "leaf {n}");
        // ... and every stored hash is the MTH of the subtree its index names.
        for index in before as u64..stored_hash_count(size) {
            let (level, i) = split_stored_hash_index(index);
            assert_eq!(stored_hash_index(level, i), index);
            let (lo, hi) = ((i << level) as usize, ((i + 1) << level) as usize);
            assert_eq!(store[index as usize], rfc.mth(lo, hi), "stored hash {index} = ({level}, {i})");
        }

        let prefix = &store[..stored_hash_count(size) as usize];
        let want = rfc.mth(0, n);
        assert_eq!(tree::root(&leaves[..n]), want, "size {n}");
        assert_eq!(frontier.root(), want, "size {n}");
        assert_eq!(stored::tree_hash(size, prefix), Ok(want), "size {n}");
        let restored = Frontier::from_reader(size, prefix).expect("stored");
        assert_eq!(restored, frontier, "size {n}");
        assert_eq!(Frontier::from_border(size, frontier.border()).as_ref(), Ok(&frontier));
    }
}

#[test]
fn every_inclusion_proof() {
    let (rfc, leaves, store) = setup();
    let mut checked = 0;
    for n in 1..=MAX {
        let size = n as u64;
        let prefix = &store[..stored_hash_count(size) as usize];
        let root = rfc.mth(0, n);
        for m in 0..n {
            let want = rfc.path(m, 0, n);
            let index = m as u64;
            assert_eq!(tree::inclusion_proof(&leaves[..n], index).as_ref(), Ok(&want), "leaf {m} of {n}");
            assert_eq!(stored::inclusion_proof(index, size, prefix).as_ref(), Ok(&want), "leaf {m} of {n}");
            assert_eq!(verify_inclusion(index, size, &leaves[m], &want, &root), Ok(()), "leaf {m} of {n}");
            checked += 1;
        }
    }
    assert_eq!(checked, MAX * (MAX + 1) / 2);
}

#[test]
fn every_consistency_proof() {
    let (rfc, leaves, store) = setup();
    let mut checked = 0;
    for n in 1..=MAX {
        let size = n as u64;
        let prefix = &store[..stored_hash_count(size) as usize];
        let root = rfc.mth(0, n);
        for m in 1..=n {
            let want = rfc.proof(m, n);
            let old = m as u64;
            assert_eq!(tree::consistency_proof(&leaves[..n], old).as_ref(), Ok(&want), "{m} to {n}");
            assert_eq!(stored::consistency_proof(old, size, prefix).as_ref(), Ok(&want), "{m} to {n}");
            assert_eq!(verify_consistency(old, size, &want, &rfc.mth(0, m), &root), Ok(()), "{m} to {n}");
            checked += 1;
        }
    }
    assert_eq!(checked, MAX * (MAX + 1) / 2);
}
