//! For the parser crates' `tests/nom.rs` (included with `#[path]`): a nom error type of the
//! kind a user writes to keep a crate's typed error through `FromExternalError`, and the
//! nom results the slice API's results must become.
#![allow(dead_code, unreachable_pub)]

use nom::IResult;
use nom::error::{ErrorKind, FromExternalError, ParseError};

/// A user's own nom error that keeps the crate's typed error `X`.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed<'a, X> {
    pub input: &'a [u8],
    pub kind: ErrorKind,
    pub error: Option<X>,
}

impl<'a, X> ParseError<&'a [u8]> for Typed<'a, X> {
    fn from_error_kind(input: &'a [u8], kind: ErrorKind) -> Self {
        Typed {
            input,
            kind,
            error: None,
        }
    }
    fn append(_: &'a [u8], _: ErrorKind, other: Self) -> Self {
        other
    }
}

impl<'a, X> FromExternalError<&'a [u8], X> for Typed<'a, X> {
    fn from_external_error(input: &'a [u8], kind: ErrorKind, error: X) -> Self {
        Typed {
            input,
            kind,
            error: Some(error),
        }
    }
}

/// The nom error that a slice error other than `Incomplete` must become.
pub fn typed<X>(input: &[u8], error: X) -> nom::Err<Typed<'_, X>> {
    nom::Err::Error(Typed {
        input,
        kind: ErrorKind::Verify,
        error: Some(error),
    })
}

/// The nom result of a complete parser, given the slice parser's result on all of `input`.
pub fn whole<O, X>(input: &[u8], r: Result<O, X>) -> IResult<&[u8], O, Typed<'_, X>> {
    let end = input.get(input.len()..).unwrap_or_default();
    r.map(|o| (end, o)).map_err(|e| typed(input, e))
}

/// The nom error that the slice API's `Error::Incomplete(needed)` must become, as
/// `IResult::err()` gives it.
pub fn incomplete<X>(needed: otwire_core::Needed) -> Option<nom::Err<Typed<'static, X>>> {
    Some(nom::Err::Incomplete(match needed {
        otwire_core::Needed::Size(n) => nom::Needed::Size(n),
        otwire_core::Needed::Unknown => nom::Needed::Unknown,
    }))
}
