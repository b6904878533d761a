//! Where the data comes from. k-anonymity reads the data twice (count the groups, then write),
//! so a source opens a fresh reader each time.

use std::io::{Cursor, Read};
use std::path::PathBuf;

/// Data that can be read from the start, as often as needed.
pub trait Source {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>>;
}

/// A file; errors name it.
impl Source for PathBuf {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        let file = std::fs::File::open(self)
            .map_err(|error| std::io::Error::new(error.kind(), format!("{}: {error}", self.display())))?;
        Ok(Box::new(file))
    }
}

/// Bytes in memory (each open reads a copy).
impl Source for Vec<u8> {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(Cursor::new(self.clone())))
    }
}
