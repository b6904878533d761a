//! did:web: the DID ↔ URL mapping (ports, paths, the loopback http rule), the DID documents a
//! node serves, resolving keys from fetched documents, and what a verifier must fetch.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::json;
use trust::di::ASSERTION_METHOD;
use trust::did_web::{did_for_url, dids_to_fetch, document, document_url};
use trust::{DocumentResolver, KeyPair, KeyResolver, VerifyError};

#[test]
fn did_web_maps_to_the_document_url() {
    for (did, url) in [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:example.com%3A3000:nodes:a", "https://example.com:3000/nodes/a/did.json"),
        ("did:web:example.com:a%20b", "https://example.com/a%20b/did.json"),
        ("did:web:127.0.0.1%3A8080", "https://127.0.0.1:8080/.well-known/did.json"),
    ] {
        assert_eq!(document_url(did, false).as_deref(), Ok(url), "{did}");
    }
}

#[test]
fn loopback_hosts_may_use_http_when_allowed() {
    for (did, url) in [
        ("did:web:127.0.0.1%3A8080", "http://127.0.0.1:8080/.well-known/did.json"),
        ("did:web:localhost%3A9000:node", "http://localhost:9000/node/did.json"),
        ("did:web:%5B%3A%3A1%5D%3A7000", "http://[::1]:7000/.well-known/did.json"),
    ] {
        assert_eq!(document_url(did, true).as_deref(), Ok(url), "{did}");
        assert_eq!(document_url(did, false).as_deref(), Ok(url.replacen("http:", "https:", 1).as_str()), "{did}");
    }
    // Only loopback: other hosts stay on https even when http is allowed.
    for did in ["did:web:example.com", "did:web:10.0.0.1%3A8080", "did:web:127.0.0.2", "did:web:localhost.example"] {
        assert!(document_url(did, true).is_ok_and(|url| url.starts_with("https://")), "{did}");
    }
}

#[test]
fn malformed_did_web_are_refused_with_the_reason() {
    for (did, says) in [
        ("did:key:z6Mk", "not a did:web"),
        ("did:web:", "host"),
        ("did:web:example.com%3A", "port"),
        ("did:web:example.com%3A99999", "port"),
        ("did:web:example.com%3Ahttp", "port"),
        ("did:web:example.com::a", "path segment"),
        ("did:web:example.com:..", "path segment"),
        ("did:web:example.com:a%2Fb", "path segment"),
        ("did:web:exa mple.com", "characters a did:web cannot"),
        ("did:web:example.com#key-1", "characters a did:web cannot"),
        ("did:web:example.com/path", "characters a did:web cannot"),
        ("did:web:%5B%3A%3A1", "closing ']'"),
        ("did:web:-example.com", "host"),
        ("did:web:example..com", "host"),
        ("did:web:example.com%4", "characters a did:web cannot"),
    ] {
        let error = document_url(did, true).expect_err(did);
        assert!(error.contains(says), "{did}: {error}");
    }
}

#[test]
fn a_node_url_maps_to_its_did_and_back() {
    for (base, did, served_at) in [
        ("https://example.com", "did:web:example.com", "https://example.com/.well-known/did.json"),
        ("https://Example.COM/", "did:web:example.com", "https://example.com/.well-known/did.json"),
        ("https://example.com:8443", "did:web:example.com%3A8443", "https://example.com:8443/.well-known/did.json"),
        (
            "https://example.com:8443/nodes/a/",
            "did:web:example.com%3A8443:nodes:a",
            "https://example.com:8443/nodes/a/did.json",
        ),
        ("http://127.0.0.1:4100", "did:web:127.0.0.1%3A4100", "http://127.0.0.1:4100/.well-known/did.json"),
        ("http://localhost:4100/dfft", "did:web:localhost%3A4100:dfft", "http://localhost:4100/dfft/did.json"),
        ("http://[::1]:4100", "did:web:%5B%3A%3A1%5D%3A4100", "http://[::1]:4100/.well-known/did.json"),
    ] {
        assert_eq!(did_for_url(base).as_deref(), Ok(did), "{base}");
        assert_eq!(document_url(did, true).as_deref(), Ok(served_at), "{did}");
    }
}

#[test]
fn node_urls_that_have_no_did_web_are_refused() {
    for (base, says) in [
        ("http://example.com", "requires https"),
        ("ftp://example.com", "scheme"),
        ("example.com", "not a URL"),
        ("https://example.com/?q=1", "no query"),
        ("https://user@example.com", "no query, fragment or user"),
        ("https://example.com:0", "port"),
        ("https://example.com/a b", "characters a did:web cannot"),
        ("https://", "host"),
    ] {
        let error = did_for_url(base).expect_err(base);
        assert!(error.contains(says), "{base}: {error}");
    }
}

#[test]
fn a_document_lists_one_key_for_assertion_and_authentication() {
    let key = web_key().public_key();
    let doc = document(WEB_ISSUER, &key);
    let method = format!("{WEB_ISSUER}#key-1");
    assert_eq!(
        doc,
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": WEB_ISSUER,
            "alsoKnownAs": [key.to_did_key()],
            "verificationMethod": [{
                "id": method, "type": "Multikey", "controller": WEB_ISSUER, "publicKeyMultibase": key.to_multibase(),
            }],
            "assertionMethod": [method],
            "authentication": [method],
        })
    );
    let resolver = resolver();
    for purpose in [ASSERTION_METHOD, "authentication"] {
        assert_eq!(resolver.resolve(&method, purpose), Ok(key), "{purpose}");
    }
}

