//! Compact JSON-LD (the DSP 2025-1 context's names, or full ODRL IRIs) to [`Policy`].
//!
//! Structure errors and unreadable right operands of supported operands are [`PolicyError`]s;
//! an operand or operator this crate does not evaluate is kept (the constraint is then never
//! satisfied) since other profiles may define it. Keys this crate does not know are ignored,
//! except those that would narrow a rule in a way it cannot check (action refinements).

use serde_json::{Map, Value};

use crate::duty::Duty;
use crate::model::*;
use crate::vocab::{compact, LeftOperand, Operator, XSD};
use crate::xsd::{parse_duration, parse_when};

fn error(path: &str, message: impl Into<String>) -> PolicyError {
    PolicyError { path: path.to_owned(), message: message.into() }
}

/// A key given as compact name, `odrl:` name or full ODRL IRI.
fn get<'a>(object: &'a Map<String, Value>, key: &str) -> Option<(&'a Value, String)> {
    for candidate in [key.to_owned(), format!("odrl:{key}"), format!("{}{key}", crate::vocab::ODRL)] {
        if let Some(value) = object.get(&candidate) {
            return Some((value, candidate));
        }
    }
    None
}

/// A value that JSON-LD lets be one item or a list.
fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(list) => list.iter().collect(),
        Value::Object(object) if object.contains_key("@list") => object.get("@list").map(items).unwrap_or_default(),
        other => vec![other],
    }
}

fn id_of(object: &Map<String, Value>) -> Option<String> {
    object.get("@id").or_else(|| get(object, "uid").map(|(v, _)| v)).and_then(Value::as_str).map(str::to_owned)
}

/// An IRI given as a string, `{"@id": ..}` or `{"uid": ..}`.
fn reference(value: &Value, path: &str) -> Result<String, PolicyError> {
    match value {
        Value::String(iri) => Ok(iri.clone()),
        Value::Object(object) => match id_of(object) {
            Some(iri) if !object.keys().any(|k| compact(k) == "refinement") => Ok(iri),
            Some(_) => {
                Err(error(path, "party and asset refinements are not supported; name the party or asset by its id"))
            }
            None => Err(error(path, "expected an IRI: a string or {\"@id\": \"...\"}")),
        },
        _ => Err(error(path, "expected an IRI: a string or {\"@id\": \"...\"}")),
    }
}

impl Policy {
    /// Reads a policy from compact JSON-LD (an Offer, Agreement or Set).
    pub fn parse(policy: &Value) -> Result<Policy, PolicyError> {
        let Value::Object(object) = policy else {
            return Err(error("$", "a policy is a JSON object with `permission`, `prohibition` and/or `obligation`"));
        };
        let conflict = match get(object, "conflict") {
            None => Conflict::Invalid,
            Some((value, key)) => {
                match value.as_str().or_else(|| value.get("@id").and_then(Value::as_str)).map(compact) {
                    Some(name) if name == "perm" => Conflict::Perm,
                    Some(name) if name == "prohibit" => Conflict::Prohibit,
                    Some(name) if name == "invalid" => Conflict::Invalid,
                    _ => return Err(error(&format!("$.{key}"), "expected one of perm, prohibit, invalid")),
                }
            }
        };
        let defaults = Defaults {
            target: get(object, "target").map(|(v, k)| reference(v, &format!("$.{k}"))).transpose()?,
            assignee: get(object, "assignee").map(|(v, k)| reference(v, &format!("$.{k}"))).transpose()?,
        };
        let mut rules = Vec::new();
        for (kind, key) in [
            (RuleKind::Permission, "permission"),
            (RuleKind::Prohibition, "prohibition"),
            (RuleKind::Obligation, "obligation"),
        ] {
            if let Some((value, key)) = get(object, key) {
                for (i, rule) in items(value).into_iter().enumerate() {
                    rules.push(parse_rule(kind, rule, &format!("$.{key}[{i}]"), &defaults)?);
                }
            }
        }
        Ok(Policy { id: id_of(object), conflict, rules })
    }
}

struct Defaults {
    target: Option<String>,
    assignee: Option<String>,
}

