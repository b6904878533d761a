//! The compiled rulebook: the decision tables plus everything needed to explain a decision
//! (names, citations, summaries) and to show the rulebook.

use std::collections::HashMap;

use crate::day::Day;
use crate::engine::{CountryId, DecideError, Decision, Effect, Flow, JurId, Tables};
use crate::model::{Citation, CountriesFile, JurisdictionFile, ReleaseFile, SetsFile, VocabularyFile};
use crate::source::{Diagnostics, Sources};
use crate::vocab::{unknown, Vocab};

/// The files as written, kept for `rulebook show` and the round-trip test.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub release: ReleaseFile,
    pub vocabulary: VocabularyFile,
    pub countries: CountriesFile,
    pub sets: Vec<(String, SetsFile)>,
    pub jurisdictions: Vec<(String, JurisdictionFile)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub name: String,
    pub version: String,
    pub reviewed: Day,
    /// `sha256:` over every file's path and bytes, in path order.
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JurisdictionInfo {
    pub id: String,
    pub name: String,
    pub law: String,
    pub authority: Option<String>,
    /// Countries whose exports this law governs, with the period (until exclusive).
    pub members: Vec<(CountryId, Day, Day)>,
    pub representative: CountryId,
    pub reviewed: Day,
    /// First day the rulebook models this law (`Day::MIN`: always).
    pub covers_from: Day,
    pub file: String,
    pub closure: [u32; 32],
}

#[derive(Debug, Clone, PartialEq)]
pub struct SetInfo {
    pub id: String,
    pub name: String,
    /// (country, from, until exclusive).
    pub members: Vec<(CountryId, Day, Day)>,
    pub citation: Citation,
    pub file: String,
    pub line: usize,
}

/// What the engine needs to explain a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    /// `JURISDICTION.rule-id`.
    pub id: String,
    pub jurisdiction: JurId,
    pub restriction: bool,
    pub import: bool,
    pub kind: String,
    pub effect: Option<Effect>,
    pub summary: String,
    pub note: Option<String>,
    pub citation: Citation,
    pub also: Vec<Citation>,
    pub valid_from: Option<Day>,
    /// Inclusive.
    pub valid_until: Option<Day>,
    pub reviewed: Day,
    pub uncertain: bool,
    /// (obligation term index, what to do).
    pub obligations: Vec<(usize, String)>,
    pub requires: u64,
    pub certs_any: u32,
    pub file: String,
    pub line: usize,
}

/// A compiled, validated rulebook.
#[derive(Debug, Clone)]
pub struct Rulebook {
    pub release: Release,
    pub vocab: Vocab,
    pub countries: Vec<Country>,
    country_index: HashMap<String, CountryId>,
    pub jurisdictions: Vec<JurisdictionInfo>,
    /// Sorted by id; a `RuleId` indexes this.
    pub rules: Vec<RuleInfo>,
    pub sets: Vec<SetInfo>,
    pub tables: Tables,
    pub written: Written,
}

impl Rulebook {
    /// The rulebook embedded in this build.
    pub fn embedded() -> Result<Rulebook, Diagnostics> {
        crate::compile::compile(&Sources::embedded())
    }

    pub fn from_sources(sources: &Sources) -> Result<Rulebook, Diagnostics> {
        crate::compile::compile(sources)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        release: Release,
        vocab: Vocab,
        countries: Vec<Country>,
        country_index: HashMap<String, CountryId>,
        jurisdictions: Vec<JurisdictionInfo>,
        rules: Vec<RuleInfo>,
        sets: Vec<SetInfo>,
        tables: Tables,
        written: Written,
    ) -> Rulebook {
        Rulebook { release, vocab, countries, country_index, jurisdictions, rules, sets, tables, written }
    }

    /// Decides a resolved flow (allocation-free).
    #[inline]
    pub fn decide(&self, flow: &Flow) -> Result<Decision, DecideError> {
        self.tables.decide(flow)
    }

    pub fn country(&self, code: &str) -> Option<CountryId> {
        self.country_index.get(code).copied()
    }

    pub fn country_code(&self, id: CountryId) -> &str {
        self.countries.get(usize::from(id)).map_or("??", |c| c.code.as_str())
    }

    pub fn country_name(&self, id: CountryId) -> &str {
        self.countries.get(usize::from(id)).map_or("?", |c| c.name.as_str())
    }

    pub fn jurisdiction(&self, id: &str) -> Option<&JurisdictionInfo> {
        self.jurisdictions.iter().find(|j| j.id.eq_ignore_ascii_case(id))
    }

    pub fn jurisdiction_index(&self, id: &str) -> Option<JurId> {
        self.jurisdictions.iter().position(|j| j.id.eq_ignore_ascii_case(id)).and_then(|i| JurId::try_from(i).ok())
    }

    /// "unknown jurisdiction 'XX'; did you mean ...".
    pub fn unknown_jurisdiction(&self, id: &str) -> String {
        let ids: Vec<String> = self.jurisdictions.iter().map(|j| j.id.clone()).collect();
        unknown("jurisdiction", id, &ids)
    }

    /// Resolves a country code, or an ISO 3166-2 subdivision code (`US-CA`) to its country.
    pub fn resolve_country(&self, code: &str) -> Result<CountryId, String> {
        let upper = code.trim().to_ascii_uppercase();
        let country = match upper.split_once('-') {
            Some((c, sub)) if !sub.is_empty() && sub.len() <= 3 && sub.bytes().all(|b| b.is_ascii_alphanumeric()) => c,
            Some(_) => return Err(format!("'{code}' is not an ISO 3166-1 alpha-2 or ISO 3166-2 code")),
            None => upper.as_str(),
        };
        self.country(country).ok_or_else(|| {
            let codes: Vec<String> = self.countries.iter().map(|c| c.code.clone()).collect();
            unknown("country code", code, &codes)
        })
    }

    /// Rules of one jurisdiction, in id order.
    pub fn rules_of(&self, jur: JurId) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter().filter(move |r| r.jurisdiction == jur)
    }

    /// Category names of a bit set.
    pub fn category_names(&self, mask: u32) -> Vec<&str> {
        self.vocab.categories.names_of(u64::from(mask))
    }
}
