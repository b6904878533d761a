//! Durability and failure: a provider killed while idle, a provider that never answers, a consumer
//! killed while the provider's callback is outstanding, and a graceful stop on SIGTERM.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

#[test]
fn a_provider_killed_while_idle_keeps_its_agreements_and_decisions() {
    let mut pair = Pair::start("kill-idle", "DE", "JP");
    let agreement = pair.agreement("cases");
    let listen = format!("127.0.0.1:{}", pair.provider.port());
    let agreements_before = pair.provider.api("/api/agreements");
    let decisions_before = pair.provider.api("/api/decisions");
    let negotiations_before = pair.provider.api("/api/negotiations");

    pair.provider.kill9();
    pair.provider = Served::start(&pair.provider.dir.clone(), &listen);
    assert_eq!(pair.provider.api("/api/agreements"), agreements_before);
    assert_eq!(pair.provider.api("/api/decisions"), decisions_before);
    assert_eq!(pair.provider.api("/api/negotiations"), negotiations_before);
    assert_eq!(pair.provider.api(&format!("/api/agreements/{agreement}"))["id"], agreement.as_str());

    // And the agreement is still good for a transfer.
    let out = pair.tmp.join("out.csv");
    dfft(&["transfer", s(&pair.consumer.dir), "--agreement", &agreement, "--out", s(&out), "--timeout", "15"])
        .expect_code(OK);
    assert!(std::fs::read(&out).expect("out") == pair.bytes, "the bytes after a restart are the dataset's");
}

/// A consumer node whose deliveries give up quickly.
fn impatient_consumer(tag: &str) -> (TempDir, Served) {
    let tmp = TempDir::new(tag);
    let c = init_node(&tmp, "consumer", "JP");
    edit_config(&c, "attempts = 9", "attempts = 3");
    edit_config(&c, "first_backoff_ms = 100", "first_backoff_ms = 50");
    let consumer = Served::start(&c, "127.0.0.1:0");
    (tmp, consumer)
}

fn assert_delivery_failed(consumer: &Served) {
    let list = consumer.api("/api/negotiations");
    let rec = list.as_array().and_then(|l| l.first()).unwrap_or_else(|| {
        panic!("the consumer records the negotiation it could not deliver: {list:#}");
    });
    assert_eq!(rec["state"], "TERMINATED", "{rec:#}");
    let why = rec["reason"].as_str().unwrap_or_default();
    assert!(why.starts_with("delivery-failed"), "{rec:#}");
    assert!(why.contains("could not be reached"), "{rec:#}");
    assert!(why.contains("3 attempts"), "the configured retry policy was used: {rec:#}");
}

#[test]
fn negotiate_against_a_dead_provider_ends_with_delivery_failed() {
    let (_tmp, consumer) = impatient_consumer("dead-provider-cli");
    let dead = format!("http://127.0.0.1:{}", free_port());
    let run = dfft(&[
        "negotiate",
        s(&consumer.dir),
        "--provider",
        &dead,
        "--dataset",
        "cases",
        "--purpose",
        "research",
        "--timeout",
        "15",
    ]);
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(
        run.all().contains("could not be reached"),
        "the reason says the peer could not be reached:\n{}",
        run.all()
    );
    assert_delivery_failed(&consumer);
}

#[test]
fn a_contract_request_to_a_dead_provider_is_retried_then_terminated() {
    // Through the management API with an explicit offer (no catalog lookup first).
    let (_tmp, consumer) = impatient_consumer("dead-provider-api");
    let dead = format!("http://127.0.0.1:{}", free_port());
    let offer = json!({"@id": "urn:dfft:offer:cases:default", "@type": "Offer", "permission": [{"action": "use"}]});
    let body = json!({"provider": dead, "dataset": "cases", "purpose": "research", "offer": offer});
    let resp = consumer.api_post("/api/negotiations", &body);
    assert_eq!(resp.status, 502, "{}", resp.body);
    assert!(resp.body.contains("could not be reached"), "{}", resp.body);
    assert_delivery_failed(&consumer);
}

