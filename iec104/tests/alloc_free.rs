//! The parse path allocates nothing: a counting global allocator around framing, APDU and
//! ASDU decoding, object iteration, anomaly checks, classification and encoding.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_iec104::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

/// Counts every allocation of the test binary (stats_alloc wraps the system allocator).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

mod common;

use common::vectors as truncation;

#[test]
fn parse_and_emit_allocate_nothing() {
    let stream = truncation::VECTORS.concat();
    let mut out = [0u8; 256];
    let mut session = session::Session::new(session::SessionConfig::default());
    let region = Region::new(GLOBAL);
    let mut objects = 0usize;
    let mut rest: &[u8] = &stream;
    let mut ts = 0;
    while !rest.is_empty() {
        let (frame, r) = split_frame(rest).unwrap();
        rest = r;
        let p = Apdu::parse(&frame, Params::IEC104).unwrap();
        let _ = p.anomalies.names().count();
        if let Some(asdu) = &p.pdu.asdu {
            for o in asdu.objects() {
                objects += 1;
                let _ = o.element.anomalies();
            }
            let _ = direction_anomalies(&asdu.header, Direction::Monitor);
        }
        let _ = classify::classify(&p.pdu.apci, p.pdu.asdu.as_ref());
        ts += 1000;
        let _ = session.observe(ts, Direction::Control, &p.pdu.apci);
        let n = p.pdu.emit(&mut out).unwrap();
        assert_eq!(&out[..n], frame_bytes(&stream, &frame));
        let _ = probe(&out[..n]);
    }
    let req = Request::single_command(CommonAddress(1), Ioa(7), true, false, None);
    let _ = req
        .i_frame(SeqNum::new(1), SeqNum::new(1))
        .emit(&mut out)
        .unwrap();
    let stats = region.change();
    assert!(objects > 20);
    assert_eq!(
        (stats.allocations, stats.reallocations),
        (0, 0),
        "allocations on the parse path"
    );
}

fn frame_bytes<'a>(stream: &'a [u8], frame: &Frame<'_>) -> &'a [u8] {
    let start = frame.asdu.as_ptr() as usize - stream.as_ptr() as usize - 6;
    &stream[start..start + frame.wire_len()]
}
