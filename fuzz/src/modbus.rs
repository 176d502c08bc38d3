//! Modbus fuzz bodies: `parse` (every entry point on arbitrary bytes), `roundtrip` (parse,
//! emit, parse again) and `stream` (arbitrary chunkings through the stream decoders).
//!
//! Shared by `fuzz_targets/modbus_*.rs` (libFuzzer) and by otwire-modbus's
//! `tests/fuzz_corpus.rs`, which replays the committed corpus on stable. Every property is an
//! `assert!`: a failure is a bug in otwire-modbus.

use otwire_modbus::classify::{classify_request, classify_response};
use otwire_modbus::{
    Adu, Anomalies, DEFAULT_CAPACITY_LIMIT, Direction, Emit, EmitError, Error, Frame, LenHint, Pdu,
    Request, Response, RtuFrame, RtuSniffer, StreamDecoder, expected_len, parse_datagram, probe,
    split_frame, split_rtu_frame,
};

const DIRS: [Direction; 2] = [Direction::Request, Direction::Response];

/// Walks every borrowed view of a PDU (register and bit iterators, file records, device
/// objects), its classification and its `Debug` form, so that lazy decoding is exercised.
fn touch(pdu: &Pdu<'_>) -> usize {
    let mut n = 0usize;
    match pdu {
        Pdu::Request(r) => {
            let _ = classify_request(r);
            match *r {
                Request::WriteMultipleCoils { values, .. } => {
                    assert!(values.len() <= values.as_bytes().len() * 8);
                    n += values.iter().filter(|&b| b).count();
                    assert_eq!(values.iter().len(), values.len());
                }
                Request::WriteMultipleRegisters { values, .. }
                | Request::ReadWriteMultipleRegisters { values, .. } => {
                    n += values.iter().map(usize::from).sum::<usize>();
                    assert_eq!(values.iter().count(), values.len());
                }
                Request::ReadFileRecord { requests } => n += requests.count(),
                Request::WriteFileRecord { records } => {
                    n += records.map(|r| r.data.len()).sum::<usize>();
                }
                _ => {}
            }
        }
        Pdu::Response(r) => {
            let _ = classify_response(r);
            let _ = r.exception();
            match *r {
                Response::ReadCoils { values } | Response::ReadDiscreteInputs { values } => {
                    n += values.iter().filter(|&b| b).count();
                    assert_eq!(values.len(), values.as_bytes().len() * 8);
                }
                Response::ReadHoldingRegisters { values }
                | Response::ReadInputRegisters { values }
                | Response::ReadWriteMultipleRegisters { values }
                | Response::ReadFifoQueue { values, .. } => {
                    n += values.iter().map(usize::from).sum::<usize>();
                    assert_eq!(values.iter().count(), values.len());
                }
                Response::ReadFileRecord { responses } => {
                    n += responses.map(|r| r.data.len()).sum::<usize>();
                }
                Response::WriteFileRecord { records } => {
                    n += records.map(|r| r.data.len()).sum::<usize>();
                }
                Response::ReadDeviceIdentification(d) => {
                    n += d.objects.map(|o| o.value.len()).sum::<usize>();
                    let _ = d.more();
                }
                _ => {}
            }
        }
    }
    let _ = pdu.function_code().name();
    n + format!("{pdu:?}").len()
}

/// Checks a frame split off a stream: its PDU is `length - 1` bytes, and it decodes (or
/// fails with a typed error) in both directions.
fn check_frame(frame: &Frame<'_>) {
    assert_eq!(frame.pdu.len() + 1, usize::from(frame.header.length));
    let _ = frame.anomalies();
    let _ = frame.function_code();
    for dir in DIRS {
        match Pdu::parse(frame, dir) {
            Ok(p) => {
                touch(&p.pdu);
                assert_eq!(p.pdu.direction(), dir);
            }
            Err(Error::Incomplete(_)) => panic!("a complete PDU reported Incomplete"),
            Err(_) => {}
        }
    }
}

