//! The CIP parse path allocates nothing (a counting global allocator around it).
#![allow(clippy::unwrap_used)]

use otwire_enip::cip::body::{ResponseBody, ServiceKind};
use otwire_enip::cip::objects::Attributes;
use otwire_enip::cip::{ConnectionManagerService, Message, MultipleService, classify};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const VECTORS: &[&[u8]] = &[
    // Forward Open (emre_ENIP_CIP-CM.pcap frame 1).
    &[
        0x54, 0x02, 0x20, 0x06, 0x24, 0x01, 0x05, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0x0e, 0x00, 0x01,
        0x00, 0x22, 0xf5, 0x13, 0x00, 0x02, 0, 0, 0, 0x10, 0x27, 0, 0, 0x1a, 0x48, 0x10, 0x27, 0,
        0, 0x1a, 0x28, 0x01, 0x09, 0x34, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x04, 0x24, 0x06,
        0x2c, 0x02, 0x2c, 0x01,
    ],
    // Unconnected Send (plant1 frame 29).
    &[
        0x52, 0x02, 0x20, 0x06, 0x24, 0x01, 0x07, 0xe9, 0x08, 0x00, 0x01, 0x02, 0x20, 0xac, 0x24,
        0x01, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00,
    ],
    // Multiple Service Packet (ndpi_ethernetIP.pcap frame 1).
    &[
        0x0a, 0x02, 0x20, 0x02, 0x24, 0x01, 0x02, 0x00, 0x06, 0x00, 0x12, 0x00, 0x4c, 0x02, 0x20,
        0x72, 0x24, 0x00, 0x00, 0xce, 0x04, 0x00, 0x01, 0x00, 0x4c, 0x02, 0x20, 0x72, 0x24, 0x00,
        0x2c, 0x3d, 0x04, 0x00, 0x01, 0x00,
    ],
    // Read Tag "tag[3]".
    &[
        0x4c, 0x04, 0x91, 0x03, b't', b'a', b'g', 0x00, 0x28, 0x03, 0x01, 0x00,
    ],
    // Identity reply.
    &[
        0x81, 0, 0, 0, 1, 0, 0x0e, 0, 0x36, 0, 0x10, 0x14, 0x60, 0x30, 0x3f, 0x82, 0x51, 0, 3,
        b'a', b'b', b'c',
    ],
];

#[test]
fn parse_path_does_not_allocate() {
    // The harness's own thread may allocate while a region is open on a loaded machine: an
    // allocation of the parse path happens on every pass, so one clean pass of three is
    // the proof.
    let mut counts = Vec::with_capacity(3);
    for _ in 0..3 {
        let (allocations, seen) = pass();
        assert!(seen > 0);
        counts.push(allocations);
    }
    assert!(counts.contains(&0), "{counts:?}");
}

fn pass() -> (usize, usize) {
    let region = Region::new(GLOBAL);
    let mut seen = 0usize;
    for v in VECTORS {
        let m = Message::parse(v).unwrap().pdu;
        match m {
            Message::Request(r) => {
                seen += r.path.segments().count();
                let _ = r.body();
                let _ = classify(&r);
                if let Ok(m) = MultipleService::parse(r.data) {
                    seen += m.pdu.requests().count();
                }
            }
            Message::Response(r) => {
                let _ = Attributes::parse(1, None, r.data);
                let k = ServiceKind::ConnectionManager(ConnectionManagerService::ForwardOpen);
                if let ResponseBody::Data(d) = r.body(k).pdu {
                    seen += d.len();
                }
            }
        }
    }
    (region.change().allocations, seen)
}
