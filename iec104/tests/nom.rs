//! The nom entry points (feature `nom`) return what the slice API returns: the same APDUs,
//! FT1.2 frames and ASDUs for the golden vectors, `Err::Incomplete` with the same count for
//! every prefix of a frame, the typed error through `FromExternalError` for malformed input,
//! and they compose with nom's combinators.

#![cfg(feature = "nom")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../../tests/nom_error.rs"]
mod nom_error;

use common::vectors::VECTORS;
use nom::error::ErrorKind;
use nom::{Parser, combinator::complete, multi::many1, sequence::pair};
use nom_error::{incomplete, typed, whole};
use otwire_iec104::nom as iec;
use otwire_iec104::{
    Apci, Apdu, Asdu, AsduHeader, Error, Frame, Layer, Needed, Params, ft12, split_frame,
};

/// A user's own nom error that keeps our typed error.
type Typed<'a> = nom_error::Typed<'a, Error>;

/// An FT1.2 variable frame to link address 1 (one octet) carrying C_IC_NA_1 with the
/// IEC 60870-5-101 field sizes (see golden.rs for the fields).
const FT12_VARIABLE: [u8; 15] = [
    0x68, 0x09, 0x09, 0x68, 0x73, 0x01, 0x64, 0x01, 0x06, 0x01, 0x00, 0x00, 0x14, 0xf4, 0x16,
];
/// An FT1.2 fixed frame: request status of link, address 0x0102 on two octets.
const FT12_FIXED: [u8; 6] = [0x10, 0x49, 0x02, 0x01, 0x4c, 0x16];

/// The golden FT1.2 frames with their link parameters.
fn ft12_frames() -> [(&'static [u8], ft12::LinkParams); 3] {
    let one = ft12::LinkParams::new(1).unwrap();
    let two = ft12::LinkParams::new(2).unwrap();
    [(&FT12_VARIABLE, one), (&FT12_FIXED, two), (&[0xe5], one)]
}

/// The ASDUs of the golden I frames.
fn asdus() -> Vec<&'static [u8]> {
    VECTORS
        .iter()
        .map(|v| split_frame(v).unwrap().0)
        .filter(|f| matches!(f.apci(), Apci::I { .. }))
        .map(|f| f.asdu)
        .collect()
}

#[test]
fn apdus_parse_as_the_slice_api_does() {
    let stream = VECTORS.concat();
    let mut rest = &stream[..];
    while !rest.is_empty() {
        let (frame, r) = split_frame(rest).unwrap();
        assert_eq!(iec::apdu_frame::<Typed>(rest), Ok((r, frame)));
        let (apdu, r) = Apdu::split(rest).unwrap();
        assert_eq!(apdu, Apdu::parse(&frame, Params::IEC104).unwrap());
        assert_eq!(iec::apdu::<Typed>(Params::IEC104)(rest), Ok((r, apdu)));
        let compact = Apdu::parse(&frame, Params::IEC101_COMPACT);
        assert_eq!(
            iec::apdu::<Typed>(Params::IEC101_COMPACT)(rest),
            compact.map(|a| (r, a)).map_err(|e| typed(rest, e))
        );
        rest = r;
    }
}

#[test]
fn asdus_and_ft12_frames_parse_as_the_slice_api_does() {
    let asdus = asdus();
    assert!(asdus.len() >= 6, "{} ASDUs", asdus.len());
    for a in asdus {
        let want = whole(a, Asdu::parse(a, Params::IEC104));
        assert!(want.is_ok());
        assert_eq!(iec::asdu(Params::IEC104)(a), want);
        let header = AsduHeader::parse(a, Params::IEC104).unwrap();
        assert_eq!(
            iec::asdu_header::<Typed>(Params::IEC104)(a),
            Ok((&a[Params::IEC104.header_len()..], header))
        );
    }
    for (bytes, link) in ft12_frames() {
        let (frame, rest) = ft12::split(bytes, link).unwrap();
        assert_eq!(iec::ft12_frame::<Typed>(link)(bytes), Ok((rest, frame)));
        if let Some(asdu) = frame.pdu.asdu(Params::IEC101_COMPACT) {
            let user = frame.pdu.user_data;
            assert!(asdu.is_ok());
            assert_eq!(iec::asdu(Params::IEC101_COMPACT)(user), whole(user, asdu));
        }
    }
}

