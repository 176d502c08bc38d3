//! Every prefix of every golden APDU: framing says `Incomplete` (never a panic, never an
//! `Ok` that claims bytes it did not have), and an ASDU cut short decodes what it holds and
//! says `TRUNCATED`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_iec104::*;

mod common;

use common::vectors::VECTORS;

#[test]
fn every_prefix_is_incomplete() {
    for v in VECTORS {
        for cut in 0..v.len() {
            match split_frame(&v[..cut]) {
                Err(Error::Incomplete(Needed::Size(n))) => {
                    assert_eq!(cut + n.get(), if cut < 2 { 2 } else { v.len() })
                }
                other => panic!("{v:02x?} cut at {cut}: {other:?}"),
            }
            assert_ne!(
                probe(&v[..cut]),
                Probe::Unrecognized,
                "{v:02x?} cut at {cut}"
            );
        }
        let (f, rest) = split_frame(v).unwrap();
        assert!(rest.is_empty());
        assert_eq!(f.wire_len(), v.len());
        assert_eq!(probe(v), Probe::Recognized);
    }
}

#[test]
fn asdu_cut_short_decodes_what_it_holds() {
    for v in VECTORS {
        let asdu = &v[6..];
        if asdu.is_empty() {
            continue;
        }
        let whole = Asdu::parse(asdu, Params::IEC104).unwrap();
        let all: Vec<_> = whole.pdu.objects().collect();
        for cut in 0..asdu.len() {
            match Asdu::parse(&asdu[..cut], Params::IEC104) {
                Err(Error::Malformed {
                    layer: Layer::AsduHeader,
                    offset,
                }) => {
                    assert!(cut < 6);
                    assert_eq!(offset, cut);
                }
                Ok(p) => {
                    assert!(cut >= 6);
                    let got: Vec<_> = p.pdu.objects().collect();
                    assert!(
                        got.len() < all.len(),
                        "{v:02x?} cut at {cut} claims all objects"
                    );
                    assert_eq!(
                        &all[..got.len()],
                        &got[..],
                        "objects before the cut are intact"
                    );
                    assert!(p.anomalies.contains(Anomalies::TRUNCATED));
                }
                Err(e) => panic!("{e}"),
            }
            // Inside a frame whose length octet says so: the APDU still decodes.
            let mut apdu = vec![0x68, (4 + cut) as u8];
            apdu.extend_from_slice(&v[2..6 + cut]);
            let (f, _) = split_frame(&apdu).unwrap();
            let p = Apdu::parse(&f, Params::IEC104).unwrap();
            if cut < 6 {
                assert_eq!(p.pdu.asdu, None);
                assert!(p.anomalies.contains(Anomalies::APCI_LENGTH));
            }
        }
    }
}

#[test]
fn bad_lengths_and_start() {
    assert_eq!(
        split_frame(&[0x69, 0x04]),
        Err(Error::BadStart { found: 0x69 })
    );
    assert_eq!(
        split_frame(&[0x68, 0x03, 0, 0, 0]),
        Err(Error::Malformed {
            layer: Layer::Apci,
            offset: 1
        })
    );
    assert_eq!(
        split_frame(&[0x68, 0xfe]),
        Err(Error::TooLong {
            declared: 254,
            max: 253
        })
    );
    // An S frame with extra octets: decoded, flagged.
    let (f, _) = split_frame(&[0x68, 0x05, 0x01, 0x00, 0x02, 0x00, 0xff]).unwrap();
    let p = Apdu::parse(&f, Params::IEC104).unwrap();
    assert_eq!(
        p.pdu.apci,
        Apci::S {
            recv: SeqNum::new(1)
        }
    );
    assert_eq!(
        p.anomalies,
        Anomalies::APCI_LENGTH | Anomalies::UNEXPECTED_ASDU
    );
    // Count 2 but three objects' worth of octets: the extra is flagged.
    let mut v = VECTORS[2].to_vec();
    v.extend_from_slice(&[0, 0, 0, 0x14]);
    v[1] += 4;
    let p = Apdu::parse(&split_frame(&v).unwrap().0, Params::IEC104).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRAILING_BYTES);
    // Count 0.
    let mut v = VECTORS[2].to_vec();
    v[7] = 0;
    let p = Apdu::parse(&split_frame(&v).unwrap().0, Params::IEC104).unwrap();
    assert_eq!(
        p.anomalies,
        Anomalies::ZERO_COUNT | Anomalies::TRAILING_BYTES
    );
    assert_eq!(p.pdu.asdu.unwrap().objects().count(), 0);
    // Unknown type identification 99: header kept, no objects, flagged.
    let mut v = VECTORS[2].to_vec();
    v[6] = 99;
    let p = Apdu::parse(&split_frame(&v).unwrap().0, Params::IEC104).unwrap();
    assert!(p.anomalies.contains(Anomalies::UNKNOWN_TYPE_ID));
    assert_eq!(p.pdu.asdu.unwrap().body, &v[12..]);
}

#[test]
fn ft12_prefixes_are_incomplete() {
    let v = [
        0x68, 0x09, 0x09, 0x68, 0x73, 0x01, 0x64, 0x01, 0x06, 0x01, 0x00, 0x00, 0x14, 0xf4, 0x16,
    ];
    let link = ft12::LinkParams::new(1).unwrap();
    for cut in 0..v.len() {
        assert!(
            matches!(ft12::split(&v[..cut], link), Err(Error::Incomplete(_))),
            "cut at {cut}"
        );
    }
    let mut bad = v;
    bad[14] = 0x17;
    assert_eq!(
        ft12::split(&bad, link),
        Err(Error::Malformed {
            layer: Layer::Ft12,
            offset: 14
        })
    );
    let mut bad = v;
    bad[2] = 0x08;
    assert_eq!(
        ft12::split(&bad, link),
        Err(Error::Malformed {
            layer: Layer::Ft12,
            offset: 2
        })
    );
}
