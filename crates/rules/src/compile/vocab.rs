//! Building the vocabulary and the country list.

use std::collections::HashMap;

use crate::engine::CountryId;
use crate::model::*;
use crate::rulebook::Country;
use crate::source::{Diagnostic, SourceFile};
use crate::vocab::{Terms, Vocab};

use super::parse::Reporter;
use super::resolve::is_lower_id;

pub(super) fn build_vocab(f: &SourceFile, file: &VocabularyFile, out: &mut Vec<Diagnostic>) -> Vocab {
    let mut r = Reporter { file: f, out };
    let mut v = Vocab {
        categories: Terms::new("data category"),
        purposes: Terms::new("purpose"),
        roles: Terms::new("role"),
        certifications: Terms::new("certification"),
        mechanisms: Terms::new("mechanism (safeguard)"),
        obligations: Terms::new("obligation"),
        ..Vocab::default()
    };
    let add = |r: &mut Reporter, terms: &mut Terms, id: &Name, name: &str, limit: usize| {
        if !is_lower_id(id.get_ref()) {
            r.name(id, format!("{} id '{}' must be lower case letters, digits and '-'", terms.what, id.get_ref()));
        }
        if !terms.push(id.get_ref(), name) {
            r.name(id, format!("{} '{}' is defined twice", terms.what, id.get_ref()));
        }
        if terms.len() > limit {
            r.name(id, format!("too many {} terms: at most {limit}", terms.what));
        }
    };
    for c in &file.categories {
        add(&mut r, &mut v.categories, &c.id, &c.name, 31);
    }
    for p in &file.purposes {
        add(&mut r, &mut v.purposes, &p.id, &p.name, 31);
        v.purpose_dpv.push(p.dpv.clone());
    }
    for t in &file.roles {
        add(&mut r, &mut v.roles, &t.id, &t.name, 31);
    }
    for t in &file.certifications {
        add(&mut r, &mut v.certifications, &t.id, &t.name, 32);
    }
    for (i, m) in file.mechanisms.iter().enumerate() {
        add(&mut r, &mut v.mechanisms, &m.id, &m.name, 64);
        if m.authority && i < 64 {
            v.authority_mechanisms |= 1u64 << i;
        }
    }
    for t in &file.obligations {
        add(&mut r, &mut v.obligations, &t.id, &t.name, 256);
    }
    v.within = vec![0; v.categories.len()];
    for (i, c) in file.categories.iter().enumerate() {
        for parent in &c.within {
            match v.categories.resolve(parent.get_ref()) {
                Ok(p) if usize::from(p) == i => r.name(parent, "a category cannot be within itself"),
                Ok(p) if i < 32 => v.within[i] |= 1u32 << p,
                Ok(_) => {}
                Err(e) => r.name(parent, e),
            }
        }
    }
    v
}

pub(super) fn build_countries(
    f: &SourceFile,
    file: &CountriesFile,
    out: &mut Vec<Diagnostic>,
) -> (Vec<Country>, HashMap<String, CountryId>) {
    let mut countries = Vec::new();
    let mut index = HashMap::new();
    for (code, name) in &file.countries {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            let offset = f.text.find(&format!("{code} =")).unwrap_or(0);
            Reporter { file: f, out }
                .at(offset, format!("'{code}' is not an ISO 3166-1 alpha-2 code (two upper-case letters)"));
            continue;
        }
        index.insert(code.clone(), CountryId::try_from(countries.len()).unwrap_or(CountryId::MAX));
        countries.push(Country { code: code.clone(), name: name.clone() });
    }
    (countries, index)
}
