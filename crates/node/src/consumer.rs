//! The consumer side's first moves: asking a provider for a contract, and for a transfer under
//! an agreement.

use dsp::{
    ContractNegotiation, ContractRequestMessage, Message, NegotiationMessageKind, NegotiationState, Offer, Role,
    TransferMessageKind, TransferProcess, TransferRequestMessage, TransferState,
};
use serde_json::Value;
use store::{NegotiationRecord, Side, Store, StoreError, TransferRecord, Write};

use crate::app::{now_ms, Node};
use crate::decide::{Caller, Terms};
use crate::peer::{deliver, outbox_item, Delivery};
use crate::script::{NegotiationTrigger, TransferTrigger};

/// Sends a contract request for `dataset_id` to the provider at `provider` (its DSP base URL),
/// declaring `terms`; returns once the provider acknowledged it (the rest happens by callbacks).
pub async fn negotiate<S: Store + Clone>(
    node: &Node<S>,
    provider: &str,
    dataset_id: &str,
    offer: Value,
    terms: &Terms,
) -> Result<NegotiationRecord, String> {
    let provider = provider.trim_end_matches('/').to_owned();
    let mut offer: Offer =
        serde_json::from_value(offer).map_err(|e| format!("the offer is not a valid ODRL offer: {e}"))?;
    if offer.permission.is_empty() {
        offer.permission.push(dsp::Rule::new("use"));
    }
    for constraint in terms.constraints() {
        let constraint: dsp::Constraint = serde_json::from_value(constraint).map_err(|e| e.to_string())?;
        if let Some(first) = offer.permission.first_mut() {
            first.constraint.get_or_insert_with(Vec::new).push(constraint);
        }
    }
    let pid = crate::random::urn();
    let message = ContractRequestMessage::initial(&pid, offer.clone(), dataset_id, &node.dsp_url);
    let state =
        NegotiationState::send_first(NegotiationMessageKind::Request, Role::Consumer).map_err(|e| e.to_string())?;
    let now = now_ms();
    let rec = NegotiationRecord {
        pid: pid.clone(),
        side: Side::Consumer,
        peer_pid: None,
        peer_address: Some(provider.clone()),
        peer_id: None,
        dataset_id: dataset_id.to_owned(),
        offer: serde_json::to_value(&message.offer).unwrap_or(Value::Null),
        state: state.as_str().to_owned(),
        agreement_id: None,
        terms: crate::negotiation::terms_json(&Caller { did: node.did.clone(), ..Caller::default() }, terms),
        reason: None,
        version: 0,
        created_ms: now,
        updated_ms: now,
    };
    let item = outbox_item(&pid, format!("{provider}/negotiations/request"), message.to_value());
    node.store
        .commit(vec![Write::InsertNegotiation(rec.clone()), Write::EnqueueOutbox(item.clone())])
        .await
        .map_err(|e| e.to_string())?;
    match deliver(node, &item).await {
        Delivery::Delivered(answer) => {
            // Any 2xx is an acknowledgement; the provider's pid, when the answer does not carry
            // it, arrives with its first message.
            if let Ok(answer) = ContractNegotiation::from_value(answer) {
                set_negotiation_peer(node, &pid, &answer.provider_pid).await.map_err(|e| e.to_string())?;
            }
            crate::negotiation::react(
                node,
                pid.clone(),
                Side::Consumer,
                dataset_id.to_owned(),
                NegotiationTrigger::RequestAcknowledged,
            );
            node.store
                .negotiation(&pid)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| "the negotiation is gone".into())
        }
        failed => {
            crate::negotiation::peer_failed(node, &pid, &failed).await;
            Err(format!("the contract request was not accepted: {}", failed.describe()))
        }
    }
}

/// Records a negotiation that ended before its first message could be sent (the provider was
/// unreachable), with the reason.
pub async fn record_unreachable<S: Store>(
    node: &Node<S>,
    provider: &str,
    dataset_id: &str,
    terms: &Terms,
    reason: &str,
) -> Result<(), StoreError> {
    let now = now_ms();
    let rec = NegotiationRecord {
        pid: crate::random::urn(),
        side: Side::Consumer,
        peer_pid: None,
        peer_address: Some(provider.to_owned()),
        peer_id: None,
        dataset_id: dataset_id.to_owned(),
        offer: Value::Null,
        state: NegotiationState::Terminated.as_str().to_owned(),
        agreement_id: None,
        terms: crate::negotiation::terms_json(&Caller { did: node.did.clone(), ..Caller::default() }, terms),
        reason: Some(reason.to_owned()),
        version: 0,
        created_ms: now,
        updated_ms: now,
    };
    node.store.commit(vec![Write::InsertNegotiation(rec)]).await
}

async fn set_negotiation_peer<S: Store>(node: &Node<S>, pid: &str, provider_pid: &str) -> Result<(), StoreError> {
    crate::update::negotiation(node, pid, |rec| {
        rec.peer_pid.is_none().then(|| NegotiationRecord { peer_pid: Some(provider_pid.to_owned()), ..rec })
    })
    .await
    .map(drop)
}

/// Requests a transfer under `agreement_id` from the provider at `provider` (DSP base URL).
pub async fn transfer<S: Store + Clone>(
    node: &Node<S>,
    provider: &str,
    agreement_id: &str,
    format: &str,
) -> Result<TransferRecord, String> {
    let provider = provider.trim_end_matches('/').to_owned();
    let pid = crate::random::urn();
    let message = TransferRequestMessage::new(&pid, agreement_id, format, &node.dsp_url);
    let state = TransferState::send_first(TransferMessageKind::Request, Role::Consumer).map_err(|e| e.to_string())?;
    let now = now_ms();
    let rec = TransferRecord {
        pid: pid.clone(),
        side: Side::Consumer,
        peer_pid: None,
        peer_address: Some(provider.clone()),
        peer_id: None,
        agreement_id: agreement_id.to_owned(),
        format: format.to_owned(),
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
    let item = outbox_item(&pid, format!("{provider}/transfers/request"), message.to_value());
    node.store
        .commit(vec![Write::InsertTransfer(rec), Write::EnqueueOutbox(item.clone())])
        .await
        .map_err(|e| e.to_string())?;
    match deliver(node, &item).await {
        Delivery::Delivered(answer) => {
            let answer = TransferProcess::from_value(answer)
                .map_err(|e| format!("the provider's answer is not a TransferProcess: {e}"))?;
            set_transfer_peer(node, &pid, &answer.provider_pid).await.map_err(|e| e.to_string())?;
            let me = Caller { did: node.did.clone(), ..Caller::default() };
            crate::transfer::react(
                node,
                pid.clone(),
                Side::Consumer,
                agreement_id.to_owned(),
                TransferTrigger::RequestAcknowledged,
                me,
            );
            node.store.transfer(&pid).await.map_err(|e| e.to_string())?.ok_or_else(|| "the transfer is gone".into())
        }
        failed => {
            crate::transfer::peer_failed(node, &pid, &failed).await;
            Err(format!("the transfer request was not accepted: {}", failed.describe()))
        }
    }
}

async fn set_transfer_peer<S: Store>(node: &Node<S>, pid: &str, provider_pid: &str) -> Result<(), StoreError> {
    crate::update::transfer(node, pid, |rec| {
        rec.peer_pid.is_none().then(|| TransferRecord { peer_pid: Some(provider_pid.to_owned()), ..rec })
    })
    .await
    .map(drop)
}
