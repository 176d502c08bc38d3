//! What a service code means, resolved by the class or path it is sent to, and the typed
//! request and reply bodies (Vol. 1 App. A: services 0x00-0x31 are common to every class,
//! 0x32-0x7F are object-specific, so the same code means different things by class).

use super::cm::{
    ConnectionError, ForwardClose, ForwardCloseReply, ForwardOpen, ForwardOpenReply,
    UnconnectedSend, UnconnectedSendError,
};
use super::codes::{ClassCode, ConnectionManagerService, Service};
use super::logix::{LogixReply, LogixRequest, TemplateReadRequest};
use super::message::{Request, Response};
use super::msp::MultipleService;
use super::path::{LogicalType, Path, Segment};
use super::pccc::{PcccReply, PcccRequest};
use crate::{Anomalies, Parsed};

/// The class of the Connection Manager.
const CM_CLASS: u32 = 0x06;
/// The class of the PCCC object (Execute PCCC, 0x4B).
const PCCC_CLASS: u32 = 0x67;
/// The Logix Symbol object (pycomm3).
const SYMBOL_CLASS: u32 = 0x6B;
/// The Logix Template object (pycomm3).
const TEMPLATE_CLASS: u32 = 0x6C;

/// What a request's service code means once its path is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ServiceKind {
    /// A common service (0x00-0x31, Vol. 1 App. A-3).
    Common(Service),
    /// A Connection Manager service on class 0x06 (Vol. 1 §3-5.5).
    ConnectionManager(ConnectionManagerService),
    /// A Logix service on a tag (symbolic path) or on the Symbol (0x6B) or Template (0x6C)
    /// class: 0x4C Read Tag, 0x4D Write Tag, 0x4E Read-Modify-Write, 0x52 Read Tag
    /// Fragmented, 0x53 Write Tag Fragmented, 0x55 Get Instance Attribute List (pycomm3).
    Logix(u8),
    /// Read Template (0x4C on the Template class 0x6C, 1756-PM020): a structure
    /// definition, not a tag.
    TemplateRead,
    /// Execute PCCC (0x4B on class 0x67).
    Pccc,
    /// Another object-specific service.
    ObjectSpecific {
        /// The class addressed, when the path has one.
        class: Option<u32>,
        /// The service code.
        service: u8,
    },
}

impl ServiceKind {
    /// Resolves `service` (reply bit clear) sent to `path`.
    #[inline]
    pub fn resolve(service: u8, path: &Path<'_>) -> ServiceKind {
        let service = service & 0x7F;
        if service < 0x32 {
            return ServiceKind::Common(Service::from(service));
        }
        // One walk of the path for both what it addresses: the first class, and whether it
        // names a tag ([`Path::class`], [`Path::is_symbolic`]).
        let (mut class, mut symbolic) = (None, false);
        for seg in path.segments() {
            match seg {
                Segment::Logical {
                    kind: LogicalType::Class,
                    value,
                    ..
                } if class.is_none() => class = Some(value),
                Segment::AnsiSymbol(_) | Segment::Symbolic(_) => symbolic = true,
                _ => {}
            }
            if class.is_some() && symbolic {
                break;
            }
        }
        match class {
            Some(CM_CLASS) => {
                let s = ConnectionManagerService::from(service);
                if s.is_known() {
                    return ServiceKind::ConnectionManager(s);
                }
            }
            Some(PCCC_CLASS) if service == 0x4B => return ServiceKind::Pccc,
            Some(TEMPLATE_CLASS) if service == 0x4C => return ServiceKind::TemplateRead,
            Some(SYMBOL_CLASS | TEMPLATE_CLASS) => return ServiceKind::Logix(service),
            _ => {}
        }
        if symbolic && matches!(service, 0x4C..=0x4E | 0x52 | 0x53 | 0x55) {
            return ServiceKind::Logix(service);
        }
        ServiceKind::ObjectSpecific { class, service }
    }

