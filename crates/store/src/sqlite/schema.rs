//! Opening connections and the versioned schema.
//!
//! The schema version lives in `PRAGMA user_version`. Migration `i` (0-based) takes the database
//! from version `i` to `i + 1`; each runs in its own transaction together with the version bump,
//! so a crash mid-migration leaves the previous version intact.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::backend;
use crate::Result;

/// How long a connection waits for a lock held by another connection before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The migrations, in order. Never edit one that has shipped: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    "CREATE TABLE datasets (
        id TEXT PRIMARY KEY NOT NULL,
        title TEXT NOT NULL,
        file TEXT NOT NULL,
        format TEXT NOT NULL,
        categories TEXT NOT NULL,
        subjects INTEGER NOT NULL,
        policy TEXT NOT NULL,
        created_ms INTEGER NOT NULL
    );
    CREATE TABLE negotiations (
        pid TEXT PRIMARY KEY NOT NULL,
        side TEXT NOT NULL,
        peer_pid TEXT,
        peer_address TEXT,
        peer_id TEXT,
        dataset_id TEXT NOT NULL,
        offer TEXT NOT NULL,
        state TEXT NOT NULL,
        agreement_id TEXT,
        terms TEXT NOT NULL,
        reason TEXT,
        version INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE INDEX negotiations_created ON negotiations (created_ms);
    CREATE TABLE agreements (
        id TEXT PRIMARY KEY NOT NULL,
        side TEXT NOT NULL,
        negotiation_pid TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        consumer_id TEXT NOT NULL,
        agreement TEXT NOT NULL,
        obligations TEXT NOT NULL,
        decision_id TEXT,
        created_ms INTEGER NOT NULL
    );
    CREATE INDEX agreements_created ON agreements (created_ms);
    CREATE TABLE transfers (
        pid TEXT PRIMARY KEY NOT NULL,
        side TEXT NOT NULL,
        peer_pid TEXT,
        peer_address TEXT,
        peer_id TEXT,
        agreement_id TEXT NOT NULL,
        format TEXT NOT NULL,
        state TEXT NOT NULL,
        data_address TEXT,
        token_sha256 TEXT,
        token_expires_ms INTEGER,
        content_sha256 TEXT,
        bytes INTEGER,
        reason TEXT,
        version INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE INDEX transfers_created ON transfers (created_ms);
    CREATE INDEX transfers_token ON transfers (token_sha256) WHERE token_sha256 IS NOT NULL;
    CREATE TABLE decisions (
        id TEXT PRIMARY KEY NOT NULL,
        at_ms INTEGER NOT NULL,
        process TEXT,
        stage TEXT NOT NULL,
        flow TEXT NOT NULL,
        verdict TEXT NOT NULL,
        policy TEXT NOT NULL,
        allowed INTEGER NOT NULL,
        report TEXT NOT NULL,
        rulebook_digest TEXT NOT NULL
    );
    CREATE INDEX decisions_at ON decisions (at_ms);
    CREATE INDEX decisions_process ON decisions (process, at_ms);
    CREATE TABLE outbox (
        id TEXT PRIMARY KEY NOT NULL,
        process TEXT NOT NULL,
        target TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_ms INTEGER NOT NULL,
        status TEXT NOT NULL,
        last_error TEXT,
        created_ms INTEGER NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt_ms);",
    // 2: transfers looked up by agreement (uses so far, when a transfer starts).
    "CREATE INDEX transfers_agreement ON transfers (agreement_id, created_ms);",
    // 3: the data plane: compute-only datasets, what a transfer's bytes went through, and the
    // differentially private queries answered, summed per (consumer, dataset) for the ε budget.
    "ALTER TABLE datasets ADD COLUMN compute TEXT;
    ALTER TABLE transfers ADD COLUMN transforms TEXT;
    CREATE TABLE queries (
        id TEXT PRIMARY KEY NOT NULL,
        at_ms INTEGER NOT NULL,
        consumer TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        query TEXT NOT NULL,
        epsilon REAL NOT NULL,
        answer TEXT NOT NULL
    );
    CREATE INDEX queries_budget ON queries (consumer, dataset_id);
    CREATE INDEX queries_at ON queries (at_ms);",
];

/// The schema version this build writes.
pub(super) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (creating if missing) the write connection and brings the schema up to date.
pub(super) fn open_writer(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|e| backend(format!("cannot open {}", path.display()), e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| backend("busy_timeout", e))?;
    let mode: String =
        conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).map_err(|e| backend("journal_mode", e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(crate::StoreError::Backend(format!(
            "{} cannot use write-ahead logging (journal_mode is {mode})",
            path.display()
        )));
    }
    // FULL: the WAL is synced on every commit, so an acknowledged commit survives a power cut.
    conn.pragma_update(None, "synchronous", "FULL").map_err(|e| backend("synchronous", e))?;
    migrate(&conn)?;
    Ok(conn)
}

/// Opens a read-only connection on a database that `open_writer` has prepared.
pub(super) fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| backend(format!("cannot open {} for reading", path.display()), e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| backend("busy_timeout", e))?;
    Ok(conn)
}

fn user_version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|e| backend("reading user_version", e))
}

fn migrate(conn: &Connection) -> Result<()> {
    // One migration per transaction, the version read inside it: two processes opening a new
    // file at once serialize on the write lock and the second finds the work done.
    loop {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| backend("starting a migration", e))?;
        match migrate_one(conn) {
            Ok(more) => {
                conn.execute_batch("COMMIT").map_err(|e| backend("committing a migration", e))?;
                if !more {
                    return Ok(());
                }
            }
            Err(e) => {
                // Leaves the database at the previous version.
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
}

/// Applies the next migration, if any; returns whether one was applied.
fn migrate_one(conn: &Connection) -> Result<bool> {
    let current = user_version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(crate::StoreError::Backend(format!(
            "database schema version {current} is newer than this build knows ({SCHEMA_VERSION})"
        )));
    }
    let index = usize::try_from(current)
        .map_err(|_| crate::StoreError::Backend(format!("database schema version {current} is invalid")))?;
    let Some(sql) = MIGRATIONS.get(index) else {
        return Ok(false);
    };
    let target = current + 1;
    conn.execute_batch(sql).map_err(|e| backend(format!("migration to schema version {target}"), e))?;
    conn.pragma_update(None, "user_version", target).map_err(|e| backend("setting user_version", e))?;
    Ok(true)
}
