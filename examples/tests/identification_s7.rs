//! S7 identification: port 102, `otwire_s7::probe` off the port, bytes that are not S7 on
//! port 102, and another COTP user (ISO session / MMS) on port 102.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use otwire_detect::Direction as Dir;
use otwire_examples::pcapw::{Flags, Host, tcp_frame};
use otwire_examples::record::{PduRecord, ProtoFields};

const A: Host = Host::new([192, 168, 0, 1]);
const B: Host = Host::new([192, 168, 0, 2]);

/// COTP CR: called TSAP 01 02 (rack 0, slot 2).
const CR: [u8; 22] = [
    3, 0, 0, 22, 17, 0xE0, 0, 0, 0, 7, 0, 0xC1, 2, 1, 0, 0xC2, 2, 1, 2, 0xC0, 1, 10,
];
/// COTP CC.
const CC: [u8; 22] = [
    3, 0, 0, 22, 17, 0xD0, 0, 7, 0, 3, 0, 0xC0, 1, 10, 0xC1, 2, 1, 0, 0xC2, 2, 1, 2,
];
/// Setup communication job, PDU reference 1, PDU size 480.
const SETUP: [u8; 25] = [
    3, 0, 0, 25, 2, 0xF0, 0x80, 0x32, 1, 0, 0, 0, 1, 0, 8, 0, 0, 0xF0, 0, 0, 1, 0, 1, 1, 0xE0,
];
/// Its answer: PDU size 240.
const SETUP_ACK: [u8; 27] = [
    3, 0, 0, 27, 2, 0xF0, 0x80, 0x32, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0xF0, 0, 0, 1, 0, 1, 0, 0xF0,
];

fn cotp(r: &PduRecord) -> Option<&'static str> {
    match &r.fields {
        ProtoFields::S7(f) => f.cotp,
        _ => None,
    }
}

fn rosctr(r: &PduRecord) -> Option<u8> {
    match &r.fields {
        ProtoFields::S7(f) => f.rosctr,
        _ => None,
    }
}

/// A connection from A:40000 to B:`port`: COTP connect, setup communication and its answer.
fn session(port: u16) -> Vec<Vec<u8>> {
    common::tcp_conversation(
        A,
        B,
        port,
        &[
            (true, &CR),
            (false, &CC),
            (true, &SETUP),
            (false, &SETUP_ACK),
        ],
    )
}

#[test]
fn s7_on_port_102() {
    let s = common::scan_frames(&session(102));
    let p = &s.report().pdus;
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(
        p.iter()
            .all(|r| r.proto.name() == "s7comm" && r.anomalies.is_empty())
    );
    assert_eq!(
        p.iter().map(cotp).collect::<Vec<_>>(),
        [Some("CR"), Some("CC"), Some("DT"), Some("DT")]
    );
    assert_eq!(
        p.iter().map(rosctr).collect::<Vec<_>>(),
        [None, None, Some(1), Some(3)]
    );
    assert_eq!(
        p.iter().map(|r| r.dir).collect::<Vec<_>>(),
        [Dir::Request, Dir::Response, Dir::Request, Dir::Response]
    );
}

#[test]
fn s7_on_another_port_is_found_by_probe() {
    let s = common::scan_frames(&session(1102));
    let p = &s.report().pdus;
    // The COTP connection set-up alone does not say S7 (it could be MMS); the setup job
    // does, and the bytes kept while probing are decoded then.
    assert!(p.iter().all(|r| r.proto.name() == "s7comm"), "{p:?}");
    assert!(p.iter().any(|r| rosctr(r) == Some(1)), "{p:?}");
    assert!(p.iter().any(|r| rosctr(r) == Some(3)), "{p:?}");
}

#[test]
fn bytes_that_are_not_s7_on_port_102_are_reported() {
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    // A Modbus read: a TPKT length below 4, junk at once.
    let read = [0, 7, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2];
    let s = common::scan_frames(&[tcp_frame(A, B, 40000, 102, 100, 900, f, &read)]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].anomalies, ["NOT_S7"]);
}

#[test]
fn another_cotp_user_on_port_102_is_flagged_once_per_direction() {
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    // ISO 8327 session CONNECT SPDU (0x0D) in a DT: MMS, not S7.
    let dt = |n: u8| vec![3, 0, 0, 11, 2, 0xF0, 0x80, 0x0D, 2, n, 0];
    let mut frames = vec![
        tcp_frame(A, B, 40000, 102, 100, 900, f, &CR),
        tcp_frame(B, A, 102, 40000, 900, 122, f, &CC),
    ];
    frames.push(tcp_frame(A, B, 40000, 102, 122, 922, f, &dt(1)));
    frames.push(tcp_frame(A, B, 40000, 102, 133, 922, f, &dt(2)));
    let s = common::scan_frames(&frames);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 4, "{p:?}");
    assert_eq!(p[2].anomalies, ["FOREIGN_PAYLOAD"]);
    assert_eq!(p[3].anomalies, ["FOREIGN_PAYLOAD"]);
}
