//! The data endpoint: the bytes of a started transfer, for the bearer of its token — the file
//! as it is, or through the transforms and encryption its agreement requires — with their SHA-256
//! recorded when the last byte has gone, and `Range: bytes=N-` for resuming.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use store::{Side, Store, StoreError};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

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
    let (agreement, dataset) = match agreement_and_dataset(&node, &rec.agreement_id).await {
        Ok(found) => found,
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let delivery = match crate::enforce::delivery_for(&node.key, &agreement, &dataset) {
        Ok(delivery) => delivery,
        Err(e) => return api_error(StatusCode::FORBIDDEN, e),
    };
    let from = match range_start(&headers) {
        Ok(from) => from,
        Err(e) => return api_error(StatusCode::RANGE_NOT_SATISFIABLE, e),
    };
    let content_type = if delivery.encrypt_to.is_some() {
        "application/octet-stream"
    } else if dataset.format == "ndjson" {
        "application/x-ndjson"
    } else {
        "text/csv"
    };
    if delivery.is_plain() {
        return plain(node, rec.pid, dataset.file, from, content_type).await;
    }
    transformed(node, rec.pid, dataset.file, delivery, from, content_type).await
}

/// `Range: bytes=N-` (what a resuming client sends); other forms are refused.
fn range_start(headers: &HeaderMap) -> Result<Option<u64>, String> {
    let Some(value) = headers.get(header::RANGE) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default();
    text.strip_prefix("bytes=")
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| format!("Range '{text}': only `bytes=N-` (resume from byte N) is served"))
}

/// The partial-content headers for bytes `from..total`, or 416 past the end.
fn partial(response: &mut Response, from: u64, total: u64) -> Result<(), Response> {
    if from >= total && total > 0 {
        return Err(api_error(StatusCode::RANGE_NOT_SATISFIABLE, format!("the data has {total} bytes")));
    }
    *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    let range = format!("bytes {from}-{}/{total}", total.saturating_sub(1));
    if let Ok(value) = header::HeaderValue::from_str(&range) {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    Ok(())
}

fn typed(mut response: Response, content_type: &'static str, length: Option<u64>) -> Response {
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(content_type));
    response.headers_mut().insert(header::ACCEPT_RANGES, header::HeaderValue::from_static("bytes"));
    if let Some(value) = length.and_then(|l| header::HeaderValue::from_str(&l.to_string()).ok()) {
        response.headers_mut().insert(header::CONTENT_LENGTH, value);
    }
    response
}

/// The file as it is, from byte `from`, hashed from byte 0 (a resumed range is hashed together
/// with the bytes before it, read again for that).
async fn plain<S: Store + Clone>(
    node: Node<S>,
    pid: String,
    path: String,
    from: Option<u64>,
    content_type: &'static str,
) -> Response {
    let mut opened = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot open the dataset's file: {e}")),
    };
    let length = match opened.metadata().await {
        Ok(m) => m.len(),
        Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read the dataset's file: {e}")),
    };
    let start = from.unwrap_or(0);
    let mut hasher = Sha256::new();
    if start > 0 && start < length {
        // What the client already has, hashed so the recorded digest covers the whole file.
        let mut head = match tokio::fs::File::open(&path).await {
            Ok(f) => f.take(start),
            Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
        };
        let mut buffer = vec![0u8; 256 * 1024];
        loop {
            match head.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => hasher.update(buffer.get(..n).unwrap_or_default()),
                Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
            }
        }
        if let Err(e) = opened.seek(std::io::SeekFrom::Start(start)).await {
            return api_error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}"));
        }
    }
    // The digest is recorded when the last byte has been read for sending (with a
    // Content-Length, the server stops polling the body right after it).
    let mut sent = start;
    let finish_node = node.clone();
    let body = tokio_util::io::ReaderStream::with_capacity(opened, 256 * 1024).map(move |chunk| {
        if let Ok(bytes) = &chunk {
            hasher.update(bytes);
            sent += bytes.len() as u64;
            if sent == length {
                let digest = crate::random::hex(&hasher.clone().finalize());
                add(&finish_node.metrics.bytes_served, length - start);
                let (node, pid) = (finish_node.clone(), pid.clone());
                tokio::spawn(async move {
                    if let Err(e) = record_served(&node, &pid, digest, length, None).await {
                        tracing::error!(transfer = %pid, error = %e, "cannot record what was served");
                    }
                });
            }
        }
        chunk
    });
    let mut response = typed(Body::from_stream(body).into_response(), content_type, Some(length - start.min(length)));
    if from.is_some() {
        if let Err(refused) = partial(&mut response, start, length) {
            return refused;
        }
    }
    response
}

