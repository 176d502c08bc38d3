//! Alert aggregation (issue 13 point 4): a storm of one kind against one target becomes a
//! few alerts with counts, sources and a time span; distinct techniques, detectors and
//! targets still alert separately; the table is capped and its evictions still report; open
//! aggregates come out at `Engine::finish`; batches on threads aggregate exactly as event by
//! event. A test detector reports one finding per event, so every count is known.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::IpAddr;

use otwire_detect::config::{AggregateBy, Caps};
use otwire_detect::{
    Alert, Config, Detector, Direction, Endpoint, Engine, Event, Family, Finding, Flow, Meta,
    Protocol, Severity, Sink,
};

const T0: u64 = 1_700_000_000_000_000;
const SEC: u64 = 1_000_000;

/// Reports every event: T0885 by default, T0869 on unit 7; by source on unit 9.
struct Every;
impl Detector for Every {
    fn name(&self) -> &'static str {
        "every"
    }
    fn family(&self) -> Family {
        Family::Conformance
    }
    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let id = if ev.unit == 7 { "T0869" } else { "T0885" };
        let t = otwire_detect::catalog::technique(id).unwrap();
        let f = Finding::new(
            ev,
            t,
            Severity::Medium,
            0.7,
            format!("junk from {}", ev.src()),
        )
        .because("not_protocol");
        sink.report(if ev.unit == 9 { f.by_source() } else { f });
    }
}

/// A second detector with the same finding, to show detectors stay apart.
struct Other;
impl Detector for Other {
    fn name(&self) -> &'static str {
        "other"
    }
    fn family(&self) -> Family {
        Family::Stateless
    }
    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if ev.unit == 3 {
            Every.observe(ev, sink);
        }
    }
}

fn engine(config: Config) -> Engine {
    let mut e = Engine::empty(config);
    e.add(Box::new(Every));
    e.add(Box::new(Other));
    e.finish_learning();
    e
}

/// Client `c` (10.64.x.y, a port of its own) to `server` (10.0.0.s) port `port`.
fn ev(ts: u64, c: u32, server: u8, port: u16, unit: u16) -> Event<'static> {
    let [_, _, a, b] = c.to_be_bytes();
    let meta = Meta {
        link: Default::default(),
        ts,
        frame: u64::from(c) + 1,
        flow_id: u64::from(c),
        flow: Flow::new(
            Endpoint::v4([10, 64, a, b], 1024 + (c % 60_000) as u16),
            Endpoint::v4([10, 0, 0, server], port),
        ),
    };
    Event {
        unit,
        ..Event::new(meta, Protocol::Modbus, Direction::Request)
    }
}

