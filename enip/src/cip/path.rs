//! EPATH: the segments that address a CIP object, route a message or describe a
//! connection (CIP Vol. 1 App. C).
//!
//! A [`Path`] is borrowed bytes and a form (padded or packed, App. C-1.3); its
//! [`segments`](Path::segments) are an allocation-free `Copy` iterator. A segment that
//! cannot be decoded ends the iteration with [`Segment::Malformed`] holding the rest, so
//! what decoded before it is kept; [`Path::check`] says what was off.

use core::fmt;

use otwire_core::{EmitError, Sink};

use crate::Anomalies;

/// The most segments decoded from one path; [`Anomalies::PATH_TOO_DEEP`] past it.
pub const MAX_SEGMENTS: usize = 64;

/// An EPATH (Vol. 1 App. C-1): bytes and their form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Path<'a> {
    bytes: &'a [u8],
    packed: bool,
}

/// The logical segment types (Vol. 1 App. C-1.4.2, bits 2-4 of the segment type byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LogicalType {
    /// Class ID (0).
    Class,
    /// Instance ID (1).
    Instance,
    /// Member ID (2); Logix uses it for array elements.
    Member,
    /// Connection point (3).
    ConnectionPoint,
    /// Attribute ID (4).
    Attribute,
    /// Special (5): its only format is the electronic key, [`Segment::ElectronicKey`].
    Special,
    /// Service ID (6).
    ServiceId,
}

impl LogicalType {
    const fn from_bits(b: u8) -> Option<Self> {
        Some(match b {
            0 => LogicalType::Class,
            1 => LogicalType::Instance,
            2 => LogicalType::Member,
            3 => LogicalType::ConnectionPoint,
            4 => LogicalType::Attribute,
            5 => LogicalType::Special,
            6 => LogicalType::ServiceId,
            _ => return None,
        })
    }
    const fn bits(self) -> u8 {
        match self {
            LogicalType::Class => 0,
            LogicalType::Instance => 1,
            LogicalType::Member => 2,
            LogicalType::ConnectionPoint => 3,
            LogicalType::Attribute => 4,
            LogicalType::Special => 5,
            LogicalType::ServiceId => 6,
        }
    }
}

/// The width of a logical segment's value (Vol. 1 App. C-1.4.2, bits 0-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LogicalFormat {
    /// 8-bit value (format 0).
    Bits8,
    /// 16-bit value (format 1).
    Bits16,
    /// 32-bit value (format 2).
    Bits32,
}

impl LogicalFormat {
    /// The smallest format holding `v`.
    pub const fn for_value(v: u32) -> Self {
        if v <= 0xFF {
            LogicalFormat::Bits8
        } else if v <= 0xFFFF {
            LogicalFormat::Bits16
        } else {
            LogicalFormat::Bits32
        }
    }
    const fn len(self) -> usize {
        match self {
            LogicalFormat::Bits8 => 1,
            LogicalFormat::Bits16 => 2,
            LogicalFormat::Bits32 => 4,
        }
    }
    const fn bits(self) -> u8 {
        match self {
            LogicalFormat::Bits8 => 0,
            LogicalFormat::Bits16 => 1,
            LogicalFormat::Bits32 => 2,
        }
    }
}

/// An electronic key (logical segment 0x34, key format 4; Vol. 1 App. C-1.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ElectronicKey {
    /// Vendor ID (0: any).
    pub vendor: u16,
    /// Device type (0: any).
    pub device_type: u16,
    /// Product code (0: any).
    pub product_code: u16,
    /// Major revision (7 bits) with the compatibility bit as bit 7.
    pub major_revision: u8,
    /// Minor revision.
    pub minor_revision: u8,
}

impl ElectronicKey {
    /// The compatibility bit (bit 7 of the major revision byte).
    pub const fn compatibility(&self) -> bool {
        self.major_revision & 0x80 != 0
    }
}

