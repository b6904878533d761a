//! Request tokens (`dfft token`): single use, one audience, signed; reusable only where configured.

use std::time::Duration;

use crate::schemas::assert_dsp;
use crate::support::*;

fn catalog_request(node: &Served, auth: Option<&str>) -> Resp {
    post(&format!("{}/catalog/request", node.dsp()), auth, CATALOG_REQUEST)
}

/// A 401 with a schema-valid CatalogError whose reason contains `needle`.
fn assert_refused(resp: &Resp, needle: &str) {
    assert_eq!(resp.status, 401, "{}", resp.body);
    let body = resp.json();
    assert_dsp(&body, "CatalogError");
    assert!(reason(&body).contains(needle), "the reason says {needle:?}: {body}");
}

#[test]
fn a_fresh_token_works_once_and_its_replay_is_refused() {
    let pair = Pair::start("token-replay", "DE", "JP");
    let token = pair.provider.token_from(&pair.consumer.dir);
    let first = catalog_request(&pair.provider, Some(&token));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_dsp(&first.json(), "Catalog");
    let again = catalog_request(&pair.provider, Some(&token));
    assert_refused(&again, "replay");
}

#[test]
fn no_header_another_audience_and_a_tampered_token_are_refused() {
    let pair = Pair::start("token-refused", "DE", "JP");
    assert_refused(&catalog_request(&pair.provider, None), "Authorization");

    let elsewhere = token(&pair.consumer.dir, "http://127.0.0.1:9", &[]);
    assert_refused(&catalog_request(&pair.provider, Some(&elsewhere)), "audience");

    // Change one character of the payload (the middle part).
    let fresh = pair.provider.token_from(&pair.consumer.dir);
    let compact = fresh.strip_prefix("Bearer ").expect("Bearer");
    let parts: Vec<&str> = compact.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    let mut payload: Vec<char> = parts[1].chars().collect();
    let at = payload.len() / 2;
    payload[at] = if payload[at] == 'A' { 'B' } else { 'A' };
    let payload: String = payload.into_iter().collect();
    let tampered = format!("Bearer {}.{payload}.{}", parts[0], parts[2]);
    let resp = catalog_request(&pair.provider, Some(&tampered));
    assert_eq!(resp.status, 401, "{}", resp.body);
    assert_dsp(&resp.json(), "CatalogError");
    // The untouched token still works: the tampered one did not consume it.
    assert_eq!(catalog_request(&pair.provider, Some(&fresh)).status, 200);
}

#[test]
fn a_token_for_the_base_url_is_accepted_as_for_the_dsp_url() {
    let pair = Pair::start("token-base", "DE", "JP");
    let base = token(&pair.consumer.dir, &pair.provider.url, &[]);
    assert_eq!(catalog_request(&pair.provider, Some(&base)).status, 200);
}

#[test]
fn reusable_tokens_need_the_nodes_consent() {
    let pair = Pair::start_with("token-reusable", "DE", "JP", |_, consumer| {
        // The consumer will accept reusable tokens; the provider keeps the default (no).
        edit_config(consumer, "reusable_tokens = false", "reusable_tokens = true");
    });
    let for_provider = token(&pair.consumer.dir, &pair.provider.dsp(), &["--reusable", "--lifetime", "60"]);
    assert_refused(&catalog_request(&pair.provider, Some(&for_provider)), "reusable");

    let for_consumer = token(&pair.provider.dir, &pair.consumer.dsp(), &["--reusable", "--lifetime", "60"]);
    for i in 0..3 {
        let resp = catalog_request(&pair.consumer, Some(&for_consumer));
        assert_eq!(resp.status, 200, "use {i} of a reusable token: {}", resp.body);
    }
}

#[test]
fn token_refuses_a_lifetime_beyond_the_maximum() {
    let tmp = TempDir::new("token-lifetime");
    let c = init_node(&tmp, "c", "JP");
    let run = dfft(&["token", s(&c), "--audience", "http://127.0.0.1:9", "--lifetime", "301"]);
    run.expect_code(BAD_INPUT);
    assert!(run.stderr.contains("--lifetime"), "{}", run.stderr);
}

#[test]
fn a_token_used_before_a_restart_is_still_refused_after_it() {
    let tmp = TempDir::new("token-restart");
    let p = init_node(&tmp, "p", "DE");
    let c = init_node(&tmp, "c", "JP");
    let mut provider = Served::start(&p, "127.0.0.1:0");
    let listen = format!("127.0.0.1:{}", provider.port());
    let token = provider.token_from(&c);
    assert_eq!(catalog_request(&provider, Some(&token)).status, 200);
    assert!(provider.terminate(Duration::from_secs(10)).is_some(), "the provider stops on SIGTERM");
    let provider = Served::start(&p, &listen);
    // The token is still within its lifetime: a replay is a replay, restart or not.
    let again = catalog_request(&provider, Some(&token));
    assert_refused(&again, "replay");
}
