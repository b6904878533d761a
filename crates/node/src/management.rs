//! The management API (`/api`): JSON over HTTP for the node's operator, behind the admin token.
//! Described by the OpenAPI document at `/api/openapi.json`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Side, Store, StoreError};

use crate::app::{now_ms, Node};
use crate::decide::Terms;
use crate::http::{admin, api_error, Json};

pub fn router<S: Store + Clone>() -> Router<Node<S>> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/identity", get(identity::<S>))
        .route("/api/datasets", get(datasets::<S>).post(add_dataset::<S>))
        .route("/api/negotiations", get(negotiations::<S>).post(start_negotiation::<S>))
        .route("/api/negotiations/{pid}", get(negotiation::<S>))
        .route("/api/agreements", get(agreements::<S>))
        .route("/api/agreements/{id}", get(agreement::<S>))
        .route("/api/transfers", get(transfers::<S>).post(start_transfer::<S>))
        .route("/api/transfers/{pid}", get(transfer::<S>))
        .route("/api/transfers/{pid}/complete", post(complete_transfer::<S>))
        .route("/api/decisions", get(decisions::<S>))
        .route("/api/decisions/{id}", get(decision::<S>))
}

async fn openapi() -> Response {
    let document: Value = serde_json::from_str(include_str!("openapi.json")).unwrap_or(Value::Null);
    Json(StatusCode::OK, document).into_response()
}

fn stored<T: serde::Serialize>(result: Result<T, StoreError>) -> Response {
    match result {
        Ok(value) => Json(StatusCode::OK, serde_json::to_value(value).unwrap_or(Value::Null)).into_response(),
        Err(e) => api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn found<T: serde::Serialize>(result: Result<Option<T>, StoreError>, what: &str, id: &str) -> Response {
    match result {
        Ok(Some(value)) => Json(StatusCode::OK, serde_json::to_value(value).unwrap_or(Value::Null)).into_response(),
        Ok(None) => api_error(StatusCode::NOT_FOUND, format!("no {what} '{id}'")),
        Err(e) => api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
struct Listing {
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    process: Option<String>,
}

impl Listing {
    fn limit(&self) -> usize {
        self.limit.unwrap_or(100).min(10_000)
    }
}

macro_rules! guarded {
    ($node:expr, $headers:expr) => {
        if let Err(refused) = admin(&$node, &$headers) {
            return refused;
        }
    };
}

async fn identity<S: Store>(State(node): State<Node<S>>, headers: HeaderMap) -> Response {
    guarded!(node, headers);
    Json(
        StatusCode::OK,
        json!({
            "name": node.config.name,
            "jurisdiction": node.config.jurisdiction,
            "did": node.did,
            "url": node.base_url,
            "dsp": node.dsp_url,
            "rulebook": {"version": node.rulebook.release.version, "digest": node.rulebook.release.digest},
        }),
    )
    .into_response()
}

async fn datasets<S: Store>(State(node): State<Node<S>>, headers: HeaderMap) -> Response {
    guarded!(node, headers);
    stored(node.store.datasets().await)
}

async fn add_dataset<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    guarded!(node, headers);
    let new: crate::datasets::NewDataset = match serde_json::from_slice(&body) {
        Ok(new) => new,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, format!("dataset: {e}")),
    };
    match crate::datasets::register(&node.store, &node.rulebook, new).await {
        Ok(record) => Json(StatusCode::CREATED, serde_json::to_value(record).unwrap_or(Value::Null)).into_response(),
        Err(e) => api_error(StatusCode::BAD_REQUEST, e),
    }
}

async fn negotiations<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Query(q): Query<Listing>) -> Response {
    guarded!(node, headers);
    stored(node.store.negotiations(q.limit()).await)
}

async fn negotiation<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Path(pid): Path<String>) -> Response {
    guarded!(node, headers);
    found(node.store.negotiation(&pid).await, "negotiation", &pid)
}

/// What a consumer asks its own node to negotiate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartNegotiation {
    /// The provider's DSP base URL (`http://host:port/dsp/2025-1`) or its base URL.
    provider: String,
    dataset: String,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    safeguards: Vec<String>,
    /// The offer to accept; by default the first offer the provider's catalog lists for the dataset.
    #[serde(default)]
    offer: Option<Value>,
}

pub fn dsp_base(url: &str) -> String {
    let url = url.trim_end_matches('/');
    if url.ends_with(crate::config::DSP_PATH) {
        url.to_owned()
    } else {
        format!("{url}{}", crate::config::DSP_PATH)
    }
}

