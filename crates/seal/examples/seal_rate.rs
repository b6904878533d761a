//! How fast sealing and opening stream: seals and opens a generated plaintext (1 GiB unless a
//! size in MiB is given) to `io::sink`, and prints MB/s next to raw ChaCha20-Poly1305 on the same
//! chunks, the floor this format cannot beat.
//!
//! `cargo run -p seal --release --example seal_rate [MiB]`

use std::error::Error;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use chacha20poly1305::{AeadInOut, ChaCha20Poly1305, KeyInit};
use seal::{ciphertext_len, Opener, Sealer, CHUNK};
use trust::KeyPair;

/// Cheap, non-constant plaintext: a counter written a word at a time.
struct Generator {
    left: u64,
    counter: u64,
}

impl Read for Generator {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let count = out.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for word in out[..count].chunks_mut(8) {
            self.counter = self.counter.wrapping_add(0x9e37_79b9_7f4a_7c15);
            word.copy_from_slice(&self.counter.to_le_bytes()[..word.len()]);
        }
        self.left -= count as u64;
        Ok(count)
    }
}

/// Copies with chunk-sized buffers, as a server streaming a file would.
fn pump(mut from: impl Read, to: &mut impl Write) -> io::Result<u64> {
    let mut buffer = vec![0u8; CHUNK];
    let mut total = 0;
    loop {
        let count = from.read(&mut buffer)?;
        if count == 0 {
            return Ok(total);
        }
        to.write_all(&buffer[..count])?;
        total += count as u64;
    }
}

fn report(what: &str, bytes: u64, elapsed: Duration) {
    let rate = bytes as f64 / 1e6 / elapsed.as_secs_f64();
    println!("{what:<48} {:>8.1} MB/s  ({} MiB in {:.2} s)", rate, bytes >> 20, elapsed.as_secs_f64());
}

fn main() -> Result<(), Box<dyn Error>> {
    let mib: u64 = std::env::args().nth(1).map(|text| text.parse()).transpose()?.unwrap_or(1024);
    let bytes = mib << 20;
    let consumer = KeyPair::from_seed(&[7; 32]);
    let (seed, info) = ([42; 32], b"seal-rate".as_slice());

    let start = Instant::now();
    pump(Generator { left: bytes, counter: 0 }, &mut io::sink())?;
    report("generator alone", bytes, start.elapsed());

    let start = Instant::now();
    let mut sealer = Sealer::new(io::sink(), &consumer.public_key(), seed, info)?;
    pump(Generator { left: bytes, counter: 0 }, &mut sealer)?;
    sealer.finish()?;
    report("seal (generator → Sealer → sink)", bytes, start.elapsed());

    // Opening needs the sealed bytes: make them first, untimed.
    let mut sealer =
        Sealer::new(Vec::with_capacity(ciphertext_len(bytes) as usize), &consumer.public_key(), seed, info)?;
    pump(Generator { left: bytes, counter: 0 }, &mut sealer)?;
    let sealed = sealer.finish()?;
    let start = Instant::now();
    let opened = pump(Opener::new(sealed.as_slice(), &consumer, info)?, &mut io::sink())?;
    report("open (memory → Opener → sink)", bytes, start.elapsed());
    assert_eq!(opened, bytes);
    drop(sealed);

    let cipher = ChaCha20Poly1305::new(&[1; 32].into());
    let mut chunk = vec![0u8; CHUNK];
    let start = Instant::now();
    for index in 0..bytes / CHUNK as u64 {
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&index.to_be_bytes());
        cipher
            .encrypt_inout_detached(&nonce.into(), &index.to_be_bytes(), chunk.as_mut_slice().into())
            .map_err(|_| "ChaCha20-Poly1305 refused a chunk")?;
    }
    report("raw ChaCha20-Poly1305 (64 KiB chunks, in place)", bytes, start.elapsed());
    Ok(())
}
