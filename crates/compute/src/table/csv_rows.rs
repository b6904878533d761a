//! Rows of a CSV file with a header, matched to the schema by column name.

use std::fs::File;

use csv::StringRecord;
use rusqlite::types::Value;

use super::{parse, RowSource};
use crate::error::ComputeError;
use crate::schema::{Kind, Schema};

pub(crate) struct CsvRows {
    reader: csv::Reader<File>,
    record: StringRecord,
    /// For each schema column: its kind, name and index in the header.
    fields: Vec<(Kind, String, usize)>,
    /// Header columns the schema does not declare.
    pub(crate) ignored: Vec<String>,
}

impl CsvRows {
    pub(crate) fn new(file: File, schema: &Schema) -> Result<CsvRows, ComputeError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(file);
        let header = reader.headers().map_err(|e| ComputeError::Input(format!("cannot read the CSV header: {e}")))?;
        let names: Vec<String> = header.iter().map(str::to_string).collect();
        let mut fields = Vec::with_capacity(schema.columns.len());
        for column in &schema.columns {
            let index = names.iter().position(|n| n == &column.name).ok_or_else(|| {
                ComputeError::Input(format!(
                    "the CSV header has no column {:?}, which the schema declares; header columns: {}",
                    column.name,
                    names.join(", ")
                ))
            })?;
            fields.push((column.kind, column.name.clone(), index));
        }
        let ignored = names.iter().enumerate().filter(|(i, _)| !fields.iter().any(|f| f.2 == *i));
        let ignored = ignored.map(|(_, n)| n.clone()).collect();
        Ok(CsvRows { reader, record: StringRecord::new(), fields, ignored })
    }
}

impl RowSource for CsvRows {
    fn next_row(&mut self, row: &mut Vec<Value>) -> Result<Option<u64>, ComputeError> {
        let more = self.reader.read_record(&mut self.record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                    format!("found {len} fields, but the header has {expected_len}")
                }
                csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_string(),
                _ => e.to_string(),
            };
            ComputeError::Row { line, message }
        })?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
        row.clear();
        for (kind, name, index) in &self.fields {
            let raw = self.record.get(*index).unwrap_or_default();
            let value = parse::from_text(*kind, raw)
                .map_err(|why| ComputeError::Row { line, message: format!("column {name:?}: {why}") })?;
            row.push(value);
        }
        Ok(Some(line))
    }
}
