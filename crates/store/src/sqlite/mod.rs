//! The embedded SQLite backend.
//!
//! One file in write-ahead-log mode. Writes go through one dedicated writer thread that owns the
//! only write connection and commits whatever batches are waiting together, in one transaction
//! with one sync (group commit; see [`write`]). Reads use a small pool of read-only connections
//! on tokio's blocking threads; WAL lets them run alongside the writer, and each read starts a
//! fresh snapshot, so it sees every batch whose commit has returned.

mod apply;
mod read;
mod schema;
mod write;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use crate::{
    AgreementRecord, DatasetRecord, DecisionRecord, NegotiationRecord, OutboxItem, QueryRecord, Result, Store,
    StoreError, TransferRecord, Write,
};

pub use write::CommitStats;

/// Idle read connections kept open; more are opened when reads overlap, and closed after.
const IDLE_READERS: usize = 4;

/// The SQLite store. Cheap to clone: clones share the writer thread and the read pool. The
/// writer thread stops (after committing what it was sent) when the last clone is dropped.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: write::Writer,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.inner.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and the schema if missing and migrating
    /// an older schema, and starts the writer thread.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let conn = schema::open_writer(path)?;
        // A first reader now, so a file that cannot be read fails here rather than later.
        let reader = schema::open_reader(path)?;
        let writer = write::Writer::start(conn)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner { path: path.to_path_buf(), writer, readers: Mutex::new(vec![reader]) }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// How many transactions the writer has committed and how many batches they carried (the
    /// mean batch size of group commit is their ratio).
    pub fn commit_stats(&self) -> CommitStats {
        self.inner.writer.stats()
    }

    /// Runs `query` on a pooled read connection.
    fn read<T, F>(&self, query: F) -> impl Future<Output = Result<T>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        // Reads are key lookups and bounded listings on a WAL reader that never waits for the
        // writer: a few microseconds, less than handing the work to a blocking thread and back.
        let inner = Arc::clone(&self.inner);
        async move { inner.with_reader(query) }
    }
}

impl Inner {
    fn with_reader<T>(&self, query: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => schema::open_reader(&self.path)?,
        };
        let result = query(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if readers.len() < IDLE_READERS {
            readers.push(conn);
        }
        result
    }
}

/// A backend failure, naming what was being done.
fn backend(what: impl std::fmt::Display, error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("{what}: {error}"))
}

