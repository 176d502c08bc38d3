//! EtherNet/IP against a server no one here wrote: cpppo's Logix simulator (GPL-3.0, only
//! run as a separate process), started on 127.0.0.1 on a free port by
//! tests/peers/enip_server.py. Every request is built with otwire-enip's encoders and every
//! answer decoded with its parsers, which must find no anomaly in them: ListIdentity over
//! UDP and TCP, RegisterSession, Get Attributes All of the Identity object through
//! Unconnected Send, a Logix Read Tag of `Counter`, a Multiple Service Packet of two Read
//! Tags, UnRegisterSession. (pycomm3's and pylogix's own requests to the simulator are in
//! the recorded vectors, enip/tests/vectors, made by tests/peers/enip_record.py.)
//!
//! cpppo's known quirks, seen here and allowed for: its ListIdentity item reports socket
//! 0.0.0.0:44818 whatever it listens on; it answers a routed Unconnected Send with the
//! embedded reply as a local target would (any route path is accepted); it closes the
//! connection on UnRegisterSession (no reply, as the spec says).
//!
//! The interpreter is `$OTWIRE_PYTHON`, else `<workspace>/.venv/bin/python`. Without it (or
//! without cpppo) the test prints a skip message, unless `CI` is set: then it fails.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::time::Duration;

use otwire_enip::cip::build::{
    get_attributes_all, multiple_service_packet, read_tag, unconnected_send,
};
use otwire_enip::cip::logix::{DataType, LogixReply, TagType};
use otwire_enip::cip::objects::Identity as IdentityObject;
use otwire_enip::cip::{Message, MultipleService, Response};
use otwire_enip::{
    Body, Command, Direction, Emit, EncapStatus, Item, Pdu, list_identity, register_session,
    send_rr_data, split_frame, unregister_session,
};

/// The sender context of every request (echoed by the target).
const CONTEXT: [u8; 8] = *b"otwire\0\0";

/// Reads one encapsulation message from a stream (header, then the length it gives).
fn recv(s: &mut TcpStream) -> Vec<u8> {
    let mut msg = vec![0u8; 24];
    s.read_exact(&mut msg).expect("encapsulation header");
    let len = usize::from(u16::from_le_bytes([msg[2], msg[3]]));
    msg.resize(24 + len, 0);
    s.read_exact(&mut msg[24..]).expect("encapsulation data");
    msg
}

/// Decodes a reply with otwire-enip: one whole message, the command expected, status
/// success, the sender context echoed, no anomaly.
fn reply(bytes: &[u8], command: Command) -> Pdu<'_> {
    let (frame, rest) = split_frame(bytes).unwrap();
    assert!(rest.is_empty());
    let p = Pdu::parse(&frame, Direction::Reply).unwrap();
    assert!(p.anomalies.is_empty(), "{:?} in {bytes:02x?}", p.anomalies);
    assert_eq!(p.pdu.header.command, command);
    assert_eq!(p.pdu.header.status, EncapStatus::Success);
    p.pdu
}

/// The identity a ListIdentity reply carries, checked against what enip_server.py sets
/// (revision 2836 = 0x0B14: 20.11).
fn check_list_identity(pdu: &Pdu<'_>) {
    let Body::ListIdentityReply(cpf) = pdu.body else {
        panic!("{pdu:?}")
    };
    let items: Vec<Item<'_>> = cpf.items().collect();
    let [Item::ListIdentity(id)] = items[..] else {
        panic!("{items:?}")
    };
    assert_eq!(id.encap_version, 1);
    assert_eq!(id.socket.ip().to_string(), "0.0.0.0");
    assert_eq!(id.socket.port, 44818);
    assert_eq!(
        (id.vendor_id, id.device_type.value(), id.product_code),
        (1, 14, 54)
    );
    assert_eq!((id.revision.major, id.revision.minor), (20, 11));
    assert_eq!(id.serial, 1_234_567);
    assert_eq!(id.product_name_str(), Some("otwire cpppo peer"));
    assert_eq!(id.state, 0xFF);
}

/// Sends a SendRRData of `cip` and returns the CIP reply's bytes, checked as [`reply`].
fn request(tcp: &mut TcpStream, session: u32, cip: &[u8]) -> Vec<u8> {
    tcp.write_all(&send_rr_data(session, CONTEXT, cip).to_vec().unwrap())
        .unwrap();
    let bytes = recv(tcp);
    let pdu = reply(&bytes, Command::SendRrData);
    assert_eq!(pdu.header.session, session);
    assert_eq!(pdu.header.context, CONTEXT);
    let data = pdu.cip().expect("unconnected data");
    assert_eq!((data.conn_id, data.sequence), (None, None));
    data.bytes.to_vec()
}

