//! The messages the kit sends, shaped as its `NegotiationFunctions` / `TransferFunctions` /
//! `CatalogFunctions` build them after JSON-LD compaction with the 2025-1 context: a random `@id`
//! on every message, `code: "1"` on terminations and suspensions, `constraint: []` on the ODRL
//! permission. Terms the context does not define (e.g. the `callbackAddress` the kit puts in an
//! agreement message) are dropped by that compaction, so they are not sent here either.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// The kit's participant id (`DspConstants.TCK_PARTICIPANT_ID`).
pub const TCK_PARTICIPANT: &str = "TCK_PARTICIPANT";
/// The format of every transfer case in the kit's sample configuration.
pub const FORMAT: &str = "HttpData-PULL";

const CONTEXT: &str = "https://w3id.org/dspace/2025/1/context.jsonld";

/// A random UUID (v4 layout), as the kit's `UUID.randomUUID()`.
pub fn uuid() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut words = [0u64; 2];
    for word in &mut words {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
        *word = hasher.finish();
    }
    let [a, b] = words;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// Now as `ISO_INSTANT` (`2026-06-01T09:00:00Z`).
pub fn now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3_600, rest % 3_600 / 60, rest % 60)
}

fn message(ty: &str, fields: Value) -> Value {
    let mut message = json!({"@context": [CONTEXT], "@id": uuid(), "@type": ty});
    if let (Some(target), Value::Object(fields)) = (message.as_object_mut(), fields) {
        target.extend(fields);
    }
    message
}

fn permission() -> Value {
    json!([{"action": "use", "constraint": []}])
}

pub fn catalog_request() -> Value {
    message("CatalogRequestMessage", json!({}))
}

/// The consumer's first request (`createContractRequest`).
pub fn contract_request(consumer_pid: &str, offer_id: &str, dataset: &str, callback: &str) -> Value {
    message(
        "ContractRequestMessage",
        json!({
            "consumerPid": consumer_pid,
            "offer": {"@id": offer_id, "target": dataset, "@type": "Offer", "permission": permission()},
            "callbackAddress": callback,
        }),
    )
}

/// The consumer's counter request (`createCounterOffer`): assigner the provider, assignee the kit.
pub fn counter_request(provider_pid: &str, consumer_pid: &str, offer_id: &str, assigner: &str, dataset: &str) -> Value {
    message(
        "ContractRequestMessage",
        json!({
            "providerPid": provider_pid,
            "consumerPid": consumer_pid,
            "offer": offer_policy(offer_id, assigner, TCK_PARTICIPANT, dataset),
        }),
    )
}

fn offer_policy(offer_id: &str, assigner: &str, assignee: &str, dataset: &str) -> Value {
    json!({
        "@type": "Offer",
        "@id": offer_id,
        "permission": permission(),
        "target": dataset,
        "assignee": assignee,
        "assigner": assigner,
    })
}

/// The provider's offer (`createOffer`): assigner the kit, assignee the consumer under test.
pub fn contract_offer(provider_pid: &str, consumer_pid: &str, offer_id: &str, assignee: &str, dataset: &str) -> Value {
    message(
        "ContractOfferMessage",
        json!({
            "providerPid": provider_pid,
            "consumerPid": consumer_pid,
            "offer": offer_policy(offer_id, TCK_PARTICIPANT, assignee, dataset),
        }),
    )
}

/// The provider's agreement (`createAgreement`), with a fresh agreement id.
pub fn contract_agreement(provider_pid: &str, consumer_pid: &str, assignee: &str, dataset: &str) -> Value {
    message(
        "ContractAgreementMessage",
        json!({
            "providerPid": provider_pid,
            "consumerPid": consumer_pid,
            "agreement": {
                "@type": "Agreement",
                "@id": uuid(),
                "target": dataset,
                "permission": permission(),
                "timestamp": now(),
                "assignee": assignee,
                "assigner": TCK_PARTICIPANT,
            },
        }),
    )
}

fn pids(provider_pid: &str, consumer_pid: &str) -> Value {
    json!({"providerPid": provider_pid, "consumerPid": consumer_pid})
}

pub fn event(provider_pid: &str, consumer_pid: &str, event_type: &str) -> Value {
    let mut fields = pids(provider_pid, consumer_pid);
    fields["eventType"] = event_type.into();
    message("ContractNegotiationEventMessage", fields)
}

pub fn verification(provider_pid: &str, consumer_pid: &str) -> Value {
    message("ContractAgreementVerificationMessage", pids(provider_pid, consumer_pid))
}

pub fn negotiation_termination(provider_pid: &str, consumer_pid: &str) -> Value {
    let mut fields = pids(provider_pid, consumer_pid);
    fields["code"] = "1".into();
    message("ContractNegotiationTerminationMessage", fields)
}

/// The kit's answer to a request that opens or counters a negotiation.
pub fn negotiation(provider_pid: &str, consumer_pid: &str, state: &str) -> Value {
    let mut fields = pids(provider_pid, consumer_pid);
    fields["state"] = state.into();
    message("ContractNegotiation", fields)
}

pub fn transfer_request(consumer_pid: &str, agreement_id: &str, callback: &str) -> Value {
    message(
        "TransferRequestMessage",
        json!({"consumerPid": consumer_pid, "agreementId": agreement_id, "format": FORMAT, "callbackAddress": callback}),
    )
}

/// `createStartRequest`; the kit as provider adds its `dataAddress()` (a pull endpoint).
pub fn transfer_start(provider_pid: &str, consumer_pid: &str, with_data_address: bool) -> Value {
    let mut fields = pids(provider_pid, consumer_pid);
    if with_data_address {
        fields["dataAddress"] = json!({
            "@type": "DataAddress",
            "endpoint": "http://example.com",
            "endpointType": "https://w3id.org/idsa/v4.1/HTTP",
        });
    }
    message("TransferStartMessage", fields)
}

pub fn transfer_suspension(provider_pid: &str, consumer_pid: &str) -> Value {
    let mut fields = pids(provider_pid, consumer_pid);
    fields["code"] = "1".into();
    message("TransferSuspensionMessage", fields)
}

pub fn transfer_completion(provider_pid: &str, consumer_pid: &str) -> Value {
    message("TransferCompletionMessage", pids(provider_pid, consumer_pid))
}

pub fn transfer_termination(provider_pid: &str, consumer_pid: &str) -> Value {
    let mut fields = pids(provider_pid, consumer_pid);
    fields["code"] = "1".into();
    message("TransferTerminationMessage", fields)
}

/// The kit's answer to a transfer request.
pub fn transfer_process(provider_pid: &str, consumer_pid: &str, state: &str) -> Value {
    let mut fields = pids(provider_pid, consumer_pid);
    fields["state"] = state.into();
    message("TransferProcess", fields)
}
