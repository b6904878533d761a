//! Writing SQL text: identifiers are always quoted, values are always bound as parameters, so no
//! name or literal from a query or schema is ever spliced into SQL as code.

/// `"name"`, with embedded quotes doubled (SQLite's identifier quoting).
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A value bound to a `?N` placeholder of the rewritten query.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Integer(i64),
    Real(f64),
    Text(String),
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Param::Integer(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Param::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// Collects parameters while SQL is written, handing out their placeholders.
#[derive(Debug, Default)]
pub(crate) struct Params(pub(crate) Vec<Param>);

impl Params {
    /// Adds `value` and returns its placeholder, `?N`.
    pub(crate) fn bind(&mut self, value: Param) -> String {
        self.0.push(value);
        format!("?{}", self.0.len())
    }
}
