//! `did:web`: DIDs whose document is served over HTTPS by the domain they name, so an
//! organisation's identity is its web address and its keys can change without a new DID.
//!
//! `did:web:example.com` → `https://example.com/.well-known/did.json`;
//! `did:web:example.com%3A8443:nodes:a` → `https://example.com:8443/nodes/a/did.json`.
//!
//! This module does no IO: [`document_url`] says where to fetch, the caller fetches, and
//! [`DocumentResolver`] verifies proofs against the documents it was given. [`dids_to_fetch`]
//! lists what a presentation or credential needs fetched first.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::di::{DidKeyResolver, KeyResolver, VerifyError, DID_KEY_PURPOSES};
use crate::keys::PublicKey;
use crate::presentation::MAX_CREDENTIALS;
use crate::shape;

const PREFIX: &str = "did:web:";

/// The fragment of the one verification method of a document made by [`document`].
pub const KEY_FRAGMENT: &str = "key-1";

/// `did:web:<host>[%3A<port>][:path...]` → the URL of its DID document:
/// `https://host[:port]/.well-known/did.json`, or `https://host[:port]/path/.../did.json`.
///
/// When `allow_http_loopback` and the host is `127.0.0.1`, `[::1]` or `localhost`, the scheme is
/// `http`: a documented deviation for nodes on loopback (tests, demos), where no certificate can
/// be had; `did:web` itself requires HTTPS.
pub fn document_url(did: &str, allow_http_loopback: bool) -> Result<String, String> {
    let id = did.strip_prefix(PREFIX).ok_or_else(|| {
        format!("{:?} is not a did:web (expected \"did:web:<host>[%3A<port>][:<path>...]\")", shape::short(did))
    })?;
    let mut parts = id.split(':');
    let authority = parts.next().unwrap_or_default();
    let (host, port) = authority_of(&percent_decode(authority, did)?, did)?;
    let mut path = String::new();
    let mut segments = 0;
    for segment in parts {
        check_segment(segment, did)?;
        path.push('/');
        path.push_str(segment);
        segments += 1;
    }
    if segments == 0 {
        path.push_str("/.well-known");
    }
    let scheme = if allow_http_loopback && is_loopback(&host) { "http" } else { "https" };
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{scheme}://{host}{port}{path}/did.json"))
}

/// The DID of a node at base URL `http(s)://host[:port][/path]`: the inverse of
/// [`document_url`] (`https://example.com:8443/nodes/a` → `did:web:example.com%3A8443:nodes:a`).
/// The host is lowercased; `http` is accepted for loopback hosts only.
pub fn did_for_url(base_url: &str) -> Result<String, String> {
    let shown = shape::short(base_url);
    let (scheme, rest) = base_url
        .split_once("://")
        .ok_or_else(|| format!("{shown:?} is not a URL: expected \"https://host[:port][/path]\""))?;
    if rest.contains(['?', '#', '@']) {
        return Err(format!(
            "{shown:?}: a node's base URL has no query, fragment or user name: expected \"https://host[:port][/path]\""
        ));
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = authority_of(authority, base_url)?;
    let host = host.to_ascii_lowercase();
    match scheme {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(format!(
                "{shown:?}: did:web requires https; http is accepted only for 127.0.0.1, [::1] and localhost"
            ))
        }
        other => return Err(format!("{shown:?}: scheme {:?}: expected https", shape::short(other))),
    }
    let mut did = format!("{PREFIX}{}", host.replace('[', "%5B").replace(']', "%5D").replace(':', "%3A"));
    if let Some(port) = port {
        did.push_str("%3A");
        did.push_str(&port.to_string());
    }
    for segment in path.trim_end_matches('/').split('/').filter(|s| !s.is_empty()) {
        check_segment(segment, base_url)?;
        did.push(':');
        did.push_str(segment);
    }
    Ok(did)
}

/// A DID document for `did` with one Ed25519 Multikey verification method `<did>#key-1`, listed
/// under `assertionMethod` and `authentication`, and `alsoKnownAs` the key's `did:key`.
pub fn document(did: &str, key: &PublicKey) -> Value {
    let method = format!("{did}#{KEY_FRAGMENT}");
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "alsoKnownAs": [key.to_did_key()],
        "verificationMethod": [{
            "id": method,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.to_multibase(),
        }],
        "assertionMethod": [method],
        "authentication": [method],
    })
}

