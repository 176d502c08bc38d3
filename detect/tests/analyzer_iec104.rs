//! The IEC 104 analyzer's field mapping (module docs of `protocol::iec104`), on captured
//! APDUs and on APDUs built with `otwire-iec104`'s builders.
#![cfg(feature = "iec104")]
#![cfg(feature = "iec104")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/conn.rs"]
mod conn;

use conn::Conn;
use otwire_detect::protocol::iec104::{Iec104, S_FRAME, U_FRAME};
use otwire_detect::{
    Action, Conformance, Direction, Endpoint, Flow, Marks, Meta, Outcome, Space, Target, Values,
};
use otwire_iec104::builders::{self, Request};
use otwire_iec104::{Cause, CommonAddress, Emit, Ioa, Qoi, Qrp, SeqNum};

fn meta() -> Meta {
    Meta {
        link: Default::default(),
        ts: 1_700_000_000_000_000,
        frame: 1,
        flow_id: 0,
        flow: Flow::new(
            Endpoint::v4([192, 0, 2, 1], 40_000),
            Endpoint::v4([192, 0, 2, 10], 2404),
        ),
    }
}

fn i_frame(r: &Request) -> Vec<u8> {
    r.i_frame(SeqNum::new(3), SeqNum::new(5)).to_vec().unwrap()
}

#[test]
fn captured_s_frame_and_spontaneous_float() {
    let sf = [0x68, 0x04, 0x01, 0x00, 0x0a, 0x00];
    let m = [
        0x68, 0x12, 0x0c, 0x00, 0x06, 0x00, 0x0d, 0x01, 0x03, 0x00, 0x01, 0x00, 0x5a, 0x00, 0x00,
        0x00, 0x00, 0x48, 0x42, 0x00,
    ];
    let mut a = Conn::<Iec104>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(), Direction::Request, &sf);
    assert_eq!(ev.function, S_FRAME);
    assert_eq!(ev.action, Action::Other);
    let ev = a.one(&mut s, meta(), Direction::Response, &m);
    assert_eq!(ev.function, 13);
    assert_eq!(ev.action, Action::Read);
    assert_eq!(ev.unit, 1);
    assert_eq!(ev.sub_function, Some(3));
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::InputRegisters, 90, 1)]
    );
    assert_eq!(ev.values, Values::Single(50));
    assert_eq!(ev.conformance, Conformance::NONE);
    assert_eq!(ev.raw, &m[..]);
}

#[test]
fn commands_setpoints_and_system_types() {
    let mut a = Conn::<Iec104>::tcp();
    let mut s = Vec::new();
    let sel = Request::single_command(CommonAddress(3), Ioa(4501), true, true, None);
    let b = i_frame(&sel);
    let ev = a.one(&mut s, meta(), Direction::Request, &b);
    assert_eq!((ev.function, ev.action, ev.unit), (45, Action::Command, 3));
    assert_eq!(ev.sub_function, Some(6));
    assert_eq!(ev.targets.as_slice(), &[Target::new(Space::Coils, 4501, 1)]);
    assert_eq!(ev.values, Values::Single(1));
    let sp = Request::setpoint_scaled(CommonAddress(3), Ioa(3001), -1234, false, None);
    let b = i_frame(&sp);
    let ev = a.one(&mut s, meta(), Direction::Request, &b);
    assert_eq!(ev.action, Action::Command);
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::HoldingRegisters, 3001, 1)]
    );
    assert_eq!(ev.values, Values::Single(-1234));
    let rp = Request::reset_process(CommonAddress(3), Qrp(1));
    assert_eq!(
        a.one(&mut s, meta(), Direction::Request, &i_frame(&rp))
            .action,
        Action::Restart
    );
    let gi = Request::interrogation(CommonAddress(0xffff), Qoi::STATION);
    let b = i_frame(&gi);
    let ev = a.one(&mut s, meta(), Direction::Request, &b);
    assert_eq!(
        (ev.function, ev.action, ev.unit),
        (100, Action::Read, 0xffff)
    );
    assert!(ev.marks.contains(Marks::BROADCAST));
}

#[test]
fn negative_confirmation_is_an_exception() {
    let mut a = Conn::<Iec104>::tcp();
    let mut s = Vec::new();
    let mut con = Request::single_command(CommonAddress(3), Ioa(9), true, true, None)
        .with_cause(Cause::UnknownIoa);
    con.header.cot.negative = true;
    let b = i_frame(&con);
    let ev = a.one(&mut s, meta(), Direction::Response, &b);
    assert_eq!(ev.outcome, Outcome::Exception(0x40 | 47));
}

#[test]
fn u_frames_and_junk() {
    let mut a = Conn::<Iec104>::tcp();
    let mut s = Vec::new();
    let b = builders::startdt_act().to_vec().unwrap();
    let ev = a.one(&mut s, meta(), Direction::Request, &b);
    assert_eq!((ev.function, ev.action), (U_FRAME | 0x07, Action::Other));
    let b = builders::testfr_act().to_vec().unwrap();
    let ev = a.one(&mut s, meta(), Direction::Request, &b);
    assert_eq!(
        (ev.function, ev.action),
        (U_FRAME | 0x43, Action::Diagnostic)
    );
    // An I frame too short for an ASDU header: the control field decodes, the length is
    // flagged (APCI_LENGTH).
    let ev = a.one(
        &mut s,
        meta(),
        Direction::Request,
        &[0x68, 0x06, 0, 0, 0, 0, 1, 1],
    );
    assert!(ev.conformance.contains(Conformance::LENGTH));
    assert_eq!(
        ev.anomalies & otwire_iec104::Anomalies::APCI_LENGTH.bits(),
        otwire_iec104::Anomalies::APCI_LENGTH.bits()
    );
    // Another protocol on a fresh connection: reported once as not IEC 104.
    let mut other = Conn::<Iec104>::tcp();
    let ev = other.one(
        &mut s,
        meta(),
        Direction::Request,
        b"GET / HTTP/1.1\r\n\r\n",
    );
    assert!(ev.conformance.contains(Conformance::NOT_PROTOCOL));
    assert_eq!(ev.outcome, Outcome::Unparsed);
}

#[test]
fn a_float_cut_short_keeps_its_address_as_target() {
    // The float of `captured_s_frame_and_spontaneous_float`, its element cut after two of
    // five octets (length octet 0x0f): the IOA 90 is still the event's target, with no
    // value and the length flagged.
    let m = [
        0x68, 0x0f, 0x0c, 0x00, 0x06, 0x00, 0x0d, 0x01, 0x03, 0x00, 0x01, 0x00, 0x5a, 0x00, 0x00,
        0x00, 0x00,
    ];
    let mut a = Conn::<Iec104>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(), Direction::Response, &m);
    assert_eq!(ev.function, 13);
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::InputRegisters, 90, 1)]
    );
    assert_eq!(ev.values, Values::None);
    assert_eq!(ev.conformance, Conformance::LENGTH);
}
