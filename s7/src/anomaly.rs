//! Recoverable protocol violations (DESIGN.md §2 "Anomalies") of TPKT (RFC 1006), COTP
//! (ISO 8073), S7comm and S7comm-plus: decoding carries on past every one of them, and the
//! flags say what was off.

bitflags::bitflags! {
    /// What was off about a frame or PDU that still decoded.
    ///
    /// Names are stable: they are the identifiers `otscan` prints and detection rules match.
    /// Normal negative answers (an ack with an error class, a data item whose return code
    /// is not "success", an SZL read answered "object does not exist") are data, not
    /// anomalies.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Anomalies: u64 {
        /// TPKT version other than 3, or a non-zero reserved byte (RFC 1006 §6).
        const TPKT_HEADER = 1 << 0;
        /// The COTP length indicator disagrees with the TPDU: it runs past the TPKT, a
        /// class 0 DT header is not 2 bytes long, or bytes follow the header of a DC or ER,
        /// which carry no user data (ISO 8073 §13.2, §13.6, §13.7, §13.12).
        const COTP_LENGTH = 1 << 1;
        /// A TPDU type class 0 does not use (ED, AK, EA, RJ) or no TPDU type at all
        /// (ISO 8073 §13.1, §14.6).
        const COTP_UNKNOWN_TYPE = 1 << 2;
        /// A CR/CC with a class other than 0, option bits, or a CR with a destination
        /// reference other than 0 (ISO 8073 §13.3.3, §13.3.4).
        const COTP_CLASS = 1 << 3;
        /// A variable part parameter that runs past the header, a TPDU size outside
        /// 0x07-0x0D, or a repeated parameter (ISO 8073 §13.3.4).
        const COTP_PARAMETER = 1 << 4;
        /// The S7comm redundancy identification (reserved) is not 0.
        const RESERVED_NONZERO = 1 << 5;
        /// Parameter length plus data length disagree with the bytes present: bytes left
        /// over after the declared parts, or parts that run past the TPDU; or a data part
        /// on a job that has none (setup communication, PI service, PLC stop).
        const LENGTH_MISMATCH = 1 << 6;
        /// A declared count or length runs past its part; what was there decoded.
        const TRUNCATED = 1 << 7;
        /// A ROSCTR other than 1 (job), 2 (ack), 3 (ack-data) and 7 (userdata).
        const UNKNOWN_ROSCTR = 1 << 8;
        /// A job function code this crate does not know.
        const UNKNOWN_FUNCTION = 1 << 9;
        /// More than 20 items in one read/write request (the limit CPUs enforce; flagged,
        /// not enforced).
        const TOO_MANY_ITEMS = 1 << 10;
        /// The item count disagrees with the items present.
        const ITEM_COUNT_MISMATCH = 1 << 11;
        /// A variable specification that is not 0x12, or whose length disagrees with its
        /// syntax id (S7ANY is 10 bytes, NCK 8, DriveES 10).
        const BAD_ITEM = 1 << 12;
        /// A syntax id, area or transport size without a name here.
        const UNKNOWN_CODE = 1 << 13;
        /// A fill byte after an odd-length data item is missing or not zero.
        const FILL_BYTE = 1 << 14;
        /// A data item's return code is "success" where its length unit and length make
        /// no sense, or a request's data item carries a return code other than 0.
        const BAD_DATA_ITEM = 1 << 15;
        /// A block name that is not `_` + two hex digits + five decimal digits + a
        /// file system letter.
        const BAD_BLOCK_NAME = 1 << 16;
        /// The userdata parameter head is not `00 01 12`, or its length is neither 4 nor 8.
        const USERDATA_HEAD = 1 << 17;
        /// A userdata data header other than `FF 09` (data follows) and `0A 00`
        /// (no data: an error answer or a request for the next data unit), or one whose
        /// length disagrees with the bytes present.
        const USERDATA_DATA_HEADER = 1 << 18;
        /// An SZL answer whose record length times record count disagrees with its data.
        const SZL_LENGTH = 1 << 19;
        /// A setup communication with a PDU size of 0 or a max AmQ of 0.
        const SETUP_VALUE = 1 << 20;
        /// An S7comm-plus version other than 1, 2, 3, 0xFE and 0xFF.
        const PLUS_VERSION = 1 << 21;
        /// An S7comm-plus length that disagrees with the bytes present.
        const PLUS_LENGTH = 1 << 22;
        /// An S7comm-plus trailer that is not `72 <version> 00 00`.
        const PLUS_TRAILER = 1 << 23;
        /// An S7comm-plus opcode or function code without a name here.
        const PLUS_UNKNOWN_CODE = 1 << 24;
        /// A V3 frame without its integrity part, or a digest length other than 32.
        const PLUS_INTEGRITY = 1 << 25;
        /// A DT continuation (or userdata / S7comm-plus fragment) without its start:
        /// bytes were lost before it.
        const UNEXPECTED_FRAGMENT = 1 << 26;
        /// A reassembly passed its size cap and was discarded.
        const REASSEMBLY_TOO_LONG = 1 << 27;
        /// A partial reassembly was evicted because the table was full.
        const REASSEMBLY_EVICTED = 1 << 28;
        /// Something other than S7comm, S7comm-plus or TLS in COTP user data of an S7
        /// connection.
        const FOREIGN_PAYLOAD = 1 << 29;
        /// The S7comm error class and code of an ack-data are not the ones of the
        /// userdata or parameter error code (a disagreement between the two).
        const ERROR_MISMATCH = 1 << 30;
    }
}

otwire_core::flag_names!(Anomalies);

impl Anomalies {
    /// `flag` when `cond`, else nothing.
    #[inline(always)]
    pub(crate) const fn when(cond: bool, flag: Anomalies) -> Anomalies {
        Anomalies::from_bits_retain(flag.bits() * cond as u64)
    }
}

/// A decoded message and what was off about it: DESIGN.md's "`Ok` with flags"
/// ([`otwire_core::Parsed`] with this crate's [`Anomalies`]).
pub type Parsed<T> = otwire_core::Parsed<T, Anomalies>;
