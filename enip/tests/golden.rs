//! Golden vectors from real captures (tests/vectors): every field of the encapsulation
//! header, the command data and the CPF items, then encoded back to the same bytes.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

mod vectors;

use otwire_enip::*;
use vectors::*;

fn dir(reply: bool) -> Direction {
    if reply {
        Direction::Reply
    } else {
        Direction::Request
    }
}

/// Splits the one frame of `bytes` and types it; no anomaly expected.
fn pdu(bytes: &[u8], reply: bool) -> Pdu<'_> {
    let (frame, rest) = split_frame(bytes).unwrap();
    assert!(rest.is_empty());
    assert_eq!(probe(bytes), Probe::Recognized);
    let p = Pdu::parse(&frame, dir(reply)).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty(), "{:?}", p.anomalies);
    p.pdu
}

/// Encodes through `Emit` alone, into a buffer pre-filled with 0xA5 so that a byte not
/// written shows.
fn enc(e: &impl Emit) -> Vec<u8> {
    let mut v = vec![0xA5; e.buffer_len() + 3];
    let n = e.emit(&mut v).unwrap();
    assert_eq!(n, e.buffer_len());
    assert_eq!(v[n..], [0xA5; 3]);
    v.truncate(n);
    v
}

#[test]
fn every_vector_reencodes_to_its_bytes() {
    for v in ALL {
        let b = hex(v.hex);
        let p = pdu(&b, v.reply);
        assert_eq!(enc(&p), b, "{}", v.name);
        let (frame, _) = split_frame(&b).unwrap();
        assert_eq!(enc(&frame), b, "{}", v.name);
        // A datagram holds the same message.
        assert_eq!(
            Pdu::from_datagram(&b, dir(v.reply)).unwrap().pdu,
            p,
            "{}",
            v.name
        );
    }
}

#[test]
fn list_identity_request() {
    let b = hex(LIST_IDENTITY_REQ);
    let p = pdu(&b, false);
    // 63 00: command ListIdentity; 00 00: length 0; 00 00 00 00: session 0;
    // 00 00 00 00: status 0; 00 00 00 00 c1 de be d1: sender context; 00 00 00 00: options.
    assert_eq!(p.header.command, Command::ListIdentity);
    assert_eq!(p.header.command.name(), Some("List Identity"));
    assert_eq!(p.header.length, 0);
    assert_eq!(p.header.session, 0);
    assert_eq!(p.header.status, EncapStatus::Success);
    assert_eq!(p.header.context, [0, 0, 0, 0, 0xc1, 0xde, 0xbe, 0xd1]);
    assert_eq!(p.header.options, 0);
    assert_eq!(p.body, Body::ListIdentityRequest);
    // The builder gives the same bytes but the context.
    let mut built = list_identity();
    built.header.context = p.header.context;
    assert_eq!(enc(&built), b);
}

#[test]
fn list_identity_reply() {
    let b = hex(LIST_IDENTITY_REPLY);
    let p = pdu(&b, true);
    // 63 00, length 0x33 = 51, session 0, status 0, the request's context, options 0.
    assert_eq!(p.header.length, 51);
    assert_eq!(p.header.context, [0, 0, 0, 0, 0xc1, 0xde, 0xbe, 0xd1]);
    let Body::ListIdentityReply(cpf) = p.body else {
        panic!("{:?}", p.body)
    };
    // 01 00: one item.
    assert_eq!(cpf.count, 1);
    let items: Vec<_> = cpf.items().collect();
    // 0c 00: CIP Identity; 2d 00: 45 bytes.
    let [Item::ListIdentity(id)] = items[..] else {
        panic!("{items:?}")
    };
    assert_eq!(items[0].type_id(), ItemType::ListIdentity);
    // 01 00: encapsulation version 1.
    assert_eq!(id.encap_version, 1);
    // 00 02 af 12 0a 01 01 a4 00*8: AF_INET, port 44818, 10.1.1.164, zeros (big-endian).
    assert_eq!(id.socket, Sockaddr::new([10, 1, 1, 164], 44818));
    assert_eq!(id.socket.ip().to_string(), "10.1.1.164");
    // 01 00: vendor 1 (Rockwell); 0c 00: device type 12, communications adapter.
    assert_eq!(id.vendor_id, 1);
    assert_eq!(id.device_type, DeviceType::CommunicationsAdapter);
    assert_eq!(id.device_type.name(), Some("Communications Adapter"));
    // 3a 00: product code 58; 04 03: revision 4.3; 30 00: status 0x0030 (configured,
    // owned bits clear).
    assert_eq!(id.product_code, 58);
    assert_eq!(id.revision, Revision { major: 4, minor: 3 });
    assert_eq!(id.revision.to_string(), "4.003");
    assert_eq!(id.status, 0x0030);
    // 8e 4d 52 00: serial 0x00524d8e.
    assert_eq!(id.serial, 0x0052_4d8e);
    // 0b "1756-ENBT/A": the product name; 03: state 3 (operational).
    assert_eq!(id.product_name_str(), Some("1756-ENBT/A"));
    assert_eq!(id.state, 3);
}

