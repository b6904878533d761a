//! Verifiable credentials in the connector: a Japanese provider sends personal data to a US
//! consumer only when the consumer presents an APEC CBPR certification from an issuer the
//! release's trust list accredits — and stops when the issuer revokes it. Forged, expired and
//! untrusted credentials are not counted, and the refusal says why.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

/// An accountability agent (the issuer), a Tokyo provider of customer records (personal data)
/// that trusts the agent for `apec-cbpr`, and a Boston consumer.
struct Cbpr {
    agent: Served,
    provider: Served,
    consumer: Served,
    rulebook: PathBuf,
    tmp: TempDir,
}

/// A copy of the repository's rulebook whose trust list accredits `issuer` for CBPR.
fn rulebook_trusting(tmp: &TempDir, issuer: &str) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rulebook");
    let target = tmp.join("release");
    copy_dir(&source, &target);
    let list = format!(
        "[[issuer]]\ndid = \"{issuer}\"\nname = \"Test accountability agent\"\naccredited = [\"certification:apec-cbpr\", \"certification:global-cbpr\"]\n"
    );
    std::fs::write(target.join("trust-list.toml"), list).expect("write the trust list");
    target
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read the rulebook") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

pub fn did_of(dir: &Path) -> String {
    let run = dfft(&["identity", "show", s(dir), "--json"]);
    run.expect_code(OK);
    let v: Value = serde_json::from_str(&run.stdout).expect("identity JSON");
    v["did"].as_str().expect("a did").to_owned()
}

impl Cbpr {
    fn start(tag: &str) -> Cbpr {
        let tmp = TempDir::new(tag);
        let agent_dir = init_node(&tmp, "agent", "JP");
        let provider_dir = init_node(&tmp, "provider", "JP");
        let consumer_dir = init_node(&tmp, "consumer", "US");
        // Revocations must show at the very next use in these tests.
        edit_config(&provider_dir, "status_cache_seconds = 60", "status_cache_seconds = 0");
        let data = tmp.join("customers.csv");
        write_csv(&data, 200);
        dfft(&[
            "dataset",
            "add",
            s(&provider_dir),
            "--id",
            "customers",
            "--file",
            s(&data),
            "--category",
            "personal",
            "--subjects",
            "200",
        ])
        .expect_code(OK);
        let rulebook = rulebook_trusting(&tmp, &did_of(&agent_dir));
        let agent = Served::start(&agent_dir, "127.0.0.1:0");
        let provider = Served::start_args(&provider_dir, "127.0.0.1:0", &["--rulebook", s(&rulebook)]);
        let consumer = Served::start(&consumer_dir, "127.0.0.1:0");
        Cbpr { agent, provider, consumer, rulebook, tmp }
    }

    fn negotiate(&self) -> Run {
        dfft(&[
            "negotiate",
            s(&self.consumer.dir),
            "--provider",
            &self.provider.url,
            "--dataset",
            "customers",
            "--purpose",
            "service-provision",
            "--timeout",
            "15",
        ])
    }

    /// `dfft vc issue` by the agent about the consumer; returns (file, credential id).
    fn issue(&self, name: &str, extra: &[&str]) -> (PathBuf, String) {
        let file = self.tmp.join(name);
        let subject = did_of(&self.consumer.dir);
        let mut args = vec!["vc", "issue", s(&self.agent.dir), "--subject", &subject, "--out", s(&file)];
        args.extend_from_slice(extra);
        dfft(&args).expect_code(OK);
        let credential: Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("JSON");
        (file, credential["id"].as_str().expect("an id").to_owned())
    }

    fn verify(&self, file: &Path) -> Run {
        dfft(&["--rulebook", s(&self.rulebook), "vc", "verify", s(file)])
    }

    fn hold(&self, file: &Path) {
        dfft(&["vc", "add", s(&self.consumer.dir), s(file)]).expect_code(OK);
    }
}

