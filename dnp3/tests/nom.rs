//! The nom entry points (feature `nom`) return what the slice API returns: the same link
//! frames, segments and fragments for the golden frames, `Err::Incomplete` with the same
//! count for every prefix of a frame, the typed error through `FromExternalError` for
//! malformed input, and they compose with nom's combinators.

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

use nom::error::ErrorKind;
use nom::{IResult, Parser, combinator::complete, multi::many1};
use nom_error::{incomplete, typed, whole};
use otwire_dnp3::nom as dnp;
use otwire_dnp3::{
    Apdu, Error, Frame, Layer, Limits, LinkConfig, Needed, Segment, split_frame,
    split_frame_strict, split_frame_with,
};

/// A user's own nom error that keeps our typed error.
type Typed<'a> = nom_error::Typed<'a, Error>;

type R<'a, O> = IResult<&'a [u8], O, Typed<'a>>;

const CONFIGS: [LinkConfig; 3] = [LinkConfig::LAX, LinkConfig::STRICT, LinkConfig::NO_CRC];

/// The de-blocked user data of every golden frame that has some.
fn user_data() -> Vec<Vec<u8>> {
    common::golden_frames()
        .iter()
        .map(|wire| split_frame(wire).unwrap().0.user_data().to_vec())
        .filter(|u| !u.is_empty())
        .collect()
}

/// The application fragments of the single-segment golden frames.
fn fragments() -> Vec<Vec<u8>> {
    user_data()
        .iter()
        .filter_map(|u| {
            let seg = Segment::parse(u).unwrap();
            (seg.header.fir && seg.header.fin).then(|| seg.payload.to_vec())
        })
        .collect()
}

#[test]
fn link_frames_parse_as_the_slice_api_does() {
    let frames = common::golden_frames();
    let stream = frames.concat();
    let mut rest = &stream[..];
    while !rest.is_empty() {
        let (frame, r) = split_frame(rest).unwrap();
        assert_eq!(dnp::link_frame::<Typed>(rest), Ok((r, frame)));
        let (strict, r) = split_frame_strict(rest).unwrap();
        assert_eq!(dnp::link_frame_strict::<Typed>(rest), Ok((r, strict)));
        for config in CONFIGS {
            let (frame, r) = split_frame_with(rest, config).unwrap();
            assert_eq!(dnp::link_frame_with::<Typed>(config)(rest), Ok((r, frame)));
        }
        rest = r;
    }
}

#[test]
fn segments_and_fragments_parse_as_the_slice_api_does() {
    for user in user_data() {
        assert_eq!(
            dnp::transport_segment(&user),
            whole(&user, Segment::parse(&user))
        );
    }
    let fragments = fragments();
    assert!(fragments.len() >= 8, "{} fragments", fragments.len());
    let one = Limits {
        max_object_headers: 1,
    };
    for f in fragments {
        let nom: R<'_, _> = dnp::apdu(&f);
        assert!(nom.is_ok(), "{f:02x?}");
        assert_eq!(nom, whole(&f, Apdu::parse(&f)));
        assert_eq!(
            dnp::apdu_with(Limits::default())(&f),
            whole(&f, Apdu::parse(&f))
        );
        assert_eq!(
            dnp::apdu_with(one)(&f),
            whole(&f, Apdu::parse_with(&f, &one))
        );
    }
}

