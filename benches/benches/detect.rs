//! otwire-detect throughput: events per second for the single-message matchers alone, for
//! the whole engine (every detector on), and for bytes -> Modbus analyzer -> engine.
//!
//! The corpus is a synthetic plant: 40 clients polling 10 servers (FC 3 / FC 4 / FC 1
//! reads with responses, FC 6 setpoint writes), 1 to 2 s periods with jitter, learned for
//! 10 minutes of event time; the measured batches follow in event time (process values
//! repeat every 60 s, the batch length, so replayed batches stay benign). Every PDU carries
//! link metadata (MACs, TTL), and the engine's stream mixes in the plant's network events
//! (reconnects, ARP chatter, pings: about one event in 35) for the network detectors.
//! The plant is `otwire_benches::detect_plant`; `examples/detect_profile.rs` drives the same
//! engine for instruction counts under callgrind.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use otwire_benches::detect_plant::{T0, config, decode, merge, network, plant};
use otwire_detect::detectors::{ArpWatch, ConformanceCheck, Matchers, NetScan, PathWatch};
use otwire_detect::protocol::modbus::Modbus;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Engine, Event, Meta};

fn bench(c: &mut Criterion) {
    let learn = plant(T0, 600, 1);
    let batch = plant(T0 + 600_000_000, 60, 2);
    let span = 60_000_000u64;
    let mut streams = std::collections::HashMap::new();
    let (mut buf_a, mut buf_b) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let learn_events = decode(&learn, &mut buf_a, &mut streams);
    let pdus = decode(&batch, &mut buf_b, &mut streams);
    let n = pdus.len() as u64;
    // The engine's stream: PDUs and network events.
    let learn_mixed = merge(learn_events, network(T0, 600));
    let mixed = merge(pdus.clone(), network(T0 + 600_000_000, 60));
    eprintln!(
        "engine stream: {} events, {} of them network events",
        mixed.len(),
        mixed.len() - pdus.len()
    );
    let events = pdus;

    let mut g = c.benchmark_group("detect");
    g.throughput(Throughput::Elements(n));

    // Single-message matchers alone (ATT&CK matchers and conformance).
    let mut stateless = Engine::empty(config());
    stateless.add(Box::new(Matchers::new()));
    stateless.add(Box::new(ConformanceCheck::new(&config())));
    stateless.finish_learning();
    let mut shift = 0u64;
    g.bench_function("stateless_matchers", |b| {
        b.iter(|| {
            let mut alerts = 0;
            for ev in &events {
                let e = Event {
                    ts: ev.ts + shift,
                    ..*ev
                };
                alerts += stateless.observe(black_box(&e)).len();
            }
            shift += span;
            alerts
        })
    });

    // Every detector on, after learning, over PDUs and network events.
    let mut engine = Engine::new(config());
    for ev in &learn_mixed {
        engine.observe(ev);
    }
    engine.finish_learning();
    let mut shift = 0u64;
    let mut total_alerts = 0usize;
    g.throughput(Throughput::Elements(mixed.len() as u64));
    g.bench_function("engine_all_detectors", |b| {
        b.iter(|| {
            for ev in &mixed {
                let e = Event {
                    ts: ev.ts + shift,
                    ..*ev
                };
                let out = engine.observe(black_box(&e));
                if total_alerts < 3 && !out.is_empty() {
                    eprintln!("{}", out[0].to_json_line());
                }
                total_alerts += out.len();
            }
            shift += span;
        })
    });
    eprintln!("engine alerts on benign batches: {total_alerts}");

    // The network detectors (scan, arp, path) alone, over the same stream; then every
    // detector but them: what they cost.
    let mut net_only = Engine::empty(config());
    net_only.add(Box::new(NetScan::new(&config())));
    net_only.add(Box::new(ArpWatch::new(&config())));
    net_only.add(Box::new(PathWatch::new(&config())));
    let mut lean = config();
    lean.enable.scan = false;
    lean.enable.arp = false;
    lean.enable.path = false;
    for (name, mut engine) in [
        ("network_detectors_alone", net_only),
        ("engine_without_network_detectors", Engine::new(lean)),
    ] {
        for ev in &learn_mixed {
            engine.observe(ev);
        }
        engine.finish_learning();
        let mut shift = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut alerts = 0;
                for ev in &mixed {
                    let e = Event {
                        ts: ev.ts + shift,
                        ..*ev
                    };
                    alerts += engine.observe(black_box(&e)).len();
                }
                shift += span;
                alerts
            })
        });
    }
    g.throughput(Throughput::Elements(n));

    // Bytes -> analyzer -> engine, as a sensor runs it.
    let mut engine = Engine::new(config());
    let mut sessions = Sessions::<Modbus>::new(Transport::Tcp);
    for r in &learn {
        sessions.feed(r.meta, r.dir, &r.bytes, |ev| {
            engine.observe(ev);
        });
    }
    engine.finish_learning();
    let mut shift = 0u64;
    g.bench_function("bytes_analyzer_engine", |b| {
        b.iter(|| {
            let mut alerts = 0;
            for r in &batch {
                let meta = Meta {
                    ts: r.meta.ts + shift,
                    ..r.meta
                };
                sessions.feed(meta, r.dir, black_box(&r.bytes), |ev| {
                    alerts += engine.observe(ev).len();
                });
            }
            shift += span;
            alerts
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
