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
use otwire_dnp3::{Error, Piece, StreamDecoder, split_frame_strict};
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
fn capacity_overflow_is_a_gap() {
    let frames = common::golden_frames();
    let mut dec = StreamDecoder::with_capacity_limit(0); // one maximal frame (292 bytes)
    // A whole frame, then junk that overflows the buffer: the frame is still returned,
    // the overflow counts as a gap, and the next frame after it is found.
    dec.push(&frames[0]);
    dec.push(&[0u8; 1500]);
    assert!(dec.buffered() <= 292, "{}", dec.buffered());
    assert_eq!(dec.stats().gaps, 1);
    assert_eq!(
        dec.stats().dropped_bytes,
        (frames[0].len() + 1500 - 292) as u64
    );
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
    assert_eq!(
        got,
        [
            Bytes::from(frames[0].clone()),
            Bytes::from(frames[3].clone())
        ]
    );
}

/// Frames of `s` pushed in the chunks cut at `cuts`, then the end of the stream.
fn frames_cut(s: &[u8], cuts: &[usize]) -> Vec<Bytes> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(s.len())).collect();
    cuts.sort_unstable();
    let mut dec = StreamDecoder::new();
    let mut frames = Vec::new();
    let mut at = 0;
    let mut drain = |dec: &mut StreamDecoder| loop {
        match dec.next_frame() {
            Ok(Some(f)) => frames.push(f),
            Ok(None) => break,
            Err(Error::Junk { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    };
    for c in cuts.into_iter().chain([s.len()]) {
        dec.push(&s[at..c]);
        at = c;
        drain(&mut dec);
    }
    dec.finish();
    drain(&mut dec);
    frames
}

/// A link header with a valid CRC and the given LENGTH (a plausible start that is junk).
fn header(length: u8, control: u8, dst: u16, src: u16) -> Vec<u8> {
    use otwire_dnp3::{Emit, LinkControl, LinkFrame, LinkHeader};
    let data = vec![0u8; usize::from(length.max(5)) - 5];
    let frame = LinkFrame {
        header: LinkHeader {
            control: LinkControl::from_u8(control),
            destination: otwire_dnp3::Address(dst),
            source: otwire_dnp3::Address(src),
        },
        user_data: &data,
    };
    let mut out = vec![0; frame.buffer_len()];
    frame.emit(&mut out).unwrap();
    out.truncate(10);
    out
}

#[test]
fn frames_after_a_header_cut_short_are_kept() {
    // A frame cut short after its header (what a lost segment leaves): its valid header
    // announces user data that are the next frames' octets.
    let g = common::golden_frames();
    // The header announces 9 octets of user data (21 on the wire): it and the next frame's
    // first 9 octets come out as a frame (bad data CRC: junk, but only what follows can
    // tell), then the frame it cut into and the rest.
    let mut s = g[4][..12].to_vec();
    s.extend_from_slice(&g[0]);
    s.extend_from_slice(&g[1]);
    s.extend_from_slice(&g[3]);
    let want = vec![s[..21].to_vec(), g[0].clone(), g[1].clone(), g[3].clone()];
    assert_eq!(frames_cut(&s, &[]), want);
    for cut in 0..=s.len() {
        assert_eq!(frames_cut(&s, &[cut]), want, "split at {cut}");
    }
    // A header alone, whose length covers the next frame whole and part of the one after:
    // junk at once.
    let mut s = header(0x20, 0x44, 1, 2);
    s.extend_from_slice(&g[0]);
    s.extend_from_slice(&g[5]);
    assert_eq!(frames_cut(&s, &[]), vec![g[0].clone(), g[5].clone()]);
}

#[test]
fn golden_frames_delimit_themselves() {
    // What makes `junk_never_hides_a_frame` exact rather than probabilistic: no golden
    // frame holds the start octets after its own, and every one's CRCs match.
    for f in common::golden_frames() {
        assert!(!f[1..].windows(2).any(|w| w == [0x05, 0x64]), "{f:02x?}");
        assert!(split_frame_strict(&f).is_ok());
    }
}

/// Junk for [`junk_never_hides_a_frame`]: 1-300 bytes of noise, or noise after the start
/// octets, after a link header with a valid CRC, or after a golden frame cut short.
fn junk() -> impl Strategy<Value = Vec<u8>> {
    let g = common::golden_frames();
    let noise = |n: usize| prop::collection::vec(any::<u8>(), 0..=n);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..=300),
        noise(298).prop_map(|t| [&[0x05, 0x64][..], &t].concat()),
        (
            5u8..=255,
            any::<u8>(),
            any::<u16>(),
            any::<u16>(),
            noise(290)
        )
            .prop_map(|(l, c, d, s, t)| [header(l, c, d, s), t].concat()),
        (0..g.len(), any::<prop::sample::Index>(), noise(299)).prop_map(move |(i, cut, t)| {
            let mut j = [&g[i][..1 + cut.index(g[i].len() - 1)], &t[..]].concat();
            j.truncate(300);
            j
        }),
    ]
}

