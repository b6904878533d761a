//! RFC 8785 canonicalization against the reference test data (cyberphone/json-canonicalization,
//! `../shared/specs/jcs-rfc8785`): every input/output pair, the hex forms, and the first million
//! lines of the ES6 number test file, regenerated here and checked against the published SHA-256.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use trust::jcs;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs/jcs-rfc8785/testdata")
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

#[test]
fn every_reference_input_canonicalizes_to_its_output() {
    let mut names: Vec<_> = fs::read_dir(testdata().join("input"))
        .expect("the jcs-rfc8785 test data is beside the repository (../shared/specs)")
        .map(|entry| entry.expect("directory entry").file_name())
        .collect();
    names.sort();
    let names: Vec<_> = names.iter().map(|name| name.to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["arrays.json", "french.json", "structures.json", "unicode.json", "values.json", "weird.json"]);

    for name in &names {
        let input = String::from_utf8(read(&testdata().join("input").join(name))).expect("UTF-8 input");
        let expected = read(&testdata().join("output").join(name));
        let canonical = jcs::canonicalize_str(&input).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(canonical.as_bytes(), expected.as_slice(), "{name}");

        let stem = name.trim_end_matches(".json");
        let hex = String::from_utf8(read(&testdata().join("outhex").join(format!("{stem}.txt")))).expect("hex");
        let bytes: Vec<u8> =
            hex.split_whitespace().map(|byte| u8::from_str_radix(byte, 16).expect("hex byte")).collect();
        assert_eq!(canonical.as_bytes(), bytes.as_slice(), "{name} (outhex)");

        // Canonical output is a fixed point.
        assert_eq!(jcs::canonicalize_str(&canonical).expect("canonical output parses"), canonical, "{name}");
    }
}

/// The README's generator for `es6testfile100m.txt`: a fixed list of edge-case doubles, 2,000
/// consecutive subnormal-boundary values, then doubles read from a SHA-256 chain (little-endian,
/// four per hash, skipping zero, infinities and NaN). Each line is `hex-of-bits,expected`.
struct Es6Numbers {
    fixed: Vec<u64>,
    index: usize,
    block: [u8; 32],
    pending: Vec<f64>,
}

impl Es6Numbers {
    fn new(readme: &str) -> Self {
        let start = readme.find("staticU64s = new BigUint64Array([").expect("static values in the README");
        let list = &readme[start..];
        let list = &list[list.find('[').expect("[") + 1..list.find("])").expect("])")];
        let fixed = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let hex = item.trim_start_matches("0x").trim_end_matches('n');
                u64::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("bad static value {item:?}"))
            })
            .collect();
        Es6Numbers { fixed, index: 0, block: [0; 32], pending: Vec::new() }
    }
}

impl Iterator for Es6Numbers {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        let index = self.index;
        self.index += 1;
        if let Some(&bits) = self.fixed.get(index) {
            return Some(f64::from_bits(bits));
        }
        let serial = index - self.fixed.len();
        if serial < 2000 {
            return Some(f64::from_bits(0x0010_0000_0000_0000 + serial as u64));
        }
        loop {
            if self.pending.is_empty() {
                self.block = Sha256::digest(self.block).into();
                self.pending = self
                    .block
                    .chunks_exact(8)
                    .rev()
                    .map(|chunk| f64::from_le_bytes(chunk.try_into().expect("8 bytes")))
                    .collect();
            }
            let value = self.pending.pop().expect("refilled above");
            if value != 0.0 && value.is_finite() {
                return Some(value);
            }
        }
    }
}

#[test]
fn es6_number_formatting_matches_the_published_million_line_hash() {
    let readme = String::from_utf8(read(&testdata().join("README.md"))).expect("UTF-8 README");
    // The README's table: | SHA-256 | number of lines | size |.
    let (expected_hash, expected_size) = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            (cells.len() >= 4 && cells[2] == "1000000").then(|| (cells[1].to_owned(), cells[3].to_owned()))
        })
        .next()
        .expect("the 1,000,000-line row of the checksum table");

    let numbers = Es6Numbers::new(&readme);
    assert_eq!(numbers.fixed.len(), 168, "static values in the generator");
    let mut hasher = Sha256::new();
    let mut size = 0usize;
    let mut line = String::new();
    for value in numbers.take(1_000_000) {
        let canonical = jcs::canonicalize(&serde_json::Value::from(value)).expect("finite numbers canonicalize");
        line.clear();
        line.push_str(&format!("{:x},{canonical}\n", value.to_bits()));
        hasher.update(line.as_bytes());
        size += line.len();
    }
    let hash: String = hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(size.to_string(), expected_size);
    assert_eq!(hash, expected_hash);
}

#[test]
fn es6_samples_from_the_readme() {
    // The sample lines printed in the README, one by one, for a readable failure.
    let readme = String::from_utf8(read(&testdata().join("README.md"))).expect("UTF-8 README");
    let samples = readme.split("Sample lines:").nth(1).expect("sample section");
    let samples = samples.split("```").nth(1).expect("sample block");
    let mut checked = 0;
    for line in samples.lines().filter(|line| line.contains(',')) {
        let (bits, expected) = line.split_once(',').expect("hex,expected");
        let value = f64::from_bits(u64::from_str_radix(bits.trim(), 16).expect("hex bits"));
        assert_eq!(jcs::canonicalize(&serde_json::Value::from(value)).expect("finite"), expected.trim(), "{line}");
        checked += 1;
    }
    assert_eq!(checked, 7);
}
