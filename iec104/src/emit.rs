//! Encoding: the [`Emit`] trait and a bounds-checked writer (DESIGN.md §2 "Encoding").

use crate::error::EmitError;

/// A message that can be written back to the wire.
///
/// `emit` writes exactly `buffer_len()` bytes, including every length field and checksum
/// it owns, and returns that count.
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

/// A cursor over an output buffer whose every write is checked.
pub(crate) struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    /// Checks up front that `needed` bytes fit, so a failed emit writes nothing.
    pub(crate) fn new(buf: &'b mut [u8], needed: usize) -> Result<Self, EmitError> {
        if buf.len() < needed {
            return Err(EmitError::BufferTooShort {
                needed,
                available: buf.len(),
            });
        }
        Ok(Writer { buf, pos: 0 })
    }

    pub(crate) fn bytes(&mut self, data: &[u8]) -> Result<(), EmitError> {
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

    pub(crate) fn u8(&mut self, v: u8) -> Result<(), EmitError> {
        self.bytes(&[v])
    }

    /// Little-endian, as every IEC 60870-5 multi-octet field.
    pub(crate) fn u16(&mut self, v: u16) -> Result<(), EmitError> {
        self.bytes(&v.to_le_bytes())
    }

    /// A little-endian unsigned field of `size` bytes (1-4), checked to fit.
    pub(crate) fn uint(
        &mut self,
        v: u32,
        size: usize,
        field: &'static str,
    ) -> Result<(), EmitError> {
        let b = v.to_le_bytes();
        let src = b.get(..size).ok_or(EmitError::ValueOutOfRange { field })?;
        if size < 4 && (v >> (8 * size)) != 0 {
            return Err(EmitError::ValueOutOfRange { field });
        }
        self.bytes(src)
    }

    pub(crate) fn written(&self) -> usize {
        self.pos
    }

    /// What has been written from `start` on (for checksums over it).
    pub(crate) fn filled_from(&self, start: usize) -> &[u8] {
        self.buf.get(start..self.pos).unwrap_or_default()
    }

    /// The unwritten rest of the buffer, to hand to a nested emitter; call
    /// [`advance`](Writer::advance) with what it wrote.
    pub(crate) fn rest(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.pos..).unwrap_or_default()
    }

    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}
