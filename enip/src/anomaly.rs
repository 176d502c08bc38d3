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
