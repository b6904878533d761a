//! Reading the fixed shape of credentials and presentations. Every refusal is a [`Bad`] naming
//! the field and what would be accepted; the credential and presentation errors wrap it.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::datetime;

/// The one `@context` this crate writes and accepts: VC 2.0's base context. No other contexts are
/// processed, so none are accepted (a context could redefine what a term means).
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";

/// A field that is missing or malformed, and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bad {
    pub(crate) field: String,
    pub(crate) expected: String,
}

pub(crate) fn bad(field: impl Into<String>, expected: impl Into<String>) -> Bad {
    Bad { field: field.into(), expected: expected.into() }
}

/// A JSON object, or a refusal naming `field`.
pub(crate) fn object<'a>(value: &'a Value, field: &str, expected: &str) -> Result<&'a Map<String, Value>, Bad> {
    value.as_object().ok_or_else(|| bad(field, expected))
}

/// `@context` must be exactly `["https://www.w3.org/ns/credentials/v2"]`.
pub(crate) fn check_context(document: &Map<String, Value>) -> Result<(), Bad> {
    match document.get("@context") {
        Some(Value::Array(entries))
            if entries.len() == 1 && entries.first().and_then(Value::as_str) == Some(CREDENTIALS_V2) =>
        {
            Ok(())
        }
        _ => Err(bad("@context", format!("[\"{CREDENTIALS_V2}\"] (no other contexts are processed)"))),
    }
}

/// `type`: an array of `base` and one more type, which is returned.
pub(crate) fn specific_type<'a>(document: &'a Map<String, Value>, base: &str) -> Result<&'a str, Bad> {
    let expected = || bad("type", format!("[\"{base}\", <one specific type>]"));
    let Some(Value::Array(types)) = document.get("type") else { return Err(expected()) };
    let names: Option<Vec<&str>> = types.iter().map(Value::as_str).collect();
    match names.as_deref() {
        Some([a, b]) if *a == base && b != a => Ok(b),
        Some([a, b]) if *b == base && b != a => Ok(a),
        _ => Err(expected()),
    }
}

/// A required non-empty string member of `object`; `field` is its full name for errors.
pub(crate) fn required_str<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    field: &str,
    expected: &str,
) -> Result<&'a str, Bad> {
    optional_str(object, key, field, expected)?.ok_or_else(|| bad(field, expected))
}

/// An optional member that, when present, is a non-empty string.
pub(crate) fn optional_str<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    field: &str,
    expected: &str,
) -> Result<Option<&'a str>, Bad> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::String(text)) if !text.is_empty() => Ok(Some(text)),
        Some(_) => Err(bad(field, expected)),
    }
}

/// A DID that names an issuer or holder: `did:key:…` or `did:web:…` (checked further when its
/// key is resolved).
pub(crate) fn required_did<'a>(object: &'a Map<String, Value>, key: &str, field: &str) -> Result<&'a str, Bad> {
    let did = required_str(object, key, field, "a DID string, \"did:key:…\" or \"did:web:…\"")?;
    if did.starts_with("did:key:") || did.starts_with("did:web:") {
        Ok(did)
    } else {
        Err(bad(field, format!("a did:key or did:web DID, not {:?}", short(did))))
    }
}

/// An optional XML Schema `dateTimeStamp`, e.g. `validUntil`.
pub(crate) fn optional_datetime(
    object: &Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<OffsetDateTime>, Bad> {
    const EXPECTED: &str = "a date-time like \"2026-01-31T12:00:00Z\"";
    optional_str(object, key, field, EXPECTED)?
        .map(|text| datetime::parse(text).ok_or_else(|| bad(field, EXPECTED)))
        .transpose()
}

/// The DID part of a DID URL (`did:web:example.com#key-1` → `did:web:example.com`).
pub(crate) fn did_of(did_url: &str) -> &str {
    did_url.split('#').next().unwrap_or(did_url)
}

/// A timestamp for an error message or a document (whole seconds, UTC).
pub(crate) fn stamp(instant: OffsetDateTime) -> String {
    datetime::format(instant).unwrap_or_else(|| instant.to_string())
}

/// Input quoted in an error, cut to a readable length (hostile input can be megabytes), but long
/// enough for any real DID, verification method or URL (a did:key method is 113 characters).
pub(crate) fn short(text: &str) -> String {
    const MAX_CHARS: usize = 300;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}
