//! Contract negotiation, both sides: messages received (state checked, stored, then answered),
//! what the node does next (the provider decides by policy and law; the consumer accepts and
//! verifies; or the compatibility kit's script), and messages sent (state, records and outbox
//! committed together, then delivered).

use dsp::{
    ContractAgreementMessage, ContractAgreementVerificationMessage, ContractNegotiationEventMessage,
    ContractNegotiationTerminationMessage, ContractOfferMessage, ContractRequestMessage, EventType, Message,
    NegotiationMessageKind as Kind, NegotiationState, Offer, Role,
};
use serde_json::{json, Value};
use store::{AgreementRecord, DecisionRecord, NegotiationRecord, Side, Store, StoreError, Write};

use crate::app::{now_ms, timestamp, Node};
use crate::decide::{Caller, Outcome, Terms};
use crate::metrics::inc;
use crate::peer::{deliver, outbox_item, Delivery};
use crate::script::{self, NegotiationStep, NegotiationTrigger};

/// What the node sends next.
#[derive(Debug, Clone)]
pub enum Send {
    Offer,
    Agree(Option<Box<Outcome>>),
    Finalize,
    Accept,
    Verify,
    Counter,
    Terminate { code: String, reason: String, decision: Option<Box<DecisionRecord>> },
}

impl Send {
    fn kind(&self) -> Kind {
        match self {
            Send::Offer => Kind::Offer,
            Send::Agree(_) => Kind::Agreement,
            Send::Finalize => Kind::Finalized,
            Send::Accept => Kind::Accepted,
            Send::Verify => Kind::Verification,
            Send::Counter => Kind::Request,
            Send::Terminate { .. } => Kind::Termination,
        }
    }

    fn scripted(step: NegotiationStep) -> Send {
        match step {
            NegotiationStep::Offer => Send::Offer,
            NegotiationStep::Agree => Send::Agree(None),
            NegotiationStep::Finalize => Send::Finalize,
            NegotiationStep::Accept => Send::Accept,
            NegotiationStep::Verify => Send::Verify,
            NegotiationStep::CounterRequest => Send::Counter,
            NegotiationStep::Terminate => Send::Terminate {
                code: "scripted".into(),
                reason: "terminated as the test script says".into(),
                decision: None,
            },
        }
    }
}

pub fn role(side: Side) -> Role {
    match side {
        Side::Provider => Role::Provider,
        Side::Consumer => Role::Consumer,
    }
}

pub fn state_of(rec: &NegotiationRecord) -> NegotiationState {
    serde_json::from_value(Value::String(rec.state.clone())).unwrap_or(NegotiationState::Terminated)
}

fn state_name(state: NegotiationState) -> String {
    state.as_str().to_owned()
}

/// (providerPid, consumerPid) of a record.
pub fn pids(rec: &NegotiationRecord) -> (String, String) {
    let peer = rec.peer_pid.clone().unwrap_or_default();
    match rec.side {
        Side::Provider => (rec.pid.clone(), peer),
        Side::Consumer => (peer, rec.pid.clone()),
    }
}

/// The negotiation as the protocol shows it (`GET /negotiations/:pid`).
pub fn view(rec: &NegotiationRecord) -> Value {
    let (provider, consumer) = pids(rec);
    dsp::ContractNegotiation::new(
        provider,
        if consumer.is_empty() { "unknown".into() } else { consumer },
        state_of(rec),
    )
    .to_value()
}

/// A refusal of a received message: HTTP status, error code, text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub reason: String,
}

fn refusal(status: u16, code: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal { status, code, reason: reason.into() }
}

fn backend(e: StoreError) -> Refusal {
    refusal(500, "storage", e.to_string())
}

/// The facts a provider keeps about the caller and its request, in `terms`.
pub fn terms_json(caller: &Caller, terms: &Terms) -> Value {
    json!({
        "did": caller.did,
        "jurisdiction": caller.jurisdiction,
        "certifications": caller.certifications,
        "memberships": caller.memberships,
        "credentials": caller.accepted,
        "rejected": caller.rejected,
        "purpose": terms.purpose,
        "safeguards": terms.safeguards,
    })
}

