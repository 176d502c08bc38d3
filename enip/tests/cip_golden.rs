//! Golden CIP vectors taken from the captures in /work/shared/captures/enip (the bytes of the
//! CPF data item), commented field by field, and every prefix of each (truncation).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use otwire_enip::Anomalies;
use otwire_enip::cip::{
    GeneralStatus, LogicalFormat, LogicalType, Message, Path, Request, Response, Segment,
};

/// icsnpp_set_attribute_single_service_cip.pcapng frame 1 (connected data after the
/// sequence count).
const SET_ATTRIBUTE_SINGLE: &[u8] = &[
    0x10, // service: Set Attribute Single
    0x02, // path size: 2 words
    0x20, 0x01, // logical class 8-bit: 0x01 Identity
    0x24, 0x00, // logical instance 8-bit: 0 (the class)
];

/// iti_cip_start_plc.pcap frame 1: Start (0x06) to class 0x8E instance 1.
const START: &[u8] = &[
    0x06, // service: Start
    0x02, // path size: 2 words
    0x20, 0x8E, // class 0x8E
    0x24, 0x01, // instance 1
];

/// emre_ControlLogix_FactoryTalk_HMI.pcap frame 1: a 0x4C request with a padded 16-bit
/// instance.
const PADDED_INSTANCE: &[u8] = &[
    0x4C, // service 0x4C (object-specific)
    0x03, // path size: 3 words
    0x20, 0xB2, // class 0xB2
    0x25, 0x00, 0x21, 0x00, // instance 16-bit, pad 0, 0x0021
];

/// emre_ENIP_CIP-CM.pcap frame 11: a Forward Open reply.
const FORWARD_OPEN_REPLY: &[u8] = &[
    0xD4, // service: 0x54 | reply bit
    0x00, // reserved
    0x00, // general status: success
    0x00, // additional status size: 0
    0x02, 0x00, 0xA2, 0xF1, // O->T connection id 0xF1A20002
    0x03, 0x00, 0xA2, 0xF1, // T->O connection id 0xF1A20003
    0x0E, 0x00, // connection serial 14
    0x01, 0x00, // vendor 1
    0x22, 0xF5, 0x13, 0x00, // originator serial 0x0013F522
    0x10, 0x27, 0x00, 0x00, // O->T API 10000 us
    0x10, 0x27, 0x00, 0x00, // T->O API 10000 us
    0x00, // application reply size: 0 words
    0x00, // reserved
];

#[test]
fn set_attribute_single_request() {
    let p = Message::parse(SET_ATTRIBUTE_SINGLE).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    let Message::Request(r) = p.pdu else { panic!() };
    assert_eq!(r.service, 0x10);
    assert_eq!(r.path.class(), Some(1));
    assert_eq!(r.path.instance(), Some(0));
    assert_eq!(r.path.attribute(), None);
    assert!(r.data.is_empty());
}

#[test]
fn start_request() {
    let r = Request::parse(START).unwrap().pdu;
    assert_eq!(
        (r.service, r.path.class(), r.path.instance()),
        (6, Some(0x8E), Some(1))
    );
}

#[test]
fn padded_16_bit_instance() {
    let p = Request::parse(PADDED_INSTANCE).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    let segs: Vec<_> = p.pdu.path.segments().collect();
    assert_eq!(
        segs[1],
        Segment::Logical {
            kind: LogicalType::Instance,
            format: LogicalFormat::Bits16,
            value: 0x21
        }
    );
    // The same bytes read packed: 0x25 takes 00 21 as the value and 00 is left over.
    let packed = Path::packed(&PADDED_INSTANCE[2..]);
    assert_eq!(packed.instance(), Some(0x2100));
}

#[test]
fn forward_open_reply_header() {
    let r = Response::parse(FORWARD_OPEN_REPLY).unwrap();
    assert_eq!(r.anomalies, Anomalies::empty());
    assert_eq!(r.pdu.service, 0x54);
    assert_eq!(r.pdu.status(), GeneralStatus::Success);
    assert_eq!(r.pdu.data.len(), 26);
}

#[test]
fn error_reply_with_extended_status() {
    // A Forward Open failure: general status 1, one extended status word 0x0100.
    let b = [0xD4, 0x00, 0x01, 0x01, 0x00, 0x01, 0x0E, 0x00];
    let r = Response::parse(&b).unwrap().pdu;
    assert_eq!(r.status(), GeneralStatus::ConnectionFailure);
    assert_eq!(r.extended_status(), Some(0x0100));
    assert_eq!(r.data, &[0x0E, 0x00]);
    // The reserved byte set, and a status running past the end.
    let b = [0xD4, 0x01, 0x01, 0x02, 0x00, 0x01];
    let p = Response::parse(&b).unwrap();
    assert_eq!(
        p.anomalies,
        Anomalies::CIP_RESERVED | Anomalies::STATUS_TRUNCATED
    );
    assert_eq!(p.pdu.additional_status.collect::<Vec<_>>(), vec![0x0100]);
}

