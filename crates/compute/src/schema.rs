//! What the provider declares about a dataset: its columns, their types, the bounds that clamp SUM and
//! AVG, and the categories a column may be grouped by. Queries may only touch declared columns.
//!
//! Bounds and domains are *declarations*, never read from the data: the largest income or the list
//! of cities present would themselves be disclosures. They come from public knowledge (an age is in
//! 0..=120, the EU has 27 member states) or from a separate, accounted-for DP release.

use serde::{Deserialize, Serialize};

use crate::error::ComputeError;
use crate::key::Key;

/// Column names longer than this are refused (they end up in SQL and in messages).
const MAX_NAME_LEN: usize = 128;
/// A domain larger than this is refused: every value is released as a row of every grouped query.
pub const MAX_DOMAIN: usize = 10_000;
/// Bounds beyond ±2^53 are refused: past it f64 can no longer hold every integer, so clamped sums
/// would stop being exact.
const MAX_BOUND: f64 = 9_007_199_254_740_992.0;

/// The declared columns of a dataset, in table order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    pub columns: Vec<Column>,
}

/// One declared column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    /// `(lo, hi)`: SUM and AVG clamp every value into this range, which bounds one row's influence.
    /// Without bounds the column cannot be summed or averaged.
    #[serde(default)]
    pub bounds: Option<(f64, f64)>,
    /// Whether GROUP BY may use this column (it also needs a `domain`).
    #[serde(default)]
    pub groupable: bool,
    /// The declared categories, written as text (`"42"` for an integer column). GROUP BY releases one
    /// row per declared value, present in the data or not, so the set of groups reveals nothing.
    #[serde(default)]
    pub domain: Option<Vec<String>>,
}

/// A column's storage type (SQLite STRICT types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Integer,
    Real,
    Text,
}

impl Kind {
    pub(crate) fn sql_type(self) -> &'static str {
        match self {
            Kind::Integer => "INTEGER",
            Kind::Real => "REAL",
            Kind::Text => "TEXT",
        }
    }

    pub(crate) fn is_numeric(self) -> bool {
        matches!(self, Kind::Integer | Kind::Real)
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Real => "real",
            Kind::Text => "text",
        }
    }
}

impl Column {
    fn new(name: &str, kind: Kind) -> Column {
        Column { name: name.to_string(), kind, bounds: None, groupable: false, domain: None }
    }

    /// An integer column with no bounds and no domain.
    pub fn integer(name: &str) -> Column {
        Column::new(name, Kind::Integer)
    }

    /// A real (floating point) column with no bounds and no domain.
    pub fn real(name: &str) -> Column {
        Column::new(name, Kind::Real)
    }

    /// A text column with no domain.
    pub fn text(name: &str) -> Column {
        Column::new(name, Kind::Text)
    }

    /// Declares the clamping bounds for SUM and AVG.
    pub fn bounds(mut self, lo: f64, hi: f64) -> Column {
        self.bounds = Some((lo, hi));
        self
    }

    /// Declares the categories and makes the column groupable.
    pub fn domain<S: AsRef<str>>(mut self, values: impl IntoIterator<Item = S>) -> Column {
        self.domain = Some(values.into_iter().map(|v| v.as_ref().to_string()).collect());
        self.groupable = true;
        self
    }

    /// The domain parsed into typed keys (the schema must have been validated).
    pub(crate) fn domain_keys(&self) -> Result<Vec<Key>, ComputeError> {
        let values = self.domain.as_deref().unwrap_or_default();
        values
            .iter()
            .map(|v| {
                Key::parse(self.kind, v)
                    .map_err(|why| ComputeError::Schema(format!("column {:?}: domain value {v:?} {why}", self.name)))
            })
            .collect()
    }
}

impl Schema {
    /// Checks names, bounds and domains; every query and load starts with this.
    pub fn validate(&self) -> Result<(), ComputeError> {
        if self.columns.is_empty() {
            return Err(ComputeError::Schema("no columns are declared; declare at least one".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for column in &self.columns {
            check_name(&column.name)?;
            // SQLite resolves column names case-insensitively, so "Age" and "age" would clash.
            if !seen.insert(column.name.to_lowercase()) {
                return Err(ComputeError::Schema(format!(
                    "column {:?} is declared twice (names are compared case-insensitively)",
                    column.name
                )));
            }
            check_bounds(column)?;
            check_domain(column)?;
        }
        Ok(())
    }

    /// The index of a declared column: an exact match, else the case-insensitive one (as SQLite does).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .or_else(|| self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)))
    }

    /// The declared names, for messages ("declared columns: age, city").
    pub(crate) fn names(&self) -> String {
        self.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

fn check_name(name: &str) -> Result<(), ComputeError> {
    if name.is_empty() || name.len() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(ComputeError::Schema(format!(
            "column name {name:?} is not accepted; names must be 1 to {MAX_NAME_LEN} bytes without control characters"
        )));
    }
    Ok(())
}

fn check_bounds(column: &Column) -> Result<(), ComputeError> {
    let Some((lo, hi)) = column.bounds else { return Ok(()) };
    let name = &column.name;
    if !column.kind.is_numeric() {
        return Err(ComputeError::Schema(format!(
            "column {name:?}: bounds are only accepted on integer or real columns, and this one is text"
        )));
    }
    let finite = lo.is_finite() && hi.is_finite() && lo.abs() <= MAX_BOUND && hi.abs() <= MAX_BOUND;
    if !finite || lo > hi {
        return Err(ComputeError::Schema(format!(
            "column {name:?}: bounds ({lo}, {hi}) are not accepted; they must be finite, within ±2^53, with lo ≤ hi"
        )));
    }
    Ok(())
}

fn check_domain(column: &Column) -> Result<(), ComputeError> {
    let Some(values) = &column.domain else { return Ok(()) };
    let name = &column.name;
    if !column.groupable {
        return Err(ComputeError::Schema(format!(
            "column {name:?} declares a domain but is not groupable; set groupable = true or drop the domain"
        )));
    }
    if values.is_empty() || values.len() > MAX_DOMAIN {
        return Err(ComputeError::Schema(format!(
            "column {name:?}: the domain has {} values; 1 to {MAX_DOMAIN} are accepted",
            values.len()
        )));
    }
    let keys = column.domain_keys()?;
    let mut seen = std::collections::HashSet::new();
    for (key, raw) in keys.iter().zip(values) {
        if !seen.insert(key) {
            return Err(ComputeError::Schema(format!("column {name:?}: domain value {raw:?} is declared twice")));
        }
    }
    Ok(())
}
