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
}

pub fn run(args: &TransferArgs) -> Result<(), Failure> {
    let admin = admin(&args.dir)?;
    let received =
        runtime()?.block_on(pull(&admin, &args.agreement, &args.out, args.timeout, std::io::stderr().is_terminal()))?;
    out(&format!(
        "received {} bytes into {}\n  sha256    {}\n  transfer  {} COMPLETED\n",
        received.bytes,
        args.out.display(),
        received.sha256,
        received.transfer
    ))
}

/// The whole consumer side of one transfer.
pub async fn pull(
    admin: &Admin,
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
    let authorization = address
        .get("endpointProperties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|p| p.get("name").and_then(Value::as_str) == Some("authorization"))
        .and_then(|p| p.get("value").and_then(Value::as_str))
        .ok_or_else(|| failed("the data address carries no authorization".into()))?;
    let (bytes, sha256) = download(&admin.http, endpoint, authorization, out_path, progress).await?;
    admin.post(&format!("{path}/complete"), &json!({"sha256": sha256, "bytes": bytes})).await.map_err(|e| {
        failed(format!("the data arrived ({bytes} bytes, sha256 {sha256}) but completing the transfer failed: {e}"))
    })?;
    Ok(Received { transfer: pid, bytes, sha256 })
}

fn part_path(out_path: &Path) -> PathBuf {
    let mut name = out_path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".part");
    out_path.with_file_name(name)
}

/// Streams the body into `<out>.part`, then renames it: FILE is complete or absent.
async fn download(
    http: &reqwest::Client,
    endpoint: &str,
    authorization: &str,
    out_path: &Path,
    progress: bool,
) -> Result<(u64, String), Failure> {
    let failed = |e: String| Failure::failed(anyhow!(e));
    let response = http
        .get(endpoint)
        .header("Authorization", authorization)
        .send()
        .await
        .map_err(|e| failed(format!("{endpoint}: {e}")))?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(failed(format!("{endpoint}: {status}: {body}")));
    }
    let total = response.content_length();
    let part = part_path(out_path);
    let result = async {
        let mut file = std::fs::File::create(&part).map_err(|e| format!("{}: {e}", part.display()))?;
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let started = Instant::now();
        let mut shown = Instant::now();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("the download broke off after {bytes} bytes: {e}"))?;
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(|e| format!("{}: {e}", part.display()))?;
            bytes += chunk.len() as u64;
            if progress && shown.elapsed().as_millis() >= 100 {
                shown = Instant::now();
                show_progress(bytes, total, started);
            }
        }
        if progress {
            show_progress(bytes, total, started);
            eprintln!();
        }
        if let Some(total) = total {
            if bytes != total {
                return Err(format!("the download ended after {bytes} of {total} bytes"));
            }
        }
        file.sync_all().map_err(|e| format!("{}: {e}", part.display()))?;
        Ok((bytes, node::random::hex(&hasher.finalize())))
    }
    .await;
    match result {
        Ok(done) => {
            std::fs::rename(&part, out_path).map_err(|e| failed(format!("{}: {e}", out_path.display())))?;
            Ok(done)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(failed(e))
        }
    }
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
