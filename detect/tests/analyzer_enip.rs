//! The ENIP analyzer: every field of the event, from bytes (encapsulation, CPF, CIP,
//! Logix, PCCC, I/O), on otwire-enip's golden vectors, on messages built with its
//! builders, and on the captures in `$OTWIRE_CAPTURES/enip`.
#![cfg(feature = "enip")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/enip.rs"]
mod cip;
#[path = "../../enip/tests/common/mod.rs"]
mod common;
#[path = "support/conn.rs"]
mod conn;
#[path = "../../enip/tests/vectors/mod.rs"]
mod vectors;

use std::collections::BTreeSet;
use std::net::IpAddr;

use cip::{msp, msp_reply, pccc, read_tag, reply, request, tag, unconnected_send, write_tag};
use conn::Conn;
use otwire_detect::protocol::enip::{
    ENCAP, ENCAP_STATUS, Enip, IO, PCCC_SPACE, PORT, Packet, TAG_SPACE, tag_hash,
};
use otwire_detect::protocol::{Detail, Sessions, Transport};
use otwire_detect::{
    Action, Conformance, Direction, Endpoint, Event, Flow, Marks, Meta, Outcome, Space, Target,
    Values,
};
use otwire_enip::cip::{Path, RequestBody, ResponseBody};
use otwire_enip::{Anomalies, Emit, send_rr_data, send_unit_data};

fn endpoint((ip, port): (IpAddr, u16)) -> Endpoint {
    Endpoint::new(ip, port)
}

/// Every event of a capture, summarised by `f`, TCP and UDP flows oriented by the ENIP
/// ports (44818, else 2222; I/O between two 2222 ports from the lower address).
fn capture_events<T>(name: &str, mut f: impl FnMut(&Event<'_>) -> Option<T>) -> Option<Vec<T>> {
    let dir = common::captures_dir(name)?;
    let file = common::read(&dir.join("enip").join(name));
    let mut tcp = Sessions::<Enip>::new(Transport::Tcp);
    let mut udp = Sessions::<Enip>::new(Transport::Udp);
    let mut reasm = common::Reassembler::default();
    let mut out = Vec::new();
    for rec in common::records(&file) {
        let meta = |src, dst, server_is_dst: bool| {
            let (c, s) = if server_is_dst {
                (src, dst)
            } else {
                (dst, src)
            };
            Meta {
                link: Default::default(),
                ts: rec.frame * 1000,
                frame: rec.frame,
                flow_id: 0,
                flow: Flow::new(endpoint(c), endpoint(s)),
            }
        };
        if let Some(seg) = common::tcp_segment(&rec) {
            let Some(chunk) = reasm.push(&seg, rec.frame) else {
                continue;
            };
            let to_server = seg.dst.1 == PORT;
            let m = meta(seg.src, seg.dst, to_server);
            let d = if to_server {
                Direction::Request
            } else {
                Direction::Response
            };
            tcp.feed(m, d, &chunk.bytes, |ev| out.extend(f(ev)));
        } else if let Some((src, dst, payload)) = common::udp_datagram(&rec) {
            let to_server = if dst.1 == PORT || src.1 == PORT {
                dst.1 == PORT
            } else {
                src.1 != 2222 || (dst.1 == 2222 && src.0 < dst.0)
            };
            let m = meta(src, dst, to_server);
            let d = if to_server {
                Direction::Request
            } else {
                Direction::Response
            };
            udp.feed(m, d, payload, |ev| out.extend(f(ev)));
        }
    }
    Some(out)
}

fn meta(ts: u64) -> Meta {
    Meta {
        link: Default::default(),
        ts,
        frame: 7,
        flow_id: 3,
        flow: Flow::new(
            Endpoint::v4([192, 0, 2, 1], 50_000),
            Endpoint::v4([192, 0, 2, 9], PORT),
        ),
    }
}

fn meta_to(ts: u64, server: [u8; 4], port: u16, client_port: u16) -> Meta {
    Meta {
        link: Default::default(),
        flow: Flow::new(
            Endpoint::v4([192, 0, 2, 1], client_port),
            Endpoint::v4(server, port),
        ),
        ..meta(ts)
    }
}

/// Test bytes that outlive the events borrowing them.
fn leak(b: Vec<u8>) -> &'static [u8] {
    Box::leak(b.into_boxed_slice())
}

