//! A rulebook release: what was released (every file's SHA-256), under which name and version,
//! and from which day it is meant to apply. Written as `release.json` beside the rulebook; its
//! identity is the digest of its RFC 8785 canonical JSON, which endorsements and comments name.

use std::collections::BTreeMap;

use rules::{Day, Sources};
use serde::{Deserialize, Serialize};

use crate::hex;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    /// First day the release is meant to apply, `YYYY-MM-DD`.
    pub effective: String,
    /// Every rulebook file (including `trust-list.toml`), sorted by path.
    pub files: Vec<FileDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDigest {
    /// Relative to the rulebook root, with `/`.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

impl Manifest {
    /// The release of `sources` under `name` and `version`, applying from `effective`.
    pub fn new(sources: &Sources, name: &str, version: &str, effective: &str) -> Result<Manifest, String> {
        let manifest = Manifest {
            name: name.trim().to_owned(),
            version: version.trim().to_owned(),
            effective: effective.trim().to_owned(),
            files: sources
                .files
                .iter()
                .map(|f| FileDigest { path: f.path.clone(), sha256: hex::sha256(f.text.as_bytes()) })
                .collect(),
        };
        manifest.validate()?;
        Ok(manifest)
    }

    /// Reads `release.json` (duplicate keys refused), naming the bad field.
    pub fn from_json(text: &str) -> Result<Manifest, String> {
        trust::jcs::parse(text).map_err(|e| e.to_string())?;
        let manifest: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Pretty JSON with a final newline: the `release.json` file.
    pub fn to_json_pretty(&self) -> String {
        // Serializing strings cannot fail; the fallback is never taken.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// `sha256:` + hex SHA-256 of the manifest's canonical (RFC 8785) JSON: the release's identity.
    pub fn digest(&self) -> String {
        let value = self.to_value();
        // Only strings and arrays: canonicalization cannot fail; the fallback is never taken.
        let canonical = trust::jcs::canonicalize(&value).unwrap_or_else(|_| value.to_string());
        format!("sha256:{}", hex::sha256(canonical.as_bytes()))
    }

    /// The effective date as a day (checked when the manifest was made or read).
    pub fn effective_day(&self) -> Result<Day, String> {
        Day::parse(&self.effective).map_err(|e| format!("release effective date: {e}"))
    }

    /// Whether `sources` are exactly the released files: every file present with its digest,
    /// no `.toml` file added. Each problem in plain words.
    pub fn check(&self, sources: &Sources) -> Result<(), Vec<String>> {
        let now: BTreeMap<&str, String> =
            sources.files.iter().map(|f| (f.path.as_str(), hex::sha256(f.text.as_bytes()))).collect();
        let mut problems = Vec::new();
        for f in &self.files {
            match now.get(f.path.as_str()) {
                None => problems.push(format!("{} is in the release but missing", f.path)),
                Some(sha) if *sha != f.sha256 => problems.push(format!(
                    "{} changed since the release was made (sha256 {}, release says {})",
                    f.path,
                    hex::short(sha),
                    hex::short(&f.sha256)
                )),
                Some(_) => {}
            }
        }
        for path in now.keys() {
            if !self.files.iter().any(|f| f.path == *path) {
                problems.push(format!("{path} is not part of the release (added since it was made)"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn to_value(&self) -> serde_json::Value {
        let files: Vec<serde_json::Value> =
            self.files.iter().map(|f| serde_json::json!({ "path": f.path, "sha256": f.sha256 })).collect();
        serde_json::json!({ "name": self.name, "version": self.version, "effective": self.effective, "files": files })
    }

    fn validate(&self) -> Result<(), String> {
        for (field, value) in [("name", &self.name), ("version", &self.version)] {
            if value.trim().is_empty() {
                return Err(format!("release {field} is empty"));
            }
        }
        self.effective_day()?;
        if self.files.is_empty() {
            return Err("release files: the list is empty; a release lists every rulebook file".into());
        }
        for (i, f) in self.files.iter().enumerate() {
            if f.path.is_empty() || f.path.starts_with('/') || f.path.split('/').any(|p| p == "..") {
                return Err(format!("release files[{i}].path '{}' is not a path inside the rulebook", f.path));
            }
            if !hex::is_sha256(&f.sha256) {
                return Err(format!("release files[{i}].sha256 for {} is not 64 lower-case hex digits", f.path));
            }
            if self.files[..i].iter().any(|o| o.path == f.path) {
                return Err(format!("release files[{i}]: {} is listed twice", f.path));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::manifest;

    #[test]
    fn lists_every_file_including_the_trust_list_sorted_with_digests() {
        let m = manifest("2026-01-01");
        let sources = Sources::embedded();
        assert_eq!(m.files.len(), sources.files.len());
        assert!(m.files.iter().any(|f| f.path == "trust-list.toml"));
        assert!(m.files.windows(2).all(|w| w[0].path < w[1].path));
        let jp = m.files.iter().find(|f| f.path == "jurisdictions/JP.toml").expect("JP");
        assert!(hex::is_sha256(&jp.sha256));
        assert_eq!(m.check(&sources), Ok(()));
    }

    #[test]
    fn the_digest_is_stable_and_round_trips_through_json() {
        let m = manifest("2026-01-01");
        let back = Manifest::from_json(&m.to_json_pretty()).expect("reads back");
        assert_eq!(back, m);
        assert_eq!(back.digest(), m.digest());
        assert!(m.digest().starts_with("sha256:") && m.digest().len() == 71);
        assert_ne!(manifest("2026-01-02").digest(), m.digest(), "the effective date is part of the release");
    }

    #[test]
    fn check_names_changed_missing_and_added_files() {
        let m = manifest("2026-01-01");
        let mut sources = Sources::embedded();
        let jp = sources.files.iter_mut().find(|f| f.path == "jurisdictions/JP.toml").expect("JP");
        jp.text.push_str("\n# edited\n");
        sources.files.retain(|f| f.path != "jurisdictions/KR.toml");
        sources.files.push(rules::source::SourceFile { path: "jurisdictions/XX.toml".into(), text: String::new() });
        let problems = m.check(&Sources::new(sources.files)).expect_err("changed");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("jurisdictions/JP.toml changed since the release was made (sha256 "));
        assert!(problems[0].contains(", release says "), "{problems:?}");
        assert_eq!(problems[1], "jurisdictions/KR.toml is in the release but missing");
        assert_eq!(problems[2], "jurisdictions/XX.toml is not part of the release (added since it was made)");
    }

    #[test]
    fn malformed_manifests_are_refused_naming_the_field() {
        let m = manifest("2026-01-01");
        let bad_date = m.to_json_pretty().replace("2026-01-01", "2026-13-01");
        assert!(Manifest::from_json(&bad_date).expect_err("date").contains("'2026-13-01' is not a date"));
        let bad_sha = m.to_json_pretty().replacen(&m.files[0].sha256, "abc", 1);
        assert!(Manifest::from_json(&bad_sha).expect_err("sha").contains("files[0].sha256"));
        let extra = m.to_json_pretty().replacen("\"name\"", "\"signers\": [],\n  \"name\"", 1);
        assert!(Manifest::from_json(&extra).expect_err("field").contains("unknown field `signers`"));
        let twice = m.to_json_pretty().replacen("\"name\"", "\"version\": \"x\",\n  \"name\"", 1);
        assert!(Manifest::from_json(&twice).expect_err("duplicate").contains("duplicate key \"version\""));
        assert!(Manifest::from_json("[]").is_err());
    }
}
