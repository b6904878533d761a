//! From written files to the compiled `Rulebook`: parse every file, check every name, date,
//! citation and cross-reference (collecting all problems with file and line), then flatten the
//! rules into the engine's tables.

mod parse;
mod resolve;
mod vocab;

use std::collections::{HashMap, HashSet};

use crate::day::Day;
use crate::engine::{
    Closure, Dated, Governance, Instance, JurId, RuleId, Table, Tables, MAX_PER_PAIR, RESTRICTIONS, ROUTES,
};
use crate::model::*;
use crate::rulebook::{JurisdictionInfo, Release, RuleInfo, Rulebook, SetInfo, Written};
use crate::source::{Diagnostic, Diagnostics, Sources};

use parse::{day, digest, file, parse, Reporter};
use resolve::{check_certainty, check_citation, is_lower_id, is_upper_id, Ctx, Pending};
use vocab::{build_countries, build_vocab};

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
    // Laws with import restrictions, and the countries they may govern: only for these is the
    // destination's law looked up during a decision.
    let has_import_rules: Vec<bool> = (0..njur)
        .map(|j| import_pairs[j * ncountries..(j + 1) * ncountries].iter().any(|p| !p[0].is_empty()))
        .collect();
    let import_rules_for: Vec<bool> =
        governance.iter().map(|g| g.iter().any(|g| has_import_rules[usize::from(g.jur)])).collect();
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
        import_rules_for,
    };
    Some(Rulebook::assemble(release, vocab, countries, country_index, jurisdictions, rules, sets, tables, written))
}
