//! Decides N random flows in a loop, for profilers (`valgrind --tool=callgrind`).
//! `cargo run --release -p rules --example profile -- 100000`
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let rb = rules::Rulebook::embedded().expect("valid");
    let mut gen = rules::gen::FlowGen::new(&rb, 2026);
    let flows: Vec<_> = (0..10_000).map(|_| gen.flow()).collect();
    let mut allowed = 0usize;
    for i in 0..n {
        if let Ok(d) = rb.decide(std::hint::black_box(&flows[i % flows.len()])) {
            allowed += usize::from(d.verdict == rules::Verdict::Allow);
        }
    }
    println!("{allowed}");
}
