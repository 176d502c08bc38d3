//! The nom entry points (feature `nom`) return what the slice API returns: the same frames
//! and PDUs for the golden vectors, `Err::Incomplete` with the same count for every prefix
//! of a frame, the typed error through `FromExternalError` for malformed input, and they
//! compose with nom's combinators.

#![cfg(feature = "nom")]
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

#[path = "../../tests/nom_error.rs"]
mod nom_error;
mod vectors;

use nom::error::ErrorKind;
use nom::{IResult, Parser, combinator::complete, multi::many1, sequence::pair};
use nom_error::{incomplete, typed, whole};
use otwire_modbus::nom as mb;
// Not a glob: `otwire_modbus::nom` would make `nom` ambiguous with the nom crate.
use otwire_modbus::{
    Direction, Error, Frame, FunctionCode, Layer, MAX_RTU_LEN, MBAP_HEADER_LEN, MbapHeader, Needed,
    Pdu, Raw, Request, Response, RtuAdu, RtuFrame, UnitId, parse_datagram, split_frame,
    split_rtu_frame,
};
use vectors::{VECTORS, enc, tcp_stream};

/// A user's own nom error that keeps our typed error.
type Typed<'a> = nom_error::Typed<'a, Error>;

type R<'a, O> = IResult<&'a [u8], O, Typed<'a>>;

/// The golden frames of the TCP stream, each with the direction of its PDU.
fn tcp_frames(stream: &[u8]) -> Vec<(&[u8], Direction)> {
    let mut out = Vec::new();
    let mut rest = stream;
    for v in VECTORS {
        let (frame, r) = split_frame(rest).unwrap();
        out.push((&rest[..rest.len() - r.len()], v.dir));
        assert_eq!(frame.pdu, v.pdu);
        rest = r;
    }
    assert!(rest.is_empty());
    out
}

/// Each golden PDU as an RTU frame to unit 17, with its direction.
fn rtu_frames() -> Vec<(Vec<u8>, Direction)> {
    VECTORS
        .iter()
        .map(|v| {
            let adu = RtuAdu {
                address: UnitId(17),
                pdu: Raw(v.pdu),
            };
            (enc(&adu), v.dir)
        })
        .collect()
}

#[test]
fn tcp_frames_parse_as_the_slice_api_does() {
    let (stream, _) = tcp_stream();
    let mut rest = &stream[..];
    for v in VECTORS {
        let (frame, r) = split_frame(rest).unwrap();
        let dir = v.dir;
        assert_eq!(mb::tcp_frame::<Typed>(rest), Ok((r, frame)));
        let header = MbapHeader::parse(rest).unwrap();
        assert_eq!(
            mb::mbap_header::<Typed>(rest),
            Ok((&rest[MBAP_HEADER_LEN..], header))
        );
        let parsed = Pdu::parse(&frame, dir).unwrap();
        assert_eq!(mb::tcp_pdu::<Typed>(dir)(rest), Ok((r, parsed)));
        let datagram = &rest[..rest.len() - r.len()];
        assert_eq!(parse_datagram(datagram), Ok(frame));
        assert_eq!(mb::udp_frame::<Typed>(datagram), Ok((&[][..], frame)));
        // Bytes after the ADU in a datagram are left to the caller.
        assert_eq!(mb::udp_frame::<Typed>(rest), Ok((r, frame)));
        rest = r;
    }
    assert!(rest.is_empty());
}

#[test]
fn pdus_parse_as_the_slice_api_does() {
    for v in VECTORS {
        let p = v.pdu;
        assert_eq!(
            mb::pdu::<Typed>(v.dir)(p),
            whole(p, Pdu::parse_pdu(p, v.dir)),
            "{}",
            v.name
        );
        assert!(Pdu::parse_pdu(p, v.dir).is_ok(), "{}", v.name);
        match v.dir {
            Direction::Request => assert_eq!(mb::request(p), whole(p, Request::parse(p))),
            Direction::Response => assert_eq!(mb::response(p), whole(p, Response::parse(p))),
        }
    }
}

#[test]
fn rtu_frames_parse_as_the_slice_api_does() {
    let mut known = 0;
    for (adu, dir) in rtu_frames() {
        assert_eq!(
            mb::delimited_rtu_frame(&adu),
            whole(&adu, RtuFrame::parse(&adu))
        );
        let nom: R<'_, _> = mb::rtu_frame(dir)(&adu);
        match split_rtu_frame(&adu, dir) {
            Ok((frame, rest)) => {
                known += 1;
                assert_eq!(nom, Ok((rest, frame)));
            }
            // Codes whose length the function code does not give (user-defined, UMAS…).
            Err(e) => assert_eq!(nom, Err(typed(&adu, e))),
        }
    }
    assert!(known > 20, "{known} RTU frames split");
}

