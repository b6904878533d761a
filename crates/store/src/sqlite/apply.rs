//! One [`Write`] as SQL, run by the writer thread inside the batch's savepoint.

use rusqlite::{params, Connection, OptionalExtension, Params};
use serde::Serialize;

use super::{backend, read};
use crate::{QueryRecord, Result, StoreError, Write};

pub(super) fn apply(conn: &Connection, write: &Write) -> Result<()> {
    match write {
        Write::InsertDataset(d) => {
            const T: &str = "datasets";
            insert(
                conn,
                T,
                &d.id,
                "INSERT INTO datasets (id, title, file, format, categories, subjects, policy, created_ms, compute)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
                params![
                    d.id,
                    d.title,
                    d.file,
                    d.format,
                    json(T, "categories", &d.categories)?,
                    unsigned(T, "subjects", d.subjects)?,
                    json(T, "policy", &d.policy)?,
                    d.created_ms,
                    d.compute.as_ref().map(|v| json(T, "compute", v)).transpose()?,
                ],
            )
        }
        Write::InsertNegotiation(n) => {
            const T: &str = "negotiations";
            insert(
                conn,
                T,
                &n.pid,
                "INSERT INTO negotiations (pid, side, peer_pid, peer_address, peer_id, dataset_id, offer, state,
                     agreement_id, terms, reason, version, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (pid) DO NOTHING",
                params![
                    n.pid,
                    n.side.as_str(),
                    n.peer_pid,
                    n.peer_address,
                    n.peer_id,
                    n.dataset_id,
                    json(T, "offer", &n.offer)?,
                    n.state,
                    n.agreement_id,
                    json(T, "terms", &n.terms)?,
                    n.reason,
                    n.version,
                    n.created_ms,
                    n.updated_ms,
                ],
            )
        }
        Write::UpdateNegotiation(n) => {
            const T: &str = "negotiations";
            update(
                conn,
                T,
                "pid",
                &n.pid,
                "UPDATE negotiations SET side = ?3, peer_pid = ?4, peer_address = ?5, peer_id = ?6, dataset_id = ?7,
                     offer = ?8, state = ?9, agreement_id = ?10, terms = ?11, reason = ?12, updated_ms = ?13,
                     version = version + 1
                 WHERE pid = ?1 AND version = ?2",
                params![
                    n.pid,
                    n.version,
                    n.side.as_str(),
                    n.peer_pid,
                    n.peer_address,
                    n.peer_id,
                    n.dataset_id,
                    json(T, "offer", &n.offer)?,
                    n.state,
                    n.agreement_id,
                    json(T, "terms", &n.terms)?,
                    n.reason,
                    n.updated_ms,
                ],
            )
        }
        Write::InsertAgreement(a) => {
            const T: &str = "agreements";
            insert(
                conn,
                T,
                &a.id,
                "INSERT INTO agreements (id, side, negotiation_pid, dataset_id, provider_id, consumer_id, agreement,
                     obligations, decision_id, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO NOTHING",
                params![
                    a.id,
                    a.side.as_str(),
                    a.negotiation_pid,
                    a.dataset_id,
                    a.provider_id,
                    a.consumer_id,
                    json(T, "agreement", &a.agreement)?,
                    json(T, "obligations", &a.obligations)?,
                    a.decision_id,
                    a.created_ms,
                ],
            )
        }
        Write::InsertTransfer(t) => {
            const T: &str = "transfers";
            insert(
                conn,
                T,
                &t.pid,
                "INSERT INTO transfers (pid, side, peer_pid, peer_address, peer_id, agreement_id, format, state,
                     data_address, token_sha256, token_expires_ms, content_sha256, bytes, reason, version,
                     created_ms, updated_ms, transforms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                 ON CONFLICT (pid) DO NOTHING",
                params![
                    t.pid,
                    t.side.as_str(),
                    t.peer_pid,
                    t.peer_address,
                    t.peer_id,
                    t.agreement_id,
                    t.format,
                    t.state,
                    t.data_address.as_ref().map(|v| json(T, "data_address", v)).transpose()?,
                    t.token_sha256,
                    t.token_expires_ms,
                    t.content_sha256,
                    t.bytes.map(|b| unsigned(T, "bytes", b)).transpose()?,
                    t.reason,
                    t.version,
                    t.created_ms,
                    t.updated_ms,
                    t.transforms.as_ref().map(|v| json(T, "transforms", v)).transpose()?,
                ],
            )
        }
        Write::UpdateTransfer(t) => {
            const T: &str = "transfers";
            update(
                conn,
                T,
                "pid",
                &t.pid,
                "UPDATE transfers SET side = ?3, peer_pid = ?4, peer_address = ?5, peer_id = ?6, agreement_id = ?7,
                     format = ?8, state = ?9, data_address = ?10, token_sha256 = ?11, token_expires_ms = ?12,
                     content_sha256 = ?13, bytes = ?14, reason = ?15, updated_ms = ?16, transforms = ?17,
                     version = version + 1
                 WHERE pid = ?1 AND version = ?2",
                params![
                    t.pid,
                    t.version,
                    t.side.as_str(),
                    t.peer_pid,
                    t.peer_address,
                    t.peer_id,
                    t.agreement_id,
                    t.format,
                    t.state,
                    t.data_address.as_ref().map(|v| json(T, "data_address", v)).transpose()?,
                    t.token_sha256,
                    t.token_expires_ms,
                    t.content_sha256,
                    t.bytes.map(|b| unsigned(T, "bytes", b)).transpose()?,
                    t.reason,
                    t.updated_ms,
                    t.transforms.as_ref().map(|v| json(T, "transforms", v)).transpose()?,
                ],
            )
        }
        Write::InsertDecision(d) => {
            const T: &str = "decisions";
            insert(
                conn,
                T,
                &d.id,
                "INSERT INTO decisions (id, at_ms, process, stage, flow, verdict, policy, allowed, report,
                     rulebook_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO NOTHING",
                params![
                    d.id,
                    d.at_ms,
                    d.process,
                    d.stage,
                    json(T, "flow", &d.flow)?,
                    d.verdict,
                    json(T, "policy", &d.policy)?,
                    d.allowed,
                    json(T, "report", &d.report)?,
                    d.rulebook_digest,
                ],
            )
        }
        Write::EnqueueOutbox(o) => {
            const T: &str = "outbox";
            insert(
                conn,
                T,
                &o.id,
                "INSERT INTO outbox (id, process, target, body, attempts, next_attempt_ms, status, last_error,
                     created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
                params![
                    o.id,
                    o.process,
                    o.target,
                    json(T, "body", &o.body)?,
                    o.attempts,
                    o.next_attempt_ms,
                    o.status,
                    o.last_error,
                    o.created_ms,
                ],
            )
        }
        Write::UpdateOutbox { id, attempts, next_attempt_ms, status, last_error } => {
            let sql = "UPDATE outbox SET attempts = ?2, next_attempt_ms = ?3, status = ?4, last_error = ?5
                       WHERE id = ?1";
            let changed = execute(conn, "outbox", sql, params![id, attempts, next_attempt_ms, status, last_error])?;
            if changed == 0 {
                return Err(StoreError::Missing { table: "outbox", id: id.clone() });
            }
            Ok(())
        }
        Write::ChargeQuery { record, budget } => charge_query(conn, record, *budget),
    }
}

