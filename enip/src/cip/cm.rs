//! Connection Manager services (class 0x06, Vol. 1 §3-5.5): Unconnected Send, Forward
//! Open, Large Forward Open, Forward Close and their replies.

use otwire_core::{EmitError, Sink};

use super::codes::ConnectionManagerStatus;
use super::message::{Request, Response};
use super::path::Path;
use super::read::Reader;
use crate::{Anomalies, Error, Parsed};

/// Priority/time tick byte and timeout ticks (Vol. 1 §3-5.5.1.3): the request timeout is
/// `timeout_ticks << tick_time` ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Timeout {
    /// Priority/time tick: bit 4 priority, bits 0-3 tick time.
    pub priority_tick: u8,
    /// Timeout ticks.
    pub ticks: u8,
}

impl Timeout {
    /// The timeout in milliseconds.
    pub const fn millis(&self) -> u32 {
        (self.ticks as u32) << (self.priority_tick & 0x0F)
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Timeout {
            priority_tick: r.u8()?,
            ticks: r.u8()?,
        })
    }
    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(self.priority_tick)?;
        s.u8(self.ticks)
    }
}

/// An Unconnected Send request (service 0x52 on class 0x06, Vol. 1 §3-5.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UnconnectedSend<'a> {
    /// Priority/time tick and timeout ticks.
    pub timeout: Timeout,
    /// The embedded message's bytes (its size on the wire).
    pub message: &'a [u8],
    /// The pad byte after an odd-sized message (0), `None` for an even size.
    pub pad: Option<u8>,
    /// The reserved byte after the route path size.
    pub reserved: u8,
    /// The route path (padded: port segments).
    pub route: Path<'a>,
}

impl<'a> UnconnectedSend<'a> {
    /// Parses the service data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<UnconnectedSend<'a>>, Error> {
        let mut r = Reader::new(data);
        let timeout = Timeout::read(&mut r)?;
        let size = usize::from(r.u16()?);
        let message = r.take(size)?;
        let mut a = Anomalies::empty();
        let pad = if size % 2 == 1 {
            let p = r.u8().ok();
            a |= Anomalies::when(p.is_none_or(|p| p != 0), Anomalies::UNCONNECTED_SEND_PAD);
            p
        } else {
            None
        };
        let (reserved, route) = read_sized(&mut r, &mut a)?;
        let route = Path::padded(route);
        a |= route.check();
        a |= Anomalies::when(!r.rest().is_empty(), Anomalies::SERVICE_DATA_TRAILING);
        a |= match Request::parse(message) {
            Ok(p) => p.anomalies,
            Err(_) => Anomalies::EMBEDDED_MALFORMED,
        };
        Ok(Parsed::new(
            UnconnectedSend {
                timeout,
                message,
                pad,
                reserved,
                route,
            },
            a,
        ))
    }

    /// The embedded request.
    pub fn request(&self) -> Result<Parsed<Request<'a>>, Error> {
        Request::parse(self.message)
    }

    /// Encodes the service data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.timeout.encode(s)?;
        let n = u16::try_from(self.message.len()).map_err(|_| EmitError::ValueOutOfRange {
            field: "message size",
        })?;
        s.u16_le(n)?;
        s.bytes(self.message)?;
        if n % 2 == 1 {
            s.u8(self.pad.unwrap_or(0))?;
        }
        encode_sized(s, self.route.as_bytes(), Some(self.reserved), "route path")
    }
}

/// The connection type of network connection parameters (Vol. 1 §3-5.5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConnectionType {
    /// Null (0).
    Null,
    /// Multicast (1).
    Multicast,
    /// Point to point (2).
    PointToPoint,
    /// Reserved (3).
    Reserved,
}

/// The priority of network connection parameters (Vol. 1 §3-5.5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Priority {
    /// Low (0).
    Low,
    /// High (1).
    High,
    /// Scheduled (2).
    Scheduled,
    /// Urgent (3).
    Urgent,
}

/// Network connection parameters, decoded from the 16-bit (Forward Open) or 32-bit (Large
/// Forward Open) word (Vol. 1 §3-5.5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NetworkParams {
    /// The raw word.
    pub raw: u32,
    /// From a Large Forward Open (32-bit form).
    pub large: bool,
}

