//! Prints how much work random decisions do: instances visited per table, verdict mix.
//! `cargo run --release -p rules --example stats`
fn main() {
    let rb = rules::Rulebook::embedded().expect("valid");
    let mut gen = rules::gen::FlowGen::new(&rb, 2026);
    let flows: Vec<_> = (0..100_000).map(|_| gen.flow()).collect();
    let (mut routes, mut exp, mut imp, mut n) = (0usize, 0usize, 0usize, 0usize);
    let mut verdicts = [0usize; 4];
    for f in &flows {
        let Ok(d) = rb.decide(f) else { continue };
        n += 1;
        verdicts[d.verdict as usize] += 1;
        routes += rb.tables.exports.list(rb.tables.exports.at(d.exporter, f.to, f.as_of), 0).count();
        exp += rb.tables.exports.list(rb.tables.exports.at(d.exporter, f.to, f.as_of), 1).count();
        if let Some(j) = d.importer {
            imp += rb.tables.imports.list(rb.tables.imports.at(j, f.from, f.as_of), 0).count();
        }
    }
    let t = &rb.tables;
    println!("decided {n}; verdicts allow/cond/approval/deny {verdicts:?}");
    println!(
        "avg instances in force: routes {:.1}, export restrictions {:.1}, import restrictions {:.1}",
        routes as f64 / n as f64,
        exp as f64 / n as f64,
        imp as f64 / n as f64
    );
    println!(
        "export table: {} segments, {} list items; import table: {} segments",
        t.exports.segments.len(),
        t.exports.items.len(),
        t.imports.segments.len()
    );
    println!("instance size {} bytes", std::mem::size_of::<rules::engine::Instance>());
}