fn h(s: &str) -> &'static [u8] {
    leak(vectors::hex(s))
}

fn rr(ctx: u8, cip: &[u8]) -> &'static [u8] {
    leak(
        send_rr_data(0x42, [ctx, 0, 0, 0, 0, 0, 0, 0], cip)
            .to_vec()
            .unwrap(),
    )
}

/// The one event of `bytes` sent in `dir` at `ts` (its scratch lives as long as the test).
fn send(a: &mut Conn<Enip>, ts: u64, dir: Direction, bytes: &'static [u8]) -> Event<'static> {
    let scratch: &'static mut Vec<u8> = Box::leak(Box::default());
    a.one(scratch, meta(ts), dir, bytes)
}

/// A SendRRData request with sender context `ctx` carrying `cip`: its one event.
fn ask(a: &mut Conn<Enip>, ts: u64, ctx: u8, cip: &[u8]) -> Event<'static> {
    send(a, ts, Direction::Request, rr(ctx, cip))
}

/// A SendRRData reply with sender context `ctx` carrying `cip`: its one event.
fn answer(a: &mut Conn<Enip>, ts: u64, ctx: u8, cip: &[u8]) -> Event<'static> {
    send(a, ts, Direction::Response, rr(ctx, cip))
}

/// The triad of the tests' connections: vendor 1, originator serial 0x12345678.
fn triad(serial: u16) -> Vec<u8> {
    cip::triad(serial, 1, 0x1234_5678)
}

fn detail<'a>(ev: &'a Event<'_>) -> &'a otwire_detect::protocol::enip::Message<'a> {
    ev.enip().expect("an ENIP detail")
}

#[test]
fn list_identity_is_baselined_discovery_and_its_reply_too() {
    let mut a = Conn::<Enip>::tcp();
    let ev = send(&mut a, 1, Direction::Request, h(vectors::LIST_IDENTITY_REQ));
    // ENCAP | command 0x63.
    assert_eq!(ev.function, ENCAP | 0x63);
    assert_eq!(ev.action, Action::Discovery);
    assert!(ev.marks.contains(Marks::BASELINED));
    assert!(ev.conformance.is_empty());
    // nmap's sender context 00 00 00 00 c1 de be d1: the low 32 bits are 0.
    assert_eq!(ev.transaction, Some(0));
    let ev = send(
        &mut a,
        2,
        Direction::Response,
        h(vectors::LIST_IDENTITY_REPLY),
    );
    assert_eq!(ev.function, ENCAP | 0x63);
    assert_eq!(ev.outcome, Outcome::Ok);
    let m = detail(&ev);
    assert!(matches!(m.packet, Packet::Pdu(_)));
    assert!(m.cip.is_none() && m.anomalies.is_empty());
}

#[test]
fn sessions_and_list_services_are_session_upkeep_and_discovery() {
    let mut a = Conn::<Enip>::tcp();
    let ev = send(&mut a, 1, Direction::Request, h(vectors::LIST_SERVICES_REQ));
    assert_eq!((ev.function, ev.action), (ENCAP | 0x04, Action::Discovery));
    let ev = send(&mut a, 2, Direction::Request, h(vectors::REGISTER_REQ));
    assert_eq!((ev.function, ev.action), (ENCAP | 0x65, Action::Other));
    assert!(ev.marks.contains(Marks::SESSION));
    let ev = send(&mut a, 3, Direction::Response, h(vectors::REGISTER_REPLY));
    assert!(ev.marks.contains(Marks::SESSION));
    assert_eq!(detail(&ev).pdu().unwrap().header.session, 1);
}

