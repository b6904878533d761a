use super::*;

/// The example of the signed-note spec, "Verifier keys".
const SPEC_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const SPEC_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

#[test]
fn the_spec_example_verifies() {
    let verifier = Ed25519Verifier::from_vkey(SPEC_VKEY).expect("spec vkey");
    assert_eq!(verifier.to_vkey(), SPEC_VKEY);
    assert_eq!(verifier.key_id(), 0x530d903a);
    let (note, verified) = Note::open(SPEC_NOTE.as_bytes(), &[&verifier]).expect("spec note verifies");
    assert_eq!(note.text(), "This is an example message.\n");
    assert_eq!(verified.unknown, 0);
    assert!(verified.is_signed_by("example.com/foo", 0x530d903a));
    assert_eq!(note.to_string(), SPEC_NOTE);
}

#[test]
fn the_spec_poem_parses_and_its_unknown_key_is_counted() {
    let poem = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n\u{2014} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    let note = Note::parse(poem.as_bytes()).expect("spec note parses");
    // The text keeps its inner blank line; the last blank line separates the signatures.
    assert_eq!(
        note.text(),
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
    );
    assert_eq!(note.signatures().len(), 1);
    assert_eq!(note.signatures()[0].name(), "quasimodo.example/salvatore");
    assert_eq!(note.signatures()[0].key_id(), 0x367ba04b);
    assert_eq!(note.signatures()[0].signature().len(), 64);
    let verifier = Ed25519Verifier::from_vkey(SPEC_VKEY).expect("spec vkey");
    assert_eq!(note.verify(&[&verifier]), Err(NoteError::NoVerifiedSignature { unknown: 1 }));
    assert_eq!(note.to_string(), poem);
}

#[test]
fn keys_round_trip_and_check_their_id() {
    let signer = Ed25519Signer::from_seed("example.com/log", &[7; 32]).expect("signer");
    let skey = signer.to_skey();
    assert!(skey.starts_with("PRIVATE+KEY+example.com/log+"));
    let again = Ed25519Signer::from_skey(&skey).expect("skey parses");
    assert_eq!(again.to_skey(), skey);
    let vkey = signer.verifier().to_vkey();
    assert_eq!(Ed25519Verifier::from_vkey(&vkey), Ok(signer.verifier()));
    assert!(!format!("{signer:?}").contains(&skey[skey.len() - 40..]));
    // Another ID, uppercase hex, other name, other type: refused.
    let id = format!("{:08x}", signer.key_id());
    let wrong = vkey.replacen(&id, &format!("{:08x}", signer.key_id() ^ 1), 1);
    assert!(matches!(Ed25519Verifier::from_vkey(&wrong), Err(KeyError::KeyIdMismatch { .. })));
    if id.bytes().any(|b| b.is_ascii_alphabetic()) {
        let upper = vkey.replacen(&id, &id.to_uppercase(), 1);
        assert!(matches!(Ed25519Verifier::from_vkey(&upper), Err(KeyError::BadKeyId(_))));
    }
    let renamed = vkey.replacen("example.com/log", "example.com/lag", 1);
    assert!(matches!(Ed25519Verifier::from_vkey(&renamed), Err(KeyError::KeyIdMismatch { .. })));
    let retyped = encode_vkey("example.com/log", signer.key_id(), 0x04, &signer.verifier().public_key());
    assert_eq!(Ed25519Verifier::from_vkey(&retyped), Err(KeyError::WrongType { want: 1, got: 4 }));
    assert_eq!(
        Ed25519Signer::from_skey(&vkey).map(|_| ()),
        Err(KeyError::Malformed("a signer key starts with PRIVATE+KEY+"))
    );
}

#[test]
fn malformed_keys_are_refused() {
    let key = encode_base64(&[[1u8].as_slice(), &[0; 32]].concat());
    let cases: [(&str, KeyError); 8] = [
        ("", KeyError::Malformed("expected name+keyid+base64")),
        ("name+00000000", KeyError::Malformed("expected name+keyid+base64")),
        ("+00000000+AQ==", KeyError::BadName(String::new())),
        ("na me+00000000+AQ==", KeyError::BadName("na me".into())),
        ("name+0000000+AQ==", KeyError::BadKeyId("0000000".into())),
        ("name+0000000g+AQ==", KeyError::BadKeyId("0000000g".into())),
        ("name+00000000+AQ=", KeyError::BadBase64),
        ("name+00000000+", KeyError::Malformed("no key material")),
    ];
    for (vkey, error) in cases {
        assert_eq!(Ed25519Verifier::from_vkey(vkey), Err(error), "{vkey:?}");
    }
    assert_eq!(Ed25519Verifier::from_vkey("name+00000000+AQ=="), Err(KeyError::WrongLength { want: 32, got: 0 }));
    // All-zero bytes encode a small-order point (y = 0 is on the curve with order 4).
    assert!(matches!(
        Ed25519Verifier::from_vkey(&format!("name+00000000+{key}")),
        Err(KeyError::WeakKey | KeyError::InvalidPoint)
    ));
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(Ed25519Verifier::new("name", &identity), Err(KeyError::WeakKey));
    // y = p: a non-canonical spelling of y = 0.
    let mut y_is_p = [0xff; 32];
    y_is_p[0] = 0xed;
    y_is_p[31] = 0x7f;
    assert_eq!(Ed25519Verifier::new("name", &y_is_p), Err(KeyError::InvalidPoint));
}

