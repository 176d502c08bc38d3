//! EtherNet/IP identification: port 44818 (TCP and UDP) and UDP 2222, `otwire_enip::probe`
//! off the port, and hostile traffic as `hostile.rs` tries it on Modbus (bytes that are not
//! EtherNet/IP, an opening the probe rejects before real requests, junk before and between
//! messages, a header without its data, an error reply without data). Every message is
//! built with otwire-enip's encoders.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use otwire_detect::{Direction as Dir, Protocol};
use otwire_enip::cip::build::get_attributes_all;
use otwire_enip::{
    Command, CpfItems, DeviceType, Emit, Encap, Header, Identity, Item, Revision, Sockaddr,
    list_identity, register_session, send_rr_data,
};
use otwire_examples::enip::Fields;
use otwire_examples::pcapw::{Flags, Host, tcp_frame, udp_frame};
use otwire_examples::record::{PduRecord, ProtoFields};

const A: Host = Host::new([192, 168, 0, 1]);
const B: Host = Host::new([192, 168, 0, 2]);

fn enip(r: &PduRecord) -> Fields {
    match &r.fields {
        ProtoFields::Enip(f) => f.clone(),
        _ => Fields::default(),
    }
}

/// A ListIdentity reply of a 1756-ENBT/A.
fn identity_reply() -> Vec<u8> {
    let id = Identity {
        encap_version: 1,
        socket: Sockaddr::new([192, 168, 0, 2], 44818),
        vendor_id: 1,
        device_type: DeviceType::from(12),
        product_code: 58,
        revision: Revision { major: 4, minor: 3 },
        status: 0x30,
        serial: 0x0052_4D8E,
        product_name: b"1756-ENBT/A",
        state: 3,
    };
    Encap {
        header: Header::new(Command::ListIdentity, 0, 0),
        body: CpfItems(&[Item::ListIdentity(id)]),
    }
    .to_vec()
    .unwrap()
}

/// A session from A:40000 to B:`port`: RegisterSession both ways, then Get Attributes All
/// of the Identity object (SendRRData) and its reply.
fn session(port: u16) -> Vec<Vec<u8>> {
    let req = register_session().to_vec().unwrap();
    let mut rep = register_session();
    rep.header.session = 0x1122_3344;
    let rep = rep.to_vec().unwrap();
    let gaa = get_attributes_all(1, 1).to_vec().unwrap();
    let get = send_rr_data(0x1122_3344, [1; 8], &gaa).to_vec().unwrap();
    let answer = [
        0x81, 0, 0, 0, 1, 0, 12, 0, 58, 0, 4, 3, 0x30, 0, 1, 2, 3, 4, 1, b'X', 3,
    ];
    let got = send_rr_data(0x1122_3344, [1; 8], &answer).to_vec().unwrap();
    common::tcp_conversation(
        A,
        B,
        port,
        &[(true, &req), (false, &rep), (true, &get), (false, &got)],
    )
}

