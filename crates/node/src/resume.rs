//! At start: take up the processes whose next move is this node's. A node can stop between
//! committing a received message and committing its own answer; the outbox covers messages
//! already enqueued, this covers the reactions that had not yet run.

use std::collections::HashSet;

use dsp::{NegotiationMessageKind as NKind, NegotiationState, TransferMessageKind as TKind, TransferState};
use store::{Side, Store};

use crate::app::Node;
use crate::decide::Caller;
use crate::negotiation::caller_and_terms;
use crate::script::{NegotiationTrigger, TransferTrigger};

/// Processes at most this many of each kind (the newest).
const LIMIT: usize = 100_000;

pub async fn resume_processes<S: Store + Clone>(node: &Node<S>) {
    if node.tck {
        return; // scripted processes wait for the kit, not for us
    }
    let pending: HashSet<String> = match node.store.pending_outbox().await {
        Ok(items) => items.into_iter().map(|i| i.process).collect(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the outbox; processes not resumed");
            return;
        }
    };
    let mut resumed = 0usize;
    for rec in node.store.negotiations(LIMIT).await.unwrap_or_default() {
        let state = crate::negotiation::state_of(&rec);
        if state.is_terminal() || pending.contains(&rec.pid) {
            continue;
        }
        let ours = |did: Option<&str>| did == Some(node.did.as_str());
        let trigger = match (rec.side, state) {
            (Side::Provider, NegotiationState::Requested) => NKind::Request,
            (Side::Provider, NegotiationState::Accepted) => NKind::Accepted,
            (Side::Provider, NegotiationState::Verified) => NKind::Verification,
            (Side::Consumer, NegotiationState::Agreed) => NKind::Agreement,
            // Only offers answering our own request are accepted without the operator.
            (Side::Consumer, NegotiationState::Offered) if ours(rec.terms.get("did").and_then(|d| d.as_str())) => {
                NKind::Offer
            }
            _ => continue,
        };
        resumed += 1;
        crate::negotiation::react(
            node,
            rec.pid.clone(),
            rec.side,
            rec.dataset_id.clone(),
            NegotiationTrigger::Received(trigger),
        );
    }
    for rec in node.store.transfers(LIMIT).await.unwrap_or_default() {
        if rec.side != Side::Provider
            || crate::transfer::state_of(&rec) != TransferState::Requested
            || pending.contains(&rec.pid)
        {
            continue;
        }
        let caller = negotiated_caller(node, &rec.agreement_id)
            .await
            .unwrap_or_else(|| Caller { did: rec.peer_id.clone().unwrap_or_default(), ..Caller::default() });
        resumed += 1;
        crate::transfer::react(
            node,
            rec.pid.clone(),
            Side::Provider,
            rec.agreement_id.clone(),
            TransferTrigger::Received(TKind::Request),
            caller,
        );
    }
    if resumed > 0 {
        tracing::info!(count = resumed, "resumed processes waiting for this node's next step");
    }
}

/// The consumer as it was known when the agreement was negotiated.
async fn negotiated_caller<S: Store>(node: &Node<S>, agreement_id: &str) -> Option<Caller> {
    let agreement = node.store.agreement(agreement_id).await.ok()??;
    let negotiation = node.store.negotiation(&agreement.negotiation_pid).await.ok()??;
    Some(caller_and_terms(&negotiation.terms).0)
}
