//! The Modbus analyzer: every field of the event, from bytes (Modbus Application Protocol
//! V1.1b3 function codes; UMAS in FC 90).
#![cfg(feature = "modbus")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/conn.rs"]
mod conn;

use conn::Conn;
use otwire_detect::protocol::Analyzer;
use otwire_detect::protocol::modbus::Modbus;
use otwire_detect::{
    Action, Conformance, Direction, Endpoint, Flow, Marks, Meta, Outcome, Space, Target,
};

fn meta(ts: u64) -> Meta {
    Meta {
        link: Default::default(),
        ts,
        frame: 7,
        flow_id: 3,
        flow: Flow::new(
            Endpoint::v4([192, 0, 2, 1], 50_000),
            Endpoint::v4([192, 0, 2, 9], 502),
        ),
    }
}

#[test]
fn read_holding_registers_pairs_values_with_addresses() {
    let mut a = Conn::<Modbus>::tcp();
    let mut s = Vec::new();
    // tid 0x0001, proto 0, len 6, unit 0x11 | FC 3, address 0x006B, quantity 3 (spec §6.3).
    let req = [
        0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x11, 0x03, 0x00, 0x6B, 0x00, 0x03,
    ];
    let ev = a.one(&mut s, meta(1), Direction::Request, &req);
    assert_eq!(ev.action, Action::Read);
    assert_eq!(ev.function, 3);
    assert_eq!(ev.unit, 0x11);
    assert_eq!(ev.transaction, Some(1));
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::HoldingRegisters, 0x6B, 3)]
    );
    assert_eq!(ev.frame, 7);
    assert_eq!(ev.flow_id, 3);
    assert!(ev.conformance.is_empty());
    // The typed detail: the MBAP frame and the decoded PDU, borrowed from the bytes.
    let m = ev.modbus().expect("a Modbus detail");
    assert_eq!(m.frame.header.transaction_id.0, 1);
    assert!(m.pdu.is_some_and(|p| p.anomalies.is_empty()));
    // Response: byte count 6, registers 0x022B, 0x0000, 0x0064.
    let rsp = [
        0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x11, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64,
    ];
    let ev = a.one(&mut s, meta(2), Direction::Response, &rsp);
    assert_eq!(ev.direction, Direction::Response);
    assert_eq!(ev.action, Action::Read);
    assert_eq!(ev.outcome, Outcome::Ok);
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::HoldingRegisters, 0x6B, 3)]
    );
    assert_eq!(ev.values.iter().collect::<Vec<_>>(), vec![0x022B, 0, 0x64]);
    assert_eq!(ev.src(), meta(0).flow.server);
    // The pairing entry is consumed.
    assert_eq!(a.stream.analyzer().outstanding(), 0);
}

#[test]
fn exception_response_keeps_the_request_context() {
    let mut a = Conn::<Modbus>::tcp();
    let mut s = Vec::new();
    let req = [
        0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x01, 0x04, 0x10, 0x00, 0x00, 0x01,
    ];
    a.one(&mut s, meta(1), Direction::Request, &req);
    // FC 0x84, exception 02 Illegal Data Address.
    let rsp = [0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x01, 0x84, 0x02];
    let ev = a.one(&mut s, meta(2), Direction::Response, &rsp);
    assert_eq!(ev.function, 4);
    assert_eq!(ev.outcome, Outcome::Exception(2));
    assert_eq!(ev.action, Action::Read);
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::InputRegisters, 0x1000, 1)]
    );
    assert!(ev.values.is_empty());
}

#[test]
fn writes_carry_values() {
    let mut a = Conn::<Modbus>::tcp();
    let mut s = Vec::new();
    // FC 5 coil 0x00AC ON.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 3, 0, 0, 0, 6, 1, 0x05, 0x00, 0xAC, 0xFF, 0x00],
    );
    assert_eq!(ev.action, Action::Write);
    assert_eq!(ev.targets.as_slice(), &[Target::new(Space::Coils, 0xAC, 1)]);
    assert_eq!(ev.values.iter().collect::<Vec<_>>(), vec![1]);
    // FC 6 register 1 = 0x0003.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 4, 0, 0, 0, 6, 1, 0x06, 0x00, 0x01, 0x00, 0x03],
    );
    assert_eq!(ev.values.iter().collect::<Vec<_>>(), vec![3]);
    // FC 15: 10 coils from 0x0013, bytes CD 01 (spec §6.11).
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[
            0, 5, 0, 0, 0, 9, 1, 0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01,
        ],
    );
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::Coils, 0x13, 10)]
    );
    assert_eq!(
        ev.values.iter().collect::<Vec<_>>(),
        vec![1, 0, 1, 1, 0, 0, 1, 1, 1, 0]
    );
    // FC 16: 2 registers from 1: 0x000A 0x0102.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[
            0, 6, 0, 0, 0, 11, 1, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02,
        ],
    );
    assert_eq!(ev.values.iter().collect::<Vec<_>>(), vec![10, 258]);
    // FC 23: read 6 from 3, write 3 from 0x0E (spec §6.17): write target first, with values.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[
            0, 7, 0, 0, 0, 17, 1, 0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00,
            0xFF, 0x00, 0xFF, 0x00, 0xFF,
        ],
    );
    assert_eq!(ev.action, Action::Write);
    assert_eq!(
        ev.targets.as_slice(),
        &[
            Target::new(Space::HoldingRegisters, 0x0E, 3),
            Target::new(Space::HoldingRegisters, 3, 6)
        ]
    );
    assert_eq!(
        ev.value_target(),
        Some(&Target::new(Space::HoldingRegisters, 0x0E, 3))
    );
    assert_eq!(ev.values.len(), 3);
}