#[test]
fn an_encapsulation_error_status_is_an_exception() {
    let mut a = Conn::<Enip>::tcp();
    let mut b = h(vectors::REGISTER_REPLY).to_vec();
    b[8] = 0x69; // status: unsupported protocol revision
    let ev = send(&mut a, 1, Direction::Response, leak(b));
    assert_eq!(ev.outcome, Outcome::Exception(ENCAP_STATUS | 0x69));
}

#[test]
fn unconnected_send_is_unwrapped_and_its_route_slot_is_the_unit() {
    let mut a = Conn::<Enip>::tcp();
    // plant1 frame 29: Get Attributes All of class 0xAC instance 1, routed to port 1 slot 0.
    let ev = send(&mut a, 1, Direction::Request, h(vectors::SEND_RR_PLANT1));
    assert_eq!(ev.function, 0x01);
    assert_eq!(ev.sub_function, Some(0x52));
    assert_eq!(ev.unit, 0);
    assert_eq!(ev.action, Action::Read);
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::Other(0xAC), 1 << 16, 1)]
    );
    let m = detail(&ev);
    assert!(matches!(m.request(), Some(RequestBody::UnconnectedSend(_))));
    assert_eq!(m.embedded, 1);
    assert_eq!(m.decided.unwrap().class, Some(0xAC));
    // Built: a Write Tag to slot 3.
    let us = unconnected_send(&write_tag("Speed", 7), 3);
    let ev = ask(&mut a, 2, 9, &us);
    assert_eq!(
        (ev.unit, ev.function, ev.sub_function),
        (3, 0x4D, Some(0x52))
    );
    assert_eq!(ev.action, Action::Write);
    assert_eq!(ev.values, Values::Single(7));
    let path = tag("Speed");
    let t = Target::new(Space::Other(TAG_SPACE), tag_hash(&Path::padded(&path)), 1);
    assert_eq!(ev.targets.as_slice(), &[t]);
    // The reply comes back unwrapped and takes the request's fields.
    let ev = answer(&mut a, 3, 9, &reply(0x4D, 0, &[], &[]));
    assert_eq!(
        (ev.unit, ev.function, ev.sub_function),
        (3, 0x4D, Some(0x52))
    );
    assert_eq!(ev.action, Action::Write);
    assert_eq!(ev.targets.as_slice(), &[t]);
    assert!(detail(&ev).answers.is_some_and(|p| p.routed));
}

#[test]
fn a_write_inside_a_multiple_service_packet_decides_the_event() {
    let mut a = Conn::<Enip>::tcp();
    let batch = msp(&[read_tag("A"), write_tag("B", -5), read_tag("C")]);
    let ev = ask(&mut a, 1, 1, &batch);
    assert_eq!((ev.function, ev.sub_function), (0x4D, Some(0x0A)));
    assert_eq!(ev.action, Action::Write);
    assert_eq!(ev.values, Values::Single(-5));
    let m = detail(&ev);
    assert_eq!(m.embedded, 3);
    assert!(matches!(
        m.request(),
        Some(RequestBody::MultipleServicePacket(_))
    ));
    assert!(matches!(m.deciding_body(), Some(RequestBody::Logix(_))));
    // The reply (three embedded replies) is paired: the write's fields.
    let mut rd = reply(0x4C, 0, &[], &[0xC4, 0]);
    rd.extend(1i32.to_le_bytes());
    let replies = msp_reply(&[rd.clone(), reply(0x4D, 0, &[], &[]), rd]);
    let ev = answer(&mut a, 2, 1, &replies);
    assert_eq!((ev.function, ev.action), (0x4D, Action::Write));
    assert!(matches!(
        detail(&ev).response(),
        Some(ResponseBody::MultipleServicePacket(_))
    ));
    assert!(ev.conformance.is_empty(), "{:?}", ev.conformance);
    // The write refused inside the packet (privilege violation 0x0F, the packet's status
    // 0x1E embedded service error): the event's outcome is the write's.
    ask(&mut a, 3, 2, &batch);
    let mut rd = reply(0x4C, 0, &[], &[0xC4, 0]);
    rd.extend(1i32.to_le_bytes());
    let mut replies = msp_reply(&[rd.clone(), reply(0x4D, 0x0F, &[], &[]), rd]);
    replies[2] = 0x1E;
    let ev = answer(&mut a, 4, 2, &replies);
    assert_eq!(ev.outcome, Outcome::Exception(0x0F00));
    // Reads only: the first decides, and its reply's value is the event's.
    ask(&mut a, 5, 3, &msp(&[read_tag("A"), read_tag("C")]));
    let mut r1 = reply(0x4C, 0, &[], &[0xC4, 0]);
    r1.extend(77i32.to_le_bytes());
    let mut r2 = reply(0x4C, 0, &[], &[0xC4, 0]);
    r2.extend(88i32.to_le_bytes());
    let ev = answer(&mut a, 6, 3, &msp_reply(&[r1, r2]));
    assert_eq!((ev.action, ev.values), (Action::Read, Values::Single(77)));
}

