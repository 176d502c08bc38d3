//! S7 fuzz bodies: `parse` (every entry point on arbitrary bytes), `roundtrip` (parse, emit,
//! parse again) and `stream` (arbitrary chunkings through `DirectionParser`).
//!
//! Shared by `fuzz_targets/s7_*.rs` (libFuzzer) and by otwire-s7's `tests/fuzz_corpus.rs`,
//! which replays the committed corpus on stable. Every property is an `assert!`: a failure
//! is a bug in otwire-s7.

use otwire_s7::{
    Body, DirectionParser, Emit, Job, Message, Pdu, PlusFrame, PlusSession, Response, SzlAnswer,
    Tpdu, UserdataBody, classify, classify_plus, identify, probe, split_frame,
};

/// Walks every borrowed view of a PDU (items, data items, SZL records, block names) and its
/// classification, so that lazy decoding is exercised.
fn touch(pdu: &Pdu<'_>) -> usize {
    let mut n = 0usize;
    let c = classify(pdu);
    n += c.targets().count();
    match pdu.body {
        Body::Job(Job::ReadVar { items }) => n += items.iter().count(),
        Body::Job(Job::WriteVar { items, data }) => {
            n += items.iter().count();
            for d in data.iter() {
                assert!(d.data.len() <= data.bytes.len());
                n += d.data.len();
            }
        }
        Body::Job(Job::Block { control, .. }) => {
            if let Some(name) = control.filename {
                n += name.to_string().len() + usize::from(name.is_valid());
            }
            n += control.load_memory_len().unwrap_or(0) as usize;
        }
        Body::Job(Job::PiService(pi)) => {
            n += pi.blocks().map(|b| b.to_string().len()).sum::<usize>();
            n += pi.argument().map_or(0, str::len);
        }
        Body::Response(Response::ReadVar { items, .. }) => {
            n += items.iter().map(|d| d.data.len()).sum::<usize>();
        }
        Body::Response(Response::WriteVar { return_codes, .. }) => n += return_codes.iter().count(),
        Body::Userdata(u) => {
            let _ = u.params.subfunction_name();
            match u.body {
                UserdataBody::Szl(a) => {
                    n += a.iter().map(|r| format!("{r:?}").len()).sum::<usize>()
                }
                UserdataBody::CyclicRequest { items, .. } => n += items.iter().count(),
                UserdataBody::CyclicData { items } => n += items.iter().count(),
                UserdataBody::BlockInfoRequest { block } => n += block.to_string().len(),
                _ => {}
            }
        }
        _ => {}
    }
    n + format!("{pdu:?}").len()
}

fn touch_message(m: &Message<'_>) -> usize {
    match m {
        Message::S7comm(p) => touch(p),
        Message::S7commPlus(f) => {
            let mut n = format!("{f:?}").len();
            if let Some(h) = f.pdu() {
                let _ = classify_plus(&h.pdu);
                n += usize::from(h.pdu.created_session().is_some() || h.pdu.starts_tls());
            }
            n
        }
        _ => 0,
    }
}

/// Every entry point on arbitrary bytes: as a stream of TPKTs, as one TSDU, as an S7comm
/// PDU, as an S7comm-plus frame, as an SZL answer; probing.
pub fn parse(data: &[u8]) {
    let _ = probe(data);
    let _ = identify(data);
    let mut rest = data;
    while let Ok((frame, r)) = split_frame(rest) {
        assert_eq!(frame.tpdu.len() + 4, usize::from(frame.header.length));
        assert!(r.len() < rest.len());
        rest = r;
        if let Ok(t) = Tpdu::parse(frame.tpdu) {
            let _ = format!("{:?}", t.pdu);
            if let Tpdu::Data(dt) = t.pdu {
                if let Ok(m) = Message::parse(dt.user_data, false) {
                    touch_message(&m.pdu);
                }
            }
        }
    }
    for tls in [false, true] {
        if let Ok(m) = Message::parse(data, tls) {
            touch_message(&m.pdu);
        }
    }
    if let Ok(p) = PlusFrame::parse(data) {
        let _ = p.pdu.pdu();
    }
    for complete in [false, true] {
        if let Some((a, _)) = SzlAnswer::parse(data, complete) {
            let _ = a.iter().count();
        }
    }
}

/// Encodes `e` into a fresh buffer, checking `emit` writes exactly `buffer_len` bytes.
fn encode(e: &impl Emit) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; e.buffer_len()];
    let n = e.emit(&mut buf).ok()?;
    assert_eq!(n, buf.len());
    Some(buf)
}

/// Parse, emit, parse again: whatever decodes re-encodes into something that decodes to
/// the same body; bytes that decode without a flag re-encode to themselves.
pub fn roundtrip(data: &[u8]) {
    if let Ok(p) = Pdu::parse(data) {
        if let Some(bytes) = encode(&p.pdu) {
            let again = Pdu::parse(&bytes).expect("an emitted PDU parses");
            if p.anomalies.is_empty() {
                assert_eq!(bytes, data, "clean bytes re-encode to themselves");
                assert_eq!(again.pdu, p.pdu);
            } else {
                assert_eq!(again.pdu.header.rosctr, p.pdu.header.rosctr);
                assert_eq!(again.pdu.header.pdu_ref, p.pdu.header.pdu_ref);
            }
        }
    }
    if let Ok(t) = Tpdu::parse(data) {
        if let Some(bytes) = encode(&t.pdu) {
            let again = Tpdu::parse(&bytes).expect("an emitted TPDU parses");
            if t.anomalies.is_empty() {
                assert_eq!(bytes, data);
                assert_eq!(again.pdu, t.pdu);
            }
        }
    }
    if let Ok(f) = PlusFrame::parse(data) {
        if let Some(bytes) = encode(&f.pdu) {
            let again = PlusFrame::parse(&bytes).expect("an emitted frame parses");
            assert_eq!(again.pdu.data, f.pdu.data);
            assert_eq!(again.pdu.trailer, f.pdu.trailer);
        }
    }
}

/// The events of pushing `chunks` through one `DirectionParser`, as text.
fn events<'c>(chunks: impl Iterator<Item = &'c [u8]>) -> Vec<String> {
    let mut dir = DirectionParser::new();
    let mut session = PlusSession::default();
    let mut out = Vec::new();
    for c in chunks {
        dir.push(c, &mut session, |ev| out.push(format!("{ev:?}")));
    }
    out
}

/// The first byte picks a chunk size; the rest is the stream. Any chunking gives the
/// events of the whole stream.
pub fn stream(data: &[u8]) {
    let Some((&k, s)) = data.split_first() else {
        return;
    };
    let size = usize::from(k % 64) + 1;
    let whole = events([s].into_iter());
    assert_eq!(events(s.chunks(size)), whole);
}