#[test]
fn symbolic_paths_and_tag_rendering() {
    // 0x91 "Program:Main" (12, even: no pad), 0x91 "tag" (3 + pad), member 3, 0x91 "x" + pad.
    let mut b = vec![0x91, 12];
    b.extend_from_slice(b"Program:Main");
    b.extend_from_slice(&[0x91, 3, b't', b'a', b'g', 0, 0x28, 3, 0x29, 0, 0x00, 0x01]);
    b.extend_from_slice(&[0x91, 1, b'x', 0]);
    let p = Path::padded(&b);
    assert_eq!(p.check(), Anomalies::empty());
    assert_eq!(p.symbol(), Some(&b"Program:Main"[..]));
    let mut s = String::new();
    p.write_tag(&mut s).unwrap();
    assert_eq!(s, "Program:Main.tag[3,256].x");
}

#[test]
fn port_segments() {
    // Port 1 link 0; extended link (size 9 "10.0.0.1" + NUL... here 3 bytes) on port 2 with
    // its pad; extended port 0x0F form: port 0x1234, link 5, pad.
    let b = [
        0x01, 0x00, // port 1, link 0
        0x12, 0x03, b'a', b'b', b'c', 0x00, // port 2, link size 3, "abc", pad
        0x0F, 0x34, 0x12, 0x05, // port 0x1234, link 5 (4 bytes: even, no pad)
    ];
    let p = Path::padded(&b);
    assert_eq!(p.check(), Anomalies::empty());
    let s: Vec<_> = p.segments().collect();
    assert_eq!(s.len(), 3);
    assert_eq!(
        s[1],
        Segment::Port {
            port: 2,
            link: b"abc",
            extended_link: true
        }
    );
    assert_eq!(
        s[2],
        Segment::Port {
            port: 0x1234,
            link: &[5],
            extended_link: false
        }
    );
}

#[test]
fn malformed_segments_keep_what_decoded() {
    // class 1, then a reserved logical format (0x23), then more.
    let b = [0x20, 0x01, 0x23, 0x00, 0x24, 0x01];
    let p = Path::padded(&b);
    assert_eq!(p.check(), Anomalies::PATH_SEGMENT);
    assert_eq!(p.class(), Some(1));
    let s: Vec<_> = p.segments().collect();
    assert_eq!(s[1], Segment::Malformed(&b[2..]));
    // A 32-bit instance cut short.
    let b = [0x20, 0x01, 0x26, 0x00, 0x01];
    assert_eq!(Path::padded(&b).check(), Anomalies::PATH_TRUNCATED);
    // A non-zero pad byte.
    let b = [0x25, 0x07, 0x01, 0x00];
    assert_eq!(Path::padded(&b).check(), Anomalies::PATH_PAD);
    // Depth cap.
    let b = [0x24u8, 0x01].repeat(otwire_enip::cip::MAX_SEGMENTS + 1);
    let p = Path::padded(&b);
    assert_eq!(p.check(), Anomalies::PATH_TOO_DEEP);
    assert_eq!(p.segments().count(), otwire_enip::cip::MAX_SEGMENTS);
}

#[test]
fn every_prefix_parses_or_errs_without_claiming_bytes() {
    for v in [
        SET_ATTRIBUTE_SINGLE,
        START,
        PADDED_INSTANCE,
        FORWARD_OPEN_REPLY,
    ] {
        for n in 0..v.len() {
            let pre = &v[..n];
            match Message::parse(pre) {
                Err(_) => assert!(n < 4),
                Ok(p) => match p.pdu {
                    Message::Request(r) => {
                        assert!(r.path.as_bytes().len() + r.data.len() + 2 <= n);
                    }
                    Message::Response(r) => {
                        assert!(r.additional_status.as_bytes().len() + r.data.len() + 4 <= n);
                    }
                },
            }
        }
    }
}

/// The serde forms: a path is the list of its segments, additional status the list of its
/// words, a Multiple Service Packet its count and its embedded messages, a typed body its
/// fields.
#[cfg(feature = "serde")]
#[test]
fn messages_serialize() {
    use otwire_enip::Emit;
    use otwire_enip::cip::build::{get_attributes_all, multiple_service_packet};
    let p = Message::parse(START).unwrap();
    let json = serde_json::to_value(p).unwrap();
    let req = &json["pdu"]["Request"];
    assert_eq!(req["service"], 0x06);
    assert_eq!(req["path"].as_array().unwrap().len(), 2, "{json}");
    let b = [0xD4, 0x00, 0x01, 0x01, 0x00, 0x01, 0x0E, 0x00];
    let json = serde_json::to_value(Response::parse(&b).unwrap().pdu).unwrap();
    assert_eq!(json["additional_status"], serde_json::json!([0x0100]));
    // Two Get Attributes All in one Multiple Service Packet: the body lists both.
    let msp = multiple_service_packet(&[get_attributes_all(1, 1), get_attributes_all(0xF5, 1)])
        .to_vec()
        .unwrap();
    let req = Request::parse(&msp).unwrap().pdu;
    let json = serde_json::to_value(req.body().pdu).unwrap();
    let body = &json["MultipleServicePacket"];
    assert_eq!(body["count"], 2, "{json}");
    let services = body["services"].as_array().unwrap();
    assert_eq!(services.len(), 2);
    assert_eq!(services[1]["Request"]["service"], 0x01);
}
