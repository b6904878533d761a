//! Properties of the formats on random and hostile input: parsers never panic, and whatever they
//! accept writes back byte for byte (one encoding per value); signed notes, checkpoints and
//! cosignatures round trip and any one-byte change of the signed note fails; tile paths and
//! entry bundles round trip.

use ledger::checkpoint::{Cosignature, CosignatureVerifier, Cosigner};
use ledger::note::{Ed25519Signer, Ed25519Verifier, Verifier};
use ledger::tiles::{decode_bundle, encode_bundle, EntryBundle, Tile};
use ledger::{Checkpoint, Hash, Note};
use proptest::prelude::*;

/// Text that looks like notes and checkpoints: lines of printable ASCII, some Unicode, digits,
/// base64 characters, em dashes, the odd control character.
fn note_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "[a-z./]{1,20}",
        "[0-9]{1,21}",
        "[A-Za-z0-9+/]{0,60}={0,2}",
        "\u{2014} [a-z.+/ ]{0,12} [A-Za-z0-9+/=]{0,100}",
        "[ -~\u{2014}\u{a0}\t\r]{0,30}",
    ];
    prop::collection::vec(line, 0..8).prop_map(|lines| lines.join("\n") + "\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn note_parsing_never_panics_and_is_canonical(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(note) = Note::parse(&bytes) {
            prop_assert_eq!(note.to_string().into_bytes(), bytes);
        }
    }

    #[test]
    fn note_like_text_parses_canonically(text in note_like(), sig in "[A-Za-z0-9+/]{8,120}={0,2}") {
        for candidate in [text.clone(), format!("{text}\n\u{2014} k {sig}\n"), format!("o\n1\n{sig}\n\n\u{2014} k {sig}\n")] {
            if let Ok(note) = Note::parse(candidate.as_bytes()) {
                prop_assert_eq!(note.to_string(), candidate.clone());
            }
            if let Ok(checkpoint) = Checkpoint::parse(&candidate) {
                prop_assert_eq!(checkpoint.to_string(), candidate.clone());
            }
        }
    }

    #[test]
    fn checkpoint_and_key_parsing_never_panic(text in "\\PC{0,200}") {
        if let Ok(checkpoint) = Checkpoint::parse(&text) {
            prop_assert_eq!(checkpoint.to_string(), text.clone());
        }
        if let Ok(key) = Ed25519Verifier::from_vkey(&text) {
            prop_assert_eq!(key.to_vkey(), text.clone());
        }
        if let Ok(key) = CosignatureVerifier::from_vkey(&text) {
            prop_assert_eq!(key.to_vkey(), text.clone());
        }
        let _ = Ed25519Signer::from_skey(&text);
        let _ = Cosigner::from_skey(&text);
        if let Ok(tile) = Tile::parse_path(&text) {
            prop_assert_eq!(tile.path(), text.clone());
        }
        if let Ok(bundle) = EntryBundle::parse_path(&text) {
            prop_assert_eq!(bundle.path(), text.clone());
        }
    }

    #[test]
    fn hostile_keys_and_signatures(name in "[a-z./]{1,20}", bytes in prop::collection::vec(any::<u8>(), 0..80), id in any::<u32>()) {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let vkey = format!("{name}+{id:08x}+{encoded}");
        let _ = Ed25519Verifier::from_vkey(&vkey);
        let _ = CosignatureVerifier::from_vkey(&vkey);
        let _ = Ed25519Signer::from_skey(&format!("PRIVATE+KEY+{vkey}"));
        let _ = Cosignature::from_bytes(&bytes);
        let signer = Ed25519Signer::from_seed(&name, &[9; 32]).expect("signer");
        let witness = Cosigner::from_seed(&name, &[9; 32]).expect("cosigner");
        prop_assert!(!signer.verifier().verify("text\n", &bytes));
        prop_assert!(!witness.verifier().verify("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", &bytes));
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..=63, index in any::<u64>(), width in 1u16..=256) {
        let tile = Tile::new(level, index, width).expect("valid tile");
        prop_assert_eq!(Tile::parse_path(&tile.path()), Ok(tile));
        let bundle = EntryBundle::new(index, width).expect("valid bundle");
        prop_assert_eq!(EntryBundle::parse_path(&bundle.path()), Ok(bundle));
        let _ = Tile::for_stored_hash(index);
        let _ = Tile::in_tree(level, index, index.rotate_left(7));
    }

    #[test]
    fn bundles_round_trip(entries in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..40), junk in prop::collection::vec(any::<u8>(), 0..300)) {
        let slices: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let data = encode_bundle(&slices).expect("encodes");
        prop_assert_eq!(decode_bundle(&data), Ok(slices));
        if let Ok(decoded) = decode_bundle(&junk) {
            prop_assert_eq!(encode_bundle(&decoded), Ok(junk));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn signed_checkpoints_round_trip_and_resist_tampering(
        origin in "[a-z]{1,10}\\.example/[a-z0-9]{0,8}",
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
        extensions in prop::collection::vec("[ -~]{1,20}", 0..3),
        seeds in any::<([u8; 32], [u8; 32])>(),
        timestamp in 0u64..=i64::MAX as u64,
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let checkpoint = Checkpoint::new(&origin, size, Hash(root)).and_then(|c| c.with_extensions(extensions)).expect("checkpoint");
        let log = Ed25519Signer::from_seed(&origin, &seeds.0).expect("log key");
        let witness = Cosigner::from_seed("witness.example/w", &seeds.1).expect("witness key");
        let mut note = checkpoint.to_note().expect("note");
        note.sign(&log).expect("signs");
        witness.cosign(&mut note, timestamp).expect("cosigns");
        let bytes = note.to_string().into_bytes();
        let verifiers: [&dyn Verifier; 2] = [&log.verifier(), &witness.verifier()];
        let (parsed, again, verified) = Checkpoint::open(&bytes, &verifiers).expect("verifies");
        prop_assert_eq!(&parsed, &checkpoint);
        prop_assert_eq!(&again, &note);
        prop_assert_eq!(verified.signatures.len(), 2);
        prop_assert_eq!(Cosignature::from_note_signature(&verified.signatures[1]).map(|c| c.timestamp), Ok(timestamp));
        // One flipped bit anywhere: the note no longer carries both valid signatures.
        let mut tampered = bytes.clone();
        tampered[at.index(bytes.len())] ^= 1 << bit;
        if let Ok((_, verified)) = Note::open(&tampered, &verifiers) {
            prop_assert!(verified.signatures.len() < 2);
        }
    }
}
