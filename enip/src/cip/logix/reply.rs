//! Logix tag service replies (1756-PM020 "Logix5000 Data Access", each service's reply
//! data; pycomm3 and pylogix reply parsers).

use otwire_core::{EmitError, Sink};

use super::LogixService;
use super::rd::Rd;
use super::request::AttributeIds;
use super::types::{SymbolType, TagType, Values};
use crate::{Anomalies, Error, Layer, Parsed};

/// General status 0x06, "partial transfer": more data follows, normal for fragmented
/// reads and for a Read Tag too large for one reply (Vol. 1 App. B; 1756-PM020).
pub const STATUS_PARTIAL_TRANSFER: u8 = 0x06;

/// A Logix service reply's data (1756-PM020), after the CIP reply header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LogixReply<'a> {
    /// The service replied to (the reply bit 0x80 removed).
    pub service: LogixService,
    /// The general status from the CIP reply header.
    pub general_status: u8,
    /// The data.
    pub body: ReplyBody<'a>,
}

/// What a Logix reply carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ReplyBody<'a> {
    /// Nothing: a write, a Read Modify Write, or an error reply.
    Empty,
    /// Read Tag / Read Tag Fragmented data: type, optional structure handle, values.
    Data(Values<'a>),
    /// Get Instance Attribute List data: per instance, its id and attribute values.
    InstanceAttributes(InstanceAttributeList<'a>),
    /// Data of another service, or of an error reply, kept.
    Other(&'a [u8]),
}

impl<'a> LogixReply<'a> {
    /// Parses the reply data of `service` (with or without the reply bit) given the
    /// reply's general status.
    #[inline]
    pub fn parse(
        service: u8,
        general_status: u8,
        data: &'a [u8],
    ) -> Result<Parsed<LogixReply<'a>>, Error> {
        let mut a = Anomalies::empty();
        let svc = LogixService::from(service & 0x7F);
        let ok = general_status == 0 || general_status == STATUS_PARTIAL_TRANSFER;
        let mut rd = Rd::new(data, Layer::Service);
        let body = match svc {
            _ if data.is_empty() && !ok => ReplyBody::Empty,
            LogixService::ReadTag | LogixService::ReadTagFragmented if ok => {
                let ty = TagType::read(&mut rd, &mut a)?;
                let values = Values::new(ty, rd.rest());
                a |= Anomalies::when(
                    !values.is_whole() && general_status == 0,
                    Anomalies::LOGIX_DATA_LENGTH,
                );
                ReplyBody::Data(values)
            }
            LogixService::WriteTag
            | LogixService::WriteTagFragmented
            | LogixService::ReadModifyWrite => {
                a |= Anomalies::when(!data.is_empty(), Anomalies::LOGIX_TRAILING_DATA);
                if data.is_empty() {
                    ReplyBody::Empty
                } else {
                    ReplyBody::Other(data)
                }
            }
            LogixService::GetInstanceAttributeList if ok => {
                ReplyBody::InstanceAttributes(InstanceAttributeList(data))
            }
            _ => ReplyBody::Other(data),
        };
        Ok(Parsed::new(
            LogixReply {
                service: svc,
                general_status,
                body,
            },
            a,
        ))
    }

    /// Whether more data follows (general status 0x06).
    pub const fn is_partial(&self) -> bool {
        self.general_status == STATUS_PARTIAL_TRANSFER
    }

    /// The tag values of a read reply.
    pub const fn values(&self) -> Option<Values<'a>> {
        match self.body {
            ReplyBody::Data(v) => Some(v),
            _ => None,
        }
    }

    /// Writes the reply data (not the CIP reply header).
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match self.body {
            ReplyBody::Empty => Ok(()),
            ReplyBody::Data(v) => {
                v.tag_type().encode(s)?;
                s.bytes(v.bytes())
            }
            ReplyBody::InstanceAttributes(l) => s.bytes(l.0),
            ReplyBody::Other(b) => s.bytes(b),
        }
    }
}

