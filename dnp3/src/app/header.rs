//! Object headers (IEEE 1815-2012 §4.2.2.7): group, variation, qualifier (prefix and
//! range codes), range field, and the objects that follow; plus the allocation-free
//! iterators over headers and over the points of a header.

use crate::anomaly::Anomalies;
use crate::app::objects::{ObjectSize, group_name, object_size};
use crate::app::values::{DoubleBit, Rd, Value, decode};
use crate::codes::{FunctionCode, PrefixCode, RangeCode};
use crate::emit::Sink;
use crate::error::EmitError;

/// The qualifier octet (§4.2.2.7.3): reserved bit 7, object prefix code (bits 6-4), range
/// specifier code (bits 3-0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Qualifier(pub u8);

impl Qualifier {
    /// Builds a qualifier from its two codes.
    pub fn new(prefix: PrefixCode, range: RangeCode) -> Self {
        Qualifier(((prefix.value() & 7) << 4) | (range.value() & 0x0F))
    }
    /// Object prefix code (bits 6-4).
    pub fn prefix(self) -> PrefixCode {
        PrefixCode::from((self.0 >> 4) & 7)
    }
    /// Range specifier code (bits 3-0).
    pub fn range_code(self) -> RangeCode {
        RangeCode::from(self.0 & 0x0F)
    }
    /// The reserved bit 7.
    pub fn reserved(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// The range field of an object header (§4.2.2.7.3.3), by its meaning; the width on the
/// wire is the qualifier's range code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Range {
    /// Range codes 0-2: start and stop indices, inclusive (start ≤ stop).
    StartStop {
        /// First index.
        start: u32,
        /// Last index.
        stop: u32,
    },
    /// Range codes 3-5 (obsolete): one absolute address.
    Address(u32),
    /// Range code 6: no range field, all objects.
    All,
    /// Range codes 7-9 and 11: a count of objects.
    Count(u32),
}

impl Range {
    /// Number of objects the range designates (0 for `All`, which carries none, and for a
    /// start above its stop, which parsing rejects).
    pub fn count(self) -> u64 {
        match self {
            Range::StartStop { start, stop } => {
                (u64::from(stop) + 1).saturating_sub(u64::from(start))
            }
            Range::Address(_) => 1,
            Range::All => 0,
            Range::Count(n) => u64::from(n),
        }
    }
}

/// One object header and the octets of its objects (prefixes included), borrowed from the
/// fragment (§4.2.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ObjectHeader<'a> {
    /// Object group.
    pub group: u8,
    /// Object variation (0 = any, in requests).
    pub variation: u8,
    /// Qualifier octet.
    pub qualifier: Qualifier,
    /// Range field.
    pub range: Range,
    /// Whether the objects carry values (false for the headers of a Read, Freeze,
    /// Assign Class… request, which only name points).
    pub with_data: bool,
    /// The octets after the range field: prefixes and objects.
    pub data: &'a [u8],
    /// The fragment ends before the objects the range designates do: `data` holds what
    /// arrived, [`points`](ObjectHeader::points) the whole objects in it, and the fragment
    /// is flagged `TRUNCATED_OBJECTS` (IEEE 1815-2012 §4.2.2.7).
    pub truncated: bool,
}

impl<'a> ObjectHeader<'a> {
    /// The points of this header, with their indices and typed values.
    pub fn points(&self) -> Points<'a> {
        let kind = entry_kind(
            self.group,
            self.variation,
            self.with_data,
            self.qualifier.prefix(),
        );
        let count =
            if matches!(kind, Some(Entry::Zero)) && self.qualifier.prefix() == PrefixCode::None {
                0
            } else {
                self.range.count()
            };
        Points {
            data: self.data,
            group: self.group,
            variation: self.variation,
            prefix: self.qualifier.prefix(),
            kind,
            base: match self.range {
                Range::StartStop { start, .. } => start,
                Range::Address(a) => a,
                _ => 0,
            },
            next: 0,
            count,
        }
    }

    /// Number of objects the range designates.
    pub fn count(&self) -> u64 {
        self.range.count()
    }
}

