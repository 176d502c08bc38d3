//! IEC 60870-5-104 fuzz bodies: `parse` (every entry point on arbitrary bytes), `roundtrip`
//! (parse, emit, parse again) and `stream` (arbitrary chunkings through the stream decoder).
//!
//! Shared by `fuzz_targets/iec104_*.rs` (libFuzzer) and by otwire-iec104's
//! `tests/fuzz_corpus.rs`, which replays the committed corpus on stable. Every property is an
//! `assert!`: a failure is a bug in otwire-iec104.

use otwire_iec104::classify::classify;
use otwire_iec104::session::{Session, SessionConfig};
use otwire_iec104::{
    Anomalies, Apci, Apdu, Asdu, AsduBuilder, Direction, Emit, Error, Params, StreamDecoder,
    direction_anomalies, ft12, probe, split_frame,
};

/// Field sizes chosen by one fuzz byte: the 104 default or any 101 combination.
fn params(b: u8) -> Params {
    let cot = 1 + (b & 1);
    let ca = 1 + ((b >> 1) & 1);
    let ioa = 1 + ((b >> 2) % 3);
    if b & 0x80 == 0 {
        Params::IEC104
    } else {
        Params::new(cot, ca, ioa).unwrap_or(Params::IEC104)
    }
}

/// Walks every lazy view of an ASDU; returns the number of objects.
fn touch_asdu(asdu: &Asdu<'_>) -> usize {
    let mut n = 0;
    for o in asdu.objects() {
        let _ = o.element.anomalies();
        assert!(o.element.matches(asdu.header.type_id));
        assert!(o.address.0 <= asdu.params.max_ioa() + u32::from(asdu.header.count));
        n += 1;
    }
    assert!(n <= usize::from(asdu.header.count));
    assert_eq!(n, usize::from(asdu.decodable));
    let _ = direction_anomalies(&asdu.header, Direction::Control);
    let _ = direction_anomalies(&asdu.header, Direction::Monitor);
    let _ = format!(
        "{:?} {} {}",
        asdu, asdu.header.type_id, asdu.header.cot.cause
    );
    n
}

/// Every entry point on arbitrary bytes: APDU framing and decoding, the ASDU alone with any
/// field sizes, FT1.2 framing, probe, classification, the session tracker.
pub fn parse(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let p = params(sel);
    let _ = probe(rest);
    let mut session = Session::new(SessionConfig::default());
    let mut input = rest;
    let mut ts = 0u64;
    while let Ok((frame, r)) = split_frame(input) {
        assert!(r.len() < input.len());
        input = r;
        if let Ok(apdu) = Apdu::parse(&frame, p) {
            if let Some(asdu) = &apdu.pdu.asdu {
                touch_asdu(asdu);
            }
            let _ = classify(&apdu.pdu.apci, apdu.pdu.asdu.as_ref());
            ts += u64::from(sel) * 100_000;
            let dir = if ts & 0x100_000 == 0 {
                Direction::Control
            } else {
                Direction::Monitor
            };
            let _ = session.observe(ts, dir, &apdu.pdu.apci);
            let _ = apdu.anomalies.names().count();
        }
    }
    if let Ok(asdu) = Asdu::parse(rest, p) {
        touch_asdu(&asdu.pdu);
    }
    let link = ft12::LinkParams::new(sel % 3).unwrap_or_default();
    let mut input = rest;
    while let Ok((frame, r)) = ft12::split(input, link) {
        assert!(r.len() < input.len());
        input = r;
        if let Some(Ok(asdu)) = frame.pdu.asdu(p) {
            touch_asdu(&asdu.pdu);
        }
    }
}

/// Parse, emit, parse again: the encoding of what was decoded decodes to the same value,
/// is byte-identical to the input when the input was canonical, and re-encoding the
/// decoded objects gives the original information object bytes.
pub fn roundtrip(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let p = params(sel);
    let mut input = rest;
    while let Ok((frame, r)) = split_frame(input) {
        let wire = &input[..frame.wire_len()];
        input = r;
        let Ok(parsed) = Apdu::parse(&frame, p) else {
            continue;
        };
        let apdu = parsed.pdu;
        let bytes = apdu.to_vec().expect("a decoded APDU encodes");
        assert_eq!(bytes.len(), apdu.buffer_len());
        let (f2, r2) = split_frame(&bytes).expect("an encoded APDU frames");
        assert!(r2.is_empty());
        let again = Apdu::parse(&f2, p).expect("an encoded APDU decodes");
        assert_eq!(again.pdu, apdu);
        let canonical = Apci::from_control(frame.control).1.is_empty()
            && !parsed
                .anomalies
                .intersects(Anomalies::APCI_LENGTH | Anomalies::UNEXPECTED_ASDU);
        if canonical {
            assert_eq!(bytes, wire, "emit(parse(b)) == b");
        }
        if let Some(asdu) = &apdu.asdu {
            check_objects(asdu, parsed.anomalies);
        }
    }
    if let Ok(parsed) = Asdu::parse(rest, p) {
        assert_eq!(parsed.pdu.to_vec().expect("a decoded ASDU encodes"), rest);
        check_objects(&parsed.pdu, parsed.anomalies);
    }
    let link = ft12::LinkParams::new(sel % 3).unwrap_or_default();
    if let Ok((frame, r)) = ft12::split(rest, link) {
        let bytes = frame.pdu.to_vec().expect("a decoded FT1.2 frame encodes");
        let wire = &rest[..rest.len() - r.len()];
        if frame.anomalies.is_empty() {
            assert_eq!(bytes, wire);
        }
        let (again, _) = ft12::split(&bytes, link).expect("an encoded FT1.2 frame decodes");
        assert_eq!(again.pdu, frame.pdu);
    }
}

