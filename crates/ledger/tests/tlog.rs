//! The formats against real data: transparency-dev/tessera's tiny test log
//! (`../shared/specs/tlog/tessera-tiny-log`, read in place: 16 signed checkpoints of sizes 0..=15,
//! their partial tiles and entry bundles; its verifier key is the one `../shared/specs/README.md`
//! gives), the cosignature example `../shared/specs/tlog/cosignature-example-unofficial.txt`
//! (**unofficial**: made for this project and cross-checked with an independent implementation;
//! no official cosignature/v1 vector exists), and a synthetic log of 70,000 leaves served as tiles
//! computed from its stored hashes. Tampering with any byte of a note, signature or key fails.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ledger::checkpoint::{cosigned_message, Cosignature, CosignatureVerifier, Cosigner};
use ledger::note::{Ed25519Verifier, NoteError, Verifier};
use ledger::tiles::{self, EntryBundle, Tile, TileError, TileHashReader, TileReader};
use ledger::{
    leaf_hash, stored, stored_hash_index, verify_consistency, verify_inclusion, Checkpoint, Frontier, Hash, HashReader,
    Note, TreeError,
};

/// The tessera test log's verifier key (transparency-dev/tessera testdata; see the specs README).
const TESSERA_VKEY: &str = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
const TESSERA_ENTRIES: [&str; 15] = [
    "one", "two", "three", "four", "five", "six", "seven", "eit", "nain", "ten", "ileven", "twelf", "threeten",
    "fourten", "fivten",
];

fn tlog_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/tlog")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{} (the test data is beside the repository): {e}", path.display()))
}

/// A log directory read as tiles.
struct DirTiles(PathBuf);

impl TileReader for DirTiles {
    type Error = std::io::Error;

    fn read_tile(&self, path: &str) -> Result<Vec<u8>, Self::Error> {
        std::fs::read(self.0.join(path))
    }
}

fn tessera() -> DirTiles {
    DirTiles(tlog_dir().join("tessera-tiny-log/log"))
}

fn log_key() -> Ed25519Verifier {
    Ed25519Verifier::from_vkey(TESSERA_VKEY).expect("the tessera vkey parses")
}

fn tessera_checkpoint(size: u64) -> (Vec<u8>, Checkpoint) {
    let bytes = read(&tessera().0.join(format!("checkpoint.{size}")));
    let (checkpoint, _, verified) = Checkpoint::open(&bytes, &[&log_key()]).expect("tessera checkpoint verifies");
    assert_eq!(verified.unknown, 0);
    (bytes, checkpoint)
}

#[test]
fn tessera_checkpoints_verify_and_their_tiles_give_their_roots() {
    let tiles = tessera();
    let latest = read(&tiles.0.join("checkpoint"));
    let (checkpoint, note, verified) = Checkpoint::open(&latest, &[&log_key()]).expect("checkpoint verifies");
    assert!(verified.is_signed_by("example.com/log/testdata", 0x33d7b496));
    assert_eq!(checkpoint.origin(), "example.com/log/testdata");
    assert_eq!(checkpoint.size(), 15);
    assert_eq!(note.to_string().as_bytes(), latest.as_slice(), "parsing and writing is the identity");
    assert_eq!(latest, tessera_checkpoint(15).0);
    for size in 0..=15 {
        let (bytes, checkpoint) = tessera_checkpoint(size);
        assert_eq!((checkpoint.origin(), checkpoint.size()), ("example.com/log/testdata", size));
        assert_eq!(tiles::tree_hash(size, &tiles).expect("tiles read"), checkpoint.root(), "size {size}");
        // The same, authenticated, through stored hashes: the reader checks the root itself.
        let reader = TileHashReader::new(size, checkpoint.root(), &tiles).expect("size");
        assert_eq!(stored::tree_hash(size, &reader).expect("hashes read"), checkpoint.root());
        // Another log's key, or none: the note is refused.
        assert_eq!(Note::open(&bytes, &[]).map(|_| ()), Err(NoteError::NoVerifiedSignature { unknown: 1 }));
    }
}

