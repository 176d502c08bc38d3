//! Golden vectors: captured frames (sources in each comment) and specification facts,
//! one comment per field. Every vector is parsed through all three layers and re-encoded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_dnp3::{
    Address, AnalogValue, Anomalies, Apdu, CommandStatus, Emit, FileObject, FunctionCode, Iin,
    LinkFrame, LinkFunction, OpType, PrimaryFunction, Range, SecondaryFunction, Segment, Timestamp,
    TripCloseCode, Value, link, split_frame, split_frame_strict,
};

#[cfg(not(feature = "alloc"))]
#[path = "common/to_vec.rs"]
mod to_vec;
#[cfg(not(feature = "alloc"))]
use to_vec::ToVec;

/// Parses one whole frame and its (single-segment) fragment.
fn layers(wire: &[u8]) -> (otwire_dnp3::Frame<'_>, Vec<u8>) {
    let (frame, rest) = split_frame_strict(wire).unwrap();
    assert!(rest.is_empty());
    let user = frame.user_data().to_vec();
    // Re-encoding the link frame gives back the wire bytes, CRCs included.
    assert_eq!(frame.to_link_frame(&user).to_vec().unwrap(), wire);
    (frame, user)
}

#[test]
fn crc16_dnp_check_value() {
    // CRC-16/DNP catalogue check: "123456789" -> 0xEA82 (IEEE 1815-2012 §9.2.4.2).
    assert_eq!(link::crc16(b"123456789"), 0xEA82);
}

#[test]
fn link_only_request_link_status_and_status_reply() {
    // zeek_dnp3_link_only.pcap #1: a link status request from 1 to 100.
    let wire = [
        0x05, 0x64, // start
        0x05, // LENGTH 5: no user data
        0x49, // CONTROL: DIR=0, PRM=1, FCB=0, FCV=0, function 9 Request Link Status
        0x64, 0x00, // DESTINATION 100
        0x01, 0x00, // SOURCE 1
        0x7e, 0x5f, // header CRC
    ];
    let (frame, user) = layers(&wire);
    assert_eq!(frame.length, 5);
    assert!(user.is_empty() && frame.anomalies.is_empty());
    let c = frame.header.control;
    assert!(!c.dir && c.prm && !c.fcb && !c.fcv());
    assert_eq!(
        c.function(),
        LinkFunction::Primary(PrimaryFunction::RequestLinkStatus)
    );
    assert_eq!(frame.header.destination, Address(100));
    assert_eq!(frame.header.source, Address(1));
    assert_eq!(frame.transport_header(), None);

    // #2: the reply.
    let wire = [
        0x05, 0x64, 0x05, //
        0x8b, // CONTROL: DIR=1, PRM=0, DFC=0, function 11 Link Status
        0x01, 0x00, // DESTINATION 1
        0x64, 0x00, // SOURCE 100
        0xa0, 0x97, // header CRC
    ];
    let (frame, _) = layers(&wire);
    let c = frame.header.control;
    assert!(c.dir && !c.prm && !c.dfc());
    assert_eq!(
        c.function(),
        LinkFunction::Secondary(SecondaryFunction::LinkStatus)
    );
}

#[test]
fn disable_unsolicited_request() {
    // iti_full_exchange.pcap #5.
    let wire = [
        0x05, 0x64, 0x11, // start, LENGTH 17 = 5 + 12 octets of user data
        0xc4, // DIR=1 PRM=1 FCB=0 FCV=0, Unconfirmed User Data
        0x0a, 0x00, 0x01, 0x00, // DESTINATION 10, SOURCE 1
        0x06, 0x15, // header CRC
        0xc0, // transport: FIN, FIR, SEQUENCE 0
        0xc0, // application control: FIR, FIN, SEQ 0
        0x15, // function 21 Disable Unsolicited
        0x3c, 0x02, 0x06, // g60v2 (class 1), qualifier 0x06: all
        0x3c, 0x03, 0x06, // g60v3 (class 2)
        0x3c, 0x04, 0x06, // g60v4 (class 3)
        0x1a, 0x55, // block CRC
    ];
    let (frame, user) = layers(&wire);
    assert_eq!(
        frame.header.control.function(),
        LinkFunction::Primary(PrimaryFunction::UnconfirmedUserData)
    );
    let seg = Segment::parse(&user).unwrap();
    assert!(seg.header.fir && seg.header.fin && seg.header.seq == 0);
    let parsed = Apdu::parse(seg.payload).unwrap();
    assert!(parsed.anomalies.is_empty());
    let apdu = parsed.pdu;
    assert_eq!(apdu.function, FunctionCode::DisableUnsolicited);
    assert_eq!(apdu.iin, None);
    let headers: Vec<_> = apdu
        .objects
        .map(|h| (h.group, h.variation, h.qualifier.0, h.range))
        .collect();
    assert_eq!(
        headers,
        [
            (60, 2, 0x06, Range::All),
            (60, 3, 0x06, Range::All),
            (60, 4, 0x06, Range::All)
        ]
    );
    assert_eq!(apdu.to_vec().unwrap(), seg.payload);
}

