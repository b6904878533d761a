//! The rulebook on one day as Cedar: a schema, one policy per jurisdiction, route and restriction
//! (`@id` is the rule id), and an entity store of countries, destination sets and jurisdictions.
//!
//! - Entities: `Country::"DE"` is a member of every `CountrySet` it belongs to on the day and of
//!   the `Jurisdiction` governing its exports on the day, so `principal in Jurisdiction::"EU"`
//!   ("exports from a country under EU law") and `resource in CountrySet::"eu-adequate"` are plain
//!   hierarchy tests.
//! - A request is (principal = origin, action = question, resource = destination, context = the
//!   flow: its data categories as given, purpose, roles, certifications, safeguards, subjects).
//! - Questions (actions), asked in this order; the first `Allow` gives the verdict:
//!   `lawful` (some route is met: allow), `conditional` (some route's missing mechanisms need no
//!   authority), `approval` (some route applies), then `governed` (the origin is under some law:
//!   deny; else the flow is outside the rulebook). `lawful`, `conditional` and `approval` are in
//!   the action group `transfer`, which every prohibition forbids.
//! - A law's lattice is compiled into its policies: "the data, closed under the law, contains one
//!   of C" becomes "the data contains one of the categories that imply C under that law".
//! - A route's policy has two `when` clauses: its scope, and what each question asks of it
//!   (`lawful`: certified and every mechanism in place; `conditional`: the mechanisms that need an
//!   authority are in place; `approval`: nothing more).
//! - A restriction that adds mechanisms to every route forbids `lawful` while they are missing,
//!   and `conditional` while those that need an authority are missing.
//! - The basis of an `allow` is read from the response's reasons: the most preferred satisfied
//!   route policy (a jurisdiction's own policy among them: domestic, no basis).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, EntityUid, Policy, PolicyId, PolicySet, Request,
    RestrictedExpression, Schema, ValidationMode, Validator,
};
use rules::engine::Effect;
use rules::flow::FlowInput;

use crate::view::{Place, Rule, View};
use crate::Outcome;

/// The questions, in the order they are asked.
pub const ACTIONS: [&str; 4] = ["lawful", "conditional", "approval", "governed"];
const LAWFUL: usize = 0;
const CONDITIONAL: usize = 1;
const APPROVAL: usize = 2;
const GOVERNED: usize = 3;

/// The generated Cedar sources.
#[derive(Debug, Clone)]
pub struct CedarSources {
    pub schema: String,
    /// (policy id, policy text), in order.
    pub policies: Vec<(String, String)>,
    pub entities: serde_json::Value,
}

impl CedarSources {
    /// All policies as one `.cedar` file.
    pub fn policy_text(&self) -> String {
        self.policies.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>().join("\n")
    }
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

fn string_set(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
}

fn uid(kind: &str, id: &str) -> String {
    format!("{kind}::{}", quote(id))
}

/// `var in [places]`, or an equivalent single test; parenthesised when it is a disjunction.
/// (Callers negate it as `!(...)`: `!` binds tighter than `in` in Cedar.)
fn place_test(var: &str, places: &[Place]) -> String {
    let sets: Vec<String> =
        places.iter().filter_map(|p| if let Place::Set(s) = p { Some(uid("CountrySet", s)) } else { None }).collect();
    let countries: Vec<String> =
        places.iter().filter_map(|p| if let Place::Country(c) = p { Some(uid("Country", c)) } else { None }).collect();
    let mut parts = Vec::new();
    match sets.as_slice() {
        [] => {}
        [one] => parts.push(format!("{var} in {one}")),
        many => parts.push(format!("{var} in [{}]", many.join(", "))),
    }
    match countries.as_slice() {
        [] => {}
        [one] => parts.push(format!("{var} == {one}")),
        many => parts.push(format!("{var} in [{}]", many.join(", "))),
    }
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join(" || "))
    }
}

