//! S7comm-plus (protocol id 0x72), the protocol of S7-1200/1500 CPUs and TIA Portal: the
//! envelope (id, version, length; trailer `72 <version> 00 00` on the last fragment only),
//! the V3 integrity part (digest length and digest, on every fragment), and the data
//! header (opcode, function code, sequence number, session id, transport flags), as the
//! public S7comm-plus descriptions give them. Keep-alive (0xFF) and event (0xFE) frames
//! have no function code.

pub mod codes;

use crate::anomaly::{Anomalies, Parsed};
use crate::error::{EmitError, Error, Layer, Needed};
use crate::read::{be16, be32};
use codes::{Opcode, PlusFunction, PlusVersion};
use otwire_core::{Sink, emit_via_encode};

/// The S7comm-plus protocol id.
pub const PLUS_PROTOCOL_ID: u8 = 0x72;
/// Bytes of the envelope header (id, version, length) and of the trailer.
pub const PLUS_HEADER_LEN: usize = 4;
/// Digest bytes of the V3 integrity part.
pub const DIGEST_LEN: usize = 32;

/// One S7comm-plus frame (the payload of one COTP TSDU): envelope, integrity part, data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PlusFrame<'a> {
    /// Protocol version.
    pub version: PlusVersion,
    /// Length as declared (integrity part and data, not header or trailer).
    pub length: u16,
    /// The V3 digest (32 bytes), when the frame has an integrity part.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub digest: Option<&'a [u8]>,
    /// The data: a data header and body (first or only fragment), or the continuation of
    /// a fragmented PDU.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub data: &'a [u8],
    /// Whether the frame ends with a trailer: the last (or only) fragment of its PDU.
    pub trailer: bool,
}

impl<'a> PlusFrame<'a> {
    /// Decodes a frame. Input shorter than its four-byte header, or not starting with
    /// 0x72, is an error; a length that disagrees with the bytes is flagged.
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Parsed<PlusFrame<'a>>, Error> {
        let Some((&[id, version, l0, l1], rest)) = bytes.split_first_chunk::<4>() else {
            return match bytes.first() {
                Some(&b) if b != PLUS_PROTOCOL_ID => Err(Error::WrongProtocol(b)),
                _ => Err(Error::malformed(Layer::Plus, bytes.len())),
            };
        };
        if id != PLUS_PROTOCOL_ID {
            return Err(Error::WrongProtocol(id));
        }
        let version = PlusVersion::from(version);
        let length = u16::from_be_bytes([l0, l1]);
        let mut a = Anomalies::when(!version.is_known(), Anomalies::PLUS_VERSION);
        let (body, tail) = match rest.split_at_checked(usize::from(length)) {
            Some(s) => s,
            None => {
                a |= Anomalies::PLUS_LENGTH;
                (rest, &[][..])
            }
        };
        let trailer = match tail {
            [] => false,
            [PLUS_PROTOCOL_ID, v, 0, 0] if *v == version.value() => true,
            _ => {
                a |= Anomalies::PLUS_TRAILER;
                tail.first() == Some(&PLUS_PROTOCOL_ID)
            }
        };
        let (digest, data) = if version == PlusVersion::V3 {
            match body {
                [0x20, d @ ..] if d.len() >= DIGEST_LEN => {
                    let (digest, data) = d.split_at(DIGEST_LEN);
                    (Some(digest), data)
                }
                _ => {
                    a |= Anomalies::PLUS_INTEGRITY;
                    (None, body)
                }
            }
        } else {
            (None, body)
        };
        Ok(Parsed::new(
            PlusFrame {
                version,
                length,
                digest,
                data,
                trailer,
            },
            a,
        ))
    }

    /// Whether this is a keep-alive or event frame (no data header, no function).
    pub fn is_system(&self) -> bool {
        matches!(self.version, PlusVersion::KeepAlive | PlusVersion::Event)
    }

    /// The data header of a first (or only) fragment; `None` for system frames and
    /// continuation fragments whose data is too short.
    pub fn pdu(&self) -> Option<Parsed<PlusPdu<'a>>> {
        if self.is_system() {
            return None;
        }
        PlusPdu::parse(self.data)
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let integrity = self.digest.map_or(0, |d| 1 + d.len());
        let len =
            u16::try_from(integrity + self.data.len()).map_err(|_| EmitError::ValueOutOfRange {
                field: "S7comm-plus length",
            })?;
        s.u8(PLUS_PROTOCOL_ID)?;
        s.u8(self.version.value())?;
        s.u16_be(len)?;
        if let Some(d) = self.digest {
            s.count8(d.len(), "digest length")?;
            s.bytes(d)?;
        }
        s.bytes(self.data)?;
        if self.trailer {
            s.u8(PLUS_PROTOCOL_ID)?;
            s.u8(self.version.value())?;
            s.u16_be(0)?;
        }
        Ok(())
    }
}

/// The data header of an S7comm-plus PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PlusPdu<'a> {
    /// Request, response, notification.
    pub opcode: Opcode,
    /// Function code (requests and responses).
    pub function: Option<PlusFunction>,
    /// Sequence number (requests and responses).
    pub sequence: Option<u16>,
    /// Session id: of requests; of notifications, the subscription object id.
    pub session: Option<u32>,
    /// Transport flags (requests and responses).
    pub transport_flags: Option<u8>,
    /// What follows the header: object / attribute / value encodings.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub body: &'a [u8],
}

