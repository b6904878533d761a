//! The trust list: which credential issuers a node believes, and for what.
//!
//! A credential proves only that its issuer said something; whether that is worth anything depends
//! on who the issuer is. The list names each accredited issuer by DID and the kinds of claim it
//! may vouch for (see [`Claim::kind`](crate::credential::Claim::kind)): an APEC accountability
//! agent for `certification:apec-cbpr`, a dataspace authority for `membership:<its id>`, a
//! business registry for `legal-entity`. It lives in a rulebook release as `trust-list.toml`, so
//! whoever endorses a release endorses the list with it:
//!
//! ```toml
//! [[issuer]]
//! did = "did:key:z6Mk..."
//! name = "JIPDEC (APEC CBPR accountability agent)"
//! accredited = ["certification:apec-cbpr", "certification:global-cbpr"]
//! ```
//!
//! A file without issuers (only comments, or empty) is valid: it trusts nobody.

use std::fmt::Write as _;

use serde::Deserialize;
use toml::Spanned;

use crate::did_web;
use crate::keys::PublicKey;
use crate::shape;

/// Known certification schemes (ids as in the rulebook vocabulary).
pub const CERTIFICATION_SCHEMES: [&str; 9] =
    ["apec-cbpr", "global-cbpr", "apec-prp", "global-prp", "dpf", "dpf-uk", "dpf-swiss", "iso-27001", "iso-27701"];

/// The name of the file in a rulebook release.
pub const FILE_NAME: &str = "trust-list.toml";

/// The issuers a node believes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustList {
    /// In file order; DIDs are unique.
    pub issuers: Vec<TrustedIssuer>,
}

/// One accredited issuer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrustedIssuer {
    /// `did:key:…` or `did:web:…`.
    pub did: String,
    /// Who it is, in plain words.
    pub name: String,
    /// The kinds of claim it may vouch for: `certification:<scheme>`, `membership:<dataspace id>`
    /// or `legal-entity`.
    pub accredited: Vec<String>,
}

// The file as written, with positions, so that errors can name the line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    issuer: Vec<Spanned<RawIssuer>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    did: Spanned<String>,
    name: Spanned<String>,
    accredited: Spanned<Vec<Spanned<String>>>,
}

impl TrustList {
    /// Reads `trust-list.toml`. Errors name the line and the field, and say what would be
    /// accepted: a DID of another method, an unknown certification scheme (the known ones are
    /// listed), a malformed kind, an empty name or `accredited`, and a DID listed twice are all
    /// refused.
    pub fn parse(toml_text: &str) -> Result<TrustList, String> {
        let at = |offset: usize, message: String| format!("{FILE_NAME} line {}: {message}", line_of(toml_text, offset));
        let raw: RawFile = toml::from_str(toml_text)
            .map_err(|e| at(e.span().map_or(0, |s| s.start), e.message().trim().to_owned()))?;
        let mut issuers: Vec<TrustedIssuer> = Vec::with_capacity(raw.issuer.len());
        for entry in raw.issuer {
            let entry = entry.into_inner();
            let did = entry.did.get_ref();
            check_did(did).map_err(|e| at(entry.did.span().start, format!("did: {e}")))?;
            if issuers.iter().any(|known| &known.did == did) {
                let message = format!("did: {} is listed twice: expected one [[issuer]] per DID", shape::short(did));
                return Err(at(entry.did.span().start, message));
            }
            if entry.name.get_ref().trim().is_empty() {
                let message = "name: expected who the issuer is, in plain words (a non-empty string)".to_owned();
                return Err(at(entry.name.span().start, message));
            }
            let accredited_at = entry.accredited.span().start;
            let kinds = entry.accredited.into_inner();
            if kinds.is_empty() {
                let message = "accredited: expected at least one kind, e.g. [\"certification:apec-cbpr\"]".to_owned();
                return Err(at(accredited_at, message));
            }
            let mut accredited: Vec<String> = Vec::with_capacity(kinds.len());
            for kind in kinds {
                let span = kind.span().start;
                let kind = kind.into_inner();
                check_kind(&kind).map_err(|e| at(span, format!("accredited: {e}")))?;
                if accredited.contains(&kind) {
                    return Err(at(span, format!("accredited: {kind:?} is listed twice")));
                }
                accredited.push(kind);
            }
            issuers.push(TrustedIssuer { did: did.clone(), name: entry.name.into_inner(), accredited });
        }
        Ok(TrustList { issuers })
    }

    /// The list as `trust-list.toml`; [`parse`](Self::parse) reads it back unchanged (for a list
    /// that `parse` would accept).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for (n, issuer) in self.issuers.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let kinds: Vec<String> = issuer.accredited.iter().map(|k| quoted(k)).collect();
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                "[[issuer]]\ndid = {}\nname = {}\naccredited = [{}]\n",
                quoted(&issuer.did),
                quoted(&issuer.name),
                kinds.join(", ")
            );
        }
        out
    }

    /// Whether `did` is accredited for claims of `kind` (e.g. `certification:apec-cbpr`).
    pub fn accredits(&self, did: &str, kind: &str) -> bool {
        self.issuer(did).is_some_and(|issuer| issuer.accredited.iter().any(|k| k == kind))
    }

    /// The entry for `did`, if listed.
    pub fn issuer(&self, did: &str) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|issuer| issuer.did == did)
    }
}

/// Checks a kind of claim: `certification:<known scheme>`, `membership:<dataspace id>` or
/// `legal-entity`. The error says what would be accepted.
pub fn check_kind(kind: &str) -> Result<(), String> {
    if kind == "legal-entity" {
        return Ok(());
    }
    if let Some(scheme) = kind.strip_prefix("certification:") {
        return check_scheme(scheme);
    }
    if let Some(dataspace) = kind.strip_prefix("membership:") {
        return check_dataspace(dataspace);
    }
    Err(format!(
        "{:?} is not a kind of claim: expected \"certification:<scheme>\", \"membership:<dataspace id>\" or \
         \"legal-entity\"",
        shape::short(kind)
    ))
}

/// Checks a certification scheme id against [`CERTIFICATION_SCHEMES`].
pub fn check_scheme(scheme: &str) -> Result<(), String> {
    if CERTIFICATION_SCHEMES.contains(&scheme) {
        return Ok(());
    }
    Err(format!(
        "unknown certification scheme {:?}: expected one of {}",
        shape::short(scheme),
        CERTIFICATION_SCHEMES.join(", ")
    ))
}

/// A dataspace id: printable ASCII without spaces (an URL or a short name), at most 256 bytes.
pub fn check_dataspace(dataspace: &str) -> Result<(), String> {
    if !dataspace.is_empty() && dataspace.len() <= 256 && dataspace.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    Err(format!(
        "dataspace id {:?}: expected 1 to 256 printable ASCII characters without spaces, e.g. \
         \"https://dataspace.example/apac-health\"",
        shape::short(dataspace)
    ))
}

/// Checks an issuer DID: a valid `did:key` or `did:web`.
pub fn check_did(did: &str) -> Result<(), String> {
    if did.starts_with("did:key:") {
        return PublicKey::from_did_key(did).map(|_| ()).map_err(|e| e.to_string());
    }
    if did.starts_with("did:web:") {
        return did_web::document_url(did, false).map(|_| ());
    }
    Err(format!("{:?}: expected a DID starting with \"did:key:\" or \"did:web:\"", shape::short(did)))
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    1 + before.bytes().filter(|&b| b == b'\n').count()
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
