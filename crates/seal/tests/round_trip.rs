//! Whatever is sealed opens to the same bytes, however it is written and read.

mod common;

use std::io::{self, Read, Write};

use common::{consumer, open, plaintext, seal, INFO, SEED};
use seal::{ciphertext_len, Opener, SealError, Sealer, CHUNK, HEADER_LEN, TAG_LEN};

#[test]
fn sizes_around_chunk_boundaries_round_trip() {
    for length in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17, 5 * 1024 * 1024 + 3] {
        let data = plaintext(length);
        let sealed = seal(&data);
        assert_eq!(sealed.len() as u64, ciphertext_len(length as u64), "length {length}");
        assert_eq!(open(&sealed).expect("an authentic stream"), data, "length {length}");
    }
}

#[test]
fn an_empty_plaintext_is_a_header_and_one_empty_final_chunk() {
    let sealed = seal(&[]);
    assert_eq!(sealed.len(), HEADER_LEN + TAG_LEN);
    assert!(sealed.starts_with(b"dfft-seal/1\n"));
    assert_eq!(open(&sealed).expect("an authentic stream"), b"");
}

#[test]
fn write_and_read_sizes_do_not_matter() {
    let data = plaintext(2 * CHUNK + 5000);
    let expected = seal(&data);

    // One byte at a time, then odd sizes.
    for step in [1, 7, 4099, CHUNK - 1, CHUNK + 1] {
        let mut sealer = Sealer::new(Vec::new(), &consumer().public_key(), SEED, INFO).expect("a sealer");
        for piece in data.chunks(step) {
            sealer.write_all(piece).expect("writing to memory");
            sealer.flush().expect("flushing memory");
        }
        assert_eq!(sealer.finish().expect("the final chunk"), expected, "writes of {step}");
    }

    for step in [1, 13, 8192, CHUNK + 3] {
        let mut opener =
            Opener::new(expected.as_slice(), &consumer(), INFO).expect("a header sealed for this consumer");
        let mut opened = Vec::new();
        let mut buffer = vec![0; step];
        loop {
            let count = opener.read(&mut buffer).expect("an authentic chunk");
            if count == 0 {
                break;
            }
            opened.extend_from_slice(&buffer[..count]);
        }
        assert_eq!(opened, data, "reads of {step}");
        assert_eq!(opener.read(&mut buffer).expect("an authentic chunk"), 0, "the end stays the end");
    }
}

/// A reader that hands out a few bytes at a time and is sometimes interrupted, like a socket.
struct Trickle<'a> {
    data: &'a [u8],
    calls: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(5) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let count = out.len().min(self.data.len()).min(1 + self.calls % 3000);
        out[..count].copy_from_slice(&self.data[..count]);
        self.data = &self.data[count..];
        Ok(count)
    }
}

#[test]
fn short_and_interrupted_reads_are_retried() {
    let data = plaintext(CHUNK + 100);
    let sealed = seal(&data);
    let mut opened = Vec::new();
    Opener::new(Trickle { data: &sealed, calls: 0 }, &consumer(), INFO)
        .expect("a header sealed for this consumer")
        .read_to_end(&mut opened)
        .expect("an authentic stream");
    assert_eq!(opened, data);
}

/// A writer that fails once it has taken `room` bytes.
struct Full {
    room: usize,
}

impl Write for Full {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.room == 0 {
            return Err(io::Error::other("disk full"));
        }
        let count = data.len().min(self.room);
        self.room -= count;
        Ok(count)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failed_write_poisons_the_sealer() {
    let error = Sealer::new(Full { room: 10 }, &consumer().public_key(), SEED, INFO).err().expect("a refusal");
    assert!(matches!(error, SealError::Io(_)), "{error}");

    let mut sealer = Sealer::new(Full { room: 1000 }, &consumer().public_key(), SEED, INFO).expect("a sealer");
    let error = sealer.write_all(&plaintext(CHUNK)).expect_err("a refusal");
    assert_eq!(error.to_string(), "disk full");
    let error = sealer.write(b"more").expect_err("a refusal");
    assert!(matches!(SealError::from_io(&error), Some(SealError::Poisoned)), "{error}");
    assert!(matches!(sealer.finish(), Err(SealError::Poisoned)));
}

#[test]
fn an_unfinished_sealer_leaves_a_truncated_stream() {
    let mut sealed = Vec::new();
    let mut sealer = Sealer::new(&mut sealed, &consumer().public_key(), SEED, INFO).expect("a sealer");
    sealer.write_all(&plaintext(CHUNK + 10)).expect("writing to memory");
    drop(sealer);
    assert_eq!(common::refusal(open(&sealed)), "Truncated { chunk: 1, length: 0 }");
}
