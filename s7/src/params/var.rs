//! Read / write variable services (job functions 0x04 and 0x05): item address
//! specifications of every syntax (S7ANY 0x10, DBREAD 0xB0, NCK 0x82-0x84, DriveES 0xA2,
//! 1200SYM 0xB2 and unknown ones as typed envelopes), data items with their return codes,
//! transport sizes, bit- or byte-counted lengths and fill bytes (public S7comm
//! descriptions; Wireshark's `s7comm.param.item.*` and `s7comm.data.*` fields).

use crate::anomaly::Anomalies;
use crate::codes::{Area, DataTransportSize, ItemTransportSize, ReturnCode, SyntaxId};
use crate::error::EmitError;
use otwire_core::Sink;

/// The variable specification type every item starts with.
pub const VAR_SPEC: u8 = 0x12;
/// The most items a CPU takes in one request (flagged past it, not refused).
pub const MAX_ITEMS: usize = 20;

/// A byte.bit address of an S7ANY item: the 24-bit field as sent (byte × 8 + bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct BitAddress(pub u32);

impl BitAddress {
    /// An address from its byte and bit (bit 0-7).
    pub const fn new(byte: u32, bit: u8) -> Self {
        BitAddress((byte << 3) | (bit as u32 & 7))
    }
    /// The byte offset.
    pub const fn byte(self) -> u32 {
        self.0 >> 3
    }
    /// The bit within the byte.
    pub const fn bit(self) -> u8 {
        (self.0 & 7) as u8
    }
}

impl core::fmt::Display for BitAddress {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}", self.byte(), self.bit())
    }
}

/// An S7ANY item: area, DB, start address, element type and count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AnyItem {
    /// Element type the count is in.
    pub transport_size: ItemTransportSize,
    /// Number of elements.
    pub length: u16,
    /// DB number (0 outside DB/DI).
    pub db: u16,
    /// Memory area.
    pub area: Area,
    /// Start address as byte.bit (for timers and counters: the number).
    pub address: BitAddress,
}

impl AnyItem {
    /// The item from its nine bytes after the syntax id: transport size, length, DB,
    /// area, 24-bit address.
    #[inline(always)]
    fn from_wire([ts, l0, l1, d0, d1, area, a0, a1, a2]: [u8; 9]) -> Self {
        AnyItem {
            transport_size: ts.into(),
            length: u16::from_be_bytes([l0, l1]),
            db: u16::from_be_bytes([d0, d1]),
            area: area.into(),
            address: BitAddress(u32::from_be_bytes([0, a0, a1, a2])),
        }
    }

    /// Bytes the item spans, where the element type has a known size.
    pub fn byte_len(&self) -> Option<usize> {
        self.transport_size
            .element_bytes()
            .map(|b| b * usize::from(self.length))
    }
}

/// One DB range of a DBREAD item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DbReadArea {
    /// Bytes to read.
    pub length: u8,
    /// DB number.
    pub db: u16,
    /// Start byte.
    pub start: u16,
}

/// The ranges of a DBREAD item (5 bytes each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct DbReadAreas<'a>(pub &'a [u8]);

impl<'a> DbReadAreas<'a> {
    /// The ranges.
    pub fn iter(&self) -> impl Iterator<Item = DbReadArea> + 'a {
        self.0.chunks_exact(5).map(|c| match *c {
            [length, d0, d1, s0, s1] => DbReadArea {
                length,
                db: u16::from_be_bytes([d0, d1]),
                start: u16::from_be_bytes([s0, s1]),
            },
            _ => DbReadArea {
                length: 0,
                db: 0,
                start: 0,
            },
        })
    }
}

/// A Sinumerik NCK item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NckItem {
    /// Area (high 3 bits) and unit (low 5 bits).
    pub area_unit: u8,
    /// Column number.
    pub column: u16,
    /// Line number.
    pub line: u16,
    /// Module.
    pub module: u8,
    /// Line count.
    pub line_count: u8,
}

/// A Drive ES (SINAMICS parameter) item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DriveEsItem {
    /// Unknown byte 1.
    pub unknown1: u8,
    /// Unknown word 2.
    pub unknown2: u16,
    /// Unknown word 3.
    pub unknown3: u16,
    /// Parameter number.
    pub parameter: u16,
    /// Parameter index.
    pub index: u16,
}

