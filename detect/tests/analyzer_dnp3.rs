//! The DNP3 analyzer's field mapping (module docs of `protocol::dnp3`), on a captured frame
//! and on frames built with `otwire-dnp3`'s encoders.
#![cfg(feature = "dnp3")]
#![cfg(feature = "dnp3")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/conn.rs"]
mod conn;
#[path = "support/dnp3.rs"]
mod dnp3_frames;

use conn::Conn;
use dnp3_frames::frames;
use otwire_detect::protocol::dnp3::Dnp3;
use otwire_detect::{
    Action, Conformance, Direction, Endpoint, Flow, Marks, Meta, Outcome, Space, Target, Values,
};
use otwire_dnp3::{
    AnalogValue, AppControl, ControlCode, Crob, Emit, FragmentWriter, FunctionCode, Iin,
    MasterRequest, OpType, Request, TripCloseCode,
};

fn meta() -> Meta {
    Meta {
        link: Default::default(),
        ts: 1_700_000_000_000_000,
        frame: 1,
        flow_id: 0,
        flow: Flow::new(
            Endpoint::v4([192, 0, 2, 1], 40_000),
            Endpoint::v4([192, 0, 2, 10], 20_000),
        ),
    }
}

fn crob() -> Crob {
    Crob {
        code: ControlCode::new(OpType::LatchOn, TripCloseCode::Nul, false, false),
        count: 1,
        on_time: 100,
        off_time: 0,
        status: 0,
    }
}

#[test]
fn captured_disable_unsolicited() {
    let wire = [
        0x05, 0x64, 0x11, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0x06, 0x15, 0xc0, 0xc0, 0x15, 0x3c, 0x02,
        0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0x1a, 0x55,
    ];
    let mut a = Conn::<Dnp3>::tcp();
    let mut s = Vec::new();
    let ev = a.frame(&mut s, meta(), Direction::Request, &wire).unwrap();
    assert_eq!(ev.function, 21);
    assert_eq!(ev.action, Action::Config);
    assert_eq!(ev.unit, 10);
    assert_eq!(ev.sub_function, Some(60));
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::Other(60), 0, 0)]
    );
    assert_eq!(ev.conformance, Conformance::NONE);
    assert_eq!(ev.outcome, Outcome::Ok);
    assert_eq!(ev.raw.len(), 11);
    assert_eq!(ev.raw[..2], [0xc0, 0x15]);
}

#[test]
fn commands_targets_and_values() {
    let mut a = Conn::<Dnp3>::tcp();
    let mut s = Vec::new();
    let op = Request::direct_operate(3, 7, crob()).to_vec().unwrap();
    let wire = frames(Direction::Request, 1, 10, 0, &op);
    let ev = a.frame(&mut s, meta(), Direction::Request, &wire).unwrap();
    assert_eq!(ev.action, Action::Command);
    assert_eq!(ev.function, 5);
    assert_eq!(ev.targets.as_slice(), &[Target::new(Space::Coils, 7, 1)]);
    let ao = Request {
        seq: 4,
        kind: MasterRequest::AnalogOutput {
            function: FunctionCode::DirectOperate,
            index: 2,
            value: AnalogValue::F32(12.6),
        },
    }
    .to_vec()
    .unwrap();
    let wire = frames(Direction::Request, 1, 10, 0, &ao);
    let ev = a.frame(&mut s, meta(), Direction::Request, &wire).unwrap();
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::HoldingRegisters, 2, 1)]
    );
    assert_eq!(ev.values, Values::Single(13));
    let restart = Request {
        seq: 5,
        kind: MasterRequest::ColdRestart,
    }
    .to_vec()
    .unwrap();
    assert_eq!(
        a.frame(
            &mut s,
            meta(),
            Direction::Request,
            &frames(Direction::Request, 1, 10, 0, &restart)
        )
        .unwrap()
        .action,
        Action::Restart
    );
    let wire = frames(Direction::Request, 1, 0xffff, 0, &restart);
    let bcast = a.frame(&mut s, meta(), Direction::Request, &wire).unwrap();
    assert!(bcast.marks.contains(Marks::BROADCAST));
    assert_eq!(bcast.unit, 0xffff);
}

