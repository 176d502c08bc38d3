//! Borrowed, allocation-free views of the variable-length data in PDUs: coil bits,
//! registers, file records and device identification objects (Application Protocol §6).

use core::fmt;

/// Packed coil or discrete-input states, least significant bit first (§6.1, §6.11).
///
/// `len()` is the number of meaningful bits: the quantity from the request, or all
/// `8 * bytes` bits when only a byte count is known (read responses).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BitValues<'a> {
    bytes: &'a [u8],
    count: usize,
}

impl<'a> BitValues<'a> {
    /// `count` bits packed in `bytes`; a count beyond the bytes is clamped to them.
    #[inline]
    pub fn new(bytes: &'a [u8], count: usize) -> Self {
        BitValues {
            bytes,
            count: count.min(bytes.len() * 8),
        }
    }

    /// Every bit of `bytes`.
    #[inline]
    pub fn from_bytes(bytes: &'a [u8]) -> Self {
        Self::new(bytes, bytes.len() * 8)
    }

    /// The packed bytes, as on the wire.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of bits.
    #[inline]
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no bits.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Bit `i`, if within `len()`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<bool> {
        if i >= self.count {
            return None;
        }
        self.bytes.get(i / 8).map(|b| b >> (i % 8) & 1 == 1)
    }

    /// The bits in order.
    #[inline]
    pub fn iter(&self) -> BitIter<'a> {
        BitIter {
            values: *self,
            next: 0,
        }
    }
}

impl fmt::Debug for BitValues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(u8::from)).finish()
    }
}

impl<'a> IntoIterator for BitValues<'a> {
    type Item = bool;
    type IntoIter = BitIter<'a>;
    #[inline]
    fn into_iter(self) -> BitIter<'a> {
        self.iter()
    }
}

/// Iterator over [`BitValues`].
#[derive(Debug, Clone, Copy)]
pub struct BitIter<'a> {
    values: BitValues<'a>,
    next: usize,
}

impl Iterator for BitIter<'_> {
    type Item = bool;
    #[inline]
    fn next(&mut self) -> Option<bool> {
        let bit = self.values.get(self.next)?;
        self.next += 1;
        Some(bit)
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.values.count.saturating_sub(self.next);
        (n, Some(n))
    }

    /// Internal iteration (`for_each`, `count`, `sum`, ...) a byte at a time rather than
    /// through a bounds-checked `get` per bit.
    #[inline]
    fn fold<B, F: FnMut(B, bool) -> B>(self, init: B, mut f: F) -> B {
        let (mut acc, mut i, end) = (init, self.next, self.values.count);
        while i < end {
            let Some(&byte) = self.values.bytes.get(i / 8) else {
                break;
            };
            if i % 8 == 0 && end - i >= 8 {
                // A whole byte: a loop of fixed length, which the compiler unrolls.
                for bit in 0..8 {
                    acc = f(acc, byte >> bit & 1 == 1);
                }
                i += 8;
                continue;
            }
            // The bits of this byte still wanted: from bit `i % 8` up to 8 or `end`.
            let stop = (end - (i - i % 8)).min(8);
            for bit in i % 8..stop {
                acc = f(acc, byte >> bit & 1 == 1);
            }
            i += stop - i % 8;
        }
        acc
    }
}
impl ExactSizeIterator for BitIter<'_> {}

/// Big-endian 16-bit registers (§4.2: "a big-Endian representation is used").
/// A trailing odd byte is not a register; [`RegisterValues::has_odd_byte`] tells.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RegisterValues<'a> {
    bytes: &'a [u8],
}

impl<'a> RegisterValues<'a> {
    /// Registers packed in `bytes`.
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Self {
        RegisterValues { bytes }
    }

    /// The bytes, as on the wire.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of whole registers.
    #[inline]
    pub fn len(&self) -> usize {
        self.bytes.len() / 2
    }

    /// Whether there are no whole registers.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the byte string has an odd length (a malformed register list).
    #[inline]
    pub fn has_odd_byte(&self) -> bool {
        self.bytes.len() % 2 == 1
    }

