//! Property tests: `parse(emit(x)) == x` for the builders' messages (S7ANY read and write
//! requests, setup communication, SZL reads, COTP connection requests, S7comm-plus frames),
//! and `emit(parse(b)) == b` for any bytes that parse as a PDU or TPDU.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

use otwire_s7::*;
use proptest::prelude::*;

fn enc(e: &impl Emit) -> Vec<u8> {
    let mut v = vec![0; e.buffer_len()];
    assert_eq!(e.emit(&mut v).unwrap(), v.len());
    v
}

fn any_item() -> impl Strategy<Value = AnyItem> {
    (
        any::<u8>(),
        any::<u16>(),
        any::<u16>(),
        any::<u8>(),
        0u32..(1 << 24),
    )
        .prop_map(|(ts, length, db, area, address)| AnyItem {
            transport_size: ts.into(),
            length,
            db,
            area: area.into(),
            address: BitAddress(address),
        })
}

fn user_data(bytes: &[u8]) -> &[u8] {
    let (frame, _) = split_frame(bytes).unwrap();
    let Tpdu::Data(dt) = Tpdu::parse(frame.tpdu).unwrap().pdu else {
        panic!()
    };
    dt.user_data
}

proptest! {
    #[test]
    fn read_var_requests(pdu_ref: u16, items in proptest::collection::vec(any_item(), 0..30)) {
        let bytes = enc(&frame(ReadVarRequest { pdu_ref, items: &items }));
        let p = Pdu::parse(user_data(&bytes)).unwrap();
        let Body::Job(Job::ReadVar { items: got }) = p.pdu.body else { panic!() };
        let got: Vec<AnyItem> = got.iter().map(|s| match s { VarSpec::Any(a) => a, _ => panic!() }).collect();
        prop_assert_eq!(&got, &items);
        prop_assert_eq!(p.pdu.header.pdu_ref, pdu_ref);
        prop_assert_eq!(p.anomalies.contains(Anomalies::TOO_MANY_ITEMS), items.len() > 20);
        // And back.
        prop_assert_eq!(enc(&frame(p.pdu)), bytes);
    }

    #[test]
    fn write_var_requests(
        pdu_ref: u16,
        items in proptest::collection::vec((any_item(), proptest::collection::vec(any::<u8>(), 0..9), any::<bool>()), 1..6),
    ) {
        let pairs: Vec<(AnyItem, DataItem<'_>)> = items
            .iter()
            .map(|(a, d, bits)| {
                let ts = if *bits { DataTransportSize::Byte } else { DataTransportSize::OctetString };
                (*a, DataItem::new(ReturnCode::Reserved, ts, d))
            })
            .collect();
        let bytes = enc(&frame(WriteVarRequest { pdu_ref, items: &pairs }));
        let p = Pdu::parse(user_data(&bytes)).unwrap();
        prop_assert!(!p.anomalies.intersects(Anomalies::FILL_BYTE | Anomalies::TRUNCATED | Anomalies::LENGTH_MISMATCH));
        let Body::Job(Job::WriteVar { data, .. }) = p.pdu.body else { panic!() };
        let got: Vec<DataItem<'_>> = data.iter().collect();
        let want: Vec<DataItem<'_>> = pairs.iter().map(|(_, d)| *d).collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(enc(&frame(p.pdu)), bytes);
    }

    #[test]
    fn setup_and_szl(pdu_ref: u16, size: u16, seq: u8, id: u16, index: u16) {
        let bytes = enc(&frame(Pdu::setup(pdu_ref, size)));
        let p = Pdu::parse(user_data(&bytes)).unwrap().pdu;
        prop_assert_eq!(p.body, Body::Job(Job::Setup(Setup::request(size))));
        let bytes = enc(&frame(Pdu::szl_read(pdu_ref, seq, id, index)));
        let p = Pdu::parse(user_data(&bytes)).unwrap();
        prop_assert_eq!(p.anomalies, Anomalies::empty());
        let Body::Userdata(u) = p.pdu.body else { panic!() };
        prop_assert_eq!(u.szl(), Some((id, index)));
        prop_assert_eq!(u.params.sequence, seq);
    }

    #[test]
    fn connect_requests(src_ref: u16, size in 7u8..=13, a in proptest::collection::vec(any::<u8>(), 0..20), b in proptest::collection::vec(any::<u8>(), 0..20)) {
        let cr = ConnectRequest { src_ref, tpdu_size: size, src_tsap: &a, dst_tsap: &b };
        let bytes = enc(&Tpkt(cr));
        let (f, _) = split_frame(&bytes).unwrap();
        let t = Tpdu::parse(f.tpdu).unwrap();
        prop_assert_eq!(t.anomalies, Anomalies::empty());
        let Tpdu::ConnectionRequest(c) = t.pdu else { panic!() };
        prop_assert_eq!((c.src_ref, c.src_tsap(), c.dst_tsap()), (src_ref, Some(&a[..]), Some(&b[..])));
        prop_assert_eq!(c.tpdu_size(), Some(1usize << size));
    }

    #[test]
    fn plus_frames(version in prop::sample::select(vec![1u8, 2, 3]), data in proptest::collection::vec(any::<u8>(), 0..200), trailer: bool, digest in proptest::collection::vec(any::<u8>(), 32)) {
        let f = PlusFrame {
            version: version.into(),
            length: 0,
            digest: (version == 3).then_some(&digest[..]),
            data: &data,
            trailer,
        };
        let bytes = enc(&f);
        let p = PlusFrame::parse(&bytes).unwrap();
        prop_assert_eq!(p.anomalies, Anomalies::empty());
        prop_assert_eq!((p.pdu.data, p.pdu.trailer, p.pdu.digest), (&data[..], trailer, f.digest));
    }

    /// Whatever parses re-encodes to itself: the decoders keep every byte.
    #[test]
    fn any_pdu_reencodes(body in proptest::collection::vec(any::<u8>(), 0..80), rosctr in prop::sample::select(vec![1u8, 2, 3, 7]), func in prop::sample::select(vec![0x04u8, 0x05, 0xF0, 0x1A, 0x1B, 0x1D, 0x1E, 0x28, 0x29, 0x00])) {
        let hlen = if matches!(rosctr, 2 | 3) { 12 } else { 10 };
        let split = body.len() / 2;
        let mut pdu = vec![0x32, rosctr, 0, 0, 0, 1];
        let params: Vec<u8> = if rosctr == 7 {
            vec![0, 1, 0x12, 4, 0x11, 0x44, 1, 0]
        } else {
            [&[func][..], &body[..split]].concat()
        };
        let data = &body[split..];
        pdu.extend_from_slice(&(params.len() as u16).to_be_bytes());
        pdu.extend_from_slice(&(data.len() as u16).to_be_bytes());
        pdu.resize(hlen, 0);
        pdu.extend_from_slice(&params);
        pdu.extend_from_slice(data);
        if let Ok(p) = Pdu::parse(&pdu) {
            if !p.anomalies.intersects(Anomalies::LENGTH_MISMATCH | Anomalies::TRUNCATED | Anomalies::ITEM_COUNT_MISMATCH | Anomalies::USERDATA_DATA_HEADER) {
                prop_assert_eq!(enc(&p.pdu), pdu);
            }
        }
    }

    #[test]
    fn any_tpdu_reencodes(tpdu in proptest::collection::vec(any::<u8>(), 0..40)) {
        if let Ok(t) = Tpdu::parse(&tpdu) {
            if t.anomalies.is_empty() {
                prop_assert_eq!(enc(&t.pdu), tpdu);
            }
        }
    }
}
