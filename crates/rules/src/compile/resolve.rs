//! Checking and resolving one rule (route or restriction): names, dates, citations, scope and
//! requirements, and the intervals in which its destinations stay the same.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use crate::day::Day;
use crate::engine::{features, CountryId, Effect, Instance, JurId, ALWAYS};
use crate::model::*;
use crate::rulebook::{JurisdictionInfo, RuleInfo, SetInfo};
use crate::vocab::{closest, unknown, Terms, Vocab};

use super::parse::{day, Reporter};
use super::{CERTAINTIES, DIRECTIONS, EFFECTS, RESTRICTION_KINDS, ROUTE_KINDS};

/// A rule checked and resolved, waiting for its id to be assigned.
pub(super) struct Pending {
    pub(super) import: bool,
    pub(super) template: Instance,
    /// (from, until exclusive, countries in scope) per interval of constant destinations.
    pub(super) intervals: Vec<(Day, Day, Vec<bool>)>,
}

pub(super) struct Ctx<'a> {
    pub(super) vocab: &'a Vocab,
    pub(super) country_index: &'a HashMap<String, CountryId>,
    pub(super) countries: usize,
}

/// A resolved reference to where a rule applies.
pub(super) enum Place {
    Country(CountryId),
    Set(usize),
}

impl Ctx<'_> {
    pub(super) fn country(&self, r: &mut Reporter, name: &Name) -> Option<CountryId> {
        let code = name.get_ref();
        let found = self.country_index.get(code).copied();
        if found.is_none() {
            let valid: Vec<String> = self.country_index.keys().cloned().collect();
            r.name(name, unknown("country code", code, &valid));
        }
        found
    }

    pub(super) fn members(&self, r: &mut Reporter, members: &[Spanned<Member>]) -> Vec<(CountryId, Day, Day)> {
        let mut out = Vec::new();
        for m in members {
            let offset = m.span().start;
            let member = m.get_ref();
            let Some(country) = self.country_index.get(member.country()).copied() else {
                let valid: Vec<String> = self.country_index.keys().cloned().collect();
                r.at(offset, unknown("country code", member.country(), &valid));
                continue;
            };
            let mut parse = |d: Option<&str>| match d.map(Day::parse) {
                None => Some(None),
                Some(Ok(d)) => Some(Some(d)),
                Some(Err(e)) => {
                    r.at(offset, e);
                    None
                }
            };
            let (Some(from), Some(until)) = (parse(member.from()), parse(member.until())) else {
                continue;
            };
            let from = from.unwrap_or(Day::MIN);
            let until = until.map_or(Day::MAX, Day::next);
            if from >= until {
                r.at(offset, format!("member '{}' has 'from' after 'until'", member.country()));
                continue;
            }
            out.push((country, from, until));
        }
        out
    }

    pub(super) fn terms(&self, r: &mut Reporter, terms: &Terms, names: &[Name]) -> u64 {
        let mut mask = 0u64;
        for name in names {
            match terms.resolve(name.get_ref()) {
                Ok(bit) if bit < 64 => mask |= 1u64 << bit,
                Ok(_) => r.name(name, format!("too many {} terms (at most 64)", terms.what)),
                Err(e) => r.name(name, e),
            }
        }
        mask
    }

    pub(super) fn terms32(&self, r: &mut Reporter, terms: &Terms, names: &[Name]) -> u32 {
        u32::try_from(self.terms(r, terms, names) & u64::from(u32::MAX)).unwrap_or(0)
    }

    /// The law's closure table: category bit → all categories it implies.
    pub(super) fn lattice(&self, r: &mut Reporter, lattice: &BTreeMap<String, Vec<Name>>) -> [u32; 32] {
        let cats = &self.vocab.categories;
        let mut parents: Vec<u32> = self.vocab.within.clone();
        parents.resize(32, 0);
        for (class, members) in lattice {
            let Some(k) = cats.get(class) else {
                // Keys carry no span in a map; point at the first member instead.
                let offset = members.first().map_or(0, |m| m.span().start);
                r.at(offset, format!("[lattice]: {}", unknown("data category", class, &cats.ids)));
                continue;
            };
            // A category this law leaves out of the class keeps the class's own parents, so
            // e.g. biometric data stays personal where the law does not call it sensitive.
            let class_parents = parents[usize::from(k)];
            for p in parents.iter_mut() {
                if *p & (1u32 << k) != 0 {
                    *p = (*p & !(1u32 << k)) | class_parents;
                }
            }
            for m in members {
                match cats.resolve(m.get_ref()) {
                    Ok(c) if c == k => r.name(m, format!("category '{class}' cannot be within itself")),
                    Ok(c) => parents[usize::from(c)] |= 1u32 << k,
                    Err(e) => r.name(m, e),
                }
            }
        }
        let mut closure = [0u32; 32];
        for (c, slot) in closure.iter_mut().enumerate().take(cats.len().min(32)) {
            let mut set = 1u32 << c;
            loop {
                let mut next = set;
                let mut rest = set;
                while rest != 0 {
                    let b = rest.trailing_zeros() as usize;
                    next |= parents[b];
                    rest &= rest - 1;
                }
                if next == set {
                    break;
                }
                set = next;
            }
            *slot = set;
        }
        closure
    }

    pub(super) fn place(&self, r: &mut Reporter, set_index: &HashMap<String, usize>, name: &Name) -> Option<Place> {
        let id = name.get_ref();
        if let Some(s) = set_index.get(id) {
            return Some(Place::Set(*s));
        }
        if let Some(c) = self.country_index.get(id) {
            return Some(Place::Country(*c));
        }
        let mut valid: Vec<String> = set_index.keys().cloned().collect();
        valid.extend(self.country_index.keys().cloned());
        let close = closest(id, &valid);
        let hint = if close.is_empty() { String::new() } else { format!("; did you mean {}?", close.join(" or ")) };
        r.name(name, format!("unknown set or country '{id}'{hint}"));
        None
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn rule(
        &self,
        r: &mut Reporter,
        set_index: &HashMap<String, usize>,
        sets: &[SetInfo],
        jur: &JurisdictionInfo,
        jur_id: JurId,
        def: &RuleDef,
        restriction: bool,
    ) -> Option<(RuleInfo, Pending)> {
        let before = r.out.len();
        let id = def.id.get_ref();
        let what = if restriction { "restriction" } else { "route" };
        if !is_lower_id(id) {
            r.name(&def.id, format!("{what} id '{id}' must be lower case letters, digits and '-'"));
        }
        let kinds = if restriction { RESTRICTION_KINDS } else { ROUTE_KINDS };
        let kind = def.kind.get_ref();
        let rank = kinds.iter().position(|k| k == kind);
        if rank.is_none() {
            let valid: Vec<String> = kinds.iter().map(|s| s.to_string()).collect();
            r.name(&def.kind, unknown(&format!("{what} kind"), kind, &valid));
        }
        let effect = match (&def.effect, restriction) {
            (Some(e), true) => match e.get_ref().as_str() {
                "deny" => Some(Effect::Deny),
                "require" => Some(Effect::Require),
                "oblige" => Some(Effect::Oblige),
                other => {
                    let valid: Vec<String> = EFFECTS.iter().map(|s| s.to_string()).collect();
                    r.name(e, unknown("effect", other, &valid));
                    None
                }
            },
            (None, true) => {
                r.name(&def.id, "a restriction needs `effect = \"deny\" | \"require\" | \"oblige\"`");
                None
            }
            (Some(e), false) => {
                r.name(e, "`effect` is for restrictions; a route's effect is to make the flow lawful");
                None
            }
            (None, false) => Some(Effect::Oblige),
        };
        let import = match &def.direction {
            None => false,
            Some(d) if !restriction => {
                r.name(d, "`direction` is for restrictions");
                false
            }
            Some(d) => match d.get_ref().as_str() {
                "export" => false,
                "import" => true,
                other => {
                    let valid: Vec<String> = DIRECTIONS.iter().map(|s| s.to_string()).collect();
                    r.name(d, unknown("direction", other, &valid));
                    false
                }
            },
        };
        if import && (!def.to.is_empty() || !def.not_to.is_empty()) {
            r.name(&def.id, "an import restriction is scoped by `origins`, not `to`/`not_to`");
        }
        if !import && !def.origins.is_empty() {
            r.name(&def.id, "`origins` is only for restrictions with direction = \"import\"");
        }
        if def.summary.trim().is_empty() {
            r.name(&def.id, format!("{what} '{id}' needs a plain-language `summary`"));
        }
        check_citation(r, def.id.span().start, &def.citation, &def.also);
        check_certainty(r, def.certainty.as_ref());
        let from = def.valid_from.as_ref().and_then(|d| day(r, d));
        let until = def.valid_until.as_ref().and_then(|d| day(r, d));
        if let (Some(f), Some(u)) = (from, until) {
            if f > u {
                r.name(def.valid_from.as_ref().unwrap_or(&def.id), format!("valid_from {f} is after valid_until {u}"));
            }
        }
        let reviewed = match &def.reviewed {
            Some(d) => day(r, d).unwrap_or(jur.reviewed),
            None => jur.reviewed,
        };
        let v = self.vocab;
        let requires = self.terms(r, &v.mechanisms, &def.requires);
        let approval = self.terms(r, &v.mechanisms, &def.approval);
        if approval & !requires != 0 {
            r.name(&def.approval[0], "every mechanism in `approval` must also be in `requires`");
        }
        if restriction
            && effect != Some(Effect::Require)
            && (requires != 0 || !def.importer_certifications_any.is_empty())
        {
            r.name(
                &def.id,
                "only restrictions with effect = \"require\" may have `requires`/`importer_certifications_any`",
            );
        }
        if restriction && effect == Some(Effect::Require) && requires == 0 {
            r.name(&def.id, "a restriction with effect = \"require\" needs `requires`");
        }
        if restriction && !def.importer_certifications_any.is_empty() {
            r.name(
                &def.id,
                "`importer_certifications_any` scopes routes; a restriction cannot require a certification",
            );
        }
        let mut obligations = Vec::new();
        for o in &def.obligations {
            match v.obligations.resolve(o.id.get_ref()) {
                Ok(bit) => obligations.push((usize::from(bit), o.text.clone())),
                Err(e) => r.name(&o.id, e),
            }
            if o.text.trim().is_empty() {
                r.name(&o.id, "an obligation needs a `text` saying what to do");
            }
        }
        if let (Some(a), Some(b)) = (def.subjects_above, def.subjects_up_to) {
            if a >= b {
                r.name(&def.id, format!("subjects_above ({a}) must be below subjects_up_to ({b})"));
            }
        }

        let to: Vec<Place> = def.to.iter().chain(&def.origins).filter_map(|n| self.place(r, set_index, n)).collect();
        let not_to: Vec<Place> = def.not_to.iter().filter_map(|n| self.place(r, set_index, n)).collect();
        let template = Instance {
            rule: 0,
            rank: u8::try_from(rank.unwrap_or(0)).unwrap_or(0),
            effect: effect.unwrap_or(Effect::Oblige),
            // An empty "any" lane becomes 0 here and the always-set bit below.
            any: {
                let [a, b] = features(
                    self.terms32(r, &v.categories, &def.data_any),
                    self.terms32(r, &v.purposes, &def.purposes),
                    self.terms32(r, &v.roles, &def.exporter_roles_any),
                    self.terms32(r, &v.roles, &def.importer_roles_any),
                );
                [only_always_if_empty(a), only_always_if_empty(b)]
            },
            none: {
                let [a, b] = features(
                    self.terms32(r, &v.categories, &def.data_none),
                    self.terms32(r, &v.purposes, &def.not_purposes),
                    self.terms32(r, &v.roles, &def.exporter_roles_none),
                    self.terms32(r, &v.roles, &def.importer_roles_none),
                );
                [a & !ALWAYS, b & !ALWAYS]
            },
            subjects_min: def.subjects_above.map_or(0, |n| sat32(n.saturating_add(1))),
            subjects_span: def
                .subjects_up_to
                .map_or(u32::MAX, sat32)
                .saturating_sub(def.subjects_above.map_or(0, |n| sat32(n.saturating_add(1)))),
            certs_any: self.terms32(r, &v.certifications, &def.importer_certifications_any),
            requires,
            approval,
        };
        if r.out.len() > before {
            return None;
        }

        let start = from.unwrap_or(Day::MIN);
        let end = until.map_or(Day::MAX, Day::next);
        let intervals = self.intervals(start, end, &to, &not_to, sets);
        let line = r.file.position(def.id.span().start).0;
        let info = RuleInfo {
            id: format!("{}.{id}", jur.id),
            jurisdiction: jur_id,
            restriction,
            import,
            kind: kind.clone(),
            effect: if restriction { effect } else { None },
            summary: def.summary.trim().to_owned(),
            note: def.note.clone(),
            citation: def.citation.clone(),
            also: def.also.clone(),
            valid_from: from,
            valid_until: until,
            reviewed,
            uncertain: def.certainty.as_ref().is_some_and(|c| c.get_ref() == "uncertain"),
            obligations,
            requires,
            certs_any: template.certs_any,
            file: r.file.path.clone(),
            line,
        };
        Some((info, Pending { import, template, intervals }))
    }

    /// Splits [start, end) where the destinations change, with the countries in scope for each piece.
    pub(super) fn intervals(
        &self,
        start: Day,
        end: Day,
        to: &[Place],
        not_to: &[Place],
        sets: &[SetInfo],
    ) -> Vec<(Day, Day, Vec<bool>)> {
        let mut cuts = vec![start, end];
        for place in to.iter().chain(not_to) {
            if let Place::Set(s) = place {
                for (_, f, u) in &sets[*s].members {
                    cuts.extend([*f, *u].into_iter().filter(|d| *d > start && *d < end));
                }
            }
        }
        cuts.sort();
        cuts.dedup();
        let contains = |place: &Place, c: usize, day: Day| match place {
            Place::Country(x) => usize::from(*x) == c,
            Place::Set(s) => sets[*s].members.iter().any(|(m, f, u)| usize::from(*m) == c && day >= *f && day < *u),
        };
        let mut out: Vec<(Day, Day, Vec<bool>)> = Vec::new();
        for w in cuts.windows(2) {
            let (from, until) = (w[0], w[1]);
            let members: Vec<bool> = (0..self.countries)
                .map(|c| {
                    (to.is_empty() || to.iter().any(|p| contains(p, c, from)))
                        && !not_to.iter().any(|p| contains(p, c, from))
                })
                .collect();
            match out.last_mut() {
                Some(last) if last.2 == members && last.1 == from => last.1 = until,
                _ => out.push((from, until, members)),
            }
        }
        out
    }
}