#[test]
fn every_prefix_of_a_frame_asks_for_what_the_slice_api_asks_for() {
    let (stream, _) = tcp_stream();
    let rtu = rtu_frames();
    let frames = tcp_frames(&stream)
        .into_iter()
        .map(|(f, dir)| (f, dir, true))
        .chain(rtu.iter().map(|(f, dir)| (&f[..], *dir, false)));
    let mut checked = 0;
    for (frame, dir, tcp) in frames {
        if !tcp && split_rtu_frame(frame, dir).is_err() {
            continue;
        }
        for cut in 0..frame.len() {
            let prefix = &frame[..cut];
            let slice = if tcp {
                split_frame(prefix).map(|_| ())
            } else {
                split_rtu_frame(prefix, dir).map(|_| ())
            };
            let Err(Error::Incomplete(needed @ Needed::Size(_))) = slice else {
                panic!("{frame:02x?} cut at {cut}: {slice:?}");
            };
            let want = incomplete(needed);
            if tcp {
                assert_eq!(mb::tcp_frame::<Typed>(prefix).err(), want, "cut at {cut}");
                assert_eq!(
                    mb::tcp_pdu::<Typed>(dir)(prefix).err(),
                    want,
                    "cut at {cut}"
                );
                if let Ok(h) = MbapHeader::parse(prefix) {
                    assert_eq!(
                        mb::mbap_header::<Typed>(prefix),
                        Ok((&prefix[MBAP_HEADER_LEN..], h))
                    );
                } else {
                    assert_eq!(mb::mbap_header::<Typed>(prefix).err(), want, "cut at {cut}");
                }
            } else {
                assert_eq!(
                    mb::rtu_frame::<Typed>(dir)(prefix).err(),
                    want,
                    "cut at {cut}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} prefixes");
}

#[test]
fn complete_parsers_never_say_incomplete() {
    let (stream, _) = tcp_stream();
    for (frame, _) in tcp_frames(&stream) {
        for cut in 0..frame.len() {
            let prefix = &frame[..cut];
            let want = whole(prefix, parse_datagram(prefix));
            assert!(matches!(want, Err(nom::Err::Error(_))), "cut at {cut}");
            assert_eq!(mb::udp_frame(prefix), want, "cut at {cut}");
        }
    }
    for (adu, _) in rtu_frames() {
        for cut in 0..adu.len() {
            let prefix = &adu[..cut];
            let got = mb::delimited_rtu_frame::<Typed>(prefix);
            assert!(!matches!(got, Err(nom::Err::Incomplete(_))), "cut at {cut}");
            assert_eq!(got, whole(prefix, RtuFrame::parse(prefix)));
        }
    }
    for v in VECTORS {
        for cut in 0..v.pdu.len() {
            let prefix = &v.pdu[..cut];
            let got = mb::pdu::<Typed>(v.dir)(prefix);
            assert!(
                !matches!(got, Err(nom::Err::Incomplete(_))),
                "{} at {cut}",
                v.name
            );
            assert_eq!(got, whole(prefix, Pdu::parse_pdu(prefix, v.dir)));
            let got: R<'_, _> = match v.dir {
                Direction::Request => mb::request(prefix).map(|(r, p)| (r, p.map(Pdu::Request))),
                Direction::Response => mb::response(prefix).map(|(r, p)| (r, p.map(Pdu::Response))),
            };
            assert!(!matches!(got, Err(nom::Err::Incomplete(_))));
        }
    }
}

#[test]
fn malformed_input_gives_the_typed_error() {
    // MBAP length 0 cannot hold the unit id.
    let zero = [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x11, 0x03];
    let malformed = Error::Malformed {
        layer: Layer::Mbap,
        offset: 4,
    };
    assert_eq!(mb::tcp_frame::<Typed>(&zero), Err(typed(&zero, malformed)));
    assert_eq!(
        mb::tcp_pdu::<Typed>(Direction::Request)(&zero),
        Err(typed(&zero, malformed))
    );
    // A whole frame whose PDU is empty: framed, then not decodable.
    let empty = [0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11];
    assert!(mb::tcp_frame::<Typed>(&empty).is_ok());
    assert_eq!(
        mb::tcp_pdu::<Typed>(Direction::Response)(&empty),
        Err(typed(&empty, Error::EmptyPdu))
    );
    assert_eq!(mb::request::<Typed>(&[]), Err(typed(&[], Error::EmptyPdu)));
    // A Write Multiple Registers request without its quantity.
    let short = [0x10, 0x00, 0x01];
    let Err(e) = Request::parse(&short) else {
        panic!("FC 16 without quantity decoded")
    };
    assert_eq!(mb::request::<Typed>(&short), Err(typed(&short, e)));
    // A datagram shorter than its MBAP length.
    let cut = [0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x11, 0x03];
    let malformed = Error::Malformed {
        layer: Layer::Mbap,
        offset: 8,
    };
    assert_eq!(mb::udp_frame::<Typed>(&cut), Err(typed(&cut, malformed)));
    // An RTU response whose byte count makes the frame longer than 256 bytes.
    let long = [0x11, 0x03, 0xFF];
    let too_long = Error::TooLong {
        declared: 260,
        max: MAX_RTU_LEN,
    };
    assert_eq!(
        mb::rtu_frame::<Typed>(Direction::Response)(&long),
        Err(typed(&long, too_long))
    );
    // An RTU function code that does not say how long its frame is.
    let unknown = [0x11, 0x41, 0x00, 0x00];
    let malformed = Error::Malformed {
        layer: Layer::Rtu,
        offset: 1,
    };
    assert_eq!(
        mb::rtu_frame::<Typed>(Direction::Request)(&unknown),
        Err(typed(&unknown, malformed))
    );
}

#[test]
fn frames_compose_with_nom_combinators() {
    let (stream, n) = tcp_stream();
    let want: Vec<Frame<'_>> = tcp_frames(&stream)
        .iter()
        .map(|(f, _)| split_frame(f).unwrap().0)
        .collect();
    let (rest, frames) = many1(complete(mb::tcp_frame::<Typed>))
        .parse(&stream[..])
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(frames.len(), n);
    assert_eq!(frames, want);
    // Streaming: without `complete`, the end of the buffer asks for another header.
    assert_eq!(
        many1(mb::tcp_frame::<Typed>).parse(&stream[..]),
        Err(nom::Err::Incomplete(nom::Needed::new(MBAP_HEADER_LEN)))
    );
    // The first two vectors are Read Coils and its response.
    let (rest, (req, rsp)) = pair(
        mb::tcp_pdu::<Typed>(Direction::Request),
        mb::tcp_pdu(Direction::Response),
    )
    .parse(&stream[..])
    .unwrap();
    assert_eq!(req.pdu.function_code(), FunctionCode::ReadCoils);
    assert_eq!(rsp.pdu.function_code(), FunctionCode::ReadCoils);
    assert_eq!(rest, &stream[want[0].pdu.len() + want[1].pdu.len() + 14..]);
    // RTU requests back to back, framed by their function codes.
    let requests: Vec<Vec<u8>> = rtu_frames()
        .into_iter()
        .filter(|(f, dir)| {
            *dir == Direction::Request && split_rtu_frame(f, Direction::Request).is_ok()
        })
        .map(|(f, _)| f)
        .collect();
    let line = requests.concat();
    let (rest, frames) = many1(complete(mb::rtu_frame::<Typed>(Direction::Request)))
        .parse(&line[..])
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(frames.len(), requests.len());
    assert!(frames.iter().all(RtuFrame::crc_ok));
}

#[test]
fn nom_error_type_works() {
    type NomError<'a> = nom::error::Error<&'a [u8]>;
    let (stream, _) = tcp_stream();
    let (frame, rest) = split_frame(&stream).unwrap();
    assert_eq!(mb::tcp_frame::<NomError>(&stream), Ok((rest, frame)));
    assert_eq!(
        mb::tcp_frame::<NomError>(&stream[..3]),
        Err(nom::Err::Incomplete(nom::Needed::new(4)))
    );
    let zero = [0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x11];
    assert_eq!(
        mb::tcp_frame::<NomError>(&zero),
        Err(nom::Err::Error(nom::error::Error::new(
            &zero[..],
            ErrorKind::Verify
        )))
    );
    assert_eq!(
        mb::request::<NomError>(&[]),
        Err(nom::Err::Error(nom::error::Error::new(
            &[][..],
            ErrorKind::Verify
        )))
    );
}
