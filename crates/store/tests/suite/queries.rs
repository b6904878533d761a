//! The data plane: compute-only datasets, transforms on transfers, differentially private
//! queries and their ε budget. Each function expects an empty store.

use serde_json::{json, Value};
use store::{DatasetRecord, QueryRecord, Store, StoreError, TransferRecord, Write};

use super::fixtures::*;
use super::writes::ok;

const ALICE: &str = "did:key:z6MkAlice";
const BOB: &str = "did:key:z6MkBob";

fn charge(record: QueryRecord, budget: f64) -> Write {
    Write::ChargeQuery { record, budget }
}

fn over(consumer: &str, dataset: &str, spent: &str, budget: &str, needed: &str) -> StoreError {
    StoreError::OverBudget {
        consumer: consumer.to_owned(),
        dataset: dataset.to_owned(),
        spent: spent.to_owned(),
        budget: budget.to_owned(),
        needed: needed.to_owned(),
    }
}

fn ids(records: store::Result<Vec<QueryRecord>>) -> Vec<String> {
    match records {
        Ok(records) => records.into_iter().map(|q| q.id).collect(),
        Err(e) => vec![format!("error: {e}")],
    }
}

/// `compute` and `transforms` come back as written: absent, JSON null, or a document; an update
/// sets and clears `transforms` like any other field.
pub async fn data_plane_fields_round_trip<S: Store>(store: &S) {
    let compute = dataset("ds-compute", 1);
    let raw = bare_dataset("ds-raw", 2);
    let null = DatasetRecord { compute: Some(Value::Null), ..bare_dataset("ds-null", 3) };
    let batch = vec![Write::InsertDataset(compute.clone()), Write::InsertDataset(raw.clone())];
    ok(store, batch).await;
    ok(store, vec![Write::InsertDataset(null.clone())]).await;
    assert_eq!(store.dataset("ds-compute").await, Ok(Some(compute.clone())));
    assert!(compute.compute.is_some());
    assert_eq!(store.dataset("ds-raw").await, Ok(Some(raw.clone())));
    assert_eq!(store.dataset("ds-null").await, Ok(Some(null.clone())));
    assert_eq!(store.datasets().await, Ok(vec![compute, null, raw]));

    let plain = bare_transfer("t-1", 10);
    ok(store, vec![Write::InsertTransfer(plain.clone())]).await;
    assert_eq!(store.transfer("t-1").await, Ok(Some(plain.clone())));
    let transforms = json!({"applied": ["aggregate:ward"], "rows_in": 90, "rows_out": 3});
    let served = TransferRecord { transforms: Some(transforms.clone()), updated_ms: 20, ..plain.clone() };
    ok(store, vec![Write::UpdateTransfer(served.clone())]).await;
    assert_eq!(store.transfer("t-1").await, Ok(Some(TransferRecord { version: 1, ..served.clone() })));
    let cleared = TransferRecord { transforms: None, version: 1, ..served };
    ok(store, vec![Write::UpdateTransfer(cleared.clone())]).await;
    assert_eq!(store.transfer("t-1").await, Ok(Some(TransferRecord { version: 2, ..cleared })));
    let full = full_transfer("t-2", 30);
    ok(store, vec![Write::InsertTransfer(full.clone())]).await;
    assert_eq!(store.transfers(1).await, Ok(vec![full]));
}

