//! Why a load, a query check or a release failed. Every message names the bad field, clause or line
//! and says what would be accepted, because the reader is usually a consumer writing a query.

use crate::budget::BudgetError;

/// Why the compute crate refused or failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ComputeError {
    /// The schema is inconsistent (the message names the column and what is accepted).
    Schema(String),
    /// One row of a data file could not be loaded; `line` is 1-based in the file.
    Row { line: u64, message: String },
    /// The data file as a whole does not fit the schema (e.g. a declared column is missing).
    Input(String),
    /// The query was refused before any data was read.
    Refused(QueryError),
    /// ε was not acceptable, or the budget would be overspent.
    Budget(BudgetError),
    /// The query ran longer than allowed and was interrupted; nothing was released.
    TimedOut { seconds: u64 },
    /// The database or file system failed.
    Io(String),
    /// The noise sampler could not produce a sample (a broken randomness source).
    Noise(String),
}

/// A refused query: the clause at fault (`SELECT`, `FROM`, `WHERE`, `GROUP BY`, …) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub clause: &'static str,
    pub reason: String,
}

impl QueryError {
    pub(crate) fn new(clause: &'static str, reason: impl Into<String>) -> QueryError {
        QueryError { clause, reason: reason.into() }
    }
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.clause, self.reason)
    }
}

impl std::fmt::Display for ComputeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ComputeError::Schema(m) => write!(f, "schema: {m}"),
            ComputeError::Row { line, message } => write!(f, "line {line}: {message}"),
            ComputeError::Input(m) => write!(f, "input: {m}"),
            ComputeError::Refused(q) => write!(f, "query refused: {q}"),
            ComputeError::Budget(b) => write!(f, "{b}"),
            ComputeError::TimedOut { seconds } => {
                write!(f, "the query ran longer than {seconds} s and was stopped; nothing was released")
            }
            ComputeError::Io(m) => write!(f, "io: {m}"),
            ComputeError::Noise(m) => write!(f, "noise: {m}"),
        }
    }
}

impl std::error::Error for ComputeError {}

impl From<QueryError> for ComputeError {
    fn from(e: QueryError) -> Self {
        ComputeError::Refused(e)
    }
}

impl From<BudgetError> for ComputeError {
    fn from(e: BudgetError) -> Self {
        ComputeError::Budget(e)
    }
}

impl From<rusqlite::Error> for ComputeError {
    fn from(e: rusqlite::Error) -> Self {
        ComputeError::Io(format!("sqlite: {e}"))
    }
}

impl From<std::io::Error> for ComputeError {
    fn from(e: std::io::Error) -> Self {
        ComputeError::Io(e.to_string())
    }
}
