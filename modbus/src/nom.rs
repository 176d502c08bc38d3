//! nom 8 parser functions (feature `nom`) over this crate's Modbus/TCP, Modbus/UDP and RTU
//! framing (Messaging Implementation Guide V1.0b §3.1.3, Modbus over Serial Line V1.02
//! §2.5.1) and its PDU decoders (Modbus Application Protocol V1.1b3 §4.1, §6, §7), for
//! users who compose parsers with nom.
//!
//! Each function is a thin wrapper over the slice-based function it names, which stays the
//! hot path: measured on the Modbus corpus, parsing with nom 8's number parsers took
//! 24.7 ns/PDU against 7.5 ns/PDU with plain slice splitting
//! ([CONVENTIONS.md](https://github.com/otwire/otwire/blob/main/docs/CONVENTIONS.md)). The
//! wrappers return what the slice API returns, with nom's conventions:
//!
//! - the output comes first and the remaining input is what follows the frame (empty for
//!   the complete parsers, which decode all of their input);
//! - `Error::Incomplete(Needed::Size(n))` becomes `nom::Err::Incomplete(nom::Needed::Size(n))`
//!   (and `Needed::Unknown` becomes `nom::Needed::Unknown`). Only the streaming framing
//!   functions ([`mbap_header`], [`tcp_frame`], [`tcp_pdu`], [`rtu_frame`]) say
//!   `Incomplete`; the complete ones never do (a short datagram or PDU is malformed);
//! - every other [`Error`] becomes `nom::Err::Error(E::from_external_error(input,
//!   ErrorKind::Verify, error))`, `input` being the input the function was given.
//!
//! The error type `E` is yours ([`NomError`]): any `ParseError<&[u8]>` that also implements
//! `FromExternalError<&[u8], otwire_modbus::Error>` keeps the typed error (offset, layer,
//! declared length); [`nom::error::Error<&[u8]>`](::nom::error::Error) works too, and keeps
//! the input and `ErrorKind::Verify` only.
//!
//! The framing functions are streaming: at the end of a buffer known to be whole, wrap them
//! in [`nom::combinator::complete`] so that a repetition stops there instead of asking for
//! more.
//!
//! ```
//! use nom::{IResult, Parser, combinator::complete, multi::many1, sequence::pair};
//! use otwire_modbus::nom::{tcp_frame, tcp_pdu};
//! use otwire_modbus::{Direction, Pdu, Request, Response};
//!
//! let stream: &[u8] = &[
//!     0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x11, // MBAP: transaction 1, length 6, unit 17
//!     0x03, 0x00, 0x6B, 0x00, 0x03,             // Read Holding Registers 107, 3 registers
//!     0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x11, // MBAP: transaction 1, length 3, unit 17
//!     0x83, 0x02,                               // exception: illegal data address
//! ];
//!
//! // Every frame of a whole buffer.
//! let (rest, frames) = many1(complete(tcp_frame::<nom::error::Error<&[u8]>>)).parse(stream)?;
//! assert!(rest.is_empty());
//! assert_eq!(frames.len(), 2);
//!
//! // A request and its response, decoded in their directions.
//! let (rest, (request, response)) =
//!     pair(tcp_pdu(Direction::Request), tcp_pdu(Direction::Response)).parse(stream)?;
//! assert!(rest.is_empty() && request.anomalies.is_empty());
//! assert!(matches!(request.pdu, Pdu::Request(Request::ReadHoldingRegisters { quantity: 3, .. })));
//! assert!(matches!(response.pdu, Pdu::Response(Response::Exception { .. })));
//!
//! // A frame cut short asks for what it lacks, as `split_frame` does.
//! let cut: IResult<_, _, nom::error::Error<&[u8]>> = tcp_frame(&stream[..10]);
//! assert_eq!(cut, Err(nom::Err::Incomplete(nom::Needed::new(2))));
//! # Ok::<(), nom::Err<nom::error::Error<&[u8]>>>(())
//! ```

use ::nom::IResult;
use ::nom::error::{ErrorKind, FromExternalError, ParseError};

use crate::error::{Error, Needed};
use crate::frame::{Frame, MBAP_HEADER_LEN, MbapHeader, parse_datagram, split_frame};
use crate::pdu::Pdu;
use crate::request::Request;
use crate::response::Response;
use crate::rtu::{RtuFrame, split_rtu_frame};
use crate::types::{Direction, Parsed};

/// The nom error types the functions of this module return: every
/// `E: ParseError<&[u8]> + FromExternalError<&[u8], otwire_modbus::Error>`, implemented
/// for all of them ([`nom::error::Error<&[u8]>`](::nom::error::Error) among them).
pub trait NomError<'a>: ParseError<&'a [u8]> + FromExternalError<&'a [u8], Error> {}

impl<'a, E: ParseError<&'a [u8]> + FromExternalError<&'a [u8], Error>> NomError<'a> for E {}

/// Our error as nom's: `Incomplete` keeps its count, any other error is an `Err::Error`
/// made by `E::from_external_error(input, ErrorKind::Verify, error)`.
fn nom_err<'a, E: NomError<'a>>(input: &'a [u8], error: Error) -> ::nom::Err<E> {
    match error {
        Error::Incomplete(Needed::Size(n)) => ::nom::Err::Incomplete(::nom::Needed::Size(n)),
        Error::Incomplete(Needed::Unknown) => ::nom::Err::Incomplete(::nom::Needed::Unknown),
        other => ::nom::Err::Error(E::from_external_error(input, ErrorKind::Verify, other)),
    }
}

