//! The hot path allocates nothing: once the plant's flows, signatures and points are known,
//! bytes -> `Sessions<Modbus>::feed` (the Modbus analyzer) -> `Engine::observe` runs without
//! a single heap allocation (counted by a global allocator).
#![cfg(feature = "modbus")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::alloc::System;

use otwire_detect::protocol::modbus::Modbus;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Engine, Meta, Mode};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use support::*;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn engine_and_sessions_allocate_nothing_per_event() {
    // Record 25 minutes of the plant: 10 learning, 15 detecting.
    let mut w = World::new(scenario_config(), 77);
    w.record = Some(Vec::new());
    w.run_until(T0 + 1500 * SEC);
    assert!(w.alerts.is_empty());
    let rec = w.record.take().unwrap();
    let warm = rec.iter().position(|r| r.0 > T0 + 1200 * SEC).unwrap();

    let mut engine = Engine::new(scenario_config());
    let mut sessions = Sessions::<Modbus>::new(Transport::Tcp);
    let feed = |i: usize, engine: &mut Engine, sessions: &mut Sessions<Modbus>| {
        let (ts, flow, dir, bytes) = &rec[i];
        let meta = Meta {
            link: Default::default(),
            ts: *ts,
            frame: i as u64,
            flow_id: 0,
            flow: *flow,
        };
        let mut n = 0;
        sessions.feed(meta, *dir, bytes, |ev| n += engine.observe(ev).len());
        n
    };
    for i in 0..warm {
        assert_eq!(feed(i, &mut engine, &mut sessions), 0);
    }
    assert_eq!(engine.mode(), Mode::Detecting);
    let region = Region::new(GLOBAL);
    let mut alerts = 0;
    for i in warm..rec.len() {
        alerts += feed(i, &mut engine, &mut sessions);
    }
    let stats = region.change();
    let n = rec.len() - warm;
    eprintln!(
        "{n} events, {} allocations, {} reallocations",
        stats.allocations, stats.reallocations
    );
    assert!(n > 2000);
    assert_eq!(alerts, 0);
    assert_eq!(stats.allocations, 0);
    assert_eq!(stats.reallocations, 0);
}
