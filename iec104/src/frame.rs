//! The APCI and APDU framing of IEC 60870-5-104 (§5): start byte 0x68, length, the four
//! control octets of the I, S and U formats.

use core::fmt;

use crate::anomaly::{Anomalies, Parsed};
use crate::asdu::{Asdu, Params};
use crate::emit::{Emit, Sink, Writer};
use crate::error::{EmitError, Error, Layer, Needed};
use otwire_core::Probe;

/// The start byte of every APDU (IEC 60870-5-104 §5).
pub const START: u8 = 0x68;
/// The largest value of the length octet: the APDU is at most 255 octets (§5).
pub const MAX_LENGTH: u8 = 253;
/// The length of the control field, and so of an S or U frame's length octet (§5).
pub const CONTROL_LEN: u8 = 4;
/// Largest ASDU an APDU can carry: 253 minus the control field.
pub const MAX_ASDU_LEN: usize = 249;

/// A 15-bit send or receive sequence number, N(S) or N(R) (IEC 60870-5-104 §5.1); counts
/// modulo 32768.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct SeqNum(u16);

impl SeqNum {
    /// The modulus of the sequence numbers.
    pub const MODULUS: u16 = 32768;

    /// A sequence number from any `u16`, reduced modulo 32768.
    pub const fn new(v: u16) -> Self {
        SeqNum(v & 0x7fff)
    }

    /// The number.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The next number, wrapping from 32767 to 0.
    pub const fn next(self) -> Self {
        SeqNum::new(self.0.wrapping_add(1))
    }

    /// `self - other` modulo 32768: how many frames `self` is ahead of `other`.
    pub const fn distance_from(self, other: SeqNum) -> u16 {
        self.0.wrapping_sub(other.0) & 0x7fff
    }

    #[inline(always)]
    fn from_octets(lo: u8, hi: u8) -> Self {
        SeqNum(u16::from(lo >> 1) | u16::from(hi) << 7)
    }

    fn to_octets(self) -> [u8; 2] {
        [((self.0 & 0x7f) as u8) << 1, (self.0 >> 7) as u8]
    }
}

impl fmt::Display for SeqNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The function of a U frame: control octet 1 (IEC 60870-5-104 §5.3). Exactly one of the
/// six function bits is set in a valid frame; any other octet is kept as `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum UFunction {
    /// STARTDT act (0x07).
    StartDtAct,
    /// STARTDT con (0x0B).
    StartDtCon,
    /// STOPDT act (0x13).
    StopDtAct,
    /// STOPDT con (0x23).
    StopDtCon,
    /// TESTFR act (0x43).
    TestFrAct,
    /// TESTFR con (0x83).
    TestFrCon,
    /// Any other first control octet with the U format bits 0b11.
    Unknown(u8),
}

impl UFunction {
    /// Decodes control octet 1.
    #[inline(always)]
    pub fn from_octet(b: u8) -> Self {
        match b {
            0x07 => UFunction::StartDtAct,
            0x0b => UFunction::StartDtCon,
            0x13 => UFunction::StopDtAct,
            0x23 => UFunction::StopDtCon,
            0x43 => UFunction::TestFrAct,
            0x83 => UFunction::TestFrCon,
            other => UFunction::Unknown(other),
        }
    }

    /// Control octet 1.
    pub fn to_octet(self) -> u8 {
        match self {
            UFunction::StartDtAct => 0x07,
            UFunction::StartDtCon => 0x0b,
            UFunction::StopDtAct => 0x13,
            UFunction::StopDtCon => 0x23,
            UFunction::TestFrAct => 0x43,
            UFunction::TestFrCon => 0x83,
            UFunction::Unknown(b) => b | 0x03,
        }
    }

    /// The function bits as Wireshark's `iec60870_104.utype` shows them (octet >> 2).
    pub fn bits(self) -> u8 {
        self.to_octet() >> 2
    }

