//! The EtherNet/IP hot path allocates nothing once warm: an HMI's SendRRData tag reads and
//! writes (Unconnected Send) and class 1 I/O, bytes -> `Sessions<Enip>::feed` (the ENIP
//! analyzer, its pairing table included) -> `Engine::observe`, counted by a global
//! allocator after 25 minutes (10 learning).
#![cfg(feature = "enip")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/enip.rs"]
mod cip;

use std::alloc::System;

use cip::{io_packet, read_tag, read_tag_reply, reply, unconnected_send, write_tag};
use otwire_detect::protocol::enip::Enip;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Config, Direction, Endpoint, Engine, Flow, Meta, Mode};
use otwire_enip::{Emit, send_rr_data};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const T0: u64 = 1_700_000_000_000_000;
const SEC: u64 = 1_000_000;

/// (time, UDP, flow, direction, bytes).
type Recorded = (u64, bool, Flow, Direction, Vec<u8>);

fn record() -> Vec<Recorded> {
    let hmi = Flow::new(
        Endpoint::v4([10, 0, 0, 2], 49_154),
        Endpoint::v4([10, 0, 0, 10], 44818),
    );
    let io = Flow::new(
        Endpoint::v4([10, 0, 0, 3], 2222),
        Endpoint::v4([10, 0, 0, 10], 2222),
    );
    let mut rec = Vec::new();
    for s in 0..1500u64 {
        let t = T0 + s * SEC;
        // pycomm3 sends one constant sender context.
        let ctx = *b"_pycomm_";
        let (req, rep) = if s % 10 == 0 {
            (
                unconnected_send(&write_tag("Setpoint", 40 + (s % 20) as i32), 0),
                reply(0x4D, 0, &[], &[]),
            )
        } else {
            (
                read_tag("Tank_Level"),
                read_tag_reply(500 + (s % 60) as i32),
            )
        };
        let rr = |cip: &[u8]| send_rr_data(0x42, ctx, cip).to_vec().unwrap();
        rec.push((t, false, hmi, Direction::Request, rr(&req)));
        rec.push((t + 2000, false, hmi, Direction::Response, rr(&rep)));
        for k in 0..2u32 {
            let seq = (s as u32) * 2 + k + 1;
            let at = t + u64::from(k) * 500_000 + 100;
            rec.push((at, true, io, Direction::Request, io_packet(0x11, seq, 1)));
            rec.push((
                at + 10,
                true,
                io,
                Direction::Response,
                io_packet(0x22, seq, 2),
            ));
        }
    }
    rec
}

#[test]
fn enip_sessions_and_engine_allocate_nothing_per_event() {
    let rec = record();
    let config = Config {
        learning_secs: 600,
        ..Config::default()
    };
    let mut engine = Engine::new(config);
    let mut tcp = Sessions::<Enip>::new(Transport::Tcp);
    let mut udp = Sessions::<Enip>::new(Transport::Udp);
    let warm = rec.iter().position(|r| r.0 > T0 + 1200 * SEC).unwrap();
    let mut feed = |i: usize, engine: &mut Engine| {
        let (ts, is_udp, flow, dir, bytes) = &rec[i];
        let meta = Meta {
            link: Default::default(),
            ts: *ts,
            frame: i as u64,
            flow_id: u64::from(*is_udp),
            flow: *flow,
        };
        let sessions = if *is_udp { &mut udp } else { &mut tcp };
        let mut n = 0;
        sessions.feed(meta, *dir, bytes, |ev| {
            assert!(ev.is_parsed());
            n += engine.observe(ev).len();
        });
        n
    };
    for i in 0..warm {
        let _ = feed(i, &mut engine);
    }
    assert_eq!(engine.mode(), Mode::Detecting);
    let region = Region::new(GLOBAL);
    let mut alerts = 0;
    for i in warm..rec.len() {
        alerts += feed(i, &mut engine);
    }
    let stats = region.change();
    let n = rec.len() - warm;
    eprintln!(
        "{n} events, {} allocations, {} reallocations",
        stats.allocations, stats.reallocations
    );
    assert!(n > 1000);
    assert_eq!(alerts, 0);
    assert_eq!(stats.allocations, 0);
    assert_eq!(stats.reallocations, 0);
}
