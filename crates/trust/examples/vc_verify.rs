//! How much a full credential check costs next to the Ed25519 verification inside it.
//!
//! `cargo run --release -p trust --example vc_verify [-- --seconds N]` runs, each for about N
//! seconds (default 3): raw Ed25519 verification of a 64-byte message; `verify_credential` of a
//! certification credential with a revocation entry, its status list in an in-memory cache and a
//! trust list of 50 issuers; and `verify_presentation` plus `verify_credential` of a presentation
//! holding that credential.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trust::{
    datetime, issue, issue_status_list, present, verify_credential, verify_presentation, verify_status_list, Claim,
    CredentialContext, CredentialDraft, DidKeyResolver, KeyPair, PresentationCheck, StatusEntry, StatusList,
    StatusPurpose, TrustList, TrustedIssuer, VerifiedStatusList,
};

const LIST_URL: &str = "https://cbpr.example/status/1";
const VERIFIER: &str = "https://provider.example/dsp";
const NONCE: &str = "bench-nonce";

fn main() {
    let seconds = seconds_from_args();
    let now = datetime::parse("2026-06-01T09:00:00Z").expect("a timestamp");
    let issuer = KeyPair::from_seed(&[1; 32]);
    let holder = KeyPair::from_seed(&[2; 32]);
    let (issuer_did, issuer_method) = (issuer.public_key().to_did_key(), issuer.public_key().to_verification_method());
    let (holder_did, holder_method) = (holder.public_key().to_did_key(), holder.public_key().to_verification_method());

    // 49 other issuers ahead of the one that matters: a realistic list, scanned in full.
    let mut issuers: Vec<TrustedIssuer> = (0..49u8)
        .map(|n| TrustedIssuer {
            did: KeyPair::from_seed(&[100 + n; 32]).public_key().to_did_key(),
            name: format!("issuer {n}"),
            accredited: vec!["certification:iso-27001".into()],
        })
        .collect();
    issuers.push(TrustedIssuer {
        did: issuer_did.clone(),
        name: "CBPR agent".into(),
        accredited: vec!["certification:apec-cbpr".into()],
    });
    let trust_list = TrustList { issuers };

    let mut list = StatusList::default();
    for revoked in (1..1000).step_by(7) {
        list.set(revoked, true).expect("in range");
    }
    let list_credential =
        issue_status_list(LIST_URL, &issuer_did, &StatusPurpose::Revocation, &list, &issuer, &issuer_method, now, None)
            .expect("a status list");
    let verified_list = verify_status_list(&list_credential, now, &DidKeyResolver).expect("a valid list");
    let mut lists: HashMap<String, Arc<VerifiedStatusList>> = HashMap::new();
    lists.insert(LIST_URL.into(), Arc::new(verified_list));

    let draft = CredentialDraft {
        id: "urn:uuid:2f0c6f3e-8d3a-4a55-9a7e-0e6b1d1c9a10".into(),
        issuer: issuer_did.clone(),
        subject: holder_did.clone(),
        claim: Claim::Certification { scheme: "apec-cbpr".into() },
        valid_from: now - time::Duration::days(30),
        valid_until: Some(now + time::Duration::days(335)),
        status: vec![StatusEntry { list_credential: LIST_URL.into(), index: 4242, purpose: StatusPurpose::Revocation }],
    };
    let credential = issue(&draft, &issuer, &issuer_method, now).expect("a credential");
    let vp = present(&holder, &holder_did, &holder_method, std::slice::from_ref(&credential), VERIFIER, NONCE, now)
        .expect("a presentation");

    let ctx = CredentialContext {
        now,
        trust_list: &trust_list,
        resolver: &DidKeyResolver,
        status_lists: &lists,
        holder: Some(&holder_did),
    };
    let check = PresentationCheck { now, domain: VERIFIER, challenge: NONCE, resolver: &DidKeyResolver };
    verify_credential(&credential, &ctx).expect("the credential verifies");
    verify_presentation(&vp, &check).expect("the presentation verifies");

    let message = [0x5a_u8; 64];
    let signature = issuer.sign(&message);
    let public = issuer.public_key();

    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "machine: nproc {nproc}, {} {}; one thread; about {seconds} s per row",
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    println!(
        "credential {} bytes, presentation {} bytes (compact JSON)\n",
        credential.to_string().len(),
        vp.to_string().len()
    );

    let raw = rate(seconds, || public.verify(black_box(&message), black_box(&signature)).is_ok());
    let full = rate(seconds, || verify_credential(black_box(&credential), &ctx).is_ok());
    let presented = rate(seconds, || {
        verify_presentation(black_box(&vp), &check).is_ok_and(|verified| {
            let ctx = CredentialContext { holder: Some(&verified.holder), ..ctx };
            verified.credentials.iter().all(|c| verify_credential(c, &ctx).is_ok())
        })
    });

    println!("{:<52} {:>10} {:>10} {:>8}", "operation", "ops/s", "µs/op", "× raw");
    for (name, ops) in [
        ("Ed25519 verify (64-byte message)", raw),
        ("verify_credential (status + 50-issuer trust list)", full),
        ("verify_presentation + verify_credential (1 VC)", presented),
    ] {
        println!("{name:<52} {ops:>10.0} {:>10.1} {:>8.2}", 1e6 / ops, raw / ops);
    }
}

/// Calls `op` for about `seconds`, in batches so the clock is read rarely; returns calls per
/// second. Panics if `op` ever fails: a benchmark of refusals would measure the wrong thing.
fn rate(seconds: f64, mut op: impl FnMut() -> bool) -> f64 {
    const BATCH: u32 = 32;
    let budget = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut calls: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..BATCH {
            assert!(op(), "the operation failed");
        }
        calls += u64::from(BATCH);
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

fn seconds_from_args() -> f64 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => 3.0,
        [flag, value] if flag == "--seconds" => match value.parse::<f64>() {
            Ok(seconds) if seconds > 0.0 && seconds.is_finite() => seconds,
            _ => usage(&format!("--seconds {value:?}: expected a positive number")),
        },
        _ => usage("unexpected arguments"),
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("vc_verify: {problem}\nusage: cargo run --release -p trust --example vc_verify [-- --seconds N]");
    std::process::exit(2)
}
