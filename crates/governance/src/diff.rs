//! What a new rulebook changes, rule by rule: added, removed and changed routes and restrictions
//! (by jurisdiction and rule id, each with its citation), and changed destination sets, which
//! change what the rules naming them cover.
//!
//! A rule is compared as written (every field of its `[[route]]` or `[[restriction]]` table), so
//! a change to its scope, requirements, obligations, dates, citation or wording is named by field.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rules::model::{Citation, RuleDef, SetDef};
use rules::rulebook::RuleInfo;
use rules::Rulebook;
use serde::Serialize;
use serde_json::Value;

use crate::hex;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub old: Version,
    pub new: Version,
    pub added: Vec<RuleEntry>,
    pub removed: Vec<RuleEntry>,
    pub changed: Vec<RuleChange>,
    pub sets: Vec<SetChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    pub version: String,
    pub digest: String,
}

/// A rule as a reader needs it to look it up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleEntry {
    /// `JURISDICTION.rule-id`.
    pub rule: String,
    pub jurisdiction: String,
    /// `route` or `restriction`.
    pub class: &'static str,
    pub kind: String,
    pub summary: String,
    pub citation: Citation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleChange {
    #[serde(flatten)]
    pub rule: RuleEntry,
    pub fields: Vec<FieldChange>,
}

/// One field's old and new value (`null`: absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetChange {
    pub set: String,
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub fields: Vec<FieldChange>,
    pub citation: Citation,
}

/// The differences from `old` to `new`, in rule id order.
pub fn diff(old: &Rulebook, new: &Rulebook) -> Diff {
    let old_rules: BTreeMap<&str, &RuleInfo> = old.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let new_rules: BTreeMap<&str, &RuleInfo> = new.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut d = Diff {
        old: version(old),
        new: version(new),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        sets: Vec::new(),
    };
    for (id, r) in &new_rules {
        match old_rules.get(id) {
            None => d.added.push(entry(new, r)),
            Some(before) => {
                let fields = compare(&rule_json(old, before), &rule_json(new, r));
                if !fields.is_empty() {
                    d.changed.push(RuleChange { rule: entry(new, r), fields });
                }
            }
        }
    }
    d.removed = old_rules.iter().filter(|(id, _)| !new_rules.contains_key(*id)).map(|(_, r)| entry(old, r)).collect();

    let old_sets = sets(old);
    let new_sets = sets(new);
    for (id, set) in &new_sets {
        let (change, fields) = match old_sets.get(id) {
            None => ("added", Vec::new()),
            Some(before) => ("changed", compare(&to_json(before), &to_json(set))),
        };
        if change == "added" || !fields.is_empty() {
            d.sets.push(set_change(id, set, change, fields));
        }
    }
    for (id, set) in &old_sets {
        if !new_sets.contains_key(id) {
            d.sets.push(set_change(id, set, "removed", Vec::new()));
        }
    }
    d.sets.sort_by(|a, b| a.set.cmp(&b.set));
    d
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty() && self.sets.is_empty()
    }

    /// How `rule` (`JUR.id`) differs between the two rulebooks, in a few words, if it does.
    pub fn rule_change(&self, rule: &str) -> Option<String> {
        if let Some(a) = self.added.iter().find(|r| r.rule == rule) {
            return Some(format!("{} was added: {} [{}]", a.rule, a.summary, cite(&a.citation)));
        }
        if let Some(r) = self.removed.iter().find(|r| r.rule == rule) {
            return Some(format!("{} was removed (it was: {}) [{}]", r.rule, r.summary, cite(&r.citation)));
        }
        let c = self.changed.iter().find(|c| c.rule.rule == rule)?;
        let fields: Vec<String> = c.fields.iter().map(field_text).collect();
        Some(format!("{} changed: {}", c.rule.rule, fields.join("; ")))
    }

    /// The readable form.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "rulebook {} ({}) → {} ({})",
            self.old.version,
            hex::short(&self.old.digest),
            self.new.version,
            hex::short(&self.new.digest)
        );
        if self.is_empty() {
            s.push_str("no rule or set changed\n");
            return s;
        }
        for (title, mark, list) in [("added", '+', &self.added), ("removed", '-', &self.removed)] {
            if !list.is_empty() {
                let _ = writeln!(s, "\n{title} ({}):", list.len());
                for r in list {
                    rule_lines(&mut s, mark, r);
                }
            }
        }
        if !self.changed.is_empty() {
            let _ = writeln!(s, "\nchanged ({}):", self.changed.len());
            for c in &self.changed {
                rule_lines(&mut s, '~', &c.rule);
                for f in &c.fields {
                    let _ = writeln!(s, "      {}", field_text(f));
                }
            }
        }
        if !self.sets.is_empty() {
            let _ = writeln!(s, "\ndestination sets ({}):", self.sets.len());
            for c in &self.sets {
                let _ = writeln!(s, "  {} set {} — {}: {}", c.change, c.set, c.name, cite(&c.citation));
                for f in &c.fields {
                    let _ = writeln!(s, "      {}", field_text(f));
                }
            }
        }
        s
    }
}

