//! IEC 60870-5-101 link layer: FT1.2 frames (IEC 60870-5-1 §6.2.4, IEC 60870-5-2 §5,
//! IEC 60870-5-101 §6): single character, fixed length and variable length frames, the
//! arithmetic checksum and a link address of 0-2 octets, enough to frame a serial stream
//! and hand the user data to [`Asdu::parse`](crate::Asdu::parse).
//!
//! ```
//! use otwire_iec104::ft12::{split, LinkParams};
//! use otwire_iec104::Params;
//!
//! // Variable frame, link address 1 (one octet), carrying C_IC_NA_1 with COT 1, CA 1, IOA 2.
//! let bytes = [0x68, 0x09, 0x09, 0x68, 0x73, 0x01, 100, 0x01, 0x06, 0x01, 0x00, 0x00, 0x14, 0xf4, 0x16];
//! let (frame, rest) = split(&bytes, LinkParams::new(1).unwrap()).unwrap();
//! assert!(rest.is_empty() && frame.anomalies.is_empty());
//! let asdu = frame.pdu.asdu(Params::IEC101_COMPACT).unwrap().unwrap();
//! assert_eq!(u8::from(asdu.pdu.header.type_id), 100);
//! ```

use crate::anomaly::{Anomalies, Parsed};
use crate::asdu::{Asdu, Params};
use crate::emit::{Emit, Sink, Writer};
use crate::error::{EmitError, Error, Layer, Needed};

/// Start of a fixed length frame.
pub const START_FIXED: u8 = 0x10;
/// Start of a variable length frame.
pub const START_VARIABLE: u8 = 0x68;
/// The single control character E5 (positive acknowledgement).
pub const SINGLE_ACK: u8 = 0xE5;
/// The single control character A2 (IEC 60870-5-2, not used by 101 but seen in the field).
pub const SINGLE_NACK: u8 = 0xA2;
/// The end character of fixed and variable frames.
pub const STOP: u8 = 0x16;

/// Link layer parameters: the size of the link address (IEC 60870-5-101 §6.1.2, 0, 1 or 2
/// octets; 0 only in balanced transmission).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinkParams {
    address_size: u8,
}

impl LinkParams {
    /// Link address of `address_size` octets (0-2), else `None`.
    pub const fn new(address_size: u8) -> Option<Self> {
        if address_size <= 2 {
            Some(LinkParams { address_size })
        } else {
            None
        }
    }

    /// Octets of the link address.
    pub fn address_size(self) -> usize {
        usize::from(self.address_size.min(2))
    }
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams { address_size: 1 }
    }
}

/// The link control field (IEC 60870-5-2 §5.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct LinkControl(pub u8);

impl LinkControl {
    /// PRM: the frame is from the primary (initiating) station.
    pub fn primary(self) -> bool {
        self.0 & 0x40 != 0
    }
    /// FCB (primary) or ACD (secondary: class 1 data available).
    pub fn fcb_or_acd(self) -> bool {
        self.0 & 0x20 != 0
    }
    /// FCV (primary: FCB valid) or DFC (secondary: data flow control).
    pub fn fcv_or_dfc(self) -> bool {
        self.0 & 0x10 != 0
    }
    /// The function code, 0-15.
    pub fn function(self) -> u8 {
        self.0 & 0x0f
    }
    /// DIR, bit 8: direction in balanced transmission (reserved in unbalanced).
    pub fn dir(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// The kind of FT1.2 frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Format {
    /// A single control character (E5 or A2).
    SingleCharacter(u8),
    /// Start 0x10, control, address, checksum, 0x16.
    Fixed,
    /// Start 0x68, L, L, 0x68, control, address, user data, checksum, 0x16.
    Variable,
}

/// One FT1.2 frame, borrowing its user data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LinkFrame<'a> {
    /// The frame kind.
    pub format: Format,
    /// The control field (0 for a single character).
    pub control: LinkControl,
    /// The link address (0 when the size is 0, or for a single character).
    pub address: u16,
    /// The link parameters it was framed with.
    pub link: LinkParams,
    /// The user data (an ASDU) of a variable frame; empty otherwise.
    pub user_data: &'a [u8],
}

impl<'a> LinkFrame<'a> {
    /// The ASDU in the user data of a variable frame, decoded with `params`; `None` for the
    /// other frames.
    pub fn asdu(&self, params: Params) -> Option<Result<Parsed<Asdu<'a>>, Error>> {
        match self.format {
            Format::Variable if !self.user_data.is_empty() => {
                Some(Asdu::parse(self.user_data, params))
            }
            _ => None,
        }
    }
}

fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b))
}

fn read_address(b: &[u8]) -> u16 {
    match *b {
        [a] => u16::from(a),
        [a, c] => u16::from_le_bytes([a, c]),
        _ => 0,
    }
}

