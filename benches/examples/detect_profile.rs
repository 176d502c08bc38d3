//! The detect bench's `engine_all_detectors` row as a plain program, for instruction counts:
//! learns 10 minutes of the synthetic plant, runs one unmeasured batch (the first batch after
//! learning does one-off work), then `N` measured batches (default 20) through
//! [`measured`], which callgrind can isolate:
//!
//! ```text
//! cargo build --release -p otwire-benches --example detect_profile
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='detect_profile::measured' \
//!     target/release/examples/detect_profile 20
//! ```
//!
//! Instructions per event = the collected total / the events it prints.

use std::hint::black_box;

use otwire_benches::detect_plant::{T0, config, decode, merge, network, plant};
use otwire_detect::{Engine, Event};

/// One batch of `events` shifted `shift` µs later through `engine`; the alerts raised.
#[inline(never)]
fn measured(engine: &mut Engine, events: &[Event<'_>], shift: u64) -> usize {
    let mut alerts = 0;
    for ev in events {
        let e = Event {
            ts: ev.ts + shift,
            ..*ev
        };
        alerts += engine.observe(black_box(&e)).len();
    }
    alerts
}

fn main() {
    let batches: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let learn = plant(T0, 600, 1);
    let batch = plant(T0 + 600_000_000, 60, 2);
    let mut streams = std::collections::HashMap::new();
    let (mut buf_a, mut buf_b) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let learn_events = merge(decode(&learn, &mut buf_a, &mut streams), network(T0, 600));
    let pdus = decode(&batch, &mut buf_b, &mut streams);
    let mixed = merge(pdus, network(T0 + 600_000_000, 60));
    let mut engine = Engine::new(config());
    for ev in &learn_events {
        engine.observe(ev);
    }
    engine.finish_learning();
    let span = 60_000_000u64;
    let mut alerts = warm_up(&mut engine, &mixed);
    for i in 1..=batches {
        alerts += measured(&mut engine, &mixed, i * span);
    }
    println!(
        "{} measured events ({} batches of {}), {alerts} alerts",
        batches * mixed.len() as u64,
        batches,
        mixed.len()
    );
}

/// The first batch after learning, outside the measured function.
#[inline(never)]
fn warm_up(engine: &mut Engine, events: &[Event<'_>]) -> usize {
    events.iter().map(|e| engine.observe(e).len()).sum()
}
