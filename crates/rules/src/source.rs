//! Where rulebook files come from (the embedded copy or a directory) and how problems in them
//! are reported: every diagnostic names its file, line and column.

use std::fmt;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// One rulebook file: its path relative to the rulebook root, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        (line, offset - line_start + 1)
    }
}

/// All files of one rulebook, sorted by path so that loading never depends on directory order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    /// The rulebook compiled into this binary.
    pub fn embedded() -> Sources {
        let files =
            EMBEDDED.iter().map(|(path, text)| SourceFile { path: (*path).to_owned(), text: (*text).to_owned() });
        Sources::new(files.collect())
    }

    /// Every `*.toml` file under `dir`, recursively.
    pub fn from_dir(dir: &Path) -> std::io::Result<Sources> {
        let mut files = Vec::new();
        read_dir(dir, dir, &mut files)?;
        if files.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("no .toml files under {}", dir.display()),
            ));
        }
        Ok(Sources::new(files))
    }

    pub fn new(mut files: Vec<SourceFile>) -> Sources {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Sources { files }
    }
}

fn read_dir(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            read_dir(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push(SourceFile { path: rel, text });
        }
    }
    Ok(())
}

/// A problem in a rulebook file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// All the problems found in a rulebook, in file and line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(f, "{} problem(s) in the rulebook", self.0.len())
    }
}

impl std::error::Error for Diagnostics {}
