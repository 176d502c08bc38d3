//! TPKT framing: ISO transport services on top of TCP (RFC 1006 §6): a four-byte header
//! (version 3, reserved 0, length including the header) in front of each COTP TPDU.

use crate::anomaly::Anomalies;
use crate::error::{EmitError, Error, Layer, Needed};
use otwire_core::{Emit, Sink, emit_via_encode};

/// Bytes in the TPKT header.
pub const TPKT_HEADER_LEN: usize = 4;
/// The TPKT version RFC 1006 defines.
pub const TPKT_VERSION: u8 = 3;
/// The smallest TPKT length that holds a TPDU: header plus a class 0 DT header (RFC 1006
/// §6 gives 7 as the minimum).
pub const MIN_TPKT_LEN: usize = 7;
/// The TCP port of ISO-on-TCP (`iso-tsap`).
pub const PORT: u16 = 102;

/// The TPKT header (RFC 1006 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TpktHeader {
    /// Version: 3.
    pub version: u8,
    /// Reserved: 0.
    pub reserved: u8,
    /// Length of the whole packet, header included.
    pub length: u16,
}

impl TpktHeader {
    /// Decodes the four header bytes at the front of `input`.
    #[inline]
    pub fn parse(input: &[u8]) -> Result<Self, Error> {
        let Some(h) = input.first_chunk::<TPKT_HEADER_LEN>() else {
            return Err(Error::Incomplete(Needed::new(
                TPKT_HEADER_LEN - input.len(),
            )));
        };
        Ok(TpktHeader {
            version: h[0],
            reserved: h[1],
            length: u16::from_be_bytes([h[2], h[3]]),
        })
    }

    /// Whether this header could start a TPKT: version 3, reserved 0, length at least 7.
    #[inline]
    pub fn is_plausible(&self) -> bool {
        self.version == TPKT_VERSION
            && self.reserved == 0
            && usize::from(self.length) >= MIN_TPKT_LEN
    }

    /// Header anomalies: a version other than 3, a non-zero reserved byte.
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        Anomalies::when(
            self.version != TPKT_VERSION || self.reserved != 0,
            Anomalies::TPKT_HEADER,
        )
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(self.version)?;
        s.u8(self.reserved)?;
        s.u16_be(self.length)
    }
}

/// One TPKT: its header and the TPDU bytes it delimits, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Frame<'a> {
    /// The TPKT header.
    pub header: TpktHeader,
    /// The COTP TPDU: `header.length - 4` bytes.
    pub tpdu: &'a [u8],
}

impl Frame<'_> {
    /// Frame-level anomalies (see [`TpktHeader::anomalies`]).
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        self.header.anomalies()
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        Tpkt(otwire_core::Raw(self.tpdu))
            .with_header(self.header.version, self.header.reserved)
            .encode(s)
    }
}

/// Splits the next TPKT off the front of a byte stream (RFC 1006 §6: the length field
/// delimits the packet).
///
/// Returns `Incomplete` until the whole packet is there. A length below 4 cannot hold even
/// the header and is `Malformed`; a version or reserved byte off is flagged by
/// [`Frame::anomalies`], not refused.
#[inline]
pub fn split_frame(input: &[u8]) -> Result<(Frame<'_>, &[u8]), Error> {
    let header = TpktHeader::parse(input)?;
    let total = usize::from(header.length);
    if total < TPKT_HEADER_LEN {
        return Err(Error::malformed(Layer::Tpkt, 2));
    }
    let Some((packet, rest)) = input.split_at_checked(total) else {
        return Err(Error::Incomplete(Needed::new(total - input.len())));
    };
    let tpdu = packet.get(TPKT_HEADER_LEN..).unwrap_or_default();
    Ok((Frame { header, tpdu }, rest))
}

/// A TPKT to encode around any encodable TPDU; `emit` computes the length.
///
/// ```
/// use otwire_s7::{Emit, Raw, Tpkt};
/// let mut buf = [0u8; 7];
/// assert_eq!(Tpkt(Raw(&[0x02, 0xF0, 0x80])).emit(&mut buf), Ok(7));
/// assert_eq!(buf, [3, 0, 0, 7, 0x02, 0xF0, 0x80]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Tpkt<P>(pub P);

impl<P: Emit> Tpkt<P> {
    /// Wraps with another version and reserved byte (for test generation).
    pub fn with_header(self, version: u8, reserved: u8) -> TpktWith<P> {
        TpktWith {
            version,
            reserved,
            tpdu: self.0,
        }
    }
}

/// A TPKT with explicit version and reserved bytes (see [`Tpkt::with_header`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TpktWith<P> {
    /// Version byte.
    pub version: u8,
    /// Reserved byte.
    pub reserved: u8,
    /// The TPDU.
    pub tpdu: P,
}

impl<P: Emit> TpktWith<P> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let length = u16::try_from(TPKT_HEADER_LEN + self.tpdu.buffer_len()).map_err(|_| {
            EmitError::ValueOutOfRange {
                field: "TPKT length",
            }
        })?;
        TpktHeader {
            version: self.version,
            reserved: self.reserved,
            length,
        }
        .encode(s)?;
        s.nested(&self.tpdu)
    }
}

emit_via_encode!(TpktHeader, Frame<'_>);

impl<P: Emit> Emit for Tpkt<P> {
    fn buffer_len(&self) -> usize {
        TPKT_HEADER_LEN + self.0.buffer_len()
    }
    /// Writes the TPDU behind the header first, then the header with its length: the
    /// inner length is not computed twice (`buffer_len` of nested wrappers would be).
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        // A buffer that could hold more than the 16-bit length allows is checked up front,
        // so that a failed emit still writes nothing.
        if buf.len() > usize::from(u16::MAX) && self.buffer_len() > usize::from(u16::MAX) {
            return Err(EmitError::ValueOutOfRange {
                field: "TPKT length",
            });
        }
        emit_behind(buf, TPKT_HEADER_LEN, &self.0, |h, n| {
            let length = u16::try_from(n).map_err(|_| EmitError::ValueOutOfRange {
                field: "TPKT length",
            })?;
            h.copy_from_slice(&[TPKT_VERSION, 0, (length >> 8) as u8, length as u8]);
            Ok(())
        })
    }
}

/// Emits `inner` behind a header of `head` bytes, then writes the header from the total
/// length: one pass over the inner message instead of a `buffer_len` per level.
pub(crate) fn emit_behind<P: Emit>(
    buf: &mut [u8],
    head: usize,
    inner: &P,
    header: impl FnOnce(&mut [u8], usize) -> Result<(), EmitError>,
) -> Result<usize, EmitError> {
    let available = buf.len();
    let Some((h, rest)) = buf.split_at_mut_checked(head) else {
        return Err(EmitError::BufferTooShort {
            needed: head + inner.buffer_len(),
            available,
        });
    };
    let n = inner.emit(rest).map_err(|e| match e {
        EmitError::BufferTooShort { needed, .. } => EmitError::BufferTooShort {
            needed: needed + head,
            available,
        },
        e => e,
    })?;
    header(h, head + n)?;
    Ok(head + n)
}

impl<P: Emit> Emit for TpktWith<P> {
    fn buffer_len(&self) -> usize {
        TPKT_HEADER_LEN + self.tpdu.buffer_len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = otwire_core::Writer::new(buf, self.buffer_len())?;
        self.encode(&mut w)?;
        Ok(w.written())
    }
}