/// One EPATH segment (Vol. 1 App. C-1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Segment<'a> {
    /// Port segment (type 0, App. C-1.4.1): the port to leave by and the link address.
    Port {
        /// Port identifier (1-14 in the type byte, or the extended 16-bit form after 0x0F).
        port: u16,
        /// The link address: one byte, or the extended link address (its size byte set).
        link: &'a [u8],
        /// The extended link address form (bit 4) was used.
        extended_link: bool,
    },
    /// Logical segment (type 1, App. C-1.4.2) other than the electronic key.
    Logical {
        /// What the value addresses.
        kind: LogicalType,
        /// Its width on the wire.
        format: LogicalFormat,
        /// The value.
        value: u32,
    },
    /// Electronic key (logical special, format 0, key format 4).
    ElectronicKey(ElectronicKey),
    /// Network segment (type 2, App. C-1.4.3): the subtype (low 5 bits) and its data
    /// (one byte for subtypes below 0x10, else a word count and words).
    Network {
        /// The segment type byte (0x40-0x5F).
        subtype: u8,
        /// Its data.
        data: &'a [u8],
    },
    /// Symbolic segment (type 3, 0x61-0x7F, App. C-1.4.4): ASCII characters.
    Symbolic(&'a [u8]),
    /// Extended symbolic segment (0x60 then a format/size byte, App. C-1.4.4).
    SymbolicExtended {
        /// The format/size byte (format in bits 5-7, size in bits 0-4).
        format: u8,
        /// The characters or numeric value.
        data: &'a [u8],
    },
    /// Simple data segment (0x80, App. C-1.4.5): a word count, then the data.
    SimpleData(&'a [u8]),
    /// ANSI extended symbol segment (0x91, App. C-1.4.5): a byte count, the symbol, a pad
    /// byte when the count is odd. Logix tag names.
    AnsiSymbol(&'a [u8]),
    /// Constructed data type segment (0xA0-0xBF, App. C-2.1): a byte count and the
    /// description.
    DataTypeConstructed {
        /// The type byte.
        code: u8,
        /// Its description.
        data: &'a [u8],
    },
    /// Elementary data type segment (0xC0-0xDF, App. C-2.1): one byte.
    DataTypeElementary(u8),
    /// Bytes that do not decode as a segment (a reserved type or format, or cut short):
    /// the iteration ends here.
    Malformed(&'a [u8]),
}

/// The segments of a path: a `Copy` iterator that stops after [`MAX_SEGMENTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments<'a> {
    rest: &'a [u8],
    packed: bool,
    count: usize,
}

/// What decoding one segment found wrong besides ending.
struct Decoded<'a> {
    seg: Segment<'a>,
    len: usize,
    anomalies: Anomalies,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    let c = b.get(i..i.checked_add(2)?)?;
    Some(u16::from_le_bytes([*c.first()?, *c.get(1)?]))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    let c = b.get(i..i.checked_add(4)?)?;
    Some(u32::from_le_bytes([
        *c.first()?,
        *c.get(1)?,
        *c.get(2)?,
        *c.get(3)?,
    ]))
}

/// The pad byte at `i` (when `pad`): its anomaly, and `None` when it is missing.
fn pad_at(b: &[u8], i: usize, pad: bool) -> Option<(usize, Anomalies)> {
    if !pad {
        return Some((0, Anomalies::empty()));
    }
    let p = *b.get(i)?;
    Some((1, Anomalies::when(p != 0, Anomalies::PATH_PAD)))
}

fn decode(b: &[u8], packed: bool) -> Option<Decoded<'_>> {
    let t = *b.first()?;
    let mut anomalies = Anomalies::empty();
    let (seg, len) = match t >> 5 {
        0 => {
            let extended_link = t & 0x10 != 0;
            let mut i = 1;
            let link_len = if extended_link {
                i += 1;
                usize::from(*b.get(1)?)
            } else {
                1
            };
            let port = if t & 0x0F == 0x0F {
                let p = u16_at(b, i)?;
                i += 2;
                // Ports 0-14 have the one-byte form: the extended one does not re-encode.
                anomalies |= Anomalies::when(p < 0x0F, Anomalies::PATH_SEGMENT);
                p
            } else {
                u16::from(t & 0x0F)
            };
            let link = b.get(i..i.checked_add(link_len)?)?;
            i += link_len;
            // Port segments are padded to an even length in both forms (App. C-1.4.1).
            let (p, a) = pad_at(b, i, i % 2 == 1)?;
            anomalies |= a;
            (
                Segment::Port {
                    port,
                    link,
                    extended_link,
                },
                i + p,
            )
        }
        1 => {
            let kind = LogicalType::from_bits((t >> 2) & 7);
            let fmt = t & 3;
            match (kind, fmt) {
                (Some(LogicalType::Special), 0) => {
                    // Electronic key: key format 4, then 8 bytes.
                    if *b.get(1)? != 4 {
                        return Some(Decoded {
                            seg: Segment::Malformed(b),
                            len: b.len(),
                            anomalies: Anomalies::PATH_SEGMENT,
                        });
                    }
                    let key = ElectronicKey {
                        vendor: u16_at(b, 2)?,
                        device_type: u16_at(b, 4)?,
                        product_code: u16_at(b, 6)?,
                        major_revision: *b.get(8)?,
                        minor_revision: *b.get(9)?,
                    };
                    (Segment::ElectronicKey(key), 10)
                }
                (Some(kind), 0..=2) if kind != LogicalType::Special => {
                    let format = match fmt {
                        0 => LogicalFormat::Bits8,
                        1 => LogicalFormat::Bits16,
                        _ => LogicalFormat::Bits32,
                    };
                    let (p, a) = pad_at(b, 1, !packed && format != LogicalFormat::Bits8)?;
                    anomalies |= a;
                    let i = 1 + p;
                    let value = match format {
                        LogicalFormat::Bits8 => u32::from(*b.get(i)?),
                        LogicalFormat::Bits16 => u32::from(u16_at(b, i)?),
                        LogicalFormat::Bits32 => u32_at(b, i)?,
                    };
                    (
                        Segment::Logical {
                            kind,
                            format,
                            value,
                        },
                        i + format.len(),
                    )
                }
                _ => {
                    return Some(Decoded {
                        seg: Segment::Malformed(b),
                        len: b.len(),
                        anomalies: Anomalies::PATH_SEGMENT,
                    });
                }
            }
        }
        2 => {
            if t & 0x10 == 0 {
                (
                    Segment::Network {
                        subtype: t,
                        data: b.get(1..2)?,
                    },
                    2,
                )
            } else {
                let n = usize::from(*b.get(1)?) * 2;
                (
                    Segment::Network {
                        subtype: t,
                        data: b.get(2..2 + n)?,
                    },
                    2 + n,
                )
            }
        }
        3 => {
            let size = usize::from(t & 0x1F);
            if size == 0 {
                let format = *b.get(1)?;
                let n = usize::from(format & 0x1F);
                let dlen = match format >> 5 {
                    1 => n * 2,
                    2 => n * 3,
                    6 => match n {
                        6 => 1,
                        7 => 2,
                        8 => 4,
                        _ => {
                            return Some(Decoded {
                                seg: Segment::Malformed(b),
                                len: b.len(),
                                anomalies: Anomalies::PATH_SEGMENT,
                            });
                        }
                    },
                    _ => {
                        return Some(Decoded {
                            seg: Segment::Malformed(b),
                            len: b.len(),
                            anomalies: Anomalies::PATH_SEGMENT,
                        });
                    }
                };
                let data = b.get(2..2 + dlen)?;
                let i = 2 + dlen;
                let (p, a) = pad_at(b, i, !packed && i % 2 == 1)?;
                anomalies |= a;
                (Segment::SymbolicExtended { format, data }, i + p)
            } else {
                let data = b.get(1..1 + size)?;
                let i = 1 + size;
                let (p, a) = pad_at(b, i, !packed && i % 2 == 1)?;
                anomalies |= a;
                (Segment::Symbolic(data), i + p)
            }
        }
        4 => match t {
            0x80 => {
                let n = usize::from(*b.get(1)?) * 2;
                (Segment::SimpleData(b.get(2..2 + n)?), 2 + n)
            }
            0x91 => {
                let n = usize::from(*b.get(1)?);
                let data = b.get(2..2 + n)?;
                let i = 2 + n;
                // The ANSI symbol is padded to even in both forms (App. C-1.4.5).
                let (p, a) = pad_at(b, i, i % 2 == 1)?;
                anomalies |= a;
                (Segment::AnsiSymbol(data), i + p)
            }
            _ => {
                return Some(Decoded {
                    seg: Segment::Malformed(b),
                    len: b.len(),
                    anomalies: Anomalies::PATH_SEGMENT,
                });
            }
        },
        5 => {
            let n = usize::from(*b.get(1)?);
            (
                Segment::DataTypeConstructed {
                    code: t,
                    data: b.get(2..2 + n)?,
                },
                2 + n,
            )
        }
        6 => (Segment::DataTypeElementary(t), 1),
        _ => {
            return Some(Decoded {
                seg: Segment::Malformed(b),
                len: b.len(),
                anomalies: Anomalies::PATH_SEGMENT,
            });
        }
    };
    Some(Decoded {
        seg,
        len,
        anomalies,
    })
}

