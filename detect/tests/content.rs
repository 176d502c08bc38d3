//! `Detail::content` per protocol (issue 13): two sends of the same message that differ
//! only in the fields that legitimately change (transaction ids, sequence numbers, session
//! handles) have the same content; a changed value, address or function changes it;
//! session management has none.
#![cfg(all(
    feature = "modbus",
    feature = "dnp3",
    feature = "iec104",
    feature = "s7",
    feature = "enip"
))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/enip.rs"]
mod cip;
#[path = "support/conn.rs"]
mod conn;
#[path = "support/dnp3.rs"]
mod dnp3_frames;
#[path = "../../s7/tests/vectors/mod.rs"]
mod vectors;

use conn::Conn;
use otwire_detect::protocol::dnp3::Dnp3;
use otwire_detect::protocol::enip::Enip;
use otwire_detect::protocol::iec104::Iec104;
use otwire_detect::protocol::modbus::Modbus;
use otwire_detect::protocol::s7::S7;
use otwire_detect::protocol::{Analyzer, Fingerprint};
use otwire_detect::{Direction, Endpoint, Flow, Meta};

fn meta(port: u16) -> Meta {
    Meta {
        link: Default::default(),
        ts: 1_700_000_000_000_000,
        frame: 1,
        flow_id: 0,
        flow: Flow::new(
            Endpoint::v4([192, 0, 2, 1], 40_000),
            Endpoint::v4([192, 0, 2, 10], port),
        ),
    }
}

/// The content of the last event detection sees of `frames`, sent in `dir` on a fresh
/// connection (the earlier frames set it up).
fn content<A: Analyzer>(port: u16, dir: Direction, frames: &[&[u8]]) -> Option<u64> {
    let mut c = Conn::<A>::tcp();
    let mut last = None;
    for (i, f) in frames.iter().enumerate() {
        let mut scratch = Vec::new();
        let d = if i + 1 == frames.len() {
            dir
        } else {
            Direction::Request
        };
        last = c
            .frame(&mut scratch, meta(port), d, f)
            .map(|ev| ev.detail.content());
    }
    last.flatten()
}

#[test]
fn fingerprints_are_stable_and_see_every_byte() {
    // A fixed value: the same in every run and build (baselines store fingerprints).
    assert_eq!(Fingerprint::of(b"otwire"), 6_122_201_370_071_555_430);
    assert_ne!(Fingerprint::of(b"ab"), Fingerprint::of(b"ba"));
    assert_ne!(Fingerprint::of(&[0; 9]), Fingerprint::of(&[0; 8]));
    let mut a = Fingerprint::new();
    a.bytes(b"a").bytes(b"bc");
    let mut b = Fingerprint::new();
    b.bytes(b"ab").bytes(b"c");
    assert_ne!(a.finish(), b.finish());
    for i in 0..17 {
        let mut x = [0u8; 17];
        x[i] = 1;
        assert_ne!(Fingerprint::of(&x), Fingerprint::of(&[0u8; 17]), "byte {i}");
    }
}

#[test]
fn modbus_content_leaves_out_the_transaction_id() {
    // MBAP: transaction id, protocol 0, length 6, unit 1; FC 6 register 20 value 505.
    let adu = |tid: u16, value: u16| {
        let mut b = tid.to_be_bytes().to_vec();
        b.extend([0, 0, 0, 6, 1, 6, 0, 20]);
        b.extend(value.to_be_bytes());
        b
    };
    let c = |b: Vec<u8>| content::<Modbus>(502, Direction::Request, &[&b]).unwrap();
    assert_eq!(c(adu(1, 505)), c(adu(0xbeef, 505)));
    assert_ne!(c(adu(1, 505)), c(adu(1, 506)));
}

#[test]
fn dnp3_content_leaves_out_the_transport_and_application_sequence() {
    // Application control (FIR FIN, SEQ), Direct Operate (5), g41v2 index 2 = 500.
    let fragment = |seq: u8, value: u8| vec![0xc0 | seq, 5, 41, 2, 0x17, 1, 2, value, 1, 0];
    let c = |tseq: u8, seq: u8, value: u8| {
        let wire = dnp3_frames::frames(Direction::Request, 1, 10, tseq, &fragment(seq, value));
        content::<Dnp3>(20_000, Direction::Request, &[&wire]).unwrap()
    };
    assert_eq!(c(0, 1, 0xf4), c(37, 9, 0xf4));
    assert_ne!(c(0, 1, 0xf4), c(0, 1, 0xf5));
    // Other link addresses are another message.
    let other = dnp3_frames::frames(Direction::Request, 2, 10, 0, &fragment(1, 0xf4));
    assert_ne!(
        c(0, 1, 0xf4),
        content::<Dnp3>(20_000, Direction::Request, &[&other]).unwrap()
    );
}

#[test]
fn iec104_content_is_the_asdu_without_ns_nr() {
    // I frame: N(S), N(R) (each shifted left by one), then a single command (45), SQ 0
    // one object, COT 6, OA 0, CA 1, IOA 2001, SCO on/execute.
    let apdu = |ns: u16, nr: u16, sco: u8| {
        let mut b = vec![0x68, 14];
        b.extend((ns << 1).to_le_bytes());
        b.extend((nr << 1).to_le_bytes());
        b.extend([45, 1, 6, 0, 1, 0, 0xd1, 0x07, 0, sco]);
        b
    };
    let c = |b: Vec<u8>| content::<Iec104>(2404, Direction::Request, &[&b]);
    assert_eq!(c(apdu(0, 0, 1)), c(apdu(117, 42, 1)));
    assert!(c(apdu(0, 0, 1)).is_some());
    assert_ne!(c(apdu(0, 0, 1)), c(apdu(0, 0, 0)));
    // An S frame (N(R) 5) says nothing.
    assert_eq!(c(vec![0x68, 4, 1, 0, 10, 0]), None);
}

#[test]
fn s7_content_leaves_out_the_pdu_reference() {
    let with_ref = |r: u16| {
        let mut b = vectors::WRITE_JOB.to_vec();
        b[11..13].copy_from_slice(&r.to_be_bytes());
        b
    };
    let c = |b: Vec<u8>| content::<S7>(102, Direction::Request, &[vectors::CR, &b]);
    assert!(c(with_ref(2)).is_some());
    assert_eq!(c(with_ref(2)), c(with_ref(0x4711)));
    let mut other = with_ref(2);
    let last = other.len() - 1;
    other[last] ^= 0xff;
    assert_ne!(c(with_ref(2)), c(other));
    // A COTP connection request says nothing.
    assert_eq!(content::<S7>(102, Direction::Request, &[vectors::CR]), None);
}

#[test]
fn enip_content_leaves_out_session_and_sender_context() {
    use otwire_enip::Emit as _;
    let rr = |session: u32, ctx: u8, value: i32| {
        let req = cip::write_tag("Setpoint", value);
        otwire_enip::send_rr_data(session, [ctx; 8], &req)
            .to_vec()
            .unwrap()
    };
    let c = |b: Vec<u8>| content::<Enip>(44_818, Direction::Request, &[&b]);
    assert!(c(rr(0x100, 1, 42)).is_some());
    assert_eq!(c(rr(0x100, 1, 42)), c(rr(0x9999, 7, 42)));
    assert_ne!(c(rr(0x100, 1, 42)), c(rr(0x100, 1, 43)));
    // RegisterSession says nothing.
    let mut register = vec![0x65, 0, 4, 0];
    register.extend([0u8; 20]);
    register.extend([1, 0, 0, 0]);
    assert_eq!(c(register), None);
}
