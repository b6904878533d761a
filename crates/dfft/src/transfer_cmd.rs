//! `dfft transfer`: ask the node to start a transfer under an agreement, pull the bytes from the
//! provider's data endpoint into FILE (atomically, hashing as they arrive, progress on a
//! terminal), then report what arrived and complete the transfer.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::anyhow;
use futures_util::StreamExt;
use node::client::Admin;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::args::TransferArgs;
use crate::node_cmd::{admin, runtime, wait_for};
use crate::{out, Failure};

/// What arrived.
pub struct Received {
    pub transfer: String,
    pub bytes: u64,
    pub sha256: String,
    /// What the provider did to the bytes, as it announced in the data address.
    pub transforms: Option<String>,
    /// Whether the bytes were sealed to this node (and opened here).
    pub sealed: bool,
}

pub fn run(args: &TransferArgs) -> Result<(), Failure> {
    let admin = admin(&args.dir)?;
    let me = node::NodeDir::open(&args.dir).map_err(Failure::input)?;
    let progress = std::io::stderr().is_terminal();
    let received = runtime()?.block_on(pull(&admin, &me.key, &args.agreement, &args.out, args.timeout, progress))?;
    let mut text = format!(
        "received {} bytes into {}\n  sha256    {}\n  transfer  {} COMPLETED\n",
        received.bytes,
        args.out.display(),
        received.sha256,
        received.transfer
    );
    if let Some(transforms) = &received.transforms {
        text.push_str(&format!("  applied   {transforms}\n"));
    }
    if received.sealed {
        text.push_str("  sealed    to this node's key; opened (the sha256 is of the sealed bytes, as sent)\n");
    }
    out(&text)
}

/// The whole consumer side of one transfer; `key` (the consumer node's) opens data the provider
/// sealed to it.
pub async fn pull(
    admin: &Admin,
    key: &trust::KeyPair,
    agreement: &str,
    out_path: &Path,
    timeout_s: u64,
    progress: bool,
) -> Result<Received, Failure> {
    let failed = |e: String| Failure::failed(anyhow!(e));
    let started = admin.post("/api/transfers", &json!({"agreement": agreement})).await.map_err(failed)?;
    let pid = started.get("pid").and_then(Value::as_str).unwrap_or_default().to_owned();
    let path = format!("/api/transfers/{pid}");
    let rec = wait_for(admin, &path, &["STARTED", "TERMINATED", "COMPLETED"], timeout_s).await?;
    if rec.get("state").and_then(Value::as_str) != Some("STARTED") {
        let reason = rec.get("reason").and_then(Value::as_str).unwrap_or("no reason given");
        return Err(failed(format!("the provider did not start the transfer: {reason}")));
    }
    let address = rec.get("data_address").cloned().unwrap_or(Value::Null);
    let endpoint = address
        .get("endpoint")
        .and_then(Value::as_str)
        .ok_or_else(|| failed("the data address has no endpoint".into()))?;
    let authorization = property(&address, "authorization")
        .ok_or_else(|| failed("the data address carries no authorization".into()))?;
    let sealed = property(&address, node::transfer::ENCRYPTION_PROPERTY).is_some();
    // The provider seals to the transfer as it names it (its process id).
    let provider_pid = rec.get("peer_pid").and_then(Value::as_str).unwrap_or_default().to_owned();
    let open_with = sealed.then_some((key, provider_pid.as_str()));
    let (bytes, sha256) = download(&admin.http, endpoint, authorization, out_path, progress, open_with).await?;
    admin.post(&format!("{path}/complete"), &json!({"sha256": sha256, "bytes": bytes})).await.map_err(|e| {
        failed(format!("the data arrived ({bytes} bytes, sha256 {sha256}) but completing the transfer failed: {e}"))
    })?;
    let transforms = property(&address, node::transfer::TRANSFORMS_PROPERTY).map(str::to_owned);
    Ok(Received { transfer: pid, bytes, sha256, transforms, sealed })
}

fn property<'a>(address: &'a Value, name: &str) -> Option<&'a str> {
    address
        .get("endpointProperties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|p| p.get("value").and_then(Value::as_str))
}

/// How often a broken-off download is resumed (`Range: bytes=N-`) before giving up.
const RESUMES: u32 = 3;

fn part_path(out_path: &Path) -> PathBuf {
    let mut name = out_path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".part");
    out_path.with_file_name(name)
}

/// Streams the body into `<out>.part` (resuming with `Range` when the connection breaks), then
/// — opening it first when it was sealed to us — renames it: FILE is complete or absent.
/// Returns the length and SHA-256 of what was received (the sealed bytes, when sealed: what the
/// provider sent and recorded).
async fn download(
    http: &reqwest::Client,
    endpoint: &str,
    authorization: &str,
    out_path: &Path,
    progress: bool,
    open_with: Option<(&trust::KeyPair, &str)>,
) -> Result<(u64, String), Failure> {
    let part = part_path(out_path);
    let result = receive(http, endpoint, authorization, &part, progress).await;
    let result = match (result, open_with) {
        (Ok(done), Some((key, transfer))) => open_sealed(&part, out_path, key, transfer).map(|()| done),
        (Ok(done), None) => {
            std::fs::rename(&part, out_path).map(|()| done).map_err(|e| format!("{}: {e}", out_path.display()))
        }
        (Err(e), _) => Err(e),
    };
    result.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Failure::failed(anyhow!(e))
    })
}

