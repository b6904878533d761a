//! The law and the offer's policy decide: a conditional flow without and with safeguards, and an
//! offer whose ODRL constraint refuses the consumer.

use crate::support::*;

#[test]
fn a_conditional_flow_without_safeguards_is_terminated_naming_the_options() {
    let pair = Pair::start("conditional-refused", "DE", "RW");
    let catalog = dfft(&["catalog", s(&pair.consumer.dir), "--provider", &pair.provider.url]);
    catalog.expect_code(OK);
    assert!(catalog.stdout.contains("law: conditional"), "DE → RW health is conditional:\n{}", catalog.stdout);

    let run = pair.negotiate("cases", &[]);
    assert_ne!(run.code, Some(OK), "no agreement without safeguards:\n{}", run.all());
    assert!(run.stdout.contains("TERMINATED"), "{}", run.all());
    assert!(run.stdout.contains("scc + tia"), "the reason names the options, e.g. `scc + tia`:\n{}", run.stdout);

    // Both sides agree on how it ended; the provider stored the refusal.
    let mine = pair.consumer.api("/api/negotiations");
    assert_eq!(mine[0]["state"], "TERMINATED", "{mine:#}");
    let theirs = pair.provider.api("/api/negotiations");
    assert_eq!(theirs[0]["state"], "TERMINATED", "{theirs:#}");
    let decisions = pair.provider.api("/api/decisions");
    let refused = decisions
        .as_array()
        .and_then(|l| l.iter().find(|d| d["stage"] == "negotiation"))
        .unwrap_or_else(|| panic!("a negotiation decision: {decisions:#}"));
    assert_eq!(refused["allowed"], false);
    assert_eq!(refused["verdict"], "conditional");
}

#[test]
fn a_conditional_flow_with_scc_and_tia_is_finalized_with_the_laws_obligations() {
    let pair = Pair::start("conditional-allowed", "DE", "RW");
    let run = pair.negotiate("cases", &["--safeguard", "scc,tia"]);
    run.expect_code(OK);
    let agreement = agreement_of(&run.stdout);
    assert!(run.stdout.contains("obligation:"), "the agreement lists the law's obligations:\n{}", run.stdout);

    // The provider's record carries the obligations with their text; the agreement has them as
    // ODRL obligation rules, and the consumer's copy too.
    let provider_side = pair.provider.api(&format!("/api/agreements/{agreement}"));
    let obligations = provider_side["obligations"].as_array().expect("obligations");
    assert!(!obligations.is_empty(), "{provider_side:#}");
    assert!(obligations.iter().all(|o| o["text"].is_string() && o["id"].is_string()), "{obligations:#?}");
    for node in [&pair.provider, &pair.consumer] {
        let a = node.api(&format!("/api/agreements/{agreement}"));
        let rules = a["agreement"]["obligation"].as_array().unwrap_or_else(|| panic!("obligation rules: {a:#}"));
        for o in obligations {
            let action = format!("https://w3id.org/dfft/obligation#{}", o["id"].as_str().unwrap_or_default());
            assert!(rules.iter().any(|r| r["action"] == action.as_str()), "{action} in {a:#}");
        }
    }
    // What the consumer declared is what the provider decided on.
    let decisions = pair.provider.api("/api/decisions");
    let d = decisions.as_array().and_then(|l| l.iter().find(|d| d["stage"] == "negotiation")).expect("a decision");
    assert_eq!(d["allowed"], true, "{d:#}");
    let safeguards = d["flow"]["safeguards"].as_array().expect("safeguards");
    assert!(safeguards.iter().any(|s| s == "scc") && safeguards.iter().any(|s| s == "tia"), "{d:#}");
}

const AFRICA_ONLY: &str = r#"{
  "@id": "urn:offer:africa-only",
  "@type": "Offer",
  "permission": [{
    "action": "use",
    "constraint": [{"leftOperand": "spatial", "operator": "isAnyOf", "rightOperand": ["RW", "KE"]}]
  }]
}"#;

#[test]
fn an_offer_whose_spatial_constraint_excludes_the_consumer_refuses_it_naming_the_constraint() {
    let pair = Pair::start_with("policy-refused", "DE", "JP", |p, _| {
        let policy = p.with_extension("policy.json");
        std::fs::write(&policy, AFRICA_ONLY).expect("write the policy");
        let data = p.with_extension("afr.csv");
        write_csv(&data, 10);
        add_dataset(p, "afr", &data, &["--policy", s(&policy)]);
    });
    let run = pair.negotiate("afr", &[]);
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.stdout.contains("TERMINATED"), "{}", run.all());
    for needle in ["spatial", "RW", "KE", "JP"] {
        assert!(run.stdout.contains(needle), "the reason names the constraint ({needle}):\n{}", run.stdout);
    }
    let decisions = pair.provider.api("/api/decisions");
    let d = decisions.as_array().and_then(|l| l.iter().find(|d| d["stage"] == "negotiation")).expect("a decision");
    assert_eq!(d["policy"]["permitted"], false, "{d:#}");
    assert_eq!(d["allowed"], false, "{d:#}");

    drop(pair);

    // The same dataset is obtained by a consumer the constraint admits (KE → law permitting).
    let pair_ok = Pair::start_with("policy-allowed", "DE", "KE", |p, _| {
        let policy = p.with_extension("policy.json");
        std::fs::write(&policy, AFRICA_ONLY).expect("write the policy");
        let data = p.with_extension("afr.csv");
        write_csv(&data, 10);
        add_dataset(p, "afr", &data, &["--policy", s(&policy)]);
    });
    let run = pair_ok.negotiate("afr", &[]);
    // KE may be conditional under the law; the policy must not be what refuses it.
    assert!(!run.stdout.contains("usage policy does not permit"), "{}", run.all());
}
