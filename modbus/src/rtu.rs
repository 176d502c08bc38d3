//! Modbus RTU framing: server address, PDU, CRC-16/MODBUS, little-endian (Modbus over
//! Serial Line V1.02 §2.5.1), on a serial line or carried over TCP ("RTU over TCP").
//!
//! RTU has no length field: a frame's end is found from its function code and byte
//! counts ([`expected_len`]), or, for a passive sniffer, anchored on a valid CRC.

use crate::anomaly::Anomalies;
use crate::error::{EmitError, Error, Layer, Needed};
use crate::frame::MAX_PDU_LEN;
use crate::types::{Direction, UnitId};
use otwire_core::{Emit, Raw, Sink, Writer};

/// The CRC of Modbus over Serial Line §2.5.1.2 (poly 0xA001 reflected, init 0xFFFF).
pub const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_MODBUS);

/// The smallest RTU frame: address, function code, CRC.
pub const MIN_RTU_LEN: usize = 4;
/// The largest RTU frame: address, 253-byte PDU, CRC (§2.5.1).
pub const MAX_RTU_LEN: usize = 256;

/// CRC-16/MODBUS of `data`.
pub fn crc16(data: &[u8]) -> u16 {
    CRC.checksum(data)
}

/// One RTU frame, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RtuFrame<'a> {
    /// Server address (0 broadcast, 1-247 servers).
    pub address: UnitId,
    /// Function code and data.
    pub pdu: &'a [u8],
    /// The CRC as received.
    pub crc: u16,
}

impl<'a> RtuFrame<'a> {
    /// Decodes a whole RTU frame (a serial frame delimited by line silence, or one
    /// RTU-over-TCP message). A CRC that does not match is a flag, not an error.
    pub fn parse(adu: &'a [u8]) -> Result<Self, Error> {
        if adu.len() < MIN_RTU_LEN {
            return Err(Error::Malformed {
                layer: Layer::Rtu,
                offset: adu.len(),
            });
        }
        let (body, crc) = adu.split_last_chunk::<2>().ok_or(Error::Malformed {
            layer: Layer::Rtu,
            offset: 0,
        })?;
        let (&address, pdu) = body.split_first().ok_or(Error::Malformed {
            layer: Layer::Rtu,
            offset: 0,
        })?;
        Ok(RtuFrame {
            address: UnitId(address),
            pdu,
            crc: u16::from_le_bytes(*crc),
        })
    }

    /// Whether the received CRC matches the address and PDU.
    pub fn crc_ok(&self) -> bool {
        let mut d = CRC.digest();
        d.update(&[self.address.0]);
        d.update(self.pdu);
        d.finalize() == self.crc
    }

    /// Frame-level anomalies: a bad CRC, an over-long PDU.
    pub fn anomalies(&self) -> Anomalies {
        let mut a = Anomalies::empty();
        a.set(Anomalies::BAD_CRC, !self.crc_ok());
        a.set(Anomalies::PDU_TOO_LONG, self.pdu.len() > MAX_PDU_LEN);
        a
    }
}

/// An RTU frame to encode: address and any encodable PDU; `emit` appends the CRC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtuAdu<P> {
    /// Server address.
    pub address: UnitId,
    /// The PDU.
    pub pdu: P,
}

impl<P: Emit> Emit for RtuAdu<P> {
    fn buffer_len(&self) -> usize {
        1 + self.pdu.buffer_len() + 2
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let n = self.buffer_len();
        if buf.len() < n {
            return Err(EmitError::BufferTooShort {
                needed: n,
                available: buf.len(),
            });
        }
        let (addr, rest) = buf.split_at_mut(1);
        addr.copy_from_slice(&[self.address.0]);
        let pdu_len = self.pdu.emit(rest)?;
        let body = buf.get(..1 + pdu_len).ok_or(EmitError::BufferTooShort {
            needed: n,
            available: 0,
        })?;
        let crc = crc16(body);
        let mut w = Writer::new(buf.get_mut(1 + pdu_len..).unwrap_or_default(), 2)?;
        w.bytes(&crc.to_le_bytes())?;
        Ok(1 + pdu_len + 2)
    }
}

impl Emit for RtuFrame<'_> {
    fn buffer_len(&self) -> usize {
        1 + self.pdu.len() + 2
    }

    /// Writes the frame with a freshly computed CRC (not the received one).
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        RtuAdu {
            address: self.address,
            pdu: Raw(self.pdu),
        }
        .emit(buf)
    }
}

