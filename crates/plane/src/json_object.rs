//! One NDJSON line read as an object: its top-level keys in order, each with its value's JSON
//! text exactly as written (so values the plan leaves alone are written back unchanged).

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::PlaneError;

/// A JSON string, borrowed from the line when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// A JSON object's entries in document order.
pub(crate) struct Object<'a> {
    pub entries: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((key, value)) = map.next_entry::<Text<'de>, &'de RawValue>()? {
                    entries.push((key.0, value));
                }
                Ok(Object { entries })
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

impl<'a> Object<'a> {
    /// Reads line `number`: one JSON object, each key at most once.
    pub(crate) fn parse(line: &'a [u8], number: u64) -> Result<Object<'a>, PlaneError> {
        let object: Object<'a> = serde_json::from_slice(line).map_err(|error| {
            let text = error.to_string();
            let what = text.rsplit_once(" at line ").map_or(text.as_str(), |(what, _)| what);
            let at = if error.column() > 0 { format!("column {}: ", error.column()) } else { String::new() };
            PlaneError::Data {
                line: number,
                message: format!("{at}{what}; each line of NDJSON is one JSON object, e.g. {{\"id\": 1}}"),
            }
        })?;
        for (i, (key, _)) in object.entries.iter().enumerate() {
            if object.entries[..i].iter().any(|(earlier, _)| earlier == key) {
                return Err(PlaneError::Data {
                    line: number,
                    message: format!("the key `{key}` appears twice; which value the plan applies to would be a guess"),
                });
            }
        }
        Ok(object)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    pub(crate) fn keys(&self) -> Vec<&str> {
        self.entries.iter().map(|(k, _)| k.as_ref()).collect()
    }
}

/// The text transforms work on: a string's contents, any other value's JSON text as written
/// (`34`, `true`, `[1,2]`); `None` for null.
pub(crate) fn text(value: &RawValue) -> Option<Cow<'_, str>> {
    let json = value.get().trim();
    if json == "null" {
        None
    } else if json.starts_with('"') {
        Some(serde_json::from_str::<Text<'_>>(json).map_or(Cow::Borrowed(json), |text| text.0))
    } else {
        Some(Cow::Borrowed(json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_their_order_and_raw_values() {
        let line = br#"{"b": 1.50, "a": "x\u0041", "c": {"d": [1, 2]}, "e": null}"#;
        let object = Object::parse(line, 1).expect("an object");
        assert_eq!(object.keys(), ["b", "a", "c", "e"]);
        assert_eq!(object.get("b").map(RawValue::get), Some("1.50"));
        assert_eq!(object.get("a").and_then(text).as_deref(), Some("xA"));
        assert_eq!(object.get("c").and_then(text).as_deref(), Some(r#"{"d": [1, 2]}"#));
        assert_eq!(object.get("e").and_then(text), None);
        assert!(object.get("z").is_none());
    }

    #[test]
    fn lines_that_are_not_one_object_are_named() {
        for (line, expected) in [
            (&b"[1, 2]"[..], "invalid type: sequence, expected a JSON object; each line"),
            (b"42", "expected a JSON object"),
            (b"{\"a\": 1", "column 7: EOF while parsing an object"),
            (b"{\"a\": 1} {\"b\": 2}", "trailing characters"),
            (b"{\"a\": 1, \"a\": 2}", "the key `a` appears twice"),
        ] {
            let Err(PlaneError::Data { line: 7, message }) = Object::parse(line, 7) else { panic!("{line:?}") };
            assert!(message.contains(expected), "{message}");
        }
    }
}
