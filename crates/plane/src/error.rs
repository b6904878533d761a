//! Why a plan cannot be made or applied ([`PlanError`]: the transfer must not start) and why
//! applying one failed ([`PlaneError`]).

use std::fmt;

/// A plan that cannot be applied: the transfer must not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// A duty asks for a transform this data plane does not apply (an unknown dfft transform, a
    /// malformed one, or pseudonymization without named fields).
    Unsupported { action: String, reason: String },
    /// The plan names a field the data does not have (`transform` says which part names it).
    UnknownField { field: String, transform: &'static str, existing: Vec<String> },
    /// Transforms of one field that cannot both hold, or a transform with an impossible parameter.
    Invalid { field: String, reason: String },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Unsupported { action, reason } => {
                write!(f, "the data plane cannot apply the duty `{action}`: {reason}")
            }
            PlanError::UnknownField { field, transform, existing } => {
                let existing = if existing.is_empty() { "none".to_owned() } else { existing.join(", ") };
                write!(f, "field `{field}` (to {transform}) is not in the data; its fields are: {existing}")
            }
            PlanError::Invalid { field, reason } => write!(f, "field `{field}`: {reason}"),
        }
    }
}

impl std::error::Error for PlanError {}

/// Applying a plan failed. Output written before the failure must be discarded.
#[derive(Debug)]
pub enum PlaneError {
    /// The plan does not fit the data (checked on the CSV header or the first NDJSON object,
    /// before anything is written).
    Plan(PlanError),
    /// The data is malformed at `line` (1-based, counted in the source).
    Data {
        line: u64,
        message: String,
    },
    /// The source read differently in k-anonymity's second pass than in its first.
    SourceChanged {
        first_pass_rows: u64,
        second_pass_rows: u64,
    },
    Io(std::io::Error),
}

impl fmt::Display for PlaneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlaneError::Plan(error) => error.fmt(f),
            PlaneError::Data { line, message } => write!(f, "line {line}: {message}"),
            PlaneError::SourceChanged { first_pass_rows, second_pass_rows } => write!(
                f,
                "the source changed while it was read: {first_pass_rows} rows when k-anonymity counted groups, {second_pass_rows} when it wrote them; the output is not k-anonymous"
            ),
            PlaneError::Io(error) => write!(f, "reading or writing the data: {error}"),
        }
    }
}

impl std::error::Error for PlaneError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlaneError::Plan(error) => Some(error),
            PlaneError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<PlanError> for PlaneError {
    fn from(error: PlanError) -> Self {
        PlaneError::Plan(error)
    }
}

impl From<std::io::Error> for PlaneError {
    fn from(error: std::io::Error) -> Self {
        PlaneError::Io(error)
    }
}
