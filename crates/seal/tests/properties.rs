//! Properties over random plaintexts, write sizes, flips and resume offsets.

mod common;

use std::io::{Read, Write};

use common::{consumer, open, seal, INFO, SEED};
use proptest::prelude::*;
use seal::{ciphertext_len, Opener, ResumeAt, Sealer, CHUNK};

fn plaintexts() -> impl Strategy<Value = Vec<u8>> {
    // Mostly near chunk boundaries, where off-by-one mistakes live.
    let length =
        prop_oneof![0..300usize, (CHUNK - 300)..(CHUNK + 300), (2 * CHUNK - 10)..(2 * CHUNK + 10), 0..(3 * CHUNK),];
    length.prop_flat_map(|length| proptest::collection::vec(any::<u8>(), length))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn sealed_plaintexts_open(data in plaintexts(), write in 1..70_000usize, read in 1..70_000usize) {
        let mut sealer = Sealer::new(Vec::new(), &consumer().public_key(), SEED, INFO).expect("a sealer");
        for piece in data.chunks(write) {
            sealer.write_all(piece).expect("writing to memory");
        }
        let sealed = sealer.finish().expect("the final chunk");
        prop_assert_eq!(sealed.len() as u64, ciphertext_len(data.len() as u64));
        prop_assert_eq!(&sealed, &seal(&data));

        let mut opener = Opener::new(sealed.as_slice(), &consumer(), INFO).expect("a header sealed for this consumer");
        let mut opened = Vec::new();
        let mut buffer = vec![0; read];
        loop {
            let count = opener.read(&mut buffer).expect("an authentic chunk");
            if count == 0 { break; }
            opened.extend_from_slice(&buffer[..count]);
        }
        prop_assert_eq!(opened, data);
    }

    #[test]
    fn any_flipped_byte_is_refused(data in plaintexts(), at in any::<prop::sample::Index>(), flip in 1..=255u8) {
        let mut sealed = seal(&data);
        let at = at.index(sealed.len());
        sealed[at] ^= flip;
        prop_assert!(open(&sealed).is_err(), "byte {} of {}", at, sealed.len());
    }

    #[test]
    fn any_resume_offset_gives_the_rest(data in plaintexts(), offset in any::<prop::sample::Index>()) {
        let whole = seal(&data);
        let offset = offset.index(whole.len());
        let at = ResumeAt::ciphertext_offset(offset as u64);
        let mut sealer = Sealer::resume(Vec::new(), &consumer().public_key(), SEED, INFO, at).expect("a resumed sealer");
        sealer.write_all(&data[at.plaintext_offset() as usize..]).expect("writing to memory");
        prop_assert_eq!(sealer.finish().expect("the final chunk"), &whole[offset..]);
    }
}
