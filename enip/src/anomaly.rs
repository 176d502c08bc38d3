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
        /// A CIP reply's reserved byte (the second byte) is not 0 (Vol. 1 §2-4.2).
        const CIP_RESERVED = 1 << 16;
        /// A path runs past its declared size, or a segment is cut short (Vol. 1 App. C-1).
        const PATH_TRUNCATED = 1 << 17;
        /// A path segment of a reserved type or format (Vol. 1 App. C-1.4).
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
