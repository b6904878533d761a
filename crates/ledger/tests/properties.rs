//! Properties on random input: proofs for random trees of up to 4096 leaves verify, and every
//! mutation of them fails (a flipped byte, a dropped or added hash, another index, other sizes);
//! hostile input (any sizes, `0` and `u64::MAX` included, any proof) fails without panicking; on
//! trees of up to 2^63 identical leaves, whose stored hashes can be computed on demand, proofs
//! from stored hashes verify; and stored-hash addressing is a bijection.

use std::convert::Infallible;
use std::sync::OnceLock;

use ledger::{
    leaf_hash, node_hash, split_stored_hash_index, stored, stored_hash_count, stored_hash_index, tree,
    verify_consistency, verify_inclusion, Frontier, Hash, HashReader, VerifyError, MAX_TREE_SIZE,
};
use proptest::prelude::*;

const LEAVES: u64 = 4096;

struct Log {
    leaves: Vec<Hash>,
    store: Vec<Hash>,
}

/// One log of 4096 leaves; the tree of its first `n` leaves reads `&store[..stored_hash_count(n)]`.
fn log() -> &'static Log {
    static LOG: OnceLock<Log> = OnceLock::new();
    LOG.get_or_init(|| {
        let leaves: Vec<Hash> = (0..LEAVES).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
        let mut frontier = Frontier::new();
        let mut store = Vec::new();
        for leaf in &leaves {
            frontier.append_stored(*leaf, &mut store).expect("room");
        }
        Log { leaves, store }
    })
}

fn store(size: u64) -> &'static [Hash] {
    &log().store[..stored_hash_count(size) as usize]
}

fn root_of(size: u64) -> Hash {
    stored::tree_hash(size, store(size)).expect("stored")
}

fn flip(hash: &Hash, byte: usize) -> Hash {
    let mut bytes = hash.0;
    bytes[byte % 32] ^= 0x80;
    Hash(bytes)
}

fn is_root_mismatch(e: &VerifyError) -> bool {
    matches!(
        e,
        VerifyError::RootMismatch { .. } | VerifyError::OldRootMismatch { .. } | VerifyError::NewRootMismatch { .. }
    )
}

fn any_hash() -> impl Strategy<Value = Hash> {
    any::<[u8; 32]>().prop_map(Hash)
}

/// Sizes and indexes an attacker would try first, and any others.
fn hostile_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(2),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        Just(1 << 63),
        Just((1 << 63) - 1),
        Just((1 << 63) + 1),
        (0u32..64).prop_map(|b| 1u64 << b),
        (0u32..64).prop_map(|b| (1u64 << b).wrapping_sub(1)),
        0u64..10_000,
        any::<u64>(),
    ]
}

