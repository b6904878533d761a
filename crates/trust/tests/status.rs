//! W3C Bitstring Status List v1.0: `encodedList` round trips, the spec's own example, every
//! refusal, and a decompression bomb that is refused without being inflated.

// A counting allocator (below) is the one place these tests need `unsafe`: it is how the bomb
// test sees that the 100 MiB are never allocated.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::write::GzEncoder;
use flate2::Compression;
use proptest::prelude::*;
use serde_json::{json, Value};
use trust::status::{MAX_DECOMPRESSED_BYTES, MIN_ENTRIES};
use trust::{credential_status, Status, StatusError, StatusList};

// ---- a per-thread count of live heap bytes, and its peak ----

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grow(by: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(by);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrink(by: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(by)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Count the old and the new block as live together, as a moving realloc has them.
        grow(new_size);
        shrink(layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most heap this thread had live at once while running `f`, above what it had before.
fn peak_heap_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let out = f();
    (out, PEAK.with(Cell::get) - base)
}

// ---- helpers ----

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("write to a Vec");
    encoder.finish().expect("finish a gzip stream")
}

fn multibase(bytes: &[u8]) -> String {
    format!("u{}", URL_SAFE_NO_PAD.encode(bytes))
}

const LIST_URL: &str = "https://example.com/credentials/status/3";

fn entry(purpose: &str, index: &str) -> Value {
    json!({
        "id": format!("{LIST_URL}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": index,
        "statusListCredential": LIST_URL
    })
}

fn list_credential(purpose: Value, encoded: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": "https://example.com/status/3#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded
        }
    })
}

// ---- the spec's example ----

/// `encodedList` of Example 3 ("Example BitstringStatusListCredential", §2.2
/// BitstringStatusListCredential) and Example 5 (Appendix A.2) of Bitstring Status List v1.0,
/// W3C Recommendation 15 May 2025 (https://www.w3.org/TR/vc-bitstring-status-list/), copied
/// exactly. The spec does not say which bits it sets; it decodes to 16 KB of zeros.
const SPEC_ENCODED_LIST: &str = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

#[test]
fn the_spec_example_decodes_to_131072_unset_entries() {
    let list = StatusList::decode(SPEC_ENCODED_LIST).expect("the spec's encodedList");
    assert_eq!(list.len(), MIN_ENTRIES);
    assert_eq!(list, StatusList::default());
    for index in [0, 1, 7, 8, 23452, 94567, MIN_ENTRIES - 1] {
        assert_eq!(list.get(index), Ok(false), "index {index}");
    }
    assert_eq!(list.get(MIN_ENTRIES), Err(StatusError::OutOfRange { index: MIN_ENTRIES, len: MIN_ENTRIES }));
}

#[test]
fn the_spec_example_entry_reads_as_not_revoked() {
    // Example 4 (Appendix A.1): the credential's entry, index 94567 of .../status/3.
    let status =
        credential_status(&entry("revocation", "94567"), &list_credential(json!("revocation"), SPEC_ENCODED_LIST));
    assert_eq!(status, Ok(Status { purpose: "revocation".into(), index: 94567, set: false }));
}

// ---- round trips ----

#[test]
fn set_bits_survive_encode_and_decode() {
    let mut list = StatusList::default();
    let set = [0, 1, 9, 94567, MIN_ENTRIES - 1];
    for &index in &set {
        list.set(index, true).expect("in range");
    }
    list.set(9, false).expect("in range");
    let encoded = list.encode();
    assert!(encoded.starts_with('u'), "{encoded}");
    assert!(encoded.len() < 400, "a sparse 16 KB list compresses to a few hundred bytes: {}", encoded.len());
    let decoded = StatusList::decode(&encoded).expect("own encoding");
    assert_eq!(decoded, list);
    for index in 0..MIN_ENTRIES {
        let expected = matches!(index, 0 | 1 | 94567) || index == MIN_ENTRIES - 1;
        assert_eq!(decoded.get(index), Ok(expected), "index {index}");
    }
    assert_eq!(decoded.encode(), encoded, "encoding is deterministic");
}