impl NetworkParams {
    const fn shift(&self) -> u32 {
        if self.large { 16 } else { 0 }
    }
    /// Redundant owner bit.
    pub const fn redundant_owner(&self) -> bool {
        (self.raw >> (15 + self.shift())) & 1 != 0
    }
    /// Connection type.
    pub const fn connection_type(&self) -> ConnectionType {
        match (self.raw >> (13 + self.shift())) & 3 {
            0 => ConnectionType::Null,
            1 => ConnectionType::Multicast,
            2 => ConnectionType::PointToPoint,
            _ => ConnectionType::Reserved,
        }
    }
    /// Priority.
    pub const fn priority(&self) -> Priority {
        match (self.raw >> (10 + self.shift())) & 3 {
            0 => Priority::Low,
            1 => Priority::High,
            2 => Priority::Scheduled,
            _ => Priority::Urgent,
        }
    }
    /// Variable (else fixed) size.
    pub const fn variable(&self) -> bool {
        (self.raw >> (9 + self.shift())) & 1 != 0
    }
    /// Connection size in bytes (9 bits, or 16 in the large form).
    pub const fn size(&self) -> u32 {
        if self.large {
            self.raw & 0xFFFF
        } else {
            self.raw & 0x1FF
        }
    }
    /// The reserved bit (12, or 28) is set.
    pub const fn reserved_set(&self) -> bool {
        (self.raw >> (12 + self.shift())) & 1 != 0
    }
}

/// The transport class and trigger byte (Vol. 1 §3-4.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TransportTrigger(pub u8);

impl TransportTrigger {
    /// Direction bit: server (true) or client.
    pub const fn server(&self) -> bool {
        self.0 & 0x80 != 0
    }
    /// Production trigger (bits 4-6): 0 cyclic, 1 change of state, 2 application object.
    pub const fn trigger(&self) -> u8 {
        (self.0 >> 4) & 7
    }
    /// Transport class (bits 0-3).
    pub const fn class(&self) -> u8 {
        self.0 & 0x0F
    }
}

/// The connection triad (Vol. 1 §3-5.5.1.6): connection serial, vendor, originator serial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Triad {
    /// Connection serial number.
    pub connection_serial: u16,
    /// Originator vendor ID.
    pub vendor: u16,
    /// Originator serial number.
    pub originator_serial: u32,
}

impl Triad {
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Triad {
            connection_serial: r.u16()?,
            vendor: r.u16()?,
            originator_serial: r.u32()?,
        })
    }
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_le(self.connection_serial)?;
        s.u16_le(self.vendor)?;
        s.u32_le(self.originator_serial)
    }
}

/// A Forward Open (0x54) or Large Forward Open (0x5B) request (Vol. 1 §3-5.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ForwardOpen<'a> {
    /// Large Forward Open (32-bit network connection parameters).
    pub large: bool,
    /// Priority/time tick and timeout ticks.
    pub timeout: Timeout,
    /// O->T network connection ID.
    pub ot_connection_id: u32,
    /// T->O network connection ID.
    pub to_connection_id: u32,
    /// The connection triad.
    pub triad: Triad,
    /// Connection timeout multiplier (timeout = RPI × 4 << multiplier).
    pub timeout_multiplier: u8,
    /// The 3 reserved bytes.
    pub reserved: [u8; 3],
    /// O->T requested packet interval (µs).
    pub ot_rpi: u32,
    /// O->T network connection parameters.
    pub ot_params: NetworkParams,
    /// T->O requested packet interval (µs).
    pub to_rpi: u32,
    /// T->O network connection parameters.
    pub to_params: NetworkParams,
    /// Transport class and trigger.
    pub transport: TransportTrigger,
    /// The connection path (padded).
    pub path: Path<'a>,
}

impl<'a> ForwardOpen<'a> {
    /// Parses the service data of a Forward Open (`large` false) or Large Forward Open.
    pub fn parse(data: &'a [u8], large: bool) -> Result<Parsed<ForwardOpen<'a>>, Error> {
        let mut r = Reader::new(data);
        let timeout = Timeout::read(&mut r)?;
        let ot_connection_id = r.u32()?;
        let to_connection_id = r.u32()?;
        let triad = Triad::read(&mut r)?;
        let timeout_multiplier = r.u8()?;
        let res = r.take(3)?;
        let reserved = [
            *res.first().unwrap_or(&0),
            *res.get(1).unwrap_or(&0),
            *res.get(2).unwrap_or(&0),
        ];
        let params = |r: &mut Reader<'_>| -> Result<NetworkParams, Error> {
            let raw = if large { r.u32()? } else { u32::from(r.u16()?) };
            Ok(NetworkParams { raw, large })
        };
        let ot_rpi = r.u32()?;
        let ot_params = params(&mut r)?;
        let to_rpi = r.u32()?;
        let to_params = params(&mut r)?;
        let transport = TransportTrigger(r.u8()?);
        let words = r.u8()?;
        let mut a = Anomalies::when(
            reserved != [0; 3] || ot_params.reserved_set() || to_params.reserved_set(),
            Anomalies::CM_RESERVED,
        );
        let path = Path::padded(r.take_upto(usize::from(words) * 2, &mut a));
        a |= path.check();
        a |= Anomalies::when(!r.rest().is_empty(), Anomalies::SERVICE_DATA_TRAILING);
        Ok(Parsed::new(
            ForwardOpen {
                large,
                timeout,
                ot_connection_id,
                to_connection_id,
                triad,
                timeout_multiplier,
                reserved,
                ot_rpi,
                ot_params,
                to_rpi,
                to_params,
                transport,
                path,
            },
            a,
        ))
    }