proptest! {
    // A fixed seed, so the run is the same every time. Junk may form a whole frame of its
    // own and come out as an extra frame (allowed: the check is that the golden frames
    // come out in order among the frames); what it must not do is swallow one. A junk
    // frame that holds a golden one whole is junk (the golden one's CRCs all match); one
    // that ends inside a golden one comes out, and the decoder looks back into it for the
    // golden one when what follows is not a frame. Golden frames hold no `05 64` after
    // their start, so what follows such junk is never a frame; the test cannot fail by
    // chance.
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20000),
        ..ProptestConfig::default()
    })]
    #[test]
    fn junk_never_hides_a_frame(
        pieces in prop::collection::vec((prop::option::of(junk()), 0..common::golden_frames().len()), 1..10),
        tail in prop::option::of(junk()),
        cuts in prop::collection::vec(0usize..6000, 0..24),
    ) {
        let g = common::golden_frames();
        let mut s = Vec::new();
        let mut want = Vec::new();
        for (junk, i) in &pieces {
            if let Some(j) = junk {
                s.extend_from_slice(j);
            }
            s.extend_from_slice(&g[*i]);
            want.push(g[*i].clone());
        }
        if let Some(j) = &tail {
            s.extend_from_slice(j);
        }
        let whole = frames_cut(&s, &[]);
        let mut expected = want.iter().peekable();
        for f in &whole {
            if expected.peek().is_some_and(|w| w[..] == f[..]) {
                expected.next();
            }
        }
        prop_assert!(expected.peek().is_none(), "a golden frame was lost: {:02x?}", expected.peek());
        prop_assert_eq!(frames_cut(&s, &cuts), whole);
    }
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

/// Each frame's bytes, and `None` for each junk report.
type Pieces = Vec<Option<Vec<u8>>>;

/// What a stream gives through `push` + `next_frame` and through `feed`, chunked at `cuts`:
/// each frame's bytes, and `None` for each junk report.
fn pieces_both_ways(s: &[u8], cuts: &[usize]) -> (Pieces, Pieces) {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(s.len())).collect();
    cuts.sort_unstable();
    cuts.push(s.len());
    let (mut pushed, mut fed) = (Vec::new(), Vec::new());
    let (mut a, mut b) = (StreamDecoder::new(), StreamDecoder::new());
    let mut at = 0;
    for c in cuts {
        let chunk = &s[at..c];
        at = c;
        a.push(chunk);
        loop {
            match a.next_frame() {
                Ok(Some(f)) => pushed.push(Some(f.to_vec())),
                Ok(None) => break,
                Err(_) => pushed.push(None),
            }
        }
        b.feed(chunk, |p| {
            fed.push(match p {
                Piece::Frame(f) => Some(f.to_vec()),
                Piece::Buffered(f) => Some(f.to_vec()),
                Piece::Junk(_) => None,
            })
        });
    }
    (pushed, fed)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20001),
        ..ProptestConfig::default()
    })]
    /// `feed`, which hands out frames borrowed from its input while nothing is buffered,
    /// gives exactly what `push` and `next_frame` give, frames and junk reports, for any
    /// stream of golden frames and junk in any chunking.
    #[test]
    fn feed_gives_what_push_and_next_frame_give(
        pieces in proptest::collection::vec((proptest::option::of(junk()), 0..common::golden_frames().len()), 1..10),
        cuts in proptest::collection::vec(0usize..4000, 0..16),
    ) {
        let mut s = Vec::new();
        for (junk, i) in &pieces {
            if let Some(j) = junk {
                s.extend_from_slice(j);
            }
            s.extend_from_slice(&common::golden_frames()[*i]);
        }
        let (pushed, fed) = pieces_both_ways(&s, &cuts);
        prop_assert_eq!(fed, pushed);
    }
}
