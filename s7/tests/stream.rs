//! Streams: every golden vector back to back, plus a TSDU segmented over three DTs, a
//! userdata answer in two data units and an S7comm-plus V3 PDU in two frames, pushed
//! through `DirectionParser` whole, split in two at every offset, one byte at a time and in
//! pseudo-random chunks: every chunking gives the events of the whole stream.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code
#![cfg(feature = "alloc")]

mod vectors;

use otwire_s7::*;

fn enc(e: &impl Emit) -> Vec<u8> {
    e.to_vec().unwrap()
}

/// A TSDU in three DTs (EOT on the last).
fn segmented(user: &[u8]) -> Vec<u8> {
    let (a, rest) = user.split_at(5);
    let (b, c) = rest.split_at(rest.len() / 2);
    let mut out = Vec::new();
    for (part, eot) in [(a, false), (b, false), (c, true)] {
        out.extend(enc(&Tpkt(Dt {
            eot,
            tpdu_number: 0,
            payload: Raw(part),
        })));
    }
    out
}

/// The SZL 0x0011 answer of the vectors, sent as two data units (reference 5).
fn two_data_units() -> Vec<u8> {
    let (frame, _) = split_frame(vectors::SZL_0011).unwrap();
    let Tpdu::Data(dt) = Tpdu::parse(frame.tpdu).unwrap().pdu else {
        panic!()
    };
    let pdu = Pdu::parse(dt.user_data).unwrap().pdu;
    let Body::Userdata(u) = pdu.body else {
        panic!()
    };
    let payload = u.payload();
    let (first, second) = payload.split_at(50);
    let mut out = Vec::new();
    for (part, last) in [(first, 1u8), (second, 0u8)] {
        let mut params = u.params;
        params.ext = Some(UserdataExt {
            data_unit_ref: 5,
            last_unit: last,
            error: ErrorCode::NoError,
        });
        let p = Pdu {
            header: pdu.header,
            body: Body::Userdata(Userdata {
                params,
                data: Some(UserdataData {
                    length: part.len() as u16,
                    payload: part,
                    ..u.data.unwrap()
                }),
                body: UserdataBody::Raw { bytes: part },
                raw_data: &[],
            }),
        };
        out.extend(enc(&frame_of(p)));
    }
    out
}

fn frame_of<P: Emit>(p: P) -> Tpkt<Dt<P>> {
    otwire_s7::frame(p)
}

/// The V3 PDU of the vectors, in two frames: the first without trailer, each with its
/// own integrity part.
fn two_plus_frames() -> Vec<u8> {
    let (frame, _) = split_frame(vectors::PLUS_V3).unwrap();
    let Tpdu::Data(dt) = Tpdu::parse(frame.tpdu).unwrap().pdu else {
        panic!()
    };
    let f = PlusFrame::parse(dt.user_data).unwrap().pdu;
    let (a, b) = f.data.split_at(20);
    let mut out = Vec::new();
    for (data, trailer) in [(a, false), (b, true)] {
        out.extend(enc(&frame_of(PlusFrame {
            data,
            trailer,
            length: 0,
            ..f
        })));
    }
    out
}

fn stream() -> Vec<u8> {
    let mut s: Vec<u8> = vectors::ALL.iter().flat_map(|v| v.bytes.to_vec()).collect();
    let (frame, _) = split_frame(vectors::READ_ACK).unwrap();
    s.extend(segmented(&frame.tpdu[3..]));
    s.extend(two_data_units());
    s.extend(two_plus_frames());
    s
}

/// Every event of feeding `chunks`, as text.
fn events<'c>(chunks: impl Iterator<Item = &'c [u8]>) -> Vec<String> {
    let mut dir = DirectionParser::new();
    let mut session = PlusSession::default();
    let mut out = Vec::new();
    for c in chunks {
        dir.push(c, &mut session, |ev| out.push(format!("{ev:?}")));
    }
    out
}

#[test]
fn whole_stream_gives_every_message() {
    let s = stream();
    let mut dir = DirectionParser::new();
    let mut session = PlusSession::default();
    let (mut msgs, mut joined_ud, mut plus, mut flags) = (0, 0, 0, Anomalies::empty());
    dir.push(&s, &mut session, |ev| {
        flags |= ev.anomalies;
        msgs += usize::from(ev.message.is_some());
        plus += usize::from(ev.plus.is_some());
        if let Some(r) = &ev.userdata {
            let (a, an) = SzlAnswer::parse(&r.payload, true).unwrap();
            assert!(an.is_empty());
            assert_eq!((a.id.0, a.record_count), (0x0011, 4));
            joined_ud += 1;
        }
    });
    // 15 DT vectors + the segmented TSDU + two data units + two plus frames.
    assert_eq!(msgs, 15 + 1 + 2 + 2);
    assert_eq!(joined_ud, 1);
    // V2, V3, the two-frame V3 (the event frame has no data header).
    assert_eq!(plus, 3);
    assert_eq!(flags, Anomalies::empty());
}

