//! Encoding: the [`Emit`] trait and the encode-once writer (DESIGN.md §2 "Encoding").
//!
//! A message is written by one `encode` function generic over a [`Sink`]. A [`Counter`]
//! runs it to give `buffer_len`; a [`Writer`], checked up front against that length, runs
//! it to give `emit`. The two cannot disagree, and a failed `emit` writes nothing.
//! [`emit_via_encode!`](crate::emit_via_encode) implements `Emit` this way.

use crate::error::EmitError;

/// A message that can be written back to the wire.
///
/// `emit` writes exactly `buffer_len()` bytes, including every length field and checksum
/// it owns, and returns that count. When it fails it says why and, for the types this
/// project implements, has written nothing.
pub trait Emit {
    /// Number of bytes [`emit`](Emit::emit) writes.
    fn buffer_len(&self) -> usize;

    /// Writes the encoding at the start of `buf`; returns the number of bytes written.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError>;

    /// The encoding in a new vector.
    #[cfg(feature = "alloc")]
    fn to_vec(&self) -> Result<alloc::vec::Vec<u8>, EmitError> {
        let mut v = alloc::vec![0; self.buffer_len()];
        let n = self.emit(&mut v)?;
        v.truncate(n);
        Ok(v)
    }
}

impl<T: Emit + ?Sized> Emit for &T {
    fn buffer_len(&self) -> usize {
        (**self).buffer_len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        (**self).emit(buf)
    }
}

/// Bytes that encode as themselves: a PDU kept as bytes, a payload to replay
/// (`Adu::new(tid, unit, Raw(pdu))`). A newtype rather than `Emit for [u8]`, so that
/// `to_vec` on a slice stays the slice's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Raw<'a>(pub &'a [u8]);

impl Emit for Raw<'_> {
    fn buffer_len(&self) -> usize {
        self.0.len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = Writer::new(buf, self.0.len())?;
        w.bytes(self.0)?;
        Ok(w.written())
    }
}

/// Where an `encode` function writes: a [`Counter`] or a [`Writer`].
pub trait Sink {
    /// Appends bytes.
    fn bytes(&mut self, data: &[u8]) -> Result<(), EmitError>;

    /// Appends one byte.
    #[inline]
    fn u8(&mut self, v: u8) -> Result<(), EmitError> {
        self.bytes(&[v])
    }

    /// Appends a big-endian `u16` (Modbus, S7, ...).
    #[inline]
    fn u16_be(&mut self, v: u16) -> Result<(), EmitError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Appends a little-endian `u16` (DNP3, IEC 60870-5, CIP).
    #[inline]
    fn u16_le(&mut self, v: u16) -> Result<(), EmitError> {
        self.bytes(&v.to_le_bytes())
    }

    /// Appends a big-endian `u32`.
    #[inline]
    fn u32_be(&mut self, v: u32) -> Result<(), EmitError> {
        self.bytes(&v.to_be_bytes())
    }

    /// Appends a little-endian `u32`.
    #[inline]
    fn u32_le(&mut self, v: u32) -> Result<(), EmitError> {
        self.bytes(&v.to_le_bytes())
    }

    /// Appends the low `size` bytes (1-4) of `v`, little-endian, checking that `v` fits
    /// (IEC 60870-5 address fields of configurable width).
    fn uint_le(&mut self, v: u32, size: usize, field: &'static str) -> Result<(), EmitError> {
        let b = v.to_le_bytes();
        let src = b.get(..size).ok_or(EmitError::ValueOutOfRange { field })?;
        if size < 4 && (v >> (8 * size)) != 0 {
            return Err(EmitError::ValueOutOfRange { field });
        }
        self.bytes(src)
    }

    /// Appends a one-byte count field, checked to fit.
    #[inline]
    fn count8(&mut self, n: usize, field: &'static str) -> Result<(), EmitError> {
        self.u8(u8::try_from(n).map_err(|_| EmitError::ValueOutOfRange { field })?)
    }

    /// Appends another message's encoding.
    fn nested<E: Emit + ?Sized>(&mut self, e: &E) -> Result<(), EmitError>;
}

/// Counts bytes instead of writing them (for `buffer_len`). Count fields are not checked
/// here: a count that does not fit fails in `emit`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counter(pub usize);

impl Sink for Counter {
    #[inline]
    fn bytes(&mut self, data: &[u8]) -> Result<(), EmitError> {
        self.0 += data.len();
        Ok(())
    }
    #[inline]
    fn uint_le(&mut self, _: u32, size: usize, _: &'static str) -> Result<(), EmitError> {
        self.0 += size;
        Ok(())
    }
    #[inline]
    fn count8(&mut self, _: usize, _: &'static str) -> Result<(), EmitError> {
        self.0 += 1;
        Ok(())
    }
    #[inline]
    fn nested<E: Emit + ?Sized>(&mut self, e: &E) -> Result<(), EmitError> {
        self.0 += e.buffer_len();
        Ok(())
    }
}

