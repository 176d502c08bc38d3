//! Modbus/TCP and Modbus/UDP framing: the MBAP header (Modbus Messaging on TCP/IP
//! Implementation Guide V1.0b §3.1.3) and protocol identification.

use crate::anomaly::Anomalies;
use crate::codes::FunctionCode;
use crate::error::{EmitError, Error, Layer, Needed};
use crate::types::{TransactionId, UnitId};
use otwire_core::{Emit, Probe, Raw, Sink, Writer};

/// Bytes in the MBAP header: transaction id, protocol id, length, unit id.
pub const MBAP_HEADER_LEN: usize = 7;
/// The largest PDU the specification allows (Application Protocol §4.1).
pub const MAX_PDU_LEN: usize = 253;
/// The largest Modbus/TCP ADU the specification allows: header plus 253-byte PDU.
pub const MAX_TCP_ADU_LEN: usize = MBAP_HEADER_LEN + MAX_PDU_LEN;
/// The TCP port IANA assigns to Modbus (`mbap`).
pub const PORT: u16 = 502;

/// The MBAP header that precedes every Modbus/TCP and Modbus/UDP PDU (§3.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MbapHeader {
    /// Pairs a response with its request.
    pub transaction_id: TransactionId,
    /// 0 for Modbus; anything else is flagged.
    pub protocol_id: u16,
    /// Bytes that follow this field: the unit id plus the PDU.
    pub length: u16,
    /// The addressed unit (a serial line server behind a gateway, or 0xFF/0 for the device).
    pub unit_id: UnitId,
}

impl MbapHeader {
    /// Decodes the seven header bytes at the front of `input`.
    #[inline]
    pub fn parse(input: &[u8]) -> Result<Self, Error> {
        let Some(h) = input.first_chunk::<MBAP_HEADER_LEN>() else {
            return Err(Error::Incomplete(Needed::new(
                MBAP_HEADER_LEN - input.len(),
            )));
        };
        Ok(MbapHeader {
            transaction_id: TransactionId(u16::from_be_bytes([h[0], h[1]])),
            protocol_id: u16::from_be_bytes([h[2], h[3]]),
            length: u16::from_be_bytes([h[4], h[5]]),
            unit_id: UnitId(h[6]),
        })
    }

    /// Length of the PDU the header announces (`length - 1`, the unit id being counted).
    #[inline]
    pub fn pdu_len(&self) -> usize {
        usize::from(self.length).saturating_sub(1)
    }

    /// Whether this header could start a Modbus frame: protocol id 0 and a length that
    /// holds a function code and no more than the largest PDU.
    pub fn is_plausible(&self) -> bool {
        self.protocol_id == 0 && (2..=MAX_PDU_LEN + 1).contains(&usize::from(self.length))
    }

    /// Header-level anomalies: a non-zero protocol id, an over-long PDU.
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        let mut a = Anomalies::empty();
        a.set(Anomalies::PROTOCOL_ID, self.protocol_id != 0);
        a.set(Anomalies::PDU_TOO_LONG, self.pdu_len() > MAX_PDU_LEN);
        a
    }
}

impl Emit for MbapHeader {
    fn buffer_len(&self) -> usize {
        MBAP_HEADER_LEN
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = Writer::new(buf, MBAP_HEADER_LEN)?;
        w.u16_be(self.transaction_id.0)?;
        w.u16_be(self.protocol_id)?;
        w.u16_be(self.length)?;
        w.u8(self.unit_id.0)?;
        Ok(w.written())
    }
}

/// One Modbus/TCP or Modbus/UDP application data unit: the MBAP header and the PDU bytes
/// it delimits, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Frame<'a> {
    /// The MBAP header.
    pub header: MbapHeader,
    /// Function code and data: `header.length - 1` bytes.
    pub pdu: &'a [u8],
}

impl<'a> Frame<'a> {
    /// The function code byte as sent (exception responses keep their 0x80 bit), if any.
    pub fn function_code(&self) -> Option<FunctionCode> {
        self.pdu.first().map(|&b| FunctionCode::from(b))
    }

    /// The unit identifier.
    pub fn unit(&self) -> UnitId {
        self.header.unit_id
    }

    /// The transaction identifier.
    pub fn transaction(&self) -> TransactionId {
        self.header.transaction_id
    }

    /// Frame-level anomalies (see [`MbapHeader::anomalies`]).
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        self.header.anomalies()
    }
}

impl Emit for Frame<'_> {
    fn buffer_len(&self) -> usize {
        MBAP_HEADER_LEN + self.pdu.len()
    }

    /// Writes the header with the length recomputed from the PDU, then the PDU.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        Adu::new(
            self.header.transaction_id,
            self.header.unit_id,
            Raw(self.pdu),
        )
        .with_protocol_id(self.header.protocol_id)
        .emit(buf)
    }
}

