//! The catalog: DCAT datasets with their ODRL offers, each marked with what the law says about
//! giving it to this caller.

use dsp::{Catalog, Dataset, Distribution, Message, Offer};
use serde_json::{json, Value};
use store::{DatasetRecord, Store, StoreError};

use crate::app::{now_ms, Node};
use crate::decide::{decide, Caller, Question, Terms};

/// The dataset whose published offer has this id.
pub async fn dataset_of_offer<S: Store>(node: &Node<S>, offer_id: &str) -> Result<Option<String>, StoreError> {
    Ok(node
        .store
        .datasets()
        .await?
        .into_iter()
        .find(|d| d.policy.get("@id").and_then(Value::as_str) == Some(offer_id))
        .map(|d| d.id))
}

/// One dataset as a DCAT entry (without `@context` when nested), with the law's view for `caller`.
pub fn dataset_entry<S: Store>(node: &Node<S>, record: &DatasetRecord, caller: &Caller) -> Result<Value, String> {
    let offer: Offer = serde_json::from_value(record.policy.clone())
        .map_err(|e| format!("dataset '{}' has an invalid offer: {e}", record.id))?;
    let distribution = Distribution::http_data_pull(format!("{}/data", node.base_url));
    let mut value = Dataset::new(&record.id, offer, distribution).to_value();
    if let Some(object) = value.as_object_mut() {
        object.insert("title".into(), Value::String(record.title.clone()));
        object.insert("https://w3id.org/dfft/ns#categories".into(), json!(record.categories));
        object.insert("https://w3id.org/dfft/ns#subjects".into(), json!(record.subjects));
        object.insert("https://w3id.org/dfft/ns#law".into(), law_view(node, record, caller));
    }
    Ok(value)
}

/// What the rulebook says about giving this dataset to the caller, before any purpose or
/// safeguard is declared.
fn law_view<S: Store>(node: &Node<S>, record: &DatasetRecord, caller: &Caller) -> Value {
    let policy = crate::usage::evaluate(&record.policy, caller, &Terms::default(), now_ms(), None, 0, &record.id);
    let outcome = decide(&Question {
        rulebook: &node.rulebook,
        provider_jurisdiction: &node.config.jurisdiction,
        dataset: record,
        caller,
        terms: &Terms::default(),
        policy: &policy,
        stage: "catalog",
        process: None,
        id: String::new(),
        now_ms: now_ms(),
    });
    let law_open = outcome.record.verdict == "allow" || outcome.record.verdict == "conditional";
    json!({
        "verdict": outcome.record.verdict,
        "policy": if policy.permitted { "permits" } else { "refuses" },
        "obtainable": policy.permitted && law_open,
        "reason": outcome.reason,
    })
}

/// The whole catalog for `caller`.
pub async fn catalog<S: Store>(node: &Node<S>, caller: &Caller) -> Result<Value, String> {
    let records = node.store.datasets().await.map_err(|e| e.to_string())?;
    let mut entries = Vec::with_capacity(records.len());
    for record in &records {
        let mut entry = dataset_entry(node, record, caller)?;
        if let Some(object) = entry.as_object_mut() {
            object.remove("@context");
        }
        entries.push(entry);
    }
    let mut catalog = Catalog::new(format!("{}/catalog", node.dsp_url), &node.did).to_value();
    if let Some(object) = catalog.as_object_mut() {
        object.insert("title".into(), Value::String(node.config.name.clone()));
        if !entries.is_empty() {
            object.insert("dataset".into(), Value::Array(entries));
        }
    }
    Ok(catalog)
}