    /// Encodes the service data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.timeout.encode(s)?;
        s.u32_le(self.ot_connection_id)?;
        s.u32_le(self.to_connection_id)?;
        self.triad.encode(s)?;
        s.u8(self.timeout_multiplier)?;
        s.bytes(&self.reserved)?;
        let params = |s: &mut S, p: NetworkParams| {
            if self.large {
                s.u32_le(p.raw)
            } else {
                let v = u16::try_from(p.raw).map_err(|_| EmitError::ValueOutOfRange {
                    field: "network connection parameters",
                })?;
                s.u16_le(v)
            }
        };
        s.u32_le(self.ot_rpi)?;
        params(s, self.ot_params)?;
        s.u32_le(self.to_rpi)?;
        params(s, self.to_params)?;
        s.u8(self.transport.0)?;
        encode_sized(s, self.path.as_bytes(), None, "connection path")
    }
}

/// A Forward Close request (0x4E on class 0x06, Vol. 1 §3-5.5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ForwardClose<'a> {
    /// Priority/time tick and timeout ticks.
    pub timeout: Timeout,
    /// The connection triad.
    pub triad: Triad,
    /// The reserved byte after the path size.
    pub reserved: u8,
    /// The connection path (padded).
    pub path: Path<'a>,
}

impl<'a> ForwardClose<'a> {
    /// Parses the service data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<ForwardClose<'a>>, Error> {
        let mut r = Reader::new(data);
        let timeout = Timeout::read(&mut r)?;
        let triad = Triad::read(&mut r)?;
        let mut a = Anomalies::empty();
        let (reserved, path) = read_sized(&mut r, &mut a)?;
        let path = Path::padded(path);
        a |= path.check();
        a |= Anomalies::when(!r.rest().is_empty(), Anomalies::SERVICE_DATA_TRAILING);
        Ok(Parsed::new(
            ForwardClose {
                timeout,
                triad,
                reserved,
                path,
            },
            a,
        ))
    }

    /// Encodes the service data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.timeout.encode(s)?;
        self.triad.encode(s)?;
        encode_sized(
            s,
            self.path.as_bytes(),
            Some(self.reserved),
            "connection path",
        )
    }
}

/// A successful Forward Open / Large Forward Open reply (Vol. 1 §3-5.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ForwardOpenReply<'a> {
    /// O->T network connection ID.
    pub ot_connection_id: u32,
    /// T->O network connection ID.
    pub to_connection_id: u32,
    /// The connection triad.
    pub triad: Triad,
    /// O->T actual packet interval (µs).
    pub ot_api: u32,
    /// T->O actual packet interval (µs).
    pub to_api: u32,
    /// The reserved byte after the application reply size.
    pub reserved: u8,
    /// The application reply.
    pub application_reply: &'a [u8],
}

impl<'a> ForwardOpenReply<'a> {
    /// Parses a success reply's data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<ForwardOpenReply<'a>>, Error> {
        let mut r = Reader::new(data);
        let ot_connection_id = r.u32()?;
        let to_connection_id = r.u32()?;
        let triad = Triad::read(&mut r)?;
        let ot_api = r.u32()?;
        let to_api = r.u32()?;
        let mut a = Anomalies::empty();
        let (reserved, application_reply) = read_sized(&mut r, &mut a)?;
        a |= Anomalies::when(!r.rest().is_empty(), Anomalies::SERVICE_DATA_TRAILING);
        Ok(Parsed::new(
            ForwardOpenReply {
                ot_connection_id,
                to_connection_id,
                triad,
                ot_api,
                to_api,
                reserved,
                application_reply,
            },
            a,
        ))
    }

    /// Encodes the reply data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u32_le(self.ot_connection_id)?;
        s.u32_le(self.to_connection_id)?;
        self.triad.encode(s)?;
        s.u32_le(self.ot_api)?;
        s.u32_le(self.to_api)?;
        encode_sized(
            s,
            self.application_reply,
            Some(self.reserved),
            "application reply",
        )
    }
}

