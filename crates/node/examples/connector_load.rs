//! Connector load: complete negotiations (request → FINALIZED) and transfer starts per second
//! between two nodes over loopback HTTP with durable SQLite, plus the provider's start time and
//! resident memory, idle and under load.
//!
//! The provider is a separate `dfft serve` process (so its memory is its own); the consumer node
//! runs in this process and drives the load.
//!
//! cargo build --release -p dfft && cargo run --release -p node --example connector_load -- \
//!     [--negotiations 5000] [--concurrency 64] [--transfers 2000] [--dfft target/release/dfft]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use node::app::StateEvent;
use node::decide::Terms;
use node::{NodeDir, ServeOptions};
use tokio::sync::{broadcast, oneshot, Mutex};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    negotiations: usize,
    concurrency: usize,
    transfers: usize,
    dfft: PathBuf,
}

fn args() -> Args {
    let mut a =
        Args { negotiations: 5000, concurrency: 64, transfers: 2000, dfft: PathBuf::from("target/release/dfft") };
    let list: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < list.len() {
        let v = &list[i + 1];
        match list[i].as_str() {
            "--negotiations" => a.negotiations = v.parse().unwrap_or(a.negotiations),
            "--concurrency" => a.concurrency = v.parse().unwrap_or(a.concurrency),
            "--transfers" => a.transfers = v.parse().unwrap_or(a.transfers),
            "--dfft" => a.dfft = PathBuf::from(v),
            other => eprintln!("ignored argument {other}"),
        }
        i += 2;
    }
    a
}

/// Kills the provider process when dropped.
struct Provider(Child);

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(18181)
}

/// Starts `dfft serve` and measures the time until it answers its first request.
fn start_provider(dfft: &Path, dir: &Path) -> (Provider, String, Duration) {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let child = Command::new(dfft)
        .args(["serve", &dir.to_string_lossy(), "--listen", &format!("127.0.0.1:{port}"), "--log", "error"])
        .stdout(Stdio::null())
        .spawn()
        .expect("dfft serve starts");
    let provider = Provider(child);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ =
                stream.write_all(b"GET /.well-known/dspace-version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the provider did not start");
        std::thread::sleep(Duration::from_micros(200));
    }
    (provider, url, started.elapsed())
}

