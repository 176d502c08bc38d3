//! Logix tag service data (1756-PM020 "Logix5000 Data Access"): golden vectors from the
//! captures and from the manual's layouts, every prefix of each, round trips, and the
//! captures' Logix messages (with a tshark comparison where tshark is on PATH).
//!
//! tshark 4.0's naming quirks (checked with `tshark -G fields` and `-O cip` on the
//! captures): it has no Logix service-data fields at all (no `cip.data_type`, no
//! `cip.rmw.*`, no fragment offset); a Logix service on a symbolic path is shown as
//! "Unknown Service (0x4e)" of "CIP Class Generic" with its data as one `cip.data` byte
//! field; a Multiple Service Packet's sub-requests appear as "Service Packet #n:
//! 'TAG' - Service (0x4e)"; class 0x72 and 0xB2 requests with service 0x4C are Rockwell
//! internal services, not Read Tag (the symbolic or Symbol-class path is what makes a
//! Logix tag request). So the comparison is on the data bytes tshark reports for each
//! symbolic request.
// `to_vec` and the pairing table need `alloc`.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use common::cip::{cip_messages, enip_captures, hex, is_logix, tshark_fields, unhex};
use otwire_enip::cip::logix::*;
use otwire_enip::{Anomalies, Emit, Error};
use proptest::prelude::*;

/// The request data re-encoded.
fn req_bytes(r: &LogixRequest<'_>) -> Vec<u8> {
    r.to_vec().unwrap()
}

// ---- golden vectors ----

/// Read Modify Write Tag from plant1_EthernetIP-CIP.pcap / ndpi_ethernetIP.pcap frame 37
/// (Multiple Service Packet sub-request 1, path ANSI symbol 'LMS_DISABLE_2DSCANNER1').
const RMW_SET: &str = "0100 01 ff"; // mask size 1, OR mask 0x01, AND mask 0xFF
/// Sub-request 3 of the same packet ('LMS_DISABLE_BARCODE_SCANNER').
const RMW_CLEAR: &str = "0100 00 fe"; // mask size 1, OR mask 0x00, AND mask 0xFE

#[test]
fn rmw_from_capture() {
    let p = LogixRequest::parse(0x4E, unhex(RMW_SET)).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    assert_eq!(
        p.pdu,
        LogixRequest::ReadModifyWrite {
            mask_size: 1,
            or_mask: &[0x01],
            and_mask: &[0xFF]
        }
    );
    assert!(p.pdu.is_write());
    let p = LogixRequest::parse(0x4E, unhex(RMW_CLEAR)).unwrap();
    let LogixRequest::ReadModifyWrite {
        or_mask, and_mask, ..
    } = p.pdu
    else {
        panic!()
    };
    assert_eq!((or_mask, and_mask), (&[0u8][..], &[0xFEu8][..]));
    // Frame 38: the reply (0xCE, status 0) has no data.
    let r = LogixReply::parse(0xCE, 0, &[]).unwrap();
    assert_eq!(r.pdu.service, LogixService::ReadModifyWrite);
    assert_eq!(r.pdu.body, ReplyBody::Empty);
}

/// Template attributes: emre_ControlLogix_FactoryTalk_HMI.pcap is Get Attributes All
/// (not parsed here); openics_EIP-ControlProtocolChangeAttempt.pcap frame 1075 is a Get
/// Attribute List reply on class 0x6C.
const TEMPLATE_ATTRS: &str = concat!(
    "0100", // attribute count 1
    "0100", // attribute 1 (structure handle)
    "0000", // status success
    "0500", // handle 0x0005
);

/// A Get Attribute List reply with all four attributes pycomm3 asks for (constructed
/// with the COUNTER template's values from emre_ControlLogix_FactoryTalk_HMI.pcap frame
/// 101: handle 0x0F82, 8 members, 30 words, 12 bytes).
const TEMPLATE_ATTRS_ALL: &str = concat!(
    "0400",               // count 4
    "0400 0000 1e000000", // attr 4, ok, object definition size 30 words
    "0500 0000 0c000000", // attr 5, ok, structure size 12 bytes
    "0200 0000 0800",     // attr 2, ok, 8 members
    "0100 0000 820f",     // attr 1, ok, handle 0x0F82
);