    /// Stable name: `STARTDT_ACT`, `STARTDT_CON`, `STOPDT_ACT`, `STOPDT_CON`, `TESTFR_ACT`,
    /// `TESTFR_CON`, or `UNKNOWN`.
    pub fn name(self) -> &'static str {
        match self {
            UFunction::StartDtAct => "STARTDT_ACT",
            UFunction::StartDtCon => "STARTDT_CON",
            UFunction::StopDtAct => "STOPDT_ACT",
            UFunction::StopDtCon => "STOPDT_CON",
            UFunction::TestFrAct => "TESTFR_ACT",
            UFunction::TestFrCon => "TESTFR_CON",
            UFunction::Unknown(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for UFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UFunction::Unknown(b) => write!(f, "U({b:#04x})"),
            other => f.write_str(other.name()),
        }
    }
}

/// The decoded control field (IEC 60870-5-104 §5.1-5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Apci {
    /// I format: numbered information transfer, carries an ASDU.
    I {
        /// N(S), send sequence number.
        send: SeqNum,
        /// N(R), receive sequence number (acknowledges frames up to N(R) - 1).
        recv: SeqNum,
    },
    /// S format: numbered supervisory function, acknowledges I frames.
    S {
        /// N(R).
        recv: SeqNum,
    },
    /// U format: unnumbered control function.
    U(UFunction),
}

impl Apci {
    /// Decodes the four control octets, with the reserved-bit and function anomalies.
    #[inline(always)]
    pub fn from_control(c: [u8; 4]) -> (Apci, Anomalies) {
        let [c1, c2, c3, c4] = c;
        let mut a = Anomalies::empty();
        let apci = if c1 & 1 == 0 {
            if c3 & 1 != 0 {
                a |= Anomalies::APCI_RESERVED_BITS;
            }
            Apci::I {
                send: SeqNum::from_octets(c1, c2),
                recv: SeqNum::from_octets(c3, c4),
            }
        } else if c1 & 3 == 1 {
            if c1 != 1 || c2 != 0 || c3 & 1 != 0 {
                a |= Anomalies::APCI_RESERVED_BITS;
            }
            Apci::S {
                recv: SeqNum::from_octets(c3, c4),
            }
        } else {
            if c2 != 0 || c3 != 0 || c4 != 0 {
                a |= Anomalies::APCI_RESERVED_BITS;
            }
            let f = UFunction::from_octet(c1);
            if matches!(f, UFunction::Unknown(_)) {
                a |= Anomalies::U_FUNCTION_INVALID;
            }
            Apci::U(f)
        };
        (apci, a)
    }

    /// The four control octets, canonical (reserved bits clear).
    pub fn to_control(self) -> [u8; 4] {
        match self {
            Apci::I { send, recv } => {
                let [a, b] = send.to_octets();
                let [c, d] = recv.to_octets();
                [a, b, c, d]
            }
            Apci::S { recv } => {
                let [c, d] = recv.to_octets();
                [1, 0, c, d]
            }
            Apci::U(f) => [f.to_octet(), 0, 0, 0],
        }
    }

    /// "I", "S" or "U".
    pub fn format(self) -> &'static str {
        match self {
            Apci::I { .. } => "I",
            Apci::S { .. } => "S",
            Apci::U(_) => "U",
        }
    }

    /// N(R) of an I or S frame.
    pub fn recv(self) -> Option<SeqNum> {
        match self {
            Apci::I { recv, .. } | Apci::S { recv } => Some(recv),
            Apci::U(_) => None,
        }
    }
}

otwire_core::emit_via_encode!(Apci);

impl Apci {
    /// Writes an S or U frame, or the bare header of an I frame without ASDU.
    fn encode(&self, w: &mut (impl Sink + ?Sized)) -> Result<(), EmitError> {
        w.u8(START)?;
        w.u8(CONTROL_LEN)?;
        w.bytes(&self.to_control())
    }
}

/// One APDU as framed on the wire, borrowing its ASDU octets (IEC 60870-5-104 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Frame<'a> {
    /// The length octet: control field plus ASDU.
    pub length: u8,
    /// The four control octets.
    pub control: [u8; 4],
    /// The octets after the control field (the ASDU of an I frame; empty otherwise).
    pub asdu: &'a [u8],
}

