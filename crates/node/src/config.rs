//! A node's data directory: configuration (`dfft.toml`), its key (`node.key`), the admin token
//! (`admin.token`) and the database (`dfft.db`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use trust::KeyPair;

pub const CONFIG_FILE: &str = "dfft.toml";
pub const KEY_FILE: &str = "node.key";
pub const ADMIN_TOKEN_FILE: &str = "admin.token";
pub const DATABASE_FILE: &str = "dfft.db";

/// The DSP path under the node's base URL (what `/.well-known/dspace-version` lists).
pub const DSP_PATH: &str = "/dsp/2025-1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The organisation's display name.
    pub name: String,
    /// Where the organisation is established (ISO 3166 alpha-2, e.g. `RW`; `DE` for an EU member).
    pub jurisdiction: String,
    /// The address `dfft serve` listens on unless `--listen` says otherwise.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The base URL peers reach this node at; defaults to `http://<listen address>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(default)]
    pub auth: AuthConfig,
    #[serde(default)]
    pub trust: TrustConfig,
    #[serde(default)]
    pub delivery: DeliveryConfig,
}

/// How hard the node tries to deliver a message to a peer before giving the process up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Attempts in all (the first included).
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// Wait before the second attempt; doubles each time (capped at 2^10 times this).
    #[serde(default = "default_backoff")]
    pub first_backoff_ms: u64,
}

impl DeliveryConfig {
    /// The wait before attempt `attempt` (1-based count of attempts already made).
    pub fn backoff(&self, attempt: u32) -> std::time::Duration {
        std::time::Duration::from_millis(self.first_backoff_ms.saturating_mul(1 << attempt.saturating_sub(1).min(10)))
    }
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig { attempts: default_attempts(), first_backoff_ms: default_backoff() }
    }
}

fn default_attempts() -> u32 {
    9
}

fn default_backoff() -> u64 {
    100
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Accept tokens marked reusable (`dfft token --reusable`), e.g. for a test kit that sends one
    /// header on every request. Single-use tokens are always refused when replayed.
    #[serde(default)]
    pub reusable_tokens: bool,
}

/// What the node believes about callers: which claims a caller may declare about itself
/// without a credential, and how long it trusts a fetched status list or DID document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    /// The caller's jurisdiction (its declared establishment); a verified legal-entity credential
    /// overrides it.
    #[serde(default = "yes")]
    pub self_declared_jurisdiction: bool,
    /// The caller's certifications (CBPR, DPF…) as bare claims. Off by default: certifications
    /// count only when presented as credentials from an issuer the trust list accredits.
    #[serde(default)]
    pub self_declared_certifications: bool,
    /// How long a fetched, verified status list (revocation, suspension) is reused before it is
    /// fetched again; a revocation takes effect here within this time. 0 fetches at every use.
    #[serde(default = "default_status_cache_seconds")]
    pub status_cache_seconds: u64,
    /// At most this many status lists and DID documents are cached (the oldest go first).
    #[serde(default = "default_cache_entries")]
    pub cache_entries: usize,
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig {
            self_declared_jurisdiction: true,
            self_declared_certifications: false,
            status_cache_seconds: default_status_cache_seconds(),
            cache_entries: default_cache_entries(),
        }
    }
}

fn default_status_cache_seconds() -> u64 {
    60
}

fn default_cache_entries() -> usize {
    256
}

fn yes() -> bool {
    true
}

fn default_listen() -> String {
    "127.0.0.1:8181".to_owned()
}

/// A node directory, opened.
pub struct NodeDir {
    pub path: PathBuf,
    pub config: Config,
    pub key: KeyPair,
    pub admin_token: String,
}

impl NodeDir {
    /// Creates a node directory. Refuses a directory that already holds a node.
    pub fn init(path: &Path, name: &str, jurisdiction: &str) -> anyhow::Result<NodeDir> {
        if path.join(CONFIG_FILE).exists() {
            bail!("{} already holds a node ({} exists)", path.display(), CONFIG_FILE);
        }
        fs::create_dir_all(path).with_context(|| format!("cannot create {}", path.display()))?;
        let config = Config {
            name: name.to_owned(),
            jurisdiction: jurisdiction.to_ascii_uppercase(),
            listen: default_listen(),
            public_url: None,
            auth: AuthConfig::default(),
            trust: TrustConfig::default(),
            delivery: DeliveryConfig::default(),
        };
        let key = KeyPair::from_seed(&crate::random::bytes32());
        let admin_token = crate::random::token();
        write_secret(&path.join(KEY_FILE), &key.to_private_multibase())?;
        write_secret(&path.join(ADMIN_TOKEN_FILE), &admin_token)?;
        let text = toml::to_string(&config).context("cannot write the configuration")?;
        fs::write(path.join(CONFIG_FILE), format!("# dfft node configuration\n{text}"))
            .with_context(|| format!("cannot write {}", path.join(CONFIG_FILE).display()))?;
        Ok(NodeDir { path: path.to_owned(), config, key, admin_token })
    }

    pub fn open(path: &Path) -> anyhow::Result<NodeDir> {
        let config_path = path.join(CONFIG_FILE);
        let text = fs::read_to_string(&config_path).with_context(|| {
            format!("{} is not a node directory (no {CONFIG_FILE}); create one with `dfft init`", path.display())
        })?;
        let config: Config =
            toml::from_str(&text).with_context(|| format!("{} is not a valid configuration", config_path.display()))?;
        let key_text = fs::read_to_string(path.join(KEY_FILE))
            .with_context(|| format!("cannot read {}", path.join(KEY_FILE).display()))?;
        let key = KeyPair::from_private_multibase(key_text.trim())
            .map_err(|e| anyhow::anyhow!("{}: not a valid key: {e}", path.join(KEY_FILE).display()))?;
        let admin_token = fs::read_to_string(path.join(ADMIN_TOKEN_FILE))
            .with_context(|| format!("cannot read {}", path.join(ADMIN_TOKEN_FILE).display()))?
            .trim()
            .to_owned();
        Ok(NodeDir { path: path.to_owned(), config, key, admin_token })
    }

    pub fn database(&self) -> PathBuf {
        self.path.join(DATABASE_FILE)
    }

    pub fn did(&self) -> String {
        self.key.public_key().to_did_key()
    }

    /// The origin line of this node's transparency log checkpoints (C2SP tlog-checkpoint), also
    /// the name of its note key: stable for the node's key, whatever address it serves at.
    pub fn log_origin(&self) -> String {
        format!("dfft.node/{}", self.key.public_key().to_multibase())
    }

    /// The C2SP signed-note verifier key (`name+keyid+base64`) anyone can check this node's
    /// checkpoints with.
    pub fn note_verifier_key(&self) -> anyhow::Result<String> {
        let verifier = ledger::note::Ed25519Verifier::new(&self.log_origin(), &self.key.public_key().to_bytes())
            .map_err(|e| anyhow::anyhow!("note key: {e:?}"))?;
        Ok(verifier.to_vkey())
    }

    /// The base URL for a node listening on `listen`, unless the configuration names one.
    pub fn public_url(&self, listen: &std::net::SocketAddr) -> String {
        match &self.config.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{listen}"),
        }
    }
}

/// Creates a file only its owner can read, holding `text` (refuses to overwrite).
pub fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(b"\n").with_context(|| format!("cannot write {}", path.display()))?;
    file.sync_all().with_context(|| format!("cannot sync {}", path.display()))?;
    Ok(())
}