fn rule_lines(s: &mut String, mark: char, r: &RuleEntry) {
    let _ = writeln!(s, "  {mark} {} ({} {}): {}", r.rule, r.kind, r.class, r.summary);
    let _ = writeln!(s, "      {} <{}>", cite(&r.citation), r.citation.url);
}

fn version(rb: &Rulebook) -> Version {
    Version { version: rb.release.version.clone(), digest: rb.release.digest.clone() }
}

fn entry(rb: &Rulebook, r: &RuleInfo) -> RuleEntry {
    RuleEntry {
        rule: r.id.clone(),
        jurisdiction: rb.jurisdictions.get(usize::from(r.jurisdiction)).map(|j| j.id.clone()).unwrap_or_default(),
        class: if r.restriction { "restriction" } else { "route" },
        kind: r.kind.clone(),
        summary: r.summary.clone(),
        citation: r.citation.clone(),
    }
}

/// The rule's table as written, found by jurisdiction and id.
pub(crate) fn written_rule<'a>(rb: &'a Rulebook, r: &RuleInfo) -> Option<&'a RuleDef> {
    let jur = rb.jurisdictions.get(usize::from(r.jurisdiction))?;
    let local = r.id.strip_prefix(&format!("{}.", jur.id))?;
    let (_, file) = rb.written.jurisdictions.iter().find(|(_, j)| j.id.get_ref() == &jur.id)?;
    let defs = if r.restriction { &file.restrictions } else { &file.routes };
    defs.iter().find(|d| d.id.get_ref() == local)
}

/// The rule as JSON: its written table, or (if that cannot be found) what the compiled rule holds.
fn rule_json(rb: &Rulebook, r: &RuleInfo) -> Value {
    match written_rule(rb, r) {
        Some(def) => to_json(def),
        None => serde_json::json!({
            "summary": r.summary,
            "citation": r.citation,
            "valid_from": r.valid_from.map(|d| d.to_string()),
            "valid_until": r.valid_until.map(|d| d.to_string()),
        }),
    }
}

/// Every destination set, by id (ids are unique across files).
fn sets(rb: &Rulebook) -> BTreeMap<&str, &SetDef> {
    let shared = rb.written.sets.iter().flat_map(|(_, f)| f.sets.iter());
    let local = rb.written.jurisdictions.iter().flat_map(|(_, j)| j.sets.iter());
    shared.chain(local).map(|s| (s.id.get_ref().as_str(), s)).collect()
}

fn set_change(id: &str, set: &SetDef, change: &'static str, fields: Vec<FieldChange>) -> SetChange {
    SetChange { set: id.to_owned(), name: set.name.clone(), change, fields, citation: set.citation.clone() }
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The fields whose values differ, in field name order.
fn compare(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (o, n) = (old.get(name).unwrap_or(&Value::Null), new.get(name).unwrap_or(&Value::Null));
            (o != n).then(|| FieldChange { field: name.clone(), old: o.clone(), new: n.clone() })
        })
        .collect()
}

