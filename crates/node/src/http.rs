//! Answers and request checks shared by the HTTP handlers.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use dsp::Message;
use serde_json::Value;
use store::Store;

use crate::app::{now_s, Node};
use crate::credentials::{check_presentation, Checking};
use crate::decide::Caller;
use crate::metrics::inc;
use crate::token;

/// A JSON answer with a status.
pub struct Json(pub StatusCode, pub Value);

impl IntoResponse for Json {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.1).unwrap_or_default();
        (self.0, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

pub fn ok_empty() -> Response {
    StatusCode::OK.into_response()
}

/// Which error body a DSP area answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Catalog,
    Negotiation,
    Transfer,
}

/// A DSP error answer: `status` with the area's error message naming `code` and `reason`.
pub fn dsp_error(
    area: Area,
    status: StatusCode,
    pids: (&str, &str),
    code: &str,
    reason: impl Into<String>,
) -> Response {
    let reason = reason.into();
    let body = match area {
        Area::Catalog => dsp::CatalogError::new(code, reason).to_value(),
        Area::Negotiation => dsp::ContractNegotiationError::new(pid(pids.0), pid(pids.1), code, reason).to_value(),
        Area::Transfer => dsp::TransferError::new(pid(pids.0), pid(pids.1), code, reason).to_value(),
    };
    Json(status, body).into_response()
}

/// Error bodies need both process ids; an unknown one is named as such.
fn pid(id: &str) -> &str {
    if id.is_empty() {
        "unknown"
    } else {
        id
    }
}

/// Checks the caller's token (signature, audience, lifetime, replay) and the presentation it
/// carries, and says who the caller is. Refusals are 401 with the area's error body.
pub async fn authenticate<S: Store>(node: &Node<S>, headers: &HeaderMap, area: Area) -> Result<Caller, Response> {
    inc(&node.metrics.dsp_requests);
    let refuse = |reason: String| {
        inc(&node.metrics.dsp_refused_auth);
        dsp_error(area, StatusCode::UNAUTHORIZED, ("", ""), "unauthorized", reason)
    };
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Err(refuse("an Authorization header with a dfft token is required (see `dfft token`)".into()));
    };
    let now = now_s();
    let audiences = [node.dsp_url.as_str(), node.base_url.as_str()];
    let claims = token::verify(value, &audiences, now).map_err(|r| refuse(r.0))?;
    {
        let mut replay = node.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        replay.admit(&claims, now, node.accepts_reusable_tokens()).map_err(|r| refuse(r.0))?;
    }
    let caller = Caller::from_token(&claims.iss, &claims.dfft, &node.config.trust);
    let Some(vp) = &claims.vp else {
        return Ok(caller);
    };
    let checking = Checking {
        verifier: &node.verifier,
        http: &node.http,
        trust_list: &node.trust_list,
        now: time::OffsetDateTime::now_utc(),
    };
    let presented = check_presentation(&checking, vp, &claims.aud, &claims.jti, &claims.iss).await.map_err(refuse)?;
    Ok(caller.with_presented(presented))
}

/// Checks the management API's admin token.
pub fn admin<S: Store>(node: &Node<S>, headers: &HeaderMap) -> Result<(), Response> {
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(token) if constant_time_eq(token.trim().as_bytes(), node.admin_token.as_bytes()) => Ok(()),
        _ => Err(Json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": "the management API needs `Authorization: Bearer <admin token>` (the file admin.token in the node directory)"}),
        )
        .into_response()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parses a JSON body, or answers 400 naming what is wrong.
pub fn parse_body(area: Area, body: &[u8]) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| {
        dsp_error(area, StatusCode::BAD_REQUEST, ("", ""), "bad-request", format!("the body is not valid JSON: {e}"))
    })
}

/// A protocol request's token and JSON body, or the answer refusing it.
pub async fn authenticated_body<S: Store>(
    node: &Node<S>,
    headers: &HeaderMap,
    area: Area,
    body: &[u8],
) -> Result<(Caller, Value), Response> {
    let caller = authenticate(node, headers, area).await?;
    Ok((caller, parse_body(area, body)?))
}

pub fn api_error(status: StatusCode, message: impl Into<String>) -> Response {
    Json(status, serde_json::json!({"error": message.into()})).into_response()
}
