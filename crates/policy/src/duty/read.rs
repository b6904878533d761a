//! A parsed duty ([`DutyRule`]) read as a [`Duty`].
//!
//! The transform duties (`dfft:pseudonymize`, `dfft:drop`, `dfft:generalize`, `dfft:exclude`,
//! `dfft:kAnonymity`, `dfft:encrypt`) are read strictly: a data plane applies exactly what they
//! say, so a term it would have to guess at (an unknown operand, a list where one value is meant,
//! a logical constraint, a granularity it does not know) is an error naming the constraint and
//! what would be accepted, and [`crate::Policy::parse`] refuses the policy. Other duties are read
//! as before: `delete` by its deadline constraints, anything else as [`Duty::Other`].

use super::Duty;
use crate::model::{Atomic, Constraint, DutyRule, PolicyError, Right};
use crate::vocab::LeftOperand;

fn error(path: &str, message: String) -> PolicyError {
    PolicyError { path: path.to_owned(), message }
}

impl Duty {
    /// The meaning of a duty, or [`Duty::Other`] with its action when a transform duty is
    /// malformed (which [`crate::Policy::parse`] already refuses; see [`Duty::parse`]).
    pub fn of(rule: &DutyRule) -> Duty {
        Duty::parse(rule).unwrap_or_else(|_| Duty::Other { action: rule.action.clone() })
    }

    /// The meaning of a duty; a malformed transform duty is an error naming the constraint (or
    /// the duty) and what would be accepted.
    pub fn parse(rule: &DutyRule) -> Result<Duty, PolicyError> {
        Ok(match rule.action.as_str() {
            "delete" => delete(rule),
            "dfft:noOnwardTransfer" => Duty::NoOnwardTransfer,
            "dfft:pseudonymize" => {
                let [fields] = Terms::read(rule, [FIELDS])?;
                Duty::Pseudonymize { fields: fields.unwrap_or_default() }
            }
            "dfft:drop" => {
                let [fields] = Terms::read(rule, [FIELDS])?;
                Duty::Drop { fields: required(rule, fields, &FIELDS)? }
            }
            "dfft:generalize" => {
                let [field, to] = Terms::read(rule, [FIELD, GRANULARITY])?;
                let to = one(required(rule, to, &GRANULARITY)?);
                check_granularity(&to).map_err(|message| error(&rule.path, message))?;
                Duty::Generalize { field: one(required(rule, field, &FIELD)?), to }
            }
            "dfft:exclude" => {
                let [field, values] = Terms::read(rule, [FIELD, VALUES])?;
                Duty::Exclude { field: one(required(rule, field, &FIELD)?), values: required(rule, values, &VALUES)? }
            }
            "dfft:kAnonymity" => {
                let [k, fields] = Terms::read(rule, [K, FIELDS])?;
                let k = one(required(rule, k, &K)?);
                let k = match k.trim().parse::<u64>() {
                    Ok(k) if k >= 1 => k,
                    _ => return Err(error(&rule.path, format!("dfft:k `{k}` is not an integer ≥ 1; expected e.g. {{\"@value\": \"5\", \"@type\": \"xsd:integer\"}}"))),
                };
                Duty::KAnonymity { k, quasi_identifiers: required(rule, fields, &FIELDS)? }
            }
            "dfft:encrypt" => {
                let [] = Terms::read(rule, [])?;
                Duty::Encrypt
            }
            other => Duty::Other { action: other.to_owned() },
        })
    }
}

fn delete(rule: &DutyRule) -> Duty {
    let atomics = || {
        rule.constraints.iter().filter_map(|c| match c {
            Constraint::Atomic(atomic) => Some(atomic),
            Constraint::Logical(_) => None,
        })
    };
    Duty::Delete {
        within: atomics()
            .find(|a| a.left == LeftOperand::ElapsedTime && matches!(a.right, Right::Duration(_)))
            .map(|a| a.right_text.clone()),
        by: atomics()
            .find(|a| a.left == LeftOperand::DateTime && matches!(a.right, Right::When(_)))
            .map(|a| a.right_text.clone()),
    }
}