fn parse_actions(object: &Map<String, Value>, path: &str) -> Result<Vec<String>, PolicyError> {
    let Some((value, key)) = get(object, "action") else {
        return Err(error(path, "a rule needs an `action` (ODRL 2.2 requires one), e.g. \"action\": \"use\""));
    };
    let path = format!("{path}.{key}");
    let mut actions = Vec::new();
    for item in items(value) {
        match item {
            Value::String(name) => actions.push(compact(name)),
            Value::Object(action) if action.keys().any(|k| compact(k) == "refinement") => {
                return Err(error(
                    &path,
                    "action refinements are not supported; put the condition in the rule's `constraint`",
                ));
            }
            Value::Object(action) => {
                match action.get("@id").or_else(|| action.get("rdf:value")).map(|v| reference(v, &path)) {
                    Some(name) => actions.push(compact(&name?)),
                    None => {
                        return Err(error(&path, "expected an action name such as \"use\" or {\"@id\": \"odrl:use\"}"))
                    }
                }
            }
            _ => return Err(error(&path, "expected an action name such as \"use\"")),
        }
    }
    if actions.is_empty() {
        return Err(error(&path, "a rule needs an action, e.g. \"use\""));
    }
    Ok(actions)
}

fn parse_rule(kind: RuleKind, rule: &Value, path: &str, defaults: &Defaults) -> Result<Rule, PolicyError> {
    let Value::Object(object) = rule else {
        return Err(error(path, format!("a {kind} is an object with an `action`, e.g. {{\"action\": \"use\"}}")));
    };
    let actions = parse_actions(object, path)?;
    let party = |key: &str, default: &Option<String>| -> Result<Option<String>, PolicyError> {
        match get(object, key) {
            Some((value, key)) => reference(value, &format!("{path}.{key}")).map(Some),
            None => Ok(default.clone()),
        }
    };
    let mut duties = Vec::new();
    if let Some((value, key)) = get(object, "duty") {
        if kind != RuleKind::Permission {
            return Err(error(
                &format!("{path}.{key}"),
                "only a permission carries duties; an obligation is its own rule",
            ));
        }
        for (i, duty) in items(value).into_iter().enumerate() {
            duties.push(parse_duty(duty, &format!("{path}.{key}[{i}]"))?);
        }
    }
    let constraints = parse_constraints(object, path)?;
    if kind == RuleKind::Obligation {
        // An obligation is a duty too: its constraints are the duty's terms.
        for action in &actions {
            let body =
                DutyRule { id: None, path: path.to_owned(), action: action.clone(), constraints: constraints.clone() };
            Duty::parse(&body)?;
        }
    }
    Ok(Rule {
        kind,
        id: id_of(object),
        path: path.to_owned(),
        actions,
        target: party("target", &defaults.target)?,
        assignee: party("assignee", &defaults.assignee)?,
        constraints,
        duties,
    })
}

fn parse_duty(duty: &Value, path: &str) -> Result<DutyRule, PolicyError> {
    let Value::Object(object) = duty else {
        return Err(error(path, "a duty is an object with an `action`, e.g. {\"action\": \"delete\"}"));
    };
    let mut actions = parse_actions(object, path)?;
    if actions.len() > 1 {
        return Err(error(path, "a duty has exactly one action"));
    }
    let rule = DutyRule {
        id: id_of(object),
        path: path.to_owned(),
        action: actions.remove(0),
        constraints: parse_constraints(object, path)?,
    };
    // A malformed transform duty (e.g. an unknown granularity) is refused here, with its path,
    // rather than read as some other duty later.
    Duty::parse(&rule)?;
    Ok(rule)
}

fn parse_constraints(object: &Map<String, Value>, path: &str) -> Result<Vec<Constraint>, PolicyError> {
    let Some((value, key)) = get(object, "constraint") else { return Ok(Vec::new()) };
    items(value).into_iter().enumerate().map(|(i, c)| parse_constraint(c, &format!("{path}.{key}[{i}]"))).collect()
}