/// The address specification of one request item, by syntax id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum VarSpec<'a> {
    /// S7ANY (0x10).
    Any(AnyItem),
    /// DBREAD (0xB0): several DB ranges.
    DbRead(DbReadAreas<'a>),
    /// NCK (0x82, 0x83, 0x84).
    Nck {
        /// Which NCK syntax.
        syntax: SyntaxId,
        /// The address.
        item: NckItem,
    },
    /// DriveES (0xA2).
    DriveEs(DriveEsItem),
    /// 1200SYM (0xB2) and other syntaxes: kept as an envelope.
    Other {
        /// Variable specification byte (0x12 normally).
        spec_type: u8,
        /// The syntax id.
        syntax: SyntaxId,
        /// The bytes after the syntax id.
        body: &'a [u8],
    },
}

impl<'a> VarSpec<'a> {
    /// Decodes one item whose specification bytes (after type and length) are `spec`.
    /// The flag says whether the length disagrees with the syntax.
    fn decode(spec_type: u8, spec: &'a [u8]) -> (VarSpec<'a>, bool) {
        let Some((&syntax, body)) = spec.split_first() else {
            return (
                VarSpec::Other {
                    spec_type,
                    syntax: SyntaxId::Unknown(0),
                    body: &[],
                },
                true,
            );
        };
        let bad_type = spec_type != VAR_SPEC;
        match (syntax, body) {
            (0x10, &[ts, l0, l1, d0, d1, area, a0, a1, a2]) => (
                VarSpec::Any(AnyItem::from_wire([ts, l0, l1, d0, d1, area, a0, a1, a2])),
                bad_type,
            ),
            (0xB0, [n, areas @ ..]) => (
                VarSpec::DbRead(DbReadAreas(areas)),
                bad_type || areas.len() != usize::from(*n) * 5,
            ),
            (0x82..=0x84, &[au, c0, c1, l0, l1, module, line_count]) => (
                VarSpec::Nck {
                    syntax: syntax.into(),
                    item: NckItem {
                        area_unit: au,
                        column: u16::from_be_bytes([c0, c1]),
                        line: u16::from_be_bytes([l0, l1]),
                        module,
                        line_count,
                    },
                },
                bad_type,
            ),
            (0xA2, &[u1, a0, a1, b0, b1, p0, p1, i0, i1]) => (
                VarSpec::DriveEs(DriveEsItem {
                    unknown1: u1,
                    unknown2: u16::from_be_bytes([a0, a1]),
                    unknown3: u16::from_be_bytes([b0, b1]),
                    parameter: u16::from_be_bytes([p0, p1]),
                    index: u16::from_be_bytes([i0, i1]),
                }),
                bad_type,
            ),
            _ => (
                VarSpec::Other {
                    spec_type,
                    syntax: syntax.into(),
                    body,
                },
                bad_type || matches!(syntax, 0x10 | 0x82..=0x84 | 0xA2),
            ),
        }
    }

    /// Anomalies of the decoded specification other than its length.
    fn code_anomalies(&self) -> Anomalies {
        match self {
            VarSpec::Any(a) => Anomalies::when(
                !a.area.is_known() || !a.transport_size.is_known(),
                Anomalies::UNKNOWN_CODE,
            ),
            VarSpec::Other { syntax, .. } => {
                Anomalies::when(!syntax.is_known(), Anomalies::UNKNOWN_CODE)
            }
            _ => Anomalies::empty(),
        }
    }

    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match *self {
            VarSpec::Any(a) => {
                s.bytes(&[VAR_SPEC, 10, 0x10, a.transport_size.value()])?;
                s.u16_be(a.length)?;
                s.u16_be(a.db)?;
                s.u8(a.area.value())?;
                s.bytes(a.address.0.to_be_bytes().get(1..).unwrap_or_default())
            }
            VarSpec::DbRead(areas) => {
                s.u8(VAR_SPEC)?;
                s.count8(2 + areas.0.len(), "item length")?;
                s.u8(0xB0)?;
                s.count8(areas.0.len() / 5, "number of areas")?;
                s.bytes(areas.0)
            }
            VarSpec::Nck { syntax, item } => {
                s.bytes(&[VAR_SPEC, 8, syntax.value(), item.area_unit])?;
                s.u16_be(item.column)?;
                s.u16_be(item.line)?;
                s.u8(item.module)?;
                s.u8(item.line_count)
            }
            VarSpec::DriveEs(d) => {
                s.bytes(&[VAR_SPEC, 10, 0xA2, d.unknown1])?;
                s.u16_be(d.unknown2)?;
                s.u16_be(d.unknown3)?;
                s.u16_be(d.parameter)?;
                s.u16_be(d.index)
            }
            VarSpec::Other {
                spec_type,
                syntax,
                body,
            } => {
                s.u8(spec_type)?;
                s.count8(1 + body.len(), "item length")?;
                s.u8(syntax.value())?;
                s.bytes(body)
            }
        }
    }
}

