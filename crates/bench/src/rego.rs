//! The rulebook on one day as Rego for regorus: one module that states the decision model once
//! (`MODULE`, the counterpart of `rules::engine`) and a data document generated from the
//! rulebook (every law's routes and restrictions in force, its lattice, who governs which
//! country and which country is in which set). Rules as data is the idiomatic Rego shape: the
//! module does not change when the rulebook grows.
//!
//! The module computes the whole decision: `data.dfft.decision` is
//! `{"verdict": ..., "basis": rule id or null, "options": set of {missing, certifications, approval}}`.

use std::collections::BTreeSet;
use std::sync::Arc;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::Program;
use regorus::rvm::vm::RegoVM;
use regorus::{Engine, Value};
use rules::engine::Effect;
use serde_json::{json, Map, Value as Json};

use crate::view::{Place, Rule, View};
use crate::{OptionSet, Outcome};

/// The rule evaluated for every flow.
pub const ENTRY_POINT: &str = "data.dfft.decision";

/// The decision model in Rego (v1 syntax). Input: a flow as `dfft check --flow` reads it.
pub const MODULE: &str = r#"# dfft's decision model in Rego. The law itself is in `data` (generated from the rulebook).
package dfft

import rego.v1

# The law governing exports from the origin on `data.as_of`, and the destination's law, if any.
exporter := data.governed_by[input.from]

importer := data.governed_by[input.to]

law := data.laws[exporter]

# Each end of the flow: the country itself and every set it belongs to (an object of trues).
destination := data.places[input.to]

origin := data.places[input.from]

safeguards := {m | some m in input.safeguards}

certifications := {c | some c in input.importer.certifications}

exporter_roles := {r | some r in input.exporter.roles}

importer_roles := {r | some r in input.importer.roles}

# The flow's categories closed under the exporter's and the destination's lattice.
export_data := {c | some d in input.data; some c in law.closure[d]}

import_data := {c | some d in input.data; some c in data.laws[importer].closure[d]}

# `want` shares an element with `have`; an empty `want` is no condition.
any_or_empty(want, _) if count(want) == 0

any_or_empty(want, have) if meets(want, have)

meets(want, have) if {
	some x in want
	have[x]
}

purpose_ok(r) if count(r.purposes) == 0

purpose_ok(r) if input.purpose in r.purposes

# No stated purpose: purpose-scoped rules do not apply, and `not_purposes` excludes nothing.
purpose_excluded(r) if input.purpose in r.not_purposes

scope(r, cats) if {
	any_or_empty(r.data_any, cats)
	not meets(r.data_none, cats)
	purpose_ok(r)
	not purpose_excluded(r)
	any_or_empty(r.exporter_roles_any, exporter_roles)
	not meets(r.exporter_roles_none, exporter_roles)
	any_or_empty(r.importer_roles_any, importer_roles)
	not meets(r.importer_roles_none, importer_roles)
	input.subjects > object.get(r, "subjects_above", -1)
	input.subjects <= object.get(r, "subjects_up_to", input.subjects)
}

export_scope(r) if {
	any_or_empty(r.to, destination)
	not meets(r.not_to, destination)
	scope(r, export_data)
}

import_scope(r) if {
	any_or_empty(r.origins, origin)
	scope(r, import_data)
}

# Restrictions that match: the exporter's law's on this destination, the destination law's on imports.
restrictions := array.concat(
	[r | some r in law.export_restrictions; export_scope(r)],
	[r | some r in data.laws[importer].import_restrictions; import_scope(r)],
)

denied if {
	some r in restrictions
	r.effect == "deny"
}

# What matching `require` restrictions add to every route.
added := {m | some r in restrictions; r.effect == "require"; some m in r.requires}

added_approval := {m | some r in restrictions; r.effect == "require"; some m in r.approval}

# Routes that apply, most preferred first.
routes := [r | some r in law.routes; export_scope(r)]

missing(r) := {m | some m in r.requires; not safeguards[m]} | {m | some m in added; not safeguards[m]}

certified(r) if count(r.certifications_any) == 0

certified(r) if meets(r.certifications_any, certifications)

met(r) if {
	count(missing(r)) == 0
	certified(r)
}

