//! Transfer processes, both sides: requests (checked against the agreement and decided again),
//! state changes received and sent, and the data address with its short-lived token.

use dsp::{
    DataAddress, Message, Role, TransferCompletionMessage, TransferMessageKind as Kind, TransferRequestMessage,
    TransferStartMessage, TransferState, TransferSuspensionMessage, TransferTerminationMessage,
};
use serde_json::Value;
use store::{DecisionRecord, Side, Store, StoreError, TransferRecord, Write};

use crate::app::{now_ms, Node};
use crate::decide::Caller;
use crate::metrics::inc;
use crate::negotiation::{role, script_side, Refusal};
use crate::peer::{deliver, outbox_item, Delivery};
use crate::script::{self, TransferStep, TransferTrigger};

/// How long a data-plane token stays valid.
pub const DATA_TOKEN_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// The endpoint type of HTTP pull data addresses.
pub const HTTP_ENDPOINT_TYPE: &str = "https://w3id.org/idsa/v4.1/HTTP";

#[derive(Debug, Clone)]
pub enum Send {
    Start,
    Suspend,
    Complete,
    Terminate { code: String, reason: String, decision: Option<Box<DecisionRecord>> },
}

impl Send {
    fn kind(&self) -> Kind {
        match self {
            Send::Start => Kind::Start,
            Send::Suspend => Kind::Suspension,
            Send::Complete => Kind::Completion,
            Send::Terminate { .. } => Kind::Termination,
        }
    }

    fn scripted(step: TransferStep) -> Send {
        match step {
            TransferStep::Start => Send::Start,
            TransferStep::Suspend => Send::Suspend,
            TransferStep::Complete => Send::Complete,
            TransferStep::Terminate => Send::Terminate {
                code: "scripted".into(),
                reason: "terminated as the test script says".into(),
                decision: None,
            },
        }
    }
}

fn refusal(status: u16, code: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal { status, code, reason: reason.into() }
}

fn backend(e: StoreError) -> Refusal {
    refusal(500, "storage", e.to_string())
}

pub fn state_of(rec: &TransferRecord) -> TransferState {
    serde_json::from_value(Value::String(rec.state.clone())).unwrap_or(TransferState::Terminated)
}

/// (providerPid, consumerPid).
pub fn pids(rec: &TransferRecord) -> (String, String) {
    let peer = rec.peer_pid.clone().unwrap_or_default();
    match rec.side {
        Side::Provider => (rec.pid.clone(), peer),
        Side::Consumer => (peer, rec.pid.clone()),
    }
}

pub fn view(rec: &TransferRecord) -> Value {
    let (provider, consumer) = pids(rec);
    let provider = if provider.is_empty() { "unknown".to_owned() } else { provider };
    dsp::TransferProcess::new(provider, consumer, state_of(rec)).to_value()
}

/// Provider: a consumer's TransferRequestMessage.
pub async fn provider_first<S: Store + Clone>(
    node: &Node<S>,
    caller: &Caller,
    message: TransferRequestMessage,
) -> Result<TransferRecord, Refusal> {
    let Some(agreement) = node.store.agreement(&message.agreement_id).await.map_err(backend)? else {
        return Err(refusal(400, "unknown-agreement", format!("no agreement '{}' here", message.agreement_id)));
    };
    if agreement.side != Side::Provider {
        return Err(refusal(
            400,
            "not-provider",
            format!("this node is not the provider of agreement '{}'", agreement.id),
        ));
    }
    if !node.tck && agreement.consumer_id != caller.did {
        return Err(refusal(403, "not-a-party", "the token's issuer is not the consumer of this agreement"));
    }
    if message.format != dsp::HTTP_DATA_PULL {
        return Err(refusal(
            400,
            "unsupported-format",
            format!("format '{}' is not served; this node serves {}", message.format, dsp::HTTP_DATA_PULL),
        ));
    }
    let state = TransferState::receive_first(Kind::Request, Role::Provider)
        .map_err(|e| refusal(400, "invalid-transition", e.to_string()))?;
    let now = now_ms();
    let rec = TransferRecord {
        pid: crate::random::urn(),
        side: Side::Provider,
        peer_pid: Some(message.consumer_pid.clone()),
        peer_address: Some(message.callback_address.clone()),
        peer_id: Some(caller.did.clone()),
        agreement_id: agreement.id.clone(),
        format: message.format.clone(),
        state: state.as_str().to_owned(),
        data_address: None,
        token_sha256: None,
        token_expires_ms: None,
        content_sha256: None,
        bytes: None,
        reason: None,
        version: 0,
        created_ms: now,
        updated_ms: now,
        transforms: None,
    };
    node.store.commit(vec![Write::InsertTransfer(rec.clone())]).await.map_err(backend)?;
    react(
        node,
        rec.pid.clone(),
        Side::Provider,
        agreement.id.clone(),
        TransferTrigger::Received(Kind::Request),
        caller.clone(),
    );
    Ok(rec)
}

