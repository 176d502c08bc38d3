//! Request builders that own nothing but what they are given: common services to a class,
//! instance and attribute (Vol. 1 App. A), Unconnected Send, Forward Open and Multiple
//! Service Packet requests (Vol. 1 §3-5.5, § ), Logix Read Tag (pycomm3).

use otwire_core::{Emit, EmitError, Sink};

use super::cm::{ForwardOpen, Timeout};
use super::msp::MultipleServiceBuilder;
use super::path::{LogicalType, Segment, logical};

/// Encodes a padded logical segment.
fn seg<S: Sink + ?Sized>(s: &mut S, kind: LogicalType, v: u32) -> Result<(), EmitError> {
    logical(kind, v).encode(s, false)
}

/// A request to a class, instance and optional attribute, with data (Vol. 1 §2-4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Addressed<'a> {
    /// The service code.
    pub service: u8,
    /// The class.
    pub class: u32,
    /// The instance.
    pub instance: u32,
    /// The attribute, if any.
    pub attribute: Option<u32>,
    /// The request data.
    pub data: &'a [u8],
}

impl Addressed<'_> {
    /// Encodes service, path size, padded path and data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let mut c = otwire_core::Counter::default();
        self.path(&mut c)?;
        s.u8(self.service)?;
        s.count8(c.0 / 2, "path size")?;
        self.path(s)?;
        s.bytes(self.data)
    }

    fn path<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        seg(s, LogicalType::Class, self.class)?;
        seg(s, LogicalType::Instance, self.instance)?;
        if let Some(a) = self.attribute {
            seg(s, LogicalType::Attribute, a)?;
        }
        Ok(())
    }
}

/// Get Attributes All (0x01) to `class`/`instance`.
pub const fn get_attributes_all(class: u32, instance: u32) -> Addressed<'static> {
    Addressed {
        service: 0x01,
        class,
        instance,
        attribute: None,
        data: &[],
    }
}

/// Get Attribute Single (0x0E).
pub const fn get_attribute_single(class: u32, instance: u32, attribute: u32) -> Addressed<'static> {
    Addressed {
        service: 0x0E,
        class,
        instance,
        attribute: Some(attribute),
        data: &[],
    }
}

/// Set Attribute Single (0x10) with the attribute's value.
pub const fn set_attribute_single(
    class: u32,
    instance: u32,
    attribute: u32,
    data: &[u8],
) -> Addressed<'_> {
    Addressed {
        service: 0x10,
        class,
        instance,
        attribute: Some(attribute),
        data,
    }
}

/// A Logix tag path written as text (`Program:Main.tag[3,4].x`), encoded as ANSI extended
/// symbol segments (0x91) and member segments for the indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TagPath<'a>(pub &'a str);

impl TagPath<'_> {
    /// Encodes the segments (padded form).
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let bad = EmitError::ValueOutOfRange { field: "tag" };
        for part in self.0.split('.') {
            let (name, idx) = match part.split_once('[') {
                Some((n, rest)) => (n, Some(rest.strip_suffix(']').ok_or(bad)?)),
                None => (part, None),
            };
            if name.is_empty() {
                return Err(bad);
            }
            Segment::AnsiSymbol(name.as_bytes()).encode(s, false)?;
            if let Some(idx) = idx {
                for i in idx.split(',') {
                    let v: u32 = i.trim().parse().map_err(|_| bad)?;
                    seg(s, LogicalType::Member, v)?;
                }
            }
        }
        Ok(())
    }
}

/// A Logix Read Tag request (0x4C; data: element count, pycomm3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadTag<'a> {
    /// The tag.
    pub tag: TagPath<'a>,
    /// The number of elements.
    pub elements: u16,
}

/// Read Tag of `elements` elements of `tag`.
pub const fn read_tag(tag: &str, elements: u16) -> ReadTag<'_> {
    ReadTag {
        tag: TagPath(tag),
        elements,
    }
}

impl ReadTag<'_> {
    /// Encodes the request.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let mut c = otwire_core::Counter::default();
        self.tag.encode(&mut c)?;
        s.u8(0x4C)?;
        s.count8(c.0 / 2, "path size")?;
        self.tag.encode(s)?;
        s.u16_le(self.elements)
    }
}

/// The Connection Manager path (class 0x06, instance 1).
const CM_PATH: [u8; 4] = [0x20, 0x06, 0x24, 0x01];
/// The Message Router path (class 0x02, instance 1).
const MR_PATH: [u8; 4] = [0x20, 0x02, 0x24, 0x01];

/// An Unconnected Send request carrying an embedded request (Vol. 1 §3-5.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnconnectedSendRequest<'a, M> {
    /// Priority/time tick and timeout ticks.
    pub timeout: Timeout,
    /// The embedded request.
    pub message: M,
    /// The route path (port segments, even length).
    pub route: &'a [u8],
}

/// Unconnected Send of `embedded` along `route`, with a 2 s timeout (tick 10, 2 ticks ≈
/// 2048 ms).
pub const fn unconnected_send<M>(embedded: M, route: &[u8]) -> UnconnectedSendRequest<'_, M> {
    UnconnectedSendRequest {
        timeout: Timeout {
            priority_tick: 0x0A,
            ticks: 2,
        },
        message: embedded,
        route,
    }
}

impl<M: Emit> UnconnectedSendRequest<'_, M> {
    /// Encodes the request.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(0x52)?;
        s.u8(2)?;
        s.bytes(&CM_PATH)?;
        self.timeout.encode(s)?;
        let n = self.message.buffer_len();
        let n16 = u16::try_from(n).map_err(|_| EmitError::ValueOutOfRange {
            field: "message size",
        })?;
        s.u16_le(n16)?;
        s.nested(&self.message)?;
        if n % 2 == 1 {
            s.u8(0)?;
        }
        if self.route.len() % 2 != 0 {
            return Err(EmitError::ValueOutOfRange {
                field: "route path",
            });
        }
        s.count8(self.route.len() / 2, "route path size")?;
        s.u8(0)?;
        s.bytes(self.route)
    }
}

/// A Forward Open or Large Forward Open request (per `open.large`) to the Connection
/// Manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ForwardOpenRequest<'a>(pub ForwardOpen<'a>);

/// A Forward Open request with these fields.
pub const fn forward_open(open: ForwardOpen<'_>) -> ForwardOpenRequest<'_> {
    ForwardOpenRequest(open)
}

impl ForwardOpenRequest<'_> {
    /// Encodes the request.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(if self.0.large { 0x5B } else { 0x54 })?;
        s.u8(2)?;
        s.bytes(&CM_PATH)?;
        self.0.encode(s)
    }
}

/// A Multiple Service Packet request to the Message Router.
#[derive(Debug, Clone, Copy)]
pub struct MultipleServiceRequest<'s, M>(pub MultipleServiceBuilder<'s, M>);

/// A Multiple Service Packet request of these requests.
pub const fn multiple_service_packet<M>(requests: &[M]) -> MultipleServiceRequest<'_, M> {
    MultipleServiceRequest(MultipleServiceBuilder { messages: requests })
}

impl<M: Emit> MultipleServiceRequest<'_, M> {
    /// Encodes the request.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(0x0A)?;
        s.u8(2)?;
        s.bytes(&MR_PATH)?;
        self.0.encode(s)
    }
}

otwire_core::emit_via_encode!(
    Addressed<'_>,
    TagPath<'_>,
    ReadTag<'_>,
    ForwardOpenRequest<'_>
);

emit_generic!(UnconnectedSendRequest);

emit_generic!(MultipleServiceRequest);
