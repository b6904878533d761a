//! The kit's side: an HTTP callback server on 127.0.0.1:0 that records every message the node
//! sends, checks it (schema, `@type` ↔ path, the path's process id is the kit's own), and answers
//! as the kit does: 200 with a ContractNegotiation / TransferProcess to a request that opens a
//! process (the kit's `DefaultCallbackEndpoint` answers 200, not 201), 200 otherwise.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::harness::WAIT;
use crate::messages as msg;
use crate::schemas::schemas;

/// One message the node sent to the kit.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    /// The process id in the path (`None` for `/negotiations/request`, `/transfers/request`).
    pub pid: Option<String>,
    pub ty: String,
    pub body: Value,
    pub consumed: bool,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    violations: Vec<String>,
    /// Process ids the kit created (its consumer pids and provider pids).
    own_pids: Vec<String>,
}

#[derive(Clone)]
pub struct Kit {
    /// The kit's callback address (its `connectorAddress`), e.g. `http://127.0.0.1:40123`.
    pub base: String,
    state: Arc<Mutex<State>>,
}

/// `@type` the kit accepts on a path, by the path's shape after `/negotiations` or `/transfers`.
fn expected_type(path: &str) -> Option<(&'static str, bool)> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ty = match parts.as_slice() {
        ["negotiations", "request"] => return Some(("ContractRequestMessage", false)),
        ["negotiations", "offers"] => return Some(("ContractOfferMessage", false)),
        ["transfers", "request"] => return Some(("TransferRequestMessage", false)),
        ["negotiations", _, "request"] => "ContractRequestMessage",
        ["negotiations", _, "offers"] => "ContractOfferMessage",
        ["negotiations", _, "agreement"] => "ContractAgreementMessage",
        ["negotiations", _, "agreement", "verification"] => "ContractAgreementVerificationMessage",
        ["negotiations", _, "events"] => "ContractNegotiationEventMessage",
        ["negotiations", _, "termination"] => "ContractNegotiationTerminationMessage",
        ["transfers", _, "start"] => "TransferStartMessage",
        ["transfers", _, "suspension"] => "TransferSuspensionMessage",
        ["transfers", _, "completion"] => "TransferCompletionMessage",
        ["transfers", _, "termination"] => "TransferTerminationMessage",
        _ => return None,
    };
    Some((ty, true))
}

fn text(value: &Value, field: &str) -> String {
    value.get(field).and_then(Value::as_str).unwrap_or_default().to_owned()
}

impl Kit {
    pub async fn start() -> Kit {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port for the kit");
        let addr = listener.local_addr().expect("the kit's address");
        let kit = Kit { base: format!("http://{addr}"), state: Arc::default() };
        let handler_kit = kit.clone();
        let router = axum::Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
            let kit = handler_kit.clone();
            async move { kit.handle(&method, uri.path(), &body) }
        });
        tokio::spawn(async move { axum::serve(listener, router).await });
        kit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A fresh process id the kit owns (its consumerPid for a request it sends).
    pub fn new_pid(&self) -> String {
        let pid = msg::uuid();
        self.lock().own_pids.push(pid.clone());
        pid
    }

    fn violation(&self, text: String) {
        self.lock().violations.push(text);
    }

    fn handle(&self, method: &Method, path: &str, body: &[u8]) -> Response {
        let Some((ty, with_pid)) = expected_type(path).filter(|_| method == Method::POST) else {
            self.violation(format!("{method} {path}: no such kit endpoint (the kit answers 404)"));
            return (StatusCode::NOT_FOUND, "No handler registered on this endpoint").into_response();
        };
        let value: Value = match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(e) => {
                self.violation(format!("POST {path}: body is not JSON ({e}): {}", String::from_utf8_lossy(body)));
                return StatusCode::BAD_REQUEST.into_response();
            }
        };
        let found = value.get("@type").and_then(Value::as_str).unwrap_or_default().to_owned();
        if let Err(e) = schemas().check(&value) {
            self.violation(format!("POST {path}: {e}"));
        }
        if found != ty {
            self.violation(format!("POST {path}: expected a {ty}, got @type {found:?}"));
        }
        let pid = with_pid.then(|| path.trim_matches('/').split('/').nth(1).unwrap_or_default().to_owned());
        if let Some(pid) = &pid {
            let owned = self.lock().own_pids.contains(pid);
            let named = [text(&value, "consumerPid"), text(&value, "providerPid")].contains(pid);
            if !owned || !named {
                self.violation(format!(
                    "POST {path}: the path must carry the kit's own process id from the body: {value}"
                ));
            }
        }
        let answer = match (found.as_str(), pid.is_none()) {
            ("ContractRequestMessage", true) => {
                let provider_pid = self.new_pid();
                Some((provider_pid.clone(), msg::negotiation(&provider_pid, &text(&value, "consumerPid"), "REQUESTED")))
            }
            ("ContractRequestMessage", false) => Some((
                String::new(),
                msg::negotiation(&text(&value, "providerPid"), &text(&value, "consumerPid"), "REQUESTED"),
            )),
            ("TransferRequestMessage", true) => {
                let provider_pid = self.new_pid();
                Some((
                    provider_pid.clone(),
                    msg::transfer_process(&provider_pid, &text(&value, "consumerPid"), "REQUESTED"),
                ))
            }
            _ => None,
        };
        let pid = match (&answer, pid) {
            (Some((provider_pid, _)), None) => Some(provider_pid.clone()),
            (_, pid) => pid,
        };
        self.lock().received.push(Received { path: path.to_owned(), pid, ty: found, body: value, consumed: false });
        match answer {
            Some((_, body)) => (StatusCode::OK, axum::Json(body)).into_response(),
            None => StatusCode::OK.into_response(),
        }
    }

    /// Waits (bounded) for the next unconsumed message of type `ty` (and event type, for events)
    /// for the kit's process `pid`; for an opening request, `pid` is the provider pid the kit made.
    pub async fn expect(&self, pid: Option<&str>, ty: &str, event: Option<&str>) -> Result<Received, String> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            {
                let mut state = self.lock();
                let next = state.received.iter_mut().find(|r| {
                    !r.consumed
                        && r.ty == ty
                        && pid.is_none_or(|pid| r.pid.as_deref() == Some(pid))
                        && event.is_none_or(|event| r.body.get("eventType").and_then(Value::as_str) == Some(event))
                });
                if let Some(next) = next {
                    next.consumed = true;
                    return Ok(next.clone());
                }
            }
            if tokio::time::Instant::now() >= deadline {
                let what = event.map_or(ty.to_owned(), |event| format!("{ty} {event}"));
                return Err(format!("the node did not send a {what} (process {pid:?}) within {WAIT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Everything wrong so far: checks that failed and messages no step expected.
    pub fn problems(&self) -> Vec<String> {
        let state = self.lock();
        let unexpected = state
            .received
            .iter()
            .filter(|r| !r.consumed)
            .map(|r| format!("unexpected message from the node: POST {} {}", r.path, r.body));
        state.violations.iter().cloned().chain(unexpected).collect()
    }

    /// All messages received, for failure reports.
    pub fn transcript(&self) -> String {
        self.lock().received.iter().map(|r| format!("  POST {} {}\n", r.path, r.body)).collect()
    }
}
