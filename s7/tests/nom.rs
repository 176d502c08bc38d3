//! The nom entry points (feature `nom`) return what the slice API returns: the same TPKTs,
//! TPDUs, S7comm PDUs, S7comm-plus frames and messages for the golden vectors,
//! `Err::Incomplete` with the same count for every prefix of a TPKT, never `Incomplete` from
//! the complete parsers, the typed error through `FromExternalError` for malformed input,
//! and they compose with nom's combinators.

#![cfg(feature = "nom")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../tests/nom_error.rs"]
mod nom_error;
mod vectors;

use nom::error::ErrorKind;
use nom::{Parser, combinator::complete, multi::many1, sequence::pair};
use nom_error::{incomplete, typed, whole};
use otwire_s7::nom as s7;
use otwire_s7::{
    Error, Header, Layer, Message, Needed, Pdu, PlusFrame, Tpdu, TpktHeader, split_frame,
};
use vectors::ALL;

/// A user's own nom error that keeps our typed error.
type Typed<'a> = nom_error::Typed<'a, Error>;

/// The user data of every golden DT.
fn user_data() -> Vec<&'static [u8]> {
    ALL.iter()
        .filter_map(|v| {
            let (f, _) = split_frame(v.bytes).unwrap();
            match Tpdu::parse(f.tpdu).unwrap().pdu {
                Tpdu::Data(dt) => Some(dt.user_data),
                _ => None,
            }
        })
        .collect()
}

#[test]
fn tpkts_parse_as_the_slice_api_does() {
    let stream: Vec<u8> = ALL.iter().flat_map(|v| v.bytes.iter().copied()).collect();
    let mut rest = &stream[..];
    let mut n = 0;
    while !rest.is_empty() {
        let (frame, r) = split_frame(rest).unwrap();
        assert_eq!(s7::tpkt_frame::<Typed>(rest), Ok((r, frame)));
        assert_eq!(
            s7::tpkt_header::<Typed>(rest),
            Ok((&rest[4..], TpktHeader::parse(rest).unwrap()))
        );
        let mut tpdu = Tpdu::parse(frame.tpdu).unwrap();
        assert_eq!(s7::tpdu::<Typed>(frame.tpdu), whole(frame.tpdu, Ok(tpdu)));
        tpdu.anomalies |= frame.anomalies();
        assert_eq!(s7::tpkt_tpdu::<Typed>(rest), Ok((r, tpdu)));
        rest = r;
        n += 1;
    }
    assert_eq!(n, ALL.len());
    // A whole buffer, with nom's combinators.
    let (rest, frames) = many1(complete(s7::tpkt_frame::<Typed>))
        .parse(&stream)
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(frames.len(), ALL.len());
}

#[test]
fn the_tpkt_header_flags_travel_with_the_tpdu() {
    // Version 2 and a reserved byte set: split_frame takes it, the anomaly is the header's.
    let mut odd = vectors::SETUP_JOB.to_vec();
    odd[0] = 2;
    odd[1] = 1;
    let (_, t) = s7::tpkt_tpdu::<Typed>(&odd).unwrap();
    assert!(t.anomalies.contains(otwire_s7::Anomalies::TPKT_HEADER));
    assert!(matches!(t.pdu, Tpdu::Data(_)));
}

#[test]
fn pdus_frames_and_messages_parse_as_the_slice_api_does() {
    let payloads = user_data();
    let (mut s7comm, mut plus) = (0, 0);
    for u in payloads {
        for tls in [false, true] {
            assert_eq!(
                s7::message::<Typed>(tls)(u),
                whole(u, Message::parse(u, tls))
            );
        }
        match u[0] {
            0x32 => {
                s7comm += 1;
                let pdu = Pdu::parse(u);
                assert!(pdu.is_ok());
                assert_eq!(s7::s7comm_pdu::<Typed>(u), whole(u, pdu));
                let h = Header::parse(u).unwrap();
                assert_eq!(s7::s7comm_header::<Typed>(u), Ok((&u[h.len()..], h)));
                // The other parsers refuse it with the protocol id they found.
                assert_eq!(
                    s7::plus_frame::<Typed>(u),
                    Err(typed(u, Error::WrongProtocol(0x32)))
                );
            }
            0x72 => {
                plus += 1;
                let f = PlusFrame::parse(u);
                assert!(f.is_ok());
                assert_eq!(s7::plus_frame::<Typed>(u), whole(u, f));
                assert_eq!(
                    s7::s7comm_pdu::<Typed>(u),
                    Err(typed(u, Error::WrongProtocol(0x72)))
                );
            }
            b => panic!("DT user data starting {b:#04x}"),
        }
    }
    assert!(
        s7comm >= 10 && plus >= 3,
        "{s7comm} S7comm, {plus} S7comm-plus"
    );
}