/// "valid_until: (none) → 2027-01-01", or for lists "to: + GB, − CH".
fn field_text(f: &FieldChange) -> String {
    if let (Value::Array(old), Value::Array(new)) = (&f.old, &f.new) {
        let plus: Vec<String> = new.iter().filter(|v| !old.contains(v)).map(value_text).collect();
        let minus: Vec<String> = old.iter().filter(|v| !new.contains(v)).map(value_text).collect();
        let mut parts: Vec<String> = plus.iter().map(|p| format!("+ {p}")).collect();
        parts.extend(minus.iter().map(|m| format!("− {m}")));
        if parts.is_empty() {
            parts.push("reordered".into());
        }
        return format!("{}: {}", f.field, parts.join(", "));
    }
    format!("{}: {} → {}", f.field, value_text(&f.old), value_text(&f.new))
}

fn value_text(v: &Value) -> String {
    let text = match v {
        Value::Null => "(none)".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn cite(c: &Citation) -> String {
    if c.article.is_empty() {
        c.instrument.clone()
    } else {
        format!("{}, {}", c.instrument, c.article)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::edited;

    #[test]
    fn the_same_rulebook_has_no_differences() {
        let rb = edited(&[]);
        let d = diff(&rb, &rb);
        assert!(d.is_empty());
        assert!(d.to_text().contains("no rule or set changed"));
    }

    #[test]
    fn a_changed_rule_is_named_with_its_fields_and_citation() {
        let old = edited(&[]);
        let new = edited(&[(
            "jurisdictions/JP.toml",
            "\nid = \"consent\"\n",
            "\nid = \"consent\"\nvalid_until = \"2026-12-31\"\n",
        )]);
        let d = diff(&old, &new);
        assert!(d.added.is_empty() && d.removed.is_empty(), "{}", d.to_text());
        assert_eq!(d.changed.len(), 1, "{}", d.to_text());
        let c = &d.changed[0];
        assert_eq!((c.rule.rule.as_str(), c.rule.jurisdiction.as_str(), c.rule.class), ("JP.consent", "JP", "route"));
        assert!(c.rule.citation.url.starts_with("https://"), "{:?}", c.rule.citation);
        assert_eq!(c.fields, [FieldChange { field: "valid_until".into(), old: Value::Null, new: "2026-12-31".into() }]);
        let text = d.to_text();
        assert!(text.contains("~ JP.consent (consent route)"), "{text}");
        assert!(text.contains("valid_until: (none) → 2026-12-31"), "{text}");
        assert!(text.contains(&format!("<{}>", c.rule.citation.url)), "{text}");
        assert_eq!(
            d.rule_change("JP.consent").as_deref(),
            Some("JP.consent changed: valid_until: (none) → 2026-12-31")
        );
        let json = serde_json::to_value(&d).expect("json");
        assert_eq!(json["changed"][0]["rule"], "JP.consent");
        assert_eq!(json["changed"][0]["fields"][0]["field"], "valid_until");
    }

    #[test]
    fn added_and_removed_rules_and_changed_sets_are_listed() {
        let old = edited(&[]);
        let new = crate::testing::without_route("jurisdictions/EU.toml", "adequacy-japan");
        let d = diff(&old, &new);
        assert_eq!(d.removed.len(), 1, "{}", d.to_text());
        assert_eq!(d.removed[0].rule, "EU.adequacy-japan");
        assert!(d.to_text().contains("- EU.adequacy-japan"), "{}", d.to_text());
        let back = diff(&new, &old);
        assert_eq!(back.added.len(), 1);
        assert!(back.rule_change("EU.adequacy-japan").is_some_and(|t| t.starts_with("EU.adequacy-japan was added")));

        let new = edited(&[("sets.toml", r#""AT", "BE", "BG""#, r#""AT", "BG""#)]);
        let d = diff(&old, &new);
        assert_eq!(d.sets.len(), 1, "{}", d.to_text());
        assert_eq!(d.sets[0].change, "changed");
        assert!(d.to_text().contains("members: − BE"), "{}", d.to_text());
    }
}
