//! Logix tag service requests (1756-PM020 "Logix5000 Data Access", chapter "CIP Services";
//! pycomm3 and pylogix request builders).

use otwire_core::{EmitError, Sink};

use super::LogixService;
use super::rd::Rd;
use super::types::{TagType, Value, Values};
use crate::{Anomalies, Error, Layer, Parsed};

/// A Logix service request's data (1756-PM020), after the CIP header and request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum LogixRequest<'a> {
    /// Read Tag 0x4C: the element count.
    ReadTag {
        /// Elements to read.
        elements: u16,
    },
    /// Write Tag 0x4D: type, [structure handle], element count, data.
    WriteTag {
        /// Elements written.
        elements: u16,
        /// The data, typed.
        values: Values<'a>,
    },
    /// Read Modify Write Tag 0x4E: mask size, OR mask, AND mask.
    ReadModifyWrite {
        /// Mask size in bytes (1, 2, 4 or 8).
        mask_size: u16,
        /// Bits to set.
        or_mask: &'a [u8],
        /// Bits to keep (zeros clear).
        and_mask: &'a [u8],
    },
    /// Read Tag Fragmented 0x52: element count, byte offset.
    ReadTagFragmented {
        /// Elements to read.
        elements: u16,
        /// Byte offset of this fragment.
        offset: u32,
    },
    /// Write Tag Fragmented 0x53: type, optional structure handle, element count, byte offset, data.
    WriteTagFragmented {
        /// Elements written in all fragments.
        elements: u16,
        /// Byte offset of this fragment.
        offset: u32,
        /// This fragment's data, typed.
        values: Values<'a>,
    },
    /// Get Instance Attribute List 0x55 (Symbol class 0x6B): the attribute ids.
    GetInstanceAttributeList {
        /// The attribute ids asked for.
        attributes: AttributeIds<'a>,
    },
    /// Another service: its data kept.
    Other {
        /// The service code.
        service: LogixService,
        /// The data.
        data: &'a [u8],
    },
}

/// A list of 16-bit attribute ids (a count, then the ids; Vol. 1 § Get Attribute List
/// layout, used by 0x55).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AttributeIds<'a>(&'a [u8]);

impl<'a> AttributeIds<'a> {
    /// The ids in `bytes` (two bytes each, little-endian; an odd last byte is ignored).
    pub const fn new(bytes: &'a [u8]) -> Self {
        AttributeIds(bytes)
    }
    /// The number of ids.
    pub const fn len(&self) -> usize {
        self.0.len() / 2
    }
    /// Whether there are none.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The ids.
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(2).map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
    }
    /// The raw ids bytes.
    pub const fn bytes(&self) -> &'a [u8] {
        self.0
    }
}

fn values_checked<'a>(
    ty: TagType,
    elements: u16,
    data: &'a [u8],
    whole: bool,
    a: &mut Anomalies,
) -> Values<'a> {
    let values = Values::new(ty, data);
    let bad = match values.whole_elements() {
        Some(n) => !values.is_whole() || (whole && n != usize::from(elements)),
        None => false,
    };
    *a |= Anomalies::when(bad, Anomalies::LOGIX_DATA_LENGTH);
    values
}