#[test]
fn tessera_entries_are_included_in_every_checkpoint() {
    let tiles = tessera();
    let (_, latest) = tessera_checkpoint(15);
    let bundle = EntryBundle::for_entry(0, 15).expect("a bundle");
    assert_eq!(bundle.path(), "tile/entries/000.p/15");
    let data = tiles.read_tile(&bundle.path()).expect("bundle read");
    let entries = bundle.decode(&data).expect("bundle decodes");
    let expected: Vec<&[u8]> = TESSERA_ENTRIES.iter().map(|e| e.as_bytes()).collect();
    assert_eq!(entries, expected);
    assert_eq!(tiles::encode_bundle(&entries).expect("encodes"), data);
    let level0 = tiles.read_tile(&bundle.tile().path()).expect("tile read");
    let leaves: Vec<u8> = entries.iter().flat_map(|e| leaf_hash(e).0).collect();
    assert_eq!(leaves, level0, "each entry hashes to its level-0 tile hash");

    for size in 1..=15u64 {
        let (_, checkpoint) = tessera_checkpoint(size);
        let bundle = EntryBundle::for_entry(size - 1, size).expect("a bundle");
        let data = tiles.read_tile(&bundle.path()).expect("partial bundle read");
        assert_eq!(bundle.decode(&data).expect("decodes"), expected[..size as usize]);
        let reader = TileHashReader::new(size, checkpoint.root(), &tiles).expect("size");
        for (index, entry) in entries.iter().enumerate().take(size as usize) {
            let index = index as u64;
            let proof = stored::inclusion_proof(index, size, &reader).expect("proof from tiles");
            verify_inclusion(index, size, &leaf_hash(entry), &proof, &checkpoint.root()).expect("included");
            assert!(verify_inclusion(index, size, &leaf_hash(b"nine"), &proof, &checkpoint.root()).is_err());
        }
        // Every earlier checkpoint is consistent with this one, proven from this one's tiles.
        for old in 1..=size {
            let (_, older) = tessera_checkpoint(old);
            let proof = stored::consistency_proof(old, size, &reader).expect("proof from tiles");
            verify_consistency(old, size, &proof, &older.root(), &checkpoint.root()).expect("consistent");
        }
    }
    // A reader given the wrong root refuses to serve hashes.
    let (_, older) = tessera_checkpoint(14);
    let reader = TileHashReader::new(15, older.root(), &tiles).expect("size");
    assert!(matches!(
        stored::inclusion_proof(0, 15, &reader),
        Err(TreeError::Read(TileError::RootMismatch { size: 15 }))
    ));
    assert_ne!(older.root(), latest.root());
}

/// Every one-bit change of the note's bytes makes it fail to parse or verify.
fn assert_tamper_fails(bytes: &[u8], verifiers: &[&dyn Verifier], all_must_verify: usize) {
    for at in 0..bytes.len() {
        for bit in [0x01, 0x20, 0x80] {
            let mut tampered = bytes.to_vec();
            tampered[at] ^= bit;
            if let Ok((_, verified)) = Note::open(&tampered, verifiers) {
                assert!(
                    verified.signatures.len() < all_must_verify,
                    "flipping bit {bit:#x} of byte {at} went unnoticed"
                );
            }
        }
    }
}

#[test]
fn tampering_with_tessera_checkpoints_fails() {
    let (bytes, _) = tessera_checkpoint(7);
    assert_tamper_fails(&bytes, &[&log_key()], 1);
    // The verifier key: every change is refused or verifies nothing.
    for at in 0..TESSERA_VKEY.len() {
        let mut vkey = TESSERA_VKEY.as_bytes().to_vec();
        vkey[at] ^= 0x01;
        let Ok(vkey) = String::from_utf8(vkey) else { continue };
        if let Ok(key) = Ed25519Verifier::from_vkey(&vkey) {
            assert!(Note::open(&bytes, &[&key]).is_err(), "changed vkey {vkey} verifies");
        }
    }
}

