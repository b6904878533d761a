//! Rules: which rules cover the request, which are active, and the verdict (ODRL 2.2 semantics).
//!
//! A rule is active when every premise holds: its action covers the requested one (the ODRL
//! action hierarchy), its target is the asset asked for (or a collection it is in), its assignee
//! is the recipient (or a group it is in), every constraint is satisfied and, for a permission,
//! none of its duties is known to be violated. Every premise is evaluated (no short cut), so the
//! report is complete. The action is permitted when an active permission covers it and no
//! prohibition that covers it is active or unknown, unless `odrl:conflict` is `perm`.
//!
//! A policy-level obligation is in force for its assignee and target whatever the action; its
//! constraints are read as the terms of the duty (as a permission's duty's are), reported but not
//! conditions of its being in force.

use crate::constraint::check;
use crate::duty::Duty;
use crate::facts::Facts;
use crate::model::{Conflict, Policy, Rule, RuleKind};
use crate::report::{ConstraintReport, DutyReport, Evaluation, RuleReport, RuleState, Satisfaction};
use crate::vocab::{compact, covers};

impl Policy {
    /// Evaluates a request to take `action` (compact or full IRI, e.g. `use`) in the world
    /// `facts` describes.
    pub fn evaluate(&self, action: &str, facts: &Facts) -> Evaluation {
        let action = compact(action);
        let rules: Vec<RuleReport> = self.rules.iter().map(|rule| check_rule(rule, &action, facts)).collect();
        let covering =
            |kind: RuleKind| rules.iter().filter(move |r| r.kind == kind && r.action_match == Satisfaction::Satisfied);
        let granted = covering(RuleKind::Permission).any(|r| r.state == RuleState::Active);
        let blocking: Vec<&RuleReport> =
            covering(RuleKind::Prohibition).filter(|r| r.state != RuleState::Inactive).collect();
        let permitted = granted && (blocking.is_empty() || self.conflict == Conflict::Perm);

        let mut reasons = Vec::new();
        if !permitted {
            if covering(RuleKind::Permission).next().is_none() {
                let permitted_actions: Vec<String> = rules
                    .iter()
                    .filter(|r| r.kind == RuleKind::Permission)
                    .flat_map(|r| r.actions.iter().map(|a| format!("`{a}`")))
                    .collect();
                reasons.push(if permitted_actions.is_empty() {
                    format!("no permission covers `{action}`: the policy has no permission")
                } else {
                    format!("no permission covers `{action}`: the policy permits {}", permitted_actions.join(", "))
                });
            } else if !granted {
                for rule in covering(RuleKind::Permission) {
                    reasons.push(format!("permission {} is not active: {}", describe(rule), unmet(rule).join("; ")));
                }
            }
            if granted {
                for rule in &blocking {
                    let why = if rule.state == RuleState::Active {
                        format!("prohibition {} forbids `{action}`", describe(rule))
                    } else {
                        format!("prohibition {} may forbid `{action}`: {}", describe(rule), unmet(rule).join("; "))
                    };
                    reasons.push(match self.conflict {
                        Conflict::Invalid => format!(
                            "{why}; an active permission covers it too, and under the conflict strategy `invalid` (the ODRL default) such a policy is void"
                        ),
                        _ => why,
                    });
                }
            }
        }

        let mut duties: Vec<Duty> = Vec::new();
        for (body, rule) in self.rules.iter().zip(&rules) {
            let grants = rule.kind == RuleKind::Permission && rule.action_match == Satisfaction::Satisfied;
            let obliges = rule.kind == RuleKind::Obligation;
            if rule.state == RuleState::Active && (grants || obliges) {
                let owed = if obliges {
                    obligation_duties(body)
                } else {
                    rule.duties.iter().map(|d| d.duty.clone()).collect()
                };
                for duty in owed {
                    if !duties.contains(&duty) {
                        duties.push(duty);
                    }
                }
            }
        }
        Evaluation { permitted, action, conflict: self.conflict, rules, duties, reasons }
    }
}

