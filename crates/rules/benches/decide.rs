//! Decisions per second on one core, on the in-memory API (flows already resolved), over
//! 10,000 random flows from a fixed seed across every jurisdiction, category and threshold.
//!
//! `cargo bench -p rules --bench decide`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rules::Rulebook;

fn decide(c: &mut Criterion) {
    let rulebook = Rulebook::embedded().expect("embedded rulebook is valid");
    let mut gen = rules::gen::FlowGen::new(&rulebook, 2026);
    let flows: Vec<_> = (0..10_000).map(|_| gen.flow()).collect();
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(flows.len() as u64));
    group.bench_function("random-flows", |b| {
        b.iter(|| {
            let mut allowed = 0u32;
            for flow in &flows {
                if let Ok(d) = rulebook.decide(black_box(flow)) {
                    allowed += u32::from(d.verdict == rules::Verdict::Allow);
                }
            }
            allowed
        })
    });
    // One pair, repeated: the cost of the engine itself when the tables are hot in cache.
    let one = flows[0];
    group.throughput(Throughput::Elements(1));
    group.bench_function("one-flow", |b| b.iter(|| rulebook.decide(black_box(&one)).map(|d| d.verdict)));
    group.finish();
}

criterion_group!(benches, decide);
criterion_main!(benches);
