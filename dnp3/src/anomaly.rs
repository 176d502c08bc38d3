//! Recoverable protocol violations (DESIGN.md §2 "Anomalies"): decoding carries on past
//! every one of them, and the flags say what was off.

bitflags::bitflags! {
    /// What was off about a frame, segment or fragment that still decoded.
    ///
    /// Names are stable: they are the identifiers `otscan` prints and detection rules match.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Anomalies: u32 {
        // ---- Data link layer (IEEE 1815-2012 §9.2) ----
        /// The CRC-16/DNP of the 8-octet link header does not match (§9.2.4.2).
        const BAD_HEADER_CRC = 1 << 0;
        /// The CRC of at least one 16-octet user data block does not match (§9.2.4.2).
        const BAD_DATA_CRC = 1 << 1;
        /// A function code the link layer does not define for this PRM (§9.2.4.1.3, Tables
        /// 9-1 and 9-2), or an obsolete one (Reset User Process, Not Functioning).
        const UNKNOWN_LINK_FUNCTION = 1 << 2;
        /// FCV disagrees with the function (set only for Test Link States and Confirmed User
        /// Data, §9.2.4.1.3.4), or the reserved bit of a secondary frame is set.
        const LINK_CONTROL_BITS = 1 << 3;
        /// User data on a link function that carries none, or no user data on a User Data
        /// function (§9.2.4.1.2: LENGTH is 5 for link-only frames).
        const LINK_LENGTH_MISMATCH = 1 << 4;
        /// Source address in the reserved/broadcast range 0xFFF0-0xFFFF (§9.2.5.2).
        const RESERVED_SOURCE_ADDRESS = 1 << 5;

        // ---- Transport function (IEEE 1815-2012 §8.2) ----
        /// A segment without FIR while no fragment was being assembled; it was discarded.
        const SEGMENT_WITHOUT_FIR = 1 << 6;
        /// A segment repeating the previous sequence number; it was discarded (§8.2.3.3).
        const DUPLICATE_SEGMENT = 1 << 7;
        /// A segment whose sequence number is not the next one; the fragment in progress
        /// was discarded (§8.2.3.3).
        const OUT_OF_SEQUENCE = 1 << 8;
        /// Segments were lost: a new FIR arrived before the fragment in progress was
        /// complete, or the sequence jumped forward; the partial fragment was discarded.
        const DROPPED_SEGMENT = 1 << 9;
        /// The fragment being assembled passed the reassembly size cap and was discarded.
        const FRAGMENT_TOO_LONG = 1 << 10;
        /// The reassembler table was full; the oldest partial fragment was evicted.
        const REASSEMBLY_EVICTED = 1 << 11;

        // ---- Application layer (IEEE 1815-2012 §4.2) ----
        /// A function code outside 0-33 and 129-131 (§4.2.2.5, Table 4-3).
        const UNKNOWN_FUNCTION = 1 << 12;
        /// Application control inconsistent with the function: UNS set on anything but an
        /// Unsolicited Response or a Confirm, UNS clear on an Unsolicited Response, a
        /// request that is not a single fragment (FIR and FIN), or CON in a request
        /// (§4.2.2.4).
        const APP_CONTROL_BITS = 1 << 13;
        /// One of the two reserved IIN bits (IIN2.6, IIN2.7) is set (§4.2.2.6).
        const IIN_RESERVED = 1 << 14;
        /// The reserved bit 7 of an object qualifier is set (§4.2.2.7.3).
        const QUALIFIER_RESERVED_BIT = 1 << 15;
        /// A qualifier with a reserved prefix (7) or range code (10, 12-15), or a
        /// prefix that cannot go with the object (an index prefix on a free-format object,
        /// a prefix on packed bits); the walk stopped there.
        const INVALID_QUALIFIER = 1 << 16;
        /// A group/variation pair the object library does not define, or variation 0
        /// where objects carry data; the walk stopped there (headers before it are kept).
        const UNKNOWN_OBJECT = 1 << 17;
        /// A start index above its stop index; the walk stopped there.
        const INVALID_RANGE = 1 << 18;
        /// An object header or its objects run past the end of the fragment; the walk
        /// stopped there. A header whose range arrived is kept, with the objects that
        /// arrived whole ([`ObjectHeader::truncated`](crate::ObjectHeader)).
        const TRUNCATED_OBJECTS = 1 << 19;
        /// More object headers than [`Limits::max_object_headers`](crate::Limits); the walk
        /// stopped there.
        const TOO_MANY_HEADERS = 1 << 20;
        /// Object headers in a fragment whose function carries none (Confirm, Delay
        /// Measure, Record Current Time, Cold/Warm Restart, Save Configuration).
        const UNEXPECTED_OBJECTS = 1 << 21;
    }
}

// `names()` and the serde form (the list of flag names), as in every otwire crate.
otwire_core::flag_names!(Anomalies);