/// The items of a read or write request: the declared count and the item bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VarItems<'a> {
    /// Item count as declared (one byte in jobs, two in cyclic subscriptions).
    pub count: u16,
    /// The items' bytes (each: 0x12, length, specification).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub bytes: &'a [u8],
}

impl<'a> VarItems<'a> {
    /// Splits `count` items off `input`; returns them, the rest of the input and the
    /// anomalies (count that disagrees, items that do not fit, unknown codes, more than 20).
    #[inline]
    pub(crate) fn split(count: u16, input: &'a [u8]) -> (Self, &'a [u8], Anomalies) {
        Self::split_inline(count, input)
    }

    /// [`VarItems::split`], inlined into the PDU parser's read / write var path: a call
    /// there costs a third of the work of a one-item request (docs/CONVENTIONS.md).
    #[inline(always)]
    pub(crate) fn split_inline(count: u16, input: &'a [u8]) -> (Self, &'a [u8], Anomalies) {
        let mut rest = input;
        let mut a = Anomalies::when(usize::from(count) > MAX_ITEMS, Anomalies::TOO_MANY_ITEMS);
        let mut n = 0;
        while n < count {
            // The common S7ANY item, checked without building it.
            if let Some((&[VAR_SPEC, 10, 0x10, ts, _, _, _, _, area, _, _, _], r)) =
                rest.split_first_chunk::<12>()
            {
                a |= Anomalies::when(
                    !Area::from(area).is_known() || !ItemTransportSize::from(ts).is_known(),
                    Anomalies::UNKNOWN_CODE,
                );
                rest = r;
                n += 1;
                continue;
            }
            let Some((&[t, len], tail)) = rest.split_first_chunk::<2>() else {
                a |= Anomalies::TRUNCATED | Anomalies::ITEM_COUNT_MISMATCH;
                break;
            };
            let Some((spec, r)) = tail.split_at_checked(usize::from(len)) else {
                a |= Anomalies::TRUNCATED | Anomalies::ITEM_COUNT_MISMATCH;
                break;
            };
            let (item, bad) = VarSpec::decode(t, spec);
            a |= Anomalies::when(bad, Anomalies::BAD_ITEM) | item.code_anomalies();
            rest = r;
            n += 1;
        }
        let used = input.len() - rest.len();
        (
            VarItems {
                count,
                bytes: input.get(..used).unwrap_or_default(),
            },
            rest,
            a,
        )
    }

    /// The items that are present (at most `count`).
    pub fn iter(&self) -> VarItemIter<'a> {
        VarItemIter(self.bytes)
    }

    /// Items from their specifications (for encoding: `count` is theirs).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether no item is present.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Iterator over [`VarItems`].
#[derive(Debug, Clone, Copy)]
pub struct VarItemIter<'a>(&'a [u8]);

impl<'a> Iterator for VarItemIter<'a> {
    type Item = VarSpec<'a>;
    #[inline]
    fn next(&mut self) -> Option<VarSpec<'a>> {
        // The common S7ANY item, as `VarSpec::decode` types it, without its general match.
        if let Some(([VAR_SPEC, 10, 0x10, spec @ ..], rest)) = self.0.split_first_chunk::<12>() {
            self.0 = rest;
            return Some(VarSpec::Any(AnyItem::from_wire(*spec)));
        }
        let (&[t, len], tail) = self.0.split_first_chunk::<2>()?;
        let (spec, rest) = tail.split_at_checked(usize::from(len))?;
        self.0 = rest;
        Some(VarSpec::decode(t, spec).0)
    }
}