impl<'a> Frame<'a> {
    /// The decoded control field.
    pub fn apci(&self) -> Apci {
        Apci::from_control(self.control).0
    }

    /// Octets the frame takes on the wire.
    #[inline(always)]
    pub fn wire_len(&self) -> usize {
        2 + usize::from(self.length)
    }
}

/// Splits the next whole APDU off the front of `input` (streaming: `Incomplete` when more
/// octets are needed). The length octet must be 4-253 (IEC 60870-5-104 §5).
#[inline]
pub fn split_frame(input: &[u8]) -> Result<(Frame<'_>, &[u8]), Error> {
    let (&[start, length], _) = input
        .split_first_chunk::<2>()
        .ok_or_else(|| Error::Incomplete(Needed::new(2 - input.len())))?;
    if start != START {
        return Err(Error::BadStart { found: start });
    }
    if length < CONTROL_LEN {
        return Err(Error::Malformed {
            layer: Layer::Apci,
            offset: 1,
        });
    }
    if length > MAX_LENGTH {
        return Err(Error::TooLong {
            declared: usize::from(length),
            max: usize::from(MAX_LENGTH),
        });
    }
    let total = 2 + usize::from(length);
    let (frame, rest) = input
        .split_at_checked(total)
        .ok_or_else(|| Error::Incomplete(Needed::new(total - input.len())))?;
    let (_, after) = frame.split_at(2);
    let (control, asdu) = after.split_first_chunk::<4>().ok_or(Error::Malformed {
        layer: Layer::Apci,
        offset: 2,
    })?;
    Ok((
        Frame {
            length,
            control: *control,
            asdu,
        },
        rest,
    ))
}

/// Whether `input` plausibly starts with an IEC 104 APDU, for identification on
/// non-standard ports: start byte, length 4-253, a well-formed control field (S and U
/// frames canonical, I frames with a known type identification and a non-zero count), and,
/// when the frame is complete and followed by more bytes, another start byte after it.
pub fn probe(input: &[u8]) -> Probe {
    match plausible_header(input, false) {
        Probe::Recognized => {}
        other => return other,
    }
    match (
        input.get(1),
        input.get(2 + usize::from(input.get(1).copied().unwrap_or(0))),
    ) {
        (Some(_), Some(&b)) if b != START => Probe::Unrecognized,
        _ => Probe::Recognized,
    }
}

/// The header checks of [`probe`] without the look at the following byte, so the answer
/// depends only on the frame's first eight octets (the stream decoder resynchronises with
/// it, and must decide the same way however the stream is chunked). With `invalid_u`, a U
/// frame whose function bits are not exactly one passes too (the stream decoder frames it
/// for [`Apdu::parse`] to flag; identification stays strict).
pub(crate) fn plausible_header(input: &[u8], invalid_u: bool) -> Probe {
    let Some((&[start, length, c1, c2, c3, c4], _)) = input.split_first_chunk::<6>() else {
        return match input {
            [] => Probe::NeedMore,
            [s, ..] if *s != START => Probe::Unrecognized,
            [_, l, ..] if !(CONTROL_LEN..=MAX_LENGTH).contains(l) => Probe::Unrecognized,
            _ => Probe::NeedMore,
        };
    };
    if start != START || !(CONTROL_LEN..=MAX_LENGTH).contains(&length) {
        return Probe::Unrecognized;
    }
    let (apci, anomalies) = Apci::from_control([c1, c2, c3, c4]);
    let plausible = match apci {
        Apci::U(_) if invalid_u => {
            length == CONTROL_LEN && (anomalies - Anomalies::U_FUNCTION_INVALID).is_empty()
        }
        Apci::S { .. } | Apci::U(_) => length == CONTROL_LEN && anomalies.is_empty(),
        Apci::I { .. } => {
            if length < CONTROL_LEN + 6 || !anomalies.is_empty() {
                false
            } else {
                match input.get(6..8) {
                    Some(&[t, vsq]) => {
                        crate::element::is_decodable(crate::codes::TypeId::from(t))
                            && vsq & 0x7f != 0
                    }
                    _ => return Probe::NeedMore,
                }
            }
        }
    };
    if plausible {
        Probe::Recognized
    } else {
        Probe::Unrecognized
    }
}

