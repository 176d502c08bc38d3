//! Transport function (IEEE 1815-2012 §8.2): the one-octet header (FIN, FIR, SEQUENCE)
//! that splits an application fragment into link-sized segments.

use crate::emit::Sink;
use crate::error::{EmitError, Error, Layer};

/// Largest segment payload: 250 octets of link user data minus the transport header.
pub const MAX_SEGMENT_PAYLOAD: usize = crate::link::MAX_USER_DATA - 1;

/// The transport header octet (§8.2.1): FIN (bit 7), FIR (bit 6), SEQUENCE (bits 5-0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TransportHeader {
    /// FIN: last segment of the fragment.
    pub fin: bool,
    /// FIR: first segment of the fragment.
    pub fir: bool,
    /// SEQUENCE, 0-63, incremented modulo 64 per segment.
    pub seq: u8,
}

impl TransportHeader {
    /// Decodes the octet.
    pub fn from_u8(b: u8) -> Self {
        TransportHeader {
            fin: b & 0x80 != 0,
            fir: b & 0x40 != 0,
            seq: b & 0x3F,
        }
    }

    /// Encodes the octet (SEQUENCE masked to 6 bits).
    pub fn to_u8(self) -> u8 {
        (u8::from(self.fin) << 7) | (u8::from(self.fir) << 6) | (self.seq & 0x3F)
    }
}

/// A transport segment (§8.2): header plus a piece of an application fragment, borrowed
/// from de-blocked link user data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Segment<'a> {
    /// FIN, FIR, SEQUENCE.
    pub header: TransportHeader,
    /// The application octets this segment carries (may be empty).
    pub payload: &'a [u8],
}

impl<'a> Segment<'a> {
    /// Parses link user data as a segment. Empty user data is `Malformed`.
    pub fn parse(user_data: &'a [u8]) -> Result<Self, Error> {
        let (&h, payload) = user_data.split_first().ok_or(Error::Malformed {
            layer: Layer::Transport,
            offset: 0,
        })?;
        Ok(Segment {
            header: TransportHeader::from_u8(h),
            payload,
        })
    }
}

otwire_core::emit_via_encode!(Segment<'_>);

impl Segment<'_> {
    fn encode<S: Sink + ?Sized>(&self, w: &mut S) -> Result<(), EmitError> {
        w.u8(self.header.to_u8())?;
        w.bytes(self.payload)
    }
}