fn limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl Store for SqliteStore {
    async fn commit(&self, writes: Vec<Write>) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        // The answer is lost only if the writer died with the batch: report the store closed.
        self.inner.writer.submit(writes)?.await.unwrap_or_else(|_| Err(write::closed()))
    }

    fn dataset(&self, id: &str) -> impl Future<Output = Result<Option<DatasetRecord>>> + Send {
        let id = id.to_owned();
        self.read(move |conn| read::dataset(conn, &id))
    }

    fn datasets(&self) -> impl Future<Output = Result<Vec<DatasetRecord>>> + Send {
        self.read(read::datasets)
    }

    fn negotiation(&self, pid: &str) -> impl Future<Output = Result<Option<NegotiationRecord>>> + Send {
        let pid = pid.to_owned();
        self.read(move |conn| read::negotiation(conn, &pid))
    }

    fn negotiations(&self, n: usize) -> impl Future<Output = Result<Vec<NegotiationRecord>>> + Send {
        self.read(move |conn| read::negotiations(conn, limit(n)))
    }

    fn agreement(&self, id: &str) -> impl Future<Output = Result<Option<AgreementRecord>>> + Send {
        let id = id.to_owned();
        self.read(move |conn| read::agreement(conn, &id))
    }

    fn agreements(&self, n: usize) -> impl Future<Output = Result<Vec<AgreementRecord>>> + Send {
        self.read(move |conn| read::agreements(conn, limit(n)))
    }

    fn transfer(&self, pid: &str) -> impl Future<Output = Result<Option<TransferRecord>>> + Send {
        let pid = pid.to_owned();
        self.read(move |conn| read::transfer(conn, &pid))
    }

    fn transfers(&self, n: usize) -> impl Future<Output = Result<Vec<TransferRecord>>> + Send {
        self.read(move |conn| read::transfers(conn, limit(n)))
    }

    fn transfers_of_agreement(&self, agreement_id: &str) -> impl Future<Output = Result<Vec<TransferRecord>>> + Send {
        let agreement_id = agreement_id.to_owned();
        self.read(move |conn| read::transfers_of_agreement(conn, &agreement_id))
    }

    fn transfer_by_token(&self, token_sha256: &str) -> impl Future<Output = Result<Option<TransferRecord>>> + Send {
        let token = token_sha256.to_owned();
        self.read(move |conn| read::transfer_by_token(conn, &token))
    }

    fn decision(&self, id: &str) -> impl Future<Output = Result<Option<DecisionRecord>>> + Send {
        let id = id.to_owned();
        self.read(move |conn| read::decision(conn, &id))
    }

    fn decisions(&self, process: Option<&str>, n: usize) -> impl Future<Output = Result<Vec<DecisionRecord>>> + Send {
        let process = process.map(str::to_owned);
        self.read(move |conn| read::decisions(conn, process.as_deref(), limit(n)))
    }

    fn epsilon_spent(&self, consumer: &str, dataset_id: &str) -> impl Future<Output = Result<f64>> + Send {
        let (consumer, dataset_id) = (consumer.to_owned(), dataset_id.to_owned());
        self.read(move |conn| read::epsilon_spent(conn, &consumer, &dataset_id))
    }

    fn queries(
        &self,
        dataset_id: Option<&str>,
        consumer: Option<&str>,
        n: usize,
    ) -> impl Future<Output = Result<Vec<QueryRecord>>> + Send {
        let (dataset_id, consumer) = (dataset_id.map(str::to_owned), consumer.map(str::to_owned));
        self.read(move |conn| read::queries(conn, dataset_id.as_deref(), consumer.as_deref(), limit(n)))
    }

    fn due_outbox(&self, now_ms: i64, n: usize) -> impl Future<Output = Result<Vec<OutboxItem>>> + Send {
        self.read(move |conn| read::due_outbox(conn, now_ms, limit(n)))
    }

    fn pending_outbox(&self) -> impl Future<Output = Result<Vec<OutboxItem>>> + Send {
        self.read(read::pending_outbox)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commits_fail_with_store_closed_when_the_writer_dies() {
        let dir = std::env::temp_dir().join(format!("dfft-store-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let path = dir.join("closed.db");
        let open = SqliteStore::open(&path).expect("open");
        let reader = schema::open_reader(&path).expect("reader");
        let store = SqliteStore {
            inner: Arc::new(Inner {
                path: path.clone(),
                writer: write::Writer::crashing(),
                readers: Mutex::new(vec![reader]),
            }),
        };
        let closed = Err(StoreError::Backend("store closed".to_owned()));
        let dataset = DatasetRecord {
            id: "d".to_owned(),
            title: "t".to_owned(),
            file: "/f".to_owned(),
            format: "csv".to_owned(),
            categories: vec![],
            subjects: 1,
            policy: serde_json::Value::Null,
            created_ms: 1,
            compute: None,
        };
        // The batch the writer died with, and every one after.
        for _ in 0..3 {
            assert_eq!(store.commit(vec![Write::InsertDataset(dataset.clone())]).await, closed);
        }
        // Reads still work, and nothing was written.
        assert_eq!(store.dataset("d").await, Ok(None));
        drop(store);
        // A healthy store on the same file is unaffected.
        assert_eq!(open.commit(vec![Write::InsertDataset(dataset.clone())]).await, Ok(()));
        assert_eq!(open.dataset("d").await, Ok(Some(dataset)));
        drop(open);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