#[test]
fn a_read_tag_reply_carries_its_value_and_a_failure_its_status() {
    let mut a = Conn::<Enip>::tcp();
    ask(&mut a, 1, 1, &read_tag("Level"));
    let mut d = vec![0xC4, 0x00];
    d.extend(1234i32.to_le_bytes());
    let ev = answer(&mut a, 2, 1, &reply(0x4C, 0, &[], &d));
    assert_eq!((ev.action, ev.values), (Action::Read, Values::Single(1234)));
    ask(&mut a, 3, 2, &read_tag("Nope"));
    // General status 0x05 (path destination unknown), extended 0x0000.
    let ev = answer(&mut a, 4, 2, &reply(0x4C, 0x05, &[0], &[]));
    assert_eq!(ev.outcome, Outcome::Exception(0x0500));
}

#[test]
fn set_attribute_single_is_a_write_with_its_value() {
    let mut a = Conn::<Enip>::tcp();
    let sas = request(
        0x10,
        &[0x20, 0xF5, 0x24, 0x01, 0x30, 0x03],
        &[0x02, 0x00, 0x00, 0x00],
    );
    let ev = ask(&mut a, 1, 1, &sas);
    assert_eq!((ev.function, ev.action), (0x10, Action::Write));
    assert_eq!(ev.values, Values::Single(2));
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::Other(0xF5), 1 << 16 | 3, 1)]
    );
}

#[test]
fn identity_reads_reset_and_browsing() {
    let mut a = Conn::<Enip>::tcp();
    let gaa = request(0x01, &[0x20, 0x01, 0x24, 0x01], &[]);
    let ev = ask(&mut a, 1, 1, &gaa);
    assert_eq!(ev.action, Action::Discovery);
    assert!(ev.marks.contains(Marks::BASELINED));
    assert!(!ev.marks.contains(Marks::READS_DEVICE_STATE));
    let status = request(0x0E, &[0x20, 0x01, 0x24, 0x01, 0x30, 0x05], &[]);
    let ev = ask(&mut a, 2, 2, &status);
    assert!(ev.marks.contains(Marks::READS_DEVICE_STATE));
    let reset = request(0x05, &[0x20, 0x01, 0x24, 0x01], &[0]);
    let ev = ask(&mut a, 3, 3, &reset);
    assert_eq!(ev.action, Action::Restart);
    let browse = request(0x55, &[0x20, 0x6B, 0x24, 0x00], &[2, 0, 1, 0, 2, 0]);
    let ev = ask(&mut a, 4, 4, &browse);
    assert_eq!(ev.action, Action::Discovery);
    assert!(ev.marks.contains(Marks::BASELINED));
    let stop = request(0x07, &[0x20, 0x8E, 0x24, 0x01], &[]);
    let ev = ask(&mut a, 5, 5, &stop);
    assert_eq!(ev.action, Action::ModeChange);
}