#[test]
fn list_services_request_and_reply() {
    let b = hex(LIST_SERVICES_REQ);
    assert_eq!(pdu(&b, false).body, Body::ListServicesRequest);
    assert_eq!(enc(&list_services()), b);
    let b = hex(LIST_SERVICES_REPLY);
    let p = pdu(&b, true);
    // 04 00, length 26.
    assert_eq!(p.header.length, 26);
    let Body::ListServicesReply(cpf) = p.body else {
        panic!()
    };
    // 01 00: one item; 00 01: type 0x0100; 14 00: 20 bytes; 01 00: version 1;
    // 20 01: capabilities 0x0120 (CIP over TCP, class 0/1 over UDP); "Communications\0\0".
    let items: Vec<_> = cpf.items().collect();
    let [Item::ListServices(si)] = items[..] else {
        panic!("{items:?}")
    };
    assert_eq!(si.version, 1);
    assert_eq!(
        si.capabilities,
        ServiceInfo::CAPABILITY_TCP | ServiceInfo::CAPABILITY_UDP
    );
    assert_eq!(si.name_str(), Some("Communications"));
}

#[test]
fn register_session_request_and_reply() {
    let b = hex(REGISTER_REQ);
    let p = pdu(&b, false);
    // 65 00, length 4, session 0; 01 00: protocol version 1; 00 00: options 0.
    assert_eq!(p.header.command, Command::RegisterSession);
    assert_eq!(
        p.body,
        Body::RegisterSession {
            protocol_version: 1,
            options: 0
        }
    );
    assert_eq!(enc(&register_session()), b);
    // The reply carries the session handle 1.
    let b = hex(REGISTER_REPLY);
    assert_eq!(pdu(&b, true).header.session, 1);
    let unreg = enc(&unregister_session(1));
    assert_eq!(unreg[..8], [0x66, 0, 0, 0, 1, 0, 0, 0]);
}

#[test]
fn send_rr_data_request() {
    let b = hex(SEND_RR_PLANT1);
    let p = pdu(&b, false);
    // 6f 00: SendRRData; 26 00: length 38; 00 05 02 13: session 0x13020500;
    // status 0; 6a c0 be 00 00 00 00 00: context; options 0.
    assert_eq!(p.header.command, Command::SendRrData);
    assert_eq!(p.header.length, 38);
    assert_eq!(p.header.session, 0x1302_0500);
    assert_eq!(p.header.context, [0x6a, 0xc0, 0xbe, 0, 0, 0, 0, 0]);
    let Body::SendRrData(sd) = p.body else {
        panic!()
    };
    // 00 00 00 00: interface handle 0; 14 00: timeout 20 s; 02 00: two items.
    assert_eq!((sd.interface_handle, sd.timeout, sd.cpf.count), (0, 20, 2));
    // 00 00 00 00: null address item; b2 00 16 00: unconnected data, 22 bytes:
    // 52 02 20 06 24 01 ...: Unconnected Send to the Connection Manager.
    let items: Vec<_> = sd.cpf.items().collect();
    assert_eq!(items[0], Item::NullAddress);
    let cip = sd.cpf.unconnected_data().unwrap();
    assert_eq!(cip.len(), 22);
    assert_eq!(cip[..6], [0x52, 0x02, 0x20, 0x06, 0x24, 0x01]);
    // Pdu::cip hands over the same bytes, unconnected: no connection id, no sequence.
    let c = p.cip().unwrap();
    assert_eq!((c.conn_id, c.sequence, c.bytes), (None, None, cip));
    // The builder gives the same bytes with the same fields.
    let mut built = send_rr_data(0x1302_0500, p.header.context, cip);
    built.timeout = 20;
    assert_eq!(enc(&built), b);
}