otwire_core::emit_via_encode!(ObjectHeader<'_>);

impl ObjectHeader<'_> {
    fn encode<S: Sink + ?Sized>(&self, w: &mut S) -> Result<(), EmitError> {
        w.bytes(&[self.group, self.variation, self.qualifier.0])?;
        write_range(w, self.qualifier.range_code(), self.range)?;
        w.bytes(self.data)
    }
}

pub(crate) fn write_range<S: Sink + ?Sized>(
    w: &mut S,
    code: RangeCode,
    range: Range,
) -> Result<(), EmitError> {
    let bad = EmitError::ValueOutOfRange { field: "range" };
    let u8_of = |v: u32| u8::try_from(v).map_err(|_| bad);
    let u16_of = |v: u32| u16::try_from(v).map_err(|_| bad);
    match (code, range) {
        (RangeCode::StartStop8, Range::StartStop { start, stop }) => {
            w.u8(u8_of(start)?)?;
            w.u8(u8_of(stop)?)
        }
        (RangeCode::StartStop16, Range::StartStop { start, stop }) => {
            w.u16_le(u16_of(start)?)?;
            w.u16_le(u16_of(stop)?)
        }
        (RangeCode::StartStop32, Range::StartStop { start, stop }) => {
            w.u32_le(start)?;
            w.u32_le(stop)
        }
        (RangeCode::Address8, Range::Address(a)) => w.u8(u8_of(a)?),
        (RangeCode::Address16, Range::Address(a)) => w.u16_le(u16_of(a)?),
        (RangeCode::Address32, Range::Address(a)) => w.u32_le(a),
        (RangeCode::All, Range::All) => Ok(()),
        (RangeCode::Count8 | RangeCode::FreeFormat8, Range::Count(n)) => w.u8(u8_of(n)?),
        (RangeCode::Count16, Range::Count(n)) => w.u16_le(u16_of(n)?),
        (RangeCode::Count32, Range::Count(n)) => w.u32_le(n),
        _ => Err(bad),
    }
}

/// How the objects of a header are laid out once the function and prefix are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Entry {
    /// No object octets (names only, or class objects).
    Zero,
    /// Packed bits, `n` per point; no prefix.
    Bits(u8),
    /// Fixed size after the prefix.
    Fixed(usize),
    /// g0: type, length, value after the prefix.
    Attribute,
    /// The prefix is the object size.
    Sized,
}

fn entry_kind(group: u8, variation: u8, with_data: bool, prefix: PrefixCode) -> Option<Entry> {
    if prefix.is_size() {
        // A size prefix makes every object walkable, with or without data (a Read of
        // g70v5 carries a file transport object); objects with data must still be of a
        // pair the library defines.
        return if with_data && object_size(group, variation).is_none() {
            None
        } else {
            Some(Entry::Sized)
        };
    }
    if !with_data {
        return Some(Entry::Zero);
    }
    Some(match object_size(group, variation)? {
        ObjectSize::Fixed(0) => Entry::Zero,
        ObjectSize::Fixed(n) => Entry::Fixed(usize::from(n)),
        ObjectSize::PackedBits(b) => Entry::Bits(b),
        ObjectSize::ByVariation => Entry::Fixed(usize::from(variation)),
        ObjectSize::DeviceAttribute => Entry::Attribute,
        ObjectSize::Variable => return None,
    })
}

/// Why the walk of a fragment's objects stopped (the anomaly to flag).
pub(crate) type Stop = Anomalies;

fn read_uint(r: &mut Rd<'_>, width: usize) -> Option<u32> {
    match width {
        0 => Some(0),
        1 => r.u8().map(u32::from),
        2 => r.u16().map(u32::from),
        4 => r.u32(),
        _ => None,
    }
}

