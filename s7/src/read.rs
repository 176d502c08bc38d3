//! The bounds-checked reader the parsers share: complete-input reads of big-endian numbers
//! off a slice (plain slice splitting, docs/CONVENTIONS.md).

use crate::error::{Error, Layer};

/// A cursor over a complete part: every read either succeeds or reports the offset at
/// which the part ran out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    input: &'a [u8],
    len: usize,
    layer: Layer,
}

impl<'a> Cursor<'a> {
    #[inline]
    pub(crate) fn new(input: &'a [u8], layer: Layer) -> Self {
        Cursor {
            input,
            len: input.len(),
            layer,
        }
    }

    #[inline]
    pub(crate) fn malformed(&self) -> Error {
        Error::Malformed {
            layer: self.layer,
            offset: self.offset(),
        }
    }

    #[inline]
    pub(crate) fn offset(&self) -> usize {
        self.len - self.input.len()
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        let Some((&v, rest)) = self.input.split_first() else {
            return Err(self.malformed());
        };
        self.input = rest;
        Ok(v)
    }

    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        let Some((v, rest)) = self.input.split_first_chunk::<2>() else {
            return Err(self.malformed());
        };
        self.input = rest;
        Ok(u16::from_be_bytes(*v))
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        let Some((v, rest)) = self.input.split_first_chunk::<4>() else {
            return Err(self.malformed());
        };
        self.input = rest;
        Ok(u32::from_be_bytes(*v))
    }

    /// Up to `n` bytes: all of them when there, else what is left. The flag says whether
    /// the input ran short.
    #[inline]
    pub(crate) fn take_upto(&mut self, n: usize) -> (&'a [u8], bool) {
        let (taken, rest) = self.input.split_at_checked(n).unwrap_or((self.input, &[]));
        let short = taken.len() < n;
        self.input = rest;
        (taken, short)
    }

    /// A one-byte length, then up to that many bytes (short flag as `take_upto`).
    #[inline]
    pub(crate) fn counted8(&mut self) -> Result<(&'a [u8], bool), Error> {
        let n = self.u8()?;
        Ok(self.take_upto(usize::from(n)))
    }

    /// Everything left.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.input)
    }

    /// What is left, without consuming it.
    #[inline]
    pub(crate) fn peek_rest(&self) -> &'a [u8] {
        self.input
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.input.is_empty()
    }
}

/// A big-endian u16 at `at`, if there.
#[inline]
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
}

/// A big-endian u32 at `at`, if there.
#[inline]
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s: &[u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(*s))
}
