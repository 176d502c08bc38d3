//! Application layer (IEEE 1815-2012 §4.2): the fragment header (application control,
//! function code, internal indications) and its object headers.

pub mod header;
pub mod objects;
pub mod values;

use crate::anomaly::Anomalies;
use crate::codes::FunctionCode;
use crate::emit::Sink;
use crate::error::{EmitError, Error, Layer};
use header::{ObjectHeaders, read_header};

/// Default cap on object headers walked in one fragment ([`Limits::max_object_headers`]).
/// A 2048-octet fragment holds at most 682 three-octet headers; a reassembled fragment
/// may be larger, so the cap leaves room.
pub const MAX_OBJECT_HEADERS: usize = 4096;

/// Limits of the application layer walk (DESIGN.md §2: every limit named).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Limits {
    /// Object headers walked before the walk stops with `TOO_MANY_HEADERS`.
    pub max_object_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_object_headers: MAX_OBJECT_HEADERS,
        }
    }
}

/// The application control octet (§4.2.2.4): FIR, FIN, CON, UNS and SEQ (4 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AppControl {
    /// FIR: first fragment of a message.
    pub fir: bool,
    /// FIN: final fragment of a message.
    pub fin: bool,
    /// CON: the receiver must confirm.
    pub con: bool,
    /// UNS: unsolicited response (or its confirm).
    pub uns: bool,
    /// SEQ, 0-15.
    pub seq: u8,
}

impl AppControl {
    /// Decodes the octet.
    pub fn from_u8(b: u8) -> Self {
        AppControl {
            fir: b & 0x80 != 0,
            fin: b & 0x40 != 0,
            con: b & 0x20 != 0,
            uns: b & 0x10 != 0,
            seq: b & 0x0F,
        }
    }

    /// Encodes the octet (SEQ masked to 4 bits).
    pub fn to_u8(self) -> u8 {
        (u8::from(self.fir) << 7)
            | (u8::from(self.fin) << 6)
            | (u8::from(self.con) << 5)
            | (u8::from(self.uns) << 4)
            | (self.seq & 0x0F)
    }

    /// A single-fragment request control (FIR, FIN) with `seq`.
    pub fn request(seq: u8) -> Self {
        AppControl {
            fir: true,
            fin: true,
            con: false,
            uns: false,
            seq: seq & 0x0F,
        }
    }
}

bitflags::bitflags! {
    /// Internal indications (§4.2.2.6): IIN1 in the high octet, IIN2 in the low octet, as
    /// Wireshark's `dnp3.al.iin` shows them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Iin: u16 {
        /// IIN1.0 broadcast message received.
        const BROADCAST = 0x0100;
        /// IIN1.1 class 1 events available.
        const CLASS_1_EVENTS = 0x0200;
        /// IIN1.2 class 2 events available.
        const CLASS_2_EVENTS = 0x0400;
        /// IIN1.3 class 3 events available.
        const CLASS_3_EVENTS = 0x0800;
        /// IIN1.4 time synchronisation required.
        const NEED_TIME = 0x1000;
        /// IIN1.5 some outputs in local mode.
        const LOCAL_CONTROL = 0x2000;
        /// IIN1.6 device trouble.
        const DEVICE_TROUBLE = 0x4000;
        /// IIN1.7 device restart.
        const DEVICE_RESTART = 0x8000;
        /// IIN2.0 function code not supported.
        const NO_FUNC_CODE_SUPPORT = 0x0001;
        /// IIN2.1 object unknown.
        const OBJECT_UNKNOWN = 0x0002;
        /// IIN2.2 parameter error.
        const PARAMETER_ERROR = 0x0004;
        /// IIN2.3 event buffer overflow.
        const EVENT_BUFFER_OVERFLOW = 0x0008;
        /// IIN2.4 operation already executing.
        const ALREADY_EXECUTING = 0x0010;
        /// IIN2.5 configuration corrupt.
        const CONFIG_CORRUPT = 0x0020;
        /// IIN2.6 reserved.
        const RESERVED_2 = 0x0040;
        /// IIN2.7 reserved.
        const RESERVED_1 = 0x0080;
    }
}

// `names()` and the serde form (the list of flag names), as in every otwire crate.
otwire_core::flag_names!(Iin);

impl Iin {
    /// From the two octets as transmitted (IIN1, IIN2).
    pub fn from_bytes(b: [u8; 2]) -> Self {
        Iin::from_bits_retain(u16::from_be_bytes(b))
    }
    /// The two octets as transmitted.
    pub fn to_bytes(self) -> [u8; 2] {
        self.bits().to_be_bytes()
    }
}

