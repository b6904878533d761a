//! A suite case's policy, request and state of the world as this crate's inputs, and its expected
//! compliance report as comparable verdicts.

use policy::{Evaluation, Facts, RuleKind, Satisfaction};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::graph::{Graph, Node, EX, ODRL, REPORT};

fn odrl(term: &str) -> String {
    format!("{ODRL}{term}")
}

/// The ODRL policy with this IRI as compact JSON-LD (IRIs kept in full; the parser accepts them).
pub fn policy_json(graph: &Graph, iri: &str) -> Value {
    let mut policy = Map::new();
    policy.insert("@id".into(), json!(iri));
    policy.insert("@type".into(), json!("Set"));
    for key in ["permission", "prohibition", "obligation"] {
        let rules: Vec<Value> =
            graph.objects(iri, &odrl(key)).iter().map(|rule| rule_json(graph, rule.key())).collect();
        if !rules.is_empty() {
            policy.insert(key.into(), Value::Array(rules));
        }
    }
    Value::Object(policy)
}

fn rule_json(graph: &Graph, rule: &str) -> Value {
    let mut json = Map::new();
    json.insert("@id".into(), json!(rule));
    for key in ["action", "assignee", "target"] {
        if let Some(iri) = graph.iri(rule, &odrl(key)) {
            json.insert(key.into(), json!(iri));
        }
    }
    let constraints: Vec<Value> =
        graph.objects(rule, &odrl("constraint")).iter().map(|c| constraint_json(graph, c.key())).collect();
    if !constraints.is_empty() {
        json.insert("constraint".into(), Value::Array(constraints));
    }
    let duties: Vec<Value> = graph.objects(rule, &odrl("duty")).iter().map(|d| rule_json(graph, d.key())).collect();
    if !duties.is_empty() {
        json.insert("duty".into(), Value::Array(duties));
    }
    Value::Object(json)
}

fn constraint_json(graph: &Graph, constraint: &str) -> Value {
    for op in ["and", "or", "xone", "andSequence"] {
        let items = graph.objects(constraint, &odrl(op));
        if !items.is_empty() {
            let items: Vec<Value> = items.iter().map(|c| constraint_json(graph, c.key())).collect();
            return json!({ "@id": constraint, op: items });
        }
    }
    let term = |key: &str| match graph.object(constraint, &odrl(key)) {
        Some(Node::Iri(iri)) => json!(iri),
        Some(Node::Literal { value, datatype }) => json!({ "@value": value, "@type": datatype }),
        Some(Node::Blank(_)) | None => Value::Null,
    };
    json!({
        "@id": constraint,
        "leftOperand": term("leftOperand"),
        "operator": term("operator"),
        "rightOperand": term("rightOperand"),
    })
}

