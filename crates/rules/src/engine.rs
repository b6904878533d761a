//! The compiled rulebook and the decision engine.
//!
//! `compile` turns the written rulebook into flat tables: every name becomes a bit, every
//! destination set a per-(exporting jurisdiction, destination country) list of rule instances
//! whose destination set is constant over the instance's validity interval. A decision is then
//! a table lookup, a walk over a handful of instances doing integer compares and bit tests, and
//! no heap allocation (see `tests/no_alloc.rs`).

use std::collections::HashMap;

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

/// The flow's facts as four 32-bit lanes in two words: [data | purpose << 32, exporter roles |
/// importer roles << 32]. Bit 31 of each lane is always set, so an instance's "any of" mask can
/// say "no condition" by holding only that bit. Vocabularies are limited to 31 terms per lane.
pub const ALWAYS: u64 = 0x8000_0000_8000_0000;
const LOW: u64 = 0x7FFF_FFFF_7FFF_FFFF;

/// True if all four 32-bit lanes of `x` and `y` are non-zero: adding `LOW` to a lane's low 31
/// bits carries into its top bit exactly when they are not all zero.
#[inline(always)]
fn lanes_nonzero(x: u64, y: u64) -> bool {
    (x | ((x & LOW) + LOW)) & (y | ((y & LOW) + LOW)) & ALWAYS == ALWAYS
}

/// Packs the lanes of a flow's facts (see `ALWAYS`).
#[inline(always)]
pub fn features(data: u32, purpose: u32, exporter_roles: u32, importer_roles: u32) -> [u64; 2] {
    [
        (u64::from(data) | u64::from(purpose) << 32) | ALWAYS,
        (u64::from(exporter_roles) | u64::from(importer_roles) << 32) | ALWAYS,
    ]
}

/// One rule (route or restriction) over one interval in which its destinations do not change.
/// Kept to one cache line: its dates live in the table's segments, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instance {
    /// Per lane: at least one of these bits must be in the flow (`ALWAYS` bit alone: no condition).
    pub any: [u64; 2],
    /// None of these bits may be in the flow.
    pub none: [u64; 2],
    /// In scope when `subjects - subjects_min` (wrapping) `<= subjects_span`, i.e.
    /// `subjects_min <= subjects <= subjects_min + subjects_span`; flows' counts saturate at u32::MAX.
    pub subjects_min: u32,
    pub subjects_span: u32,
    pub certs_any: u32,
    pub rule: RuleId,
    /// Route preference (kind order); bit 7 (`SAME_SCOPE`) is set by `Table` when the previous
    /// instance of the same list has the same scope, so the scope test can be skipped.
    pub rank: u8,
    pub effect: Effect,
    pub requires: u64,
    pub approval: u64,
}

/// `Instance::rank` flag: same scope as the previous instance of its list.
pub const SAME_SCOPE: u8 = 0x80;

impl Instance {
    /// The route's preference rank (kind order), without flags.
    #[inline(always)]
    pub fn rank(&self) -> u8 {
        self.rank & !SAME_SCOPE
    }

    fn same_scope(&self, other: &Instance) -> bool {
        self.any == other.any
            && self.none == other.none
            && self.subjects_min == other.subjects_min
            && self.subjects_span == other.subjects_span
    }

    /// Whether the instance's scope matches (its dates were already matched by `Table::at`).
    /// A handful of word operations and no branches: on varied flows, branches mispredict.
    #[inline(always)]
    fn in_scope(&self, f: &[u64; 2], subjects: u32) -> bool {
        ((f[0] & self.none[0]) | (f[1] & self.none[1]) == 0)
            & lanes_nonzero(f[0] & self.any[0], f[1] & self.any[1])
            & (subjects.wrapping_sub(self.subjects_min) <= self.subjects_span)
    }
}