#[test]
fn every_split_gives_the_same_events() {
    let s = stream();
    let whole = events([s.as_slice()].into_iter());
    for at in 0..=s.len() {
        let (a, b) = s.split_at(at);
        assert_eq!(events([a, b].into_iter()), whole, "split at {at}");
    }
    assert_eq!(events(s.chunks(1)), whole, "one-byte segments");
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
        assert_eq!(events(chunks.into_iter()), whole, "round {round}");
    }
}

#[test]
fn a_gap_drops_the_cut_tpkt_and_resyncs() {
    let s = stream();
    let whole = events([s.as_slice()].into_iter()).len();
    let mut dir = DirectionParser::new();
    let mut session = PlusSession::default();
    let mut n = 0;
    // Lose 10 bytes in the middle of the second TPKT.
    let cut = vectors::CR.len() + 5;
    dir.push(&s[..cut], &mut session, |_| n += 1);
    dir.gap();
    dir.push(&s[cut + 10..], &mut session, |_| n += 1);
    assert_eq!(n, whole - 1);
    assert!(dir.stream_stats().skipped_bytes > 0);
}

#[test]
fn reassembly_caps_hold() {
    let limits = ReassemblyLimits {
        max_size: 16,
        ..ReassemblyLimits::default()
    };
    let mut r = CotpReassembler::with_limits(limits);
    assert_eq!(r.push(false, &[0; 10]).0, None);
    let (done, a) = r.push(false, &[0; 10]);
    assert_eq!((done, a), (None, Anomalies::REASSEMBLY_TOO_LONG));
    // The rest of the over-long TSDU is dropped, the next one is whole again.
    assert_eq!(r.push(true, &[0; 10]).0, None);
    assert_eq!(r.push(true, &[1, 2]).0, Some(&[1, 2][..]));
    assert!(r.stats().discarded >= 1);
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
        rng_seed: proptest::test_runner::RngSeed::Fixed(102),
        ..proptest::prelude::ProptestConfig::default()
    })]
    /// `feed`, which hands out TPKTs borrowed from its input while nothing is buffered,
    /// gives exactly what `push` and `next_frame` give, frames and junk reports, for the
    /// golden stream with junk spliced in, in any chunking, with or without a gap.
    #[test]
    fn feed_gives_what_push_and_next_frame_give(
        junk in proptest::collection::vec(proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12), 0..4),
        at in proptest::collection::vec(0usize..4000, 0..4),
        cuts in proptest::collection::vec(0usize..4000, 0..16),
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

/// Every TPKT of `s` cut at `cuts`, through `push` / `next_frame`, the stream ended with
/// `finish`; junk reports are left out.
fn frames_with_junk(s: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(s.len())).collect();
    cuts.sort_unstable();
    cuts.push(s.len());
    let mut dec = StreamDecoder::new();
    let mut out = Vec::new();
    let mut drain = |dec: &mut StreamDecoder| loop {
        match dec.next_frame() {
            Ok(Some(f)) => out.push(f.to_vec()),
            Ok(None) => break,
            Err(Error::Junk { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    };
    let mut at = 0;
    for c in cuts {
        dec.push(&s[at..c]);
        at = c;
        drain(&mut dec);
    }
    dec.finish();
    drain(&mut dec);
    out
}

/// The length of the TPKT at the front of `s` when it is consistent, its content filling
/// its length as the decoder checks it: version 3, reserved 0, a COTP header that decodes
/// clean, and in a DT that ends a TSDU an S7comm PDU or S7comm-plus frame without a length,
/// count, item, userdata header or trailer that disagrees with the bytes.
fn consistent_end(s: &[u8]) -> Option<usize> {
    let (f, _) = split_frame(s).ok()?;
    if (f.header.version, f.header.reserved) != (3, 0) || f.tpdu.len() < 3 {
        return None;
    }
    let t = Tpdu::parse(f.tpdu).ok()?;
    let cotp = Anomalies::COTP_LENGTH
        | Anomalies::COTP_UNKNOWN_TYPE
        | Anomalies::COTP_CLASS
        | Anomalies::COTP_PARAMETER;
    let structure = Anomalies::LENGTH_MISMATCH
        | Anomalies::TRUNCATED
        | Anomalies::UNKNOWN_ROSCTR
        | Anomalies::ITEM_COUNT_MISMATCH
        | Anomalies::BAD_ITEM
        | Anomalies::BAD_DATA_ITEM
        | Anomalies::USERDATA_HEAD
        | Anomalies::USERDATA_DATA_HEADER
        | Anomalies::SZL_LENGTH
        | Anomalies::PLUS_LENGTH
        | Anomalies::PLUS_TRAILER;
    let ok = !t.anomalies.intersects(cotp)
        && match t.pdu {
            Tpdu::Data(dt) => {
                dt.eot
                    && Message::parse(dt.user_data, false).is_ok_and(|m| {
                        matches!(m.pdu, Message::S7comm(_) | Message::S7commPlus(_))
                            && !m.anomalies.intersects(structure)
                    })
            }
            Tpdu::ConnectionRequest(c) | Tpdu::ConnectionConfirm(c) => c.user_data.is_empty(),
            _ => true,
        };
    ok.then_some(usize::from(f.header.length))
}

/// Junk for [`junk_never_hides_a_frame`]: 1-300 bytes of noise, or noise after a plausible
/// TPKT header (version 3, reserved 0, any length from 7, a DT header), or after a golden
/// TPKT cut short (what a lost segment leaves behind).
fn junk() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let noise = |n: usize| proptest::collection::vec(any::<u8>(), 0..=n);
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 1..=300),
        (7u16..=400, noise(293)).prop_map(|(l, n)| [
            &[3, 0][..],
            &l.to_be_bytes(),
            &[2, 0xF0, 0x80],
            &n
        ]
        .concat()),
        (
            0..vectors::ALL.len(),
            any::<prop::sample::Index>(),
            noise(299)
        )
            .prop_map(|(i, cut, n)| {
                let v = vectors::ALL[i].bytes;
                let mut j = [&v[..1 + cut.index(v.len() - 1)], &n[..]].concat();
                j.truncate(300);
                j
            }),
    ]
}

