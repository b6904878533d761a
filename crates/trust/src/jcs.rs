//! JSON in and out: parsing that rejects duplicate keys, and the RFC 8785 JSON Canonicalization
//! Scheme (JCS).
//!
//! Signatures are made over canonical bytes, so two readers of one document must agree on what it
//! says. `serde_json` keeps the *last* of two equal keys, other parsers keep the first: a document
//! with duplicates means different things to different verifiers, so [`parse`] refuses it and
//! names the key. Canonicalization itself (UTF-16 key order, ECMAScript number formatting, minimal
//! string escapes) is done by `serde_json_canonicalizer`, checked here against the RFC's reference
//! test data and a million of its ES6 number vectors (`tests/jcs.rs`).

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a JSON text could not be read or canonicalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JcsError {
    /// Not JSON, or JSON that JCS cannot represent (a lone surrogate, a number outside the range
    /// of an IEEE 754 double, nesting deeper than 128). The message comes from `serde_json` and
    /// names the line and column.
    Syntax(String),
    /// An object has the same key twice.
    DuplicateKey {
        /// The repeated key, unescaped.
        key: String,
        /// JSON Pointer (RFC 6901) to the object holding it; empty for the top level.
        pointer: String,
        /// Line of the second occurrence (1-based).
        line: usize,
        /// Column just after the second occurrence (1-based).
        column: usize,
    },
    /// The value could not be written canonically (only possible for values built in code, e.g.
    /// with `serde_json`'s `arbitrary_precision` numbers).
    Canonicalize(String),
}

impl fmt::Display for JcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JcsError::Syntax(message) => write!(f, "invalid json: {message}"),
            JcsError::DuplicateKey { key, pointer, line, column } => {
                let at = if pointer.is_empty() { "the top-level object".to_owned() } else { format!("{pointer:?}") };
                write!(f, "duplicate key {key:?} in {at} at line {line} column {column}")
            }
            JcsError::Canonicalize(message) => write!(f, "cannot canonicalize: {message}"),
        }
    }
}

impl std::error::Error for JcsError {}

/// Parses a JSON text, rejecting any object with a repeated key (after unescaping, so `"a"` and
/// `"\u0061"` are the same key) and any trailing content. Numbers are read as JCS reads them, as
/// IEEE doubles: integers beyond ±2^53 become the nearest double.
pub fn parse(json: &str) -> Result<Value, JcsError> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    parse_with(&mut deserializer)
}

/// [`parse`] for bytes, which must be UTF-8.
pub fn parse_slice(json: &[u8]) -> Result<Value, JcsError> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    parse_with(&mut deserializer)
}

fn parse_with<'de, R: serde_json::de::Read<'de>>(
    deserializer: &mut serde_json::Deserializer<R>,
) -> Result<Value, JcsError> {
    let duplicate = RefCell::new(None);
    let parsed = ValueSeed { duplicate: &duplicate }
        .deserialize(&mut *deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|error| match duplicate.into_inner() {
        Some(Duplicate { key, mut path }) => {
            path.reverse();
            JcsError::DuplicateKey { key, pointer: pointer(&path), line: error.line(), column: error.column() }
        }
        None => JcsError::Syntax(error.to_string()),
    })
}

/// The RFC 8785 canonical form of a value.
pub fn canonicalize(value: &Value) -> Result<String, JcsError> {
    serde_json_canonicalizer::to_string(value).map_err(|error| JcsError::Canonicalize(error.to_string()))
}

/// [`parse`] then [`canonicalize`].
pub fn canonicalize_str(json: &str) -> Result<String, JcsError> {
    canonicalize(&parse(json)?)
}

/// The first duplicate found, and the path to its object, innermost segment first (segments are
/// added while the error unwinds, so the happy path pays nothing for them).
struct Duplicate {
    key: String,
    path: Vec<String>,
}

fn pointer(path: &[String]) -> String {
    path.iter().map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1"))).collect()
}