/// Routes state events to whoever waits for a process to reach a final state.
type Waiters = Arc<Mutex<HashMap<String, (Vec<&'static str>, oneshot::Sender<String>)>>>;

fn watch(mut events: broadcast::Receiver<StateEvent>, waiters: Waiters) {
    tokio::spawn(async move {
        let mut early: HashMap<String, String> = HashMap::new();
        loop {
            match events.recv().await {
                Ok(event) => {
                    let mut w = waiters.lock().await;
                    let done = w.get(&event.pid).map(|(ends, _)| ends.contains(&event.state.as_str())).unwrap_or(false);
                    if done {
                        if let Some((_, tx)) = w.remove(&event.pid) {
                            let _ = tx.send(event.state);
                        }
                    } else if !w.contains_key(&event.pid) {
                        early.insert(event.pid, event.state);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(n)) => eprintln!("watcher lagged by {n} events"),
                Err(_) => return,
            }
        }
    });
}

#[tokio::main]
async fn main() {
    let args = args();
    let base = std::env::temp_dir().join(format!("dfft-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("temp dir");
    let rulebook = Arc::new(rules::Rulebook::embedded().expect("rulebook"));

    let provider_dir = base.join("provider");
    let consumer_dir = base.join("consumer");
    NodeDir::init(&provider_dir, "Berlin University Hospital", "DE").expect("init provider");
    NodeDir::init(&consumer_dir, "Tokyo Research Institute", "JP").expect("init consumer");
    let data = base.join("cases.csv");
    std::fs::write(&data, "id,value\n1,a\n2,b\n").expect("data");
    {
        let dir = NodeDir::open(&provider_dir).expect("open");
        let store = store::SqliteStore::open(&dir.database()).expect("db");
        let new = node::datasets::NewDataset {
            id: "cases".into(),
            file: data.to_string_lossy().into_owned(),
            categories: vec!["health".into()],
            subjects: 5000,
            title: None,
            policy: None,
            compute: None,
        };
        node::datasets::register(&store, &rulebook, new).await.expect("dataset");
    }

    let (provider, provider_url, start_time) = start_provider(&args.dfft, &provider_dir);
    let provider_pid = provider.0.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = status_kib(provider_pid, "VmRSS:");

    let options = ServeOptions { listen: Some("127.0.0.1:0".into()), tck: false };
    let consumer = node::start(&consumer_dir, &options, node::Law::without_issuers(Arc::clone(&rulebook)))
        .await
        .expect("consumer");
    let node = consumer.node.clone();
    let waiters: Waiters = Arc::default();
    watch(node.events.subscribe(), Arc::clone(&waiters));
    let provider_dsp = format!("{provider_url}/dsp/2025-1");
    let me = node::client::Identity { key: &node.key, config: &node.config, credentials: &[] };
    let offer = node::client::dataset_offer(&node.http, me, &provider_dsp, "cases").await.expect("offer");
    let terms = Terms { purpose: Some("research".into()), safeguards: vec![] };

    println!("provider: dfft serve (pid {provider_pid}) at {provider_url}; consumer in this process");
    println!("start to first answered request: {:.1} ms", start_time.as_secs_f64() * 1000.0);
    println!("provider idle RSS: {:.1} MiB", idle_rss as f64 / 1024.0);

    // Negotiations, `concurrency` at a time.
    let semaphore = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.negotiations {
        let permit = Arc::clone(&semaphore).acquire_owned().await.expect("semaphore");
        let (node, waiters, offer, terms, dsp) =
            (node.clone(), Arc::clone(&waiters), offer.clone(), terms.clone(), provider_dsp.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let rec = node::consumer::negotiate(&node, &dsp, "cases", offer, &terms).await.expect("request accepted");
            let (tx, rx) = oneshot::channel();
            {
                let mut w = waiters.lock().await;
                // It may have finished before we registered.
                if let Ok(Some(now)) = store::Store::negotiation(&node.store, &rec.pid).await {
                    if now.state == "FINALIZED" || now.state == "TERMINATED" {
                        return (now.state, now.agreement_id);
                    }
                }
                w.insert(rec.pid.clone(), (vec!["FINALIZED", "TERMINATED"], tx));
            }
            let state =
                tokio::time::timeout(Duration::from_secs(60), rx).await.ok().and_then(Result::ok).unwrap_or_default();
            let agreement =
                store::Store::negotiation(&node.store, &rec.pid).await.ok().flatten().and_then(|r| r.agreement_id);
            (state, agreement)
        }));
    }
    let mut agreements = Vec::new();
    let mut finalized = 0;
    for task in tasks {
        let (state, agreement) = task.await.expect("task");
        if state == "FINALIZED" {
            finalized += 1;
            agreements.extend(agreement);
        }
    }
    let elapsed = started.elapsed();
    let loaded_rss = status_kib(provider_pid, "VmHWM:");
    println!(
        "negotiations: {finalized}/{} FINALIZED in {:.2} s = {:.0} complete negotiations/s (concurrency {})",
        args.negotiations,
        elapsed.as_secs_f64(),
        finalized as f64 / elapsed.as_secs_f64(),
        args.concurrency
    );
    println!("provider peak RSS under negotiation load: {:.1} MiB", loaded_rss as f64 / 1024.0);

    // Transfer starts: request → STARTED (the provider decides again and sends the data address).
    let count = args.transfers.min(agreements.len());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for agreement in agreements.into_iter().take(count) {
        let permit = Arc::clone(&semaphore).acquire_owned().await.expect("semaphore");
        let (node, waiters, dsp) = (node.clone(), Arc::clone(&waiters), provider_dsp.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permit;
            let rec =
                node::consumer::transfer(&node, &dsp, &agreement, dsp::HTTP_DATA_PULL).await.expect("request accepted");
            let (tx, rx) = oneshot::channel();
            {
                let mut w = waiters.lock().await;
                if let Ok(Some(now)) = store::Store::transfer(&node.store, &rec.pid).await {
                    if now.state == "STARTED" || now.state == "TERMINATED" {
                        return now.state;
                    }
                }
                w.insert(rec.pid.clone(), (vec!["STARTED", "TERMINATED"], tx));
            }
            tokio::time::timeout(Duration::from_secs(60), rx).await.ok().and_then(Result::ok).unwrap_or_default()
        }));
    }
    let mut started_ok = 0;
    for task in tasks {
        if task.await.expect("task") == "STARTED" {
            started_ok += 1;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "transfer starts: {started_ok}/{count} STARTED in {:.2} s = {:.0} transfer starts/s",
        elapsed.as_secs_f64(),
        started_ok as f64 / elapsed.as_secs_f64()
    );
    println!("provider peak RSS overall: {:.1} MiB", status_kib(provider_pid, "VmHWM:") as f64 / 1024.0);
    drop(provider);
    let _ = consumer.stop().await;
    let _ = std::fs::remove_dir_all(&base);
}
