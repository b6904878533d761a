//! The official DSP 2025-1 JSON Schemas, loaded once from `../shared/specs/dsp-2025-1` with every
//! `$ref` resolved locally (the kit validates in compacted form, as here), and an assertion that a
//! body the node sent is a schema-valid message of the expected type. Shared by the `tck` and
//! `node` test targets.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jsonschema::{Draft, Retrieve, Uri, Validator};
use serde_json::Value;

/// Message `@type` → schema file (relative to the spec folder).
const BY_TYPE: &[(&str, &str)] = &[
    ("CatalogRequestMessage", "catalog/catalog-request-message-schema.json"),
    ("DatasetRequestMessage", "catalog/dataset-request-message-schema.json"),
    ("Catalog", "catalog/catalog-schema.json"),
    ("Dataset", "catalog/dataset-schema.json"),
    ("CatalogError", "catalog/catalog-error-schema.json"),
    ("ContractRequestMessage", "negotiation/contract-request-message-schema.json"),
    ("ContractOfferMessage", "negotiation/contract-offer-message-schema.json"),
    ("ContractAgreementMessage", "negotiation/contract-agreement-message-schema.json"),
    ("ContractAgreementVerificationMessage", "negotiation/contract-agreement-verification-message-schema.json"),
    ("ContractNegotiationEventMessage", "negotiation/contract-negotiation-event-message-schema.json"),
    ("ContractNegotiationTerminationMessage", "negotiation/contract-negotiation-termination-message-schema.json"),
    ("ContractNegotiation", "negotiation/contract-negotiation-schema.json"),
    ("ContractNegotiationError", "negotiation/contract-negotiation-error-schema.json"),
    ("TransferRequestMessage", "transfer/transfer-request-message-schema.json"),
    ("TransferStartMessage", "transfer/transfer-start-message-schema.json"),
    ("TransferSuspensionMessage", "transfer/transfer-suspension-message-schema.json"),
    ("TransferCompletionMessage", "transfer/transfer-completion-message-schema.json"),
    ("TransferTerminationMessage", "transfer/transfer-termination-message-schema.json"),
    ("TransferProcess", "transfer/transfer-process-schema.json"),
    ("TransferError", "transfer/transfer-error-schema.json"),
];

const VERSION_SCHEMA: &str = "common/protocol-version-schema.json";

pub struct Schemas {
    by_type: HashMap<&'static str, Validator>,
    version: Validator,
}

/// Serves the spec folder's schemas by `$id`; anything else is an error (never fetched).
struct LocalSchemas(HashMap<String, Value>);

impl Retrieve for LocalSchemas {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0.get(uri.as_str()).cloned().ok_or_else(|| format!("not in the spec folder: {}", uri.as_str()).into())
    }
}

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/dsp-2025-1")
}

/// The published `#definitions/X` references lack the slash of a JSON Pointer (SOURCE.md);
/// read them as `#/definitions/X`.
fn fix_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(target) if key == "$ref" && target.contains("#definitions/") => {
                        *target = target.replace("#definitions/", "#/definitions/");
                    }
                    _ => fix_refs(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(fix_refs),
        _ => {}
    }
}

fn load() -> Schemas {
    let mut files = HashMap::new();
    for area in ["catalog", "common", "negotiation", "transfer"] {
        let dir = spec_dir().join(area);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
            if !name.ends_with("-schema.json") {
                continue;
            }
            let path = dir.join(&name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            fix_refs(&mut schema);
            files.insert(format!("{area}/{name}"), schema);
        }
    }
    let local: HashMap<String, Value> = files
        .values()
        .map(|schema| (schema["$id"].as_str().expect("every schema has an $id").to_owned(), schema.clone()))
        .collect();
    let build = |file: &str| -> Validator {
        let schema = files.get(file).unwrap_or_else(|| panic!("no schema {file}"));
        jsonschema::options()
            .with_draft(Draft::Draft201909)
            .with_retriever(LocalSchemas(local.clone()))
            .build(schema)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let by_type = BY_TYPE.iter().map(|(ty, file)| (*ty, build(file))).collect();
    Schemas { by_type, version: build(VERSION_SCHEMA) }
}

pub fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(load)
}

fn errors(validator: &Validator, value: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

impl Schemas {
    /// A DSP message: a top-level string `@type` with a schema, and valid against it.
    pub fn check(&self, value: &Value) -> Result<&'static str, String> {
        let Some(ty) = value.get("@type").and_then(Value::as_str) else {
            return Err(format!("no string `@type`: {value}"));
        };
        let Some((name, validator)) = self.by_type.iter().find(|(name, _)| **name == ty) else {
            return Err(format!("`@type` {ty:?} is not a DSP 2025-1 message: {value}"));
        };
        errors(validator, value).map_err(|e| format!("{ty} is not schema-valid: {e}\n{value:#}"))?;
        Ok(name)
    }

    /// The answer of `/.well-known/dspace-version`.
    pub fn check_version(&self, value: &Value) -> Result<(), String> {
        errors(&self.version, value).map_err(|e| format!("the version metadata is not schema-valid: {e}\n{value:#}"))
    }
}

/// Asserts that `value` is a schema-valid DSP message of type `ty`.
pub fn assert_dsp(value: &Value, ty: &str) {
    assert_eq!(value.get("@type").and_then(Value::as_str), Some(ty), "expected a {ty}: {value:#}");
    if let Err(e) = schemas().check(value) {
        panic!("{e}");
    }
}