/// The requested action and the facts of the request and the state of the world.
pub fn request_and_facts(request: &Graph, request_iri: &str, sotw: &Graph, sotw_iri: &str) -> (String, Facts) {
    let asked =
        request.iri(request_iri, &odrl("permission")).unwrap_or_else(|| panic!("{}: no permission", request.file));
    let action = request.iri(&asked, &odrl("action")).unwrap_or_else(|| panic!("{}: no action", request.file));
    let assignee = request.iri(&asked, &odrl("assignee"));
    let target = request.iri(&asked, &odrl("target"));

    let included = sotw.objects(sotw_iri, &format!("{EX}includes"));
    let now = included
        .iter()
        .find_map(|node| match sotw.object(node.key(), "http://purl.org/dc/terms/issued") {
            Some(Node::Literal { value, .. }) => OffsetDateTime::parse(value, &Rfc3339).ok(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{}: no current time", sotw.file));
    let mut facts = Facts::at(now);
    facts.recipient = assignee.clone();
    facts.target = target.clone();
    for (subject, predicate, object) in sotw.triples() {
        let Some(group) = object.iri() else { continue };
        if predicate == odrl("partOf") {
            if assignee.as_deref() == Some(subject) {
                facts.recipient_groups.push(group.to_owned());
            }
            if target.as_deref() == Some(subject) {
                facts.target_groups.push(group.to_owned());
            }
        }
    }
    for duty_report in sotw.of_type(&format!("{REPORT}DutyReport")) {
        if sotw.iri(duty_report, &format!("{REPORT}deonticState")).as_deref() == Some(&format!("{REPORT}Violated")) {
            if let Some(duty) = sotw.iri(duty_report, &format!("{REPORT}rule")) {
                facts.violated_duties.push(duty);
            }
        }
    }
    (action, facts)
}

/// A premise of a rule, as the compliance report names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Premise {
    Action,
    Target,
    Party,
    Constraint(String),
}

/// One rule's verdicts: its activation and each premise's satisfaction (`None` = unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleVerdict {
    pub rule: String,
    pub kind: &'static str,
    pub active: bool,
    pub premises: Vec<(Premise, Option<bool>)>,
}

/// The expected report's verdicts. Every case has one rule report, and its premise reports are
/// read as every Action, Target, Party and Constraint report in the file, constraints by the
/// constraint they report on: some cases' `premiseReport` links point at nodes the file does not
/// have (e.g. case 065 names premise reports other than the ones it describes), while the
/// described reports are right.
pub fn expected(case: &Graph, report_iri: &str) -> Vec<RuleVerdict> {
    let r = |term: &str| format!("{REPORT}{term}");
    let rule_reports = case.objects(report_iri, &r("ruleReport"));
    let [rule_report] = rule_reports.as_slice() else { panic!("{}: expected one rule report", case.file) };
    let rule_report = rule_report.key();
    let kind = if case.has_type(rule_report, &r("ProhibitionReport")) {
        "prohibition"
    } else if case.has_type(rule_report, &r("PermissionReport")) {
        "permission"
    } else {
        "obligation"
    };
    let satisfied = |report: &str| Some(case.iri(report, &r("satisfactionState")) == Some(r("Satisfied")));
    let mut premises = Vec::new();
    for (class, premise) in
        [("ActionReport", Premise::Action), ("TargetReport", Premise::Target), ("PartyReport", Premise::Party)]
    {
        premises.extend(case.of_type(&r(class)).into_iter().map(|report| (premise.clone(), satisfied(report))));
    }
    for report in case.of_type(&r("ConstraintReport")) {
        premises.push((Premise::Constraint(case.iri(report, &r("constraint")).unwrap_or_default()), satisfied(report)));
    }
    premises.sort();
    vec![RuleVerdict {
        rule: case.iri(rule_report, &r("rule")).unwrap_or_default(),
        kind,
        active: case.iri(rule_report, &r("activationState")) == Some(r("Active")),
        premises,
    }]
}

fn known(state: Satisfaction) -> Option<bool> {
    match state {
        Satisfaction::Satisfied => Some(true),
        Satisfaction::Violated => Some(false),
        Satisfaction::Unknown => None,
    }
}

/// This crate's evaluation as the same verdicts.
pub fn actual(evaluation: &Evaluation) -> Vec<RuleVerdict> {
    let mut rules: Vec<RuleVerdict> = evaluation
        .rules
        .iter()
        .map(|rule| {
            let mut premises = vec![(Premise::Action, known(rule.action_match))];
            premises.extend(rule.target_match.map(|s| (Premise::Target, known(s))));
            premises.extend(rule.party_match.map(|s| (Premise::Party, known(s))));
            for report in rule.constraints.iter().flat_map(|c| c.flatten()) {
                premises.push((Premise::Constraint(report.id.clone().unwrap_or_default()), known(report.state)));
            }
            premises.sort();
            RuleVerdict {
                rule: rule.id.clone().unwrap_or_default(),
                kind: match rule.kind {
                    RuleKind::Permission => "permission",
                    RuleKind::Prohibition => "prohibition",
                    RuleKind::Obligation => "obligation",
                },
                active: rule.state == policy::RuleState::Active,
                premises,
            }
        })
        .collect();
    rules.sort_by(|a, b| a.rule.cmp(&b.rule));
    rules
}