#[test]
fn enip_on_port_44818() {
    let s = common::scan_frames(&session(44818));
    let p = &s.report().pdus;
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(
        p.iter()
            .all(|r| r.proto == Protocol::Enip && r.anomalies.is_empty()),
        "{p:?}"
    );
    assert_eq!(
        p.iter().map(|r| enip(r).command).collect::<Vec<_>>(),
        [Some(0x65), Some(0x65), Some(0x6F), Some(0x6F)]
    );
    assert_eq!(
        p.iter().map(|r| r.dir).collect::<Vec<_>>(),
        [Dir::Request, Dir::Response, Dir::Request, Dir::Response]
    );
    let get = enip(&p[2]);
    assert_eq!(
        (get.cip_service, get.cip_class, get.cip_instance),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(get.cpf_items, Some(vec![0x0000, 0x00B2]));
    let answer = enip(&p[3]);
    assert_eq!(
        (answer.cip_service, answer.cip_reply, answer.cip_status),
        (Some(1), Some(true), Some(0))
    );
    // The Identity attributes of the Get Attributes All reply are the target's facts.
    let b = s.assets().get(&"192.168.0.2".parse().unwrap()).unwrap();
    assert_eq!(b.facts.enip.enip_product_name.as_deref(), Some("X"));
    assert_eq!(b.facts.enip.enip_serial.as_deref(), Some("0x04030201"));
}

#[test]
fn enip_on_another_port_is_found_by_probe() {
    let s = common::scan_frames(&session(5000));
    let p = &s.report().pdus;
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(p.iter().all(|r| r.proto == Protocol::Enip), "{p:?}");
    assert_eq!(enip(&p[3]).cip_status, Some(0));
}

#[test]
fn list_identity_over_udp_and_io_on_2222() {
    let li = list_identity().to_vec().unwrap();
    let data = [1u8, 0, 0x0F, 0, 0, 0];
    let io = CpfItems(&[
        Item::SequencedAddress {
            conn_id: 0x1234,
            seq: 9,
        },
        Item::ConnectedData { data: &data },
    ])
    .to_vec()
    .unwrap();
    let s = common::scan_frames(&[
        udp_frame(A, B, 50000, 44818, &li),
        udp_frame(B, A, 44818, 50000, &identity_reply()),
        udp_frame(A, B, 2222, 2222, &io),
    ]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 3, "{p:?}");
    assert!(
        p.iter()
            .all(|r| r.proto == Protocol::Enip && r.anomalies.is_empty())
    );
    assert_eq!(enip(&p[1]).cpf_items, Some(vec![0x000C]));
    let f = enip(&p[2]);
    assert_eq!(f.command, None);
    assert_eq!((f.conn_id, f.conn_seq), (Some(0x1234), Some(1)));
    let b = s.assets().get(&"192.168.0.2".parse().unwrap()).unwrap();
    let facts = &b.facts.enip;
    assert_eq!(facts.enip_product_name.as_deref(), Some("1756-ENBT/A"));
    assert_eq!(facts.enip_revision.as_deref(), Some("4.003"));
    assert_eq!(
        facts.enip_device_type.as_deref(),
        Some("12 Communications Adapter")
    );
    assert_eq!(facts.enip_socket.as_deref(), Some("192.168.0.2:44818"));
}

#[test]
fn bytes_that_are_not_enip_on_44818_are_reported() {
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    // An HTTP request: no encapsulation command.
    let http = b"GET / HTTP/1.1\r\nHost: plc\r\n\r\n";
    let s = common::scan_frames(&[tcp_frame(A, B, 40000, 44818, 100, 900, f, http)]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].anomalies, ["NOT_ENIP"]);
    assert_eq!(enip(&p[0]).command, None);
}

#[test]
fn junk_before_a_message_is_reported_and_the_message_decoded() {
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    let mut bytes = vec![0xEE; 7];
    bytes.extend_from_slice(&register_session().to_vec().unwrap());
    let s = common::scan_frames(&[tcp_frame(A, B, 40000, 44818, 100, 900, f, &bytes)]);
    let p = &s.report().pdus;
    // Before the first message the bytes are not yet known to be EtherNet/IP: the junk is
    // reported as such, then the message decodes.
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].anomalies, ["NOT_ENIP"]);
    assert!(
        p.iter()
            .any(|r| enip(r).command == Some(0x65) && r.anomalies.is_empty()),
        "{p:?}"
    );
}

#[test]
fn a_header_without_its_data_decodes_nothing_else() {
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    // A SendRRData header announcing 500 bytes, then the connection ends: no record claims
    // a CIP message, nothing panics.
    let gaa = get_attributes_all(1, 1).to_vec().unwrap();
    let mut msg = send_rr_data(1, [0; 8], &gaa).to_vec().unwrap();
    msg[2..4].copy_from_slice(&500u16.to_le_bytes());
    let s = common::scan_frames(&[tcp_frame(A, B, 40000, 44818, 100, 900, f, &msg)]);
    let p = &s.report().pdus;
    assert!(p.iter().all(|r| enip(r).cip_service.is_none()), "{p:?}");
}