/// A decoded APDU: the control field and, for an I frame, its ASDU (IEC 60870-5-104 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Apdu<'a> {
    /// The control field.
    pub apci: Apci,
    /// The ASDU of an I frame (`None` for S and U frames, and for an I frame too short to
    /// hold an ASDU header, which is flagged `APCI_LENGTH`).
    pub asdu: Option<Asdu<'a>>,
}

impl<'a> Apdu<'a> {
    /// Decodes a framed APDU with the given ASDU field sizes ([`Params::IEC104`] for 104).
    #[inline(always)]
    pub fn parse(frame: &Frame<'a>, params: Params) -> Result<Parsed<Apdu<'a>>, Error> {
        let (apci, mut anomalies) = Apci::from_control(frame.control);
        let asdu = match apci {
            Apci::I { .. } => {
                if frame.asdu.len() < params.header_len() {
                    anomalies |= Anomalies::APCI_LENGTH;
                    None
                } else {
                    let p = Asdu::parse(frame.asdu, params)?;
                    anomalies |= p.anomalies;
                    Some(p.pdu)
                }
            }
            Apci::S { .. } | Apci::U(_) => {
                if !frame.asdu.is_empty() {
                    anomalies |= Anomalies::APCI_LENGTH | Anomalies::UNEXPECTED_ASDU;
                }
                None
            }
        };
        Ok(Parsed {
            pdu: Apdu { apci, asdu },
            anomalies,
        })
    }

    /// Splits and decodes the next APDU at the front of `input` (IEC 104 field sizes);
    /// returns it and the rest.
    pub fn split(input: &'a [u8]) -> Result<(Parsed<Apdu<'a>>, &'a [u8]), Error> {
        let (frame, rest) = split_frame(input)?;
        Ok((Apdu::parse(&frame, Params::IEC104)?, rest))
    }
}

impl Emit for Apdu<'_> {
    fn buffer_len(&self) -> usize {
        6 + self.asdu.as_ref().map_or(0, Emit::buffer_len)
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        match &self.asdu {
            Some(asdu) => IFrame {
                apci: self.apci,
                asdu,
            }
            .emit(buf),
            None => self.apci.emit(buf),
        }
    }
}

/// An APDU to encode from a control field and anything that emits an ASDU (a parsed
/// [`Asdu`], an [`AsduBuilder`](crate::AsduBuilder), a [`Request`](crate::Request)).
/// The length octet is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IFrame<'x, A: Emit + ?Sized> {
    /// The control field (normally `Apci::I`).
    pub apci: Apci,
    /// The ASDU.
    pub asdu: &'x A,
}

impl<A: Emit + ?Sized> Emit for IFrame<'_, A> {
    fn buffer_len(&self) -> usize {
        let mut c = otwire_core::Counter::default();
        // A counter fails on nothing: a length that does not fit fails in `emit`.
        let _ = self.encode(&mut c);
        c.0
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = Writer::new(buf, self.buffer_len())?;
        self.encode(&mut w)?;
        Ok(w.written())
    }
}

impl<A: Emit + ?Sized> IFrame<'_, A> {
    /// Start, length, control field, then the ASDU; the length counts the control field
    /// and the ASDU, at most 253 (IEC 60870-5-104 §5).
    fn encode(&self, w: &mut (impl Sink + ?Sized)) -> Result<(), EmitError> {
        let asdu_len = self.asdu.buffer_len();
        let length = u8::try_from(asdu_len + 4)
            .ok()
            .filter(|&l| l <= MAX_LENGTH)
            .ok_or(EmitError::ValueOutOfRange {
                field: "APDU length",
            })?;
        w.u8(START)?;
        w.u8(length)?;
        w.bytes(&self.apci.to_control())?;
        w.nested(self.asdu)
    }
}
