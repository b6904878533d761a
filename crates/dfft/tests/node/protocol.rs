//! Protocol answers over the DSP 2025-1 HTTPS binding, each body checked against the official
//! schemas.

use serde_json::Value;

use crate::schemas::{assert_dsp, schemas};
use crate::support::*;

#[test]
fn the_version_metadata_is_public_and_lists_2025_1() {
    let pair = Pair::start("version", "DE", "JP");
    let resp = get(&format!("{}/.well-known/dspace-version", pair.provider.url), None);
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert!(resp.content_type.starts_with("application/json"), "{}", resp.content_type);
    let body = resp.json();
    if let Err(e) = schemas().check_version(&body) {
        panic!("{e}");
    }
    let versions = body["protocolVersions"].as_array().expect("protocolVersions");
    let v = versions.iter().find(|v| v["version"] == "2025-1").unwrap_or_else(|| panic!("2025-1 in {body:#}"));
    assert_eq!(v["path"], DSP, "{body:#}");
    assert_eq!(v["binding"], "HTTPS", "{body:#}");
}

#[test]
fn an_unknown_negotiation_is_404_with_a_contract_negotiation_error() {
    let pair = Pair::start("unknown-negotiation", "DE", "JP");
    let auth = pair.provider.token_from(&pair.consumer.dir);
    let resp = get(&format!("{}/negotiations/urn:uuid:nope", pair.provider.dsp()), Some(&auth));
    assert_eq!(resp.status, 404, "{}", resp.body);
    let body = resp.json();
    assert_dsp(&body, "ContractNegotiationError");
    assert!(reason(&body).contains("urn:uuid:nope"), "{body}");
}

#[test]
fn an_unknown_transfer_is_404_with_a_transfer_error() {
    let pair = Pair::start("unknown-transfer", "DE", "JP");
    let auth = pair.provider.token_from(&pair.consumer.dir);
    let resp = get(&format!("{}/transfers/urn:uuid:nope", pair.provider.dsp()), Some(&auth));
    assert_eq!(resp.status, 404, "{}", resp.body);
    assert_dsp(&resp.json(), "TransferError");
}

#[test]
fn an_unknown_dataset_is_404_with_a_catalog_error_and_a_known_one_is_a_dataset() {
    let pair = Pair::start("unknown-dataset", "DE", "JP");
    let auth = pair.provider.token_from(&pair.consumer.dir);
    let resp = get(&format!("{}/catalog/datasets/nope", pair.provider.dsp()), Some(&auth));
    assert_eq!(resp.status, 404, "{}", resp.body);
    let body = resp.json();
    assert_dsp(&body, "CatalogError");
    assert!(reason(&body).contains("nope"), "{body}");

    let auth = pair.provider.token_from(&pair.consumer.dir);
    let resp = get(&format!("{}/catalog/datasets/cases", pair.provider.dsp()), Some(&auth));
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert_dsp(&resp.json(), "Dataset");
}

#[test]
fn a_malformed_body_is_400_naming_the_problem() {
    let pair = Pair::start("malformed", "DE", "JP");
    let cases = [
        ("/catalog/request", "CatalogError"),
        ("/negotiations/request", "ContractNegotiationError"),
        ("/transfers/request", "TransferError"),
    ];
    for (path, error) in cases {
        let auth = pair.provider.token_from(&pair.consumer.dir);
        let resp = post(&format!("{}{path}", pair.provider.dsp()), Some(&auth), r#"{"@type": "#);
        assert_eq!(resp.status, 400, "{path}: {}", resp.body);
        let body = resp.json();
        assert_dsp(&body, error);
        assert!(reason(&body).contains("JSON"), "{path}: the reason says the JSON is broken: {body}");
    }
}

#[test]
fn a_message_of_the_wrong_type_is_400_naming_both_types() {
    let pair = Pair::start("wrong-type", "DE", "JP");
    let auth = pair.provider.token_from(&pair.consumer.dir);
    let resp = post(&format!("{}/negotiations/request", pair.provider.dsp()), Some(&auth), CATALOG_REQUEST);
    assert_eq!(resp.status, 400, "{}", resp.body);
    let body = resp.json();
    assert_dsp(&body, "ContractNegotiationError");
    let why = reason(&body);
    assert!(why.contains("ContractRequestMessage") && why.contains("CatalogRequestMessage"), "{body}");

    let auth = pair.provider.token_from(&pair.consumer.dir);
    let wrong = CATALOG_REQUEST.replace("CatalogRequestMessage", "ContractRequestMessage");
    let resp = post(&format!("{}/catalog/request", pair.provider.dsp()), Some(&auth), &wrong);
    assert_eq!(resp.status, 400, "{}", resp.body);
    assert_dsp(&resp.json(), "CatalogError");
}

#[test]
fn the_negotiation_a_consumer_ran_is_readable_by_it_and_schema_valid() {
    let pair = Pair::start("negotiation-view", "DE", "JP");
    pair.agreement("cases");
    let mine = pair.consumer.api("/api/negotiations");
    let provider_pid = mine[0]["peer_pid"].as_str().expect("the provider's pid").to_owned();
    let consumer_pid = mine[0]["pid"].as_str().expect("pid").to_owned();
    let auth = pair.provider.token_from(&pair.consumer.dir);
    let resp = get(&format!("{}/negotiations/{provider_pid}", pair.provider.dsp()), Some(&auth));
    assert_eq!(resp.status, 200, "{}", resp.body);
    let body: Value = resp.json();
    assert_dsp(&body, "ContractNegotiation");
    assert_eq!(body["state"], "FINALIZED", "{body:#}");
    assert_eq!(body["providerPid"], provider_pid.as_str());
    assert_eq!(body["consumerPid"], consumer_pid.as_str());
}

#[test]
fn an_error_on_a_consumer_callback_names_the_consumer_pid_as_consumer_pid() {
    let pair = Pair::start("callback-error", "DE", "JP");
    pair.agreement("cases");
    let mine = pair.consumer.api("/api/negotiations");
    let consumer_pid = mine[0]["pid"].as_str().expect("pid").to_owned();
    let provider_pid = mine[0]["peer_pid"].as_str().expect("peer pid").to_owned();
    // A second agreement for a FINALIZED negotiation is an invalid transition at the consumer.
    let event = serde_json::json!({
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "ContractNegotiationEventMessage",
        "providerPid": provider_pid,
        "consumerPid": consumer_pid,
        "eventType": "FINALIZED",
    });
    let auth = pair.consumer.token_from(&pair.provider.dir);
    let url = format!("{}/negotiations/{consumer_pid}/events", pair.consumer.dsp());
    let resp = post(&url, Some(&auth), &event.to_string());
    assert_eq!(resp.status, 400, "{}", resp.body);
    let body = resp.json();
    assert_dsp(&body, "ContractNegotiationError");
    assert_eq!(body["consumerPid"], consumer_pid.as_str(), "the consumer's own pid is its consumerPid: {body:#}");
}