#[test]
fn pccc_reads_are_file_targets_and_change_mode_a_mode_change() {
    let mut a = Conn::<Enip>::tcp();
    // Protected typed logical read with 3 address fields (0xA2): 4 bytes of N7:2.
    let ev = ask(&mut a, 1, 1, &pccc(0xA2, &[4, 7, 0x89, 2, 0]));
    assert_eq!(ev.action, Action::Read);
    assert!(ev.marks.contains(Marks::VENDOR));
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::Other(PCCC_SPACE | 0x89), 7 << 16 | 2, 4)]
    );
    let ev = ask(&mut a, 2, 2, &pccc(0x80, &[1]));
    assert_eq!(ev.action, Action::ModeChange);
}

#[test]
fn forward_open_and_close_keep_the_connection_table() {
    let mut a = Conn::<Enip>::tcp();
    let ev = ask(
        &mut a,
        1,
        1,
        &cip::forward_open(&triad(7), 0x22, 100_000, 0x01),
    );
    assert!(ev.marks.contains(Marks::SESSION));
    let c = detail(&ev).connection.unwrap();
    assert_eq!(
        (c.to_id, c.to_rpi, c.class(), c.established),
        (0x22, 100_000, 1, false)
    );
    let mut d = 0x11u32.to_le_bytes().to_vec();
    d.extend(0x22u32.to_le_bytes());
    d.extend(triad(7));
    d.extend(90_000u32.to_le_bytes());
    d.extend(90_000u32.to_le_bytes());
    d.extend([0, 0]);
    let ev = answer(&mut a, 2, 1, &reply(0x54, 0, &[], &d));
    let c = detail(&ev).connection.unwrap();
    assert_eq!(
        (c.ot_id, c.to_id, c.ot_rpi, c.established),
        (0x11, 0x22, 90_000, true)
    );
    assert_eq!(c.triad.originator_serial, 0x1234_5678);
    // Class 3 traffic on it is paired by connection and sequence count.
    let su = send_unit_data(0x42, 0x11, 5, &read_tag("X"))
        .to_vec()
        .unwrap();
    let ev = send(&mut a, 3, Direction::Request, leak(su));
    assert_eq!(ev.transaction, Some(5));
    assert!(detail(&ev).connection.is_some());
    let mut rd = vec![0xC4, 0];
    rd.extend(9i32.to_le_bytes());
    let su = send_unit_data(0x42, 0x22, 5, &reply(0x4C, 0, &[], &rd))
        .to_vec()
        .unwrap();
    let ev = send(&mut a, 4, Direction::Response, leak(su));
    assert_eq!(
        (ev.action, ev.values, ev.transaction),
        (Action::Read, Values::Single(9), Some(5))
    );
    // Forward Close: the request names it, the reply removes it.
    let mut fc = vec![0x0A, 0x0E];
    fc.extend(triad(7));
    fc.extend([4, 0, 0x20, 0x04, 0x24, 0x01, 0x2C, 0x65, 0x2C, 0x64]);
    let ev = ask(&mut a, 5, 2, &request(0x4E, &[0x20, 0x06, 0x24, 0x01], &fc));
    assert!(detail(&ev).connection.is_some_and(|c| c.ot_id == 0x11));
    let mut fr = triad(7);
    fr.extend([0, 0]);
    let ev = answer(&mut a, 6, 2, &reply(0x4E, 0, &[], &fr));
    assert!(detail(&ev).connection.is_some());
    let su = send_unit_data(0x42, 0x11, 6, &read_tag("X"))
        .to_vec()
        .unwrap();
    let ev = send(&mut a, 7, Direction::Request, leak(su));
    assert!(detail(&ev).connection.is_none());
    // A refused Forward Open: the Connection Manager's extended status whole.
    ask(
        &mut a,
        8,
        3,
        &cip::forward_open(&triad(8), 0x33, 100_000, 0x01),
    );
    let mut e = triad(8);
    e.extend([0, 0]);
    let ev = answer(&mut a, 9, 3, &reply(0x54, 0x01, &[0x0113], &e));
    assert_eq!(ev.outcome, Outcome::Exception(0x0113));
    assert_eq!(detail(&ev).extended_status(), Some(0x0113));
}

