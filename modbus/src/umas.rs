//! The UMAS envelope carried in function code 90 (Schneider Electric Modicon "Unity"),
//! as publicly documented by reverse engineering: session key, UMAS function code (or
//! status, in responses), then function-specific payload.

use crate::codes::UmasFunctionCode;
use crate::error::Error;
use crate::read::Cursor;

/// A UMAS request: `0x5A`, session key, UMAS function code, payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UmasRequest<'a> {
    /// The session (pairing) key from TAKE_PLC_RESERVATION, 0 outside a reservation.
    pub session: u8,
    /// The UMAS function.
    pub function: UmasFunctionCode,
    /// Function-specific bytes.
    pub payload: &'a [u8],
}

/// A UMAS response: `0x5A`, session key, status (0xFE OK, 0xFD error), payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UmasResponse<'a> {
    /// The session key.
    pub session: u8,
    /// `ResponseOk` (0xFE) or `ResponseError` (0xFD); other values are kept.
    pub status: UmasFunctionCode,
    /// Response bytes.
    pub payload: &'a [u8],
}

impl<'a> UmasRequest<'a> {
    pub(crate) fn parse(c: &mut Cursor<'a>) -> Result<Self, Error> {
        Ok(UmasRequest {
            session: c.u8()?,
            function: c.u8()?.into(),
            payload: c.rest(),
        })
    }
}

impl<'a> UmasResponse<'a> {
    pub(crate) fn parse(c: &mut Cursor<'a>) -> Result<Self, Error> {
        Ok(UmasResponse {
            session: c.u8()?,
            status: c.u8()?.into(),
            payload: c.rest(),
        })
    }

    /// Whether the PLC accepted the request.
    pub fn is_ok(&self) -> bool {
        self.status == UmasFunctionCode::ResponseOk
    }
}
