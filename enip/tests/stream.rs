//! Streams: every golden vector back to back through `StreamDecoder`, whole, split in two
//! at every offset, one byte at a time and in pseudo-random chunks: every chunking gives
//! the frames of the whole stream; junk spliced between frames never hides one; `feed`
//! gives what `push` and `next_frame` give.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code
#![cfg(feature = "alloc")]

mod vectors;

use otwire_enip::*;

fn golden() -> Vec<Vec<u8>> {
    vectors::ALL.iter().map(|v| vectors::hex(v.hex)).collect()
}

fn stream() -> Vec<u8> {
    golden().concat()
}

/// Every frame of `chunks` through `push` / `next_frame`, then `finish`; junk as `None`.
fn frames<'c>(chunks: impl Iterator<Item = &'c [u8]>) -> Vec<Option<Vec<u8>>> {
    let mut dec = StreamDecoder::new();
    let mut out = Vec::new();
    let mut drain = |dec: &mut StreamDecoder| loop {
        match dec.next_frame() {
            Ok(Some(f)) => out.push(Some(f.to_vec())),
            Ok(None) => break,
            Err(Error::Junk { .. }) => out.push(None),
            Err(e) => panic!("{e}"),
        }
    };
    for c in chunks {
        dec.push(c);
        drain(&mut dec);
    }
    dec.finish();
    drain(&mut dec);
    out
}

#[test]
fn whole_stream_gives_every_message() {
    let s = stream();
    let want: Vec<_> = golden().into_iter().map(Some).collect();
    assert_eq!(frames([s.as_slice()].into_iter()), want);
}

#[test]
fn every_split_gives_the_same_frames() {
    let s = stream();
    let whole = frames([s.as_slice()].into_iter());
    for at in 0..=s.len() {
        let (a, b) = s.split_at(at);
        assert_eq!(frames([a, b].into_iter()), whole, "split at {at}");
    }
    assert_eq!(frames(s.chunks(1)), whole, "one-byte segments");
    let mut seed = 0x2545_F491_u32;
    for round in 0..50 {
        let mut chunks = Vec::new();
        let mut rest = s.as_slice();
        while !rest.is_empty() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = (seed as usize % 97 + 1).min(rest.len());
            let (c, r) = rest.split_at(n);
            chunks.push(c);
            rest = r;
        }
        assert_eq!(frames(chunks.into_iter()), whole, "round {round}");
    }
}

#[test]
fn a_gap_drops_the_cut_message_and_resyncs() {
    let g = golden();
    let s = stream();
    let mut dec = StreamDecoder::new();
    let mut n = 0;
    // Lose 10 bytes in the middle of the second message.
    let cut = g[0].len() + 5;
    dec.push(&s[..cut]);
    while let Ok(Some(_)) = dec.next_frame() {
        n += 1;
    }
    dec.gap();
    dec.push(&s[cut + 10..]);
    loop {
        match dec.next_frame() {
            Ok(Some(_)) => n += 1,
            Ok(None) => break,
            Err(_) => {}
        }
    }
    assert_eq!(n, g.len() - 1);
    assert!(dec.stats().skipped_bytes > 0);
    assert_eq!(dec.stats().gaps, 1);
}

#[test]
fn junk_is_reported_then_skipped() {
    let g = golden();
    let mut s = vec![0xEE; 7];
    s.extend(&g[4]);
    let mut dec = StreamDecoder::new();
    dec.push(&s);
    assert!(matches!(dec.next_frame(), Err(Error::Junk { .. })));
    let mut got = None;
    for _ in 0..10 {
        match dec.next_frame() {
            Ok(Some(f)) => {
                got = Some(f);
                break;
            }
            Ok(None) => break,
            Err(_) => {}
        }
    }
    assert_eq!(got.unwrap().to_vec(), g[4]);
    assert_eq!(dec.stats().skipped_bytes, 7);
    assert_eq!(dec.buffered(), 0);
}

#[test]
fn golden_messages_delimit_themselves() {
    // What makes `junk_never_hides_a_frame` hold: each golden message passes the search's
    // strict check (the probe) and its data fills its length exactly.
    for v in vectors::ALL {
        let b = vectors::hex(v.hex);
        assert_eq!(probe(&b), Probe::Recognized, "{}", v.name);
        assert!(consistent_end(&b).is_some(), "{}", v.name);
    }
}

