//! Rows of an NDJSON file: one JSON object per line, fields by column name. Blank lines are skipped;
//! fields the schema does not declare are ignored.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use rusqlite::types::Value;

use super::{parse, RowSource};
use crate::error::ComputeError;
use crate::schema::{Kind, Schema};

/// A line longer than this is refused rather than buffered: memory stays bounded on hostile input.
const MAX_LINE_BYTES: u64 = 16 * 1024 * 1024;

pub(crate) struct NdjsonRows {
    reader: BufReader<File>,
    buf: Vec<u8>,
    line: u64,
    fields: Vec<(Kind, String)>,
}

impl NdjsonRows {
    pub(crate) fn new(file: File, schema: &Schema) -> NdjsonRows {
        let fields = schema.columns.iter().map(|c| (c.kind, c.name.clone())).collect();
        NdjsonRows { reader: BufReader::with_capacity(1 << 16, file), buf: Vec::new(), line: 0, fields }
    }

    /// The next non-blank line into `buf`, or `false` at the end.
    fn read_line(&mut self) -> Result<bool, ComputeError> {
        loop {
            self.buf.clear();
            self.line += 1;
            let n = (&mut self.reader).take(MAX_LINE_BYTES + 1).read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(false);
            }
            if n as u64 > MAX_LINE_BYTES {
                let message = format!("the line is longer than {MAX_LINE_BYTES} bytes");
                return Err(ComputeError::Row { line: self.line, message });
            }
            if !self.buf.iter().all(u8::is_ascii_whitespace) {
                return Ok(true);
            }
        }
    }
}

impl RowSource for NdjsonRows {
    fn next_row(&mut self, row: &mut Vec<Value>) -> Result<Option<u64>, ComputeError> {
        if !self.read_line()? {
            return Ok(None);
        }
        let line = self.line;
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&self.buf)
            .map_err(|e| ComputeError::Row { line, message: format!("expected one JSON object: {e}") })?;
        row.clear();
        for (kind, name) in &self.fields {
            let value = parse::from_json(*kind, object.get(name))
                .map_err(|why| ComputeError::Row { line, message: format!("column {name:?}: {why}") })?;
            row.push(value);
        }
        Ok(Some(line))
    }
}