#[test]
fn malformed_notes_are_refused() {
    let sig = "\u{2014} k AAAAAAE=\n";
    let cases: Vec<(Vec<u8>, NoteError)> = vec![
        (b"text\n".to_vec(), NoteError::NoSignatureBlock),
        (b"text\n\n".to_vec(), NoteError::NoSignatureBlock),
        (format!("text\n\n{}", sig.trim_end()).into_bytes(), NoteError::MissingFinalNewline),
        (format!("te\txt\n\n{sig}").into_bytes(), NoteError::ControlCharacter { offset: 2, byte: b'\t' }),
        (format!("text\r\n\n{sig}").into_bytes(), NoteError::ControlCharacter { offset: 4, byte: b'\r' }),
        ([b"te\xffxt\n\n".as_slice(), sig.as_bytes()].concat(), NoteError::NotUtf8 { offset: 2 }),
    ];
    for (bytes, error) in cases {
        assert_eq!(Note::parse(&bytes), Err(error), "{:?}", String::from_utf8_lossy(&bytes));
    }
    let bad_lines = [
        "- k AAAAAAE=",
        "\u{2014}k AAAAAAE=",
        "\u{2014} k",
        "\u{2014}  AAAAAAE=",
        "\u{2014} k+1 AAAAAAE=",
        "\u{2014} k AAAAAA==",
        "\u{2014} k AAAAAAF=",
        "\u{2014} k AAAAAAE",
        "\u{2014} k AAAA AAE=",
        "\u{2014} k\u{a0}x AAAAAAE=",
    ];
    for line in bad_lines {
        let note = format!("text\n\n{line}\n");
        assert!(
            matches!(Note::parse(note.as_bytes()), Err(NoteError::BadSignatureLine { .. })),
            "{line:?} was accepted"
        );
    }
    let big = vec![b'a'; MAX_NOTE_SIZE + 1];
    assert_eq!(Note::parse(&big), Err(NoteError::TooLarge { size: MAX_NOTE_SIZE + 1, max: MAX_NOTE_SIZE }));
    let many = format!("text\n\n{}", sig.repeat(MAX_SIGNATURES + 1));
    assert_eq!(Note::parse(many.as_bytes()), Err(NoteError::TooManySignatures { max: MAX_SIGNATURES }));
    let enough = format!("text\n\n{}", sig.repeat(MAX_SIGNATURES));
    assert_eq!(Note::parse(enough.as_bytes()).map(|n| n.signatures().len()), Ok(MAX_SIGNATURES));
    assert_eq!(Note::new("no newline"), Err(NoteError::MissingFinalNewline));
    assert!(matches!(Note::new("bell\u{7}\n"), Err(NoteError::ControlCharacter { offset: 4, byte: 7 })));
}

#[test]
fn sign_replace_and_verify() {
    let a = Ed25519Signer::from_seed("a.example/log", &[1; 32]).expect("a");
    let b = Ed25519Signer::from_seed("b.example/log", &[2; 32]).expect("b");
    let mut note = Note::new("hello\n\nworld\n").expect("text");
    note.sign(&a).expect("sign");
    note.sign(&b).expect("sign");
    note.sign(&a).expect("sign again");
    assert_eq!(note.signatures().len(), 2);
    let parsed = Note::parse(note.to_string().as_bytes()).expect("round trip");
    assert_eq!(parsed, note);
    let verified = parsed.verify(&[&a.verifier()]).expect("a signed");
    assert_eq!((verified.signatures.len(), verified.unknown), (1, 1));
    let verified = parsed.verify(&[&b.verifier(), &a.verifier()]).expect("both signed");
    assert_eq!((verified.signatures.len(), verified.unknown), (2, 0));
    // Same name, other key: unknown, not a failure; same key under b's name: must verify.
    let imposter = Ed25519Signer::from_seed("a.example/log", &[3; 32]).expect("imposter");
    assert_eq!(parsed.verify(&[&imposter.verifier()]), Err(NoteError::NoVerifiedSignature { unknown: 2 }));
    let mut forged = parsed.clone();
    forged.add_signature(NoteSignature::new("b.example/log", b.key_id(), vec![0; 64]).expect("sig"));
    assert_eq!(
        forged.verify(&[&a.verifier(), &b.verifier()]),
        Err(NoteError::InvalidSignature { name: "b.example/log".into(), key_id: b.key_id() })
    );
    assert_eq!(
        Note::new("x\n").expect("text").verify(&[&a.verifier()]),
        Err(NoteError::NoVerifiedSignature { unknown: 0 })
    );
}

#[test]
fn error_messages_quote_the_input() {
    let long = "x".repeat(100);
    let error = Note::parse(format!("t\n\n\u{2014} {long}\n").as_bytes()).expect_err("no signature");
    let message = error.to_string();
    assert!(message.starts_with("bad signature line \"\u{2014} xxx"), "{message}");
    assert!(message.contains('…') && message.len() < 200, "{message}");
    assert_eq!(
        KeyError::KeyIdMismatch { stated: 1, computed: 0xabcdef12 }.to_string(),
        "the key states key ID 00000001, but its name, type and key give abcdef12"
    );
}
