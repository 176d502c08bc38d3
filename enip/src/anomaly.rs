//! Recoverable protocol violations (DESIGN.md §2 "Anomalies") of the EtherNet/IP
//! encapsulation, the Common Packet Format, CIP and PCCC: decoding carries on past every
//! one of them, and the flags say what was off.

bitflags::bitflags! {
    /// What was off about a PDU that still decoded.
    ///
    /// Names are stable: they are the identifiers `otscan` prints and detection rules match.
    /// Normal negative answers (a CIP reply with a general status other than success, an
    /// encapsulation reply with a status) are data, not anomalies.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Anomalies: u64 {
        // Bits 0-15: encapsulation and Common Packet Format (Vol. 2 §2).
        /// Placeholder for the first encapsulation flag (replaced by the encapsulation layer).
        const ENCAP_RESERVED_0 = 1 << 0;

        // Bits 16-47: CIP, EPATH, services, PCCC (Vol. 1).
        /// Placeholder for the first CIP flag (replaced by the CIP layer).
        const CIP_RESERVED_16 = 1 << 16;

        // Bits 32-47: Logix service data (1756-PM020) and PCCC (DF1, 1770-6.5.16).
        /// Bytes follow a Logix service body of fixed length (1756-PM020, each service's
        /// request and reply layout).
        const LOGIX_TRAILING_DATA = 1 << 32;
        /// Tag data is not a whole number of elements of its type, or disagrees with the
        /// element count (1756-PM020 "Read Tag Service", "Write Tag Service").
        const LOGIX_DATA_LENGTH = 1 << 33;
        /// A Read-Modify-Write mask size other than 1, 2, 4 or 8 bytes (1756-PM020
        /// "Read Modify Write Tag Service").
        const LOGIX_MASK_SIZE = 1 << 34;
        /// A data type code outside the CIP elementary types and the structure marker
        /// 0x02A0 (Vol. 1 App. C-6; 1756-PM020 "CIP Data Types").
        const LOGIX_UNKNOWN_TYPE = 1 << 35;
        /// A request for zero elements (1756-PM020: the element count is at least 1).
        const LOGIX_ZERO_ELEMENTS = 1 << 36;
        /// A PCCC command or function code without a layout here: its data is kept raw
        /// (DF1 1770-6.5.16 ch. 7).
        const PCCC_UNKNOWN_FUNCTION = 1 << 40;
        /// Bytes follow a PCCC command body of fixed length (1770-6.5.16 ch. 7).
        const PCCC_TRAILING_DATA = 1 << 41;
        /// A requestor ID shorter than the 7 bytes of its length, vendor and serial fields
        /// (CIP Vol. 1 PCCC object 0x67, Execute PCCC service).
        const PCCC_REQUESTOR_ID = 1 << 42;
        /// A command byte with the reply bit (0x40) in a request, or without it in a reply
        /// (1770-6.5.16 §6 "Message packet format").
        const PCCC_REPLY_BIT = 1 << 43;
        /// A typed write whose data length disagrees with its byte size field
        /// (1770-6.5.16 ch. 7, protected typed logical write).
        const PCCC_BYTE_SIZE = 1 << 44;
        /// A change-mode request with a mode byte outside the documented modes
        /// (1770-6.5.16 ch. 7 "change mode").
        const PCCC_UNKNOWN_MODE = 1 << 45;
        /// A request whose STS byte is not 0 (1770-6.5.16 §6: STS is zero in a command).
        const PCCC_STATUS = 1 << 46;

        // Bits 48-63: sessions, connections and I/O (kept free for detection-facing rules).
    }
}

otwire_core::flag_names!(Anomalies);

impl Anomalies {
    /// `flag` when `cond`, else nothing.
    #[inline(always)]
    pub(crate) const fn when(cond: bool, flag: Anomalies) -> Anomalies {
        if cond { flag } else { Anomalies::empty() }
    }
}

/// What decoded, with the anomalies met on the way (DESIGN.md §2 "Parsed")
/// ([`otwire_core::Parsed`] with this crate's [`Anomalies`]).
pub type Parsed<T> = otwire_core::Parsed<T, Anomalies>;