/// The output of the agreement's transforms (and sealing), from byte `from`.
async fn transformed<S: Store + Clone>(
    node: Node<S>,
    pid: String,
    file: String,
    delivery: crate::enforce::Delivery,
    from: Option<u64>,
    content_type: &'static str,
) -> Response {
    let seed = crate::enforce::seal_seed(&node.key, &pid, &file);
    let described = delivery.describe();
    // A range needs the whole length first: one pass through the plan (only when resuming).
    let total = match from {
        Some(_) => {
            let (d, f, p) = (delivery.clone(), file.clone(), pid.clone());
            match tokio::task::spawn_blocking(move || crate::enforce::output_len(&d, &f, seed, p.as_bytes())).await {
                Ok(Ok(total)) => Some(total),
                Ok(Err(e)) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, e),
                Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        None => None,
    };
    let start = from.unwrap_or(0);
    let handle = tokio::runtime::Handle::current();
    let (done_node, done_pid) = (node.clone(), pid.clone());
    let rx = crate::enforce::stream(delivery, file, seed, pid.as_bytes().to_vec(), start, move |result| match result {
        Ok(served) => {
            add(&done_node.metrics.bytes_served, served.bytes.saturating_sub(start));
            let transforms = serde_json::json!({
                "applied": described,
                "rows_in": served.report.rows_in,
                "rows_out": served.report.rows_out,
                "rows_excluded": served.report.rows_excluded,
                "rows_suppressed": served.report.rows_suppressed,
                "values_suppressed": served.report.values_suppressed,
            });
            handle.spawn(async move {
                let recorded =
                    record_served(&done_node, &done_pid, served.sha256, served.bytes, Some(transforms)).await;
                if let Err(e) = recorded {
                    tracing::error!(transfer = %done_pid, error = %e, "cannot record what was served");
                }
            });
        }
        Err(e) => tracing::warn!(transfer = %done_pid, error = %e, "the data stream stopped"),
    });
    let body = Body::from_stream(tokio_stream_of(rx));
    let length = total.map(|t| t.saturating_sub(start));
    let mut response = typed(body.into_response(), content_type, length);
    if let Some(total) = total {
        if let Err(refused) = partial(&mut response, start, total) {
            return refused;
        }
    }
    response
}

fn tokio_stream_of(
    mut rx: tokio::sync::mpsc::Receiver<std::io::Result<axum::body::Bytes>>,
) -> impl futures_util::Stream<Item = std::io::Result<axum::body::Bytes>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

async fn agreement_and_dataset<S: Store>(
    node: &Node<S>,
    agreement_id: &str,
) -> Result<(store::AgreementRecord, store::DatasetRecord), String> {
    let agreement =
        node.store.agreement(agreement_id).await.map_err(|e| e.to_string())?.ok_or("the agreement is gone")?;
    let dataset =
        node.store.dataset(&agreement.dataset_id).await.map_err(|e| e.to_string())?.ok_or("the dataset is gone")?;
    Ok((agreement, dataset))
}

async fn record_served<S: Store>(
    node: &Node<S>,
    pid: &str,
    digest: String,
    bytes: u64,
    transforms: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    crate::update::transfer(node, pid, |rec| {
        Some(store::TransferRecord {
            content_sha256: Some(digest.clone()),
            bytes: Some(bytes),
            transforms: transforms.clone().or(rec.transforms.clone()),
            updated_ms: now_ms(),
            ..rec
        })
    })
    .await
    .map(drop)
}
