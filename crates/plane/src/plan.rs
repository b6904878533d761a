//! A plan: the transforms one transfer applies, in the order they apply.
//!
//! 1. exclude: rows whose field has an excluded value (as read, before any transform) are left out;
//! 2. drop: the fields are removed;
//! 3. pseudonymize and generalize: each field's values are replaced;
//! 4. k-anonymity: rows whose combination of (transformed) quasi-identifier values is shared by
//!    fewer than k rows written are left out, so generalizing helps reach k.
//!
//! A dropped field is not released, so the other transforms of it do not matter and a dropped
//! quasi-identifier is not part of the groups. A field both pseudonymized and generalized, or
//! generalized two ways, is refused: which to apply would be a guess.

use std::collections::HashSet;

use crate::error::PlanError;
use crate::format::Format;
use crate::generalization::Generalization;

/// The transforms one transfer applies (see the module docs for their order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub format: Format,
    /// Fields removed.
    pub drop: Vec<String>,
    /// Fields whose values become keyed pseudonyms ([`crate::pseudonym`]); an empty value stays
    /// empty.
    pub pseudonymize: Vec<String>,
    /// The agreement's pseudonym key; the caller derives it (e.g. HMAC(node secret, agreement
    /// id)) so it is stable for one agreement and differs between agreements.
    pub pseudonym_key: [u8; 32],
    /// Fields coarsened, each at most once.
    pub generalize: Vec<(String, Generalization)>,
    /// Rows whose field (as read) is one of the values are left out; values match exactly.
    pub exclude: Vec<(String, HashSet<String>)>,
    /// `(k, quasi-identifiers)`: rows in groups of fewer than k are left out.
    pub k_anonymity: Option<(usize, Vec<String>)>,
}

impl Plan {
    /// No transforms: the output is the input, byte for byte.
    pub fn none(format: Format) -> Plan {
        Plan {
            format,
            drop: Vec::new(),
            pseudonymize: Vec::new(),
            pseudonym_key: [0; 32],
            generalize: Vec::new(),
            exclude: Vec::new(),
            k_anonymity: None,
        }
    }

    /// Whether the plan changes nothing (then [`crate::apply`] copies the bytes).
    pub fn is_identity(&self) -> bool {
        self.drop.is_empty()
            && self.pseudonymize.is_empty()
            && self.generalize.is_empty()
            && self.exclude.is_empty()
            && self.k_anonymity.is_none()
    }

    /// What the plan does in short words, for the transfer's record, e.g. `["drop email",
    /// "pseudonymize name, phone", "generalize birth_date to year", "exclude 3 values of
    /// subject_id", "k-anonymity k=5 over age, region"]`. Empty for the identity plan.
    pub fn describe(&self) -> Vec<String> {
        let mut words = Vec::new();
        if !self.drop.is_empty() {
            words.push(format!("drop {}", self.drop.join(", ")));
        }
        if !self.pseudonymize.is_empty() {
            words.push(format!("pseudonymize {}", self.pseudonymize.join(", ")));
        }
        for (field, generalization) in &self.generalize {
            words.push(format!("generalize {field} to {}", generalization.words()));
        }
        for (field, values) in &self.exclude {
            let plural = if values.len() == 1 { "" } else { "s" };
            words.push(format!("exclude {} value{plural} of {field}", values.len()));
        }
        if let Some((k, fields)) = &self.k_anonymity {
            words.push(format!("k-anonymity k={k} over {}", fields.join(", ")));
        }
        words
    }

    /// Every field the plan names, with the transform that names it.
    pub(crate) fn named_fields(&self) -> impl Iterator<Item = (&str, &'static str)> {
        let drop = self.drop.iter().map(|f| (f.as_str(), "drop"));
        let pseudonymize = self.pseudonymize.iter().map(|f| (f.as_str(), "pseudonymize"));
        let generalize = self.generalize.iter().map(|(f, _)| (f.as_str(), "generalize"));
        let exclude = self.exclude.iter().map(|(f, _)| (f.as_str(), "exclude rows by"));
        let quasi = self.k_anonymity.iter().flat_map(|(_, fields)| fields.iter().map(|f| (f.as_str(), "group by")));
        drop.chain(pseudonymize).chain(generalize).chain(exclude).chain(quasi)
    }

