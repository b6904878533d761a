//! The compiled rulebook and the decision engine.
//!
//! `compile` turns the written rulebook into flat tables: every name becomes a bit, every
//! destination set a per-(exporting jurisdiction, destination country) list of rule instances
//! whose destination set is constant over the instance's validity interval. A decision is then
//! a table lookup, a walk over a handful of instances doing integer compares and bit tests, and
//! no heap allocation (see `tests/no_alloc.rs`).

use arrayvec::ArrayVec;

use crate::day::Day;

pub type CountryId = u16;
pub type JurId = u16;
pub type RuleId = u16;

/// Most options a decision reports; more are dropped (the validator keeps rulebooks below it).
pub const MAX_OPTIONS: usize = 32;
/// Most instances of one kind (routes, export restrictions, import restrictions) one
/// (jurisdiction, country) pair may have: decisions record them as bits of a u64.
pub const MAX_PER_PAIR: usize = 64;

/// The verdict, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Lawful as described.
    Allow,
    /// Lawful once one of the options is in place.
    Conditional,
    /// Every lawful route needs an authority's prior approval.
    Approval,
    /// Prohibited, or no lawful route.
    Deny,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Conditional => "conditional",
            Verdict::Approval => "approval",
            Verdict::Deny => "deny",
        }
    }
}

/// A flow with every name resolved to its bit: the engine's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub from: CountryId,
    pub to: CountryId,
    /// Data categories as given (the lattice is applied per law during the decision).
    pub data: u32,
    pub subjects: u64,
    /// `None`: no purpose stated, so no purpose-scoped route applies.
    pub purpose: Option<u8>,
    pub exporter_roles: u32,
    pub importer_roles: u32,
    pub certifications: u32,
    pub safeguards: u64,
    pub as_of: Day,
}

/// What a restriction does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Deny,
    Require,
    Oblige,
}

/// One rule (route or restriction) over one interval in which its destinations do not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instance {
    pub from: Day,
    /// Exclusive.
    pub until: Day,
    pub rule: RuleId,
    pub rank: u8,
    pub effect: Effect,
    pub data_any: u32,
    pub data_none: u32,
    pub purposes: u64,
    pub not_purposes: u64,
    pub exporter_any: u32,
    pub exporter_none: u32,
    pub importer_any: u32,
    pub importer_none: u32,
    /// `subjects >= subjects_min && subjects <= subjects_max`.
    pub subjects_min: u64,
    pub subjects_max: u64,
    pub certs_any: u32,
    pub requires: u64,
    pub approval: u64,
}

impl Instance {
    #[inline]
    fn in_scope(&self, day: Day, data: u32, purpose: u64, flow: &Flow) -> bool {
        day >= self.from
            && day < self.until
            && (self.data_any == 0 || data & self.data_any != 0)
            && data & self.data_none == 0
            && (self.purposes == 0 || purpose & self.purposes != 0)
            && purpose & self.not_purposes == 0
            && (self.exporter_any == 0 || flow.exporter_roles & self.exporter_any != 0)
            && flow.exporter_roles & self.exporter_none == 0
            && (self.importer_any == 0 || flow.importer_roles & self.importer_any != 0)
            && flow.importer_roles & self.importer_none == 0
            && flow.subjects >= self.subjects_min
            && flow.subjects <= self.subjects_max
    }
}

/// Rule instances indexed by (jurisdiction, country): the country is the destination for
/// export rules and the origin for import rules.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub countries: usize,
    /// `[jur * countries + country]` → range in `ids`.
    pub index: Vec<(u32, u32)>,
    pub ids: Vec<u32>,
    pub instances: Vec<Instance>,
}

impl Table {
    #[inline]
    pub fn get(&self, jur: JurId, country: CountryId) -> impl Iterator<Item = &Instance> {
        let (start, end) = self.index.get(usize::from(jur) * self.countries + usize::from(country)).copied().unwrap_or((0, 0));
        let ids = self.ids.get(start as usize..end as usize).unwrap_or(&[]);
        ids.iter().filter_map(|i| self.instances.get(*i as usize))
    }
}

/// Which jurisdiction governs exports from a country, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Governance {
    pub jur: JurId,
    pub from: Day,
    /// Exclusive.
    pub until: Day,
}

