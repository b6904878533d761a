//! The HTTP surface: the DSP 2025-1 HTTPS binding (provider and consumer callback paths share the
//! `/dsp/2025-1` base), `/.well-known/dspace-version`, the data endpoint, `/metrics`, the
//! management API (`/api`) and, in TCK mode only, the kit's trigger endpoints.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use dsp::{
    CatalogRequestMessage, ContractAgreementMessage, ContractAgreementVerificationMessage,
    ContractNegotiationEventMessage, ContractNegotiationTerminationMessage, ContractOfferMessage,
    ContractRequestMessage, EventType, Message, NegotiationMessageKind as NKind, TransferCompletionMessage,
    TransferMessageKind as TKind, TransferRequestMessage, TransferStartMessage, TransferSuspensionMessage,
    TransferTerminationMessage,
};
use serde_json::Value;
use store::Store;

use crate::app::Node;
use crate::config::DSP_PATH;
use crate::http::{authenticate, authenticated_body, dsp_error, ok_empty, Area, Json};
use crate::negotiation::Refusal;

pub fn router<S: Store + Clone>(node: Node<S>) -> Router {
    let dsp = Router::new()
        .route("/catalog/request", post(catalog_request::<S>))
        .route("/catalog/datasets/{id}", get(catalog_dataset::<S>))
        .route("/negotiations/request", post(negotiation_request::<S>))
        .route("/negotiations/offers", post(negotiation_offer_first::<S>))
        .route("/negotiations/{pid}", get(negotiation_get::<S>))
        .route("/negotiations/{pid}/request", post(negotiation_counter::<S>))
        .route("/negotiations/{pid}/offers", post(negotiation_offer::<S>))
        .route("/negotiations/{pid}/events", post(negotiation_event::<S>))
        .route("/negotiations/{pid}/agreement", post(negotiation_agreement::<S>))
        .route("/negotiations/{pid}/agreement/verification", post(negotiation_verification::<S>))
        .route("/negotiations/{pid}/termination", post(negotiation_termination::<S>))
        .route("/transfers/request", post(transfer_request::<S>))
        .route("/transfers/{pid}", get(transfer_get::<S>))
        .route("/transfers/{pid}/start", post(transfer_start::<S>))
        .route("/transfers/{pid}/completion", post(transfer_completion::<S>))
        .route("/transfers/{pid}/suspension", post(transfer_suspension::<S>))
        .route("/transfers/{pid}/termination", post(transfer_termination::<S>));
    let mut router = Router::new()
        .route("/.well-known/dspace-version", get(version::<S>))
        .route("/metrics", get(metrics::<S>))
        .route("/.well-known/did.json", get(crate::published::did_document::<S>))
        .route("/status/{form}/{purpose}", get(crate::published::status_list::<S>))
        .route("/compute/{dataset}", post(crate::queries::query::<S>))
        .route("/compute/{dataset}/budget", get(crate::queries::budget::<S>))
        .route("/data/{pid}", get(crate::data::serve::<S>))
        .nest(DSP_PATH, dsp)
        .merge(crate::management::router::<S>());
    if node.tck {
        router = router.merge(crate::tck_http::router::<S>());
    }
    router.with_state(node)
}

async fn version<S: Store>(State(node): State<Node<S>>) -> Response {
    let body = serde_json::json!({
        "protocolVersions": [{
            "version": dsp::VERSION,
            "path": DSP_PATH,
            "binding": "HTTPS",
            "serviceId": format!("{}{}", node.base_url, DSP_PATH),
            "identifierType": "did:key",
        }]
    });
    Json(StatusCode::OK, body).into_response()
}

async fn metrics<S: Store>(State(node): State<Node<S>>) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], node.metrics.render()).into_response()
}

fn refused(area: Area, pids: (&str, &str), r: Refusal) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    dsp_error(area, status, pids, r.code, r.reason)
}

fn invalid(area: Area, pids: (&str, &str), e: impl std::fmt::Display) -> Response {
    dsp_error(area, StatusCode::BAD_REQUEST, pids, "invalid-message", e.to_string())
}

// ---- catalog ----

async fn catalog_request<S: Store + Clone>(State(node): State<Node<S>>, headers: HeaderMap, body: Bytes) -> Response {
    let (caller, value) = match authenticated_body(&node, &headers, Area::Catalog, &body).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    if let Err(e) = CatalogRequestMessage::from_value(value) {
        return dsp_error(Area::Catalog, StatusCode::BAD_REQUEST, ("", ""), "invalid-message", e.to_string());
    }
    match crate::catalog::catalog(&node, &caller).await {
        Ok(catalog) => Json(StatusCode::OK, catalog).into_response(),
        Err(e) => dsp_error(Area::Catalog, StatusCode::INTERNAL_SERVER_ERROR, ("", ""), "internal", e),
    }
}

