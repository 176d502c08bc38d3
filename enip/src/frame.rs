//! The encapsulation header (CIP Vol. 2 §2-3): 24 little-endian bytes in front of every
//! EtherNet/IP message on TCP and UDP 44818, and the framing of a TCP stream by its length.

use crate::anomaly::{Anomalies, Parsed};
use crate::codes::{Command, EncapStatus};
use crate::error::{EmitError, Error, Layer, Needed};
use otwire_core::{Probe, Sink, emit_via_encode};

/// Bytes in the encapsulation header (Vol. 2 §2-3.1).
pub const HEADER_LEN: usize = 24;
/// The largest command-specific data length (Vol. 2 §2-3.1: 0 to 65511 bytes, so that a
/// whole message fits 65535).
pub const MAX_DATA_LEN: usize = 65511;
/// The largest encapsulation message this crate frames: the header plus the largest
/// 16-bit length.
pub const MAX_FRAME_LEN: usize = HEADER_LEN + u16::MAX as usize;

/// The encapsulation header (Vol. 2 §2-3.1, Table 2-3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Header {
    /// Encapsulation command.
    pub command: Command,
    /// Length of the command-specific data after the header.
    pub length: u16,
    /// Session handle (from RegisterSession; 0 outside a session).
    pub session: u32,
    /// Status: 0 in requests, the outcome in replies.
    pub status: EncapStatus,
    /// Sender context: the requester's bytes, echoed in the reply.
    pub context: [u8; 8],
    /// Options: 0.
    pub options: u32,
}

pub(crate) fn le16(b: &[u8], at: usize) -> Option<u16> {
    let c = b.get(at..)?.first_chunk::<2>()?;
    Some(u16::from_le_bytes(*c))
}

pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    let c = b.get(at..)?.first_chunk::<4>()?;
    Some(u32::from_le_bytes(*c))
}

/// `Command::from`, SendRRData and SendUnitData (explicit messaging) tested first, the
/// others out of line: two comparisons on the common path instead of the table's search.
#[inline(always)]
fn command(v: u16) -> Command {
    #[inline(never)]
    fn other(v: u16) -> Command {
        Command::from(v)
    }
    const RR: u16 = Command::SendRrData.value();
    const UNIT: u16 = Command::SendUnitData.value();
    match v {
        RR => Command::SendRrData,
        UNIT => Command::SendUnitData,
        _ => other(v),
    }
}

/// `EncapStatus::from`, success tested first, the error statuses out of line (rare: an
/// error reply).
#[inline(always)]
fn status(v: u32) -> EncapStatus {
    #[cold]
    #[inline(never)]
    fn other(v: u32) -> EncapStatus {
        EncapStatus::from(v)
    }
    if v == 0 {
        EncapStatus::Success
    } else {
        other(v)
    }
}

impl Header {
    /// Decodes the 24 header bytes at the front of `input` (`Incomplete` when shorter).
    #[inline]
    pub fn parse(input: &[u8]) -> Result<Self, Error> {
        let Some(h) = input.first_chunk::<HEADER_LEN>() else {
            return Err(Error::Incomplete(Needed::new(HEADER_LEN - input.len())));
        };
        let [
            c0,
            c1,
            l0,
            l1,
            s0,
            s1,
            s2,
            s3,
            t0,
            t1,
            t2,
            t3,
            x0,
            x1,
            x2,
            x3,
            x4,
            x5,
            x6,
            x7,
            o0,
            o1,
            o2,
            o3,
        ] = *h;
        Ok(Header {
            command: command(u16::from_le_bytes([c0, c1])),
            length: u16::from_le_bytes([l0, l1]),
            session: u32::from_le_bytes([s0, s1, s2, s3]),
            status: status(u32::from_le_bytes([t0, t1, t2, t3])),
            context: [x0, x1, x2, x3, x4, x5, x6, x7],
            options: u32::from_le_bytes([o0, o1, o2, o3]),
        })
    }

    /// A header with this command, length and session, status and options 0, a zero
    /// sender context.
    pub const fn new(command: Command, length: u16, session: u32) -> Self {
        Header {
            command,
            length,
            session,
            status: EncapStatus::Success,
            context: [0; 8],
            options: 0,
        }
    }

    /// Header anomalies that need no direction: options not 0, an unknown command, a
    /// length past 65511.
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        Anomalies::when(self.options != 0, Anomalies::ENCAP_OPTIONS)
            | Anomalies::when(!self.command.is_known(), Anomalies::UNKNOWN_COMMAND)
            | Anomalies::when(
                usize::from(self.length) > MAX_DATA_LEN,
                Anomalies::ENCAP_LENGTH,
            )
    }

    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_le(self.command.value())?;
        s.u16_le(self.length)?;
        s.u32_le(self.session)?;
        s.u32_le(self.status.value())?;
        s.bytes(&self.context)?;
        s.u32_le(self.options)
    }
}

