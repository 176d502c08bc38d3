//! What attackers do to hide from a passive scanner, and how otscan keeps seeing them
//! (issue 10, "Behaviour on hostile traffic"): openings that a probe does not recognise,
//! coincidental well-known client ports, junk between frames.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use otwire_detect::{Direction, Protocol};
use otwire_examples::capture::CaptureReader;
use otwire_examples::detect_engine::{DetectArgs, build};
use otwire_examples::pcapw::{Flags, Host, LINKTYPE_ETHERNET, PcapWriter, TcpSession, tcp_frame};
use otwire_examples::record::{PduRecord, ProtoFields};
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};

const HMI: Host = Host::new([10, 0, 0, 1]);
const PLC: Host = Host::new([10, 0, 0, 2]);
/// FC 3, address 0, quantity 2, tid `t`.
fn read(t: u8) -> [u8; 12] {
    [0, t, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]
}
/// Its answer: two registers.
fn answer(t: u8) -> [u8; 13] {
    [0, t, 0, 0, 0, 7, 1, 3, 4, 0, 1, 0, 2]
}

/// Scans a capture written by `write` (one thread, detection learning 0 s).
fn scan(write: impl FnOnce(&mut PcapWriter<&mut Vec<u8>>)) -> Collect {
    let mut bytes = Vec::new();
    {
        let mut w = PcapWriter::new(&mut bytes, LINKTYPE_ETHERNET).unwrap();
        write(&mut w);
    }
    let d = build(&DetectArgs {
        learn_seconds: Some(0.0),
        ..DetectArgs::default()
    })
    .unwrap();
    let mut s = Scanner::with_detection(ScanOptions::default(), Collect::default(), d);
    let mut r = CaptureReader::new(&bytes[..]).unwrap();
    while let Some(p) = r.next_packet().unwrap() {
        s.packet(&p);
    }
    s.finish();
    s.report().clone()
}

fn func(r: &PduRecord) -> Option<u8> {
    match r.fields {
        ProtoFields::Modbus(m) => m.func,
        _ => None,
    }
}

/// The Modbus reads (function 3 requests) and their answers in the records.
fn reads(c: &Collect) -> (usize, usize) {
    let n = |d: Direction| {
        c.pdus
            .iter()
            .filter(|r| r.proto == Protocol::Modbus && r.dir == d && func(r) == Some(3))
            .count()
    };
    (n(Direction::Request), n(Direction::Response))
}

/// A connection to `sport` whose client first sends `opening`, then two reads, each
/// answered.
fn session(w: &mut PcapWriter<&mut Vec<u8>>, cport: u16, sport: u16, opening: &[u8]) {
    let mut s = TcpSession::new(HMI, PLC, cport, sport);
    s.open(w, 1_000_000).unwrap();
    s.client_send(w, 1_001_000, opening).unwrap();
    for (i, t) in [1u8, 2].into_iter().enumerate() {
        let at = 1_002_000 + 10_000 * i as i64;
        s.client_send(w, at, &read(t)).unwrap();
        s.server_send(w, at + 1000, &answer(t)).unwrap();
    }
}

#[test]
fn a_client_on_502_cannot_hide_its_requests_behind_an_opening_the_probe_rejects() {
    let openings: [&[u8]; 4] = [
        // Function code 0, which the probe refuses.
        &[0, 9, 0, 0, 0, 2, 1, 0x00],
        // A reserved function code, 0x80.
        &[0, 9, 0, 0, 0, 2, 1, 0x80],
        // A few bytes of another protocol.
        b"SSH-2.0-x\r\n",
        // One byte.
        &[0xff],
    ];
    for opening in openings {
        let c = scan(|w| session(w, 40_000, 502, opening));
        assert_eq!(reads(&c), (2, 2), "after {opening:?}: {:#?}", c.pdus);
    }
    // Bytes of another protocol are still reported, once.
    let c = scan(|w| session(w, 40_000, 502, b"SSH-2.0-x\r\n"));
    let not_modbus: Vec<_> = c
        .pdus
        .iter()
        .filter(|r| r.anomalies.contains(&"NOT_MODBUS"))
        .collect();
    assert_eq!(not_modbus.len(), 1, "{not_modbus:#?}");
}

#[test]
fn off_the_port_probing_goes_on_after_an_unrecognised_opening() {
    // A handshake, then junk, then Modbus, on port 1502.
    let c = scan(|w| session(w, 40_000, 1502, b"\xff\xfe\xfd\xfc"));
    assert_eq!(reads(&c), (2, 2), "{:#?}", c.pdus);
}

#[test]
fn the_server_port_decides_when_both_ports_are_well_known() {
    // A Modbus client whose ephemeral port happens to be IEC 104's 2404.
    let c = scan(|w| session(w, 2404, 502, &read(7)));
    assert_eq!(reads(&c), (3, 2), "{:#?}", c.pdus);
    assert!(c.pdus.iter().all(|r| r.proto == Protocol::Modbus));
    assert!(
        c.pdus.iter().all(|r| r.anomalies.is_empty()),
        "{:#?}",
        c.pdus
    );
    assert!(
        c.alerts
            .iter()
            .all(|a| a.technique_id != "T0869" && a.technique_id != "T0885"),
        "{:#?}",
        c.alerts
    );
    // Mid-connection (no handshake): the lower well-known port is the server's.
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    let c = scan(|w| {
        w.packet(0, &tcp_frame(HMI, PLC, 2404, 502, 100, 900, f, &read(1)))
            .unwrap();
        w.packet(1, &tcp_frame(PLC, HMI, 502, 2404, 900, 112, f, &answer(1)))
            .unwrap();
    });
    assert_eq!(reads(&c), (1, 1), "{:#?}", c.pdus);
    assert_eq!(c.pdus[0].dir, Direction::Request);
}
