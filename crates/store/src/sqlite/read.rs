//! Queries and row decoding. A row that does not decode (wrong type, bad JSON, unknown side,
//! negative count) is a `Backend` error naming its table and column, never a panic.

use rusqlite::types::FromSql;
use rusqlite::{params, Connection, Params};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::backend;
use crate::{
    AgreementRecord, DatasetRecord, DecisionRecord, NegotiationRecord, OutboxItem, QueryRecord, Result, Side,
    StoreError, TransferRecord,
};

const DATASET: &str = "SELECT id, title, file, format, categories, subjects, policy, created_ms, compute FROM datasets";
const NEGOTIATION: &str = "SELECT pid, side, peer_pid, peer_address, peer_id, dataset_id, offer, state, agreement_id,
    terms, reason, version, created_ms, updated_ms FROM negotiations";
const AGREEMENT: &str =
    "SELECT id, side, negotiation_pid, dataset_id, provider_id, consumer_id, agreement, obligations,
    decision_id, created_ms FROM agreements";
const TRANSFER: &str = "SELECT pid, side, peer_pid, peer_address, peer_id, agreement_id, format, state, data_address,
    token_sha256, token_expires_ms, content_sha256, bytes, reason, version, created_ms, updated_ms, transforms
    FROM transfers";
const DECISION: &str = "SELECT id, at_ms, process, stage, flow, verdict, policy, allowed, report, rulebook_digest
    FROM decisions";
const QUERY: &str = "SELECT id, at_ms, consumer, dataset_id, query, epsilon, answer FROM queries";
const OUTBOX: &str = "SELECT id, process, target, body, attempts, next_attempt_ms, status, last_error, created_ms
    FROM outbox";

pub(super) fn dataset(conn: &Connection, id: &str) -> Result<Option<DatasetRecord>> {
    one(conn, "datasets", &format!("{DATASET} WHERE id = ?1"), [id], decode_dataset)
}

pub(super) fn datasets(conn: &Connection) -> Result<Vec<DatasetRecord>> {
    all(conn, "datasets", &format!("{DATASET} ORDER BY id"), [], decode_dataset)
}

pub(super) fn negotiation(conn: &Connection, pid: &str) -> Result<Option<NegotiationRecord>> {
    one(conn, "negotiations", &format!("{NEGOTIATION} WHERE pid = ?1"), [pid], decode_negotiation)
}

pub(super) fn negotiations(conn: &Connection, limit: i64) -> Result<Vec<NegotiationRecord>> {
    let sql = format!("{NEGOTIATION} ORDER BY created_ms DESC, rowid DESC LIMIT ?1");
    all(conn, "negotiations", &sql, [limit], decode_negotiation)
}

pub(super) fn agreement(conn: &Connection, id: &str) -> Result<Option<AgreementRecord>> {
    one(conn, "agreements", &format!("{AGREEMENT} WHERE id = ?1"), [id], decode_agreement)
}

pub(super) fn agreements(conn: &Connection, limit: i64) -> Result<Vec<AgreementRecord>> {
    let sql = format!("{AGREEMENT} ORDER BY created_ms DESC, rowid DESC LIMIT ?1");
    all(conn, "agreements", &sql, [limit], decode_agreement)
}

pub(super) fn transfer(conn: &Connection, pid: &str) -> Result<Option<TransferRecord>> {
    one(conn, "transfers", &format!("{TRANSFER} WHERE pid = ?1"), [pid], decode_transfer)
}

pub(super) fn transfers(conn: &Connection, limit: i64) -> Result<Vec<TransferRecord>> {
    let sql = format!("{TRANSFER} ORDER BY created_ms DESC, rowid DESC LIMIT ?1");
    all(conn, "transfers", &sql, [limit], decode_transfer)
}

pub(super) fn transfers_of_agreement(conn: &Connection, agreement_id: &str) -> Result<Vec<TransferRecord>> {
    let sql = format!("{TRANSFER} WHERE agreement_id = ?1 ORDER BY created_ms DESC, rowid DESC");
    all(conn, "transfers", &sql, [agreement_id], decode_transfer)
}

pub(super) fn transfer_by_token(conn: &Connection, token: &str) -> Result<Option<TransferRecord>> {
    // Tokens are random, so at most one transfer has a digest; the newest wins if not.
    let sql = format!("{TRANSFER} WHERE token_sha256 = ?1 ORDER BY created_ms DESC, rowid DESC LIMIT 1");
    one(conn, "transfers", &sql, [token], decode_transfer)
}