/// Reads one header and its objects from the front of `input`. On failure, the anomaly
/// that stopped the walk. `soft` collects anomalies that do not stop it.
pub(crate) fn read_header<'a>(
    input: &'a [u8],
    function: FunctionCode,
    soft: &mut Anomalies,
) -> Result<(ObjectHeader<'a>, &'a [u8]), Stop> {
    let mut r = Rd(input);
    let (Some(group), Some(variation), Some(q)) = (r.u8(), r.u8(), r.u8()) else {
        return Err(Anomalies::TRUNCATED_OBJECTS);
    };
    let qualifier = Qualifier(q);
    if qualifier.reserved() {
        *soft |= Anomalies::QUALIFIER_RESERVED_BIT;
    }
    let prefix = qualifier.prefix();
    let code = qualifier.range_code();
    let (Some(pw), Some(rw)) = (prefix.width(), code.width()) else {
        return Err(Anomalies::INVALID_QUALIFIER);
    };
    let range = match code {
        RangeCode::StartStop8 | RangeCode::StartStop16 | RangeCode::StartStop32 => {
            let w = rw / 2;
            let (Some(start), Some(stop)) = (read_uint(&mut r, w), read_uint(&mut r, w)) else {
                return Err(Anomalies::TRUNCATED_OBJECTS);
            };
            if start > stop {
                return Err(Anomalies::INVALID_RANGE);
            }
            Range::StartStop { start, stop }
        }
        RangeCode::Address8 | RangeCode::Address16 | RangeCode::Address32 => {
            Range::Address(read_uint(&mut r, rw).ok_or(Anomalies::TRUNCATED_OBJECTS)?)
        }
        RangeCode::All => Range::All,
        _ => Range::Count(read_uint(&mut r, rw).ok_or(Anomalies::TRUNCATED_OBJECTS)?),
    };
    let with_data = function.objects_carry_data(group);
    let known = if variation == 0 {
        !with_data && group_name(group).is_some()
    } else {
        object_size(group, variation).is_some()
    };
    if !known {
        if with_data {
            return Err(Anomalies::UNKNOWN_OBJECT);
        }
        *soft |= Anomalies::UNKNOWN_OBJECT;
    }
    let kind = entry_kind(group, variation, with_data, prefix).ok_or(
        if prefix.is_index() || prefix == PrefixCode::None {
            // A known free-format object without a size prefix.
            Anomalies::INVALID_QUALIFIER
        } else {
            Anomalies::UNKNOWN_OBJECT
        },
    )?;
    let rest = r.0;
    let count = range.count();
    let len = match kind {
        Entry::Zero => count.checked_mul(pw as u64),
        Entry::Bits(bits) => {
            if pw != 0 {
                return Err(Anomalies::INVALID_QUALIFIER);
            }
            count.checked_mul(u64::from(bits)).map(|b| b.div_ceil(8))
        }
        Entry::Fixed(n) => count.checked_mul((pw + n) as u64),
        Entry::Attribute | Entry::Sized => walk_variable(rest, kind, pw, count),
    };
    // Objects the fragment ends before are cut short: the header and the whole objects
    // are kept (DESIGN.md §2: what decoded before a truncation is kept).
    let (data, after, truncated) = match len.and_then(|l| usize::try_from(l).ok()) {
        Some(l) if l <= rest.len() => {
            let (data, after) = rest.split_at(l);
            (data, after, false)
        }
        _ => (rest, &[][..], true),
    };
    if truncated {
        *soft |= Anomalies::TRUNCATED_OBJECTS;
    }
    Ok((
        ObjectHeader {
            group,
            variation,
            qualifier,
            range,
            with_data,
            data,
            truncated,
        },
        after,
    ))
}

/// The octets `count` variable-size objects (device attributes, or size-prefixed objects)
/// take at the front of `rest`, or `None` when `rest` ends before the last one does. Each
/// object takes at least one octet, so the walk is bounded by the input length.
fn walk_variable(rest: &[u8], kind: Entry, pw: usize, count: u64) -> Option<u64> {
    let mut w = Rd(rest);
    let mut i = 0u64;
    while i < count {
        let sz = if kind == Entry::Sized {
            read_uint(&mut w, pw)?
        } else {
            read_uint(&mut w, pw)?;
            let _type = w.u8()?;
            u32::from(w.u8()?)
        };
        w.take(sz as usize)?;
        i += 1;
    }
    Some((rest.len() - w.0.len()) as u64)
}