/// The scope of a rule as Cedar conditions (empty: none).
fn scope(view: &View, rule: &Rule) -> Vec<String> {
    let mut c = Vec::new();
    // Export rules: where the data goes (one place is tested in the policy head); import
    // restrictions: where it comes from. Categories close under the rule's own law either way.
    let (place_var, law) = (if rule.import { "principal" } else { "resource" }, rule.jur);
    if rule.places.len() > 1 || (rule.places.len() == 1 && rule.import) {
        c.push(place_test(place_var, &rule.places));
    }
    if !rule.not_to.is_empty() {
        c.push(format!("!({})", place_test("resource", &rule.not_to)));
    }
    if !rule.data_any.is_empty() {
        c.push(format!("context.data.containsAny({})", string_set(&view.implying(law, &rule.data_any))));
    }
    if !rule.data_none.is_empty() {
        c.push(format!("!context.data.containsAny({})", string_set(&view.implying(law, &rule.data_none))));
    }
    if !rule.purposes.is_empty() {
        c.push(format!("context has purpose && {}.contains(context.purpose)", string_set(&rule.purposes)));
    }
    if !rule.not_purposes.is_empty() {
        c.push(format!("!(context has purpose && {}.contains(context.purpose))", string_set(&rule.not_purposes)));
    }
    for (field, any, none) in [
        ("exporter_roles", &rule.exporter_roles_any, &rule.exporter_roles_none),
        ("importer_roles", &rule.importer_roles_any, &rule.importer_roles_none),
    ] {
        if !any.is_empty() {
            c.push(format!("context.{field}.containsAny({})", string_set(any)));
        }
        if !none.is_empty() {
            c.push(format!("!context.{field}.containsAny({})", string_set(none)));
        }
    }
    if let Some(n) = rule.subjects_above {
        c.push(format!("context.subjects > {n}"));
    }
    if let Some(n) = rule.subjects_up_to {
        c.push(format!("context.subjects <= {n}"));
    }
    c
}

/// One policy: head, `when` clauses (each a conjunction; all must hold), and for forbids the
/// domestic exception.
fn policy(id: &str, effect: &str, principal: &str, action: &str, resource: &str, when: &[Vec<String>]) -> String {
    let mut text = format!("@id({})\n{effect} (\n  {principal},\n  {action},\n  {resource}\n)", quote(id));
    for clause in when.iter().filter(|c| !c.is_empty()) {
        let _ = write!(text, "\nwhen {{\n  {}\n}}", clause.join(" &&\n  "));
    }
    if effect == "forbid" {
        // Same country: not a cross-border transfer, so no restriction applies.
        text.push_str("\nunless { resource == principal }");
    }
    text.push_str(";\n");
    text
}

/// A conjunction as one term.
fn all(conditions: &[String]) -> String {
    match conditions {
        [one] => one.clone(),
        many => format!("({})", many.join(" && ")),
    }
}

/// The head's resource constraint: an export rule's single destination; otherwise none (the
/// places are then tested in `when`).
fn resource_head(rule: &Rule) -> String {
    match rule.places.as_slice() {
        [Place::Set(s)] if !rule.import => format!("resource in {}", uid("CountrySet", s)),
        [Place::Country(c)] if !rule.import => format!("resource == {}", uid("Country", c)),
        _ => "resource".to_owned(),
    }
}