#[test]
fn index_zero_is_the_most_significant_bit_of_the_first_byte() {
    let mut bitstring = vec![0u8; MIN_ENTRIES / 8];
    bitstring[0] = 0b1000_0000;
    bitstring[1] = 0b0000_0001;
    *bitstring.last_mut().expect("non-empty") = 0b0000_0001;
    let list = StatusList::decode(&multibase(&gzip(&bitstring))).expect("valid");
    let set: Vec<usize> = (0..list.len()).filter(|&i| list.get(i) == Ok(true)).collect();
    assert_eq!(set, vec![0, 15, MIN_ENTRIES - 1]);

    let mut built = StatusList::default();
    for index in set {
        built.set(index, true).expect("in range");
    }
    assert_eq!(built, list);
}

#[test]
fn longer_lists_round_trip() {
    let mut list = StatusList::new(2 * MIN_ENTRIES + 8).expect("a valid length");
    list.set(2 * MIN_ENTRIES + 7, true).expect("last entry");
    let decoded = StatusList::decode(&list.encode()).expect("own encoding");
    assert_eq!(decoded.len(), 2 * MIN_ENTRIES + 8);
    assert_eq!(decoded.get(2 * MIN_ENTRIES + 7), Ok(true));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_index_sets_survive_encode_and_decode(
        indices in proptest::collection::btree_set(0..MIN_ENTRIES, 0..200)
    ) {
        let mut list = StatusList::default();
        for &index in &indices {
            list.set(index, true).expect("in range");
        }
        let decoded = StatusList::decode(&list.encode()).expect("own encoding");
        prop_assert_eq!(&decoded, &list);
        for &index in &indices {
            prop_assert_eq!(decoded.get(index), Ok(true));
        }
        let set = (0..MIN_ENTRIES).filter(|&i| decoded.get(i) == Ok(true)).count();
        prop_assert_eq!(set, indices.len());
    }
}

// ---- refusals: the list ----

#[test]
fn lengths_below_the_minimum_or_not_whole_bytes_are_refused() {
    for len in [0, 8, MIN_ENTRIES - 8, MIN_ENTRIES + 1, MAX_DECOMPRESSED_BYTES * 8 + 8] {
        assert_eq!(StatusList::new(len), Err(StatusError::BadLength { len }), "len {len}");
    }
    assert_eq!(StatusList::new(MIN_ENTRIES), Ok(StatusList::default()));
}

#[test]
fn out_of_range_indices_are_refused() {
    let mut list = StatusList::default();
    let err = StatusError::OutOfRange { index: MIN_ENTRIES, len: MIN_ENTRIES };
    assert_eq!(list.get(MIN_ENTRIES), Err(err.clone()));
    assert_eq!(list.set(MIN_ENTRIES, true), Err(err));
    assert!(list.get(usize::MAX).is_err());
    assert!(list.set(usize::MAX, true).is_err());
}

#[test]
fn a_missing_multibase_prefix_is_refused() {
    let without_u = &SPEC_ENCODED_LIST[1..];
    assert_eq!(StatusList::decode(without_u), Err(StatusError::MissingMultibasePrefix { found: Some('H') }));
    assert_eq!(StatusList::decode(""), Err(StatusError::MissingMultibasePrefix { found: None }));
    // 'z' is multibase base58btc, 'm' base64 with the standard alphabet: neither is base64url.
    let z = format!("z{without_u}");
    assert_eq!(StatusList::decode(&z), Err(StatusError::MissingMultibasePrefix { found: Some('z') }));
}

#[test]
fn bad_base64url_is_refused() {
    for bad in ["u!!!!", "uH4sI+AAAA", "uH4sI/AAAA", "uH4sIAA==", "uA"] {
        assert!(matches!(StatusList::decode(bad), Err(StatusError::BadBase64(_))), "{bad}");
    }
    // The spec's list with padding added back.
    let padded = format!("{SPEC_ENCODED_LIST}==");
    assert!(matches!(StatusList::decode(&padded), Err(StatusError::BadBase64(_))));
}

#[test]
fn bad_gzip_is_refused() {
    let bitstring = vec![0u8; MIN_ENTRIES / 8];
    let good = gzip(&bitstring);

    let not_gzip = multibase(&bitstring[..64]);
    assert!(matches!(StatusList::decode(&not_gzip), Err(StatusError::BadGzip(_))), "raw bytes");

    let truncated = multibase(&good[..good.len() - 4]);
    assert!(matches!(StatusList::decode(&truncated), Err(StatusError::BadGzip(_))), "truncated trailer");

    let mut bad_crc = good.clone();
    let crc_at = bad_crc.len() - 8;
    bad_crc[crc_at] ^= 0xff;
    assert!(matches!(StatusList::decode(&multibase(&bad_crc)), Err(StatusError::BadGzip(_))), "bad CRC");

    assert!(matches!(StatusList::decode("u"), Err(StatusError::BadGzip(_))), "empty");
}

