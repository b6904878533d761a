//! Altered, cut, reordered or misaddressed streams are refused, naming what is wrong.

mod common;

use std::io::Read;

use common::{consumer, open, open_with, plaintext, refusal, seal, INFO};
use seal::{chunk_offset, Opener, SealError, CHUNK, HEADER_LEN, SEALED_CHUNK};
use trust::KeyPair;

fn header_refusal(sealed: &[u8], recipient: &KeyPair, info: &[u8]) -> String {
    format!("{:?}", Opener::new(sealed, recipient, info).err().expect("the header must be refused"))
}

#[test]
fn another_recipient_or_transfer_is_refused_at_the_header() {
    let sealed = seal(b"for the consumer only");
    assert_eq!(header_refusal(&sealed, &KeyPair::from_seed(&[8; 32]), INFO), "WrongRecipient");
    assert_eq!(header_refusal(&sealed, &consumer(), b"transfer-2"), "WrongRecipient");
    let message = Opener::new(sealed.as_slice(), &consumer(), b"").err().expect("a refusal").to_string();
    assert!(message.contains("another recipient key or another transfer"), "{message}");
}

#[test]
fn a_broken_header_is_named() {
    let sealed = seal(b"data");
    assert_eq!(header_refusal(b"", &consumer(), INFO), "TruncatedHeader { length: 0 }");
    assert_eq!(header_refusal(&sealed[..30], &consumer(), INFO), "TruncatedHeader { length: 30 }");
    assert_eq!(header_refusal(b"PK\x03\x04 a zip file", &consumer(), INFO), "NotSealed");
    assert_eq!(header_refusal(&[b'x'; 100], &consumer(), INFO), "NotSealed");

    let mut chunk_size = sealed.clone();
    chunk_size[46] ^= 1;
    assert_eq!(header_refusal(&chunk_size, &consumer(), INFO), "ChunkSize(65792)");

    // An all-zero encapsulated key is a low-order point: HPKE refuses the zero shared secret.
    let mut low_order = sealed.clone();
    low_order[12..44].fill(0);
    assert!(header_refusal(&low_order, &consumer(), INFO).starts_with("Hpke("));

    let mut other_key = sealed.clone();
    other_key[20] ^= 0x10;
    assert_eq!(header_refusal(&other_key, &consumer(), INFO), "WrongRecipient");
}

/// Every flip of every byte of a one-chunk stream is refused.
#[test]
fn flipping_any_byte_is_refused() {
    let sealed = seal(&plaintext(1000));
    for at in 0..sealed.len() {
        for bit in [0x01, 0x80] {
            let mut altered = sealed.clone();
            altered[at] ^= bit;
            assert!(open(&altered).is_err(), "byte {at} bit {bit:#x}");
        }
    }
}

#[test]
fn flipping_bytes_of_a_long_stream_is_refused_at_their_chunk() {
    let sealed = seal(&plaintext(2 * CHUNK + 100));
    let mut positions: Vec<usize> = (HEADER_LEN..sealed.len()).step_by(4099).collect();
    for chunk in 0..3 {
        let start = chunk_offset(chunk) as usize;
        let end = (start + SEALED_CHUNK).min(sealed.len());
        positions.extend((start..start + 20).chain(end - 20..end));
    }
    for at in positions {
        let mut altered = sealed.clone();
        altered[at] ^= 0x55;
        let chunk = (at - HEADER_LEN) / SEALED_CHUNK;
        assert_eq!(refusal(open(&altered)), format!("Unauthentic {{ chunk: {chunk} }}"), "byte {at}");
    }
}