#[test]
fn the_captured_forward_open_reply_types_its_connection() {
    let mut a = Conn::<Enip>::tcp();
    let ev = send(
        &mut a,
        1,
        Direction::Response,
        h(vectors::SEND_RR_FWD_OPEN_REPLY),
    );
    assert_eq!(ev.function, 0x54);
    assert!(ev.marks.contains(Marks::SESSION));
    let m = detail(&ev);
    let Some(ResponseBody::ForwardOpen(r)) = m.response() else {
        panic!("{m:?}")
    };
    assert_eq!(
        (r.ot_connection_id, r.to_connection_id),
        (0xF1A2_0002, 0xF1A2_0003)
    );
    let c = m.connection.unwrap();
    assert!(c.established && c.ot_id == 0xF1A2_0002);
    // Its socket address items: O->T (0x8000) to 0.0.0.0 (the target's own address), T->O
    // (0x8001) to the multicast group 239.192.5.128, both UDP 2222.
    let (ot, to) = (c.ot_socket.unwrap(), c.to_socket.unwrap());
    assert_eq!((ot.port, to.port), (2222, 2222));
    assert_eq!(ot.addr, [0, 0, 0, 0]);
    assert_eq!(to.addr, [239, 192, 5, 128]);
}

#[test]
fn io_packets_are_one_event_each_with_their_packet() {
    let mut a = Conn::<Enip>::udp();
    let mut s = Vec::new();
    for (i, v) in vectors::IO.iter().enumerate() {
        let ev = a.one(
            &mut s,
            meta_to(i as u64, [192, 0, 2, 9], 2222, 2222),
            Direction::Request,
            h(v),
        );
        assert_eq!(ev.function, IO);
        assert_eq!(ev.transaction, None);
        assert!(ev.conformance.is_empty());
        let io = detail(&ev).io().unwrap();
        assert!(io.conn_id != 0 && io.seq != 0);
    }
}

#[test]
fn udp_44818_datagrams_are_whole_pdus_and_broadcasts_are_marked() {
    let mut a = Conn::<Enip>::udp();
    let mut s = Vec::new();
    let ev = a.one(
        &mut s,
        meta_to(1, [255, 255, 255, 255], PORT, 50_000),
        Direction::Request,
        h(vectors::LIST_IDENTITY_REQ),
    );
    assert_eq!(ev.function, ENCAP | 0x63);
    assert!(ev.marks.contains(Marks::BROADCAST));
    // List* datagrams carry no transaction (whoever hears them answers, on other flows).
    assert_eq!(ev.transaction, None);
}

#[test]
fn tcp_framing_several_pdus_per_segment_and_one_pdu_over_many() {
    let mut whole = h(vectors::REGISTER_REQ).to_vec();
    whole.extend(rr(1, &read_tag("A")));
    whole.extend(rr(2, &write_tag("B", 3)));
    let mut a = Conn::<Enip>::tcp();
    let mut s = Vec::new();
    let evs = a.events(&mut s, meta(1), Direction::Request, &whole);
    let f: Vec<u16> = evs.iter().map(|e| e.function).collect();
    assert_eq!(f, [ENCAP | 0x65, 0x4C, 0x4D]);
    let mut a = Conn::<Enip>::tcp();
    let mut got = Vec::new();
    for b in &whole {
        let mut s = Vec::new();
        for ev in a.events(&mut s, meta(1), Direction::Request, std::slice::from_ref(b)) {
            got.push(ev.function);
        }
    }
    assert_eq!(got, f);
}

#[test]
fn malformed_cip_is_flagged_with_its_anomalies() {
    let mut a = Conn::<Enip>::tcp();
    let mut path = vec![0x20, 0x01];
    for i in 0..70u8 {
        path.extend([0x28, i]);
    }
    let ev = ask(&mut a, 1, 1, &request(0x0E, &path, &[]));
    assert_ne!(ev.anomalies & Anomalies::PATH_TOO_DEEP.bits(), 0);
    assert!(ev.conformance.contains(Conformance::OUT_OF_SPEC));
    // MSP offsets past the body.
    let mut d = vec![2, 0, 6, 0, 0x00, 0x40];
    d.extend(read_tag("A"));
    let ev = ask(&mut a, 2, 2, &request(0x0A, &[0x20, 0x02, 0x24, 0x01], &d));
    assert_ne!(ev.anomalies & Anomalies::MSP_OFFSET.bits(), 0);
    // A CIP message of one byte: malformed.
    let ev = ask(&mut a, 3, 3, &[0x4C]);
    assert!(ev.conformance.contains(Conformance::MALFORMED));
}

