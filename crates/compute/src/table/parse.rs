//! One field of a data file to one typed SQLite value. Errors complete "column "x": …".

use rusqlite::types::Value;

use crate::schema::Kind;

/// A CSV field. Empty (after trimming, for numbers) is NULL.
pub(crate) fn from_text(kind: Kind, raw: &str) -> Result<Value, String> {
    match kind {
        Kind::Text if raw.is_empty() => Ok(Value::Null),
        Kind::Text => Ok(Value::Text(raw.to_string())),
        Kind::Integer | Kind::Real if raw.trim().is_empty() => Ok(Value::Null),
        Kind::Integer => {
            raw.trim().parse::<i64>().map(Value::Integer).map_err(|_| format!("{raw:?} is not an integer"))
        }
        Kind::Real => match raw.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Value::Real(v)),
            _ => Err(format!("{raw:?} is not a finite real number")),
        },
    }
}

/// An NDJSON field. Missing or `null` is NULL; numbers are not turned into text or the reverse.
pub(crate) fn from_json(kind: Kind, value: Option<&serde_json::Value>) -> Result<Value, String> {
    use serde_json::Value as J;
    match (kind, value) {
        (_, None | Some(J::Null)) => Ok(Value::Null),
        (Kind::Integer, Some(J::Number(n))) if n.as_i64().is_some() => {
            Ok(n.as_i64().map_or(Value::Null, Value::Integer))
        }
        (Kind::Real, Some(J::Number(n))) => n
            .as_f64()
            .filter(|v| v.is_finite())
            .map(Value::Real)
            .ok_or_else(|| format!("{n} is not a finite real number")),
        (Kind::Text, Some(J::String(s))) => Ok(Value::Text(s.clone())),
        (kind, Some(other)) => Err(format!("expected {}, found {}", expected(kind), shorten(other))),
    }
}

fn expected(kind: Kind) -> &'static str {
    match kind {
        Kind::Integer => "an integer (a JSON number without fraction)",
        Kind::Real => "a number",
        Kind::Text => "a string",
    }
}

/// A value as JSON, cut so an enormous field does not flood the error.
fn shorten(value: &serde_json::Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}
