//! Network events (DESIGN.md §3 "Network events") from otscan's packet layer, on generated
//! captures: each TCP opening gives its outcome, an unanswered SYN expires early so that a
//! SYN scan does not fill the flow table, ICMP and ARP become events with what they say,
//! every event carries its packet's MACs and TTL, the events reach detection and the
//! report's `event` hook but never the PDU records or the inventory, and they are the same
//! whatever the thread count.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use otwire_detect::net::{Arp, Icmp, NetEvent, TcpOutcome};
use otwire_detect::{Direction, Endpoint, Event, Protocol};
use otwire_examples::capture::Packet;
use otwire_examples::flow::FlowLimits;
use otwire_examples::pcapw::{
    Flags, Host, LINKTYPE_ETHERNET, PcapWriter, TcpSession, arp_frame, icmp_frame, tcp_frame,
    udp_frame,
};
use otwire_examples::scanner::{Collect, Report, ScanOptions, Scanner};

const CLIENT: Host = Host::new([10, 0, 0, 9]);
const SERVER: Host = Host::new([10, 0, 0, 2]);

const SYN: Flags = Flags {
    syn: true,
    ack: false,
    psh: false,
    fin: false,
    rst: false,
};
const SYN_ACK: Flags = Flags { ack: true, ..SYN };
const RST: Flags = Flags {
    syn: false,
    rst: true,
    ..SYN
};
const RST_ACK: Flags = Flags { ack: true, ..RST };

/// A capture of `frames`, each at its time (µs).
fn pcap(frames: &[(i64, Vec<u8>)]) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET).unwrap();
    for (ts, f) in frames {
        w.packet(*ts, f).unwrap();
    }
    w.into_inner()
}

/// Scans a capture with `threads` threads (more than one: reading on a thread of its own, as
/// otscan does), every event handed to `report`.
fn scan_with<R: Report>(bytes: &[u8], options: ScanOptions, report: R) -> Scanner<R> {
    let mut s = Scanner::new(options, report);
    common::feed(&mut s, bytes);
    s
}

fn scan(bytes: &[u8]) -> Scanner<Collect> {
    scan_with(bytes, ScanOptions::default(), Collect::default())
}

/// The network events' kinds, in order.
fn kinds(s: &Scanner<Collect>) -> Vec<NetEvent> {
    s.report()
        .network
        .iter()
        .map(|e| *e.net().unwrap())
        .collect()
}

fn tcp(o: TcpOutcome) -> NetEvent {
    NetEvent::Tcp(o)
}

#[test]
fn a_refused_attempt_is_syn_then_refused_from_the_server() {
    let bytes = pcap(&[
        (0, tcp_frame(CLIENT, SERVER, 40000, 502, 1000, 0, SYN, &[])),
        (
            200,
            tcp_frame(SERVER, CLIENT, 502, 40000, 0, 1001, RST_ACK, &[]),
        ),
    ]);
    let s = scan(&bytes);
    assert_eq!(kinds(&s), [tcp(TcpOutcome::Syn), tcp(TcpOutcome::Refused)]);
    let [syn, refused] = &s.report().network[..] else {
        panic!()
    };
    let client = Endpoint::v4(CLIENT.ip, 40000);
    let server = Endpoint::v4(SERVER.ip, 502);
    for ev in [syn, refused] {
        assert_eq!((ev.flow.client, ev.flow.server), (client, server));
        assert_eq!(ev.protocol, Protocol::Tcp);
    }
    assert_eq!((syn.frame, syn.direction), (1, Direction::Request));
    assert_eq!((refused.frame, refused.direction), (2, Direction::Response));
    // The RST's own link metadata: the server's MAC as source.
    assert_eq!(refused.link.src_mac, Some(SERVER.mac));
    assert_eq!(refused.link.dst_mac, Some(CLIENT.mac));
    assert_eq!(refused.link.ttl, Some(64));
    // Network events are no PDUs: no record, no protocol count, no asset.
    assert!(s.report().pdus.is_empty());
    assert!(s.stats().protocols.is_empty());
    assert_eq!(s.assets().records().len(), 0);
    assert_eq!(s.stats().network.get("tcp_syn"), Some(&1));
    assert_eq!(s.stats().network.get("tcp_refused"), Some(&1));
}