/// A successful CIP reply to `service`, without anomalies.
fn response(bytes: &[u8], service: u8) -> Response<'_> {
    let m = Message::parse(bytes).unwrap();
    assert!(m.anomalies.is_empty(), "{:?}", m.anomalies);
    let Message::Response(r) = m.pdu else {
        panic!("{m:?}")
    };
    assert_eq!(r.service, service);
    assert_eq!(r.general_status, 0, "{r:?}");
    r
}

/// A Read Tag reply of one DINT of value 0 (the simulator's tags start at zero).
fn check_dint_zero(r: &Response<'_>) {
    let l = LogixReply::parse(r.service, r.general_status, r.data).unwrap();
    assert!(l.anomalies.is_empty(), "{:?}", l.anomalies);
    let v = l.pdu.values().unwrap();
    assert_eq!(v.tag_type(), TagType::Atomic(DataType::Dint));
    assert_eq!(v.bytes(), [0, 0, 0, 0]);
}

#[test]
fn cpppo_answers_otwire_enip_requests() {
    let Some(py) = common::python_with("cpppo") else {
        return;
    };
    let (_peer, port) = common::start_peer(&py, "enip_server.py");

    // ListIdentity over UDP (the usual discovery way). The TCP listener is up; the UDP one
    // starts beside it, so the first datagram may come too early: ask up to five times.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut buf = [0u8; 1500];
    let li = list_identity().to_vec().unwrap();
    let got = (0..5).find_map(|_| {
        udp.send_to(&li, ("127.0.0.1", port)).unwrap();
        udp.recv(&mut buf).ok()
    });
    let n = got.expect("a ListIdentity reply over UDP");
    let p = Pdu::from_datagram(&buf[..n], Direction::Reply).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    check_list_identity(&p.pdu);

    // ListIdentity over TCP, without a session.
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(&li).unwrap();
    check_list_identity(&reply(&recv(&mut tcp), Command::ListIdentity));

    // RegisterSession (Vol. 2 §2-4.4): the reply echoes version 1 and options 0 and carries
    // the session handle in its header.
    tcp.write_all(&register_session().to_vec().unwrap())
        .unwrap();
    let bytes = recv(&mut tcp);
    let pdu = reply(&bytes, Command::RegisterSession);
    assert_eq!(
        pdu.body,
        Body::RegisterSession {
            protocol_version: 1,
            options: 0
        }
    );
    let session = pdu.header.session;
    assert_ne!(session, 0, "session handle");

    // Get Attributes All of Identity instance 1 through Unconnected Send (route: port 1,
    // slot 0): the reply is the embedded service's (0x01), the Identity attributes 1-8.
    let us = unconnected_send(get_attributes_all(0x01, 1), &[0x01, 0x00])
        .to_vec()
        .unwrap();
    let bytes = request(&mut tcp, session, &us);
    let r = response(&bytes, 0x01);
    let id = IdentityObject::parse(r.data).unwrap();
    assert!(id.anomalies.is_empty(), "{:?}", id.anomalies);
    let id = id.pdu;
    assert_eq!((id.vendor, id.device_type, id.product_code), (1, 14, 54));
    assert_eq!((id.major_revision, id.minor_revision), (20, 11));
    assert_eq!(id.serial, 1_234_567);
    assert_eq!(id.product_name, b"otwire cpppo peer");

    // Logix Read Tag (0x4C) of `Counter`, one element: DINT 0.
    let bytes = request(&mut tcp, session, &read_tag("Counter", 1).to_vec().unwrap());
    check_dint_zero(&response(&bytes, 0x4C));

    // A Multiple Service Packet (0x0A) of two Read Tags: two replies, both DINT 0.
    let reads = [read_tag("Counter", 1), read_tag("Counter", 1)];
    let msp = multiple_service_packet(&reads).to_vec().unwrap();
    let bytes = request(&mut tcp, session, &msp);
    let r = response(&bytes, 0x0A);
    let ms = MultipleService::parse(r.data).unwrap();
    assert!(ms.anomalies.is_empty(), "{:?}", ms.anomalies);
    assert_eq!(ms.pdu.count, 2);
    assert!(ms.pdu.embedded_anomalies(false).is_empty());
    let replies: Vec<_> = ms.pdu.replies().map(|p| p.unwrap().pdu).collect();
    assert_eq!(replies.len(), 2);
    for r in &replies {
        assert_eq!((r.service, r.general_status), (0x4C, 0));
        check_dint_zero(r);
    }

    // UnRegisterSession: no reply; the target closes the connection.
    tcp.write_all(&unregister_session(session).to_vec().unwrap())
        .unwrap();
    let mut rest = Vec::new();
    let _ = tcp.read_to_end(&mut rest);
    assert!(
        rest.is_empty(),
        "no reply to UnRegisterSession: {rest:02x?}"
    );
}
