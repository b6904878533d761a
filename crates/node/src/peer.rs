//! Talking to peers: every protocol message leaves through the durable outbox (enqueued in the
//! same commit as the state change it announces), is POSTed with a fresh single-use token, and is
//! retried with exponential backoff until delivered or given up.

use std::time::Duration;

use serde_json::Value;
use store::{OutboxItem, Store, Write};

use crate::app::{now_ms, now_s, Node};
use crate::metrics::inc;
use crate::token::{self, Declared};

/// Attempts before giving up on a peer (about 50 s of backoff in all).
pub const MAX_ATTEMPTS: u32 = 9;
const FIRST_BACKOFF_MS: i64 = 100;

/// How a delivery ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// 2xx: the peer's answer body (JSON, or Null).
    Delivered(Value),
    /// The peer answered with a client error: it will not accept this message, retrying is pointless.
    Refused { status: u16, body: String },
    /// Retries exhausted (connection failures, timeouts, 5xx).
    GaveUp(String),
}

impl Delivery {
    pub fn describe(&self) -> String {
        match self {
            Delivery::Delivered(_) => "delivered".into(),
            Delivery::Refused { status, body } => format!("the peer refused it with {status}: {}", clip(body)),
            Delivery::GaveUp(error) => format!("the peer could not be reached after {MAX_ATTEMPTS} attempts: {error}"),
        }
    }
}

fn clip(text: &str) -> String {
    text.chars().take(300).collect()
}

/// A new outbox item for `body` to `target`, due now.
pub fn outbox_item(process: &str, target: String, body: Value) -> OutboxItem {
    let now = now_ms();
    OutboxItem {
        id: crate::random::urn(),
        process: process.to_owned(),
        target,
        body,
        attempts: 0,
        next_attempt_ms: now,
        status: "pending".into(),
        last_error: None,
        created_ms: now,
    }
}

/// The audience for a message to `target`: the peer's DSP base (everything before the first
/// `/negotiations`, `/transfers` or `/catalog` segment).
pub fn audience_of(target: &str) -> &str {
    for marker in ["/negotiations", "/transfers", "/catalog"] {
        if let Some(at) = target.find(marker) {
            return &target[..at];
        }
    }
    target
}

/// A fresh single-use token for `audience`, with what this node declares about itself.
pub fn token_for<S: Store>(node: &Node<S>, audience: &str) -> String {
    let declared = Declared {
        name: Some(node.config.name.clone()),
        jurisdiction: Some(node.config.jurisdiction.clone()),
        certifications: Vec::new(),
    };
    format!("Bearer {}", token::mint(&node.key, audience, now_s(), token::NODE_LIFETIME_S, false, declared))
}

/// Delivers an enqueued item, retrying; records the end in the store.
pub async fn deliver<S: Store>(node: &Node<S>, item: &OutboxItem) -> Delivery {
    let mut attempts = item.attempts;
    let mut last_error = String::new();
    while attempts < MAX_ATTEMPTS {
        if attempts > 0 {
            inc(&node.metrics.message_retries);
            let backoff = FIRST_BACKOFF_MS << (attempts - 1).min(10);
            tokio::time::sleep(Duration::from_millis(u64::try_from(backoff).unwrap_or(1000))).await;
        }
        attempts += 1;
        let request = node
            .http
            .post(&item.target)
            .header("Authorization", token_for(node, audience_of(&item.target)))
            .json(&item.body);
        match request.send().await {
            Ok(response) if response.status().is_success() => {
                let body = response.bytes().await.unwrap_or_default();
                let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                finish(node, item, attempts, "delivered", None).await;
                inc(&node.metrics.messages_sent);
                return Delivery::Delivered(value);
            }
            Ok(response) if response.status().is_client_error() => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                let refused = Delivery::Refused { status, body };
                finish(node, item, attempts, "failed", Some(refused.describe())).await;
                inc(&node.metrics.messages_given_up);
                return refused;
            }
            Ok(response) => last_error = format!("{} from {}", response.status(), item.target),
            Err(error) => last_error = format!("{error}"),
        }
        tracing::warn!(target = %item.target, attempt = attempts, error = %last_error, "delivery failed; will retry");
        let _ = node
            .store
            .commit(vec![Write::UpdateOutbox {
                id: item.id.clone(),
                attempts,
                next_attempt_ms: now_ms(),
                status: "pending".into(),
                last_error: Some(last_error.clone()),
            }])
            .await;
    }
    let gave_up = Delivery::GaveUp(last_error);
    finish(node, item, attempts, "failed", Some(gave_up.describe())).await;
    inc(&node.metrics.messages_given_up);
    gave_up
}

async fn finish<S: Store>(node: &Node<S>, item: &OutboxItem, attempts: u32, status: &str, error: Option<String>) {
    let write = Write::UpdateOutbox {
        id: item.id.clone(),
        attempts,
        next_attempt_ms: now_ms(),
        status: status.into(),
        last_error: error,
    };
    if let Err(e) = node.store.commit(vec![write]).await {
        tracing::error!(item = %item.id, error = %e, "cannot record the delivery");
    }
}

/// At start: deliver whatever was enqueued but not delivered before the node stopped, in order,
/// one process at a time.
pub async fn resume_outbox<S: Store>(node: &Node<S>) {
    let pending = match node.store.pending_outbox().await {
        Ok(items) => items,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the outbox");
            return;
        }
    };
    if pending.is_empty() {
        return;
    }
    tracing::info!(count = pending.len(), "resuming undelivered messages");
    let mut by_process: std::collections::BTreeMap<String, Vec<OutboxItem>> = Default::default();
    for item in pending {
        by_process.entry(item.process.clone()).or_default().push(item);
    }
    for (process, mut items) in by_process {
        items.sort_by_key(|i| i.created_ms);
        let node = node.clone();
        tokio::spawn(async move {
            for item in items {
                let outcome = deliver(&node, &item).await;
                if !matches!(outcome, Delivery::Delivered(_)) {
                    crate::negotiation::peer_failed(&node, &process, &outcome).await;
                    crate::transfer::peer_failed(&node, &process, &outcome).await;
                    break;
                }
            }
        });
    }
}
