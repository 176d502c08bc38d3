//! Recoverable protocol violations (DESIGN.md §2 "Anomalies"): decoding carries on past
//! every one of them, and the flags say what was off.

bitflags::bitflags! {
    /// What was off about a frame or PDU that still decoded.
    ///
    /// Names are stable: they are the identifiers `otscan` prints and detection rules match.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Anomalies: u32 {
        /// MBAP protocol identifier is not 0 (Messaging Implementation Guide §3.1.3).
        const PROTOCOL_ID = 1 << 0;
        /// Bytes left over after the PDU's own structure ended: the MBAP length (or the RTU
        /// frame) is longer than the PDU it carries.
        const LENGTH_MISMATCH = 1 << 1;
        /// A declared count or length runs past the end of the PDU; what was there decoded.
        const TRUNCATED = 1 << 2;
        /// The PDU is longer than the 253 bytes Modbus allows (Application Protocol §4.1).
        const PDU_TOO_LONG = 1 << 3;
        /// A quantity outside the specification's range for its function (e.g. 1-125
        /// registers read, 1-123 written, 1-2000 coils read).
        const QUANTITY_OUT_OF_RANGE = 1 << 4;
        /// A byte count disagrees with the quantity, or with the bytes present.
        const BYTE_COUNT_MISMATCH = 1 << 5;
        /// Starting address plus quantity passes the 65536-entry address space.
        const ADDRESS_OVERFLOW = 1 << 6;
        /// Write Single Coil value other than 0x0000 or 0xFF00 (Application Protocol §6.5).
        const INVALID_COIL_VALUE = 1 << 7;
        /// A reserved or unassigned function code (Application Protocol §5.1, Annex A), or an
        /// exception function code (0x80 and up) in a request.
        const RESERVED_FUNCTION = 1 << 8;
        /// An exception code outside 1-6, 8, 10, 11 (Application Protocol §7).
        const INVALID_EXCEPTION_CODE = 1 << 9;
        /// The RTU CRC-16/MODBUS does not match (Modbus over Serial Line §2.5.1.2).
        const BAD_CRC = 1 << 10;
        /// A Diagnostics (FC 8) sub-function the specification reserves (§6.8.1).
        const RESERVED_SUB_FUNCTION = 1 << 11;
        /// A MEI type other than 13 (CANopen) and 14 (Read Device Identification) (§6.19).
        const RESERVED_MEI_TYPE = 1 << 12;
        /// A Read Device ID code outside 1-4, or a conformity level outside its values (§6.21).
        const INVALID_DEVICE_ID_CODE = 1 << 13;
        /// A file record reference type other than 6 (§6.14, §6.15).
        const INVALID_REFERENCE_TYPE = 1 << 14;
        /// A field value the specification forbids: Restart Communications option other than
        /// 0x0000/0xFF00, More Follows other than 0x00/0xFF, FIFO count above 31.
        const INVALID_DATA_VALUE = 1 << 15;
    }
}

// `names()` and the serde form (the list of flag names), as in every otwire crate.
otwire_core::flag_names!(Anomalies);
