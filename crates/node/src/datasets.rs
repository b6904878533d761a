//! Registering a dataset: its file, categories, number of subjects and offer, checked before
//! anything is stored.

use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Value};
use store::{DatasetRecord, Store, Write};

use crate::app::now_ms;

/// A dataset to register (the CLI's flags, or the management API's JSON body).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDataset {
    pub id: String,
    pub file: String,
    pub categories: Vec<String>,
    pub subjects: u64,
    #[serde(default)]
    pub title: Option<String>,
    /// An ODRL offer; without one the dataset gets [`default_offer`].
    #[serde(default)]
    pub policy: Option<Value>,
    /// Compute-only: the rows never leave; callers ask aggregate queries under this schema and
    /// ε budget (see [`crate::queries`]).
    #[serde(default)]
    pub compute: Option<crate::queries::ComputeSettings>,
}

/// The offer a dataset gets when none is given: use is permitted, onward transfer
/// (`distribute`) is prohibited. The law's obligations are added to each agreement.
pub fn default_offer(dataset_id: &str) -> Value {
    json!({
        "@id": format!("urn:dfft:offer:{dataset_id}:default"),
        "@type": "Offer",
        "permission": [{"action": "use"}],
        "prohibition": [{"action": "distribute"}],
    })
}

/// Checks a new dataset; returns the record to store, or what is wrong with which field.
pub fn check(rulebook: &rules::Rulebook, new: NewDataset) -> Result<DatasetRecord, String> {
    if new.id.trim().is_empty() || new.id.contains(['/', '?', '#', ' ']) {
        return Err(format!("id '{}' must be non-empty without '/', '?', '#' or spaces", new.id));
    }
    let path = Path::new(&new.file);
    let absolute = path.canonicalize().map_err(|e| format!("file '{}': {e}", new.file))?;
    if !absolute.is_file() {
        return Err(format!("file '{}' is not a regular file", new.file));
    }
    let format = match absolute.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => "csv",
        Some("ndjson" | "jsonl") => "ndjson",
        _ => return Err(format!("file '{}' must end in .csv, .ndjson or .jsonl", new.file)),
    };
    if new.categories.is_empty() {
        return Err("categories: at least one data category is needed (e.g. personal, health, non-personal)".into());
    }
    let known: Vec<&str> = rulebook.vocab.categories.ids.iter().map(String::as_str).collect();
    for category in &new.categories {
        if !known.contains(&category.as_str()) {
            return Err(format!("category '{category}' is not in the rulebook; known: {}", known.join(", ")));
        }
    }
    let policy = match new.policy {
        None => default_offer(&new.id),
        Some(policy) if !policy.is_object() => {
            return Err(format!(
                "policy: must be a JSON object, an ODRL offer with `\"@type\": \"Offer\"`; found {}",
                kind(&policy)
            ));
        }
        Some(policy) => {
            let mut offer: dsp::Offer = serde_json::from_value(policy)
                .map_err(|e| format!("policy: not an ODRL offer (`@type: Offer`): {e}"))?;
            offer.target = None;
            if offer.permission.is_empty() && offer.prohibition.is_empty() {
                return Err("policy: an offer needs at least one permission or prohibition".into());
            }
            serde_json::to_value(offer).map_err(|e| e.to_string())?
        }
    };
    Ok(DatasetRecord {
        title: new.title.unwrap_or_else(|| new.id.clone()),
        id: new.id,
        file: absolute.to_string_lossy().into_owned(),
        format: format.into(),
        categories: new.categories,
        subjects: new.subjects,
        policy,
        created_ms: now_ms(),
        compute: match new.compute {
            Some(settings) => {
                settings.schema.validate().map_err(|e| format!("compute schema: {e}"))?;
                if !(settings.budget.is_finite() && settings.budget > 0.0) {
                    return Err(format!("budget {}: must be a positive number (an ε, e.g. 1.0)", settings.budget));
                }
                Some(serde_json::to_value(settings).map_err(|e| e.to_string())?)
            }
            None => None,
        },
    })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub async fn register<S: Store>(
    store: &S,
    rulebook: &rules::Rulebook,
    new: NewDataset,
) -> Result<DatasetRecord, String> {
    let record = check(rulebook, new)?;
    store.commit(vec![Write::InsertDataset(record.clone())]).await.map_err(|e| stored(e, &record.id))?;
    Ok(record)
}

/// A store refusal in the words of someone adding a dataset.
pub fn stored(error: store::StoreError, id: &str) -> String {
    match error {
        store::StoreError::Duplicate { .. } => format!("id: a dataset '{id}' already exists; choose another id"),
        other => other.to_string(),
    }
}