/// Every capture decodes: no junk, nothing unparsed; the attack captures show what they
/// are about.
#[test]
fn captures_decode_and_show_their_operations() {
    let expect: &[(&str, &[Action])] = &[
        ("iti_cip_start_plc.pcap", &[Action::ModeChange]),
        (
            "openics_EIP-RemoteModeChangeAttempt.pcap",
            &[Action::ModeChange, Action::Discovery],
        ),
        ("openics_EIP-RebootorRestart.pcap", &[Action::Restart]),
        ("openics_EIP-FirmwareChange.pcap", &[Action::Restart]),
        (
            "iti_cip_only_pccc.pcap",
            &[Action::ModeChange, Action::Read, Action::Write],
        ),
        (
            "icsnpp_set_attribute_single_service_cip.pcapng",
            &[Action::Write],
        ),
        ("plant1_EthernetIP-CIP.pcap", &[Action::Read, Action::Write]),
        ("iti_enip_test_listidentity.pcap", &[Action::Discovery]),
        ("ndpi_cip_io.pcap", &[Action::Other]),
    ];
    let Some(dir) = common::captures_dir("captures_decode_and_show_their_operations") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(dir.join("enip"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
        .collect();
    names.sort();
    assert!(names.len() >= 19, "{names:?}");
    for name in &names {
        let evs = capture_events(name, |ev| {
            Some((
                ev.direction,
                ev.action,
                ev.is_parsed(),
                ev.conformance,
                ev.function,
            ))
        })
        .unwrap();
        assert!(!evs.is_empty(), "{name}: no events");
        for (_, _, parsed, c, f) in &evs {
            assert!(*parsed, "{name}: unparsed event, function {f:#x}");
            assert!(
                !c.contains(Conformance::JUNK) && !c.contains(Conformance::MALFORMED),
                "{name}: {c:?}"
            );
        }
        if let Some((_, want)) = expect.iter().find(|(n, _)| n == name) {
            let got: BTreeSet<Action> = evs
                .iter()
                .filter(|e| e.0 == Direction::Request)
                .map(|e| e.1)
                .collect();
            for a in *want {
                assert!(got.contains(a), "{name}: no {a:?} in {got:?}");
            }
        }
    }
    // The I/O capture's packets are I/O events.
    let io = capture_events("ndpi_cip_io.pcap", |ev| Some(ev.function)).unwrap();
    assert!(io.iter().all(|f| *f == IO), "{io:?}");
    // The ListIdentity capture is nmap's request (its sender context).
    let ctx = capture_events("iti_enip_test_listidentity.pcap", |ev| match ev.detail {
        Detail::Enip(m) => m.pdu().map(|p| p.header.context),
        _ => None,
    })
    .unwrap();
    assert_eq!(ctx[0][4..], [0xC1, 0xDE, 0xBE, 0xD1]);
}

#[test]
fn a_reused_sender_context_pairs_the_reply_with_the_latest_request() {
    let mut a = Conn::<Enip>::tcp();
    // A write never answered, then a read with the same sender context (pycomm3 sends one
    // constant context): the reply is the read's.
    ask(&mut a, 1, 7, &write_tag("B", 1));
    ask(&mut a, 2, 7, &read_tag("A"));
    let mut d = vec![0xC4, 0x00];
    d.extend(5i32.to_le_bytes());
    let ev = answer(&mut a, 3, 7, &reply(0x4C, 0, &[], &d));
    assert_eq!((ev.function, ev.action), (0x4C, Action::Read));
    assert_eq!(ev.values, Values::Single(5));
}

#[test]
fn a_reply_without_its_request_keeps_its_service() {
    let mut a = Conn::<Enip>::tcp();
    let ev = answer(&mut a, 1, 9, &reply(0x4C, 0, &[], &[0xC4, 0, 1, 0, 0, 0]));
    assert_eq!((ev.function, ev.action), (0x4C, Action::Other));
    assert!(detail(&ev).answers.is_none());
}

#[test]
fn every_anomaly_has_a_conformance_finding_and_a_name() {
    use otwire_detect::protocol::Analyzer;
    for (name, flag) in Anomalies::all().iter_names() {
        let c = Enip::conformance(flag.bits());
        assert!(!c.is_empty(), "{name} maps to nothing");
        assert!(
            !c.contains(Conformance::OVERSIZE),
            "{name}: not a size (T0814) finding"
        );
        assert_eq!(Enip::anomaly_names(flag.bits()).collect::<Vec<_>>(), [name]);
    }
}

mod arbitrary {
    use super::*;
    use otwire_detect::protocol::Session;
    use otwire_detect::protocol::enip::DECODER_CAPACITY;
    use proptest::prelude::*;

    /// Valid messages to start from (mutated by the strategies below).
    fn seeds() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = vectors::ALL.iter().map(|x| vectors::hex(x.hex)).collect();
        v.push(rr(1, &msp(&[read_tag("A"), write_tag("B", 1)])).to_vec());
        v.push(rr(2, &unconnected_send(&write_tag("C", 2), 1)).to_vec());
        v
    }

    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        (
            0..seeds().len(),
            proptest::collection::vec((any::<u16>(), any::<u8>()), 0..6),
            0usize..80,
        )
            .prop_map(|(i, flips, cut)| {
                let mut b = seeds()[i].clone();
                for (at, x) in flips {
                    if !b.is_empty() {
                        let n = b.len();
                        b[usize::from(at) % n] ^= x;
                    }
                }
                let keep = b.len().saturating_sub(cut % 8);
                b.truncate(keep);
                b
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes, in any chunking, both directions: no panic, every event either
        /// decoded or flagged, buffering capped.
        #[test]
        fn tcp_bytes_never_panic(
            msgs in proptest::collection::vec(prop_oneof![mutated(), proptest::collection::vec(any::<u8>(), 0..64)], 1..6),
            split in 1usize..40,
        ) {
            let mut a = Conn::<Enip>::tcp();
            let all: Vec<u8> = msgs.concat();
            for (k, chunk) in all.chunks(split).enumerate() {
                let dir = if k % 3 == 2 { Direction::Response } else { Direction::Request };
                let mut s = Vec::new();
                for ev in a.events(&mut s, meta(k as u64), dir, chunk) {
                    prop_assert!(ev.is_parsed() || !ev.conformance.is_empty());
                }
                prop_assert!(a.stream.buffered() <= 2 * DECODER_CAPACITY);
            }
        }

        /// Any datagram to 44818 or 2222: one event at most, no panic.
        #[test]
        fn udp_datagrams_never_panic(b in prop_oneof![mutated(), proptest::collection::vec(any::<u8>(), 0..80)], io in any::<bool>()) {
            let mut a = Conn::<Enip>::udp();
            let mut s = Vec::new();
            let port = if io { 2222 } else { PORT };
            let evs = a.events(&mut s, meta_to(1, [192, 0, 2, 9], port, port), Direction::Request, &b);
            prop_assert!(evs.len() <= 1, "{evs:#?}");
        }
    }
}

#[test]
fn a_datagram_that_is_not_enip_is_reported_once_as_not_the_protocol() {
    let mut a = Conn::<Enip>::udp();
    let mut s = Vec::new();
    let dns = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x03com\x00\x00\x01\x00\x01";
    let ev = a.one(
        &mut s,
        meta_to(1, [192, 0, 2, 9], PORT, 53),
        Direction::Request,
        dns,
    );
    assert!(ev.conformance.contains(Conformance::NOT_PROTOCOL));
    assert!(ev.enip().is_none());
}
