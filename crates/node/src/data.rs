//! The data endpoint: the bytes of a started transfer, for the bearer of its token, streamed
//! from the file with their SHA-256 recorded when the last byte has gone.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use store::{Side, Store, StoreError};

use crate::app::{now_ms, Node};
use crate::http::api_error;
use crate::metrics::add;

pub async fn serve<S: Store + Clone>(
    State(node): State<Node<S>>,
    Path(pid): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(token) =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    else {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "the data endpoint needs the transfer's token: `Authorization: Bearer <token>` from the data address",
        );
    };
    let digest = crate::random::sha256_hex(token.trim().as_bytes());
    let rec = match node.store.transfer_by_token(&digest).await {
        Ok(Some(rec)) => rec,
        Ok(None) => return api_error(StatusCode::FORBIDDEN, "this token belongs to no transfer"),
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    if rec.pid != pid || rec.side != Side::Provider {
        return api_error(StatusCode::FORBIDDEN, "this token belongs to another transfer");
    }
    if rec.token_expires_ms.unwrap_or(0) < now_ms() {
        return api_error(StatusCode::FORBIDDEN, "the transfer's token has expired; start the transfer again");
    }
    if rec.state != "STARTED" {
        return api_error(StatusCode::FORBIDDEN, format!("the transfer is {}, not STARTED", rec.state));
    }
    let file = match dataset_file(&node, &rec.agreement_id).await {
        Ok(file) => file,
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let (path, format) = file;
    let opened = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot open the dataset's file: {e}")),
    };
    let length = match opened.metadata().await {
        Ok(m) => m.len(),
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read the dataset's file: {e}")),
    };
    // The digest is recorded when the last byte has been read for sending (with a
    // Content-Length, the server stops polling the body right after it).
    let mut hasher = Sha256::new();
    let mut sent = 0u64;
    let finish_node = node.clone();
    let finish_pid = rec.pid.clone();
    let body = tokio_util::io::ReaderStream::with_capacity(opened, 256 * 1024).map(move |chunk| {
        if let Ok(bytes) = &chunk {
            hasher.update(bytes);
            sent += bytes.len() as u64;
            if sent == length {
                let digest = crate::random::hex(&hasher.clone().finalize());
                add(&finish_node.metrics.bytes_served, sent);
                let (node, pid) = (finish_node.clone(), finish_pid.clone());
                tokio::spawn(async move {
                    if let Err(e) = record_served(&node, &pid, digest, length).await {
                        tracing::error!(transfer = %pid, error = %e, "cannot record what was served");
                    }
                });
            }
        }
        chunk
    });
    let content_type = if format == "ndjson" { "application/x-ndjson" } else { "text/csv" };
    let mut response = Body::from_stream(body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(content_type));
    if let Ok(value) = header::HeaderValue::from_str(&length.to_string()) {
        response.headers_mut().insert(header::CONTENT_LENGTH, value);
    }
    response
}

async fn dataset_file<S: Store>(node: &Node<S>, agreement_id: &str) -> Result<(String, String), String> {
    let agreement =
        node.store.agreement(agreement_id).await.map_err(|e| e.to_string())?.ok_or("the agreement is gone")?;
    let dataset =
        node.store.dataset(&agreement.dataset_id).await.map_err(|e| e.to_string())?.ok_or("the dataset is gone")?;
    Ok((dataset.file, dataset.format))
}

async fn record_served<S: Store>(node: &Node<S>, pid: &str, digest: String, bytes: u64) -> Result<(), StoreError> {
    crate::update::transfer(node, pid, |rec| {
        Some(store::TransferRecord {
            content_sha256: Some(digest.clone()),
            bytes: Some(bytes),
            updated_ms: now_ms(),
            ..rec
        })
    })
    .await
    .map(drop)
}
