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
        /// The encapsulation options field is not 0 (Vol. 2 §2-3.1: a receiver discards
        /// such a message).
        const ENCAP_OPTIONS = 1 << 0;
        /// A request carries a non-zero encapsulation status (Vol. 2 §2-3.3: a sender sets
        /// it to 0; only replies carry a status).
        const STATUS_ON_REQUEST = 1 << 1;
        /// An encapsulation command this crate does not know (Vol. 2 §2-3.2).
        const UNKNOWN_COMMAND = 1 << 2;
        /// The header length disagrees with the bytes present (a datagram longer or
        /// shorter than 24 + length), or exceeds 65511 (Vol. 2 §2-3.1).
        const ENCAP_LENGTH = 1 << 3;
        /// The command-specific data disagrees with its command: data on a request that
        /// has none (List*, UnRegisterSession), RegisterSession data that is not 4 bytes,
        /// SendRRData/SendUnitData shorter than interface handle, timeout and item count,
        /// bytes after the CPF (Vol. 2 §2-4).
        const COMMAND_DATA = 1 << 4;
        /// Session handle 0 on SendRRData, SendUnitData or UnRegisterSession, or a
        /// RegisterSession request with a non-zero one (Vol. 2 §2-3.1, §2-4.4).
        const SESSION_HANDLE = 1 << 5;
        /// RegisterSession with a protocol version other than 1 or option flags other than
        /// 0 (Vol. 2 §2-4.4.1).
        const REGISTER_SESSION = 1 << 6;
        /// SendRRData/SendUnitData with an interface handle other than 0, the one of CIP
        /// (Vol. 2 §2-4.7.1, §2-4.8.1).
        const INTERFACE_HANDLE = 1 << 7;
        /// The CPF item count disagrees with the items present (Vol. 2 §2-6.1).
        const CPF_COUNT = 1 << 8;
        /// A CPF item's length runs past the end of the data; decoding stopped there
        /// (Vol. 2 §2-6.1).
        const CPF_TRUNCATED = 1 << 9;
        /// A CPF item type id without a name here (Vol. 2 §2-6.1, Table 2-6.3).
        const CPF_UNKNOWN_ITEM = 1 << 10;
        /// A CPF item whose length disagrees with its type: null address not 0 bytes,
        /// connected address not 4, sequenced address not 8, socket address not 16,
        /// ListServices item not 20, ListIdentity item whose fields do not fill it
        /// (Vol. 2 §2-6.2, §2-6.3, §2-4.2.3, §2-4.6.3).
        const CPF_ITEM_LENGTH = 1 << 11;
        /// The items do not fit the command: SendRRData without an address item followed
        /// by an unconnected data item, SendUnitData (and I/O) without a connected or
        /// sequenced address followed by connected data, a List* reply with other items
        /// (Vol. 2 §2-4.7, §2-4.8, §2-6.1).
        const CPF_LAYOUT = 1 << 12;
        /// A ListIdentity item whose socket address family is not AF_INET (2), or whose
        /// sin_zero is not zero; a socket address item alike (Vol. 2 §2-4.2.3, §2-6.3.3).
        const SOCKADDR = 1 << 13;

        // Bits 16-47: CIP, EPATH, services, PCCC (Vol. 1).
        /// Placeholder for the first CIP flag (replaced by the CIP layer).
        const CIP_RESERVED_16 = 1 << 16;

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