/// What the front of an RTU byte string says about the frame's total length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LenHint {
    /// The frame is this many bytes, CRC included.
    Exact(usize),
    /// More bytes are needed before the length is known (a byte count not yet received).
    NeedMore(usize),
    /// The function code does not say (unknown, user-defined, or variable without a count).
    Unknown,
}

/// Predicts an RTU frame's length (address to CRC) from its first bytes, the direction
/// and the function code's layout (Application Protocol §6).
pub fn expected_len(input: &[u8], dir: Direction) -> LenHint {
    let Some(&fc) = input.get(1) else {
        return LenHint::NeedMore(2);
    };
    // A count byte at `at` followed by that many bytes and the CRC: at + 1 + count + 2.
    let counted8 = |at: usize| match input.get(at) {
        Some(&n) => LenHint::Exact(at + 1 + usize::from(n) + 2),
        None => LenHint::NeedMore(at + 1),
    };
    if dir == Direction::Response && fc & 0x80 != 0 {
        return LenHint::Exact(5);
    }
    match (dir, fc) {
        (_, 1..=6) if dir == Direction::Request => LenHint::Exact(8),
        (Direction::Response, 1..=4) => counted8(2),
        (Direction::Response, 5 | 6) => LenHint::Exact(8),
        (Direction::Request, 7 | 11 | 12 | 17) => LenHint::Exact(4),
        (Direction::Response, 7) => LenHint::Exact(5),
        (_, 8) => LenHint::Exact(8),
        (Direction::Response, 11) => LenHint::Exact(8),
        (Direction::Response, 12 | 17 | 20 | 21 | 23) => counted8(2),
        (Direction::Request, 15 | 16) => counted8(6),
        (Direction::Response, 15 | 16) => LenHint::Exact(8),
        (Direction::Request, 20 | 21) => counted8(2),
        (_, 22) => LenHint::Exact(10),
        (Direction::Request, 23) => counted8(10),
        (Direction::Request, 24) => LenHint::Exact(6),
        (Direction::Response, 24) => match input.get(2..4) {
            Some(&[hi, lo]) => LenHint::Exact(4 + usize::from(u16::from_be_bytes([hi, lo])) + 2),
            _ => LenHint::NeedMore(4),
        },
        (Direction::Request, 43) => match input.get(2) {
            Some(14) => LenHint::Exact(7),
            Some(_) => LenHint::Unknown,
            None => LenHint::NeedMore(3),
        },
        (Direction::Response, 43) => device_id_len(input),
        _ => LenHint::Unknown,
    }
}

/// Walks a Read Device Identification response (address, 43, 14, code, conformity, more,
/// next, count, objects) to its end.
fn device_id_len(input: &[u8]) -> LenHint {
    match input.get(2) {
        Some(14) => {}
        Some(_) => return LenHint::Unknown,
        None => return LenHint::NeedMore(3),
    }
    let Some(&count) = input.get(7) else {
        return LenHint::NeedMore(8);
    };
    let mut at = 8usize;
    for _ in 0..count {
        match input.get(at + 1) {
            Some(&len) => at += 2 + usize::from(len),
            None => return LenHint::NeedMore(at + 2),
        }
        if at > MAX_RTU_LEN {
            return LenHint::Unknown;
        }
    }
    LenHint::Exact(at + 2)
}

/// Splits the next RTU frame off the front of `input` when the direction is known (a
/// client's or server's own stream, or RTU over TCP), using [`expected_len`].
///
/// `Incomplete` until the predicted length is there; `Malformed` when the function code
/// does not say how long the frame is (use [`RtuFrame::parse`] on a delimited frame, or
/// the CRC-anchored `RtuSniffer`).
pub fn split_rtu_frame(input: &[u8], dir: Direction) -> Result<(RtuFrame<'_>, &[u8]), Error> {
    match expected_len(input, dir) {
        LenHint::Exact(n) if n > MAX_RTU_LEN => Err(Error::TooLong {
            declared: n,
            max: MAX_RTU_LEN,
        }),
        LenHint::Exact(n) => match input.split_at_checked(n) {
            Some((adu, rest)) => Ok((RtuFrame::parse(adu)?, rest)),
            None => Err(Error::Incomplete(Needed::new(n - input.len()))),
        },
        LenHint::NeedMore(n) => Err(Error::Incomplete(Needed::new(
            n.saturating_sub(input.len()),
        ))),
        LenHint::Unknown => Err(Error::Malformed {
            layer: Layer::Rtu,
            offset: 1,
        }),
    }
}
