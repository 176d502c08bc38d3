//! nom 8 parser functions (feature `nom`) over this crate's encapsulation framing (CIP
//! Vol. 2 §2-3), message typing (§2-4), Common Packet Format (§2-6), I/O packets (Vol. 2
//! §3-3), and the CIP layer (Vol. 1 §2-4 messages, App. C EPATH, §A-4.10 Multiple Service
//! Packet, Logix services of 1756-PM020, Execute PCCC), for users who compose parsers with
//! nom.
//!
//! Each function is a thin wrapper over the slice-based function it names, which stays the
//! hot path (plain slice splitting measured faster than nom 8's number parsers, see
//! CONVENTIONS.md). The wrappers return what the slice API returns, with nom's conventions:
//!
//! - the output comes first and the remaining input is what follows the message (nothing
//!   for the complete parsers, which decode all of their input);
//! - `Error::Incomplete(Needed::Size(n))` becomes `nom::Err::Incomplete(nom::Needed::Size(n))`.
//!   Only the framing functions say `Incomplete`: [`header`], [`tcp_frame`], [`tcp_pdu`]
//!   and [`epath`] (a size-prefixed path); the complete ones ([`cpf`], [`io_packet`],
//!   [`datagram`], [`cip_message`], [`multiple_service`], [`logix_request`],
//!   [`logix_reply`], [`pccc_request`], [`pccc_reply`]) never do;
//! - every other [`Error`] becomes `nom::Err::Error(E::from_external_error(input,
//!   ErrorKind::Verify, error))`, `input` being the input the function was given.
//!
//! The error type `E` is yours ([`NomError`]): any `ParseError<&[u8]>` that also implements
//! `FromExternalError<&[u8], otwire_enip::Error>` keeps the typed error;
//! [`nom::error::Error<&[u8]>`](::nom::error::Error) works too.
//!
//! ```
//! use nom::{Parser, combinator::complete, multi::many1};
//! use otwire_enip::nom::tcp_pdu;
//! use otwire_enip::{Body, Direction, Emit, register_session, unregister_session};
//!
//! type E<'a> = nom::error::Error<&'a [u8]>;
//! let mut stream = register_session().to_vec().unwrap();
//! stream.extend(unregister_session(7).to_vec().unwrap());
//! let (rest, pdus) = many1(complete(tcp_pdu::<E>(Direction::Request)))
//!     .parse(&stream)
//!     .unwrap();
//! assert!(rest.is_empty() && pdus.len() == 2);
//! assert_eq!(pdus[1].pdu.body, Body::UnRegisterSession);
//! // A message cut short asks for what it lacks, as `split_frame` does.
//! let cut = tcp_pdu::<E>(Direction::Request)(&stream[..10]);
//! assert_eq!(cut, Err(nom::Err::Incomplete(nom::Needed::new(14))));
//! ```

use ::nom::IResult;
use ::nom::error::{ErrorKind, FromExternalError, ParseError};

use crate::anomaly::Parsed;
use crate::cip::logix::{LogixReply, LogixRequest};
use crate::cip::pccc::{PcccReply, PcccRequest};
use crate::cip::{Message, MultipleService, Path};
use crate::cpf::{Cpf, IoPacket};
use crate::error::{Error, Needed};
use crate::frame::{Frame, HEADER_LEN, Header, split_frame};
use crate::pdu::{Direction, Pdu};

/// The nom error types the functions of this module return: every
/// `E: ParseError<&[u8]> + FromExternalError<&[u8], otwire_enip::Error>`, implemented for
/// all of them.
pub trait NomError<'a>: ParseError<&'a [u8]> + FromExternalError<&'a [u8], Error> {}

impl<'a, E: ParseError<&'a [u8]> + FromExternalError<&'a [u8], Error>> NomError<'a> for E {}

/// Our error as nom's: `Incomplete` keeps its count, any other error is an `Err::Error`.
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

