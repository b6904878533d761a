//! Many committers at once. Each function expects an empty store.

use std::sync::Arc;

use store::{Store, StoreError, Write};

use super::fixtures::*;

pub const TASKS: usize = 8;
pub const COMMITS: usize = 200;

/// 8 tasks × 200 commits at once, every tenth followed by a batch that must fail (a duplicate),
/// so failing and succeeding batches share transactions: all good ones are visible afterwards,
/// no failed one left a trace.
pub async fn concurrent_commits<S: Store>(store: Arc<S>) {
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for i in 0..COMMITS {
                let pid = format!("c{task}-{i}");
                let batch = vec![
                    Write::InsertNegotiation(bare_negotiation(&pid, (i * TASKS + task) as i64)),
                    Write::EnqueueOutbox(bare_outbox(&pid, i as i64)),
                ];
                if let Err(e) = store.commit(batch).await {
                    failures.push(format!("{pid}: {e}"));
                }
                if i % 10 == 0 {
                    let ghost = format!("ghost{task}-{i}");
                    let bad = vec![
                        Write::InsertTransfer(bare_transfer(&ghost, 0)),
                        Write::InsertNegotiation(bare_negotiation(&pid, 0)),
                    ];
                    let expected = StoreError::Duplicate { table: "negotiations", id: pid.clone() };
                    match store.commit(bad).await {
                        Err(e) if e == expected => {}
                        other => failures.push(format!("{ghost}: expected a duplicate, got {other:?}")),
                    }
                }
            }
            failures
        }));
    }
    for task in tasks {
        let failures = task.await.map_err(|e| e.to_string());
        assert_eq!(failures, Ok(Vec::new()));
    }

    let all = store.negotiations(usize::MAX).await.map(|all| all.len());
    assert_eq!(all, Ok(TASKS * COMMITS));
    assert_eq!(store.pending_outbox().await.map(|all| all.len()), Ok(TASKS * COMMITS));
    assert_eq!(store.transfers(usize::MAX).await.map(|all| all.len()), Ok(0));
    for task in 0..TASKS {
        for i in 0..COMMITS {
            let pid = format!("c{task}-{i}");
            let stored = store.negotiation(&pid).await;
            assert_eq!(stored, Ok(Some(bare_negotiation(&pid, (i * TASKS + task) as i64))));
        }
    }
    // Newest first holds across batches committed by different tasks.
    let newest = store.negotiations(3).await.map(|n| n.into_iter().map(|n| n.created_ms).collect::<Vec<_>>());
    let top = (TASKS * COMMITS) as i64;
    assert_eq!(newest, Ok(vec![top - 1, top - 2, top - 3]));
}

/// Two tasks update the same record from the same version at once: exactly one wins, the
/// other gets `Conflict`, and the stored record is the winner's at `version + 1`.
pub async fn concurrent_conflicts<S: Store>(store: Arc<S>) {
    const ROUNDS: usize = 50;
    const RIVALS: usize = 2;
    let mut wins = [0usize; RIVALS];
    for round in 0..ROUNDS {
        let pid = format!("contested-{round}");
        let base = bare_negotiation(&pid, round as i64);
        let inserted = store.commit(vec![Write::InsertNegotiation(base.clone())]).await;
        assert_eq!(inserted, Ok(()));
        // Half the rounds race at version 0, half after one update.
        let mut read = base.clone();
        if round % 2 == 1 {
            let bumped = store.commit(vec![Write::UpdateNegotiation(base)]).await;
            assert_eq!(bumped, Ok(()));
            read.version = 1;
        }
        let mut rivals = Vec::new();
        for rival in 0..RIVALS {
            let store = Arc::clone(&store);
            let mut mine = read.clone();
            mine.state = format!("WON-BY-{rival}");
            rivals.push(tokio::spawn(async move { store.commit(vec![Write::UpdateNegotiation(mine)]).await }));
        }
        let mut outcomes = Vec::new();
        for rival in rivals {
            outcomes.push(rival.await.map_err(|e| e.to_string()));
        }
        let winners: Vec<usize> = (0..RIVALS).filter(|&r| outcomes[r] == Ok(Ok(()))).collect();
        assert_eq!(winners.len(), 1, "round {round}: {outcomes:?}");
        let conflict = StoreError::Conflict { table: "negotiations", id: pid.clone() };
        for (r, outcome) in outcomes.iter().enumerate() {
            if r != winners[0] {
                assert_eq!(outcome, &Ok(Err(conflict.clone())), "round {round}");
            }
        }
        wins[winners[0]] += 1;
        let stored = store.negotiation(&pid).await.map(|n| n.map(|n| (n.version, n.state)));
        assert_eq!(stored, Ok(Some((read.version + 1, format!("WON-BY-{}", winners[0])))));
    }
    assert_eq!(wins.iter().sum::<usize>(), ROUNDS);
}

/// 50 tasks each charge 0.1 ε on the same consumer and dataset against a budget of 1.0, all at
/// once: exactly 10 are recorded, every other one is refused as over budget, and the ε spent
/// never goes past the budget. A second consumer racing alongside has a budget of its own.
pub async fn concurrent_charges_never_overspend<S: Store>(store: Arc<S>) {
    const CHARGES: usize = 50;
    const CONSUMERS: [&str; 2] = ["did:key:z6MkRacerA", "did:key:z6MkRacerB"];
    let mut tasks = Vec::new();
    for i in 0..CHARGES {
        for consumer in CONSUMERS {
            let store = Arc::clone(&store);
            let record = query(&format!("{consumer}-{i}"), consumer, "ds", 0.1, i as i64);
            tasks.push(tokio::spawn(async move {
                (consumer, store.commit(vec![Write::ChargeQuery { record, budget: 1.0 }]).await)
            }));
        }
    }
    let mut recorded = [0usize; 2];
    for task in tasks {
        let (consumer, outcome) = task.await.expect("charge task");
        match outcome {
            Ok(()) => recorded[usize::from(consumer == CONSUMERS[1])] += 1,
            Err(StoreError::OverBudget { consumer: refused, dataset, .. }) => {
                assert_eq!((refused.as_str(), dataset.as_str()), (consumer, "ds"));
            }
            Err(e) => panic!("{consumer}: expected success or over budget, got {e:?}"),
        }
    }
    assert_eq!(recorded, [10, 10]);
    for consumer in CONSUMERS {
        let spent = store.epsilon_spent(consumer, "ds").await.unwrap_or(f64::NAN);
        assert!((spent - 1.0).abs() < 1e-9, "{consumer}: {spent}");
        let stored = store.queries(Some("ds"), Some(consumer), usize::MAX).await.map(|q| q.len());
        assert_eq!(stored, Ok(10));
    }
}
