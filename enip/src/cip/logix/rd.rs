//! A bounds-checked little-endian reader (CIP data is little-endian, Vol. 1 App. C-1).

use crate::{Error, Layer};

/// A cursor over service data whose every read is checked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rd<'a> {
    bytes: &'a [u8],
    pos: usize,
    layer: Layer,
}

impl<'a> Rd<'a> {
    pub(crate) const fn new(bytes: &'a [u8], layer: Layer) -> Self {
        Rd {
            bytes,
            pos: 0,
            layer,
        }
    }

    /// Bytes read so far.
    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    #[cold]
    fn err(&self) -> Error {
        Error::malformed(self.layer, self.pos)
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let (head, _) = rest.split_at_checked(n).ok_or_else(|| self.err())?;
        self.pos += n;
        Ok(head)
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let (head, _) = rest.split_first_chunk::<N>().ok_or_else(|| self.err())?;
        self.pos += N;
        Ok(*head)
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.array::<1>()?[0])
    }

    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        self.array().map(u16::from_le_bytes)
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        self.array().map(u32::from_le_bytes)
    }

    /// What is left, consumed.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let r = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = self.bytes.len();
        r
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}
