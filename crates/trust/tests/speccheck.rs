//! Ed25519 edge cases from ed25519-speccheck (`../shared/specs/ed25519-speccheck/cases.json`,
//! from "Taming the many EdDSAs", Chalkias, Garillot and Nikolaenko, SSR 2020).
//!
//! The crate's policy is strict verification: a public key must be canonically encoded and not
//! of small order ([`PublicKey::from_bytes`]), and a signature must pass RFC 8032's cofactorless
//! equation `[S]B = R + [k]A` with canonical `S < L` and an `R` that is not of small order
//! (`ed25519-dalek`'s `verify_strict`). That gives strong unforgeability (no malleated copies
//! of a signature) and strongly binding signatures (no key that "signs" every message), which a
//! credential verifier wants more than compatibility with lax signers; honest signers always
//! produce signatures that pass.
//!
//! Per case (the paper's §5.1 descriptions), the policy gives:
//!
//! | # | what the case is                                             | verdict |
//! |---|--------------------------------------------------------------|---------|
//! | 0 | small-order A and R, S = 0                                   | reject (small-order key) |
//! | 1 | small-order A, mixed-order R                                 | reject (small-order key) |
//! | 2 | mixed-order A, small-order R                                 | reject (small-order R)   |
//! | 3 | mixed-order A and R, passes both equations                   | **accept**               |
//! | 4 | passes only the cofactored equation                          | reject (cofactorless)    |
//! | 5 | passes only cofactored, without scalar pre-reduction         | reject (cofactorless)    |
//! | 6 | S ≥ L (non-canonical scalar)                                 | reject (non-canonical S) |
//! | 7 | S ≫ L (high bits set)                                        | reject (non-canonical S) |
//! | 8 | non-canonical small-order R, R reduced before hashing        | reject (small-order R)   |
//! | 9 | non-canonical small-order R, R hashed as sent                | reject (small-order R)   |
//! |10 | non-canonical small-order A, A reduced before hashing        | reject (key encoding)    |
//! |11 | non-canonical small-order A, A hashed as sent                | reject (key encoding)    |
//!
//! This is the "Dalek strict" row of `results.md` (and LibSodium's): only case 3 verifies.

use std::fs;
use std::path::Path;

use serde::Deserialize;
use trust::{KeyError, PublicKey};

#[derive(Deserialize)]
struct Case {
    message: String,
    pub_key: String,
    signature: String,
}

fn bytes(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd-length hex {hex:?}");
    (0..hex.len()).step_by(2).map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex")).collect()
}

/// Whether the crate accepts a case, and if not, at which step it refused.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Accept,
    RejectKey,
    RejectSignature,
}

fn judge(case: &Case) -> Verdict {
    let key: [u8; 32] = bytes(&case.pub_key).try_into().expect("32-byte key");
    let signature: [u8; 64] = bytes(&case.signature).try_into().expect("64-byte signature");
    match PublicKey::from_bytes(&key) {
        Err(KeyError::WeakKey(_) | KeyError::InvalidPoint(_)) => Verdict::RejectKey,
        Err(other) => panic!("unexpected key error {other}"),
        Ok(key) => match key.verify(&bytes(&case.message), &signature) {
            Ok(()) => Verdict::Accept,
            Err(_) => Verdict::RejectSignature,
        },
    }
}

fn spec(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/ed25519-speccheck").join(name);
    fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

fn cases() -> Vec<Case> {
    let cases: Vec<Case> = serde_json::from_str(&spec("cases.json")).expect("cases.json");
    assert_eq!(cases.len(), 12);
    cases
}

#[test]
fn strict_policy_accepts_exactly_case_3() {
    use Verdict::{Accept, RejectKey, RejectSignature};
    let expected = [
        RejectKey,       // 0: small-order A
        RejectKey,       // 1: small-order A
        RejectSignature, // 2: small-order R
        Accept,          // 3: mixed-order A and R, valid under both equations
        RejectSignature, // 4: cofactored-only
        RejectSignature, // 5: cofactored-only
        RejectSignature, // 6: S ≥ L
        RejectSignature, // 7: S ≫ L
        RejectSignature, // 8: non-canonical small-order R
        RejectSignature, // 9: non-canonical small-order R
        RejectKey,       // 10: non-canonical small-order A
        RejectKey,       // 11: non-canonical small-order A
    ];
    let verdicts: Vec<Verdict> = cases().iter().map(judge).collect();
    assert_eq!(verdicts, expected);
}

#[test]
fn results_table_agrees_for_dalek_strict() {
    // The published table's "Dalek strict" row (V = accepted) is this crate's verdict per case.
    let results = spec("results.md");
    let row = results.lines().find(|line| line.starts_with("|Dalek strict")).expect("a Dalek strict row");
    let published: Vec<bool> =
        row.split('|').skip(2).map(str::trim).filter(|cell| !cell.is_empty()).map(|cell| cell == "V").collect();
    let ours: Vec<bool> = cases().iter().map(|case| judge(case) == Verdict::Accept).collect();
    assert_eq!(published, ours);
}
