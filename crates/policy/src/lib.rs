//! ODRL 2.2 policy evaluation with the left operands a cross-border data space needs.
//!
//! The connector asks one question when a contract request arrives and when a transfer starts:
//! may this recipient take this action under this offer or agreement, now? [`evaluate`] answers
//! with an [`Evaluation`]: the verdict, a report per rule and constraint (satisfied, violated or
//! unknown, with a readable text), the [`Duty`]s that come with the action and, when the answer
//! is no, reasons naming the rule and constraint and what would satisfy it.
//!
//! Policies are compact JSON-LD as in DSP 2025-1 offers and agreements (`permission`,
//! `action`, `leftOperand`, ...); `odrl:` names and full ODRL IRIs are accepted too. Left operands:
//!
//! | operand | fact | operators | right operand |
//! | --- | --- | --- | --- |
//! | `spatial` | [`Facts::recipient_jurisdiction`] | eq, neq, isAnyOf, isNoneOf | ISO 3166-1 alpha-2 code(s) |
//! | `purpose` | [`Facts::purpose`] | eq, neq, isA (= eq: no taxonomy), isAnyOf, isNoneOf | term(s) |
//! | `dfft:certification` (`https://w3id.org/dfft/ns#certification`) | [`Facts::certifications`] | eq (holds it), isAnyOf, isAllOf, isNoneOf | term(s) |
//! | `elapsedTime` | now − [`Facts::agreement_started`] | eq, neq, lt, lteq, gt, gteq | xsd:duration (`P180D`) |
//! | `dateTime` | [`Facts::now`] | eq, neq, lt, lteq, gt, gteq | xsd:dateTime or xsd:date |
//! | `count` | [`Facts::use_count`] + 1 (this use) | eq, neq, lt, lteq, gt, gteq | integer |
//!
//! Logical constraints `and`, `or`, `xone`, `andSequence` combine them in three-valued logic
//! (`constraint.rs`). Any other operand or operator makes its constraint *unknown*, which is never
//! satisfied: a permission with one grants nothing and a prohibition with one forbids, each with
//! a reason naming what is unsupported and listing what is. A rule's `assignee` and `target`
//! are matched against [`Facts::recipient`] / [`Facts::target`] (or their groups).
//!
//! Semantics (ODRL 2.2): actions cover the actions `includedIn` them (`use` covers `read`, not
//! `sell`); a rule is active when all its premises hold; conflicts follow `odrl:conflict`
//! (`perm`, `prohibit`, default `invalid`, which like `prohibit` permits nothing when an active
//! permission and prohibition meet). Duties are returned, not performed; one known to be
//! violated ([`Facts::violated_duties`]) deactivates its permission. A policy-level `obligation`
//! is in force for its assignee whatever the action; its constraints are the duty's terms.
//!
//! dfft's duties ([`Duty`], built by [`delete_after`], [`pseudonymize`], [`drop_fields`],
//! [`generalize`], [`exclude`], [`k_anonymity`], [`encrypt`], [`no_onward_transfer`]) include the
//! transforms the data plane applies to the bytes before they leave. Those are read strictly: a
//! transform duty with a term the plane would have to guess at makes the policy a
//! [`PolicyError`].
//!
//! Pure: no IO, no clock — `now` is a fact. Malformed policies are [`PolicyError`]s naming the
//! JSON path and what would be accepted. The public ODRL evaluator test suite runs in
//! `tests/odrl_suite.rs`.
//!
//! ```
//! use policy::{delete_after, evaluate, Duty, Facts};
//! use serde_json::json;
//! use time::macros::datetime;
//!
//! let offer = json!({
//!     "@id": "urn:offer:1", "@type": "Offer",
//!     "permission": [{
//!         "action": "use",
//!         "constraint": [{ "leftOperand": "spatial", "operator": "isAnyOf", "rightOperand": ["DE", "FR"] }],
//!         "duty": [delete_after("P180D")?]
//!     }]
//! });
//! let facts = Facts::at(datetime!(2026-06-01 09:00 UTC)).with_jurisdiction("FR");
//! let verdict = evaluate(&offer, "use", &facts)?;
//! assert!(verdict.permitted);
//! assert_eq!(verdict.duties, [Duty::Delete { within: Some("P180D".into()), by: None }]);
//!
//! let verdict = evaluate(&offer, "use", &facts.with_jurisdiction("US"))?;
//! assert!(!verdict.permitted);
//! assert!(verdict.reasons[0].contains("must be one of DE, FR; it is US"));
//! # Ok::<(), policy::PolicyError>(())
//! ```

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod constraint;
mod duty;
mod eval;
mod facts;
mod model;
mod parse;
mod report;
pub mod vocab;
mod xsd;

pub use duty::{
    default_offer, delete_after, drop_fields, encrypt, exclude, generalize, k_anonymity, no_onward_transfer,
    pseudonymize, without_target, Duty,
};
pub use facts::Facts;
pub use model::{
    Atomic, Conflict, Constraint, DutyRule, Logical, LogicalOp, Policy, PolicyError, Right, Rule, RuleKind,
};
pub use report::{ConstraintReport, DutyReport, Evaluation, RuleReport, RuleState, Satisfaction};
pub use xsd::{When, XsdDuration};

/// Reads `policy` and evaluates a request to take `action` in the world `facts` describes.
/// Parse once with [`Policy::parse`] and call [`Policy::evaluate`] to evaluate many requests.
pub fn evaluate(policy: &serde_json::Value, action: &str, facts: &Facts) -> Result<Evaluation, PolicyError> {
    Ok(Policy::parse(policy)?.evaluate(action, facts))
}
