//! Read, change, commit — again on a version conflict. The one place the node's small record
//! updates (outside the protocol's own transitions) meet optimistic concurrency.

use store::{NegotiationRecord, Store, StoreError, TransferRecord, Write};

use crate::app::Node;

/// Attempts before a record that keeps changing is given up on.
const ATTEMPTS: usize = 8;

/// Applies `change` to the negotiation `pid` and commits it; `change` returns `None` to leave it
/// as it is. Returns the committed record (version as read), or `None` when nothing was written.
pub async fn negotiation<S: Store>(
    node: &Node<S>,
    pid: &str,
    change: impl Fn(NegotiationRecord) -> Option<NegotiationRecord>,
) -> Result<Option<NegotiationRecord>, StoreError> {
    for _ in 0..ATTEMPTS {
        let Some(next) = node.store.negotiation(pid).await?.and_then(&change) else { return Ok(None) };
        match node.store.commit(vec![Write::UpdateNegotiation(next.clone())]).await {
            Ok(()) => return Ok(Some(next)),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict { table: "negotiations", id: pid.to_owned() })
}

/// As [`negotiation`], for a transfer.
pub async fn transfer<S: Store>(
    node: &Node<S>,
    pid: &str,
    change: impl Fn(TransferRecord) -> Option<TransferRecord>,
) -> Result<Option<TransferRecord>, StoreError> {
    for _ in 0..ATTEMPTS {
        let Some(next) = node.store.transfer(pid).await?.and_then(&change) else { return Ok(None) };
        match node.store.commit(vec![Write::UpdateTransfer(next.clone())]).await {
            Ok(()) => return Ok(Some(next)),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict { table: "transfers", id: pid.to_owned() })
}
