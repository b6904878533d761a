//! The official Merkle proof vectors (`tests/data/merkle-proofs/`, see its `SOURCE.md`): every
//! inclusion and consistency case must verify or fail as its `wantErr` says, for the right reason
//! where the case's name states one; every valid proof must also be what this crate generates
//! for the RFC 6962 reference tree the vectors are built on; and every valid proof, tampered with,
//! must fail.
//!
//! Some cases carry values that are not 32 bytes long (empty strings, a 9-byte "wrong" leaf,
//! 12-byte `"don't care"` placeholders). The vectors treat them as their reference verifier does:
//! a leaf hash or a proof hash must be a hash, so such a value is an error by itself; a root is
//! only ever compared, so a placeholder root is just a root that matches nothing but itself (one
//! valid case, `consistency/additional/sizes-are-equal-one-and-proof-is-empty`, has two equal
//! placeholders as roots). The typed API cannot receive any of them (`Hash::try_from` rejects
//! them, which the test checks), so: a case with such a leaf or proof hash counts as rejected at
//! that boundary and must be an error case; such a root is replaced by a 32-byte stand-in (equal
//! values by equal stand-ins, none equal to a real hash) and the case runs through the verifier.

use std::path::{Path, PathBuf};

use ledger::{leaf_hash, stored, tree, verify_consistency, verify_inclusion, Frontier, Hash, VerifyError, EMPTY_ROOT};
use serde_json::Value;

/// The RFC 6962 reference tree's leaves, as in the vectors' happy paths.
const RFC6962_LEAVES: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

fn rfc6962_leaves() -> Vec<Hash> {
    RFC6962_LEAVES.iter().map(|hex| leaf_hash(&unhex(hex))).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

/// Standard base64 with padding, as the vectors write hashes.
fn base64(s: &str) -> Vec<u8> {
    let digit = |c: u8| -> u32 {
        u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {s:?}"),
        })
    };
    let digits: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let acc = chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| acc | digit(c) << (18 - 6 * i));
        for i in 0..chunk.len() * 3 / 4 {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    out
}

/// A vector's root as a hash: itself when 32 bytes long, else a stand-in (see the module doc).
fn typed_root(bytes: &[u8]) -> Hash {
    match Hash::try_from(bytes) {
        Ok(hash) => hash,
        Err(_) => leaf_hash(&[b"not a 32-byte hash: ".as_slice(), bytes].concat()),
    }
}

struct Case {
    name: String,
    json: Value,
}

impl Case {
    fn u64(&self, key: &str) -> u64 {
        self.json[key].as_u64().unwrap_or_else(|| panic!("{}: {key} is not a u64", self.name))
    }

    fn bytes(&self, key: &str) -> Vec<u8> {
        base64(self.json[key].as_str().unwrap_or_else(|| panic!("{}: {key} is not a string", self.name)))
    }

    /// `null` and `[]` both mean the empty proof.
    fn proof(&self) -> Vec<Vec<u8>> {
        match &self.json["proof"] {
            Value::Null => Vec::new(),
            Value::Array(items) => items.iter().map(|v| base64(v.as_str().expect("base64 string"))).collect(),
            other => panic!("{}: proof is {other}", self.name),
        }
    }

    fn want_err(&self) -> bool {
        self.json["wantErr"].as_bool().unwrap_or_else(|| panic!("{}: wantErr", self.name))
    }

    /// The file name without `.json`, e.g. `modified-proof[0]-bit-@3`.
    fn kind(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or_default().trim_end_matches(".json")
    }

    /// Cases in the numbered folders mutate one happy path each; the others are hand-written.
    fn is_mutation(&self) -> bool {
        self.name.split('/').nth(1).is_some_and(|dir| dir.parse::<u8>().is_ok())
    }
}

fn load(kind: &str) -> Vec<Case> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/merkle-proofs");
    let mut paths = Vec::new();
    walk(&root.join(kind), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.strip_prefix(&root).expect("under the root").display().to_string();
            let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            Case { name, json }
        })
        .collect()
}

