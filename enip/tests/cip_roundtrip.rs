//! Round trips: `parse(emit(x)) == x` for paths, requests, responses, Multiple Service
//! Packets and Forward Opens, and `emit(parse(b)) == b` for canonical bytes; arbitrary bytes
//! never panic.
// `to_vec` and the pairing table need `alloc`.
#![cfg(feature = "alloc")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use otwire_enip::Anomalies;
use otwire_enip::Emit;
use otwire_enip::cip::body::RequestBody;
use otwire_enip::cip::build::{forward_open, multiple_service_packet};
use otwire_enip::cip::cm::{ForwardOpen, NetworkParams, Timeout, TransportTrigger, Triad};
use otwire_enip::cip::objects::Attributes;
use otwire_enip::cip::{
    ElectronicKey, LogicalFormat, LogicalType, Message, MultipleService, Path, PathBuilder,
    Request, Response, Segment, StatusWords,
};
use proptest::prelude::*;

/// An owned segment, turned into a borrowed one for encoding.
#[derive(Debug, Clone)]
enum Seg {
    Port(u16, Vec<u8>),
    Logical(u8, u32),
    Key(u16, u16, u16, u8, u8),
    Ansi(Vec<u8>),
    Symbolic(Vec<u8>),
    Data(Vec<u8>),
    Elementary(u8),
    Network(u8, Vec<u8>),
    Constructed(u8, Vec<u8>),
    Extended(u8, Vec<u8>),
}

fn seg() -> impl Strategy<Value = Seg> {
    prop_oneof![
        (1u16..=0x1FF, prop::collection::vec(any::<u8>(), 1..6)).prop_map(|(p, l)| Seg::Port(p, l)),
        (0u8..7, any::<u32>())
            .prop_filter("not special", |(k, _)| *k != 5)
            .prop_map(|(k, v)| Seg::Logical(k, v)),
        any::<(u16, u16, u16, u8, u8)>().prop_map(|(a, b, c, d, e)| Seg::Key(a, b, c, d, e)),
        prop::collection::vec(0x20u8..0x7F, 1..40).prop_map(Seg::Ansi),
        prop::collection::vec(0x20u8..0x7F, 1..31).prop_map(Seg::Symbolic),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(|mut v| {
            if v.len() % 2 == 1 {
                v.pop();
            }
            Seg::Data(v)
        }),
        (0xC0u8..=0xDF).prop_map(Seg::Elementary),
        (0x40u8..=0x4F, any::<u8>()).prop_map(|(t, d)| Seg::Network(t, vec![d])),
        (0x50u8..=0x5F, prop::collection::vec(any::<u8>(), 0..4)).prop_map(|(t, mut d)| {
            if d.len() % 2 == 1 {
                d.pop();
            }
            Seg::Network(t, d)
        }),
        (0xA0u8..=0xBF, prop::collection::vec(any::<u8>(), 0..6))
            .prop_map(|(t, d)| Seg::Constructed(t, d)),
        // Double-byte (format 1) and numeric (format 6, sizes 6-8) extended symbols.
        prop::collection::vec(any::<u8>(), 2..8).prop_map(|mut d| {
            if d.len() % 2 == 1 {
                d.pop();
            }
            Seg::Extended(0x20 | (d.len() / 2) as u8, d)
        }),
        any::<u32>().prop_map(|v| Seg::Extended(0xC8, v.to_le_bytes().to_vec())),
    ]
}

fn kind(k: u8) -> LogicalType {
    [
        LogicalType::Class,
        LogicalType::Instance,
        LogicalType::Member,
        LogicalType::ConnectionPoint,
        LogicalType::Attribute,
        LogicalType::Special,
        LogicalType::ServiceId,
    ][usize::from(k)]
}

fn borrow(s: &Seg) -> Segment<'_> {
    match s {
        Seg::Port(p, l) => Segment::Port {
            port: *p,
            link: l,
            extended_link: l.len() != 1,
        },
        Seg::Logical(k, v) => {
            // Service IDs are 8-bit only.
            let v = if *k == 6 { *v & 0xFF } else { *v };
            Segment::Logical {
                kind: kind(*k),
                format: LogicalFormat::for_value(v),
                value: v,
            }
        }
        Seg::Key(a, b, c, d, e) => Segment::ElectronicKey(ElectronicKey {
            vendor: *a,
            device_type: *b,
            product_code: *c,
            major_revision: *d,
            minor_revision: *e,
        }),
        Seg::Ansi(b) => Segment::AnsiSymbol(b),
        Seg::Symbolic(b) => Segment::Symbolic(b),
        Seg::Data(b) => Segment::SimpleData(b),
        Seg::Elementary(c) => Segment::DataTypeElementary(*c),
        Seg::Network(t, d) => Segment::Network {
            subtype: *t,
            data: d,
        },
        Seg::Constructed(t, d) => Segment::DataTypeConstructed { code: *t, data: d },
        Seg::Extended(f, d) => Segment::SymbolicExtended {
            format: *f,
            data: d,
        },
    }
}

