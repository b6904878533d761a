//! Round trips and the rules of `commit`: duplicates, versions, conflicts, missing records,
//! atomicity. Each function expects an empty store.

use store::{Store, StoreError, Write};

use super::fixtures::*;

/// Commits a batch that must succeed.
pub async fn ok<S: Store>(store: &S, writes: Vec<Write>) {
    let result = store.commit(writes).await;
    assert_eq!(result, Ok(()), "commit failed");
}

pub async fn datasets_round_trip<S: Store>(store: &S) {
    let full = dataset("ds-b", 20);
    let bare = bare_dataset("ds-a", 10);
    let big = store::DatasetRecord { subjects: i64::MAX as u64, ..dataset("ds-c", 30) };
    ok(store, vec![Write::InsertDataset(full.clone()), Write::InsertDataset(bare.clone())]).await;
    ok(store, vec![Write::InsertDataset(big.clone())]).await;
    assert_eq!(store.dataset("ds-b").await, Ok(Some(full.clone())));
    assert_eq!(store.dataset("ds-a").await, Ok(Some(bare.clone())));
    assert_eq!(store.dataset("ds-c").await, Ok(Some(big.clone())));
    assert_eq!(store.dataset("ds-z").await, Ok(None));
    // Ordered by id, not by insertion or time.
    assert_eq!(store.datasets().await, Ok(vec![bare, full, big]));
}

pub async fn negotiations_round_trip<S: Store>(store: &S) {
    let full = full_negotiation("n-full", 100);
    let bare = bare_negotiation("n-bare", 200);
    ok(store, vec![Write::InsertNegotiation(full.clone()), Write::InsertNegotiation(bare.clone())]).await;
    assert_eq!(store.negotiation("n-full").await, Ok(Some(full)));
    assert_eq!(store.negotiation("n-bare").await, Ok(Some(bare)));
    assert_eq!(store.negotiation("n-none").await, Ok(None));
}

pub async fn agreements_round_trip<S: Store>(store: &S) {
    let full = full_agreement("a-full", 100);
    let bare = bare_agreement("a-bare", 200);
    ok(store, vec![Write::InsertAgreement(full.clone()), Write::InsertAgreement(bare.clone())]).await;
    assert_eq!(store.agreement("a-full").await, Ok(Some(full)));
    assert_eq!(store.agreement("a-bare").await, Ok(Some(bare)));
    assert_eq!(store.agreement("a-none").await, Ok(None));
}

pub async fn transfers_round_trip<S: Store>(store: &S) {
    let full = full_transfer("t-full", 100);
    let bare = bare_transfer("t-bare", 200);
    // JSON null is a value, distinct from no data address at all.
    let null_address =
        store::TransferRecord { data_address: Some(serde_json::Value::Null), ..bare_transfer("t-null", 300) };
    ok(store, vec![Write::InsertTransfer(full.clone()), Write::InsertTransfer(bare.clone())]).await;
    ok(store, vec![Write::InsertTransfer(null_address.clone())]).await;
    assert_eq!(store.transfer("t-full").await, Ok(Some(full.clone())));
    assert_eq!(store.transfer("t-bare").await, Ok(Some(bare)));
    assert_eq!(store.transfer("t-null").await, Ok(Some(null_address)));
    assert_eq!(store.transfer("t-none").await, Ok(None));
    let token = full.token_sha256.clone().unwrap_or_default();
    assert_eq!(store.transfer_by_token(&token).await, Ok(Some(full)));
    assert_eq!(store.transfer_by_token(&"0".repeat(64)).await, Ok(None));
    let other = store::TransferRecord { agreement_id: "agreement-2".into(), ..full_transfer("t-other", 400) };
    ok(store, vec![Write::InsertTransfer(other.clone())]).await;
    let of_first: Vec<String> =
        store.transfers_of_agreement("agreement-1").await.unwrap_or_default().into_iter().map(|t| t.pid).collect();
    assert!(of_first.contains(&"t-full".to_owned()) && !of_first.contains(&"t-other".to_owned()), "{of_first:?}");
    assert_eq!(store.transfers_of_agreement("agreement-2").await, Ok(vec![other]));
    assert_eq!(store.transfers_of_agreement("agreement-none").await, Ok(vec![]));
}

pub async fn decisions_round_trip<S: Store>(store: &S) {
    let full = full_decision("d-full", "n-1", 100);
    let bare = bare_decision("d-bare", 200);
    ok(store, vec![Write::InsertDecision(full.clone()), Write::InsertDecision(bare.clone())]).await;
    assert_eq!(store.decision("d-full").await, Ok(Some(full)));
    assert_eq!(store.decision("d-bare").await, Ok(Some(bare)));
    assert_eq!(store.decision("d-none").await, Ok(None));
}

