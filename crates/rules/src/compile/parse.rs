//! Reading the files: TOML parsing with located errors, the release digest.

use sha2::{Digest, Sha256};

use crate::day::Day;
use crate::model::*;
use crate::rulebook::Written;
use crate::source::{Diagnostic, SourceFile, Sources};

/// Reports problems at positions in one file.
pub(super) struct Reporter<'a> {
    pub(super) file: &'a SourceFile,
    pub(super) out: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    pub(super) fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = self.file.position(offset);
        self.out.push(Diagnostic { file: self.file.path.clone(), line, column, message: message.into() });
    }
    pub(super) fn name(&mut self, name: &Name, message: impl Into<String>) {
        self.at(name.span().start, message);
    }
}

pub(super) fn parse_file<T: serde::de::DeserializeOwned>(file: &SourceFile, out: &mut Vec<Diagnostic>) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let message = e.message().trim().to_owned();
            Reporter { file, out }.at(offset, message);
            None
        }
    }
}

pub(super) fn parse(sources: &Sources, out: &mut Vec<Diagnostic>) -> Option<Written> {
    let mut release = None;
    let mut vocabulary = None;
    let mut countries = None;
    let mut sets = Vec::new();
    let mut jurisdictions = Vec::new();
    let mut ok = true;
    for file in &sources.files {
        let path = file.path.as_str();
        match path {
            "rulebook.toml" => release = parse_file::<ReleaseFile>(file, out),
            "vocabulary.toml" => vocabulary = parse_file::<VocabularyFile>(file, out),
            "countries.toml" => countries = parse_file::<CountriesFile>(file, out),
            "sets.toml" => match parse_file::<SetsFile>(file, out) {
                Some(s) => sets.push((path.to_owned(), s)),
                None => ok = false,
            },
            // Read by the trust layer (accredited credential issuers), not by the law's compiler;
            // it is still part of the release digest, so endorsing a release endorses the list.
            "trust-list.toml" => {}
            _ if path.starts_with("jurisdictions/") => match parse_file::<JurisdictionFile>(file, out) {
                Some(j) => jurisdictions.push((path.to_owned(), j)),
                None => ok = false,
            },
            _ => out.push(Diagnostic {
                file: path.to_owned(),
                line: 1,
                column: 1,
                message: "unexpected file; a rulebook holds rulebook.toml, vocabulary.toml, countries.toml, sets.toml, jurisdictions/*.toml and optionally trust-list.toml".into(),
            }),
        }
    }
    for (name, present) in [
        ("rulebook.toml", release.is_some()),
        ("vocabulary.toml", vocabulary.is_some()),
        ("countries.toml", countries.is_some()),
    ] {
        if !present && !sources.files.iter().any(|f| f.path == name) {
            out.push(Diagnostic { file: name.into(), line: 1, column: 1, message: "required file is missing".into() });
        }
    }
    if jurisdictions.is_empty() && ok {
        out.push(Diagnostic {
            file: "jurisdictions/".into(),
            line: 1,
            column: 1,
            message: "the rulebook has no jurisdiction files".into(),
        });
    }
    // Files that failed to parse are left out, so the others are still checked and every problem
    // is reported in one run (compiling fails anyway: their parse errors are already in `out`).
    Some(Written { release: release?, vocabulary: vocabulary?, countries: countries?, sets, jurisdictions })
}

pub(super) fn file<'a>(sources: &'a Sources, path: &str) -> &'a SourceFile {
    static EMPTY: SourceFile = SourceFile { path: String::new(), text: String::new() };
    sources.files.iter().find(|f| f.path == path).unwrap_or(&EMPTY)
}

pub(super) fn digest(sources: &Sources) -> String {
    let mut h = Sha256::new();
    for f in &sources.files {
        h.update(f.path.as_bytes());
        h.update([0]);
        h.update((f.text.len() as u64).to_be_bytes());
        h.update(f.text.as_bytes());
    }
    let bytes = h.finalize();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

pub(super) fn day(r: &mut Reporter, name: &Name) -> Option<Day> {
    match Day::parse(name.get_ref()) {
        Ok(d) => Some(d),
        Err(e) => {
            r.name(name, e);
            None
        }
    }
}
