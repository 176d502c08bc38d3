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

/// Feeds `chunks`, ends the stream, and collects the frames.
fn frames_of(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut d = StreamDecoder::new();
    let mut frames = Vec::new();
    let mut drain = |d: &mut StreamDecoder| loop {
        match d.next_frame() {
            Ok(Some(f)) => frames.push(f.to_vec()),
            Ok(None) => break,
            Err(Error::Junk { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    };
    for c in chunks {
        d.push(c);
        drain(&mut d);
    }
    d.finish();
    drain(&mut d);
    frames
}

/// Cuts `s` at the given offsets (clamped, sorted).
fn chunked(s: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(s.len())).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut at = 0;
    for c in cuts {
        chunks.push(&s[at..c]);
        at = c;
    }
    chunks.push(&s[at..]);
    frames_of(&chunks)
}

#[test]
fn u_frames_with_invalid_function_bits_are_frames() {
    // IEC 60870-5-104 §5.3: exactly one function bit. Two bits (STARTDT act + con, 0x0f)
    // and none (0x03) are framed and decoded with U_FUNCTION_INVALID, as tshark decodes
    // them ("UType: Unknown (0x03)" and "(0x00)").
    let two_bits = [0x68, 0x04, 0x0f, 0x00, 0x00, 0x00];
    let no_bit = [0x68, 0x04, 0x03, 0x00, 0x00, 0x00];
    let s_frame = truncation::VECTORS[1];
    let mut s = truncation::VECTORS[0].to_vec();
    s.extend_from_slice(&two_bits);
    s.extend_from_slice(s_frame);
    s.extend_from_slice(&no_bit);
    s.extend_from_slice(s_frame);
    let want = vec![
        truncation::VECTORS[0].to_vec(),
        two_bits.to_vec(),
        s_frame.to_vec(),
        no_bit.to_vec(),
        s_frame.to_vec(),
    ];
    let (frames, junk) = run(&[&s]);
    assert_eq!(junk, 0);
    assert_eq!(frames, want);
    for cut in 0..=s.len() {
        assert_eq!(frames_of(&[&s[..cut], &s[cut..]]), want, "split at {cut}");
    }
    for (bytes, octet, bits) in [(two_bits, 0x0f, 0x03), (no_bit, 0x03, 0x00)] {
        let (f, _) = split_frame(&bytes).unwrap();
        let p = Apdu::parse(&f, Params::IEC104).unwrap();
        assert_eq!(p.pdu.apci, Apci::U(UFunction::Unknown(octet)));
        assert_eq!(p.anomalies, Anomalies::U_FUNCTION_INVALID);
        let Apci::U(u) = p.pdu.apci else { panic!() };
        assert_eq!(u.bits(), bits, "iec60870_104.utype as tshark shows it");
        // Identification stays strict: an unidentified stream starting with one is not 104.
        assert_eq!(probe(&bytes), Probe::Unrecognized);
    }
    // After junk, the resynchronising search takes it too.
    let mut dirty = b"\x01\x02junk".to_vec();
    dirty.extend_from_slice(&two_bits);
    dirty.extend_from_slice(s_frame);
    let (frames, junk) = run(&[&dirty]);
    assert_eq!(junk, 6);
    assert_eq!(frames, vec![two_bits.to_vec(), s_frame.to_vec()]);
}

#[test]
fn s_frames_after_a_junk_apdu_are_kept() {
    // An I frame cut short by a lost segment leaves a header that announces 14 octets;
    // the S frames after it must not disappear into that length.
    let v = truncation::VECTORS;
    let mut s = v[2].to_vec();
    s.extend_from_slice(&v[2][..8]); // 68 0e 02 00 04 00 64 01: a plausible I header
    let mut want = vec![v[2].to_vec()];
    for _ in 0..3 {
        s.extend_from_slice(v[1]);
        want.push(v[1].to_vec());
    }
    s.extend_from_slice(v[3]);
    want.push(v[3].to_vec());
    let (frames, junk) = run(&[&s]);
    assert_eq!(frames, want);
    assert_eq!(junk, 8);
    for cut in 0..=s.len() {
        assert_eq!(frames_of(&[&s[..cut], &s[cut..]]), want, "split at {cut}");
    }
    // A junk APDU whose length covers two whole S frames exactly, followed by another
    // frame: the frames inside it are whole, so it is junk.
    let mut s = vec![0x68, 0x10, 0x00, 0x00, 0x00, 0x00];
    s.extend_from_slice(v[1]);
    s.extend_from_slice(v[1]);
    s.extend_from_slice(v[0]);
    let (frames, _) = run(&[&s]);
    assert_eq!(frames, vec![v[1].to_vec(), v[1].to_vec(), v[0].to_vec()]);
}

#[test]
fn golden_apdus_delimit_themselves() {
    // What makes `junk_never_hides_a_frame` exact rather than probabilistic: no golden APDU
    // holds a start byte after its first octet, each one passes the decoder's header
    // checks, and each one's objects fill its length exactly.
    for v in truncation::VECTORS {
        assert!(!v[1..].contains(&0x68), "{v:02x?}");
        assert_eq!(probe(v), Probe::Recognized);
        let (f, _) = split_frame(v).unwrap();
        let p = Apdu::parse(&f, Params::IEC104).unwrap();
        assert!(
            !p.anomalies
                .intersects(Anomalies::TRUNCATED | Anomalies::TRAILING_BYTES),
            "{v:02x?}"
        );
    }
}

/// Junk for [`junk_never_hides_a_frame`]: 1-300 bytes of noise, or noise after the start
/// byte, after a start byte and a valid length octet, or after a golden APDU cut short (a
/// plausible header, what a lost segment leaves behind).
fn junk() -> impl Strategy<Value = Vec<u8>> {
    let v = truncation::VECTORS;
    let noise = |n: usize| proptest::collection::vec(any::<u8>(), 0..=n);
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..=300),
        noise(299).prop_map(|t| [&[0x68][..], &t].concat()),
        (4u8..=253, noise(298)).prop_map(|(l, t)| [&[0x68, l][..], &t].concat()),
        (0..v.len(), any::<prop::sample::Index>(), noise(299)).prop_map(move |(i, cut, t)| {
            let head = &v[i][..1 + cut.index(v[i].len() - 1)];
            let mut j = [head, &t].concat();
            j.truncate(300);
            j
        }),
    ]
}

