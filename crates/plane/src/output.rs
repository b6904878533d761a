//! Writing: the identity copy and a writer that counts what it passes on.

use std::io::{ErrorKind, Read, Write};

use crate::error::PlaneError;
use crate::report::Report;
use crate::source::Source;

/// Read and write in chunks this large: few system calls, little memory.
pub(crate) const BUFFER: usize = 256 * 1024;

/// The identity plan: a plain buffered copy, no parsing.
pub(crate) fn copy(source: &dyn Source, out: &mut dyn Write) -> Result<Report, PlaneError> {
    let mut reader = source.open()?;
    let mut buffer = vec![0u8; BUFFER];
    let mut bytes_out = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(error.into()),
        };
        out.write_all(&buffer[..n])?;
        bytes_out += n as u64;
    }
    out.flush()?;
    Ok(Report { bytes_out, ..Report::default() })
}

/// Passes writes on to `inner`, counting the bytes.
pub(crate) struct Counting<'a> {
    inner: &'a mut dyn Write,
    pub bytes: u64,
}

impl<'a> Counting<'a> {
    pub(crate) fn new(inner: &'a mut dyn Write) -> Counting<'a> {
        Counting { inner, bytes: 0 }
    }
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