/// The values as hashes, or `None` when one of them is not 32 bytes long (which the typed API,
/// checked here, rejects).
fn typed<'a>(values: impl IntoIterator<Item = &'a Vec<u8>>) -> Option<Vec<Hash>> {
    let mut hashes = Vec::new();
    for value in values {
        match Hash::try_from(value.as_slice()) {
            Ok(hash) => hashes.push(hash),
            Err(_) => {
                assert_ne!(value.len(), 32);
                return None;
            }
        }
    }
    Some(hashes)
}

fn flip(hash: &Hash, byte: usize) -> Hash {
    let mut bytes = hash.0;
    bytes[byte] ^= 0x01;
    Hash(bytes)
}

fn is_root_mismatch(e: &VerifyError) -> bool {
    matches!(
        e,
        VerifyError::RootMismatch { .. } | VerifyError::OldRootMismatch { .. } | VerifyError::NewRootMismatch { .. }
    )
}

/// The store of the reference tree, as a log would keep it.
fn stored_hashes(leaves: &[Hash]) -> Vec<Hash> {
    let mut frontier = Frontier::new();
    let mut hashes = Vec::new();
    for leaf in leaves {
        frontier.append_stored(*leaf, &mut hashes).expect("room");
    }
    hashes
}

#[test]
fn the_decoder_and_the_reference_tree() {
    assert_eq!(base64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), EMPTY_ROOT.0);
    assert_eq!(base64("ZG9uJ3QgY2FyZSAx"), b"don't care 1");
    assert_eq!(base64("YQ=="), b"a");
    assert_eq!(base64("YWI="), b"ab");
    // The reference tree's roots, as published with it (RFC 6962 test data, sizes 1 to 8).
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let leaves = rfc6962_leaves();
    for (size, want) in (1..=8).zip(roots) {
        assert_eq!(tree::root(&leaves[..size]).to_string(), want, "root of {size} leaves");
    }
}

