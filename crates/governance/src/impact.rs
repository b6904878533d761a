//! What a new rulebook does to real flows: each flow is decided under both, and every flow whose
//! verdict or legal basis changes is reported with the rules that explain the change.

use std::fmt::Write as _;

use rules::{Day, FlowInput, Rulebook};
use serde::Serialize;

use crate::diff::{diff, written_rule, Diff};

/// A flow's decision under one rulebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `allow`, `conditional`, `approval`, `deny`, or `undecided` when the rulebook cannot decide it.
    pub verdict: String,
    /// The rules the decision rests on (restrictions, the route met, or the options), in report order.
    pub rules: Vec<String>,
    /// Why the flow could not be decided (an unknown name, no jurisdiction for the date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A flow whose outcome changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// "DE → JP: personal, 1000 subjects, purpose research, as of 2026-06-01".
    pub flow: String,
    pub input: FlowInput,
    pub old: Outcome,
    pub new: Outcome,
    /// The rule and set changes involved, in plain words.
    pub why: Vec<String>,
}

/// Decides every flow under `old` and `new` (flows without `as_of` on `today`) and returns those
/// whose verdict or rules change, in input order.
pub fn impact(old: &Rulebook, new: &Rulebook, flows: &[FlowInput], today: Day) -> Vec<Change> {
    let d = diff(old, new);
    flows
        .iter()
        .filter_map(|input| {
            let (before, after) = (outcome(old, input, today), outcome(new, input, today));
            let mut a = before.rules.clone();
            let mut b = after.rules.clone();
            a.sort();
            b.sort();
            if before.verdict == after.verdict && a == b && before.error == after.error {
                return None;
            }
            let why = why(&d, old, new, &before, &after);
            Some(Change { flow: summary(input), input: input.clone(), old: before, new: after, why })
        })
        .collect()
}

fn outcome(rb: &Rulebook, input: &FlowInput, today: Day) -> Outcome {
    let undecided = |error: String| Outcome { verdict: "undecided".into(), rules: Vec::new(), error: Some(error) };
    let flow = match rb.resolve(input, today) {
        Ok(f) => f,
        Err(e) => return undecided(e.to_string()),
    };
    match rb.decide(&flow) {
        Ok(decision) => {
            let report = rb.report(&flow, &decision);
            let mut rules: Vec<String> = Vec::new();
            for b in report.basis {
                if !rules.contains(&b.rule) {
                    rules.push(b.rule);
                }
            }
            Outcome { verdict: report.verdict.to_owned(), rules, error: None }
        }
        Err(rules::DecideError::NoJurisdiction { country, day }) => undecided(format!(
            "no jurisdiction in the rulebook governs exports from {} on {day}",
            rb.country_code(country)
        )),
    }
}

/// The changes that explain a different outcome: the involved rules that were added, removed or
/// changed, and the changed sets those rules name.
fn why(d: &Diff, old: &Rulebook, new: &Rulebook, before: &Outcome, after: &Outcome) -> Vec<String> {
    let mut reasons = Vec::new();
    for (label, o) in [("old", before), ("new", after)] {
        if let Some(e) = &o.error {
            reasons.push(format!("the {label} rulebook cannot decide the flow: {e}"));
        }
    }
    let mut involved: Vec<&str> = before.rules.iter().chain(&after.rules).map(String::as_str).collect();
    involved.dedup();
    let mut seen = Vec::new();
    for rule in involved {
        if seen.contains(&rule) {
            continue;
        }
        seen.push(rule);
        if let Some(text) = d.rule_change(rule) {
            reasons.push(text);
        }
        for set in &d.sets {
            let names_it =
                [old, new].iter().any(|rb| {
                    rb.rules.iter().filter(|r| r.id == rule).filter_map(|r| written_rule(rb, r)).any(|def| {
                        def.to.iter().chain(&def.not_to).chain(&def.origins).any(|n| n.get_ref() == &set.set)
                    })
                });
            let line = format!("{rule} names destination set '{}', which was {}", set.set, set.change);
            if names_it && !reasons.contains(&line) {
                reasons.push(line);
            }
        }
    }
    if reasons.is_empty() {
        reasons.push(
            "none of the rules involved changed; the change is elsewhere in the rulebook (the vocabulary, a \
             jurisdiction's members, coverage or lattice)"
                .into(),
        );
    }
    reasons
}

