//! CIP request and response headers (Vol. 1 §2-4, Message Router request/response format).

use otwire_core::{EmitError, Sink};

use super::codes::GeneralStatus;
use super::path::Path;
use crate::{Anomalies, Error, Layer, Parsed};

/// The reply bit of the service byte (Vol. 1 §2-4.2).
pub const REPLY_BIT: u8 = 0x80;

/// A Message Router request (Vol. 1 §2-4.1): service, padded EPATH (its size in 16-bit
/// words on the wire), request data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Request<'a> {
    /// The service code (bit 7 clear).
    pub service: u8,
    /// The request path.
    pub path: Path<'a>,
    /// The service's request data.
    pub data: &'a [u8],
}

/// A Message Router response (Vol. 1 §2-4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Response<'a> {
    /// The service code of the request answered (the 0x80 reply bit removed).
    pub service: u8,
    /// The reserved byte (0).
    pub reserved: u8,
    /// General status (Vol. 1 App. B).
    pub general_status: u8,
    /// Additional (extended) status words, little-endian.
    pub additional_status: StatusWords<'a>,
    /// The service's reply data.
    pub data: &'a [u8],
}

/// Additional status: a `Copy` iterator over 16-bit little-endian words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StatusWords<'a>(&'a [u8]);

impl<'a> StatusWords<'a> {
    /// Over the given bytes (an odd last byte is ignored).
    pub const fn new(bytes: &'a [u8]) -> Self {
        StatusWords(bytes)
    }
    /// The bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
    /// The number of whole words.
    pub const fn count(&self) -> usize {
        self.0.len() / 2
    }
    /// The first word (the Connection Manager's extended status).
    pub fn first(&self) -> Option<u16> {
        let (w, _) = self.0.split_first_chunk::<2>()?;
        Some(u16::from_le_bytes(*w))
    }
}

impl Iterator for StatusWords<'_> {
    type Item = u16;
    fn next(&mut self) -> Option<u16> {
        let (w, rest) = self.0.split_first_chunk::<2>()?;
        self.0 = rest;
        Some(u16::from_le_bytes(*w))
    }
}

/// A request or a response, told apart by the reply bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Message<'a> {
    /// Bit 7 of the service byte clear.
    Request(Request<'a>),
    /// Bit 7 set.
    Response(Response<'a>),
}

impl<'a> Message<'a> {
    /// Parses a CIP message (the bytes of a CPF data item).
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Parsed<Message<'a>>, Error> {
        match bytes.first() {
            Some(s) if s & REPLY_BIT != 0 => Ok(Response::parse(bytes)?.map(Message::Response)),
            Some(_) => Ok(Request::parse(bytes)?.map(Message::Request)),
            None => Err(Error::malformed(Layer::Cip, 0)),
        }
    }

    /// The service code (without the reply bit).
    pub const fn service(&self) -> u8 {
        match self {
            Message::Request(r) => r.service,
            Message::Response(r) => r.service,
        }
    }
}

impl<'a> Request<'a> {
    /// Parses a request: at least the service and path size bytes. A path running past the
    /// message is kept as far as it goes ([`Anomalies::PATH_TRUNCATED`], no data).
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Parsed<Request<'a>>, Error> {
        let Some((&[service, words], rest)) = bytes.split_first_chunk::<2>() else {
            return Err(Error::malformed(Layer::Cip, bytes.len()));
        };
        let mut anomalies = Anomalies::empty();
        let n = usize::from(words) * 2;
        let (path, data) = match rest.split_at_checked(n) {
            Some(p) => p,
            None => {
                anomalies |= Anomalies::PATH_TRUNCATED;
                (rest, &[][..])
            }
        };
        let path = Path::padded(path);
        anomalies |= path.check();
        Ok(Parsed::new(
            Request {
                service: service & !REPLY_BIT,
                path,
                data,
            },
            anomalies,
        ))
    }

    /// Encodes the request (the path's size must be even and at most 510 bytes).
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let len = self.path.as_bytes().len();
        if len % 2 != 0 || self.service & REPLY_BIT != 0 {
            return Err(EmitError::ValueOutOfRange {
                field: "request path",
            });
        }
        s.u8(self.service)?;
        s.count8(len / 2, "path size")?;
        self.path.encode(s)?;
        s.bytes(self.data)
    }
}

impl<'a> Response<'a> {
    /// Parses a response: at least the 4 header bytes. Additional status running past the
    /// message is kept as far as it goes ([`Anomalies::STATUS_TRUNCATED`], no data).
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Parsed<Response<'a>>, Error> {
        let Some((&[service, reserved, general_status, words], rest)) =
            bytes.split_first_chunk::<4>()
        else {
            return Err(Error::malformed(Layer::Cip, bytes.len()));
        };
        let mut anomalies = Anomalies::when(reserved != 0, Anomalies::CIP_RESERVED);
        let n = usize::from(words) * 2;
        let (status, data) = match rest.split_at_checked(n) {
            Some(p) => p,
            None => {
                anomalies |= Anomalies::STATUS_TRUNCATED;
                (rest, &[][..])
            }
        };
        Ok(Parsed::new(
            Response {
                service: service & !REPLY_BIT,
                reserved,
                general_status,
                additional_status: StatusWords(status),
                data,
            },
            anomalies,
        ))
    }

    /// The general status as a code.
    pub fn status(&self) -> GeneralStatus {
        GeneralStatus::from(self.general_status)
    }

    /// Whether the general status is success (0) or partial transfer (6), the statuses
    /// whose data is the service's reply data.
    pub const fn is_success(&self) -> bool {
        matches!(self.general_status, 0 | 6)
    }

    /// The first additional status word (the extended status of the Connection Manager).
    pub fn extended_status(&self) -> Option<u16> {
        self.additional_status.first()
    }

    /// Encodes the response.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let st = self.additional_status.as_bytes();
        if st.len() % 2 != 0 {
            return Err(EmitError::ValueOutOfRange {
                field: "additional status",
            });
        }
        s.u8(self.service | REPLY_BIT)?;
        s.u8(self.reserved)?;
        s.u8(self.general_status)?;
        s.count8(st.len() / 2, "additional status size")?;
        s.bytes(st)?;
        s.bytes(self.data)
    }
}

impl Message<'_> {
    /// Encodes the request or response.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match self {
            Message::Request(r) => r.encode(s),
            Message::Response(r) => r.encode(s),
        }
    }
}

otwire_core::emit_via_encode!(Request<'_>, Response<'_>, Message<'_>);
