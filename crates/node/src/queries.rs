//! Compute-to-data: a compute-only dataset never leaves the node; callers send aggregate SQL
//! (`data` is the table) and get answers released with ε-differential privacy, charged to a
//! per-caller, per-dataset budget the store enforces atomically.
//!
//! `POST /compute/{dataset}` with `{"sql": "...", "epsilon": 0.1}` and the caller's DSP token;
//! `GET /compute/{dataset}/budget` says what the caller has spent and has left.

use std::path::{Path as FsPath, PathBuf};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{DatasetRecord, QueryRecord, Store, StoreError, Write};

use crate::app::{now_ms, Node};
use crate::http::{api_error, authenticate, Area, Json};

/// Where compute-only datasets are loaded for SQL, under the node directory.
pub const COMPUTE_DIR: &str = "compute";
/// The ε a query spends when it does not say.
pub const DEFAULT_EPSILON: f64 = 0.1;

/// A compute-only dataset's settings, kept in its record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComputeSettings {
    pub schema: compute::Schema,
    /// Total ε each caller may spend on this dataset.
    pub budget: f64,
}

impl ComputeSettings {
    pub fn of(dataset: &DatasetRecord) -> Option<ComputeSettings> {
        dataset.compute.as_ref().and_then(|v| serde_json::from_value(v.clone()).ok())
    }
}

/// The SQLite database a compute-only dataset is loaded into.
pub fn database(node_dir: &FsPath, dataset_id: &str) -> PathBuf {
    node_dir.join(COMPUTE_DIR).join(format!("{dataset_id}.sqlite"))
}

/// Loads a compute-only dataset's file into its database (atomically).
pub fn prepare(node_dir: &FsPath, dataset: &DatasetRecord, settings: &ComputeSettings) -> Result<u64, String> {
    let db = database(node_dir, &dataset.id);
    if let Some(parent) = db.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let report = compute::load(FsPath::new(&dataset.file), &settings.schema, &db).map_err(|e| e.to_string())?;
    Ok(report.rows)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    sql: String,
    #[serde(default)]
    epsilon: Option<f64>,
}

fn refuse(status: StatusCode, reason: impl Into<String>) -> Response {
    api_error(status, reason)
}

/// The authenticated caller and the compute-only dataset it asks about.
async fn caller_and_dataset<S: Store>(
    node: &Node<S>,
    headers: &HeaderMap,
    id: &str,
) -> Result<(crate::decide::Caller, DatasetRecord, ComputeSettings), Response> {
    let caller = authenticate(node, headers, Area::Catalog).await?;
    let (dataset, settings) = compute_dataset(node, id).await?;
    Ok((caller, dataset, settings))
}

async fn compute_dataset<S: Store>(node: &Node<S>, id: &str) -> Result<(DatasetRecord, ComputeSettings), Response> {
    let dataset = match node.store.dataset(id).await {
        Ok(Some(d)) => d,
        Ok(None) => return Err(refuse(StatusCode::NOT_FOUND, format!("no dataset '{id}'"))),
        Err(e) => return Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    };
    match ComputeSettings::of(&dataset) {
        Some(settings) => Ok((dataset, settings)),
        None => Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("dataset '{id}' is not compute-only: negotiate a contract and transfer it instead"),
        )),
    }
}