/// Generates the schema, policies and entities for the view.
pub fn translate(view: &View) -> CedarSources {
    let schema = format!(
        r#"// dfft rulebook on {day}, as Cedar. Generated by crates/bench; do not edit.
entity Jurisdiction;
entity CountrySet;
entity Country in [CountrySet, Jurisdiction];

// A flow's facts. `data` holds the categories as given: each law's lattice is compiled into its
// policies. `purpose` is absent when the flow states none.
type Flow = {{
  data: Set<String>,
  purpose?: String,
  exporter_roles: Set<String>,
  importer_roles: Set<String>,
  certifications: Set<String>,
  safeguards: Set<String>,
  subjects: Long,
}};

action transfer;
action lawful, conditional, approval in [transfer] appliesTo {{
  principal: Country,
  resource: Country,
  context: Flow,
}};
action governed appliesTo {{
  principal: Country,
  resource: Country,
  context: Flow,
}};
"#,
        day = view.day
    );

    let mut policies: Vec<(String, String)> = Vec::new();
    let mut add = |id: &str, text: String| policies.push((id.to_owned(), text));
    let action = |a: &str| format!("action == Action::{}", quote(a));
    for (j, jur) in view.jurisdictions.iter().enumerate() {
        // The law governs exports from its member countries; within one country nothing is a transfer.
        let principal = format!("principal in {}", uid("Jurisdiction", jur));
        let domestic = format!("({} && resource == principal)", action("lawful"));
        let text = policy(
            jur,
            "permit",
            &principal,
            "action in [Action::\"governed\", Action::\"lawful\"]",
            "resource",
            &[vec![format!("{} ||\n  {domestic}", action("governed"))]],
        );
        add(jur, text);
        for route in view.routes(j) {
            // Lawful: met (certified if the route asks, every mechanism in place). Conditional:
            // whatever is missing needs no authority. Approval: the route applies.
            let mut lawful = vec![action("lawful")];
            if !route.certifications_any.is_empty() {
                lawful.push(format!("context.certifications.containsAny({})", string_set(&route.certifications_any)));
            }
            if !route.requires.is_empty() {
                lawful.push(format!("context.safeguards.containsAll({})", string_set(&route.requires)));
            }
            let mut conditional = vec![action("conditional")];
            let authority = view.needing_authority(route);
            if !authority.is_empty() {
                conditional.push(format!("context.safeguards.containsAll({})", string_set(&authority)));
            }
            let question = if lawful.len() == 1 && conditional.len() == 1 {
                Vec::new()
            } else {
                vec![format!("{} ||\n  {} ||\n  {}", action("approval"), all(&conditional), all(&lawful))]
            };
            let head = resource_head(route);
            let text = policy(
                &route.id,
                "permit",
                &principal,
                "action in Action::\"transfer\"",
                &head,
                &[scope(view, route), question],
            );
            add(&route.id, text);
        }
        for import in [false, true] {
            for r in view.restrictions(j, import) {
                // Export restrictions: exports under this law; import ones: imports into its countries.
                let (p, res) = if import {
                    ("principal".to_owned(), format!("resource in {}", uid("Jurisdiction", jur)))
                } else {
                    (principal.clone(), resource_head(r))
                };
                match r.effect {
                    Some(Effect::Deny) => {
                        let text =
                            policy(&r.id, "forbid", &p, "action in Action::\"transfer\"", &res, &[scope(view, r)]);
                        add(&r.id, text);
                    }
                    Some(Effect::Require) => {
                        // Every route then needs these too: no route is met while one is missing,
                        // and none is conditional while one that needs an authority is missing.
                        let unmet = format!("!context.safeguards.containsAll({})", string_set(&r.requires));
                        let authority = view.needing_authority(r);
                        let (head_action, question) = if authority.is_empty() {
                            (action("lawful"), vec![unmet])
                        } else {
                            let unmet_authority =
                                format!("!context.safeguards.containsAll({})", string_set(&authority));
                            (
                                "action in [Action::\"lawful\", Action::\"conditional\"]".to_owned(),
                                vec![unmet, format!("({} || {unmet_authority})", action("lawful"))],
                            )
                        };
                        let text = policy(&r.id, "forbid", &p, &head_action, &res, &[scope(view, r), question]);
                        add(&r.id, text);
                    }
                    // Obligations do not change the verdict.
                    Some(Effect::Oblige) | None => {}
                }
            }
        }
    }

    // Entities.
    let mut entities = Vec::new();
    for jur in &view.jurisdictions {
        entities.push(serde_json::json!({"uid": {"type": "Jurisdiction", "id": jur}, "attrs": {}, "parents": []}));
    }
    let mut parents: Vec<Vec<serde_json::Value>> = vec![Vec::new(); view.countries.len()];
    let index: HashMap<&str, usize> = view.countries.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    for (set, members) in &view.sets {
        entities.push(serde_json::json!({"uid": {"type": "CountrySet", "id": set}, "attrs": {}, "parents": []}));
        for m in members {
            if let Some(i) = index.get(m.as_str()) {
                parents[*i].push(serde_json::json!({"type": "CountrySet", "id": set}));
            }
        }
    }
    for (i, country) in view.countries.iter().enumerate() {
        let mut p = std::mem::take(&mut parents[i]);
        if let Some(j) = view.governed_by[i] {
            p.push(serde_json::json!({"type": "Jurisdiction", "id": view.jurisdictions[j]}));
        }
        entities.push(serde_json::json!({"uid": {"type": "Country", "id": country}, "attrs": {}, "parents": p}));
    }
    CedarSources { schema, policies, entities: serde_json::Value::Array(entities) }
}

/// What the route policies say about the basis: (rank, rule index) of a `lawful` permit.
type Basis = Option<(u8, u16)>;

/// Cedar, loaded once: schema, validated policy set, entities.
pub struct CedarEngine {
    schema: Schema,
    policies: PolicySet,
    entities: Entities,
    authorizer: Authorizer,
    actions: [EntityUid; 4],
    /// Route policies → (rank, rule index), for the basis; jurisdiction policies (domestic) → None.
    basis_of: HashMap<PolicyId, Option<(u8, u16)>>,
    /// Rule index → full id.
    pub rule_ids: HashMap<u16, String>,
}

/// One flow's four requests (one per question), built before any timing.
pub struct CedarRequests([Request; 4]);

