//! Stream decoding: a stream of golden frames (with junk between) split at every offset,
//! and in random chunkings, gives the frames of the whole stream; gaps resynchronise;
//! the buffer cap holds.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bytes::Bytes;
use otwire_dnp3::{Error, StreamDecoder, split_frame_strict};
use proptest::prelude::*;

fn stream() -> (Vec<u8>, usize) {
    let frames = common::golden_frames();
    let mut s = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        if i % 3 == 1 {
            // Junk of a sniffed serial line: noise, a false start, a start with a bad CRC.
            s.extend_from_slice(&[
                0x00, 0xff, 0x05, 0x11, 0x05, 0x64, 0x05, 0xc0, 0x01, 0x00, 0x00, 0x04, 0x00, 0x00,
            ]);
        }
        s.extend_from_slice(f);
    }
    (s, frames.len())
}

fn decode(chunks: &[&[u8]]) -> (Vec<Bytes>, usize) {
    let mut dec = StreamDecoder::new();
    let mut frames = Vec::new();
    let mut junk = 0;
    for c in chunks {
        dec.push(c);
        loop {
            match dec.next_frame() {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => break,
                Err(Error::Junk { skipped }) => junk += skipped,
                Err(e) => panic!("{e}"),
            }
        }
    }
    (frames, junk)
}

#[test]
fn whole_stream_gives_every_frame() {
    let (s, n) = stream();
    let (frames, junk) = decode(&[&s]);
    assert_eq!(frames.len(), n);
    for f in &frames {
        assert!(split_frame_strict(f).is_ok());
    }
    assert_eq!(junk + frames.iter().map(Bytes::len).sum::<usize>(), s.len());
}

#[test]
fn split_at_every_offset() {
    let (s, _) = stream();
    let (whole, junk) = decode(&[&s]);
    for i in 0..=s.len() {
        let (a, b) = s.split_at(i);
        let (frames, j) = decode(&[a, b]);
        assert_eq!(frames, whole, "split at {i}");
        assert_eq!(j, junk, "split at {i}");
    }
}

#[test]
fn gap_drops_the_partial_frame_and_resyncs() {
    let frames = common::golden_frames();
    let mut dec = StreamDecoder::new();
    dec.push(&frames[2][..7]); // half a frame, then the link loses bytes
    assert_eq!(dec.next_frame(), Ok(None));
    dec.gap();
    dec.push(&frames[2][7..]); // the rest arrives: junk now
    dec.push(&frames[3]);
    let mut got = Vec::new();
    loop {
        match dec.next_frame() {
            Ok(Some(f)) => got.push(f),
            Ok(None) => break,
            Err(Error::Junk { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(got, [Bytes::from(frames[3].clone())]);
    assert_eq!(dec.stats().gaps, 1);
}

#[test]
fn capacity_limit_drops_and_counts() {
    let mut dec = StreamDecoder::with_capacity_limit(1000);
    dec.push(&[0u8; 1500]);
    assert_eq!(dec.buffered(), 1000);
    assert_eq!(dec.stats().dropped_bytes, 500);
    assert_eq!(dec.next_frame(), Err(Error::Junk { skipped: 1000 }));
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_frames(sizes in prop::collection::vec(1usize..40, 1..200)) {
        let (s, _) = stream();
        let (whole, _) = decode(&[&s]);
        let mut chunks = Vec::new();
        let mut rest = &s[..];
        for n in sizes.iter().cycle() {
            if rest.is_empty() { break; }
            let (a, b) = rest.split_at((*n).min(rest.len()));
            chunks.push(a);
            rest = b;
        }
        let (frames, _) = decode(&chunks);
        prop_assert_eq!(frames, whole);
    }
}