#[test]
fn diagnostics_identification_and_broadcast() {
    let mut a = Conn::<Modbus>::tcp();
    let mut s = Vec::new();
    // FC 8 sub 4: force listen-only.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 1, 0, 0, 0, 6, 1, 0x08, 0x00, 0x04, 0x00, 0x00],
    );
    assert!(ev.marks.contains(Marks::BLOCKS_REPORTING));
    assert_eq!(ev.sub_function, Some(4));
    // FC 8 sub 1: restart communications.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 2, 0, 0, 0, 6, 1, 0x08, 0x00, 0x01, 0x00, 0x00],
    );
    assert_eq!(ev.action, Action::Restart);
    // FC 43 / MEI 14, basic, object 0.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 3, 0, 0, 0, 5, 1, 0x2B, 0x0E, 0x01, 0x00],
    );
    assert_eq!(ev.action, Action::Discovery);
    assert_eq!(ev.sub_function, Some(14));
    // FC 17 report server id, to broadcast unit 0.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 4, 0, 0, 0, 2, 0, 0x11],
    );
    assert_eq!(ev.action, Action::Discovery);
    assert!(ev.marks.contains(Marks::BROADCAST));
}

#[test]
fn umas_envelopes() {
    let mut a = Conn::<Modbus>::tcp();
    let mut s = Vec::new();
    let umas = |f: u8| [0u8, 9, 0, 0, 0, 4, 1, 0x5A, 0x00, f];
    let cases = [
        (0x41u8, Action::ModeChange),
        (0x40, Action::ModeChange),
        (0x33, Action::ProgramDownload),
        (0x34, Action::ProgramDownload),
        (0x30, Action::ProgramUpload),
        (0x10, Action::Config),
        (0x04, Action::Discovery),
        (0x24, Action::Read),
        (0x25, Action::Write),
    ];
    for (f, action) in cases {
        let b = umas(f);
        let ev = a.one(&mut s, meta(1), Direction::Request, &b);
        assert_eq!(ev.function, 90);
        assert_eq!(ev.sub_function, Some(u16::from(f)), "{f:#x}");
        assert_eq!(ev.action, action, "{f:#x}");
        assert!(ev.marks.contains(Marks::VENDOR));
    }
    assert!(
        a.one(&mut s, meta(1), Direction::Request, &umas(0x04))
            .marks
            .contains(Marks::READS_DEVICE_STATE)
    );
    assert!(
        a.one(&mut s, meta(1), Direction::Request, &umas(0x10))
            .marks
            .contains(Marks::RESERVATION)
    );
    // A UMAS response pairs with its request: STOP_PLC answered 0xFE.
    let ev = a.one(
        &mut s,
        meta(2),
        Direction::Response,
        &[0, 9, 0, 0, 0, 4, 1, 0x5A, 0x00, 0xFE],
    );
    assert_eq!(ev.sub_function, Some(0x10));
    assert_eq!(ev.outcome, Outcome::Ok);
    // An error status is an exception.
    a.one(
        &mut s,
        meta(3),
        Direction::Request,
        &[0, 10, 0, 0, 0, 4, 1, 0x5A, 0x00, 0x41],
    );
    let ev = a.one(
        &mut s,
        meta(4),
        Direction::Response,
        &[0, 10, 0, 0, 0, 4, 1, 0x5A, 0x00, 0xFD],
    );
    assert_eq!(ev.outcome, Outcome::Exception(0xFD));
    assert_eq!(ev.action, Action::ModeChange);
}

#[test]
fn bytes_that_are_not_modbus() {
    // A connection that opens with something else: reported once as not Modbus.
    let mut a = Conn::<Modbus>::tcp();
    let mut s = Vec::new();
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        b"GET / HTTP/1.1\r\n\r\n",
    );
    assert!(ev.conformance.contains(Conformance::NOT_PROTOCOL));
    assert_eq!(ev.outcome, Outcome::Unparsed);
    assert!(!ev.is_parsed());
    // In a Modbus stream, an MBAP length of 0 is junk: skipped, flagged undecodable.
    let mut a = Conn::<Modbus>::tcp();
    let read = [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1];
    assert!(
        a.one(&mut s, meta(1), Direction::Request, &read)
            .is_parsed()
    );
    let evs = a.events(&mut s, meta(1), Direction::Request, &[0, 2, 0, 0, 0, 0, 1]);
    assert!(evs.iter().all(|ev| {
        ev.conformance
            .contains(Conformance::MALFORMED | Conformance::JUNK)
    }));
    assert!(!evs.is_empty());
    // A datagram whose MBAP length promises 6 bytes but carries 2: undecodable.
    let mut u = Conn::<Modbus>::udp();
    let ev = u.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 1, 0, 0, 0, 6, 1, 3, 0],
    );
    assert!(ev.conformance.contains(Conformance::MALFORMED));
    // Quantity 0 in a read: decodes, flagged out of spec.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 0],
    );
    assert!(ev.is_parsed());
    assert!(ev.conformance.contains(Conformance::OUT_OF_SPEC));
    assert!(Modbus::anomaly_names(ev.anomalies).any(|n| n == "QUANTITY_OUT_OF_RANGE"));
}
