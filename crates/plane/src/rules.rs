//! The plan as the row loops use it: what happens to each field's values, looked up by name,
//! with the pseudonym MACs keyed once per field.

use std::collections::{HashMap, HashSet};

use crate::generalization::{Fit, Generalization};
use crate::plan::Plan;
use crate::pseudonym::FieldKey;

/// What happens to one field.
pub(crate) enum Rule {
    Keep,
    Drop,
    Pseudonymize(FieldKey),
    Generalize(Generalization),
}

impl Rule {
    /// The released form of `value`: `value` itself when kept, else written to `scratch`. An
    /// empty value stays empty (there is nothing to hide). Values that do not fit their
    /// generalization are counted in `suppressed`.
    pub(crate) fn release<'a>(&self, value: &'a [u8], scratch: &'a mut Vec<u8>, suppressed: &mut u64) -> &'a [u8] {
        match self {
            Rule::Keep | Rule::Drop => value,
            Rule::Pseudonymize(_) | Rule::Generalize(_) if value.is_empty() => value,
            Rule::Pseudonymize(key) => {
                key.write(value, scratch);
                scratch
            }
            Rule::Generalize(generalization) => {
                if generalization.apply(value, scratch) == Fit::Suppressed {
                    *suppressed += 1;
                }
                scratch
            }
        }
    }
}

/// The plan's rules by field name.
pub(crate) struct Rules<'p> {
    by_field: HashMap<&'p str, Rule>,
    /// Rows whose field (as read) is one of the values are left out.
    pub excludes: &'p [(String, HashSet<String>)],
    /// `k` and the quasi-identifiers that are released (a dropped one is not part of the groups).
    pub k_anonymity: Option<(u64, Vec<&'p str>)>,
}

const KEEP: Rule = Rule::Keep;

impl<'p> Rules<'p> {
    /// Drop wins over the other transforms of a field, pseudonymize over generalize (which
    /// [`Plan::validate`] refuses together anyway).
    pub(crate) fn new(plan: &'p Plan) -> Rules<'p> {
        let mut by_field = HashMap::new();
        for (field, generalization) in plan.generalize.iter().rev() {
            by_field.insert(field.as_str(), Rule::Generalize(*generalization));
        }
        for field in &plan.pseudonymize {
            by_field.insert(field.as_str(), Rule::Pseudonymize(FieldKey::new(&plan.pseudonym_key, field)));
        }
        for field in &plan.drop {
            by_field.insert(field.as_str(), Rule::Drop);
        }
        let k_anonymity = plan.k_anonymity.as_ref().map(|(k, fields)| {
            let released = fields.iter().map(String::as_str).filter(|f| !plan.drop.iter().any(|d| d == f)).collect();
            (u64::try_from(*k).unwrap_or(u64::MAX), released)
        });
        Rules { by_field, excludes: &plan.exclude, k_anonymity }
    }

    pub(crate) fn rule(&self, field: &str) -> &Rule {
        self.by_field.get(field).unwrap_or(&KEEP)
    }
}

/// Appends one quasi-identifier value (`None`: absent or null) to a group key, length-prefixed so
/// that values cannot run into each other.
pub(crate) fn push_group_value(key: &mut Vec<u8>, value: Option<&[u8]>) {
    match value {
        None => key.push(0),
        Some(value) => {
            key.push(1);
            key.extend_from_slice(&(value.len() as u64).to_le_bytes());
            key.extend_from_slice(value);
        }
    }
}

/// How many rows each group key has (k-anonymity's first pass). Memory grows with the number of
/// distinct groups, not with rows.
#[derive(Default)]
pub(crate) struct Groups(HashMap<Box<[u8]>, u64>);

impl Groups {
    pub(crate) fn add(&mut self, key: &[u8]) {
        match self.0.get_mut(key) {
            Some(count) => *count += 1,
            None => {
                self.0.insert(key.into(), 1);
            }
        }
    }

    pub(crate) fn count(&self, key: &[u8]) -> u64 {
        self.0.get(key).copied().unwrap_or(0)
    }
}
