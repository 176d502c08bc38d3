//! The S7 analyzer: every field of the event, from bytes (RFC 1006 TPKT, ISO 8073 COTP,
//! S7comm jobs, answers and userdata, S7comm-plus), on the golden vectors of otwire-s7.
#![cfg(feature = "s7")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/conn.rs"]
mod conn;
#[path = "../../s7/tests/vectors/mod.rs"]
mod vectors;

use conn::Conn;
use otwire_detect::protocol::s7::{COTP, PLUS, S7, USERDATA};
use otwire_detect::protocol::{Arena, Detail, Out, Session};
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
            Endpoint::v4([192, 0, 2, 9], 102),
        ),
    }
}

#[test]
fn connection_request_sets_the_unit_from_the_called_tsap() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(1), Direction::Request, vectors::CR);
    // Called TSAP 01 02: rack 0, slot 2.
    assert_eq!(ev.unit, 2);
    assert_eq!(ev.function, COTP | 0xE0);
    assert_eq!(ev.action, Action::Other);
    assert!(ev.marks.contains(Marks::SESSION));
    assert!(ev.conformance.is_empty(), "{:?}", ev.conformance);
    assert!(matches!(ev.detail, Detail::S7(m) if m.tpdu.is_some() && m.message.is_none()));
    let ev = a.one(&mut s, meta(2), Direction::Response, vectors::CC);
    assert_eq!(ev.function, COTP | 0xD0);
    assert_eq!(ev.unit, 2);
    // Every later event of the connection carries it too.
    let ev = a.one(&mut s, meta(3), Direction::Request, vectors::SETUP_JOB);
    assert_eq!(ev.unit, 2);
}

#[test]
fn setup_communication_is_session_management() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(1), Direction::Request, vectors::SETUP_JOB);
    assert_eq!(ev.function, 0xF0);
    assert_eq!(ev.transaction, Some(0xFFFF));
    assert!(ev.marks.contains(Marks::SESSION));
    assert!(ev.is_parsed());
    let ev = a.one(&mut s, meta(2), Direction::Response, vectors::SETUP_ACK);
    assert_eq!(ev.function, 0xF0);
    assert!(ev.marks.contains(Marks::SESSION));
    assert_eq!(ev.outcome, Outcome::Ok);
}

#[test]
fn read_var_names_the_data_block_range() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(1), Direction::Request, vectors::READ_JOB);
    assert_eq!(ev.action, Action::Read);
    assert_eq!(ev.function, 0x04);
    assert_eq!(ev.transaction, Some(0));
    // 64 bytes of DB 1 from byte 0: area 0x84, start db << 16 | byte.
    assert_eq!(
        ev.targets.as_slice(),
        &[Target::new(Space::Other(0x84), 1 << 16, 64)]
    );
    assert!(ev.conformance.is_empty(), "{:?}", ev.conformance);
    let s7 = ev.s7().unwrap();
    assert!(matches!(s7.message, Some(otwire_s7::Message::S7comm(_))));
}

#[test]
fn an_answer_takes_its_jobs_action_and_targets() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let req = a.one(&mut s, meta(1), Direction::Request, vectors::READ_JOB);
    let targets = req.targets;
    // The same job answered: READ_ACK with the job's PDU reference (0).
    let mut ack = vectors::READ_ACK.to_vec();
    ack[11..13].copy_from_slice(&[0, 0]);
    let mut s2 = Vec::new();
    let ev = a.one(&mut s2, meta(2), Direction::Response, &ack);
    assert_eq!(ev.action, Action::Read);
    assert_eq!(ev.function, 0x04);
    assert_eq!(ev.targets, targets);
    // Unpaired, an answer still says what its function does.
    let mut s3 = Vec::new();
    let ev = a.one(&mut s3, meta(3), Direction::Response, vectors::READ_ACK);
    assert_eq!(ev.action, Action::Read);
    assert!(ev.targets.is_empty());
}

#[test]
fn write_var_is_a_write() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(1), Direction::Request, vectors::WRITE_JOB);
    assert_eq!(ev.action, Action::Write);
    assert_eq!(ev.function, 0x05);
    assert_eq!(ev.targets.as_slice().len(), 1);
}

#[test]
fn dangerous_jobs() {
    let mut s = Vec::new();
    let ev = Conn::<S7>::tcp().one(&mut s, meta(1), Direction::Request, vectors::PLC_STOP);
    assert_eq!((ev.action, ev.function), (Action::ModeChange, 0x29));
    let mut s = Vec::new();
    let ev = Conn::<S7>::tcp().one(&mut s, meta(1), Direction::Request, vectors::PI_INSE);
    assert_eq!((ev.action, ev.function), (Action::ProgramDownload, 0x28));
    assert!(ev.marks.contains(Marks::MODIFIES_PROGRAM));
    let mut s = Vec::new();
    let ev = Conn::<S7>::tcp().one(
        &mut s,
        meta(1),
        Direction::Request,
        vectors::REQUEST_DOWNLOAD,
    );
    assert_eq!((ev.action, ev.function), (Action::ProgramDownload, 0x1A));
}