#[test]
fn a_syn_ack_the_client_resets_is_half_open() {
    let bytes = pcap(&[
        (0, tcp_frame(CLIENT, SERVER, 40000, 502, 1000, 0, SYN, &[])),
        (
            100,
            tcp_frame(SERVER, CLIENT, 502, 40000, 5000, 1001, SYN_ACK, &[]),
        ),
        (
            200,
            tcp_frame(CLIENT, SERVER, 40000, 502, 1001, 0, RST, &[]),
        ),
    ]);
    let s = scan(&bytes);
    assert_eq!(kinds(&s), [tcp(TcpOutcome::Syn), tcp(TcpOutcome::HalfOpen)]);
    assert_eq!(s.report().network[1].frame, 3, "made by the client's RST");
    // Abandoned instead of reset: half-open when the flow ends.
    let s = scan(&pcap(&[
        (0, tcp_frame(CLIENT, SERVER, 40000, 502, 1000, 0, SYN, &[])),
        (
            100,
            tcp_frame(SERVER, CLIENT, 502, 40000, 5000, 1001, SYN_ACK, &[]),
        ),
    ]));
    assert_eq!(kinds(&s), [tcp(TcpOutcome::Syn), tcp(TcpOutcome::HalfOpen)]);
}

#[test]
fn a_connection_closed_without_data_is_established_then_closed_empty() {
    let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET).unwrap();
    let mut c = TcpSession::new(CLIENT, SERVER, 40000, 502);
    c.open(&mut w, 0).unwrap();
    c.close(&mut w, 1000).unwrap();
    let s = scan(&w.into_inner());
    assert_eq!(
        kinds(&s),
        [
            tcp(TcpOutcome::Syn),
            tcp(TcpOutcome::Established),
            tcp(TcpOutcome::ClosedEmpty)
        ]
    );
    let frames: Vec<u64> = s.report().network.iter().map(|e| e.frame).collect();
    assert_eq!(
        frames,
        [1, 3, 4],
        "the SYN, the client's ACK, the first FIN"
    );
}

/// A Modbus connection: handshake, a read of holding registers 0..2 of unit 1 and its
/// answer, and (`close`) FINs.
fn modbus_session(close: bool) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET).unwrap();
    let mut c = TcpSession::new(CLIENT, SERVER, 40000, 502);
    c.open(&mut w, 0).unwrap();
    c.client_send(&mut w, 1000, &[0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2])
        .unwrap();
    c.server_send(&mut w, 2000, &[0, 1, 0, 0, 0, 7, 1, 3, 4, 0, 10, 0, 20])
        .unwrap();
    if close {
        c.close(&mut w, 3000).unwrap();
    }
    w.into_inner()
}

#[test]
fn a_connection_that_carried_a_pdu_is_only_syn_and_established() {
    let s = scan(&modbus_session(true));
    assert_eq!(
        kinds(&s),
        [tcp(TcpOutcome::Syn), tcp(TcpOutcome::Established)]
    );
    assert_eq!(s.report().pdus.len(), 2);
}

#[test]
fn an_unanswered_syn_is_reported_when_it_expires_or_the_input_ends() {
    // At the end of the input.
    let s = scan(&pcap(&[(
        0,
        tcp_frame(CLIENT, SERVER, 40000, 502, 1000, 0, SYN, &[]),
    )]));
    assert_eq!(
        kinds(&s),
        [tcp(TcpOutcome::Syn), tcp(TcpOutcome::Unanswered)]
    );
    // At expiry: the SYN timeout (5 s) has passed at the next packet, 6 s later (an ARP
    // request, which belongs to no flow), before which the attempt is reported.
    let later = arp_frame(CLIENT.mac, [0xff; 6], Arp::REQUEST, CLIENT, SERVER);
    let s = scan(&pcap(&[
        (0, tcp_frame(CLIENT, SERVER, 40000, 502, 1000, 0, SYN, &[])),
        (6_000_000, later),
    ]));
    let got: Vec<(NetEvent, u64)> = s
        .report()
        .network
        .iter()
        .map(|e| (*e.net().unwrap(), e.frame))
        .collect();
    assert!(
        matches!(
            got[..],
            [
                (NetEvent::Tcp(TcpOutcome::Syn), 1),
                (NetEvent::Tcp(TcpOutcome::Unanswered), 2),
                (NetEvent::Arp(_), 2)
            ]
        ),
        "{got:?}"
    );
    // What the table does on its own carries no packet's link metadata.
    assert_eq!(s.report().network[1].link, otwire_detect::Link::NONE);
    assert_eq!(s.stats().flows.expired, 1);
}