async fn catalog_dataset<S: Store + Clone>(
    State(node): State<Node<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let caller = match authenticate(&node, &headers, Area::Catalog).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match node.store.dataset(&id).await {
        Ok(Some(record)) => match crate::catalog::dataset_entry(&node, &record, &caller) {
            Ok(entry) => Json(StatusCode::OK, entry).into_response(),
            Err(e) => dsp_error(Area::Catalog, StatusCode::INTERNAL_SERVER_ERROR, ("", ""), "internal", e),
        },
        Ok(None) => {
            dsp_error(Area::Catalog, StatusCode::NOT_FOUND, ("", ""), "not-found", format!("no dataset '{id}' here"))
        }
        Err(e) => dsp_error(Area::Catalog, StatusCode::INTERNAL_SERVER_ERROR, ("", ""), "storage", e.to_string()),
    }
}

// ---- negotiations ----

async fn negotiation_request<S: Store + Clone>(
    State(node): State<Node<S>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (caller, value) = match authenticated_body(&node, &headers, Area::Negotiation, &body).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    let message = match ContractRequestMessage::from_value(value) {
        Ok(m) if m.is_initial() => m,
        Ok(m) => return invalid(
            Area::Negotiation,
            ("", &m.consumer_pid),
            "a first request must not carry a providerPid; counter requests go to /negotiations/:providerPid/request",
        ),
        Err(e) => return invalid(Area::Negotiation, ("", ""), e),
    };
    let consumer_pid = message.consumer_pid.clone();
    match crate::negotiation::provider_first(&node, caller, message).await {
        Ok(rec) => Json(StatusCode::CREATED, crate::negotiation::view(&rec)).into_response(),
        Err(r) => refused(Area::Negotiation, ("", &consumer_pid), r),
    }
}

async fn negotiation_offer_first<S: Store + Clone>(
    State(node): State<Node<S>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (caller, value) = match authenticated_body(&node, &headers, Area::Negotiation, &body).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    let message = match ContractOfferMessage::from_value(value) {
        Ok(m) if m.is_initial() => m,
        Ok(m) => {
            return invalid(Area::Negotiation, (&m.provider_pid, ""), "a first offer must not carry a consumerPid")
        }
        Err(e) => return invalid(Area::Negotiation, ("", ""), e),
    };
    let provider_pid = message.provider_pid.clone();
    match crate::negotiation::consumer_first(&node, &caller, message).await {
        Ok(rec) => Json(StatusCode::CREATED, crate::negotiation::view(&rec)).into_response(),
        Err(r) => refused(Area::Negotiation, (&provider_pid, ""), r),
    }
}

async fn negotiation_get<S: Store + Clone>(
    State(node): State<Node<S>>,
    Path(pid): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authenticate(&node, &headers, Area::Negotiation).await {
        return r;
    }
    match node.store.negotiation(&pid).await {
        Ok(Some(rec)) => Json(StatusCode::OK, crate::negotiation::view(&rec)).into_response(),
        Ok(None) => dsp_error(
            Area::Negotiation,
            StatusCode::NOT_FOUND,
            (&pid, ""),
            "unknown-process",
            format!("no negotiation with id \"{pid}\""),
        ),
        Err(e) => dsp_error(Area::Negotiation, StatusCode::INTERNAL_SERVER_ERROR, (&pid, ""), "storage", e.to_string()),
    }
}

/// Parses a negotiation message for an existing process and says which kind it is.
type NParse = fn(Value) -> Result<NKind, dsp::ParseError>;

async fn negotiation_message<S: Store + Clone>(
    node: Node<S>,
    pid: String,
    headers: HeaderMap,
    body: Bytes,
    parse: NParse,
) -> Response {
    let (caller, value) = match authenticated_body(&node, &headers, Area::Negotiation, &body).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    let kind = match parse(value.clone()) {
        Ok(kind) => kind,
        Err(e) => return invalid(Area::Negotiation, (&pid, ""), e),
    };
    // Run to the end even if the client goes away: a committed state change must get its reaction.
    let (task_node, task_pid, caller) = (node.clone(), pid.clone(), caller);
    let outcome =
        tokio::spawn(async move { crate::negotiation::receive(&task_node, &task_pid, &caller, &value, kind).await })
            .await;
    match outcome {
        Ok(Ok(_)) => ok_empty(),
        Ok(Err(r)) => {
            let (provider, consumer) = negotiation_pids(&node, &pid).await;
            refused(Area::Negotiation, (&provider, &consumer), r)
        }
        Err(e) => {
            dsp_error(Area::Negotiation, StatusCode::INTERNAL_SERVER_ERROR, (&pid, ""), "internal", e.to_string())
        }
    }
}

/// (providerPid, consumerPid) of a negotiation this node knows, for error bodies.
async fn negotiation_pids<S: Store>(node: &Node<S>, pid: &str) -> (String, String) {
    match node.store.negotiation(pid).await {
        Ok(Some(rec)) => crate::negotiation::pids(&rec),
        _ => (pid.to_owned(), String::new()),
    }
}