#[test]
fn responses_pair_with_requests_and_carry_iin_errors() {
    let mut a = Conn::<Dnp3>::tcp();
    let mut s = Vec::new();
    let poll = Request::integrity_poll(9).to_vec().unwrap();
    let wire = frames(Direction::Request, 1, 10, 0, &poll);
    let ev = a.frame(&mut s, meta(), Direction::Request, &wire).unwrap();
    assert_eq!(ev.action, Action::Read);
    let mut buf = [0u8; 64];
    let control = AppControl {
        fir: true,
        fin: true,
        con: false,
        uns: false,
        seq: 9,
    };
    let mut w = FragmentWriter::response(
        &mut buf,
        control,
        FunctionCode::Response,
        Iin::OBJECT_UNKNOWN,
    )
    .unwrap();
    w.range(30, 4, 5, 5).unwrap().bytes(&[0x10, 0x00]).unwrap();
    let n = w.finish();
    let wire = frames(Direction::Response, 10, 1, 0, &buf[..n]);
    let ev = a.frame(&mut s, meta(), Direction::Response, &wire).unwrap();
    assert_eq!(ev.direction, Direction::Response);
    assert_eq!(ev.unit, 10);
    assert_eq!(ev.action, Action::Read);
    assert_eq!(ev.outcome, Outcome::Exception(Iin::OBJECT_UNKNOWN.bits()));
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::InputRegisters, 5, 1)]
    );
    assert_eq!(ev.values, Values::Single(16));
}

#[test]
fn bad_crc_junk_and_transport_gaps() {
    let mut a = Conn::<Dnp3>::tcp();
    let mut s = Vec::new();
    let poll = Request::integrity_poll(1).to_vec().unwrap();
    let mut wire = frames(Direction::Request, 1, 10, 0, &poll);
    let last = wire.len() - 1;
    wire[last] ^= 1;
    let ev = a.frame(&mut s, meta(), Direction::Request, &wire).unwrap();
    assert_eq!(ev.outcome, Outcome::Unparsed);
    assert!(
        ev.conformance
            .contains(Conformance::MALFORMED | Conformance::CHECKSUM)
    );
    // Another protocol on a fresh connection: reported once as not DNP3.
    let mut other = Conn::<Dnp3>::tcp();
    let mut s2 = Vec::new();
    let ev = other
        .frame(
            &mut s2,
            meta(),
            Direction::Request,
            b"GET / HTTP/1.1\r\n\r\n",
        )
        .unwrap();
    assert!(ev.conformance.contains(Conformance::NOT_PROTOCOL));
    // A fragment of two segments whose second segment skips sequence numbers.
    let big: Vec<u8> = {
        let mut buf = [0u8; 400];
        let mut w =
            FragmentWriter::request(&mut buf, AppControl::request(2), FunctionCode::Write).unwrap();
        w.range(80, 1, 0, 7).unwrap().bytes(&[0]).unwrap();
        for _ in 0..60 {
            w.range(1, 0, 0, 0).unwrap();
        }
        let n = w.finish();
        buf[..n].to_vec()
    };
    let wire = frames(Direction::Request, 1, 10, 0, &big);
    let (first, rest) = otwire_dnp3::split_frame(&wire).unwrap();
    let (second, _) = otwire_dnp3::split_frame(rest).unwrap();
    assert!(
        a.frame(&mut s, meta(), Direction::Request, first.raw)
            .is_none()
    );
    let mut second = second.raw.to_vec();
    // Rewrite the transport header of the second segment (FIN, SEQ 5) and its block CRC.
    second[10] = 0x40 | 5;
    let n = second.len();
    let block_end = (n - 10).min(18) + 10;
    let crc = otwire_dnp3::link::crc16(&second[10..block_end - 2]);
    second[block_end - 2..block_end].copy_from_slice(&crc.to_le_bytes());
    let ev = a
        .frame(&mut s, meta(), Direction::Request, &second)
        .unwrap();
    assert_eq!(ev.outcome, Outcome::Unparsed);
    assert_ne!(
        ev.anomalies & u64::from(otwire_dnp3::Anomalies::DROPPED_SEGMENT.bits()),
        0
    );
}