/// Encodes a size in words, the reserved byte that may follow it, and the bytes.
fn encode_sized<S: Sink + ?Sized>(
    s: &mut S,
    b: &[u8],
    reserved: Option<u8>,
    field: &'static str,
) -> Result<(), EmitError> {
    if b.len() % 2 != 0 {
        return Err(EmitError::ValueOutOfRange { field });
    }
    s.count8(b.len() / 2, field)?;
    if let Some(r) = reserved {
        s.u8(r)?;
    }
    s.bytes(b)
}

/// Reads a size in words and the reserved byte after it, then up to that many bytes
/// ([`Anomalies::CM_RESERVED`] for a reserved byte other than 0).
fn read_sized<'a>(r: &mut Reader<'a>, a: &mut Anomalies) -> Result<(u8, &'a [u8]), Error> {
    let words = r.u8()?;
    let reserved = r.u8()?;
    *a |= Anomalies::when(reserved != 0, Anomalies::CM_RESERVED);
    Ok((reserved, r.take_upto(usize::from(words) * 2, a)))
}

/// A successful Forward Close reply (Vol. 1 §3-5.5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ForwardCloseReply<'a> {
    /// The connection triad.
    pub triad: Triad,
    /// The reserved byte after the application reply size.
    pub reserved: u8,
    /// The application reply.
    pub application_reply: &'a [u8],
}

impl<'a> ForwardCloseReply<'a> {
    /// Parses a success reply's data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<ForwardCloseReply<'a>>, Error> {
        let mut r = Reader::new(data);
        let triad = Triad::read(&mut r)?;
        let mut a = Anomalies::empty();
        let (reserved, application_reply) = read_sized(&mut r, &mut a)?;
        a |= Anomalies::when(!r.rest().is_empty(), Anomalies::SERVICE_DATA_TRAILING);
        Ok(Parsed::new(
            ForwardCloseReply {
                triad,
                reserved,
                application_reply,
            },
            a,
        ))
    }

    /// Encodes the reply data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.triad.encode(s)?;
        encode_sized(
            s,
            self.application_reply,
            Some(self.reserved),
            "application reply",
        )
    }
}

/// A failed Forward Open / Forward Close reply's data (Vol. 1 §3-5.5.2): the triad and the
/// remaining path size; the extended status is in the response header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConnectionError {
    /// The connection triad (absent when the data is shorter).
    pub triad: Option<Triad>,
    /// Remaining path size in words (routing errors).
    pub remaining_path_size: Option<u8>,
    /// The Connection Manager extended status from the response header.
    pub extended_status: Option<ConnectionManagerStatus>,
}

impl ConnectionError {
    /// Reads the error data of a response.
    pub fn parse(resp: &Response<'_>) -> Parsed<ConnectionError> {
        let mut r = Reader::new(resp.data);
        let triad = Triad::read(&mut r).ok();
        let remaining_path_size = triad.and_then(|_| r.u8().ok());
        let _ = r.u8();
        Parsed::new(
            ConnectionError {
                triad,
                remaining_path_size,
                extended_status: resp.extended_status().map(ConnectionManagerStatus::from),
            },
            Anomalies::empty(),
        )
    }
}

/// The data of a failed Unconnected Send reply (service 0x52 answered by the local
/// Connection Manager, Vol. 1 §3-5.5.2): the remaining path size on routing errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UnconnectedSendError {
    /// Remaining path size in words.
    pub remaining_path_size: Option<u8>,
    /// The Connection Manager extended status from the response header.
    pub extended_status: Option<ConnectionManagerStatus>,
}

impl UnconnectedSendError {
    /// Reads the error data of a response.
    pub fn parse(resp: &Response<'_>) -> UnconnectedSendError {
        UnconnectedSendError {
            remaining_path_size: resp.data.first().copied(),
            extended_status: resp.extended_status().map(ConnectionManagerStatus::from),
        }
    }
}

otwire_core::emit_via_encode!(
    UnconnectedSend<'_>,
    ForwardOpen<'_>,
    ForwardClose<'_>,
    ForwardOpenReply<'_>,
    ForwardCloseReply<'_>
);