needs_authority(r, m) if m in r.approval

needs_authority(_, m) if added_approval[m]

needs_authority(_, m) if data.authority[m]

approval(r) if {
	some m in missing(r)
	needs_authority(r, m)
}

some_route_met if {
	some r in routes
	met(r)
}

some_route_needs_no_authority if {
	some r in routes
	not approval(r)
}

# (regorus's RVM, 0.14, drops the rest of an `else` chain after a body whose `some` loop finds
# nothing, so the loops are named rules above.)
verdict := "uncovered" if {
	not exporter
} else := "allow" if {
	input.from == input.to
} else := "deny" if {
	denied
} else := "allow" if {
	some_route_met
} else := "conditional" if {
	some_route_needs_no_authority
} else := "approval" if {
	count(routes) > 0
} else := "deny"

# The most preferred route that is met (none for a domestic flow).
basis := id if {
	verdict == "allow"
	input.from != input.to
	ids := [r.id | some r in routes; met(r)]
	id := ids[0]
} else := null

option(r) := {
	"missing": missing(r),
	"certifications": {c | some c in r.certifications_any; not certified(r)},
	"approval": count({m | some m in missing(r); needs_authority(r, m)}) > 0,
}

candidates contains option(r) if {
	verdict in {"conditional", "approval"}
	some r in routes
}

# The ways to make the flow lawful, without any that another option makes redundant.
options contains o if {
	some o in candidates
	not redundant(o)
}

redundant(o) if {
	some p in candidates
	p != o
	no_harder(p, o)
}

no_harder(a, b) if {
	count(a.missing - b.missing) == 0
	certifications_no_harder(a.certifications, b.certifications)
	not harder_approval(a, b)
}

certifications_no_harder(a, _) if count(a) == 0

certifications_no_harder(a, b) if {
	count(b) > 0
	count(b - a) == 0
}

harder_approval(a, b) if {
	a.approval
	not b.approval
}

decision := {"verdict": verdict, "basis": basis, "options": options}
"#;

fn place_names(places: &[Place]) -> Vec<&str> {
    places
        .iter()
        .map(|p| match p {
            Place::Set(s) | Place::Country(s) => s.as_str(),
        })
        .collect()
}

fn rule_json(r: &Rule) -> Json {
    let mut o = Map::new();
    o.insert("id".into(), json!(r.id));
    if r.import {
        o.insert("origins".into(), json!(place_names(&r.places)));
    } else {
        o.insert("to".into(), json!(place_names(&r.places)));
        o.insert("not_to".into(), json!(place_names(&r.not_to)));
    }
    for (k, v) in [
        ("data_any", &r.data_any),
        ("data_none", &r.data_none),
        ("purposes", &r.purposes),
        ("not_purposes", &r.not_purposes),
        ("exporter_roles_any", &r.exporter_roles_any),
        ("exporter_roles_none", &r.exporter_roles_none),
        ("importer_roles_any", &r.importer_roles_any),
        ("importer_roles_none", &r.importer_roles_none),
        ("certifications_any", &r.certifications_any),
        ("requires", &r.requires),
        ("approval", &r.approval),
    ] {
        o.insert(k.into(), json!(v));
    }
    if let Some(n) = r.subjects_above {
        o.insert("subjects_above".into(), json!(n));
    }
    if let Some(n) = r.subjects_up_to {
        o.insert("subjects_up_to".into(), json!(n));
    }
    if r.restriction {
        let effect = match r.effect {
            Some(Effect::Deny) => "deny",
            Some(Effect::Require) => "require",
            Some(Effect::Oblige) | None => "oblige",
        };
        o.insert("effect".into(), json!(effect));
    }
    Json::Object(o)
}

