//! The node value every handler shares, and serving it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rules::Rulebook;
use store::Store;
use tokio::net::TcpListener;
use trust::KeyPair;

use crate::config::{Config, NodeDir, DSP_PATH};
use crate::metrics::Metrics;
use crate::token::ReplayGuard;

/// Options for starting a node.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Overrides the configuration's listen address.
    pub listen: Option<String>,
    /// Test-only: seed the compatibility kit's datasets and agreements, follow its scripts,
    /// serve its trigger endpoints, accept reusable tokens.
    pub tck: bool,
}

/// The law a node runs under: the rulebook and the trust list of the same release (which
/// issuers are accredited for which credentials).
#[derive(Debug, Clone)]
pub struct Law {
    pub rulebook: Arc<Rulebook>,
    pub trust_list: Arc<trust::TrustList>,
}

impl Law {
    /// A rulebook with no accredited issuers: certifications can then only be self-declared (if
    /// the trust configuration allows it).
    pub fn without_issuers(rulebook: Arc<Rulebook>) -> Law {
        Law { rulebook, trust_list: Arc::new(trust::TrustList::default()) }
    }
}

/// A running node's shared state. Cheap to clone.
pub struct Node<S: Store> {
    pub inner: Arc<Inner<S>>,
}

impl<S: Store> Clone for Node<S> {
    fn clone(&self) -> Self {
        Node { inner: Arc::clone(&self.inner) }
    }
}

impl<S: Store> std::ops::Deref for Node<S> {
    type Target = Inner<S>;
    fn deref(&self) -> &Inner<S> {
        &self.inner
    }
}

pub struct Inner<S: Store> {
    pub store: S,
    pub rulebook: Arc<Rulebook>,
    pub trust_list: Arc<trust::TrustList>,
    /// The node directory (wallet, issuer state).
    pub dir: std::path::PathBuf,
    pub key: KeyPair,
    pub did: String,
    pub config: Config,
    /// `http://host:port` as peers reach it.
    pub base_url: String,
    /// `base_url` + the DSP path: the audience of protocol tokens and our callback address.
    pub dsp_url: String,
    pub admin_token: String,
    pub http: reqwest::Client,
    pub replay: Mutex<ReplayGuard>,
    pub metrics: Metrics,
    pub tck: bool,
    /// Caches of fetched status lists and DID documents.
    pub verifier: crate::credentials::Verifier,
    /// The credentials this node presents about itself.
    pub wallet: crate::wallet::Wallet,
    /// Every committed state change of a negotiation or transfer, for watchers (tools, tests).
    pub events: tokio::sync::broadcast::Sender<StateEvent>,
}

/// A negotiation or transfer reached `state` (already durable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateEvent {
    /// `negotiation` or `transfer`.
    pub process: &'static str,
    pub pid: String,
    pub state: String,
}

impl<S: Store> Node<S> {
    pub fn new(dir: &NodeDir, store: S, law: Law, base_url: String, tck: bool) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(30))
            .pool_max_idle_per_host(64)
            .build()
            .context("cannot build the HTTP client")?;
        let dsp_url = format!("{base_url}{DSP_PATH}");
        Ok(Node {
            inner: Arc::new(Inner {
                store,
                rulebook: law.rulebook,
                trust_list: law.trust_list,
                dir: dir.path.clone(),
                key: dir.key.clone(),
                did: dir.did(),
                config: dir.config.clone(),
                base_url,
                dsp_url,
                admin_token: dir.admin_token.clone(),
                http,
                replay: Mutex::new(ReplayGuard::started_at(now_ms())),
                metrics: Metrics::default(),
                tck,
                verifier: crate::credentials::Verifier::new(&dir.config.trust),
                wallet: crate::wallet::Wallet::open(&dir.path),
                events: tokio::sync::broadcast::channel(4096).0,
            }),
        })
    }

    /// Tells watchers that a process reached a state (nobody listening is fine).
    pub fn publish(&self, process: &'static str, pid: &str, state: &str) {
        if self.events.receiver_count() > 0 {
            let _ = self.events.send(StateEvent { process, pid: pid.to_owned(), state: state.to_owned() });
        }
    }

    /// Whether reusable tokens are admitted.
    pub fn accepts_reusable_tokens(&self) -> bool {
        self.config.auth.reusable_tokens || self.tck
    }
}

/// A bound, not yet serving listener and the base URL it answers at.
pub struct Bound {
    pub listener: TcpListener,
    pub addr: SocketAddr,
}

pub async fn bind(dir: &NodeDir, options: &ServeOptions) -> anyhow::Result<Bound> {
    let listen = options.listen.clone().unwrap_or_else(|| dir.config.listen.clone());
    let listener = TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr().context("no local address")?;
    Ok(Bound { listener, addr })
}

/// Serves until `shutdown` completes, then drains in-flight requests.
pub async fn serve<S: Store + Clone>(
    node: Node<S>,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    crate::peer::resume_outbox(&node).await;
    crate::resume::resume_processes(&node).await;
    let router = crate::routes::router(node.clone());
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await.context("the server failed")?;
    Ok(())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

pub fn now_s() -> i64 {
    now_ms() / 1000
}

/// An RFC 3339 UTC timestamp for `ms`.
pub fn timestamp(ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    trust::datetime::format(at.replace_millisecond(0).unwrap_or(at)).unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    timestamp(now_ms()).chars().take(10).collect()
}
