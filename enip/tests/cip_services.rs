//! Multiple Service Packet and Connection Manager vectors from the captures, commented field
//! by field, with every prefix of each.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use otwire_enip::Anomalies;
use otwire_enip::cip::body::{RequestBody, ResponseBody, ServiceKind};
use otwire_enip::cip::cm::{ConnectionType, Priority};
use otwire_enip::cip::{
    ConnectionManagerService, ConnectionManagerStatus, Message, MultipleService, Request, Response,
};

fn h(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// emre_ENIP_CIP-CM.pcap frame 1: Forward Open.
const FORWARD_OPEN: &str = concat!(
    "54",                   // service Forward Open
    "02",                   // path size 2 words
    "2006",                 // class 0x06 Connection Manager
    "2401",                 // instance 1
    "05",                   // priority/time tick: tick 5 (32 ms)
    "9b",                   // timeout ticks 155 (4960 ms)
    "00000000",             // O->T connection id (chosen by the target)
    "00000000",             // T->O connection id 0
    "0e00",                 // connection serial 14
    "0100",                 // vendor 1
    "22f51300",             // originator serial 0x0013F522
    "02",                   // timeout multiplier 2 (x16)
    "000000",               // reserved
    "10270000",             // O->T RPI 10000 us
    "1a48",                 // O->T params 0x481A: point to point, scheduled, fixed, 26 bytes
    "10270000",             // T->O RPI 10000 us
    "1a28",                 // T->O params 0x281A: multicast, scheduled, fixed, 26 bytes
    "01",                   // transport: client, cyclic, class 1
    "09",                   // connection path 9 words
    "34040000000000000000", // electronic key format 4, all zero (any)
    "2004",                 // class 0x04 Assembly
    "2406",                 // instance 6
    "2c02",                 // connection point 2
    "2c01",                 // connection point 1
);

/// iti_cip_only_pccc.pcap frame 2884: Forward Close, and frame 2885 its reply.
const FORWARD_CLOSE: &str = concat!(
    "4e", "02", "2006", "2401", // Forward Close to class 6 instance 1
    "07", "9b", // tick 7, 155 ticks
    "0600", "4d00", "e0312b3d", // serial 6, vendor 0x4D, originator serial 0x3D2B31E0
    "02", "00", // path 2 words, reserved
    "2002", "2401", // Message Router instance 1
);
const FORWARD_CLOSE_REPLY: &str = concat!(
    "ce", "00", "00", "00", // reply to 0x4E, success
    "0600", "4d00", "e0312b3d", // the triad
    "00", "00", // application reply 0 words, reserved
);

/// plant1_EthernetIP-CIP.pcap frame 29: Unconnected Send of a Get Attributes All.
const UNCONNECTED_SEND: &str = concat!(
    "52", "02", "2006", "2401", // Unconnected Send to the Connection Manager
    "07", "e9",   // tick 7, 233 ticks
    "0800", // message size 8
    "01", "02", "20ac", "2401", // embedded: Get Attributes All, class 0xAC instance 1
    "0100", // embedded request data 01 00
    "01", "00",   // route path 1 word, reserved
    "0100", // port 1, link address 0
);

/// ndpi_ethernetIP.pcap frame 1 (connected data): a Multiple Service Packet of two
/// requests; frame 4 its reply.
const MSP: &str = concat!(
    "0a",
    "02",
    "2002",
    "2401", // MSP to the Message Router instance 1
    "0200", // 2 services
    "0600",
    "1200", // offsets 6 and 18 from the count
    "4c0220722400",
    "00ce04000100", // 0x4C to class 0x72 instance 0, data 00 ce 04 00 01 00
    "4c0220722400",
    "2c3d04000100", // 0x4C to class 0x72 instance 0, data 2c 3d 04 00 01 00
);
const MSP_REPLY: &str = concat!(
    "8a", "00", "00", "00", // reply to 0x0A, success
    "0200", "0600", "0e00", // 2 replies at 6 and 14
    "cc000000", "01000000", // reply to 0x4C, success, data 01 00 00 00
    "cc000000", "05000000", // reply to 0x4C, success, data 05 00 00 00
);

#[test]
fn forward_open() {
    let b = h(FORWARD_OPEN);
    let r = Request::parse(&b).unwrap();
    assert_eq!(r.anomalies, Anomalies::empty());
    assert_eq!(
        r.pdu.kind(),
        ServiceKind::ConnectionManager(ConnectionManagerService::ForwardOpen)
    );
    let body = r.pdu.body();
    assert_eq!(body.anomalies, Anomalies::empty());
    let RequestBody::ForwardOpen(fo) = body.pdu else {
        panic!()
    };
    assert_eq!(fo.timeout.millis(), 155 << 5);
    assert_eq!(fo.triad.connection_serial, 14);
    assert_eq!(fo.triad.vendor, 1);
    assert_eq!(fo.triad.originator_serial, 0x0013_F522);
    assert_eq!(fo.timeout_multiplier, 2);
    assert_eq!((fo.ot_rpi, fo.to_rpi), (10_000, 10_000));
    assert_eq!(fo.ot_params.connection_type(), ConnectionType::PointToPoint);
    assert_eq!(fo.to_params.connection_type(), ConnectionType::Multicast);
    assert_eq!(fo.ot_params.priority(), Priority::Scheduled);
    assert!(!fo.ot_params.variable());
    assert_eq!(fo.ot_params.size(), 26);
    assert_eq!((fo.transport.class(), fo.transport.trigger()), (1, 0));
    assert_eq!(fo.path.class(), Some(4));
    assert_eq!(fo.path.instance(), Some(6));
    assert_eq!(fo.path.connection_point(), Some(2));
}

#[test]
fn forward_open_reply_and_error() {
    let b = h("d40000000200a2f10300a2f10e00010022f5130010270000102700000000");
    let r = Response::parse(&b).unwrap().pdu;
    let kind = ServiceKind::ConnectionManager(ConnectionManagerService::ForwardOpen);
    let ResponseBody::ForwardOpen(rep) = r.body(kind).pdu else {
        panic!()
    };
    assert_eq!(rep.ot_connection_id, 0xF1A2_0002);
    assert_eq!(rep.to_connection_id, 0xF1A2_0003);
    assert_eq!((rep.ot_api, rep.to_api), (10_000, 10_000));
    // A failure: general status 1, extended 0x0100, the triad, remaining path size 0.
    let b = h("d400010100010e00010022f51300")
        .into_iter()
        .chain([0, 0])
        .collect::<Vec<_>>();
    let r = Response::parse(&b).unwrap().pdu;
    let ResponseBody::ConnectionError(e) = r.body(kind).pdu else {
        panic!()
    };
    assert_eq!(
        e.extended_status,
        Some(ConnectionManagerStatus::ConnectionInUseOrDuplicateForwardOpen)
    );
    assert_eq!(e.triad.unwrap().connection_serial, 14);
    assert_eq!(e.remaining_path_size, Some(0));
}

#[test]
fn forward_close_and_reply() {
    let b = h(FORWARD_CLOSE);
    let r = Request::parse(&b).unwrap().pdu;
    let RequestBody::ForwardClose(fc) = r.body().pdu else {
        panic!()
    };
    assert_eq!(fc.triad.vendor, 0x4D);
    assert_eq!(fc.path.class(), Some(2));
    let b = h(FORWARD_CLOSE_REPLY);
    let rep = Response::parse(&b).unwrap().pdu;
    let ResponseBody::ForwardClose(c) = rep.body(r.kind()).pdu else {
        panic!()
    };
    assert_eq!(c.triad.originator_serial, 0x3D2B_31E0);
}

#[test]
fn unconnected_send() {
    let b = h(UNCONNECTED_SEND);
    let p = Request::parse(&b).unwrap();
    let body = p.pdu.body();
    assert_eq!(body.anomalies, Anomalies::empty());
    let RequestBody::UnconnectedSend(us) = body.pdu else {
        panic!()
    };
    let inner = us.request().unwrap().pdu;
    assert_eq!(inner.service, 0x01);
    assert_eq!(inner.path.class(), Some(0xAC));
    assert_eq!(us.route.as_bytes(), &[1, 0]);
    // Routed to a Logix tag, 0x52 means Read Tag Fragmented instead.
    let b = h("520391037461670000000000");
    let r = Request::parse(&b).unwrap().pdu;
    assert_eq!(r.kind(), ServiceKind::Logix(0x52));
    assert_eq!(r.kind().name(), Some("Read Tag Fragmented"));
}

#[test]
fn multiple_service_packet() {
    let b = h(MSP);
    let r = Request::parse(&b).unwrap().pdu;
    let RequestBody::MultipleServicePacket(m) = r.body().pdu else {
        panic!()
    };
    assert_eq!(m.count, 2);
    let reqs: Vec<_> = m.requests().map(|r| r.unwrap().pdu).collect();
    assert_eq!(reqs.len(), 2);
    assert_eq!((reqs[0].service, reqs[0].path.class()), (0x4C, Some(0x72)));
    assert_eq!(reqs[0].data, &[0x00, 0xCE, 0x04, 0x00, 0x01, 0x00]);
    let b = h(MSP_REPLY);
    let rep = Response::parse(&b).unwrap().pdu;
    let ResponseBody::MultipleServicePacket(m) = rep.body(r.kind()).pdu else {
        panic!()
    };
    let reps: Vec<_> = m.replies().map(|r| r.unwrap().pdu).collect();
    assert_eq!(reps[1].data, &[5, 0, 0, 0]);
    // An offset past the end is flagged and skipped; the other entry still decodes.
    let bad = h("0200060040000e02200124010e022001240102");
    let p = MultipleService::parse(&bad).unwrap();
    assert_eq!(p.anomalies, Anomalies::MSP_OFFSET);
    assert_eq!(p.pdu.entries().count(), 1);
}

#[test]
fn every_prefix_is_handled() {
    for v in [
        FORWARD_OPEN,
        FORWARD_CLOSE,
        FORWARD_CLOSE_REPLY,
        UNCONNECTED_SEND,
        MSP,
        MSP_REPLY,
    ] {
        let b = h(v);
        for n in 0..b.len() {
            let Ok(m) = Message::parse(&b[..n]) else {
                continue;
            };
            match m.pdu {
                Message::Request(r) => {
                    let _ = r.body();
                }
                Message::Response(r) => {
                    for k in [
                        ServiceKind::ConnectionManager(ConnectionManagerService::ForwardOpen),
                        ServiceKind::ConnectionManager(ConnectionManagerService::ForwardClose),
                        ServiceKind::Common(otwire_enip::cip::Service::MultipleServicePacket),
                    ] {
                        let _ = r.body(k);
                    }
                }
            }
        }
    }
}
