//! A starting schema guessed from the first rows of a file: column names and kinds only.
//!
//! Bounds and domains are deliberately never inferred. The largest value in a column, or the set of
//! categories that occur, are facts about the rows: publishing them through the schema would leak
//! exactly what differential privacy protects. The provider must declare them from public knowledge
//! (or derive them with a separate DP release it accounts for) before the schema is used.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::Format;
use crate::error::ComputeError;
use crate::schema::{Column, Kind, Schema};

/// What the values seen so far allow a column to be.
#[derive(Clone, Copy)]
struct Seen {
    integer: bool,
    real: bool,
}

impl Seen {
    const ANY: Seen = Seen { integer: true, real: true };

    fn kind(self) -> Kind {
        match self {
            Seen { integer: true, .. } => Kind::Integer,
            Seen { real: true, .. } => Kind::Real,
            _ => Kind::Text,
        }
    }
}

/// Reads at most `rows` rows of `path` (CSV with a header, or NDJSON) and guesses each column's
/// kind: integer if every non-empty value is one, else real if every value is a number, else text.
/// A column with no values is text. Bounds, `groupable` and domains are left unset (see the module
/// documentation); the caller declares them.
pub fn infer_schema(path: &Path, rows: usize) -> Result<Schema, ComputeError> {
    let file = File::open(path).map_err(|e| ComputeError::Io(format!("cannot open {}: {e}", path.display())))?;
    let seen = match Format::of(path)? {
        Format::Csv => infer_csv(file, rows)?,
        Format::Ndjson => infer_ndjson(file, rows)?,
    };
    let columns = seen
        .into_iter()
        .map(|(name, seen)| Column { name, kind: seen.kind(), bounds: None, groupable: false, domain: None })
        .collect();
    let schema = Schema { columns };
    schema.validate()?;
    Ok(schema)
}

fn infer_csv(file: File, rows: usize) -> Result<Vec<(String, Seen)>, ComputeError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(file);
    let header = reader.headers().map_err(|e| ComputeError::Input(format!("cannot read the CSV header: {e}")))?;
    let mut seen: Vec<(String, Seen)> = header.iter().map(|n| (n.to_string(), Seen::ANY)).collect();
    for record in reader.records().take(rows) {
        let record = record.map_err(|e| ComputeError::Row {
            line: e.position().map_or(0, |p| p.line()),
            message: format!("cannot read the row: {e}"),
        })?;
        for ((_, s), raw) in seen.iter_mut().zip(record.iter()) {
            let raw = raw.trim();
            if !raw.is_empty() {
                s.integer &= raw.parse::<i64>().is_ok();
                s.real &= raw.parse::<f64>().is_ok_and(f64::is_finite);
            }
        }
    }
    Ok(seen)
}

fn infer_ndjson(file: File, rows: usize) -> Result<Vec<(String, Seen)>, ComputeError> {
    let mut seen: Vec<(String, Seen)> = Vec::new();
    let lines =
        BufReader::new(file).lines().enumerate().filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()));
    for (index, line) in lines.take(rows) {
        let line_no = index as u64 + 1;
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line?)
            .map_err(|e| ComputeError::Row { line: line_no, message: format!("expected one JSON object: {e}") })?;
        for (name, value) in object {
            let at = match seen.iter().position(|(n, _)| *n == name) {
                Some(at) => at,
                None => {
                    seen.push((name, Seen::ANY));
                    seen.len() - 1
                }
            };
            let s = &mut seen[at].1;
            if !value.is_null() {
                s.integer &= value.is_i64();
                s.real &= value.is_number();
            }
        }
    }
    Ok(seen)
}