#[test]
fn send_rr_data_reply_with_socket_addresses() {
    let b = hex(SEND_RR_FWD_OPEN_REPLY);
    let p = pdu(&b, true);
    let Body::SendRrData(sd) = p.body else {
        panic!()
    };
    // Four items: null address, unconnected data (Forward Open reply, 0xd4),
    // sockaddr O->T and T->O (00 02 08 ae: AF_INET, port 2222; 0.0.0.0 / 239.192.5.128).
    assert_eq!(sd.cpf.count, 4);
    let items: Vec<_> = sd.cpf.items().collect();
    assert_eq!(items.len(), 4);
    assert_eq!(sd.cpf.unconnected_data().unwrap()[0], 0xd4);
    assert_eq!(
        items[2],
        Item::SockaddrOt(Sockaddr::new([0, 0, 0, 0], 2222))
    );
    assert_eq!(
        items[3],
        Item::SockaddrTo(Sockaddr::new([239, 192, 5, 128], 2222))
    );
}

#[test]
fn send_unit_data_request() {
    let b = hex(SEND_UNIT_PLANT1);
    let p = pdu(&b, false);
    // 70 00: SendUnitData; 3a 00: length 58; 00 01 02 10: session 0x10020100.
    assert_eq!(p.header.command, Command::SendUnitData);
    assert_eq!(p.header.session, 0x1002_0100);
    let Body::SendUnitData(sd) = p.body else {
        panic!()
    };
    // Interface handle 0, timeout 10 (sent by RSLinx though the spec says 0), two items.
    assert_eq!((sd.interface_handle, sd.timeout, sd.cpf.count), (0, 10, 2));
    // a1 00 04 00 09 13 35 00: connected address, connection id 0x00351309.
    assert_eq!(sd.cpf.conn_id(), Some(0x0035_1309));
    // b1 00 26 00 e4 6a ...: connected data, 38 bytes, sequence count 0x6ae4, then
    // 0a 02 20 02 24 01: Multiple Service Packet to the Message Router.
    let data = sd.cpf.data_item().unwrap();
    assert_eq!(data.sequence_count(), Some(0x6ae4));
    let cip = &sd.cpf.connected_data().unwrap()[2..];
    assert_eq!(cip[..2], [0x0a, 0x02]);
    // Pdu::cip: the connection, the sequence count, and the CIP bytes after it.
    let c = p.cip().unwrap();
    assert_eq!(
        (c.conn_id, c.sequence, c.bytes),
        (Some(0x0035_1309), Some(0x6ae4), cip)
    );
    let mut built = send_unit_data(0x1002_0100, 0x0035_1309, 0x6ae4, cip);
    built.timeout = 10;
    built.header.context = p.header.context;
    assert_eq!(enc(&built), b);
}