#[test]
fn template_attributes() {
    let t = TemplateAttributes::parse(unhex(TEMPLATE_ATTRS)).unwrap();
    assert_eq!(t.pdu.handle, Some(5));
    assert_eq!(t.anomalies, Anomalies::empty());
    let t = TemplateAttributes::parse(unhex(TEMPLATE_ATTRS_ALL))
        .unwrap()
        .pdu;
    assert_eq!(
        t,
        TemplateAttributes {
            handle: Some(0x0F82),
            member_count: Some(8),
            object_definition_size: Some(30),
            structure_size: Some(12),
        }
    );
    assert_eq!(t.definition_bytes(), Some(97));
    assert_eq!(t.to_vec().unwrap(), unhex(TEMPLATE_ATTRS_ALL));
}

/// Template read, emre_ControlLogix_FactoryTalk_HMI.pcap frame 102 (0x4C on class 0x6C).
const TEMPLATE_READ: &str = "00000000 6400"; // offset 0, 100 bytes
/// Its reply, frame 103: the COUNTER structure.
const TEMPLATE_REPLY: &str = concat!(
    "0000 d300 00000000", // member 1: info 0, DWORD, offset 0
    "0000 c400 04000000", // member 2: DINT, offset 4
    "0000 c400 08000000", // member 3: DINT, offset 8
    "0700 c100 03000000", // member 4: BOOL bit 7 of byte 3
    "0600 c100 03000000", // member 5: BOOL bit 6
    "0500 c100 03000000", // member 6: BOOL bit 5
    "0400 c100 03000000", // member 7: BOOL bit 4
    "0300 c100 03000000", // member 8: BOOL bit 3
    "434f554e54455200",   // "COUNTER"
    "43544c00 50524500 41434300 435500 434400 444e00 4f5600 554e00 00" // CTL PRE ACC CU CD DN OV UN, pad
);

#[test]
fn template_read() {
    let r = TemplateReadRequest::parse(unhex(TEMPLATE_READ))
        .unwrap()
        .pdu;
    assert_eq!(
        r,
        TemplateReadRequest {
            offset: 0,
            bytes: 100
        }
    );
    assert_eq!(r.to_vec().unwrap(), unhex(TEMPLATE_READ));
    let data = unhex(TEMPLATE_REPLY);
    let d = TemplateDefinition::parse(data, 8).unwrap();
    let m: Vec<_> = d.members().collect();
    assert_eq!(m.len(), 8);
    assert_eq!(m[0].member_type.atomic_type(), Some(DataType::Dword));
    assert_eq!(
        (m[1].member_type.atomic_type(), m[1].offset),
        (Some(DataType::Dint), 4)
    );
    assert_eq!(
        (m[3].info, m[3].member_type.atomic_type(), m[3].offset),
        (7, Some(DataType::Bool), 3)
    );
    assert_eq!(d.structure_name(), Some(&b"COUNTER"[..]));
    let names: Vec<_> = d.names().collect();
    assert_eq!(
        names[..9],
        [
            &b"COUNTER"[..],
            b"CTL",
            b"PRE",
            b"ACC",
            b"CU",
            b"CD",
            b"DN",
            b"OV",
            b"UN"
        ]
    );
    assert!(TemplateDefinition::parse(&data[..63], 8).is_err());
    assert_eq!(d.to_vec().unwrap(), data);
}

// Constructed from 1756-PM020's layouts (the captures hold no Read/Write Tag).
/// Read Tag request: 1 element.
const READ_TAG: &str = "0100";
/// Read Tag reply: DINT, 42.
const READ_TAG_DINT: &str = "c400 2a000000";
/// Read Tag reply: REAL[2] 1.5, -2.0.
const READ_TAG_REAL2: &str = "ca00 0000c03f 000000c0";
/// Read Tag reply: a COUNTER (handle 0x0F82) of 12 bytes.
const READ_TAG_STRUCT: &str = "a002 820f 00000000 05000000 03000000";
/// Write Tag request: INT, 2 elements, 5 and -6.
const WRITE_TAG: &str = "c300 0200 0500 faff";
/// Write Tag request: a COUNTER structure (handle 0x0F82), 1 element.
const WRITE_TAG_STRUCT: &str = "a002 820f 0100 00000000 05000000 03000000";
/// Read Tag Fragmented request: 10 elements, byte offset 256.
const READ_FRAG: &str = "0a00 00010000";
/// Read Tag Fragmented reply (status 0x06, more follows): DINT, two elements.
const READ_FRAG_REPLY: &str = "c400 01000000 02000000";
/// Write Tag Fragmented request: DINT, 10 elements, byte offset 8, two elements.
const WRITE_FRAG: &str = "c400 0a00 08000000 03000000 04000000";
/// Get Instance Attribute List request: attributes 1 (name) and 2 (type).
const GIAL: &str = "0200 0100 0200";
/// Its reply: instance 1 'rate' DINT, instance 2 'Timer1' structure (template 0xF82).
const GIAL_REPLY: &str = concat!(
    "01000000 0400 72617465 c400",     // instance 1, name "rate", type DINT
    "02000000 0600 54696d657231 828f", // instance 2, name "Timer1", struct 0xF82
);

