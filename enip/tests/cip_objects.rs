//! Typed attributes, classification, pairing and builders.
// `to_vec` and the pairing table need `alloc`.
#![cfg(feature = "alloc")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use otwire_enip::Anomalies;
use otwire_enip::Emit;
use otwire_enip::cip::body::ServiceKind;
use otwire_enip::cip::build::{
    get_attribute_single, get_attributes_all, multiple_service_packet, read_tag, unconnected_send,
};
use otwire_enip::cip::objects::{Attributes, Identity};
use otwire_enip::cip::pairing::PairingTable;
use otwire_enip::cip::{
    ConnectionManagerService, MultipleService, Operation, Request, Response, Scope, classify,
};

/// openics_EIP-RebootorRestart.pcap frame 10: the Identity Get Attributes All reply
/// (routed by Unconnected Send, returned unwrapped).
const IDENTITY_REPLY: &[u8] = &[
    0x81, 0x00, 0x00, 0x00, // reply to 0x01, reserved, success, no additional status
    0x01, 0x00, // vendor 1 (Rockwell Automation/Allen-Bradley)
    0x0E, 0x00, // device type 14 (PLC)
    0x36, 0x00, // product code 54
    0x10, 0x14, // revision 16.20
    0x60, 0x30, // status 0x3060
    0x3F, 0x82, 0x51, 0x00, // serial 0x0051823F
    0x14, // product name: 20 characters
    b'1', b'7', b'5', b'6', b'-', b'L', b'6', b'1', b'/', b'B', b' ', b'L', b'O', b'G', b'I', b'X',
    b'5', b'5', b'6', b'1',
];

#[test]
fn identity() {
    let r = Response::parse(IDENTITY_REPLY).unwrap().pdu;
    let id = Identity::parse(r.data).unwrap();
    assert_eq!(id.anomalies, Anomalies::empty());
    let id = id.pdu;
    assert_eq!((id.vendor, id.device_type, id.product_code), (1, 14, 54));
    assert_eq!((id.major_revision, id.minor_revision), (16, 20));
    assert_eq!(id.serial, 0x0051_823F);
    assert_eq!(id.product_name, b"1756-L61/B LOGIX5561");
    assert_eq!(id.state, None);
    let Attributes::Identity(_) = Attributes::parse(1, None, r.data).pdu else {
        panic!()
    };
    // A name running past the data.
    let p = Identity::parse(&r.data[..20]).unwrap();
    assert_eq!(p.anomalies, Anomalies::ATTRIBUTE_TRUNCATED);
    for n in 0..r.data.len() {
        let _ = Attributes::parse(1, None, &r.data[..n]);
        let _ = Attributes::parse(0xF5, None, &r.data[..n]);
        let _ = Attributes::parse(0xF6, None, &r.data[..n]);
        let _ = Attributes::parse(0xF4, None, &r.data[..n]);
    }
}

#[test]
fn builders_and_classification() {
    let gaa = get_attributes_all(1, 1).to_vec().unwrap();
    // Get Attributes All, 2 words, class 1, instance 1.
    assert_eq!(gaa, [0x01, 0x02, 0x20, 0x01, 0x24, 0x01]);
    let r = Request::parse(&gaa).unwrap().pdu;
    assert_eq!(classify(&r).operation, Operation::Identification);

    let gas = get_attribute_single(0xF5, 1, 5).to_vec().unwrap();
    assert_eq!(gas, [0x0E, 0x03, 0x20, 0xF5, 0x24, 0x01, 0x30, 0x05]);
    let r = Request::parse(&gas).unwrap().pdu;
    let c = classify(&r);
    assert_eq!(c.operation, Operation::Read(Scope::Attribute));
    assert_eq!(
        (c.class, c.instance, c.attribute),
        (Some(0xF5), Some(1), Some(5))
    );

    let rt = read_tag("Program:Main.tag[3].x", 1).to_vec().unwrap();
    let r = Request::parse(&rt).unwrap();
    assert_eq!(r.anomalies, Anomalies::empty());
    let c = classify(&r.pdu);
    assert_eq!(c.operation, Operation::Read(Scope::Tag));
    let mut s = String::new();
    c.tag.unwrap().write_tag(&mut s).unwrap();
    assert_eq!(s, "Program:Main.tag[3].x");
    assert_eq!(r.pdu.data, &[1, 0]);

    // Unconnected Send of a Get Attributes All (odd size? no: 6 bytes) over port 1 slot 0.
    let us = unconnected_send(get_attributes_all(1, 1), &[1, 0])
        .to_vec()
        .unwrap();
    let r = Request::parse(&us).unwrap().pdu;
    assert_eq!(classify(&r).operation, Operation::Routing);
    let body = r.body();
    assert_eq!(body.anomalies, Anomalies::empty());

    // A Multiple Service Packet of two reads.
    let reqs = [get_attribute_single(1, 1, 7), get_attribute_single(1, 1, 1)];
    let msp = multiple_service_packet(&reqs).to_vec().unwrap();
    let r = Request::parse(&msp).unwrap().pdu;
    assert_eq!(classify(&r).operation, Operation::Batch);
    let m = MultipleService::parse(r.data).unwrap();
    assert_eq!(m.anomalies, Anomalies::empty());
    let inner: Vec<_> = m
        .pdu
        .requests()
        .map(|q| q.unwrap().pdu.path.attribute())
        .collect();
    assert_eq!(inner, [Some(7), Some(1)]);
}

#[test]
fn pairing_resolves_unwrapped_replies() {
    let us = unconnected_send(get_attributes_all(1, 1), &[1, 0])
        .to_vec()
        .unwrap();
    let req = Request::parse(&us).unwrap().pdu;
    let mut t = PairingTable::<u32>::new(2);
    t.request(7, 0xAA, &req);
    // The reply comes back as the Get Attributes All reply.
    let rep = Response::parse(IDENTITY_REPLY).unwrap().pdu;
    let p = t.reply(7, 0xAA, &rep).unwrap();
    assert!(p.routed);
    assert_eq!((p.service, p.class), (0x01, Some(1)));
    let Attributes::Identity(id) = p.attributes(&rep).unwrap().pdu else {
        panic!()
    };
    assert_eq!(id.serial, 0x0051_823F);
    assert!(t.is_empty());
    // A routing failure comes back as 0x52 from the Connection Manager.
    t.request(7, 0xAB, &req);
    let fail = [0xD2, 0, 0x01, 0x01, 0x04, 0x02, 0x00, 0x00];
    let rep = Response::parse(&fail).unwrap().pdu;
    let p = t.reply(7, 0xAB, &rep).unwrap();
    assert_eq!(
        p.kind,
        ServiceKind::ConnectionManager(ConnectionManagerService::UnconnectedSend)
    );
    // The cap drops the oldest.
    for i in 0..5 {
        t.request(1, i, &req);
    }
    assert_eq!(t.len(), 2);
    assert_eq!(t.evicted(), 3);
}
