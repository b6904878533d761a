//! dfft's duties: what they mean ([`Duty`]), the ODRL JSON that states them (constructors, valid
//! against the DSP 2025-1 schemas) and the default offer.
//!
//! ODRL has `delete` but no pseudonymization and no "must not pass on" duty; those are dfft
//! actions (`https://w3id.org/dfft/ns#pseudonymize`, `...#noOnwardTransfer`), written as full
//! IRIs because the DSP context defines no `dfft` prefix. "No onward transfer" is a duty rather
//! than a prohibition of `distribute` so that it travels with the permission it conditions and
//! shows up in [`crate::Evaluation::duties`], which is what the recipient's connector enforces.

use serde::Serialize;
use serde_json::{json, Value};

use crate::model::{Constraint, DutyRule, PolicyError, Right};
use crate::vocab::{LeftOperand, FIELD, NO_ONWARD_TRANSFER, PSEUDONYMIZE};
use crate::xsd::parse_duration;

/// A duty, as structured values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Duty {
    /// Delete the data: at the latest `within` (an xsd:duration) after the agreement started
    /// (`elapsedTime` constraint) and/or `by` a date (`dateTime` constraint); neither = when the
    /// use ends.
    Delete {
        #[serde(skip_serializing_if = "Option::is_none")]
        within: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// Pseudonymize these fields before use (`dfft:field` constraint; empty = every direct
    /// identifier).
    Pseudonymize { fields: Vec<String> },
    /// Do not pass the data on to anyone else.
    NoOnwardTransfer,
    /// Any other duty, by its compact action (e.g. `compensate`, `inform`).
    Other { action: String },
}

impl Duty {
    /// The meaning of a parsed duty.
    pub fn of(rule: &DutyRule) -> Duty {
        let atomics = || {
            rule.constraints.iter().filter_map(|c| match c {
                Constraint::Atomic(atomic) => Some(atomic),
                Constraint::Logical(_) => None,
            })
        };
        match rule.action.as_str() {
            "delete" => Duty::Delete {
                within: atomics()
                    .find(|a| a.left == LeftOperand::ElapsedTime && matches!(a.right, Right::Duration(_)))
                    .map(|a| a.right_text.clone()),
                by: atomics()
                    .find(|a| a.left == LeftOperand::DateTime && matches!(a.right, Right::When(_)))
                    .map(|a| a.right_text.clone()),
            },
            "dfft:pseudonymize" => Duty::Pseudonymize {
                fields: atomics()
                    .filter(|a| a.left == LeftOperand::Unsupported("dfft:field".into()))
                    .flat_map(|a| a.right_values.iter().cloned())
                    .collect(),
            },
            "dfft:noOnwardTransfer" => Duty::NoOnwardTransfer,
            other => Duty::Other { action: other.to_owned() },
        }
    }
}

/// The duty to delete the data at the latest `period` (an xsd:duration such as `P180D`) after
/// the agreement started: `delete` with `elapsedTime lteq period`.
pub fn delete_after(period: &str) -> Result<Value, PolicyError> {
    if parse_duration(period).is_none() {
        return Err(PolicyError {
            path: "period".into(),
            message: format!("`{period}` is not a non-negative xsd:duration; expected e.g. \"P180D\""),
        });
    }
    Ok(json!({
        "action": "delete",
        "constraint": [{
            "leftOperand": "elapsedTime",
            "operator": "lteq",
            "rightOperand": { "@value": period, "@type": "xsd:duration" }
        }]
    }))
}

/// The duty to pseudonymize `fields` before use: `dfft:pseudonymize` with
/// `dfft:field isAnyOf fields` (no constraint when `fields` is empty).
pub fn pseudonymize(fields: &[&str]) -> Value {
    if fields.is_empty() {
        return json!({ "action": PSEUDONYMIZE });
    }
    json!({
        "action": PSEUDONYMIZE,
        "constraint": [{ "leftOperand": FIELD, "operator": "isAnyOf", "rightOperand": fields }]
    })
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
