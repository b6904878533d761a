//! A typed group value: how a declared domain entry and a GROUP BY result from SQLite are compared,
//! hashed, ordered and written to JSON.

use std::cmp::Ordering;

use rusqlite::types::ValueRef;

use crate::schema::Kind;

/// One group value. Reals are kept as bits (with -0.0 folded into 0.0) so keys can be hashed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Int(i64),
    Real(u64),
    Text(String),
}

impl Key {
    /// Parses a declared domain value for a column of `kind`; the error completes "value … <why>".
    pub(crate) fn parse(kind: Kind, raw: &str) -> Result<Key, String> {
        match kind {
            Kind::Integer => raw.trim().parse::<i64>().map(Key::Int).map_err(|_| "is not an integer".to_string()),
            Kind::Real => match raw.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Key::real(v)),
                _ => Err("is not a finite real number".to_string()),
            },
            Kind::Text => Ok(Key::Text(raw.to_string())),
        }
    }

    fn real(v: f64) -> Key {
        Key::Real(if v == 0.0 { 0 } else { v.to_bits() })
    }

    /// The key of a SQLite value of a column of `kind`; `None` for NULL or an unexpected type
    /// (such rows are in no declared group and are not released).
    pub(crate) fn from_sql(kind: Kind, value: ValueRef<'_>) -> Option<Key> {
        match (kind, value) {
            (Kind::Integer, ValueRef::Integer(i)) => Some(Key::Int(i)),
            (Kind::Real, ValueRef::Real(v)) => Some(Key::real(v)),
            (Kind::Real, ValueRef::Integer(i)) => Some(Key::real(i as f64)),
            (Kind::Text, ValueRef::Text(t)) => std::str::from_utf8(t).ok().map(|s| Key::Text(s.to_string())),
            _ => None,
        }
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            Key::Int(i) => serde_json::Value::from(*i),
            Key::Real(bits) => serde_json::Value::from(f64::from_bits(*bits)),
            Key::Text(s) => serde_json::Value::from(s.as_str()),
        }
    }

    /// Order for ORDER BY on group columns: numbers numerically, text by bytes (SQLite's BINARY).
    pub(crate) fn order(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Int(a), Key::Int(b)) => a.cmp(b),
            (Key::Real(a), Key::Real(b)) => f64::from_bits(*a).total_cmp(&f64::from_bits(*b)),
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
            // One column has one kind, so mixed keys do not meet; any fixed order will do.
            (Key::Int(_), _) => Ordering::Less,
            (_, Key::Int(_)) => Ordering::Greater,
            (Key::Real(_), _) => Ordering::Less,
            (_, Key::Real(_)) => Ordering::Greater,
        }
    }
}
