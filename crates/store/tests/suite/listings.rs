//! Listings: newest first with limits, decisions by process, the outbox by due time and status.
//! Each function expects an empty store.

use store::{Store, Write};

use super::fixtures::*;
use super::writes::ok;

fn ids<T>(records: store::Result<Vec<T>>, id: impl Fn(&T) -> &str) -> Vec<String> {
    match records {
        Ok(records) => records.iter().map(|r| id(r).to_owned()).collect(),
        Err(e) => vec![format!("error: {e}")],
    }
}

/// Creation times out of insertion order, spread over several batches.
const TIMES: [(&str, i64); 5] = [("c", 300), ("a", 100), ("e", 500), ("b", 200), ("d", 400)];

pub async fn newest_first<S: Store>(store: &S) {
    for chunk in TIMES.chunks(2) {
        let mut batch = Vec::new();
        for &(id, at) in chunk {
            batch.push(Write::InsertNegotiation(full_negotiation(&format!("n-{id}"), at)));
            batch.push(Write::InsertAgreement(bare_agreement(&format!("a-{id}"), at)));
            batch.push(Write::InsertTransfer(bare_transfer(&format!("t-{id}"), at)));
        }
        ok(store, batch).await;
    }
    let expect = |prefix: &str, n: usize| -> Vec<String> {
        ["e", "d", "c", "b", "a"].iter().take(n).map(|id| format!("{prefix}-{id}")).collect()
    };
    for limit in [0, 1, 3, 5, 100] {
        assert_eq!(ids(store.negotiations(limit).await, |n| &n.pid), expect("n", limit), "negotiations({limit})");
        assert_eq!(ids(store.agreements(limit).await, |a| &a.id), expect("a", limit), "agreements({limit})");
        assert_eq!(ids(store.transfers(limit).await, |t| &t.pid), expect("t", limit), "transfers({limit})");
    }
    // An update does not move a record in the listing (creation time orders it).
    let mut oldest = full_negotiation("n-a", 100);
    oldest.updated_ms = 10_000;
    ok(store, vec![Write::UpdateNegotiation(oldest)]).await;
    assert_eq!(ids(store.negotiations(5).await, |n| &n.pid), expect("n", 5));
    // Whole records come back, not just ids.
    assert_eq!(store.transfers(1).await, Ok(vec![bare_transfer("t-e", 500)]));
}

pub async fn decisions_by_process<S: Store>(store: &S) {
    let mut batch = Vec::new();
    for (i, at) in [30, 10, 50, 20, 40, 60].into_iter().enumerate() {
        let process = if i % 2 == 0 { "p-even" } else { "p-odd" };
        batch.push(Write::InsertDecision(full_decision(&format!("d-{at}"), process, at)));
    }
    batch.push(Write::InsertDecision(bare_decision("d-none", 35)));
    ok(store, batch).await;

    let all = ids(store.decisions(None, 100).await, |d| &d.id);
    assert_eq!(all, ["d-60", "d-50", "d-40", "d-none", "d-30", "d-20", "d-10"]);
    assert_eq!(ids(store.decisions(None, 2).await, |d| &d.id), ["d-60", "d-50"]);
    // Indices 0, 2, 4 are even: at 30, 50, 40.
    assert_eq!(ids(store.decisions(Some("p-even"), 100).await, |d| &d.id), ["d-50", "d-40", "d-30"]);
    assert_eq!(ids(store.decisions(Some("p-odd"), 2).await, |d| &d.id), ["d-60", "d-20"]);
    assert_eq!(ids(store.decisions(Some("p-odd"), 0).await, |d| &d.id), Vec::<String>::new());
    assert_eq!(ids(store.decisions(Some("p-none"), 10).await, |d| &d.id), Vec::<String>::new());
    assert_eq!(store.decisions(Some("p-even"), 1).await, Ok(vec![full_decision("d-50", "p-even", 50)]));
}

fn set_status(id: &str, attempts: u32, next_attempt_ms: i64, status: &str) -> Write {
    Write::UpdateOutbox {
        id: id.to_owned(),
        attempts,
        next_attempt_ms,
        status: status.to_owned(),
        last_error: Some(format!("{status} after {attempts}")),
    }
}

pub async fn outbox_due_and_pending<S: Store>(store: &S) {
    // Enqueued out of due order; created_ms = due - 1000, so creation order = due order too.
    let items = [("o-3", 3_000), ("o-1", 1_000), ("o-5", 5_000), ("o-2", 2_000), ("o-4", 4_000)];
    let batch = items.iter().map(|&(id, due)| Write::EnqueueOutbox(bare_outbox(id, due))).collect();
    ok(store, batch).await;

    let due = |now: i64, limit: usize| async move { ids(store.due_outbox(now, limit).await, |o| &o.id) };
    assert_eq!(due(999, 10).await, Vec::<String>::new());
    // Due at exactly `now` counts.
    assert_eq!(due(1_000, 10).await, ["o-1"]);
    assert_eq!(due(3_500, 10).await, ["o-1", "o-2", "o-3"]);
    assert_eq!(due(3_500, 2).await, ["o-1", "o-2"]);
    assert_eq!(due(i64::MAX, 0).await, Vec::<String>::new());
    assert_eq!(due(i64::MAX, 10).await, ["o-1", "o-2", "o-3", "o-4", "o-5"]);

    // Delivered and given-up items are done: neither due nor pending, whatever their time.
    // A retried one moves to its new due time.
    ok(
        store,
        vec![
            set_status("o-1", 1, 1_000, "delivered"),
            set_status("o-2", 9, 0, "failed"),
            set_status("o-3", 1, 4_500, "pending"),
        ],
    )
    .await;
    assert_eq!(due(3_500, 10).await, Vec::<String>::new());
    assert_eq!(due(4_500, 10).await, ["o-4", "o-3"]);
    assert_eq!(due(i64::MAX, 10).await, ["o-4", "o-3", "o-5"]);
    let pending = store.pending_outbox().await;
    assert_eq!(ids(pending.clone(), |o| &o.id), ["o-3", "o-4", "o-5"]);
    let o3 = store::OutboxItem {
        attempts: 1,
        next_attempt_ms: 4_500,
        last_error: Some("pending after 1".to_owned()),
        ..bare_outbox("o-3", 3_000)
    };
    assert_eq!(pending.ok().and_then(|p| p.into_iter().next()), Some(o3));
    // Pending ignores due time entirely.
    assert_eq!(ids(store.due_outbox(0, 10).await, |o| &o.id), Vec::<String>::new());
}