/// The length the verifier requires for these sizes, read from its own error on an empty proof.
fn required_len(result: Result<(), VerifyError>) -> Option<usize> {
    match result {
        Err(VerifyError::WrongProofLength { want, .. }) => Some(want),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn inclusion_proofs_verify_and_every_mutation_fails(
        size in 1..=LEAVES,
        index_seed in any::<u64>(),
        pick in any::<usize>(),
        other_seed in any::<u64>(),
        extra in any_hash(),
    ) {
        let index = index_seed % size;
        let leaves = &log().leaves[..size as usize];
        let leaf = leaves[index as usize];
        let root = root_of(size);
        prop_assert_eq!(tree::root(leaves), root);
        let proof = stored::inclusion_proof(index, size, store(size)).expect("stored");
        prop_assert_eq!(&tree::inclusion_proof(leaves, index).expect("in range"), &proof);
        prop_assert_eq!(verify_inclusion(index, size, &leaf, &proof, &root), Ok(()));

        if !proof.is_empty() {
            let at = pick % proof.len();
            let mut bad = proof.clone();
            bad[at] = flip(&bad[at], pick / 7);
            let e = verify_inclusion(index, size, &leaf, &bad, &root).expect_err("flipped byte");
            prop_assert!(matches!(e, VerifyError::RootMismatch { .. }), "{}", e);
            let mut bad = proof.clone();
            bad.remove(at);
            let e = verify_inclusion(index, size, &leaf, &bad, &root).expect_err("dropped hash");
            prop_assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{}", e);
        }
        let mut bad = proof.clone();
        bad.insert(pick % (proof.len() + 1), extra);
        let e = verify_inclusion(index, size, &leaf, &bad, &root).expect_err("added hash");
        prop_assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{}", e);

        prop_assert!(verify_inclusion(index, size, &flip(&leaf, pick), &proof, &root).is_err());
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, &flip(&root, pick)).is_err());
        let other_index = other_seed % size;
        if other_index != index {
            prop_assert!(verify_inclusion(other_index, size, &leaf, &proof, &root).is_err());
        }
        // Another size, with that size's root: a checkpoint binds its size to its root.
        let other_size = 1 + other_seed % LEAVES;
        if other_size != size && other_size > index {
            prop_assert!(verify_inclusion(index, other_size, &leaf, &proof, &root_of(other_size)).is_err());
        }
        let beyond = size + other_seed % 1000;
        prop_assert_eq!(
            verify_inclusion(beyond, size, &leaf, &proof, &root),
            Err(VerifyError::IndexOutOfRange { index: beyond, size })
        );
    }

    #[test]
    fn consistency_proofs_verify_and_every_mutation_fails(
        new_size in 1..=LEAVES,
        old_seed in any::<u64>(),
        pick in any::<usize>(),
        other_old_seed in any::<u64>(),
        other_new_seed in any::<u64>(),
        extra in any_hash(),
    ) {
        let old_size = 1 + old_seed % new_size;
        let (old_root, new_root) = (root_of(old_size), root_of(new_size));
        let proof = stored::consistency_proof(old_size, new_size, store(new_size)).expect("stored");
        let leaves = &log().leaves[..new_size as usize];
        prop_assert_eq!(&tree::consistency_proof(leaves, old_size).expect("valid sizes"), &proof);
        prop_assert_eq!(verify_consistency(old_size, new_size, &proof, &old_root, &new_root), Ok(()));

        if !proof.is_empty() {
            let at = pick % proof.len();
            let mut bad = proof.clone();
            bad[at] = flip(&bad[at], pick / 7);
            let e = verify_consistency(old_size, new_size, &bad, &old_root, &new_root).expect_err("flipped byte");
            prop_assert!(is_root_mismatch(&e), "{}", e);
            let mut bad = proof.clone();
            bad.remove(at);
            let e = verify_consistency(old_size, new_size, &bad, &old_root, &new_root).expect_err("dropped hash");
            prop_assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{}", e);
        }
        let mut bad = proof.clone();
        bad.insert(pick % (proof.len() + 1), extra);
        let e = verify_consistency(old_size, new_size, &bad, &old_root, &new_root).expect_err("added hash");
        prop_assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{}", e);

        prop_assert!(verify_consistency(old_size, new_size, &proof, &flip(&old_root, pick), &new_root).is_err());
        prop_assert!(verify_consistency(old_size, new_size, &proof, &old_root, &flip(&new_root, pick)).is_err());
        if old_size != new_size {
            prop_assert!(verify_consistency(old_size, new_size, &proof, &new_root, &old_root).is_err());
        }
        // Other sizes, each with its own root; equal sizes with an empty proof would be a true claim.
        let other_new = 1 + other_new_seed % LEAVES;
        let other_old = 1 + other_old_seed % other_new;
        if (other_old, other_new) != (old_size, new_size) && !(other_old == other_new && proof.is_empty()) {
            prop_assert!(
                verify_consistency(other_old, other_new, &proof, &root_of(other_old), &root_of(other_new)).is_err(),
                "sizes {} to {}", other_old, other_new
            );
        }
        prop_assert_eq!(
            verify_consistency(new_size + 1, new_size, &proof, &old_root, &new_root),
            Err(VerifyError::OldSizeExceedsNewSize { old_size: new_size + 1, new_size })
        );
        prop_assert_eq!(
            verify_consistency(0, new_size, &proof, &old_root, &new_root),
            Err(VerifyError::EmptyOldTree { new_size })
        );
    }

    #[test]
    fn hostile_inclusion_input_fails_without_panicking(
        index in hostile_u64(),
        size in hostile_u64(),
        leaf in any_hash(),
        root in any_hash(),
        proof in prop::collection::vec(any_hash(), 0..80),
    ) {
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, &root).is_err());
        // A proof of exactly the right length is hashed all the way, even for the largest sizes.
        if let Some(want) = required_len(verify_inclusion(index, size, &leaf, &[], &root)) {
            prop_assert!(index < size && want <= 64);
            let proof: Vec<Hash> = (0..want).map(|i| proof.get(i).copied().unwrap_or(leaf)).collect();
            let e = verify_inclusion(index, size, &leaf, &proof, &root).expect_err("random proof");
            prop_assert!(matches!(e, VerifyError::RootMismatch { .. }), "{}", e);
        }
    }

    #[test]
    fn hostile_consistency_input_fails_without_panicking(
        old_size in hostile_u64(),
        new_size in hostile_u64(),
        old_root in any_hash(),
        new_root in any_hash(),
        proof in prop::collection::vec(any_hash(), 0..80),
    ) {
        prop_assert!(verify_consistency(old_size, new_size, &proof, &old_root, &new_root).is_err());
        if let Some(want) = required_len(verify_consistency(old_size, new_size, &[], &old_root, &new_root)) {
            prop_assert!(0 < old_size && old_size < new_size && want <= 65);
            let proof: Vec<Hash> = (0..want).map(|i| proof.get(i).copied().unwrap_or(old_root)).collect();
            let e = verify_consistency(old_size, new_size, &proof, &old_root, &new_root).expect_err("random proof");
            prop_assert!(is_root_mismatch(&e), "{}", e);
        }
        // Equal sizes: only an empty proof and equal roots pass.
        if old_size > 0 {
            prop_assert_eq!(verify_consistency(old_size, old_size, &[], &old_root, &old_root), Ok(()));
        }
    }

    #[test]
    fn proofs_in_huge_trees_verify(size in 1..=MAX_TREE_SIZE, index_seed in any::<u64>(), pick in any::<usize>()) {
        let index = index_seed % size;
        let old_size = 1 + index;
        let root = stored::tree_hash(size, &Uniform).expect("computed");
        prop_assert_eq!(Frontier::from_reader(size, &Uniform).expect("computed").root(), root);
        let inclusion = stored::inclusion_proof(index, size, &Uniform).expect("computed");
        prop_assert_eq!(verify_inclusion(index, size, &Uniform::LEAF, &inclusion, &root), Ok(()));
        let old_root = stored::tree_hash(old_size, &Uniform).expect("computed");
        let consistency = stored::consistency_proof(old_size, size, &Uniform).expect("computed");
        prop_assert_eq!(verify_consistency(old_size, size, &consistency, &old_root, &root), Ok(()));
        if !inclusion.is_empty() {
            let mut bad = inclusion.clone();
            let at = pick % bad.len();
            bad[at] = flip(&bad[at], pick);
            prop_assert!(verify_inclusion(index, size, &Uniform::LEAF, &bad, &root).is_err());
        }
        if !consistency.is_empty() {
            let mut bad = consistency.clone();
            let at = pick % bad.len();
            bad[at] = flip(&bad[at], pick);
            prop_assert!(verify_consistency(old_size, size, &bad, &old_root, &root).is_err());
        }
        // Appending: the frontier's stored hashes equal the ones computed from reads.
        if size < MAX_TREE_SIZE {
            let mut frontier = Frontier::from_reader(size, &Uniform).expect("computed");
            let mut appended = Vec::new();
            prop_assert_eq!(frontier.append_stored(Uniform::LEAF, &mut appended), Ok(size));
            prop_assert_eq!(stored::stored_hashes(size, Uniform::LEAF, &Uniform).expect("computed"), appended);
            prop_assert_eq!(frontier.root(), stored::tree_hash(size + 1, &Uniform).expect("computed"));
        }
    }

    #[test]
    fn stored_hash_indexes_are_a_bijection(index in any::<u64>(), level in 0u8..64, n_seed in any::<u64>()) {
        let (l, n) = split_stored_hash_index(index);
        prop_assert_eq!(stored_hash_index(l, n), index);
        // Any node of a tree of at most 2^63 leaves: (n + 1) << level <= 2^63.
        let n = n_seed % (1u64 << (63 - level));
        prop_assert_eq!(split_stored_hash_index(stored_hash_index(level, n)), (level, n));
    }

    #[test]
    fn stored_hash_counts_grow_by_each_leaf_and_its_completed_subtrees(size in 0..MAX_TREE_SIZE) {
        prop_assert_eq!(stored_hash_index(0, size), stored_hash_count(size));
        prop_assert_eq!(stored_hash_count(size + 1) - stored_hash_count(size), 1 + u64::from(size.trailing_ones()));
    }
}

/// The stored hashes of a tree of identical leaves, any size up to 2^63: every perfect subtree of
/// `2^level` leaves has the same hash, so a hash depends on its level alone.
struct Uniform;

impl Uniform {
    const LEAF: Hash = Hash([0x42; 32]);

    fn level_hash(level: u8) -> Hash {
        (0..level).fold(Self::LEAF, |h, _| node_hash(&h, &h))
    }
}

impl HashReader for Uniform {
    type Error = Infallible;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Infallible> {
        Ok(indexes.iter().map(|&i| Self::level_hash(split_stored_hash_index(i).0)).collect())
    }
}