/// Rule instances indexed by (jurisdiction, country) and date: the country is the destination
/// for export rules and the origin for import rules. Each pair's timeline is cut into segments in
/// which the same instances are in force, so a decision never looks at a rule of another period.
/// A segment holds `K` lists (for exports: routes and restrictions, so one lookup finds both).
/// Identical lists (most destinations of a law share one) are stored once.
#[derive(Debug, Clone)]
pub struct Table<const K: usize> {
    pub countries: usize,
    /// `[jur * countries + country]` → range in `segments`.
    pub index: Vec<(u32, u32)>,
    /// In day order per pair; a segment lasts until the next one of its pair.
    pub segments: Vec<Segment<K>>,
    /// The lists' instances, each list contiguous (copied, so a decision walks one array).
    pub items: Vec<Instance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Segment<const K: usize> {
    pub from: Day,
    /// Per list kind: a range in `Table::items`.
    pub lists: [(u32, u32); K],
}

/// How a table orders one kind of list: (rank, rule) ascending.
pub type OrderKey = fn(&Instance) -> (u8, u16);

/// A rule instance with the days it is in force (until exclusive).
pub type Dated = (Day, Day, Instance);

impl<const K: usize> Table<K> {
    /// Builds the table from each pair's instances per kind; `key[k]` orders kind k's lists.
    pub fn new(countries: usize, pairs: Vec<[Vec<u32>; K]>, dated: Vec<Dated>, key: [OrderKey; K]) -> Table<K> {
        let mut table =
            Table { countries, index: Vec::with_capacity(pairs.len()), segments: Vec::new(), items: Vec::new() };
        let mut shared_lists: HashMap<Vec<u32>, (u32, u32)> = HashMap::new();
        let mut shared_timelines: HashMap<Vec<Segment<K>>, (u32, u32)> = HashMap::new();
        let in_force = |i: &u32, day: Day| dated[*i as usize].0 <= day && day < dated[*i as usize].1;
        for lists in pairs {
            let mut cuts: Vec<Day> =
                lists.iter().flatten().flat_map(|i| [dated[*i as usize].0, dated[*i as usize].1]).collect();
            cuts.push(Day::MIN);
            cuts.sort_unstable();
            cuts.dedup();
            let mut timeline: Vec<Segment<K>> = Vec::new();
            for day in cuts {
                let ranges: [(u32, u32); K] = std::array::from_fn(|k| {
                    let mut ids: Vec<u32> = lists[k].iter().copied().filter(|i| in_force(i, day)).collect();
                    ids.sort_by_key(|i| key[k](&dated[*i as usize].2));
                    *shared_lists.entry(ids).or_insert_with_key(|ids| {
                        let s = table.items.len() as u32;
                        let mut previous: Option<Instance> = None;
                        for i in ids {
                            let mut item = dated[*i as usize].2;
                            if previous.is_some_and(|p| p.same_scope(&item)) {
                                item.rank |= SAME_SCOPE;
                            }
                            previous = Some(dated[*i as usize].2);
                            table.items.push(item);
                        }
                        (s, table.items.len() as u32)
                    })
                });
                // Same lists as the previous segment: that segment simply lasts longer.
                if timeline.last().is_none_or(|s| s.lists != ranges) {
                    timeline.push(Segment { from: day, lists: ranges });
                }
            }
            // Pairs with the same timeline (most destinations of a law) share one copy.
            let range = *shared_timelines.entry(timeline).or_insert_with_key(|t| {
                let s = table.segments.len() as u32;
                table.segments.extend_from_slice(t);
                (s, table.segments.len() as u32)
            });
            table.index.push(range);
        }
        table
    }

    /// The segment in force for (jurisdiction, country) on `day`.
    #[inline]
    pub fn at(&self, jur: JurId, country: CountryId, day: Day) -> Option<&Segment<K>> {
        let (start, end) = *self.index.get(usize::from(jur) * self.countries + usize::from(country))?;
        self.segments.get(start as usize..end as usize)?.iter().rev().find(|s| s.from <= day)
    }

    /// Kind `k`'s instances of a segment, in the table's order.
    #[inline]
    pub fn list(&self, segment: Option<&Segment<K>>, k: usize) -> impl Iterator<Item = &Instance> {
        let (from, to) = segment.and_then(|s| s.lists.get(k)).copied().unwrap_or((0, 0));
        self.items.get(from as usize..to as usize).unwrap_or(&[]).iter()
    }
}

/// List kinds of the export table.
pub const ROUTES: usize = 0;
pub const RESTRICTIONS: usize = 1;

/// A law's category lattice as eight nibble tables: closing a set of categories is eight lookups
/// and no loop over its bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure([[u32; 16]; 8]);

impl Closure {
    /// From "category bit → every category it implies".
    pub fn new(per_category: &[u32; 32]) -> Closure {
        let mut t = [[0u32; 16]; 8];
        for (n, table) in t.iter_mut().enumerate() {
            for (v, slot) in table.iter_mut().enumerate() {
                *slot = (0..4).filter(|b| v & (1 << b) != 0).fold(0, |acc, b| acc | per_category[n * 4 + b]);
            }
        }
        Closure(t)
    }

