//! The provider's decision: the offer's usage policy (ODRL) AND the law (the rulebook), for one
//! dataset, one caller and what the caller declared. Pure apart from the ids and clock it is given.

use rules::{Day, FlowInput, Rulebook};
use serde_json::{json, Value};
use store::{DatasetRecord, DecisionRecord};

use crate::token::Declared;

/// What the consumer declared in its contract request: the purpose and the safeguards it will put
/// in place (as rulebook mechanism ids, e.g. `scc`, `tia`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Terms {
    pub purpose: Option<String>,
    pub safeguards: Vec<String>,
}

/// The left operand a consumer uses to declare safeguards in its request (a dfft profile term).
pub const SAFEGUARD_OPERAND: &str = "https://w3id.org/dfft/ns#safeguard";

impl Terms {
    /// Reads the declared purpose (`purpose eq X`) and safeguards (`dfft safeguard isAllOf [..]`)
    /// from the constraints of an offer's permissions.
    pub fn from_offer(offer: &Value) -> Terms {
        let mut terms = Terms::default();
        let permissions = offer.get("permission").and_then(Value::as_array).cloned().unwrap_or_default();
        for rule in permissions {
            for constraint in rule.get("constraint").and_then(Value::as_array).into_iter().flatten() {
                let left = constraint.get("leftOperand").and_then(Value::as_str).unwrap_or_default();
                let right = constraint.get("rightOperand");
                match left.rsplit(['/', '#', ':']).next().unwrap_or_default() {
                    "purpose" => terms.purpose = right.and_then(Value::as_str).map(str::to_owned),
                    "safeguard" => terms.safeguards.extend(strings(right)),
                    _ => {}
                }
            }
        }
        terms
    }

    /// The constraints that declare these terms, for a request's offer.
    pub fn constraints(&self) -> Vec<Value> {
        let mut out = Vec::new();
        if let Some(purpose) = &self.purpose {
            out.push(json!({"leftOperand": "purpose", "operator": "eq", "rightOperand": purpose}));
        }
        if !self.safeguards.is_empty() {
            out.push(json!({"leftOperand": SAFEGUARD_OPERAND, "operator": "isAllOf", "rightOperand": self.safeguards}));
        }
        out
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// Everything known about the caller when deciding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Caller {
    pub did: String,
    pub jurisdiction: Option<String>,
    pub certifications: Vec<String>,
    /// Data spaces the caller is a verified member of.
    pub memberships: Vec<String>,
    /// Credentials the caller presented that were accepted, in words.
    pub accepted: Vec<String>,
    /// Credentials the caller presented that were not counted, each with its reason.
    pub rejected: Vec<String>,
}

impl Caller {
    /// The caller as its token describes it, keeping only the claims the trust configuration
    /// lets it declare about itself.
    pub fn from_token(did: &str, declared: &Declared, trust: &crate::config::TrustConfig) -> Caller {
        Caller {
            did: did.to_owned(),
            jurisdiction: declared.jurisdiction.clone().filter(|_| trust.self_declared_jurisdiction),
            certifications: if trust.self_declared_certifications { declared.certifications.clone() } else { vec![] },
            ..Caller::default()
        }
    }

    /// Adds what verified credentials establish; a verified jurisdiction overrides a declared one.
    pub fn with_presented(mut self, presented: crate::credentials::Presented) -> Caller {
        for scheme in presented.certifications {
            if !self.certifications.contains(&scheme) {
                self.certifications.push(scheme);
            }
        }
        if presented.jurisdiction.is_some() {
            self.jurisdiction = presented.jurisdiction;
        }
        self.memberships = presented.memberships;
        self.accepted = presented.accepted;
        self.rejected = presented.rejected;
        self
    }
}

/// The outcome: whether to go ahead, the record to store, and the words for the peer.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub allowed: bool,
    pub record: DecisionRecord,
    /// Why not, and what would make it lawful (empty when allowed).
    pub reason: String,
    /// The law's obligations, as `{id, text, rule}` objects.
    pub obligations: Vec<Value>,
}

pub struct Question<'a> {
    pub rulebook: &'a Rulebook,
    pub provider_jurisdiction: &'a str,
    pub dataset: &'a DatasetRecord,
    pub caller: &'a Caller,
    pub terms: &'a Terms,
    /// The offer's policy evaluated for this caller.
    pub policy: &'a crate::usage::Evaluation,
    pub stage: &'a str,
    pub process: Option<&'a str>,
    pub id: String,
    pub now_ms: i64,
}