pub(super) fn decision(conn: &Connection, id: &str) -> Result<Option<DecisionRecord>> {
    one(conn, "decisions", &format!("{DECISION} WHERE id = ?1"), [id], decode_decision)
}

pub(super) fn decisions(conn: &Connection, process: Option<&str>, limit: i64) -> Result<Vec<DecisionRecord>> {
    match process {
        Some(process) => {
            let sql = format!("{DECISION} WHERE process = ?1 ORDER BY at_ms DESC, rowid DESC LIMIT ?2");
            all(conn, "decisions", &sql, params![process, limit], decode_decision)
        }
        None => {
            let sql = format!("{DECISION} ORDER BY at_ms DESC, rowid DESC LIMIT ?1");
            all(conn, "decisions", &sql, [limit], decode_decision)
        }
    }
}

/// Also run by the writer, inside the batch, to check a charge against the budget.
pub(super) fn epsilon_spent(conn: &Connection, consumer: &str, dataset_id: &str) -> Result<f64> {
    // TOTAL is 0.0 when no row matches (SUM would be NULL).
    conn.prepare_cached("SELECT TOTAL(epsilon) FROM queries WHERE consumer = ?1 AND dataset_id = ?2")
        .and_then(|mut statement| statement.query_row([consumer, dataset_id], |row| row.get(0)))
        .map_err(|e| backend("reading queries", e))
}

pub(super) fn queries(
    conn: &Connection,
    dataset_id: Option<&str>,
    consumer: Option<&str>,
    limit: i64,
) -> Result<Vec<QueryRecord>> {
    let sql = format!(
        "{QUERY} WHERE (?1 IS NULL OR dataset_id = ?1) AND (?2 IS NULL OR consumer = ?2)
         ORDER BY at_ms DESC, rowid DESC LIMIT ?3"
    );
    all(conn, "queries", &sql, params![dataset_id, consumer, limit], decode_query)
}

/// `pending` is the only status that is not done (`delivered` and `failed` are final).
pub(super) fn due_outbox(conn: &Connection, now_ms: i64, limit: i64) -> Result<Vec<OutboxItem>> {
    let sql =
        format!("{OUTBOX} WHERE status = 'pending' AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, rowid LIMIT ?2");
    all(conn, "outbox", &sql, [now_ms, limit], decode_outbox)
}

pub(super) fn pending_outbox(conn: &Connection) -> Result<Vec<OutboxItem>> {
    let sql = format!("{OUTBOX} WHERE status = 'pending' ORDER BY created_ms, rowid");
    all(conn, "outbox", &sql, [], decode_outbox)
}

fn all<T>(
    conn: &Connection,
    table: &'static str,
    sql: &str,
    params: impl Params,
    decode: fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let failed = |e: rusqlite::Error| backend(format!("reading {table}"), e);
    let mut statement = conn.prepare_cached(sql).map_err(failed)?;
    let mut rows = statement.query(params).map_err(failed)?;
    let mut records = Vec::new();
    while let Some(row) = rows.next().map_err(failed)? {
        records.push(decode(&Row { row, table })?);
    }
    Ok(records)
}

fn one<T>(
    conn: &Connection,
    table: &'static str,
    sql: &str,
    params: impl Params,
    decode: fn(&Row<'_>) -> Result<T>,
) -> Result<Option<T>> {
    Ok(all(conn, table, sql, params, decode)?.into_iter().next())
}

/// A row being decoded: every error names the table and the column.
struct Row<'a> {
    row: &'a rusqlite::Row<'a>,
    table: &'static str,
}

impl Row<'_> {
    fn bad(&self, column: &str, problem: impl std::fmt::Display) -> StoreError {
        StoreError::Backend(format!("corrupt row in {}: column {column}: {problem}", self.table))
    }

    fn get<T: FromSql>(&self, column: &str) -> Result<T> {
        self.row.get(column).map_err(|e| self.bad(column, e))
    }

    fn parse<T: DeserializeOwned>(&self, column: &str, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| self.bad(column, format!("invalid JSON: {e}")))
    }

    fn json<T: DeserializeOwned>(&self, column: &str) -> Result<T> {
        let text: String = self.get(column)?;
        self.parse(column, &text)
    }

    fn json_opt(&self, column: &str) -> Result<Option<Value>> {
        let text: Option<String> = self.get(column)?;
        text.map(|text| self.parse(column, &text)).transpose()
    }

    fn side(&self, column: &str) -> Result<Side> {
        let text: String = self.get(column)?;
        match text.as_str() {
            "provider" => Ok(Side::Provider),
            "consumer" => Ok(Side::Consumer),
            other => Err(self.bad(column, format!("unknown side '{other}'"))),
        }
    }

    fn unsigned<T: TryFrom<i64>>(&self, column: &str, value: i64) -> Result<T> {
        T::try_from(value).map_err(|_| self.bad(column, format!("{value} is out of range")))
    }

    fn count<T: TryFrom<i64>>(&self, column: &str) -> Result<T> {
        let value: i64 = self.get(column)?;
        self.unsigned(column, value)
    }

    fn count_opt<T: TryFrom<i64>>(&self, column: &str) -> Result<Option<T>> {
        let value: Option<i64> = self.get(column)?;
        value.map(|value| self.unsigned(column, value)).transpose()
    }
}

