//! The flow as other tools write it (JSON with fixed field names) and its resolution against a
//! rulebook into the engine's bit-set `Flow`.
//!
//! ```json
//! {"from":"DE","to":"JP","data":["personal"],"subjects":1000,"purpose":"research",
//!  "exporter":{"roles":[]},"importer":{"certifications":[],"roles":[]},
//!  "safeguards":[],"as_of":"2026-06-01"}
//! ```
//! Defaults: `subjects` 1, `purpose` none (no purpose-scoped route applies), roles,
//! certifications and safeguards empty, `as_of` the caller's today.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::day::Day;
use crate::engine::Flow;
use crate::rulebook::Rulebook;
use crate::vocab::Terms;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowInput {
    pub from: String,
    pub to: String,
    pub data: Vec<String>,
    #[serde(default = "one")]
    pub subjects: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    #[serde(default)]
    pub exporter: Party,
    #[serde(default)]
    pub importer: Party,
    #[serde(default)]
    pub safeguards: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
}

/// A flow field that does not resolve, with what would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "flow field `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for FlowError {}

fn err(field: impl Into<String>, message: impl Into<String>) -> FlowError {
    FlowError { field: field.into(), message: message.into() }
}

impl FlowInput {
    /// Parses one JSON flow, naming the bad field on error (`importer.roles[1]`, `subjects`).
    pub fn from_json(text: &str) -> Result<FlowInput, FlowError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value: Result<FlowInput, _> = serde_path_to_error::deserialize(&mut de);
        let value = value.map_err(|e| {
            let path = e.path().to_string();
            let msg = e.inner().to_string();
            // A missing field is reported at its parent; name the field itself. "?" and ".": no
            // field could be told (broken JSON).
            let missing = msg.strip_prefix("missing field `").and_then(|m| m.split('`').next());
            let field = match (path.as_str(), missing) {
                ("." | "?" | "", Some(name)) => name.to_owned(),
                (parent, Some(name)) => format!("{parent}.{name}"),
                ("." | "?" | "", None) => "(json)".to_owned(),
                (path, None) => path.to_owned(),
            };
            err(field, msg)
        })?;
        de.end().map_err(|e| err("(json)", e.to_string()))?;
        Ok(value)
    }
}

impl Rulebook {
    /// Resolves names to bits; `today` is used when the flow has no `as_of`.
    pub fn resolve(&self, input: &FlowInput, today: Day) -> Result<Flow, FlowError> {
        let from = self.resolve_country(&input.from).map_err(|m| err("from", m))?;
        let to = self.resolve_country(&input.to).map_err(|m| err("to", m))?;
        if !self.tables.governs_ever(from) {
            let covered: Vec<&str> = self.jurisdictions.iter().map(|j| j.id.as_str()).collect();
            return Err(err(
                "from",
                format!(
                    "no jurisdiction in the rulebook governs exports from '{}' ({}); covered: {}",
                    input.from,
                    self.country_name(from),
                    covered.join(", ")
                ),
            ));
        }
        if input.data.is_empty() {
            return Err(err(
                "data",
                format!("at least one data category is needed; valid: {}", self.vocab.categories.ids.join(", ")),
            ));
        }
        let data = bits(&self.vocab.categories, "data", &input.data)? as u32;
        let purpose = match &input.purpose {
            None => None,
            Some(p) if p.is_empty() => None,
            Some(p) => Some(self.vocab.purposes.resolve(p).map_err(|m| err("purpose", m))?),
        };
        let as_of = match &input.as_of {
            None => today,
            Some(d) => Day::parse(d).map_err(|m| err("as_of", m))?,
        };
        Ok(Flow {
            from,
            to,
            data,
            subjects: input.subjects,
            purpose,
            exporter_roles: bits(&self.vocab.roles, "exporter.roles", &input.exporter.roles)? as u32,
            importer_roles: bits(&self.vocab.roles, "importer.roles", &input.importer.roles)? as u32,
            certifications: bits(&self.vocab.certifications, "importer.certifications", &input.importer.certifications)?
                as u32,
            safeguards: bits(&self.vocab.mechanisms, "safeguards", &input.safeguards)?,
            as_of,
        })
    }
}

fn bits(terms: &Terms, field: &str, names: &[String]) -> Result<u64, FlowError> {
    let mut mask = 0u64;
    for (i, name) in names.iter().enumerate() {
        let bit = terms.resolve(name).map_err(|m| err(format!("{field}[{i}]"), m))?;
        mask |= 1u64 << (bit & 63);
    }
    Ok(mask)
}