fn run(e: &mut Engine, events: &[Event<'static>]) -> Vec<Alert> {
    let mut out = Vec::new();
    for v in events {
        out.extend(e.observe(v).iter().cloned());
    }
    out.extend(e.finish().iter().cloned());
    out
}

fn v4(a: [u8; 4]) -> IpAddr {
    IpAddr::from(a)
}

/// 1,000 sources each send junk to one PLC within a minute: one alert at once for the
/// first, one aggregate at the end with the other 999, 16 sources listed and the rest
/// counted, first and last seen, the port; the counts add up to the findings.
#[test]
fn storm_against_one_target_is_one_aggregate() {
    let mut e = engine(Config::default());
    let events: Vec<_> = (0..1000)
        .map(|c| ev(T0 + u64::from(c) * 50_000, c, 2, 502, 0))
        .collect();
    let first = e.observe(&events[0]).to_vec();
    assert_eq!(
        first.len(),
        1,
        "the first occurrence is reported as it fires"
    );
    assert!(!first[0].aggregate);
    assert_eq!(first[0].count, 1);
    let mut rest = run(&mut e, &events[1..]);
    assert_eq!(rest.len(), 1, "{rest:#?}");
    let a = rest.remove(0);
    assert!(a.aggregate);
    assert_eq!(a.count, 999);
    assert_eq!(a.technique_id, "T0885");
    assert_eq!(a.detector, "every");
    assert_eq!(a.dst, Endpoint::v4([10, 0, 0, 2], 502));
    assert_eq!(a.first_seen.0, T0 + 50_000);
    assert_eq!(a.last_seen.0, T0 + 999 * 50_000);
    assert_eq!(a.sources.len(), 16);
    assert_eq!(a.sources[0], v4([10, 64, 0, 1]));
    let distinct = a.sources.len() as u64 + a.sources_others;
    // Estimated past the list (a 256-register HyperLogLog: standard error 6.5 %).
    assert!(distinct.abs_diff(999) <= 150, "{distinct}");
    assert_eq!(a.ports, vec![502]);
    assert!(a.summary.starts_with("999 more T0885"), "{}", a.summary);
    let st = e.stats();
    assert_eq!((st.alerts, st.aggregates, st.suppressed), (2, 1, 999));
    // The JSON record carries the aggregate's fields (and a single alert does not).
    let line = a.to_json_line();
    for k in [
        "\"aggregate\":true",
        "\"sources\":[\"10.64.0.1\"",
        "\"first_seen\"",
        "\"ports\":[502]",
    ] {
        assert!(line.contains(k), "{k} in {line}");
    }
    assert!(!first[0].to_json_line().contains("aggregate"));
    assert_eq!(serde_json::from_str::<Alert>(&line).unwrap(), a);
}

/// Different targets (host, unit), techniques and detectors are separate groups: each
/// alerts at once, and each folds its own repeats.
#[test]
fn distinct_attacks_stay_separate() {
    let mut e = engine(Config::default());
    let mut events = Vec::new();
    for c in 0..10u32 {
        let t = T0 + u64::from(c) * SEC;
        events.push(ev(t, c, 2, 502, 0)); // T0885 against 10.0.0.2
        events.push(ev(t, c, 3, 502, 0)); // T0885 against 10.0.0.3
        events.push(ev(t, c, 2, 502, 1)); // T0885 against 10.0.0.2 unit 1
        events.push(ev(t, c, 2, 502, 7)); // T0869 against 10.0.0.2 unit 7
        events.push(ev(t, c, 2, 502, 3)); // both detectors, unit 3
    }
    let out = run(&mut e, &events);
    let now: Vec<_> = out.iter().filter(|a| !a.aggregate).collect();
    let agg: Vec<_> = out.iter().filter(|a| a.aggregate).collect();
    assert_eq!(now.len(), 6, "{now:#?}");
    assert_eq!(agg.len(), 6, "{agg:#?}");
    assert!(agg.iter().all(|a| a.count == 9 && a.sources.len() == 9));
    assert_eq!(out.iter().map(|a| a.count).sum::<u64>(), 60);
    let techniques: Vec<_> = now.iter().map(|a| a.technique_id.as_ref()).collect();
    assert_eq!(techniques.iter().filter(|t| **t == "T0869").count(), 1);
    let detectors: Vec<_> = now.iter().map(|a| a.detector.as_ref()).collect();
    assert_eq!(detectors.iter().filter(|d| **d == "other").count(), 1);
}

/// A finding about what its source does (a scan) is grouped by the source: one source
/// touching 40 hosts on two ports is one alert and one aggregate listing hosts and ports.
#[test]
fn by_source_lists_hosts_and_ports() {
    let mut e = engine(Config::default());
    let events: Vec<_> = (0..40u8)
        .map(|s| {
            ev(
                T0 + u64::from(s) * SEC,
                5,
                100 + s,
                if s % 2 == 0 { 502 } else { 503 },
                9,
            )
        })
        .collect();
    let out = run(&mut e, &events);
    assert_eq!(out.len(), 2, "{out:#?}");
    let a = &out[1];
    assert!(a.aggregate && a.sources.is_empty());
    assert_eq!(a.count, 39);
    assert_eq!(a.hosts.len(), 16);
    assert_eq!(a.hosts[0], v4([10, 0, 0, 101]));
    assert!((a.hosts.len() as u64 + a.hosts_others).abs_diff(39) <= 3);
    assert_eq!(a.ports, vec![503, 502]);
    assert!(a.summary.contains("from 10.64.0.5 to"), "{}", a.summary);
}

/// Windows close on event time: a storm that goes on is one aggregate per window (no
/// second alert at once); after a quiet window the next finding alerts at once again.
#[test]
fn windows_close_on_time() {
    let config = Config {
        suppress_secs: 60,
        ..Config::default()
    };
    let mut e = engine(config);
    // 150 s of one finding a second.
    let storm: Vec<_> = (0..150u32)
        .map(|c| ev(T0 + u64::from(c) * SEC, c, 2, 502, 0))
        .collect();
    let mut out = Vec::new();
    for v in &storm {
        out.extend(e.observe(v).iter().cloned());
    }
    let kinds: Vec<_> = out.iter().map(|a| (a.aggregate, a.count)).collect();
    // At 0 s the alert; at 60 s the aggregate of 1..=59; at 120 s that of 60..=119.
    assert_eq!(kinds, vec![(false, 1), (true, 59), (true, 60)]);
    assert_eq!(out[1].ts.0, T0 + 60 * SEC);
    assert_eq!(out[1].first_seen.0, T0 + SEC);
    assert_eq!(out[1].last_seen.0, T0 + 59 * SEC);
    // 100 s of silence (an unrelated event closes the window holding 120..=149).
    let quiet = e.observe(&ev(T0 + 250 * SEC, 999, 4, 20000, 1)).to_vec();
    assert_eq!(
        quiet
            .iter()
            .map(|a| (a.aggregate, a.count))
            .collect::<Vec<_>>(),
        vec![(true, 30), (false, 1)]
    );
    // The window after that folded nothing: the group is gone and alerts at once again.
    let again = e.observe(&ev(T0 + 400 * SEC, 7, 2, 502, 0)).to_vec();
    assert_eq!(again.len(), 1, "{again:#?}");
    assert!(!again[0].aggregate);
    assert_eq!(e.finish().len(), 0);
}

/// The table is capped: with room for 4 groups, 10 targets attacked in turn evict the
/// oldest groups, whose aggregates come out at once; nothing is lost.
#[test]
fn cap_evicts_and_still_reports() {
    let config = Config {
        caps: Caps {
            alerts: 4,
            ..Caps::default()
        },
        ..Config::default()
    };
    let mut e = engine(config);
    let mut events = Vec::new();
    for s in 0..10u8 {
        for c in 0..5u32 {
            events.push(ev(
                T0 + u64::from(s) * SEC + u64::from(c),
                c,
                10 + s,
                502,
                0,
            ));
        }
    }
    let out = run(&mut e, &events);
    assert_eq!(out.iter().filter(|a| !a.aggregate).count(), 10);
    assert_eq!(out.iter().filter(|a| a.aggregate).count(), 10);
    assert!(out.iter().filter(|a| a.aggregate).all(|a| a.count == 4));
    assert_eq!(out.iter().map(|a| a.count).sum::<u64>(), 50);
    let st = e.stats();
    assert_eq!(st.aggregation.evictions, 6);
    assert!(st.aggregation.len <= 4);
    // The first eviction came out when the fifth target was first attacked.
    let fifth = out
        .iter()
        .position(|a| a.dst.ip_addr() == v4([10, 0, 0, 14]))
        .unwrap();
    assert!(out[fifth - 1].aggregate && out[fifth - 1].dst.ip_addr() == v4([10, 0, 0, 10]));
}

/// `AggregateBy::Pair` keeps each source's findings apart (the grouping before issue 13);
/// a window of 0 turns aggregation off.
#[test]
fn pair_grouping_and_no_window() {
    let events: Vec<_> = (0..20u32)
        .map(|c| ev(T0 + u64::from(c) * SEC, c % 4, 2, 502, 0))
        .collect();
    let mut config = Config::default();
    config.aggregation.by = AggregateBy::Pair;
    let out = run(&mut engine(config), &events);
    assert_eq!(out.iter().filter(|a| !a.aggregate).count(), 4);
    assert_eq!(out.iter().filter(|a| a.aggregate).count(), 4);
    assert!(
        out.iter()
            .filter(|a| a.aggregate)
            .all(|a| a.count == 4 && a.sources.len() == 1)
    );
    let config = Config {
        suppress_secs: 0,
        ..Config::default()
    };
    let out = run(&mut engine(config), &events);
    assert_eq!(out.len(), 20);
    assert!(out.iter().all(|a| !a.aggregate && a.count == 1));
}

/// Batches on threads close windows and fold findings in the order event-by-event
/// observation does; a baseline saved mid-storm reloads into an engine that emits the same
/// aggregate.
#[test]
fn batches_and_reloads_aggregate_identically() {
    let config = Config {
        suppress_secs: 30,
        ..Config::default()
    };
    let events: Vec<_> = (0..500u32)
        .map(|c| {
            ev(
                T0 + u64::from(c) * 200_000,
                c,
                2 + (c % 3) as u8,
                502,
                (c % 11) as u16,
            )
        })
        .collect();
    let one = run(&mut engine(config.clone()), &events);
    for threads in [1, 2, 4] {
        let mut e = engine(config.clone());
        let refs: Vec<_> = events.iter().collect();
        let mut got = Vec::new();
        for chunk in refs.chunks(97) {
            e.observe_batch(chunk, threads, |_| {}, |_, a| got.push(a.clone()));
        }
        got.extend(e.finish().iter().cloned());
        assert_eq!(got, one, "threads {threads}");
    }
    let mut a = engine(config.clone());
    let (head, tail) = events.split_at(250);
    for v in head {
        a.observe(v);
    }
    let saved = a.save_baseline_json().unwrap();
    let mut b = engine(config);
    b.load_baseline_json(&saved).unwrap();
    assert_eq!(run(&mut a, tail), run(&mut b, tail));
}
