//! A transfer's ciphertext depends only on the seed, recipient, info and plaintext, so a
//! provider serves any byte range of it again, identically.

mod common;

use std::io::Write;

use common::{consumer, open, plaintext, seal, seal_with, INFO, SEED};
use seal::{chunk_offset, ciphertext_len, ResumeAt, Sealer, CHUNK, HEADER_LEN, SEALED_CHUNK};
use trust::KeyPair;

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let data = plaintext(CHUNK + 1);
    assert_eq!(seal(&data), seal(&data));
}

#[test]
fn another_seed_recipient_or_info_gives_other_bytes() {
    let data = plaintext(CHUNK + 1);
    let reference = seal(&data);
    let others = [
        seal_with(&data, &consumer(), [43; 32], INFO),
        seal_with(&data, &KeyPair::from_seed(&[8; 32]), common::SEED, INFO),
        seal_with(&data, &consumer(), common::SEED, b"transfer-2"),
    ];
    for other in others {
        assert_eq!(other.len(), reference.len());
        // Everything after the magic differs (bar coincidences of single bytes).
        let same = other.iter().zip(&reference).skip(12).filter(|(a, b)| a == b).count();
        assert!(same < reference.len() / 100, "{same} bytes in common");
    }
}

fn resumed(data: &[u8], offset: u64) -> Vec<u8> {
    let at = ResumeAt::ciphertext_offset(offset);
    let mut sealer = Sealer::resume(Vec::new(), &consumer().public_key(), SEED, INFO, at).expect("a resumed sealer");
    sealer.write_all(&data[at.plaintext_offset() as usize..]).expect("writing to memory");
    sealer.finish().expect("the final chunk")
}

#[test]
fn a_resumed_stream_is_the_rest_of_the_whole_one() {
    let data = plaintext(3 * CHUNK + 1000);
    let whole = seal(&data);
    let end = ciphertext_len(data.len() as u64);
    let mut offsets = vec![0, 1, 11, 12, 63, 64, 65, 1000, end - 1];
    for chunk in 1..=3 {
        let start = chunk_offset(chunk);
        offsets.extend([start - 1, start, start + 1, start + SEALED_CHUNK as u64 / 2]);
    }
    for offset in offsets.into_iter().filter(|offset| *offset < end) {
        assert_eq!(resumed(&data, offset), whole[offset as usize..], "offset {offset}");
    }
}

#[test]
fn a_client_that_resumes_gets_a_stream_that_opens() {
    let data = plaintext(2 * CHUNK + 77);
    let whole = seal(&data);
    // The pull broke inside chunk 1; the client keeps what it has and asks for the rest.
    let held = HEADER_LEN + SEALED_CHUNK + 4321;
    let mut stream = whole[..held].to_vec();
    stream.extend(resumed(&data, held as u64));
    assert_eq!(open(&stream).expect("an authentic stream"), data);
}