/// A message for an existing transfer.
pub async fn receive<S: Store + Clone>(
    node: &Node<S>,
    pid: &str,
    caller: &Caller,
    message: &Value,
    kind: Kind,
) -> Result<TransferRecord, Refusal> {
    for _ in 0..8 {
        let Some(rec) = node.store.transfer(pid).await.map_err(backend)? else {
            return Err(refusal(404, "unknown-process", format!("no transfer with id \"{pid}\"")));
        };
        let field = |k: &str| message.get(k).and_then(Value::as_str).map(str::to_owned);
        let (ours, theirs, name) = match rec.side {
            Side::Provider => (field("providerPid"), field("consumerPid"), "providerPid"),
            Side::Consumer => (field("consumerPid"), field("providerPid"), "consumerPid"),
        };
        if ours.as_deref() != Some(pid) {
            return Err(refusal(400, "pid-mismatch", format!("`{name}` must be \"{pid}\", the process in the path")));
        }
        if let (Some(known), Some(given)) = (&rec.peer_pid, &theirs) {
            if known != given {
                return Err(refusal(
                    400,
                    "pid-mismatch",
                    format!("this transfer's peer process is \"{known}\", not \"{given}\""),
                ));
            }
        }
        if let Some(peer) = &rec.peer_id {
            if peer != &caller.did {
                return Err(refusal(403, "not-a-party", "the token's issuer is not the other party of this transfer"));
            }
        }
        let next_state = state_of(&rec).receive(kind, role(rec.side)).map_err(|e| {
            inc(&node.metrics.dsp_invalid_transitions);
            refusal(400, "invalid-transition", e.to_string())
        })?;
        let mut next = rec.clone();
        next.state = next_state.as_str().to_owned();
        next.updated_ms = now_ms();
        next.peer_pid = next.peer_pid.or(theirs);
        next.peer_id = next.peer_id.or_else(|| Some(caller.did.clone()));
        if kind == Kind::Start {
            if let Some(address) = message.get("dataAddress") {
                next.data_address = Some(address.clone());
            }
        }
        if kind == Kind::Termination {
            next.reason = Some(crate::negotiation::termination_reason(message));
        }
        match node.store.commit(vec![Write::UpdateTransfer(next.clone())]).await {
            Ok(()) => {
                count_end(node, next_state);
                node.publish("transfer", pid, next_state.as_str());
                next.version += 1;
                react(
                    node,
                    pid.to_owned(),
                    rec.side,
                    rec.agreement_id.clone(),
                    TransferTrigger::Received(kind),
                    caller.clone(),
                );
                return Ok(next);
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(backend(e)),
        }
    }
    Err(refusal(409, "busy", "the transfer kept changing while this message was applied; send it again"))
}

fn count_end<S: Store>(node: &Node<S>, state: TransferState) {
    match state {
        TransferState::Started => inc(&node.metrics.transfers_started),
        TransferState::Completed => inc(&node.metrics.transfers_completed),
        TransferState::Terminated => inc(&node.metrics.transfers_terminated),
        _ => {}
    }
}

pub fn react<S: Store + Clone>(
    node: &Node<S>,
    pid: String,
    side: Side,
    agreement_id: String,
    trigger: TransferTrigger,
    caller: Caller,
) {
    let node = node.clone();
    tokio::spawn(async move {
        let scripted = if node.tck { script::transfer_script(&agreement_id, script_side(side), trigger) } else { None };
        let steps: Vec<Send> = match scripted {
            Some(steps) => steps.iter().copied().map(Send::scripted).collect(),
            None => match own_steps(&node, &pid, side, &agreement_id, trigger, &caller).await {
                Ok(steps) => steps,
                Err(e) => {
                    tracing::error!(transfer = %pid, error = %e, "cannot decide what to do next");
                    vec![Send::Terminate { code: "error".into(), reason: e.to_string(), decision: None }]
                }
            },
        };
        for (i, step) in steps.into_iter().enumerate() {
            if scripted.is_some() {
                script::pause(i).await;
            }
            if let Err(e) = send(&node, &pid, step).await {
                tracing::warn!(transfer = %pid, error = %e, "transfer step not taken");
                break;
            }
        }
    });
}

/// The provider decides again when a transfer is requested; nothing else is automatic.
async fn own_steps<S: Store>(
    node: &Node<S>,
    pid: &str,
    side: Side,
    agreement_id: &str,
    trigger: TransferTrigger,
    caller: &Caller,
) -> Result<Vec<Send>, StoreError> {
    if side != Side::Provider || trigger != TransferTrigger::Received(Kind::Request) {
        return Ok(vec![]);
    }
    let Some(agreement) = node.store.agreement(agreement_id).await? else {
        return Ok(vec![Send::Terminate {
            code: "unknown-agreement".into(),
            reason: agreement_id.into(),
            decision: None,
        }]);
    };
    let outcome = crate::provider::decide_transfer(node, &agreement, pid, caller).await?;
    if outcome.allowed {
        // The bytes must be deliverable as agreed (transforms this node can apply, fields that exist).
        if let Err(reason) = deliverable(node, &agreement).await {
            return Ok(vec![Send::Terminate {
                code: "cannot-deliver".into(),
                reason,
                decision: Some(Box::new(outcome.record)),
            }]);
        }
        inc(&node.metrics.decisions_allowed);
        node.store.commit(vec![Write::InsertDecision(outcome.record)]).await?;
        Ok(vec![Send::Start])
    } else {
        inc(&node.metrics.decisions_refused);
        Ok(vec![Send::Terminate {
            code: "not-lawful".into(),
            reason: outcome.reason,
            decision: Some(Box::new(outcome.record)),
        }])
    }
}

/// Data address properties: what the provider does to the bytes, and how they are encrypted.
pub const TRANSFORMS_PROPERTY: &str = "https://w3id.org/dfft/ns#transforms";
pub const ENCRYPTION_PROPERTY: &str = "https://w3id.org/dfft/ns#encryption";

/// What the transfer's bytes go through, in words, and whether they are sealed to the consumer.
async fn delivery_words<S: Store>(node: &Node<S>, rec: &TransferRecord) -> Option<(Vec<String>, bool)> {
    let agreement = node.store.agreement(&rec.agreement_id).await.ok()??;
    let dataset = node.store.dataset(&agreement.dataset_id).await.ok()??;
    let delivery = crate::enforce::delivery_for(&node.key, &agreement, &dataset).ok()?;
    (!delivery.is_plain()).then(|| (delivery.describe(), delivery.encrypt_to.is_some()))
}

/// Whether the agreement's transforms can be applied to the dataset's data.
async fn deliverable<S: Store>(node: &Node<S>, agreement: &store::AgreementRecord) -> Result<(), String> {
    let dataset = node
        .store
        .dataset(&agreement.dataset_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("dataset '{}' is gone", agreement.dataset_id))?;
    let delivery = crate::enforce::delivery_for(&node.key, agreement, &dataset)?;
    if delivery.plan.is_identity() {
        return Ok(());
    }
    tokio::task::spawn_blocking(move || crate::enforce::check(&delivery, &dataset.file))
        .await
        .map_err(|e| e.to_string())?
}

/// Sends one transfer message (state, records and outbox committed together), then delivers it.
pub async fn send<S: Store>(node: &Node<S>, pid: &str, step: Send) -> Result<(), String> {
    let mut attempt = 0;
    let item = loop {
        attempt += 1;
        let rec = node.store.transfer(pid).await.map_err(|e| e.to_string())?.ok_or("the transfer is gone")?;
        let next_state = state_of(&rec).send(step.kind(), role(rec.side)).map_err(|e| e.to_string())?;
        let mut next = rec.clone();
        next.state = next_state.as_str().to_owned();
        next.updated_ms = now_ms();
        let (provider_pid, consumer_pid) = pids(&rec);
        let peer = rec.peer_address.clone().unwrap_or_default();
        let peer = peer.trim_end_matches('/');
        let pid_there = if rec.side == Side::Provider { &consumer_pid } else { &provider_pid };
        let mut writes = Vec::new();
        let (body, path) = match &step {
            Send::Start => {
                let mut message = TransferStartMessage::new(&provider_pid, &consumer_pid);
                if rec.side == Side::Provider {
                    let token = crate::random::token();
                    next.token_sha256 = Some(crate::random::sha256_hex(token.as_bytes()));
                    next.token_expires_ms = Some(now_ms() + DATA_TOKEN_LIFETIME_MS);
                    let mut address =
                        DataAddress::new(HTTP_ENDPOINT_TYPE, format!("{}/data/{}", node.base_url, rec.pid))
                            .with_property("authorization", format!("Bearer {token}"))
                            .with_property("authType", "bearer");
                    if let Some(words) = delivery_words(node, &rec).await {
                        address = address.with_property(TRANSFORMS_PROPERTY, words.0.join("; "));
                        if words.1 {
                            address = address.with_property(ENCRYPTION_PROPERTY, "dfft-seal/1");
                        }
                    }
                    // The token is only in the message; the record keeps its digest.
                    let mut stored = serde_json::to_value(&address).unwrap_or(Value::Null);
                    if let Some(props) = stored.get_mut("endpointProperties").and_then(Value::as_array_mut) {
                        props.retain(|p| p.get("name").and_then(Value::as_str) != Some("authorization"));
                    }
                    next.data_address = Some(stored);
                    message = message.pull_from(address);
                }
                (message.to_value(), "start")
            }
            Send::Suspend => (TransferSuspensionMessage::new(&provider_pid, &consumer_pid).to_value(), "suspension"),
            Send::Complete => (TransferCompletionMessage::new(&provider_pid, &consumer_pid).to_value(), "completion"),
            Send::Terminate { code, reason, decision } => {
                next.reason = Some(format!("{code}: {reason}"));
                if let Some(decision) = decision {
                    writes.push(Write::InsertDecision((**decision).clone()));
                }
                (
                    TransferTerminationMessage::new(&provider_pid, &consumer_pid).because(code, reason).to_value(),
                    "termination",
                )
            }
        };
        let item = outbox_item(pid, format!("{peer}/transfers/{pid_there}/{path}"), body);
        writes.insert(0, Write::UpdateTransfer(next));
        writes.push(Write::EnqueueOutbox(item.clone()));
        match node.store.commit(writes).await {
            Ok(()) => {
                count_end(node, next_state);
                node.publish("transfer", pid, next_state.as_str());
                break item;
            }
            Err(StoreError::Conflict { .. }) if attempt < 8 => continue,
            Err(e) => return Err(e.to_string()),
        }
    };
    match deliver(node, &item).await {
        Delivery::Delivered(_) => Ok(()),
        failed => {
            peer_failed(node, pid, &failed).await;
            Err(failed.describe())
        }
    }
}

/// A message could not be delivered: the transfer ends here, saying why.
pub async fn peer_failed<S: Store>(node: &Node<S>, pid: &str, delivery: &Delivery) {
    let ended = crate::update::transfer(node, pid, |rec| {
        (!state_of(&rec).is_terminal()).then(|| TransferRecord {
            state: TransferState::Terminated.as_str().to_owned(),
            reason: Some(format!("delivery-failed: {}", delivery.describe())),
            updated_ms: now_ms(),
            ..rec
        })
    })
    .await;
    match ended {
        Ok(Some(_)) => {
            inc(&node.metrics.transfers_terminated);
            node.publish("transfer", pid, "TERMINATED");
        }
        Ok(None) => {}
        Err(e) => tracing::error!(transfer = %pid, error = %e, "cannot record the failed delivery"),
    }
}