#[test]
fn inclusion_vectors() {
    let cases = load("inclusion");
    assert_eq!(cases.len(), 98, "inclusion vectors");
    let reference = rfc6962_leaves();
    let reference_store = stored_hashes(&reference);
    let (mut valid, mut generated, mut tampered, mut untyped) = (0, 0, 0, 0);
    for case in &cases {
        let name = &case.name;
        let (index, size) = (case.u64("leafIdx"), case.u64("treeSize"));
        let (leaf, root, proof) = (case.bytes("leafHash"), case.bytes("root"), case.proof());
        let Some(mut leaf_and_proof) = typed(std::iter::once(&leaf).chain(&proof)) else {
            assert!(case.want_err(), "{name}: a leaf or proof value that is not a hash, in a valid case");
            untyped += 1;
            continue;
        };
        let proof = leaf_and_proof.split_off(1);
        let (leaf, root) = (leaf_and_proof[0], typed_root(&root));
        let result = verify_inclusion(index, size, &leaf, &proof, &root);
        assert_eq!(result.is_err(), case.want_err(), "{name}: {result:?}");

        if case.is_mutation() {
            let kind = case.kind();
            let err = result.as_ref().err();
            if ["inserted-component", "removed-component", "preceding-", "trailing-"]
                .iter()
                .any(|p| kind.starts_with(p))
            {
                assert!(matches!(err, Some(VerifyError::WrongProofLength { .. })), "{name}: {result:?}");
            }
            if ["modified-proof", "wrong-leaf", "random-root", "empty-root"].iter().any(|p| kind.starts_with(p)) {
                assert!(matches!(err, Some(VerifyError::RootMismatch { .. })), "{name}: {result:?}");
            }
            if kind.starts_with("leafIdx-") && index >= size {
                assert!(matches!(err, Some(VerifyError::IndexOutOfRange { .. })), "{name}: {result:?}");
            }
        }
        if case.want_err() {
            continue;
        }
        valid += 1;

        // Generation: the vectors' tree is the reference tree, except for one single-leaf case.
        let (leaves, store) = if size == 1 {
            (vec![leaf], vec![leaf])
        } else {
            (reference[..size as usize].to_vec(), reference_store.clone())
        };
        assert_eq!(leaves[index as usize], leaf, "{name}: not the reference tree's leaf");
        assert_eq!(tree::root(&leaves), root, "{name}");
        assert_eq!(stored::tree_hash(size, &store), Ok(root), "{name}");
        assert_eq!(tree::inclusion_proof(&leaves, index).as_ref(), Ok(&proof), "{name}");
        assert_eq!(stored::inclusion_proof(index, size, &store).as_ref(), Ok(&proof), "{name}");
        generated += 1;

        // Tampering: every byte of every hash, the proof's shape, the index and the size.
        for i in 0..proof.len() {
            for byte in 0..32 {
                let mut bad = proof.clone();
                bad[i] = flip(&bad[i], byte);
                let e = verify_inclusion(index, size, &leaf, &bad, &root).expect_err(name);
                assert!(matches!(e, VerifyError::RootMismatch { .. }), "{name}: {e}");
                tampered += 1;
            }
            let mut bad = proof.clone();
            bad.remove(i);
            let e = verify_inclusion(index, size, &leaf, &bad, &root).expect_err(name);
            assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{name}: {e}");
            tampered += 1;
        }
        for at in 0..=proof.len() {
            let mut bad = proof.clone();
            bad.insert(at, root);
            let e = verify_inclusion(index, size, &leaf, &bad, &root).expect_err(name);
            assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{name}: {e}");
            tampered += 1;
        }
        for byte in 0..32 {
            assert!(verify_inclusion(index, size, &flip(&leaf, byte), &proof, &root).is_err(), "{name}");
            assert!(verify_inclusion(index, size, &leaf, &proof, &flip(&root, byte)).is_err(), "{name}");
            tampered += 2;
        }
        for other in (0..size).filter(|&i| i != index) {
            assert!(verify_inclusion(other, size, &leaf, &proof, &root).is_err(), "{name}: index {other}");
            tampered += 1;
        }
        // Another size with that size's own root (a root binds its size; see `verify`'s docs).
        for other in (1..=8u64).filter(|&s| s != size && s > index) {
            let other_root = tree::root(&reference[..other as usize]);
            assert!(verify_inclusion(index, other, &leaf, &proof, &other_root).is_err(), "{name}: size {other}");
            tampered += 1;
        }
    }
    assert_eq!(valid, 6, "valid inclusion vectors");
    assert_eq!(untyped, 21, "inclusion vectors with a leaf or proof value that is not a hash");
    assert_eq!(generated, valid);
    assert_eq!(tampered, 784, "tampered inclusion proofs");
}

