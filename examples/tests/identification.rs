//! Protocol identification: by port and by `otwire_modbus::probe`, over TCP and UDP.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

use otwire_detect::Direction as Dir;
use otwire_examples::capture::Packet;
use otwire_examples::pcapw::{Flags, Host, tcp_frame, udp_frame};
use otwire_examples::record::ProtoFields;
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};

const A: Host = Host::new([192, 168, 0, 1]);
const B: Host = Host::new([192, 168, 0, 2]);
const READ: [u8; 12] = [0, 7, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2];
const ANSWER: [u8; 13] = [0, 7, 0, 0, 0, 7, 1, 3, 4, 0, 1, 0, 2];

fn run(frames: &[Vec<u8>]) -> Scanner<Collect> {
    let mut s = Scanner::new(ScanOptions::default(), Collect::default());
    for (i, f) in frames.iter().enumerate() {
        s.packet(&Packet {
            frame: i as u64 + 1,
            ts_us: i as i64,
            linktype: 1,
            data: f,
        });
    }
    s.finish();
    s
}

fn func(r: &otwire_examples::record::PduRecord) -> Option<u8> {
    match r.fields {
        ProtoFields::Modbus(m) => m.func,
        _ => None,
    }
}

#[test]
fn udp_modbus_on_502_and_on_another_port() {
    let s = run(&[
        udp_frame(A, B, 40000, 502, &READ),
        udp_frame(B, A, 502, 40000, &ANSWER),
        udp_frame(A, B, 40001, 1502, &READ),
        udp_frame(B, A, 1502, 40001, &ANSWER),
    ]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 4);
    assert!(
        p.iter()
            .all(|r| func(r) == Some(3) && r.anomalies.is_empty())
    );
    assert_eq!(
        [p[0].dir, p[1].dir, p[2].dir],
        [Dir::Request, Dir::Response, Dir::Request]
    );
}

#[test]
fn not_modbus_on_502_is_reported_once_and_not_parsed() {
    let dns =
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01";
    let s = run(&[
        udp_frame(A, B, 40000, 502, dns),
        udp_frame(A, B, 40000, 53, dns),
        udp_frame(A, B, 40000, 502, dns),
    ]);
    let p = &s.report().pdus;
    // The first datagram on 502 is reported; the direction is then given up. Port 53: nothing.
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].anomalies, ["NOT_MODBUS"]);
    assert_eq!(func(&p[0]), None);
}

#[test]
fn mdns_with_zero_id_and_flags_is_not_modbus_off_502() {
    // The start of an mDNS response seen in emre_104deneme.pcap (frame 62): ID 0, flags 0,
    // QDCOUNT 0, ANCOUNT 4 reads as an MBAP header (tid 0, protocol 0, length 4) followed by
    // "function 2"; its length does not span the datagram, so the probe must not claim it.
    let mut mdns = vec![0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0, 0x0a];
    mdns.extend_from_slice(b"_opcua-tcp\x04_tcp\x05local\x00");
    let s = run(&[udp_frame(A, B, 5353, 5353, &mdns)]);
    assert!(s.report().pdus.is_empty(), "{:?}", s.report().pdus);
    // The same bytes with a length that spans the datagram are Modbus/UDP (and flagged).
    let mut framed = mdns.clone();
    framed[5] = u8::try_from(framed.len() - 6).unwrap();
    let s = run(&[udp_frame(A, B, 5353, 5353, &framed)]);
    assert_eq!(s.report().pdus.len(), 1);
}

#[test]
fn tcp_modbus_on_a_non_standard_port_is_found_mid_stream() {
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    // No handshake: the capture starts mid-connection, with half a PDU first.
    let s = run(&[
        tcp_frame(A, B, 40000, 1502, 100, 900, f, &READ[6..]),
        tcp_frame(A, B, 40000, 1502, 106, 900, f, &READ),
        tcp_frame(B, A, 1502, 40000, 900, 118, f, &ANSWER),
    ]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(
        p[0].dir,
        Dir::Request,
        "the side on the higher port is the client"
    );
    assert_eq!(p[1].dir, Dir::Response);
}

#[test]
fn other_ot_ports_are_not_claimed_by_the_modbus_probe() {
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    // A Modbus-looking payload on DNP3's port 20000 is left to the DNP3 decoder, which
    // reports it as not DNP3 (as non-Modbus bytes on 502 are reported).
    let s = run(&[tcp_frame(A, B, 40000, 20000, 100, 900, f, &READ)]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].proto.name(), "dnp3");
    assert_eq!(p[0].anomalies, ["NOT_DNP3"]);
    // The same on IEC 104's port 2404.
    let s = run(&[tcp_frame(A, B, 40000, 2404, 100, 900, f, &READ)]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].proto.name(), "iec104");
    assert_eq!(p[0].anomalies, ["NOT_IEC104"]);
}
