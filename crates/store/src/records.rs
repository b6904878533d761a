//! The records a node keeps. Plain data: the node decides what they mean.
//!
//! Times are milliseconds since the Unix epoch (UTC). JSON values hold protocol documents as
//! they were sent or received (offers, agreements, data addresses, decision reports), or what the
//! node's data plane shapes (compute settings, transforms applied, query answers).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which side of a process this node plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Provider,
    Consumer,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Provider => "provider",
            Side::Consumer => "consumer",
        }
    }
}

/// A dataset this node offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    pub id: String,
    pub title: String,
    /// Absolute path of the file holding the data.
    pub file: String,
    /// `csv` or `ndjson`.
    pub format: String,
    /// Rulebook data categories (e.g. `health`).
    pub categories: Vec<String>,
    /// Number of data subjects in the dataset.
    pub subjects: u64,
    /// The ODRL offer (`@type: Offer`) published for it.
    pub policy: Value,
    pub created_ms: i64,
    /// When set, the dataset is compute-only: its raw rows never leave the node, consumers only
    /// get differentially private answers. Holds the compute settings (schema, per-consumer ε
    /// budget) as the node shapes them.
    #[serde(default)]
    pub compute: Option<Value>,
}

/// One contract negotiation, as this node sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiationRecord {
    /// This node's process id (the key).
    pub pid: String,
    pub side: Side,
    /// The other side's process id, once known.
    pub peer_pid: Option<String>,
    /// Where to send messages to the peer: the consumer's callback address, or the provider's
    /// DSP base URL.
    pub peer_address: Option<String>,
    /// The peer's identity (a DID), once authenticated.
    pub peer_id: Option<String>,
    pub dataset_id: String,
    /// The latest offer on the table.
    pub offer: Value,
    /// `REQUESTED`, `OFFERED`, … as the DSP names it.
    pub state: String,
    pub agreement_id: Option<String>,
    /// What the consumer declared for the decision: purpose, safeguards, jurisdiction,
    /// certifications (the node owns the shape).
    pub terms: Value,
    /// Why it was terminated (code and text), when it was.
    pub reason: Option<String>,
    /// Optimistic-concurrency version: 0 on insert, +1 on every update.
    pub version: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A contract agreement, stored by both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementRecord {
    pub id: String,
    pub side: Side,
    pub negotiation_pid: String,
    pub dataset_id: String,
    pub provider_id: String,
    pub consumer_id: String,
    /// The ODRL agreement as sent.
    pub agreement: Value,
    /// The obligations the law attached (from the decision), as a JSON array.
    pub obligations: Value,
    /// The decision that allowed it (provider side).
    pub decision_id: Option<String>,
    pub created_ms: i64,
}

/// One transfer process, as this node sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferRecord {
    /// This node's process id (the key).
    pub pid: String,
    pub side: Side,
    pub peer_pid: Option<String>,
    pub peer_address: Option<String>,
    pub peer_id: Option<String>,
    pub agreement_id: String,
    pub format: String,
    /// `REQUESTED`, `STARTED`, … as the DSP names it.
    pub state: String,
    /// The data address sent (provider) or received (consumer) at start.
    pub data_address: Option<Value>,
    /// SHA-256 (hex) of the data-plane token bound to this transfer; the token itself is never stored.
    pub token_sha256: Option<String>,
    pub token_expires_ms: Option<i64>,
    /// SHA-256 (hex) of the bytes served (provider) or received (consumer).
    pub content_sha256: Option<String>,
    pub bytes: Option<u64>,
    pub reason: Option<String>,
    pub version: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// What the data plane did to the bytes it served (provider) or received (consumer):
    /// transforms, counts, encryption, as the node records them.
    #[serde(default)]
    pub transforms: Option<Value>,
}

/// A decision taken by the node, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub id: String,
    pub at_ms: i64,
    /// The process it was taken for (negotiation or transfer pid).
    pub process: Option<String>,
    /// `negotiation` or `transfer`.
    pub stage: String,
    /// The flow put to the rulebook (rules::FlowInput as JSON).
    pub flow: Value,
    /// The rulebook's verdict: `allow`, `conditional`, `approval`, `deny` (or `error`).
    pub verdict: String,
    /// The ODRL evaluation of the offer against the request.
    pub policy: Value,
    /// Whether the node went ahead.
    pub allowed: bool,
    /// The full rulebook report (basis, options, obligations, explanation).
    pub report: Value,
    pub rulebook_digest: String,
}

/// One differentially private query: answered (provider) or asked (consumer). On the provider
/// its ε counts against the consumer's budget on the dataset (see [`Write::ChargeQuery`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryRecord {
    pub id: String,
    pub at_ms: i64,
    /// The consumer who asked (a DID).
    pub consumer: String,
    pub dataset_id: String,
    /// The query as asked.
    pub query: String,
    /// The privacy loss it cost (finite, not negative).
    pub epsilon: f64,
    /// The noisy answer given.
    pub answer: Value,
}

/// A message to deliver to a peer, retried with backoff until delivered or given up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: String,
    /// The process this message belongs to.
    pub process: String,
    /// Absolute URL to POST to.
    pub target: String,
    pub body: Value,
    pub attempts: u32,
    pub next_attempt_ms: i64,
    /// `pending`, `delivered` or `failed` (given up).
    pub status: String,
    pub last_error: Option<String>,
    pub created_ms: i64,
}

/// One write in a [`crate::Store::commit`] batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Fails with `Duplicate` if the id exists.
    InsertDataset(DatasetRecord),
    /// Fails with `Duplicate` if the pid exists.
    InsertNegotiation(NegotiationRecord),
    /// `record.version` is the version it was read at; fails with `Conflict` if the stored one
    /// differs, `Missing` if there is none. Stores `version + 1`.
    UpdateNegotiation(NegotiationRecord),
    InsertAgreement(AgreementRecord),
    InsertTransfer(TransferRecord),
    /// As [`Write::UpdateNegotiation`].
    UpdateTransfer(TransferRecord),
    InsertDecision(DecisionRecord),
    EnqueueOutbox(OutboxItem),
    /// Replaces attempts, due time, status and last error of an outbox item (`Missing` if none).
    UpdateOutbox {
        id: String,
        attempts: u32,
        next_attempt_ms: i64,
        status: String,
        last_error: Option<String>,
    },
    /// Records a query if the consumer can still afford it: the ε already spent by
    /// (`record.consumer`, `record.dataset_id`) plus `record.epsilon` must not exceed `budget`
    /// (with a tolerance of 1e-9 for float sums), else the batch fails with `OverBudget`. The
    /// check and the insert are one step of the batch, so concurrent charges never overspend.
    /// Fails with `Duplicate` if the id exists (before the budget is looked at); an epsilon that
    /// is negative or not finite, or a NaN budget, fails the batch.
    ChargeQuery {
        record: QueryRecord,
        budget: f64,
    },
}