/// Get Instance Attribute List reply data (0x55 on the Symbol class 0x6B; 1756-PM020
/// "Get Instance Attribute List"; pycomm3 `get_tag_list`): per instance, its id (u32) and
/// the values of the attributes asked for, in the order asked. The request says which, so
/// [`entries`](Self::entries) takes its ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InstanceAttributeList<'a>(pub &'a [u8]);

/// The attribute ids pycomm3 and pylogix ask for in the shortest tag list: 1 (symbol
/// name), 2 (symbol type).
pub const NAME_AND_TYPE: AttributeIds<'static> = AttributeIds::new(&[1, 0, 2, 0]);

impl<'a> InstanceAttributeList<'a> {
    /// The instances, reading attributes `ids` (as the request asked) for each.
    pub const fn entries(&self, ids: AttributeIds<'a>) -> InstanceEntries<'a> {
        InstanceEntries { data: self.0, ids }
    }
}

/// The size of a Symbol object attribute value (1756-PM020 "Symbol Object"; pycomm3):
/// `None` for the name (a 2-byte length then the characters) and for unknown ids.
const fn attribute_size(id: u16) -> Option<usize> {
    match id {
        2 | 7 => Some(2),
        3 | 5 | 6 => Some(4),
        8 => Some(12),
        10 => Some(1),
        _ => None,
    }
}

/// One instance of a Get Instance Attribute List reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InstanceEntry<'a> {
    /// The Symbol instance id.
    pub instance: u32,
    /// Attribute 1, the symbol name, when asked for.
    pub name: Option<&'a [u8]>,
    /// Attribute 2, the symbol type word, when asked for.
    pub symbol_type: Option<SymbolType>,
    /// Attribute 8, the array dimensions, when asked for.
    pub dims: Option<[u32; 3]>,
    /// All the attribute value bytes of this instance.
    pub values: &'a [u8],
}

/// The instances of an [`InstanceAttributeList`]; stops at the end, or at an instance cut
/// short or holding an attribute id of unknown size (see [`InstanceEntries::rest`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceEntries<'a> {
    data: &'a [u8],
    ids: AttributeIds<'a>,
}

impl<'a> InstanceEntries<'a> {
    /// Bytes not yet decoded (non-empty after the iterator stops: undecodable).
    pub const fn rest(&self) -> &'a [u8] {
        self.data
    }

    fn entry(&self) -> Result<(InstanceEntry<'a>, usize), Error> {
        let mut rd = Rd::new(self.data, Layer::Service);
        let instance = rd.u32()?;
        let start = rd.pos();
        let (mut name, mut symbol_type, mut dims) = (None, None, None);
        for id in self.ids.iter() {
            match (id, attribute_size(id)) {
                (1, _) => {
                    let n = rd.u16()?;
                    name = Some(rd.take(usize::from(n))?);
                }
                (2, _) => symbol_type = Some(SymbolType(rd.u16()?)),
                (8, _) => dims = Some([rd.u32()?, rd.u32()?, rd.u32()?]),
                (_, Some(n)) => {
                    rd.take(n)?;
                }
                (_, None) => return Err(Error::malformed(Layer::Service, rd.pos())),
            }
        }
        let end = rd.pos();
        let values = self.data.get(start..end).unwrap_or_default();
        let e = InstanceEntry {
            instance,
            name,
            symbol_type,
            dims,
            values,
        };
        Ok((e, end))
    }
}

impl<'a> Iterator for InstanceEntries<'a> {
    type Item = InstanceEntry<'a>;

    fn next(&mut self) -> Option<InstanceEntry<'a>> {
        if self.data.is_empty() {
            return None;
        }
        let (e, used) = self.entry().ok()?;
        self.data = self.data.get(used..).unwrap_or_default();
        Some(e)
    }
}