/// Iterator over the object headers of a fragment (§4.2.2.7), borrowed and `Copy`. It
/// covers the headers that [`Apdu::parse`](crate::Apdu::parse) validated; what could not
/// be walked is in [`Apdu::trailing`](crate::Apdu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectHeaders<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) function: FunctionCode,
    pub(crate) remaining: usize,
}

impl<'a> ObjectHeaders<'a> {
    /// The octets of the validated headers.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether there are no headers left.
    pub fn is_empty(&self) -> bool {
        self.remaining == 0
    }
}

impl<'a> Iterator for ObjectHeaders<'a> {
    type Item = ObjectHeader<'a>;

    fn next(&mut self) -> Option<ObjectHeader<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let mut soft = Anomalies::empty();
        match read_header(self.bytes, self.function, &mut soft) {
            Ok((h, rest)) => {
                self.bytes = rest;
                self.remaining -= 1;
                Some(h)
            }
            Err(_) => {
                self.remaining = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for ObjectHeaders<'_> {}
impl core::iter::FusedIterator for ObjectHeaders<'_> {}

#[cfg(feature = "serde")]
impl serde::Serialize for ObjectHeaders<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(*self)
    }
}

/// A point: its index and its value (§4.2.2.7.4).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Point<'a> {
    /// Point index: from the index prefix, or start + position for a range; the
    /// position for count and size-prefixed headers.
    pub index: u32,
    /// The typed value.
    pub value: Value<'a>,
}

/// Iterator over the points of one object header, borrowed and `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Points<'a> {
    data: &'a [u8],
    group: u8,
    variation: u8,
    prefix: PrefixCode,
    kind: Option<Entry>,
    base: u32,
    next: u64,
    count: u64,
}

impl<'a> Iterator for Points<'a> {
    type Item = Point<'a>;

    fn next(&mut self) -> Option<Point<'a>> {
        if self.next >= self.count {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let pos = u32::try_from(i).unwrap_or(u32::MAX);
        let default_index = if matches!(self.prefix, PrefixCode::None) || self.prefix.is_size() {
            self.base.wrapping_add(pos)
        } else {
            0
        };
        let pw = self.prefix.width().unwrap_or(0);
        match self.kind? {
            Entry::Bits(bits) => {
                let bit = i.checked_mul(u64::from(bits))?;
                let byte = *self.data.get(usize::try_from(bit / 8).ok()?)?;
                let v = (byte >> (bit % 8)) & if bits == 2 { 3 } else { 1 };
                let value = if bits == 2 {
                    Value::DoubleBit(DoubleBit::from_bits(v))
                } else {
                    Value::Bit(v != 0)
                };
                Some(Point {
                    index: default_index,
                    value,
                })
            }
            kind => {
                let mut r = Rd(self.data);
                let prefix_value = read_uint(&mut r, pw)?;
                let index = if self.prefix.is_index() {
                    prefix_value
                } else {
                    default_index
                };
                let obj = match kind {
                    Entry::Zero => &[][..],
                    Entry::Fixed(n) => r.take(n)?,
                    Entry::Sized => r.take(prefix_value as usize)?,
                    Entry::Attribute => {
                        let len = r.0.get(1).map(|&l| usize::from(l) + 2)?;
                        r.take(len)?
                    }
                    Entry::Bits(_) => return None,
                };
                self.data = r.0;
                let value = if kind == Entry::Zero {
                    Value::Empty
                } else {
                    decode(self.group, self.variation, obj)
                };
                Some(Point { index, value })
            }
        }
    }
}

impl core::iter::FusedIterator for Points<'_> {}

#[cfg(feature = "serde")]
impl serde::Serialize for Points<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(*self)
    }
}
