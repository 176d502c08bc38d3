//! EtherNet/IP and CIP fuzz bodies: `parse` (every entry point, then the whole CIP decode,
//! on arbitrary bytes), `roundtrip` (parse, emit, parse again where the crate promises
//! canonical bytes) and `stream` (arbitrary chunkings through `StreamDecoder`).
//!
//! Shared by `fuzz_targets/enip_*.rs` (libFuzzer) and by otwire-enip's `tests/fuzz_corpus.rs`,
//! which replays the committed corpus on stable. Every property is an `assert!`: a failure
//! is a bug in otwire-enip.

use otwire_enip::cip::logix::{LogixReply, LogixRequest, ReplyBody, Values};
use otwire_enip::cip::pccc::{PcccReply, PcccRequest};
use otwire_enip::cip::{
    Message, MultipleService, Path, PathBuilder, Request, RequestBody, Response, ResponseBody,
    Segment, ServiceKind, classify,
};
use otwire_enip::{
    Anomalies, Cpf, DEFAULT_CAPACITY_LIMIT, Direction, Emit, Error, Frame, IoPacket, MAX_FRAME_LEN,
    Pdu, StreamDecoder, probe, split_frame,
};

const DIRS: [Direction; 2] = [Direction::Request, Direction::Reply];

/// Encodes `e` into a fresh buffer, checking `emit` writes exactly `buffer_len` bytes.
fn encode(e: &impl Emit) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; e.buffer_len()];
    let n = e.emit(&mut buf).ok()?;
    assert_eq!(n, buf.len(), "emit wrote other than buffer_len bytes");
    Some(buf)
}

/// Walks a path's segments and its accessors.
fn touch_path(p: &Path<'_>) -> usize {
    let mut n = p.segments().count();
    assert!(n <= otwire_enip::cip::MAX_SEGMENTS + 1);
    let _ = p.check();
    n += p.class().unwrap_or(0) as usize & 1;
    let _ = (
        p.instance(),
        p.attribute(),
        p.member(),
        p.connection_point(),
    );
    let _ = (p.symbol(), p.is_symbolic());
    let mut s = String::new();
    assert!(p.write_tag(&mut s).is_ok(), "write_tag into a String fails");
    n + s.len()
}

fn touch_values(v: Values<'_>) -> usize {
    let _ = (v.tag_type(), v.is_whole(), v.whole_elements());
    let mut n = 0;
    for x in v {
        n += format!("{x:?}").len();
        assert!(n <= 64 * v.bytes().len() + 64, "values outgrow their bytes");
    }
    n
}

fn touch_pccc_request(r: &PcccRequest<'_>) -> usize {
    let _ = (
        r.extended_function(),
        r.address(),
        r.is_write(),
        r.is_read(),
    );
    let _ = (r.is_mode_change(), r.is_program_transfer());
    format!("{r:?}").len()
}

fn touch_pccc_reply(r: &PcccReply<'_>) -> usize {
    let _ = r.request_command();
    format!("{r:?}").len()
}

fn touch_logix_reply(r: &LogixReply<'_>) -> usize {
    let _ = r.is_partial();
    match r.body {
        ReplyBody::Data(v) => touch_values(v),
        ReplyBody::InstanceAttributes(l) => {
            let mut e = l.entries(otwire_enip::cip::logix::NAME_AND_TYPE);
            let n = e.by_ref().count();
            n + e.rest().len()
        }
        _ => 0,
    }
}

/// A request's typed body, classification, and what it embeds (depth-bounded).
fn touch_request(r: &Request<'_>, depth: u8) -> usize {
    let mut n = touch_path(&r.path);
    let c = classify(r);
    n += format!("{c:?}").len();
    let kind = r.kind();
    let _ = kind.name();
    let body = r.body();
    match body.pdu {
        RequestBody::MultipleServicePacket(m) => n += touch_msp(&m, true, depth),
        RequestBody::UnconnectedSend(u) => {
            if depth > 0 {
                if let Ok(inner) = u.request() {
                    n += touch_request(&inner.pdu, depth - 1);
                }
            }
            n += format!("{u:?}").len();
        }
        RequestBody::ForwardOpen(f) | RequestBody::LargeForwardOpen(f) => {
            n += touch_path(&f.path);
        }
        RequestBody::Logix(l) => {
            let _ = (l.service(), l.is_write());
            match l {
                LogixRequest::WriteTag { values, .. }
                | LogixRequest::WriteTagFragmented { values, .. } => n += touch_values(values),
                LogixRequest::GetInstanceAttributeList { attributes } => {
                    n += attributes.iter().count();
                }
                _ => {}
            }
        }
        RequestBody::Pccc(p) => n += touch_pccc_request(&p),
        _ => {}
    }
    n + format!("{body:?}").len()
}