fn parse_constraint(value: &Value, path: &str) -> Result<Constraint, PolicyError> {
    let Value::Object(object) = value else {
        return Err(error(path, "a constraint is an object: {\"leftOperand\", \"operator\", \"rightOperand\"} or {\"and\"|\"or\"|\"xone\"|\"andSequence\": [...]}"));
    };
    let logical: Vec<(LogicalOp, &Value, String)> =
        [LogicalOp::And, LogicalOp::Or, LogicalOp::Xone, LogicalOp::AndSequence]
            .into_iter()
            .filter_map(|op| get(object, op.name()).map(|(v, k)| (op, v, k)))
            .collect();
    match logical.as_slice() {
        [] => parse_atomic(object, path).map(Constraint::Atomic),
        [(op, value, key)] => {
            let items = items(value)
                .into_iter()
                .enumerate()
                .map(|(i, c)| parse_constraint(c, &format!("{path}.{key}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if items.is_empty() {
                return Err(error(&format!("{path}.{key}"), "a logical constraint needs at least one constraint"));
            }
            Ok(Constraint::Logical(Logical { id: id_of(object), path: path.to_owned(), op: *op, items }))
        }
        _ => Err(error(path, "a logical constraint has exactly one of and, or, xone, andSequence")),
    }
}

fn text_of(value: &Value, path: &str) -> Result<String, PolicyError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Object(object) => match object.get("@value").or_else(|| object.get("@id")) {
            Some(Value::String(text)) => Ok(text.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(error(path, "expected a string, a number, {\"@value\": ..} or {\"@id\": ..}")),
        },
        _ => Err(error(path, "expected a string, a number, {\"@value\": ..} or {\"@id\": ..}")),
    }
}

fn parse_atomic(object: &Map<String, Value>, path: &str) -> Result<Atomic, PolicyError> {
    let field = |key: &str| {
        get(object, key).ok_or_else(|| {
            error(path, format!("a constraint needs `leftOperand`, `operator` and `rightOperand` (missing `{key}`), or is a logical constraint (and, or, xone, andSequence)"))
        })
    };
    let (left, left_key) = field("leftOperand")?;
    let (operator, operator_key) = field("operator")?;
    let (right, right_key) = field("rightOperand")?;
    let left = LeftOperand::from_name(&text_of(left, &format!("{path}.{left_key}"))?);
    let operator = Operator::from_name(&text_of(operator, &format!("{path}.{operator_key}"))?);
    let right_path = format!("{path}.{right_key}");
    let texts = items(right).into_iter().map(|v| text_of(v, &right_path)).collect::<Result<Vec<_>, _>>()?;
    let right_text = match texts.as_slice() {
        [one] if !right.is_array() => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let right = if left.operators().contains(&operator) {
        typed_right(&left, &operator, right, &texts, &right_path)?
    } else {
        Right::Unchecked
    };
    Ok(Atomic { id: id_of(object), path: path.to_owned(), left, operator, right, right_text, right_values: texts })
}

fn typed_right(
    left: &LeftOperand,
    operator: &Operator,
    right: &Value,
    texts: &[String],
    path: &str,
) -> Result<Right, PolicyError> {
    if operator.takes_list() && texts.is_empty() {
        return Err(error(path, format!("`{operator}` needs a non-empty list of values")));
    }
    if !operator.takes_list() && (texts.len() != 1 || right.is_array()) {
        let hint = if left.operators().contains(&Operator::IsAnyOf) { "; for a list use isAnyOf" } else { "" };
        return Err(error(path, format!("`{operator}` compares with exactly one value{hint}")));
    }
    let datatype = right
        .get("@type")
        .and_then(Value::as_str)
        .map(|t| t.strip_prefix(XSD).or_else(|| t.strip_prefix("xsd:")).unwrap_or(t));
    let one = texts.first().map(String::as_str).unwrap_or_default();
    Ok(match left {
        LeftOperand::Spatial => Right::Terms(
            texts
                .iter()
                .map(|code| {
                    let code = code.trim();
                    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
                        Ok(code.to_ascii_uppercase())
                    } else {
                        Err(error(path, format!("`{code}` is not an ISO 3166-1 alpha-2 country code; expected e.g. \"DE\" or [\"DE\", \"FR\"]")))
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        LeftOperand::Purpose | LeftOperand::Certification => Right::Terms(texts.iter().map(|t| t.trim().to_owned()).collect()),
        LeftOperand::ElapsedTime => Right::Duration(parse_duration(one).ok_or_else(|| {
            error(path, format!("`{one}` is not a non-negative xsd:duration; expected e.g. \"P180D\", \"P1Y\" or \"PT12H\""))
        })?),
        LeftOperand::DateTime => match datatype {
            Some(other) if other != "dateTime" && other != "date" && other != "dateTimeStamp" => {
                return Err(error(path, format!("a dateTime compares with an xsd:dateTime or xsd:date, not xsd:{other}")))
            }
            _ => Right::When(parse_when(one).ok_or_else(|| {
                error(path, format!("`{one}` is not an xsd:dateTime or xsd:date; expected e.g. \"2026-06-01T00:00:00Z\" or \"2026-06-01\""))
            })?),
        },
        LeftOperand::Count => Right::Count(
            one.trim()
                .parse()
                .map_err(|_| error(path, format!("`{one}` is not a non-negative integer; expected e.g. \"10\"")))?,
        ),
        LeftOperand::Unsupported(_) => Right::Unchecked,
    })
}