impl<'a> LogixRequest<'a> {
    /// Parses the request data of `service` (1756-PM020). Services without a layout here
    /// give [`LogixRequest::Other`].
    pub fn parse(service: u8, data: &'a [u8]) -> Result<Parsed<LogixRequest<'a>>, Error> {
        let mut a = Anomalies::empty();
        let mut rd = Rd::new(data, Layer::Service);
        let svc = LogixService::from(service);
        let req = match svc {
            LogixService::ReadTag => LogixRequest::ReadTag {
                elements: rd.u16()?,
            },
            LogixService::WriteTag => {
                let ty = TagType::read(&mut rd, &mut a)?;
                let elements = rd.u16()?;
                let values = values_checked(ty, elements, rd.rest(), true, &mut a);
                LogixRequest::WriteTag { elements, values }
            }
            LogixService::ReadModifyWrite => {
                let mask_size = rd.u16()?;
                a |= Anomalies::when(
                    !matches!(mask_size, 1 | 2 | 4 | 8),
                    Anomalies::LOGIX_MASK_SIZE,
                );
                let or_mask = rd.take(usize::from(mask_size))?;
                let and_mask = rd.take(usize::from(mask_size))?;
                LogixRequest::ReadModifyWrite {
                    mask_size,
                    or_mask,
                    and_mask,
                }
            }
            LogixService::ReadTagFragmented => LogixRequest::ReadTagFragmented {
                elements: rd.u16()?,
                offset: rd.u32()?,
            },
            LogixService::WriteTagFragmented => {
                let ty = TagType::read(&mut rd, &mut a)?;
                let elements = rd.u16()?;
                let offset = rd.u32()?;
                let values = values_checked(ty, elements, rd.rest(), false, &mut a);
                LogixRequest::WriteTagFragmented {
                    elements,
                    offset,
                    values,
                }
            }
            LogixService::GetInstanceAttributeList => {
                let count = rd.u16()?;
                let ids = rd.take(usize::from(count) * 2)?;
                LogixRequest::GetInstanceAttributeList {
                    attributes: AttributeIds(ids),
                }
            }
            _ => LogixRequest::Other {
                service: svc,
                data: rd.rest(),
            },
        };
        a |= Anomalies::when(!rd.is_empty(), Anomalies::LOGIX_TRAILING_DATA);
        let zero = matches!(
            req,
            LogixRequest::ReadTag { elements: 0 }
                | LogixRequest::WriteTag { elements: 0, .. }
                | LogixRequest::ReadTagFragmented { elements: 0, .. }
                | LogixRequest::WriteTagFragmented { elements: 0, .. }
        );
        a |= Anomalies::when(zero, Anomalies::LOGIX_ZERO_ELEMENTS);
        Ok(Parsed::new(req, a))
    }

    /// The service code of this request.
    pub fn service(&self) -> LogixService {
        match self {
            LogixRequest::ReadTag { .. } => LogixService::ReadTag,
            LogixRequest::WriteTag { .. } => LogixService::WriteTag,
            LogixRequest::ReadModifyWrite { .. } => LogixService::ReadModifyWrite,
            LogixRequest::ReadTagFragmented { .. } => LogixService::ReadTagFragmented,
            LogixRequest::WriteTagFragmented { .. } => LogixService::WriteTagFragmented,
            LogixRequest::GetInstanceAttributeList { .. } => LogixService::GetInstanceAttributeList,
            LogixRequest::Other { service, .. } => *service,
        }
    }

    /// Whether the request changes tag data (Write Tag, Write Tag Fragmented, Read Modify
    /// Write).
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            LogixRequest::WriteTag { .. }
                | LogixRequest::WriteTagFragmented { .. }
                | LogixRequest::ReadModifyWrite { .. }
        )
    }

    /// Writes the request data (not the service code or path).
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match self {
            LogixRequest::ReadTag { elements } => s.u16_le(*elements),
            LogixRequest::WriteTag { elements, values } => {
                values.tag_type().encode(s)?;
                s.u16_le(*elements)?;
                s.bytes(values.bytes())
            }
            LogixRequest::ReadModifyWrite {
                mask_size,
                or_mask,
                and_mask,
            } => {
                let n = usize::from(*mask_size);
                if or_mask.len() != n || and_mask.len() != n {
                    return Err(EmitError::ValueOutOfRange { field: "mask_size" });
                }
                s.u16_le(*mask_size)?;
                s.bytes(or_mask)?;
                s.bytes(and_mask)
            }
            LogixRequest::ReadTagFragmented { elements, offset } => {
                s.u16_le(*elements)?;
                s.u32_le(*offset)
            }
            LogixRequest::WriteTagFragmented {
                elements,
                offset,
                values,
            } => {
                values.tag_type().encode(s)?;
                s.u16_le(*elements)?;
                s.u32_le(*offset)?;
                s.bytes(values.bytes())
            }
            LogixRequest::GetInstanceAttributeList { attributes } => {
                let n =
                    u16::try_from(attributes.len()).map_err(|_| EmitError::ValueOutOfRange {
                        field: "attribute count",
                    })?;
                s.u16_le(n)?;
                s.bytes(
                    attributes
                        .bytes()
                        .get(..attributes.len() * 2)
                        .unwrap_or_default(),
                )
            }
            LogixRequest::Other { data, .. } => s.bytes(data),
        }
    }
}

/// A Read Tag request body for `elements` elements (1756-PM020 "Read Tag Service").
pub const fn read_tag_request(elements: u16) -> LogixRequest<'static> {
    LogixRequest::ReadTag { elements }
}

/// Writes a Write Tag request body (type, optional structure handle, element count, values) into `buf`;
/// returns the bytes written (1756-PM020 "Write Tag Service"). The element count is the
/// number of values.
pub fn write_tag_request(
    ty: TagType,
    values: &[Value<'_>],
    buf: &mut [u8],
) -> Result<usize, EmitError> {
    fn enc<S: Sink + ?Sized>(
        ty: TagType,
        values: &[Value<'_>],
        s: &mut S,
    ) -> Result<(), EmitError> {
        ty.encode(s)?;
        let n = u16::try_from(values.len())
            .map_err(|_| EmitError::ValueOutOfRange { field: "elements" })?;
        s.u16_le(n)?;
        values.iter().try_for_each(|v| v.encode(s))
    }
    let mut c = otwire_core::Counter::default();
    enc(ty, values, &mut c)?;
    let mut w = otwire_core::Writer::new(buf, c.0)?;
    enc(ty, values, &mut w)?;
    Ok(w.written())
}
