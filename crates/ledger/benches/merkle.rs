//! The transparency log's hot paths on one core: appending leaves (with and without producing the
//! hashes to store), building proofs from stored hashes in memory, and verifying them.
//!
//! `cargo bench -p ledger --bench merkle`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ledger::{leaf_hash, stored, verify_consistency, verify_inclusion, Frontier, Hash};

/// 2^20 + 12345 leaves: a million entries and a ragged right border.
const SIZE: u64 = (1 << 20) + 12_345;

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn append(c: &mut Criterion) {
    let batch = leaves(10_000);
    let mut group = c.benchmark_group("append");
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("frontier", |b| {
        b.iter(|| {
            let mut frontier = Frontier::new();
            for leaf in &batch {
                frontier.append(*leaf).expect("room");
            }
            frontier.root()
        })
    });
    group.bench_function("frontier+stored", |b| {
        b.iter_batched_ref(
            || Vec::with_capacity(2 * batch.len()),
            |stored| {
                let mut frontier = Frontier::new();
                for leaf in &batch {
                    frontier.append_stored(*leaf, stored).expect("room");
                }
                frontier.root()
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("leaf-hash", |b| {
        let entry = [0x5au8; 256];
        b.iter(|| leaf_hash(black_box(&entry)))
    });
    group.finish();
}

fn proofs(c: &mut Criterion) {
    let mut hashes = Vec::new();
    let mut frontier = Frontier::new();
    for leaf in leaves(SIZE) {
        frontier.append_stored(leaf, &mut hashes).expect("room");
    }
    let root = frontier.root();
    let old_size = SIZE / 3;
    let old_root = stored::tree_hash(old_size, &hashes).expect("stored");
    let index = SIZE / 2 + 7;
    let leaf = leaf_hash(&index.to_be_bytes());
    let inclusion = stored::inclusion_proof(index, SIZE, &hashes).expect("stored");
    let consistency = stored::consistency_proof(old_size, SIZE, &hashes).expect("stored");

    let mut group = c.benchmark_group("proofs");
    group.throughput(Throughput::Elements(1));
    group.bench_function("inclusion/prove", |b| {
        b.iter(|| stored::inclusion_proof(black_box(index), SIZE, &hashes).expect("stored"))
    });
    group.bench_function("inclusion/verify", |b| {
        b.iter(|| verify_inclusion(black_box(index), SIZE, &leaf, black_box(&inclusion), &root).expect("valid"))
    });
    group.bench_function("consistency/prove", |b| {
        b.iter(|| stored::consistency_proof(black_box(old_size), SIZE, &hashes).expect("stored"))
    });
    group.bench_function("consistency/verify", |b| {
        b.iter(|| {
            verify_consistency(black_box(old_size), SIZE, black_box(&consistency), &old_root, &root).expect("valid")
        })
    });
    group.bench_function("tree-hash", |b| b.iter(|| stored::tree_hash(black_box(SIZE), &hashes).expect("stored")));
    group.finish();
}

criterion_group!(benches, append, proofs);
criterion_main!(benches);