#[test]
fn read_and_write_tag() {
    let p = LogixRequest::parse(0x4C, unhex(READ_TAG)).unwrap();
    assert_eq!(p.pdu, read_tag_request(1));
    assert!(!p.pdu.is_write());

    let r = LogixReply::parse(0xCC, 0, unhex(READ_TAG_DINT)).unwrap();
    assert_eq!(r.anomalies, Anomalies::empty());
    let v: Vec<_> = r.pdu.values().unwrap().collect();
    assert_eq!(v, [Value::Dint(42)]);

    let r = LogixReply::parse(0xCC, 0, unhex(READ_TAG_REAL2))
        .unwrap()
        .pdu;
    assert_eq!(
        r.values().unwrap().collect::<Vec<_>>(),
        [Value::Real(1.5), Value::Real(-2.0)]
    );

    let data = unhex(READ_TAG_STRUCT);
    let r = LogixReply::parse(0xCC, 0, data).unwrap().pdu;
    let vals = r.values().unwrap();
    assert_eq!(vals.tag_type(), TagType::Struct(0x0F82));
    assert_eq!(vals.collect::<Vec<_>>(), [Value::Raw(&data[4..])]);

    let p = LogixRequest::parse(0x4D, unhex(WRITE_TAG)).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    let LogixRequest::WriteTag { elements, values } = p.pdu else {
        panic!()
    };
    assert_eq!(elements, 2);
    assert_eq!(values.collect::<Vec<_>>(), [Value::Int(5), Value::Int(-6)]);
    let mut buf = [0u8; 16];
    let n = write_tag_request(
        TagType::Atomic(DataType::Int),
        &[Value::Int(5), Value::Int(-6)],
        &mut buf,
    )
    .unwrap();
    assert_eq!(&buf[..n], unhex(WRITE_TAG));
    assert_eq!(req_bytes(&p.pdu), unhex(WRITE_TAG));

    let p = LogixRequest::parse(0x4D, unhex(WRITE_TAG_STRUCT)).unwrap();
    let LogixRequest::WriteTag { values, .. } = p.pdu else {
        panic!()
    };
    assert_eq!(values.tag_type(), TagType::Struct(0x0F82));

    // Write reply: no data; an error reply keeps its (empty) data.
    assert_eq!(
        LogixReply::parse(0xCD, 0, &[]).unwrap().pdu.body,
        ReplyBody::Empty
    );
    let e = LogixReply::parse(0xCC, 0x04, &[]).unwrap().pdu;
    assert_eq!((e.body, e.general_status), (ReplyBody::Empty, 4));
}

