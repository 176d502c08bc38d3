//! Every prefix of every golden vector: framing says `Incomplete` (never a frame it does not
//! have), and PDU parsing either fails with a typed error or says what is off; an `Ok`
//! without anomalies must be a PDU that really is exactly those bytes.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod vectors;

use otwire_modbus::*;
use vectors::{VECTORS, enc, tcp_stream};

fn reencode(p: &Pdu<'_>) -> Vec<u8> {
    match p {
        Pdu::Request(r) => enc(&r),
        Pdu::Response(r) => enc(&r),
    }
}

#[test]
fn every_pdu_prefix_errs_or_flags() {
    for v in VECTORS {
        for cut in 0..v.pdu.len() {
            let prefix = &v.pdu[..cut];
            match Pdu::parse_pdu(prefix, v.dir) {
                Err(Error::EmptyPdu) => assert_eq!(cut, 0, "{}", v.name),
                Err(Error::Malformed {
                    layer: Layer::Pdu,
                    offset,
                }) => assert!(offset <= cut, "{} at {cut}", v.name),
                Err(e) => panic!("{} cut at {cut}: unexpected {e}", v.name),
                Ok(p) if p.anomalies.is_empty() => {
                    assert_eq!(
                        reencode(&p.pdu),
                        prefix,
                        "{} cut at {cut}: clean Ok must be exact",
                        v.name
                    )
                }
                Ok(_) => {}
            }
        }
    }
}

