//! The nom functions (feature `nom`) give what the slice API gives: the golden messages,
//! the same `Incomplete` count for every prefix, the typed error for a short datagram.

#![cfg(feature = "nom")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

mod vectors;

use otwire_enip::nom::{cpf, datagram, header, io_packet, tcp_frame, tcp_pdu};
use otwire_enip::*;

type E<'a> = ::nom::error::Error<&'a [u8]>;

/// A user-style error that keeps our typed error.
#[derive(Debug, PartialEq)]
enum Typed {
    Ours(Error),
    Nom,
}

impl<'a> ::nom::error::ParseError<&'a [u8]> for Typed {
    fn from_error_kind(_: &'a [u8], _: ::nom::error::ErrorKind) -> Self {
        Typed::Nom
    }
    fn append(_: &'a [u8], _: ::nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

impl<'a> ::nom::error::FromExternalError<&'a [u8], Error> for Typed {
    fn from_external_error(_: &'a [u8], _: ::nom::error::ErrorKind, e: Error) -> Self {
        Typed::Ours(e)
    }
}

#[test]
fn nom_gives_what_the_slice_api_gives() {
    for v in vectors::ALL {
        let b = vectors::hex(v.hex);
        let d = if v.reply {
            Direction::Reply
        } else {
            Direction::Request
        };
        let (rest, f) = tcp_frame::<E>(&b).unwrap();
        assert!(rest.is_empty());
        assert_eq!(f, split_frame(&b).unwrap().0);
        let (_, h) = header::<E>(&b).unwrap();
        assert_eq!(h, f.header);
        let (_, p) = tcp_pdu::<E>(d)(&b).unwrap();
        assert_eq!(p, Pdu::split(&b, d).unwrap().0);
        let (_, p2) = datagram::<E>(d)(&b).unwrap();
        assert_eq!(p2, p);
        if let Some(c) = p.pdu.body.cpf() {
            let data = &b[HEADER_LEN..];
            let start = data.len() - 2 - c.bytes.len();
            let (_, c2) = cpf::<E>(&data[start..]).unwrap();
            assert_eq!(c2.pdu, *c);
        }
        for n in 0..b.len() {
            let want = match split_frame(&b[..n]) {
                Err(Error::Incomplete(Needed::Size(k))) => k,
                other => panic!("{other:?}"),
            };
            assert_eq!(
                tcp_frame::<E>(&b[..n]),
                Err(::nom::Err::Incomplete(::nom::Needed::Size(want)))
            );
        }
    }
    for h in vectors::IO {
        let b = vectors::hex(h);
        let (_, io) = io_packet::<E>(&b).unwrap();
        assert_eq!(io, IoPacket::parse(&b).unwrap());
    }
}

#[test]
fn the_typed_error_comes_through() {
    let r = datagram::<Typed>(Direction::Request)(&[0x65, 0]);
    assert_eq!(
        r,
        Err(::nom::Err::Error(Typed::Ours(Error::Malformed {
            layer: Layer::Encapsulation,
            offset: 2
        })))
    );
}
