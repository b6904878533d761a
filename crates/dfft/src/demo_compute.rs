//! The demo's compute-to-data chapter: Kigali's malaria case records stay in Rwanda
//! (compute-only); Berlin asks aggregate questions and gets answers with differential privacy,
//! and a question about individual rows is refused.

use std::path::Path;

use anyhow::anyhow;
use node::{NodeDir, Running};
use serde_json::{json, Value};

use crate::demo::{Row, ORGS};
use crate::Failure;

const KIGALI: usize = 0;
const BERLIN: usize = 2;
const DATASET: &str = "malaria-cases";

/// Registers Kigali's case records as compute-only, loaded for aggregate SQL.
pub fn register_localized(base: &Path, rulebook: &rules::Rulebook, file: &Path) -> anyhow::Result<()> {
    let domain = |values: &[&str]| json!(values);
    let schema = json!({"columns": [
        {"name": "record_id", "kind": "integer"},
        {"name": "birth_year", "kind": "integer", "bounds": [1900.0, 2026.0]},
        {"name": "sex", "kind": "text", "groupable": true, "domain": domain(&["F", "M"])},
        {"name": "region", "kind": "text", "groupable": true, "domain": domain(&["north", "south", "east", "west", "central"])},
        {"name": "code", "kind": "text", "groupable": true, "domain": domain(&["I21", "I25", "I50", "B54", "B50"])},
        {"name": "outcome", "kind": "text", "groupable": true, "domain": domain(&["recovered", "ongoing", "referred"])}
    ]});
    let settings = node::queries::ComputeSettings { schema: serde_json::from_value(schema)?, budget: 2.0 };
    let record = node::datasets::check(
        rulebook,
        node::datasets::NewDataset {
            id: DATASET.into(),
            file: file.to_string_lossy().into_owned(),
            categories: vec!["health".into()],
            subjects: 3000,
            title: Some("Malaria case records (stay in Rwanda: aggregate queries only)".into()),
            policy: None,
            compute: Some(settings.clone()),
        },
    )
    .map_err(|e| anyhow!(e))?;
    let dir = NodeDir::open(&base.join(ORGS[KIGALI].key))?;
    node::queries::prepare(&dir.path, &record, &settings).map_err(|e| anyhow!(e))?;
    let store = store::SqliteStore::open(&dir.database()).map_err(|e| anyhow!("{e}"))?;
    crate::demo::futures_block(store, record)
}

/// Berlin's questions to Kigali.
pub async fn queries(base: &Path, running: &[Running]) -> Result<Vec<Row>, Failure> {
    let berlin = NodeDir::open(&base.join(ORGS[BERLIN].key)).map_err(Failure::failed)?;
    let http = reqwest::Client::builder().build().map_err(|e| Failure::failed(anyhow!(e)))?;
    let me = node::client::Identity { key: &berlin.key, config: &berlin.config, credentials: &[] };
    let provider = &running[KIGALI].url;
    let dsp = format!("{provider}{}", node::config::DSP_PATH);
    let route = format!("{} → {}", ORGS[KIGALI].jurisdiction, ORGS[BERLIN].jurisdiction);
    let mut rows = Vec::new();
    let asked = [
        ("aggregate query", "SELECT region, COUNT(*) FROM data GROUP BY region"),
        ("row-level query", "SELECT record_id, code FROM data WHERE region = 'north'"),
    ];
    for (title, sql) in asked {
        let (outcome, why) = match node::queries::ask(&http, me, &dsp, provider, DATASET, sql, Some(0.5)).await {
            Ok(answer) => ("answered", summary(&answer)),
            Err(reason) => ("refused", reason),
        };
        rows.push(Row {
            flow: title.into(),
            route: route.clone(),
            data: format!("{DATASET} (compute-only): {sql}"),
            outcome: outcome.into(),
            why,
        });
    }
    Ok(rows)
}

/// The answer's rows in one line, with the ε spent and left.
fn summary(answer: &Value) -> String {
    let rows: Vec<String> = answer
        .get("rows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let cells: Vec<String> = r
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| match c.as_f64() {
                    Some(n) if c.is_f64() => format!("{n:.0}"),
                    _ => c.to_string().trim_matches('"').to_owned(),
                })
                .collect();
            cells.join(" ")
        })
        .collect();
    let number = |k: &str| answer.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    format!(
        "{}; ε {:.1} spent, {:.1} of {:.1} left; raw rows never left Rwanda",
        rows.join(", "),
        number("epsilon_spent"),
        number("epsilon_left"),
        number("budget")
    )
}
