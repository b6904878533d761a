//! A policy as this crate evaluates it: read once from compact JSON-LD by [`Policy::parse`]
//! (`parse.rs`), with every right operand of a supported operand already checked and typed.

use std::fmt;

use serde::Serialize;

use crate::vocab::{LeftOperand, Operator};
use crate::xsd::{When, XsdDuration};

/// A malformed policy: where (a JSON path such as `$.permission[0].constraint[1].rightOperand`)
/// and what is wrong, with what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// What decides when an active permission and an active prohibition cover the same action
/// (`odrl:conflict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Conflict {
    /// `perm`: the permission wins.
    Perm,
    /// `prohibit`: the prohibition wins.
    Prohibit,
    /// `invalid` (the ODRL 2.2 default): the whole policy is void, so nothing is permitted.
    Invalid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleKind {
    Permission,
    Prohibition,
    Obligation,
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleKind::Permission => "permission",
            RuleKind::Prohibition => "prohibition",
            RuleKind::Obligation => "obligation",
        })
    }
}

/// A parsed policy (an ODRL Set, Offer or Agreement).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: Option<String>,
    pub conflict: Conflict,
    /// Permissions, prohibitions and obligations, in that order, each in document order.
    pub rules: Vec<Rule>,
}

/// A permission, prohibition or (policy-level) obligation.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub kind: RuleKind,
    /// `@id` or `uid`, when given.
    pub id: Option<String>,
    /// Where the rule is, e.g. `$.permission[0]`.
    pub path: String,
    /// Compact action names (one in DSP; ODRL allows several, any of which covers).
    pub actions: Vec<String>,
    /// The asset (rule's own, else the policy's); `None` = whatever the policy is attached to.
    pub target: Option<String>,
    /// The party (rule's own, else the policy's); `None` = anyone.
    pub assignee: Option<String>,
    pub constraints: Vec<Constraint>,
    /// A permission's duties (`duty`).
    pub duties: Vec<DutyRule>,
}

/// A duty of a permission, or the body of an obligation.
#[derive(Debug, Clone, PartialEq)]
pub struct DutyRule {
    pub id: Option<String>,
    pub path: String,
    pub action: String,
    pub constraints: Vec<Constraint>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    Atomic(Atomic),
    Logical(Logical),
}

/// `leftOperand operator rightOperand`.
#[derive(Debug, Clone, PartialEq)]
pub struct Atomic {
    pub id: Option<String>,
    pub path: String,
    pub left: LeftOperand,
    pub operator: Operator,
    pub right: Right,
    /// The right operand as written, for reports (`DE`, `[DE, FR]`, `P180D`).
    pub right_text: String,
    /// The right operand's values as written (one, or each item of a list).
    pub right_values: Vec<String>,
}

/// The right operand, typed for its left operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Right {
    /// Codes or terms (spatial codes upper-cased).
    Terms(Vec<String>),
    When(When),
    Duration(XsdDuration),
    Count(u64),
    /// Not checked: the operand or the operator is not supported.
    Unchecked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LogicalOp {
    And,
    Or,
    Xone,
    AndSequence,
}

impl LogicalOp {
    pub fn name(self) -> &'static str {
        match self {
            LogicalOp::And => "and",
            LogicalOp::Or => "or",
            LogicalOp::Xone => "xone",
            LogicalOp::AndSequence => "andSequence",
        }
    }
}

/// `and` / `or` / `xone` / `andSequence` over constraints.
#[derive(Debug, Clone, PartialEq)]
pub struct Logical {
    pub id: Option<String>,
    pub path: String,
    pub op: LogicalOp,
    pub items: Vec<Constraint>,
}
