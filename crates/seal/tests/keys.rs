//! The recipient's X25519 keys come from its Ed25519 did:key, as did:key's keyAgreement does.

use seal::recipient_public;
use trust::{KeyPair, PublicKey};
use x25519_dalek::{x25519, X25519_BASEPOINT_BYTES};

#[test]
fn the_derived_secret_belongs_to_the_derived_public_key() {
    for byte in 0..=255u8 {
        let pair = KeyPair::from_seed(&[byte; 32]);
        let public = recipient_public(&pair.public_key()).expect("an X25519 key");
        assert_eq!(x25519(pair.x25519_secret(), X25519_BASEPOINT_BYTES), public, "seed {byte}");
    }
}

#[test]
fn derived_keys_agree() {
    let (alice, bob) = (KeyPair::from_seed(&[1; 32]), KeyPair::from_seed(&[2; 32]));
    let from_alice = x25519(alice.x25519_secret(), recipient_public(&bob.public_key()).expect("an X25519 key"));
    let from_bob = x25519(bob.x25519_secret(), recipient_public(&alice.public_key()).expect("an X25519 key"));
    assert_eq!(from_alice, from_bob);
}

/// `z6LS…`: multicodec x25519-pub (0xec01) and the key, base58btc.
fn x25519_multibase(key: [u8; 32]) -> String {
    format!("z{}", bs58::encode([&[0xec, 0x01][..], &key].concat()).into_string())
}

#[test]
fn published_did_key_agreement_keys_match() {
    // The did:key method specification's Ed25519 example and its keyAgreement key, and the
    // same pair from ACA-Py's did:key tests.
    for (did, agreement) in [
        (
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p",
        ),
        (
            "did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th",
            "z6LShpNhGwSupbB7zjuivH156vhLJBDDzmQtA4BY9S94pe1K",
        ),
    ] {
        let key = PublicKey::from_did_key(did).expect("a did:key");
        assert_eq!(x25519_multibase(recipient_public(&key).expect("an X25519 key")), agreement, "{did}");
    }
}
