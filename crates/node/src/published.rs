//! What a node publishes about itself for anyone to check, without a token: its `did:web` DID
//! document, and, as an issuer, its status lists.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use store::Store;
use trust::StatusPurpose;

use crate::app::Node;
use crate::http::{api_error, Json};
use crate::issuer::{self, DidForm};

/// `GET /.well-known/did.json`: the DID document of `did:web:<host>%3A<port>`, naming the node's
/// key (and its `did:key` as `alsoKnownAs`).
pub async fn did_document<S: Store>(State(node): State<Node<S>>) -> Response {
    match trust::did_web::did_for_url(&node.base_url) {
        Ok(did) => Json(StatusCode::OK, trust::did_web::document(&did, &node.key.public_key())).into_response(),
        Err(e) => api_error(StatusCode::NOT_FOUND, format!("this node has no did:web identity: {e}")),
    }
}

/// `GET /status/{key|web}/{revocation|suspension}`: the issuer's status list credential, signed
/// now from the current state (valid for [`issuer::STATUS_LIST_VALIDITY_S`]).
pub async fn status_list<S: Store>(
    State(node): State<Node<S>>,
    Path((form, purpose)): Path<(String, String)>,
) -> Response {
    let Some(form) = DidForm::parse(&form) else {
        return api_error(StatusCode::NOT_FOUND, "status lists are under /status/key/… and /status/web/…");
    };
    let Some(purpose) = StatusPurpose::parse(&purpose) else {
        return api_error(StatusCode::NOT_FOUND, "the status lists are 'revocation' and 'suspension'");
    };
    let now = time::OffsetDateTime::now_utc();
    match issuer::status_list_credential(&node.dir, &node.key, &node.base_url, form, &purpose, now) {
        Ok(credential) => Json(StatusCode::OK, credential).into_response(),
        Err(e) => api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
