//! dfft persistence: what a node must not forget.
//!
//! One [`Store`] trait, the records it keeps, and the embedded SQLite backend ([`SqliteStore`]).
//! The node talks to the trait only, so a PostgreSQL backend can be added without touching the
//! protocol code; every backend must pass the shared suite in `tests/suite/`.
//!
//! Rules every backend keeps:
//! - [`Store::commit`] is atomic and durable: when it returns `Ok`, every write in the batch is
//!   on disk (a node killed right after still has it); when it returns `Err`, none is.
//! - A record update names the version it was read at; if the stored version differs the whole
//!   batch fails with [`StoreError::Conflict`] (optimistic concurrency: two messages for the same
//!   process cannot both win). A successful update stores `version + 1`.
//! - Inserting an id that exists fails with [`StoreError::Duplicate`].
//! - A differentially private query is charged with [`Write::ChargeQuery`]: the budget check and
//!   the insert happen inside the batch, against everything committed before it and earlier in
//!   it, so concurrent queries can never spend more ε than the budget ([`StoreError::OverBudget`]).
//! - Only this crate knows SQL.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod records;
mod sqlite;

use std::future::Future;

pub use records::{
    AgreementRecord, DatasetRecord, DecisionRecord, NegotiationRecord, OutboxItem, QueryRecord, Side, TransferRecord,
    Write,
};
pub use sqlite::SqliteStore;

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The record was changed by someone else since it was read (its version moved on).
    Conflict { table: &'static str, id: String },
    /// A record with this id already exists.
    Duplicate { table: &'static str, id: String },
    /// An update named a record that does not exist.
    Missing { table: &'static str, id: String },
    /// A query would take the consumer's ε on the dataset past its budget. The amounts are
    /// decimal text (rounded to 9 places) so the error stays comparable.
    OverBudget { consumer: String, dataset: String, spent: String, budget: String, needed: String },
    /// The backend failed (disk, corruption, closed): the message says what happened.
    Backend(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict { table, id } => write!(f, "{table} '{id}' was changed concurrently; read it again"),
            StoreError::Duplicate { table, id } => write!(f, "{table} '{id}' already exists"),
            StoreError::Missing { table, id } => write!(f, "{table} '{id}' does not exist"),
            StoreError::OverBudget { consumer, dataset, spent, budget, needed } => write!(
                f,
                "privacy budget exhausted for {consumer} on dataset '{dataset}': ε {spent} of {budget} spent, \
                 this query needs {needed}"
            ),
            StoreError::Backend(message) => write!(f, "storage failed: {message}"),
        }
    }
}

impl std::error::Error for StoreError {}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything the node persists. Reads see every batch whose `commit` has returned.
///
/// Methods return `Send` futures so the node can call them from any tokio task.
pub trait Store: Send + Sync + 'static {
    /// Applies every write atomically and durably (see the crate docs), or none.
    fn commit(&self, writes: Vec<Write>) -> impl Future<Output = Result<()>> + Send;

    fn dataset(&self, id: &str) -> impl Future<Output = Result<Option<DatasetRecord>>> + Send;
    /// All datasets, ordered by id.
    fn datasets(&self) -> impl Future<Output = Result<Vec<DatasetRecord>>> + Send;

    /// A negotiation by this node's own process id (`providerPid` when we are the provider,
    /// `consumerPid` when we are the consumer).
    fn negotiation(&self, pid: &str) -> impl Future<Output = Result<Option<NegotiationRecord>>> + Send;
    /// Negotiations, newest first, at most `limit`.
    fn negotiations(&self, limit: usize) -> impl Future<Output = Result<Vec<NegotiationRecord>>> + Send;

    fn agreement(&self, id: &str) -> impl Future<Output = Result<Option<AgreementRecord>>> + Send;
    /// Agreements, newest first, at most `limit`.
    fn agreements(&self, limit: usize) -> impl Future<Output = Result<Vec<AgreementRecord>>> + Send;

    /// A transfer by this node's own process id.
    fn transfer(&self, pid: &str) -> impl Future<Output = Result<Option<TransferRecord>>> + Send;
    /// Transfers, newest first, at most `limit`.
    fn transfers(&self, limit: usize) -> impl Future<Output = Result<Vec<TransferRecord>>> + Send;
    /// Every transfer under an agreement, newest first.
    fn transfers_of_agreement(&self, agreement_id: &str) -> impl Future<Output = Result<Vec<TransferRecord>>> + Send;
    /// The transfer whose data-plane token has this SHA-256 digest (hex), if any.
    fn transfer_by_token(&self, token_sha256: &str) -> impl Future<Output = Result<Option<TransferRecord>>> + Send;

    fn decision(&self, id: &str) -> impl Future<Output = Result<Option<DecisionRecord>>> + Send;
    /// Decisions, newest first, at most `limit`; only those about `process` when given.
    fn decisions(
        &self,
        process: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<DecisionRecord>>> + Send;

    /// The ε this consumer has spent on this dataset so far (0 if none).
    fn epsilon_spent(&self, consumer: &str, dataset_id: &str) -> impl Future<Output = Result<f64>> + Send;
    /// Queries, newest first, at most `limit`; only those on `dataset_id` and by `consumer` when given.
    fn queries(
        &self,
        dataset_id: Option<&str>,
        consumer: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<QueryRecord>>> + Send;

    /// Outbox items whose `next_attempt_ms` is at or before `now_ms` and that are not done,
    /// oldest first, at most `limit`.
    fn due_outbox(&self, now_ms: i64, limit: usize) -> impl Future<Output = Result<Vec<OutboxItem>>> + Send;
    /// Outbox items not yet delivered nor given up, whatever their due time (for restart and status).
    fn pending_outbox(&self) -> impl Future<Output = Result<Vec<OutboxItem>>> + Send;
}