/// Splits the next Modbus/TCP frame off the front of a byte stream (§3.1.3: the MBAP
/// length delimits the frame).
///
/// Returns `Incomplete` until the whole frame is there. A length field of 0 cannot hold
/// even the unit id and is an error; any other length is accepted here, with the
/// over-long case flagged by [`Frame::anomalies`].
#[inline]
pub fn split_frame(input: &[u8]) -> Result<(Frame<'_>, &[u8]), Error> {
    let header = MbapHeader::parse(input)?;
    if header.length == 0 {
        return Err(Error::Malformed {
            layer: Layer::Mbap,
            offset: 4,
        });
    }
    let total = MBAP_HEADER_LEN - 1 + usize::from(header.length);
    let Some((adu, rest)) = input.split_at_checked(total) else {
        return Err(Error::Incomplete(Needed::new(total - input.len())));
    };
    let pdu = adu.get(MBAP_HEADER_LEN..).unwrap_or_default();
    Ok((Frame { header, pdu }, rest))
}

/// Decodes a Modbus/UDP datagram, which carries one whole ADU: a datagram that ends
/// before its MBAP length does is malformed, not incomplete.
pub fn parse_datagram(datagram: &[u8]) -> Result<Frame<'_>, Error> {
    match split_frame(datagram) {
        Ok((frame, _)) => Ok(frame),
        Err(Error::Incomplete(_)) => Err(Error::Malformed {
            layer: Layer::Mbap,
            offset: datagram.len(),
        }),
        Err(e) => Err(e),
    }
}

/// Whether `input` (the first bytes of a TCP or UDP payload) plausibly starts with a
/// Modbus/TCP frame: protocol id 0, a length between 2 and 254, and a function code that
/// is neither 0 nor 0x80. When `input` holds the whole frame and the next one's header,
/// that header must be plausible too (bytes that only look like a frame for one frame,
/// such as the tail of a PDU followed by a real frame, are not claimed). For identifying
/// Modbus on non-standard ports and non-Modbus on 502.
pub fn probe(input: &[u8]) -> Probe {
    let Ok(header) = MbapHeader::parse(input) else {
        return Probe::NeedMore;
    };
    if !header.is_plausible() {
        return Probe::Unrecognized;
    }
    match input.get(MBAP_HEADER_LEN) {
        None => return Probe::NeedMore,
        Some(0x00 | 0x80) => return Probe::Unrecognized,
        Some(_) => {}
    }
    let next = input.get(MBAP_HEADER_LEN - 1 + usize::from(header.length)..);
    match next.map(MbapHeader::parse) {
        Some(Ok(h)) if !h.is_plausible() => Probe::Unrecognized,
        _ => Probe::Recognized,
    }
}

/// A Modbus/TCP ADU to encode: header fields plus any encodable PDU. `emit` computes the
/// MBAP length.
///
/// ```
/// use otwire_modbus::{Adu, Address, Emit, Request, TransactionId, UnitId};
/// let adu = Adu::new(TransactionId(1), UnitId(17), Request::ReadHoldingRegisters {
///     address: Address(0x006B),
///     quantity: 3,
/// });
/// let mut buf = [0u8; 12];
/// assert_eq!(adu.emit(&mut buf), Ok(12));
/// assert_eq!(buf, [0, 1, 0, 0, 0, 6, 17, 0x03, 0x00, 0x6B, 0x00, 0x03]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adu<P> {
    /// MBAP transaction id.
    pub transaction_id: TransactionId,
    /// MBAP unit id.
    pub unit_id: UnitId,
    /// The PDU.
    pub pdu: P,
    protocol_id: u16,
}

impl<P: Emit> Adu<P> {
    /// An ADU with protocol id 0.
    pub fn new(transaction_id: TransactionId, unit_id: UnitId, pdu: P) -> Self {
        Adu {
            transaction_id,
            unit_id,
            pdu,
            protocol_id: 0,
        }
    }

    /// The same ADU with another protocol id (for test generation).
    pub fn with_protocol_id(mut self, protocol_id: u16) -> Self {
        self.protocol_id = protocol_id;
        self
    }
}

impl<P: Emit> Emit for Adu<P> {
    fn buffer_len(&self) -> usize {
        MBAP_HEADER_LEN + self.pdu.buffer_len()
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let pdu_len = self.pdu.buffer_len();
        let length = u16::try_from(pdu_len + 1)
            .map_err(|_| EmitError::ValueOutOfRange { field: "length" })?;
        let needed = MBAP_HEADER_LEN + pdu_len;
        if buf.len() < needed {
            return Err(EmitError::BufferTooShort {
                needed,
                available: buf.len(),
            });
        }
        let (head, body) = buf.split_at_mut(MBAP_HEADER_LEN);
        MbapHeader {
            transaction_id: self.transaction_id,
            protocol_id: self.protocol_id,
            length,
            unit_id: self.unit_id,
        }
        .emit(head)?;
        Ok(MBAP_HEADER_LEN + self.pdu.emit(body)?)
    }
}