#[test]
fn every_frame_prefix_is_incomplete_with_the_right_count() {
    let (stream, _) = tcp_stream();
    let (first, _) = split_frame(&stream).unwrap();
    let len = MBAP_HEADER_LEN + first.pdu.len();
    for cut in 0..len {
        match split_frame(&stream[..cut]) {
            Err(Error::Incomplete(Needed::Size(n))) => {
                let want = if cut < MBAP_HEADER_LEN {
                    MBAP_HEADER_LEN - cut
                } else {
                    len - cut
                };
                assert_eq!(n.get(), want, "cut at {cut}");
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn every_rtu_prefix_is_incomplete() {
    for v in VECTORS {
        let adu = enc(&RtuAdu {
            address: UnitId(1),
            pdu: Raw(v.pdu),
        });
        let whole = split_rtu_frame(&adu, v.dir);
        let Ok((frame, rest)) = whole else {
            // MEI 13 and UMAS have no predictable length; the sniffer handles them.
            assert!(matches!(whole, Err(Error::Malformed { .. })), "{}", v.name);
            continue;
        };
        assert!(frame.crc_ok() && rest.is_empty(), "{}", v.name);
        for cut in 0..adu.len() {
            assert!(
                matches!(
                    split_rtu_frame(&adu[..cut], v.dir),
                    Err(Error::Incomplete(_))
                ),
                "{} cut at {cut}",
                v.name
            );
        }
    }
}

/// Decodes `pdu` in `dir`; it must decode (not `Err`).
fn ok(pdu: &[u8], dir: Direction) -> Parsed<Pdu<'_>> {
    Pdu::parse_pdu(pdu, dir).unwrap_or_else(|e| panic!("{pdu:02x?}: {e}"))
}

#[test]
fn byte_counts_past_the_end_keep_what_is_there() {
    // §6.3 Read Holding Registers response, byte count 6, four bytes arrived.
    let p = ok(&[0x03, 0x06, 0x02, 0x2B, 0x00, 0x00], Direction::Response);
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Response(Response::ReadHoldingRegisters { values }) = p.pdu else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!(values.iter().collect::<Vec<_>>(), [555, 0]);
    // Three bytes: a register and an odd byte.
    let p = ok(&[0x03, 0x06, 0x02, 0x2B, 0x00], Direction::Response);
    assert_eq!(
        p.anomalies,
        Anomalies::TRUNCATED | Anomalies::BYTE_COUNT_MISMATCH
    );
    // §6.1 Read Coils response, byte count 3, two bytes arrived: 16 coils.
    let p = ok(&[0x01, 0x03, 0xCD, 0x6B], Direction::Response);
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Response(Response::ReadCoils { values }) = p.pdu else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!(values.as_bytes(), [0xCD, 0x6B]);
    assert_eq!(values.len(), 16);
    // §6.12 Write Multiple Registers request, byte count 4, one register arrived.
    let p = ok(
        &[0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A],
        Direction::Request,
    );
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Request(Request::WriteMultipleRegisters {
        address,
        quantity,
        values,
    }) = p.pdu
    else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!((address, quantity), (Address(1), 2));
    assert_eq!(values.iter().collect::<Vec<_>>(), [10]);
    // §6.17 Read/Write Multiple Registers request, byte count 6, one register arrived.
    let v = [
        0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00, 0xFF,
    ];
    let p = ok(&v, Direction::Request);
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Request(Request::ReadWriteMultipleRegisters {
        read_address,
        read_quantity,
        write_address,
        write_quantity,
        values,
    }) = p.pdu
    else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!(
        (read_address, read_quantity, write_address, write_quantity),
        (Address(3), 6, Address(14), 3)
    );
    assert_eq!(values.iter().collect::<Vec<_>>(), [0x00FF]);
    // §6.18 Read FIFO Queue response, FIFO count 2, one register arrived.
    let p = ok(
        &[0x18, 0x00, 0x06, 0x00, 0x02, 0x01, 0xB8],
        Direction::Response,
    );
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Response(Response::ReadFifoQueue { fifo_count, values }) = p.pdu else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!(fifo_count, 2);
    assert_eq!(values.iter().collect::<Vec<_>>(), [440]);
    // §6.21 Read Device Identification response, three objects declared, the second cut.
    let v = VECTORS.iter().find(|v| v.name == "fc43 rsp").unwrap().pdu;
    let p = ok(&v[..40], Direction::Response);
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Response(Response::ReadDeviceIdentification(id)) = p.pdu else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!(id.object_count, 3);
    let objects: Vec<_> = id.objects.collect();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0].as_str(), Some("Company identification"));
    assert_eq!(objects[1].value, b"Product");
}

#[test]
fn write_requests_cut_before_their_byte_count_keep_their_fields() {
    // §6.11 Write Multiple Coils: address 19, quantity 10, then the PDU ends before the
    // byte count: the address and quantity are kept, no value, flagged TRUNCATED.
    let p = ok(&[0x0F, 0x00, 0x13, 0x00, 0x0A], Direction::Request);
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Request(Request::WriteMultipleCoils {
        address,
        quantity,
        values,
    }) = p.pdu
    else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!((address, quantity), (Address(19), 10));
    assert!(values.as_bytes().is_empty());
    // §6.12 Write Multiple Registers, quantity 200 (out of range) and cut: both flags.
    let p = ok(&[0x10, 0x00, 0x01, 0x00, 0xC8], Direction::Request);
    assert_eq!(
        p.anomalies,
        Anomalies::TRUNCATED | Anomalies::QUANTITY_OUT_OF_RANGE
    );
    let Pdu::Request(Request::WriteMultipleRegisters {
        address, quantity, ..
    }) = p.pdu
    else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!((address, quantity), (Address(1), 200));
    // §6.17 Read/Write Multiple Registers cut before the write byte count.
    let v = [0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03];
    let p = ok(&v, Direction::Request);
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let Pdu::Request(Request::ReadWriteMultipleRegisters {
        read_address,
        read_quantity,
        write_address,
        write_quantity,
        values,
    }) = p.pdu
    else {
        panic!("{:?}", p.pdu)
    };
    assert_eq!(
        (read_address, read_quantity, write_address, write_quantity),
        (Address(3), 6, Address(14), 3)
    );
    assert!(values.is_empty());
    // Cut inside a fixed field there is nothing whole to keep: an error.
    assert!(Pdu::parse_pdu(&[0x0F, 0x00, 0x13, 0x00], Direction::Request).is_err());
}

#[test]
fn every_prefix_past_the_fixed_fields_decodes() {
    // Once a PDU's fixed fields are there (function code, addresses and quantities, the
    // byte count's own fields), every shorter prefix decodes: what is there is kept.
    for v in VECTORS {
        let fixed = match (v.pdu[0], v.dir) {
            (1..=4 | 17 | 20 | 21 | 23, Direction::Response) => 2,
            (15 | 16, Direction::Request) | (24, Direction::Response) => 5,
            (20 | 21, Direction::Request) => 2,
            (23, Direction::Request) => 9,
            (12, Direction::Response) => 8,
            (43, Direction::Response) => 7,
            _ => continue,
        };
        for cut in fixed..v.pdu.len() {
            let p = ok(&v.pdu[..cut], v.dir);
            assert!(
                p.anomalies.contains(Anomalies::TRUNCATED),
                "{} cut at {cut}",
                v.name
            );
        }
    }
}
