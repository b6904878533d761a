//! The ODRL JSON that states each duty (valid against the DSP 2025-1 `Duty` schema), and dfft's
//! default offer. Every duty built here reads back as the same [`Duty`](super::Duty).

use serde_json::{json, Value};

use super::read::check_granularity;
use crate::model::PolicyError;
use crate::vocab::{
    DROP, ENCRYPT, EXCLUDE, FIELD, GENERALIZE, GRANULARITY, K, K_ANONYMITY, NO_ONWARD_TRANSFER, PSEUDONYMIZE, VALUE,
};
use crate::xsd::parse_duration;

fn error(path: &str, message: String) -> PolicyError {
    PolicyError { path: path.to_owned(), message }
}

/// `leftOperand operator rightOperand`.
fn term(left: &str, operator: &str, right: Value) -> Value {
    json!({ "leftOperand": left, "operator": operator, "rightOperand": right })
}

/// Field names (or values) a duty lists: at least one, none empty.
fn non_empty(path: &str, names: &[&str], what: &str) -> Result<(), PolicyError> {
    if names.is_empty() {
        return Err(error(path, format!("give at least one {what}")));
    }
    if names.iter().any(|name| name.is_empty()) {
        return Err(error(path, format!("a {what} is not empty")));
    }
    Ok(())
}

/// The duty to delete the data at the latest `period` (an xsd:duration such as `P180D`) after
/// the agreement started: `delete` with `elapsedTime lteq period`.
pub fn delete_after(period: &str) -> Result<Value, PolicyError> {
    if parse_duration(period).is_none() {
        return Err(error("period", format!("`{period}` is not a non-negative xsd:duration; expected e.g. \"P180D\"")));
    }
    Ok(json!({
        "action": "delete",
        "constraint": [term("elapsedTime", "lteq", json!({ "@value": period, "@type": "xsd:duration" }))]
    }))
}

/// The duty to pseudonymize `fields` before use: `dfft:pseudonymize` with
/// `dfft:field isAnyOf fields` (no constraint when `fields` is empty).
pub fn pseudonymize(fields: &[&str]) -> Value {
    if fields.is_empty() {
        return json!({ "action": PSEUDONYMIZE });
    }
    json!({ "action": PSEUDONYMIZE, "constraint": [term(FIELD, "isAnyOf", json!(fields))] })
}

/// The duty to remove `fields` before the data leaves: `dfft:drop` with `dfft:field isAnyOf
/// fields`. (Not `drop`, which would shadow `std::mem::drop` where it is imported.)
pub fn drop_fields(fields: &[&str]) -> Result<Value, PolicyError> {
    non_empty("fields", fields, "field name")?;
    Ok(json!({ "action": DROP, "constraint": [term(FIELD, "isAnyOf", json!(fields))] }))
}

/// The duty to coarsen `field` to `to` (`year`, `month`, `band:<width>` or `prefix:<n>`):
/// `dfft:generalize` with `dfft:field eq field` and `dfft:granularity eq to`.
pub fn generalize(field: &str, to: &str) -> Result<Value, PolicyError> {
    non_empty("field", &[field], "field name")?;
    check_granularity(to).map_err(|message| error("to", message))?;
    Ok(json!({
        "action": GENERALIZE,
        "constraint": [term(FIELD, "eq", json!(field)), term(GRANULARITY, "eq", json!(to))]
    }))
}

/// The duty to leave out the rows whose `field` is one of `values`: `dfft:exclude` with
/// `dfft:field eq field` and `dfft:value isAnyOf values`.
pub fn exclude(field: &str, values: &[&str]) -> Result<Value, PolicyError> {
    non_empty("field", &[field], "field name")?;
    if values.is_empty() {
        return Err(error("values", "give at least one value whose rows are left out".into()));
    }
    Ok(json!({
        "action": EXCLUDE,
        "constraint": [term(FIELD, "eq", json!(field)), term(VALUE, "isAnyOf", json!(values))]
    }))
}

/// The duty to release only rows whose `quasi_identifiers` values are shared by at least `k`
/// rows: `dfft:kAnonymity` with `dfft:k eq k` (xsd:integer) and `dfft:field isAnyOf
/// quasi_identifiers`.
pub fn k_anonymity(k: u64, quasi_identifiers: &[&str]) -> Result<Value, PolicyError> {
    if k == 0 {
        return Err(error(
            "k",
            "k is at least 1 (every released row shares its quasi-identifiers with k - 1 others)".into(),
        ));
    }
    non_empty("quasi_identifiers", quasi_identifiers, "quasi-identifier field name")?;
    Ok(json!({
        "action": K_ANONYMITY,
        "constraint": [
            term(K, "eq", json!({ "@value": k.to_string(), "@type": "xsd:integer" })),
            term(FIELD, "isAnyOf", json!(quasi_identifiers))
        ]
    }))
}

/// The duty to encrypt the data to the recipient's key: `dfft:encrypt`.
pub fn encrypt() -> Value {
    json!({ "action": ENCRYPT })
}

/// The duty not to pass the data on: `dfft:noOnwardTransfer`.
pub fn no_onward_transfer() -> Value {
    json!({ "action": NO_ONWARD_TRANSFER })
}

/// dfft's default offer for a dataset: permission to `use`, with no constraint and one duty, no
/// onward transfer. Whether the route is lawful is the rulebook's question, asked separately;
/// the duty keeps the data from leaving that route unchecked.
///
/// It names `dataset_id` as `target`, as a contract offer or request message does; inside a
/// catalog's `hasPolicy` the dataset is the target and the schema forbids `target`: use
/// [`without_target`] there.
pub fn default_offer(offer_id: &str, dataset_id: &str) -> Value {
    json!({
        "@id": offer_id,
        "@type": "Offer",
        "target": dataset_id,
        "permission": [{ "action": "use", "duty": [no_onward_transfer()] }]
    })
}

/// The offer without its `target`, for a dataset's `hasPolicy`.
pub fn without_target(offer: &Value) -> Value {
    let mut offer = offer.clone();
    if let Value::Object(object) = &mut offer {
        object.remove("target");
    }
    offer
}
