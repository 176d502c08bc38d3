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