/// Re-encodes the decoded objects through `AsduBuilder` and compares with the body.
fn check_objects(asdu: &Asdu<'_>, anomalies: Anomalies) {
    let objects: Vec<_> = asdu.objects().collect();
    let b = AsduBuilder {
        header: asdu.header,
        params: asdu.params,
        objects: &objects,
    };
    let complete = !anomalies.intersects(
        Anomalies::TRUNCATED
            | Anomalies::TRAILING_BYTES
            | Anomalies::UNKNOWN_TYPE_ID
            | Anomalies::IOA_OVERFLOW,
    );
    if complete && usize::from(asdu.header.count) == objects.len() {
        let bytes = b.to_vec().expect("decoded objects encode");
        let header_len = asdu.params.header_len();
        assert_eq!(
            &bytes[header_len..],
            asdu.body,
            "objects re-encode to the body"
        );
        let again = Asdu::parse(&bytes, asdu.params).expect("re-encoded ASDU decodes");
        assert_eq!(again.pdu.header, asdu.header);
    } else if let Ok(bytes) = b.to_vec() {
        // Whatever was decodable encodes into an ASDU that decodes to the same objects.
        let again = Asdu::parse(&bytes, asdu.params).expect("re-encoded ASDU decodes");
        let back: Vec<_> = again.pdu.objects().collect();
        assert_eq!(back.len(), objects.len());
        for (x, y) in back.iter().zip(&objects) {
            assert_eq!(x.address, y.address);
            assert_eq!(x.element.encoded_len(), y.element.encoded_len());
        }
    }
}

fn drain(d: &mut StreamDecoder, out: &mut Vec<Vec<u8>>) {
    loop {
        match d.next_frame() {
            Ok(Some(f)) => {
                let (frame, rest) = split_frame(&f).expect("a returned frame splits");
                assert!(rest.is_empty());
                assert_eq!(frame.wire_len(), f.len());
                out.push(f.to_vec());
            }
            Ok(None) => break,
            Err(Error::Junk { skipped }) => assert!(skipped > 0),
            Err(e) => panic!("unexpected stream error {e}"),
        }
    }
}

/// The stream decoder: chunk sizes from the first bytes, then the stream. Any chunking
/// yields the frames of feeding it whole; with gaps and a small capacity it never panics
/// and stays bounded.
pub fn stream(data: &[u8]) {
    if data.len() < 4 {
        return;
    }
    let (sizes, stream) = data.split_at(4);
    let mut whole = Vec::new();
    let mut d = StreamDecoder::new();
    d.push(stream);
    drain(&mut d, &mut whole);
    let mut chunked = Vec::new();
    let mut d = StreamDecoder::new();
    let mut at = 0;
    let mut i = 0;
    while at < stream.len() {
        let n = (usize::from(sizes[i % 4]) % 64 + 1).min(stream.len() - at);
        d.push(&stream[at..at + n]);
        drain(&mut d, &mut chunked);
        at += n;
        i += 1;
    }
    assert_eq!(chunked, whole, "chunking changed the frames");
    // Gaps and a small capacity: bounded, never a panic, every frame well formed.
    let mut d = StreamDecoder::with_capacity_limit(256 + usize::from(sizes[0]));
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < stream.len() {
        let n = (usize::from(sizes[i % 4]) * 3 % 400 + 1).min(stream.len() - at);
        d.push(&stream[at..at + n]);
        if sizes[(i + 1) % 4] & 1 == 1 {
            d.gap();
        }
        assert!(d.buffered() <= 256 + usize::from(sizes[0]).max(255));
        drain(&mut d, &mut out);
        at += n;
        i += 1;
    }
}