/// A [`KeyResolver`] over DID documents fetched beforehand. `did:key` methods resolve as
/// [`DidKeyResolver`] does; `did:web` ones are looked up in the document of their DID, which must
/// name itself by that DID and list the method (by id or embedded) under the verification
/// relationship of the proof's purpose.
#[derive(Debug, Clone, Default)]
pub struct DocumentResolver {
    documents: HashMap<String, Value>,
}

impl DocumentResolver {
    /// A resolver with no documents (it still resolves `did:key`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the fetched document of `did`. It is checked when used, not here.
    pub fn add(&mut self, did: &str, document: Value) {
        self.documents.insert(did.to_owned(), document);
    }

    /// Whether a document for `did` was added.
    pub fn has(&self, did: &str) -> bool {
        self.documents.contains_key(did)
    }
}

impl KeyResolver for DocumentResolver {
    fn resolve(&self, verification_method: &str, proof_purpose: &str) -> Result<PublicKey, VerifyError> {
        if verification_method.starts_with("did:key:") {
            return DidKeyResolver.resolve(verification_method, proof_purpose);
        }
        let unresolvable = |reason: String| VerifyError::UnresolvableKey {
            verification_method: shape::short(verification_method),
            reason,
        };
        if !verification_method.starts_with(PREFIX) {
            return Err(unresolvable("only did:key and did:web verification methods are supported".into()));
        }
        let (did, fragment) =
            verification_method.split_once('#').filter(|(_, fragment)| !fragment.is_empty()).ok_or_else(|| {
                unresolvable("expected a DID URL with a fragment, e.g. \"did:web:example.com#key-1\"".into())
            })?;
        let document = self
            .documents
            .get(did)
            .ok_or_else(|| unresolvable(format!("the DID document of {} was not fetched", shape::short(did))))?;
        let id = document.get("id").and_then(Value::as_str).unwrap_or_default();
        if id != did {
            return Err(unresolvable(format!("the DID document's id is {:?}, not the DID", shape::short(id))));
        }
        // Only the four relationships a signing key can be listed under; any other member (say
        // `verificationMethod` itself) is not an authorization.
        let not_authorized = || VerifyError::PurposeNotAuthorized {
            verification_method: shape::short(verification_method),
            purpose: shape::short(proof_purpose),
        };
        if !DID_KEY_PURPOSES.contains(&proof_purpose) {
            return Err(not_authorized());
        }
        let is_this =
            |candidate: &str| candidate == verification_method || candidate.strip_prefix('#') == Some(fragment);
        let listed = document.get(proof_purpose).and_then(Value::as_array).ok_or_else(not_authorized)?;
        let method = listed
            .iter()
            .find_map(|entry| match entry {
                Value::String(reference) if is_this(reference) => method_by_id(document, &is_this),
                Value::Object(embedded) if embedded.get("id").and_then(Value::as_str).is_some_and(is_this) => {
                    Some(embedded)
                }
                _ => None,
            })
            .ok_or_else(not_authorized)?;
        let controller = method.get("controller").and_then(Value::as_str).unwrap_or_default();
        if controller != did {
            return Err(unresolvable(format!("its controller is {:?}, not {}", shape::short(controller), did)));
        }
        match method.get("type").and_then(Value::as_str) {
            Some("Multikey" | "Ed25519VerificationKey2020") => {}
            other => {
                let found = shape::short(other.unwrap_or_default());
                return Err(unresolvable(format!("type {found:?}: expected \"Multikey\" with publicKeyMultibase")));
            }
        }
        let multibase = method
            .get("publicKeyMultibase")
            .and_then(Value::as_str)
            .ok_or_else(|| unresolvable("no publicKeyMultibase: expected an Ed25519 key \"z6Mk…\"".into()))?;
        PublicKey::from_multibase(multibase).map_err(|e| unresolvable(e.to_string()))
    }
}

/// Every `did:web` DID a presentation or credential mentions — holder, issuers, and the DIDs of
/// proof keys — so the verifier can fetch their documents before verifying. Never fails: junk is
/// skipped, as are more than [`MAX_CREDENTIALS`] embedded credentials.
pub fn dids_to_fetch(presentation_or_credential: &Value) -> Vec<String> {
    let mut found = Vec::new();
    mentioned(presentation_or_credential, &mut found);
    let credentials = match presentation_or_credential.get("verifiableCredential") {
        Some(Value::Array(items)) => items.iter().take(MAX_CREDENTIALS).collect(),
        Some(item) => vec![item],
        None => Vec::new(),
    };
    for credential in credentials {
        mentioned(credential, &mut found);
    }
    let mut out: Vec<String> = Vec::new();
    for did in found {
        if did.starts_with(PREFIX) && document_url(did, false).is_ok() && !out.iter().any(|d| d == did) {
            out.push(did.to_owned());
        }
    }
    out
}

