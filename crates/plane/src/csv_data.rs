//! CSV: the header names the fields; each record goes through the plan column by column.
//!
//! Records are read as byte records (no UTF-8 check, no allocation per row once the buffers have
//! grown) and written with the csv crate, which quotes a field when RFC 4180 requires it (comma,
//! quote, CR or LF inside), so quoted commas and line breaks survive. Records end with `\n`. A
//! record with another number of fields than the header is an error naming its line.

use std::collections::HashSet;
use std::io::Write;

use csv::{ByteRecord, Reader, ReaderBuilder, WriterBuilder};

use crate::error::{PlanError, PlaneError};
use crate::output::{Counting, BUFFER};
use crate::plan::Plan;
use crate::report::Report;
use crate::rules::{push_group_value, Groups, Rule, Rules};
use crate::source::Source;

/// The rules resolved to the header's columns.
struct Columns<'r> {
    rules: Vec<&'r Rule>,
    excludes: Vec<(usize, &'r HashSet<String>)>,
    quasi: Vec<usize>,
    header_out: ByteRecord,
}

impl<'r> Columns<'r> {
    /// Reads the header and checks the plan against it.
    fn read(
        plan: &Plan,
        rules: &'r Rules<'_>,
        reader: &mut Reader<Box<dyn std::io::Read + Send>>,
    ) -> Result<Self, PlaneError> {
        let header = reader.byte_headers().map_err(data_error)?.clone();
        let names: Vec<String> = header.iter().map(|name| String::from_utf8_lossy(name).into_owned()).collect();
        plan.check_fields(&names)?;
        let rules_by_column: Vec<&Rule> = names.iter().map(|name| rules.rule(name)).collect();
        let excludes = rules
            .excludes
            .iter()
            .flat_map(|(field, values)| columns_named(&names, field).map(move |i| (i, values)))
            .collect();
        let quasi = rules
            .k_anonymity
            .iter()
            .flat_map(|(_, fields)| fields.iter().flat_map(|field| columns_named(&names, field)))
            .collect();
        let header_out: ByteRecord = header
            .iter()
            .zip(&rules_by_column)
            .filter(|(_, rule)| !matches!(rule, Rule::Drop))
            .map(|(name, _)| name)
            .collect();
        if header_out.is_empty() && !header.is_empty() {
            return Err(
                PlanError::Invalid { field: names.join(", "), reason: "the plan drops every field".into() }.into()
            );
        }
        Ok(Columns { rules: rules_by_column, excludes, quasi, header_out })
    }

    fn excluded(&self, row: &ByteRecord) -> bool {
        self.excludes.iter().any(|(i, values)| {
            row.get(*i).and_then(|v| std::str::from_utf8(v).ok()).is_some_and(|v| values.contains(v))
        })
    }

    /// The row's group: its released quasi-identifier values.
    fn group_key(&self, row: &ByteRecord, key: &mut Vec<u8>, scratch: &mut Vec<u8>) {
        key.clear();
        let mut ignored = 0;
        for &i in &self.quasi {
            match row.get(i) {
                Some(value) => push_group_value(key, Some(self.rules[i].release(value, scratch, &mut ignored))),
                None => push_group_value(key, None),
            }
        }
    }

    /// The row as released: dropped columns left out, the others transformed.
    fn release(&self, row: &ByteRecord, out: &mut ByteRecord, scratch: &mut Vec<u8>, suppressed: &mut u64) {
        out.clear();
        for (value, rule) in row.iter().zip(&self.rules) {
            if !matches!(rule, Rule::Drop) {
                out.push_field(rule.release(value, scratch, suppressed));
            }
        }
    }
}

/// The columns with this name (usually one).
fn columns_named<'n>(names: &'n [String], field: &'n str) -> impl Iterator<Item = usize> + 'n {
    names.iter().enumerate().filter(move |(_, name)| *name == field).map(|(i, _)| i)
}

fn open(source: &dyn Source) -> Result<Reader<Box<dyn std::io::Read + Send>>, PlaneError> {
    Ok(ReaderBuilder::new().buffer_capacity(BUFFER).from_reader(source.open()?))
}

/// A read error: malformed data names its line.
fn data_error(error: csv::Error) -> PlaneError {
    let line = error.position().map_or(0, |p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the record has {len} fields where the header has {expected_len}")
        }
        _ => error.to_string(),
    };
    match error.into_kind() {
        csv::ErrorKind::Io(error) => PlaneError::Io(error),
        _ => PlaneError::Data { line, message },
    }
}

fn write_error(error: csv::Error) -> PlaneError {
    let message = error.to_string();
    match error.into_kind() {
        csv::ErrorKind::Io(error) => PlaneError::Io(error),
        _ => PlaneError::Io(std::io::Error::other(message)),
    }
}

/// k-anonymity's first pass: the size of every group, and the rows read.
fn count_groups(plan: &Plan, rules: &Rules<'_>, source: &dyn Source) -> Result<(Groups, u64), PlaneError> {
    let mut reader = open(source)?;
    let columns = Columns::read(plan, rules, &mut reader)?;
    let (mut row, mut key, mut scratch) = (ByteRecord::new(), Vec::new(), Vec::new());
    let (mut groups, mut rows) = (Groups::default(), 0);
    while reader.read_byte_record(&mut row).map_err(data_error)? {
        rows += 1;
        if !columns.excluded(&row) {
            columns.group_key(&row, &mut key, &mut scratch);
            groups.add(&key);
        }
    }
    Ok((groups, rows))
}

pub(crate) fn apply(plan: &Plan, source: &dyn Source, out: &mut dyn Write) -> Result<Report, PlaneError> {
    let rules = Rules::new(plan);
    let counted = match &rules.k_anonymity {
        Some((k, _)) => Some((*k, count_groups(plan, &rules, source)?)),
        None => None,
    };
    let mut reader = open(source)?;
    let columns = Columns::read(plan, &rules, &mut reader)?;
    let mut writer = WriterBuilder::new().buffer_capacity(BUFFER).from_writer(Counting::new(out));
    if !columns.header_out.is_empty() {
        // (An empty source has no header, and no records either.)
        writer.write_byte_record(&columns.header_out).map_err(write_error)?;
    }

    let (mut row, mut released, mut scratch, mut key) = (ByteRecord::new(), ByteRecord::new(), Vec::new(), Vec::new());
    let mut report = Report::default();
    let (mut rows_in, mut rows_out) = (0, 0);
    while reader.read_byte_record(&mut row).map_err(data_error)? {
        rows_in += 1;
        if columns.excluded(&row) {
            report.rows_excluded += 1;
            continue;
        }
        if let Some((k, (groups, _))) = &counted {
            columns.group_key(&row, &mut key, &mut scratch);
            if groups.count(&key) < *k {
                report.rows_suppressed += 1;
                continue;
            }
        }
        columns.release(&row, &mut released, &mut scratch, &mut report.values_suppressed);
        writer.write_byte_record(&released).map_err(write_error)?;
        rows_out += 1;
    }
    if let Some((_, (_, first_pass_rows))) = counted {
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

/// The fields the header names.
pub(crate) fn fields(source: &dyn Source) -> Result<Vec<String>, PlaneError> {
    let header = open(source)?.byte_headers().map_err(data_error)?.clone();
    Ok(header.iter().map(|name| String::from_utf8_lossy(name).into_owned()).collect())
}
