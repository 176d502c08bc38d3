//! Quality descriptors, qualifiers and other one-octet information elements
//! (IEC 60870-5-101 §7.2.6). Each is a transparent newtype over its octet, so every bit is
//! kept (round trips are exact) and read through named accessors.

use crate::anomaly::Anomalies;

macro_rules! octet {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(transparent))]
        pub struct $name(pub u8);

        impl From<u8> for $name {
            fn from(v: u8) -> Self {
                $name(v)
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v.0
            }
        }
    };
}

macro_rules! bit {
    ($(#[$meta:meta])* $fn:ident, $bit:expr) => {
        $(#[$meta])*
        pub fn $fn(self) -> bool {
            self.0 & (1 << $bit) != 0
        }
    };
}

/// The BL/SB/NT/IV bits shared by SIQ, DIQ, QDS, QDP and SEP.
macro_rules! quality_bits {
    () => {
        bit!(
            /// BL: blocked.
            blocked, 4
        );
        bit!(
            /// SB: substituted.
            substituted, 5
        );
        bit!(
            /// NT: not topical.
            not_topical, 6
        );
        bit!(
            /// IV: invalid.
            invalid, 7
        );
        /// Whether every quality bit is clear (a good value).
        pub fn is_good(self) -> bool {
            self.0 & 0xf0 == 0
        }
    };
}

octet!(
    /// SIQ, single-point information with quality descriptor (IEC 60870-5-101 §7.2.6.1).
    Siq
);
impl Siq {
    bit!(
        /// SPI: the single-point state (on).
        on, 0
    );
    quality_bits!();
    /// Reserved bits 2-4 set.
    pub fn anomalies(self) -> Anomalies {
        if self.0 & 0x0e != 0 {
            Anomalies::QUALITY_RESERVED_BITS
        } else {
            Anomalies::empty()
        }
    }
}

/// A double-point state, DPI or DCS (IEC 60870-5-101 §7.2.6.2, §7.2.6.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DoublePointState {
    /// 0: indeterminate or intermediate (DPI), not permitted (DCS).
    Intermediate,
    /// 1: determined state OFF.
    Off,
    /// 2: determined state ON.
    On,
    /// 3: indeterminate (DPI), not permitted (DCS).
    Indeterminate,
}

impl DoublePointState {
    fn from_bits(b: u8) -> Self {
        match b & 3 {
            0 => DoublePointState::Intermediate,
            1 => DoublePointState::Off,
            2 => DoublePointState::On,
            _ => DoublePointState::Indeterminate,
        }
    }
}

octet!(
    /// DIQ, double-point information with quality descriptor (IEC 60870-5-101 §7.2.6.2).
    Diq
);
impl Diq {
    /// DPI: the double-point state.
    pub fn state(self) -> DoublePointState {
        DoublePointState::from_bits(self.0)
    }
    quality_bits!();
    /// Reserved bits 3-4 set.
    pub fn anomalies(self) -> Anomalies {
        if self.0 & 0x0c != 0 {
            Anomalies::QUALITY_RESERVED_BITS
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// QDS, quality descriptor (IEC 60870-5-101 §7.2.6.3).
    Qds
);
impl Qds {
    bit!(
        /// OV: overflow.
        overflow, 0
    );
    quality_bits!();
    /// Reserved bits 2-4 set.
    pub fn anomalies(self) -> Anomalies {
        if self.0 & 0x0e != 0 {
            Anomalies::QUALITY_RESERVED_BITS
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// QDP, quality descriptor for events of protection equipment (IEC 60870-5-101 §7.2.6.4).
    Qdp
);
impl Qdp {
    bit!(
        /// EI: the elapsed time is invalid.
        elapsed_invalid, 3
    );
    quality_bits!();
    /// Reserved bits 1-3 set.
    pub fn anomalies(self) -> Anomalies {
        if self.0 & 0x07 != 0 {
            Anomalies::QUALITY_RESERVED_BITS
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// SEP, single event of protection equipment (IEC 60870-5-101 §7.2.6.10).
    Sep
);
impl Sep {
    /// ES: the event state.
    pub fn state(self) -> DoublePointState {
        DoublePointState::from_bits(self.0)
    }
    bit!(
        /// EI: the elapsed time is invalid.
        elapsed_invalid, 3
    );
    quality_bits!();
    /// Reserved bit 3 set.
    pub fn anomalies(self) -> Anomalies {
        if self.0 & 0x04 != 0 {
            Anomalies::QUALITY_RESERVED_BITS
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// SPE, start events of protection equipment (IEC 60870-5-101 §7.2.6.11).
    Spe
);
impl Spe {
    bit!(
        /// GS: general start of operation.
        general_start, 0
    );
    /// SL1-SL3 and SIE, SRD: the phase, earth-current and reverse-direction start bits.
    pub fn starts(self) -> u8 {
        (self.0 >> 1) & 0x1f
    }
    /// Reserved bits 7-8 set.
    pub fn anomalies(self) -> Anomalies {
        if self.0 & 0xc0 != 0 {
            Anomalies::QUALITY_RESERVED_BITS
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// OCI, output circuit information of protection equipment (IEC 60870-5-101 §7.2.6.12).
    Oci
);
impl Oci {
    bit!(
        /// GC: general command to output circuit.
        general_command, 0
    );
    /// CL1-CL3: command to output circuit of phases L1-L3.
    pub fn phases(self) -> u8 {
        (self.0 >> 1) & 0x07
    }
    /// Reserved bits 5-8 set.
    pub fn anomalies(self) -> Anomalies {
        if self.0 & 0xf0 != 0 {
            Anomalies::QUALITY_RESERVED_BITS
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// VTI, value with transient state indication (IEC 60870-5-101 §7.2.6.5).
    Vti
);
impl Vti {
    /// The step position, -64..=63.
    pub fn value(self) -> i8 {
        // Sign-extend the 7-bit field.
        ((self.0 << 1) as i8) >> 1
    }
    bit!(
        /// T: the equipment is in transient state.
        transient, 7
    );
    /// A VTI from a position (-64..=63, else `None`) and the transient flag.
    pub fn new(value: i8, transient: bool) -> Option<Self> {
        if !(-64..=63).contains(&value) {
            return None;
        }
        Some(Vti((value as u8) & 0x7f | u8::from(transient) << 7))
    }
}

/// The qualifier of command QU of SCO, DCO, RCO (IEC 60870-5-101 §7.2.6.26): 0 none,
/// 1 short pulse, 2 long pulse, 3 persistent output, 4-15 reserved, 16-31 private.
fn qu_reserved(octet: u8) -> bool {
    (4..=15).contains(&((octet >> 2) & 0x1f))
}

macro_rules! command_bits {
    () => {
        /// QU: the qualifier of command (0 none, 1 short pulse, 2 long pulse, 3 persistent).
        pub fn qualifier(self) -> u8 {
            (self.0 >> 2) & 0x1f
        }
        bit!(
            /// S/E: select (true) or execute (false).
            select, 7
        );
    };
}

octet!(
    /// SCO, single command (IEC 60870-5-101 §7.2.6.15).
    Sco
);
impl Sco {
    bit!(
        /// SCS: the commanded state (on).
        on, 0
    );
    command_bits!();
    /// A single command octet.
    pub fn new(on: bool, qualifier: u8, select: bool) -> Self {
        Sco(u8::from(on) | (qualifier & 0x1f) << 2 | u8::from(select) << 7)
    }
    /// Reserved bit 2 or a reserved QU.
    pub fn anomalies(self) -> Anomalies {
        let mut a = Anomalies::empty();
        if self.0 & 0x02 != 0 {
            a |= Anomalies::QUALITY_RESERVED_BITS;
        }
        if qu_reserved(self.0) {
            a |= Anomalies::QUALIFIER_RESERVED;
        }
        a
    }
}

octet!(
    /// DCO, double command (IEC 60870-5-101 §7.2.6.16).
    Dco
);
impl Dco {
    /// DCS: the commanded state (Off or On; the other two are "not permitted").
    pub fn state(self) -> DoublePointState {
        DoublePointState::from_bits(self.0)
    }
    command_bits!();
    /// A double command octet.
    pub fn new(on: bool, qualifier: u8, select: bool) -> Self {
        Dco(if on { 2 } else { 1 } | (qualifier & 0x1f) << 2 | u8::from(select) << 7)
    }
    /// A not-permitted state or a reserved QU.
    pub fn anomalies(self) -> Anomalies {
        let mut a = Anomalies::empty();
        if matches!(self.0 & 3, 0 | 3) {
            a |= Anomalies::COMMAND_STATE_INVALID;
        }
        if qu_reserved(self.0) {
            a |= Anomalies::QUALIFIER_RESERVED;
        }
        a
    }
}

octet!(
    /// RCO, regulating step command (IEC 60870-5-101 §7.2.6.17).
    Rco
);
impl Rco {
    /// RCS: 1 next step lower, 2 next step higher (0 and 3 not permitted).
    pub fn step(self) -> u8 {
        self.0 & 3
    }
    command_bits!();
    /// A not-permitted step or a reserved QU.
    pub fn anomalies(self) -> Anomalies {
        let mut a = Anomalies::empty();
        if matches!(self.0 & 3, 0 | 3) {
            a |= Anomalies::COMMAND_STATE_INVALID;
        }
        if qu_reserved(self.0) {
            a |= Anomalies::QUALIFIER_RESERVED;
        }
        a
    }
}

octet!(
    /// QOS, qualifier of set-point command (IEC 60870-5-101 §7.2.6.39).
    Qos
);
impl Qos {
    /// QL: 0 default, 1-63 reserved, 64-127 private.
    pub fn ql(self) -> u8 {
        self.0 & 0x7f
    }
    bit!(
        /// S/E: select (true) or execute (false).
        select, 7
    );
    /// A reserved QL.
    pub fn anomalies(self) -> Anomalies {
        if (1..=63).contains(&self.ql()) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// QOI, qualifier of interrogation (IEC 60870-5-101 §7.2.6.22): 20 station, 21-36
    /// groups 1-16, 64-255 private.
    Qoi
);
impl Qoi {
    /// Station (global) interrogation.
    pub const STATION: Qoi = Qoi(20);
    /// Group number 1-16, when the qualifier names a group.
    pub fn group(self) -> Option<u8> {
        (21..=36).contains(&self.0).then(|| self.0 - 20)
    }
    /// 0, 1-19 and 37-63 are not used or reserved.
    pub fn anomalies(self) -> Anomalies {
        if self.0 < 20 || (37..=63).contains(&self.0) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// QCC, qualifier of counter interrogation (IEC 60870-5-101 §7.2.6.23).
    Qcc
);
impl Qcc {
    /// General request counter, read only.
    pub const GENERAL: Qcc = Qcc(5);
    /// RQT: 1-4 group, 5 general, 0 none, 6-31 reserved, 32-63 private.
    pub fn request(self) -> u8 {
        self.0 & 0x3f
    }
    /// FRZ: 0 read, 1 freeze without reset, 2 freeze with reset, 3 reset.
    pub fn freeze(self) -> u8 {
        self.0 >> 6
    }
    /// RQT 0 (no counter requested) or reserved.
    pub fn anomalies(self) -> Anomalies {
        let r = self.request();
        if r == 0 || (6..=31).contains(&r) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// QRP, qualifier of reset process command (IEC 60870-5-101 §7.2.6.27).
    Qrp
);
impl Qrp {
    /// 0 or 3-127.
    pub fn anomalies(self) -> Anomalies {
        if self.0 == 0 || (3..=127).contains(&self.0) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// COI, cause of initialization (IEC 60870-5-101 §7.2.6.21).
    Coi
);
impl Coi {
    /// 0 local power switch on, 1 local manual reset, 2 remote reset, 3-31 reserved,
    /// 32-127 private.
    pub fn cause(self) -> u8 {
        self.0 & 0x7f
    }
    bit!(
        /// BS: initialization after change of local parameters.
        parameters_changed, 7
    );
    /// A reserved cause.
    pub fn anomalies(self) -> Anomalies {
        if (3..=31).contains(&self.cause()) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// QPM, qualifier of parameter of measured values (IEC 60870-5-101 §7.2.6.24).
    Qpm
);
impl Qpm {
    /// KPA: 1 threshold, 2 smoothing factor, 3 low limit, 4 high limit, 5-31 reserved,
    /// 32-63 private.
    pub fn kind(self) -> u8 {
        self.0 & 0x3f
    }
    bit!(
        /// LPC: local parameter change.
        local_change, 6
    );
    bit!(
        /// POP: parameter not in operation.
        not_in_operation, 7
    );
    /// KPA 0 or reserved.
    pub fn anomalies(self) -> Anomalies {
        let k = self.kind();
        if k == 0 || (5..=31).contains(&k) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// QPA, qualifier of parameter activation (IEC 60870-5-101 §7.2.6.25).
    Qpa
);
impl Qpa {
    /// 0 or 4-127.
    pub fn anomalies(self) -> Anomalies {
        if self.0 == 0 || (4..=127).contains(&self.0) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// FRQ or SRQ, file or section ready qualifier (IEC 60870-5-101 §7.2.6.28, §7.2.6.29).
    ReadyQualifier
);
impl ReadyQualifier {
    bit!(
        /// BS: negative confirm (FRQ) or section not ready (SRQ).
        negative, 7
    );
    /// Reserved values 1-63.
    pub fn anomalies(self) -> Anomalies {
        if (1..=63).contains(&(self.0 & 0x7f)) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// SCQ, select and call qualifier (IEC 60870-5-101 §7.2.6.30).
    Scq
);
impl Scq {
    /// 1 select file, 2 request file, 3 deactivate file, 4 delete file, 5 select section,
    /// 6 request section, 7 deactivate section.
    pub fn action(self) -> u8 {
        self.0 & 0x0f
    }
    /// Error: 1 no memory, 2 checksum failed, 3 unexpected service, 4 unexpected file
    /// name, 5 unexpected section name.
    pub fn error(self) -> u8 {
        self.0 >> 4
    }
    /// Reserved action 8-10 or error 6-10.
    pub fn anomalies(self) -> Anomalies {
        if (8..=10).contains(&self.action()) || (6..=10).contains(&self.error()) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// LSQ, last section or segment qualifier (IEC 60870-5-101 §7.2.6.31).
    Lsq
);
impl Lsq {
    /// 0 or 5-127.
    pub fn anomalies(self) -> Anomalies {
        if self.0 == 0 || (5..=127).contains(&self.0) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// AFQ, acknowledge file or section qualifier (IEC 60870-5-101 §7.2.6.32).
    Afq
);
impl Afq {
    /// 1 positive ack of file, 2 negative ack of file, 3 positive ack of section, 4
    /// negative ack of section.
    pub fn action(self) -> u8 {
        self.0 & 0x0f
    }
    /// Error, as for SCQ.
    pub fn error(self) -> u8 {
        self.0 >> 4
    }
    /// Reserved action 5-10 or error 6-10.
    pub fn anomalies(self) -> Anomalies {
        if (5..=10).contains(&self.action()) || (6..=10).contains(&self.error()) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

octet!(
    /// SOF, status of file (IEC 60870-5-101 §7.2.6.38).
    Sof
);
impl Sof {
    /// STATUS: 0 default, 1-15 reserved, 16-31 private.
    pub fn status(self) -> u8 {
        self.0 & 0x1f
    }
    bit!(
        /// LFD: last file of the directory.
        last_file, 5
    );
    bit!(
        /// FOR: the name defines a subdirectory.
        subdirectory, 6
    );
    bit!(
        /// FA: file transfer is active.
        active, 7
    );
    /// A reserved status.
    pub fn anomalies(self) -> Anomalies {
        if (1..=15).contains(&self.status()) {
            Anomalies::QUALIFIER_RESERVED
        } else {
            Anomalies::empty()
        }
    }
}

/// BCR, binary counter reading (IEC 60870-5-101 §7.2.6.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bcr {
    /// The counter reading.
    pub value: i32,
    /// The last octet: SQ sequence number (bits 1-5), CY carry, CA adjusted, IV invalid.
    pub flags: u8,
}

impl Bcr {
    /// SQ: the sequence number, 0-31.
    pub fn sequence(self) -> u8 {
        self.flags & 0x1f
    }
    /// CY: the counter overflowed in the integration period.
    pub fn carry(self) -> bool {
        self.flags & 0x20 != 0
    }
    /// CA: the counter was adjusted since the last reading.
    pub fn adjusted(self) -> bool {
        self.flags & 0x40 != 0
    }
    /// IV: the reading is invalid.
    pub fn invalid(self) -> bool {
        self.flags & 0x80 != 0
    }
}

/// SCD, status and status change detection of 16 single points (IEC 60870-5-101 §7.2.6.40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Scd {
    /// ST: the 16 states.
    pub status: u16,
    /// CD: which of the 16 changed since the last report.
    pub changed: u16,
}

/// NVA, a normalized value: a fixed-point fraction in [-1, 1 - 2^-15] (IEC 60870-5-101
/// §7.2.6.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Normalized(pub i16);

impl Normalized {
    /// The value as a fraction.
    pub fn to_f32(self) -> f32 {
        f32::from(self.0) / 32768.0
    }
}
