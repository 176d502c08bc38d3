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
        /// A CIP reply's reserved byte (the second byte) is not 0 (Vol. 1 §2-4.2).
        const CIP_RESERVED = 1 << 16;
        /// A path runs past its declared size, or a segment is cut short (Vol. 1 App. C-1).
        const PATH_TRUNCATED = 1 << 17;
        /// A path segment of a reserved type or format (Vol. 1 App. C-1.4), or a port
        /// segment whose extended port identifier (after port 15) holds a port 0-14, which
        /// the one-byte form carries (App. C-1.4.1).
        const PATH_SEGMENT = 1 << 18;
        /// A path of more segments than [`crate::cip::path::MAX_SEGMENTS`]: the rest is not
        /// decoded.
        const PATH_TOO_DEEP = 1 << 19;
        /// A pad byte of a path segment is not 0 (Vol. 1 App. C-1.3).
        const PATH_PAD = 1 << 20;
        /// The additional status of a reply runs past the message (Vol. 1 §2-4.2).
        const STATUS_TRUNCATED = 1 << 21;
        /// A Multiple Service Packet offset points outside its body, or the offsets are
        /// not increasing (Vol. 1 § ).
        const MSP_OFFSET = 1 << 22;
        /// A message embedded in a Multiple Service Packet or an Unconnected Send does not
        /// decode (Vol. 1 §, §3-5.5.2).
        const EMBEDDED_MALFORMED = 1 << 23;
        /// Service data shorter than the service's fixed fields (Vol. 1 §3-5.5, App. A).
        const SERVICE_DATA_SHORT = 1 << 24;
        /// Bytes after the last field of a service's data (Vol. 1 §3-5.5, App. A).
        const SERVICE_DATA_TRAILING = 1 << 25;
        /// A reserved field of a Connection Manager service is not 0 (Forward Open's
        /// 3 reserved bytes, a reserved byte after a path size, a reserved bit of the
        /// network connection parameters; Vol. 1 §3-5.5.2).
        const CM_RESERVED = 1 << 26;
        /// An Unconnected Send's pad byte (after an odd-sized message) is missing or not 0
        /// (Vol. 1 §3-5.5.2).
        const UNCONNECTED_SEND_PAD = 1 << 27;
        /// A string or list in object attribute data runs past the data (Vol. 1 §5).
        const ATTRIBUTE_TRUNCATED = 1 << 28;

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
        /// A PCCC address field in the three-byte form (0xFF then 16 bits) holding a value
        /// below 255, which the one-byte form carries (1770-6.5.16 ch. 7 "logical binary
        /// addressing"): the address does not re-encode to its bytes.
        const PCCC_ADDRESS_FORM = 1 << 47;

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