#[test]
fn every_prefix_of_a_tpkt_asks_for_what_the_slice_api_asks_for() {
    let mut checked = 0;
    for v in ALL {
        for cut in 0..v.bytes.len() {
            let prefix = &v.bytes[..cut];
            let Err(Error::Incomplete(needed @ Needed::Size(_))) = split_frame(prefix) else {
                panic!("{} cut at {cut}: {:?}", v.name, split_frame(prefix));
            };
            let want = incomplete(needed);
            assert_eq!(
                s7::tpkt_frame::<Typed>(prefix).err(),
                want,
                "{} at {cut}",
                v.name
            );
            assert_eq!(
                s7::tpkt_tpdu::<Typed>(prefix).err(),
                want,
                "{} at {cut}",
                v.name
            );
            if cut < 4 {
                assert_eq!(s7::tpkt_header::<Typed>(prefix).err(), want);
            }
            checked += 1;
        }
    }
    assert!(checked > 400, "{checked} prefixes");
}

#[test]
fn complete_parsers_never_say_incomplete() {
    let tpdus: Vec<&[u8]> = ALL
        .iter()
        .map(|v| split_frame(v.bytes).unwrap().0.tpdu)
        .collect();
    for t in tpdus {
        for cut in 0..=t.len() {
            let prefix = &t[..cut];
            let got = s7::tpdu::<Typed>(prefix);
            assert!(!matches!(got, Err(nom::Err::Incomplete(_))), "cut at {cut}");
            assert_eq!(got, whole(prefix, Tpdu::parse(prefix)));
        }
    }
    for u in user_data() {
        for cut in 0..=u.len() {
            let prefix = &u[..cut];
            let pdu = s7::s7comm_pdu::<Typed>(prefix);
            assert!(!matches!(pdu, Err(nom::Err::Incomplete(_))));
            assert_eq!(pdu, whole(prefix, Pdu::parse(prefix)));
            let frame = s7::plus_frame::<Typed>(prefix);
            assert!(!matches!(frame, Err(nom::Err::Incomplete(_))));
            assert_eq!(frame, whole(prefix, PlusFrame::parse(prefix)));
            let m = s7::message::<Typed>(false)(prefix);
            assert!(!matches!(m, Err(nom::Err::Incomplete(_))));
            assert_eq!(m, whole(prefix, Message::parse(prefix, false)));
            let header = s7::s7comm_header::<Typed>(prefix);
            assert!(!matches!(header, Err(nom::Err::Incomplete(_))));
            match Header::parse(prefix) {
                Ok(h) => assert_eq!(header, Ok((&prefix[h.len()..], h))),
                Err(e) => assert_eq!(header, Err(typed(prefix, e))),
            }
        }
    }
}

#[test]
fn malformed_input_keeps_the_typed_error() {
    // A TPKT length below its own header.
    let short = [0x03, 0x00, 0x00, 0x02, 0x02, 0xF0, 0x80];
    let e = split_frame(&short).unwrap_err();
    assert_eq!(
        e,
        Error::Malformed {
            layer: Layer::Tpkt,
            offset: 2
        }
    );
    assert_eq!(s7::tpkt_frame::<Typed>(&short), Err(typed(&short, e)));
    assert_eq!(s7::tpkt_tpdu::<Typed>(&short), Err(typed(&short, e)));
    // With nom's own error, the input and ErrorKind::Verify.
    assert_eq!(
        s7::tpkt_frame::<nom::error::Error<&[u8]>>(&short),
        Err(nom::Err::Error(nom::error::Error::new(
            &short[..],
            ErrorKind::Verify
        )))
    );
    // A TPKT whose TPDU does not decode: the error is the TPDU's, the input the TPKT's.
    let empty_tpdu = [0x03, 0x00, 0x00, 0x04];
    let e = Tpdu::parse(&[]).unwrap_err();
    assert_eq!(
        s7::tpkt_tpdu::<Typed>(&empty_tpdu),
        Err(typed(&empty_tpdu, e))
    );
}

#[test]
fn they_compose_with_nom_combinators() {
    // A job and its answer, each framed and decoded down to COTP.
    let stream = [vectors::SETUP_JOB, vectors::SETUP_ACK].concat();
    let (rest, (job, ack)) = pair(s7::tpkt_tpdu::<Typed>, s7::tpkt_tpdu::<Typed>)
        .parse(&stream)
        .unwrap();
    assert!(rest.is_empty());
    for t in [job, ack] {
        let Tpdu::Data(dt) = t.pdu else {
            panic!("{:?}", t.pdu)
        };
        let (rest, pdu) = s7::s7comm_pdu::<Typed>(dt.user_data).unwrap();
        assert!(rest.is_empty() && pdu.anomalies.is_empty());
    }
}
