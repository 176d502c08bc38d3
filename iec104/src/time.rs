//! Binary time tags CP16Time2a, CP24Time2a and CP56Time2a (IEC 60870-5-101 §7.2.6.18-20,
//! IEC 60870-5-4 §6.8).

use crate::anomaly::Anomalies;

/// Two-octet time: milliseconds 0-59999 (IEC 60870-5-101 §7.2.6.20), used for elapsed and
/// relay operating times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Cp16Time2a(pub u16);

impl Cp16Time2a {
    /// What is out of range (milliseconds above 59999).
    pub fn anomalies(self) -> Anomalies {
        if self.0 > 59_999 {
            Anomalies::TIME_OUT_OF_RANGE
        } else {
            Anomalies::empty()
        }
    }
}

/// Three-octet time: milliseconds and minutes of the hour (IEC 60870-5-101 §7.2.6.19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cp24Time2a {
    /// Milliseconds of the minute, 0-59999.
    pub milliseconds: u16,
    /// Minutes, 0-59 (6 bits).
    pub minute: u8,
    /// RES1, the reserved bit 7 of the minute octet.
    pub reserved: bool,
    /// IV: the time is invalid.
    pub invalid: bool,
}

impl Cp24Time2a {
    /// Decodes the three octets.
    #[inline]
    pub fn from_bytes(b: [u8; 3]) -> Self {
        Cp24Time2a {
            milliseconds: u16::from_le_bytes([b[0], b[1]]),
            minute: b[2] & 0x3f,
            reserved: b[2] & 0x40 != 0,
            invalid: b[2] & 0x80 != 0,
        }
    }

    /// Encodes the three octets; `None` when the minute does not fit its 6 bits.
    pub fn to_bytes(self) -> Option<[u8; 3]> {
        if self.minute > 0x3f {
            return None;
        }
        let [m0, m1] = self.milliseconds.to_le_bytes();
        Some([
            m0,
            m1,
            self.minute | u8::from(self.reserved) << 6 | u8::from(self.invalid) << 7,
        ])
    }

    /// What is out of range or reserved.
    pub fn anomalies(self) -> Anomalies {
        let mut a = Anomalies::empty();
        if self.milliseconds > 59_999 || self.minute > 59 {
            a |= Anomalies::TIME_OUT_OF_RANGE;
        }
        if self.reserved {
            a |= Anomalies::TIME_RESERVED_BITS;
        }
        a
    }
}

/// Seven-octet time: milliseconds to years (IEC 60870-5-101 §7.2.6.18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cp56Time2a {
    /// Milliseconds of the minute, 0-59999.
    pub milliseconds: u16,
    /// Minutes, 0-59 (6 bits).
    pub minute: u8,
    /// Bit 7 of the minute octet: RES1 in IEC 60870-5-101, "substituted time" (GEN) in
    /// Wireshark and several gateways. Not flagged.
    pub substituted: bool,
    /// IV: the time is invalid.
    pub invalid: bool,
    /// Hours, 0-23 (5 bits).
    pub hour: u8,
    /// SU: summer time.
    pub summer_time: bool,
    /// Day of month, 1-31 (5 bits).
    pub day: u8,
    /// Day of week, 1-7, 0 when not used (3 bits).
    pub weekday: u8,
    /// Month, 1-12 (4 bits).
    pub month: u8,
    /// Year of the century, 0-99 (7 bits).
    pub year: u8,
    /// The reserved bits RES2 (hour octet bits 6-7), RES3 (month octet bits 5-8) and RES4
    /// (year octet bit 8), packed as `RES4 << 6 | RES3 << 2 | RES2`.
    pub reserved: u8,
}

impl Cp56Time2a {
    /// A valid time tag from calendar fields (no reserved bits, not invalid).
    pub fn new(year: u8, month: u8, day: u8, hour: u8, minute: u8, milliseconds: u16) -> Self {
        Cp56Time2a {
            milliseconds,
            minute,
            hour,
            day,
            month,
            year,
            ..Cp56Time2a::default()
        }
    }

    /// Decodes the seven octets.
    #[inline(always)]
    pub fn from_bytes(b: [u8; 7]) -> Self {
        Cp56Time2a {
            milliseconds: u16::from_le_bytes([b[0], b[1]]),
            minute: b[2] & 0x3f,
            substituted: b[2] & 0x40 != 0,
            invalid: b[2] & 0x80 != 0,
            hour: b[3] & 0x1f,
            summer_time: b[3] & 0x80 != 0,
            day: b[4] & 0x1f,
            weekday: b[4] >> 5,
            month: b[5] & 0x0f,
            year: b[6] & 0x7f,
            reserved: (b[3] >> 5) & 0x03 | (b[5] >> 4) << 2 | (b[6] >> 7) << 6,
        }
    }

    /// Encodes the seven octets; `None` when a field does not fit its bits.
    pub fn to_bytes(self) -> Option<[u8; 7]> {
        if self.minute > 0x3f
            || self.hour > 0x1f
            || self.day > 0x1f
            || self.weekday > 7
            || self.month > 0x0f
            || self.year > 0x7f
            || self.reserved > 0x7f
        {
            return None;
        }
        let [m0, m1] = self.milliseconds.to_le_bytes();
        Some([
            m0,
            m1,
            self.minute | u8::from(self.substituted) << 6 | u8::from(self.invalid) << 7,
            self.hour | (self.reserved & 0x03) << 5 | u8::from(self.summer_time) << 7,
            self.day | self.weekday << 5,
            self.month | ((self.reserved >> 2) & 0x0f) << 4,
            self.year | (self.reserved >> 6) << 7,
        ])
    }

    /// What is out of range or reserved.
    pub fn anomalies(self) -> Anomalies {
        let mut a = Anomalies::empty();
        if self.milliseconds > 59_999
            || self.minute > 59
            || self.hour > 23
            || self.day == 0
            || self.day > 31
            || self.month == 0
            || self.month > 12
            || self.year > 99
        {
            a |= Anomalies::TIME_OUT_OF_RANGE;
        }
        if self.reserved != 0 {
            a |= Anomalies::TIME_RESERVED_BITS;
        }
        a
    }
}