pub fn decide(q: &Question<'_>) -> Outcome {
    let today = crate::app::timestamp(q.now_ms).chars().take(10).collect::<String>();
    let input = FlowInput {
        from: q.provider_jurisdiction.to_owned(),
        to: q.caller.jurisdiction.clone().unwrap_or_default(),
        data: q.dataset.categories.clone(),
        subjects: q.dataset.subjects.max(1),
        purpose: q.terms.purpose.clone(),
        exporter: rules::flow::Party::default(),
        importer: rules::flow::Party { roles: vec![], certifications: q.caller.certifications.clone() },
        safeguards: q.terms.safeguards.clone(),
        as_of: Some(today.clone()),
    };
    let flow_json = serde_json::to_value(&input).unwrap_or(Value::Null);
    let law = if q.caller.jurisdiction.is_none() {
        Err("the consumer did not declare its jurisdiction, so the law of the transfer cannot be decided".to_owned())
    } else {
        law(q.rulebook, &input, &today)
    };
    let (verdict, report, law_ok, law_reason, obligations) = match law {
        Ok(report) => {
            let verdict = report.verdict;
            let reason = if verdict == "allow" { String::new() } else { refusal(&report) };
            let obligations =
                report.obligations.iter().map(|o| json!({"id": o.id, "text": o.text, "rule": o.rule})).collect();
            (
                verdict.to_owned(),
                serde_json::to_value(&report).unwrap_or(Value::Null),
                verdict == "allow",
                reason,
                obligations,
            )
        }
        Err(message) => ("error".to_owned(), json!({"error": message}), false, message, Vec::new()),
    };
    let policy_ok = q.policy.permitted;
    let allowed = policy_ok && law_ok;
    let mut reasons = Vec::new();
    if !policy_ok {
        reasons.push(format!("the offer's usage policy does not permit it: {}", q.policy.reasons.join("; ")));
    }
    if !law_ok {
        reasons.push(law_reason);
    }
    let compute_only = q.dataset.compute.is_some();
    if compute_only {
        reasons.push(format!(
            "dataset '{}' is compute-only: its rows do not leave the provider; ask aggregate questions instead (dfft query … --dataset {})",
            q.dataset.id, q.dataset.id
        ));
    }
    let allowed = allowed && !compute_only;
    if !allowed && !q.caller.rejected.is_empty() {
        reasons.push(q.caller.rejected.join("; "));
    }
    Outcome {
        allowed,
        reason: reasons.join(". "),
        obligations,
        record: DecisionRecord {
            id: q.id.clone(),
            at_ms: q.now_ms,
            process: q.process.map(str::to_owned),
            stage: q.stage.to_owned(),
            flow: flow_json,
            verdict,
            policy: q.policy.to_json(),
            allowed,
            report,
            rulebook_digest: q.rulebook.release.digest.clone(),
        },
    }
}

fn law(rulebook: &Rulebook, input: &FlowInput, today: &str) -> Result<rules::Report, String> {
    let day = Day::parse(today).map_err(|e| format!("bad date {today}: {e}"))?;
    let flow = rulebook.resolve(input, day).map_err(|e| format!("{}: {}", e.field, e.message))?;
    let decision = rulebook.decide(&flow).map_err(|e| format!("{e:?}"))?;
    Ok(rulebook.report(&flow, &decision))
}

/// Why the law does not allow the flow as declared, and what would: the first few options.
fn refusal(report: &rules::Report) -> String {
    const SHOWN: usize = 4;
    let flow = &report.flow;
    let mut text = format!(
        "{} → {} ({}{}) is '{}' under rulebook {}",
        flow.from,
        flow.to,
        flow.data.join(", "),
        flow.purpose.as_deref().map(|p| format!(", for {p}")).unwrap_or_default(),
        report.verdict,
        report.rulebook.version
    );
    let options: Vec<String> = report
        .options
        .iter()
        .take(SHOWN)
        .map(|o| {
            let mut parts: Vec<String> = o.safeguards.clone();
            if !o.importer_certification_any.is_empty() {
                parts.push(format!("importer certified {}", o.importer_certification_any.join(" or ")));
            }
            if o.approval {
                parts.push("the authority's prior approval".to_owned());
            }
            format!("[{}] ({})", parts.join(" + "), o.rule)
        })
        .collect();
    if options.is_empty() {
        if let Some(last) = report.explanation.last() {
            text.push_str(&format!(": {last}"));
        }
    } else {
        let more = report.options.len().saturating_sub(SHOWN);
        text.push_str(&format!("; lawful with any one of: {}", options.join(", ")));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text.push_str(" — declare the safeguards you will put in place in the request");
    }
    text
}
