//! The bounds-checked reader the PDU parsers share, built on nom's complete-input number
//! parsers (nom stays out of the public API).

use nom::number::complete::{be_u16, u8 as nom_u8};

use crate::error::{Error, Layer};

type NomErr<'a> = nom::error::Error<&'a [u8]>;

/// A cursor over a complete PDU: every read either succeeds or reports the offset at which
/// the PDU ran out.
pub(crate) struct Cursor<'a> {
    input: &'a [u8],
    len: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Cursor {
            input,
            len: input.len(),
        }
    }

    fn malformed(&self) -> Error {
        Error::Malformed {
            layer: Layer::Pdu,
            offset: self.offset(),
        }
    }

    pub(crate) fn offset(&self) -> usize {
        self.len - self.input.len()
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        let (rest, v) = nom_u8::<_, NomErr<'a>>(self.input).map_err(|_| self.malformed())?;
        self.input = rest;
        Ok(v)
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        let (rest, v) = be_u16::<_, NomErr<'a>>(self.input).map_err(|_| self.malformed())?;
        self.input = rest;
        Ok(v)
    }

    /// Up to `n` bytes: all of them when there, else what is left. The flag says whether
    /// the input ran short.
    pub(crate) fn take_upto(&mut self, n: usize) -> (&'a [u8], bool) {
        let (taken, rest) = self.input.split_at_checked(n).unwrap_or((self.input, &[]));
        let short = taken.len() < n;
        self.input = rest;
        (taken, short)
    }

    /// Everything left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.input)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.input.is_empty()
    }
}
