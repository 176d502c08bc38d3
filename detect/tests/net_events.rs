//! Network events (DESIGN.md §3 "Network events"): how they are built, what they carry, and
//! that the engine hands them only to detectors that ask for them.

use otwire_detect::net::{Arp, Icmp, Link, NetEvent, TcpOutcome};
use otwire_detect::{
    Config, Detector, Direction, Endpoint, Engine, Event, Family, Flow, Meta, Protocol, Sink,
};

fn meta(ts: u64) -> Meta {
    Meta {
        ts,
        frame: 1,
        flow_id: 0,
        flow: Flow::new(
            Endpoint::v4([10, 0, 0, 9], 40000),
            Endpoint::v4([10, 0, 0, 2], 502),
        ),
        link: Link {
            ip_proto: None,
            src_mac: Some([2, 0, 0, 0, 0, 9]),
            dst_mac: Some([2, 0, 0, 0, 0, 2]),
            ttl: Some(64),
        },
    }
}

#[test]
fn network_event_takes_protocol_and_direction_from_its_kind() {
    let syn = Event::network(meta(1), NetEvent::Tcp(TcpOutcome::Syn));
    assert_eq!(syn.protocol, Protocol::Tcp);
    assert_eq!(syn.direction, Direction::Request);
    assert!(syn.is_network());
    assert_eq!(
        syn.link.ttl,
        Some(64),
        "the link metadata comes from the meta"
    );
    // A refused attempt is the server's RST: a response on the same flow.
    let rst = Event::network(meta(2), NetEvent::Tcp(TcpOutcome::Refused));
    assert_eq!(rst.direction, Direction::Response);
    assert_eq!(rst.src(), meta(2).flow.server);
    let udp = Event::network(meta(3), NetEvent::Udp { len: 0 });
    assert_eq!(udp.protocol, Protocol::Udp);
    let ping = Icmp {
        v6: false,
        kind: 8,
        code: 0,
        quoted: None,
    };
    let ev = Event::network(meta(4), NetEvent::Icmp(ping));
    assert_eq!((ev.protocol, ev.protocol.name()), (Protocol::Icmp, "icmp"));
    assert!(ping.is_echo_request() && !ping.is_echo_reply() && !ping.is_port_unreachable());
    let unreachable = Icmp {
        v6: true,
        kind: 1,
        code: 4,
        quoted: None,
    };
    assert!(unreachable.is_port_unreachable());
    let ip = Endpoint::v4([10, 0, 0, 2], 0).ip;
    let garp = Arp {
        op: Arp::REQUEST,
        sender_mac: [2, 0, 0, 0, 0, 2],
        sender_ip: ip,
        target_mac: [0; 6],
        target_ip: ip,
    };
    assert!(garp.is_gratuitous() && !garp.is_probe());
    let ev = Event::network(meta(5), NetEvent::Arp(garp));
    assert_eq!(ev.protocol, Protocol::Arp);
    assert_eq!(ev.net(), Some(&NetEvent::Arp(garp)));
    // Application events are not network events.
    let app = Event::new(meta(6), Protocol::Modbus, Direction::Request);
    assert!(!app.is_network() && app.net().is_none());
    assert_eq!(app.link, meta(6).link);
}

/// Counts what it is shown; `network` says whether it asks for network events.
struct Counter {
    network: bool,
    seen: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Detector for Counter {
    fn name(&self) -> &'static str {
        if self.network {
            "net_counter"
        } else {
            "app_counter"
        }
    }
    fn family(&self) -> Family {
        Family::Path
    }
    fn network(&self) -> bool {
        self.network
    }
    fn observe(&mut self, _event: &Event<'_>, _sink: &mut Sink) {
        self.seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn engine_hands_network_events_only_to_detectors_that_ask() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (app, net) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut engine = Engine::empty(Config::default());
    engine.add(Box::new(Counter {
        network: false,
        seen: app.clone(),
    }));
    engine.add(Box::new(Counter {
        network: true,
        seen: net.clone(),
    }));
    let events = [
        Event::network(meta(1), NetEvent::Tcp(TcpOutcome::Syn)),
        Event::new(meta(2), Protocol::Modbus, Direction::Request),
        Event::network(meta(3), NetEvent::Udp { len: 4 }),
    ];
    for ev in &events {
        engine.observe(ev);
    }
    assert_eq!(
        app.load(Ordering::Relaxed),
        1,
        "the protocol detector sees the PDU only"
    );
    assert_eq!(
        net.load(Ordering::Relaxed),
        3,
        "the network detector sees everything"
    );
    // The batch path gates the same way, on one thread and on several (64 events and more
    // run the detectors in parallel).
    let many: Vec<&Event<'_>> = events.iter().cycle().take(90).collect();
    engine.observe_batch(&many[..3], 1, |_| {}, |_, _| {});
    assert_eq!(app.load(Ordering::Relaxed), 2);
    assert_eq!(net.load(Ordering::Relaxed), 6);
    engine.observe_batch(&many, 2, |_| {}, |_, _| {});
    assert_eq!(app.load(Ordering::Relaxed), 2 + 30);
    assert_eq!(net.load(Ordering::Relaxed), 6 + 90);
}