#[test]
fn a_syn_scan_of_ten_thousand_ports_keeps_the_table_bounded() {
    // 10,000 ports at 2 ms apart (20 s): even ports refuse, odd ports never answer.
    let mut frames = Vec::with_capacity(15_000);
    for port in 1..=10_000u16 {
        let ts = i64::from(port) * 2000;
        frames.push((ts, tcp_frame(CLIENT, SERVER, 50000, port, 7, 0, SYN, &[])));
        if port % 2 == 0 {
            let rst = tcp_frame(SERVER, CLIENT, port, 50000, 0, 8, RST_ACK, &[]);
            frames.push((ts + 100, rst));
        }
    }
    let options = ScanOptions {
        flows: FlowLimits {
            max_flows: 4096,
            ..FlowLimits::default()
        },
        ..ScanOptions::default()
    };
    let s = scan_with(&pcap(&frames), options, Collect::default());
    let stats = s.stats();
    let count = |k: &str| stats.network.get(k).copied().unwrap_or(0);
    assert_eq!(count("tcp_syn"), 10_000);
    assert_eq!(count("tcp_refused"), 5_000);
    assert_eq!(count("tcp_unanswered"), 5_000);
    // The SYN timeout, not eviction, makes room: 4,096 flows hold the scan's last few
    // seconds (about 3,000 attempts).
    assert_eq!(stats.flows.flows, 10_000);
    assert_eq!(stats.flows.evicted, 0, "{:?}", stats.flows);
    // Unanswered attempts expired before the end (the refused ones were closed already).
    assert!(stats.flows.expired >= 3_000, "{:?}", stats.flows);
    // Without the SYN timeout the same table overflows.
    let options = ScanOptions {
        flows: FlowLimits {
            max_flows: 4096,
            syn_idle_us: 600_000_000,
            ..FlowLimits::default()
        },
        ..ScanOptions::default()
    };
    let s = scan_with(&pcap(&frames), options, Collect::default());
    assert!(s.stats().flows.evicted > 0);
    // An evicted attempt's outcome is made by the table, not by the packet that needed
    // room: it carries no link metadata.
    for e in &s.report().network {
        if e.net() == Some(&NetEvent::Tcp(TcpOutcome::Unanswered)) {
            assert_eq!(e.link, otwire_detect::Link::NONE, "{e:?}");
        }
    }
}

#[test]
fn icmp_echo_and_port_unreachable_with_its_quote() {
    // A UDP datagram to 10.0.0.2:161 and the port unreachable that quotes it.
    let udp = udp_frame(CLIENT, SERVER, 40001, 161, b"x");
    let quoted = udp.get(14..).unwrap().to_vec();
    let bytes = pcap(&[
        (0, icmp_frame(CLIENT, SERVER, 8, 0, [0, 1, 0, 1], b"ping")),
        (100, icmp_frame(SERVER, CLIENT, 0, 0, [0, 1, 0, 1], b"ping")),
        (200, udp),
        (300, icmp_frame(SERVER, CLIENT, 3, 3, [0; 4], &quoted)),
        // Timestamp request (13): neither echo nor error, no event.
        (400, icmp_frame(CLIENT, SERVER, 13, 0, [0; 4], &[0; 12])),
    ]);
    let s = scan(&bytes);
    let icmp: Vec<(Icmp, Endpoint, Endpoint)> = s
        .report()
        .network
        .iter()
        .filter_map(|e| match e.net() {
            Some(NetEvent::Icmp(i)) => Some((*i, e.flow.client, e.flow.server)),
            _ => None,
        })
        .collect();
    let (c, sv) = (Endpoint::v4(CLIENT.ip, 0), Endpoint::v4(SERVER.ip, 0));
    assert_eq!(icmp.len(), 3, "{icmp:?}");
    assert!(icmp[0].0.is_echo_request() && (icmp[0].1, icmp[0].2) == (c, sv));
    assert!(icmp[1].0.is_echo_reply() && (icmp[1].1, icmp[1].2) == (sv, c));
    let unreachable = icmp[2].0;
    assert!(unreachable.is_port_unreachable());
    assert_eq!(
        unreachable.quoted,
        Some((17, Endpoint::v4(SERVER.ip, 0).ip, 161)),
        "UDP to 10.0.0.2:161 was unreachable"
    );
    assert_eq!(s.stats().network.get("icmp_error"), Some(&1));
    assert_eq!(s.stats().other_transport, 1, "the timestamp request");
}