/// A streaming result (`(output, rest)`) as an `IResult`.
fn streaming<'a, O, E: NomError<'a>>(
    input: &'a [u8],
    r: Result<(O, &'a [u8]), Error>,
) -> IResult<&'a [u8], O, E> {
    r.map(|(o, rest)| (rest, o)).map_err(|e| nom_err(input, e))
}

/// The result of a parser that decodes all of `input` as an `IResult` with nothing left.
fn whole<'a, O, E: NomError<'a>>(input: &'a [u8], r: Result<O, Error>) -> IResult<&'a [u8], O, E> {
    let end = input.get(input.len()..).unwrap_or_default();
    r.map(|o| (end, o)).map_err(|e| nom_err(input, e))
}

/// The MBAP header at the front of `input` (Messaging Implementation Guide §3.1.3):
/// [`MbapHeader::parse`]; the rest starts with the PDU. Streaming: `Incomplete` with fewer
/// than seven bytes.
pub fn mbap_header<'a, E: NomError<'a>>(input: &'a [u8]) -> IResult<&'a [u8], MbapHeader, E> {
    let r = MbapHeader::parse(input).map(|h| (h, input.get(MBAP_HEADER_LEN..).unwrap_or_default()));
    streaming(input, r)
}

/// The next Modbus/TCP frame of a byte stream (Messaging Implementation Guide §3.1.3: the
/// MBAP length delimits the frame): [`split_frame`]. Streaming: `Incomplete` until the
/// whole frame is there.
pub fn tcp_frame<'a, E: NomError<'a>>(input: &'a [u8]) -> IResult<&'a [u8], Frame<'a>, E> {
    streaming(input, split_frame(input))
}

/// A Modbus/UDP datagram, one whole ADU (Messaging Implementation Guide §3.1.3):
/// [`parse_datagram`]. Complete: a datagram that ends before its MBAP length does is an
/// error, never `Incomplete`; the rest is whatever follows the ADU in the datagram.
pub fn udp_frame<'a, E: NomError<'a>>(datagram: &'a [u8]) -> IResult<&'a [u8], Frame<'a>, E> {
    let r = parse_datagram(datagram).map(|frame| {
        let len = MBAP_HEADER_LEN + frame.pdu.len();
        (frame, datagram.get(len..).unwrap_or_default())
    });
    streaming(datagram, r)
}

/// The next Modbus/TCP frame decoded in direction `dir` (Messaging Implementation Guide
/// §3.1.3, Application Protocol §4.1): [`split_frame`] then [`Pdu::parse`], whose anomalies
/// include the frame's. Streaming on the frame; the PDU inside it is decoded complete.
pub fn tcp_pdu<'a, E: NomError<'a>>(
    dir: Direction,
) -> impl FnMut(&'a [u8]) -> IResult<&'a [u8], Parsed<Pdu<'a>>, E> {
    move |input| {
        let r = split_frame(input).and_then(|(frame, rest)| Ok((Pdu::parse(&frame, dir)?, rest)));
        streaming(input, r)
    }
}

/// The next RTU frame (Modbus over Serial Line §2.5.1) when the direction is known:
/// [`split_rtu_frame`], the length predicted from the function code. Streaming:
/// `Incomplete` until the predicted length is there.
pub fn rtu_frame<'a, E: NomError<'a>>(
    dir: Direction,
) -> impl FnMut(&'a [u8]) -> IResult<&'a [u8], RtuFrame<'a>, E> {
    move |input| streaming(input, split_rtu_frame(input, dir))
}

/// An RTU frame already delimited (by line silence, or one RTU-over-TCP message), address
/// to CRC (Modbus over Serial Line §2.5.1): [`RtuFrame::parse`]. Complete: it decodes all
/// of `adu`.
pub fn delimited_rtu_frame<'a, E: NomError<'a>>(
    adu: &'a [u8],
) -> IResult<&'a [u8], RtuFrame<'a>, E> {
    whole(adu, RtuFrame::parse(adu))
}

/// A request PDU, function code and data (Application Protocol §6): [`Request::parse`].
/// Complete: it decodes all of `pdu`.
pub fn request<'a, E: NomError<'a>>(pdu: &'a [u8]) -> IResult<&'a [u8], Parsed<Request<'a>>, E> {
    whole(pdu, Request::parse(pdu))
}

/// A response PDU, exceptions included (Application Protocol §6, §7): [`Response::parse`].
/// Complete: it decodes all of `pdu`.
pub fn response<'a, E: NomError<'a>>(pdu: &'a [u8]) -> IResult<&'a [u8], Parsed<Response<'a>>, E> {
    whole(pdu, Response::parse(pdu))
}

/// A PDU in direction `dir` (Application Protocol §4.1), from a TCP frame's `pdu` or an RTU
/// frame's alike: [`Pdu::parse_pdu`]. Complete: it decodes all of its input.
pub fn pdu<'a, E: NomError<'a>>(
    dir: Direction,
) -> impl FnMut(&'a [u8]) -> IResult<&'a [u8], Parsed<Pdu<'a>>, E> {
    move |pdu| whole(pdu, Pdu::parse_pdu(pdu, dir))
}
