//! Fixtures for the unit tests: keys from fixed seeds, a governance file, releases of the
//! embedded rulebook.

use rules::{Day, Rulebook, Sources};
use time::OffsetDateTime;
use trust::KeyPair;

use crate::config::GovernanceConfig;
use crate::manifest::Manifest;

/// Key `n`: 1 Secretariat, 2 Japan PPC, 3 Rwanda NCSA (government), 4 Civil society forum,
/// 5 Industry council (advisory); 6 and up are not members.
pub fn key(n: u8) -> KeyPair {
    KeyPair::from_seed(&[n; 32])
}

pub fn config_text(secretariat: u32, government: u32, advisory: u32) -> String {
    let did = |n: u8| key(n).public_key().to_did_key();
    format!(
        r#"name = "DFFT rulebook governance (test)"
[[member]]
did = "{}"
name = "Secretariat"
role = "secretariat"

[[member]]
did = "{}"
name = "Japan PPC"
role = "government"
jurisdiction = "JP"

[[member]]
did = "{}"
name = "Rwanda NCSA"
role = "government"
jurisdiction = "RW"

[[member]]
did = "{}"
name = "Civil society forum"
role = "advisory"

[[member]]
did = "{}"
name = "Industry council"
role = "advisory"

[threshold]
secretariat = {secretariat}
government = {government}
advisory = {advisory}
"#,
        did(1),
        did(2),
        did(3),
        did(4),
        did(5)
    )
}

pub fn config(secretariat: u32, government: u32, advisory: u32) -> GovernanceConfig {
    GovernanceConfig::parse(&config_text(secretariat, government, advisory)).expect("the test config is valid")
}

/// A release of the embedded rulebook.
pub fn manifest(effective: &str) -> Manifest {
    Manifest::new(&Sources::embedded(), "dfft rulebook", "2026.11.25", effective).expect("a valid release")
}

pub fn now() -> OffsetDateTime {
    trust::datetime::parse("2026-01-01T09:00:00Z").expect("a timestamp")
}

pub fn day(text: &str) -> Day {
    Day::parse(text).expect("a date")
}

/// The embedded rulebook's files with each `(path, find, replace)` applied once (`find` must occur).
pub fn edited_sources(edits: &[(&str, &str, &str)]) -> Sources {
    let mut sources = Sources::embedded();
    for (path, find, replace) in edits {
        let file = sources.files.iter_mut().find(|f| f.path == *path).expect("the file exists");
        assert!(file.text.contains(find), "{path} contains {find:?}");
        file.text = file.text.replacen(find, replace, 1);
    }
    sources
}

/// The embedded rulebook with edits, compiled.
pub fn edited(edits: &[(&str, &str, &str)]) -> Rulebook {
    Rulebook::from_sources(&edited_sources(edits)).unwrap_or_else(|d| panic!("the edited rulebook is valid: {d}"))
}

/// The embedded rulebook without the `[[route]]` whose id is `id` in `path`.
pub fn without_route(path: &str, id: &str) -> Rulebook {
    let mut sources = Sources::embedded();
    let file = sources.files.iter_mut().find(|f| f.path == path).expect("the file exists");
    let at = file.text.find(&format!("\nid = \"{id}\"\n")).expect("the route exists");
    let start = file.text[..at].rfind("[[route]]").expect("a [[route]] block");
    let end = file.text[at + 1..].find("\n[[").map_or(file.text.len(), |e| at + 1 + e + 1);
    file.text.replace_range(start..end, "");
    Rulebook::from_sources(&sources).unwrap_or_else(|d| panic!("the edited rulebook is valid: {d}"))
}