/// One data item: return code, transport size, length (in the transport size's unit) and
/// the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DataItem<'a> {
    /// Return code (0xFF success in answers, 0x00 in write requests).
    pub return_code: ReturnCode,
    /// Transport size, which sets the length unit.
    pub transport_size: DataTransportSize,
    /// Length as sent, in bits or bytes (see [`DataTransportSize::length_in_bits`]).
    pub length: u16,
    /// The data bytes.
    pub data: &'a [u8],
}

impl<'a> DataItem<'a> {
    /// A data item of `data` bytes under `transport_size`, its length field computed.
    pub fn new(return_code: ReturnCode, transport_size: DataTransportSize, data: &'a [u8]) -> Self {
        let length = u16::try_from(transport_size.length_field(data.len())).unwrap_or(u16::MAX);
        DataItem {
            return_code,
            transport_size,
            length,
            data,
        }
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S, fill: bool) -> Result<(), EmitError> {
        s.u8(self.return_code.value())?;
        s.u8(self.transport_size.value())?;
        s.u16_be(self.length)?;
        s.bytes(self.data)?;
        if fill && self.data.len() % 2 == 1 {
            s.u8(0)?;
        }
        Ok(())
    }
}

/// The data items of a read answer or write request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DataItems<'a> {
    /// Item count (from the parameter part, or the cyclic data header).
    pub count: u16,
    /// The data part's bytes.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub bytes: &'a [u8],
}

impl<'a> DataItems<'a> {
    /// Checks the items of a data part: returns the anomalies (items that do not fit,
    /// bytes left over, fill bytes that are not zero, request items with a return code).
    #[inline]
    pub(crate) fn check(count: u16, bytes: &'a [u8], request: bool) -> (Self, Anomalies) {
        Self::check_inline(count, bytes, request)
    }

    /// [`DataItems::check`], inlined into the PDU parser's read / write var path. It walks
    /// the items as [`DataItemIter`] does (same lengths, fill bytes and stops), on the raw
    /// bytes: no item is built.
    #[inline(always)]
    pub(crate) fn check_inline(count: u16, bytes: &'a [u8], request: bool) -> (Self, Anomalies) {
        let mut a = Anomalies::empty();
        let mut rest = bytes;
        let mut left = count;
        while left > 0 {
            let Some((&[rc, ts, l0, l1], tail)) = rest.split_first_chunk::<4>() else {
                break;
            };
            left -= 1;
            let n = DataTransportSize::data_bytes_raw(ts, u16::from_be_bytes([l0, l1]));
            a |= Anomalies::when(
                request && rc != ReturnCode::Reserved.value(),
                Anomalies::BAD_DATA_ITEM,
            );
            let Some((_, r)) = tail.split_at_checked(n) else {
                // The last item, cut short: what is there is its data.
                a |= Anomalies::TRUNCATED;
                rest = &[];
                break;
            };
            rest = r;
            if n % 2 == 1 && left > 0 {
                if let Some((&fill, r)) = rest.split_first() {
                    a |= Anomalies::when(fill != 0, Anomalies::FILL_BYTE);
                    rest = r;
                }
            }
        }
        a |= Anomalies::when(
            left > 0,
            Anomalies::ITEM_COUNT_MISMATCH | Anomalies::TRUNCATED,
        );
        a |= Anomalies::when(!rest.is_empty(), Anomalies::LENGTH_MISMATCH);
        (DataItems { count, bytes }, a)
    }

    /// The items present (at most `count`).
    pub fn iter(&self) -> DataItemIter<'a> {
        DataItemIter {
            rest: self.bytes,
            left: self.count,
            anomalies: Anomalies::empty(),
        }
    }

    /// Writes items with fill bytes after odd-length ones that are not last.
    pub(crate) fn encode_items<S: Sink + ?Sized>(
        items: impl Iterator<Item = DataItem<'a>>,
        s: &mut S,
    ) -> Result<(), EmitError> {
        let mut items = items.peekable();
        while let Some(item) = items.next() {
            item.encode(s, items.peek().is_some())?;
        }
        Ok(())
    }
}

/// Iterator over [`DataItems`]; a last item cut short yields what is there.
#[derive(Debug, Clone, Copy)]
pub struct DataItemIter<'a> {
    rest: &'a [u8],
    left: u16,
    anomalies: Anomalies,
}