async fn start_negotiation<S: Store + Clone>(
    State(node): State<Node<S>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    guarded!(node, headers);
    let start: StartNegotiation = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, format!("negotiation: {e}")),
    };
    let provider = dsp_base(&start.provider);
    let terms = Terms { purpose: start.purpose, safeguards: start.safeguards };
    let offer = match start.offer {
        Some(offer) => offer,
        None => match offer_with_retries(&node, &provider, &start.dataset).await {
            Ok(offer) => offer,
            Err(e) => {
                // Recorded, so the operator sees what was tried and why it ended.
                let _ = crate::consumer::record_unreachable(&node, &provider, &start.dataset, &terms, &e).await;
                return api_error(StatusCode::BAD_GATEWAY, e);
            }
        },
    };
    match crate::consumer::negotiate(&node, &provider, &start.dataset, offer, &terms).await {
        Ok(rec) => Json(StatusCode::CREATED, serde_json::to_value(rec).unwrap_or(Value::Null)).into_response(),
        Err(e) => api_error(StatusCode::BAD_GATEWAY, e),
    }
}

/// The provider's offer for `dataset`, asked as patiently as messages are delivered.
async fn offer_with_retries<S: Store>(node: &Node<S>, provider: &str, dataset: &str) -> Result<Value, String> {
    let policy = &node.config.delivery;
    let mut last = String::new();
    for attempt in 0..policy.attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(policy.backoff(attempt)).await;
        }
        let credentials = node.wallet.credentials();
        let me = crate::client::Identity { key: &node.key, config: &node.config, credentials: &credentials };
        match crate::client::dataset_offer(&node.http, me, provider, dataset).await {
            Ok(offer) => return Ok(offer),
            // The provider answered: retrying will not change its mind.
            Err(e) if !e.starts_with("cannot reach") => return Err(e),
            Err(e) => last = e,
        }
    }
    Err(format!(
        "delivery-failed: the peer could not be reached, giving up: {last} (after {} attempts)",
        policy.attempts.max(1)
    ))
}

async fn agreements<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Query(q): Query<Listing>) -> Response {
    guarded!(node, headers);
    stored(node.store.agreements(q.limit()).await)
}

async fn agreement<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(node, headers);
    found(node.store.agreement(&id).await, "agreement", &id)
}

async fn transfers<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Query(q): Query<Listing>) -> Response {
    guarded!(node, headers);
    stored(node.store.transfers(q.limit()).await)
}

async fn transfer<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Path(pid): Path<String>) -> Response {
    guarded!(node, headers);
    found(node.store.transfer(&pid).await, "transfer", &pid)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartTransfer {
    agreement: String,
    #[serde(default)]
    format: Option<String>,
}

async fn start_transfer<S: Store + Clone>(
    State(node): State<Node<S>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    guarded!(node, headers);
    let start: StartTransfer = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, format!("transfer: {e}")),
    };
    let agreement = match node.store.agreement(&start.agreement).await {
        Ok(Some(a)) if a.side == Side::Consumer => a,
        Ok(Some(_)) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "this node is the provider of that agreement; the consumer starts transfers",
            )
        }
        Ok(None) => return api_error(StatusCode::NOT_FOUND, format!("no agreement '{}'", start.agreement)),
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let provider = match node.store.negotiation(&agreement.negotiation_pid).await {
        Ok(Some(n)) => n.peer_address.unwrap_or_default(),
        _ => return api_error(StatusCode::INTERNAL_SERVER_ERROR, "the agreement's negotiation is gone"),
    };
    let format = start.format.unwrap_or_else(|| dsp::HTTP_DATA_PULL.to_owned());
    match crate::consumer::transfer(&node, &provider, &agreement.id, &format).await {
        Ok(rec) => Json(StatusCode::CREATED, serde_json::to_value(rec).unwrap_or(Value::Null)).into_response(),
        Err(e) => api_error(StatusCode::BAD_GATEWAY, e),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Received {
    sha256: String,
    bytes: u64,
}

/// Consumer: the bytes arrived (their digest and size are recorded); tells the provider the
/// transfer is complete.
async fn complete_transfer<S: Store + Clone>(
    State(node): State<Node<S>>,
    headers: HeaderMap,
    Path(pid): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    guarded!(node, headers);
    let received: Received = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, format!("received: {e}")),
    };
    match node.store.transfer(&pid).await {
        Ok(Some(rec)) if rec.side == Side::Consumer => {}
        Ok(Some(_)) => return api_error(StatusCode::BAD_REQUEST, "only the consumer reports what it received"),
        Ok(None) => return api_error(StatusCode::NOT_FOUND, format!("no transfer '{pid}'")),
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
    let recorded = crate::update::transfer(&node, &pid, |rec| {
        Some(store::TransferRecord {
            content_sha256: Some(received.sha256.clone()),
            bytes: Some(received.bytes),
            updated_ms: now_ms(),
            ..rec
        })
    })
    .await;
    if let Err(e) = recorded {
        return api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    }
    match crate::transfer::send(&node, &pid, crate::transfer::Send::Complete).await {
        Ok(()) => found(node.store.transfer(&pid).await, "transfer", &pid),
        Err(e) => api_error(StatusCode::CONFLICT, e),
    }
}

async fn decisions<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Query(q): Query<Listing>) -> Response {
    guarded!(node, headers);
    stored(node.store.decisions(q.process.as_deref(), q.limit()).await)
}

async fn decision<S: Store>(State(node): State<Node<S>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    guarded!(node, headers);
    found(node.store.decision(&id).await, "decision", &id)
}
