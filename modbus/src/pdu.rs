//! A PDU in either direction, decoded from a Modbus/TCP frame (Application Protocol §4.1:
//! the same function codes serve both directions, so the direction picks the decoder).

use crate::codes::FunctionCode;
use crate::error::Error;
use crate::frame::Frame;
use crate::request::Request;
use crate::response::Response;
use crate::types::{Direction, Parsed};

/// A request or a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Pdu<'a> {
    /// Client to server.
    Request(Request<'a>),
    /// Server to client.
    Response(Response<'a>),
}

impl<'a> Pdu<'a> {
    /// Decodes a frame's PDU in the given direction. The anomalies include the frame's own
    /// (protocol id, over-long PDU).
    #[inline(always)]
    pub fn parse(frame: &Frame<'a>, dir: Direction) -> Result<Parsed<Pdu<'a>>, Error> {
        // Adds to the result in place: unwrapping and re-wrapping it costs a copy of the
        // whole message, a fifth of the time of the parse (modbus bench).
        let mut parsed = Self::parse_pdu(frame.pdu, dir);
        if let Ok(p) = &mut parsed {
            p.anomalies |= frame.anomalies();
        }
        parsed
    }

    /// Decodes bare PDU bytes (RTU or TCP alike) in the given direction.
    #[inline(always)]
    pub fn parse_pdu(pdu: &'a [u8], dir: Direction) -> Result<Parsed<Pdu<'a>>, Error> {
        match dir {
            Direction::Request => Request::parse(pdu).map(|p| p.map(Pdu::Request)),
            Direction::Response => Response::parse(pdu).map(|p| p.map(Pdu::Response)),
        }
    }

    /// The function code (for exceptions, the failed request's).
    pub fn function_code(&self) -> FunctionCode {
        match self {
            Pdu::Request(r) => r.function_code(),
            Pdu::Response(r) => r.function_code(),
        }
    }

    /// The direction.
    pub fn direction(&self) -> Direction {
        match self {
            Pdu::Request(_) => Direction::Request,
            Pdu::Response(_) => Direction::Response,
        }
    }
}
