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
        Write::ChargeQuery { record: query("q-1", "did:key:z6MkA", "ds-1", 0.5, 1), budget: 1.0 },
        Write::ChargeQuery { record: query("q-2", "did:key:z6MkB", "ds-1", 0.25, 2), budget: 1.0 },
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
    let queries = store.queries(None, None, 10).await;
    let q1 = query("q-1", "did:key:z6MkA", "ds-1", 0.5, 1);
    assert_eq!(queries, Ok(vec![query("q-2", "did:key:z6MkB", "ds-1", 0.25, 2), q1.clone()]));
    // Budgets carry on too.
    let refused = store
        .commit(vec![Write::ChargeQuery { record: query("q-3", &q1.consumer, "ds-1", 0.6, 3), budget: 1.0 }])
        .await;
    assert!(matches!(refused, Err(StoreError::OverBudget { .. })), "{refused:?}");
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
    assert_eq!(version, 3);
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

/// The schema as migrations 1 and 2 left it (before the data plane), as an older build wrote it.
const SCHEMA_V2: &str = "
    CREATE TABLE datasets (id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL, file TEXT NOT NULL,
        format TEXT NOT NULL, categories TEXT NOT NULL, subjects INTEGER NOT NULL, policy TEXT NOT NULL,
        created_ms INTEGER NOT NULL);
    CREATE TABLE negotiations (pid TEXT PRIMARY KEY NOT NULL, side TEXT NOT NULL, peer_pid TEXT, peer_address TEXT,
        peer_id TEXT, dataset_id TEXT NOT NULL, offer TEXT NOT NULL, state TEXT NOT NULL, agreement_id TEXT,
        terms TEXT NOT NULL, reason TEXT, version INTEGER NOT NULL, created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL);
    CREATE INDEX negotiations_created ON negotiations (created_ms);
    CREATE TABLE agreements (id TEXT PRIMARY KEY NOT NULL, side TEXT NOT NULL, negotiation_pid TEXT NOT NULL,
        dataset_id TEXT NOT NULL, provider_id TEXT NOT NULL, consumer_id TEXT NOT NULL, agreement TEXT NOT NULL,
        obligations TEXT NOT NULL, decision_id TEXT, created_ms INTEGER NOT NULL);
    CREATE INDEX agreements_created ON agreements (created_ms);
    CREATE TABLE transfers (pid TEXT PRIMARY KEY NOT NULL, side TEXT NOT NULL, peer_pid TEXT, peer_address TEXT,
        peer_id TEXT, agreement_id TEXT NOT NULL, format TEXT NOT NULL, state TEXT NOT NULL, data_address TEXT,
        token_sha256 TEXT, token_expires_ms INTEGER, content_sha256 TEXT, bytes INTEGER, reason TEXT,
        version INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
    CREATE INDEX transfers_created ON transfers (created_ms);
    CREATE INDEX transfers_token ON transfers (token_sha256) WHERE token_sha256 IS NOT NULL;
    CREATE TABLE decisions (id TEXT PRIMARY KEY NOT NULL, at_ms INTEGER NOT NULL, process TEXT, stage TEXT NOT NULL,
        flow TEXT NOT NULL, verdict TEXT NOT NULL, policy TEXT NOT NULL, allowed INTEGER NOT NULL,
        report TEXT NOT NULL, rulebook_digest TEXT NOT NULL);
    CREATE INDEX decisions_at ON decisions (at_ms);
    CREATE INDEX decisions_process ON decisions (process, at_ms);
    CREATE TABLE outbox (id TEXT PRIMARY KEY NOT NULL, process TEXT NOT NULL, target TEXT NOT NULL,
        body TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL, status TEXT NOT NULL,
        last_error TEXT, created_ms INTEGER NOT NULL);
    CREATE INDEX outbox_due ON outbox (status, next_attempt_ms);
    CREATE INDEX transfers_agreement ON transfers (agreement_id, created_ms);
    PRAGMA user_version = 2;";

/// JSON text of a fixture field, as the store writes it.
fn text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("serialize a fixture field")
}

/// Writes a schema-2 database holding one dataset, one transfer and one negotiation, with raw SQL.
fn create_v2(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("create a v2 database");
    conn.execute_batch(SCHEMA_V2).expect("the v2 schema");
    let d = dataset("ds-old", 1);
    conn.execute(
        "INSERT INTO datasets VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![d.id, d.title, d.file, d.format, text(&d.categories), d.subjects as i64, text(&d.policy), 1],
    )
    .expect("a v2 dataset");
    let t = full_transfer("t-old", 1);
    conn.execute(
        "INSERT INTO transfers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        rusqlite::params![
            t.pid,
            "provider",
            t.peer_pid,
            t.peer_address,
            t.peer_id,
            t.agreement_id,
            t.format,
            t.state,
            t.data_address.as_ref().map(text),
            t.token_sha256,
            t.token_expires_ms,
            t.content_sha256,
            t.bytes.map(|b| b as i64),
            t.reason,
            t.version,
            t.created_ms,
            t.updated_ms,
        ],
    )
    .expect("a v2 transfer");
    let n = bare_negotiation("n-old", 1);
    conn.execute(
        "INSERT INTO negotiations VALUES (?1, 'consumer', NULL, NULL, NULL, ?2, ?3, ?4, NULL, ?5, NULL, 0, 1, 1)",
        rusqlite::params![n.pid, n.dataset_id, text(&n.offer), n.state, text(&n.terms)],
    )
    .expect("a v2 negotiation");
}