/// One step of the walk: the segment, the bytes it took and its anomalies.
#[inline]
fn step(rest: &[u8], packed: bool) -> Decoded<'_> {
    // The common case first: an 8-bit class, instance, member, connection point or
    // attribute (0x20-0x30, two bytes in both forms), as `decode` reads it.
    if let [t @ (0x20 | 0x24 | 0x28 | 0x2C | 0x30), v, ..] = *rest {
        if let Some(kind) = LogicalType::from_bits((t >> 2) & 7) {
            return Decoded {
                seg: Segment::Logical {
                    kind,
                    format: LogicalFormat::Bits8,
                    value: u32::from(v),
                },
                len: 2,
                anomalies: Anomalies::empty(),
            };
        }
    }
    decode(rest, packed).unwrap_or(Decoded {
        seg: Segment::Malformed(rest),
        len: rest.len(),
        anomalies: Anomalies::PATH_TRUNCATED,
    })
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    #[inline]
    fn next(&mut self) -> Option<Segment<'a>> {
        if self.rest.is_empty() || self.count >= MAX_SEGMENTS {
            return None;
        }
        let d = step(self.rest, self.packed);
        self.count += 1;
        self.rest = self.rest.get(d.len..).unwrap_or_default();
        Some(d.seg)
    }
}

