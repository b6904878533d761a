//! From written files to the compiled `Rulebook`: parse every file, check every name, date,
//! citation and cross-reference (collecting all problems with file and line), then flatten the
//! rules into the engine's tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::day::Day;
use crate::engine::{
    features, Closure, CountryId, Dated, Effect, Governance, Instance, JurId, RuleId, Table, Tables, ALWAYS,
    MAX_PER_PAIR, RESTRICTIONS, ROUTES,
};
use crate::model::*;
use crate::rulebook::{Country, JurisdictionInfo, Release, RuleInfo, Rulebook, SetInfo, Written};
use crate::source::{Diagnostic, Diagnostics, SourceFile, Sources};
use crate::vocab::{closest, unknown, Terms, Vocab};

/// Route kinds, in order of preference when several routes are met.
pub const ROUTE_KINDS: &[&str] =
    &["exemption", "adequacy", "certification", "scc", "bcr", "contract", "consent", "derogation", "authorisation"];
pub const RESTRICTION_KINDS: &[&str] = &["prohibition", "localisation", "condition"];
const EFFECTS: &[&str] = &["deny", "require", "oblige"];
const DIRECTIONS: &[&str] = &["export", "import"];
const CERTAINTIES: &[&str] = &["verified", "uncertain"];

/// Compiles a rulebook, or returns every problem found in it.
pub fn compile(sources: &Sources) -> Result<Rulebook, Diagnostics> {
    let mut out = Vec::new();
    let written = parse(sources, &mut out);
    let rulebook = written.and_then(|w| build(sources, w, &mut out));
    match rulebook {
        Some(r) if out.is_empty() => Ok(r),
        _ => {
            out.sort();
            out.dedup();
            Err(Diagnostics(out))
        }
    }
}

/// Reports problems at positions in one file.
struct Reporter<'a> {
    file: &'a SourceFile,
    out: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = self.file.position(offset);
        self.out.push(Diagnostic { file: self.file.path.clone(), line, column, message: message.into() });
    }
    fn name(&mut self, name: &Name, message: impl Into<String>) {
        self.at(name.span().start, message);
    }
}