/// An application fragment (§4.2.2): header and validated object headers, all borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Apdu<'a> {
    /// Application control.
    pub control: AppControl,
    /// Function code.
    pub function: FunctionCode,
    /// Internal indications, present in responses (129-131).
    pub iin: Option<Iin>,
    /// The object headers that could be walked.
    pub objects: ObjectHeaders<'a>,
    /// Octets after the last walkable header (empty unless an anomaly stopped the walk).
    #[cfg_attr(feature = "serde", serde(with = "serde_bytes_ref"))]
    pub trailing: &'a [u8],
}

#[cfg(feature = "serde")]
mod serde_bytes_ref {
    pub(super) fn serialize<S: serde::Serializer>(v: &&[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
}

/// A decoded value plus what was off about it (DESIGN.md: `Ok` with flags beats `Err`):
/// [`otwire_core::Parsed`] with this crate's [`Anomalies`].
pub type Parsed<T> = otwire_core::Parsed<T, Anomalies>;

impl<'a> Apdu<'a> {
    /// Parses a complete application fragment with the default [`Limits`]. The function
    /// code says whether it is a response (with IIN): no direction is needed.
    pub fn parse(bytes: &'a [u8]) -> Result<Parsed<Apdu<'a>>, Error> {
        Apdu::parse_with(bytes, &Limits::default())
    }

    /// [`Apdu::parse`] with explicit limits.
    pub fn parse_with(bytes: &'a [u8], limits: &Limits) -> Result<Parsed<Apdu<'a>>, Error> {
        let [ac, fc, rest @ ..] = bytes else {
            return Err(Error::Malformed {
                layer: Layer::Application,
                offset: bytes.len(),
            });
        };
        let control = AppControl::from_u8(*ac);
        let function = FunctionCode::from(*fc);
        let mut anomalies = Anomalies::empty();
        if !function.is_known() {
            anomalies |= Anomalies::UNKNOWN_FUNCTION;
        }
        let (iin, body) = if function.is_response() {
            let Some((iin, body)) = rest.split_first_chunk::<2>() else {
                return Err(Error::Malformed {
                    layer: Layer::Application,
                    offset: bytes.len(),
                });
            };
            let iin = Iin::from_bytes(*iin);
            if iin.intersects(Iin::RESERVED_1 | Iin::RESERVED_2) {
                anomalies |= Anomalies::IIN_RESERVED;
            }
            (Some(iin), body)
        } else {
            (None, rest)
        };
        anomalies |= control_anomalies(control, function);
        if function.has_no_objects() && !body.is_empty() {
            anomalies |= Anomalies::UNEXPECTED_OBJECTS;
        }
        // Validate the object headers once; the iterator then walks only what passed.
        let mut cursor = body;
        let mut count = 0usize;
        while !cursor.is_empty() {
            if count >= limits.max_object_headers {
                anomalies |= Anomalies::TOO_MANY_HEADERS;
                break;
            }
            match read_header(cursor, function, &mut anomalies) {
                Ok((_, rest)) => {
                    cursor = rest;
                    count += 1;
                }
                Err(stop) => {
                    anomalies |= stop;
                    break;
                }
            }
        }
        let walked = body.len() - cursor.len();
        let (objects, trailing) = body.split_at(walked);
        Ok(Parsed {
            pdu: Apdu {
                control,
                function,
                iin,
                objects: ObjectHeaders {
                    bytes: objects,
                    function,
                    remaining: count,
                },
                trailing,
            },
            anomalies,
        })
    }

    /// Whether this is a response (129-131).
    pub fn is_response(&self) -> bool {
        self.function.is_response()
    }
}

fn control_anomalies(c: AppControl, f: FunctionCode) -> Anomalies {
    let bad = match f {
        FunctionCode::UnsolicitedResponse => !c.uns,
        FunctionCode::Response | FunctionCode::AuthenticateResponse => c.uns,
        FunctionCode::Confirm => !(c.fir && c.fin) || c.con,
        FunctionCode::Unknown(_) => false,
        // Requests: a single fragment, no confirm, no UNS.
        _ => !(c.fir && c.fin) || c.con || c.uns,
    };
    if bad {
        Anomalies::APP_CONTROL_BITS
    } else {
        Anomalies::empty()
    }
}

otwire_core::emit_via_encode!(Apdu<'_>);

impl Apdu<'_> {
    fn encode<S: Sink + ?Sized>(&self, w: &mut S) -> Result<(), EmitError> {
        w.u8(self.control.to_u8())?;
        w.u8(self.function.value())?;
        if let Some(iin) = self.iin {
            w.bytes(&iin.to_bytes())?;
        }
        w.bytes(self.objects.as_bytes())?;
        w.bytes(self.trailing)
    }
}