    /// Checks that the transforms fit together: no field pseudonymized and generalized, or
    /// generalized two ways; no band of width 0.
    pub fn validate(&self) -> Result<(), PlanError> {
        let dropped = |field: &str| self.drop.iter().any(|d| d == field);
        for (i, (field, generalization)) in self.generalize.iter().enumerate() {
            if dropped(field) {
                continue;
            }
            if *generalization == Generalization::Band(0) {
                return Err(PlanError::Invalid { field: field.clone(), reason: "a band is at least 1 wide".into() });
            }
            if self.pseudonymize.contains(field) {
                return Err(PlanError::Invalid {
                    field: field.clone(),
                    reason: format!("it is both pseudonymized and generalized to {generalization}; choose one"),
                });
            }
            if let Some((_, other)) = self.generalize[..i].iter().find(|(f, g)| f == field && g != generalization) {
                return Err(PlanError::Invalid {
                    field: field.clone(),
                    reason: format!("it is generalized both to {other} and to {generalization}; choose one"),
                });
            }
        }
        Ok(())
    }

    /// Checks the plan against the fields the data has (the CSV header or the first NDJSON
    /// object's keys): every field it names must be one of them.
    pub fn check_fields<S: AsRef<str>>(&self, existing: &[S]) -> Result<(), PlanError> {
        let has = |name: &str| existing.iter().any(|e| e.as_ref() == name);
        match self.named_fields().find(|(field, _)| !has(field)) {
            None => Ok(()),
            Some((field, transform)) => Err(PlanError::UnknownField {
                field: field.to_owned(),
                transform,
                existing: existing.iter().map(|e| e.as_ref().to_owned()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            drop: vec!["email".into()],
            pseudonymize: vec!["name".into(), "phone".into()],
            generalize: vec![("birth_date".into(), Generalization::Year), ("age".into(), Generalization::Band(10))],
            exclude: vec![("subject_id".into(), ["S1", "S2", "S3"].map(String::from).into())],
            k_anonymity: Some((5, vec!["age".into(), "region".into()])),
            ..Plan::none(Format::Csv)
        }
    }

    #[test]
    fn it_describes_itself() {
        assert_eq!(
            plan().describe(),
            [
                "drop email",
                "pseudonymize name, phone",
                "generalize birth_date to year",
                "generalize age to bands of 10",
                "exclude 3 values of subject_id",
                "k-anonymity k=5 over age, region"
            ]
        );
        assert!(Plan::none(Format::Ndjson).describe().is_empty());
        assert!(Plan::none(Format::Ndjson).is_identity());
        assert!(!plan().is_identity());
    }

    #[test]
    fn unknown_fields_are_named_with_the_existing_ones() {
        let fields = ["email", "name", "phone", "birth_date", "age", "subject_id"];
        let error = plan().check_fields(&fields).expect_err("refused");
        assert_eq!(
            error,
            PlanError::UnknownField {
                field: "region".into(),
                transform: "group by",
                existing: fields.map(String::from).to_vec()
            }
        );
        assert_eq!(
            error.to_string(),
            "field `region` (to group by) is not in the data; its fields are: email, name, phone, birth_date, age, subject_id"
        );
        assert!(plan().check_fields(&[&fields[..], &["region"]].concat()).is_ok());
        let error = Plan { drop: vec!["e-mail".into()], ..Plan::none(Format::Csv) }.check_fields(&["email"]);
        assert_eq!(
            error.expect_err("refused").to_string(),
            "field `e-mail` (to drop) is not in the data; its fields are: email"
        );
    }

    #[test]
    fn conflicting_transforms_are_refused() {
        assert!(plan().validate().is_ok());
        let both = Plan { pseudonymize: vec!["age".into()], ..plan() };
        assert_eq!(
            both.validate().expect_err("refused").to_string(),
            "field `age`: it is both pseudonymized and generalized to band:10; choose one"
        );
        let mut twice = plan();
        twice.generalize.push(("age".into(), Generalization::Band(5)));
        assert!(twice.validate().expect_err("refused").to_string().contains("both to band:10 and to band:5"));
        let mut same = plan();
        same.generalize.push(("age".into(), Generalization::Band(10)));
        assert!(same.validate().is_ok());
        let zero = Plan { generalize: vec![("age".into(), Generalization::Band(0))], ..plan() };
        assert!(zero.validate().expect_err("refused").to_string().contains("at least 1 wide"));
        let dropped = Plan { drop: vec!["age".into()], ..both };
        assert!(dropped.validate().is_ok(), "a dropped field is not released: its other transforms do not matter");
    }
}