/// Charges that fit are recorded; the one that reaches the budget exactly fits too (also when
/// float rounding puts the sum a hair above it); the next one does not, and says why.
pub async fn charges_within_and_at_budget<S: Store>(store: &S) {
    ok(store, vec![charge(query("q-1", ALICE, "ds", 0.25, 1), 1.0)]).await;
    ok(store, vec![charge(query("q-2", ALICE, "ds", 0.25, 2), 1.0)]).await;
    assert_eq!(store.epsilon_spent(ALICE, "ds").await, Ok(0.5));
    ok(store, vec![charge(query("q-3", ALICE, "ds", 0.5, 3), 1.0)]).await;
    assert_eq!(store.epsilon_spent(ALICE, "ds").await, Ok(1.0));

    let refused = store.commit(vec![charge(query("q-4", ALICE, "ds", 0.2, 4), 1.0)]).await;
    let expected = over(ALICE, "ds", "1", "1", "0.2");
    assert_eq!(refused, Err(expected.clone()));
    assert_eq!(
        expected.to_string(),
        format!("privacy budget exhausted for {ALICE} on dataset 'ds': ε 1 of 1 spent, this query needs 0.2")
    );
    assert_eq!(ids(store.queries(None, None, 10).await), ["q-3", "q-2", "q-1"]);
    // A charge of nothing still fits a spent budget.
    ok(store, vec![charge(query("q-free", ALICE, "ds", 0.0, 5), 1.0)]).await;

    // 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floats: within the tolerance.
    for (i, epsilon) in [0.1, 0.2, 0.7].into_iter().enumerate() {
        ok(store, vec![charge(query(&format!("r-{i}"), BOB, "ds", epsilon, 10 + i as i64), 1.0)]).await;
    }
    let spent = store.epsilon_spent(BOB, "ds").await.unwrap_or(f64::NAN);
    assert!((spent - 1.0).abs() < 1e-9, "{spent}");
    // Anything noticeable beyond it is refused; the spent amount reads rounded.
    let refused = store.commit(vec![charge(query("r-3", BOB, "ds", 0.000_001, 20), 1.0)]).await;
    assert_eq!(refused, Err(over(BOB, "ds", "1", "1", "0.000001")));
    // A larger budget (the node's settings changed) lets the consumer go on.
    ok(store, vec![charge(query("r-3", BOB, "ds", 0.5, 20), 1.5)]).await;
    assert_eq!(store.epsilon_spent(BOB, "ds").await.map(|s| (s * 1e9).round() / 1e9), Ok(1.5));
}

/// An over-budget charge fails its whole batch: nothing in it is written, earlier charges in the
/// same batch included. Budgets are per consumer and dataset. Duplicates and bad amounts fail too.
pub async fn over_budget_fails_whole_batch<S: Store>(store: &S) {
    ok(store, vec![charge(query("q-1", ALICE, "ds", 0.6, 1), 1.0)]).await;
    let batch = vec![
        Write::InsertNegotiation(bare_negotiation("witness", 1)),
        Write::InsertDataset(bare_dataset("witness", 1)),
        charge(query("q-2", ALICE, "ds", 0.3, 2), 1.0),
        charge(query("q-3", ALICE, "ds", 0.3, 3), 1.0),
    ];
    // Each fits alone, not together: the second sees the first.
    assert_eq!(store.commit(batch).await, Err(over(ALICE, "ds", "0.9", "1", "0.3")));
    assert_eq!(store.negotiation("witness").await, Ok(None));
    assert_eq!(store.dataset("witness").await, Ok(None));
    assert_eq!(ids(store.queries(None, None, 10).await), ["q-1"]);
    assert_eq!(store.epsilon_spent(ALICE, "ds").await, Ok(0.6));

    // Other consumers and other datasets have budgets of their own.
    let batch = vec![charge(query("q-4", BOB, "ds", 1.0, 4), 1.0), charge(query("q-5", ALICE, "ds-2", 1.0, 5), 1.0)];
    ok(store, batch).await;
    assert_eq!(store.epsilon_spent(ALICE, "ds").await, Ok(0.6));

    // An existing id is a duplicate, even when the charge would not fit either.
    let duplicate = StoreError::Duplicate { table: "queries", id: "q-1".to_owned() };
    assert_eq!(store.commit(vec![charge(query("q-1", ALICE, "ds", 0.1, 6), 1.0)]).await, Err(duplicate.clone()));
    assert_eq!(store.commit(vec![charge(query("q-1", ALICE, "ds", 5.0, 6), 1.0)]).await, Err(duplicate));

    // Amounts that would corrupt the sum are refused, naming the field.
    for epsilon in [-0.1, f64::NAN, f64::INFINITY] {
        let batch =
            vec![Write::InsertNegotiation(bare_negotiation("w", 1)), charge(query("bad", BOB, "x", epsilon, 7), 1.0)];
        match store.commit(batch).await {
            Err(StoreError::Backend(message)) => assert!(message.contains("queries.epsilon"), "{message}"),
            other => panic!("epsilon {epsilon}: expected a backend error, got {other:?}"),
        }
    }
    let refused = store.commit(vec![charge(query("bad", BOB, "x", 0.1, 7), f64::NAN)]).await;
    assert!(matches!(&refused, Err(StoreError::Backend(m)) if m.contains("budget")), "{refused:?}");
    assert_eq!(store.negotiation("w").await, Ok(None));
    assert_eq!(ids(store.queries(None, None, 10).await), ["q-5", "q-4", "q-1"]);
}

