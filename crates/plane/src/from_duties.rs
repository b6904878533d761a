//! A plan from the duties of an agreement ([`policy::Duty`], e.g. `Evaluation::duties`).
//!
//! Duties that are not transforms of the bytes (delete, no onward transfer, encrypt — the
//! transport's business — and other ODRL duties such as `inform`) are not part of the plan. A
//! transform the plane does not apply is an error, so the transfer does not start: any other dfft
//! action, ODRL's `anonymize` and `watermark`, and pseudonymization that names no fields (it
//! means every direct identifier, which the plane cannot tell).

use policy::Duty;

use crate::error::PlanError;
use crate::format::Format;
use crate::generalization::Generalization;
use crate::plan::Plan;

/// ODRL duties that change the data in ways this plane does not implement.
const UNSUPPORTED_ODRL: [&str; 2] = ["anonymize", "watermark"];

/// What the plane applies, for error messages.
const APPLIED: &str =
    "dfft:drop, dfft:pseudonymize (with named fields), dfft:generalize, dfft:exclude, dfft:kAnonymity";

fn push_new(list: &mut Vec<String>, items: &[String]) {
    for item in items {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
}

impl Plan {
    /// The plan for `duties` over data in `format`, with the agreement's pseudonym key.
    ///
    /// Several duties of one kind add up: fields to drop or pseudonymize and excluded values are
    /// joined; two k-anonymity duties become one with the larger k over both sets of
    /// quasi-identifiers (groups over the union are finer, so each duty still holds).
    pub fn from_duties(format: Format, duties: &[Duty], pseudonym_key: [u8; 32]) -> Result<Plan, PlanError> {
        let mut plan = Plan { pseudonym_key, ..Plan::none(format) };
        for duty in duties {
            match duty {
                Duty::Delete { .. } | Duty::NoOnwardTransfer | Duty::Encrypt => {}
                Duty::Pseudonymize { fields } if fields.is_empty() => {
                    return Err(PlanError::Unsupported {
                        action: "dfft:pseudonymize".into(),
                        reason: "it names no fields, which means every direct identifier, and the data plane cannot tell which fields those are; name them (dfft:field isAnyOf [...])".into(),
                    })
                }
                Duty::Pseudonymize { fields } => push_new(&mut plan.pseudonymize, fields),
                Duty::Drop { fields } => push_new(&mut plan.drop, fields),
                Duty::Generalize { field, to } => {
                    let generalization = to.parse::<Generalization>().map_err(|reason| PlanError::Unsupported {
                        action: "dfft:generalize".into(),
                        reason: format!("of `{field}`: {reason}"),
                    })?;
                    if !plan.generalize.contains(&(field.clone(), generalization)) {
                        plan.generalize.push((field.clone(), generalization));
                    }
                }
                Duty::Exclude { field, values } => match plan.exclude.iter_mut().find(|(f, _)| f == field) {
                    Some((_, set)) => set.extend(values.iter().cloned()),
                    None => plan.exclude.push((field.clone(), values.iter().cloned().collect())),
                },
                Duty::KAnonymity { k, quasi_identifiers } => {
                    let k = usize::try_from(*k).map_err(|_| PlanError::Unsupported {
                        action: "dfft:kAnonymity".into(),
                        reason: format!("k = {k} is more rows than this machine can count"),
                    })?;
                    let (current, fields) = plan.k_anonymity.get_or_insert_with(|| (k, Vec::new()));
                    *current = (*current).max(k);
                    push_new(fields, quasi_identifiers);
                }
                Duty::Other { action } if action.starts_with("dfft:") || UNSUPPORTED_ODRL.contains(&action.as_str()) => {
                    return Err(PlanError::Unsupported {
                        action: action.clone(),
                        reason: format!("it is not a transform this data plane applies ({APPLIED})"),
                    })
                }
                Duty::Other { .. } => {}
            }
        }
        plan.validate()?;
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [1; 32];

    fn plan(duties: &[Duty]) -> Result<Plan, PlanError> {
        Plan::from_duties(Format::Csv, duties, KEY)
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn transform_duties_make_the_plan_and_others_are_left_out() {
        let duties = [
            Duty::Delete { within: Some("P30D".into()), by: None },
            Duty::Drop { fields: strings(&["email"]) },
            Duty::Pseudonymize { fields: strings(&["name", "phone"]) },
            Duty::Pseudonymize { fields: strings(&["phone", "id"]) },
            Duty::Generalize { field: "birth_date".into(), to: "year".into() },
            Duty::Generalize { field: "postcode".into(), to: "prefix:3".into() },
            Duty::Exclude { field: "id".into(), values: strings(&["1", "2"]) },
            Duty::Exclude { field: "id".into(), values: strings(&["2", "3"]) },
            Duty::KAnonymity { k: 3, quasi_identifiers: strings(&["birth_date"]) },
            Duty::KAnonymity { k: 5, quasi_identifiers: strings(&["postcode", "birth_date"]) },
            Duty::Encrypt,
            Duty::NoOnwardTransfer,
            Duty::Other { action: "inform".into() },
        ];
        let plan = plan(&duties).expect("a plan");
        assert_eq!(plan.pseudonym_key, KEY);
        assert_eq!(plan.drop, ["email"]);
        assert_eq!(plan.pseudonymize, ["name", "phone", "id"]);
        assert_eq!(
            plan.generalize,
            [("birth_date".into(), Generalization::Year), ("postcode".into(), Generalization::Prefix(3))]
        );
        assert_eq!(plan.exclude, [("id".into(), ["1", "2", "3"].map(String::from).into())]);
        assert_eq!(plan.k_anonymity, Some((5, strings(&["birth_date", "postcode"]))));

        let none = Plan::from_duties(Format::Ndjson, &[Duty::Encrypt, Duty::NoOnwardTransfer], KEY).expect("a plan");
        assert!(none.is_identity());
    }

    #[test]
    fn transforms_it_cannot_apply_are_errors_naming_them() {
        let unknown = plan(&[Duty::Other { action: "dfft:shuffle".into() }]).expect_err("refused");
        assert!(matches!(&unknown, PlanError::Unsupported { action, .. } if action == "dfft:shuffle"));
        assert!(unknown.to_string().starts_with("the data plane cannot apply the duty `dfft:shuffle`"), "{unknown}");
        assert!(unknown.to_string().contains("dfft:generalize"), "{unknown}");
        assert!(plan(&[Duty::Other { action: "anonymize".into() }]).is_err());

        let bad = plan(&[Duty::Generalize { field: "age".into(), to: "decade".into() }]).expect_err("refused");
        assert!(bad.to_string().contains("`dfft:generalize`: of `age`: `decade` is not one of year"), "{bad}");

        let everything = plan(&[Duty::Pseudonymize { fields: vec![] }]).expect_err("refused");
        assert!(everything.to_string().contains("names no fields"), "{everything}");

        let conflict = plan(&[
            Duty::Pseudonymize { fields: strings(&["age"]) },
            Duty::Generalize { field: "age".into(), to: "band:10".into() },
        ]);
        assert!(matches!(conflict, Err(PlanError::Invalid { field, .. }) if field == "age"));
    }
}