pub async fn outbox_round_trip<S: Store>(store: &S) {
    let full = full_outbox("o-full", 5_000);
    let bare = bare_outbox("o-bare", 6_000);
    ok(store, vec![Write::EnqueueOutbox(full.clone()), Write::EnqueueOutbox(bare.clone())]).await;
    assert_eq!(store.pending_outbox().await, Ok(vec![full.clone(), bare.clone()]));
    let update = Write::UpdateOutbox {
        id: "o-full".to_owned(),
        attempts: 4,
        next_attempt_ms: 9_000,
        status: "pending".to_owned(),
        last_error: None,
    };
    ok(store, vec![update]).await;
    let updated = store::OutboxItem { attempts: 4, next_attempt_ms: 9_000, last_error: None, ..full.clone() };
    assert_eq!(store.pending_outbox().await, Ok(vec![updated.clone(), bare.clone()]));
    let update = Write::UpdateOutbox {
        id: "o-bare".to_owned(),
        attempts: 1,
        next_attempt_ms: 7_000,
        status: "pending".to_owned(),
        last_error: Some("HTTP 503".to_owned()),
    };
    ok(store, vec![update]).await;
    let bare_updated =
        store::OutboxItem { attempts: 1, next_attempt_ms: 7_000, last_error: Some("HTTP 503".to_owned()), ..bare };
    assert_eq!(store.pending_outbox().await, Ok(vec![updated, bare_updated]));
}

/// Every insert variant refuses an existing id, and the batch it was in leaves no trace.
pub async fn duplicates_fail_whole_batch<S: Store>(store: &S) {
    let cases: Vec<(Write, &str, &str)> = vec![
        (Write::InsertDataset(dataset("dup", 1)), "datasets", "dup"),
        (Write::InsertNegotiation(full_negotiation("dup", 1)), "negotiations", "dup"),
        (Write::InsertAgreement(full_agreement("dup", 1)), "agreements", "dup"),
        (Write::InsertTransfer(full_transfer("dup", 1)), "transfers", "dup"),
        (Write::InsertDecision(full_decision("dup", "p", 1)), "decisions", "dup"),
        (Write::EnqueueOutbox(full_outbox("dup", 1)), "outbox", "dup"),
        (Write::ChargeQuery { record: query("dup", "did:key:z6MkDup", "ds", 0.1, 1), budget: 100.0 }, "queries", "dup"),
    ];
    for (index, (write, table, id)) in cases.into_iter().enumerate() {
        ok(store, vec![write.clone()]).await;
        let witness = format!("witness-{index}");
        let batch = vec![Write::InsertNegotiation(bare_negotiation(&witness, 1)), write];
        let expected = StoreError::Duplicate { table, id: id.to_owned() };
        assert_eq!(store.commit(batch).await, Err(expected), "duplicate in {table}");
        assert_eq!(store.negotiation(&witness).await, Ok(None), "batch with a duplicate in {table} was applied");
    }
    // The first copy of each record is untouched.
    assert_eq!(store.negotiation("dup").await, Ok(Some(full_negotiation("dup", 1))));
    assert_eq!(store.transfer("dup").await, Ok(Some(full_transfer("dup", 1))));
    // A duplicate within one batch fails it too.
    let twice =
        vec![Write::InsertAgreement(bare_agreement("twice", 1)), Write::InsertAgreement(bare_agreement("twice", 2))];
    assert_eq!(store.commit(twice).await, Err(StoreError::Duplicate { table: "agreements", id: "twice".to_owned() }));
    assert_eq!(store.agreement("twice").await, Ok(None));
}

