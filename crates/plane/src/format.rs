//! The data formats the plane reads and writes.

use std::path::Path;

/// How a dataset's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV with a header row naming the fields.
    Csv,
    /// One JSON object per line; its top-level keys are the fields.
    Ndjson,
}

impl Format {
    /// The format a file's extension names (`.csv`; `.ndjson` or `.jsonl`), case-insensitively;
    /// `None` for any other.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(Format::from_path(Path::new("/d/people.csv")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("people.CSV")), Some(Format::Csv));
        assert_eq!(Format::from_path(Path::new("people.ndjson")), Some(Format::Ndjson));
        assert_eq!(Format::from_path(Path::new("people.jsonl")), Some(Format::Ndjson));
        assert_eq!(Format::from_path(Path::new("people.json")), None);
        assert_eq!(Format::from_path(Path::new("people")), None);
    }
}