#[test]
fn truncation_is_refused() {
    // Chunks 0 and 1 are full, chunk 2 (100 bytes) is final.
    let sealed = seal(&plaintext(2 * CHUNK + 100));
    let last = chunk_offset(2) as usize;
    assert_eq!(refusal(open(&sealed[..last])), "Truncated { chunk: 2, length: 0 }");
    assert_eq!(refusal(open(&sealed[..last + 10])), "Truncated { chunk: 2, length: 10 }");
    assert_eq!(refusal(open(&sealed[..last + 50])), "Unauthentic { chunk: 2 }");
    assert_eq!(refusal(open(&sealed[..sealed.len() - 1])), "Unauthentic { chunk: 2 }");
    assert_eq!(refusal(open(&sealed[..last - 1])), "Unauthentic { chunk: 1 }");
    assert_eq!(refusal(open(&sealed[..HEADER_LEN])), "Truncated { chunk: 0, length: 0 }");

    // A plaintext of whole chunks still ends with an (empty) final chunk, so dropping it shows.
    let whole_chunks = seal(&plaintext(CHUNK));
    assert_eq!(refusal(open(&whole_chunks[..chunk_offset(1) as usize])), "Truncated { chunk: 1, length: 0 }");
}

#[test]
fn only_authenticated_chunks_are_released() {
    let data = plaintext(2 * CHUNK + 100);
    let sealed = seal(&data);
    let mut opener = Opener::new(&sealed[..chunk_offset(1) as usize + 1000], &consumer(), INFO)
        .expect("a header sealed for this consumer");
    let mut released = Vec::new();
    let error = opener.read_to_end(&mut released).expect_err("a refusal");
    assert_eq!(released, data[..CHUNK], "chunk 0 and nothing of the cut chunk 1");
    assert!(error.to_string().contains("chunk 1"), "{error}");
    let again = opener.read(&mut [0; 10]).expect_err("a refusal");
    assert!(again.to_string().contains("earlier read"), "{again}");
}

fn chunks(sealed: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let header = sealed[..HEADER_LEN].to_vec();
    (header, sealed[HEADER_LEN..].chunks(SEALED_CHUNK).map(<[u8]>::to_vec).collect())
}

#[test]
fn reordered_duplicated_or_missing_chunks_are_refused() {
    let sealed = seal(&plaintext(3 * CHUNK + 100));
    let (header, parts) = chunks(&sealed);
    let cases: [(&[usize], &str); 5] = [
        (&[1, 0, 2, 3], "Unauthentic { chunk: 0 }"),
        (&[0, 2, 1, 3], "Unauthentic { chunk: 1 }"),
        (&[0, 0, 2, 3], "Unauthentic { chunk: 1 }"),
        (&[0, 1, 3], "Unauthentic { chunk: 2 }"),
        (&[0, 1, 2, 3, 3], "Unauthentic { chunk: 3 }"),
    ];
    for (order, expected) in cases {
        let mut stream = header.clone();
        for &index in order {
            stream.extend_from_slice(&parts[index]);
        }
        assert_eq!(refusal(open(&stream)), expected, "order {order:?}");
    }
}

#[test]
fn bytes_after_the_final_chunk_are_refused() {
    let mut sealed = seal(&plaintext(CHUNK + 100));
    sealed.push(0);
    assert_eq!(refusal(open(&sealed)), "Unauthentic { chunk: 1 }");
}

#[test]
fn chunks_from_another_stream_are_refused() {
    let data = plaintext(2 * CHUNK + 100);
    let ours = seal(&data);
    let theirs = common::seal_with(&data, &consumer(), [43; 32], INFO);
    let mut spliced = ours.clone();
    let at = chunk_offset(1) as usize;
    spliced[at..at + SEALED_CHUNK].copy_from_slice(&theirs[at..at + SEALED_CHUNK]);
    assert_eq!(refusal(open(&spliced)), "Unauthentic { chunk: 1 }");
    // And a whole stream for someone else does not open with the right header either.
    assert!(open_with(&theirs, &KeyPair::from_seed(&[8; 32]), INFO).is_err());
}

#[test]
fn refusals_read_as_sentences() {
    let sealed = seal(&plaintext(CHUNK + 100));
    let error = open(&sealed[..chunk_offset(1) as usize]).expect_err("a refusal");
    assert_eq!(error.to_string(), "the sealed stream is truncated: it ends where chunk 1 must follow");
    let mut altered = sealed.clone();
    altered[HEADER_LEN] ^= 1;
    let error = open(&altered).expect_err("a refusal");
    assert_eq!(
        error.to_string(),
        "sealed chunk 0 does not authenticate: the stream was altered, reordered or cut short"
    );
    assert!(matches!(SealError::from_io(&error), Some(SealError::Unauthentic { chunk: 0 })));
}