/// A database written by the previous schema opens, migrates to the data plane's schema and keeps
/// every row: the new columns read as absent, and the new writes work on old records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_2_databases_migrate_with_their_rows() {
    let dir = TempDir::new("migrate");
    create_v2(&dir.db());
    let store = open(&dir.db());
    let conn = rusqlite::Connection::open(dir.db()).expect("open directly");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("user_version");
    assert_eq!(version, 3);
    let index: i64 = conn
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'queries_budget'", [], |r| {
            r.get(0)
        })
        .expect("sqlite_master");
    assert_eq!(index, 1);

    let old_dataset = store::DatasetRecord { compute: None, ..dataset("ds-old", 1) };
    assert_eq!(store.dataset("ds-old").await, Ok(Some(old_dataset.clone())));
    let old_transfer = store::TransferRecord { transforms: None, ..full_transfer("t-old", 1) };
    assert_eq!(store.transfer("t-old").await, Ok(Some(old_transfer.clone())));
    assert_eq!(store.negotiation("n-old").await, Ok(Some(bare_negotiation("n-old", 1))));
    assert_eq!(store.queries(None, None, 10).await, Ok(vec![]));

    // Old records take the new fields; new records and queries go in beside them.
    let transforms = Some(serde_json::json!({"applied": ["drop:email"]}));
    let updated = store::TransferRecord { transforms: transforms.clone(), ..old_transfer };
    let record = query("q-1", "did:key:z6MkA", "ds-old", 0.5, 2);
    let batch = vec![
        Write::UpdateTransfer(updated.clone()),
        Write::InsertDataset(dataset("ds-new", 2)),
        Write::ChargeQuery { record: record.clone(), budget: 1.0 },
    ];
    assert_eq!(store.commit(batch).await, Ok(()));
    assert_eq!(store.transfer("t-old").await, Ok(Some(store::TransferRecord { version: 1, ..updated })));
    assert_eq!(store.datasets().await, Ok(vec![dataset("ds-new", 2), old_dataset]));
    assert_eq!(store.epsilon_spent("did:key:z6MkA", "ds-old").await, Ok(0.5));
    assert_eq!(store.queries(Some("ds-old"), None, 10).await, Ok(vec![record]));
    drop(store);

    // Reopening finds the work done.
    let store = open(&dir.db());
    assert_eq!(store.datasets().await.map(|d| d.len()), Ok(2));
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("user_version");
    assert_eq!(version, 3);
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
        "queries" => store.queries(Some("ds-1"), None, 10).await.map(|_| ()),
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
        ("UPDATE datasets SET subjects = 1, compute = '{\"schema\"' WHERE id = 'ds-1'", "datasets", "compute"),
        ("UPDATE negotiations SET offer = '{not json' WHERE pid = 'n-1'", "negotiations", "offer"),
        ("UPDATE negotiations SET offer = '{}', side = 'sideways' WHERE pid = 'n-1'", "negotiations", "side"),
        ("UPDATE negotiations SET side = 'provider', version = 'abc' WHERE pid = 'n-1'", "negotiations", "version"),
        ("UPDATE agreements SET obligations = '' WHERE id = 'a-2'", "agreements", "obligations"),
        ("UPDATE transfers SET bytes = -5 WHERE pid = 't-1'", "transfers", "bytes"),
        ("UPDATE transfers SET bytes = NULL, data_address = 'nope' WHERE pid = 't-1'", "transfers", "data_address"),
        ("UPDATE transfers SET data_address = NULL, transforms = '[' WHERE pid = 't-1'", "transfers", "transforms"),
        ("UPDATE decisions SET allowed = 'maybe' WHERE id = 'd-1'", "decisions", "allowed"),
        ("UPDATE outbox SET attempts = -1 WHERE id = 'o-1'", "outbox", "attempts"),
        ("UPDATE outbox SET attempts = 1, body = 'x' WHERE id = 'o-1'", "outbox", "body"),
        ("UPDATE queries SET epsilon = 'lots' WHERE id = 'q-2'", "queries", "epsilon"),
        ("UPDATE queries SET epsilon = 0.25, answer = '{' WHERE id = 'q-2'", "queries", "answer"),
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
