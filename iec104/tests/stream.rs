//! The stream decoder: a golden stream split at every offset (and in random chunkings)
//! yields exactly the APDUs of feeding it whole; junk is skipped and reported; gaps and the
//! capacity limit resynchronise.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_iec104::*;
use proptest::prelude::*;

mod common;

use common::vectors as truncation;

fn stream() -> Vec<u8> {
    truncation::VECTORS.concat()
}

/// Feeds `chunks` and collects frames and the junk count.
fn run(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, usize) {
    let mut d = StreamDecoder::new();
    let mut frames = Vec::new();
    let mut junk = 0;
    for c in chunks {
        assert_eq!(d.push(c), c.len());
        loop {
            match d.next_frame() {
                Ok(Some(f)) => frames.push(f.to_vec()),
                Ok(None) => break,
                Err(Error::Junk { skipped }) => junk += skipped,
                Err(e) => panic!("{e}"),
            }
        }
    }
    (frames, junk)
}

#[test]
fn whole_stream_gives_every_apdu() {
    let s = stream();
    let (frames, junk) = run(&[&s]);
    assert_eq!(junk, 0);
    let expected: Vec<Vec<u8>> = truncation::VECTORS.iter().map(|v| v.to_vec()).collect();
    assert_eq!(frames, expected);
}

#[test]
fn split_at_every_offset() {
    let s = stream();
    let (whole, _) = run(&[&s]);
    for cut in 0..=s.len() {
        let (a, b) = s.split_at(cut);
        assert_eq!(run(&[a, b]).0, whole, "split at {cut}");
    }
    // One byte at a time.
    let bytes: Vec<&[u8]> = s.chunks(1).collect();
    assert_eq!(run(&bytes).0, whole);
}

#[test]
fn junk_before_and_between_frames_is_skipped() {
    let s = stream();
    let mut dirty = b"\x00\x68\xff\x01garbage".to_vec();
    let first = truncation::VECTORS[0].len();
    dirty.extend_from_slice(&s[..first]);
    dirty.extend_from_slice(&[0x16, 0x68]); // a stray byte and a false start
    dirty.extend_from_slice(&s[first..]);
    let (frames, junk) = run(&[&dirty]);
    assert_eq!(frames.len(), truncation::VECTORS.len());
    assert_eq!(junk, 11 + 2);
    for cut in 0..=dirty.len() {
        let (a, b) = dirty.split_at(cut);
        assert_eq!(run(&[a, b]).0, frames, "split at {cut}");
    }
}

#[test]
fn gap_drops_the_partial_apdu_and_resyncs() {
    let s = stream();
    let mut d = StreamDecoder::new();
    // First APDU whole, half of the second, then a gap, then the rest from the third on.
    let v = truncation::VECTORS;
    let (l0, l1) = (v[0].len(), v[1].len());
    d.push(&s[..l0 + l1 / 2]);
    d.gap();
    d.push(&s[l0 + l1..]);
    let mut frames = Vec::new();
    loop {
        match d.next_frame() {
            Ok(Some(f)) => frames.push(f.to_vec()),
            Ok(None) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(frames.len(), v.len() - 1);
    assert_eq!(frames[0], v[0]);
    assert_eq!(frames[1], v[2]);
    assert_eq!(d.stats().dropped, (l1 / 2) as u64);
    assert_eq!(d.stats().gaps, 1);
    // A gap in the middle of an APDU whose rest arrives: the rest is junk.
    let mut d = StreamDecoder::new();
    d.push(&s[..l0 + 3]);
    d.gap();
    d.push(&s[l0 + l1 - 2..]);
    let mut n = 0;
    let mut junk = 0;
    loop {
        match d.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => break,
            Err(Error::Junk { skipped }) => junk += skipped,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((n, junk), (v.len() - 1, 2));
}

#[test]
fn capacity_limit_bounds_memory() {
    let mut d = StreamDecoder::with_capacity_limit(300);
    let junk = vec![0u8; 1000];
    assert_eq!(d.push(&junk), 300);
    assert!(d.buffered() <= 300);
    // The 700 past the limit, then the 300 unframed bytes before that gap.
    assert_eq!(d.stats().dropped, 1000);
    assert_eq!(d.next_frame(), Ok(None));
    assert_eq!(d.buffered(), 0);
    // Whole frames pushed before an overflow are kept.
    let s = stream();
    let mut d = StreamDecoder::with_capacity_limit(300);
    d.push(&s);
    d.push(&junk);
    let mut n = 0;
    while let Ok(Some(_)) = d.next_frame() {
        n += 1;
    }
    assert!(n >= 6, "{n}");
    // Still decodes after.
    d.push(truncation::VECTORS[2]);
    assert_eq!(
        d.next_frame().unwrap().unwrap().as_ref(),
        truncation::VECTORS[2]
    );
}

proptest! {
    #[test]
    fn random_chunkings_agree(cuts in proptest::collection::vec(0usize..200, 0..12), noise in proptest::collection::vec(any::<u8>(), 0..30)) {
        let mut s = noise.clone();
        s.extend_from_slice(&stream());
        let (whole, _) = run(&[&s]);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(s.len())).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for c in cuts {
            chunks.push(&s[at..c]);
            at = c;
        }
        chunks.push(&s[at..]);
        prop_assert_eq!(run(&chunks).0, whole);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (frames, _) = run(&[&bytes]);
        for f in frames {
            let (frame, rest) = split_frame(&f).unwrap();
            prop_assert!(rest.is_empty());
            let _ = Apdu::parse(&frame, Params::IEC104);
        }
    }
}