#[test]
fn a_cbpr_certified_consumer_gets_japanese_personal_data_until_its_certificate_is_revoked() {
    let cbpr = Cbpr::start("cbpr");

    // Without a credential the importer counts as uncertified: JP → US personal data is refused,
    // naming CBPR among the lawful routes.
    let refused = cbpr.negotiate();
    assert_ne!(refused.code, Some(OK), "{}", refused.all());
    assert!(refused.stdout.contains("apec-cbpr"), "the reason names the CBPR route:\n{}", refused.all());

    // The agent certifies the consumer; anyone can verify the credential.
    let (file, id) = cbpr.issue("cbpr.json", &["--certification", "apec-cbpr"]);
    let verified = cbpr.verify(&file);
    verified.expect_code(OK);
    assert!(verified.stdout.starts_with("valid: apec-cbpr"), "{}", verified.stdout);

    // Held, it travels in the one header `dfft token` prints, so a plain HTTP client presents it too.
    assert_eq!(law_verdict(&cbpr), "conditional");
    cbpr.hold(&file);
    assert_eq!(law_verdict(&cbpr), "allow", "the catalog's law view counts the presented certification");

    // Presented in the negotiation, it makes the flow lawful; the provider recorded why.
    let run = cbpr.negotiate();
    run.expect_code(OK);
    let agreement = agreement_of(&run.stdout);
    let out = cbpr.tmp.join("first.csv");
    dfft(&["transfer", s(&cbpr.consumer.dir), "--agreement", &agreement, "--out", s(&out)]).expect_code(OK);
    assert!(out.exists());
    let negotiations = cbpr.provider.api("/api/negotiations");
    let terms = &negotiations[0]["terms"];
    assert_eq!(terms["certifications"][0], "apec-cbpr", "{negotiations:#}");

    // Revoked: the credential no longer verifies, and the next transfer start re-decides and refuses.
    let revoked = dfft(&["vc", "revoke", s(&cbpr.agent.dir), "--id", &id]);
    revoked.expect_code(OK);
    let check = cbpr.verify(&file);
    check.expect_code(FAILURE);
    assert!(check.stdout.starts_with("invalid: revoked"), "{}", check.stdout);

    let again = cbpr.tmp.join("second.csv");
    let second = dfft(&["transfer", s(&cbpr.consumer.dir), "--agreement", &agreement, "--out", s(&again)]);
    assert_ne!(second.code, Some(OK), "a transfer after the revocation is refused:\n{}", second.all());
    assert!(second.all().contains("revoked"), "the refusal says the credential was revoked:\n{}", second.all());
    assert!(!again.exists(), "no data after the revocation");
    let decisions = cbpr.provider.api("/api/decisions");
    let last = decisions
        .as_array()
        .and_then(|l| l.iter().filter(|d| d["stage"] == "transfer").max_by_key(|d| d["at_ms"].as_i64()))
        .unwrap_or_else(|| panic!("transfer decisions: {decisions:#}"));
    assert_eq!(last["allowed"], false, "{last:#}");
}

