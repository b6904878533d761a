//! The credentials a node holds about itself (its wallet): secured Verifiable Credentials in
//! `DIR/credentials/*.json`, presented to providers in every request token.
//!
//! The directory is the source of truth so that `dfft vc add` works whether or not the node is
//! running; a running node re-reads it when the directory changes (one `stat` per token).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use anyhow::{bail, Context};
use serde_json::Value;

pub const WALLET_DIR: &str = "credentials";

/// The held credentials, re-read when the directory changes.
#[derive(Debug)]
pub struct Wallet {
    dir: PathBuf,
    cached: Mutex<(Option<SystemTime>, Arc<Vec<Value>>)>,
}

impl Wallet {
    pub fn open(node_dir: &Path) -> Wallet {
        Wallet { dir: node_dir.join(WALLET_DIR), cached: Mutex::new((None, Arc::new(Vec::new()))) }
    }

    /// The credentials to present. Files that are not JSON are skipped with a warning.
    pub fn credentials(&self) -> Arc<Vec<Value>> {
        let modified = fs::metadata(&self.dir).and_then(|m| m.modified()).ok();
        let mut cached = self.cached.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if modified.is_some() && cached.0 != modified {
            *cached = (modified, Arc::new(read_all(&self.dir)));
        }
        Arc::clone(&cached.1)
    }
}

/// The credentials held by the node in `node_dir` (for commands that run beside the node).
pub fn held(node_dir: &Path) -> Vec<Value> {
    read_all(&node_dir.join(WALLET_DIR))
}

/// Every credential in `dir`, in file-name order.
pub fn read_all(dir: &Path) -> Vec<Value> {
    let mut paths: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(_) => return Vec::new(),
    };
    paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        match fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| trust::jcs::parse_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(value) => out.push(value),
            Err(e) => tracing::warn!(file = %path.display(), error = %e, "skipping a credential that cannot be read"),
        }
    }
    out
}

/// Stores a credential in the wallet of the node in `node_dir` (atomically), after checking it
/// is about this node. Returns the file written.
pub fn add(node_dir: &Path, node_did: &str, credential: &Value) -> anyhow::Result<PathBuf> {
    let subject = credential.pointer("/credentialSubject/id").and_then(Value::as_str).unwrap_or_default();
    if subject != node_did {
        bail!("the credential is about '{subject}', not this node ({node_did}); only a node's own credentials can be presented");
    }
    let id = credential.get("id").and_then(Value::as_str).unwrap_or_default();
    if id.is_empty() {
        bail!("the credential has no 'id'");
    }
    let dir = node_dir.join(WALLET_DIR);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let path = dir.join(format!("{name}.json"));
    crate::files::write_atomic(&path, serde_json::to_string_pretty(credential)?.as_bytes())?;
    Ok(path)
}