/// A way to make the flow lawful that is not yet in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    /// Mechanisms still to put in place.
    pub missing: u64,
    /// Non-zero: the importer must also hold one of these certifications.
    pub certs: u32,
    /// The missing parts need an authority's prior approval.
    pub approval: bool,
    pub rule: RuleId,
    pub rank: u8,
}

impl Opt {
    /// `self` asks for no more than `other` does.
    fn no_harder_than(&self, other: &Opt) -> bool {
        self.missing & !other.missing == 0
            && (self.certs == 0 || (other.certs != 0 && self.certs & other.certs == other.certs))
            && (!self.approval || other.approval)
    }
}

/// A decision as indices into the rulebook: small and `Copy`, so deciding never allocates and
/// never copies much. `Tables::options` and `report` expand it when someone wants to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub exporter: JurId,
    /// The destination's jurisdiction, if the rulebook has one.
    pub importer: Option<JurId>,
    /// Same country: not a cross-border transfer.
    pub domestic: bool,
    /// The data categories under the exporter's law.
    pub data: u32,
    /// The route that is met (verdict `allow`).
    pub route: Option<RuleId>,
    /// Bit i: the i-th export restriction for this (exporter, destination) matched.
    pub export_matched: u64,
    /// Bit i: the i-th import restriction of the destination's law for this origin matched.
    pub import_matched: u64,
    /// Bit i: the i-th route instance for this (exporter, destination) applies but is not yet met.
    pub candidates: u64,
    /// What matching `require` restrictions add to every route.
    pub extra_requires: u64,
    pub extra_approval: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecideError {
    /// No jurisdiction in the rulebook governs exports from this country on this day.
    NoJurisdiction { country: CountryId, day: Day },
}

/// The compiled rulebook's decision tables. Built by `compile`; immutable afterwards.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// Per country: governance periods (`governance_index[c]` is a range in `governance`).
    pub governance_index: Vec<(u32, u32)>,
    pub governance: Vec<Governance>,
    /// Per jurisdiction: category → categories it implies under that law.
    pub closure: Vec<[u32; 32]>,
    pub routes: Table,
    pub export_restrictions: Table,
    pub import_restrictions: Table,
    /// Mechanisms that always need an authority.
    pub authority: u64,
}

impl Tables {
    /// The jurisdiction governing exports from `country` on `day`.
    #[inline]
    pub fn jurisdiction_of(&self, country: CountryId, day: Day) -> Option<JurId> {
        let (start, end) = self.governance_index.get(usize::from(country)).copied()?;
        self.governance.get(start as usize..end as usize)?.iter().find(|g| day >= g.from && day < g.until).map(|g| g.jur)
    }

    /// Whether any jurisdiction governs exports from `country` at any time.
    pub fn governs_ever(&self, country: CountryId) -> bool {
        self.governance_index.get(usize::from(country)).is_some_and(|(s, e)| e > s)
    }

    #[inline]
    fn close(&self, jur: JurId, data: u32) -> u32 {
        let Some(table) = self.closure.get(usize::from(jur)) else { return data };
        let mut out = 0;
        let mut rest = data;
        while rest != 0 {
            let bit = rest.trailing_zeros() as usize;
            out |= table[bit & 31];
            rest &= rest - 1;
        }
        out
    }