    /// The service's name: the common or Connection Manager name, or the Logix one.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            ServiceKind::Common(s) => s.name(),
            ServiceKind::ConnectionManager(s) => s.name(),
            ServiceKind::Logix(s) => match s {
                0x4C => Some("Read Tag"),
                0x4D => Some("Write Tag"),
                0x4E => Some("Read Modify Write Tag"),
                0x52 => Some("Read Tag Fragmented"),
                0x53 => Some("Write Tag Fragmented"),
                0x55 => Some("Get Instance Attribute List"),
                _ => None,
            },
            ServiceKind::TemplateRead => Some("Read Template"),
            ServiceKind::Pccc => Some("Execute PCCC"),
            ServiceKind::ObjectSpecific { .. } => None,
        }
    }
}

/// The class addressed, as a code.
pub fn class_code(path: &Path<'_>) -> Option<ClassCode> {
    path.class()
        .and_then(|c| u16::try_from(c).ok())
        .map(ClassCode::from)
}

/// A request's data, typed by what the service means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum RequestBody<'a> {
    /// Multiple Service Packet (0x0A).
    MultipleServicePacket(MultipleService<'a>),
    /// Unconnected Send (0x52 on class 0x06).
    UnconnectedSend(UnconnectedSend<'a>),
    /// Forward Open (0x54 on class 0x06).
    ForwardOpen(ForwardOpen<'a>),
    /// Large Forward Open (0x5B on class 0x06).
    LargeForwardOpen(ForwardOpen<'a>),
    /// Forward Close (0x4E on class 0x06).
    ForwardClose(ForwardClose<'a>),
    /// Get Attributes All (0x01): no data expected.
    GetAttributesAll,
    /// Get Attribute Single (0x0E): no data expected.
    GetAttributeSingle,
    /// Set Attribute Single (0x10): the attribute's value.
    SetAttributeSingle(&'a [u8]),
    /// A Logix service on a tag or on the Symbol or Template class (1756-PM020).
    Logix(LogixRequest<'a>),
    /// Read Template (0x4C on class 0x6C): the byte offset and count of the definition.
    TemplateRead(TemplateReadRequest),
    /// Execute PCCC (0x4B on class 0x67): the PCCC command.
    Pccc(PcccRequest<'a>),
    /// Any other service, or data that did not decode as its service's.
    Other(&'a [u8]),
}

fn typed<'a, T>(
    r: Result<Parsed<T>, crate::Error>,
    wrap: impl FnOnce(T) -> RequestBody<'a>,
    data: &'a [u8],
) -> Parsed<RequestBody<'a>> {
    match r {
        Ok(p) => p.map(wrap),
        Err(_) => Parsed::new(RequestBody::Other(data), Anomalies::SERVICE_DATA_SHORT),
    }
}

impl<'a> Request<'a> {
    /// What the service means on this path.
    #[inline]
    pub fn kind(&self) -> ServiceKind {
        ServiceKind::resolve(self.service, &self.path)
    }

    /// The typed body (never fails: data that does not decode as its service's is
    /// [`RequestBody::Other`] with [`Anomalies::SERVICE_DATA_SHORT`]).
    #[inline]
    pub fn body(&self) -> Parsed<RequestBody<'a>> {
        let d = self.data;
        let none = |b: RequestBody<'a>| {
            Parsed::new(
                b,
                Anomalies::when(!d.is_empty(), Anomalies::SERVICE_DATA_TRAILING),
            )
        };
        match self.kind() {
            ServiceKind::Common(Service::MultipleServicePacket) => typed(
                MultipleService::parse(d),
                RequestBody::MultipleServicePacket,
                d,
            ),
            ServiceKind::Common(Service::GetAttributesAll) => none(RequestBody::GetAttributesAll),
            ServiceKind::Common(Service::GetAttributeSingle) => {
                none(RequestBody::GetAttributeSingle)
            }
            ServiceKind::Common(Service::SetAttributeSingle) => {
                Parsed::new(RequestBody::SetAttributeSingle(d), Anomalies::empty())
            }
            ServiceKind::ConnectionManager(ConnectionManagerService::UnconnectedSend) => {
                typed(UnconnectedSend::parse(d), RequestBody::UnconnectedSend, d)
            }
            ServiceKind::ConnectionManager(ConnectionManagerService::ForwardOpen) => {
                typed(ForwardOpen::parse(d, false), RequestBody::ForwardOpen, d)
            }
            ServiceKind::ConnectionManager(ConnectionManagerService::LargeForwardOpen) => typed(
                ForwardOpen::parse(d, true),
                RequestBody::LargeForwardOpen,
                d,
            ),
            ServiceKind::ConnectionManager(ConnectionManagerService::ForwardClose) => {
                typed(ForwardClose::parse(d), RequestBody::ForwardClose, d)
            }
            ServiceKind::Logix(service) => {
                typed(LogixRequest::parse(service, d), RequestBody::Logix, d)
            }
            ServiceKind::TemplateRead => {
                typed(TemplateReadRequest::parse(d), RequestBody::TemplateRead, d)
            }
            ServiceKind::Pccc => typed(PcccRequest::parse(d), RequestBody::Pccc, d),
            _ => Parsed::new(RequestBody::Other(d), Anomalies::empty()),
        }
    }
}

/// A reply's data, typed by what the request it answers meant (its [`ServiceKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ResponseBody<'a> {
    /// Multiple Service Packet replies.
    MultipleServicePacket(MultipleService<'a>),
    /// A successful (Large) Forward Open.
    ForwardOpen(ForwardOpenReply<'a>),
    /// A successful Forward Close.
    ForwardClose(ForwardCloseReply<'a>),
    /// A failed Forward Open, Large Forward Open or Forward Close.
    ConnectionError(ConnectionError),
    /// A failed Unconnected Send (a successful one comes back as the embedded service's
    /// reply).
    UnconnectedSendError(UnconnectedSendError),
    /// A Logix reply (1756-PM020): tag values, an attribute list, or nothing.
    Logix(LogixReply<'a>),
    /// An Execute PCCC reply: the PCCC reply.
    Pccc(PcccReply<'a>),
    /// Attribute data (Get Attributes All, Get Attribute Single) or any other reply data;
    /// see `crate::cip::objects` for the typed attributes.
    Data(&'a [u8]),
}

impl<'a> Response<'a> {
    /// The typed body, given what the request meant (from a
    /// [`pairing`](crate::cip::pairing) table, or [`ServiceKind::resolve`] on the request).
    #[inline]
    pub fn body(&self, kind: ServiceKind) -> Parsed<ResponseBody<'a>> {
        use ConnectionManagerService as Cm;
        let d = self.data;
        let ok = self.is_success();
        let r = |x: Result<Parsed<ResponseBody<'a>>, crate::Error>| {
            x.unwrap_or(Parsed::new(
                ResponseBody::Data(d),
                Anomalies::SERVICE_DATA_SHORT,
            ))
        };
        match kind {
            ServiceKind::Common(Service::MultipleServicePacket) if !d.is_empty() => {
                r(MultipleService::parse(d).map(|p| p.map(ResponseBody::MultipleServicePacket)))
            }
            ServiceKind::ConnectionManager(Cm::ForwardOpen | Cm::LargeForwardOpen) if ok => {
                r(ForwardOpenReply::parse(d).map(|p| p.map(ResponseBody::ForwardOpen)))
            }
            ServiceKind::ConnectionManager(Cm::ForwardClose) if ok => {
                r(ForwardCloseReply::parse(d).map(|p| p.map(ResponseBody::ForwardClose)))
            }
            ServiceKind::ConnectionManager(
                Cm::ForwardOpen | Cm::LargeForwardOpen | Cm::ForwardClose,
            ) => ConnectionError::parse(self).map(ResponseBody::ConnectionError),
            ServiceKind::ConnectionManager(Cm::UnconnectedSend) if !ok => Parsed::new(
                ResponseBody::UnconnectedSendError(UnconnectedSendError::parse(self)),
                Anomalies::empty(),
            ),
            ServiceKind::Logix(service) => r(LogixReply::parse(service, self.general_status, d)
                .map(|p| p.map(ResponseBody::Logix))),
            ServiceKind::Pccc if ok => r(PcccReply::parse(d).map(|p| p.map(ResponseBody::Pccc))),
            _ => Parsed::new(ResponseBody::Data(d), Anomalies::empty()),
        }
    }
}