#[test]
fn null_unsolicited_response_with_restart_iin() {
    // iti_full_exchange.pcap #4.
    let wire = [
        0x05, 0x64, 0x0a, // LENGTH 10: 5 octets of user data
        0x44, // DIR=0 PRM=1, Unconfirmed User Data (from the outstation)
        0x01, 0x00, 0x0a, 0x00, // DESTINATION 1, SOURCE 10
        0x6e, 0x25, // header CRC
        0xc0, // transport FIR FIN seq 0
        0xf0, // application: FIR FIN CON UNS, SEQ 0
        0x82, // function 130 Unsolicited Response
        0x80, 0x00, // IIN1.7 device restart, IIN2 none
        0x6b, 0x7d, // block CRC
    ];
    let (_, user) = layers(&wire);
    let apdu = Apdu::parse(Segment::parse(&user).unwrap().payload).unwrap();
    assert!(apdu.anomalies.is_empty());
    let a = apdu.pdu;
    assert!(a.control.fir && a.control.fin && a.control.con && a.control.uns);
    assert_eq!(a.function, FunctionCode::UnsolicitedResponse);
    assert_eq!(a.iin, Some(Iin::DEVICE_RESTART));
    assert!(a.objects.is_empty());
}

#[test]
fn write_clear_restart_iin() {
    // iti_full_exchange.pcap #10: Write g80v1 index 7 = 0.
    let wire = [
        0x05, 0x64, 0x0e, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0x25, 0x29, // header
        0xc2, // transport FIR FIN seq 2
        0xc1, // application FIR FIN seq 1
        0x02, // Write
        0x50, 0x01, // g80v1 internal indications
        0x00, 0x07, 0x07, // qualifier 0x00: 8-bit start 7, stop 7
        0x00, // packed bits: IIN1.7 = 0
        0xc5, 0xaf, // block CRC
    ];
    let (_, user) = layers(&wire);
    let apdu = Apdu::parse(Segment::parse(&user).unwrap().payload)
        .unwrap()
        .pdu;
    let h = apdu.objects.clone().next().unwrap();
    assert_eq!(
        (h.group, h.variation, h.range),
        (80, 1, Range::StartStop { start: 7, stop: 7 })
    );
    let points: Vec<_> = h.points().map(|p| (p.index, p.value)).collect();
    assert_eq!(points, [(7, Value::Bit(false))]);
    assert_eq!(
        otwire_dnp3::classify(&apdu).action,
        otwire_dnp3::classify::Action::Config
    );
    // The builder writes the same fragment.
    let built = otwire_dnp3::Request {
        seq: 1,
        kind: otwire_dnp3::builder::MasterRequest::ClearRestart,
    };
    assert_eq!(
        built.to_vec().unwrap(),
        Segment::parse(&user).unwrap().payload
    );
}