/// Every piece of `s` cut at `cuts`, through `push` / `next_frame` and through `feed`
/// (`None` for a junk report), with a gap before the chunk at index `gap_at`.
fn pieces_both_ways(s: &[u8], cuts: &[usize], gap_at: usize) -> [Vec<Option<Vec<u8>>>; 2] {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(s.len())).collect();
    cuts.sort_unstable();
    cuts.push(s.len());
    let (mut pushed, mut fed) = (Vec::new(), Vec::new());
    let (mut a, mut b) = (StreamDecoder::new(), StreamDecoder::new());
    let mut at = 0;
    for (i, c) in cuts.into_iter().enumerate() {
        let chunk = &s[at..c];
        at = c;
        if i == gap_at {
            a.gap();
            b.gap();
        }
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
    assert_eq!(a.stats(), b.stats());
    [pushed, fed]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(44818),
        ..proptest::prelude::ProptestConfig::default()
    })]
    /// `feed`, which hands out messages borrowed from its input while nothing is buffered,
    /// gives exactly what `push` and `next_frame` give, frames and junk reports, for the
    /// golden stream with junk spliced in, in any chunking, with or without a gap.
    #[test]
    fn feed_gives_what_push_and_next_frame_give(
        junk in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12), 0..4),
        at in proptest::collection::vec(0usize..800, 0..4),
        cuts in proptest::collection::vec(0usize..800, 0..16),
        gap_at in 0usize..24,
    ) {
        let mut s = stream();
        for (j, p) in junk.iter().zip(at) {
            let p = p.min(s.len());
            s.splice(p..p, j.iter().copied());
        }
        let [pushed, fed] = pieces_both_ways(&s, &cuts, gap_at);
        proptest::prop_assert_eq!(fed, pushed);
    }
}

/// The length of the message at the front of `s` when the decoder would take it as
/// consistent: the probe recognises it and its data types without a structural anomaly.
fn consistent_end(s: &[u8]) -> Option<usize> {
    if probe(s) != Probe::Recognized {
        return None;
    }
    let (f, _) = split_frame(s).ok()?;
    let d = if f.data.is_empty() {
        Direction::Request
    } else {
        Direction::Reply
    };
    let structure = Anomalies::COMMAND_DATA
        | Anomalies::CPF_COUNT
        | Anomalies::CPF_TRUNCATED
        | Anomalies::CPF_ITEM_LENGTH
        | Anomalies::CPF_LAYOUT;
    let p = Pdu::parse(&f, d).ok()?;
    (!p.anomalies.intersects(structure)).then_some(HEADER_LEN + f.data.len())
}

/// Junk: 1-300 bytes of noise, or noise after a plausible header (a SendRRData with
/// interface handle 0 and two items, any length from 16), or after a golden message cut
/// short (what a lost segment leaves behind).
fn junk() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let noise = |n: usize| proptest::collection::vec(any::<u8>(), 0..=n);
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..=300),
        (16u16..=400, noise(268)).prop_map(|(l, n)| [
            &[0x6F, 0][..],
            &l.to_le_bytes(),
            &[0; 20],
            &[0, 0, 0, 0, 0, 0, 2, 0],
            &n
        ]
        .concat()),
        (
            0..vectors::ALL.len(),
            any::<prop::sample::Index>(),
            noise(299)
        )
            .prop_map(|(i, cut, n)| {
                let v = vectors::hex(vectors::ALL[i].hex);
                let mut j = [&v[..1 + cut.index(v.len() - 1)], &n[..]].concat();
                j.truncate(300);
                j
            }),
    ]
}