    /// Register `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u16> {
        let at = i.checked_mul(2)?;
        let pair = self.bytes.get(at..at.checked_add(2)?)?;
        pair.first_chunk::<2>().map(|b| u16::from_be_bytes(*b))
    }

    /// The registers in order.
    #[inline]
    pub fn iter(&self) -> RegisterIter<'a> {
        RegisterIter {
            chunks: self.bytes.chunks_exact(2),
        }
    }
}

impl fmt::Debug for RegisterValues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for RegisterValues<'a> {
    type Item = u16;
    type IntoIter = RegisterIter<'a>;
    #[inline]
    fn into_iter(self) -> RegisterIter<'a> {
        self.iter()
    }
}

/// Iterator over [`RegisterValues`].
#[derive(Debug, Clone)]
pub struct RegisterIter<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl Iterator for RegisterIter<'_> {
    type Item = u16;
    #[inline]
    fn next(&mut self) -> Option<u16> {
        self.chunks
            .next()
            .and_then(|c| c.first_chunk::<2>())
            .map(|b| u16::from_be_bytes(*b))
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }

    /// Internal iteration (`for_each`, `sum`, ...) over whole pairs, which the compiler can
    /// vectorise.
    #[inline]
    fn fold<B, F: FnMut(B, u16) -> B>(self, init: B, mut f: F) -> B {
        self.chunks.fold(init, |acc, c| match c.first_chunk::<2>() {
            Some(b) => f(acc, u16::from_be_bytes(*b)),
            None => acc,
        })
    }
}
impl ExactSizeIterator for RegisterIter<'_> {}

/// Packs registers big-endian into `out`, returning the bytes used: for building write
/// requests without allocating. `None` when `out` is too short.
pub fn pack_registers<'o>(values: &[u16], out: &'o mut [u8]) -> Option<&'o [u8]> {
    let n = values.len().checked_mul(2)?;
    let dst = out.get_mut(..n)?;
    for (d, v) in dst.chunks_exact_mut(2).zip(values) {
        d.copy_from_slice(&v.to_be_bytes());
    }
    Some(dst)
}

/// Packs coil states least-significant-bit first into `out`, returning the bytes used.
pub fn pack_bits<'o>(values: &[bool], out: &'o mut [u8]) -> Option<&'o [u8]> {
    let n = values.len().div_ceil(8);
    let dst = out.get_mut(..n)?;
    dst.fill(0);
    for (i, &on) in values.iter().enumerate() {
        if let Some(b) = dst.get_mut(i / 8) {
            *b |= u8::from(on) << (i % 8);
        }
    }
    Some(dst)
}

/// One sub-request of Read File Record (FC 20, §6.14): 7 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FileSubRequest {
    /// Reference type; must be 6.
    pub reference_type: u8,
    /// File number (1-0xFFFF).
    pub file_number: u16,
    /// Starting record number (0-0x270F).
    pub record_number: u16,
    /// Number of registers to read.
    pub record_length: u16,
}

/// The sub-requests of a Read File Record request, 7 bytes each; a short tail is ignored
/// (and flagged by the parser).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileSubRequests<'a> {
    bytes: &'a [u8],
}

impl<'a> FileSubRequests<'a> {
    /// Sub-requests packed in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        FileSubRequests { bytes }
    }
    /// The bytes, as on the wire (the byte count's worth).
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for FileSubRequests<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

impl Iterator for FileSubRequests<'_> {
    type Item = FileSubRequest;
    #[inline]
    fn next(&mut self) -> Option<FileSubRequest> {
        let (h, rest) = self.bytes.split_first_chunk::<7>()?;
        self.bytes = rest;
        Some(FileSubRequest {
            reference_type: h[0],
            file_number: u16::from_be_bytes([h[1], h[2]]),
            record_number: u16::from_be_bytes([h[3], h[4]]),
            record_length: u16::from_be_bytes([h[5], h[6]]),
        })
    }
}

/// One record of Write File Record (FC 21, §6.15), request and response alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FileRecord<'a> {
    /// Reference type; must be 6.
    pub reference_type: u8,
    /// File number.
    pub file_number: u16,
    /// Starting record number.
    pub record_number: u16,
    /// The record data (`record_length` registers as declared, clamped to what is there).
    pub data: RegisterValues<'a>,
}