proptest::proptest! {
    // A fixed seed, so the run is the same every time. Junk may form a whole TPKT of its
    // own and come out as an extra frame (allowed: the check is that the golden TPKTs come
    // out in order among the frames); what it must not do is swallow one. An inconsistent
    // candidate TPKT that holds a whole golden one is junk (every golden TPKT is plausible
    // and its S7comm or S7comm-plus lengths fill it: `golden_tpkts_delimit_themselves`),
    // and when what follows a frame is not a frame the decoder looks back into it for the
    // golden TPKT it covered. A *consistent* candidate is a frame whatever it holds (as
    // endpoints frame, `a_tpkt_inside_a_write_is_not_a_frame`): junk that is a consistent
    // TPKT enclosing golden ones (a golden SZL answer cut short after its header, whose
    // opaque records the noise and golden TPKTs after it fill to exactly its length) holds
    // them as its payload, so such streams are not generated.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(1006),
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
        let mut s = Vec::new();
        let mut want = Vec::new();
        let mut junk_starts = Vec::new();
        let mut golden_ends = Vec::new();
        for (junk, i) in &pieces {
            if let Some(j) = junk {
                junk_starts.push(s.len());
                s.extend_from_slice(j);
            }
            s.extend_from_slice(vectors::ALL[*i].bytes);
            golden_ends.push(s.len());
            want.push(vectors::ALL[*i].bytes.to_vec());
        }
        if let Some(j) = &tail {
            s.extend_from_slice(j);
        }
        // Junk that is itself a consistent TPKT enclosing a golden one is that TPKT's
        // payload, as an endpoint would frame it: not generated.
        proptest::prop_assume!(!junk_starts.iter().any(|&j| {
            consistent_end(&s[j..]).is_some_and(|e| golden_ends.iter().any(|&g| g > j && g <= j + e))
        }));
        let whole = frames_with_junk(&s, &[]);
        let mut expected = want.iter().peekable();
        for f in &whole {
            if expected.peek() == Some(&f) {
                expected.next();
            }
        }
        proptest::prop_assert!(
            expected.peek().is_none(),
            "a golden TPKT was lost: {:02x?}",
            expected.peek()
        );
        proptest::prop_assert_eq!(frames_with_junk(&s, &cuts), whole);
    }
}

#[test]
fn golden_tpkts_delimit_themselves() {
    // What makes `junk_never_hides_a_frame` hold: each golden TPKT passes the search's
    // strict header check (version 3, reserved 0, a class 0 TPDU whose length indicator
    // fits), its COTP header decodes clean, and the S7comm or S7comm-plus lengths inside
    // it fill it exactly.
    for v in vectors::ALL {
        let (f, rest) = split_frame(v.bytes).unwrap();
        assert!(rest.is_empty(), "{}", v.name);
        assert_eq!((f.header.version, f.header.reserved), (3, 0), "{}", v.name);
        let t = Tpdu::parse(f.tpdu).unwrap();
        assert!(t.anomalies.is_empty(), "{}: {:?}", v.name, t.anomalies);
        let Tpdu::Data(dt) = t.pdu else {
            continue;
        };
        assert!(dt.eot, "{}", v.name);
        match dt.user_data[0] {
            0x32 => {
                let h = Header::parse(dt.user_data).unwrap();
                let n = h.len() + usize::from(h.param_len) + usize::from(h.data_len);
                assert_eq!(n, dt.user_data.len(), "{}", v.name);
            }
            _ => {
                let p = PlusFrame::parse(dt.user_data).unwrap();
                assert!(
                    !p.anomalies
                        .intersects(Anomalies::PLUS_LENGTH | Anomalies::PLUS_TRAILER),
                    "{}",
                    v.name
                );
            }
        }
    }
}

