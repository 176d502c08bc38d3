//! Typed object values (IEEE 1815-2012 §11): flags, timestamps, counters, analogs,
//! commands (CROB, analog output block), time objects, device attributes, octet strings,
//! file-control (g70) and secure authentication (g120) objects.

use otwire_core::open_enum;

use crate::codes::{CommandStatus, OpType, TripCloseCode};

mod file_auth;
pub use file_auth::{AuthObject, FileObject};
use file_auth::{decode_auth, decode_file};

/// Little-endian reader over one object's octets; every read is checked.
#[derive(Clone, Copy)]
pub(crate) struct Rd<'a>(pub(crate) &'a [u8]);

impl<'a> Rd<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b;
        Some(a)
    }
    pub(crate) fn u8(&mut self) -> Option<u8> {
        let (&a, b) = self.0.split_first()?;
        self.0 = b;
        Some(a)
    }
    pub(crate) fn u16(&mut self) -> Option<u16> {
        let (a, b) = self.0.split_first_chunk::<2>()?;
        self.0 = b;
        Some(u16::from_le_bytes(*a))
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        let (a, b) = self.0.split_first_chunk::<4>()?;
        self.0 = b;
        Some(u32::from_le_bytes(*a))
    }
    fn u48(&mut self) -> Option<u64> {
        let (a, b) = self.0.split_first_chunk::<6>()?;
        self.0 = b;
        let [x0, x1, x2, x3, x4, x5] = *a;
        Some(u64::from_le_bytes([x0, x1, x2, x3, x4, x5, 0, 0]))
    }
    fn i16(&mut self) -> Option<i16> {
        self.u16().map(|v| v as i16)
    }
    fn i32(&mut self) -> Option<i32> {
        self.u32().map(|v| v as i32)
    }
    fn f32(&mut self) -> Option<f32> {
        self.u32().map(f32::from_bits)
    }
    fn f64(&mut self) -> Option<f64> {
        let (a, b) = self.0.split_first_chunk::<8>()?;
        self.0 = b;
        Some(f64::from_le_bytes(*a))
    }
    fn time(&mut self) -> Option<Timestamp> {
        self.u48().map(Timestamp)
    }
    fn flags(&mut self) -> Option<Flags> {
        self.u8().map(Flags)
    }
    fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.0)
    }
    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

/// DNP3 time: milliseconds since 1970-01-01T00:00:00Z, 48 bits on the wire (§11.21, the
/// DNP3 "DNP3TIME" type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// The 6 octets as transmitted (little-endian; the top 16 bits of `self.0` are dropped).
    pub fn to_bytes(self) -> [u8; 6] {
        let [a, b, c, d, e, f, _, _] = self.0.to_le_bytes();
        [a, b, c, d, e, f]
    }
}

/// The time of an event: absolute, or relative to the preceding CTO object g51 (§11.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EventTime {
    /// Absolute DNP3 time.
    Absolute(Timestamp),
    /// Milliseconds after the last common time of occurrence (g51).
    Relative(u16),
}

/// The flags octet of a point (§11.x "flags"): ONLINE, RESTART, COMM_LOST, REMOTE_FORCED,
/// LOCAL_FORCED, then per type CHATTER_FILTER / OVER_RANGE / ROLLOVER, REFERENCE_ERR /
/// DISCONTINUITY, and the STATE bit(s) of binaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Flags(pub u8);

impl Flags {
    /// ONLINE (bit 0).
    pub fn online(self) -> bool {
        self.0 & 0x01 != 0
    }
    /// RESTART (bit 1).
    pub fn restart(self) -> bool {
        self.0 & 0x02 != 0
    }
    /// COMM_LOST (bit 2).
    pub fn comm_lost(self) -> bool {
        self.0 & 0x04 != 0
    }
    /// REMOTE_FORCED (bit 3).
    pub fn remote_forced(self) -> bool {
        self.0 & 0x08 != 0
    }
    /// LOCAL_FORCED (bit 4).
    pub fn local_forced(self) -> bool {
        self.0 & 0x10 != 0
    }
    /// STATE (bit 7) of single-bit binaries and binary outputs.
    pub fn state(self) -> bool {
        self.0 & 0x80 != 0
    }
    /// STATE (bits 7-6) of double-bit binaries.
    pub fn double_bit(self) -> DoubleBit {
        DoubleBit::from_bits(self.0 >> 6)
    }
}

/// Double-bit binary state (§11.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DoubleBit {
    /// 0: transitioning between states.
    Intermediate,
    /// 1: determined off.
    Off,
    /// 2: determined on.
    On,
    /// 3: abnormal or custom condition.
    Indeterminate,
}

impl DoubleBit {
    /// From the two bits (higher bits ignored).
    pub fn from_bits(b: u8) -> Self {
        match b & 3 {
            0 => DoubleBit::Intermediate,
            1 => DoubleBit::Off,
            2 => DoubleBit::On,
            _ => DoubleBit::Indeterminate,
        }
    }
}

