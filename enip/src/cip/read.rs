//! A bounds-checked reader over CIP service data (little-endian, Vol. 1 App. C-2).

use crate::{Anomalies, Error, Layer};

/// A bounds-checked little-endian reader over service data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(b: &'a [u8]) -> Self {
        Reader { rest: b, at: 0 }
    }
    pub(crate) fn err(&self) -> Error {
        Error::malformed(Layer::Service, self.at)
    }
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let (a, b) = self.rest.split_at_checked(n).ok_or(self.err())?;
        self.rest = b;
        self.at += n;
        Ok(a)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        let (a, b) = self.rest.split_first().ok_or(self.err())?;
        self.rest = b;
        self.at += 1;
        Ok(*a)
    }
    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        let (a, b) = self.rest.split_first_chunk::<2>().ok_or(self.err())?;
        self.rest = b;
        self.at += 2;
        Ok(u16::from_le_bytes(*a))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        let (a, b) = self.rest.split_first_chunk::<4>().ok_or(self.err())?;
        self.rest = b;
        self.at += 4;
        Ok(u32::from_le_bytes(*a))
    }
    pub(crate) const fn rest(&self) -> &'a [u8] {
        self.rest
    }
    /// Takes up to `n` bytes: all of them, or what is left with `PATH_TRUNCATED`.
    pub(crate) fn take_upto(&mut self, n: usize, a: &mut Anomalies) -> &'a [u8] {
        let n = if n > self.rest.len() {
            *a |= Anomalies::PATH_TRUNCATED;
            self.rest.len()
        } else {
            n
        };
        self.take(n).unwrap_or_default()
    }
}
