//! Talking to peers: every protocol message leaves through the durable outbox (enqueued in the
//! same commit as the state change it announces), is POSTed with a fresh single-use token, and is
//! retried with exponential backoff until delivered or given up.

use serde_json::Value;
use store::{OutboxItem, Store, Write};

use crate::app::{now_ms, Node};
use crate::metrics::inc;
use crate::token;

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
            Delivery::GaveUp(error) => format!("the peer could not be reached, giving up: {error}"),
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
    let credentials = node.wallet.credentials();
    let me = crate::client::Identity { key: &node.key, config: &node.config, credentials: &credentials };
    crate::client::bearer(me, audience, token::NODE_LIFETIME_S, false)
}

/// Delivers an enqueued item, retrying; records the end in the store.
pub async fn deliver<S: Store>(node: &Node<S>, item: &OutboxItem) -> Delivery {
    deliver_with(node, item, false).await
}

/// As [`deliver`]; `resumed` says the item may have reached the peer before this node stopped.
async fn deliver_with<S: Store>(node: &Node<S>, item: &OutboxItem, resumed: bool) -> Delivery {
    let policy = &node.config.delivery;
    let mut attempts = item.attempts;
    let mut last_error = String::new();
    while attempts < policy.attempts.max(1) {
        if attempts > 0 {
            inc(&node.metrics.message_retries);
            tokio::time::sleep(policy.backoff(attempts)).await;
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
            // 401 can be transient (a peer that just restarted refuses tokens of its start
            // second), 408 and 429 are: retried like server errors, with a fresh token.
            Ok(response) if is_retryable(response.status().as_u16()) => {
                last_error = format!("{} from {}", response.status(), item.target);
            }
            Ok(response) if response.status().is_client_error() => {
                let status = response.status().as_u16();
                let body = response.text().await.unwrap_or_default();
                // A message sent again (after a lost answer or a restart) is refused as out of
                // turn when the peer already has it: then its state matches ours.
                if (resumed || attempts > 1) && status == 400 && peer_is_in_step(node, item).await {
                    finish(node, item, attempts, "delivered", None).await;
                    inc(&node.metrics.messages_sent);
                    return Delivery::Delivered(Value::Null);
                }
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
    let gave_up = Delivery::GaveUp(format!("{last_error} (after {attempts} attempts)"));
    finish(node, item, attempts, "failed", Some(gave_up.describe())).await;
    inc(&node.metrics.messages_given_up);
    gave_up
}

/// Records how a delivery ended. Not awaited: the mark only spares a redelivery after a restart,
/// and a crash can fall between the peer's answer and this commit whether or not we wait.
async fn finish<S: Store>(node: &Node<S>, item: &OutboxItem, attempts: u32, status: &str, error: Option<String>) {
    let write = Write::UpdateOutbox {
        id: item.id.clone(),
        attempts,
        next_attempt_ms: now_ms(),
        status: status.into(),
        last_error: error,
    };
    let (node, id) = (node.clone(), item.id.clone());
    tokio::spawn(async move {
        if let Err(e) = node.store.commit(vec![write]).await {
            tracing::error!(item = %id, error = %e, "cannot record the delivery");
        }
    });
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
                match deliver_with(&node, &item, true).await {
                    Delivery::Delivered(_) => {}
                    // A message delivered just before the node stopped (its mark not yet
                    // written) is refused as out of turn now: that is not the peer's failure.
                    Delivery::Refused { status, body } => {
                        tracing::warn!(item = %item.id, status, body = %body, "a resent message was refused; the peer may have had it already");
                    }
                    gave_up => {
                        crate::negotiation::peer_failed(&node, &process, &gave_up).await;
                        crate::transfer::peer_failed(&node, &process, &gave_up).await;
                        break;
                    }
                }
            }
        });
    }
}

fn is_retryable(status: u16) -> bool {
    matches!(status, 401 | 408 | 429)
}

/// Whether the peer's view of the process (DSP `GET`) is in the state ours is in.
async fn peer_is_in_step<S: Store>(node: &Node<S>, item: &OutboxItem) -> bool {
    let Some((url, negotiation)) = process_url(&item.target) else { return false };
    let ours = if negotiation {
        node.store.negotiation(&item.process).await.ok().flatten().map(|r| r.state)
    } else {
        node.store.transfer(&item.process).await.ok().flatten().map(|r| r.state)
    };
    let Some(ours) = ours else { return false };
    let response = node.http.get(&url).header("Authorization", token_for(node, audience_of(&url))).send().await;
    let Ok(response) = response else { return false };
    let Ok(body) = response.json::<Value>().await else { return false };
    body.get("state").and_then(Value::as_str) == Some(ours.as_str())
}

/// `…/negotiations/<pid>` (true) or `…/transfers/<pid>` (false) from a message's target URL.
fn process_url(target: &str) -> Option<(String, bool)> {
    for (marker, negotiation) in [("/negotiations/", true), ("/transfers/", false)] {
        if let Some(at) = target.find(marker) {
            let rest = &target[at + marker.len()..];
            let pid = rest.split('/').next()?;
            return Some((format!("{}{marker}{pid}", &target[..at]), negotiation));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_urls_come_from_message_targets() {
        assert_eq!(
            process_url("http://a/dsp/2025-1/negotiations/urn:uuid:1/agreement/verification"),
            Some(("http://a/dsp/2025-1/negotiations/urn:uuid:1".into(), true))
        );
        assert_eq!(
            process_url("http://a/dsp/2025-1/transfers/urn:uuid:2/start"),
            Some(("http://a/dsp/2025-1/transfers/urn:uuid:2".into(), false))
        );
        assert_eq!(process_url("http://a/dsp/2025-1/negotiations/request").map(|u| u.1), Some(true));
        assert_eq!(audience_of("http://a/dsp/2025-1/transfers/x/start"), "http://a/dsp/2025-1");
    }
}