#[test]
fn the_resolver_checks_what_the_document_says() {
    let key = web_key().public_key();
    let method = format!("{WEB_ISSUER}#key-1");
    let resolve = |doc: serde_json::Value, purpose: &str| {
        let mut resolver = DocumentResolver::new();
        resolver.add(WEB_ISSUER, doc);
        resolver.resolve(&method, purpose)
    };
    let base = document(WEB_ISSUER, &key);

    // Not listed for the purpose.
    let mut only_auth = base.clone();
    only_auth["assertionMethod"] = json!([]);
    assert!(matches!(resolve(only_auth, ASSERTION_METHOD), Err(VerifyError::PurposeNotAuthorized { .. })));
    // Not a verification relationship at all.
    assert!(matches!(resolve(base.clone(), "verificationMethod"), Err(VerifyError::PurposeNotAuthorized { .. })));
    assert!(matches!(resolve(base.clone(), "keyAgreement"), Err(VerifyError::PurposeNotAuthorized { .. })));
    // Relative references and embedded methods are understood.
    let mut relative = base.clone();
    relative["assertionMethod"] = json!(["#key-1"]);
    relative["verificationMethod"][0]["id"] = json!("#key-1");
    assert_eq!(resolve(relative, ASSERTION_METHOD), Ok(key));
    let mut embedded = base.clone();
    embedded["assertionMethod"] = base["verificationMethod"].clone();
    embedded["verificationMethod"] = json!([]);
    assert_eq!(resolve(embedded, ASSERTION_METHOD), Ok(key));
    // A document served for another DID, or a method another DID controls.
    let mut other_id = base.clone();
    other_id["id"] = json!("did:web:evil.example");
    let error = resolve(other_id, ASSERTION_METHOD).expect_err("wrong id");
    assert!(error.to_string().contains("document's id"), "{error}");
    let mut other_controller = base.clone();
    other_controller["verificationMethod"][0]["controller"] = json!("did:web:evil.example");
    assert!(resolve(other_controller, ASSERTION_METHOD).is_err());
    // A key type it cannot use.
    let mut jwk = base.clone();
    jwk["verificationMethod"][0]["type"] = json!("JsonWebKey");
    let error = resolve(jwk, ASSERTION_METHOD).expect_err("unsupported type");
    assert!(error.to_string().contains("Multikey"), "{error}");
    // Junk where the document should be.
    assert!(resolve(json!([1, 2]), ASSERTION_METHOD).is_err());
}

#[test]
fn the_resolver_says_when_a_document_was_not_fetched() {
    let resolver = DocumentResolver::new();
    let error = resolver.resolve("did:web:unknown.example#key-1", ASSERTION_METHOD).expect_err("not fetched");
    assert!(
        matches!(&error, VerifyError::UnresolvableKey { reason, .. } if reason.contains("was not fetched")),
        "{error}"
    );
    assert!(resolver.resolve("did:web:unknown.example", ASSERTION_METHOD).is_err());
    assert!(resolver.resolve("did:example:123#k", ASSERTION_METHOD).is_err());
    // did:key needs no document.
    let key = KeyPair::from_seed(&[5; 32]).public_key();
    assert_eq!(resolver.resolve(&key.to_verification_method(), ASSERTION_METHOD), Ok(key));
}

#[test]
fn dids_to_fetch_lists_every_did_web_once() {
    let credential = issue_web(&web_draft(membership()));
    assert_eq!(dids_to_fetch(&credential), vec![WEB_ISSUER.to_owned()]);
    // A did:key issuer needs nothing fetched.
    assert!(dids_to_fetch(&issue_cbpr(&cbpr_draft(1))).is_empty());
    let vp = json!({
        "holder": WEB_HOLDER,
        "proof": {"verificationMethod": format!("{WEB_HOLDER}#key-1")},
        "verifiableCredential": [credential, issue_cbpr(&cbpr_draft(1)), {"issuer": {"id": "did:web:other.example"}}, 7],
    });
    assert_eq!(
        dids_to_fetch(&vp),
        vec![WEB_HOLDER.to_owned(), WEB_ISSUER.to_owned(), "did:web:other.example".to_owned()]
    );
    assert!(dids_to_fetch(&json!({"holder": "did:web:bad host", "issuer": 3})).is_empty());
}

proptest! {
    #[test]
    fn the_mapping_never_panics(text in any::<String>(), allow in any::<bool>()) {
        let _ = document_url(&text, allow);
        let _ = document_url(&format!("did:web:{text}"), allow);
        let _ = did_for_url(&text);
        let _ = did_for_url(&format!("https://{text}"));
    }

    #[test]
    fn node_urls_round_trip(
        host in "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9]{0,5}){0,2}",
        port in prop::option::of(1u16..),
        path in prop::collection::vec("[A-Za-z0-9._-]{1,8}", 0..3),
    ) {
        prop_assume!(!host.ends_with('-') && path.iter().all(|s| s != "." && s != ".."));
        let authority = match port { Some(p) => format!("{host}:{p}"), None => host.clone() };
        let base = format!("https://{authority}{}", path.iter().map(|s| format!("/{s}")).collect::<String>());
        let did = did_for_url(&base).expect("a valid base URL");
        let url = document_url(&did, false).expect("a valid did:web");
        let expected = if path.is_empty() { format!("{base}/.well-known/did.json") } else { format!("{base}/did.json") };
        prop_assert_eq!(url, expected);
    }
}