    #[inline(always)]
    pub fn close(&self, data: u32) -> u32 {
        self.0.iter().enumerate().fold(0, |acc, (n, table)| acc | table[((data >> (n * 4)) & 15) as usize])
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
    /// The destination's jurisdiction, when its import restrictions were consulted (a law that
    /// governs the destination has import restrictions).
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
#[derive(Debug, Clone)]
pub struct Tables {
    /// Per country: governance periods (`governance_index[c]` is a range in `governance`).
    pub governance_index: Vec<(u32, u32)>,
    pub governance: Vec<Governance>,
    /// Per jurisdiction: the categories a set of categories implies under that law, by nibble.
    pub closure: Vec<Closure>,
    /// Routes and export restrictions, by (exporting jurisdiction, destination).
    pub exports: Table<2>,
    /// Import restrictions, by (destination's jurisdiction, origin).
    pub imports: Table<1>,
    /// Mechanisms that always need an authority.
    pub authority: u64,
    /// Per country: some law that ever governs it has import restrictions (else the destination's
    /// law is not looked up at all).
    pub import_rules_for: Vec<bool>,
}

impl Tables {
    /// The jurisdiction governing exports from `country` on `day`.
    #[inline]
    pub fn jurisdiction_of(&self, country: CountryId, day: Day) -> Option<JurId> {
        let (start, end) = self.governance_index.get(usize::from(country)).copied()?;
        self.governance
            .get(start as usize..end as usize)?
            .iter()
            .find(|g| day >= g.from && day < g.until)
            .map(|g| g.jur)
    }

    /// Whether any jurisdiction governs exports from `country` at any time.
    pub fn governs_ever(&self, country: CountryId) -> bool {
        self.governance_index.get(usize::from(country)).is_some_and(|(s, e)| e > s)
    }

    #[inline]
    fn close(&self, jur: JurId, data: u32) -> u32 {
        self.closure.get(usize::from(jur)).map_or(data, |c| c.close(data))
    }

    /// Decides a flow. Pure, deterministic, and allocation-free.
    pub fn decide(&self, flow: &Flow) -> Result<Decision, DecideError> {
        let day = flow.as_of;
        let exporter =
            self.jurisdiction_of(flow.from, day).ok_or(DecideError::NoJurisdiction { country: flow.from, day })?;
        // The destination's law is only looked up when some law has import restrictions.
        let importer = if self.import_rules_for.get(usize::from(flow.to)).copied().unwrap_or(false) {
            self.jurisdiction_of(flow.to, day)
        } else {
            None
        };
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
        let purpose = flow.purpose.map_or(0, |p| 1u32 << (p & 31));
        let subjects = u32::try_from(flow.subjects).unwrap_or(u32::MAX);
        let facts = features(data, purpose, flow.exporter_roles, flow.importer_roles);
        let segment = self.exports.at(exporter, flow.to, day);

        // Restrictions first: the exporter's on this destination, then the destination's on this origin.
        let mut denied = false;
        for (i, inst) in self.exports.list(segment, RESTRICTIONS).enumerate() {
            if inst.in_scope(&facts, subjects) {
                d.export_matched |= 1u64 << (i & 63);
                denied |= apply(inst, &mut d);
            }
        }
        if let Some(j) = importer {
            let segment = self.imports.at(j, flow.from, day);
            if segment.is_some_and(|s| s.lists[0].1 > s.lists[0].0) {
                let facts = features(self.close(j, flow.data), purpose, flow.exporter_roles, flow.importer_roles);
                for (i, inst) in self.imports.list(segment, 0).enumerate() {
                    if inst.in_scope(&facts, subjects) {
                        d.import_matched |= 1u64 << (i & 63);
                        denied |= apply(inst, &mut d);
                    }
                }
            }
        }
        if denied {
            d.verdict = Verdict::Deny;
            return Ok(d);
        }

        // Then the routes out of the exporter's jurisdiction, most preferred first: the first
        // one that is met is the basis.
        let mut best: Option<(u8, RuleId)> = None;
        let mut conditional = false;
        let mut scope = false;
        for (i, inst) in self.exports.list(segment, ROUTES).enumerate() {
            // Consecutive routes often share a scope (a law's derogations): test it once.
            if inst.rank & SAME_SCOPE == 0 {
                scope = inst.in_scope(&facts, subjects);
            }
            if !scope {
                continue;
            }
            let missing = (inst.requires | d.extra_requires) & !flow.safeguards;
            let certified = (inst.certs_any == 0) | (flow.certifications & inst.certs_any != 0);
            if missing == 0 && certified {
                best = Some((inst.rank(), inst.rule));
                break;
            }
            d.candidates |= 1u64 << (i & 63);
            conditional |= missing & (inst.approval | d.extra_approval | self.authority) == 0;
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
        let export = self
            .exports
            .list(self.exports.at(d.exporter, flow.to, flow.as_of), RESTRICTIONS)
            .enumerate()
            .filter(move |(i, _)| d.export_matched & (1u64 << (i & 63)) != 0);
        let import = d
            .importer
            .into_iter()
            .flat_map(move |j| self.imports.list(self.imports.at(j, flow.from, flow.as_of), 0).enumerate())
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
        for (i, inst) in self.exports.list(self.exports.at(d.exporter, flow.to, flow.as_of), ROUTES).enumerate() {
            if d.candidates & (1u64 << (i & 63)) == 0 {
                continue;
            }
            let missing = (inst.requires | d.extra_requires) & !flow.safeguards;
            let certified = inst.certs_any == 0 || flow.certifications & inst.certs_any != 0;
            let approval = missing & (inst.approval | d.extra_approval | self.authority) != 0;
            let certs = if certified { 0 } else { inst.certs_any };
            add_option(&mut options, Opt { missing, certs, approval, rule: inst.rule, rank: inst.rank() });
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