#[test]
fn forged_expired_and_untrusted_credentials_are_not_counted_and_the_refusal_says_why() {
    let cbpr = Cbpr::start("bad-credentials");

    // Expired.
    let (expired, _) = cbpr.issue(
        "expired.json",
        &["--certification", "apec-cbpr", "--valid-from", "2024-01-01", "--valid-until", "2025-01-01"],
    );
    assert!(cbpr.verify(&expired).stdout.starts_with("invalid: expired"));
    cbpr.hold(&expired);
    let run = cbpr.negotiate();
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.stdout.contains("expired"), "{}", run.all());
    clear_wallet(&cbpr.consumer.dir);

    // Forged: a valid credential with its scheme changed after signing.
    let (good, _) = cbpr.issue("good.json", &["--certification", "apec-cbpr"]);
    let forged = cbpr.tmp.join("forged.json");
    let text = std::fs::read_to_string(&good).expect("read").replace("apec-cbpr", "global-cbpr");
    std::fs::write(&forged, text).expect("write");
    assert!(cbpr.verify(&forged).stdout.starts_with("invalid: signature"), "{}", cbpr.verify(&forged).stdout);
    cbpr.hold(&forged);
    let run = cbpr.negotiate();
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.stdout.contains("signature"), "{}", run.all());
    clear_wallet(&cbpr.consumer.dir);

    // Untrusted: the consumer's own node issues itself a certificate.
    let own = cbpr.tmp.join("own.json");
    let subject = did_of(&cbpr.consumer.dir);
    dfft(&[
        "vc",
        "issue",
        s(&cbpr.consumer.dir),
        "--subject",
        &subject,
        "--certification",
        "apec-cbpr",
        "--out",
        s(&own),
    ])
    .expect_code(OK);
    assert!(cbpr.verify(&own).stdout.starts_with("invalid: issuer not trusted"), "{}", cbpr.verify(&own).stdout);
    cbpr.hold(&own);
    let run = cbpr.negotiate();
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.stdout.contains("not trusted"), "{}", run.all());

    // A suspended credential stops counting, and counts again once reinstated.
    clear_wallet(&cbpr.consumer.dir);
    let (file, id) = cbpr.issue("suspended.json", &["--certification", "apec-cbpr"]);
    dfft(&["vc", "revoke", s(&cbpr.agent.dir), "--id", &id, "--suspend"]).expect_code(OK);
    assert!(cbpr.verify(&file).stdout.starts_with("invalid: suspended"), "{}", cbpr.verify(&file).stdout);
    dfft(&["vc", "revoke", s(&cbpr.agent.dir), "--id", &id, "--reinstate"]).expect_code(OK);
    cbpr.verify(&file).expect_code(OK);
}

/// What the provider's catalog says the law allows for the consumer and `customers`, asked with
/// plain HTTP and the header `dfft token` prints.
fn law_verdict(cbpr: &Cbpr) -> String {
    let auth = cbpr.provider.token_from(&cbpr.consumer.dir);
    let resp = post(&format!("{}/catalog/request", cbpr.provider.dsp()), Some(&auth), CATALOG_REQUEST);
    assert_eq!(resp.status, 200, "{}", resp.body);
    let catalog = resp.json();
    let dataset = catalog["dataset"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["@id"] == "customers"))
        .unwrap_or_else(|| panic!("customers in {catalog:#}"));
    dataset["https://w3id.org/dfft/ns#law"]["verdict"].as_str().expect("a verdict").to_owned()
}

fn clear_wallet(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir.join("credentials"));
}

#[test]
fn a_node_serves_its_did_document_and_a_did_web_issuer_is_resolved_through_it() {
    let cbpr = Cbpr::start("did-web");
    let doc = get(&format!("{}/.well-known/did.json", cbpr.agent.url), None);
    assert_eq!(doc.status, 200, "{}", doc.body);
    let doc = doc.json();
    let port = cbpr.agent.port();
    assert_eq!(doc["id"], format!("did:web:127.0.0.1%3A{port}"), "{doc:#}");
    assert_eq!(doc["alsoKnownAs"][0], did_of(&cbpr.agent.dir));

    // A credential naming the agent by did:web verifies only if the trust list names that DID.
    let (file, _) = cbpr.issue("web.json", &["--certification", "apec-cbpr", "--did-web"]);
    let issued: Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("JSON");
    assert_eq!(issued["issuer"], doc["id"]);
    assert!(cbpr.verify(&file).stdout.starts_with("invalid: issuer not trusted"));
    let list = format!(
        "[[issuer]]\ndid = \"{}\"\nname = \"Agent by did:web\"\naccredited = [\"certification:apec-cbpr\"]\n",
        doc["id"].as_str().expect("id")
    );
    std::fs::write(cbpr.rulebook.join("trust-list.toml"), list).expect("write");
    let run = cbpr.verify(&file);
    run.expect_code(OK);
    assert!(run.stdout.contains("valid: apec-cbpr"), "{}", run.stdout);
}