/// How far a sum of ε may exceed the budget and still fit: float sums of amounts that add up to
/// the budget exactly (ten times 0.1) can land a rounding error above it.
const BUDGET_TOLERANCE: f64 = 1e-9;

/// Inserts a query if its consumer can still afford it on its dataset. The insert comes first so
/// an existing id is `Duplicate` whatever the budget; an `OverBudget` after it fails the batch,
/// whose savepoint takes the row back out.
fn charge_query(conn: &Connection, q: &QueryRecord, budget: f64) -> Result<()> {
    const T: &str = "queries";
    if !q.epsilon.is_finite() || q.epsilon < 0.0 {
        return Err(StoreError::Backend(format!("{T}.epsilon: {} is not a finite, non-negative number", q.epsilon)));
    }
    if budget.is_nan() {
        return Err(StoreError::Backend(format!("{T} '{}': the budget is not a number", q.id)));
    }
    let spent = read::epsilon_spent(conn, &q.consumer, &q.dataset_id)?;
    insert(
        conn,
        T,
        &q.id,
        "INSERT INTO queries (id, at_ms, consumer, dataset_id, query, epsilon, answer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
        params![q.id, q.at_ms, q.consumer, q.dataset_id, q.query, q.epsilon, json(T, "answer", &q.answer)?],
    )?;
    if spent + q.epsilon > budget + BUDGET_TOLERANCE {
        return Err(StoreError::OverBudget {
            consumer: q.consumer.clone(),
            dataset: q.dataset_id.clone(),
            spent: decimal(spent),
            budget: decimal(budget),
            needed: decimal(q.epsilon),
        });
    }
    Ok(())
}

/// An amount of ε as text, rounded to 9 decimal places (`0.30000000000000004` reads `0.3`).
fn decimal(value: f64) -> String {
    format!("{}", (value * 1e9).round() / 1e9)
}

fn execute(conn: &Connection, table: &'static str, sql: &str, params: impl Params) -> Result<usize> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute(params))
        .map_err(|e| backend(format!("writing {table}"), e))
}

/// Runs an `INSERT … ON CONFLICT DO NOTHING`: no row inserted means the key exists.
fn insert(conn: &Connection, table: &'static str, id: &str, sql: &str, params: impl Params) -> Result<()> {
    if execute(conn, table, sql, params)? == 0 {
        return Err(StoreError::Duplicate { table, id: id.to_owned() });
    }
    Ok(())
}

/// Runs a versioned `UPDATE … WHERE key = ?1 AND version = ?2`: no row changed means the record
/// is missing or its version moved on.
fn update(conn: &Connection, table: &'static str, key: &str, id: &str, sql: &str, params: impl Params) -> Result<()> {
    if execute(conn, table, sql, params)? == 1 {
        return Ok(());
    }
    let exists = conn
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE {key} = ?1"))
        .and_then(|mut statement| statement.query_row([id], |_| Ok(())).optional())
        .map_err(|e| backend(format!("reading {table}"), e))?;
    let id = id.to_owned();
    Err(match exists {
        Some(()) => StoreError::Conflict { table, id },
        None => StoreError::Missing { table, id },
    })
}

fn json(table: &str, column: &str, value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| backend(format!("{table}.{column}"), e))
}

/// SQLite integers are signed 64-bit.
fn unsigned(table: &str, column: &str, value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| StoreError::Backend(format!("{table}.{column}: {value} is too large to store")))
}
