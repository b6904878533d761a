//! The result of an evaluation: the verdict, a report per rule and constraint in the spirit of
//! the ODRL compliance report model, the duties that come with the action and readable reasons.

use serde::Serialize;
use serde_json::Value;

use crate::duty::Duty;
use crate::model::{Conflict, RuleKind};

/// The state of one premise (action, target, party, constraint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Satisfaction {
    Satisfied,
    Violated,
    /// A fact is missing, or the operand or operator is not supported: never counts as satisfied.
    Unknown,
}

impl Satisfaction {
    pub fn from_bool(holds: bool) -> Satisfaction {
        if holds {
            Satisfaction::Satisfied
        } else {
            Satisfaction::Violated
        }
    }
}

/// Whether a rule is in force for this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleState {
    /// Every premise is satisfied (and, for a permission, none of its duties is violated).
    Active,
    /// Some premise is violated.
    Inactive,
    /// No premise is violated but some is unknown. A permission in this state grants nothing;
    /// a prohibition in this state forbids (it may apply).
    Unknown,
}

/// One constraint's verdict; a logical constraint's items are its `children`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConstraintReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the constraint is in the policy, e.g. `$.permission[0].constraint[0]`.
    pub path: String,
    /// The constraint, e.g. `spatial isAnyOf [DE, FR]` or `or (3 constraints)`.
    pub text: String,
    pub state: Satisfaction,
    /// The left operand's value for this request, e.g. `US`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
    /// When not satisfied: why, and what would satisfy it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ConstraintReport>,
}

impl ConstraintReport {
    /// This report and every report below it, depth first.
    pub fn flatten(&self) -> Vec<&ConstraintReport> {
        let mut all = vec![self];
        for child in &self.children {
            all.extend(child.flatten());
        }
        all
    }
}

/// A duty a permission carries, with whether it is known to be violated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DutyReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub path: String,
    pub duty: Duty,
    pub violated: bool,
}

/// One rule's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleReport {
    pub kind: RuleKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub path: String,
    /// The rule's actions (compact).
    pub actions: Vec<String>,
    /// Whether the rule's action covers the requested one (always satisfied for an obligation).
    pub action_match: Satisfaction,
    /// Whether the target is the asset asked for; `None` when the rule names no target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_match: Option<Satisfaction>,
    /// Whether the assignee is the recipient; `None` when the rule names no assignee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_match: Option<Satisfaction>,
    pub constraints: Vec<ConstraintReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duties: Vec<DutyReport>,
    pub state: RuleState,
}

/// The verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    /// Whether the action is permitted: an active permission covers it and no active or unknown
    /// prohibition does (unless the policy's conflict strategy is `perm`).
    pub permitted: bool,
    /// The action asked for (compact).
    pub action: String,
    pub conflict: Conflict,
    /// Every rule of the policy, in policy order.
    pub rules: Vec<RuleReport>,
    /// What the recipient must do if it takes the action: the duties of every active permission
    /// that covers it and every active obligation (returned, never performed here).
    pub duties: Vec<Duty>,
    /// When not permitted: why, naming the rule and constraint and what would satisfy it.
    pub reasons: Vec<String>,
}

impl Evaluation {
    /// The evaluation as JSON (camelCase field names, enums as lower camelCase strings).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
