//! The compiled rulebook as it stands on one day, in names: the common source of the Cedar and
//! Rego translations. Built from the public `rules` API only: `Rulebook::rules` (which rules exist,
//! their dates, kind and effect), the written `RuleDef`s (their scope), `Rulebook::sets` and
//! `Tables::jurisdiction_of` (who governs and which country is in which set on that day) and each
//! jurisdiction's category closure (its lattice).

use std::collections::{BTreeMap, HashMap};

use rules::compile::ROUTE_KINDS;
use rules::engine::{CountryId, Effect, JurId, RuleId};
use rules::model::{Name, RuleDef};
use rules::{Day, Rulebook};

/// Where a rule applies: a destination (or origin) set, or one country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Set(String),
    Country(String),
}

/// One route or restriction in force on the view's day, every name spelled out.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `JURISDICTION.rule-id`.
    pub id: String,
    /// Index in `Rulebook::rules` (the engine's `RuleId`): ties in preference are broken by it.
    pub index: RuleId,
    /// Index of the jurisdiction in `View::jurisdictions`.
    pub jur: usize,
    pub restriction: bool,
    pub import: bool,
    /// Routes: position of the kind in the preference order. Restrictions: 0.
    pub rank: u8,
    /// Restrictions only.
    pub effect: Option<Effect>,
    /// Export rules: `to`; import restrictions: `origins`. Empty: anywhere.
    pub places: Vec<Place>,
    pub not_to: Vec<Place>,
    pub data_any: Vec<String>,
    pub data_none: Vec<String>,
    pub purposes: Vec<String>,
    pub not_purposes: Vec<String>,
    pub exporter_roles_any: Vec<String>,
    pub exporter_roles_none: Vec<String>,
    pub importer_roles_any: Vec<String>,
    pub importer_roles_none: Vec<String>,
    pub subjects_above: Option<u64>,
    pub subjects_up_to: Option<u64>,
    pub certifications_any: Vec<String>,
    pub requires: Vec<String>,
    pub approval: Vec<String>,
}

/// The rulebook on one day.
#[derive(Debug, Clone)]
pub struct View {
    pub day: Day,
    /// Jurisdiction ids, in the rulebook's order.
    pub jurisdictions: Vec<String>,
    /// Country codes, in the rulebook's order.
    pub countries: Vec<String>,
    /// Per country: the jurisdiction governing its exports on the day, if any.
    pub governed_by: Vec<Option<usize>>,
    /// Every set id with its members on the day.
    pub sets: Vec<(String, Vec<String>)>,
    /// Per jurisdiction: category → the categories it implies under that law (itself included).
    pub closure: Vec<BTreeMap<String, Vec<String>>>,
    /// Category ids, in vocabulary order.
    pub categories: Vec<String>,
    /// Mechanisms that always need an authority (vocabulary `authority = true`).
    pub authority: Vec<String>,
    /// Rules in force on the day; routes of a jurisdiction in preference order (kind, then id).
    pub rules: Vec<Rule>,
}

fn names(list: &[Name]) -> Vec<String> {
    list.iter().map(|n| n.get_ref().clone()).collect()
}