async fn transfer_pids<S: Store>(node: &Node<S>, pid: &str) -> (String, String) {
    match node.store.transfer(pid).await {
        Ok(Some(rec)) => crate::transfer::pids(&rec),
        _ => (pid.to_owned(), String::new()),
    }
}

macro_rules! negotiation_endpoint {
    ($name:ident, $parse:expr) => {
        async fn $name<S: Store + Clone>(
            State(node): State<Node<S>>,
            Path(pid): Path<String>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            negotiation_message(node, pid, headers, body, $parse).await
        }
    };
}

negotiation_endpoint!(negotiation_counter, |v| ContractRequestMessage::from_value(v).map(|m| m.kind()));
negotiation_endpoint!(negotiation_offer, |v| ContractOfferMessage::from_value(v).map(|m| m.kind()));
negotiation_endpoint!(negotiation_agreement, |v| ContractAgreementMessage::from_value(v).map(|m| m.kind()));
negotiation_endpoint!(negotiation_verification, |v| ContractAgreementVerificationMessage::from_value(v)
    .map(|m| m.kind()));
negotiation_endpoint!(negotiation_termination, |v| ContractNegotiationTerminationMessage::from_value(v)
    .map(|m| m.kind()));
negotiation_endpoint!(negotiation_event, |v| ContractNegotiationEventMessage::from_value(v).map(|m| {
    match m.event_type {
        EventType::Accepted => NKind::Accepted,
        EventType::Finalized => NKind::Finalized,
    }
}));

// ---- transfers ----

async fn transfer_request<S: Store + Clone>(State(node): State<Node<S>>, headers: HeaderMap, body: Bytes) -> Response {
    let (caller, value) = match authenticated_body(&node, &headers, Area::Transfer, &body).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    let message = match TransferRequestMessage::from_value(value) {
        Ok(m) => m,
        Err(e) => return invalid(Area::Transfer, ("", ""), e),
    };
    let consumer_pid = message.consumer_pid.clone();
    match crate::transfer::provider_first(&node, &caller, message).await {
        Ok(rec) => Json(StatusCode::CREATED, crate::transfer::view(&rec)).into_response(),
        Err(r) => refused(Area::Transfer, ("", &consumer_pid), r),
    }
}

async fn transfer_get<S: Store + Clone>(
    State(node): State<Node<S>>,
    Path(pid): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authenticate(&node, &headers, Area::Transfer).await {
        return r;
    }
    match node.store.transfer(&pid).await {
        Ok(Some(rec)) => Json(StatusCode::OK, crate::transfer::view(&rec)).into_response(),
        Ok(None) => dsp_error(
            Area::Transfer,
            StatusCode::NOT_FOUND,
            (&pid, ""),
            "unknown-process",
            format!("no transfer with id \"{pid}\""),
        ),
        Err(e) => dsp_error(Area::Transfer, StatusCode::INTERNAL_SERVER_ERROR, (&pid, ""), "storage", e.to_string()),
    }
}

type TParse = fn(Value) -> Result<TKind, dsp::ParseError>;

async fn transfer_message<S: Store + Clone>(
    node: Node<S>,
    pid: String,
    headers: HeaderMap,
    body: Bytes,
    parse: TParse,
) -> Response {
    let (caller, value) = match authenticated_body(&node, &headers, Area::Transfer, &body).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    let kind = match parse(value.clone()) {
        Ok(kind) => kind,
        Err(e) => return invalid(Area::Transfer, (&pid, ""), e),
    };
    let (task_node, task_pid, caller) = (node.clone(), pid.clone(), caller);
    let outcome =
        tokio::spawn(async move { crate::transfer::receive(&task_node, &task_pid, &caller, &value, kind).await }).await;
    match outcome {
        Ok(Ok(_)) => ok_empty(),
        Ok(Err(r)) => {
            let (provider, consumer) = transfer_pids(&node, &pid).await;
            refused(Area::Transfer, (&provider, &consumer), r)
        }
        Err(e) => dsp_error(Area::Transfer, StatusCode::INTERNAL_SERVER_ERROR, (&pid, ""), "internal", e.to_string()),
    }
}

macro_rules! transfer_endpoint {
    ($name:ident, $parse:expr) => {
        async fn $name<S: Store + Clone>(
            State(node): State<Node<S>>,
            Path(pid): Path<String>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Response {
            transfer_message(node, pid, headers, body, $parse).await
        }
    };
}

transfer_endpoint!(transfer_start, |v| TransferStartMessage::from_value(v).map(|m| m.kind()));
transfer_endpoint!(transfer_completion, |v| TransferCompletionMessage::from_value(v).map(|m| m.kind()));
transfer_endpoint!(transfer_suspension, |v| TransferSuspensionMessage::from_value(v).map(|m| m.kind()));
transfer_endpoint!(transfer_termination, |v| TransferTerminationMessage::from_value(v).map(|m| m.kind()));