/// 2^53: integers up to this size are exact as IEEE doubles.
const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// Builds a `serde_json::Value` like `Value::deserialize` does, but checks each object key against
/// the keys already read, and stores integers beyond ±2^53 as the doubles JCS reads them as (so
/// `12345678901234567890` and `12345678901234567891`, which canonicalize alike, also parse alike). `serde_json`'s own recursion limit still applies, so hostile nesting
/// is an error, not a stack overflow.
#[derive(Clone, Copy)]
struct ValueSeed<'a> {
    duplicate: &'a RefCell<Option<Duplicate>>,
}

impl ValueSeed<'_> {
    fn note_segment(self, segment: impl FnOnce() -> String) {
        if let Some(duplicate) = self.duplicate.borrow_mut().as_mut() {
            duplicate.path.push(segment());
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        if value.unsigned_abs() <= MAX_EXACT_INTEGER {
            Ok(Value::Number(value.into()))
        } else {
            self.visit_f64(value as f64)
        }
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        if value <= MAX_EXACT_INTEGER {
            Ok(Value::Number(value.into()))
        } else {
            self.visit_f64(value as f64)
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value).map(Value::Number).ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(error) => {
                    let index = items.len();
                    self.note_segment(|| index.to_string());
                    return Err(error);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                let message = format!("duplicate key {key:?}");
                *self.duplicate.borrow_mut() = Some(Duplicate { key, path: Vec::new() });
                return Err(de::Error::custom(message));
            }
            match access.next_value_seed(self) {
                Ok(value) => {
                    map.insert(key, value);
                }
                Err(error) => {
                    self.note_segment(|| key);
                    return Err(error);
                }
            }
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_named_with_their_path() {
        let error = parse(r#"{"a":{"b":[1,{"c/d":{"x":1,"y":2,"\u0078":3}}]}}"#).expect_err("a duplicate");
        match error {
            JcsError::DuplicateKey { key, pointer, line, .. } => {
                assert_eq!(key, "x");
                assert_eq!(pointer, "/a/b/1/c~1d");
                assert_eq!(line, 1);
            }
            other => panic!("expected a duplicate key, got {other:?}"),
        }
        let top = parse("{\"k\":1,\n\"k\":1}").expect_err("a duplicate");
        assert_eq!(top.to_string(), "duplicate key \"k\" in the top-level object at line 2 column 3");
    }

    #[test]
    fn equal_keys_in_different_objects_are_fine() {
        let value = parse(r#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#).expect("no duplicates");
        assert_eq!(canonicalize(&value).as_deref(), Ok(r#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#));
    }

    #[test]
    fn rejects_what_jcs_cannot_represent() {
        for bad in [r#""\ud800""#, "1e400", "-1e400", "[1,]", "{} {}", "NaN", "", "[\"a\"", "\"\u{1}\""] {
            assert!(matches!(parse(bad), Err(JcsError::Syntax(_))), "{bad:?} should be rejected");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(matches!(parse(&deep), Err(JcsError::Syntax(_))));
        assert!(matches!(parse_slice(b"\"\xff\""), Err(JcsError::Syntax(_))));
    }

    #[test]
    fn numbers_are_ieee_doubles() {
        assert_eq!(parse("12345678901234567891"), parse("12345678901234567890"));
        assert_eq!(parse("-9223372036854775807"), parse("-9223372036854775808"));
        assert_eq!(parse("9007199254740992").ok().and_then(|v| v.as_u64()), Some(1 << 53));
        assert_eq!(parse("-9007199254740992").ok().and_then(|v| v.as_i64()), Some(-(1 << 53)));
        let cases = [
            ("9007199254740993", "9007199254740992"),
            ("-0", "0"),
            ("-0.0", "0"),
            ("1E21", "1e+21"),
            ("1e-7", "1e-7"),
            ("0.000001", "0.000001"),
            ("18446744073709551615", "18446744073709552000"),
            ("-9223372036854775808", "-9223372036854776000"),
            ("100000000000000000000000000000000", "1e+32"),
        ];
        for (input, expected) in cases {
            assert_eq!(canonicalize_str(input).as_deref(), Ok(expected), "{input}");
        }
    }
}
