//! Loading a CSV or NDJSON file into a SQLite database whose only table is `data`, typed by the
//! schema. Streaming (one row in memory at a time) and atomic: rows go into a temporary database
//! next to the target, which replaces the target only when every row was loaded.

mod csv_rows;
mod infer;
mod ndjson_rows;
mod parse;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::types::Value;
use rusqlite::Connection;
use serde::Serialize;

use crate::error::ComputeError;
use crate::schema::Schema;
use crate::sql::quote_ident;

pub use infer::infer_schema;

/// The format of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated with a header row naming the columns.
    Csv,
    /// One JSON object per line, keyed by column name.
    Ndjson,
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    pub format: Format,
    pub rows: u64,
    /// The columns loaded, in schema order.
    pub columns: Vec<String>,
    /// CSV header columns not declared in the schema: they are not loaded, so queries cannot see them.
    pub ignored_columns: Vec<String>,
}

/// Where rows come from: one value per schema column, in schema order.
pub(crate) trait RowSource {
    /// Fills `row` and returns the 1-based line the row started on, or `None` at the end.
    fn next_row(&mut self, row: &mut Vec<Value>) -> Result<Option<u64>, ComputeError>;
}

impl Format {
    /// By extension (`.csv`; `.ndjson`, `.jsonl`, `.json`), else by the first non-blank byte (`{` is NDJSON).
    pub fn of(path: &Path) -> Result<Format, ComputeError> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => return Ok(Format::Csv),
            Some("ndjson" | "jsonl" | "json") => return Ok(Format::Ndjson),
            _ => {}
        }
        let mut head = [0u8; 512];
        let n = std::io::Read::read(&mut File::open(path).map_err(|e| open_error(path, e))?, &mut head)?;
        let first = head[..n].iter().find(|b| !b.is_ascii_whitespace());
        Ok(if first == Some(&b'{') { Format::Ndjson } else { Format::Csv })
    }
}

fn open_error(path: &Path, e: std::io::Error) -> ComputeError {
    ComputeError::Io(format!("cannot open {}: {e}", path.display()))
}

/// Loads `input` (CSV or NDJSON, see [`Format::of`]) into a new SQLite database at `db`, replacing
/// any database there only if the whole file loads. Empty fields (CSV) and missing or `null` fields
/// (NDJSON) become NULL; a value of the wrong type fails the load, naming its line and column.
pub fn load(input: &Path, schema: &Schema, db: &Path) -> Result<LoadReport, ComputeError> {
    schema.validate()?;
    let format = Format::of(input)?;
    let file = File::open(input).map_err(|e| open_error(input, e))?;
    let (mut source, ignored_columns): (Box<dyn RowSource>, Vec<String>) = match format {
        Format::Csv => {
            let rows = csv_rows::CsvRows::new(file, schema)?;
            let ignored = rows.ignored.clone();
            (Box::new(rows), ignored)
        }
        Format::Ndjson => (Box::new(ndjson_rows::NdjsonRows::new(file, schema)), Vec::new()),
    };
    let tmp = temp_path(db);
    let rows = match write_db(&tmp, schema, source.as_mut()).and_then(|rows| publish(&tmp, db).map(|()| rows)) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = fs::remove_file(&tmp); // best effort: the error that matters is `e`
            return Err(e);
        }
    };
    let columns = schema.columns.iter().map(|c| c.name.clone()).collect();
    Ok(LoadReport { format, rows, columns, ignored_columns })
}

/// A unique sibling of `db` (process id and a per-process counter), so concurrent loads do not
/// collide and the final rename stays on one file system.
fn temp_path(db: &Path) -> PathBuf {
    static LOADS: AtomicU64 = AtomicU64::new(0);
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "data.db".into());
    let n = LOADS.fetch_add(1, Ordering::Relaxed);
    db.with_file_name(format!(".{name}.loading-{}-{n}", std::process::id()))
}

fn write_db(path: &Path, schema: &Schema, source: &mut dyn RowSource) -> Result<u64, ComputeError> {
    let _ = fs::remove_file(path); // a leftover of a crashed load with the same name
    let mut conn = Connection::open(path)?;
    // The file is thrown away on failure, so no journal is needed while loading.
    conn.query_row("PRAGMA journal_mode = OFF", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA synchronous = OFF")?;
    let columns: Vec<String> =
        schema.columns.iter().map(|c| format!("{} {}", quote_ident(&c.name), c.kind.sql_type())).collect();
    // STRICT: SQLite itself refuses a value of the wrong type, whatever this loader does.
    conn.execute_batch(&format!("CREATE TABLE data ({}) STRICT", columns.join(", ")))?;
    let placeholders: Vec<String> = (1..=schema.columns.len()).map(|i| format!("?{i}")).collect();
    let tx = conn.transaction()?;
    let mut rows = 0u64;
    {
        let mut insert = tx.prepare(&format!("INSERT INTO data VALUES ({})", placeholders.join(", ")))?;
        let mut row = Vec::with_capacity(schema.columns.len());
        while let Some(line) = source.next_row(&mut row)? {
            insert
                .execute(rusqlite::params_from_iter(row.iter()))
                .map_err(|e| ComputeError::Row { line, message: format!("sqlite refused the row: {e}") })?;
            rows += 1;
        }
    }
    tx.commit()?;
    conn.close().map_err(|(_, e)| ComputeError::from(e))?;
    Ok(rows)
}

/// Makes the loaded file durable, then moves it into place in one rename.
fn publish(tmp: &Path, db: &Path) -> Result<(), ComputeError> {
    File::open(tmp)?.sync_all()?;
    fs::rename(tmp, db)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}