/// A complete result (decoding all of `input`) as an `IResult` whose rest is empty.
fn whole<'a, O, E: NomError<'a>>(input: &'a [u8], r: Result<O, Error>) -> IResult<&'a [u8], O, E> {
    let end = input.get(input.len()..).unwrap_or_default();
    r.map(|o| (end, o)).map_err(|e| nom_err(input, e))
}

/// The encapsulation header at the front of `input` (Vol. 2 §2-3.1): [`Header::parse`];
/// the rest starts with the command data. Streaming: `Incomplete` with fewer than 24 bytes.
pub fn header<'a, E: NomError<'a>>(input: &'a [u8]) -> IResult<&'a [u8], Header, E> {
    let r = Header::parse(input).map(|h| (h, input.get(HEADER_LEN..).unwrap_or_default()));
    streaming(input, r)
}

/// The next encapsulation message of a TCP stream, its data borrowed: [`split_frame`].
/// Streaming: `Incomplete` until the whole message is there.
pub fn tcp_frame<'a, E: NomError<'a>>(input: &'a [u8]) -> IResult<&'a [u8], Frame<'a>, E> {
    streaming(input, split_frame(input))
}

/// The next encapsulation message of a TCP stream, typed: [`Pdu::split`]. Streaming on the
/// framing; the data inside is decoded complete.
pub fn tcp_pdu<'a, E: NomError<'a>>(
    dir: Direction,
) -> impl FnMut(&'a [u8]) -> IResult<&'a [u8], Parsed<Pdu<'a>>, E> {
    move |input| streaming(input, Pdu::split(input, dir))
}

/// A whole UDP 44818 datagram: [`Pdu::from_datagram`]. Complete.
pub fn datagram<'a, E: NomError<'a>>(
    dir: Direction,
) -> impl FnMut(&'a [u8]) -> IResult<&'a [u8], Parsed<Pdu<'a>>, E> {
    move |input| whole(input, Pdu::from_datagram(input, dir))
}

/// A Common Packet Format filling `input` (Vol. 2 §2-6): [`Cpf::parse`]. Complete.
pub fn cpf<'a, E: NomError<'a>>(input: &'a [u8]) -> IResult<&'a [u8], Parsed<Cpf<'a>>, E> {
    whole(input, Cpf::parse(input))
}

/// A UDP 2222 I/O datagram: [`IoPacket::parse`]. Complete.
pub fn io_packet<'a, E: NomError<'a>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Parsed<IoPacket<'a>>, E> {
    whole(input, IoPacket::parse(input))
}

/// A CIP request or response filling `input` (Vol. 1 §2-4, the bytes of a CPF data item):
/// [`Message::parse`]. Complete.
pub fn cip_message<'a, E: NomError<'a>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Parsed<Message<'a>>, E> {
    whole(input, Message::parse(input))
}

/// A padded EPATH with its size in 16-bit words in front (Vol. 1 App. C-1.3; the request
/// path of a Message Router request, after the service byte): the path, with
/// [`Path::check`]'s anomalies, and the rest after it. Streaming: `Incomplete` until the
/// size byte and the whole path are there (a request's path, unlike [`Request::parse`]'s
/// flagged one, is then never cut short).
///
/// [`Request::parse`]: crate::cip::Request::parse
pub fn epath<'a, E: NomError<'a>>(input: &'a [u8]) -> IResult<&'a [u8], Parsed<Path<'a>>, E> {
    let r = match input.split_first() {
        None => Err(Error::Incomplete(Needed::new(1))),
        Some((&words, rest)) => {
            let n = usize::from(words) * 2;
            match rest.split_at_checked(n) {
                Some((path, rest)) => {
                    let path = Path::padded(path);
                    Ok((Parsed::new(path, path.check()), rest))
                }
                None => Err(Error::Incomplete(Needed::new(n - rest.len()))),
            }
        }
    };
    streaming(input, r)
}

/// The service data of a Multiple Service Packet request or reply filling `input` (Vol. 1
/// §A-4.10): [`MultipleService::parse`]. Complete.
pub fn multiple_service<'a, E: NomError<'a>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Parsed<MultipleService<'a>>, E> {
    whole(input, MultipleService::parse(input))
}

/// A Logix request's data of `service` filling `input` (1756-PM020):
/// [`LogixRequest::parse`]. Complete.
pub fn logix_request<'a, E: NomError<'a>>(
    service: u8,
) -> impl FnMut(&'a [u8]) -> IResult<&'a [u8], Parsed<LogixRequest<'a>>, E> {
    move |input| whole(input, LogixRequest::parse(service, input))
}

/// A Logix reply's data of `service` with its general status, filling `input`
/// (1756-PM020): [`LogixReply::parse`]. Complete.
pub fn logix_reply<'a, E: NomError<'a>>(
    service: u8,
    general_status: u8,
) -> impl FnMut(&'a [u8]) -> IResult<&'a [u8], Parsed<LogixReply<'a>>, E> {
    move |input| whole(input, LogixReply::parse(service, general_status, input))
}

/// Execute PCCC request data filling `input` (CIP Vol. 1 PCCC object; 1770-6.5.16):
/// [`PcccRequest::parse`]. Complete.
pub fn pccc_request<'a, E: NomError<'a>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Parsed<PcccRequest<'a>>, E> {
    whole(input, PcccRequest::parse(input))
}

/// Execute PCCC reply data filling `input`: [`PcccReply::parse`]. Complete.
pub fn pccc_reply<'a, E: NomError<'a>>(
    input: &'a [u8],
) -> IResult<&'a [u8], Parsed<PcccReply<'a>>, E> {
    whole(input, PcccReply::parse(input))
}