/// A response's typed body for `kind`.
fn touch_response(r: &Response<'_>, kind: ServiceKind, depth: u8) -> usize {
    let _ = (r.status(), r.is_success(), r.extended_status());
    let mut n = r.additional_status.count();
    let body = r.body(kind);
    match body.pdu {
        ResponseBody::MultipleServicePacket(m) => n += touch_msp(&m, false, depth),
        ResponseBody::Logix(l) => n += touch_logix_reply(&l),
        ResponseBody::Pccc(p) => n += touch_pccc_reply(&p),
        _ => {}
    }
    n + format!("{body:?}").len()
}

/// The kinds a reply may be read as: every kind a service code resolves to on the paths that
/// change its meaning.
fn kinds(service: u8) -> [ServiceKind; 6] {
    // Class 6 (Connection Manager), class 0x67 (PCCC), class 0x6B (Symbol), a tag, none.
    const CM: &[u8] = &[0x20, 0x06, 0x24, 0x01];
    const PCCC: &[u8] = &[0x20, 0x67, 0x24, 0x01];
    const SYMBOL: &[u8] = &[0x20, 0x6B, 0x24, 0x00];
    const TAG: &[u8] = &[0x91, 0x01, b'T', 0x00];
    const IDENTITY: &[u8] = &[0x20, 0x01, 0x24, 0x01];
    [
        ServiceKind::resolve(service, &Path::padded(CM)),
        ServiceKind::resolve(service, &Path::padded(PCCC)),
        ServiceKind::resolve(service, &Path::padded(SYMBOL)),
        ServiceKind::resolve(service, &Path::padded(TAG)),
        ServiceKind::resolve(service, &Path::padded(IDENTITY)),
        ServiceKind::resolve(service, &Path::padded(&[])),
    ]
}

fn touch_msp(m: &MultipleService<'_>, requests: bool, depth: u8) -> usize {
    let mut n = m.entries().count();
    assert!(n <= usize::from(m.count));
    let _ = m.embedded_anomalies(requests);
    if depth == 0 {
        return n;
    }
    if requests {
        for r in m.requests().flatten() {
            n += touch_request(&r.pdu, depth - 1);
        }
    } else {
        for r in m.replies().flatten() {
            n += touch_response(
                &r.pdu,
                ServiceKind::resolve(r.pdu.service, &Path::padded(&[])),
                depth - 1,
            );
        }
    }
    n
}

/// The whole CIP decode of one message, as a request and as a reply of every kind.
fn touch_cip(b: &[u8]) -> usize {
    let mut n = 0;
    if let Ok(m) = Message::parse(b) {
        match m.pdu {
            Message::Request(r) => n += touch_request(&r, 3),
            Message::Response(r) => {
                for k in kinds(r.service) {
                    n += touch_response(&r, k, 3);
                }
            }
        }
    }
    n
}

/// Walks a PDU: its CPF items, the CIP message it carries.
fn touch_pdu(p: &Pdu<'_>) -> usize {
    let mut n = format!("{p:?}").len();
    if let Some(cpf) = p.body.cpf() {
        for item in cpf.items() {
            let _ = (
                item.type_id(),
                item.anomalies(),
                item.conn_id(),
                item.data(),
            );
            n += 1;
        }
        // Items past the declared count are decoded, and flagged.
        if cpf.items().count() != usize::from(cpf.count) {
            assert!(cpf.anomalies().contains(Anomalies::CPF_COUNT));
        }
        let _ = (
            cpf.address(),
            cpf.conn_id(),
            cpf.data_item(),
            cpf.anomalies(),
        );
    }
    if let Some(c) = p.cip() {
        n += touch_cip(c.bytes);
    }
    n
}

