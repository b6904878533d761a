//! The agreement enforced on the bytes: which transforms (drop, pseudonymize, generalize,
//! exclude, k-anonymity) and whether encryption to the consumer's key an agreement's duties
//! require, and the stream of a transfer's bytes through them.
//!
//! Keys are derived from the node's Ed25519 key by signing a label (Ed25519 signatures are
//! deterministic): the pseudonym key per agreement (stable for one recipient, unlinkable across
//! agreements) and the sealing seed per transfer and content version, so a resumed pull gets the
//! same bytes.

use std::io::{self, Write};
use std::path::PathBuf;

use axum::body::Bytes;
use policy::{Duty, Policy, RuleKind};
use sha2::{Digest, Sha256};
use store::{AgreementRecord, DatasetRecord};
use tokio::sync::mpsc;
use trust::{KeyPair, PublicKey};

/// What a transfer's bytes go through.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub plan: plane::Plan,
    /// Seal to this key (the consumer's `did:key`) when the agreement requires encryption.
    pub encrypt_to: Option<PublicKey>,
}

impl Delivery {
    /// Nothing to do: the file's bytes as they are.
    pub fn is_plain(&self) -> bool {
        self.plan.is_identity() && self.encrypt_to.is_none()
    }

    /// In words, for the transfer's record and the peer.
    pub fn describe(&self) -> Vec<String> {
        let mut words = self.plan.describe();
        if let Some(key) = &self.encrypt_to {
            words.push(format!("encrypt to {} (dfft-seal/1)", key.to_did_key()));
        }
        words
    }
}

/// The duties of an agreement's permissions.
fn duties(agreement: &serde_json::Value) -> Result<Vec<Duty>, String> {
    let policy = Policy::parse(agreement).map_err(|e| format!("the agreement cannot be read: {e}"))?;
    Ok(policy
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Permission)
        .flat_map(|r| r.duties.iter().map(Duty::of))
        .collect())
}

/// What the agreement requires of the bytes. `Err` names a transform this node cannot apply:
/// the transfer must not start.
pub fn delivery_for(key: &KeyPair, agreement: &AgreementRecord, dataset: &DatasetRecord) -> Result<Delivery, String> {
    let duties = duties(&agreement.agreement)?;
    let format = if dataset.format == "ndjson" { plane::Format::Ndjson } else { plane::Format::Csv };
    let plan = plane::Plan::from_duties(format, &duties, pseudonym_key(key, &agreement.id))
        .map_err(|e| format!("the agreement requires a transform this node cannot apply: {e}"))?;
    let encrypt_to = if duties.iter().any(|d| matches!(d, Duty::Encrypt)) {
        Some(PublicKey::from_did_key(&agreement.consumer_id).map_err(|e| {
            format!("the agreement requires encryption to the consumer, whose id is not a did:key ({e})")
        })?)
    } else {
        None
    };
    Ok(Delivery { plan, encrypt_to })
}

/// Checks, before a transfer starts, that the plan fits the data (every field it names exists).
pub fn check(delivery: &Delivery, file: &str) -> Result<(), String> {
    plane::check(&delivery.plan, &PathBuf::from(file))
        .map_err(|e| format!("the data cannot be delivered as agreed: {e}"))
}

fn derived(key: &KeyPair, label: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut message = label.as_bytes().to_vec();
    for part in parts {
        message.extend_from_slice(&(part.len() as u64).to_be_bytes());
        message.extend_from_slice(part);
    }
    Sha256::digest(key.sign(&message)).into()
}

/// The agreement's pseudonym key.
pub fn pseudonym_key(key: &KeyPair, agreement_id: &str) -> [u8; 32] {
    derived(key, "dfft pseudonym key", &[agreement_id.as_bytes()])
}

/// The sealing seed of one transfer of one version of the content (its size and modification
/// time): unique per plaintext, as the seal format requires.
pub fn seal_seed(key: &KeyPair, transfer_pid: &str, file: &str) -> [u8; 32] {
    let version = std::fs::metadata(file)
        .map(|m| {
            let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            format!("{}:{}", m.len(), modified.map(|d| d.as_nanos()).unwrap_or(0))
        })
        .unwrap_or_default();
    derived(key, "dfft seal seed", &[transfer_pid.as_bytes(), version.as_bytes()])
}

/// What was served, once the stream ended.
#[derive(Debug, Clone)]
pub struct Served {
    /// SHA-256 (hex) of the whole output, from byte 0 (also when a range was asked).
    pub sha256: String,
    /// Length of the whole output.
    pub bytes: u64,
    pub report: plane::Report,
}

/// Sends output bytes from `skip` on to the channel in large chunks, hashing all of them.
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buffer: Vec<u8>,
    skip: u64,
    hasher: Sha256,
    total: u64,
}

const CHUNK: usize = 256 * 1024;

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let bytes = Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(bytes)).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.hasher.update(data);
        self.total += data.len() as u64;
        let skipped = usize::try_from(self.skip.min(data.len() as u64)).unwrap_or(data.len());
        self.skip -= skipped as u64;
        if let Some(rest) = data.get(skipped..) {
            self.buffer.extend_from_slice(rest);
        }
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Counts what is written, for the length of an output before serving a range of it.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0 += data.len() as u64;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Runs the plan (and the sealing) over `file`, writing into `out`.
fn run(
    delivery: &Delivery,
    file: &PathBuf,
    seed: [u8; 32],
    info: &[u8],
    out: &mut dyn Write,
) -> Result<plane::Report, String> {
    match &delivery.encrypt_to {
        None => plane::apply(&delivery.plan, file, out).map_err(|e| e.to_string()),
        Some(recipient) => {
            let mut sealer = seal::Sealer::new(out, recipient, seed, info).map_err(|e| e.to_string())?;
            let report = plane::apply(&delivery.plan, file, &mut sealer).map_err(|e| e.to_string())?;
            sealer.finish().map_err(|e| e.to_string())?;
            Ok(report)
        }
    }
}

/// The length of the whole output (one pass through the plan, into nothing).
pub fn output_len(delivery: &Delivery, file: &str, seed: [u8; 32], info: &[u8]) -> Result<u64, String> {
    if delivery.plan.is_identity() {
        let len = std::fs::metadata(file).map_err(|e| format!("{file}: {e}"))?.len();
        return Ok(if delivery.encrypt_to.is_some() { seal::ciphertext_len(len) } else { len });
    }
    let mut counter = Counter(0);
    run(delivery, &PathBuf::from(file), seed, info, &mut counter)?;
    Ok(counter.0)
}

/// Streams the output from byte `from` on, on the blocking pool; `done` gets what was served
/// (or why it stopped) when the stream ends.
pub fn stream(
    delivery: Delivery,
    file: String,
    seed: [u8; 32],
    info: Vec<u8>,
    from: u64,
    done: impl FnOnce(Result<Served, String>) + Send + 'static,
) -> mpsc::Receiver<io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(8);
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buffer: Vec::with_capacity(CHUNK),
            skip: from,
            hasher: Sha256::new(),
            total: 0,
        };
        let result = run(&delivery, &PathBuf::from(&file), seed, &info, &mut out).and_then(|report| {
            out.flush().map_err(|e| e.to_string())?;
            Ok(Served { sha256: crate::random::hex(&out.hasher.clone().finalize()), bytes: out.total, report })
        });
        if let Err(e) = &result {
            let _ = tx.blocking_send(Err(io::Error::other(e.clone())));
        }
        done(result);
    });
    rx
}
