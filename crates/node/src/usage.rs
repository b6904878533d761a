//! The offer's usage policy (ODRL), evaluated for one caller by the `policy` crate.

use serde_json::{json, Value};

use crate::decide::{Caller, Terms};

/// What the node keeps of a policy evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub permitted: bool,
    /// Why not, naming the constraint and what would satisfy it.
    pub reasons: Vec<String>,
    /// The full evaluation report.
    pub report: Value,
}

impl Evaluation {
    pub fn to_json(&self) -> Value {
        json!({"permitted": self.permitted, "reasons": self.reasons, "report": self.report})
    }
}

/// Evaluates `policy` (an ODRL offer or agreement) for the action `use` by `caller`.
/// `agreement_started_ms` and `uses` feed `elapsedTime` and `count` at transfer time.
pub fn evaluate(
    policy: &Value,
    caller: &Caller,
    terms: &Terms,
    now_ms: i64,
    agreement_started_ms: Option<i64>,
    uses: u64,
    target: &str,
) -> Evaluation {
    let at = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    let mut facts = policy::Facts::at(at(now_ms));
    facts.recipient = Some(caller.did.clone());
    facts.recipient_jurisdiction.clone_from(&caller.jurisdiction);
    facts.purpose.clone_from(&terms.purpose);
    facts.certifications.clone_from(&caller.certifications);
    facts.agreement_started = agreement_started_ms.map(at);
    facts.use_count = uses;
    facts.target = Some(target.to_owned());
    match policy::evaluate(policy, "use", &facts) {
        Ok(evaluation) => Evaluation {
            permitted: evaluation.permitted,
            reasons: evaluation.reasons.clone(),
            report: evaluation.to_json(),
        },
        Err(error) => Evaluation {
            permitted: false,
            reasons: vec![format!("the policy cannot be evaluated: {error}")],
            report: json!({"error": error.to_string()}),
        },
    }
}