/// Every entry point on arbitrary bytes: as a stream of encapsulation messages (both
/// directions), as a UDP 44818 datagram, as a UDP 2222 I/O packet, as a CPF, and the whole
/// CIP decode of the bytes as a CIP message, a path, Logix and PCCC data.
pub fn parse(data: &[u8]) {
    let _ = probe(data);
    let mut rest = data;
    while let Ok((frame, r)) = split_frame(rest) {
        assert_eq!(frame.data.len(), usize::from(frame.header.length));
        assert!(r.len() < rest.len(), "split_frame took no bytes");
        rest = r;
        for d in DIRS {
            if let Ok(p) = Pdu::parse(&frame, d) {
                touch_pdu(&p.pdu);
            }
        }
    }
    if let Err(Error::Incomplete(_)) = split_frame(rest) {
        assert!(
            rest.len() < MAX_FRAME_LEN,
            "Incomplete past the largest frame"
        );
    }
    for d in DIRS {
        if let Ok((p, r)) = Pdu::split(data, d) {
            assert!(r.len() < data.len());
            touch_pdu(&p.pdu);
        }
        if let Ok(p) = Pdu::from_datagram(data, d) {
            touch_pdu(&p.pdu);
        }
    }
    if let Ok(f) = Frame::from_datagram(data) {
        let _ = f.pdu.anomalies();
    }
    if let Ok(io) = IoPacket::parse(data) {
        let _ = (io.pdu.sequence_count(), io.pdu.payload());
    }
    if let Ok(c) = Cpf::parse(data) {
        let _ = c.pdu.items().count();
    }
    touch_cip(data);
    touch_path(&Path::padded(data));
    touch_path(&Path::packed(data));
    if let Some((&service, rest)) = data.split_first() {
        if let Ok(r) = LogixRequest::parse(service, rest) {
            let _ = format!("{:?}", r.pdu);
        }
        if let Some((&status, rest)) = rest.split_first() {
            if let Ok(r) = LogixReply::parse(service, status, rest) {
                touch_logix_reply(&r.pdu);
            }
        }
    }
    if let Ok(r) = PcccRequest::parse(data) {
        touch_pccc_request(&r.pdu);
    }
    if let Ok(r) = PcccReply::parse(data) {
        touch_pccc_reply(&r.pdu);
    }
}

/// Parse, emit, parse again: whatever decodes re-encodes into something that decodes to
/// the same value; bytes the crate keeps as they were (encapsulation frames, CPF, CIP
/// request and response headers, paths, Multiple Service Packet bodies) re-encode to
/// themselves.
pub fn roundtrip(data: &[u8]) {
    // Encapsulation: every framed message re-encodes to its bytes, in both directions.
    if let Ok((frame, _)) = split_frame(data) {
        let whole = &data[..24 + frame.data.len()];
        assert_eq!(encode(&frame).as_deref(), Some(whole), "Frame re-encodes");
        for d in DIRS {
            let p = Pdu::parse(&frame, d).expect("Pdu::parse never fails");
            let bytes = encode(&p.pdu).expect("a parsed Pdu encodes");
            assert_eq!(bytes, whole, "a parsed Pdu re-encodes to its bytes");
            let (again, _) = Pdu::split(&bytes, d).expect("an emitted Pdu splits");
            assert_eq!(again.pdu, p.pdu);
            assert_eq!(again.anomalies, p.anomalies);
        }
    }
    // CPF and I/O packets keep their bytes.
    if let Ok(c) = Cpf::parse(data) {
        assert_eq!(encode(&c.pdu).as_deref(), Some(data), "Cpf re-encodes");
    }
    if let Ok(io) = IoPacket::parse(data) {
        assert_eq!(
            encode(&io.pdu).as_deref(),
            Some(data),
            "IoPacket re-encodes"
        );
        assert_eq!(IoPacket::parse(data).ok().map(|p| p.pdu), Some(io.pdu));
    }
    // CIP: a request or response whose sizes fit re-encodes to its bytes.
    if let Ok(m) = Message::parse(data) {
        let whole = !m
            .anomalies
            .intersects(Anomalies::PATH_TRUNCATED | Anomalies::STATUS_TRUNCATED);
        if let Some(bytes) = encode(&m.pdu) {
            let again = Message::parse(&bytes).expect("an emitted CIP message parses");
            assert_eq!(again.pdu, m.pdu, "parse(emit(x)) == x");
            if whole {
                assert_eq!(bytes, data, "a whole CIP message re-encodes to its bytes");
            }
        } else {
            assert!(!whole, "a whole CIP message encodes");
        }
        if let Message::Request(r) = m.pdu {
            roundtrip_path(r.path);
            if let RequestBody::MultipleServicePacket(msp) = r.body().pdu {
                assert_eq!(encode(&msp).as_deref(), Some(r.data), "MSP re-encodes");
            }
        }
    }
    roundtrip_path(Path::padded(data));
    roundtrip_path(Path::packed(data));
    // Logix and PCCC bodies: parse(emit(x)) == x.
    if let Some((&service, rest)) = data.split_first() {
        if let Ok(r) = LogixRequest::parse(service, rest) {
            if let Some(bytes) = encode(&r.pdu) {
                let again =
                    LogixRequest::parse(service, &bytes).expect("an emitted request parses");
                assert_eq!(again.pdu, r.pdu, "Logix request round trip");
            }
        }
    }
    if let Ok(r) = PcccRequest::parse(data) {
        if let Some(bytes) = encode(&r.pdu) {
            let again = PcccRequest::parse(&bytes).expect("an emitted PCCC request parses");
            assert_eq!(again.pdu, r.pdu, "PCCC request round trip");
            if r.anomalies.is_empty() {
                assert_eq!(bytes, data, "a clean PCCC request re-encodes to its bytes");
            }
        }
    }
    if let Ok(r) = PcccReply::parse(data) {
        if let Some(bytes) = encode(&r.pdu) {
            let again = PcccReply::parse(&bytes).expect("an emitted PCCC reply parses");
            assert_eq!(again.pdu, r.pdu, "PCCC reply round trip");
        }
    }
}