/// Target `modbus_parse`: every framing and decoding entry point on arbitrary bytes.
pub fn parse(data: &[u8]) {
    let _ = probe(data);
    match split_frame(data) {
        Ok((frame, rest)) => {
            assert_eq!(frame.pdu.len() + 7 + rest.len(), data.len());
            check_frame(&frame);
        }
        Err(Error::Incomplete(_)) => assert!(data.len() < 7 + 65535),
        Err(_) => {}
    }
    if let Ok(frame) = parse_datagram(data) {
        check_frame(&frame);
    }
    if let Ok(rtu) = RtuFrame::parse(data) {
        assert_eq!(rtu.pdu.len() + 3, data.len());
        let _ = rtu.anomalies();
        for dir in DIRS {
            if let Ok(p) = Pdu::parse_pdu(rtu.pdu, dir) {
                touch(&p.pdu);
            }
        }
    }
    for dir in DIRS {
        let hint = expected_len(data, dir);
        match split_rtu_frame(data, dir) {
            Ok((frame, rest)) => {
                assert_eq!(frame.pdu.len() + 3 + rest.len(), data.len());
                assert!(matches!(hint, LenHint::Exact(n) if n == frame.pdu.len() + 3));
            }
            Err(Error::Incomplete(_)) => {
                assert!(!matches!(hint, LenHint::Exact(n) if n <= data.len()));
            }
            Err(_) => {}
        }
        if let Ok(p) = Pdu::parse_pdu(data, dir) {
            touch(&p.pdu);
        }
    }
    match Request::parse(data) {
        Ok(p) => {
            touch(&Pdu::Request(p.pdu));
        }
        Err(e) => assert!(!matches!(e, Error::Incomplete(_))),
    }
    match Response::parse(data) {
        Ok(p) => {
            touch(&Pdu::Response(p.pdu));
        }
        Err(e) => assert!(!matches!(e, Error::Incomplete(_))),
    }
}

/// Emits `pdu`, checking that `emit` writes exactly `buffer_len` bytes and fails cleanly on
/// a short buffer. `None` when a field does not fit its encoding (only possible for inputs
/// far longer than a real PDU).
fn emit<E: Emit>(pdu: &E) -> Option<Vec<u8>> {
    let len = pdu.buffer_len();
    let mut buf = vec![0xA5; len + 3];
    match pdu.emit(&mut buf) {
        Ok(n) => {
            assert_eq!(n, len, "emit wrote other than buffer_len bytes");
            buf.truncate(n);
        }
        Err(EmitError::ValueOutOfRange { .. }) => return None,
        Err(e) => panic!("emit into a large enough buffer failed: {e}"),
    }
    if len > 0 {
        let mut short = vec![0u8; len - 1];
        assert!(
            pdu.emit(&mut short).is_err(),
            "emit into a short buffer succeeded"
        );
    }
    Some(buf)
}

/// Target `modbus_roundtrip`: for both directions, `parse(emit(parse(b))) == parse(b)` with
/// no new anomalies, and `emit(parse(b)) == b` when `b` decoded without anomalies. The same
/// for whole MBAP frames and RTU frames.
pub fn roundtrip(data: &[u8]) {
    for dir in DIRS {
        let Ok(first) = Pdu::parse_pdu(data, dir) else {
            continue;
        };
        let Some(bytes) = (match first.pdu {
            Pdu::Request(r) => emit(&r),
            Pdu::Response(r) => emit(&r),
        }) else {
            continue;
        };
        let again = match Pdu::parse_pdu(&bytes, dir) {
            Ok(p) => p,
            Err(e) => panic!("re-parsing the encoding of {:?} failed: {e}", first.pdu),
        };
        assert_eq!(again.pdu, first.pdu, "parse(emit(x)) != x for {data:02x?}");
        // Encoding rewrites count and length fields from the data actually present, so a
        // truncated or miscounted PDU may come back with other count flags; no other flag
        // may appear.
        let counts =
            Anomalies::TRUNCATED | Anomalies::BYTE_COUNT_MISMATCH | Anomalies::LENGTH_MISMATCH;
        assert!(
            first.anomalies.contains(again.anomalies - counts),
            "encoding added anomalies {:?} to {:?} for {data:02x?}",
            again.anomalies,
            first.anomalies
        );
        if first.anomalies.is_empty() {
            assert_eq!(bytes, data, "emit(parse(b)) != b without anomalies");
        }
    }
    if let Ok((frame, _)) = split_frame(data) {
        let bytes = emit(&frame).unwrap_or_default();
        assert_eq!(
            bytes.get(..),
            data.get(..bytes.len()),
            "MBAP frame re-encoding differs"
        );
        let adu = Adu::new(
            frame.transaction(),
            frame.unit(),
            otwire_modbus::Raw(frame.pdu),
        )
        .with_protocol_id(frame.header.protocol_id);
        assert_eq!(emit(&adu).unwrap_or_default(), bytes);
    }
    if let Ok(rtu) = RtuFrame::parse(data) {
        if let Some(bytes) = emit(&rtu) {
            assert_eq!(bytes == data, rtu.crc_ok(), "RTU re-encoding vs CRC check");
            let again = RtuFrame::parse(&bytes).map(|f| (f.address, f.pdu, f.crc_ok()));
            assert_eq!(again, Ok((rtu.address, rtu.pdu, true)));
        }
    }
}