#[test]
fn io_packets() {
    let b = hex(IO_1);
    let io = IoPacket::parse(&b).unwrap();
    assert_eq!(io.anomalies, Anomalies::empty());
    let io = io.pdu;
    // 02 00: two items; 02 80 08 00: sequenced address, 8 bytes; 78 7b 3a 00: connection
    // id 0x003a7b78; e8 cb 5e 04: sequence 0x045ecbe8.
    assert_eq!(io.conn_id, 0x003a_7b78);
    assert_eq!(io.seq, 0x045e_cbe8);
    // b1 00 0c 00: connected data, 12 bytes; 03 00: CIP sequence count 3; then 10 bytes.
    assert_eq!(io.sequence_count(), Some(3));
    assert_eq!(
        io.payload(),
        [0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0]
    );
    assert_eq!(enc(&io), b);
    let b = hex(IO_2);
    let io = IoPacket::parse(&b).unwrap().pdu;
    assert_eq!((io.conn_id, io.seq), (0x7691_b4eb, 0x045e_cc54));
    assert_eq!(io.sequence_count(), Some(0xe4c6));
    assert_eq!(io.data.len(), 16);
}

#[test]
fn anomalies_are_flagged() {
    // A SendRRData request with session 0, a status, options set.
    let mut b = hex(SEND_RR_PLANT1);
    b[4..8].copy_from_slice(&[0; 4]);
    b[8] = 1;
    b[20] = 1;
    let p = Pdu::from_datagram(&b, Direction::Request).unwrap();
    assert_eq!(
        p.anomalies,
        Anomalies::SESSION_HANDLE | Anomalies::STATUS_ON_REQUEST | Anomalies::ENCAP_OPTIONS
    );
    // An item count of 3 with two items.
    let mut b = hex(SEND_RR_PLANT1);
    b[30] = 3;
    let p = Pdu::from_datagram(&b, Direction::Request).unwrap();
    assert_eq!(p.anomalies, Anomalies::CPF_COUNT);
    // The data item's length one too long: truncated, and the layout is off.
    let mut b = hex(SEND_RR_PLANT1);
    b[38] += 1;
    let p = Pdu::from_datagram(&b, Direction::Request).unwrap();
    assert_eq!(
        p.anomalies,
        Anomalies::CPF_TRUNCATED | Anomalies::CPF_COUNT | Anomalies::CPF_LAYOUT
    );
    // An unknown command keeps its data.
    let mut b = hex(REGISTER_REQ);
    b[0] = 0x99;
    let p = Pdu::from_datagram(&b, Direction::Request).unwrap();
    assert_eq!(p.anomalies, Anomalies::UNKNOWN_COMMAND);
    assert_eq!(p.pdu.body, Body::Raw(&[1, 0, 0, 0]));
    assert_eq!(
        Anomalies::UNKNOWN_COMMAND.names().collect::<Vec<_>>(),
        ["UNKNOWN_COMMAND"]
    );
    // A datagram longer than its length.
    let mut b = hex(REGISTER_REQ);
    b.push(0);
    let p = Pdu::from_datagram(&b, Direction::Request).unwrap();
    assert_eq!(p.anomalies, Anomalies::ENCAP_LENGTH);
}

#[test]
fn several_messages_in_one_segment() {
    let mut stream = hex(REGISTER_REQ);
    stream.extend(hex(SEND_RR_PLANT1));
    let (a, rest) = split_frame(&stream).unwrap();
    let (b, rest) = split_frame(rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(a.header.command, Command::RegisterSession);
    assert_eq!(b.header.command, Command::SendRrData);
    assert_eq!(
        split_frame(&stream[28..30]),
        Err(Error::Incomplete(Needed::new(22)))
    );
}

#[cfg(feature = "serde")]
#[test]
fn messages_serialize() {
    let b = hex(LIST_IDENTITY_REPLY);
    let p = Pdu::from_datagram(&b, Direction::Reply).unwrap();
    let json = serde_json::to_value(p).unwrap();
    // Codes serialize as their wire values, flags as their names.
    assert_eq!(json["pdu"]["header"]["command"], 0x63);
    assert_eq!(json["anomalies"], serde_json::json!([]));
    let h: Header = serde_json::from_value(json["pdu"]["header"].clone()).unwrap();
    assert_eq!(h, p.pdu.header);
    let items: Vec<_> = p.pdu.body.cpf().unwrap().items().collect();
    let json = serde_json::to_string(&items).unwrap();
    assert!(json.contains("\"product_name\""), "{json}");
}