proptest! {
    // A fixed seed: the run is the same every time. The test cannot fail by chance anyway
    // (see `golden_apdus_delimit_themselves`): junk can hide a golden APDU only by holding
    // it whole (then the decoder rejects the junk's length) or by ending inside it (then
    // what follows the junk is not a start byte, and the decoder looks back into the junk
    // for the APDU). Junk may form a complete APDU of its own and come out as an extra
    // frame (also junk that ends inside a golden APDU: it came out before the decoder
    // could tell); that is allowed, so the check is that the golden APDUs come out in
    // order among the frames.
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(104),
        ..ProptestConfig::default()
    })]
    #[test]
    fn junk_never_hides_a_frame(
        pieces in proptest::collection::vec((proptest::option::of(junk()), 0..truncation::VECTORS.len()), 1..12),
        tail in proptest::option::of(junk()),
        cuts in proptest::collection::vec(0usize..4000, 0..24),
    ) {
        let mut s = Vec::new();
        let mut want = Vec::new();
        for (junk, i) in &pieces {
            if let Some(j) = junk {
                s.extend_from_slice(j);
            }
            s.extend_from_slice(truncation::VECTORS[*i]);
            want.push(truncation::VECTORS[*i].to_vec());
        }
        if let Some(j) = &tail {
            s.extend_from_slice(j);
        }
        let whole = frames_of(&[&s]);
        let mut expected = want.iter().peekable();
        for f in &whole {
            if expected.peek() == Some(&f) {
                expected.next();
            }
        }
        prop_assert!(expected.peek().is_none(), "a golden APDU was lost: {:02x?}", expected.peek());
        prop_assert_eq!(chunked(&s, &cuts), whole);
    }
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

/// Each frame's bytes, and `None` for each junk report.
type Pieces = Vec<Option<Vec<u8>>>;

/// What a stream gives through `push` + `next_frame` and through `feed`, chunked at `cuts`.
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
        rng_seed: proptest::test_runner::RngSeed::Fixed(2405),
        ..ProptestConfig::default()
    })]
    /// `feed`, which hands out frames borrowed from its input while nothing is buffered,
    /// gives exactly what `push` and `next_frame` give, frames and junk reports, for any
    /// stream of golden frames and junk in any chunking.
    #[test]
    fn feed_gives_what_push_and_next_frame_give(
        pieces in proptest::collection::vec((proptest::option::of(junk()), 0..truncation::VECTORS.len()), 1..10),
        cuts in proptest::collection::vec(0usize..4000, 0..16),
    ) {
        let mut s = Vec::new();
        for (junk, i) in &pieces {
            if let Some(j) = junk {
                s.extend_from_slice(j);
            }
            s.extend_from_slice(truncation::VECTORS[*i]);
        }
        let (pushed, fed) = pieces_both_ways(&s, &cuts);
        prop_assert_eq!(fed, pushed);
    }
}