#[test]
fn every_prefix_of_a_frame_asks_for_what_the_slice_api_asks_for() {
    let mut checked = 0;
    for wire in common::golden_frames() {
        for cut in 0..wire.len() {
            let prefix = &wire[..cut];
            let Err(Error::Incomplete(needed @ Needed::Size(_))) = split_frame(prefix) else {
                panic!("{wire:02x?} cut at {cut}: {:?}", split_frame(prefix));
            };
            let want = incomplete(needed);
            assert_eq!(dnp::link_frame::<Typed>(prefix).err(), want, "cut at {cut}");
            assert_eq!(
                dnp::link_frame_strict::<Typed>(prefix).err(),
                want,
                "cut at {cut}"
            );
            for config in CONFIGS {
                let Err(Error::Incomplete(needed @ Needed::Size(_))) =
                    split_frame_with(prefix, config)
                else {
                    panic!("{wire:02x?} cut at {cut} with {config:?}");
                };
                assert_eq!(
                    dnp::link_frame_with::<Typed>(config)(prefix).err(),
                    incomplete(needed),
                    "cut at {cut} with {config:?}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} prefixes");
}

#[test]
fn complete_parsers_never_say_incomplete() {
    for user in user_data() {
        for cut in 0..user.len() {
            let prefix = &user[..cut];
            let got = dnp::transport_segment::<Typed>(prefix);
            assert!(!matches!(got, Err(nom::Err::Incomplete(_))), "cut at {cut}");
            assert_eq!(got, whole(prefix, Segment::parse(prefix)));
        }
    }
    for f in fragments() {
        for cut in 0..f.len() {
            let prefix = &f[..cut];
            let got = dnp::apdu::<Typed>(prefix);
            assert!(!matches!(got, Err(nom::Err::Incomplete(_))), "cut at {cut}");
            assert_eq!(got, whole(prefix, Apdu::parse(prefix)));
        }
    }
}

#[test]
fn malformed_input_gives_the_typed_error() {
    let link = |offset| Error::Malformed {
        layer: Layer::Link,
        offset,
    };
    // Not the start octets 0x05 0x64.
    let junk = [0x05, 0x65, 0x05, 0xc4];
    assert_eq!(dnp::link_frame::<Typed>(&junk), Err(typed(&junk, link(1))));
    // LENGTH 4, below the 5 octets of control and addresses.
    let short = [0x05, 0x64, 0x04];
    assert_eq!(
        dnp::link_frame::<Typed>(&short),
        Err(typed(&short, link(2)))
    );
    // A header CRC off by one: a flag when lax, an error when strict.
    let mut bad = common::golden_frames().swap_remove(0);
    bad[8] ^= 1;
    let (_, lax) = dnp::link_frame::<Typed>(&bad).unwrap();
    assert!(!lax.anomalies.is_empty());
    assert_eq!(
        dnp::link_frame_strict::<Typed>(&bad),
        Err(typed(&bad, Error::BadCrc { offset: 8 }))
    );
    assert_eq!(
        dnp::link_frame_with::<Typed>(LinkConfig::STRICT)(&bad),
        Err(typed(&bad, Error::BadCrc { offset: 8 }))
    );
    // Empty user data holds no transport header.
    let malformed = Error::Malformed {
        layer: Layer::Transport,
        offset: 0,
    };
    assert_eq!(
        dnp::transport_segment::<Typed>(&[]),
        Err(typed(&[], malformed))
    );
    // A response without its IIN octets.
    let no_iin = [0xc0, 0x81, 0x00];
    let malformed = Error::Malformed {
        layer: Layer::Application,
        offset: 3,
    };
    assert_eq!(dnp::apdu::<Typed>(&no_iin), Err(typed(&no_iin, malformed)));
}

#[test]
fn frames_compose_with_nom_combinators() {
    let golden = common::golden_frames();
    let stream = golden.concat();
    let (rest, frames) = many1(complete(dnp::link_frame::<Typed>))
        .parse(&stream[..])
        .unwrap();
    assert!(rest.is_empty());
    let raw: Vec<&[u8]> = frames.iter().map(|f: &Frame<'_>| f.raw).collect();
    assert_eq!(raw, golden.iter().map(Vec::as_slice).collect::<Vec<_>>());
    // Streaming: without `complete`, the end of the buffer asks for another header.
    assert_eq!(
        many1(dnp::link_frame::<Typed>).parse(&stream[..]),
        Err(nom::Err::Incomplete(nom::Needed::new(10)))
    );
    // Strict framing in a repetition stops at the first frame with a bad CRC, which
    // then says why.
    let mut damaged = stream.clone();
    let third = golden[0].len() + golden[1].len();
    damaged[third + 8] ^= 1;
    let (rest, frames) = many1(complete(dnp::link_frame_with::<Typed>(LinkConfig::STRICT)))
        .parse(&damaged[..])
        .unwrap();
    assert_eq!(frames.len(), 2);
    assert_eq!(rest, &damaged[third..]);
    assert_eq!(
        dnp::link_frame_strict::<Typed>(rest),
        Err(typed(rest, Error::BadCrc { offset: 8 }))
    );
}

#[test]
fn nom_error_type_works() {
    type NomError<'a> = nom::error::Error<&'a [u8]>;
    let wire = common::golden_frames().swap_remove(2);
    let (frame, rest) = split_frame(&wire).unwrap();
    assert_eq!(dnp::link_frame::<NomError>(&wire), Ok((rest, frame)));
    assert_eq!(
        dnp::link_frame::<NomError>(&wire[..4]),
        Err(nom::Err::Incomplete(nom::Needed::new(6)))
    );
    assert_eq!(
        dnp::apdu::<NomError>(&[0xc0]),
        Err(nom::Err::Error(nom::error::Error::new(
            &[0xc0][..],
            ErrorKind::Verify
        )))
    );
}