impl CedarEngine {
    /// Parses the schema, the policies and the entities, and validates the policies (strict).
    pub fn new(view: &View, sources: &CedarSources) -> Result<CedarEngine, String> {
        let (schema, warnings) =
            Schema::from_cedarschema_str(&sources.schema).map_err(|e| format!("Cedar schema: {e:?}"))?;
        let _ = warnings.count();
        let mut policies = PolicySet::new();
        for (id, text) in &sources.policies {
            let p = Policy::parse(Some(PolicyId::new(id)), text).map_err(|e| format!("Cedar policy {id}: {e:?}"))?;
            policies.add(p).map_err(|e| format!("Cedar policy {id}: {e:?}"))?;
        }
        let validation = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if !validation.validation_passed() {
            let errors: Vec<String> = validation.validation_errors().map(|e| format!("{e:?}")).take(5).collect();
            return Err(format!("Cedar validation failed: {}", errors.join("; ")));
        }
        let entities = Entities::from_json_value(sources.entities.clone(), Some(&schema))
            .map_err(|e| format!("Cedar entities: {e:?}"))?;
        let action = |a: &str| {
            EntityUid::from_str(&format!("Action::{}", quote(a))).map_err(|e| format!("Cedar action {a}: {e:?}"))
        };
        let actions = [action(ACTIONS[0])?, action(ACTIONS[1])?, action(ACTIONS[2])?, action(ACTIONS[3])?];
        let mut basis_of = HashMap::new();
        let mut rule_ids = HashMap::new();
        for r in &view.rules {
            rule_ids.insert(r.index, r.id.clone());
            if !r.restriction {
                basis_of.insert(PolicyId::new(&r.id), Some((r.rank, r.index)));
            }
        }
        for jur in &view.jurisdictions {
            basis_of.insert(PolicyId::new(jur), None);
        }
        Ok(CedarEngine { schema, policies, entities, authorizer: Authorizer::new(), actions, basis_of, rule_ids })
    }

    pub fn policy_count(&self) -> usize {
        self.policies.policies().count()
    }

    /// The four requests for one flow (the flow as `rulebook.echo` writes it).
    pub fn requests(&self, flow: &FlowInput) -> Result<CedarRequests, String> {
        let set = |items: &[String]| {
            RestrictedExpression::new_set(items.iter().cloned().map(RestrictedExpression::new_string))
        };
        let mut pairs = vec![
            ("data".to_owned(), set(&flow.data)),
            ("exporter_roles".to_owned(), set(&flow.exporter.roles)),
            ("importer_roles".to_owned(), set(&flow.importer.roles)),
            ("certifications".to_owned(), set(&flow.importer.certifications)),
            ("safeguards".to_owned(), set(&flow.safeguards)),
            ("subjects".to_owned(), RestrictedExpression::new_long(i64::try_from(flow.subjects).unwrap_or(i64::MAX))),
        ];
        if let Some(p) = &flow.purpose {
            pairs.push(("purpose".to_owned(), RestrictedExpression::new_string(p.clone())));
        }
        let context = Context::from_pairs(pairs).map_err(|e| format!("Cedar context: {e:?}"))?;
        let country = |c: &str| EntityUid::from_str(&uid("Country", c)).map_err(|e| format!("{e:?}"));
        let (from, to) = (country(&flow.from)?, country(&flow.to)?);
        let request = |a: usize| {
            Request::new(from.clone(), self.actions[a].clone(), to.clone(), context.clone(), Some(&self.schema))
                .map_err(|e| format!("Cedar request: {e:?}"))
        };
        Ok(CedarRequests([request(0)?, request(1)?, request(2)?, request(3)?]))
    }

    /// The verdict (and, for `allow`, the basis route's rule index): up to four `is_authorized`
    /// calls in a fixed order. This is the timed call.
    #[inline(never)]
    pub fn decide(&self, requests: &CedarRequests) -> (Outcome, Option<u16>) {
        let ask = |a: usize| self.authorizer.is_authorized(&requests.0[a], &self.policies, &self.entities);
        let lawful = ask(LAWFUL);
        if lawful.decision() == CedarDecision::Allow {
            // The basis: the most preferred route whose `lawful` permit was satisfied; none for a
            // domestic flow (its route permits may hold too, but it is not a transfer).
            let mut basis: Basis = None;
            for id in lawful.diagnostics().reason() {
                match self.basis_of.get(id) {
                    Some(Some(b)) => basis = Some(basis.map_or(*b, |a| a.min(*b))),
                    Some(None) => return (Outcome::Allow, None),
                    None => {}
                }
            }
            return (Outcome::Allow, basis.map(|b| b.1));
        }
        if ask(CONDITIONAL).decision() == CedarDecision::Allow {
            return (Outcome::Conditional, None);
        }
        if ask(APPROVAL).decision() == CedarDecision::Allow {
            return (Outcome::Approval, None);
        }
        if ask(GOVERNED).decision() == CedarDecision::Allow {
            (Outcome::Deny, None)
        } else {
            (Outcome::Uncovered, None)
        }
    }
}

/// Policy ids that occur more than once (a translation bug).
pub fn duplicate_ids(sources: &CedarSources) -> Vec<String> {
    let mut seen = HashSet::new();
    sources.policies.iter().filter(|(id, _)| !seen.insert(id.clone())).map(|(id, _)| id.clone()).collect()
}