/// An analog value in the width its variation carries.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AnalogValue {
    /// 16-bit signed integer.
    I16(i16),
    /// 32-bit signed integer.
    I32(i32),
    /// IEEE-754 single precision.
    F32(f32),
    /// IEEE-754 double precision.
    F64(f64),
}

impl AnalogValue {
    /// The value as `f64`.
    pub fn as_f64(self) -> f64 {
        match self {
            AnalogValue::I16(v) => f64::from(v),
            AnalogValue::I32(v) => f64::from(v),
            AnalogValue::F32(v) => f64::from(v),
            AnalogValue::F64(v) => v,
        }
    }
}

/// The control code octet of a CROB (§11.9.5.3.1): operation type, queue, clear,
/// trip/close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct ControlCode(pub u8);

impl ControlCode {
    /// Builds the octet.
    pub fn new(op: OpType, trip_close: TripCloseCode, queue: bool, clear: bool) -> Self {
        ControlCode(
            (op.value() & 0x0F)
                | (u8::from(queue) << 4)
                | (u8::from(clear) << 5)
                | ((trip_close.value() & 3) << 6),
        )
    }
    /// Operation type (bits 3-0).
    pub fn op_type(self) -> OpType {
        OpType::from(self.0 & 0x0F)
    }
    /// Queue (bit 4, obsolete).
    pub fn queue(self) -> bool {
        self.0 & 0x10 != 0
    }
    /// Clear (bit 5).
    pub fn clear(self) -> bool {
        self.0 & 0x20 != 0
    }
    /// Trip/close code (bits 7-6).
    pub fn trip_close(self) -> TripCloseCode {
        TripCloseCode::from(self.0 >> 6)
    }
}

/// Control relay output block, g12v1 (and pattern control block g12v2) (§11.9.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Crob {
    /// Control code: operation, queue, clear, trip/close.
    pub code: ControlCode,
    /// Number of times to execute the operation.
    pub count: u8,
    /// On time, milliseconds.
    pub on_time: u32,
    /// Off time, milliseconds.
    pub off_time: u32,
    /// Status octet (bits 6-0 status code; bit 7 reserved).
    pub status: u8,
}

impl Crob {
    /// The status code (bits 6-0).
    pub fn status_code(&self) -> CommandStatus {
        CommandStatus::from(self.status & 0x7F)
    }

    /// The 11 octets as transmitted.
    pub fn to_bytes(&self) -> [u8; 11] {
        let on = self.on_time.to_le_bytes();
        let off = self.off_time.to_le_bytes();
        [
            self.code.0,
            self.count,
            on[0],
            on[1],
            on[2],
            on[3],
            off[0],
            off[1],
            off[2],
            off[3],
            self.status,
        ]
    }
}

open_enum! {
    /// Data type code of a device attribute value, g0 (§11.1.1, Table 11-2).
    pub enum AttributeType: u8 {
        /// Visible string.
        VisibleString = 1 => "VSTR",
        /// Unsigned integer.
        UnsignedInt = 2 => "UINT",
        /// Signed integer.
        SignedInt = 3 => "INT",
        /// Floating point.
        Float = 4 => "FLT",
        /// Octet string.
        OctetString = 5 => "OSTR",
        /// Bit string.
        BitString = 6 => "BSTR",
        /// DNP3 time.
        Time = 7 => "TIME",
        /// List of UINT8-BSTR8 pairs.
        List = 254 => "U8BS8LIST",
        /// Extended list of UINT8-BSTR8 pairs.
        ExtendedList = 255 => "U8BS8EXLIST",
    }
}

/// A device attribute value, g0 (§11.1): the attribute is the variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DeviceAttribute<'a> {
    /// Data type code.
    pub data_type: AttributeType,
    /// The value octets (length given by the length octet).
    pub value: &'a [u8],
}

impl DeviceAttribute<'_> {
    /// The value as an unsigned integer, for UINT attributes of 1-4 octets.
    pub fn as_uint(&self) -> Option<u32> {
        if self.data_type != AttributeType::UnsignedInt
            || self.value.is_empty()
            || self.value.len() > 4
        {
            return None;
        }
        let mut b = [0u8; 4];
        b.get_mut(..self.value.len())?.copy_from_slice(self.value);
        Some(u32::from_le_bytes(b))
    }

    /// The value as text, for VSTR attributes in UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        if self.data_type != AttributeType::VisibleString {
            return None;
        }
        core::str::from_utf8(self.value).ok()
    }
}