/// Whether `to` is a granularity the dfft vocabulary defines: `year`, `month`, `band:<width>`
/// or `prefix:<n>` (width and n positive integers). The error says which are.
pub(crate) fn check_granularity(to: &str) -> Result<(), String> {
    let positive = |n: &str| n.parse::<u32>().is_ok_and(|n| n > 0);
    let ok = match to.split_once(':') {
        None => to == "year" || to == "month",
        Some(("band", width)) => positive(width),
        Some(("prefix", n)) => positive(n),
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "granularity `{to}` is not one of year, month, band:<width>, prefix:<n> (width and n positive integers, e.g. band:10, prefix:3)"
        ))
    }
}

/// One parameter a transform duty takes: its left operand (compact), whether it takes a list
/// (`isAnyOf`, or `eq` with one value) or exactly one value (`eq`), and an example.
struct Term {
    operand: &'static str,
    list: bool,
    example: &'static str,
}

const FIELD: Term = Term { operand: "dfft:field", list: false, example: "dfft:field eq \"birth_date\"" };
const FIELDS: Term = Term { operand: "dfft:field", list: true, example: "dfft:field isAnyOf [\"name\", \"email\"]" };
const GRANULARITY: Term = Term { operand: "dfft:granularity", list: false, example: "dfft:granularity eq \"year\"" };
const VALUES: Term = Term { operand: "dfft:value", list: true, example: "dfft:value isAnyOf [\"S-17\", \"S-42\"]" };
const K: Term =
    Term { operand: "dfft:k", list: false, example: "dfft:k eq {\"@value\": \"5\", \"@type\": \"xsd:integer\"}" };

/// The values of each expected term, in the order asked for (`None` = not given).
struct Terms;

impl Terms {
    fn read<const N: usize>(rule: &DutyRule, expected: [Term; N]) -> Result<[Option<Vec<String>>; N], PolicyError> {
        let mut found: [Option<Vec<String>>; N] = std::array::from_fn(|_| None);
        let names = || {
            let names: Vec<&str> = expected.iter().map(|t| t.operand).collect();
            if names.is_empty() {
                format!("{} takes no constraint", rule.action)
            } else {
                format!("{} takes {}", rule.action, names.join(" and "))
            }
        };
        for constraint in &rule.constraints {
            let atomic: &Atomic = match constraint {
                Constraint::Atomic(atomic) => atomic,
                Constraint::Logical(logical) => {
                    return Err(error(
                        &logical.path,
                        format!("{}, as plain constraints, not `{}`", names(), logical.op.name()),
                    ))
                }
            };
            let operand = atomic.left.name();
            let Some(i) = expected.iter().position(|t| t.operand == operand) else {
                return Err(error(&atomic.path, format!("`{operand}` is not a term of this duty: {}", names())));
            };
            let term = &expected[i];
            let operator = atomic.operator.name();
            let values = &atomic.right_values;
            let shape_ok = match operator {
                "eq" => values.len() == 1,
                "isAnyOf" => term.list && !values.is_empty(),
                _ => false,
            };
            if !shape_ok || values.iter().any(|v| v.trim().is_empty()) {
                let how = if term.list {
                    "`isAnyOf` with non-empty values (or `eq` with one)"
                } else {
                    "`eq` with one non-empty value"
                };
                return Err(error(
                    &atomic.path,
                    format!(
                        "`{operand} {operator} {}`: {operand} takes {how}, e.g. {}",
                        atomic.right_text, term.example
                    ),
                ));
            }
            if found[i].is_some() {
                return Err(error(
                    &atomic.path,
                    format!("`{operand}` is given twice; give it once, e.g. {}", term.example),
                ));
            }
            found[i] = Some(values.clone());
        }
        Ok(found)
    }
}

/// A term the duty cannot do without.
fn required(rule: &DutyRule, values: Option<Vec<String>>, term: &Term) -> Result<Vec<String>, PolicyError> {
    values.ok_or_else(|| error(&rule.path, format!("{} needs the constraint {}", rule.action, term.example)))
}

/// The one value of a single-valued term (checked by [`Terms::read`]).
fn one(values: Vec<String>) -> String {
    values.into_iter().next().unwrap_or_default()
}