#[test]
fn a_consumer_unreachable_when_the_provider_calls_back_still_reaches_finalized() {
    // The consumer publishes a callback address where nothing listens yet, so the provider's
    // agreement cannot be delivered; the consumer is then killed and restarted at that address.
    let tmp = TempDir::new("callback-outbox");
    let p = init_node(&tmp, "provider", "DE");
    let c = init_node(&tmp, "consumer", "JP");
    let data = tmp.join("cases.csv");
    write_csv(&data, 50);
    add_dataset(&p, "cases", &data, &[]);
    edit_config(&p, "attempts = 9", "attempts = 12");
    let (first_port, callback_port) = (free_port(), free_port());
    edit_config(
        &c,
        "listen = \"127.0.0.1:8181\"",
        &format!("listen = \"127.0.0.1:8181\"\npublic_url = \"http://127.0.0.1:{callback_port}\""),
    );
    let provider = Served::start(&p, "127.0.0.1:0");
    let mut consumer = Served::start(&c, &format!("127.0.0.1:{first_port}"));
    assert_eq!(consumer.url, format!("http://127.0.0.1:{callback_port}"), "the node announces its public URL");

    let admin = consumer.admin_token();
    let body = json!({"provider": provider.url, "dataset": "cases", "purpose": "research"});
    let resp = post(&format!("http://127.0.0.1:{first_port}/api/negotiations"), Some(&admin), &body.to_string());
    assert_eq!(resp.status, 201, "the provider acknowledged the request: {}", resp.body);
    let started: Value = resp.json();
    let pid = started["pid"].as_str().expect("pid").to_owned();
    wait_until("the provider to agree (and fail to call back)", || {
        let list = provider.api("/api/negotiations");
        (list[0]["state"] == "AGREED").then_some(())
    });

    consumer.kill9();
    let consumer = Served::start(&c, &format!("127.0.0.1:{callback_port}"));
    let end = wait_until("the consumer's negotiation to end", || {
        let rec = consumer.api(&format!("/api/negotiations/{pid}"));
        matches!(rec["state"].as_str(), Some("FINALIZED" | "TERMINATED")).then_some(rec)
    });
    assert_eq!(end["state"], "FINALIZED", "{end:#}\n--- provider log ---\n{}", provider.log_text());
    let theirs = wait_until("the provider's negotiation to be FINALIZED", || {
        let list = provider.api("/api/negotiations");
        (list[0]["state"] == "FINALIZED").then_some(list[0].clone())
    });
    assert_eq!(theirs["agreement_id"], end["agreement_id"]);
}

#[test]
fn sigterm_stops_serve_with_exit_0() {
    let pair = Pair::start("sigterm", "DE", "JP");
    pair.agreement("cases");
    let mut provider = pair.provider;
    let status = provider.terminate(Duration::from_secs(10));
    let status = status.unwrap_or_else(|| panic!("dfft serve did not stop within 10 s of SIGTERM"));
    assert_eq!(status.code(), Some(0), "{status}\n{}", provider.log_text());
    assert!(provider.log_text().contains("shutting down"), "{}", provider.log_text());
}

#[test]
fn sigterm_stops_serve_while_a_delivery_is_being_retried() {
    // The provider keeps retrying its agreement to a consumer that is gone; SIGTERM still stops it.
    let tmp = TempDir::new("sigterm-retrying");
    let p = init_node(&tmp, "provider", "DE");
    let c = init_node(&tmp, "consumer", "JP");
    let data = tmp.join("cases.csv");
    write_csv(&data, 5);
    add_dataset(&p, "cases", &data, &[]);
    let (first_port, callback_port) = (free_port(), free_port());
    edit_config(
        &c,
        "listen = \"127.0.0.1:8181\"",
        &format!("listen = \"127.0.0.1:8181\"\npublic_url = \"http://127.0.0.1:{callback_port}\""),
    );
    let mut provider = Served::start(&p, "127.0.0.1:0");
    let consumer = Served::start(&c, &format!("127.0.0.1:{first_port}"));
    let body = json!({"provider": provider.url, "dataset": "cases", "purpose": "research"});
    let resp = post(
        &format!("http://127.0.0.1:{first_port}/api/negotiations"),
        Some(&consumer.admin_token()),
        &body.to_string(),
    );
    assert_eq!(resp.status, 201, "{}", resp.body);
    wait_until("the provider to retry its callback", || provider.log_text().contains("will retry").then_some(()));
    let status =
        provider.terminate(Duration::from_secs(10)).unwrap_or_else(|| panic!("no exit within 10 s of SIGTERM"));
    assert_eq!(status.code(), Some(0), "{status}");
}
