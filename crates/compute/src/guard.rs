//! Opening a dataset database for a query, with defense in depth around the checked SQL: the file is
//! opened read-only, the connection is `query_only`, ATTACH is disabled, an authorizer allows only
//! reading table `data` and the few functions the rewritten SQL uses, and a progress handler stops
//! a query that runs past its deadline.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};

use crate::error::ComputeError;
use crate::schema::Schema;

/// The functions the rewritten SQL calls (aggregates, clamping, rounding, LIKE); nothing else runs.
const ALLOWED_FUNCTIONS: [&str; 6] = ["count", "sum", "min", "max", "round", "like"];
/// SQLite calls the progress handler every this many virtual-machine steps (~ a millisecond).
const PROGRESS_STEPS: i32 = 10_000;

/// A guarded connection and whether its deadline fired.
pub(crate) struct Guarded {
    pub(crate) conn: Connection,
    timed_out: Arc<AtomicBool>,
    pub(crate) limit: Duration,
}

impl Guarded {
    /// Maps a failure while running to [`ComputeError::TimedOut`] when the deadline caused it.
    pub(crate) fn error(&self, e: rusqlite::Error) -> ComputeError {
        if self.timed_out.load(Ordering::Relaxed) {
            ComputeError::TimedOut { seconds: self.limit.as_secs().max(1) }
        } else {
            ComputeError::from(e)
        }
    }
}

pub(crate) fn open(db: &Path, schema: &Schema, limit: Duration) -> Result<Guarded, ComputeError> {
    if !db.is_file() {
        return Err(ComputeError::Io(format!("no dataset database at {}", db.display())));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(db, flags)?;
    conn.execute_batch("PRAGMA query_only = ON")?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    check_table(&conn, schema)?;
    conn.authorizer(Some(authorize));
    let timed_out = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&timed_out);
    let deadline = Instant::now() + limit;
    conn.progress_handler(
        PROGRESS_STEPS,
        Some(move || {
            let late = Instant::now() >= deadline;
            if late {
                flag.store(true, Ordering::Relaxed);
            }
            late
        }),
    );
    Ok(Guarded { conn, timed_out, limit })
}

fn authorize(ctx: AuthContext<'_>) -> Authorization {
    let allowed = match ctx.action {
        AuthAction::Select => true,
        AuthAction::Read { table_name, .. } => {
            // COUNT(*) reads the table without naming a column or database.
            table_name == "data" && matches!(ctx.database_name, None | Some("main"))
        }
        AuthAction::Function { function_name } => {
            ALLOWED_FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(function_name))
        }
        _ => false,
    };
    if allowed {
        Authorization::Allow
    } else {
        Authorization::Deny
    }
}

/// The database must hold table `data` with every declared column at its declared type: otherwise
/// it was loaded with another schema, and SQLite would read a missing `"col"` as a string literal.
fn check_table(conn: &Connection, schema: &Schema) -> Result<(), ComputeError> {
    let mut stmt = conn.prepare("SELECT name, type FROM pragma_table_info('data')")?;
    let columns: Vec<(String, String)> =
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<Result<_, _>>()?;
    if columns.is_empty() {
        return Err(ComputeError::Io("the dataset database has no table data; load the dataset first".into()));
    }
    for declared in &schema.columns {
        let found = columns.iter().find(|(name, _)| name.eq_ignore_ascii_case(&declared.name));
        match found {
            Some((_, ty)) if ty.eq_ignore_ascii_case(declared.kind.sql_type()) => {}
            Some((_, ty)) => {
                return Err(ComputeError::Schema(format!(
                    "column {:?} is {ty} in the dataset database but declared {}; reload the dataset with this schema",
                    declared.name,
                    declared.kind.describe()
                )))
            }
            None => {
                return Err(ComputeError::Schema(format!(
                    "column {:?} is declared but not in the dataset database; reload the dataset with this schema",
                    declared.name
                )))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Column;

    /// A guarded connection on a one-row dataset, built in a fresh directory.
    fn guarded(name: &str) -> (Guarded, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("compute-guard-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp files");
        let csv = dir.join("d.csv");
        std::fs::write(&csv, "name,age\nAnn,34\n").expect("temp files");
        let schema = Schema { columns: vec![Column::text("name"), Column::integer("age")] };
        crate::table::load(&csv, &schema, &dir.join("d.db")).expect("the file loads");
        (open(&dir.join("d.db"), &schema, Duration::from_secs(5)).expect("the database opens"), dir)
    }

    #[test]
    fn only_reads_of_data_and_the_rewriter_functions_are_authorized() {
        let (g, dir) = guarded("auth");
        let allowed = "SELECT COUNT(*), COUNT(age), SUM(CAST(ROUND(MIN(MAX(age, 0), 9) * 2) AS INTEGER)) FROM data \
                       WHERE name LIKE 'A%'";
        assert!(g.conn.prepare(allowed).is_ok());
        for hostile in [
            "SELECT name FROM sqlite_master",
            "SELECT lower(name) FROM data",
            "SELECT load_extension('x')",
            "PRAGMA table_info(data)",
            "PRAGMA query_only = OFF",
            "INSERT INTO data (age) VALUES (1)",
            "DELETE FROM data",
            "CREATE TEMP TABLE t (x)",
            "ATTACH DATABASE ':memory:' AS other",
        ] {
            let err = g.conn.execute_batch(hostile).expect_err("must be refused").to_string();
            assert!(err.contains("not authorized") || err.contains("prohibited"), "{hostile}: {err}");
        }
        drop(g);
        std::fs::remove_dir_all(dir).expect("temp files");
    }
}
