use super::*;

#[test]
fn paths_follow_the_spec() {
    let cases = [
        (Tile { level: 0, index: 0, width: 256 }, "tile/0/000"),
        (Tile { level: 0, index: 0, width: 3 }, "tile/0/000.p/3"),
        (Tile { level: 1, index: 1234067, width: 256 }, "tile/1/x001/x234/067"),
        (Tile { level: 2, index: 1000, width: 255 }, "tile/2/x001/000.p/255"),
        (Tile { level: 63, index: u64::MAX, width: 1 }, "tile/63/x018/x446/x744/x073/x709/x551/615.p/1"),
    ];
    for (tile, path) in cases {
        assert_eq!(tile.path(), path);
        assert_eq!(Tile::parse_path(path), Ok(tile), "{path}");
    }
    let bundle = EntryBundle::new(1234067, 17).expect("bundle");
    assert_eq!(bundle.path(), "tile/entries/x001/x234/067.p/17");
    assert_eq!(EntryBundle::parse_path(&bundle.path()), Ok(bundle));
    assert_eq!(bundle.tile().path(), "tile/0/x001/x234/067.p/17");
    let bad = [
        "",
        "tile/",
        "tile/0",
        "tile/0/",
        "tile/00/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/entries/000",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/x000/001",
        "tile/0/001/002",
        "tile/0/x1/002",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/03",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000/",
        "tile/0/+12",
        "tile/0/x999/x999/x999/x999/x999/x999/999",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "/tile/0/000",
        "tile/0/000.p/3/",
        "tile/0/x001.p/3/000",
    ];
    for path in bad {
        assert!(matches!(Tile::parse_path(path), Err(TileError::BadPath(_))), "{path:?} was accepted");
    }
    assert!(EntryBundle::parse_path("tile/0/000").is_err());
    assert!(EntryBundle::parse_path("tile/entries/000.p/256").is_err());
    assert!(Tile::new(64, 0, 1).is_err());
    assert!(Tile::new(0, 0, 0).is_err());
    assert!(Tile::new(0, 0, 257).is_err());
}

#[test]
fn the_spec_example_of_a_tree_of_70000() {
    // 273 full level-0 tiles, a partial one of width 112, one full level-1 tile, a partial one
    // of width 17, and a partial level-2 tile of width 1.
    let size = 70_000;
    assert_eq!(Tile::in_tree(0, 272, size).map(|t| t.width()), Some(256));
    assert_eq!(Tile::in_tree(0, 273, size).map(|t| t.width()), Some(112));
    assert_eq!(Tile::in_tree(0, 274, size), None);
    assert_eq!(Tile::in_tree(1, 0, size).map(|t| t.width()), Some(256));
    assert_eq!(Tile::in_tree(1, 1, size).map(|t| t.width()), Some(17));
    assert_eq!(Tile::in_tree(2, 0, size).map(|t| t.width()), Some(1));
    assert_eq!(Tile::in_tree(3, 0, size), None);
    // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
    assert_eq!(Tile::in_tree(0, 0, 256).map(|t| t.path()), Some("tile/0/000".into()));
    assert_eq!(Tile::in_tree(1, 0, 256).map(|t| t.path()), Some("tile/1/000.p/1".into()));
    assert_eq!(Tile::in_tree(u8::MAX, 0, u64::MAX), None);
    assert_eq!(Tile::in_tree(0, u64::MAX, u64::MAX), None);
    assert_eq!(EntryBundle::for_entry(69_999, size).map(|b| b.path()), Some("tile/entries/273.p/112".into()));
    assert_eq!(EntryBundle::for_entry(70_000, size), None);
}

#[test]
fn stored_hashes_map_to_tiles() {
    // Leaf 0 is hash 0 of level-0 tile 0; the root of leaves 0..256 (level 8) is hash 0 of
    // level-1 tile 0; the level-7 node over leaves 128..256 is hashes 128..256 of tile 0/0.
    assert_eq!(locate(stored_hash_index(0, 0)), (Tile { level: 0, index: 0, width: 1 }, 0, 1));
    assert_eq!(locate(stored_hash_index(0, 300)), (Tile { level: 0, index: 1, width: 45 }, 44, 45));
    assert_eq!(locate(stored_hash_index(8, 0)), (Tile { level: 1, index: 0, width: 1 }, 0, 1));
    assert_eq!(locate(stored_hash_index(7, 1)), (Tile { level: 0, index: 0, width: 256 }, 128, 256));
    assert_eq!(locate(stored_hash_index(9, 5)), (Tile { level: 1, index: 0, width: 12 }, 10, 12));
    assert_eq!(Tile::for_stored_hash(stored_hash_index(16, 256)), Tile { level: 2, index: 1, width: 1 });
    // Every index maps somewhere without panicking, up to the last.
    for index in [u64::MAX, u64::MAX - 1, u64::MAX - 64, 1 << 63] {
        let (tile, start, end) = locate(index);
        assert!(start < end && end <= 256 && usize::from(tile.width) == end, "{index}");
    }
    let tile = Tile { level: 0, index: 0, width: 2 };
    let data = [[1u8; 32], [2; 32]].concat();
    assert_eq!(tile.hash(&data, 2), Ok(node_hash(&Hash([1; 32]), &Hash([2; 32]))));
    assert_eq!(tile.hash(&data, 1), Ok(Hash([2; 32])));
    assert_eq!(tile.hash(&data, 3), Err(TileError::NotInTile { stored_index: 3, path: "tile/0/000.p/2".into() }));
    assert_eq!(
        tile.hash(&data[1..], 0),
        Err(TileError::WrongSize { path: "tile/0/000.p/2".into(), want: 64, got: 63 })
    );
}

#[test]
fn bundles_round_trip_and_refuse_garbage() {
    let entries: [&[u8]; 3] = [b"one", b"", &[7; 300]];
    let data = encode_bundle(&entries).expect("encodes");
    assert_eq!(&data[..5], b"\x00\x03one");
    assert_eq!(decode_bundle(&data), Ok(entries.to_vec()));
    assert_eq!(EntryBundle::new(0, 3).map(|b| b.decode(&data)), Ok(Ok(entries.to_vec())));
    assert_eq!(EntryBundle::new(0, 4).map(|b| b.decode(&data)), Ok(Err(BundleError::WrongCount { want: 4, got: 3 })));
    assert_eq!(decode_bundle(&data[..data.len() - 1]), Err(BundleError::Truncated { offset: 7 }));
    assert_eq!(decode_bundle(b"\x00"), Err(BundleError::Truncated { offset: 0 }));
    assert_eq!(decode_bundle(b""), Ok(vec![]));
    assert_eq!(decode_bundle(&[0; 514]), Err(BundleError::TooManyEntries));
    assert_eq!(decode_bundle(&[0; 512]).map(|e| e.len()), Ok(256));
    let big = vec![0u8; MAX_ENTRY_SIZE + 1];
    assert_eq!(encode_bundle(&[b"a", &big]), Err(BundleError::EntryTooLarge { index: 1, len: MAX_ENTRY_SIZE + 1 }));
    assert_eq!(encode_bundle(&[b"" as &[u8]; 257]), Err(BundleError::TooManyEntries));
}