#[test]
fn an_error_reply_without_data_is_a_record() {
    let req = register_session().to_vec().unwrap();
    let mut rep = register_session();
    rep.header.session = 7;
    let rep = rep.to_vec().unwrap();
    let gaa = get_attributes_all(1, 1).to_vec().unwrap();
    let get = otwire_enip::send_unit_data(7, 0x99, 1, &gaa)
        .to_vec()
        .unwrap();
    // SendUnitData answered with encapsulation status 0x0008 and no data (cpppo does this,
    // enip/tests/vectors/enip_unsupported.pcap), then another request and its answer.
    let mut err = Header::new(Command::SendUnitData, 0, 7);
    err.context = *b"_pycomm_";
    err.status = otwire_enip::EncapStatus::from(8);
    let err = err.to_vec().unwrap();
    let frames = common::tcp_conversation(
        A,
        B,
        44818,
        &[
            (true, &req),
            (false, &rep),
            (true, &get),
            (false, &err),
            (true, &get),
            (false, &err),
        ],
    );
    for n in [4, 6] {
        let s = common::scan_frames(&frames[..n]);
        let p = &s.report().pdus;
        assert_eq!(p.len(), n, "{n} frames: {p:?}");
        let last = enip(&p[n - 1]);
        assert_eq!((last.command, last.status), (Some(0x70), Some(8)), "{p:?}");
    }
}

/// A junk opening, then RegisterSession and two Get Attributes All requests, on `port`.
fn after_opening(port: u16, opening: &[u8]) -> Vec<PduRecord> {
    let mut msgs: Vec<(bool, Vec<u8>)> = vec![(true, opening.to_vec())];
    let req = register_session().to_vec().unwrap();
    let mut rep = register_session();
    rep.header.session = 5;
    let gaa = get_attributes_all(1, 1).to_vec().unwrap();
    let get = send_rr_data(5, [2; 8], &gaa).to_vec().unwrap();
    msgs.extend([
        (true, req),
        (false, rep.to_vec().unwrap()),
        (true, get.clone()),
        (true, get),
    ]);
    let refs: Vec<(bool, &[u8])> = msgs.iter().map(|(c, b)| (*c, b.as_slice())).collect();
    let s = common::scan_frames(&common::tcp_conversation(A, B, port, &refs));
    s.report().pdus.clone()
}

#[test]
fn a_client_on_44818_cannot_hide_requests_behind_a_rejected_opening() {
    // An SSH banner, then EtherNet/IP: the opening is reported, every request after it is
    // decoded.
    let p = after_opening(44818, b"SSH-2.0-x\r\n");
    assert_eq!(p[0].anomalies, ["NOT_ENIP"], "{p:?}");
    assert_eq!(
        p.iter()
            .filter(|r| enip(r).cip_service == Some(1) && r.anomalies.is_empty())
            .count(),
        2,
        "{p:?}"
    );
}

#[test]
fn off_the_port_probing_goes_on_after_an_unrecognised_opening() {
    let p = after_opening(5000, b"\xff\xfe\xfd\xfc");
    assert!(
        p.iter().filter(|r| enip(r).cip_service == Some(1)).count() == 2,
        "{p:?}"
    );
}

#[test]
fn junk_between_messages_is_skipped_and_reported() {
    let req = register_session().to_vec().unwrap();
    let gaa = get_attributes_all(1, 1).to_vec().unwrap();
    let get = send_rr_data(5, [2; 8], &gaa).to_vec().unwrap();
    let mut middle = vec![0x00, 0xFF, 0x13, 0x37, 0x42];
    middle.extend_from_slice(&get);
    let frames = common::tcp_conversation(A, B, 44818, &[(true, &req), (true, &middle)]);
    let s = common::scan_frames(&frames);
    let p = &s.report().pdus;
    assert!(
        p.iter().any(|r| r.anomalies.contains(&"JUNK_SKIPPED")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|r| enip(r).cip_service == Some(1) && r.anomalies.is_empty()),
        "{p:?}"
    );
}
