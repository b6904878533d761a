//! The SQLite backend: the shared suite on a fresh file per test, plus what only a file-backed
//! store can show (reopening, crashes, corrupt rows, schema versions).

mod suite;

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use store::{SqliteStore, Store, StoreError, Write};
use suite::fixtures::*;

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("dfft-store-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        TempDir(path)
    }

    fn db(&self) -> PathBuf {
        self.0.join("store.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path).expect("open the store")
}

fn fresh() -> (Arc<SqliteStore>, TempDir) {
    let dir = TempDir::new("suite");
    (Arc::new(open(&dir.db())), dir)
}

suite::store_suite!(fresh());

fn everything() -> Vec<Write> {
    vec![
        Write::InsertDataset(dataset("ds-1", 1)),
        Write::InsertDataset(bare_dataset("ds-2", 2)),
        Write::InsertNegotiation(full_negotiation("n-1", 1)),
        Write::InsertNegotiation(bare_negotiation("n-2", 2)),
        Write::InsertAgreement(full_agreement("a-1", 1)),
        Write::InsertAgreement(bare_agreement("a-2", 2)),
        Write::InsertTransfer(full_transfer("t-1", 1)),
        Write::InsertTransfer(bare_transfer("t-2", 2)),
        Write::InsertDecision(full_decision("d-1", "n-1", 1)),
        Write::InsertDecision(bare_decision("d-2", 2)),
        Write::EnqueueOutbox(full_outbox("o-1", 1_000)),
        Write::EnqueueOutbox(bare_outbox("o-2", 2_000)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopen_keeps_everything() {
    let dir = TempDir::new("reopen");
    let store = open(&dir.db());
    let clone = store.clone();
    assert_eq!(store.commit(everything()).await, Ok(()));
    assert_eq!(store.commit(vec![Write::UpdateNegotiation(full_negotiation("n-2", 2))]).await, Ok(()));
    assert_eq!(clone.commit(vec![Write::InsertDataset(dataset("ds-3", 3))]).await, Ok(()));
    drop(store);
    drop(clone);

    let store = open(&dir.db());
    let datasets = store.datasets().await;
    assert_eq!(datasets, Ok(vec![dataset("ds-1", 1), bare_dataset("ds-2", 2), dataset("ds-3", 3)]));
    let n2 = store::NegotiationRecord { version: 1, ..full_negotiation("n-2", 2) };
    assert_eq!(store.negotiations(10).await, Ok(vec![n2, full_negotiation("n-1", 1)]));
    assert_eq!(store.agreements(10).await, Ok(vec![bare_agreement("a-2", 2), full_agreement("a-1", 1)]));
    assert_eq!(store.transfers(10).await, Ok(vec![bare_transfer("t-2", 2), full_transfer("t-1", 1)]));
    let decisions = store.decisions(None, 10).await;
    assert_eq!(decisions, Ok(vec![bare_decision("d-2", 2), full_decision("d-1", "n-1", 1)]));
    assert_eq!(store.pending_outbox().await, Ok(vec![full_outbox("o-1", 1_000), bare_outbox("o-2", 2_000)]));
    // Versions carry on from where they were.
    let stale = Write::UpdateNegotiation(full_negotiation("n-2", 2));
    let conflict = StoreError::Conflict { table: "negotiations", id: "n-2".to_owned() };
    assert_eq!(store.commit(vec![stale]).await, Err(conflict));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_is_versioned_and_wal() {
    let dir = TempDir::new("schema");
    let store = open(&dir.db());
    assert_eq!(store.commit(everything()).await, Ok(()));
    let conn = rusqlite::Connection::open(dir.db()).expect("open directly");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("user_version");
    assert_eq!(version, 2);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("journal_mode");
    assert_eq!(mode, "wal");
    drop(store);

    // Opening again migrates nothing and keeps the data.
    let store = open(&dir.db());
    assert_eq!(store.datasets().await.map(|d| d.len()), Ok(2));
    drop(store);

    // A file from a newer build is refused rather than misread.
    conn.pragma_update(None, "user_version", 99).expect("set user_version");
    match SqliteStore::open(&dir.db()) {
        Err(StoreError::Backend(message)) => assert!(message.contains("newer"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Corrupts one column of one row behind the store's back, then reads it through the store.
async fn corrupt(store: &SqliteStore, conn: &rusqlite::Connection, sql: &str, table: &str, column: &str) {
    conn.execute(sql, []).expect("corrupt a row");
    let result = match table {
        "datasets" => store.dataset("ds-1").await.map(|_| ()),
        "negotiations" => store.negotiation("n-1").await.map(|_| ()),
        "agreements" => store.agreements(10).await.map(|_| ()),
        "transfers" => {
            let token = full_transfer("t-1", 1).token_sha256.unwrap_or_default();
            store.transfer_by_token(&token).await.map(|_| ())
        }
        "decisions" => store.decisions(Some("n-1"), 10).await.map(|_| ()),
        _ => store.due_outbox(i64::MAX, 10).await.map(|_| ()),
    };
    match result {
        Err(StoreError::Backend(message)) => {
            assert!(message.contains(table) && message.contains(column), "{sql}: {message}");
        }
        other => panic!("{sql}: expected a backend error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_rows_are_errors_naming_table_and_column() {
    let dir = TempDir::new("corrupt");
    let store = open(&dir.db());
    assert_eq!(store.commit(everything()).await, Ok(()));
    let conn = rusqlite::Connection::open(dir.db()).expect("open directly");
    let cases = [
        ("UPDATE datasets SET categories = '[1, 2]' WHERE id = 'ds-1'", "datasets", "categories"),
        ("UPDATE datasets SET categories = '[]', subjects = -1 WHERE id = 'ds-1'", "datasets", "subjects"),
        ("UPDATE negotiations SET offer = '{not json' WHERE pid = 'n-1'", "negotiations", "offer"),
        ("UPDATE negotiations SET offer = '{}', side = 'sideways' WHERE pid = 'n-1'", "negotiations", "side"),
        ("UPDATE negotiations SET side = 'provider', version = 'abc' WHERE pid = 'n-1'", "negotiations", "version"),
        ("UPDATE agreements SET obligations = '' WHERE id = 'a-2'", "agreements", "obligations"),
        ("UPDATE transfers SET bytes = -5 WHERE pid = 't-1'", "transfers", "bytes"),
        ("UPDATE transfers SET bytes = NULL, data_address = 'nope' WHERE pid = 't-1'", "transfers", "data_address"),
        ("UPDATE decisions SET allowed = 'maybe' WHERE id = 'd-1'", "decisions", "allowed"),
        ("UPDATE outbox SET attempts = -1 WHERE id = 'o-1'", "outbox", "attempts"),
        ("UPDATE outbox SET attempts = 1, body = 'x' WHERE id = 'o-1'", "outbox", "body"),
    ];
    for (sql, table, column) in cases {
        corrupt(&store, &conn, sql, table, column).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_sqlite_cannot_hold_fail_the_batch() {
    let (store, _dir) = fresh();
    let huge = store::DatasetRecord { subjects: u64::MAX, ..dataset("ds-huge", 1) };
    let batch = vec![Write::InsertNegotiation(bare_negotiation("n-1", 1)), Write::InsertDataset(huge)];
    match store.commit(batch).await {
        Err(StoreError::Backend(message)) => assert!(message.contains("datasets.subjects"), "{message}"),
        other => panic!("expected a backend error, got {other:?}"),
    }
    assert_eq!(store.negotiation("n-1").await, Ok(None));
    let huge = store::TransferRecord { bytes: Some(u64::MAX), ..full_transfer("t-huge", 1) };
    let refused = store.commit(vec![Write::InsertTransfer(huge)]).await;
    assert!(matches!(refused, Err(StoreError::Backend(_))), "{refused:?}");
    assert_eq!(store.transfer("t-huge").await, Ok(None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commit_stats_count_every_batch() {
    let (store, _dir) = fresh();
    let mut tasks = Vec::new();
    for task in 0..16 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for i in 0..20 {
                let pid = format!("s{task}-{i}");
                outcomes.push(store.commit(vec![Write::InsertNegotiation(bare_negotiation(&pid, 1))]).await);
            }
            outcomes
        }));
    }
    for task in tasks {
        let outcomes = task.await.expect("task");
        assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    }
    // Empty batches never reach the writer.
    assert_eq!(store.commit(vec![]).await, Ok(()));
    let stats = store.commit_stats();
    assert_eq!(stats.batches, 16 * 20);
    assert!(stats.transactions >= 1 && stats.transactions <= stats.batches, "{stats:?}");
    assert!(stats.mean_group() >= 1.0, "{stats:?}");
}

/// Set in the child of `crash_durability` to the database it must write to.
const CRASH_CHILD: &str = "DFFT_STORE_CRASH_CHILD";
/// Concurrent committers in the child.
const CRASH_TASKS: usize = 4;

/// The child: commits negotiations from several tasks and prints `ACK <pid>` as soon as each
/// commit returns, until killed (or for a few seconds at most).
async fn crash_child(path: &Path) {
    let store = Arc::new(open(path));
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut tasks = Vec::new();
    for task in 0..CRASH_TASKS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while Instant::now() < deadline {
                let pid = format!("k{task}-{i}");
                let batch = vec![
                    Write::InsertNegotiation(full_negotiation(&pid, i)),
                    Write::EnqueueOutbox(bare_outbox(&pid, i)),
                ];
                store.commit(batch).await.expect("commit in the crash child");
                // Flushed at once: stdout may be block-buffered on a pipe.
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "ACK {pid}").and_then(|()| stdout.flush()).expect("report the commit");
                drop(stdout);
                i += 1;
            }
        }));
    }
    for task in tasks {
        task.await.expect("crash child task");
    }
}

/// Kills a committing process with SIGKILL at five different points; every commit it had
/// acknowledged must be in the reopened database, which must be consistent and writable.
#[test]
fn crash_durability() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().expect("runtime");
    if let Some(path) = std::env::var_os(CRASH_CHILD) {
        runtime.block_on(crash_child(Path::new(&path)));
        return;
    }
    let exe = std::env::current_exe().expect("current_exe");
    for round in 0..5 {
        let dir = TempDir::new("crash");
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_durability", "--nocapture", "--test-threads", "1"])
            .env(CRASH_CHILD, dir.db())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the crash child");
        let stdout = child.stdout.take().expect("child stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut acked: Vec<String> = Vec::new();
        let target = 50 + 150 * round;
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            // libtest may print "test crash_durability ... " before the first one.
            if let Some((_, pid)) = line.split_once("ACK ") {
                acked.push(pid.to_owned());
                if acked.len() >= target {
                    break;
                }
            }
        }
        child.kill().expect("kill the crash child");
        // Lines already written were acknowledged before the kill.
        for line in lines.map_while(Result::ok) {
            if let Some((_, pid)) = line.split_once("ACK ") {
                acked.push(pid.to_owned());
            }
        }
        let status = child.wait().expect("wait for the crash child");
        assert!(!acked.is_empty(), "round {round}: the child acknowledged nothing ({status})");
        runtime.block_on(check_after_crash(round, &dir.db(), &acked));
    }
}

async fn check_after_crash(round: usize, path: &Path, acked: &[String]) {
    let conn = rusqlite::Connection::open(path).expect("open directly");
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check");
    assert_eq!(integrity, "ok", "round {round}");
    drop(conn);

    let store = open(path);
    for pid in acked {
        let found = store.negotiation(pid).await.map(|n| n.map(|n| n.pid));
        assert_eq!(found, Ok(Some(pid.clone())), "round {round}: acknowledged {pid} is lost");
    }
    // Each child task committed one batch at a time, so what is stored is, per task, a prefix
    // 0..n of its sequence; it holds everything acknowledged and at most the one batch in flight.
    let stored = store.negotiations(usize::MAX).await.expect("list negotiations");
    let outbox = store.pending_outbox().await.expect("list the outbox");
    assert_eq!(stored.len(), outbox.len(), "round {round}: half a batch survived");
    for task in 0..CRASH_TASKS {
        let prefix = format!("k{task}-");
        let mut seq: Vec<i64> = stored.iter().filter_map(|n| n.pid.strip_prefix(&prefix)?.parse().ok()).collect();
        seq.sort_unstable();
        let expected: Vec<i64> = (0..seq.len() as i64).collect();
        assert_eq!(seq, expected, "round {round}: task {task} has gaps");
        let acknowledged = acked.iter().filter(|pid| pid.starts_with(&prefix)).count();
        assert!(
            seq.len() == acknowledged || seq.len() == acknowledged + 1,
            "round {round}: task {task}: stored {} acknowledged {acknowledged}",
            seq.len()
        );
    }
    for n in &stored {
        assert_eq!(n, &full_negotiation(&n.pid, n.created_ms), "round {round}");
    }
    // The store is writable again.
    let next = format!("after-crash-{round}");
    assert_eq!(store.commit(vec![Write::InsertNegotiation(bare_negotiation(&next, 0))]).await, Ok(()));
}