#[test]
fn a_bitstring_below_16_kb_is_refused() {
    let short = multibase(&gzip(&vec![0u8; MIN_ENTRIES / 8 - 1]));
    assert_eq!(StatusList::decode(&short), Err(StatusError::TooShort { bytes: MIN_ENTRIES / 8 - 1 }));
    let empty = multibase(&gzip(&[]));
    assert_eq!(StatusList::decode(&empty), Err(StatusError::TooShort { bytes: 0 }));
}

#[test]
fn a_decompression_bomb_is_refused_without_being_inflated() {
    // 100 MiB of zeros, compressed a MiB at a time: the test never holds the 100 MiB either.
    const MIB: usize = 1024 * 1024;
    let zeros = vec![0u8; MIB];
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    for _ in 0..100 {
        encoder.write_all(&zeros).expect("write to a Vec");
    }
    let bomb = multibase(&encoder.finish().expect("finish a gzip stream"));
    drop(zeros);
    assert!(bomb.len() < 200 * 1024, "the bomb is small: {} bytes", bomb.len());

    let (result, peak) = peak_heap_during(|| StatusList::decode(&bomb));
    assert_eq!(result, Err(StatusError::TooLarge));
    assert!(peak < 2 * MAX_DECOMPRESSED_BYTES, "decode had {peak} bytes live at once");
    eprintln!("bomb refused with a peak of {peak} bytes live");

    // Exactly at the cap is still accepted.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&vec![0u8; MAX_DECOMPRESSED_BYTES]).expect("write to a Vec");
    let at_cap = multibase(&encoder.finish().expect("finish a gzip stream"));
    assert_eq!(StatusList::decode(&at_cap).map(|l| l.len()), Ok(MAX_DECOMPRESSED_BYTES * 8));
}

// ---- refusals: the entry and the list credential ----

fn revoked_at(index: usize) -> String {
    let mut list = StatusList::default();
    list.set(index, true).expect("in range");
    list.encode()
}

#[test]
fn a_set_bit_reads_as_set_and_its_neighbours_as_unset() {
    let list = list_credential(json!(["revocation", "suspension"]), &revoked_at(42));
    for purpose in ["revocation", "suspension"] {
        assert_eq!(
            credential_status(&entry(purpose, "42"), &list),
            Ok(Status { purpose: purpose.into(), index: 42, set: true })
        );
    }
    assert_eq!(credential_status(&entry("revocation", "41"), &list).map(|s| s.set), Ok(false));
    assert_eq!(credential_status(&entry("revocation", "43"), &list).map(|s| s.set), Ok(false));
    // Leading zeros are still base 10.
    assert_eq!(credential_status(&entry("revocation", "0042"), &list).map(|s| s.set), Ok(true));
}