/// Splits fuzz input into chunk lengths and a byte stream: the first byte says how many of
/// the next bytes are chunk lengths (0-15); the rest is the stream, cut at those lengths
/// (cycled) until it is used up.
fn chunks(data: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let (n, rest) = match data.split_first() {
        Some((&n, rest)) => (usize::from(n % 16), rest),
        None => (0, data),
    };
    let (cuts, stream) = rest.split_at(n.min(rest.len()));
    let mut out = Vec::new();
    let mut left = stream;
    let mut i = 0;
    while !left.is_empty() {
        let len = cuts
            .get(i % cuts.len().max(1))
            .map_or(left.len(), |&c| usize::from(c).max(1));
        let (head, tail) = left.split_at(len.min(left.len()));
        out.push(head);
        left = tail;
        i += 1;
    }
    (out, stream)
}

/// Takes every frame the decoder has; returns them and the number of junk reports. The
/// loop is bounded: each report skips at least one byte.
fn drain(dec: &mut StreamDecoder, frames: &mut Vec<Vec<u8>>, budget: usize) -> usize {
    let mut errors = 0;
    for _ in 0..=budget + 1 {
        match dec.next_frame() {
            Ok(Some(adu)) => {
                let (frame, rest) = match split_frame(&adu) {
                    Ok(f) => f,
                    Err(e) => panic!("StreamDecoder returned a frame split_frame rejects: {e}"),
                };
                assert!(
                    rest.is_empty(),
                    "StreamDecoder returned more than one frame"
                );
                check_frame(&frame);
                frames.push(adu.to_vec());
            }
            Ok(None) => return errors,
            Err(e) => {
                assert!(!matches!(e, Error::Incomplete(_)));
                errors += 1;
            }
        }
    }
    panic!("StreamDecoder::next_frame did not settle within {budget} calls");
}

/// Target `modbus_stream`: the stream decoder yields the same frames and junk reports for
/// any chunking of a stream as for the stream pushed whole, never buffers past its cap, and
/// the RTU sniffer survives any chunking of any bytes.
pub fn stream(data: &[u8]) {
    let (parts, stream) = chunks(data);
    let budget = stream.len() + 1;

    let mut whole = StreamDecoder::new();
    whole.push(stream);
    let mut want = Vec::new();
    let want_errors = drain(&mut whole, &mut want, budget);

    let mut dec = StreamDecoder::new();
    let mut got = Vec::new();
    let mut errors = 0;
    for part in &parts {
        dec.push(part);
        assert!(
            dec.buffered() <= DEFAULT_CAPACITY_LIMIT,
            "buffer past its cap"
        );
        errors += drain(&mut dec, &mut got, budget);
    }
    if stream.len() <= DEFAULT_CAPACITY_LIMIT {
        assert_eq!(got, want, "chunking changed the frames");
        assert_eq!(errors, want_errors, "chunking changed the junk reports");
        assert_eq!(dec.stats(), whole.stats());
    }

    // With a gap at every chunk boundary, whatever comes out is still whole frames.
    let mut gappy = StreamDecoder::with_capacity_limit(300);
    let mut frames = Vec::new();
    for part in &parts {
        gappy.gap();
        gappy.push(part);
        assert!(gappy.buffered() <= 300.max(6 + otwire_modbus::DEFAULT_MAX_LENGTH));
        drain(&mut gappy, &mut frames, budget);
    }

    let mut sniffer = RtuSniffer::new();
    let mut bytes_out = 0usize;
    for part in &parts {
        sniffer.push(part);
        for _ in 0..=budget {
            let Some(f) = sniffer.next_frame() else {
                break;
            };
            bytes_out += f.bytes.len();
            match RtuFrame::parse(&f.bytes) {
                Ok(rtu) => {
                    assert!(rtu.crc_ok(), "the sniffer returned a frame with a bad CRC");
                    if let Some(dir) = f.direction {
                        if let Ok(p) = Pdu::parse_pdu(rtu.pdu, dir) {
                            touch(&p.pdu);
                        }
                    }
                }
                Err(e) => panic!("the sniffer returned a frame RtuFrame rejects: {e}"),
            }
        }
    }
    sniffer.gap();
    let s = sniffer.stats();
    assert_eq!(
        bytes_out as u64 + s.skipped_bytes + s.dropped_bytes,
        stream.len() as u64,
        "the sniffer lost track of bytes"
    );
}