/// `epsilon_spent` sums every charge of one consumer on one dataset, and nothing else.
pub async fn epsilon_spent_sums<S: Store>(store: &S) {
    assert_eq!(store.epsilon_spent(ALICE, "ds").await, Ok(0.0));
    let batch = vec![
        charge(query("a-1", ALICE, "ds", 0.125, 1), 10.0),
        charge(query("a-2", ALICE, "ds", 0.5, 2), 10.0),
        charge(query("a-3", ALICE, "ds-2", 2.0, 3), 10.0),
        charge(query("b-1", BOB, "ds", 4.0, 4), 10.0),
    ];
    ok(store, batch).await;
    ok(store, vec![charge(query("a-4", ALICE, "ds", 1.0, 5), 10.0)]).await;
    assert_eq!(store.epsilon_spent(ALICE, "ds").await, Ok(1.625));
    assert_eq!(store.epsilon_spent(ALICE, "ds-2").await, Ok(2.0));
    assert_eq!(store.epsilon_spent(BOB, "ds").await, Ok(4.0));
    assert_eq!(store.epsilon_spent(BOB, "ds-2").await, Ok(0.0));
    assert_eq!(store.epsilon_spent("did:key:nobody", "ds").await, Ok(0.0));
}

/// Queries newest first, by dataset, by consumer, by both, with limits; whole records back.
pub async fn queries_filters_and_order<S: Store>(store: &S) {
    // (id, consumer, dataset, at), out of time order, over two batches.
    let all = [
        ("q-30", ALICE, "ds-1", 30),
        ("q-10", BOB, "ds-1", 10),
        ("q-50", ALICE, "ds-2", 50),
        ("q-20", ALICE, "ds-1", 20),
        ("q-40", BOB, "ds-2", 40),
        ("q-60", BOB, "ds-1", 60),
    ];
    for chunk in all.chunks(3) {
        let batch = chunk.iter().map(|&(id, who, ds, at)| charge(query(id, who, ds, 0.1, at), 1.0)).collect();
        ok(store, batch).await;
    }
    // Same time: the later insert is newer.
    ok(store, vec![charge(query("q-60b", ALICE, "ds-2", 0.1, 60), 1.0)]).await;

    assert_eq!(ids(store.queries(None, None, 100).await), ["q-60b", "q-60", "q-50", "q-40", "q-30", "q-20", "q-10"]);
    assert_eq!(ids(store.queries(None, None, 2).await), ["q-60b", "q-60"]);
    assert_eq!(ids(store.queries(None, None, 0).await), Vec::<String>::new());
    assert_eq!(ids(store.queries(Some("ds-1"), None, 100).await), ["q-60", "q-30", "q-20", "q-10"]);
    assert_eq!(ids(store.queries(None, Some(BOB), 100).await), ["q-60", "q-40", "q-10"]);
    assert_eq!(ids(store.queries(Some("ds-1"), Some(ALICE), 100).await), ["q-30", "q-20"]);
    assert_eq!(ids(store.queries(Some("ds-2"), Some(ALICE), 1).await), ["q-60b"]);
    assert_eq!(ids(store.queries(Some("ds-3"), None, 100).await), Vec::<String>::new());
    assert_eq!(ids(store.queries(None, Some("did:key:nobody"), 100).await), Vec::<String>::new());
    assert_eq!(store.queries(Some("ds-2"), Some(BOB), 10).await, Ok(vec![query("q-40", BOB, "ds-2", 0.1, 40)]));
}
