//! The data endpoint's token checks, the management API's admin token and OpenAPI document, and
//! `/metrics`.

use serde_json::Value;

use crate::support::*;

/// The value of the counter `name` in a Prometheus text exposition.
fn counter(text: &str, name: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"));
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("{line}"))
}

/// Negotiates and transfers once; returns the provider's transfer record.
fn transferred(pair: &Pair) -> Value {
    let agreement = pair.agreement("cases");
    let out = pair.tmp.join("out.csv");
    dfft(&["transfer", s(&pair.consumer.dir), "--agreement", &agreement, "--out", s(&out), "--timeout", "15"])
        .expect_code(OK);
    let list = pair.provider.api("/api/transfers");
    list.as_array().and_then(|l| l.first()).cloned().expect("the provider lists the transfer")
}

#[test]
fn the_data_endpoint_wants_the_transfers_own_token() {
    let pair = Pair::start("data-token", "DE", "JP");
    let transfer = transferred(&pair);
    let url = transfer["data_address"]["endpoint"].as_str().expect("the data address's endpoint").to_owned();
    assert!(url.starts_with(&format!("{}/data/", pair.provider.url)), "{url}");

    let none = get(&url, None);
    assert_eq!(none.status, 401, "{}", none.body);
    let wrong = get(&url, Some("Bearer not-the-token"));
    assert_eq!(wrong.status, 403, "{}", wrong.body);
    // A DSP request token is not a data token either.
    let dsp_token = pair.provider.token_from(&pair.consumer.dir);
    assert_eq!(get(&url, Some(&dsp_token)).status, 403);

    // The real token (the consumer got it in the data address) stops working once the transfer
    // is COMPLETED.
    let mine = pair.consumer.api("/api/transfers");
    let props = mine[0]["data_address"]["endpointProperties"].as_array().expect("endpoint properties").clone();
    let auth = props
        .iter()
        .find(|p| p["name"] == "authorization")
        .and_then(|p| p["value"].as_str())
        .expect("the consumer keeps the authorization it was given")
        .to_owned();
    let after = get(&url, Some(&auth));
    assert_eq!(after.status, 403, "a completed transfer's data is not served again: {}", after.body);
    assert!(after.body.contains("COMPLETED"), "{}", after.body);

    // The provider keeps only the token's digest, never the token.
    let stored = pair.provider.api("/api/transfers").to_string();
    let raw = auth.strip_prefix("Bearer ").expect("Bearer");
    assert!(!stored.contains(raw), "the provider's records do not hold the data token");
    assert_eq!(transfer["token_sha256"], sha256_hex(raw.as_bytes()).as_str());
}

#[test]
fn the_management_api_needs_the_admin_token() {
    let pair = Pair::start("admin-token", "DE", "JP");
    for path in ["/api/identity", "/api/datasets", "/api/negotiations", "/api/transfers", "/api/decisions"] {
        let url = format!("{}{path}", pair.provider.url);
        let none = get(&url, None);
        assert_eq!(none.status, 401, "{path}: {}", none.body);
        assert!(none.body.contains("admin.token"), "{path}: the refusal says where the token is: {}", none.body);
        // Another node's admin token is not this node's.
        assert_eq!(get(&url, Some(&pair.consumer.admin_token())).status, 401, "{path}");
        assert_eq!(get(&url, Some(&pair.provider.admin_token())).status, 200, "{path}");
    }
    let refused = post(&format!("{}/api/negotiations", pair.consumer.url), None, "{}");
    assert_eq!(refused.status, 401, "starting a negotiation needs the admin token: {}", refused.body);

    let identity = pair.provider.api("/api/identity");
    assert_eq!(identity["jurisdiction"], "DE");
    assert_eq!(identity["url"], pair.provider.url.as_str());
    assert!(identity["did"].as_str().is_some_and(|d| d.starts_with("did:key:")), "{identity:#}");
}

#[test]
fn the_openapi_document_is_public_and_lists_the_paths() {
    let pair = Pair::start("openapi", "DE", "JP");
    let resp = get(&format!("{}/api/openapi.json", pair.provider.url), None);
    assert_eq!(resp.status, 200, "{}", resp.body);
    let doc = resp.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "openapi 3.x: {}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/identity",
        "/api/datasets",
        "/api/negotiations",
        "/api/negotiations/{pid}",
        "/api/agreements",
        "/api/agreements/{id}",
        "/api/transfers",
        "/api/transfers/{pid}",
        "/api/transfers/{pid}/complete",
        "/api/decisions",
        "/api/decisions/{id}",
    ] {
        assert!(paths.contains_key(path), "the document lists {path}");
        // Every listed path is served (401 without the token, not 404).
        let concrete = path.replace("{pid}", "x").replace("{id}", "x");
        let status = get(&format!("{}{concrete}", pair.provider.url), None).status;
        assert!(status == 401 || status == 405, "{path} is served: {status}");
    }
}

#[test]
fn metrics_count_finalized_negotiations_and_served_bytes() {
    let pair = Pair::start("metrics", "DE", "JP");
    let url = format!("{}/metrics", pair.provider.url);
    let before = get(&url, None);
    assert_eq!(before.status, 200);
    assert!(before.content_type.starts_with("text/plain"), "{}", before.content_type);
    assert!(before.body.contains("# TYPE dfft_negotiations_finalized_total counter"), "{}", before.body);
    let finalized = counter(&before.body, "dfft_negotiations_finalized_total");
    let served = counter(&before.body, "dfft_data_bytes_served_total");

    transferred(&pair);
    let after = get(&url, None).body;
    assert_eq!(counter(&after, "dfft_negotiations_finalized_total"), finalized + 1, "{after}");
    let bytes = u64::try_from(pair.bytes.len()).expect("fits");
    assert_eq!(counter(&after, "dfft_data_bytes_served_total"), served + bytes, "{after}");
    assert!(counter(&after, "dfft_transfers_completed_total") >= 1, "{after}");
    let consumer = get(&format!("{}/metrics", pair.consumer.url), None).body;
    assert_eq!(counter(&consumer, "dfft_negotiations_finalized_total"), 1, "{consumer}");
}