/// The data document for the view.
pub fn data_document(view: &View) -> Json {
    let mut governed_by = Map::new();
    let mut places = Map::new();
    for (i, c) in view.countries.iter().enumerate() {
        if let Some(j) = view.governed_by[i] {
            governed_by.insert(c.clone(), json!(view.jurisdictions[j]));
        }
        let mut p = Map::new();
        p.insert(c.clone(), json!(true));
        for (set, members) in &view.sets {
            if members.contains(c) {
                p.insert(set.clone(), json!(true));
            }
        }
        places.insert(c.clone(), Json::Object(p));
    }
    let mut laws = Map::new();
    for (j, jur) in view.jurisdictions.iter().enumerate() {
        let closure: Map<String, Json> =
            view.closure[j].iter().map(|(c, implied)| (c.clone(), json!(implied))).collect();
        laws.insert(
            jur.clone(),
            json!({
                "closure": closure,
                "routes": view.routes(j).map(rule_json).collect::<Vec<_>>(),
                "export_restrictions": view.restrictions(j, false).map(rule_json).collect::<Vec<_>>(),
                "import_restrictions": view.restrictions(j, true).map(rule_json).collect::<Vec<_>>(),
            }),
        );
    }
    let authority: Map<String, Json> = view.authority.iter().map(|m| (m.clone(), json!(true))).collect();
    json!({
        "as_of": view.day.to_string(),
        "governed_by": governed_by,
        "places": places,
        "authority": authority,
        "laws": laws,
    })
}

/// regorus, loaded once: the module parsed and the data added, in two evaluation paths.
pub struct RegoEngine {
    /// The tree-walking interpreter, prepared (parsed, checked, data added) once.
    pub interpreter: Engine,
    /// The same policy compiled to regorus's bytecode VM (RVM), data loaded once.
    pub vm: RegoVM,
    entry_point: String,
}

impl RegoEngine {
    pub fn new(data: &Json) -> Result<RegoEngine, String> {
        let mut interpreter = Engine::new();
        interpreter.add_policy("dfft.rego".into(), MODULE.into()).map_err(|e| format!("Rego module: {e}"))?;
        interpreter.add_data(Value::from(data.clone())).map_err(|e| format!("Rego data: {e}"))?;
        let entry: regorus::Rc<str> = ENTRY_POINT.into();
        let compiled = interpreter.compile_with_entrypoint(&entry).map_err(|e| format!("Rego compile: {e}"))?;
        let program: Arc<Program> =
            Compiler::compile_from_policy(&compiled, &[ENTRY_POINT]).map_err(|e| format!("RVM compile: {e}"))?;
        let mut vm = RegoVM::new();
        vm.load_program(program);
        vm.set_data(Value::from(data.clone())).map_err(|e| format!("RVM data: {e}"))?;
        // Prepare the interpreter with one evaluation so nothing is parsed or checked later.
        interpreter.set_input(Value::new_object());
        let _ = interpreter.eval_rule(ENTRY_POINT.to_owned());
        Ok(RegoEngine { interpreter, vm, entry_point: ENTRY_POINT.to_owned() })
    }

    /// The timed call (interpreter): the whole decision for one flow.
    #[inline(never)]
    pub fn decide_interpreter(&mut self, input: Value) -> Result<Value, String> {
        self.interpreter.set_input(input);
        self.interpreter.eval_rule(self.entry_point.clone()).map_err(|e| e.to_string())
    }

    /// The timed call (RVM): the whole decision for one flow.
    #[inline(never)]
    pub fn decide_vm(&mut self, input: Value) -> Result<Value, String> {
        self.vm.set_input(input);
        self.vm.execute().map_err(|e| e.to_string())
    }
}

/// Reads `data.dfft.decision`.
pub fn read_decision(v: &Value) -> Result<(Outcome, Option<String>, OptionSet), String> {
    let verdict = v["verdict"].as_string().map_err(|_| format!("no verdict in {v}"))?;
    let outcome = Outcome::parse(verdict).ok_or_else(|| format!("unknown verdict {verdict}"))?;
    let basis = match &v["basis"] {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    };
    let mut options = OptionSet::new();
    if let Ok(set) = v["options"].as_set() {
        for o in set.iter() {
            let names = |x: &Value| -> BTreeSet<String> {
                x.as_set()
                    .map(|s| s.iter().filter_map(|n| n.as_string().ok().map(|n| n.to_string())).collect())
                    .unwrap_or_default()
            };
            let approval = o["approval"].as_bool().copied().unwrap_or(false);
            options.insert((names(&o["missing"]), names(&o["certifications"]), approval));
        }
    }
    Ok((outcome, basis, options))
}