#[test]
fn consistency_vectors() {
    let cases = load("consistency");
    assert_eq!(cases.len(), 98, "consistency vectors");
    let reference = rfc6962_leaves();
    let reference_store = stored_hashes(&reference);
    let reference_root = |size: u64| tree::root(&reference[..size as usize]);
    let (mut valid, mut generated, mut tampered, mut untyped) = (0, 0, 0, 0);
    for case in &cases {
        let name = &case.name;
        let (old_size, new_size) = (case.u64("size1"), case.u64("size2"));
        let (old_root, new_root, proof) = (case.bytes("root1"), case.bytes("root2"), case.proof());
        let Some(proof) = typed(&proof) else {
            assert!(case.want_err(), "{name}: a proof value that is not a hash, in a valid case");
            untyped += 1;
            continue;
        };
        let placeholder_roots = old_root.len() != 32 || new_root.len() != 32;
        let (old_root, new_root) = (typed_root(&old_root), typed_root(&new_root));
        let result = verify_consistency(old_size, new_size, &proof, &old_root, &new_root);
        assert_eq!(result.is_err(), case.want_err(), "{name}: {result:?}");

        let err = result.as_ref().err();
        if case.is_mutation() {
            let kind = case.kind();
            if ["truncated-proof", "empty-proof", "preceding-", "trailing-"].iter().any(|p| kind.starts_with(p)) {
                assert!(matches!(err, Some(VerifyError::WrongProofLength { .. })), "{name}: {result:?}");
            }
            if ["modified-proof", "swapped-roots", "wrong-root"].iter().any(|p| kind.starts_with(p)) {
                assert!(err.is_some_and(is_root_mismatch), "{name}: {result:?}");
            }
        }
        if old_size == 0 {
            assert_eq!(err, Some(&VerifyError::EmptyOldTree { new_size }), "{name}");
        } else if old_size > new_size {
            assert!(matches!(err, Some(VerifyError::OldSizeExceedsNewSize { .. })), "{name}: {result:?}");
        }
        if case.want_err() {
            continue;
        }
        valid += 1;

        // Generation, on the reference tree.
        assert!(new_size <= 8, "{name}: beyond the reference tree");
        let leaves = &reference[..new_size as usize];
        assert_eq!(tree::consistency_proof(leaves, old_size).as_ref(), Ok(&proof), "{name}");
        assert_eq!(stored::consistency_proof(old_size, new_size, &reference_store).as_ref(), Ok(&proof), "{name}");
        generated += 1;
        if placeholder_roots {
            // The placeholder roots (see the module doc): only a different root can be tried.
            assert!(matches!(
                verify_consistency(old_size, new_size, &proof, &flip(&old_root, 0), &new_root),
                Err(VerifyError::SameSizeDifferentRoots { .. })
            ));
            continue;
        }
        assert_eq!(reference_root(old_size), old_root, "{name}");
        assert_eq!(reference_root(new_size), new_root, "{name}");

        // Tampering: every byte of every hash, the proof's shape, the sizes.
        for i in 0..proof.len() {
            for byte in 0..32 {
                let mut bad = proof.clone();
                bad[i] = flip(&bad[i], byte);
                let e = verify_consistency(old_size, new_size, &bad, &old_root, &new_root).expect_err(name);
                assert!(is_root_mismatch(&e), "{name}: {e}");
                tampered += 1;
            }
            let mut bad = proof.clone();
            bad.remove(i);
            let e = verify_consistency(old_size, new_size, &bad, &old_root, &new_root).expect_err(name);
            assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{name}: {e}");
            tampered += 1;
        }
        for at in 0..=proof.len() {
            let mut bad = proof.clone();
            bad.insert(at, old_root);
            let e = verify_consistency(old_size, new_size, &bad, &old_root, &new_root).expect_err(name);
            assert!(matches!(e, VerifyError::WrongProofLength { .. }), "{name}: {e}");
            tampered += 1;
        }
        for byte in 0..32 {
            assert!(verify_consistency(old_size, new_size, &proof, &flip(&old_root, byte), &new_root).is_err());
            assert!(verify_consistency(old_size, new_size, &proof, &old_root, &flip(&new_root, byte)).is_err());
            tampered += 2;
        }
        if old_root != new_root {
            assert!(verify_consistency(old_size, new_size, &proof, &new_root, &old_root).is_err(), "{name}: swapped");
            tampered += 1;
        }
        // Other sizes, each with its own root (a root binds its size; see `verify`'s docs).
        for other_old in 1..=8u64 {
            for other_new in other_old..=8 {
                // The same sizes, or equal sizes with an empty proof: a true statement, not tampering.
                if (other_old, other_new) == (old_size, new_size) || (other_old == other_new && proof.is_empty()) {
                    continue;
                }
                let result = verify_consistency(
                    other_old,
                    other_new,
                    &proof,
                    &reference_root(other_old),
                    &reference_root(other_new),
                );
                assert!(result.is_err(), "{name}: sizes {other_old} to {other_new}");
                tampered += 1;
            }
        }
    }
    assert_eq!(valid, 6, "valid consistency vectors");
    assert_eq!(untyped, 8, "consistency vectors with a proof value that is not a hash");
    assert_eq!(generated, valid);
    assert_eq!(tampered, 871, "tampered consistency proofs");
}
