//! The bounds-checked reader the PDU parsers share: complete-input reads of big-endian
//! numbers off a slice (plain slice splitting: the nom number parsers it replaced went
//! through nom's generic `Input` trait, not inlined, on every field).

use crate::anomaly::Anomalies;
use crate::error::{Error, Layer};
use crate::types::Parsed;

/// The function code and the two big-endian 16-bit fields of a PDU of exactly five bytes
/// (read straight from the slice: the fast paths of the PDU parsers).
#[inline(always)]
pub(crate) fn two_fields(pdu: &[u8]) -> Option<(u8, u16, u16)> {
    let (&[byte], rest) = pdu.split_first_chunk::<1>()?;
    let (x, y) = rest.split_first_chunk::<2>()?;
    let y: &[u8; 2] = y.try_into().ok()?;
    Some((byte, u16::from_be_bytes(*x), u16::from_be_bytes(*y)))
}

/// A cursor over a complete PDU: every read either succeeds or reports the offset at which
/// the PDU ran out.
pub(crate) struct Cursor<'a> {
    input: &'a [u8],
    len: usize,
}

impl<'a> Cursor<'a> {
    #[inline]
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

    /// Up to `n` bytes: all of them when there, else what is left. The flag says whether
    /// the input ran short.
    #[inline]
    pub(crate) fn take_upto(&mut self, n: usize) -> (&'a [u8], bool) {
        let (taken, rest) = self.input.split_at_checked(n).unwrap_or((self.input, &[]));
        let short = taken.len() < n;
        self.input = rest;
        (taken, short)
    }

    /// Everything left.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.input)
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    /// The decoded message with its anomalies, plus `LENGTH_MISMATCH` when bytes are left
    /// over after its structure ended.
    #[inline(always)]
    pub(crate) fn finish<T>(&self, pdu: T, mut anomalies: Anomalies) -> Parsed<T> {
        if !self.is_empty() {
            anomalies |= Anomalies::LENGTH_MISMATCH;
        }
        Parsed { pdu, anomalies }
    }
}