proptest::proptest! {
    // A fixed seed, so the run is the same every time. Junk may form a whole message of
    // its own and come out as an extra frame (allowed: the check is that the golden
    // messages come out in order among the frames); what it must not do is swallow one.
    // Junk that is itself a consistent message enclosing golden ones holds them as its
    // payload (as an endpoint frames it), so such streams are not generated.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(2222),
        ..proptest::prelude::ProptestConfig::default()
    })]
    #[test]
    fn junk_never_hides_a_frame(
        pieces in proptest::collection::vec(
            (proptest::option::of(junk()), 0..vectors::ALL.len()),
            1..12,
        ),
        tail in proptest::option::of(junk()),
        cuts in proptest::collection::vec(0usize..4000, 0..24),
    ) {
        let g = golden();
        let mut s = Vec::new();
        let mut want = Vec::new();
        let mut junk_starts = Vec::new();
        let mut golden_ends = Vec::new();
        for (junk, i) in &pieces {
            if let Some(j) = junk {
                junk_starts.push(s.len());
                s.extend_from_slice(j);
            }
            s.extend_from_slice(&g[*i]);
            golden_ends.push(s.len());
            want.push(g[*i].clone());
        }
        if let Some(j) = &tail {
            s.extend_from_slice(j);
        }
        proptest::prop_assume!(!junk_starts.iter().any(|&j| {
            consistent_end(&s[j..]).is_some_and(|e| golden_ends.iter().any(|&g| g > j && g <= j + e))
        }));
        let whole: Vec<Vec<u8>> = frames([s.as_slice()].into_iter()).into_iter().flatten().collect();
        let mut expected = want.iter().peekable();
        for f in &whole {
            if expected.peek() == Some(&f) {
                expected.next();
            }
        }
        proptest::prop_assert!(
            expected.peek().is_none(),
            "a golden message was lost: {:02x?}",
            expected.peek()
        );
        let mut cs: Vec<usize> = cuts.iter().map(|&c| c.min(s.len())).collect();
        cs.sort_unstable();
        let mut chunks = Vec::new();
        let mut at = 0;
        for c in cs.into_iter().chain([s.len()]) {
            chunks.push(&s[at..c]);
            at = c;
        }
        let chunked: Vec<Vec<u8>> = frames(chunks.into_iter()).into_iter().flatten().collect();
        proptest::prop_assert_eq!(chunked, whole);
    }
}

/// enip_unsupported.pcap frame 17 (tests/vectors): cpppo answers a service it lacks with a
/// SendUnitData of length 0 and status 0x0008, then closes. The message is whole as it
/// stands: it comes out right after the message before it, in any chunking, without
/// waiting for more bytes or the end of the stream.
#[test]
fn an_error_reply_without_data_comes_out_at_once() {
    let bare = vectors::hex("700000006a223672080000005f7079636f6d6d5f00000000");
    let s = [golden()[0].clone(), bare.clone()].concat();
    for cut in 0..=s.len() {
        let mut dec = StreamDecoder::new();
        let mut got = Vec::new();
        for part in [&s[..cut], &s[cut..]] {
            dec.push(part);
            while let Ok(Some(f)) = dec.next_frame() {
                got.push(f.to_vec());
            }
        }
        assert_eq!(got.last(), Some(&bare), "cut at {cut}");
        assert_eq!(got.len(), 2, "cut at {cut}");
    }
    let p = Pdu::split(&bare, Direction::Reply).unwrap().0;
    assert_eq!(p.pdu.header.status.value(), 8);
    assert_eq!(p.anomalies, Anomalies::empty());
}

/// Fuzz finding (enip_stream): a whole message whose data ends with the bytes of another
/// whole message (here a ListInterfaces request, 0x64 and zeros) comes out once at the end
/// of the stream; the look back after it only rewinds to a message that runs on past its
/// end (otwire-core's `resync`), so the enclosed one is not handed out a second time.
#[test]
fn an_enclosed_message_at_the_end_is_not_repeated() {
    let mut cip = vec![0x4C, 0x02, 0x20, 0x6B, 0x24, 0x00];
    cip.extend([0x64, 0, 0, 0]);
    cip.extend([0; 20]);
    let msg = send_unit_data(0x1305_0200, 0x8000_C68D, 1, &cip)
        .to_vec()
        .unwrap();
    let mut d = StreamDecoder::new();
    d.push(&msg);
    d.finish();
    let mut frames = Vec::new();
    while let Ok(Some(f)) = d.next_frame() {
        frames.push(f.to_vec());
    }
    assert_eq!(frames, [msg]);
}
