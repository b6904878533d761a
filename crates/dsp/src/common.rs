//! Protocol metadata: `/.well-known/dspace-version` and the DID service entries that point to a
//! participant's catalog.

use serde::{Deserialize, Serialize};

use crate::json::{non_empty, Context, ParseError};
use crate::VERSION;

/// The body of `GET /.well-known/dspace-version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionResponse {
    #[serde(rename = "protocolVersions", deserialize_with = "non_empty::protocol_versions")]
    pub protocol_versions: Vec<Version>,
}

impl VersionResponse {
    /// Version 2025-1 over HTTPS at `path` (e.g. `/api/dsp/2025-1`).
    pub fn dsp_2025_1(path: impl Into<String>) -> Self {
        VersionResponse { protocol_versions: vec![Version::new(VERSION, path)] }
    }

    /// Parses a version response (it has no `@type` or `@context`).
    pub fn from_json(text: &str) -> Result<Self, ParseError> {
        serde_json::from_str(text)
            .map_err(|e| ParseError::Invalid { message: "VersionResponse", detail: e.to_string() })
    }
}

/// One protocol version a participant speaks, where, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub version: String,
    pub path: String,
    pub binding: Binding,
    #[serde(rename = "identifierType", default, skip_serializing_if = "Option::is_none")]
    pub identifier_type: Option<String>,
    #[serde(rename = "serviceId", default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
}

impl Version {
    /// `version` over HTTPS at `path`.
    pub fn new(version: impl Into<String>, path: impl Into<String>) -> Self {
        Version {
            version: version.into(),
            path: path.into(),
            binding: Binding::Https,
            identifier_type: None,
            service_id: None,
            auth: None,
        }
    }
}

/// The protocol binding; 2025-1 defines only HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Binding {
    #[serde(rename = "HTTPS")]
    Https,
}

/// How to authenticate to a version's endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auth {
    pub protocol: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Vec<String>>,
}

/// The DID context a DID service entry adds to the DSP context.
pub const DID_CONTEXT: &str = "https://www.w3.org/ns/did/v1";

/// A `service` entry of a DID document that points to a participant's DSP endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DidService {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "type")]
    pub kind: DidServiceKind,
    pub id: String,
    #[serde(rename = "serviceEndpoint")]
    pub service_endpoint: String,
}

impl DidService {
    /// A `CatalogService` entry; the schema wants `service_endpoint` to end in `/catalog`.
    pub fn catalog_service(id: impl Into<String>, service_endpoint: impl Into<String>) -> Self {
        DidService {
            context: Context::dsp_and(DID_CONTEXT),
            kind: DidServiceKind::CatalogService,
            id: id.into(),
            service_endpoint: service_endpoint.into(),
        }
    }

    /// Parses a DID service entry.
    pub fn from_json(text: &str) -> Result<Self, ParseError> {
        serde_json::from_str(text).map_err(|e| ParseError::Invalid { message: "DidService", detail: e.to_string() })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DidServiceKind {
    DataService,
    CatalogService,
}