impl<'a> Path<'a> {
    /// A path in the padded form (Vol. 1 App. C-1.3): a pad byte precedes 16- and 32-bit
    /// logical values, symbolic segments are padded to even. Message Router requests use it.
    pub const fn padded(bytes: &'a [u8]) -> Self {
        Path {
            bytes,
            packed: false,
        }
    }

    /// A path in the packed form (Vol. 1 App. C-1.3): no pad bytes but those of port and
    /// ANSI symbol segments. The caller knows which form a field uses.
    pub const fn packed(bytes: &'a [u8]) -> Self {
        Path {
            bytes,
            packed: true,
        }
    }

    /// The bytes of the path.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether it is in the packed form.
    pub const fn is_packed(&self) -> bool {
        self.packed
    }

    /// Its length in 16-bit words, rounded up.
    pub const fn words(&self) -> usize {
        self.bytes.len().div_ceil(2)
    }

    /// Whether it holds no bytes.
    pub const fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The segments.
    pub const fn segments(&self) -> Segments<'a> {
        Segments {
            rest: self.bytes,
            packed: self.packed,
            count: 0,
        }
    }

    /// What was off: a segment cut short, of a reserved type, a non-zero pad, more than
    /// [`MAX_SEGMENTS`] segments.
    pub fn check(&self) -> Anomalies {
        let mut rest = self.bytes;
        let mut a = Anomalies::empty();
        let mut n = 0;
        while !rest.is_empty() {
            if n == MAX_SEGMENTS {
                return a | Anomalies::PATH_TOO_DEEP;
            }
            let d = step(rest, self.packed);
            a |= d.anomalies;
            rest = rest.get(d.len..).unwrap_or_default();
            n += 1;
        }
        a
    }

    fn logical(&self, want: LogicalType) -> Option<u32> {
        self.segments().find_map(|s| match s {
            Segment::Logical { kind, value, .. } if kind == want => Some(value),
            _ => None,
        })
    }

    /// The first class ID.
    pub fn class(&self) -> Option<u32> {
        self.logical(LogicalType::Class)
    }

    /// The first instance ID.
    pub fn instance(&self) -> Option<u32> {
        self.logical(LogicalType::Instance)
    }

    /// The first attribute ID.
    pub fn attribute(&self) -> Option<u32> {
        self.logical(LogicalType::Attribute)
    }

    /// The first member ID.
    pub fn member(&self) -> Option<u32> {
        self.logical(LogicalType::Member)
    }

    /// The first connection point.
    pub fn connection_point(&self) -> Option<u32> {
        self.logical(LogicalType::ConnectionPoint)
    }

    /// The first symbol (ANSI extended symbol 0x91 or symbolic segment 0x61-0x7F).
    pub fn symbol(&self) -> Option<&'a [u8]> {
        self.segments().find_map(|s| match s {
            Segment::AnsiSymbol(b) | Segment::Symbolic(b) => Some(b),
            _ => None,
        })
    }

    /// Whether the path names a tag (holds a symbol).
    pub fn is_symbolic(&self) -> bool {
        self.symbol().is_some()
    }

    /// Writes the Logix tag the path names (`Program:Main.tag[3,4].x`): symbols joined by
    /// dots, member (and instance or connection point) segments after a symbol as
    /// bracketed indices; a non-ASCII or control byte as `\xNN`. Writes nothing for a
    /// path without a symbol.
    pub fn write_tag<W: fmt::Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        let mut seen_symbol = false;
        let mut in_index = false;
        for s in self.segments() {
            match s {
                Segment::AnsiSymbol(b) | Segment::Symbolic(b) => {
                    if in_index {
                        w.write_char(']')?;
                        in_index = false;
                    }
                    if seen_symbol {
                        w.write_char('.')?;
                    }
                    seen_symbol = true;
                    write_escaped(w, b)?;
                }
                Segment::Logical {
                    kind: LogicalType::Member | LogicalType::Instance | LogicalType::ConnectionPoint,
                    value,
                    ..
                } if seen_symbol => {
                    w.write_char(if in_index { ',' } else { '[' })?;
                    in_index = true;
                    write!(w, "{value}")?;
                }
                _ => {}
            }
        }
        if in_index {
            w.write_char(']')?;
        }
        Ok(())
    }

    /// Encodes the path bytes (they are already in their form).
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.bytes(self.bytes)
    }
}

/// Writes bytes as ASCII, escaping the rest as `\xNN`.
pub(crate) fn write_escaped<W: fmt::Write + ?Sized>(w: &mut W, b: &[u8]) -> fmt::Result {
    for &c in b {
        if c.is_ascii_graphic() || c == b' ' {
            w.write_char(char::from(c))?;
        } else {
            write!(w, "\\x{c:02x}")?;
        }
    }
    Ok(())
}

mod encode;
pub use encode::{PathBuilder, logical};
