//! The JSON-LD framing every message shares: the fixed `@context`, the `@type` tags that make a
//! message of the wrong type fail to parse, and [`Message`], the parse/print entry points.

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::CONTEXT;

/// A message's `@context`: a JSON array of context URLs that contains the DSP 2025-1 context.
///
/// Contexts are identifiers here, never fetched: messages are processed as plain JSON in the
/// compact form the fixed context defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context(Vec<String>);

impl Context {
    /// `["https://w3id.org/dspace/2025/1/context.jsonld"]`.
    pub fn dsp() -> Self {
        Context(vec![CONTEXT.to_owned()])
    }

    /// The DSP context followed by `extra` (e.g. the DID context of a DID service entry).
    pub fn dsp_and(extra: &str) -> Self {
        Context(vec![CONTEXT.to_owned(), extra.to_owned()])
    }

    /// The context URLs, in order.
    pub fn urls(&self) -> &[String] {
        &self.0
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::dsp()
    }
}

impl Serialize for Context {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Context {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Value::Array(items) = value else {
            return Err(D::Error::custom(format!("`@context` must be an array of strings, found {value}")));
        };
        let mut urls = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Value::String(url) => urls.push(url),
                other => return Err(D::Error::custom(format!("`@context` entries must be strings, found {other}"))),
            }
        }
        if !urls.iter().any(|url| url == CONTEXT) {
            return Err(D::Error::custom(format!("`@context` must contain \"{CONTEXT}\"")));
        }
        Ok(Context(urls))
    }
}

/// A zero-sized `@type` value: serializes as its name and refuses to deserialize from anything
/// else, so parsing a message of the wrong type fails with an error naming the field.
macro_rules! type_tag {
    ($($tag:ident = $name:literal),* $(,)?) => {
        $(
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
            pub(crate) struct $tag;

            impl serde::Serialize for $tag {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str($name)
                }
            }

            impl<'de> serde::Deserialize<'de> for $tag {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    crate::json::expect_type(deserializer, $name).map(|()| $tag)
                }
            }
        )*
    };
}
pub(crate) use type_tag;

pub(crate) fn expect_type<'de, D: Deserializer<'de>>(deserializer: D, expected: &str) -> Result<(), D::Error> {
    let value = Value::deserialize(deserializer)?;
    match value.as_str() {
        Some(found) if found == expected => Ok(()),
        _ => Err(D::Error::custom(format!("`@type` must be \"{expected}\", found {value}"))),
    }
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not JSON at all.
    Syntax(String),
    /// JSON, but not an object.
    NotAnObject,
    /// The object has no `@type`.
    MissingType { expected: &'static str },
    /// `@type` names another message.
    WrongType { expected: &'static str, found: String },
    /// The right `@type`, but a field is missing or malformed.
    Invalid { message: &'static str, detail: String },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Syntax(detail) => write!(f, "not valid JSON: {detail}"),
            ParseError::NotAnObject => write!(f, "a message must be a JSON object"),
            ParseError::MissingType { expected } => write!(f, "missing field `@type` (expected \"{expected}\")"),
            ParseError::WrongType { expected, found } => {
                write!(f, "`@type` must be \"{expected}\", found {found}")
            }
            ParseError::Invalid { message, detail } => write!(f, "invalid {message}: {detail}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A DSP message with a fixed `@type`: parsed from and printed to compact JSON-LD.
pub trait Message: Serialize + DeserializeOwned {
    /// The value of `@type`.
    const TYPE: &'static str;

    /// Parses a message, refusing any other `@type` with an error naming the field.
    fn from_json(text: &str) -> Result<Self, ParseError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ParseError::Syntax(e.to_string()))?;
        Self::from_value(value)
    }

    /// As [`Message::from_json`], from an already parsed JSON value.
    fn from_value(value: Value) -> Result<Self, ParseError> {
        let Some(object) = value.as_object() else {
            return Err(ParseError::NotAnObject);
        };
        match object.get("@type") {
            None => return Err(ParseError::MissingType { expected: Self::TYPE }),
            Some(Value::String(found)) if found == Self::TYPE => {}
            Some(found) => return Err(ParseError::WrongType { expected: Self::TYPE, found: found.to_string() }),
        }
        serde_json::from_value(value).map_err(|e| ParseError::Invalid { message: Self::TYPE, detail: e.to_string() })
    }

    /// The message as a JSON value.
    fn to_value(&self) -> Value {
        // Every message type is a tree of structs, strings, vectors and JSON values with string
        // keys, which serde_json always serializes.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The message as compact JSON text.
    fn to_json(&self) -> String {
        self.to_value().to_string()
    }
}

/// Implements [`Message`] for a type whose `@type` is fixed.
macro_rules! message {
    ($($ty:ty = $name:literal),* $(,)?) => {
        $(impl crate::json::Message for $ty {
            const TYPE: &'static str = $name;
        })*
    };
}
pub(crate) use message;

/// Deserializers for lists the schemas require to have at least one item when present; the
/// types omit an empty list when printing, so accepting `[]` would not print back.
pub(crate) mod non_empty {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer};

    fn named<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D, field: &str) -> Result<Vec<T>, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        if items.is_empty() {
            return Err(D::Error::custom(format!("`{field}` must not be an empty array")));
        }
        Ok(items)
    }

    macro_rules! fields {
        ($($f:ident = $name:literal),* $(,)?) => {
            $(pub(crate) fn $f<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
                named(d, $name)
            })*
        };
    }

    fields!(
        permission = "permission",
        prohibition = "prohibition",
        obligation = "obligation",
        has_policy = "hasPolicy",
        distribution = "distribution",
        dataset = "dataset",
        catalog = "catalog",
        service = "service",
        serves_dataset = "servesDataset",
        endpoint_properties = "endpointProperties",
        protocol_versions = "protocolVersions",
    );
}