proptest! {
    #[test]
    fn paths_round_trip(segs in prop::collection::vec(seg(), 0..12), packed in any::<bool>()) {
        let segments: Vec<Segment<'_>> = segs.iter().map(borrow).collect();
        let bytes = PathBuilder { segments: &segments, packed }.to_vec().unwrap();
        let path = if packed { Path::packed(&bytes) } else { Path::padded(&bytes) };
        prop_assert_eq!(path.check(), Anomalies::empty());
        let back: Vec<Segment<'_>> = path.segments().collect();
        prop_assert_eq!(&back, &segments);
        // And back to the same bytes.
        prop_assert_eq!(PathBuilder { segments: &back, packed }.to_vec().unwrap(), bytes);
    }

    #[test]
    fn requests_round_trip(service in 0u8..0x80, segs in prop::collection::vec(seg(), 0..6), data in prop::collection::vec(any::<u8>(), 0..20)) {
        let segments: Vec<Segment<'_>> = segs.iter().map(borrow).collect();
        let mut path = PathBuilder { segments: &segments, packed: false }.to_vec().unwrap();
        if path.len() % 2 == 1 { path.push(0xC1); } // an elementary type to even it up
        prop_assume!(path.len() <= 510);
        let r = Request { service, path: Path::padded(&path), data: &data };
        let b = r.to_vec().unwrap();
        let p = Request::parse(&b).unwrap();
        prop_assert_eq!(p.pdu, r);
        let _ = p.pdu.body();
        let _ = otwire_enip::cip::classify(&p.pdu);
    }

    #[test]
    fn responses_round_trip(service in 0u8..0x80, reserved in any::<u8>(), status in any::<u8>(), words in prop::collection::vec(any::<u16>(), 0..4), data in prop::collection::vec(any::<u8>(), 0..20)) {
        let st: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let r = Response { service, reserved, general_status: status, additional_status: StatusWords::new(&st), data: &data };
        let b = r.to_vec().unwrap();
        let p = Response::parse(&b).unwrap();
        prop_assert_eq!(p.pdu, r);
        prop_assert_eq!(p.pdu.additional_status.collect::<Vec<_>>(), words);
    }

    #[test]
    fn msp_round_trips(n in 0usize..6, attr in any::<u8>()) {
        let one = [0x0E, 0x03, 0x20, 0x01, 0x24, 0x01, 0x30, attr];
        let reqs: Vec<Request<'_>> = (0..n).map(|_| Request::parse(&one).unwrap().pdu).collect();
        let b = multiple_service_packet(&reqs).to_vec().unwrap();
        let outer = Request::parse(&b).unwrap().pdu;
        let RequestBody::MultipleServicePacket(m) = outer.body().pdu else { panic!() };
        let back: Vec<Request<'_>> = m.requests().map(|r| r.unwrap().pdu).collect();
        prop_assert_eq!(back, reqs);
        prop_assert_eq!(MultipleService::parse(outer.data).unwrap().anomalies, Anomalies::empty());
    }

    #[test]
    fn forward_open_round_trips(large in any::<bool>(), ids in any::<(u32, u32, u16, u16, u32)>(), mult in any::<u8>(), rpi in any::<(u32, u32)>(), params in any::<(u16, u16)>(), transport in any::<u8>()) {
        let path = [0x34, 0x04, 1, 0, 2, 0, 3, 0, 4, 5, 0x20, 0x04, 0x24, 0x01, 0x2C, 0x65, 0x2C, 0x64];
        let (op, tp) = (u32::from(params.0 & !0x1000), u32::from(params.1 & !0x1000));
        let (op, tp) = if large { (op << 16 | op, tp << 16 | tp) } else { (op, tp) };
        let fo = ForwardOpen {
            large,
            timeout: Timeout { priority_tick: 0x0A, ticks: 0x0E },
            ot_connection_id: ids.0,
            to_connection_id: ids.1,
            triad: Triad { connection_serial: ids.2, vendor: ids.3, originator_serial: ids.4 },
            timeout_multiplier: mult,
            reserved: [0; 3],
            ot_rpi: rpi.0,
            ot_params: NetworkParams { raw: op, large },
            to_rpi: rpi.1,
            to_params: NetworkParams { raw: tp, large },
            transport: TransportTrigger(transport),
            path: Path::padded(&path),
        };
        let b = forward_open(fo).to_vec().unwrap();
        let r = Request::parse(&b).unwrap().pdu;
        let body = r.body();
        let got = match body.pdu {
            RequestBody::ForwardOpen(f) | RequestBody::LargeForwardOpen(f) => f,
            _ => panic!(),
        };
        prop_assert_eq!(got, fo);
        prop_assert_eq!(body.anomalies, Anomalies::empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(p) = Message::parse(&b) {
            match p.pdu {
                Message::Request(r) => {
                    let _ = r.body();
                    let _ = otwire_enip::cip::classify(&r);
                    let mut s = String::new();
                    r.path.write_tag(&mut s).unwrap();
                }
                Message::Response(r) => {
                    for k in [0x01u32, 0x04, 0xF4, 0xF5, 0xF6] {
                        let _ = Attributes::parse(k, None, r.data);
                    }
                    let _ = MultipleService::parse(r.data).map(|m| m.pdu.embedded_anomalies(false));
                }
            }
        }
        let _ = Path::packed(&b).check();
        let _ = Path::padded(&b).segments().count();
    }
}

/// Fuzz finding (enip_roundtrip): a port segment in the extended form (port id 15, then a
/// 16-bit port) holding port 7 decodes to `Port { port: 7 }`, which re-encodes in the
/// one-byte form; the long form is flagged so that only clean paths promise their bytes.
#[test]
fn extended_port_of_a_small_port_is_flagged() {
    // 0x0F: port segment, extended port; 0x0007: port 7; 0x00: link address 0; pad.
    let b = [0x0F, 0x07, 0x00, 0x00];
    let p = Path::padded(&b);
    assert_eq!(
        p.segments().collect::<Vec<_>>(),
        [Segment::Port {
            port: 7,
            link: &[0],
            extended_link: false
        }]
    );
    assert_eq!(p.check(), Anomalies::PATH_SEGMENT);
    // Port 15 and up need the extended form: not flagged.
    assert_eq!(
        Path::padded(&[0x0F, 0x0F, 0x00, 0x01]).check(),
        Anomalies::empty()
    );
}
