//! A decision made readable: the JSON a tool consumes and the text a DPO reads. Built from the
//! engine's index-only `Decision` plus the rulebook's names, citations and summaries.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::{Decision, Effect, Flow, RuleId, Verdict};
use crate::flow::{FlowInput, Party};
use crate::rulebook::{RuleInfo, Rulebook};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub verdict: &'static str,
    pub flow: FlowInput,
    /// Alternative sets of safeguards, any one of which makes the flow lawful.
    pub options: Vec<OptionReport>,
    pub obligations: Vec<ObligationReport>,
    pub basis: Vec<BasisReport>,
    pub explanation: Vec<String>,
    /// Rules in the basis whose facts the rulebook marks uncertain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
    pub rulebook: RulebookRef,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionReport {
    pub safeguards: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub importer_certification_any: Vec<String>,
    pub approval: bool,
    pub rule: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObligationReport {
    pub id: String,
    pub text: String,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasisReport {
    pub rule: String,
    pub role: &'static str,
    pub summary: String,
    pub instrument: String,
    pub article: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    pub reviewed: String,
    pub certainty: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RulebookRef {
    pub version: String,
    pub digest: String,
}

impl Rulebook {
    fn rule(&self, id: RuleId) -> Option<&RuleInfo> {
        self.rules.get(usize::from(id))
    }

    fn obligations_of(&self, rule: &RuleInfo) -> Vec<ObligationReport> {
        rule.obligations
            .iter()
            .map(|(o, text)| ObligationReport {
                id: self.vocab.obligations.ids.get(*o).cloned().unwrap_or_default(),
                text: text.clone(),
                rule: rule.id.clone(),
            })
            .collect()
    }

    fn basis_of(&self, rule: &RuleInfo, role: &'static str) -> BasisReport {
        BasisReport {
            rule: rule.id.clone(),
            role,
            summary: rule.summary.clone(),
            instrument: rule.citation.instrument.clone(),
            article: rule.citation.article.clone(),
            url: rule.citation.url.clone(),
            valid_from: rule.valid_from.map(|d| d.to_string()),
            valid_until: rule.valid_until.map(|d| d.to_string()),
            reviewed: rule.reviewed.to_string(),
            certainty: if rule.uncertain { "uncertain" } else { "verified" },
        }
    }

    /// The flow as the rulebook understood it (names normalised, defaults filled in).
    pub fn echo(&self, flow: &Flow) -> FlowInput {
        let names =
            |terms: &crate::vocab::Terms, mask: u64| terms.names_of(mask).into_iter().map(String::from).collect();
        FlowInput {
            from: self.country_code(flow.from).to_owned(),
            to: self.country_code(flow.to).to_owned(),
            data: names(&self.vocab.categories, u64::from(flow.data)),
            subjects: flow.subjects,
            purpose: flow.purpose.and_then(|p| self.vocab.purposes.ids.get(usize::from(p)).cloned()),
            exporter: Party { roles: names(&self.vocab.roles, u64::from(flow.exporter_roles)), certifications: vec![] },
            importer: Party {
                roles: names(&self.vocab.roles, u64::from(flow.importer_roles)),
                certifications: names(&self.vocab.certifications, u64::from(flow.certifications)),
            },
            safeguards: names(&self.vocab.mechanisms, flow.safeguards),
            as_of: Some(flow.as_of.to_string()),
        }
    }

    /// Everything a person or a tool needs to act on a decision.
    pub fn report(&self, flow: &Flow, d: &Decision) -> Report {
        let mut basis = Vec::new();
        let mut obligations = Vec::new();
        let mut explanation = Vec::new();
        let mut caveats = Vec::new();
        let exporter = &self.jurisdictions[usize::from(d.exporter)];
        let from = self.country_code(flow.from);
        let to = self.country_code(flow.to);

        if d.domestic {
            explanation.push(format!(
                "{from} to {to} stays in one country ({}): this is not a cross-border transfer, so no transfer rule applies.",
                self.country_name(flow.from)
            ));
        } else {
            explanation.push(format!(
                "Exports from {from} ({}) are governed by {}: {}.",
                self.country_name(flow.from),
                exporter.name,
                exporter.law
            ));
            explanation.push(format!("Under that law the data counts as: {}.", self.category_names(d.data).join(", ")));
        }

        let matched: Vec<RuleId> = self.tables.matched_restrictions(flow, d).collect();
        for r in matched.iter().filter_map(|r| self.rule(*r)) {
            let side = if r.import {
                format!(
                    "The destination's law ({}) applies to data arriving from {from}",
                    self.jurisdictions[usize::from(r.jurisdiction)].name
                )
            } else {
                "A restriction applies".to_owned()
            };
            let effect = match r.effect {
                Some(Effect::Deny) => "This prohibits the flow.".to_owned(),
                Some(Effect::Require) => {
                    format!("Every route must also have: {}.", self.vocab.mechanisms.names_of(r.requires).join(" + "))
                }
                _ => "It adds obligations.".to_owned(),
            };
            explanation.push(format!("{side} ({}): {} {effect} [{}]", r.id, r.summary, cite(r)));
            basis.push(self.basis_of(r, "restriction"));
            obligations.extend(self.obligations_of(r));
            if r.uncertain {
                caveats.push(caveat(r));
            }
        }

        let mut options = Vec::new();
        match d.verdict {
            Verdict::Allow if d.domestic => {}
            Verdict::Allow => {
                if let Some(r) = d.route.and_then(|r| self.rule(r)) {
                    explanation.push(format!("Route {} applies and is met: {} [{}]", r.id, r.summary, cite(r)));
                    basis.push(self.basis_of(r, "route"));
                    obligations.extend(self.obligations_of(r));
                    if r.uncertain {
                        caveats.push(caveat(r));
                    }
                }
            }
            Verdict::Conditional | Verdict::Approval => {
                let mut listed = Vec::new();
                for o in &self.tables.options(flow, d) {
                    let Some(r) = self.rule(o.rule) else { continue };
                    let safeguards: Vec<String> =
                        self.vocab.mechanisms.names_of(o.missing).into_iter().map(String::from).collect();
                    let certs: Vec<String> =
                        self.vocab.certifications.names_of(u64::from(o.certs)).into_iter().map(String::from).collect();
                    listed.push(format!("{} ({})", need_text(&safeguards, &certs), r.id));
                    basis.push(self.basis_of(r, "option"));
                    if r.uncertain {
                        caveats.push(caveat(r));
                    }
                    options.push(OptionReport {
                        safeguards,
                        importer_certification_any: certs,
                        approval: o.approval,
                        rule: r.id.clone(),
                        summary: r.summary.clone(),
                        obligations: self.obligations_of(r),
                    });
                }
                explanation.push(if d.verdict == Verdict::Conditional {
                    format!(
                        "No lawful route is in place yet; any one of these would make the flow lawful: {}.",
                        listed.join("; ")
                    )
                } else {
                    format!("Every lawful route needs an authority's prior approval: {}.", listed.join("; "))
                });
            }
            Verdict::Deny => {
                if !matched.iter().filter_map(|r| self.rule(*r)).any(|r| r.effect == Some(Effect::Deny)) {
                    explanation.push(format!(
                        "No route under {} covers this flow on {}: the law offers no lawful way for it.",
                        exporter.name, flow.as_of
                    ));
                }
            }
        }
        explanation.push(format!("Verdict: {}.", d.verdict.as_str()));

        Report {
            verdict: d.verdict.as_str(),
            flow: self.echo(flow),
            options,
            obligations,
            basis,
            explanation,
            caveats,
            rulebook: RulebookRef { version: self.release.version.clone(), digest: self.release.digest.clone() },
        }
    }
}

/// "scc + tia", "an importer certified dpf or apec-cbpr", or both.
fn need_text(safeguards: &[String], certs: &[String]) -> String {
    let mut need = safeguards.join(" + ");
    if !certs.is_empty() {
        if !need.is_empty() {
            need.push_str(" and ");
        }
        let _ = write!(need, "an importer certified {}", certs.join(" or "));
    }
    need
}

fn cite(r: &RuleInfo) -> String {
    if r.citation.article.is_empty() {
        r.citation.instrument.clone()
    } else {
        format!("{}, {}", r.citation.instrument, r.citation.article)
    }
}

fn caveat(r: &RuleInfo) -> String {
    match &r.note {
        Some(n) => format!("{} is marked uncertain in the rulebook: {n}", r.id),
        None => format!("{} is marked uncertain in the rulebook", r.id),
    }
}

impl Report {
    /// The readable form: verdict, why, what would make it lawful, obligations, sources.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let f = &self.flow;
        let _ = writeln!(
            s,
            "{} → {}  {}  {} subject(s)  purpose: {}  as of {}",
            f.from,
            f.to,
            f.data.join("+"),
            f.subjects,
            f.purpose.as_deref().unwrap_or("(none)"),
            f.as_of.as_deref().unwrap_or("")
        );
        let _ = writeln!(s, "\nVerdict: {}\n", self.verdict.to_uppercase());
        let _ = writeln!(s, "Why:");
        for (i, step) in self.explanation.iter().enumerate() {
            let _ = writeln!(s, "  {}. {step}", i + 1);
        }
        if !self.options.is_empty() {
            let _ = writeln!(s, "\nWhat would make it lawful (any one):");
            for o in &self.options {
                let approval = if o.approval { "  [needs an authority's approval]" } else { "" };
                let _ = writeln!(
                    s,
                    "  - {}{approval}\n      {} ({})",
                    need_text(&o.safeguards, &o.importer_certification_any),
                    o.summary,
                    o.rule
                );
            }
        }
        if !self.obligations.is_empty() {
            let _ = writeln!(s, "\nObligations:");
            for o in &self.obligations {
                let _ = writeln!(s, "  - {} ({})", o.text, o.rule);
            }
        }
        if !self.basis.is_empty() {
            let _ = writeln!(s, "\nLegal basis:");
            for b in &self.basis {
                let art = if b.article.is_empty() { String::new() } else { format!(", {}", b.article) };
                let _ = writeln!(s, "  - {}: {}{art} <{}> (reviewed {})", b.rule, b.instrument, b.url, b.reviewed);
            }
        }
        if !self.caveats.is_empty() {
            let _ = writeln!(s, "\nCaveats:");
            for c in &self.caveats {
                let _ = writeln!(s, "  - {c}");
            }
        }
        let _ = writeln!(s, "\nRulebook {} ({})", self.rulebook.version, self.rulebook.digest);
        s
    }
}
