//! dfft compute-to-data: when raw rows must stay with the provider, a consumer's aggregate query
//! runs there and only a differentially private answer leaves.
//!
//! - [`load`] puts a CSV or NDJSON file into a SQLite database with one table, `data`, typed by a
//!   declared [`Schema`] (bounds for SUM/AVG, domains for GROUP BY).
//! - [`check`] accepts only aggregate queries on declared columns and rewrites them into SQL this
//!   crate writes itself; everything else is refused with the clause and the reason.
//! - [`run`] checks, runs the SQL on a read-only, guarded connection, and releases the result with
//!   exact discrete-Laplace noise ([`dp`]) calibrated to ε.
//! - [`Budget`] is the arithmetic of a per-(consumer, dataset) ε budget; the node records it.
//!
//! Order of a release at the node: [`check`] the query and [`validate_epsilon`] (their errors depend
//! only on the query, so refusing costs nothing), then charge the budget, then [`run`]. Do not refund
//! when `run` fails afterwards: whether a query times out can depend on the data.
//!
//! Untrusted input (queries, data files, ε) gets an error value, never a panic.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod budget;
pub mod dp;
mod error;
mod execute;
mod guard;
mod key;
mod query;
mod release;
mod schema;
mod sql;
mod table;

use std::path::Path;
use std::time::Duration;

use rand_core::CryptoRng;

pub use budget::{validate_epsilon, Budget, BudgetError, MAX_EPSILON, MIN_EPSILON};
pub use error::{ComputeError, QueryError};
pub use query::{check, CheckedQuery, Output, OutputKind, MAX_CELLS, MAX_MEASUREMENTS, MAX_QUERY_BYTES};
pub use release::Answer;
pub use schema::{Column, Kind, Schema, MAX_DOMAIN};
pub use sql::Param;
pub use table::{infer_schema, load, Format, LoadReport};
pub use {rand_chacha, rand_core};

/// How long a query may run before it is interrupted (and nothing is released).
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(30);

/// Checks `sql` against `schema`, runs it on the dataset database `db` (made by [`load`]) and
/// releases the answer with ε-differential privacy, drawing noise from `rng`. Stops the query after
/// [`DEFAULT_TIME_LIMIT`].
pub fn run(
    db: &Path,
    schema: &Schema,
    sql: &str,
    epsilon: f64,
    rng: &mut (impl CryptoRng + ?Sized),
) -> Result<Answer, ComputeError> {
    run_with_limit(db, schema, sql, epsilon, rng, DEFAULT_TIME_LIMIT)
}

/// [`run`] with an explicit time limit.
pub fn run_with_limit(
    db: &Path,
    schema: &Schema,
    sql: &str,
    epsilon: f64,
    rng: &mut (impl CryptoRng + ?Sized),
    time_limit: Duration,
) -> Result<Answer, ComputeError> {
    let epsilon = validate_epsilon(epsilon)?;
    let query = check(schema, sql)?;
    let cells = execute::execute(db, schema, &query, time_limit)?;
    release::release(&query, cells, epsilon, rng)
}
