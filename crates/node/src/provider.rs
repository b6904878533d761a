//! The provider's decisions at each step: when a contract is requested or accepted, and again
//! when a transfer starts (law, dates and credentials change).

use store::{AgreementRecord, NegotiationRecord, Store, StoreError};

use crate::app::{now_ms, Node};
use crate::decide::{decide, Caller, Outcome, Question, Terms};
use crate::negotiation::caller_and_terms;

/// Decides a contract request from what the negotiation holds.
pub async fn decide_negotiation<S: Store>(node: &Node<S>, rec: &NegotiationRecord) -> Result<Outcome, StoreError> {
    let (caller, terms) = caller_and_terms(&rec.terms);
    decide_for(node, &rec.dataset_id, None, &caller, &terms, "negotiation", &rec.pid, None, 0).await
}

/// Decides again when a transfer under `agreement` starts.
pub async fn decide_transfer<S: Store>(
    node: &Node<S>,
    agreement: &AgreementRecord,
    transfer_pid: &str,
    caller_now: &Caller,
) -> Result<Outcome, StoreError> {
    let negotiation = node.store.negotiation(&agreement.negotiation_pid).await?;
    let (mut caller, terms) = negotiation.map(|n| caller_and_terms(&n.terms)).unwrap_or_default();
    // The caller's current declarations win over those made at negotiation time.
    if caller_now.jurisdiction.is_some() {
        caller.jurisdiction.clone_from(&caller_now.jurisdiction);
    }
    // Certifications are those presented now: a credential revoked since the agreement no longer counts.
    caller.certifications.clone_from(&caller_now.certifications);
    caller.memberships.clone_from(&caller_now.memberships);
    caller.accepted.clone_from(&caller_now.accepted);
    caller.rejected.clone_from(&caller_now.rejected);
    caller.did.clone_from(&caller_now.did);
    let uses = node
        .store
        .transfers_of_agreement(&agreement.id)
        .await?
        .iter()
        .filter(|t| t.pid != transfer_pid && t.content_sha256.is_some())
        .count();
    let uses = u64::try_from(uses).unwrap_or(u64::MAX);
    // The agreement, not the dataset's current offer, governs transfers under it.
    let policy = Some(&agreement.agreement);
    let started = Some(agreement.created_ms);
    decide_for(node, &agreement.dataset_id, policy, &caller, &terms, "transfer", transfer_pid, started, uses).await
}

#[allow(clippy::too_many_arguments)]
async fn decide_for<S: Store>(
    node: &Node<S>,
    dataset_id: &str,
    policy: Option<&serde_json::Value>,
    caller: &Caller,
    terms: &Terms,
    stage: &str,
    process: &str,
    agreement_started_ms: Option<i64>,
    uses: u64,
) -> Result<Outcome, StoreError> {
    let Some(dataset) = node.store.dataset(dataset_id).await? else {
        return Err(StoreError::Missing { table: "datasets", id: dataset_id.to_owned() });
    };
    let now = now_ms();
    let policy = policy.unwrap_or(&dataset.policy);
    let policy = crate::usage::evaluate(policy, caller, terms, now, agreement_started_ms, uses, dataset_id);
    Ok(decide(&Question {
        rulebook: &node.rulebook,
        provider_jurisdiction: &node.config.jurisdiction,
        dataset: &dataset,
        caller,
        terms,
        policy: &policy,
        stage,
        process: Some(process),
        id: crate::random::urn(),
        now_ms: now,
    }))
}
