//! Shared fixtures: a temporary directory, a people dataset with a declared schema, a seeded RNG.

#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};

use compute::rand_chacha::ChaCha20Rng;
use compute::rand_core::SeedableRng;
use compute::{Column, Schema};

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock after 1970").as_nanos();
        let dir = std::env::temp_dir().join(format!("compute-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp files");
        TempDir(dir)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    pub fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.path(file);
        std::fs::write(&path, text).expect("temp files");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// name (text, not groupable), age (0..=120), income (bounded), city (domain with an absent
/// "Nice"), band (integer domain), score (real, no bounds).
pub fn schema() -> Schema {
    Schema {
        columns: vec![
            Column::text("name"),
            Column::integer("age").bounds(0.0, 120.0),
            Column::real("income").bounds(0.0, 200_000.0),
            Column::text("city").domain(["Paris", "Lyon", "Nice"]),
            Column::integer("band").domain(["1", "2", "3"]),
            Column::real("score"),
        ],
    }
}

pub const PEOPLE_CSV: &str = "\
name,age,income,city,band,score,unused
Ann,34,52000,Paris,1,0.5,x
Bob,45,61000.5,Lyon,2,1.5,y
Cid,29,,Paris,1,,z
Dee,61,48000,Lyon,3,2.0,
Eve,,75000,Paris,2,3.25,w
Fay,52,300000,Marseille,3,1.0,v
";

/// Loads [`PEOPLE_CSV`] into `dir/people.db`.
pub fn people(dir: &TempDir) -> PathBuf {
    let csv = dir.write("people.csv", PEOPLE_CSV);
    let db = dir.path("people.db");
    compute::load(&csv, &schema(), &db).expect("the file loads");
    db
}

/// `n` synthetic rows: age i % 100, income (i % 1000) * 100, city cycling over Paris/Lyon.
pub fn synthetic(dir: &TempDir, n: usize) -> PathBuf {
    let mut text = String::from("name,age,income,city,band,score\n");
    for i in 0..n {
        let city = if i % 2 == 0 { "Paris" } else { "Lyon" };
        text.push_str(&format!("p{i},{},{},{city},{},{}\n", i % 100, (i % 1000) * 100, i % 3 + 1, i as f64 / 7.0));
    }
    let csv = dir.write("synthetic.csv", &text);
    let db = dir.path("synthetic.db");
    compute::load(&csv, &schema(), &db).expect("the file loads");
    db
}

pub fn open(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).expect("the database opens")
}