/// A path without flags re-encodes from its segments to its bytes, and its segments decode
/// back from them.
fn roundtrip_path(p: Path<'_>) {
    assert_eq!(
        encode(&p).as_deref(),
        Some(p.as_bytes()),
        "Path keeps its bytes"
    );
    if !p.check().is_empty() {
        return;
    }
    let segs: Vec<Segment<'_>> = p.segments().collect();
    if segs.iter().any(|s| matches!(s, Segment::Malformed(_))) {
        return;
    }
    let builder = PathBuilder {
        segments: &segs,
        packed: p.is_packed(),
    };
    let bytes = encode(&builder).expect("segments of a clean path encode");
    assert_eq!(
        bytes,
        p.as_bytes(),
        "a clean path re-encodes from its segments"
    );
}

/// Cuts the stream: the first byte says how many cut lengths follow, then the cut lengths
/// (repeated), then the stream.
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

/// Takes every frame the decoder has; returns the junk bytes reported skipped (how junk is
/// split into reports depends on the chunking: a report may come before the bytes that end
/// the junk have arrived). The loop is bounded: each report skips at least one byte.
fn drain(dec: &mut StreamDecoder, frames: &mut Vec<Vec<u8>>, budget: usize) -> usize {
    let mut errors = 0;
    for _ in 0..=budget + 1 {
        match dec.next_frame() {
            Ok(Some(msg)) => {
                let (frame, rest) = match split_frame(&msg) {
                    Ok(f) => f,
                    Err(e) => panic!("StreamDecoder returned a frame split_frame rejects: {e}"),
                };
                assert!(
                    rest.is_empty(),
                    "StreamDecoder returned more than one frame"
                );
                let _ = frame.anomalies();
                frames.push(msg.to_vec());
            }
            Ok(None) => return errors,
            Err(Error::Junk { skipped }) => {
                assert!(skipped > 0, "a junk report skipped nothing");
                errors += skipped;
            }
            Err(e) => panic!("next_frame gave an error other than Junk: {e}"),
        }
    }
    panic!("StreamDecoder::next_frame did not settle within {budget} calls");
}

