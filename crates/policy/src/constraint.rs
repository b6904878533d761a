//! Constraints: each supported left operand against the facts, and the logical constraints in
//! three-valued logic (satisfied, violated, unknown).
//!
//! - `and`, `andSequence`: violated if any item is, else unknown if any is, else satisfied.
//!   (`andSequence` adds an order of fulfilment that a single evaluation cannot observe.)
//! - `or`: satisfied if any item is, else unknown if any is, else violated.
//! - `xone`: satisfied if exactly one item is and none is unknown; violated if two or more are,
//!   or none is and none is unknown; otherwise unknown.

use std::cmp::Ordering;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::facts::Facts;
use crate::model::{Atomic, Constraint, Logical, LogicalOp, Right};
use crate::report::{ConstraintReport, Satisfaction};
use crate::vocab::{LeftOperand, Operator};

/// Evaluates a constraint and everything in it.
pub fn check(constraint: &Constraint, facts: &Facts) -> ConstraintReport {
    match constraint {
        Constraint::Atomic(atomic) => check_atomic(atomic, facts),
        Constraint::Logical(logical) => check_logical(logical, facts),
    }
}

fn check_logical(logical: &Logical, facts: &Facts) -> ConstraintReport {
    let children: Vec<ConstraintReport> = logical.items.iter().map(|c| check(c, facts)).collect();
    let count = |state| children.iter().filter(|c| c.state == state).count();
    let (satisfied, unknown, violated) =
        (count(Satisfaction::Satisfied), count(Satisfaction::Unknown), count(Satisfaction::Violated));
    let state = match logical.op {
        LogicalOp::And | LogicalOp::AndSequence if violated > 0 => Satisfaction::Violated,
        LogicalOp::And | LogicalOp::AndSequence if unknown > 0 => Satisfaction::Unknown,
        LogicalOp::And | LogicalOp::AndSequence => Satisfaction::Satisfied,
        LogicalOp::Or if satisfied > 0 => Satisfaction::Satisfied,
        LogicalOp::Or if unknown > 0 => Satisfaction::Unknown,
        LogicalOp::Or => Satisfaction::Violated,
        LogicalOp::Xone if satisfied > 1 => Satisfaction::Violated,
        LogicalOp::Xone if unknown > 0 => Satisfaction::Unknown,
        LogicalOp::Xone => Satisfaction::from_bool(satisfied == 1),
    };
    let reason = (state != Satisfaction::Satisfied).then(|| {
        let rule = match logical.op {
            LogicalOp::And | LogicalOp::AndSequence => "every item must be satisfied",
            LogicalOp::Or => "at least one item must be satisfied",
            LogicalOp::Xone => "exactly one item must be satisfied",
        };
        let failing: Vec<String> = children
            .iter()
            .filter(|c| c.state != Satisfaction::Satisfied)
            .map(|c| format!("`{}` ({})", c.text, c.reason.as_deref().unwrap_or("satisfied")))
            .collect();
        let shown = failing.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        let more = if failing.len() > 3 { format!(" and {} more", failing.len() - 3) } else { String::new() };
        format!("{rule}; {satisfied} satisfied, {violated} violated, {unknown} unknown: {shown}{more}")
    });
    ConstraintReport {
        id: logical.id.clone(),
        path: logical.path.clone(),
        text: format!("{} of {} constraints", logical.op.name(), logical.items.len()),
        state,
        observed: None,
        reason,
        children,
    }
}

fn ordered(operator: &Operator, ordering: Ordering) -> bool {
    match operator {
        Operator::Eq => ordering == Ordering::Equal,
        Operator::Neq => ordering != Ordering::Equal,
        Operator::Lt => ordering == Ordering::Less,
        Operator::Lteq => ordering != Ordering::Greater,
        Operator::Gt => ordering == Ordering::Greater,
        Operator::Gteq => ordering != Ordering::Less,
        _ => false,
    }
}

fn comparison(operator: &Operator) -> &'static str {
    match operator {
        Operator::Eq => "exactly",
        Operator::Neq => "anything but",
        Operator::Lt => "less than",
        Operator::Lteq => "at most",
        Operator::Gt => "more than",
        Operator::Gteq => "at least",
        _ => "?",
    }
}

/// A single value against a set of terms: `eq`/`isA` (equal; no taxonomy, so `isA` is
/// equality), `neq`, `isAnyOf`, `isNoneOf`.
fn one_of(operator: &Operator, value: &str, terms: &[String]) -> bool {
    let found = terms.iter().any(|t| t == value);
    match operator {
        Operator::Eq | Operator::IsA | Operator::IsAnyOf => found,
        Operator::Neq | Operator::IsNoneOf => !found,
        _ => false,
    }
}

