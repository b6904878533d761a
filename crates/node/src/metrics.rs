//! Counters exported at `/metrics` in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Everything the node counts. Relaxed atomics: counters, not synchronisation.
#[derive(Debug, Default)]
pub struct Metrics {
    pub dsp_requests: AtomicU64,
    pub dsp_refused_auth: AtomicU64,
    pub dsp_invalid_transitions: AtomicU64,
    pub negotiations_finalized: AtomicU64,
    pub negotiations_terminated: AtomicU64,
    pub transfers_started: AtomicU64,
    pub transfers_completed: AtomicU64,
    pub transfers_terminated: AtomicU64,
    pub decisions_allowed: AtomicU64,
    pub decisions_refused: AtomicU64,
    pub messages_sent: AtomicU64,
    pub message_retries: AtomicU64,
    pub messages_given_up: AtomicU64,
    pub bytes_served: AtomicU64,
}

pub fn inc(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

pub fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

impl Metrics {
    pub fn render(&self) -> String {
        let rows: [(&str, &str, &AtomicU64); 14] = [
            ("dfft_dsp_requests_total", "DSP protocol requests received", &self.dsp_requests),
            ("dfft_dsp_auth_refused_total", "DSP requests refused for their token", &self.dsp_refused_auth),
            (
                "dfft_dsp_invalid_transitions_total",
                "DSP messages refused as invalid transitions",
                &self.dsp_invalid_transitions,
            ),
            ("dfft_negotiations_finalized_total", "Negotiations that reached FINALIZED", &self.negotiations_finalized),
            (
                "dfft_negotiations_terminated_total",
                "Negotiations that reached TERMINATED",
                &self.negotiations_terminated,
            ),
            ("dfft_transfers_started_total", "Transfers that reached STARTED", &self.transfers_started),
            ("dfft_transfers_completed_total", "Transfers that reached COMPLETED", &self.transfers_completed),
            ("dfft_transfers_terminated_total", "Transfers that reached TERMINATED", &self.transfers_terminated),
            ("dfft_decisions_allowed_total", "Policy-and-law decisions that allowed the flow", &self.decisions_allowed),
            ("dfft_decisions_refused_total", "Policy-and-law decisions that refused the flow", &self.decisions_refused),
            ("dfft_messages_sent_total", "Protocol messages delivered to peers", &self.messages_sent),
            ("dfft_message_retries_total", "Deliveries retried after a failure", &self.message_retries),
            ("dfft_messages_given_up_total", "Messages given up after the last retry", &self.messages_given_up),
            ("dfft_data_bytes_served_total", "Bytes served by the data endpoint", &self.bytes_served),
        ];
        let mut out = String::new();
        for (name, help, value) in rows {
            let _ =
                writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", value.load(Ordering::Relaxed));
        }
        if let Some(rss) = resident_bytes() {
            let _ = writeln!(
                out,
                "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {rss}"
            );
        }
        out
    }
}

/// Resident set size from /proc (Linux); None elsewhere.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
