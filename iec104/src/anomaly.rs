//! Recoverable protocol violations (DESIGN.md §2 "Anomalies"), in the spirit of Snort 3's
//! IEC 104 inspector events: decoding carries on past every one of them, and the flags say
//! what was off.

bitflags::bitflags! {
    /// What was off about an APDU or ASDU that still decoded.
    ///
    /// Names are stable: they are the identifiers `otscan` prints and detection rules match.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Anomalies: u64 {
        /// An S or U frame whose length is not 4, or an I frame too short to hold an ASDU
        /// header (IEC 60870-5-104 §5).
        const APCI_LENGTH = 1 << 0;
        /// Reserved control-field bits set: bit 1 of octet 3 of an I frame, the free bits of
        /// an S frame, octets 2-4 of a U frame (IEC 60870-5-104 §5.1-5.3).
        const APCI_RESERVED_BITS = 1 << 1;
        /// A U frame with no function bit, or with more than one (IEC 60870-5-104 §5.3).
        const U_FUNCTION_INVALID = 1 << 2;
        /// A type identification the standards do not assign (IEC 60870-5-101 Table 8/9).
        const UNKNOWN_TYPE_ID = 1 << 3;
        /// Variable structure qualifier with number of objects 0 (IEC 60870-5-101 §7.2.2).
        const ZERO_COUNT = 1 << 4;
        /// SQ=1 on a type that is not sent as a sequence (commands, system and file types).
        const SQ_NOT_ALLOWED = 1 << 5;
        /// The ASDU is longer than its count of objects needs: bytes left over.
        const TRAILING_BYTES = 1 << 6;
        /// The ASDU is shorter than its count of objects needs: the complete objects decoded.
        const TRUNCATED = 1 << 7;
        /// Cause of transmission 0 or one of the reserved values (17-19, 42-43, 48-63).
        const CAUSE_RESERVED = 1 << 8;
        /// The cause of transmission is not one the type allows (IEC 60870-5-101 §7.2.3 and
        /// the "semantics of cause of transmission" tables; IEC 60870-5-104 §9).
        const CAUSE_NOT_ALLOWED = 1 << 9;
        /// A type identification sent in the wrong direction: a command from the controlled
        /// station or process information from the controlling station (checked when the
        /// caller gives the direction).
        const WRONG_DIRECTION = 1 << 10;
        /// The P/N bit set on a cause that is not a confirmation (IEC 60870-5-101 §7.2.3).
        const NEGATIVE_NOT_CONFIRMATION = 1 << 11;
        /// Common address 0, which the standard does not use (IEC 60870-5-101 §7.2.4).
        const COMMON_ADDRESS_ZERO = 1 << 12;
        /// A system command or end of initialization with an information object address
        /// other than 0 (IEC 60870-5-101 §7.3.4, §7.3.1.x: "IOA = 0").
        const IOA_NOT_ZERO = 1 << 13;
        /// The IOA of a sequence (SQ=1) runs past the largest address of its size.
        const IOA_OVERFLOW = 1 << 14;
        /// A qualifier with a reserved value: QOI, QCC, QRP, QPM, QPA, COI, QU of a command,
        /// QL of a set-point, or file-transfer qualifiers (IEC 60870-5-101 §7.2.6).
        const QUALIFIER_RESERVED = 1 << 15;
        /// Reserved bits set in a quality descriptor (SIQ bits 2-4, DIQ bits 3-4, QDS bits
        /// 2-4) or in a bitfield element (IEC 60870-5-101 §7.2.6.1-7.2.6.3).
        const QUALITY_RESERVED_BITS = 1 << 16;
        /// A double command or regulating step with the state "not permitted" (0 or 3)
        /// (IEC 60870-5-101 §7.2.6.16, §7.2.6.17).
        const COMMAND_STATE_INVALID = 1 << 17;
        /// A short floating point value that is NaN or infinite (IEEE 754, R32.23).
        const FLOAT_NOT_FINITE = 1 << 18;
        /// A time tag field out of range: milliseconds above 59999, minutes above 59, hours
        /// above 23, day 0 or above 31, month 0 or above 12, year above 99
        /// (IEC 60870-5-101 §7.2.6.18-7.2.6.20).
        const TIME_OUT_OF_RANGE = 1 << 19;
        /// Reserved bits set in a CP24Time2a or CP56Time2a time tag.
        const TIME_RESERVED_BITS = 1 << 20;
        /// A test command whose fixed test bit pattern is not 0x55AA (IEC 60870-5-101
        /// §7.2.6.14).
        const TEST_PATTERN_INVALID = 1 << 21;
        /// A file segment whose length octet disagrees with the bytes present.
        const SEGMENT_LENGTH = 1 << 22;
        /// An S or U frame carrying bytes after its control field.
        const UNEXPECTED_ASDU = 1 << 23;
        /// An IEC 60870-5-101 FT1.2 frame with a bad checksum or whose two length octets
        /// differ (IEC 60870-5-1 §6.2.4.2).
        const FT12_CHECKSUM = 1 << 24;
        /// Originator address set when the cause of transmission has one octet only, or a
        /// reserved value in another ASDU header field.
        const HEADER_RESERVED = 1 << 25;
    }
}

// `names()` and the serde form (the list of flag names), as in every otwire crate.
otwire_core::flag_names!(Anomalies);

/// A decoded message plus what was off about it (`Ok` with flags beats `Err`):
/// [`otwire_core::Parsed`] with this crate's [`Anomalies`].
pub type Parsed<T> = otwire_core::Parsed<T, Anomalies>;
