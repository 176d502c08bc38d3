//! Property tests: `parse(emit(x)) == x` for headers, every typed CPF item, CPF lists and
//! the builders' messages; `emit(parse(b)) == b` for any bytes that frame as an
//! encapsulation message (whatever its command and data) and any CPF.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

use otwire_enip::*;
use proptest::prelude::*;

fn enc(e: &impl Emit) -> Vec<u8> {
    let mut v = vec![0; e.buffer_len()];
    assert_eq!(e.emit(&mut v).unwrap(), v.len());
    v
}

/// The owned parts of one item: a kind, two numbers, bytes, an address, a port.
type ItemSpec = (u8, u32, u32, Vec<u8>, [u8; 4], u16, [u8; 16]);

fn item_spec() -> impl Strategy<Value = ItemSpec> {
    (
        0u8..10,
        any::<u32>(),
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 0..40),
        any::<[u8; 4]>(),
        any::<u16>(),
        any::<[u8; 16]>(),
    )
}

/// The typed item a spec stands for (an `Unknown` item gets a type id without a name).
fn item((kind, a, b, data, addr, port, name): &ItemSpec) -> Item<'_> {
    match kind {
        0 => Item::NullAddress,
        1 => Item::ConnectedAddress { conn_id: *a },
        2 => Item::SequencedAddress {
            conn_id: *a,
            seq: *b,
        },
        3 => Item::UnconnectedData(data),
        4 => Item::ConnectedData { data },
        5 => Item::SockaddrOt(Sockaddr::new(*addr, *port)),
        6 => Item::SockaddrTo(Sockaddr {
            family: *port,
            port: *port,
            addr: *addr,
            zero: *name.first_chunk().unwrap(),
        }),
        7 => Item::ListServices(ServiceInfo {
            version: *port,
            capabilities: (*a) as u16,
            name: *name,
        }),
        8 => Item::ListIdentity(Identity {
            encap_version: 1,
            socket: Sockaddr::new(*addr, *port),
            vendor_id: (*a) as u16,
            device_type: DeviceType::from((*a >> 16) as u16),
            product_code: *port,
            revision: Revision {
                major: name[0],
                minor: name[1],
            },
            status: (*b) as u16,
            serial: *b,
            product_name: data,
            state: name[2],
        }),
        _ => Item::Unknown {
            // 0x4000-0x7FFF: no type id has a name there.
            type_id: ItemType::from(0x4000 | ((*a as u16) & 0x3FFF)),
            data,
        },
    }
}

proptest! {
    #[test]
    fn headers(command: u16, length: u16, session: u32, status: u32, context: [u8; 8], options: u32) {
        let h = Header {
            command: command.into(),
            length,
            session,
            status: status.into(),
            context,
            options,
        };
        let b = enc(&h);
        prop_assert_eq!(Header::parse(&b).unwrap(), h);
    }

    #[test]
    fn cpf_items(specs in proptest::collection::vec(item_spec(), 0..6)) {
        let items: Vec<Item<'_>> = specs.iter().map(item).collect();
        let b = enc(&CpfItems(&items));
        let cpf = Cpf::parse(&b).unwrap();
        prop_assert_eq!(usize::from(cpf.pdu.count), items.len());
        prop_assert_eq!(cpf.pdu.items().collect::<Vec<_>>(), items.clone());
        prop_assert!(!cpf.anomalies.intersects(
            Anomalies::CPF_COUNT | Anomalies::CPF_TRUNCATED | Anomalies::CPF_ITEM_LENGTH
        ));
        prop_assert_eq!(enc(&cpf.pdu), b);
    }

    #[test]
    fn send_messages(session in 1u32.., context: [u8; 8], conn_id: u32, seq: u16, timeout: u16,
                     cip in proptest::collection::vec(any::<u8>(), 0..100)) {
        let mut m = send_rr_data(session, context, &cip);
        m.timeout = timeout;
        let b = enc(&m);
        let p = Pdu::from_datagram(&b, Direction::Request).unwrap();
        prop_assert_eq!(p.anomalies, Anomalies::empty());
        prop_assert_eq!(p.pdu.header.session, session);
        prop_assert_eq!(p.pdu.header.context, context);
        let Body::SendRrData(sd) = p.pdu.body else { panic!() };
        prop_assert_eq!(sd.timeout, timeout);
        prop_assert_eq!(sd.cpf.unconnected_data(), Some(&cip[..]));
        prop_assert_eq!(enc(&p.pdu), b);

        let m = send_unit_data(session, conn_id, seq, &cip);
        let b = enc(&m);
        let p = Pdu::from_datagram(&b, Direction::Request).unwrap();
        prop_assert_eq!(p.anomalies, Anomalies::empty());
        let cpf = p.pdu.body.cpf().unwrap();
        prop_assert_eq!(cpf.conn_id(), Some(conn_id));
        prop_assert_eq!(cpf.data_item().unwrap().sequence_count(), Some(seq));
        prop_assert_eq!(&cpf.connected_data().unwrap()[2..], &cip[..]);
    }

    #[test]
    fn session_messages(session: u32, version: u16, options: u16) {
        let mut r = register_session();
        r.body = Body::RegisterSession { protocol_version: version, options };
        let b = enc(&r);
        prop_assert_eq!(Pdu::from_datagram(&b, Direction::Reply).unwrap().pdu, r);
        let u = unregister_session(session);
        let b = enc(&u);
        prop_assert_eq!(Pdu::from_datagram(&b, Direction::Request).unwrap().pdu, u);
    }

    /// Any bytes that frame re-encode to themselves, in both directions.
    #[test]
    fn any_frame_reencodes(command in prop_oneof![
            Just(0x00u16), Just(0x04), Just(0x63), Just(0x64), Just(0x65), Just(0x66),
            Just(0x6F), Just(0x70), Just(0x72), any::<u16>()],
        session: u32, status in prop_oneof![Just(0u32), any::<u32>()],
        body in proptest::collection::vec(any::<u8>(), 0..80), reply: bool) {
        let mut b = Vec::new();
        b.extend(command.to_le_bytes());
        b.extend((body.len() as u16).to_le_bytes());
        b.extend(session.to_le_bytes());
        b.extend(status.to_le_bytes());
        b.extend([0; 12]);
        b.extend(&body);
        let (frame, _) = split_frame(&b).unwrap();
        let d = if reply { Direction::Reply } else { Direction::Request };
        let p = Pdu::parse(&frame, d).unwrap();
        prop_assert_eq!(enc(&p.pdu), b);
    }

    #[test]
    fn any_cpf_reencodes(b in proptest::collection::vec(any::<u8>(), 2..80)) {
        let cpf = Cpf::parse(&b).unwrap().pdu;
        prop_assert_eq!(enc(&cpf), b.clone());
        let io = IoPacket::parse(&b).unwrap().pdu;
        prop_assert_eq!(enc(&io), b);
    }
}