/// One line describing a flow.
fn summary(f: &FlowInput) -> String {
    let mut s = format!("{} → {}: {}, {} subject{}", f.from, f.to, f.data.join("+"), f.subjects, plural(f.subjects));
    if let Some(p) = &f.purpose {
        let _ = write!(s, ", purpose {p}");
    }
    if !f.importer.certifications.is_empty() {
        let _ = write!(s, ", importer certified {}", f.importer.certifications.join("+"));
    }
    if !f.safeguards.is_empty() {
        let _ = write!(s, ", safeguards {}", f.safeguards.join("+"));
    }
    if let Some(d) = &f.as_of {
        let _ = write!(s, ", as of {d}");
    }
    s
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The readable form of an impact report.
pub fn to_text(changes: &[Change], flows: usize) -> String {
    let mut s = String::new();
    for c in changes {
        let _ = writeln!(s, "{}", c.flow);
        let _ = writeln!(s, "  before: {} ({})", c.old.verdict, list(&c.old.rules));
        let _ = writeln!(s, "  after:  {} ({})", c.new.verdict, list(&c.new.rules));
        for w in &c.why {
            let _ = writeln!(s, "  why: {w}");
        }
    }
    let _ = writeln!(s, "{} of {flows} flow{} change", changes.len(), plural(flows as u64));
    s
}

fn list(rules: &[String]) -> String {
    if rules.is_empty() {
        "no rule".into()
    } else {
        rules.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{day, edited, without_route};

    fn flow(json: &str) -> FlowInput {
        FlowInput::from_json(json).expect("a valid flow")
    }

    #[test]
    fn a_flow_whose_verdict_changes_is_reported_with_the_removed_rule() {
        let old = edited(&[]);
        let new = without_route("jurisdictions/EU.toml", "adequacy-japan");
        let flows = [
            flow(
                r#"{"from":"DE","to":"JP","data":["personal"],"subjects":1000,"purpose":"research","as_of":"2026-06-01"}"#,
            ),
            flow(r#"{"from":"DE","to":"FR","data":["personal"],"as_of":"2026-06-01"}"#),
        ];
        let changes = impact(&old, &new, &flows, day("2026-06-01"));
        assert_eq!(changes.len(), 1, "the domestic EU flow does not change: {changes:?}");
        let c = &changes[0];
        assert_eq!(c.flow, "DE → JP: personal, 1000 subjects, purpose research, as of 2026-06-01");
        assert_eq!((c.old.verdict.as_str(), c.new.verdict.as_str()), ("allow", "conditional"));
        assert_eq!(c.old.rules, ["EU.adequacy-japan"]);
        assert!(c.new.rules.contains(&"EU.scc".to_owned()), "{:?}", c.new.rules);
        assert!(c.why[0].starts_with("EU.adequacy-japan was removed"), "{:?}", c.why);
        let text = to_text(&changes, flows.len());
        assert!(text.contains("before: allow (EU.adequacy-japan)") && text.contains("1 of 2 flows change"), "{text}");
    }

    #[test]
    fn an_unchanged_rulebook_changes_no_flow_and_a_changed_date_is_explained() {
        let old = edited(&[]);
        let flows =
            [flow(r#"{"from":"JP","to":"US","data":["personal"],"safeguards":["consent"],"as_of":"2027-06-01"}"#)];
        assert!(impact(&old, &old, &flows, day("2026-06-01")).is_empty());
        let new = edited(&[(
            "jurisdictions/JP.toml",
            "\nid = \"consent\"\n",
            "\nid = \"consent\"\nvalid_until = \"2026-12-31\"\n",
        )]);
        let changes = impact(&old, &new, &flows, day("2026-06-01"));
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].old.rules.contains(&"JP.consent".to_owned()), "{:?}", changes[0].old);
        assert!(
            changes[0].why.iter().any(|w| w == "JP.consent changed: valid_until: (none) → 2026-12-31"),
            "{:?}",
            changes[0].why
        );
    }

    #[test]
    fn a_flow_the_new_rulebook_cannot_decide_says_so() {
        let old = edited(&[]);
        let new = edited(&[("vocabulary.toml", "id = \"marketing\"", "id = \"advertising\"")]);
        let flows = [flow(r#"{"from":"DE","to":"JP","data":["personal"],"purpose":"marketing","as_of":"2026-06-01"}"#)];
        let changes = impact(&old, &new, &flows, day("2026-06-01"));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].new.verdict, "undecided");
        assert!(
            changes[0].why[0].starts_with("the new rulebook cannot decide the flow: flow field `purpose`"),
            "{:?}",
            changes[0].why
        );
    }
}
