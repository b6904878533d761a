//! Random but valid flows from a fixed seed, for property tests and benchmarks. Subject counts
//! are drawn around every threshold the rulebook names, so both sides of each are exercised.

use crate::day::Day;
use crate::engine::Flow;
use crate::rulebook::Rulebook;

/// Generates flows over a rulebook's whole vocabulary.
pub struct FlowGen<'a> {
    rulebook: &'a Rulebook,
    rng: fastrand::Rng,
    exporters: Vec<u16>,
    subjects: Vec<u64>,
    first: Day,
    last: Day,
}

impl<'a> FlowGen<'a> {
    pub fn new(rulebook: &'a Rulebook, seed: u64) -> FlowGen<'a> {
        let mut exporters: Vec<u16> =
            rulebook.jurisdictions.iter().flat_map(|j| j.members.iter().map(|m| m.0)).collect();
        exporters.sort_unstable();
        exporters.dedup();
        let mut subjects = vec![0, 1, 50, 1_000, 5_000, 1_000_000, 10_000_000];
        for r in &rulebook.written.jurisdictions {
            for rule in r.1.routes.iter().chain(&r.1.restrictions) {
                for n in rule.subjects_above.iter().chain(&rule.subjects_up_to) {
                    subjects.extend([n.saturating_sub(1), *n, n.saturating_add(1)]);
                }
            }
        }
        subjects.sort_unstable();
        subjects.dedup();
        let first = Day::parse("2018-01-01").unwrap_or(Day(2_458_120));
        let last = Day::parse("2027-12-31").unwrap_or(Day(2_461_771));
        FlowGen { rulebook, rng: fastrand::Rng::with_seed(seed), exporters, subjects, first, last }
    }

    fn mask(&mut self, len: usize, p_each: f64) -> u64 {
        let mut m = 0u64;
        for i in 0..len.min(64) {
            if self.rng.f64() < p_each {
                m |= 1u64 << i;
            }
        }
        m
    }

    /// The next random flow. The exporter is always a country some jurisdiction governs.
    pub fn flow(&mut self) -> Flow {
        let v = &self.rulebook.vocab;
        let countries = self.rulebook.countries.len();
        let from = self.exporters[self.rng.usize(..self.exporters.len().max(1))];
        // Destinations: half the time another covered country, so the interesting pairs recur.
        let to = if self.rng.bool() {
            self.exporters[self.rng.usize(..self.exporters.len().max(1))]
        } else {
            u16::try_from(self.rng.usize(..countries.max(1))).unwrap_or(0)
        };
        let ncat = v.categories.len();
        let mut data = self.mask(ncat, 1.5 / ncat.max(1) as f64) as u32;
        if data == 0 {
            data = 1 << self.rng.usize(..ncat.max(1));
        }
        let subjects = if self.rng.u8(..4) == 0 {
            self.rng.u64(..20_000_000)
        } else {
            self.subjects[self.rng.usize(..self.subjects.len())]
        };
        let purpose = if self.rng.u8(..8) == 0 { None } else { Some(self.rng.u8(..v.purposes.len().max(1) as u8)) };
        let roles = v.roles.len();
        Flow {
            from,
            to,
            data,
            subjects,
            purpose,
            exporter_roles: self.mask(roles, 0.1) as u32,
            importer_roles: self.mask(roles, 0.15) as u32,
            certifications: self.mask(v.certifications.len(), 0.12) as u32,
            safeguards: self.mask(v.mechanisms.len(), 0.1),
            as_of: Day(self.rng.i32(self.first.0..=self.last.0)),
        }
    }

    /// A random mechanism bit, for "add one safeguard" properties.
    pub fn mechanism(&mut self) -> u64 {
        1u64 << self.rng.usize(..self.rulebook.vocab.mechanisms.len().clamp(1, 64))
    }
}
