//! TCK mode: the datasets and agreements the compatibility kit expects to find.

use serde_json::{json, Value};
use store::{AgreementRecord, DatasetRecord, NegotiationRecord, Side, Store, StoreError, Write};

use crate::app::{now_ms, Node};
use crate::script::{self, SeedAgreement};

/// Inserts whatever of the kit's seeds is missing (idempotent across restarts).
pub async fn tck<S: Store>(node: &Node<S>, data_dir: &std::path::Path) -> Result<(), String> {
    let file = data_dir.join("tck-data.csv");
    if !file.exists() {
        std::fs::write(&file, "id,value\n1,alpha\n2,beta\n").map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let seeds = script::seeds();
    let mut writes = Vec::new();
    for dataset in &seeds.datasets {
        if node.store.dataset(dataset.id).await.map_err(err)?.is_some() {
            continue;
        }
        let offer_id = dataset.offer_id.map(str::to_owned).unwrap_or_else(|| format!("urn:dfft:offer:{}", dataset.id));
        writes.push(Write::InsertDataset(DatasetRecord {
            id: dataset.id.to_owned(),
            title: format!("TCK dataset {}", dataset.id),
            file: file.to_string_lossy().into_owned(),
            format: "csv".into(),
            categories: vec!["non-personal".into()],
            subjects: 0,
            policy: json!({"@id": offer_id, "@type": "Offer", "permission": [{"action": "use"}]}),
            created_ms: now_ms(),
            compute: None,
        }));
    }
    for agreement in &seeds.agreements {
        if node.store.agreement(agreement.id).await.map_err(err)?.is_some() {
            continue;
        }
        writes.extend(agreement_writes(node, agreement));
    }
    if writes.is_empty() {
        return Ok(());
    }
    node.store.commit(writes).await.map_err(err)
}

fn err(e: StoreError) -> String {
    e.to_string()
}

fn agreement_writes<S: Store>(node: &Node<S>, seed: &SeedAgreement) -> Vec<Write> {
    let side = match seed.side {
        script::Side::Provider => Side::Provider,
        script::Side::Consumer => Side::Consumer,
    };
    let (provider_id, consumer_id) = match side {
        Side::Provider => (node.did.clone(), seed.counterparty.to_owned()),
        Side::Consumer => (seed.counterparty.to_owned(), node.did.clone()),
    };
    let now = now_ms();
    let negotiation_pid = format!("urn:dfft:tck:negotiation:{}", seed.id);
    let agreement: Value = json!({
        "@id": seed.id, "@type": "Agreement", "target": seed.dataset_id,
        "assigner": provider_id, "assignee": consumer_id,
        "permission": [{"action": "use"}],
    });
    vec![
        Write::InsertNegotiation(NegotiationRecord {
            pid: negotiation_pid.clone(),
            side,
            peer_pid: Some(format!("urn:dfft:tck:peer:{}", seed.id)),
            peer_address: None,
            peer_id: None,
            dataset_id: seed.dataset_id.to_owned(),
            offer: json!({"@id": format!("urn:dfft:offer:{}", seed.dataset_id), "@type": "Offer", "permission": [{"action": "use"}]}),
            state: "FINALIZED".into(),
            agreement_id: Some(seed.id.to_owned()),
            terms: json!({}),
            reason: None,
            version: 0,
            created_ms: now,
            updated_ms: now,
        }),
        Write::InsertAgreement(AgreementRecord {
            id: seed.id.to_owned(),
            side,
            negotiation_pid,
            dataset_id: seed.dataset_id.to_owned(),
            provider_id,
            consumer_id,
            agreement,
            obligations: json!([]),
            decision_id: None,
            created_ms: now,
        }),
    ]
}