/// One object's value, typed by its group and variation (§11).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Value<'a> {
    /// The header names the point only (a Read or Freeze request with an index prefix).
    Empty,
    /// Packed single bit: g1v1, g10v1, g12v3, g80v1.
    Bit(bool),
    /// Packed double bit: g3v1.
    DoubleBit(DoubleBit),
    /// Binary with flags and optional time: g1v2, g2, g3v2, g4, g10v2, g11.
    Status {
        /// Flags, with the state bit(s).
        flags: Flags,
        /// Event time, if the variation has one.
        time: Option<EventTime>,
    },
    /// Binary output command event: g13.
    CommandEvent {
        /// Commanded state (bit 7).
        state: bool,
        /// Status code (bits 6-0).
        status: CommandStatus,
        /// Time, in v2.
        time: Option<Timestamp>,
    },
    /// Control relay output block g12v1, pattern control block g12v2.
    Crob(Crob),
    /// Counters: g20, g21, g22, g23 (16-bit values widened).
    Counter {
        /// Flags, unless a "without flag" variation.
        flags: Option<Flags>,
        /// Count.
        value: u32,
        /// Time (of freeze or of event), if the variation has one.
        time: Option<Timestamp>,
    },
    /// Analog inputs and outputs status/events: g30, g31, g32, g33, g40, g42.
    Analog {
        /// Flags, unless a "without flag" variation.
        flags: Option<Flags>,
        /// Value.
        value: AnalogValue,
        /// Time, if the variation has one.
        time: Option<Timestamp>,
    },
    /// Analog input deadband: g34.
    Deadband(AnalogValue),
    /// Analog output block (a command): g41.
    AnalogOutput {
        /// Requested value.
        value: AnalogValue,
        /// Status code.
        status: CommandStatus,
    },
    /// Analog output command event: g43.
    AnalogCommandEvent {
        /// Status code.
        status: CommandStatus,
        /// Commanded value.
        value: AnalogValue,
        /// Time, if the variation has one.
        time: Option<Timestamp>,
    },
    /// Absolute time: g50v1 (time and date), g50v3 (last recorded time), g51 (CTO).
    Time(Timestamp),
    /// g50v2 time and interval, g50v4 indexed absolute time and long interval.
    TimeInterval {
        /// Start time.
        time: Timestamp,
        /// Interval count.
        interval: u32,
        /// Interval units (g50v4 only).
        units: Option<u8>,
    },
    /// Time delay g52: seconds (v1, coarse) or milliseconds (v2, fine).
    Delay(u16),
    /// Device attribute g0.
    DeviceAttribute(DeviceAttribute<'a>),
    /// Octet strings and virtual terminal data: g110-g113.
    OctetString(&'a [u8]),
    /// File-control g70.
    File(FileObject<'a>),
    /// Secure authentication g120.
    Auth(AuthObject<'a>),
    /// Security statistic g121, g122.
    SecurityStatistic {
        /// Flags.
        flags: Flags,
        /// Association identifier.
        association: u16,
        /// Count.
        value: u32,
        /// Time (g122v2).
        time: Option<Timestamp>,
    },
    /// Any other object (data sets, BCD…), or a size-prefixed object whose size does not
    /// match its variation.
    Raw(&'a [u8]),
}

/// Decodes one object of `group`/`variation` from exactly its octets. Objects whose length
/// does not fit the variation come back as [`Value::Raw`].
pub(crate) fn decode<'a>(group: u8, variation: u8, obj: &'a [u8]) -> Value<'a> {
    let mut r = Rd(obj);
    let v = decode_inner(group, variation, &mut r);
    match v {
        Some(v) if r.done() => v,
        _ => Value::Raw(obj),
    }
}

fn status(code: u8) -> CommandStatus {
    CommandStatus::from(code & 0x7F)
}

fn decode_inner<'a>(group: u8, variation: u8, r: &mut Rd<'a>) -> Option<Value<'a>> {
    use AnalogValue::{F32, F64, I16, I32};
    let abs = |r: &mut Rd<'a>| r.time().map(EventTime::Absolute);
    Some(match (group, variation) {
        (0, _) => {
            let data_type = AttributeType::from(r.u8()?);
            let len = usize::from(r.u8()?);
            Value::DeviceAttribute(DeviceAttribute {
                data_type,
                value: r.take(len)?,
            })
        }
        (1, 2) | (2, 1) | (3, 2) | (4, 1) | (10, 2) | (11, 1) => Value::Status {
            flags: r.flags()?,
            time: None,
        },
        (2, 2) | (4, 2) | (11, 2) => Value::Status {
            flags: r.flags()?,
            time: Some(abs(r)?),
        },
        (2, 3) | (4, 3) => Value::Status {
            flags: r.flags()?,
            time: Some(EventTime::Relative(r.u16()?)),
        },
        (12, 1) | (12, 2) => Value::Crob(Crob {
            code: ControlCode(r.u8()?),
            count: r.u8()?,
            on_time: r.u32()?,
            off_time: r.u32()?,
            status: r.u8()?,
        }),
        (13, 1) | (13, 2) => {
            let b = r.u8()?;
            let time = if variation == 2 {
                Some(r.time()?)
            } else {
                None
            };
            Value::CommandEvent {
                state: b & 0x80 != 0,
                status: status(b),
                time,
            }
        }
        (20..=23, _) => {
            // Layout by variation: which have flags, 32 or 16 bits, and a time.
            let (flag, wide, time) = match (group, variation) {
                (20, 1 | 3) | (21..=23, 1 | 3) => (true, true, false),
                (20, 2 | 4) | (21..=23, 2 | 4) => (true, false, false),
                (20, 5 | 7) | (21, 9 | 11) => (false, true, false),
                (20, 6 | 8) | (21, 10 | 12) => (false, false, false),
                (21..=23, 5 | 7) => (true, true, true),
                (21..=23, 6 | 8) => (true, false, true),
                _ => return None,
            };
            let flags = if flag { Some(r.flags()?) } else { None };
            let value = if wide { r.u32()? } else { u32::from(r.u16()?) };
            let time = if time { Some(r.time()?) } else { None };
            Value::Counter { flags, value, time }
        }
        (30..=33 | 40 | 42, _) => {
            // (flags, width, time)
            #[derive(Clone, Copy)]
            enum W {
                S,
                L,
                F,
                D,
            }
            let (flag, w, time) = match (group, variation) {
                (30, 1) | (31, 1) | (32 | 33 | 40 | 42, 1) => (true, W::L, false),
                (30, 2) | (31, 2) | (32 | 33 | 40 | 42, 2) => (true, W::S, false),
                (30, 3) | (31, 5) => (false, W::L, false),
                (30, 4) | (31, 6) => (false, W::S, false),
                (30, 5) | (31, 7) | (32 | 33 | 42, 5) | (40, 3) => (true, W::F, false),
                (30, 6) | (31, 8) | (32 | 33 | 42, 6) | (40, 4) => (true, W::D, false),
                (31, 3) | (32 | 33 | 42, 3) => (true, W::L, true),
                (31, 4) | (32 | 33 | 42, 4) => (true, W::S, true),
                (32 | 33 | 42, 7) => (true, W::F, true),
                (32 | 33 | 42, 8) => (true, W::D, true),
                _ => return None,
            };
            let flags = if flag { Some(r.flags()?) } else { None };
            let value = match w {
                W::S => I16(r.i16()?),
                W::L => I32(r.i32()?),
                W::F => F32(r.f32()?),
                W::D => F64(r.f64()?),
            };
            let time = if time { Some(r.time()?) } else { None };
            Value::Analog { flags, value, time }
        }
        (34, 1) => Value::Deadband(I16(r.i16()?)),
        (34, 2) => Value::Deadband(I32(r.i32()?)),
        (34, 3) => Value::Deadband(F32(r.f32()?)),
        (41, 1..=4) => {
            let value = match variation {
                1 => I32(r.i32()?),
                2 => I16(r.i16()?),
                3 => F32(r.f32()?),
                _ => F64(r.f64()?),
            };
            Value::AnalogOutput {
                value,
                status: status(r.u8()?),
            }
        }
        (43, 1..=8) => {
            let st = status(r.u8()?);
            let value = match variation {
                1 | 3 => I32(r.i32()?),
                2 | 4 => I16(r.i16()?),
                5 | 7 => F32(r.f32()?),
                _ => F64(r.f64()?),
            };
            let time = if matches!(variation, 3 | 4 | 7 | 8) {
                Some(r.time()?)
            } else {
                None
            };
            Value::AnalogCommandEvent {
                status: st,
                value,
                time,
            }
        }
        (50, 1) | (50, 3) | (51, 1) | (51, 2) => Value::Time(r.time()?),
        (50, 2) => Value::TimeInterval {
            time: r.time()?,
            interval: r.u32()?,
            units: None,
        },
        (50, 4) => Value::TimeInterval {
            time: r.time()?,
            interval: r.u32()?,
            units: Some(r.u8()?),
        },
        (52, 1) | (52, 2) => Value::Delay(r.u16()?),
        (70, _) => Value::File(decode_file(variation, r)?),
        (80, 1) => return None,
        (110..=113, _) => Value::OctetString(r.rest()),
        (120, _) => Value::Auth(decode_auth(variation, r)?),
        (121, 1) | (122, 1) => Value::SecurityStatistic {
            flags: r.flags()?,
            association: r.u16()?,
            value: r.u32()?,
            time: None,
        },
        (122, 2) => Value::SecurityStatistic {
            flags: r.flags()?,
            association: r.u16()?,
            value: r.u32()?,
            time: Some(r.time()?),
        },
        _ => Value::Raw(r.rest()),
    })
}
