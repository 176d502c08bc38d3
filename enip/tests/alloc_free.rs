//! The parse path allocates nothing (DESIGN.md §2): framing, probing, typing every command,
//! walking every CPF item, I/O packets, and encoding into caller buffers. A counting global
//! allocator watches.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod vectors;

use otwire_enip::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Decodes one message fully and walks everything in it; returns a checksum.
fn walk(bytes: &[u8], reply: bool, out: &mut [u8]) -> usize {
    let d = if reply {
        Direction::Reply
    } else {
        Direction::Request
    };
    let (frame, _) = split_frame(bytes).unwrap();
    let p = Pdu::parse(&frame, d).unwrap();
    let mut sum = p.anomalies.bits() as usize + probe(bytes) as usize;
    if let Some(cpf) = p.pdu.body.cpf() {
        for item in cpf.items() {
            sum += item.type_id().value() as usize;
            if let Item::ListIdentity(id) = item {
                sum += id.product_name_str().map_or(0, str::len);
            }
        }
        sum += cpf.unconnected_data().map_or(0, <[u8]>::len);
    }
    sum + p.pdu.emit(out).unwrap()
}

#[test]
fn parse_walk_and_emit_allocate_nothing() {
    let mut out = [0u8; 1024];
    let vectors: Vec<(Vec<u8>, bool)> = vectors::ALL
        .iter()
        .map(|v| (vectors::hex(v.hex), v.reply))
        .collect();
    let io: Vec<Vec<u8>> = vectors::IO.iter().map(|h| vectors::hex(h)).collect();
    let cip = [0x01u8, 0x02, 0x20, 0x01, 0x24, 0x01];
    // The libtest harness's own thread may allocate while the region is open: an
    // allocation of the parse path happens on every pass, so the path is allocation-free
    // when one of three passes counts none.
    let mut seen = Vec::with_capacity(3);
    for _ in 0..3 {
        let region = Region::new(GLOBAL);
        let mut sum = 0;
        for _ in 0..10 {
            for (b, reply) in &vectors {
                sum += walk(b, *reply, &mut out);
            }
            for b in &io {
                let p = IoPacket::parse(b).unwrap().pdu;
                sum += p.conn_id as usize + p.payload().len();
            }
            sum += send_rr_data(1, [0; 8], &cip).emit(&mut out).unwrap();
            sum += send_unit_data(1, 2, 3, &cip).emit(&mut out).unwrap();
            sum += list_identity().emit(&mut out).unwrap();
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