fn terms_text(operator: &Operator, terms: &[String]) -> String {
    let list = terms.join(", ");
    match operator {
        Operator::Eq | Operator::IsA => list,
        Operator::Neq => format!("anything but {list}"),
        Operator::IsAnyOf => format!("one of {list}"),
        Operator::IsNoneOf => format!("none of {list}"),
        _ => list,
    }
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

fn check_atomic(atomic: &Atomic, facts: &Facts) -> ConstraintReport {
    let op = &atomic.operator;
    let outcome: Result<(bool, String, String), String> = match (&atomic.left, &atomic.right) {
        (LeftOperand::Unsupported(name), _) => {
            Err(format!("left operand `{name}` is not supported (supported: {})", LeftOperand::SUPPORTED))
        }
        (left, Right::Unchecked) => Err(format!(
            "operator `{op}` is not supported for `{}` (supported: {})",
            left.name(),
            left.operators().iter().map(Operator::name).collect::<Vec<_>>().join(", ")
        )),
        (LeftOperand::Spatial, Right::Terms(codes)) => match &facts.recipient_jurisdiction {
            None => Err("the recipient's jurisdiction is not known".into()),
            Some(code) => {
                let code = code.trim().to_ascii_uppercase();
                let need = format!("the recipient's jurisdiction must be {}", terms_text(op, codes));
                Ok((one_of(op, &code, codes), code, need))
            }
        },
        (LeftOperand::Purpose, Right::Terms(purposes)) => match &facts.purpose {
            None => Err("the recipient declared no purpose".into()),
            Some(purpose) => {
                let need = format!("the declared purpose must be {}", terms_text(op, purposes));
                Ok((one_of(op, purpose.trim(), purposes), purpose.clone(), need))
            }
        },
        (LeftOperand::Certification, Right::Terms(wanted)) => {
            let held = |c: &String| facts.certifications.contains(c);
            let (holds, need) = match op {
                Operator::Eq => (wanted.iter().all(held), format!("the recipient must hold {}", wanted.join(", "))),
                Operator::IsAnyOf => {
                    (wanted.iter().any(held), format!("the recipient must hold one of {}", wanted.join(", ")))
                }
                Operator::IsAllOf => {
                    (wanted.iter().all(held), format!("the recipient must hold all of {}", wanted.join(", ")))
                }
                _ => (!wanted.iter().any(held), format!("the recipient must hold none of {}", wanted.join(", "))),
            };
            let observed =
                if facts.certifications.is_empty() { "none".into() } else { facts.certifications.join(", ") };
            Ok((holds, observed, need))
        }
        (LeftOperand::DateTime, Right::When(when)) => Ok((
            ordered(op, when.compare(facts.now)),
            timestamp(facts.now),
            match op {
                Operator::Eq => format!("it must be {}", atomic.right_text),
                Operator::Neq => format!("it must not be {}", atomic.right_text),
                Operator::Lt => format!("it must be before {}", atomic.right_text),
                Operator::Lteq => format!("it must be no later than {}", atomic.right_text),
                Operator::Gt => format!("it must be after {}", atomic.right_text),
                _ => format!("it must be {} or later", atomic.right_text),
            },
        )),
        (LeftOperand::ElapsedTime, Right::Duration(duration)) => match facts.agreement_started {
            None => Err("the time the agreement started is not known".into()),
            Some(started) => match duration.after(started) {
                None => Err(format!("{} after {} is out of range", atomic.right_text, timestamp(started))),
                Some(deadline) => Ok((
                    ordered(op, facts.now.cmp(&deadline)),
                    format!("{} since {}", facts.now - started, timestamp(started)),
                    format!(
                        "{} {} may have passed since the agreement started (that is {})",
                        comparison(op),
                        atomic.right_text,
                        timestamp(deadline)
                    ),
                )),
            },
        },
        (LeftOperand::Count, Right::Count(limit)) => {
            let this_use = facts.use_count.saturating_add(1);
            Ok((
                ordered(op, this_use.cmp(limit)),
                this_use.to_string(),
                format!("the number of uses must be {} {limit}; this would be use {this_use}", comparison(op)),
            ))
        }
        (left, right) => Err(format!("`{}` cannot be compared with {right:?}", left.name())),
    };
    let text = format!("{} {} {}", atomic.left.name(), op, atomic.right_text);
    let (state, observed, reason) = match outcome {
        Ok((true, observed, _)) => (Satisfaction::Satisfied, Some(observed), None),
        Ok((false, observed, need)) => {
            let reason = format!("{need}; it is {observed}");
            (Satisfaction::Violated, Some(observed), Some(reason))
        }
        Err(why) => (Satisfaction::Unknown, None, Some(why)),
    };
    ConstraintReport {
        id: atomic.id.clone(),
        path: atomic.path.clone(),
        text,
        state,
        observed,
        reason,
        children: Vec::new(),
    }
}