impl<'a> PlusPdu<'a> {
    /// Decodes the data header at the front of `data`.
    pub fn parse(data: &'a [u8]) -> Option<Parsed<PlusPdu<'a>>> {
        let (&op, _) = data.split_first()?;
        let opcode = Opcode::from(op);
        let (pdu, a) = match opcode {
            Opcode::Request => (
                PlusPdu {
                    opcode,
                    function: Some(be16(data, 3)?.into()),
                    sequence: Some(be16(data, 7)?),
                    session: Some(be32(data, 9)?),
                    transport_flags: Some(*data.get(13)?),
                    body: data.get(14..)?,
                },
                Anomalies::empty(),
            ),
            Opcode::Response | Opcode::Response2 => (
                PlusPdu {
                    opcode,
                    function: Some(be16(data, 3)?.into()),
                    sequence: Some(be16(data, 7)?),
                    session: None,
                    transport_flags: Some(*data.get(9)?),
                    body: data.get(10..)?,
                },
                Anomalies::empty(),
            ),
            Opcode::Notification => (
                PlusPdu {
                    opcode,
                    function: None,
                    sequence: None,
                    session: Some(be32(data, 1)?),
                    transport_flags: None,
                    body: data.get(5..)?,
                },
                Anomalies::empty(),
            ),
            Opcode::Unknown(_) => (
                PlusPdu {
                    opcode,
                    function: None,
                    sequence: None,
                    session: None,
                    transport_flags: None,
                    body: data.get(1..)?,
                },
                Anomalies::PLUS_UNKNOWN_CODE,
            ),
        };
        let unknown_fn = pdu.function.is_some_and(|f| !f.is_known());
        Some(Parsed::new(
            pdu,
            a | Anomalies::when(unknown_fn, Anomalies::PLUS_UNKNOWN_CODE),
        ))
    }

    /// The session id a CreateObject response assigns: the first object id after the
    /// return value (both variable-length quantities).
    pub fn created_session(&self) -> Option<u32> {
        if self.function != Some(PlusFunction::CreateObject)
            || !matches!(self.opcode, Opcode::Response | Opcode::Response2)
        {
            return None;
        }
        let (_, rest) = vlq64(self.body)?;
        let (&count, rest) = rest.split_first()?;
        if count == 0 {
            return None;
        }
        vlq32(rest).map(|(v, _)| v)
    }

    /// The return value of a response (the first variable-length quantity of its body).
    pub fn return_value(&self) -> Option<u64> {
        matches!(self.opcode, Opcode::Response | Opcode::Response2)
            .then(|| vlq64(self.body).map(|(v, _)| v))
            .flatten()
    }

    /// Whether this is a successful InitSsl response: the session's payloads are TLS
    /// records from now on.
    pub fn starts_tls(&self) -> bool {
        self.function == Some(PlusFunction::InitSsl)
            && matches!(self.opcode, Opcode::Response | Opcode::Response2)
            && self
                .return_value()
                .is_some_and(|v| v & 0x8000_0000_0000_0000 == 0)
    }
}

impl PlusPdu<'_> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(self.opcode.value())?;
        match self.opcode {
            Opcode::Notification => s.u32_be(self.session.unwrap_or(0))?,
            Opcode::Request | Opcode::Response | Opcode::Response2 => {
                s.u16_be(0)?;
                s.u16_be(self.function.map_or(0, |f| f.value()))?;
                s.u16_be(0)?;
                s.u16_be(self.sequence.unwrap_or(0))?;
                if self.opcode == Opcode::Request {
                    s.u32_be(self.session.unwrap_or(0))?;
                }
                s.u8(self.transport_flags.unwrap_or(0))?;
            }
            Opcode::Unknown(_) => {}
        }
        s.bytes(self.body)
    }
}

/// A variable-length quantity of up to 32 bits (7 bits a byte, high bit "more").
pub fn vlq32(b: &[u8]) -> Option<(u32, &[u8])> {
    let mut v: u32 = 0;
    for (i, &byte) in b.iter().enumerate().take(5) {
        v = (v << 7) | u32::from(byte & 0x7F);
        if byte & 0x80 == 0 {
            return Some((v, b.get(i + 1..)?));
        }
    }
    None
}

/// A variable-length quantity of up to 64 bits.
pub fn vlq64(b: &[u8]) -> Option<(u64, &[u8])> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(9) {
        // The ninth byte carries eight bits.
        if i == 8 {
            v = (v << 8) | u64::from(byte);
            return Some((v, b.get(i + 1..)?));
        }
        v = (v << 7) | u64::from(byte & 0x7F);
        if byte & 0x80 == 0 {
            return Some((v, b.get(i + 1..)?));
        }
    }
    None
}

emit_via_encode!(PlusFrame<'_>, PlusPdu<'_>);

/// Bytes the envelope at the front of `bytes` announces (header, length and trailer when
/// it is there), for callers that frame S7comm-plus themselves.
pub fn plus_needed(bytes: &[u8]) -> Option<Needed> {
    let len = usize::from(be16(bytes, 2)?);
    (PLUS_HEADER_LEN + len)
        .checked_sub(bytes.len())
        .filter(|&n| n > 0)
        .map(Needed::new)
}
