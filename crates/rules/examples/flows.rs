//! Writes N random, valid flows as NDJSON (fixed seed), for measuring `dfft check --batch`.
//! `cargo run --release -p rules --example flows -- 1000000 > flows.ndjson`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let rb = rules::Rulebook::embedded().expect("the embedded rulebook is valid");
    let mut gen = rules::gen::FlowGen::new(&rb, 2026);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for _ in 0..n {
        let flow = rb.echo(&gen.flow());
        serde_json::to_writer(&mut out, &flow)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