fn decode_dataset(r: &Row<'_>) -> Result<DatasetRecord> {
    Ok(DatasetRecord {
        id: r.get("id")?,
        title: r.get("title")?,
        file: r.get("file")?,
        format: r.get("format")?,
        categories: r.json("categories")?,
        subjects: r.count("subjects")?,
        policy: r.json("policy")?,
        created_ms: r.get("created_ms")?,
        compute: r.json_opt("compute")?,
    })
}

fn decode_negotiation(r: &Row<'_>) -> Result<NegotiationRecord> {
    Ok(NegotiationRecord {
        pid: r.get("pid")?,
        side: r.side("side")?,
        peer_pid: r.get("peer_pid")?,
        peer_address: r.get("peer_address")?,
        peer_id: r.get("peer_id")?,
        dataset_id: r.get("dataset_id")?,
        offer: r.json("offer")?,
        state: r.get("state")?,
        agreement_id: r.get("agreement_id")?,
        terms: r.json("terms")?,
        reason: r.get("reason")?,
        version: r.get("version")?,
        created_ms: r.get("created_ms")?,
        updated_ms: r.get("updated_ms")?,
    })
}

fn decode_agreement(r: &Row<'_>) -> Result<AgreementRecord> {
    Ok(AgreementRecord {
        id: r.get("id")?,
        side: r.side("side")?,
        negotiation_pid: r.get("negotiation_pid")?,
        dataset_id: r.get("dataset_id")?,
        provider_id: r.get("provider_id")?,
        consumer_id: r.get("consumer_id")?,
        agreement: r.json("agreement")?,
        obligations: r.json("obligations")?,
        decision_id: r.get("decision_id")?,
        created_ms: r.get("created_ms")?,
    })
}

fn decode_transfer(r: &Row<'_>) -> Result<TransferRecord> {
    Ok(TransferRecord {
        pid: r.get("pid")?,
        side: r.side("side")?,
        peer_pid: r.get("peer_pid")?,
        peer_address: r.get("peer_address")?,
        peer_id: r.get("peer_id")?,
        agreement_id: r.get("agreement_id")?,
        format: r.get("format")?,
        state: r.get("state")?,
        data_address: r.json_opt("data_address")?,
        token_sha256: r.get("token_sha256")?,
        token_expires_ms: r.get("token_expires_ms")?,
        content_sha256: r.get("content_sha256")?,
        bytes: r.count_opt("bytes")?,
        reason: r.get("reason")?,
        version: r.get("version")?,
        created_ms: r.get("created_ms")?,
        updated_ms: r.get("updated_ms")?,
        transforms: r.json_opt("transforms")?,
    })
}

fn decode_decision(r: &Row<'_>) -> Result<DecisionRecord> {
    Ok(DecisionRecord {
        id: r.get("id")?,
        at_ms: r.get("at_ms")?,
        process: r.get("process")?,
        stage: r.get("stage")?,
        flow: r.json("flow")?,
        verdict: r.get("verdict")?,
        policy: r.json("policy")?,
        allowed: r.get("allowed")?,
        report: r.json("report")?,
        rulebook_digest: r.get("rulebook_digest")?,
    })
}

fn decode_query(r: &Row<'_>) -> Result<QueryRecord> {
    Ok(QueryRecord {
        id: r.get("id")?,
        at_ms: r.get("at_ms")?,
        consumer: r.get("consumer")?,
        dataset_id: r.get("dataset_id")?,
        query: r.get("query")?,
        epsilon: r.get("epsilon")?,
        answer: r.json("answer")?,
    })
}

fn decode_outbox(r: &Row<'_>) -> Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.get("id")?,
        process: r.get("process")?,
        target: r.get("target")?,
        body: r.json("body")?,
        attempts: r.count("attempts")?,
        next_attempt_ms: r.get("next_attempt_ms")?,
        status: r.get("status")?,
        last_error: r.get("last_error")?,
        created_ms: r.get("created_ms")?,
    })
}
