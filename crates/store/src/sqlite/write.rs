//! The writer thread and group commit.
//!
//! `commit` sends its batch over a channel with a oneshot for the answer. The writer thread takes
//! the first waiting batch and every other batch already in the channel (up to [`MAX_GROUP`]),
//! opens one transaction, runs each batch inside its own SAVEPOINT (a batch that fails rolls back
//! to its savepoint: only it is lost, the others go on), COMMITs once — one WAL sync for the whole
//! group — and then answers every batch. While it syncs, new batches queue up for the next group,
//! so the more committers wait, the bigger the groups and the fewer syncs per commit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::{apply, backend};
use crate::{Result, StoreError, Write};

/// At most this many batches share one transaction (bounds the latency of the first).
const MAX_GROUP: usize = 1024;

/// What the writer has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommitStats {
    /// Transactions committed (one sync each).
    pub transactions: u64,
    /// Batches those transactions carried, failed batches included.
    pub batches: u64,
}

impl CommitStats {
    /// Mean number of batches per transaction (0 before the first).
    pub fn mean_group(&self) -> f64 {
        if self.transactions == 0 {
            0.0
        } else {
            self.batches as f64 / self.transactions as f64
        }
    }
}

#[derive(Default)]
struct Counters {
    transactions: AtomicU64,
    batches: AtomicU64,
}

struct Job {
    writes: Vec<Write>,
    reply: oneshot::Sender<Result<()>>,
}

/// The error every commit gets once the writer is gone.
pub(super) fn closed() -> StoreError {
    StoreError::Backend("store closed".to_owned())
}

/// The handle on the writer thread. Dropping it lets the thread commit what it was already
/// sent, then waits for it to close the connection.
pub(super) struct Writer {
    sender: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

impl Writer {
    pub(super) fn start(conn: Connection) -> Result<Writer> {
        let (sender, receiver) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let thread_counters = Arc::clone(&counters);
        let thread = std::thread::Builder::new()
            .name("store-writer".to_owned())
            .spawn(move || run(conn, &receiver, &thread_counters))
            .map_err(|e| backend("cannot start the store writer thread", e))?;
        Ok(Writer { sender: Some(sender), thread: Some(thread), counters })
    }

    /// Queues a batch; the receiver gets its outcome once the group it joined is committed.
    /// A receiver that errors means the writer died: the batch may or may not be committed.
    pub(super) fn submit(&self, writes: Vec<Write>) -> Result<oneshot::Receiver<Result<()>>> {
        let (reply, answer) = oneshot::channel();
        let sender = self.sender.as_ref().ok_or_else(closed)?;
        sender.send(Job { writes, reply }).map_err(|_| closed())?;
        Ok(answer)
    }

    pub(super) fn stats(&self) -> CommitStats {
        CommitStats {
            transactions: self.counters.transactions.load(Ordering::Relaxed),
            batches: self.counters.batches.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            // A panicked writer has already dropped its jobs (their commits got "store closed").
            let _ = thread.join();
        }
    }
}

fn run(conn: Connection, receiver: &mpsc::Receiver<Job>, counters: &Counters) {
    // Ends when every sender is gone and the channel is empty.
    while let Ok(first) = receiver.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let outcomes = commit_group(&conn, &group);
        counters.transactions.fetch_add(1, Ordering::Relaxed);
        counters.batches.fetch_add(group.len() as u64, Ordering::Relaxed);
        for (job, outcome) in group.into_iter().zip(outcomes) {
            // The committer may have stopped waiting; its batch stands all the same.
            let _ = job.reply.send(outcome);
        }
    }
}

/// Runs every batch of the group in one transaction, each in its own savepoint, and commits.
/// Returns one outcome per batch.
fn commit_group(conn: &Connection, group: &[Job]) -> Vec<Result<()>> {
    if !conn.is_autocommit() {
        // Left over from a failure SQLite did not clean up: start from a clean state.
        let _ = conn.execute_batch("ROLLBACK");
    }
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let error = backend("cannot start a transaction", e);
        return group.iter().map(|_| Err(error.clone())).collect();
    }
    let mut outcomes = Vec::with_capacity(group.len());
    for job in group {
        match commit_batch(conn, &job.writes) {
            Ok(outcome) => outcomes.push(outcome),
            Err(fatal) => {
                // The transaction itself failed: nothing of the group can be trusted.
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                return group.iter().map(|_| Err(fatal.clone())).collect();
            }
        }
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let error = backend("commit failed", e);
        // COMMIT may have failed with the transaction still open (e.g. SQLITE_BUSY).
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        return outcomes.into_iter().map(|outcome| outcome.and_then(|()| Err(error.clone()))).collect();
    }
    outcomes
}

/// Applies one batch inside a savepoint. The outer `Err` is a failure of the transaction itself
/// (it is unusable); the inner one is the batch's own outcome.
fn commit_batch(conn: &Connection, writes: &[Write]) -> Result<Result<()>> {
    conn.execute_batch("SAVEPOINT batch").map_err(|e| backend("cannot open a savepoint", e))?;
    let outcome = writes.iter().try_for_each(|write| apply::apply(conn, write));
    if let Err(error) = &outcome {
        if conn.is_autocommit() {
            // Some errors (disk full, I/O) make SQLite roll back the whole transaction.
            return Err(StoreError::Backend(format!("transaction rolled back: {error}")));
        }
        conn.execute_batch("ROLLBACK TO batch").map_err(|e| backend("cannot roll back a batch", e))?;
    }
    conn.execute_batch("RELEASE batch").map_err(|e| backend("cannot release a savepoint", e))?;
    Ok(outcome)
}

#[cfg(test)]
impl Writer {
    /// A writer whose thread panics on the first batch it receives, as a crashed writer would.
    pub(super) fn crashing() -> Writer {
        let (sender, receiver) = mpsc::channel::<Job>();
        let thread = std::thread::spawn(move || {
            let _job = receiver.recv();
            panic!("simulated writer crash");
        });
        Writer { sender: Some(sender), thread: Some(thread), counters: Arc::default() }
    }
}