    /// Decides a flow. Pure, deterministic, and allocation-free.
    pub fn decide(&self, flow: &Flow) -> Result<Decision, DecideError> {
        let day = flow.as_of;
        let exporter =
            self.jurisdiction_of(flow.from, day).ok_or(DecideError::NoJurisdiction { country: flow.from, day })?;
        let importer = self.jurisdiction_of(flow.to, day);
        let data = self.close(exporter, flow.data);
        let mut d = Decision {
            verdict: Verdict::Allow,
            exporter,
            importer,
            domestic: flow.from == flow.to,
            data,
            route: None,
            export_matched: 0,
            import_matched: 0,
            candidates: 0,
            extra_requires: 0,
            extra_approval: 0,
        };
        if d.domestic {
            return Ok(d);
        }
        let purpose = flow.purpose.map_or(0, |p| 1u64 << (p & 63));

        // Restrictions first: the exporter's on this destination, then the destination's on this origin.
        let mut denied = false;
        for (i, inst) in self.export_restrictions.get(exporter, flow.to).enumerate() {
            if inst.in_scope(day, data, purpose, flow) {
                d.export_matched |= 1u64 << (i & 63);
                denied |= apply(inst, &mut d);
            }
        }
        if let Some(j) = importer {
            let data = self.close(j, flow.data);
            for (i, inst) in self.import_restrictions.get(j, flow.from).enumerate() {
                if inst.in_scope(day, data, purpose, flow) {
                    d.import_matched |= 1u64 << (i & 63);
                    denied |= apply(inst, &mut d);
                }
            }
        }
        if denied {
            d.verdict = Verdict::Deny;
            return Ok(d);
        }

        // Then the routes out of the exporter's jurisdiction.
        let mut best: Option<(u8, RuleId)> = None;
        let mut conditional = false;
        for (i, inst) in self.routes.get(exporter, flow.to).enumerate() {
            if !inst.in_scope(day, data, purpose, flow) {
                continue;
            }
            let missing = (inst.requires | d.extra_requires) & !flow.safeguards;
            let certified = inst.certs_any == 0 || flow.certifications & inst.certs_any != 0;
            if missing == 0 && certified {
                if best.is_none_or(|b| (inst.rank, inst.rule) < b) {
                    best = Some((inst.rank, inst.rule));
                }
            } else {
                d.candidates |= 1u64 << (i & 63);
                conditional |= missing & (inst.approval | d.extra_approval | self.authority) == 0;
            }
        }
        d.verdict = if let Some((_, rule)) = best {
            d.route = Some(rule);
            d.candidates = 0;
            Verdict::Allow
        } else if d.candidates == 0 {
            Verdict::Deny
        } else if conditional {
            Verdict::Conditional
        } else {
            Verdict::Approval
        };
        Ok(d)
    }

    /// The restrictions that matched, exporter's first, in rule order.
    pub fn matched_restrictions<'a>(&'a self, flow: &'a Flow, d: &'a Decision) -> impl Iterator<Item = RuleId> + 'a {
        let export = self.export_restrictions.get(d.exporter, flow.to).enumerate().filter(move |(i, _)| d.export_matched & (1u64 << (i & 63)) != 0);
        let import = d
            .importer
            .into_iter()
            .flat_map(move |j| self.import_restrictions.get(j, flow.from).enumerate())
            .filter(move |(i, _)| d.import_matched & (1u64 << (i & 63)) != 0);
        export.chain(import).map(|(_, inst)| inst.rule)
    }

    /// The options of a `conditional` or `approval` decision: the ways to make the flow lawful,
    /// without any that another option makes redundant, easiest first.
    pub fn options(&self, flow: &Flow, d: &Decision) -> ArrayVec<Opt, MAX_OPTIONS> {
        let mut options = ArrayVec::new();
        if d.candidates == 0 {
            return options;
        }
        for (i, inst) in self.routes.get(d.exporter, flow.to).enumerate() {
            if d.candidates & (1u64 << (i & 63)) == 0 {
                continue;
            }
            let missing = (inst.requires | d.extra_requires) & !flow.safeguards;
            let certified = inst.certs_any == 0 || flow.certifications & inst.certs_any != 0;
            let approval = missing & (inst.approval | d.extra_approval | self.authority) != 0;
            let certs = if certified { 0 } else { inst.certs_any };
            add_option(&mut options, Opt { missing, certs, approval, rule: inst.rule, rank: inst.rank });
        }
        options.sort_unstable_by_key(|o| (o.approval, o.rank, o.missing.count_ones(), o.certs != 0, o.rule));
        options
    }
}

/// Applies a matching restriction; true if it prohibits the flow.
#[inline]
fn apply(inst: &Instance, d: &mut Decision) -> bool {
    match inst.effect {
        Effect::Deny => true,
        Effect::Require => {
            d.extra_requires |= inst.requires;
            d.extra_approval |= inst.approval;
            false
        }
        Effect::Oblige => false,
    }
}

/// Keeps only options that no other option makes redundant.
fn add_option(options: &mut ArrayVec<Opt, MAX_OPTIONS>, new: Opt) {
    if options.iter().any(|o| o.no_harder_than(&new)) {
        return;
    }
    options.retain(|o| !new.no_harder_than(o));
    let _ = options.try_push(new);
}