impl<'a> Iterator for DataItemIter<'a> {
    type Item = DataItem<'a>;
    #[inline]
    fn next(&mut self) -> Option<DataItem<'a>> {
        if self.left == 0 {
            return None;
        }
        let (&[rc, ts, l0, l1], tail) = self.rest.split_first_chunk::<4>()?;
        self.left -= 1;
        let transport_size = DataTransportSize::from(ts);
        let length = u16::from_be_bytes([l0, l1]);
        let n = transport_size.data_bytes(length);
        let (data, mut rest) = tail.split_at_checked(n).unwrap_or((tail, &[]));
        if n % 2 == 1 && self.left > 0 {
            match rest.split_first() {
                Some((&0, r)) => rest = r,
                Some((_, r)) => {
                    self.anomalies |= Anomalies::FILL_BYTE;
                    rest = r;
                }
                None => {}
            }
        }
        self.rest = rest;
        Some(DataItem {
            return_code: rc.into(),
            transport_size,
            length,
            data,
        })
    }
}

/// The return codes of a write answer, one byte per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct ReturnCodes<'a>(pub &'a [u8]);

impl<'a> ReturnCodes<'a> {
    /// The codes.
    pub fn iter(&self) -> impl Iterator<Item = ReturnCode> + 'a {
        self.0.iter().map(|&b| ReturnCode::from(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `DataItems::check` computed before it walked the raw bytes: the items through
    /// [`DataItemIter`], each built.
    fn check_by_iterator(count: u16, bytes: &[u8], request: bool) -> Anomalies {
        let items = DataItems { count, bytes };
        let mut a = Anomalies::empty();
        let mut it = items.iter();
        let mut n = 0usize;
        for item in &mut it {
            n += 1;
            a |= Anomalies::when(
                request && item.return_code != ReturnCode::Reserved,
                Anomalies::BAD_DATA_ITEM,
            ) | Anomalies::when(
                item.data.len() < item.transport_size.data_bytes(item.length),
                Anomalies::TRUNCATED,
            );
        }
        a |= it.anomalies;
        a |= Anomalies::when(
            n < usize::from(count),
            Anomalies::ITEM_COUNT_MISMATCH | Anomalies::TRUNCATED,
        );
        a | Anomalies::when(!it.rest.is_empty(), Anomalies::LENGTH_MISMATCH)
    }

    /// The raw walk flags exactly what the item iterator finds, on every prefix of data
    /// parts with bit- and byte-counted items, odd lengths, fill bytes zero or not, return
    /// codes, and counts below, at and above the items present.
    #[test]
    fn raw_check_agrees_with_the_item_iterator() {
        let parts: &[&[u8]] = &[
            &[0xFF, 0x04, 0x00, 0x08, 0x2A],
            &[
                0xFF, 0x04, 0x00, 0x08, 0x2A, 0x00, 0x00, 0x09, 0x00, 0x03, 1, 2, 3,
            ],
            &[
                0xFF, 0x03, 0x00, 0x01, 0x01, 0x07, 0xFF, 0x05, 0x00, 0x10, 0, 1,
            ],
            &[
                0x0A, 0x00, 0x00, 0x00, 0xFF, 0x07, 0x00, 0x04, 1, 2, 3, 4, 9,
            ],
            &[
                0x00, 0x06, 0x00, 0x03, 1, 2, 3, 0x00, 0x00, 0x04, 0x00, 0x10, 5, 6,
            ],
            &[
                0xFF, 0x09, 0x00, 0x05, 1, 2, 3, 4, 5, 0x01, 0x05, 0x04, 0x00, 0x11, 7, 8, 9,
            ],
        ];
        for part in parts {
            for cut in 0..=part.len() {
                let bytes = part.get(..cut).unwrap_or_default();
                for count in 0..5 {
                    for request in [false, true] {
                        assert_eq!(
                            DataItems::check(count, bytes, request).1,
                            check_by_iterator(count, bytes, request),
                            "{bytes:02x?} count {count} request {request}"
                        );
                    }
                }
            }
        }
    }

    /// The raw length rule is the enum's for every transport size byte.
    #[test]
    fn raw_data_bytes_agree_with_the_transport_size() {
        for ts in 0..=u8::MAX {
            for length in [0, 1, 7, 8, 9, 255, u16::MAX] {
                assert_eq!(
                    DataTransportSize::data_bytes_raw(ts, length),
                    DataTransportSize::from(ts).data_bytes(length)
                );
            }
        }
    }
}
