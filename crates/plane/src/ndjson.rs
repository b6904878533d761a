//! NDJSON: one JSON object per line; its top-level keys are the fields.
//!
//! Objects are written compact (`{"k":v,...}`) with keys in their original order and the values
//! the plan leaves alone exactly as written. A transformed value becomes a JSON string (a
//! pseudonym, `"1987"`, `"30-39"`); strings are transformed, excluded and grouped by their
//! contents, other values by their JSON text as written (the number `34` as `34`, so an excluded
//! value `"34"` matches it), and null stays null (it is never excluded). Blank lines are skipped.
//! An object with a key twice is an error naming its line. A
//! field the plan names is checked against the first object's keys; a later object without it
//! is written without it (and groups as having no value).

use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use crate::error::PlaneError;
use crate::json_object::{text, Object};
use crate::output::{Counting, BUFFER};
use crate::plan::Plan;
use crate::report::Report;
use crate::rules::{push_group_value, Groups, Rule, Rules};
use crate::source::Source;

/// The source's non-blank lines, numbered from 1, read into one reused buffer.
struct Lines {
    reader: BufReader<Box<dyn Read + Send>>,
    buffer: Vec<u8>,
    number: u64,
}

impl Lines {
    fn open(source: &dyn Source) -> Result<Lines, PlaneError> {
        Ok(Lines { reader: BufReader::with_capacity(BUFFER, source.open()?), buffer: Vec::new(), number: 0 })
    }

    fn next(&mut self) -> Result<Option<(u64, &[u8])>, PlaneError> {
        loop {
            self.buffer.clear();
            if self.reader.read_until(b'\n', &mut self.buffer)? == 0 {
                return Ok(None);
            }
            self.number += 1;
            if !self.buffer.trim_ascii().is_empty() {
                return Ok(Some((self.number, &self.buffer)));
            }
        }
    }
}

/// One object against the plan.
struct Row<'r, 'a> {
    rules: &'r Rules<'r>,
    object: Object<'a>,
}

impl Row<'_, '_> {
    fn excluded(&self) -> bool {
        self.rules.excludes.iter().any(|(field, values)| {
            self.object.get(field).and_then(text).is_some_and(|value| values.contains(value.as_ref()))
        })
    }

    fn group_key(&self, fields: &[&str], key: &mut Vec<u8>, scratch: &mut Vec<u8>) {
        key.clear();
        let mut ignored = 0;
        for field in fields {
            match self.object.get(field).and_then(text) {
                Some(value) => {
                    push_group_value(key, Some(self.rules.rule(field).release(value.as_bytes(), scratch, &mut ignored)))
                }
                None => push_group_value(key, None),
            }
        }
    }

    /// The object as released, as one line.
    fn release(&self, line: &mut Vec<u8>, scratch: &mut Vec<u8>, suppressed: &mut u64) -> Result<(), PlaneError> {
        line.clear();
        line.push(b'{');
        let mut first = true;
        for (key, value) in &self.object.entries {
            let rule = self.rules.rule(key);
            if matches!(rule, Rule::Drop) {
                continue;
            }
            if !first {
                line.push(b',');
            }
            first = false;
            serde_json::to_writer(&mut *line, key.as_ref()).map_err(std::io::Error::other)?;
            line.push(b':');
            match (rule, text(value)) {
                (Rule::Keep, _) | (_, None) => line.extend_from_slice(value.get().as_bytes()),
                (rule, Some(value)) => {
                    let released = rule.release(value.as_bytes(), scratch, suppressed);
                    serde_json::to_writer(&mut *line, &String::from_utf8_lossy(released))
                        .map_err(std::io::Error::other)?;
                }
            }
        }
        line.extend_from_slice(b"}\n");
        Ok(())
    }
}

/// k-anonymity's first pass: the size of every group, and the rows read.
fn count_groups(
    plan: &Plan,
    rules: &Rules<'_>,
    fields: &[&str],
    source: &dyn Source,
) -> Result<(Groups, u64), PlaneError> {
    let mut lines = Lines::open(source)?;
    let (mut groups, mut rows, mut key, mut scratch) = (Groups::default(), 0, Vec::new(), Vec::new());
    while let Some((number, line)) = lines.next()? {
        let row = Row { rules, object: Object::parse(line, number)? };
        if rows == 0 {
            plan.check_fields(&row.object.keys())?;
        }
        rows += 1;
        if !row.excluded() {
            row.group_key(fields, &mut key, &mut scratch);
            groups.add(&key);
        }
    }
    Ok((groups, rows))
}

pub(crate) fn apply(plan: &Plan, source: &dyn Source, out: &mut dyn Write) -> Result<Report, PlaneError> {
    let rules = Rules::new(plan);
    let counted = match &rules.k_anonymity {
        Some((k, fields)) => Some((*k, fields, count_groups(plan, &rules, fields, source)?)),
        None => None,
    };
    let mut lines = Lines::open(source)?;
    let mut writer = BufWriter::with_capacity(BUFFER, Counting::new(out));
    let (mut line_out, mut scratch, mut key) = (Vec::new(), Vec::new(), Vec::new());
    let mut report = Report::default();
    let (mut rows_in, mut rows_out) = (0, 0);
    while let Some((number, line)) = lines.next()? {
        let row = Row { rules: &rules, object: Object::parse(line, number)? };
        if rows_in == 0 {
            plan.check_fields(&row.object.keys())?;
        }
        rows_in += 1;
        if row.excluded() {
            report.rows_excluded += 1;
            continue;
        }
        if let Some((k, fields, (groups, _))) = &counted {
            row.group_key(fields, &mut key, &mut scratch);
            if groups.count(&key) < *k {
                report.rows_suppressed += 1;
                continue;
            }
        }
        row.release(&mut line_out, &mut scratch, &mut report.values_suppressed)?;
        writer.write_all(&line_out)?;
        rows_out += 1;
    }
    if let Some((_, _, (_, first_pass_rows))) = counted {
        if first_pass_rows != rows_in {
            return Err(PlaneError::SourceChanged { first_pass_rows, second_pass_rows: rows_in });
        }
    }
    let mut counting = writer.into_inner().map_err(|error| PlaneError::Io(error.into_error()))?;
    counting.flush()?;
    report.rows_in = Some(rows_in);
    report.rows_out = Some(rows_out);
    report.bytes_out = counting.bytes;
    Ok(report)
}

/// The first object's keys; `None` when there is no object.
pub(crate) fn first_fields(source: &dyn Source) -> Result<Option<Vec<String>>, PlaneError> {
    let mut lines = Lines::open(source)?;
    let Some((number, line)) = lines.next()? else { return Ok(None) };
    Ok(Some(Object::parse(line, number)?.keys().into_iter().map(str::to_owned).collect()))
}