#[test]
fn junk_is_reported_then_skipped() {
    // HTTP on port 102 before the stream: in sync from the start, its first four bytes
    // read as a TPKT header of 0x2F20 bytes, which holds whole TPKTs: junk. The search
    // then finds the CR.
    let s: Vec<u8> = vectors::ALL.iter().flat_map(|v| v.bytes.to_vec()).collect();
    let http = b"GET / HTTP/1.1\r\nHost: plc\r\n\r\n";
    let mut dirty = http.to_vec();
    dirty.extend_from_slice(&s);
    let mut dec = StreamDecoder::new();
    dec.push(&dirty);
    let (mut frames, mut skipped) = (0, 0);
    loop {
        match dec.next_frame() {
            Ok(Some(_)) => frames += 1,
            Ok(None) => break,
            Err(Error::Junk { skipped: n }) => skipped += n,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(frames, vectors::ALL.len());
    assert_eq!(skipped, http.len());
    assert_eq!(dec.stats().skipped_bytes, http.len() as u64);
    assert_eq!(dec.stats().resyncs, 1);
    // The same in any split.
    let want = frames_with_junk(&s, &[]);
    for cut in 0..=dirty.len() {
        assert_eq!(frames_with_junk(&dirty, &[cut]), want, "split at {cut}");
    }
}

#[test]
fn a_false_length_after_a_frame_is_looked_back_into() {
    // A frame, then a TPKT header whose length (30) ends inside the setup job that follows
    // it: in sync it is taken as a frame, and what follows it is not a TPKT, so the
    // decoder looks back into it, finds the setup job inside and resumes there.
    let v = vectors::SETUP_JOB;
    let mut s = vectors::CR.to_vec();
    s.extend_from_slice(&[3, 0, 0, 30, 2, 0xF0, 0x80]);
    s.extend_from_slice(v);
    s.extend_from_slice(vectors::SETUP_ACK);
    let frames = frames_with_junk(&s, &[]);
    assert_eq!(frames.first().map(Vec::as_slice), Some(vectors::CR));
    assert!(frames.iter().any(|f| f == v), "{frames:02x?}");
    assert_eq!(frames.last().map(Vec::as_slice), Some(vectors::SETUP_ACK));
    for cut in 0..=s.len() {
        assert_eq!(frames_with_junk(&s, &[cut]), frames, "split at {cut}");
    }
}

#[test]
fn a_tpkt_inside_a_write_is_not_a_frame() {
    // A write var whose data is a whole read var TPKT: endpoints frame by the TPKT length,
    // so the PLC writes those bytes to DB1, and so must the decoder frame it. Were a TPKT
    // that holds a whole plausible TPKT always junk, a planted inner read would be what an
    // IDS sees instead of the write.
    let item = AnyItem {
        transport_size: ItemTransportSize::Byte,
        length: vectors::READ_JOB.len() as u16,
        db: 1,
        area: Area::DataBlocks,
        address: BitAddress::new(0, 0),
    };
    let data = DataItem::new(
        ReturnCode::Reserved,
        DataTransportSize::Byte,
        vectors::READ_JOB,
    );
    let write = enc(&frame_of(WriteVarRequest {
        pdu_ref: 9,
        items: &[(item, data)],
    }));
    let mut s = vectors::SETUP_JOB.to_vec();
    s.extend_from_slice(&write);
    s.extend_from_slice(vectors::WRITE_ACK);
    let want = vec![
        vectors::SETUP_JOB.to_vec(),
        write.clone(),
        vectors::WRITE_ACK.to_vec(),
    ];
    for cut in 0..=s.len() {
        assert_eq!(frames_with_junk(&s, &[cut]), want, "split at {cut}");
    }
    // Searching (after a gap) it is found too: the search starts at its first octet.
    let mut dec = StreamDecoder::new();
    dec.push(&[0xAA, 0xBB]);
    dec.gap();
    dec.push(&s);
    let mut got = Vec::new();
    loop {
        match dec.next_frame() {
            Ok(Some(f)) => got.push(f.to_vec()),
            Ok(None) => break,
            Err(_) => {}
        }
    }
    assert_eq!(got, want);
}