#[test]
fn fragmented_and_attribute_list() {
    let p = LogixRequest::parse(0x52, unhex(READ_FRAG)).unwrap().pdu;
    assert_eq!(
        p,
        LogixRequest::ReadTagFragmented {
            elements: 10,
            offset: 256
        }
    );
    let r = LogixReply::parse(0xD2, STATUS_PARTIAL_TRANSFER, unhex(READ_FRAG_REPLY)).unwrap();
    assert!(r.pdu.is_partial());
    assert_eq!(r.anomalies, Anomalies::empty());
    assert_eq!(
        r.pdu.values().unwrap().collect::<Vec<_>>(),
        [Value::Dint(1), Value::Dint(2)]
    );

    let p = LogixRequest::parse(0x53, unhex(WRITE_FRAG)).unwrap();
    // A fragment holds fewer elements than the count: not an anomaly.
    assert_eq!(p.anomalies, Anomalies::empty());
    let LogixRequest::WriteTagFragmented {
        elements,
        offset,
        values,
    } = p.pdu
    else {
        panic!()
    };
    assert_eq!((elements, offset), (10, 8));
    assert_eq!(values.collect::<Vec<_>>(), [Value::Dint(3), Value::Dint(4)]);

    let p = LogixRequest::parse(0x55, unhex(GIAL)).unwrap().pdu;
    let LogixRequest::GetInstanceAttributeList { attributes } = p else {
        panic!()
    };
    assert_eq!(attributes.iter().collect::<Vec<_>>(), [1, 2]);
    let data = unhex(GIAL_REPLY);
    let r = LogixReply::parse(0xD5, 0, data).unwrap().pdu;
    let ReplyBody::InstanceAttributes(list) = r.body else {
        panic!()
    };
    let e: Vec<_> = list.entries(attributes).collect();
    assert_eq!(e.len(), 2);
    assert_eq!((e[0].instance, e[0].name), (1, Some(&b"rate"[..])));
    assert_eq!(
        e[0].symbol_type.unwrap().atomic_type(),
        Some(DataType::Dint)
    );
    let t = e[1].symbol_type.unwrap();
    assert!(t.is_struct());
    assert_eq!((t.template_instance(), t.array_dims()), (Some(0xF82), 0));
    assert_eq!(list.entries(NAME_AND_TYPE).count(), 2);
}

#[test]
fn anomalies() {
    // Data not a whole number of INTs, and a count that disagrees.
    let a = LogixRequest::parse(0x4D, unhex("c300 0200 0500 fa"))
        .unwrap()
        .anomalies;
    assert_eq!(a, Anomalies::LOGIX_DATA_LENGTH);
    let a = LogixRequest::parse(0x4D, unhex("c300 0300 0500 faff"))
        .unwrap()
        .anomalies;
    assert_eq!(a, Anomalies::LOGIX_DATA_LENGTH);
    assert_eq!(
        LogixRequest::parse(0x4C, unhex("0000")).unwrap().anomalies,
        Anomalies::LOGIX_ZERO_ELEMENTS
    );
    assert_eq!(
        LogixRequest::parse(0x4C, unhex("010000"))
            .unwrap()
            .anomalies,
        Anomalies::LOGIX_TRAILING_DATA
    );
    assert_eq!(
        LogixRequest::parse(0x4E, unhex("0300 010203 040506"))
            .unwrap()
            .anomalies,
        Anomalies::LOGIX_MASK_SIZE
    );
    let p = LogixRequest::parse(0x4D, unhex("ee00 0100 01")).unwrap();
    assert_eq!(p.anomalies, Anomalies::LOGIX_UNKNOWN_TYPE);
    assert_eq!(DataType::from(0xEE).to_string(), "0x00ee");
    assert_eq!(DataType::Dint.to_string(), "DINT");
    assert_eq!(
        LogixService::ReadTagFragmented.name(),
        Some("Read Tag Fragmented")
    );
    assert_eq!(
        Anomalies::LOGIX_MASK_SIZE.names().collect::<Vec<_>>(),
        ["LOGIX_MASK_SIZE"]
    );
}

// ---- every prefix ----

fn requests() -> Vec<(u8, &'static str)> {
    vec![
        (0x4E, RMW_SET),
        (0x4E, RMW_CLEAR),
        (0x4C, READ_TAG),
        (0x4D, WRITE_TAG),
        (0x4D, WRITE_TAG_STRUCT),
        (0x52, READ_FRAG),
        (0x53, WRITE_FRAG),
        (0x55, GIAL),
    ]
}

