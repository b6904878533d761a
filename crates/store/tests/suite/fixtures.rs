//! Records for the suite: `full_*` sets every optional field, `bare_*` leaves every one unset.

use serde_json::{json, Value};
use store::{
    AgreementRecord, DatasetRecord, DecisionRecord, NegotiationRecord, OutboxItem, QueryRecord, Side, TransferRecord,
};

pub fn dataset(id: &str, created_ms: i64) -> DatasetRecord {
    DatasetRecord {
        id: id.to_owned(),
        title: format!("Dataset {id} — «données» 数据"),
        file: format!("/var/lib/dfft/{id}.csv"),
        format: "csv".to_owned(),
        categories: vec!["health".to_owned(), "genetic".to_owned()],
        subjects: 1_234_567,
        policy: json!({"@type": "Offer", "permission": [{"action": "use", "constraint": []}], "n": 1.5}),
        created_ms,
        compute: Some(json!({"schema": {"age": "integer", "ward": "text"}, "epsilon_budget": 1.0})),
    }
}

pub fn bare_dataset(id: &str, created_ms: i64) -> DatasetRecord {
    DatasetRecord { categories: Vec::new(), subjects: 0, policy: Value::Null, compute: None, ..dataset(id, created_ms) }
}

pub fn full_negotiation(pid: &str, created_ms: i64) -> NegotiationRecord {
    NegotiationRecord {
        pid: pid.to_owned(),
        side: Side::Provider,
        peer_pid: Some(format!("peer-{pid}")),
        peer_address: Some("https://consumer.example/callback".to_owned()),
        peer_id: Some("did:web:consumer.example".to_owned()),
        dataset_id: "ds-1".to_owned(),
        offer: json!({"@type": "Offer", "@id": format!("offer-{pid}")}),
        state: "REQUESTED".to_owned(),
        agreement_id: Some(format!("agreement-{pid}")),
        terms: json!({"purpose": "research", "safeguards": ["scc"], "jurisdiction": "CH"}),
        reason: Some("none yet".to_owned()),
        version: 0,
        created_ms,
        updated_ms: created_ms,
    }
}

pub fn bare_negotiation(pid: &str, created_ms: i64) -> NegotiationRecord {
    NegotiationRecord {
        side: Side::Consumer,
        peer_pid: None,
        peer_address: None,
        peer_id: None,
        agreement_id: None,
        terms: json!({}),
        reason: None,
        ..full_negotiation(pid, created_ms)
    }
}

pub fn full_agreement(id: &str, created_ms: i64) -> AgreementRecord {
    AgreementRecord {
        id: id.to_owned(),
        side: Side::Provider,
        negotiation_pid: format!("neg-{id}"),
        dataset_id: "ds-1".to_owned(),
        provider_id: "did:web:provider.example".to_owned(),
        consumer_id: "did:web:consumer.example".to_owned(),
        agreement: json!({"@type": "Agreement", "@id": id, "target": "ds-1"}),
        obligations: json!([{"duty": "delete", "within_days": 30}]),
        decision_id: Some(format!("decision-{id}")),
        created_ms,
    }
}

pub fn bare_agreement(id: &str, created_ms: i64) -> AgreementRecord {
    AgreementRecord {
        side: Side::Consumer,
        obligations: json!([]),
        decision_id: None,
        ..full_agreement(id, created_ms)
    }
}

pub fn full_transfer(pid: &str, created_ms: i64) -> TransferRecord {
    TransferRecord {
        pid: pid.to_owned(),
        side: Side::Provider,
        peer_pid: Some(format!("peer-{pid}")),
        peer_address: Some("https://consumer.example/callback".to_owned()),
        peer_id: Some("did:web:consumer.example".to_owned()),
        agreement_id: "agreement-1".to_owned(),
        format: "HttpData-PULL".to_owned(),
        state: "STARTED".to_owned(),
        data_address: Some(json!({"endpoint": "https://provider.example/data", "authType": "bearer"})),
        token_sha256: Some(format!("{:0>64}", pid.len())),
        token_expires_ms: Some(created_ms + 3_600_000),
        content_sha256: Some("ab".repeat(32)),
        bytes: Some(9_007_199_254_740_993),
        reason: Some("completed".to_owned()),
        version: 0,
        created_ms,
        updated_ms: created_ms,
        transforms: Some(json!({"applied": ["drop:ssn", "pseudonymise:name"], "rows": 1200, "encrypted": true})),
    }
}

pub fn bare_transfer(pid: &str, created_ms: i64) -> TransferRecord {
    TransferRecord {
        side: Side::Consumer,
        peer_pid: None,
        peer_address: None,
        peer_id: None,
        data_address: None,
        token_sha256: None,
        token_expires_ms: None,
        content_sha256: None,
        bytes: None,
        reason: None,
        state: "REQUESTED".to_owned(),
        transforms: None,
        ..full_transfer(pid, created_ms)
    }
}

pub fn full_decision(id: &str, process: &str, at_ms: i64) -> DecisionRecord {
    DecisionRecord {
        id: id.to_owned(),
        at_ms,
        process: Some(process.to_owned()),
        stage: "negotiation".to_owned(),
        flow: json!({"from": "CH", "to": "DE", "categories": ["health"]}),
        verdict: "conditional".to_owned(),
        policy: json!({"satisfied": true, "unmet": []}),
        allowed: true,
        report: json!({"basis": "art. 16", "obligations": [{"duty": "notify"}], "explanation": "…"}),
        rulebook_digest: "cd".repeat(32),
    }
}

pub fn bare_decision(id: &str, at_ms: i64) -> DecisionRecord {
    DecisionRecord {
        process: None,
        stage: "transfer".to_owned(),
        verdict: "deny".to_owned(),
        allowed: false,
        ..full_decision(id, "", at_ms)
    }
}

pub fn full_outbox(id: &str, next_attempt_ms: i64) -> OutboxItem {
    OutboxItem {
        id: id.to_owned(),
        process: format!("process-{id}"),
        target: "https://consumer.example/callback/negotiations/1/offers".to_owned(),
        body: json!({"@type": "ContractOfferMessage", "providerPid": id}),
        attempts: 3,
        next_attempt_ms,
        status: "pending".to_owned(),
        last_error: Some("connection refused".to_owned()),
        created_ms: next_attempt_ms - 1_000,
    }
}

pub fn bare_outbox(id: &str, next_attempt_ms: i64) -> OutboxItem {
    OutboxItem { attempts: 0, last_error: None, ..full_outbox(id, next_attempt_ms) }
}

/// A differentially private query costing `epsilon`.
pub fn query(id: &str, consumer: &str, dataset_id: &str, epsilon: f64, at_ms: i64) -> QueryRecord {
    QueryRecord {
        id: id.to_owned(),
        at_ms,
        consumer: consumer.to_owned(),
        dataset_id: dataset_id.to_owned(),
        query: "SELECT COUNT(*) FROM data WHERE age > 40 — «âge» 年龄".to_owned(),
        epsilon,
        answer: json!({"count": 412.7, "noise": "laplace"}),
    }
}