#[test]
fn every_prefix_of_a_frame_asks_for_what_the_slice_api_asks_for() {
    let mut checked = 0;
    for v in VECTORS {
        for cut in 0..v.len() {
            let prefix = &v[..cut];
            let Err(Error::Incomplete(needed @ Needed::Size(_))) = split_frame(prefix) else {
                panic!("{v:02x?} cut at {cut}: {:?}", split_frame(prefix));
            };
            let want = incomplete(needed);
            assert_eq!(iec::apdu_frame::<Typed>(prefix).err(), want, "cut at {cut}");
            for params in [Params::IEC104, Params::IEC101_COMPACT] {
                assert_eq!(iec::apdu::<Typed>(params)(prefix).err(), want);
            }
            checked += 1;
        }
    }
    for (bytes, link) in ft12_frames() {
        for cut in 0..bytes.len() {
            let prefix = &bytes[..cut];
            let Err(Error::Incomplete(needed @ Needed::Size(_))) = ft12::split(prefix, link) else {
                panic!("{bytes:02x?} cut at {cut}: {:?}", ft12::split(prefix, link));
            };
            assert_eq!(
                iec::ft12_frame::<Typed>(link)(prefix).err(),
                incomplete(needed),
                "cut at {cut}"
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked} prefixes");
}

#[test]
fn asdu_parsers_never_say_incomplete() {
    let user = &FT12_VARIABLE[6..13];
    let compact = [(user, Params::IEC101_COMPACT)];
    let asdus = asdus();
    let all = asdus
        .iter()
        .map(|a| (*a, Params::IEC104))
        .chain(compact.iter().copied());
    for (a, params) in all {
        for cut in 0..a.len() {
            let prefix = &a[..cut];
            let got = iec::asdu::<Typed>(params)(prefix);
            assert!(!matches!(got, Err(nom::Err::Incomplete(_))), "cut at {cut}");
            assert_eq!(got, whole(prefix, Asdu::parse(prefix, params)));
            let header = iec::asdu_header::<Typed>(params)(prefix);
            assert!(!matches!(header, Err(nom::Err::Incomplete(_))));
            match AsduHeader::parse(prefix, params) {
                Ok(h) => assert_eq!(header, Ok((&prefix[params.header_len()..], h))),
                Err(e) => assert_eq!(header, Err(typed(prefix, e))),
            }
        }
    }
}

#[test]
fn malformed_input_gives_the_typed_error() {
    // Not the start byte 0x68.
    let junk = [0x69, 0x04, 0x07, 0x00, 0x00, 0x00];
    let bad_start = Error::BadStart { found: 0x69 };
    assert_eq!(
        iec::apdu_frame::<Typed>(&junk),
        Err(typed(&junk, bad_start))
    );
    assert_eq!(
        iec::apdu::<Typed>(Params::IEC104)(&junk),
        Err(typed(&junk, bad_start))
    );
    // A length below the four control octets, and one above 253.
    let short = [0x68, 0x03];
    let malformed = Error::Malformed {
        layer: Layer::Apci,
        offset: 1,
    };
    assert_eq!(
        iec::apdu_frame::<Typed>(&short),
        Err(typed(&short, malformed))
    );
    let long = [0x68, 0xfe];
    let too_long = Error::TooLong {
        declared: 254,
        max: 253,
    };
    assert_eq!(iec::apdu_frame::<Typed>(&long), Err(typed(&long, too_long)));
    // An FT1.2 frame with a wrong stop character, and one with no known start.
    let link = ft12::LinkParams::new(1).unwrap();
    let mut bad_stop = FT12_VARIABLE;
    bad_stop[14] = 0x17;
    let malformed = Error::Malformed {
        layer: Layer::Ft12,
        offset: 14,
    };
    assert_eq!(
        iec::ft12_frame::<Typed>(link)(&bad_stop),
        Err(typed(&bad_stop, malformed))
    );
    let noise = [0x42, 0x16];
    assert_eq!(
        iec::ft12_frame::<Typed>(link)(&noise),
        Err(typed(&noise, Error::BadStart { found: 0x42 }))
    );
    // An ASDU too short for its data unit identifier.
    let two = [0x64, 0x01];
    let malformed = Error::Malformed {
        layer: Layer::AsduHeader,
        offset: 2,
    };
    assert_eq!(
        iec::asdu::<Typed>(Params::IEC104)(&two),
        Err(typed(&two, malformed))
    );
    assert_eq!(
        iec::asdu_header::<Typed>(Params::IEC104)(&two),
        Err(typed(&two, malformed))
    );
}

#[test]
fn frames_compose_with_nom_combinators() {
    let stream = VECTORS.concat();
    let (rest, frames) = many1(complete(iec::apdu_frame::<Typed>))
        .parse(&stream[..])
        .unwrap();
    assert!(rest.is_empty());
    let want: Vec<Frame<'_>> = VECTORS.iter().map(|v| split_frame(v).unwrap().0).collect();
    assert_eq!(frames, want);
    // Streaming: without `complete`, the end of the buffer asks for another start and length.
    assert_eq!(
        many1(iec::apdu_frame::<Typed>).parse(&stream[..]),
        Err(nom::Err::Incomplete(nom::Needed::new(2)))
    );
    let (rest, apdus) = many1(complete(iec::apdu::<Typed>(Params::IEC104)))
        .parse(&stream[..])
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(apdus.len(), VECTORS.len());
    // A serial line: a variable frame, then the single character acknowledgement.
    let line = [&FT12_VARIABLE[..], &[0xe5]].concat();
    let link = ft12::LinkParams::new(1).unwrap();
    let (rest, (variable, ack)) = pair(iec::ft12_frame::<Typed>(link), iec::ft12_frame(link))
        .parse(&line[..])
        .unwrap();
    assert!(rest.is_empty());
    assert_eq!(variable.pdu.format, ft12::Format::Variable);
    assert_eq!(ack.pdu.format, ft12::Format::SingleCharacter(0xe5));
    // The frame's user data, then its header and objects.
    let (objects, header) =
        iec::asdu_header::<Typed>(Params::IEC101_COMPACT)(variable.pdu.user_data).unwrap();
    assert_eq!((header.count, objects.len()), (1, 3));
}

#[test]
fn nom_error_type_works() {
    type NomError<'a> = nom::error::Error<&'a [u8]>;
    let v = VECTORS[2];
    let (frame, rest) = split_frame(v).unwrap();
    assert_eq!(iec::apdu_frame::<NomError>(v), Ok((rest, frame)));
    assert_eq!(
        iec::apdu_frame::<NomError>(&v[..5]),
        Err(nom::Err::Incomplete(nom::Needed::new(v.len() - 5)))
    );
    let junk = [0x69, 0x04];
    assert_eq!(
        iec::apdu_frame::<NomError>(&junk),
        Err(nom::Err::Error(nom::error::Error::new(
            &junk[..],
            ErrorKind::Verify
        )))
    );
}