fn field_error(result: Result<Status, StatusError>) -> &'static str {
    match result {
        Err(StatusError::Field { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn a_malformed_entry_is_refused_naming_the_field() {
    let list = list_credential(json!("revocation"), SPEC_ENCODED_LIST);
    let check = |change: &dyn Fn(&mut Value), expected_field: &str| {
        let mut e = entry("revocation", "7");
        change(&mut e);
        assert_eq!(field_error(credential_status(&e, &list)), expected_field, "{e}");
    };
    check(&|e| e["type"] = json!("StatusList2021Entry"), "credentialStatus.type");
    check(&|e| e["statusPurpose"] = json!(""), "credentialStatus.statusPurpose");
    check(&|e| e["statusPurpose"] = json!(["revocation"]), "credentialStatus.statusPurpose");
    for bad in [json!(7), json!(""), json!("-1"), json!("+7"), json!(" 7"), json!("0x7"), json!("7.0"), json!("٧")] {
        check(&|e| e["statusListIndex"] = bad.clone(), "credentialStatus.statusListIndex");
    }
    check(&|e| e["statusListIndex"] = json!("99999999999999999999999999"), "credentialStatus.statusListIndex");
    check(
        &|e| {
            if let Some(object) = e.as_object_mut() {
                object.remove("statusListCredential");
            }
        },
        "credentialStatus.statusListCredential",
    );
    check(&|e| e["statusSize"] = json!(0), "credentialStatus.statusSize");
    check(&|e| e["statusSize"] = json!("1"), "credentialStatus.statusSize");
    assert_eq!(field_error(credential_status(&json!("not an object"), &list)), "credentialStatus.type");

    let mut wide = entry("message", "7");
    wide["statusSize"] = json!(2);
    assert_eq!(
        credential_status(&wide, &list),
        Err(StatusError::Unsupported { field: "credentialStatus.statusSize", supported: "1 (one-bit entries)" })
    );
    let mut one = entry("revocation", "7");
    one["statusSize"] = json!(1);
    assert!(credential_status(&one, &list).is_ok());
}

#[test]
fn a_malformed_list_credential_is_refused_naming_the_field() {
    let e = entry("revocation", "7");
    let check = |change: &dyn Fn(&mut Value), expected_field: &str| {
        let mut list = list_credential(json!("revocation"), SPEC_ENCODED_LIST);
        change(&mut list);
        assert_eq!(field_error(credential_status(&e, &list)), expected_field, "{list}");
    };
    check(&|l| l["type"] = json!(["VerifiableCredential"]), "statusListCredential.type");
    check(&|l| l["id"] = json!(null), "statusListCredential.id");
    check(&|l| l["credentialSubject"] = json!([]), "statusListCredential.credentialSubject");
    check(&|l| l["credentialSubject"]["type"] = json!("StatusList2021"), "statusListCredential.credentialSubject.type");
    check(
        &|l| l["credentialSubject"]["statusPurpose"] = json!([]),
        "statusListCredential.credentialSubject.statusPurpose",
    );
    check(
        &|l| l["credentialSubject"]["statusPurpose"] = json!(["revocation", 3]),
        "statusListCredential.credentialSubject.statusPurpose",
    );
    check(
        &|l| l["credentialSubject"]["encodedList"] = json!(null),
        "statusListCredential.credentialSubject.encodedList",
    );
    check(&|l| l["credentialSubject"]["statusSize"] = json!(-1), "statusListCredential.credentialSubject.statusSize");
}

#[test]
fn a_purpose_mismatch_is_refused() {
    let list = list_credential(json!("revocation"), SPEC_ENCODED_LIST);
    assert_eq!(
        credential_status(&entry("suspension", "7"), &list),
        Err(StatusError::PurposeMismatch { entry: "suspension".into(), list: vec!["revocation".into()] })
    );
}

#[test]
fn another_list_credential_is_refused() {
    let mut list = list_credential(json!("revocation"), SPEC_ENCODED_LIST);
    list["id"] = json!("https://example.com/credentials/status/4");
    assert_eq!(
        credential_status(&entry("revocation", "7"), &list),
        Err(StatusError::WrongList {
            expected: LIST_URL.into(),
            found: "https://example.com/credentials/status/4".into()
        })
    );
}

#[test]
fn an_index_past_the_list_is_refused() {
    let list = list_credential(json!("revocation"), SPEC_ENCODED_LIST);
    assert_eq!(
        credential_status(&entry("revocation", "131072"), &list),
        Err(StatusError::OutOfRange { index: MIN_ENTRIES, len: MIN_ENTRIES })
    );
}

#[test]
fn a_bad_encoded_list_in_the_credential_is_refused() {
    let list = list_credential(json!("revocation"), &SPEC_ENCODED_LIST[1..]);
    assert_eq!(
        credential_status(&entry("revocation", "7"), &list),
        Err(StatusError::MissingMultibasePrefix { found: Some('H') })
    );
}

#[test]
fn errors_name_the_field_and_what_would_be_accepted() {
    let list = list_credential(json!("revocation"), SPEC_ENCODED_LIST);
    let mut e = entry("revocation", "7");
    e["statusListIndex"] = json!(7);
    let message = credential_status(&e, &list).expect_err("a number, not a string").to_string();
    assert!(message.contains("credentialStatus.statusListIndex"), "{message}");
    assert!(message.contains("a string of decimal digits"), "{message}");
    let message = StatusList::decode("zabc").expect_err("not base64url").to_string();
    assert!(message.contains("'u'"), "{message}");
}