/// A message of a known command other than NOP that the probe recognises (RegisterSession
/// version 1, SendRRData/SendUnitData interface handle 0 and 1-16 items, options 0) and whose
/// data types without a structural flag (as a request when empty, else as a reply, the way
/// List* messages go): the messages the decoder trusts to enclose others.
fn well_formed(f: &[u8]) -> bool {
    let Ok((frame, _)) = split_frame(f) else {
        return false;
    };
    let dir = if frame.data.is_empty() {
        Direction::Request
    } else {
        Direction::Reply
    };
    let structure = Anomalies::COMMAND_DATA
        | Anomalies::CPF_COUNT
        | Anomalies::CPF_TRUNCATED
        | Anomalies::CPF_ITEM_LENGTH
        | Anomalies::CPF_LAYOUT
        | Anomalies::ENCAP_OPTIONS
        | Anomalies::UNKNOWN_COMMAND;
    frame.header.command != otwire_enip::Command::Nop
        && probe(f) == otwire_enip::Probe::Recognized
        && Pdu::parse(&frame, dir).is_ok_and(|p| !p.anomalies.intersects(structure))
}

/// The frames `split_frame` takes off the front of `s`, one after another.
fn split_all(s: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Ok((f, r)) = split_frame(rest) {
        out.push(rest[..rest.len() - r.len()].to_vec());
        let _ = f;
        rest = r;
    }
    out
}

/// Any chunking gives the frames (and junk reports) of the whole stream; a stream that
/// `split_frame` takes apart wholly gives exactly those frames; `feed` gives what `push` and
/// `next_frame` give; with gaps, whatever comes out is still whole frames.
pub fn stream(data: &[u8]) {
    let (parts, stream) = chunks(data);
    let budget = stream.len() + 1;

    let mut whole = StreamDecoder::new();
    whole.push(stream);
    let mut want = Vec::new();
    let mut want_errors = drain(&mut whole, &mut want, budget);
    let whole_stats = whole.stats();
    whole.finish();
    want_errors += drain(&mut whole, &mut want, budget);

    // The frames split_frame gives on the whole stream, when it takes all of it and every
    // one is well formed, are the decoder's frames. (Where a length frames something
    // implausible, an unknown command with options set, a NOP, data that does not fit its
    // command, the decoder's resynchronising rules may call it junk and find the messages
    // inside it: split_frame trusts every length.)
    let split = split_all(stream);
    if split.iter().map(Vec::len).sum::<usize>() == stream.len()
        && split.iter().all(|f| well_formed(f))
    {
        assert_eq!(want, split, "StreamDecoder and split_frame disagree");
        assert_eq!(want_errors, 0, "junk skipped in a stream of whole frames");
    }

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
    let chunked_stats = dec.stats();
    dec.finish();
    errors += drain(&mut dec, &mut got, budget);
    if stream.len() <= DEFAULT_CAPACITY_LIMIT {
        assert_eq!(got, want, "chunking changed the frames");
        assert_eq!(errors, want_errors, "chunking changed the junk bytes");
        assert_eq!(chunked_stats, whole_stats, "chunking changed the counters");
        assert_eq!(dec.stats(), whole.stats(), "chunking changed the counters");
    }

    // feed gives the same frames as push/next_frame.
    let mut fed = StreamDecoder::new();
    let mut fed_frames = Vec::new();
    let mut fed_errors = 0;
    for part in &parts {
        fed.feed(part, |p| match p {
            otwire_enip::Piece::Frame(f) => fed_frames.push(f.to_vec()),
            otwire_enip::Piece::Buffered(b) => fed_frames.push(b.to_vec()),
            otwire_enip::Piece::Junk(Error::Junk { skipped }) => fed_errors += skipped,
            otwire_enip::Piece::Junk(e) => panic!("feed gave an error other than Junk: {e}"),
        });
    }
    fed.finish();
    fed_errors += drain(&mut fed, &mut fed_frames, budget);
    if stream.len() <= DEFAULT_CAPACITY_LIMIT {
        assert_eq!(fed_frames, want, "feed changed the frames");
        assert_eq!(fed_errors, want_errors, "feed changed the junk bytes");
    }

    // With a gap at every chunk boundary, whatever comes out is still whole frames.
    let mut gappy = StreamDecoder::with_capacity_limit(300);
    let mut frames = Vec::new();
    for part in &parts {
        gappy.gap();
        gappy.push(part);
        assert!(gappy.buffered() <= 300usize.max(MAX_FRAME_LEN));
        drain(&mut gappy, &mut frames, budget);
    }
}