impl View {
    /// The rulebook as it stands on `day`.
    pub fn new(rulebook: &Rulebook, day: Day) -> Result<View, String> {
        let jurisdictions: Vec<String> = rulebook.jurisdictions.iter().map(|j| j.id.clone()).collect();
        let countries: Vec<String> = rulebook.countries.iter().map(|c| c.code.clone()).collect();
        let governed_by = (0..countries.len())
            .map(|c| {
                let c = CountryId::try_from(c).map_err(|_| "too many countries".to_owned())?;
                Ok(rulebook.tables.jurisdiction_of(c, day).map(usize::from))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let in_force = |from: Day, until: Day| from <= day && day < until;
        let sets = rulebook
            .sets
            .iter()
            .map(|s| {
                let members = s
                    .members
                    .iter()
                    .filter(|(_, f, u)| in_force(*f, *u))
                    .map(|(c, _, _)| rulebook.country_code(*c).to_owned())
                    .collect();
                (s.id.clone(), members)
            })
            .collect();
        let categories = rulebook.vocab.categories.ids.clone();
        let closure = rulebook
            .jurisdictions
            .iter()
            .map(|j| {
                categories
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mask = j.closure.get(i).copied().unwrap_or(1 << (i & 31));
                        (c.clone(), rulebook.category_names(mask).into_iter().map(String::from).collect())
                    })
                    .collect()
            })
            .collect();
        let authority = rulebook.vocab.mechanisms.names_of(rulebook.tables.authority);
        let authority = authority.into_iter().map(String::from).collect();

        // Scope as written, by full id.
        let mut defs: HashMap<String, &RuleDef> = HashMap::new();
        for (_, file) in &rulebook.written.jurisdictions {
            for def in file.routes.iter().chain(&file.restrictions) {
                defs.insert(format!("{}.{}", file.id.get_ref(), def.id.get_ref()), def);
            }
        }
        let set_ids: std::collections::HashSet<&str> = rulebook.sets.iter().map(|s| s.id.as_str()).collect();
        let place = |n: &Name| {
            let id = n.get_ref();
            if set_ids.contains(id.as_str()) {
                Place::Set(id.clone())
            } else {
                Place::Country(id.clone())
            }
        };
        let mut rules = Vec::new();
        for (index, info) in rulebook.rules.iter().enumerate() {
            let valid = info.valid_from.is_none_or(|f| f <= day) && info.valid_until.is_none_or(|u| day <= u);
            if !valid {
                continue;
            }
            let def = defs.get(&info.id).ok_or_else(|| format!("rule {} has no written definition", info.id))?;
            let rank = if info.restriction {
                0
            } else {
                let rank = ROUTE_KINDS.iter().position(|k| *k == info.kind);
                u8::try_from(rank.ok_or_else(|| format!("rule {}: unknown kind {}", info.id, info.kind))?)
                    .unwrap_or(u8::MAX)
            };
            rules.push(Rule {
                id: info.id.clone(),
                index: RuleId::try_from(index).map_err(|_| "too many rules".to_owned())?,
                jur: usize::from(info.jurisdiction),
                restriction: info.restriction,
                import: info.import,
                rank,
                effect: info.effect,
                places: def.to.iter().chain(&def.origins).map(place).collect(),
                not_to: def.not_to.iter().map(place).collect(),
                data_any: names(&def.data_any),
                data_none: names(&def.data_none),
                purposes: names(&def.purposes),
                not_purposes: names(&def.not_purposes),
                exporter_roles_any: names(&def.exporter_roles_any),
                exporter_roles_none: names(&def.exporter_roles_none),
                importer_roles_any: names(&def.importer_roles_any),
                importer_roles_none: names(&def.importer_roles_none),
                subjects_above: def.subjects_above,
                subjects_up_to: def.subjects_up_to,
                certifications_any: names(&def.importer_certifications_any),
                requires: names(&def.requires),
                approval: names(&def.approval),
            });
        }
        rules.sort_by_key(|r| (r.jur, r.restriction, r.import, r.rank, r.index));
        Ok(View { day, jurisdictions, countries, governed_by, sets, closure, categories, authority, rules })
    }

    /// The jurisdiction's routes in force, most preferred first.
    pub fn routes(&self, jur: usize) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.jur == jur && !r.restriction)
    }

    /// The jurisdiction's export (`import = false`) or import restrictions in force.
    pub fn restrictions(&self, jur: usize, import: bool) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.jur == jur && r.restriction && r.import == import)
    }

    /// The categories whose closure under `jur`'s lattice meets `classes`: a flow's data, closed
    /// under the law, meets `classes` exactly when it holds one of these (closure distributes
    /// over union), so a condition on the closed set becomes one on the flow's own categories.
    pub fn implying(&self, jur: usize, classes: &[String]) -> Vec<String> {
        let Some(closure) = self.closure.get(jur) else {
            return classes.to_vec();
        };
        self.categories
            .iter()
            .filter(|c| closure.get(*c).is_some_and(|implied| implied.iter().any(|x| classes.contains(x))))
            .cloned()
            .collect()
    }

    /// Mechanisms of `requires` that only an authority can grant under this rule.
    pub fn needing_authority(&self, rule: &Rule) -> Vec<String> {
        rule.requires.iter().filter(|m| rule.approval.contains(m) || self.authority.contains(m)).cloned().collect()
    }

    pub fn jurisdiction_id(&self, jur: JurId) -> &str {
        self.jurisdictions.get(usize::from(jur)).map_or("?", String::as_str)
    }
}
