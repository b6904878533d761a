//! The agreement enforced on the bytes: a transfer arrives with the fields its agreement drops
//! gone, the ones it pseudonymizes replaced, ages in bands, sealed to the consumer's key and
//! opened by it; a transfer whose transforms cannot be applied does not start; and a pull broken
//! off mid-way (the provider killed) resumes where it stopped, with the same bytes.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

fn offer(duties: Value) -> String {
    json!({
        "@id": "urn:offer:protected",
        "@type": "Offer",
        "permission": [{"action": "use", "duty": duties}]
    })
    .to_string()
}

fn duty(action: &str, constraints: Value) -> Value {
    json!({"action": format!("https://w3id.org/dfft/ns#{action}"), "constraint": constraints})
}

fn field(name: &str) -> Value {
    json!({"leftOperand": "https://w3id.org/dfft/ns#field", "operator": "eq", "rightOperand": name})
}

/// Pseudonymize `case_id`, drop `diagnosis`, age in bands of 10, sealed to the consumer.
fn protected_offer() -> String {
    offer(json!([
        duty("pseudonymize", json!([field("case_id")])),
        duty("drop", json!([field("diagnosis")])),
        duty(
            "generalize",
            json!([field("age"), {"leftOperand": "https://w3id.org/dfft/ns#granularity", "operator": "eq", "rightOperand": "band:10"}])
        ),
        {"action": "https://w3id.org/dfft/ns#encrypt"}
    ]))
}

fn pair_with_offer(tag: &str, policy: String, rows: usize) -> Pair {
    Pair::start_with(tag, "DE", "JP", move |p, _| {
        let file = p.with_extension("offer.json");
        std::fs::write(&file, policy).expect("write the offer");
        let data = p.with_extension("protected.csv");
        write_csv(&data, rows);
        add_dataset(p, "protected", &data, &["--policy", s(&file)]);
    })
}

#[test]
fn a_transfer_arrives_transformed_and_sealed_as_its_agreement_requires() {
    let pair = pair_with_offer("plane-protected", protected_offer(), 500);
    let agreement = pair.agreement("protected");
    let out = pair.tmp.join("protected-out.csv");
    let run = dfft(&["transfer", s(&pair.consumer.dir), "--agreement", &agreement, "--out", s(&out)]);
    run.expect_code(OK);
    assert!(run.stdout.contains("sealed"), "the consumer opened sealed data:\n{}", run.stdout);
    assert!(run.stdout.contains("pseudonymize case_id"), "{}", run.stdout);

    let text = std::fs::read_to_string(&out).expect("the output");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("case_id,region,age"), "diagnosis dropped:\n{}", &text[..200.min(text.len())]);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 500);
    for row in &rows {
        assert_eq!(row[0].len(), 32, "a pseudonym, not the case id: {row:?}");
        assert!(row[0].bytes().all(|b| b.is_ascii_hexdigit()), "{row:?}");
        assert!(row[2].ends_with('9') && row[2].contains('-'), "an age band like 20-29: {row:?}");
    }
    assert!(!text.contains("code-"), "no diagnosis value leaves");

    // The provider recorded what it did, and both sides the same digest (of the sealed bytes).
    let provider = pair.provider.api("/api/transfers");
    let served = &provider[0];
    assert!(served["transforms"]["applied"].to_string().contains("encrypt to"), "{served:#}");
    assert_eq!(served["transforms"]["rows_out"], 500, "{served:#}");
    let consumer = pair.consumer.api("/api/transfers");
    assert_eq!(consumer[0]["content_sha256"], served["content_sha256"], "{consumer:#}");
}

#[test]
fn a_transform_that_cannot_be_applied_stops_the_transfer_before_any_byte() {
    let policy = offer(json!([duty("pseudonymize", json!([field("national_id")]))]));
    let pair = pair_with_offer("plane-impossible", policy, 20);
    let agreement = pair.agreement("protected");
    let out = pair.tmp.join("never.csv");
    let run = dfft(&["transfer", s(&pair.consumer.dir), "--agreement", &agreement, "--out", s(&out)]);
    assert_ne!(run.code, Some(OK), "{}", run.all());
    assert!(run.all().contains("national_id"), "the refusal names the missing field:\n{}", run.all());
    assert!(!out.exists());
}

/// Starts `dfft transfer` in the background.
fn transfer_child(consumer: &Path, agreement: &str, out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_dfft"))
        .args(["transfer", s(consumer), "--agreement", agreement, "--out", s(out), "--timeout", "20"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dfft transfer starts")
}

#[test]
fn a_pull_broken_off_when_the_provider_dies_resumes_with_the_same_bytes() {
    let port = free_port();
    let tmp = TempDir::new("plane-resume");
    let p = init_node(&tmp, "provider", "DE");
    let c = init_node(&tmp, "consumer", "JP");
    let policy = tmp.join("offer.json");
    std::fs::write(&policy, protected_offer()).expect("write");
    let data = tmp.join("big.csv");
    write_csv(&data, 600_000);
    add_dataset(&p, "big", &data, &["--policy", s(&policy)]);
    let mut provider = Served::start(&p, &format!("127.0.0.1:{port}"));
    let consumer = Served::start(&c, "127.0.0.1:0");
    let pair_negotiation = dfft(&[
        "negotiate",
        s(&c),
        "--provider",
        &provider.url,
        "--dataset",
        "big",
        "--purpose",
        "research",
        "--timeout",
        "15",
    ]);
    pair_negotiation.expect_code(OK);
    let agreement = agreement_of(&pair_negotiation.stdout);

    // A first, complete pull: the reference bytes.
    let reference = tmp.join("reference.csv");
    dfft(&["transfer", s(&c), "--agreement", &agreement, "--out", s(&reference)]).expect_code(OK);

    // A second pull, with the provider killed once part of the data has arrived.
    let out = tmp.join("resumed.csv");
    let mut part = out.as_os_str().to_owned();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let mut child = transfer_child(&c, &agreement, &out);
    wait_until("part of the data", || std::fs::metadata(&part).ok().filter(|m| m.len() > 64 * 1024).map(|_| ()));
    provider.kill9();
    std::thread::sleep(Duration::from_millis(100));
    let _provider = Served::start(&p, &format!("127.0.0.1:{port}"));
    let status = wait_until("the transfer to end", || child.try_wait().expect("wait"));
    let mut stdout = String::new();
    let mut stderr = String::new();
    use std::io::Read;
    let _ = child.stdout.take().expect("piped").read_to_string(&mut stdout);
    let _ = child.stderr.take().expect("piped").read_to_string(&mut stderr);
    assert!(status.success(), "the transfer resumed and completed:\n{stdout}\n{stderr}");
    assert!(stderr.contains("resuming"), "it did resume (not restart):\n{stderr}");
    assert_eq!(
        std::fs::read(&out).expect("resumed output"),
        std::fs::read(&reference).expect("reference output"),
        "the resumed transfer has the same bytes"
    );
    drop(consumer);
}
