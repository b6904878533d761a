//! The part of ODRL 2.2 that DSP 2025-1 offers and agreements use, in the compact form of the
//! DSP context (`permission`, `action`, `leftOperand`, ...).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::json::{non_empty, type_tag};

type_tag!(OfferTag = "Offer", AgreementTag = "Agreement");

/// A policy's `profile`: one IRI or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Profile {
    One(String),
    Many(Vec<String>),
}

/// An offer (`@type: Offer`): in a dataset's `hasPolicy` (no `target`: the dataset is the
/// target) or in a contract request/offer message (with `target`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@type")]
    ty: OfferTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::permission")]
    pub permission: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::prohibition")]
    pub prohibition: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::obligation")]
    pub obligation: Vec<Rule>,
}

impl Offer {
    /// An offer with one permission (the schema needs a permission or a prohibition).
    pub fn new(id: impl Into<String>, permission: Rule) -> Self {
        Offer {
            id: id.into(),
            ty: OfferTag,
            profile: None,
            target: None,
            permission: vec![permission],
            prohibition: Vec::new(),
            obligation: Vec::new(),
        }
    }

    /// Adds a permission.
    pub fn permit(mut self, rule: Rule) -> Self {
        self.permission.push(rule);
        self
    }

    /// Adds a prohibition.
    pub fn prohibit(mut self, rule: Rule) -> Self {
        self.prohibition.push(rule);
        self
    }

    /// Adds an obligation.
    pub fn oblige(mut self, rule: Rule) -> Self {
        self.obligation.push(rule);
        self
    }

    /// Sets the target asset (a dataset id).
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
}

/// An agreement (`@type: Agreement`): the offer both parties signed up to, with who gives
/// (`assigner`, the provider) and who receives (`assignee`, the consumer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@type")]
    ty: AgreementTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    pub target: String,
    pub assigner: String,
    pub assignee: String,
    /// An XML Schema dateTime, e.g. `2026-06-01T09:00:00Z`; the caller supplies the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::permission")]
    pub permission: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::prohibition")]
    pub prohibition: Vec<Rule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::obligation")]
    pub obligation: Vec<Rule>,
}

impl Agreement {
    /// An agreement on `target` from `assigner` to `assignee` with one permission.
    pub fn new(
        id: impl Into<String>,
        target: impl Into<String>,
        assigner: impl Into<String>,
        assignee: impl Into<String>,
        permission: Rule,
    ) -> Self {
        Agreement {
            id: id.into(),
            ty: AgreementTag,
            profile: None,
            target: target.into(),
            assigner: assigner.into(),
            assignee: assignee.into(),
            timestamp: None,
            permission: vec![permission],
            prohibition: Vec::new(),
            obligation: Vec::new(),
        }
    }

    /// The agreement that accepts `offer` as it stands (its rules and profile).
    pub fn from_offer(
        id: impl Into<String>,
        offer: &Offer,
        target: impl Into<String>,
        assigner: impl Into<String>,
        assignee: impl Into<String>,
    ) -> Self {
        Agreement {
            id: id.into(),
            ty: AgreementTag,
            profile: offer.profile.clone(),
            target: target.into(),
            assigner: assigner.into(),
            assignee: assignee.into(),
            timestamp: None,
            permission: offer.permission.clone(),
            prohibition: offer.prohibition.clone(),
            obligation: offer.obligation.clone(),
        }
    }

    /// Sets when the agreement was made (XML Schema dateTime, e.g. `2026-06-01T09:00:00Z`).
    pub fn at(mut self, timestamp: impl Into<String>) -> Self {
        self.timestamp = Some(timestamp.into());
        self
    }

    /// Adds a prohibition.
    pub fn prohibit(mut self, rule: Rule) -> Self {
        self.prohibition.push(rule);
        self
    }

    /// Adds an obligation.
    pub fn oblige(mut self, rule: Rule) -> Self {
        self.obligation.push(rule);
        self
    }
}

/// A permission, prohibition or obligation (duty): an action, optionally constrained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// An ODRL action in compact form, e.g. `use`.
    pub action: String,
    /// Kept as given: absent and `[]` are both valid and both seen in practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<Vec<Constraint>>,
    /// Duties a permission carries (ODRL 2.2 `duty`), e.g. delete within a period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty: Option<Vec<Rule>>,
}

impl Rule {
    /// An unconstrained rule.
    pub fn new(action: impl Into<String>) -> Self {
        Rule { action: action.into(), constraint: None, duty: None }
    }

    /// Adds a constraint.
    pub fn constrained(mut self, constraint: Constraint) -> Self {
        self.constraint.get_or_insert_with(Vec::new).push(constraint);
        self
    }
}

/// An atomic constraint (`leftOperand operator rightOperand`) or a logical one over others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Constraint {
    Atomic(AtomicConstraint),
    Logical(LogicalConstraint),
}

impl Constraint {
    /// `left operator right`.
    pub fn atomic(left: impl Into<String>, operator: Operator, right: impl Into<RightOperand>) -> Self {
        Constraint::Atomic(AtomicConstraint { left_operand: left.into(), operator, right_operand: right.into() })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtomicConstraint {
    #[serde(rename = "leftOperand")]
    pub left_operand: String,
    pub operator: Operator,
    #[serde(rename = "rightOperand")]
    pub right_operand: RightOperand,
}

/// Exactly one of ODRL's logical operators over a list of constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LogicalConstraint {
    And(Vec<Constraint>),
    AndSequence(Vec<Constraint>),
    Or(Vec<Constraint>),
    Xone(Vec<Constraint>),
}

/// The ODRL operators the DSP schema admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operator {
    Eq,
    Gt,
    Gteq,
    Lteq,
    HasPart,
    IsA,
    IsAllOf,
    IsAnyOf,
    IsNoneOf,
    IsPartOf,
    Lt,
    #[serde(rename = "term-lteq")]
    TermLteq,
    Neq,
}

/// A right operand: a string, an object or an array (the schema admits nothing else).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RightOperand {
    String(String),
    Object(Map<String, Value>),
    Array(Vec<Value>),
}

impl From<&str> for RightOperand {
    fn from(value: &str) -> Self {
        RightOperand::String(value.to_owned())
    }
}

impl From<String> for RightOperand {
    fn from(value: String) -> Self {
        RightOperand::String(value)
    }
}
