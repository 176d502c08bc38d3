//! The S7comm header (protocol id 0x32): ROSCTR, redundancy identification, PDU reference,
//! parameter and data lengths, and on ack / ack-data the error class and code (public
//! S7comm descriptions; Wireshark's `s7comm.header.*` fields).

use crate::anomaly::Anomalies;
use crate::codes::{ErrorClass, Rosctr};
use crate::error::{EmitError, Error, Layer};
use crate::error_codes::ErrorCode;
use otwire_core::Sink;

/// The S7comm protocol id, the first byte of every S7comm PDU.
pub const S7COMM_PROTOCOL_ID: u8 = 0x32;
/// Header bytes of jobs and userdata.
pub const HEADER_LEN: usize = 10;
/// Header bytes of ack and ack-data (with error class and code).
pub const ACK_HEADER_LEN: usize = 12;

/// The S7comm header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Header {
    /// Message type.
    pub rosctr: Rosctr,
    /// Redundancy identification (reserved, 0).
    pub redundancy_id: u16,
    /// PDU reference: pairs an answer with its job.
    pub pdu_ref: u16,
    /// Length of the parameter part.
    pub param_len: u16,
    /// Length of the data part.
    pub data_len: u16,
    /// Error class and code, on ack and ack-data only.
    pub error: Option<HeaderError>,
}

/// The error class and code of an ack or ack-data header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HeaderError {
    /// Error class.
    pub class: ErrorClass,
    /// Error code within the class.
    pub code: u8,
}

impl HeaderError {
    /// Class and code as one named 16-bit code.
    pub fn error_code(&self) -> ErrorCode {
        ErrorCode::from(u16::from(self.class.value()) << 8 | u16::from(self.code))
    }

    /// Whether this reports no error.
    pub fn is_ok(&self) -> bool {
        self.class.value() == 0 && self.code == 0
    }
}

impl Header {
    /// Header length for a ROSCTR: 12 for ack and ack-data, 10 otherwise.
    #[inline]
    pub const fn len_for(rosctr: u8) -> usize {
        if rosctr == 2 || rosctr == 3 {
            ACK_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    /// Bytes this header takes.
    #[inline]
    pub fn len(&self) -> usize {
        if self.error.is_some() {
            ACK_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    /// Never empty: a header always has its ten bytes.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Decodes the header at the front of a complete S7comm PDU.
    #[inline]
    pub fn parse(pdu: &[u8]) -> Result<Self, Error> {
        let Some(h) = pdu.first_chunk::<HEADER_LEN>() else {
            return Err(match pdu.first() {
                Some(&b) if b != S7COMM_PROTOCOL_ID => Error::WrongProtocol(b),
                _ => Error::malformed(Layer::Header, pdu.len()),
            });
        };
        if h[0] != S7COMM_PROTOCOL_ID {
            return Err(Error::WrongProtocol(h[0]));
        }
        let error = if Self::len_for(h[1]) == ACK_HEADER_LEN {
            let Some(&[class, code]) = pdu.get(HEADER_LEN..ACK_HEADER_LEN) else {
                return Err(Error::malformed(Layer::Header, pdu.len()));
            };
            Some(HeaderError {
                class: class.into(),
                code,
            })
        } else {
            None
        };
        Ok(Header {
            rosctr: h[1].into(),
            redundancy_id: u16::from_be_bytes([h[2], h[3]]),
            pdu_ref: u16::from_be_bytes([h[4], h[5]]),
            param_len: u16::from_be_bytes([h[6], h[7]]),
            data_len: u16::from_be_bytes([h[8], h[9]]),
            error,
        })
    }

    /// Header anomalies: a reserved field set, an unknown ROSCTR.
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        Anomalies::when(self.redundancy_id != 0, Anomalies::RESERVED_NONZERO)
            | Anomalies::when(!self.rosctr.is_known(), Anomalies::UNKNOWN_ROSCTR)
    }

    /// Writes the header with the given part lengths.
    pub(crate) fn encode<S: Sink + ?Sized>(
        &self,
        s: &mut S,
        param_len: usize,
        data_len: usize,
    ) -> Result<(), EmitError> {
        s.u8(S7COMM_PROTOCOL_ID)?;
        s.u8(self.rosctr.value())?;
        s.u16_be(self.redundancy_id)?;
        s.u16_be(self.pdu_ref)?;
        s.u16_be(
            u16::try_from(param_len).map_err(|_| EmitError::ValueOutOfRange {
                field: "parameter length",
            })?,
        )?;
        s.u16_be(
            u16::try_from(data_len).map_err(|_| EmitError::ValueOutOfRange {
                field: "data length",
            })?,
        )?;
        match (Self::len_for(self.rosctr.value()), self.error) {
            (ACK_HEADER_LEN, e) => {
                let e = e.unwrap_or(HeaderError {
                    class: ErrorClass::NoError,
                    code: 0,
                });
                s.u8(e.class.value())?;
                s.u8(e.code)
            }
            _ => Ok(()),
        }
    }
}