#[test]
fn select_crob_and_echo() {
    // zeek_dnp3_udp_select_operate.pcap #1: Select of one CROB.
    let wire = [
        0x05, 0x64, 0x1a, 0xc4, 0x01, 0x00, 0x64, 0x00, 0x62, 0x27, // to 1 from 100
        0xc7, // transport FIR FIN seq 7
        0xc9, // application FIR FIN seq 9
        0x03, // Select
        0x0c, 0x01, // g12v1 CROB
        0x28, // qualifier: 2-octet index prefix, 2-octet count
        0x01, 0x00, // count 1
        0x01, 0x00, // index 1
        0x03, // control code: Latch On, no queue/clear, trip/close NUL
        0x01, // count 1
        0x64, 0x00, 0x00, 0x00, // on time 100 ms
        0x61, 0x19, // CRC of the first 16-octet block
        0x64, 0x00, 0x00, 0x00, // off time 100 ms
        0x00, // status SUCCESS
        0x00, 0x5b, // CRC of the last 5-octet block
    ];
    let (frame, user) = layers(&wire);
    assert_eq!(frame.blocks().count(), 2);
    let apdu = Apdu::parse(Segment::parse(&user).unwrap().payload)
        .unwrap()
        .pdu;
    assert_eq!(apdu.function, FunctionCode::Select);
    let p = apdu.objects.flat_map(|h| h.points()).next().unwrap();
    assert_eq!(p.index, 1);
    let Value::Crob(c) = p.value else {
        panic!("{:?}", p.value)
    };
    assert_eq!(c.code.op_type(), OpType::LatchOn);
    assert_eq!(c.code.trip_close(), TripCloseCode::Nul);
    assert_eq!((c.count, c.on_time, c.off_time), (1, 100, 100));
    assert_eq!(c.status_code(), CommandStatus::Success);
}

#[test]
fn direct_operate_analog_output_block() {
    // iti_direct_operate_analog_output.pcap #1.
    let wire = [
        0x05, 0x64, 0x12, 0xc4, 0x04, 0x00, 0x03, 0x00, 0x1e, 0x7c, // to 4 from 3
        0xee, // transport FIR FIN seq 46
        0xc2, // application FIR FIN seq 2
        0x05, // Direct Operate
        0x29, 0x02, // g41v2: 16-bit analog output block
        0x28, 0x01, 0x00, // 2-octet index prefix, count 1
        0x01, 0x00, // index 1
        0x00, 0x00, // value 0
        0x00, // status
        0x7d, 0xd0, // block CRC
    ];
    let (_, user) = layers(&wire);
    let apdu = Apdu::parse(Segment::parse(&user).unwrap().payload)
        .unwrap()
        .pdu;
    let p = apdu.objects.flat_map(|h| h.points()).next().unwrap();
    assert_eq!(p.index, 1);
    assert_eq!(
        p.value,
        Value::AnalogOutput {
            value: AnalogValue::I16(0),
            status: CommandStatus::Success
        }
    );
    let c = otwire_dnp3::classify(&apdu);
    assert!(c.dangerous);
}

#[test]
fn write_absolute_time() {
    // iti_lan_time_sync.pcap #3: Write g50v3 (last recorded time), count 1.
    let wire = [
        0x05, 0x64, 0x12, 0xc4, 0x04, 0x00, 0x03, 0x00, 0x1e, 0x7c, //
        0xc9, // transport FIR FIN seq 9
        0xca, // application FIR FIN seq 10
        0x02, // Write
        0x32, 0x03, // g50v3
        0x07, 0x01, // qualifier 0x07, count 1
        0x9f, 0x0d, 0x83, 0x52, 0x4c, 0x01, // 48-bit ms since epoch
        0xeb, 0x2c, // block CRC
    ];
    let (_, user) = layers(&wire);
    let apdu = Apdu::parse(Segment::parse(&user).unwrap().payload)
        .unwrap()
        .pdu;
    let p = apdu.objects.flat_map(|h| h.points()).next().unwrap();
    assert_eq!(p.value, Value::Time(Timestamp(0x014c_5283_0d9f)));
    assert_eq!(
        otwire_dnp3::classify(&apdu).action,
        otwire_dnp3::classify::Action::TimeSync
    );
}