/// One encapsulation message: its header and the command-specific data it delimits,
/// borrowed from the input (Vol. 2 §2-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Frame<'a> {
    /// The encapsulation header.
    pub header: Header,
    /// The command-specific data (`header.length` bytes on TCP; what the datagram holds on
    /// UDP, see [`Frame::from_datagram`]).
    pub data: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Frame-level anomalies ([`Header::anomalies`], and [`Anomalies::ENCAP_LENGTH`] when
    /// the data is not `header.length` bytes long).
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        self.header.anomalies()
            | Anomalies::when(
                self.data.len() != usize::from(self.header.length),
                Anomalies::ENCAP_LENGTH,
            )
    }

    /// A UDP datagram on port 44818: one whole encapsulation message (Vol. 2 §2-2.2, the
    /// ListIdentity broadcast). A length that disagrees with the datagram is flagged
    /// [`Anomalies::ENCAP_LENGTH`]: the data is the declared length when the datagram holds
    /// more, else what it holds. Shorter than the header is `Malformed`.
    pub fn from_datagram(datagram: &'a [u8]) -> Result<Parsed<Self>, Error> {
        let header = Header::parse(datagram)
            .map_err(|_| Error::malformed(Layer::Encapsulation, datagram.len()))?;
        let data = datagram.get(HEADER_LEN..).unwrap_or_default();
        let longer = data.len() > usize::from(header.length);
        let data = data.get(..usize::from(header.length)).unwrap_or(data);
        Ok(Parsed::new(
            Frame { header, data },
            Anomalies::when(longer, Anomalies::ENCAP_LENGTH),
        ))
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.header.encode(s)?;
        s.bytes(self.data)
    }
}

/// Splits the next encapsulation message off the front of a TCP byte stream (Vol. 2 §2-3.1:
/// the length field delimits it; several may share one segment).
///
/// Returns `Incomplete` until the whole message is there. Every length frames (the header's
/// oddities are [`Frame::anomalies`]' to flag).
#[inline]
pub fn split_frame(input: &[u8]) -> Result<(Frame<'_>, &[u8]), Error> {
    let header = Header::parse(input)?;
    let total = HEADER_LEN + usize::from(header.length);
    let Some((message, rest)) = input.split_at_checked(total) else {
        return Err(Error::Incomplete(Needed::new(total - input.len())));
    };
    let data = message.get(HEADER_LEN..).unwrap_or_default();
    Ok((Frame { header, data }, rest))
}

/// Whether the command's data length is one its command can have (Vol. 2 §2-4): the
/// fixed sizes and minimums the probe and the stream decoder's strict check use.
pub(crate) fn plausible_length(command: Command, length: usize) -> bool {
    match command {
        Command::RegisterSession => length == 4,
        Command::UnRegisterSession => length == 0,
        // Interface handle, timeout, item count and two 4-byte item headers.
        Command::SendRrData | Command::SendUnitData => (16..=MAX_DATA_LEN).contains(&length),
        // Empty request, or a reply's item count and one item header.
        Command::ListIdentity | Command::ListServices | Command::ListInterfaces => {
            length == 0 || (2..=MAX_DATA_LEN).contains(&length)
        }
        Command::Nop | Command::IndicateStatus | Command::Cancel | Command::StartDtls => {
            length <= MAX_DATA_LEN
        }
        Command::Unknown(_) => false,
    }
}

/// Is this plausibly an EtherNet/IP encapsulation message (for identification on other
/// ports)? The encapsulation has no start octet, so it checks what the first octets allow:
/// a known command other than NOP (2 bytes; zeros read as a NOP), a length that command can have (4 bytes), options 0
/// (24 bytes), and for the commands with data, the first data octets: RegisterSession's
/// protocol version 1, SendRRData/SendUnitData's interface handle 0 and an item count of
/// 1 to 16. `Recognized` and `Unrecognized` never change when bytes are appended.
pub fn probe(input: &[u8]) -> Probe {
    let Some(command) = le16(input, 0).map(Command::from) else {
        return Probe::NeedMore;
    };
    // NOP: 24 zero bytes read as one, so it is no evidence.
    if !command.is_known() || command == Command::Nop {
        return Probe::Unrecognized;
    }
    let Some(length) = le16(input, 2) else {
        return Probe::NeedMore;
    };
    if !plausible_length(command, usize::from(length)) {
        return Probe::Unrecognized;
    }
    let Some(options) = le32(input, 20) else {
        return Probe::NeedMore;
    };
    if options != 0 {
        return Probe::Unrecognized;
    }
    match command {
        Command::RegisterSession => match le16(input, HEADER_LEN) {
            None => Probe::NeedMore,
            Some(1) => Probe::Recognized,
            Some(_) => Probe::Unrecognized,
        },
        Command::SendRrData | Command::SendUnitData => {
            match (le32(input, HEADER_LEN), le16(input, HEADER_LEN + 6)) {
                (Some(0), Some(1..=16)) => Probe::Recognized,
                (Some(0), None) => Probe::NeedMore,
                (None, _) => Probe::NeedMore,
                _ => Probe::Unrecognized,
            }
        }
        _ => Probe::Recognized,
    }
}

emit_via_encode!(Header, Frame<'_>);
