//! Encoding EPATH segments and paths (CIP Vol. 1 App. C-1.3: the padded and packed forms).

use otwire_core::{EmitError, Sink};

use super::{LogicalFormat, LogicalType, Path, Segment};

impl Segment<'_> {
    /// Encodes the segment in the padded or packed form.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S, packed: bool) -> Result<(), EmitError> {
        match *self {
            Segment::Port {
                port,
                link,
                extended_link,
            } => {
                let ext = extended_link || link.len() != 1;
                let small = port < 0x0F;
                let t = (if ext { 0x10 } else { 0 }) | if small { port as u8 } else { 0x0F };
                s.u8(t)?;
                let mut n = 1;
                if ext {
                    s.count8(link.len(), "link address size")?;
                    n += 1;
                }
                if !small {
                    s.u16_le(port)?;
                    n += 2;
                }
                s.bytes(link)?;
                if (n + link.len()) % 2 == 1 {
                    s.u8(0)?;
                }
                Ok(())
            }
            Segment::Logical {
                kind,
                format,
                value,
            } => {
                if kind == LogicalType::Special {
                    return Err(EmitError::ValueOutOfRange {
                        field: "logical type",
                    });
                }
                if format.len() < LogicalFormat::for_value(value).len() {
                    return Err(EmitError::ValueOutOfRange {
                        field: "logical value",
                    });
                }
                s.u8(0x20 | (kind.bits() << 2) | format.bits())?;
                match format {
                    LogicalFormat::Bits8 => s.u8(value as u8),
                    LogicalFormat::Bits16 => {
                        if !packed {
                            s.u8(0)?;
                        }
                        s.u16_le(value as u16)
                    }
                    LogicalFormat::Bits32 => {
                        if !packed {
                            s.u8(0)?;
                        }
                        s.u32_le(value)
                    }
                }
            }
            Segment::ElectronicKey(k) => {
                s.bytes(&[0x34, 4])?;
                s.u16_le(k.vendor)?;
                s.u16_le(k.device_type)?;
                s.u16_le(k.product_code)?;
                s.u8(k.major_revision)?;
                s.u8(k.minor_revision)
            }
            Segment::Network { subtype, data } => {
                if subtype & 0xE0 != 0x40 {
                    return Err(EmitError::ValueOutOfRange {
                        field: "network segment type",
                    });
                }
                s.u8(subtype)?;
                if subtype & 0x10 == 0 {
                    if data.len() != 1 {
                        return Err(EmitError::ValueOutOfRange {
                            field: "network segment data",
                        });
                    }
                } else {
                    if data.len() % 2 != 0 {
                        return Err(EmitError::ValueOutOfRange {
                            field: "network segment data",
                        });
                    }
                    s.count8(data.len() / 2, "network segment words")?;
                }
                s.bytes(data)
            }
            Segment::Symbolic(b) => {
                if b.is_empty() || b.len() > 31 {
                    return Err(EmitError::ValueOutOfRange {
                        field: "symbolic segment size",
                    });
                }
                s.u8(0x60 | b.len() as u8)?;
                s.bytes(b)?;
                if !packed && b.len() % 2 == 0 {
                    s.u8(0)?;
                }
                Ok(())
            }
            Segment::SymbolicExtended { format, data } => {
                s.u8(0x60)?;
                s.u8(format)?;
                s.bytes(data)?;
                if !packed && data.len() % 2 == 1 {
                    s.u8(0)?;
                }
                Ok(())
            }
            Segment::SimpleData(b) => {
                if b.len() % 2 != 0 {
                    return Err(EmitError::ValueOutOfRange {
                        field: "simple data length",
                    });
                }
                s.u8(0x80)?;
                s.count8(b.len() / 2, "simple data words")?;
                s.bytes(b)
            }
            Segment::AnsiSymbol(b) => {
                s.u8(0x91)?;
                s.count8(b.len(), "symbol length")?;
                s.bytes(b)?;
                if b.len() % 2 == 1 {
                    s.u8(0)?;
                }
                Ok(())
            }
            Segment::DataTypeConstructed { code, data } => {
                s.u8(code)?;
                s.count8(data.len(), "data type length")?;
                s.bytes(data)
            }
            Segment::DataTypeElementary(code) => s.u8(code),
            Segment::Malformed(b) => s.bytes(b),
        }
    }
}

/// Segments to encode as a path: `PathBuilder(&[...], packed)` (Vol. 1 App. C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathBuilder<'s, 'a> {
    /// The segments, in order.
    pub segments: &'s [Segment<'a>],
    /// The packed form (else padded).
    pub packed: bool,
}

impl PathBuilder<'_, '_> {
    /// Encodes every segment.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.segments
            .iter()
            .try_for_each(|seg| seg.encode(s, self.packed))
    }
}

otwire_core::emit_via_encode!(Path<'_>, PathBuilder<'_, '_>);

/// A logical segment of the smallest format for `value`.
pub const fn logical(kind: LogicalType, value: u32) -> Segment<'static> {
    Segment::Logical {
        kind,
        format: LogicalFormat::for_value(value),
        value,
    }
}
