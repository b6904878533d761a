//! The DSP 2025-1 spec folder, read in place (CI puts `shared/` beside the clone).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

pub fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/dsp-2025-1")
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file in `<area>/<sub>` of the spec folder ending in `suffix`, as paths relative to the
/// spec folder, sorted.
pub fn files(sub: &str, suffix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for area in ["catalog", "common", "negotiation", "transfer"] {
        let dir = spec_dir().join(area).join(sub);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let name = entry.expect("a directory entry").file_name().to_string_lossy().into_owned();
            if name.ends_with(suffix) {
                found.push(if sub.is_empty() { format!("{area}/{name}") } else { format!("{area}/{sub}/{name}") });
            }
        }
    }
    found.sort();
    found
}
