//! The Logix and PCCC parse paths allocate nothing (DESIGN.md §2): request and reply
//! parsing, walking tag values, instance entries, template members and names, the PCCC
//! classify helpers, and encoding into caller buffers. A counting global allocator
//! watches.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

use otwire_enip::Emit;
use otwire_enip::cip::logix::*;
use otwire_enip::cip::pccc::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

// Write Tag INT[2]; Read Tag reply REAL[2]; Get Instance Attribute List reply; template.
const WRITE_TAG: &[u8] = &[0xC3, 0, 2, 0, 5, 0, 0xFA, 0xFF];
const READ_REPLY: &[u8] = &[0xCA, 0, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0];
const GIAL_REPLY: &[u8] = &[1, 0, 0, 0, 4, 0, b'r', b'a', b't', b'e', 0xC4, 0];
const TEMPLATE: &[u8] = &[0, 0, 0xD3, 0, 0, 0, 0, 0, b'C', b'T', 0, b'A', 0];
// PCCC: a typed logical write of N7:0 and a reply.
const PCCC_REQ: &[u8] = &[
    7, 0x4D, 0, 0, 0, 0, 0, 0x0F, 0, 1, 0, 0xAA, 2, 7, 0x89, 0, 0, 5, 0,
];
const PCCC_REP: &[u8] = &[7, 0x4D, 0, 0, 0, 0, 0, 0x4F, 0, 1, 0];

fn walk(out: &mut [u8]) -> usize {
    let mut sum = 0usize;
    let w = LogixRequest::parse(0x4D, WRITE_TAG).unwrap();
    if let LogixRequest::WriteTag { values, .. } = w.pdu {
        sum += values.count();
    }
    sum += w.pdu.emit(out).unwrap();
    let r = LogixReply::parse(0xCC, 0, READ_REPLY).unwrap();
    sum += r.pdu.values().unwrap().count() + r.pdu.emit(out).unwrap();
    let g = LogixReply::parse(0xD5, 0, GIAL_REPLY).unwrap().pdu;
    if let ReplyBody::InstanceAttributes(l) = g.body {
        sum += l
            .entries(NAME_AND_TYPE)
            .map(|e| e.name.map_or(0, <[u8]>::len))
            .sum::<usize>();
    }
    let t = TemplateDefinition::parse(TEMPLATE, 1).unwrap();
    sum += t.members().count() + t.names().count();
    sum += write_tag_request(TagType::Atomic(DataType::Dint), &[Value::Dint(7)], out).unwrap();
    let p = PcccRequest::parse(PCCC_REQ).unwrap().pdu;
    sum += usize::from(p.is_write()) + usize::from(p.address().unwrap().file_number);
    sum += usize::from(p.is_mode_change()) + usize::from(p.is_program_transfer());
    sum += p.emit(out).unwrap();
    let q = PcccReply::parse(PCCC_REP).unwrap().pdu;
    sum += q.emit(out).unwrap();
    sum
}

#[test]
fn parse_path_allocates_nothing() {
    let mut out = [0u8; 64];
    // Warm up (lazy statics in the test harness), then measure.
    let expect = walk(&mut out);
    let region = Region::new(GLOBAL);
    let got = walk(&mut out);
    let stats = region.change();
    assert_eq!(got, expect);
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
}