#[test]
fn arp_requests_replies_and_gratuitous_announcements() {
    let broadcast = [0xff; 6];
    let bytes = pcap(&[
        (
            0,
            arp_frame(CLIENT.mac, broadcast, Arp::REQUEST, CLIENT, SERVER),
        ),
        (
            100,
            arp_frame(SERVER.mac, CLIENT.mac, Arp::REPLY, SERVER, CLIENT),
        ),
        // Gratuitous: the server announces its own address.
        (
            200,
            arp_frame(SERVER.mac, broadcast, Arp::REQUEST, SERVER, SERVER),
        ),
    ]);
    let s = scan(&bytes);
    let arps: Vec<(Arp, &Event<'_>)> = s
        .report()
        .network
        .iter()
        .filter_map(|e| match e.net() {
            Some(NetEvent::Arp(a)) => Some((*a, e)),
            _ => None,
        })
        .collect();
    assert_eq!(arps.len(), 3);
    let (request, ev) = arps[0];
    assert_eq!(request.op, Arp::REQUEST);
    assert_eq!(request.sender_mac, CLIENT.mac);
    assert_eq!(request.sender_ip, Endpoint::v4(CLIENT.ip, 0).ip);
    assert_eq!(request.target_ip, Endpoint::v4(SERVER.ip, 0).ip);
    assert_eq!(request.target_mac, [0; 6]);
    assert_eq!(ev.link.dst_mac, Some(broadcast));
    assert_eq!(ev.link.ttl, None, "ARP has no TTL");
    assert_eq!(ev.flow.client, Endpoint::v4(CLIENT.ip, 0));
    assert_eq!(ev.protocol, Protocol::Arp);
    let (reply, _) = arps[1];
    assert_eq!(
        (reply.op, reply.sender_mac, reply.target_mac),
        (Arp::REPLY, SERVER.mac, CLIENT.mac)
    );
    assert!(!request.is_gratuitous() && !reply.is_gratuitous());
    assert!(arps[2].0.is_gratuitous());
    assert_eq!(s.stats().not_ip, 0);
    assert_eq!(s.assets().records().len(), 0, "ARP makes no asset");
}

#[test]
fn an_empty_udp_datagram_to_an_ot_port_is_a_network_event() {
    let bytes = pcap(&[
        // nmap's empty UDP probes to Modbus and DNP3, and to a port of no OT protocol.
        (0, udp_frame(CLIENT, SERVER, 40001, 502, b"")),
        (100, udp_frame(CLIENT, SERVER, 40001, 20000, b"")),
        (200, udp_frame(CLIENT, SERVER, 40001, 161, b"")),
        // A Modbus/UDP request that decodes: no network event.
        (
            300,
            udp_frame(
                CLIENT,
                SERVER,
                40002,
                502,
                &[0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2],
            ),
        ),
    ]);
    let s = scan(&bytes);
    let udp: Vec<(u32, u16)> = s
        .report()
        .network
        .iter()
        .filter_map(|e| match e.net() {
            Some(NetEvent::Udp { len }) => Some((*len, e.flow.server.port)),
            _ => None,
        })
        .collect();
    assert_eq!(udp, [(0, 502), (0, 20000)]);
}

/// Keeps the protocol and link metadata of every event the report is shown.
#[derive(Default)]
struct Links(Vec<(Protocol, otwire_detect::Link)>);

impl Report for Links {
    fn event(&mut self, ev: &Event<'_>) {
        self.0.push((ev.protocol, ev.link));
    }
}

#[test]
fn every_pdu_event_carries_its_packets_macs_and_ttl() {
    let s = scan_with(
        &modbus_session(false),
        ScanOptions::default(),
        Links::default(),
    );
    let modbus: Vec<otwire_detect::Link> = s
        .report()
        .0
        .iter()
        .filter(|(p, _)| *p == Protocol::Modbus)
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(modbus.len(), 2);
    assert_eq!(
        (modbus[0].src_mac, modbus[0].dst_mac, modbus[0].ttl),
        (Some(CLIENT.mac), Some(SERVER.mac), Some(64)),
        "the request, from the client's frame"
    );
    assert_eq!(
        (modbus[1].src_mac, modbus[1].dst_mac),
        (Some(SERVER.mac), Some(CLIENT.mac)),
        "the response, from the server's frame"
    );
}

#[test]
fn sll_captures_give_the_source_mac_only() {
    // Linux cooked capture (LINKTYPE_LINUX_SLL 113) of an ARP reply: packet type, ARPHRD
    // Ethernet, address length 6, the sender's address padded to 8, protocol 0x0806.
    let eth = arp_frame(SERVER.mac, CLIENT.mac, Arp::REPLY, SERVER, CLIENT);
    let mut sll = vec![0, 0, 0, 1, 0, 6];
    sll.extend_from_slice(&SERVER.mac);
    sll.extend_from_slice(&[0, 0, 0x08, 0x06]);
    sll.extend_from_slice(eth.get(14..).unwrap());
    let mut s = Scanner::new(ScanOptions::default(), Collect::default());
    s.packet(&Packet {
        frame: 1,
        ts_us: 0,
        linktype: 113,
        data: &sll,
    });
    s.finish();
    let ev = s.report().network.first().expect("the ARP event");
    assert_eq!(ev.link.src_mac, Some(SERVER.mac));
    assert_eq!(ev.link.dst_mac, None);
}

/// Every kind of network event, mixed with a Modbus session, from several clients.
fn mixed_capture() -> Vec<u8> {
    let mut frames = Vec::new();
    let mut ts = 0i64;
    for i in 0..40u8 {
        let client = Host::new([10, 0, 1, i]);
        let port = [502u16, 102, 20000, 2404, 44818][usize::from(i % 5)];
        ts += 700_000;
        frames.push((ts, tcp_frame(client, SERVER, 41000, port, 9, 0, SYN, &[])));
        match i % 4 {
            0 => frames.push((
                ts + 50,
                tcp_frame(SERVER, client, port, 41000, 0, 10, RST_ACK, &[]),
            )),
            1 => {
                frames.push((
                    ts + 50,
                    tcp_frame(SERVER, client, port, 41000, 77, 10, SYN_ACK, &[]),
                ));
                frames.push((
                    ts + 90,
                    tcp_frame(client, SERVER, 41000, port, 10, 0, RST, &[]),
                ));
            }
            2 => {}
            _ => frames.push((ts + 50, icmp_frame(client, SERVER, 8, 0, [0, 1, 0, i], b""))),
        }
        frames.push((
            ts + 99,
            arp_frame(client.mac, [0xff; 6], Arp::REQUEST, client, SERVER),
        ));
        frames.push((ts + 120, udp_frame(client, SERVER, 41001, 502, b"")));
    }
    let mut w = PcapWriter::new(Vec::new(), LINKTYPE_ETHERNET).unwrap();
    for (t, f) in &frames {
        w.packet(*t, f).unwrap();
    }
    let mut c = TcpSession::new(CLIENT, SERVER, 40000, 502);
    c.open(&mut w, ts + 1000).unwrap();
    for k in 0..20u8 {
        let t = ts + 2000 + i64::from(k) * 1000;
        c.client_send(&mut w, t, &[0, k, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1])
            .unwrap();
        c.server_send(&mut w, t + 300, &[0, k, 0, 0, 0, 5, 1, 3, 2, 0, k])
            .unwrap();
    }
    c.close(&mut w, ts + 30_000).unwrap();
    w.into_inner()
}

#[test]
fn network_events_are_the_same_whatever_the_thread_count() {
    let bytes = mixed_capture();
    let run = |threads| {
        let options = ScanOptions {
            threads,
            ..ScanOptions::default()
        };
        let s = scan_with(&bytes, options, Collect::default());
        let events: Vec<String> = s
            .report()
            .network
            .iter()
            .map(|e| format!("{e:?}"))
            .collect();
        (events, s.report().pdus.len(), s.stats().network)
    };
    let one = run(1);
    assert_eq!(
        one.1, 80,
        "40 Modbus PDUs, and 40 empty datagrams not Modbus on 502"
    );
    // 40 SYNs and their outcomes, 40 ARP requests, 40 empty UDP datagrams, 10 pings, and
    // the Modbus session's opening.
    assert_eq!(one.2.get("tcp_syn"), Some(&41));
    assert_eq!(one.2.get("tcp_refused"), Some(&10));
    assert_eq!(one.2.get("tcp_half_open"), Some(&10));
    assert_eq!(
        one.2.get("tcp_unanswered"),
        Some(&20),
        "10 silent, 10 pinged"
    );
    assert_eq!(one.2.get("arp"), Some(&40));
    assert_eq!(one.2.get("udp_no_message"), Some(&40));
    assert_eq!(one.2.get("icmp_echo_request"), Some(&10));
    for threads in [2, 4] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
}