/// Decrypts the sealed `part` into `out_path` (through `<out>.open`, renamed when complete).
fn open_sealed(part: &Path, out_path: &Path, key: &trust::KeyPair, transfer: &str) -> Result<(), String> {
    let mut opened = out_path.as_os_str().to_owned();
    opened.push(".open");
    let opened = PathBuf::from(opened);
    let result = (|| {
        let sealed = std::fs::File::open(part).map_err(|e| format!("{}: {e}", part.display()))?;
        let mut reader =
            seal::Opener::new(std::io::BufReader::with_capacity(256 * 1024, sealed), key, transfer.as_bytes())
                .map_err(|e| format!("the data was sealed to this node but cannot be opened: {e}"))?;
        let mut file = std::fs::File::create(&opened).map_err(|e| format!("{}: {e}", opened.display()))?;
        std::io::copy(&mut reader, &mut file).map_err(|e| format!("the sealed data does not open: {e}"))?;
        file.sync_all().map_err(|e| format!("{}: {e}", opened.display()))?;
        std::fs::rename(&opened, out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
        let _ = std::fs::remove_file(part);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&opened);
    }
    result
}

/// Receives the whole body into `part`, resuming up to [`RESUMES`] times.
async fn receive(
    http: &reqwest::Client,
    endpoint: &str,
    authorization: &str,
    part: &Path,
    progress: bool,
) -> Result<(u64, String), String> {
    let mut file = std::fs::File::create(part).map_err(|e| format!("{}: {e}", part.display()))?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        let mut request = http.get(endpoint).header("Authorization", authorization);
        if bytes > 0 {
            request = request.header("Range", format!("bytes={bytes}-"));
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if attempt < RESUMES && bytes > 0 => {
                attempt += 1;
                eprintln!("dfft: {endpoint}: {e}; resuming from byte {bytes} (attempt {attempt} of {RESUMES})");
                tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
                continue;
            }
            Err(e) => return Err(format!("{endpoint}: {e}")),
        };
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(format!("{endpoint}: {status}: {body}"));
        }
        if bytes > 0 && status != reqwest::StatusCode::PARTIAL_CONTENT {
            // The provider sent everything again: start over.
            file = std::fs::File::create(part).map_err(|e| format!("{}: {e}", part.display()))?;
            hasher = Sha256::new();
            bytes = 0;
        }
        let total = response.content_length().map(|rest| rest + bytes);
        let mut shown = Instant::now();
        let mut stream = response.bytes_stream();
        let mut broke = None;
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(e) => {
                    broke = Some(format!("the download broke off after {bytes} bytes: {e}"));
                    break;
                }
            };
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(|e| format!("{}: {e}", part.display()))?;
            bytes += chunk.len() as u64;
            if progress && shown.elapsed().as_millis() >= 100 {
                shown = Instant::now();
                show_progress(bytes, total, started);
            }
        }
        if broke.is_none() && total.is_some_and(|t| bytes != t) {
            broke = Some(format!("the download ended after {bytes} of {} bytes", total.unwrap_or_default()));
        }
        match broke {
            None => break,
            Some(e) if attempt < RESUMES => {
                attempt += 1;
                eprintln!("dfft: {e}; resuming from byte {bytes} (attempt {attempt} of {RESUMES})");
                tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
            }
            Some(e) => return Err(e),
        }
    }
    if progress {
        show_progress(bytes, None, started);
        eprintln!();
    }
    file.sync_all().map_err(|e| format!("{}: {e}", part.display()))?;
    Ok((bytes, node::random::hex(&hasher.finalize())))
}

fn show_progress(bytes: u64, total: Option<u64>, started: Instant) {
    let seconds = started.elapsed().as_secs_f64().max(1e-3);
    let rate = bytes as f64 / seconds;
    let mib = |b: f64| b / (1024.0 * 1024.0);
    let line = match total {
        Some(total) if total > 0 => {
            let eta = if rate > 0.0 { (total.saturating_sub(bytes)) as f64 / rate } else { 0.0 };
            format!(
                "\r{:>5.1}%  {:.1}/{:.1} MiB  {:.1} MiB/s  ETA {:.0} s   ",
                bytes as f64 * 100.0 / total as f64,
                mib(bytes as f64),
                mib(total as f64),
                mib(rate),
                eta
            )
        }
        _ => format!("\r{:.1} MiB  {:.1} MiB/s   ", mib(bytes as f64), mib(rate)),
    };
    let mut stderr = std::io::stderr();
    let _ = stderr.write_all(line.as_bytes());
    let _ = stderr.flush();
}