/// A cursor over an output buffer whose every write is checked.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    /// A writer over `buf`, checking up front that `needed` bytes fit, so that a failed
    /// emit writes nothing.
    #[inline]
    pub fn new(buf: &'b mut [u8], needed: usize) -> Result<Self, EmitError> {
        if buf.len() < needed {
            return Err(EmitError::BufferTooShort {
                needed,
                available: buf.len(),
            });
        }
        Ok(Writer { buf, pos: 0 })
    }

    /// A writer that checks each write only (for incremental writers whose length is not
    /// known up front).
    #[inline]
    pub fn unchecked_len(buf: &'b mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    /// Bytes written so far.
    #[inline]
    pub fn written(&self) -> usize {
        self.pos
    }

    /// What has been written from `start` on (for a checksum over it).
    #[inline]
    pub fn filled_from(&self, start: usize) -> &[u8] {
        self.buf.get(start..self.pos).unwrap_or_default()
    }
}

impl Sink for Writer<'_> {
    #[inline]
    fn bytes(&mut self, data: &[u8]) -> Result<(), EmitError> {
        let end = self.pos + data.len();
        let available = self.buf.len();
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(EmitError::BufferTooShort {
                needed: end,
                available,
            })?;
        dst.copy_from_slice(data);
        self.pos = end;
        Ok(())
    }

    fn nested<E: Emit + ?Sized>(&mut self, e: &E) -> Result<(), EmitError> {
        let rest = self.buf.get_mut(self.pos..).unwrap_or_default();
        self.pos += e.emit(rest)?;
        Ok(())
    }
}

/// Implements [`Emit`] for types with an inherent
/// `fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError>`:
/// `buffer_len` runs it over a [`Counter`], `emit` over a [`Writer`] checked against that
/// length.
#[macro_export]
macro_rules! emit_via_encode {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::Emit for $t {
            fn buffer_len(&self) -> usize {
                let mut c = $crate::Counter::default();
                // A counter fails on nothing: a value that does not fit fails in `emit`.
                let _ = self.encode(&mut c);
                c.0
            }
            fn emit(&self, buf: &mut [u8]) -> ::core::result::Result<usize, $crate::EmitError> {
                let mut w = $crate::Writer::new(buf, $crate::Emit::buffer_len(self))?;
                self.encode(&mut w)?;
                Ok(w.written())
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Two(u16, &'static [u8]);
    impl Two {
        fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
            s.u16_be(self.0)?;
            s.count8(self.1.len(), "count")?;
            s.nested(&Raw(self.1))
        }
    }
    crate::emit_via_encode!(Two);

    #[test]
    fn encode_once_agrees_and_fails_without_writing() {
        let t = Two(0x0102, &[9, 8, 7]);
        assert_eq!(t.buffer_len(), 6);
        let mut buf = [0xA5u8; 8];
        assert_eq!(t.emit(&mut buf), Ok(6));
        // 0x0102 big-endian, count 3, the bytes; the rest untouched.
        assert_eq!(buf, [1, 2, 3, 9, 8, 7, 0xA5, 0xA5]);
        let mut short = [0xA5u8; 5];
        assert_eq!(
            t.emit(&mut short),
            Err(EmitError::BufferTooShort {
                needed: 6,
                available: 5
            })
        );
        assert_eq!(short, [0xA5; 5]);
    }

    #[test]
    fn count_that_does_not_fit_fails_in_emit() {
        static BIG: [u8; 256] = [0; 256];
        let t = Two(0, &BIG);
        assert_eq!(t.buffer_len(), 259);
        let mut buf = [0u8; 300];
        assert_eq!(
            t.emit(&mut buf),
            Err(EmitError::ValueOutOfRange { field: "count" })
        );
    }

    #[test]
    fn uint_le_checks_the_width() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf, 4).unwrap();
        assert_eq!(w.uint_le(0x01_0203, 3, "ioa"), Ok(()));
        assert_eq!(
            w.uint_le(0x100, 1, "ca"),
            Err(EmitError::ValueOutOfRange { field: "ca" })
        );
        assert_eq!(w.written(), 3);
        assert_eq!(buf, [3, 2, 1, 0]);
        let mut c = Counter::default();
        c.u16_le(1).unwrap();
        c.u32_be(1).unwrap();
        c.uint_le(0, 3, "x").unwrap();
        assert_eq!(c.0, 9);
    }
}