fn field<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_else(|| panic!("{name} in the example")).trim()
}

#[test]
fn the_unofficial_cosignature_example() {
    // Unofficial: self-generated and cross-checked, not a C2SP vector (none exists).
    let text = String::from_utf8(read(&tlog_dir().join("cosignature-example-unofficial.txt"))).expect("UTF-8");
    let field = |name: &str| field(&text, name).to_owned();
    let seed: [u8; 32] = (0..32)
        .map(|i| u8::from_str_radix(&field("witness seed (hex):")[2 * i..2 * i + 2], 16).expect("hex"))
        .collect::<Vec<u8>>()
        .try_into()
        .expect("32 bytes");
    let vkey = &field("witness vkey:");
    let message = field("signed message (104 bytes):").trim_matches('"').replace("\\n", "\n");
    let note = &text[text.find("cosigned checkpoint:\n").expect("note") + "cosigned checkpoint:\n".len()..];
    let note = format!("{}\n", note.trim_end());

    let witness = Cosigner::from_seed("witness.example/w1", &seed).expect("seed");
    assert_eq!(&witness.verifier().to_vkey(), vkey);
    let verifier = CosignatureVerifier::from_vkey(vkey).expect("vkey");
    let (checkpoint, parsed, verified) =
        Checkpoint::open(note.as_bytes(), &[&log_key(), &verifier]).expect("log signature and cosignature verify");
    assert_eq!((verified.signatures.len(), verified.unknown), (2, 0));
    assert_eq!(checkpoint, tessera_checkpoint(15).1);
    let cosignature = Cosignature::from_note_signature(&verified.signatures[1]).expect("cosignature");
    assert_eq!(cosignature.timestamp, 1_700_000_000);
    assert_eq!(message.len(), 104);
    assert_eq!(cosigned_message(parsed.text(), cosignature.timestamp), message);
    // Ed25519 is deterministic: cosigning again gives the same line.
    let mut again = Note::parse(&read(&tessera().0.join("checkpoint"))).expect("checkpoint");
    witness.cosign(&mut again, 1_700_000_000).expect("cosign");
    assert_eq!(again.to_string(), note);
    // Only the witness's key: the log's signature is ignored, the cosignature verifies.
    let (_, only) = Note::open(note.as_bytes(), &[&verifier]).expect("cosignature alone");
    assert_eq!(only.unknown, 1);
    assert_tamper_fails(note.as_bytes(), &[&log_key(), &verifier], 2);
}

/// A log of 70,000 leaves whose tiles are computed from its stored hashes on request, with an
/// optional byte to corrupt and a record of what was read.
struct Synthetic {
    stored: Vec<Hash>,
    roots: Vec<Hash>,
}

fn synthetic() -> &'static Synthetic {
    static LOG: OnceLock<Synthetic> = OnceLock::new();
    LOG.get_or_init(|| {
        let mut frontier = Frontier::new();
        let (mut stored, mut roots) = (Vec::new(), vec![frontier.root()]);
        for i in 0..70_000u32 {
            frontier.append_stored(leaf_hash(&i.to_be_bytes()), &mut stored).expect("room");
            roots.push(frontier.root());
        }
        Synthetic { stored, roots }
    })
}

#[derive(Default)]
struct Served {
    corrupt: Option<(String, usize)>,
    reads: RefCell<Vec<String>>,
}

impl TileReader for Served {
    type Error = String;

    fn read_tile(&self, path: &str) -> Result<Vec<u8>, String> {
        self.reads.borrow_mut().push(path.to_owned());
        let tile = Tile::parse_path(path).map_err(|e| e.to_string())?;
        let mut data = Vec::new();
        for j in 0..u64::from(tile.width()) {
            let index = stored_hash_index(8 * tile.level(), tile.index() * 256 + j);
            data.extend(synthetic().stored.get(index as usize).ok_or("not stored")?.0);
        }
        if let Some((corrupt, at)) = &self.corrupt {
            if corrupt == path {
                data[*at] ^= 1;
            }
        }
        Ok(data)
    }
}