/// An obligation read as a duty (its action and constraints).
fn obligation_duties(rule: &Rule) -> Vec<Duty> {
    rule.actions
        .iter()
        .map(|action| {
            Duty::of(&crate::model::DutyRule {
                id: rule.id.clone(),
                path: rule.path.clone(),
                action: action.clone(),
                constraints: rule.constraints.clone(),
            })
        })
        .collect()
}

fn describe(rule: &RuleReport) -> String {
    format!("{} ({})", rule.path, rule.actions.join(", "))
}

/// Why a rule is not active: each premise that is not satisfied.
fn unmet(rule: &RuleReport) -> Vec<String> {
    let mut why = Vec::new();
    if rule.target_match == Some(Satisfaction::Violated) {
        why.push("its target is not the asset asked for".to_owned());
    } else if rule.target_match == Some(Satisfaction::Unknown) {
        why.push("it names a target and the asset asked for is not known".to_owned());
    }
    if rule.party_match == Some(Satisfaction::Violated) {
        why.push("its assignee is not the recipient".to_owned());
    } else if rule.party_match == Some(Satisfaction::Unknown) {
        why.push("it names an assignee and the recipient is not known".to_owned());
    }
    for constraint in rule.constraints.iter().filter(|c| c.state != Satisfaction::Satisfied) {
        why.push(constraint_reason(constraint));
    }
    for duty in rule.duties.iter().filter(|d| d.violated) {
        why.push(format!("its duty at {} was violated", duty.path));
    }
    why
}

fn constraint_reason(report: &ConstraintReport) -> String {
    let state = match report.state {
        Satisfaction::Violated => "is violated",
        _ => "is unknown",
    };
    let mut text = format!("constraint `{}` at {} {state}", report.text, report.path);
    if let Some(reason) = &report.reason {
        text.push_str(": ");
        text.push_str(reason);
    }
    text
}

fn check_rule(rule: &Rule, action: &str, facts: &Facts) -> RuleReport {
    let action_match = match rule.kind {
        RuleKind::Obligation => Satisfaction::Satisfied,
        _ => Satisfaction::from_bool(rule.actions.iter().any(|a| covers(a, action))),
    };
    let member = |named: &String, asked: &Option<String>, groups: &[String]| {
        if asked.as_ref() == Some(named) || groups.contains(named) {
            Satisfaction::Satisfied
        } else if asked.is_none() {
            Satisfaction::Unknown
        } else {
            Satisfaction::Violated
        }
    };
    let target_match = rule.target.as_ref().map(|t| member(t, &facts.target, &facts.target_groups));
    let party_match = rule.assignee.as_ref().map(|p| member(p, &facts.recipient, &facts.recipient_groups));
    let constraints: Vec<ConstraintReport> = rule.constraints.iter().map(|c| check(c, facts)).collect();
    let duties: Vec<DutyReport> = rule
        .duties
        .iter()
        .map(|d| DutyReport {
            id: d.id.clone(),
            path: d.path.clone(),
            duty: Duty::of(d),
            violated: facts.violated_duties.iter().any(|v| d.id.as_ref() == Some(v) || *v == d.action),
        })
        .collect();
    // An obligation's constraints are the terms of its duty (a deadline, the fields), not
    // conditions of its being in force: they are reported but do not deactivate it.
    let conditions = if rule.kind == RuleKind::Obligation { &[][..] } else { &constraints[..] };
    let premises = [action_match]
        .into_iter()
        .chain(target_match)
        .chain(party_match)
        .chain(conditions.iter().map(|c| c.state))
        .chain(duties.iter().map(|d| Satisfaction::from_bool(!d.violated)));
    let mut state = RuleState::Active;
    for premise in premises {
        match premise {
            Satisfaction::Violated => state = RuleState::Inactive,
            Satisfaction::Unknown if state == RuleState::Active => state = RuleState::Unknown,
            _ => {}
        }
    }
    RuleReport {
        kind: rule.kind,
        id: rule.id.clone(),
        path: rule.path.clone(),
        actions: rule.actions.clone(),
        action_match,
        target_match,
        party_match,
        constraints,
        duties,
        state,
    }
}