/// `POST /compute/{dataset}`.
pub async fn query<S: Store + Clone>(
    State(node): State<Node<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (caller, dataset, settings) = match caller_and_dataset(&node, &headers, &id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let ask: Ask = match serde_json::from_slice(&body) {
        Ok(ask) => ask,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("the body must be {{\"sql\": \"SELECT …\", \"epsilon\": 0.1}}: {e}"),
            )
        }
    };
    let epsilon = ask.epsilon.unwrap_or(DEFAULT_EPSILON);
    // The offer's usage policy still applies to who may ask.
    let terms = crate::decide::Terms::default();
    let policy = crate::usage::evaluate(&dataset.policy, &caller, &terms, now_ms(), None, 0, &dataset.id);
    if !policy.permitted {
        return refuse(
            StatusCode::FORBIDDEN,
            format!("the offer's usage policy does not permit it: {}", policy.reasons.join("; ")),
        );
    }
    // Refusals that depend only on the query cost nothing.
    let epsilon = match compute::validate_epsilon(epsilon) {
        Ok(epsilon) => epsilon,
        Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    };
    if let Err(e) = compute::check(&settings.schema, &ask.sql) {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    }
    // Charged before the query touches the data, and not refunded if it then fails: whether it
    // fails (e.g. times out) can depend on the data. The store refuses an overspend atomically.
    let record = QueryRecord {
        id: crate::random::urn(),
        at_ms: now_ms(),
        consumer: caller.did.clone(),
        dataset_id: dataset.id.clone(),
        query: ask.sql.clone(),
        epsilon,
        answer: Value::Null,
    };
    match node.store.commit(vec![Write::ChargeQuery { record, budget: settings.budget }]).await {
        Ok(()) => {}
        Err(e @ StoreError::OverBudget { .. }) => return refuse(StatusCode::FORBIDDEN, e.to_string()),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
    let db = database(&node.dir, &dataset.id);
    let (schema, sql) = (settings.schema.clone(), ask.sql.clone());
    let ran = tokio::task::spawn_blocking(move || {
        use compute::rand_core::SeedableRng;
        let mut rng = compute::rand_chacha::ChaCha20Rng::from_seed(crate::random::bytes32());
        compute::run(&db, &schema, &sql, epsilon, &mut rng)
    })
    .await;
    let answer = match ran {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, format!("{e} (the ε was spent)")),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let released = json!({"columns": answer.columns, "rows": answer.rows, "mechanism": answer.mechanism});
    let spent = node.store.epsilon_spent(&caller.did, &dataset.id).await.unwrap_or(settings.budget);
    let mut body = released;
    if let Some(object) = body.as_object_mut() {
        object.insert("epsilon_spent".into(), json!(answer.epsilon_spent));
        object.insert("epsilon_total_spent".into(), json!(spent));
        object.insert("epsilon_left".into(), json!((settings.budget - spent).max(0.0)));
        object.insert("budget".into(), json!(settings.budget));
    }
    Json(StatusCode::OK, body).into_response()
}

/// `GET /compute/{dataset}/budget`: the caller's ε spent and left.
pub async fn budget<S: Store + Clone>(
    State(node): State<Node<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (caller, dataset, settings) = match caller_and_dataset(&node, &headers, &id).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match node.store.epsilon_spent(&caller.did, &dataset.id).await {
        Ok(spent) => Json(
            StatusCode::OK,
            json!({"dataset": id, "budget": settings.budget, "epsilon_spent": spent, "epsilon_left": (settings.budget - spent).max(0.0)}),
        )
        .into_response(),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// Runs a query at a provider as this identity (for `dfft query`).
pub async fn ask(
    http: &reqwest::Client,
    me: crate::client::Identity<'_>,
    provider_dsp: &str,
    provider_base: &str,
    dataset: &str,
    sql: &str,
    epsilon: Option<f64>,
) -> Result<Value, String> {
    let response = http
        .post(format!("{provider_base}/compute/{dataset}"))
        .header("Authorization", crate::client::bearer(me, provider_dsp, crate::token::NODE_LIFETIME_S, false))
        .json(&json!({"sql": sql, "epsilon": epsilon}))
        .send()
        .await
        .map_err(|e| format!("cannot reach {provider_base}: {e}"))?;
    let status = response.status();
    let value: Value = response.json().await.map_err(|e| format!("{provider_base}: {e}"))?;
    if status.is_success() {
        Ok(value)
    } else {
        Err(value.get("error").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| value.to_string()))
    }
}
