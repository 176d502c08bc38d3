//! DNP3 fuzz bodies (otwire-dnp3): raw parse of every layer, round trips, chunked stream.
//! Also compiled by `dnp3/tests/fuzz_corpus.rs` (via `#[path]`) to replay the corpus on
//! stable.
//!
//! Under `cfg(fuzzing)` CRC checking is off where it would stop the fuzzer (stream
//! plausibility) and round trips compare modulo CRC flags, so mutated frames reach the
//! transport and application layers.

use otwire_dnp3::{
    Anomalies, Apdu, Emit, LinkConfig, LinkFrame, Reassembler, Segment, StreamDecoder,
    TransportFrames, classify, probe, split_frame_with,
};

const CRC_FLAGS: Anomalies = Anomalies::BAD_HEADER_CRC.union(Anomalies::BAD_DATA_CRC);

#[allow(unexpected_cfgs)]
fn link_config() -> LinkConfig {
    if cfg!(fuzzing) {
        LinkConfig::NO_CRC
    } else {
        LinkConfig::LAX
    }
}

/// Walks everything a fragment exposes: headers, points, classification.
fn walk_apdu(bytes: &[u8]) {
    if let Ok(parsed) = Apdu::parse(bytes) {
        let apdu = parsed.pdu;
        let mut n = 0usize;
        for h in apdu.objects {
            let designated = h.count();
            let mut points = 0u64;
            for p in h.points() {
                std::hint::black_box(p);
                points += 1;
            }
            assert!(points <= designated);
            n += 1;
        }
        assert_eq!(n, apdu.objects.len());
        std::hint::black_box(classify(&apdu));
    }
}

/// Raw parse: the input as a sequence of link frames (lax and strict), as a transport
/// segment and as an application fragment.
pub fn dnp3_parse(data: &[u8]) {
    let _ = probe(data);
    for config in [link_config(), LinkConfig::STRICT] {
        let mut rest = data;
        while let Ok((frame, r)) = split_frame_with(rest, config) {
            assert!(r.len() < rest.len());
            rest = r;
            let user = frame.user_data();
            assert_eq!(user.len(), frame.user_data_len());
            assert_eq!(frame.blocks().map(<[u8]>::len).sum::<usize>(), user.len());
            if let Ok(seg) = Segment::parse(&user) {
                walk_apdu(seg.payload);
            }
        }
    }
    walk_apdu(data);
}

/// Round trips: link frames re-encode with fresh CRCs and parse back equal; fragments
/// re-encode byte for byte; a fragment split into frames reassembles to itself.
pub fn dnp3_roundtrip(data: &[u8]) {
    let mut rest = data;
    while let Ok((frame, r)) = split_frame_with(rest, LinkConfig::LAX) {
        rest = r;
        let user = frame.user_data();
        let bytes = LinkFrame {
            header: frame.header,
            user_data: &user,
        }
        .to_vec()
        .unwrap();
        if !frame.anomalies.intersects(CRC_FLAGS) {
            assert_eq!(bytes, frame.raw);
        }
        let (again, tail) = split_frame_with(&bytes, LinkConfig::STRICT).unwrap();
        assert!(tail.is_empty());
        assert_eq!(again.header, frame.header);
        assert_eq!(again.length, frame.length);
        assert_eq!(again.anomalies, frame.anomalies - CRC_FLAGS);
        assert_eq!(again.user_data(), user);
    }

    if let Ok(parsed) = Apdu::parse(data) {
        let bytes = parsed.pdu.to_vec().unwrap();
        assert_eq!(bytes, data);
        let again = Apdu::parse(&bytes).unwrap();
        assert_eq!(again, parsed);
        let mut pos = 2 + if parsed.pdu.iin.is_some() { 2 } else { 0 };
        for h in parsed.pdu.objects {
            let hb = h.to_vec().unwrap();
            assert_eq!(Some(&hb[..]), data.get(pos..pos + hb.len()));
            pos += hb.len();
        }
    }

    // Split into frames and reassemble (§8.2).
    let header = otwire_dnp3::LinkHeader {
        control: otwire_dnp3::LinkControl::primary(
            true,
            otwire_dnp3::PrimaryFunction::UnconfirmedUserData,
            false,
        ),
        destination: otwire_dnp3::Address(10),
        source: otwire_dnp3::Address(1),
    };
    let first_seq = data.first().copied().unwrap_or(0) & 0x3F;
    let frames = TransportFrames {
        header,
        first_seq,
        fragment: data,
    }
    .to_vec()
    .unwrap();
    let mut reasm = Reassembler::new();
    let mut rest = &frames[..];
    let mut out = None;
    while !rest.is_empty() {
        let (frame, r) = split_frame_with(rest, LinkConfig::STRICT).unwrap();
        assert!(frame.anomalies.is_empty());
        rest = r;
        let pushed = reasm.push_frame(&frame);
        assert!(pushed.anomalies.is_empty());
        if let Some(f) = pushed.fragment {
            assert!(out.is_none());
            out = Some(f.data);
        }
    }
    assert_eq!(out.as_deref(), Some(data));
}

/// Chunked stream: the first octet seeds the chunk sizes; the frames must equal those of
/// feeding the stream whole, and each frame parses.
pub fn dnp3_stream(data: &[u8]) {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };
    let config = link_config();
    let collect = |chunks: &mut dyn Iterator<Item = &[u8]>| {
        let mut dec = StreamDecoder::with_capacity_limit(1 << 16).with_config(config);
        let mut reasm = Reassembler::new();
        let mut frames = Vec::new();
        for chunk in chunks {
            dec.push(chunk);
            loop {
                match dec.next_frame() {
                    Ok(Some(f)) => {
                        let (frame, rest) = split_frame_with(&f, config).unwrap();
                        assert!(rest.is_empty());
                        if let Some(fragment) = reasm.push_frame(&frame).fragment {
                            walk_apdu(&fragment.data);
                        }
                        frames.push(f);
                    }
                    Ok(None) => break,
                    Err(_) => {}
                }
            }
        }
        assert!(reasm.in_progress() <= 256);
        frames
    };
    let whole = collect(&mut std::iter::once(stream));
    let size = usize::from(seed % 32) + 1;
    let chunked = collect(&mut stream.chunks(size));
    assert_eq!(whole, chunked);
}
