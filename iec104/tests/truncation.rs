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
                    // The object the cut fell in keeps its address once its address octets
                    // (SQ=0, or the first object of SQ=1) or any octet of its element
                    // (later objects of SQ=1) arrived.
                    let missing = &all[got.len()];
                    let sq = asdu[1] & 0x80 != 0;
                    let body = cut - 6;
                    let address_in = if sq && !got.is_empty() {
                        body > 3 + got.len() * element_size(TypeId::from(asdu[0])).unwrap()
                    } else {
                        body >= 3 + got.len() * (3 + element_size(TypeId::from(asdu[0])).unwrap())
                    };
                    match p.pdu.truncated_object() {
                        Some(t) => {
                            assert!(address_in, "{v:02x?} cut at {cut}");
                            assert_eq!(t.address, missing.address, "{v:02x?} cut at {cut}");
                            assert!(asdu[..cut].ends_with(t.partial));
                        }
                        None => assert!(!address_in, "{v:02x?} cut at {cut} lost an address"),
                    }
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

#[test]
fn a_truncated_object_keeps_its_address() {
    // M_ME_NC_1 (13), SQ=0, 2 objects, spontaneous, CA 1; the second object is cut after
    // two of the five octets of its element (the APDU's length octet says so: 4 + 19).
    let v = [
        0x68, 0x17, // start, length 23
        0x00, 0x00, 0x00, 0x00, // I frame, N(S) 0, N(R) 0
        0x0d, // type 13: measured value, short floating point
        0x02, // SQ=0, 2 objects
        0x03, 0x00, // cause 3 spontaneous, originator 0
        0x01, 0x00, // common address 1
        0x01, 0x00, 0x00, // IOA 1
        0x00, 0x00, 0x80, 0x3f, // 1.0
        0x00, // QDS: good
        0x02, 0x00, 0x00, // IOA 2
        0x00, 0x00, // two octets of the value; the rest and the QDS are missing
    ];
    let (frame, rest) = split_frame(&v).unwrap();
    assert!(rest.is_empty());
    let p = Apdu::parse(&frame, Params::IEC104).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let asdu = p.pdu.asdu.unwrap();
    assert_eq!(asdu.header.count, 2);
    assert_eq!(asdu.decodable, 1);
    let objects: Vec<_> = asdu.objects().collect();
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].address, Ioa(1));
    assert!(matches!(
        objects[0].element,
        Element::Float { value, .. } if value == 1.0
    ));
    let cut = asdu.truncated_object().unwrap();
    assert_eq!(cut.address, Ioa(2));
    assert_eq!(cut.partial, &[0x00, 0x00]);
    // Cut right after the address: the address is kept, no element octet arrived.
    let p = Asdu::parse(&v[6..23], Params::IEC104).unwrap();
    let cut = p.pdu.truncated_object().unwrap();
    assert_eq!((cut.address, cut.partial), (Ioa(2), &[][..]));
    // Cut inside the address: nothing to report.
    let p = Asdu::parse(&v[6..22], Params::IEC104).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    assert_eq!(p.pdu.truncated_object(), None);
    // A whole ASDU has none.
    let whole = Asdu::parse(&VECTORS[3][6..], Params::IEC104).unwrap();
    assert_eq!(whole.pdu.truncated_object(), None);
}

#[test]
fn a_truncated_sequence_keeps_the_next_address() {
    // M_SP_NA_1 (1), SQ=1, 4 elements from IOA 10, interrogated (20), CA 1; two elements
    // arrived.
    let asdu = [
        0x01, // type 1: single point
        0x84, // SQ=1, 4 elements
        0x14, 0x00, // cause 20 interrogated by station interrogation, originator 0
        0x01, 0x00, // common address 1
        0x0a, 0x00, 0x00, // first IOA 10
        0x01, 0x00, // IOA 10 on, IOA 11 off
    ];
    let p = Asdu::parse(&asdu, Params::IEC104).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    let ioas: Vec<_> = p.pdu.objects().map(|o| o.address).collect();
    assert_eq!(ioas, [Ioa(10), Ioa(11)]);
    // Nothing of the third element arrived: no address to report.
    assert_eq!(p.pdu.truncated_object(), None);
    // Only the address: the first element's address is reported.
    let p = Asdu::parse(&asdu[..9], Params::IEC104).unwrap();
    assert_eq!(p.pdu.objects().count(), 0);
    let cut = p.pdu.truncated_object().unwrap();
    assert_eq!((cut.address, cut.partial), (Ioa(10), &[][..]));
    // M_ME_NC_1 in a sequence: one whole element and three octets of the next, IOA 11.
    let asdu = [
        0x0d, 0x82, 0x14, 0x00, 0x01, 0x00, // type 13, SQ=1, 2 elements, cause 20, CA 1
        0x0a, 0x00, 0x00, // first IOA 10
        0x00, 0x00, 0x80, 0x3f, 0x00, // IOA 10: 1.0, good
        0x00, 0x00, 0x20, // three octets of IOA 11's value
    ];
    let p = Asdu::parse(&asdu, Params::IEC104).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRUNCATED);
    assert_eq!(p.pdu.objects().count(), 1);
    let cut = p.pdu.truncated_object().unwrap();
    assert_eq!(
        (cut.address, cut.partial),
        (Ioa(11), &[0x00, 0x00, 0x20][..])
    );
}