/// Every prefix of every golden request: never a panic; a fixed-layout body cut short
/// is `Malformed`; an `Ok` claims exactly the prefix (re-encodes to it).
#[test]
fn truncation() {
    for (svc, h) in requests() {
        let full = unhex(h);
        for n in 0..full.len() {
            match LogixRequest::parse(svc, &full[..n]) {
                Ok(p) => {
                    assert!(matches!(svc, 0x4D | 0x53), "{svc:#x} {n} gave Ok");
                    assert_eq!(req_bytes(&p.pdu), &full[..n]);
                }
                Err(Error::Malformed { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }
    for (svc, st, h) in [
        (0xCCu8, 0u8, READ_TAG_DINT),
        (0xCC, 0, READ_TAG_STRUCT),
        (0xD2, 6, READ_FRAG_REPLY),
    ] {
        let full = unhex(h);
        for n in 0..full.len() {
            if let Ok(p) = LogixReply::parse(svc, st, &full[..n]) {
                assert_eq!(p.pdu.to_vec().unwrap(), &full[..n]);
            }
        }
    }
    let t = unhex(TEMPLATE_ATTRS_ALL);
    for n in 0..t.len() {
        assert!(TemplateAttributes::parse(&t[..n]).is_err(), "{n}");
    }
    let t = unhex(TEMPLATE_READ);
    for n in 0..t.len() {
        assert!(TemplateReadRequest::parse(&t[..n]).is_err());
    }
    let g = unhex(GIAL_REPLY);
    for n in 0..g.len() {
        let list = InstanceAttributeList(&g[..n]);
        let it = list.entries(NAME_AND_TYPE);
        let k = it.count();
        assert!(k < 2 || n == g.len());
    }
}

// ---- round trips ----

fn tag_type() -> impl Strategy<Value = TagType> {
    prop_oneof![
        any::<u16>()
            .prop_filter("not the struct marker", |&t| t != 0x02A0)
            .prop_map(|t| TagType::Atomic(DataType::from(t))),
        any::<u16>().prop_map(TagType::Struct),
    ]
}

proptest! {
    /// Any bytes: never a panic; an Ok without trailing bytes re-encodes to the input.
    #[test]
    fn parse_emit_any(svc in prop::sample::select(vec![0x4Cu8, 0x4D, 0x4E, 0x52, 0x53, 0x55, 0x4B]), data in prop::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(p) = LogixRequest::parse(svc, &data) {
            if !p.anomalies.contains(Anomalies::LOGIX_TRAILING_DATA) {
                prop_assert_eq!(req_bytes(&p.pdu), data.clone());
            }
        }
        if let Ok(p) = LogixReply::parse(svc | 0x80, 0, &data) {
            prop_assert_eq!(p.pdu.to_vec().unwrap(), data);
        }
    }

    /// Built requests: parse(emit(x)) == x.
    #[test]
    fn emit_parse(ty in tag_type(), elements in any::<u16>(), offset in any::<u32>(), data in prop::collection::vec(any::<u8>(), 0..24), mask in prop::sample::select(vec![1usize, 2, 4, 8])) {
        let reqs = [
            LogixRequest::ReadTag { elements },
            LogixRequest::ReadTagFragmented { elements, offset },
            LogixRequest::WriteTag { elements, values: Values::new(ty, &data) },
            LogixRequest::WriteTagFragmented { elements, offset, values: Values::new(ty, &data) },
            LogixRequest::ReadModifyWrite { mask_size: mask as u16, or_mask: &data[..mask.min(data.len())], and_mask: &data[..mask.min(data.len())] },
        ];
        for r in reqs {
            let bytes = match r.to_vec() { Ok(b) => b, Err(_) => continue };
            prop_assert_eq!(LogixRequest::parse(r.service().value(), &bytes).unwrap().pdu, r);
        }
    }

    /// Typed values: write_tag_request then parse gives them back.
    #[test]
    fn values_round_trip(v in prop::collection::vec(any::<i32>(), 1..8)) {
        let vals: Vec<Value<'_>> = v.iter().map(|&x| Value::Dint(x)).collect();
        let mut buf = [0u8; 64];
        let n = write_tag_request(TagType::Atomic(DataType::Dint), &vals, &mut buf).unwrap();
        let p = LogixRequest::parse(0x4D, &buf[..n]).unwrap();
        prop_assert!(p.anomalies.is_empty());
        let LogixRequest::WriteTag { values, .. } = p.pdu else { panic!() };
        prop_assert_eq!(values.collect::<Vec<_>>(), vals);
    }
}

// ---- captures ----

/// Every Logix request and reply in the captures (symbolic paths, the Symbol class) and
/// every template read: parses, and re-encodes to its bytes when nothing trailed.
#[test]
fn captures() {
    let Some(caps) = enip_captures("logix captures") else {
        return;
    };
    let mut n = 0;
    for c in caps {
        for m in cip_messages(&c) {
            let logix = is_logix(&m)
                && m.request_service
                    .is_some_and(|s| (0x4C..=0x55).contains(&s));
            if logix {
                n += 1;
                if m.request {
                    let p = LogixRequest::parse(m.service, &m.data)
                        .unwrap_or_else(|e| panic!("{} frame {}: {e}", c.display(), m.frame));
                    if !p.anomalies.contains(Anomalies::LOGIX_TRAILING_DATA) {
                        assert_eq!(req_bytes(&p.pdu), m.data);
                    }
                } else {
                    let p = LogixReply::parse(m.service, m.status, &m.data).unwrap();
                    assert_eq!(p.pdu.to_vec().unwrap(), m.data);
                }
            }
            if m.class == Some(0x6C) && m.request_service == Some(0x4C) && m.request {
                n += 1;
                TemplateReadRequest::parse(&m.data).unwrap();
            }
        }
    }
    // plant1 and ndpi: 1,461 Read Modify Write requests and their replies; FactoryTalk: two
    // on the Symbol class and two template reads (2,928 in all).
    assert!(n >= 2900, "only {n} Logix messages");
}

/// For every symbolic request tshark shows, its `cip.data` bytes are the data we took
/// (tshark 4.0 decodes no Logix field beyond them: see the module comment).
#[test]
fn tshark_agreement() {
    let Some(caps) = enip_captures("logix tshark") else {
        return;
    };
    for c in caps {
        let ours: Vec<_> = cip_messages(&c)
            .into_iter()
            .filter(|m| m.request && m.symbolic)
            .collect();
        if ours.is_empty() {
            continue;
        }
        let Some(rows) = tshark_fields(&c, "cip.symbol", &["cip.data"]) else {
            return;
        };
        let theirs: std::collections::HashMap<u64, Vec<String>> = rows
            .into_iter()
            .map(|(k, cols)| (k, cols[1].split(',').map(str::to_owned).collect()))
            .collect();
        let mut checked = 0;
        for m in &ours {
            let Some(t) = theirs.get(&m.frame) else {
                continue;
            };
            assert!(
                t.contains(&hex(&m.data)),
                "{} frame {}: {} not in {t:?}",
                c.display(),
                m.frame,
                hex(&m.data)
            );
            let p = LogixRequest::parse(m.service, &m.data).unwrap();
            assert!(p.anomalies.is_empty() || m.service != 0x4E);
            checked += 1;
        }
        assert!(checked > 0, "{}: no frame compared", c.display());
    }
}

/// The template read of frame 102 inside its CIP request (0x4C, class 0x6C, instance
/// 0x0F82 as a padded 16-bit segment): the service means Read Template there, not Read
/// Tag, so the body is the offset and byte count, without anomalies, and the reply's
/// data (the member list, which needs the member count from the template's attributes)
/// is left as data.
#[test]
fn template_read_in_its_request() {
    use otwire_enip::cip::{Operation, Request, RequestBody, Response, ResponseBody, Scope};
    use otwire_enip::cip::{ServiceKind, classify};
    let mut bytes = unhex("4c03206c2500820f").to_vec();
    bytes.extend_from_slice(unhex(TEMPLATE_READ));
    let req = Request::parse(&bytes).unwrap().pdu;
    assert_eq!(req.kind(), ServiceKind::TemplateRead);
    let body = req.body();
    assert_eq!(body.anomalies, Anomalies::empty());
    assert_eq!(
        body.pdu,
        RequestBody::TemplateRead(TemplateReadRequest {
            offset: 0,
            bytes: 100
        })
    );
    assert_eq!(classify(&req).operation, Operation::Read(Scope::Instance));
    let mut reply = unhex("cc000000").to_vec();
    reply.extend_from_slice(unhex(TEMPLATE_REPLY));
    let resp = Response::parse(&reply).unwrap().pdu;
    let body = resp.body(ServiceKind::TemplateRead);
    assert_eq!(body.anomalies, Anomalies::empty());
    assert!(matches!(body.pdu, ResponseBody::Data(d) if d == unhex(TEMPLATE_REPLY)));
}
