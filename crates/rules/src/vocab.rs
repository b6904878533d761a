//! Resolved vocabularies: each term list maps ids to bit positions, and unknown names get a
//! message that suggests the closest valid ones.

use std::collections::HashMap;

/// An ordered list of terms; a term's index is its bit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    /// What these terms are, for messages ("data category").
    pub what: &'static str,
    pub ids: Vec<String>,
    pub names: Vec<String>,
    index: HashMap<String, u8>,
}

impl Terms {
    pub fn new(what: &'static str) -> Terms {
        Terms { what, ..Terms::default() }
    }

    /// Adds a term; false if the id was already there.
    pub fn push(&mut self, id: &str, name: &str) -> bool {
        if self.index.contains_key(id) {
            return false;
        }
        let bit = u8::try_from(self.ids.len()).unwrap_or(u8::MAX);
        self.index.insert(id.to_owned(), bit);
        self.ids.push(id.to_owned());
        self.names.push(name.to_owned());
        true
    }

    pub fn get(&self, id: &str) -> Option<u8> {
        self.index.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Resolves a name or explains what would have been accepted.
    pub fn resolve(&self, id: &str) -> Result<u8, String> {
        self.get(id).ok_or_else(|| unknown(self.what, id, &self.ids))
    }

    /// The ids whose bits are set in `mask`, in bit order.
    pub fn names_of(&self, mask: u64) -> Vec<&str> {
        self.ids
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && mask & (1u64 << i) != 0)
            .map(|(_, s)| s.as_str())
            .collect()
    }
}

/// "unknown data category 'helth'; did you mean 'health'?" (or the list of valid names).
pub fn unknown(what: &str, given: &str, valid: &[String]) -> String {
    let close = closest(given, valid);
    if close.is_empty() {
        let shown: Vec<&str> = valid.iter().take(40).map(String::as_str).collect();
        let more = if valid.len() > 40 { ", ..." } else { "" };
        format!("unknown {what} '{given}'; valid: {}{more}", shown.join(", "))
    } else {
        format!(
            "unknown {what} '{given}'; did you mean {}?",
            close.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(" or ")
        )
    }
}

/// Up to three valid names close to `given`, best first.
pub fn closest<'a>(given: &str, valid: &'a [String]) -> Vec<&'a str> {
    let lower = given.to_lowercase();
    let mut scored: Vec<(f64, &str)> = valid
        .iter()
        .map(|v| {
            let score = strsim::normalized_damerau_levenshtein(&lower, &v.to_lowercase())
                .max(if v.to_lowercase().starts_with(&lower) && !lower.is_empty() { 0.8 } else { 0.0 });
            (score, v.as_str())
        })
        .filter(|(score, _)| *score >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, v)| v).collect()
}

/// The shared vocabulary of a rulebook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocab {
    pub categories: Terms,
    pub purposes: Terms,
    pub roles: Terms,
    pub certifications: Terms,
    pub mechanisms: Terms,
    pub obligations: Terms,
    /// Default lattice: category bit → categories it is directly within.
    pub within: Vec<u32>,
    /// Mechanisms whose vocabulary entry says they always need an authority.
    pub authority_mechanisms: u64,
    /// DPV class per purpose, where one is given.
    pub purpose_dpv: Vec<Option<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        let valid: Vec<String> = ["health", "genetic", "personal"].iter().map(|s| s.to_string()).collect();
        assert_eq!(closest("helth", &valid), vec!["health"]);
        assert!(unknown("data category", "helth", &valid).contains("did you mean 'health'"));
        assert!(unknown("data category", "zzzzzz", &valid).contains("valid: health, genetic, personal"));
    }
}