#[test]
fn a_synthetic_log_read_through_tiles() {
    let log = synthetic();
    let served = Served::default();
    for size in [1u64, 2, 255, 256, 257, 511, 512, 513, 600, 65_535, 65_536, 65_537, 70_000] {
        let root = log.roots[size as usize];
        assert_eq!(tiles::tree_hash(size, &served), Ok(root), "size {size}");
        let reader = TileHashReader::new(size, root, &served).expect("size");
        for index in [0, 1, size / 3, size / 2, size - 1].into_iter().filter(|&i| i < size) {
            served.reads.borrow_mut().clear();
            let proof = stored::inclusion_proof(index, size, &reader).expect("proof");
            assert_eq!(proof, stored::inclusion_proof(index, size, &log.stored).expect("proof"));
            // At most one partial tile per level and one full tile per level on the path.
            assert!(served.reads.borrow().len() <= 6, "{:?}", served.reads.borrow());
            let old = index + 1;
            let proof = stored::consistency_proof(old, size, &reader).expect("proof");
            assert_eq!(proof, stored::consistency_proof(old, size, &log.stored).expect("proof"));
        }
    }
    assert_eq!(tiles::tree_hash(0, &served), Ok(ledger::EMPTY_ROOT));
    let reader = TileHashReader::new(600, log.roots[600], &served).expect("size");
    let count = ledger::stored_hash_count(600);
    assert_eq!(reader.read_hashes(&[0, count]), Err(TileError::IndexNotInTree { index: count, size: 600 }));
    assert_eq!(reader.read_hashes(&[]), Ok(vec![]));
    assert_eq!(reader.read_hashes(&[count - 1, 0]).map(|h| h.len()), Ok(2));
}

#[test]
fn corrupted_tiles_are_caught() {
    let log = synthetic();
    let size = 70_000;
    let root = log.roots[size as usize];
    // Leaf 300 sits in full tile 0/001, under full tile 1/000, under partial tile 2/000.p/1.
    let cases = [
        ("tile/0/001", 300 % 256 * 32, "InconsistentTile"),
        ("tile/0/001", 0, "InconsistentTile"),
        ("tile/1/000", 5, "InconsistentTile"),
        ("tile/2/000.p/1", 31, "RootMismatch"),
        ("tile/0/273.p/112", 0, "RootMismatch"),
    ];
    for (path, at, want) in cases {
        let served = Served { corrupt: Some((path.to_owned(), at)), ..Served::default() };
        let reader = TileHashReader::new(size, root, &served).expect("size");
        let error = stored::inclusion_proof(300, size, &reader).expect_err("corruption is caught");
        assert!(format!("{error:?}").contains(want), "{path}: {error:?}");
    }
    // Short or missing tiles.
    struct Short;
    impl TileReader for Short {
        type Error = String;
        fn read_tile(&self, _: &str) -> Result<Vec<u8>, String> {
            Ok(vec![0; 31])
        }
    }
    struct Missing;
    impl TileReader for Missing {
        type Error = String;
        fn read_tile(&self, path: &str) -> Result<Vec<u8>, String> {
            Err(format!("{path}: not found"))
        }
    }
    let reader = TileHashReader::new(size, root, &Short).expect("size");
    let error = stored::inclusion_proof(300, size, &reader).expect_err("short tiles");
    assert!(matches!(error, TreeError::Read(TileError::WrongSize { want: 32, got: 31, .. })), "{error:?}");
    assert_eq!(
        tiles::tree_hash(65_536, &Missing).map_err(|e| e.to_string()),
        Err("reading tile/2/000.p/1: tile/2/000.p/1: not found".into())
    );
    assert!(TileHashReader::new(u64::MAX, root, &Short).is_err());
}
