//! Talking to nodes from outside a running node: a provider's catalog (as this identity), and a
//! node's own management API (as its operator).

use serde_json::{json, Value};
use trust::KeyPair;

use crate::app::now_ms;
use crate::config::Config;
use crate::token::{self, Declared};

/// Who we are when we call a provider: our key, what our configuration says about us, and the
/// credentials we hold.
#[derive(Clone, Copy)]
pub struct Identity<'a> {
    pub key: &'a KeyPair,
    pub config: &'a Config,
    pub credentials: &'a [Value],
}

/// A token for `audience`, declaring what the configuration says about us and presenting our
/// credentials (bound to the audience and the token's nonce).
pub fn bearer(me: Identity<'_>, audience: &str, lifetime_s: i64, reusable: bool) -> String {
    let declared = Declared {
        name: Some(me.config.name.clone()),
        jurisdiction: Some(me.config.jurisdiction.clone()),
        certifications: vec![],
    };
    let token = token::mint_presenting(me.key, audience, now_ms(), lifetime_s, reusable, declared, me.credentials);
    format!("Bearer {token}")
}

async fn answer(response: reqwest::Response, what: &str) -> Result<Value, String> {
    let status = response.status();
    let body = response.bytes().await.map_err(|e| format!("{what}: {e}"))?;
    let value: Value =
        serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    if status.is_success() {
        Ok(value)
    } else {
        let reason = value
            .get("error")
            .or_else(|| value.get("reason"))
            .map(|r| r.as_str().map(str::to_owned).unwrap_or_else(|| r.to_string()))
            .unwrap_or_else(|| value.to_string());
        Err(format!("{what}: {status}: {reason}"))
    }
}

/// The provider's catalog, as seen by this identity.
pub async fn catalog(http: &reqwest::Client, me: Identity<'_>, provider_dsp: &str) -> Result<Value, String> {
    let request = dsp::CatalogRequestMessage::new();
    let response = http
        .post(format!("{provider_dsp}/catalog/request"))
        .header("Authorization", bearer(me, provider_dsp, token::NODE_LIFETIME_S, false))
        .json(&dsp::Message::to_value(&request))
        .send()
        .await
        .map_err(|e| format!("cannot reach {provider_dsp}: {e}"))?;
    answer(response, "catalog request").await
}

/// The first offer the provider publishes for `dataset`.
pub async fn dataset_offer(
    http: &reqwest::Client,
    me: Identity<'_>,
    provider_dsp: &str,
    dataset: &str,
) -> Result<Value, String> {
    let response = http
        .get(format!("{provider_dsp}/catalog/datasets/{dataset}"))
        .header("Authorization", bearer(me, provider_dsp, token::NODE_LIFETIME_S, false))
        .send()
        .await
        .map_err(|e| format!("cannot reach {provider_dsp}: {e}"))?;
    let entry = answer(response, &format!("dataset '{dataset}'")).await?;
    entry
        .get("hasPolicy")
        .and_then(Value::as_array)
        .and_then(|offers| offers.first())
        .cloned()
        .ok_or_else(|| format!("dataset '{dataset}' publishes no offer"))
}

/// A node's management API.
#[derive(Clone)]
pub struct Admin {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Admin {
    pub async fn get(&self, path: &str) -> Result<Value, String> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| format!("cannot reach the node at {}: {e} (is `dfft serve` running?)", self.base))?;
        answer(response, path).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("cannot reach the node at {}: {e} (is `dfft serve` running?)", self.base))?;
        answer(response, path).await
    }

    pub async fn start_negotiation(
        &self,
        provider: &str,
        dataset: &str,
        purpose: Option<&str>,
        safeguards: &[String],
    ) -> Result<Value, String> {
        self.post(
            "/api/negotiations",
            &json!({"provider": provider, "dataset": dataset, "purpose": purpose, "safeguards": safeguards}),
        )
        .await
    }
}
