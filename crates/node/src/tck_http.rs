//! The compatibility kit's trigger endpoints (TCK mode only): the kit asks the node, as consumer,
//! to open a negotiation or a transfer with the kit's own connector.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use store::Store;

use crate::app::Node;
use crate::decide::Terms;
use crate::http::{api_error, Json};

pub fn router<S: Store + Clone>() -> Router<Node<S>> {
    Router::new()
        .route("/tck/negotiations/requests", post(negotiation::<S>))
        .route("/tck/transfers/requests", post(transfer::<S>))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NegotiationTrigger {
    dataset_id: String,
    offer_id: String,
    /// The kit's participant id; the node learns the provider's identity from its token instead.
    #[serde(default, rename = "providerId")]
    _provider_id: Option<String>,
    connector_address: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransferTrigger {
    agreement_id: String,
    format: String,
    #[serde(default, rename = "providerId")]
    _provider_id: Option<String>,
    connector_address: String,
}

async fn negotiation<S: Store + Clone>(State(node): State<Node<S>>, body: Bytes) -> Response {
    let trigger: NegotiationTrigger = match serde_json::from_slice(&body) {
        Ok(t) => t,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, format!("trigger: {e}")),
    };
    let offer = json!({"@id": trigger.offer_id, "@type": "Offer", "permission": [{"action": "use"}]});
    match crate::consumer::negotiate(&node, &trigger.connector_address, &trigger.dataset_id, offer, &Terms::default())
        .await
    {
        Ok(rec) => Json(StatusCode::OK, json!({"negotiationId": rec.pid, "state": rec.state})).into_response(),
        Err(e) => api_error(StatusCode::BAD_GATEWAY, e),
    }
}

async fn transfer<S: Store + Clone>(State(node): State<Node<S>>, body: Bytes) -> Response {
    let trigger: TransferTrigger = match serde_json::from_slice(&body) {
        Ok(t) => t,
        Err(e) => return api_error(StatusCode::BAD_REQUEST, format!("trigger: {e}")),
    };
    match crate::consumer::transfer(&node, &trigger.connector_address, &trigger.agreement_id, &trigger.format).await {
        Ok(rec) => Json(StatusCode::OK, json!({"transferId": rec.pid, "state": rec.state})).into_response(),
        Err(e) => api_error(StatusCode::BAD_GATEWAY, e),
    }
}
