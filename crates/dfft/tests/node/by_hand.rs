//! The walkthrough a user follows by hand: two separately started nodes, the catalog, a
//! negotiation to FINALIZED, a transfer into a file, and what the provider recorded.

use serde_json::Value;

use crate::schemas::assert_dsp;
use crate::support::*;

#[test]
fn serving_writes_the_url_file_and_prints_it_first() {
    let pair = Pair::start("url-file", "DE", "JP");
    for node in [&pair.provider, &pair.consumer] {
        let written = std::fs::read_to_string(node.dir.join("serve.url")).expect("serve.url");
        assert_eq!(written.trim(), node.url, "serve.url and the first stdout line agree");
    }
    assert_ne!(pair.provider.port(), pair.consumer.port(), "two ports chosen by the system");
}

#[test]
fn catalog_shows_the_dataset_and_the_law_verdict() {
    let pair = Pair::start("catalog", "DE", "JP");
    let run = dfft(&["catalog", s(&pair.consumer.dir), "--provider", &pair.provider.url]);
    run.expect_code(OK);
    let line = run.stdout.lines().find(|l| l.trim_start().starts_with("cases")).unwrap_or_else(|| {
        panic!("the catalog lists `cases`:\n{}", run.stdout);
    });
    assert!(line.contains("law: allow"), "DE → JP health research is allowed (adequacy): {line}");

    let run = dfft(&["catalog", s(&pair.consumer.dir), "--provider", &pair.provider.url, "--json"]);
    run.expect_code(OK);
    let catalog: Value = serde_json::from_str(&run.stdout).expect("catalog --json is JSON");
    assert_dsp(&catalog, "Catalog");
    let dataset = &catalog["dataset"][0];
    assert_eq!(dataset["@id"], "cases");
    assert_eq!(dataset["https://w3id.org/dfft/ns#law"]["verdict"], "allow", "{dataset:#}");
    assert!(dataset["hasPolicy"].as_array().is_some_and(|p| !p.is_empty()), "the dataset has an offer");
}

#[test]
fn negotiate_then_transfer_delivers_the_exact_bytes_and_both_sides_record_them() {
    let pair = Pair::start("by-hand", "DE", "JP");
    let run = pair.negotiate("cases", &[]);
    run.expect_code(OK);
    assert!(run.stdout.contains("FINALIZED"), "{}", run.stdout);
    let agreement = agreement_of(&run.stdout);

    let out = pair.tmp.join("out.csv");
    let run =
        dfft(&["transfer", s(&pair.consumer.dir), "--agreement", &agreement, "--out", s(&out), "--timeout", "15"]);
    run.expect_code(OK);
    let received = std::fs::read(&out).expect("the output file exists");
    assert!(
        received == pair.bytes,
        "out.csv is byte-identical to the dataset ({} vs {} bytes)",
        received.len(),
        pair.bytes.len()
    );
    let digest = sha256_hex(&pair.bytes);
    assert!(run.stdout.contains(&digest), "the printed sha256 is the real one ({digest}):\n{}", run.stdout);
    assert!(run.stdout.contains(&format!("{} bytes", pair.bytes.len())), "{}", run.stdout);
    assert!(!pair.tmp.join("out.csv.part").exists(), "no partial file is left");

    // The provider records what it served (written just after the last byte left).
    let transfer = wait_until("the provider to record the served digest", || {
        let list = pair.provider.api("/api/transfers");
        let t = list.as_array()?.iter().find(|t| t["agreement_id"] == agreement.as_str())?.clone();
        t["content_sha256"].is_string().then_some(t)
    });
    assert_eq!(transfer["content_sha256"], digest.as_str(), "{transfer:#}");
    assert_eq!(transfer["bytes"], pair.bytes.len() as u64, "{transfer:#}");
    assert_eq!(transfer["side"], "provider");
    let completed = wait_until("the provider's transfer to be COMPLETED", || {
        let t = pair.provider.api(&format!("/api/transfers/{}", transfer["pid"].as_str()?));
        (t["state"] == "COMPLETED").then_some(t)
    });
    assert!(completed["token_sha256"].is_string(), "only the data token's digest is kept");

    // The consumer's own record agrees.
    let consumer = pair.consumer.api("/api/transfers");
    let mine = consumer.as_array().and_then(|l| l.iter().find(|t| t["agreement_id"] == agreement.as_str()));
    let mine = mine.unwrap_or_else(|| panic!("the consumer lists its transfer: {consumer:#}"));
    assert_eq!(mine["content_sha256"], digest.as_str());
    assert_eq!(mine["state"], "COMPLETED");

    // Both sides hold the agreement.
    for node in [&pair.provider, &pair.consumer] {
        let a = node.api(&format!("/api/agreements/{agreement}"));
        assert_eq!(a["dataset_id"], "cases", "{a:#}");
    }
}

#[test]
fn the_provider_keeps_the_negotiation_and_transfer_decisions_with_their_explanation() {
    let pair = Pair::start("decisions", "DE", "JP");
    let agreement = pair.agreement("cases");
    let out = pair.tmp.join("out.csv");
    dfft(&["transfer", s(&pair.consumer.dir), "--agreement", &agreement, "--out", s(&out), "--timeout", "15"])
        .expect_code(OK);

    let decisions = pair.provider.api("/api/decisions");
    let decisions = decisions.as_array().expect("a list of decisions");
    for stage in ["negotiation", "transfer"] {
        let d = decisions
            .iter()
            .find(|d| d["stage"] == stage)
            .unwrap_or_else(|| panic!("no {stage} decision in {decisions:#?}"));
        assert_eq!(d["verdict"], "allow", "{d:#}");
        assert_eq!(d["allowed"], true, "{d:#}");
        let digest = d["rulebook_digest"].as_str().unwrap_or_default();
        assert!(digest.starts_with("sha256:") && digest.len() == 71, "rulebook digest {digest:?}");
        assert_eq!(d["report"]["verdict"], "allow", "the report is kept: {d:#}");
        assert!(d["report"]["explanation"].as_array().is_some_and(|e| !e.is_empty()), "{d:#}");
        assert_eq!(d["flow"]["from"], "DE");
        assert_eq!(d["flow"]["to"], "JP");
        assert_eq!(d["policy"]["permitted"], true, "{d:#}");
        // Each decision can be fetched by id.
        let id = d["id"].as_str().expect("an id");
        assert_eq!(pair.provider.api(&format!("/api/decisions/{id}"))["id"], id);
    }
    // The provider-side agreement names the decision that allowed it.
    let a = pair.provider.api(&format!("/api/agreements/{agreement}"));
    let negotiation_decision = decisions.iter().find(|d| d["stage"] == "negotiation").expect("checked above");
    assert_eq!(a["decision_id"], negotiation_decision["id"], "{a:#}");
}