fn parse_file<T: serde::de::DeserializeOwned>(file: &SourceFile, out: &mut Vec<Diagnostic>) -> Option<T> {
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

fn parse(sources: &Sources, out: &mut Vec<Diagnostic>) -> Option<Written> {
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
            _ if path.starts_with("jurisdictions/") => match parse_file::<JurisdictionFile>(file, out) {
                Some(j) => jurisdictions.push((path.to_owned(), j)),
                None => ok = false,
            },
            _ => out.push(Diagnostic {
                file: path.to_owned(),
                line: 1,
                column: 1,
                message: "unexpected file; a rulebook holds rulebook.toml, vocabulary.toml, countries.toml, sets.toml and jurisdictions/*.toml".into(),
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

fn file<'a>(sources: &'a Sources, path: &str) -> &'a SourceFile {
    static EMPTY: SourceFile = SourceFile { path: String::new(), text: String::new() };
    sources.files.iter().find(|f| f.path == path).unwrap_or(&EMPTY)
}

fn digest(sources: &Sources) -> String {
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

fn day(r: &mut Reporter, name: &Name) -> Option<Day> {
    match Day::parse(name.get_ref()) {
        Ok(d) => Some(d),
        Err(e) => {
            r.name(name, e);
            None
        }
    }
}

fn build(sources: &Sources, written: Written, out: &mut Vec<Diagnostic>) -> Option<Rulebook> {
    let release_file = file(sources, "rulebook.toml");
    let reviewed = day(&mut Reporter { file: release_file, out }, &written.release.reviewed).unwrap_or(Day::MIN);
    let release = Release {
        name: written.release.name.clone(),
        version: written.release.version.clone(),
        reviewed,
        digest: digest(sources),
    };

    let vocab = build_vocab(file(sources, "vocabulary.toml"), &written.vocabulary, out);
    let (countries, country_index) = build_countries(file(sources, "countries.toml"), &written.countries, out);
    let ctx = Ctx { vocab: &vocab, country_index: &country_index, countries: countries.len() };

    // Sets: shared ones and each jurisdiction's own.
    let mut sets: Vec<SetInfo> = Vec::new();
    let mut set_index: HashMap<String, usize> = HashMap::new();
    let set_sources =
        written.sets.iter().map(|(p, f)| (p, &f.sets)).chain(written.jurisdictions.iter().map(|(p, j)| (p, &j.sets)));
    for (path, defs) in set_sources {
        let mut r = Reporter { file: file(sources, path), out };
        for def in defs {
            let id = def.id.get_ref();
            if !is_lower_id(id) {
                r.name(&def.id, format!("set id '{id}' must be lower case letters, digits and '-'"));
            }
            if set_index.contains_key(id) {
                r.name(&def.id, format!("set '{id}' is defined twice (set ids are global)"));
                continue;
            }
            check_citation(&mut r, def.id.span().start, &def.citation, &def.also);
            check_certainty(&mut r, def.certainty.as_ref());
            let members = ctx.members(&mut r, &def.members);
            set_index.insert(id.to_owned(), sets.len());
            sets.push(SetInfo {
                id: id.to_owned(),
                name: def.name.clone(),
                members,
                citation: def.citation.clone(),
                file: path.clone(),
                line: r.file.position(def.id.span().start).0,
            });
        }
    }

    // Jurisdictions.
    let mut jurisdictions: Vec<JurisdictionInfo> = Vec::new();
    let mut jur_files: Vec<&JurisdictionFile> = Vec::new();
    let mut sorted: Vec<&(String, JurisdictionFile)> = written.jurisdictions.iter().collect();
    sorted.sort_by(|a, b| a.1.id.get_ref().cmp(b.1.id.get_ref()));
    let mut governance: Vec<Vec<Governance>> = vec![Vec::new(); countries.len()];
    for (path, j) in sorted {
        let mut r = Reporter { file: file(sources, path), out };
        let id = j.id.get_ref();
        if !is_upper_id(id) {
            r.name(&j.id, format!("jurisdiction id '{id}' must be upper case letters, digits and '-'"));
        }
        let expected = format!("jurisdictions/{id}.toml");
        if *path != expected {
            r.name(&j.id, format!("jurisdiction '{id}' must be in {expected}"));
        }
        if jurisdictions.iter().any(|x| x.id == *id) {
            r.name(&j.id, format!("jurisdiction '{id}' is defined twice"));
            continue;
        }
        let jur = JurId::try_from(jurisdictions.len()).unwrap_or(JurId::MAX);
        let reviewed = day(&mut r, &j.reviewed).unwrap_or(Day::MIN);
        let members = ctx.members(&mut r, &j.members);
        for (m, (country, from, until)) in j.members.iter().zip(&members) {
            let slot = &mut governance[usize::from(*country)];
            if let Some(other) = slot.iter().find(|g| g.from < *until && *from < g.until) {
                let other_id = jurisdictions.get(usize::from(other.jur)).map_or("?", |x| x.id.as_str());
                r.at(
                    m.span().start,
                    format!(
                        "country '{}' is already governed by jurisdiction '{other_id}' in an overlapping period",
                        m.get_ref().country()
                    ),
                );
            }
            slot.push(Governance { jur, from: *from, until: *until });
        }
        let covers_from = j.covers_from.as_ref().and_then(|d| day(&mut r, d));
        let representative = match &j.representative {
            Some(name) => ctx.country(&mut r, name),
            None => members.first().map(|m| m.0),
        };
        if members.is_empty() {
            r.name(&j.id, "a jurisdiction needs at least one member country");
        }
        let closure = ctx.lattice(&mut r, &j.lattice);
        jurisdictions.push(JurisdictionInfo {
            id: id.to_owned(),
            name: j.name.clone(),
            law: j.law.clone(),
            authority: j.authority.clone(),
            members,
            representative: representative.unwrap_or(0),
            reviewed,
            // Filled in from the rules below unless the file says.
            covers_from: covers_from.unwrap_or(Day::MAX),
            file: path.clone(),
            closure,
        });
        jur_files.push(j);
    }

    // Rules, sorted by full id so nothing depends on file order.
    let mut rules: Vec<RuleInfo> = Vec::new();
    let mut pending: Vec<(RuleInfo, Pending)> = Vec::new();
    for (jur, j) in jur_files.iter().enumerate() {
        let jur = JurId::try_from(jur).unwrap_or(JurId::MAX);
        let info = &jurisdictions[usize::from(jur)];
        let mut r = Reporter { file: file(sources, &info.file), out };
        let mut seen = HashSet::new();
        for (def, restriction) in j.routes.iter().map(|d| (d, false)).chain(j.restrictions.iter().map(|d| (d, true))) {
            if !seen.insert(def.id.get_ref().clone()) {
                r.name(&def.id, format!("rule id '{}' is used twice in this file", def.id.get_ref()));
                continue;
            }
            if let Some(p) = ctx.rule(&mut r, &set_index, &sets, info, jur, def, restriction) {
                pending.push(p);
            }
        }
    }
    pending.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    // A law is modelled from its earliest rule on, unless its file says otherwise.
    for (i, (j, file)) in jurisdictions.iter_mut().zip(&jur_files).enumerate() {
        if file.covers_from.is_none() {
            let own = pending.iter().filter(|p| usize::from(p.0.jurisdiction) == i);
            j.covers_from = own.map(|p| p.0.valid_from.unwrap_or(Day::MIN)).min().unwrap_or(Day::MIN);
        }
    }
    for g in governance.iter_mut().flatten() {
        g.from = g.from.max(jurisdictions[usize::from(g.jur)].covers_from);
    }
    for g in governance.iter_mut() {
        g.retain(|g| g.from < g.until);
    }
    if pending.len() > usize::from(RuleId::MAX) {
        out.push(Diagnostic {
            file: "jurisdictions/".into(),
            line: 1,
            column: 1,
            message: format!("too many rules ({}); at most {}", pending.len(), RuleId::MAX),
        });
        return None;
    }

    let njur = jurisdictions.len();
    let ncountries = countries.len();
    let mut export_pairs: Vec<[Vec<u32>; 2]> = vec![[Vec::new(), Vec::new()]; njur * ncountries];
    let mut import_pairs: Vec<[Vec<u32>; 1]> = vec![[Vec::new()]; njur * ncountries];
    let mut export_dated: Vec<Dated> = Vec::new();
    let mut import_dated: Vec<Dated> = Vec::new();
    for (rule_id, (info, p)) in pending.into_iter().enumerate() {
        let rule = RuleId::try_from(rule_id).unwrap_or(RuleId::MAX);
        let jur = usize::from(info.jurisdiction);
        for (from, until, members) in p.intervals {
            let instance = Instance { rule, ..p.template };
            let countries = members.iter().enumerate().filter(|(_, m)| **m).map(|(c, _)| jur * ncountries + c);
            if p.import {
                let id = import_dated.len() as u32;
                import_dated.push((from, until, instance));
                countries.for_each(|pair| import_pairs[pair][0].push(id));
            } else {
                let id = export_dated.len() as u32;
                export_dated.push((from, until, instance));
                let kind = if info.restriction { RESTRICTIONS } else { ROUTES };
                countries.for_each(|pair| export_pairs[pair][kind].push(id));
            }
        }
        rules.push(info);
    }
    // Decisions keep per-list bit sets: check the rulebook fits them.
    for (j, info) in jurisdictions.iter().enumerate() {
        let pairs = j * ncountries..(j + 1) * ncountries;
        let worst = |lists: &mut dyn Iterator<Item = usize>| lists.max().unwrap_or(0);
        let routes = worst(&mut export_pairs[pairs.clone()].iter().map(|p| p[ROUTES].len()));
        let exports = worst(&mut export_pairs[pairs.clone()].iter().map(|p| p[RESTRICTIONS].len()));
        let imports = worst(&mut import_pairs[pairs].iter().map(|p| p[0].len()));
        for (n, what) in [(routes, "route"), (exports, "export restriction"), (imports, "import restriction")] {
            if n > MAX_PER_PAIR {
                out.push(Diagnostic {
                    file: info.file.clone(),
                    line: 1,
                    column: 1,
                    message: format!("{} has {n} {what} instances for one country; at most {MAX_PER_PAIR} (split validity periods less finely)", info.id),
                });
            }
        }
    }
    let mut governance_index = Vec::with_capacity(ncountries);
    let mut flat = Vec::new();
    for g in governance {
        let start = flat.len() as u32;
        flat.extend(g);
        governance_index.push((start, flat.len() as u32));
    }
    let tables = Tables {
        governance_index,
        governance: flat,
        closure: jurisdictions.iter().map(|j| Closure::new(&j.closure)).collect(),
        // Routes in order of preference, so the first met one is the basis; restrictions in id order.
        exports: Table::new(ncountries, export_pairs, export_dated, [|i| (i.rank, i.rule), |i| (0, i.rule)]),
        imports: Table::new(ncountries, import_pairs, import_dated, [|i| (0, i.rule)]),
        authority: vocab.authority_mechanisms,
    };
    Some(Rulebook::assemble(release, vocab, countries, country_index, jurisdictions, rules, sets, tables, written))
}

/// A rule checked and resolved, waiting for its id to be assigned.
struct Pending {
    import: bool,
    template: Instance,
    /// (from, until exclusive, countries in scope) per interval of constant destinations.
    intervals: Vec<(Day, Day, Vec<bool>)>,
}

struct Ctx<'a> {
    vocab: &'a Vocab,
    country_index: &'a HashMap<String, CountryId>,
    countries: usize,
}

/// A resolved reference to where a rule applies.
enum Place {
    Country(CountryId),
    Set(usize),
}

impl Ctx<'_> {
    fn country(&self, r: &mut Reporter, name: &Name) -> Option<CountryId> {
        let code = name.get_ref();
        let found = self.country_index.get(code).copied();
        if found.is_none() {
            let valid: Vec<String> = self.country_index.keys().cloned().collect();
            r.name(name, unknown("country code", code, &valid));
        }
        found
    }

    fn members(&self, r: &mut Reporter, members: &[Spanned<Member>]) -> Vec<(CountryId, Day, Day)> {
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

    fn terms(&self, r: &mut Reporter, terms: &Terms, names: &[Name]) -> u64 {
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

    fn terms32(&self, r: &mut Reporter, terms: &Terms, names: &[Name]) -> u32 {
        u32::try_from(self.terms(r, terms, names) & u64::from(u32::MAX)).unwrap_or(0)
    }

    /// The law's closure table: category bit → all categories it implies.
    fn lattice(&self, r: &mut Reporter, lattice: &BTreeMap<String, Vec<Name>>) -> [u32; 32] {
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

    fn place(&self, r: &mut Reporter, set_index: &HashMap<String, usize>, name: &Name) -> Option<Place> {
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
    fn rule(
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
    fn intervals(
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

fn build_vocab(f: &SourceFile, file: &VocabularyFile, out: &mut Vec<Diagnostic>) -> Vocab {
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

fn build_countries(
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

fn check_citation(r: &mut Reporter, offset: usize, c: &Citation, also: &[Citation]) {
    for c in std::iter::once(c).chain(also) {
        if c.instrument.trim().is_empty() {
            r.at(offset, "citation needs an `instrument`");
        }
        if !(c.url.starts_with("https://") || c.url.starts_with("http://")) {
            r.at(offset, format!("citation url '{}' must be an http(s) address of the source", c.url));
        }
    }
}

fn check_certainty(r: &mut Reporter, certainty: Option<&Name>) {
    if let Some(c) = certainty {
        if !CERTAINTIES.contains(&c.get_ref().as_str()) {
            let valid: Vec<String> = CERTAINTIES.iter().map(|s| s.to_string()).collect();
            r.name(c, unknown("certainty", c.get_ref(), &valid));
        }
    }
}

/// In an "any" lane: keep the condition bits, or only the always-set bit if there are none.
fn only_always_if_empty(lanes: u64) -> u64 {
    let mut out = 0;
    for shift in [0, 32] {
        let lane = (lanes >> shift) & 0x7FFF_FFFF;
        out |= if lane == 0 { 1u64 << (shift + 31) } else { lane << shift };
    }
    out
}

/// Subject counts are compared as u32; flows saturate the same way, so thresholds below
/// u32::MAX (4.29 billion) keep their meaning.
fn sat32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn is_lower_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_upper_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}