#[test]
fn file_open_command() {
    // zeek_dnp3_file_read.pcap #4: Open File, g70v3 with a 2-octet size prefix.
    let wire: [u8; 0x32 - 5 + 10 + 2 * 3] = [
        0x05, 0x64, 0x32, 0xc4, 0x04, 0x00, 0x03, 0x00, 0x9c, 0x8d, //
        0xf7, // transport FIR FIN seq 55
        0xce, // application FIR FIN seq 14
        0x19, // Open File
        0x46, 0x03, 0x5b, // g70v3, qualifier 0x5B: 2-octet size prefix, free-format count
        0x01, // count 1
        0x24, 0x00, // object size 36
        0x1a, 0x00, // file name offset 26
        0x0a, 0x00, // file name size 10
        0x00, 0x00, 0x00, // time of creation (first 3 octets)
        0xb3, 0xc5, // block CRC
        0x00, 0x00, 0x00, // time of creation (last 3)
        0x00, 0x00, // permissions
        0x00, 0x00, 0x00, 0x00, // authentication key
        0x00, 0x00, 0x00, 0x00, // file size
        0x01, 0x00, // mode 1: read
        0x00, // max block size (low octet)
        0x47, 0xe6, // block CRC
        0x04, // max block size (high octet): 1024
        0x04, 0x00, // request id 4
        b'.', b'/', b't', b'e', b's', b't', b'.', b'x', b'm', b'l', // file name
        0xed, 0x8f, // block CRC
    ];
    let (_, user) = layers(&wire);
    let apdu = Apdu::parse(Segment::parse(&user).unwrap().payload).unwrap();
    assert!(apdu.anomalies.is_empty());
    let p = apdu.pdu.objects.flat_map(|h| h.points()).next().unwrap();
    assert_eq!(
        p.value,
        Value::File(FileObject::Command {
            created: Timestamp(0),
            permissions: 0,
            auth_key: 0,
            file_size: 0,
            mode: 1,
            max_block_size: 1024,
            request_id: 4,
            file_name: b"./test.xml",
        })
    );
    assert_eq!(
        otwire_dnp3::classify(&apdu.pdu).action,
        otwire_dnp3::classify::Action::FileTransfer
    );
}

#[test]
fn bad_crc_is_a_flag_unless_strict() {
    let mut wire = [0x05, 0x64, 0x05, 0x49, 0x64, 0x00, 0x01, 0x00, 0x7e, 0x5f];
    wire[9] ^= 1; // corrupt the header CRC
    let (frame, _) = split_frame(&wire).unwrap();
    assert_eq!(frame.anomalies, Anomalies::BAD_HEADER_CRC);
    assert_eq!(
        split_frame_strict(&wire),
        Err(otwire_dnp3::Error::BadCrc { offset: 8 })
    );
}

#[test]
fn unknown_object_stops_the_walk_and_keeps_earlier_headers() {
    // A response: g60v1 is fine (no data), g30v1 with one value, then g99v1 (unknown).
    let frag = [
        0xc0, 0x81, 0x00, 0x00, // FIR FIN seq 0, Response, IIN 0
        0x1e, 0x01, 0x00, 0x05, 0x05, // g30v1 start 5 stop 5
        0x01, 0x2a, 0x00, 0x00, 0x00, // flags ONLINE, value 42
        0x63, 0x01, 0x07, 0x01, 0xff, // g99v1 count 1: unknown
    ];
    let parsed = Apdu::parse(&frag).unwrap();
    assert_eq!(parsed.anomalies, Anomalies::UNKNOWN_OBJECT);
    let points: Vec<_> = parsed.pdu.objects.flat_map(|h| h.points()).collect();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].index, 5);
    assert_eq!(
        points[0].value,
        Value::Analog {
            flags: Some(otwire_dnp3::Flags(1)),
            value: AnalogValue::I32(42),
            time: None
        }
    );
    assert_eq!(parsed.pdu.trailing, &frag[14..]);
    // Nothing is lost: re-encoding gives the same octets.
    assert_eq!(parsed.pdu.to_vec().unwrap(), frag);
}

#[test]
fn read_with_index_prefix_names_points() {
    // Read g1v2 at indices 3 and 700: qualifier 0x28 (2-octet index, 2-octet count).
    let frag = [
        0xc3, 0x01, 0x01, 0x02, 0x28, 0x02, 0x00, 0x03, 0x00, 0xbc, 0x02,
    ];
    let apdu = Apdu::parse(&frag).unwrap();
    assert!(apdu.anomalies.is_empty());
    let idx: Vec<_> = apdu
        .pdu
        .objects
        .flat_map(|h| h.points())
        .map(|p| (p.index, p.value))
        .collect();
    assert_eq!(idx, [(3, Value::Empty), (700, Value::Empty)]);
}

#[test]
fn link_frame_emit_is_block_structured() {
    // 40 octets of user data: blocks of 16, 16, 8, each with a CRC.
    let data: Vec<u8> = (0..40).collect();
    let header = otwire_dnp3::LinkHeader::default();
    let bytes = LinkFrame {
        header,
        user_data: &data,
    }
    .to_vec()
    .unwrap();
    assert_eq!(bytes.len(), 10 + 40 + 6);
    assert_eq!(bytes[2], 45); // LENGTH
    let (frame, _) = split_frame_strict(&bytes).unwrap();
    let blocks: Vec<_> = frame.blocks().map(<[u8]>::len).collect();
    assert_eq!(blocks, [16, 16, 8]);
    assert_eq!(&*frame.user_data(), &data[..]);
}