/// The records of a Write File Record request or response; a record whose declared
/// length runs past the end yields what is there, then iteration stops.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileRecords<'a> {
    bytes: &'a [u8],
}

impl<'a> FileRecords<'a> {
    /// Records packed in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        FileRecords { bytes }
    }
    /// The bytes, as on the wire.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for FileRecords<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

impl<'a> Iterator for FileRecords<'a> {
    type Item = FileRecord<'a>;
    #[inline]
    fn next(&mut self) -> Option<FileRecord<'a>> {
        let (h, rest) = self.bytes.split_first_chunk::<7>()?;
        let len = usize::from(u16::from_be_bytes([h[5], h[6]])) * 2;
        let (data, rest) = rest.split_at_checked(len).unwrap_or((rest, &[]));
        self.bytes = rest;
        Some(FileRecord {
            reference_type: h[0],
            file_number: u16::from_be_bytes([h[1], h[2]]),
            record_number: u16::from_be_bytes([h[3], h[4]]),
            data: RegisterValues::new(data),
        })
    }
}

/// One sub-response of Read File Record (FC 20, §6.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FileSubResponse<'a> {
    /// Reference type; must be 6.
    pub reference_type: u8,
    /// The record data.
    pub data: RegisterValues<'a>,
}

/// The sub-responses of a Read File Record response: each a length byte (counting the
/// reference type), the reference type and the data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileSubResponses<'a> {
    bytes: &'a [u8],
}

impl<'a> FileSubResponses<'a> {
    /// Sub-responses packed in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        FileSubResponses { bytes }
    }
    /// The bytes, as on the wire.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for FileSubResponses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

impl<'a> Iterator for FileSubResponses<'a> {
    type Item = FileSubResponse<'a>;
    #[inline]
    fn next(&mut self) -> Option<FileSubResponse<'a>> {
        let (&[len, reference_type], rest) = self.bytes.split_first_chunk::<2>()?;
        let n = usize::from(len).saturating_sub(1);
        let (data, rest) = rest.split_at_checked(n).unwrap_or((rest, &[]));
        self.bytes = rest;
        Some(FileSubResponse {
            reference_type,
            data: RegisterValues::new(data),
        })
    }
}

/// One device identification object (§6.21): id and value bytes (usually ASCII).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DeviceObject<'a> {
    /// Object id.
    pub id: crate::codes::DeviceObjectId,
    /// Value bytes.
    pub value: &'a [u8],
}

impl<'a> DeviceObject<'a> {
    /// The value as text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.value).ok()
    }
}

/// The object list of a Read Device Identification response: id, length, value, repeated.
/// A truncated last object yields what is there, then iteration stops.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DeviceObjects<'a> {
    bytes: &'a [u8],
}

impl<'a> DeviceObjects<'a> {
    /// Objects packed in `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        DeviceObjects { bytes }
    }
    /// The bytes, as on the wire.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl fmt::Debug for DeviceObjects<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(*self).finish()
    }
}

impl<'a> Iterator for DeviceObjects<'a> {
    type Item = DeviceObject<'a>;
    #[inline]
    fn next(&mut self) -> Option<DeviceObject<'a>> {
        let (&[id, len], rest) = self.bytes.split_first_chunk::<2>()?;
        let (value, rest) = rest
            .split_at_checked(usize::from(len))
            .unwrap_or((rest, &[]));
        self.bytes = rest;
        Some(DeviceObject {
            id: id.into(),
            value,
        })
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    //! Values serialize as what they mean: bits as 0/1, registers as numbers, lists as lists.
    use super::*;
    use serde::ser::{Serialize, Serializer};

    impl Serialize for BitValues<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.iter().map(u8::from))
        }
    }
    impl Serialize for RegisterValues<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.iter())
        }
    }
    impl Serialize for FileSubRequests<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(*self)
        }
    }
    impl Serialize for FileRecords<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(*self)
        }
    }
    impl Serialize for FileSubResponses<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(*self)
        }
    }
    impl Serialize for DeviceObjects<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(*self)
        }
    }
}