/// Splits the next FT1.2 frame off the front of `input` (streaming: `Incomplete` when more
/// octets are needed). A wrong checksum is `Ok` with `FT12_CHECKSUM`; a wrong stop
/// character or differing length octets are `Malformed`.
pub fn split(input: &[u8], link: LinkParams) -> Result<(Parsed<LinkFrame<'_>>, &[u8]), Error> {
    let need = |total: usize| Error::Incomplete(Needed::new(total - input.len()));
    let malformed = |offset| Error::Malformed {
        layer: Layer::Ft12,
        offset,
    };
    let a = link.address_size();
    let &first = input.first().ok_or_else(|| need(1))?;
    let mut anomalies = Anomalies::empty();
    match first {
        SINGLE_ACK | SINGLE_NACK => {
            let frame = LinkFrame {
                format: Format::SingleCharacter(first),
                control: LinkControl(0),
                address: 0,
                link,
                user_data: &[],
            };
            Ok((
                Parsed {
                    pdu: frame,
                    anomalies,
                },
                input.get(1..).unwrap_or_default(),
            ))
        }
        START_FIXED => {
            let total = 4 + a;
            let (frame, rest) = input.split_at_checked(total).ok_or_else(|| need(total))?;
            let body = frame.get(1..1 + 1 + a).ok_or(malformed(1))?;
            let (&cs, &stop) = (
                frame.get(total - 2).ok_or(malformed(total - 2))?,
                frame.get(total - 1).ok_or(malformed(total - 1))?,
            );
            if stop != STOP {
                return Err(malformed(total - 1));
            }
            if checksum(body) != cs {
                anomalies |= Anomalies::FT12_CHECKSUM;
            }
            let control = LinkControl(*body.first().ok_or(malformed(1))?);
            let address = read_address(body.get(1..).unwrap_or_default());
            Ok((
                Parsed {
                    pdu: LinkFrame {
                        format: Format::Fixed,
                        control,
                        address,
                        link,
                        user_data: &[],
                    },
                    anomalies,
                },
                rest,
            ))
        }
        START_VARIABLE => {
            let (&[_, l1, l2, s2], _) = input.split_first_chunk::<4>().ok_or_else(|| need(4))?;
            if l1 != l2 {
                return Err(malformed(2));
            }
            if s2 != START_VARIABLE {
                return Err(malformed(3));
            }
            let l = usize::from(l1);
            if l < 1 + a {
                return Err(malformed(1));
            }
            let total = 4 + l + 2;
            let (frame, rest) = input.split_at_checked(total).ok_or_else(|| need(total))?;
            let body = frame.get(4..4 + l).ok_or(malformed(4))?;
            let (&cs, &stop) = (
                frame.get(total - 2).ok_or(malformed(total - 2))?,
                frame.get(total - 1).ok_or(malformed(total - 1))?,
            );
            if stop != STOP {
                return Err(malformed(total - 1));
            }
            if checksum(body) != cs {
                anomalies |= Anomalies::FT12_CHECKSUM;
            }
            let control = LinkControl(*body.first().ok_or(malformed(4))?);
            let address = read_address(body.get(1..1 + a).unwrap_or_default());
            let user_data = body.get(1 + a..).unwrap_or_default();
            Ok((
                Parsed {
                    pdu: LinkFrame {
                        format: Format::Variable,
                        control,
                        address,
                        link,
                        user_data,
                    },
                    anomalies,
                },
                rest,
            ))
        }
        other => Err(Error::BadStart { found: other }),
    }
}

impl Emit for LinkFrame<'_> {
    fn buffer_len(&self) -> usize {
        let a = self.link.address_size();
        match self.format {
            Format::SingleCharacter(_) => 1,
            Format::Fixed => 4 + a,
            Format::Variable => 6 + 1 + a + self.user_data.len(),
        }
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = Writer::new(buf, self.buffer_len())?;
        let a = self.link.address_size();
        let addr = |w: &mut Writer<'_>| w.uint_le(u32::from(self.address), a, "link address");
        match self.format {
            Format::SingleCharacter(c) => w.u8(c)?,
            Format::Fixed => {
                w.u8(START_FIXED)?;
                w.u8(self.control.0)?;
                addr(&mut w)?;
                let cs = checksum(w.filled_from(1));
                w.u8(cs)?;
                w.u8(STOP)?;
            }
            Format::Variable => {
                let l = u8::try_from(1 + a + self.user_data.len()).map_err(|_| {
                    EmitError::ValueOutOfRange {
                        field: "FT1.2 length",
                    }
                })?;
                w.bytes(&[START_VARIABLE, l, l, START_VARIABLE, self.control.0])?;
                addr(&mut w)?;
                w.bytes(self.user_data)?;
                let cs = checksum(w.filled_from(4));
                w.u8(cs)?;
                w.u8(STOP)?;
            }
        }
        Ok(w.written())
    }
}