#[test]
fn thirty_two_bit_qualifiers() {
    let frag = [
        0xc0, 0x81, 0x00, 0x00, // Response, IIN 0
        0x14, 0x06, // g20v6: 16-bit counter without flag
        0x02, // qualifier 0x02: 32-bit start and stop
        0x00, 0x00, 0x01, 0x00, // start 65536
        0x01, 0x00, 0x01, 0x00, // stop 65537
        0x0a, 0x00, 0x0b, 0x00, // values 10, 11
        0x1e, 0x03, // g30v3: 32-bit analog without flag
        0x39, // qualifier 0x39: 4-octet index prefix, 4-octet count
        0x01, 0x00, 0x00, 0x00, // count 1
        0x40, 0x42, 0x0f, 0x00, // index 1 000 000
        0xff, 0xff, 0xff, 0xff, // value -1
        0x01, 0x02, // g1v2
        0x05, // qualifier 0x05: 32-bit absolute address (obsolete): one object
        0x07, 0x00, 0x00, 0x00, // address 7
        0x81, // flags: ONLINE, state 1
    ];
    let parsed = Apdu::parse(&frag).unwrap();
    assert!(parsed.anomalies.is_empty(), "{:?}", parsed.anomalies);
    let pts: Vec<_> = parsed
        .pdu
        .objects
        .flat_map(|h| h.points())
        .map(|p| (p.index, p.value))
        .collect();
    assert_eq!(
        pts,
        [
            (
                65536,
                Value::Counter {
                    flags: None,
                    value: 10,
                    time: None
                }
            ),
            (
                65537,
                Value::Counter {
                    flags: None,
                    value: 11,
                    time: None
                }
            ),
            (
                1_000_000,
                Value::Analog {
                    flags: None,
                    value: AnalogValue::I32(-1),
                    time: None
                }
            ),
            (
                7,
                Value::Status {
                    flags: otwire_dnp3::Flags(0x81),
                    time: None
                }
            ),
        ]
    );
}

#[test]
fn anomalies_of_link_and_application_control() {
    // ACK with user data; FCV clear on Confirmed User Data.
    let mut buf = [0u8; 64];
    let ack = otwire_dnp3::LinkHeader {
        control: otwire_dnp3::LinkControl::secondary(false, SecondaryFunction::Ack, false),
        destination: Address(1),
        source: Address(0xFFFF),
    };
    let n = LinkFrame {
        header: ack,
        user_data: &[1, 2],
    }
    .emit(&mut buf)
    .unwrap();
    let (f, _) = split_frame(&buf[..n]).unwrap();
    assert_eq!(
        f.anomalies,
        Anomalies::LINK_LENGTH_MISMATCH | Anomalies::RESERVED_SOURCE_ADDRESS
    );
    let mut c = otwire_dnp3::LinkControl::primary(true, PrimaryFunction::ConfirmedUserData, true);
    c.fcv_dfc = false;
    let n = LinkFrame {
        header: otwire_dnp3::LinkHeader { control: c, ..ack },
        user_data: &[0xc0, 0xc0, 0x01],
    }
    .emit(&mut buf)
    .unwrap();
    let (f, _) = split_frame(&buf[..n]).unwrap();
    assert!(f.anomalies.contains(Anomalies::LINK_CONTROL_BITS));
    // A Read with UNS set, an unknown function, reserved IIN bits, objects on a Confirm.
    assert_eq!(
        Apdu::parse(&[0xd0, 0x01]).unwrap().anomalies,
        Anomalies::APP_CONTROL_BITS
    );
    assert_eq!(
        Apdu::parse(&[0xc0, 0x55]).unwrap().anomalies,
        Anomalies::UNKNOWN_FUNCTION
    );
    assert_eq!(
        Apdu::parse(&[0xc0, 0x81, 0x00, 0xc0]).unwrap().anomalies,
        Anomalies::IIN_RESERVED
    );
    assert!(
        Apdu::parse(&[0xc0, 0x00, 0x3c, 0x01, 0x06])
            .unwrap()
            .anomalies
            .contains(Anomalies::UNEXPECTED_OBJECTS)
    );
    // Reserved qualifier codes stop the walk.
    assert_eq!(
        Apdu::parse(&[0xc0, 0x01, 0x1e, 0x01, 0x0a])
            .unwrap()
            .anomalies,
        Anomalies::INVALID_QUALIFIER
    );
    assert_eq!(
        Apdu::parse(&[0xc0, 0x01, 0x1e, 0x01, 0x76])
            .unwrap()
            .anomalies,
        Anomalies::INVALID_QUALIFIER
    );
    assert_eq!(
        Apdu::parse(&[0xc0, 0x01, 0x1e, 0x01, 0x86])
            .unwrap()
            .anomalies,
        Anomalies::QUALIFIER_RESERVED_BIT
    );
    assert_eq!(
        Apdu::parse(&[0xc0, 0x01, 0x1e, 0x01, 0x00, 0x05, 0x04])
            .unwrap()
            .anomalies,
        Anomalies::INVALID_RANGE
    );
    // Too many headers: the limit is a field.
    let many: Vec<u8> = [0xc0, 0x01]
        .into_iter()
        .chain([0x3c, 0x01, 0x06].repeat(10))
        .collect();
    let limits = otwire_dnp3::Limits {
        max_object_headers: 4,
    };
    let p = Apdu::parse_with(&many, &limits).unwrap();
    assert_eq!(
        (p.anomalies, p.pdu.objects.len()),
        (Anomalies::TOO_MANY_HEADERS, 4)
    );
}