#[test]
fn szl_reads_are_userdata_with_their_group_and_subfunction() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(1), Direction::Request, vectors::SZL_REQ);
    // CPU functions (group 4), read SZL (subfunction 1), SZL 0x0011: identification.
    assert_eq!(ev.function, USERDATA | 4);
    assert_eq!(ev.sub_function, Some(1));
    assert_eq!(ev.action, Action::Discovery);
    assert_eq!(ev.transaction, Some(0x11));
    let ev = a.one(&mut s, meta(2), Direction::Response, vectors::SZL_0011);
    assert_eq!(ev.action, Action::Discovery);
    assert_eq!(ev.outcome, Outcome::Ok);
    // The CPU's mode: reads the device state.
    let ev = a.one(&mut s, meta(3), Direction::Response, vectors::SZL_0424);
    assert!(ev.marks.contains(Marks::READS_DEVICE_STATE));
    assert_eq!(ev.action, Action::Diagnostic);
}

#[test]
fn s7comm_plus_pdus_pair_by_sequence_number() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let ev = a.one(&mut s, meta(1), Direction::Request, vectors::PLUS_V3);
    // SetVariable.
    assert_eq!(ev.function, 0x04F2);
    assert_eq!(ev.action, Action::Write);
    assert!(ev.s7().unwrap().plus.is_some());
    let ev = a.one(&mut s, meta(2), Direction::Response, vectors::PLUS_V2);
    assert_eq!(ev.function, 0x0542);
    assert_eq!(ev.transaction, Some(2));
    // A system frame has no function.
    let ev = a.one(&mut s, meta(3), Direction::Response, vectors::PLUS_EVENT);
    assert_eq!(ev.function & 0xFF00, PLUS);
}

#[test]
fn a_segmented_tsdu_is_one_message_after_its_fragments() {
    let (frame, _) = otwire_s7::split_frame(vectors::READ_JOB).unwrap();
    let user = &frame.tpdu[3..];
    let mut bytes = Vec::new();
    for (i, part) in user.chunks(7).enumerate() {
        let eot = (i + 1) * 7 >= user.len();
        let len = 7 + part.len();
        bytes.extend_from_slice(&[3, 0, 0, len as u8, 2, 0xF0, if eot { 0x80 } else { 0 }]);
        bytes.extend_from_slice(part);
    }
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let evs = a.events(&mut s, meta(1), Direction::Request, &bytes);
    assert_eq!(evs.len(), user.len().div_ceil(7));
    let (last, fragments) = evs.split_last().unwrap();
    assert!(
        fragments
            .iter()
            .all(|e| e.record_only && e.function == COTP | 0xF0)
    );
    assert!(!last.record_only);
    assert_eq!(last.action, Action::Read);
    assert_eq!(
        last.targets.as_slice(),
        &[Target::new(Space::Other(0x84), 1 << 16, 64)]
    );
}

#[test]
fn every_chunking_gives_the_same_events() {
    let stream: Vec<u8> = vectors::ALL.iter().flat_map(|v| v.bytes.to_vec()).collect();
    let whole = {
        let mut a = Conn::<S7>::tcp();
        let mut s = Vec::new();
        let evs = a.events(&mut s, meta(1), Direction::Request, &stream);
        evs.iter()
            .map(|e| (e.function, e.action, e.record_only, e.anomalies))
            .collect::<Vec<_>>()
    };
    assert!(whole.len() >= vectors::ALL.len());
    for size in [1, 3, 17, 100] {
        let mut a = Conn::<S7>::tcp();
        let mut got = Vec::new();
        for chunk in stream.chunks(size) {
            let mut s = Vec::new();
            for e in a.events(&mut s, meta(1), Direction::Request, chunk) {
                got.push((e.function, e.action, e.record_only, e.anomalies));
            }
        }
        assert_eq!(got, whole, "chunks of {size}");
    }
}

#[test]
fn bytes_that_are_not_tpkt_on_port_102_are_reported_once() {
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    // A TPKT length below 4: junk at once.
    let ev = a.one(
        &mut s,
        meta(1),
        Direction::Request,
        &[0xFF, 0xFF, 0, 0, 1, 2, 3],
    );
    assert!(ev.conformance.contains(Conformance::NOT_PROTOCOL));
    // A header-like opening with a large length waits for its bytes; the connection's end
    // reports it as not S7.
    let mut a = Conn::<S7>::tcp();
    let mut s = Vec::new();
    let http = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assert!(
        a.events(&mut s, meta(1), Direction::Request, http)
            .is_empty()
    );
    let mut buf = vec![0u8; 256];
    let mut arena = Arena::new(&mut buf);
    let mut events = Vec::new();
    a.stream
        .close(&mut Out::new(meta(2), &mut arena, &mut events));
    assert_eq!(events.len(), 1);
    assert!(events[0].conformance.contains(Conformance::NOT_PROTOCOL));
}
