//! The parse path allocates nothing (DESIGN.md §2): TPKT framing, COTP, S7comm and
//! S7comm-plus decoding, walking every item, data item and SZL record, classification,
//! probing, and encoding into caller buffers. A counting global allocator watches.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod vectors;

use otwire_s7::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Decodes one TPKT fully and walks everything in it; returns a checksum.
fn walk(bytes: &[u8], out: &mut [u8]) -> usize {
    let mut sum = 0usize;
    let (frame, _) = split_frame(bytes).unwrap();
    let t = Tpdu::parse(frame.tpdu).unwrap();
    sum += t.anomalies.bits() as usize;
    if let Tpdu::ConnectionRequest(c) | Tpdu::ConnectionConfirm(c) = t.pdu {
        sum += c.params.iter().count() + c.tpdu_size().unwrap_or(0);
    }
    let Tpdu::Data(dt) = t.pdu else {
        return sum;
    };
    sum += probe(bytes) as usize;
    let m = Message::parse(dt.user_data, false).unwrap();
    match m.pdu {
        Message::S7comm(p) => {
            let c = classify(&p);
            sum += c.targets().map(|t| t.start as usize).sum::<usize>();
            match p.body {
                Body::Job(Job::ReadVar { items }) => sum += items.iter().count(),
                Body::Job(Job::WriteVar { items, data }) => {
                    sum += items.iter().count() + data.iter().map(|d| d.data.len()).sum::<usize>()
                }
                Body::Job(Job::PiService(pi)) => sum += pi.blocks().count(),
                Body::Response(Response::ReadVar { items, .. }) => {
                    sum += items.iter().map(|d| d.data.len()).sum::<usize>()
                }
                Body::Userdata(u) => {
                    if let UserdataBody::Szl(a) = u.body {
                        sum += a.iter().count();
                    }
                }
                _ => {}
            }
            sum += frame_into(p, out);
        }
        Message::S7commPlus(f) => {
            if let Some(h) = f.pdu() {
                sum += classify_plus(&h.pdu).access as usize;
            }
            sum += frame_into(f, out);
        }
        _ => {}
    }
    sum
}

fn frame_into<P: Emit>(p: P, out: &mut [u8]) -> usize {
    otwire_s7::frame(p).emit(out).unwrap()
}

#[test]
fn parse_walk_classify_and_emit_allocate_nothing() {
    let mut out = [0u8; 1024];
    let item = AnyItem {
        transport_size: ItemTransportSize::Word,
        length: 10,
        db: 5,
        area: Area::DataBlocks,
        address: BitAddress::new(100, 0),
    };
    // The libtest harness's own thread may allocate while the region is open (seen on a
    // loaded machine): an allocation of the parse path happens on every pass, so the path
    // is allocation-free when one of three passes counts none.
    let mut seen = Vec::with_capacity(3);
    for _ in 0..3 {
        let region = Region::new(GLOBAL);
        let mut sum = 0;
        for _ in 0..10 {
            for v in vectors::ALL {
                sum += walk(v.bytes, &mut out);
            }
            sum += Tpkt(ConnectRequest::s7(1, 0, 2)).emit(&mut out).unwrap();
            sum += frame_into(Pdu::setup(1, 480), &mut out);
            sum += frame_into(Pdu::szl_read(1, 0, 0x001C, 0), &mut out);
            sum += frame_into(
                ReadVarRequest {
                    pdu_ref: 1,
                    items: &[item; 20],
                },
                &mut out,
            );
        }
        let stats = region.change();
        assert!(sum > 0);
        if stats.allocations == 0 && stats.reallocations == 0 {
            return;
        }
        seen.push(stats);
    }
    panic!("every pass allocated: {seen:?}");
}