#[test]
#[cfg(feature = "alloc")]
fn reassembler_flags_sequence_problems() {
    use otwire_dnp3::{Reassembler, ReassemblyLimits};
    let h = otwire_dnp3::LinkHeader::default();
    let seg = |fir: bool, fin: bool, seq: u8, data: &[u8]| {
        let mut v = vec![TransportHeader { fin, fir, seq }.to_u8()];
        v.extend_from_slice(data);
        v
    };
    use otwire_dnp3::TransportHeader;
    let mut r = Reassembler::new();
    assert_eq!(
        r.push(&h, &seg(false, true, 3, b"x")).anomalies,
        Anomalies::SEGMENT_WITHOUT_FIR
    );
    assert!(
        r.push(&h, &seg(true, false, 10, b"ab"))
            .anomalies
            .is_empty()
    );
    assert_eq!(
        r.push(&h, &seg(true, false, 10, b"ab")).anomalies,
        Anomalies::DUPLICATE_SEGMENT
    );
    let done = r.push(&h, &seg(false, true, 11, b"cd"));
    assert_eq!(done.fragment.unwrap().data, b"abcd");
    assert!(
        r.push(&h, &seg(true, false, 20, b"ab"))
            .anomalies
            .is_empty()
    );
    assert_eq!(
        r.push(&h, &seg(false, false, 23, b"??")).anomalies,
        Anomalies::DROPPED_SEGMENT
    );
    assert!(
        r.push(&h, &seg(true, false, 30, b"ab"))
            .anomalies
            .is_empty()
    );
    assert_eq!(
        r.push(&h, &seg(false, false, 5, b"??")).anomalies,
        Anomalies::OUT_OF_SEQUENCE
    );
    assert!(
        r.push(&h, &seg(true, false, 40, b"ab"))
            .anomalies
            .is_empty()
    );
    assert_eq!(
        r.push(&h, &seg(true, true, 50, b"new")).anomalies,
        Anomalies::DROPPED_SEGMENT
    );
    // Caps: fragment size, concurrent reassemblies.
    let mut r = Reassembler::with_limits(ReassemblyLimits {
        max_fragment_size: 4,
        max_reassemblies: 1,
    });
    assert!(
        r.push(&h, &seg(true, false, 0, b"abc"))
            .anomalies
            .is_empty()
    );
    assert_eq!(
        r.push(&h, &seg(false, false, 1, b"de")).anomalies,
        Anomalies::FRAGMENT_TOO_LONG
    );
    assert!(r.push(&h, &seg(true, false, 0, b"a")).anomalies.is_empty());
    let other = otwire_dnp3::LinkHeader {
        source: Address(9),
        ..h
    };
    assert_eq!(
        r.push(&other, &seg(true, false, 0, b"a")).anomalies,
        Anomalies::REASSEMBLY_EVICTED
    );
    assert_eq!(r.in_progress(), 1);
}