pub(super) fn check_citation(r: &mut Reporter, offset: usize, c: &Citation, also: &[Citation]) {
    for c in std::iter::once(c).chain(also) {
        if c.instrument.trim().is_empty() {
            r.at(offset, "citation needs an `instrument`");
        }
        if !(c.url.starts_with("https://") || c.url.starts_with("http://")) {
            r.at(offset, format!("citation url '{}' must be an http(s) address of the source", c.url));
        }
    }
}

pub(super) fn check_certainty(r: &mut Reporter, certainty: Option<&Name>) {
    if let Some(c) = certainty {
        if !CERTAINTIES.contains(&c.get_ref().as_str()) {
            let valid: Vec<String> = CERTAINTIES.iter().map(|s| s.to_string()).collect();
            r.name(c, unknown("certainty", c.get_ref(), &valid));
        }
    }
}

/// In an "any" lane: keep the condition bits, or only the always-set bit if there are none.
pub(super) fn only_always_if_empty(lanes: u64) -> u64 {
    let mut out = 0;
    for shift in [0, 32] {
        let lane = (lanes >> shift) & 0x7FFF_FFFF;
        out |= if lane == 0 { 1u64 << (shift + 31) } else { lane << shift };
    }
    out
}

/// Subject counts are compared as u32; flows saturate the same way, so thresholds below
/// u32::MAX (4.29 billion) keep their meaning.
pub(super) fn sat32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(super) fn is_lower_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub(super) fn is_upper_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}