/// The holder, the issuer (a string or an object's `id`) and the proof key's DID of one document.
fn mentioned<'a>(document: &'a Value, out: &mut Vec<&'a str>) {
    out.extend(document.get("holder").and_then(Value::as_str));
    match document.get("issuer") {
        Some(Value::String(issuer)) => out.push(issuer),
        Some(Value::Object(issuer)) => out.extend(issuer.get("id").and_then(Value::as_str)),
        _ => {}
    }
    let method = document.get("proof").and_then(|p| p.get("verificationMethod")).and_then(Value::as_str);
    out.extend(method.map(|m| m.split('#').next().unwrap_or(m)));
}

/// The verification method object whose `id` matches, from the document's `verificationMethod`.
fn method_by_id<'a>(document: &'a Value, is_this: &dyn Fn(&str) -> bool) -> Option<&'a Map<String, Value>> {
    document
        .get("verificationMethod")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|method| method.get("id").and_then(Value::as_str).is_some_and(is_this))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]"
}

/// `host[:port]` → the host (bracketed for IPv6) and the port, checked.
fn authority_of(authority: &str, input: &str) -> Result<(String, Option<u16>), String> {
    let bad = |what: String| format!("{:?}: {what}", shape::short(input));
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']').ok_or_else(|| bad("an IPv6 host needs its closing ']'".into()))?;
        let (host, rest) = authority.split_at_checked(end + 1).unwrap_or((authority, ""));
        let inner = host.trim_start_matches('[').trim_end_matches(']');
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
            return Err(bad(format!("{host:?} is not an IPv6 address in brackets")));
        }
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':').ok_or_else(|| bad("expected ':' and a port after ']'".into()))?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if !host.starts_with('[') {
        let valid = !host.is_empty()
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-'])
            && !host.contains("..");
        if !valid {
            return Err(bad(format!(
                "host {:?}: expected a domain name or IP address, e.g. \"example.com\"",
                shape::short(host)
            )));
        }
    }
    let port = match port {
        None => None,
        Some(text) => {
            let number = (!text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u16>().ok())
                .flatten()
                .filter(|&p| p > 0)
                .ok_or_else(|| bad(format!("port {:?}: expected a number from 1 to 65535", shape::short(text))))?;
            Some(number)
        }
    };
    Ok((host.to_owned(), port))
}

/// A path segment of a `did:web` (or of a node's URL): DID id characters (letters, digits, `.`,
/// `-`, `_`, `%XX`), not `.` or `..`.
fn check_segment(segment: &str, input: &str) -> Result<(), String> {
    let decoded = percent_decode(segment, input)?;
    if decoded.is_empty() || decoded == "." || decoded == ".." || decoded.contains('/') {
        return Err(format!(
            "{:?}: path segment {:?}: expected letters, digits, '.', '-', '_' or %XX, not empty, \".\" or \"..\"",
            shape::short(input),
            shape::short(segment)
        ));
    }
    Ok(())
}

/// Decodes `%XX` escapes, refusing characters outside DID id characters and escapes that do not
/// decode to ASCII.
fn percent_decode(text: &str, input: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "{:?}: {:?} holds characters a did:web cannot: expected letters, digits, '.', '-', '_' and %XX escapes",
            shape::short(input),
            shape::short(text)
        )
    };
    let mut out = String::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'%' => {
                let high = bytes.next().and_then(|b| char::from(b).to_digit(16));
                let low = bytes.next().and_then(|b| char::from(b).to_digit(16));
                let value = high.zip(low).map(|(h, l)| h * 16 + l).filter(|v| *v < 0x80).ok_or_else(bad)?;
                let decoded = char::from_u32(value).filter(|c| *c == ' ' || c.is_ascii_graphic()).ok_or_else(bad)?;
                out.push(decoded);
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') => out.push(char::from(b)),
            _ => return Err(bad()),
        }
    }
    Ok(out)
}