/// Updates name the version they read; the store keeps `version + 1`; a stale version conflicts.
pub async fn versioned_updates<S: Store>(store: &S) {
    let negotiation = bare_negotiation("n-1", 100);
    let transfer = bare_transfer("t-1", 100);
    ok(store, vec![Write::InsertNegotiation(negotiation.clone()), Write::InsertTransfer(transfer.clone())]).await;

    let mut n1 = full_negotiation("n-1", 100);
    n1.state = "OFFERED".to_owned();
    n1.updated_ms = 150;
    ok(store, vec![Write::UpdateNegotiation(n1.clone())]).await;
    let stored = store.negotiation("n-1").await;
    assert_eq!(stored, Ok(Some(store::NegotiationRecord { version: 1, ..n1.clone() })));

    // Clearing optional fields is an update like any other.
    let mut n2 = bare_negotiation("n-1", 100);
    n2.version = 1;
    n2.state = "AGREED".to_owned();
    ok(store, vec![Write::UpdateNegotiation(n2.clone())]).await;
    assert_eq!(store.negotiation("n-1").await, Ok(Some(store::NegotiationRecord { version: 2, ..n2.clone() })));

    // Stale: read at version 1, stored is 2.
    let conflict = StoreError::Conflict { table: "negotiations", id: "n-1".to_owned() };
    assert_eq!(store.commit(vec![Write::UpdateNegotiation(n1.clone())]).await, Err(conflict.clone()));
    let mut ahead = n2.clone();
    ahead.version = 7;
    assert_eq!(store.commit(vec![Write::UpdateNegotiation(ahead)]).await, Err(conflict));
    assert_eq!(store.negotiation("n-1").await, Ok(Some(store::NegotiationRecord { version: 2, ..n2 })));

    let mut t1 = full_transfer("t-1", 100);
    t1.updated_ms = 160;
    ok(store, vec![Write::UpdateTransfer(t1.clone())]).await;
    assert_eq!(store.transfer("t-1").await, Ok(Some(store::TransferRecord { version: 1, ..t1.clone() })));
    // The new token digest is found, the old (none) is not.
    let token = t1.token_sha256.clone().unwrap_or_default();
    assert_eq!(store.transfer_by_token(&token).await.map(|t| t.map(|t| t.pid)), Ok(Some("t-1".to_owned())));
    let stale = Write::UpdateTransfer(t1.clone());
    let conflict = StoreError::Conflict { table: "transfers", id: "t-1".to_owned() };
    assert_eq!(store.commit(vec![stale]).await, Err(conflict));
    let mut t2 = bare_transfer("t-1", 100);
    t2.version = 1;
    ok(store, vec![Write::UpdateTransfer(t2.clone())]).await;
    assert_eq!(store.transfer("t-1").await, Ok(Some(store::TransferRecord { version: 2, ..t2 })));
    assert_eq!(store.transfer_by_token(&token).await, Ok(None));
}

/// A batch with a failing update applies nothing, whatever came before the failure in it.
pub async fn failed_batches_apply_nothing<S: Store>(store: &S) {
    ok(store, vec![Write::InsertNegotiation(bare_negotiation("b", 1))]).await;
    ok(store, vec![Write::UpdateNegotiation(bare_negotiation("b", 1))]).await;

    // [insert A, stale update B]: Conflict, A absent, B unchanged.
    let stale = bare_negotiation("b", 1);
    let batch = vec![
        Write::InsertNegotiation(bare_negotiation("a", 2)),
        Write::InsertTransfer(bare_transfer("a", 2)),
        Write::EnqueueOutbox(bare_outbox("a", 2)),
        Write::UpdateNegotiation(stale),
    ];
    assert_eq!(store.commit(batch).await, Err(StoreError::Conflict { table: "negotiations", id: "b".to_owned() }));
    assert_eq!(store.negotiation("a").await, Ok(None));
    assert_eq!(store.transfer("a").await, Ok(None));
    assert_eq!(store.pending_outbox().await, Ok(vec![]));
    assert_eq!(store.negotiation("b").await.map(|n| n.map(|n| n.version)), Ok(Some(1)));

    // An update earlier in the batch is undone too.
    let mut current = bare_negotiation("b", 1);
    current.version = 1;
    current.state = "VERIFIED".to_owned();
    let batch = vec![Write::UpdateNegotiation(current.clone()), Write::UpdateTransfer(bare_transfer("nowhere", 1))];
    assert_eq!(store.commit(batch).await, Err(StoreError::Missing { table: "transfers", id: "nowhere".to_owned() }));
    let stored = store.negotiation("b").await;
    assert_eq!(stored.map(|n| n.map(|n| (n.version, n.state))), Ok(Some((1, "REQUESTED".to_owned()))));

    // Two updates of one record in one batch: the second must name the version the first made.
    let mut second = current.clone();
    second.version = 2;
    second.state = "FINALIZED".to_owned();
    ok(store, vec![Write::UpdateNegotiation(current), Write::UpdateNegotiation(second.clone())]).await;
    assert_eq!(store.negotiation("b").await, Ok(Some(store::NegotiationRecord { version: 3, ..second })));

    // An empty batch is fine and changes nothing.
    ok(store, vec![]).await;
}

/// Updating what does not exist fails with `Missing` naming the table and id.
pub async fn missing_records<S: Store>(store: &S) {
    let missing = |table: &'static str| StoreError::Missing { table, id: "ghost".to_owned() };
    let update = Write::UpdateNegotiation(bare_negotiation("ghost", 1));
    assert_eq!(store.commit(vec![update]).await, Err(missing("negotiations")));
    let update = Write::UpdateTransfer(bare_transfer("ghost", 1));
    assert_eq!(store.commit(vec![update]).await, Err(missing("transfers")));
    let update = Write::UpdateOutbox {
        id: "ghost".to_owned(),
        attempts: 1,
        next_attempt_ms: 1,
        status: "delivered".to_owned(),
        last_error: None,
    };
    assert_eq!(store.commit(vec![update]).await, Err(missing("outbox")));
    assert_eq!(store.negotiation("ghost").await, Ok(None));
    assert_eq!(store.transfer("ghost").await, Ok(None));
    assert_eq!(store.pending_outbox().await, Ok(vec![]));
}