pub fn caller_and_terms(value: &Value) -> (Caller, Terms) {
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    let list = |k: &str| -> Vec<String> {
        value
            .get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    (
        Caller {
            did: text("did").unwrap_or_default(),
            jurisdiction: text("jurisdiction"),
            certifications: list("certifications"),
            memberships: list("memberships"),
            accepted: list("credentials"),
            rejected: list("rejected"),
        },
        Terms { purpose: text("purpose"), safeguards: list("safeguards") },
    )
}

/// Provider: a consumer's first ContractRequestMessage. Returns the new record (201).
pub async fn provider_first<S: Store + Clone>(
    node: &Node<S>,
    caller: Caller,
    message: ContractRequestMessage,
) -> Result<NegotiationRecord, Refusal> {
    let offer = serde_json::to_value(&message.offer).unwrap_or(Value::Null);
    let dataset_id = match &message.offer.target {
        Some(target) => target.clone(),
        None => crate::catalog::dataset_of_offer(node, &message.offer.id).await.map_err(backend)?.ok_or_else(|| {
            refusal(
                400,
                "unknown-offer",
                format!("the offer '{}' names no target and is not one of ours", message.offer.id),
            )
        })?,
    };
    if node.store.dataset(&dataset_id).await.map_err(backend)?.is_none() {
        return Err(refusal(
            400,
            "unknown-dataset",
            format!("no dataset '{dataset_id}' here; ask the catalog for what exists"),
        ));
    }
    let state = NegotiationState::receive_first(Kind::Request, Role::Provider)
        .map_err(|e| refusal(400, "invalid-transition", e.to_string()))?;
    let now = now_ms();
    let terms = Terms::from_offer(&offer);
    let rec = NegotiationRecord {
        pid: crate::random::urn(),
        side: Side::Provider,
        peer_pid: Some(message.consumer_pid.clone()),
        peer_address: message.callback_address.clone(),
        peer_id: Some(caller.did.clone()),
        dataset_id,
        offer,
        state: state_name(state),
        agreement_id: None,
        terms: terms_json(&caller, &terms),
        reason: None,
        version: 0,
        created_ms: now,
        updated_ms: now,
    };
    node.store.commit(vec![Write::InsertNegotiation(rec.clone())]).await.map_err(backend)?;
    react(node, rec.pid.clone(), Side::Provider, rec.dataset_id.clone(), NegotiationTrigger::Received(Kind::Request));
    Ok(rec)
}

/// Consumer: a provider's first ContractOfferMessage (a negotiation the provider opens).
pub async fn consumer_first<S: Store + Clone>(
    node: &Node<S>,
    caller: &Caller,
    message: ContractOfferMessage,
) -> Result<NegotiationRecord, Refusal> {
    let state = NegotiationState::receive_first(Kind::Offer, Role::Consumer)
        .map_err(|e| refusal(400, "invalid-transition", e.to_string()))?;
    let now = now_ms();
    let rec = NegotiationRecord {
        pid: crate::random::urn(),
        side: Side::Consumer,
        peer_pid: Some(message.provider_pid.clone()),
        peer_address: message.callback_address.clone(),
        peer_id: Some(caller.did.clone()),
        dataset_id: message.offer.target.clone().unwrap_or_default(),
        offer: serde_json::to_value(&message.offer).unwrap_or(Value::Null),
        state: state_name(state),
        agreement_id: None,
        terms: json!({}),
        reason: None,
        version: 0,
        created_ms: now,
        updated_ms: now,
    };
    node.store.commit(vec![Write::InsertNegotiation(rec.clone())]).await.map_err(backend)?;
    Ok(rec)
}

/// A message for an existing negotiation: checks the process, the sender and the transition,
/// stores the new state (and whatever the message carries), then lets the node react.
pub async fn receive<S: Store + Clone>(
    node: &Node<S>,
    pid: &str,
    caller: &Caller,
    message: &Value,
    kind: Kind,
) -> Result<NegotiationRecord, Refusal> {
    for _ in 0..8 {
        let Some(rec) = node.store.negotiation(pid).await.map_err(backend)? else {
            return Err(refusal(404, "unknown-process", format!("no negotiation with id \"{pid}\"")));
        };
        let (provider_pid, consumer_pid) = (text(message, "providerPid"), text(message, "consumerPid"));
        let (ours, theirs) = match rec.side {
            Side::Provider => (provider_pid, consumer_pid),
            Side::Consumer => (consumer_pid, provider_pid),
        };
        if ours.as_deref() != Some(pid) {
            let field = if rec.side == Side::Provider { "providerPid" } else { "consumerPid" };
            return Err(refusal(400, "pid-mismatch", format!("`{field}` must be \"{pid}\", the process in the path")));
        }
        if let (Some(known), Some(given)) = (&rec.peer_pid, &theirs) {
            if known != given {
                return Err(refusal(
                    400,
                    "pid-mismatch",
                    format!("this negotiation's peer process is \"{known}\", not \"{given}\""),
                ));
            }
        }
        if let Some(peer) = &rec.peer_id {
            if peer != &caller.did {
                return Err(refusal(
                    403,
                    "not-a-party",
                    "the token's issuer is not the other party of this negotiation",
                ));
            }
        }
        let next_state = state_of(&rec).receive(kind, role(rec.side)).map_err(|e| {
            inc(&node.metrics.dsp_invalid_transitions);
            refusal(400, "invalid-transition", e.to_string())
        })?;
        let mut next = rec.clone();
        next.state = state_name(next_state);
        next.updated_ms = now_ms();
        next.peer_pid = next.peer_pid.or(theirs);
        next.peer_id = next.peer_id.or_else(|| Some(caller.did.clone()));
        let mut writes = Vec::new();
        match kind {
            Kind::Offer => next.offer = message.get("offer").cloned().unwrap_or(Value::Null),
            Kind::Request => {
                next.offer = message.get("offer").cloned().unwrap_or(Value::Null);
                let (caller_facts, _) = caller_and_terms(&rec.terms);
                next.terms = terms_json(&caller_facts, &Terms::from_offer(&next.offer));
            }
            Kind::Agreement => {
                let agreement = message.get("agreement").cloned().unwrap_or(Value::Null);
                let id = agreement.get("@id").and_then(Value::as_str).unwrap_or_default().to_owned();
                next.agreement_id = Some(id.clone());
                writes.push(Write::InsertAgreement(AgreementRecord {
                    id,
                    side: Side::Consumer,
                    negotiation_pid: rec.pid.clone(),
                    dataset_id: rec.dataset_id.clone(),
                    provider_id: text(&agreement, "assigner").unwrap_or_default(),
                    consumer_id: text(&agreement, "assignee").unwrap_or_default(),
                    agreement: agreement.clone(),
                    obligations: Value::Array(obligations_of(&agreement)),
                    decision_id: None,
                    created_ms: now_ms(),
                }));
            }
            Kind::Termination => next.reason = Some(termination_reason(message)),
            _ => {}
        }
        writes.insert(0, Write::UpdateNegotiation(next.clone()));
        match node.store.commit(writes).await {
            Ok(()) => {
                count_end(node, next_state);
                node.publish("negotiation", pid, next_state.as_str());
                next.version += 1;
                let trigger = match kind {
                    Kind::Request => NegotiationTrigger::CounterRequestReceived,
                    kind => NegotiationTrigger::Received(kind),
                };
                react(node, pid.to_owned(), rec.side, rec.dataset_id.clone(), trigger);
                return Ok(next);
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(backend(e)),
        }
    }
    Err(refusal(409, "busy", "the negotiation kept changing while this message was applied; send it again"))
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `code: reason; reason` of a termination message (negotiation or transfer).
pub fn termination_reason(message: &Value) -> String {
    let code = text(message, "code").unwrap_or_default();
    let reason: Vec<String> = message
        .get("reason")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| r.as_str().map(str::to_owned).unwrap_or_else(|| r.to_string()))
        .collect();
    match (code.is_empty(), reason.is_empty()) {
        (true, true) => "terminated by the peer (no reason given)".into(),
        (false, true) => code,
        (true, false) => reason.join("; "),
        (false, false) => format!("{code}: {}", reason.join("; ")),
    }
}

/// The dfft obligations an agreement carries (its `obligation` rules).
fn obligations_of(agreement: &Value) -> Vec<Value> {
    agreement.get("obligation").and_then(Value::as_array).cloned().unwrap_or_default()
}

fn count_end<S: Store>(node: &Node<S>, state: NegotiationState) {
    match state {
        NegotiationState::Finalized => inc(&node.metrics.negotiations_finalized),
        NegotiationState::Terminated => inc(&node.metrics.negotiations_terminated),
        _ => {}
    }
}

/// Runs what comes next in the background: the script in TCK mode, otherwise the node's own
/// behaviour.
pub fn react<S: Store + Clone>(
    node: &Node<S>,
    pid: String,
    side: Side,
    dataset_id: String,
    trigger: NegotiationTrigger,
) {
    let node = node.clone();
    tokio::spawn(async move {
        let scripted =
            if node.tck { script::negotiation_script(&dataset_id, script_side(side), trigger) } else { None };
        let steps: Vec<Send> = match scripted {
            Some(steps) => steps.iter().copied().map(Send::scripted).collect(),
            None => match own_steps(&node, &pid, side, trigger).await {
                Ok(steps) => steps,
                Err(e) => {
                    tracing::error!(negotiation = %pid, error = %e, "cannot decide what to do next");
                    return;
                }
            },
        };
        for (i, step) in steps.into_iter().enumerate() {
            if scripted.is_some() {
                script::pause(i).await;
            }
            if let Err(e) = send(&node, &pid, step).await {
                tracing::warn!(negotiation = %pid, error = %e, "negotiation step not taken");
                break;
            }
        }
    });
}

pub fn script_side(side: Side) -> script::Side {
    match side {
        Side::Provider => script::Side::Provider,
        Side::Consumer => script::Side::Consumer,
    }
}

/// The node's own behaviour (outside test scripts).
async fn own_steps<S: Store + Clone>(
    node: &Node<S>,
    pid: &str,
    side: Side,
    trigger: NegotiationTrigger,
) -> Result<Vec<Send>, StoreError> {
    use NegotiationTrigger::Received;
    Ok(match (side, trigger) {
        (Side::Provider, Received(Kind::Request | Kind::Accepted) | NegotiationTrigger::CounterRequestReceived) => {
            let Some(rec) = node.store.negotiation(pid).await? else { return Ok(vec![]) };
            let outcome = crate::provider::decide_negotiation(node, &rec).await?;
            if outcome.allowed {
                vec![Send::Agree(Some(Box::new(outcome)))]
            } else {
                vec![Send::Terminate {
                    code: "not-lawful".into(),
                    reason: outcome.reason.clone(),
                    decision: Some(Box::new(outcome.record)),
                }]
            }
        }
        (Side::Provider, Received(Kind::Verification)) => vec![Send::Finalize],
        (Side::Consumer, Received(Kind::Offer)) => vec![Send::Accept],
        (Side::Consumer, Received(Kind::Agreement)) => vec![Send::Verify],
        _ => vec![],
    })
}

/// Sends one message: moves the state, commits it with the records it creates and the outbox
/// item, then delivers. A message the peer refuses or never receives terminates the process here.
pub async fn send<S: Store + Clone>(node: &Node<S>, pid: &str, step: Send) -> Result<(), String> {
    let mut attempt = 0;
    let item = loop {
        attempt += 1;
        let rec = node.store.negotiation(pid).await.map_err(|e| e.to_string())?.ok_or("the negotiation is gone")?;
        let next_state = state_of(&rec).send(step.kind(), role(rec.side)).map_err(|e| e.to_string())?;
        let mut next = rec.clone();
        next.state = state_name(next_state);
        next.updated_ms = now_ms();
        let (provider_pid, consumer_pid) = pids(&rec);
        let peer = rec.peer_address.clone().unwrap_or_default();
        let peer = peer.trim_end_matches('/');
        let mut writes = Vec::new();
        let (body, target) = match &step {
            Send::Offer => {
                let offer = dataset_offer(node, &rec).await?;
                let message = ContractOfferMessage::counter(&provider_pid, &consumer_pid, offer, &rec.dataset_id);
                (message.to_value(), format!("{peer}/negotiations/{consumer_pid}/offers"))
            }
            Send::Agree(outcome) => {
                let agreement = build_agreement(node, &rec, outcome.as_deref()).await?;
                next.agreement_id = agreement.get("@id").and_then(Value::as_str).map(str::to_owned);
                let obligations = outcome.as_ref().map(|o| o.obligations.clone()).unwrap_or_default();
                if let Some(outcome) = outcome {
                    writes.push(Write::InsertDecision(outcome.record.clone()));
                }
                writes.push(Write::InsertAgreement(AgreementRecord {
                    id: next.agreement_id.clone().unwrap_or_default(),
                    side: Side::Provider,
                    negotiation_pid: rec.pid.clone(),
                    dataset_id: rec.dataset_id.clone(),
                    provider_id: node.did.clone(),
                    consumer_id: rec.peer_id.clone().unwrap_or_default(),
                    agreement: agreement.clone(),
                    obligations: Value::Array(obligations),
                    decision_id: outcome.as_ref().map(|o| o.record.id.clone()),
                    created_ms: now_ms(),
                }));
                let agreement: dsp::Agreement = serde_json::from_value(agreement).map_err(|e| e.to_string())?;
                let message = ContractAgreementMessage::new(&provider_pid, &consumer_pid, agreement);
                (message.to_value(), format!("{peer}/negotiations/{consumer_pid}/agreement"))
            }
            Send::Finalize | Send::Accept => {
                let event = if matches!(step, Send::Finalize) { EventType::Finalized } else { EventType::Accepted };
                let message = ContractNegotiationEventMessage::new(&provider_pid, &consumer_pid, event);
                let pid_there = if rec.side == Side::Provider { &consumer_pid } else { &provider_pid };
                (message.to_value(), format!("{peer}/negotiations/{pid_there}/events"))
            }
            Send::Verify => {
                let message = ContractAgreementVerificationMessage::new(&provider_pid, &consumer_pid);
                (message.to_value(), format!("{peer}/negotiations/{provider_pid}/agreement/verification"))
            }
            Send::Counter => {
                let offer: Offer =
                    serde_json::from_value(rec.offer.clone()).map_err(|e| format!("the last offer: {e}"))?;
                let message = ContractRequestMessage::counter(&consumer_pid, &provider_pid, offer, &rec.dataset_id);
                (message.to_value(), format!("{peer}/negotiations/{provider_pid}/request"))
            }
            Send::Terminate { code, reason, decision } => {
                next.reason = Some(format!("{code}: {reason}"));
                if let Some(decision) = decision {
                    writes.push(Write::InsertDecision((**decision).clone()));
                }
                let message =
                    ContractNegotiationTerminationMessage::new(&provider_pid, &consumer_pid).because(code, reason);
                let pid_there = if rec.side == Side::Provider { &consumer_pid } else { &provider_pid };
                (message.to_value(), format!("{peer}/negotiations/{pid_there}/termination"))
            }
        };
        let item = outbox_item(pid, target, body);
        writes.insert(0, Write::UpdateNegotiation(next));
        writes.push(Write::EnqueueOutbox(item.clone()));
        match node.store.commit(writes).await {
            Ok(()) => {
                count_end(node, next_state);
                node.publish("negotiation", pid, next_state.as_str());
                if let Send::Agree(Some(_)) = step {
                    inc(&node.metrics.decisions_allowed);
                } else if let Send::Terminate { decision: Some(_), .. } = step {
                    inc(&node.metrics.decisions_refused);
                }
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

/// The dataset's offer, targeted, for an Offer message.
async fn dataset_offer<S: Store>(node: &Node<S>, rec: &NegotiationRecord) -> Result<Offer, String> {
    let dataset = node.store.dataset(&rec.dataset_id).await.map_err(|e| e.to_string())?;
    let policy = dataset.map(|d| d.policy).unwrap_or_else(|| rec.offer.clone());
    serde_json::from_value(policy).map_err(|e| format!("the dataset's offer is not a valid ODRL offer: {e}"))
}

/// The agreement: the offer's rules, the parties, the time, and the law's obligations as ODRL
/// obligation rules in the dfft profile.
async fn build_agreement<S: Store>(
    node: &Node<S>,
    rec: &NegotiationRecord,
    outcome: Option<&Outcome>,
) -> Result<Value, String> {
    let offer = dataset_offer(node, rec).await?;
    let id = crate::random::urn();
    let mut agreement = dsp::Agreement::from_offer(
        &id,
        &offer,
        &rec.dataset_id,
        &node.did,
        rec.peer_id.clone().unwrap_or_else(|| "unknown".into()),
    )
    .at(timestamp(now_ms()));
    if agreement.permission.is_empty() && agreement.prohibition.is_empty() {
        agreement.permission.push(dsp::Rule::new("use"));
    }
    for obligation in outcome.map(|o| o.obligations.as_slice()).unwrap_or_default() {
        let id = obligation.get("id").and_then(Value::as_str).unwrap_or("obligation");
        agreement = agreement.oblige(dsp::Rule::new(format!("https://w3id.org/dfft/obligation#{id}")));
    }
    serde_json::to_value(&agreement).map_err(|e| e.to_string())
}

/// A message could not be delivered: the process ends here, saying why.
pub async fn peer_failed<S: Store>(node: &Node<S>, pid: &str, delivery: &Delivery) {
    let ended = crate::update::negotiation(node, pid, |rec| {
        (!state_of(&rec).is_terminal()).then(|| NegotiationRecord {
            state: state_name(NegotiationState::Terminated),
            reason: Some(format!("delivery-failed: {}", delivery.describe())),
            updated_ms: now_ms(),
            ..rec
        })
    })
    .await;
    match ended {
        Ok(Some(_)) => {
            inc(&node.metrics.negotiations_terminated);
            node.publish("negotiation", pid, "TERMINATED");
        }
        Ok(None) => {}
        Err(e) => tracing::error!(negotiation = %pid, error = %e, "cannot record the failed delivery"),
    }
}
