//! Durable commits per second with 1, 8 and 64 concurrent committers, each commit one
//! `InsertNegotiation`, on a fresh SQLite file in the temporary directory.
//!
//! `cargo run -p store --release --example commit_rate [seconds per run, default 3]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use store::{NegotiationRecord, Side, SqliteStore, Store, Write};

fn negotiation(pid: String, now: i64) -> NegotiationRecord {
    NegotiationRecord {
        pid,
        side: Side::Provider,
        peer_pid: Some("urn:uuid:peer".to_owned()),
        peer_address: Some("https://consumer.example/callback".to_owned()),
        peer_id: Some("did:web:consumer.example".to_owned()),
        dataset_id: "ds-1".to_owned(),
        offer: json!({"@type": "Offer", "permission": [{"action": "use"}]}),
        state: "REQUESTED".to_owned(),
        agreement_id: None,
        terms: json!({"purpose": "research"}),
        reason: None,
        version: 0,
        created_ms: now,
        updated_ms: now,
    }
}

async fn run(committers: usize, seconds: f64) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("dfft-commit-rate-{}-{committers}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let store = Arc::new(SqliteStore::open(&dir.join("store.db"))?);
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for task in 0..committers {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut commits = 0u64;
            while Instant::now() < deadline {
                let write = Write::InsertNegotiation(negotiation(format!("{task}-{commits}"), commits as i64));
                store.commit(vec![write]).await?;
                commits += 1;
            }
            Ok::<u64, store::StoreError>(commits)
        }));
    }
    let mut commits = 0;
    for task in tasks {
        commits += task.await??;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let stats = store.commit_stats();
    println!(
        "{committers:>3} committers: {commits:>7} commits in {elapsed:.2} s = {:>8.0} commits/s, \
         {} transactions, mean batch {:.1} commits",
        commits as f64 / elapsed,
        stats.transactions,
        stats.mean_group(),
    );
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 3.0,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().build()?;
    for committers in [1, 8, 64] {
        runtime.block_on(run(committers, seconds))?;
    }
    Ok(())
}
