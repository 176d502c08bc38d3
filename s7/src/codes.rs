//! Code tables of COTP (ISO 8073 §13.1 TPDU codes, §13.3.4 parameter codes), S7comm
//! (ROSCTR, error classes, job functions, item syntax ids, areas, transport sizes, return
//! codes, userdata types and function groups, block types) as open enums. Names follow the
//! public S7comm descriptions and Wireshark's value tables (`tshark -G values`).
//!
//! An unknown value is data, not an error: every enum keeps it in `Unknown(n)`.

use otwire_core::open_enum;

open_enum! {
    /// COTP TPDU code: the high nibble of the second header byte (ISO 8073 §13.1; CDT's
    /// low nibble is the credit, absent in class 0).
    pub enum TpduCode: u8 {
        /// Connection request (§13.3).
        ConnectionRequest = 0xE0 => "CR" ("Connection Request"),
        /// Connection confirm (§13.4).
        ConnectionConfirm = 0xD0 => "CC" ("Connection Confirm"),
        /// Disconnect request (§13.5).
        DisconnectRequest = 0x80 => "DR" ("Disconnect Request"),
        /// Disconnect confirm (§13.6).
        DisconnectConfirm = 0xC0 => "DC" ("Disconnect Confirm"),
        /// Data (§13.7).
        Data = 0xF0 => "DT" ("Data"),
        /// Expedited data (§13.8, not class 0).
        ExpeditedData = 0x10 => "ED" ("Expedited Data"),
        /// Data acknowledgement (§13.9, not class 0).
        DataAck = 0x60 => "AK" ("Data Acknowledgement"),
        /// Expedited data acknowledgement (§13.10, not class 0).
        ExpeditedDataAck = 0x20 => "EA" ("Expedited Data Acknowledgement"),
        /// Reject (§13.11, not class 0).
        Reject = 0x50 => "RJ" ("Reject"),
        /// TPDU error (§13.12).
        Error = 0x70 => "ER" ("TPDU Error"),
    }
}

open_enum! {
    /// COTP variable-part parameter codes (ISO 8073 §13.3.4, §13.5.3, §13.12.3).
    pub enum CotpParameterCode: u8 {
        /// TPDU size, as a power of two (0x07 = 128 ... 0x0D = 8192).
        TpduSize = 0xC0 => "tpdu-size" ("TPDU size"),
        /// Calling (source) transport selector.
        CallingTsap = 0xC1 => "src-tsap" ("Calling TSAP"),
        /// Called (destination) transport selector.
        CalledTsap = 0xC2 => "dst-tsap" ("Called TSAP"),
        /// Checksum (class 4).
        Checksum = 0xC3 => "checksum" ("Checksum"),
        /// Version number.
        Version = 0xC4 => "version" ("Version number"),
        /// Protection parameters.
        Protection = 0xC5 => "protection" ("Protection parameters"),
        /// Additional option selection.
        AdditionalOptions = 0xC6 => "additional-options" ("Additional option selection"),
        /// Alternative protocol classes.
        AlternativeClasses = 0xC7 => "alternative-classes" ("Alternative protocol classes"),
        /// Acknowledgement time.
        AckTime = 0x85 => "ack-time" ("Acknowledgement time"),
        /// Residual error rate.
        ResidualErrorRate = 0x86 => "residual-error-rate" ("Residual error rate"),
        /// Priority.
        Priority = 0x87 => "priority" ("Priority"),
        /// Transit delay.
        TransitDelay = 0x88 => "transit-delay" ("Transit delay"),
        /// Throughput.
        Throughput = 0x89 => "throughput" ("Throughput"),
        /// Reassignment time.
        ReassignmentTime = 0x8B => "reassignment-time" ("Reassignment time"),
        /// Additional information on a disconnect request.
        DisconnectInfo = 0xE0 => "disconnect-info" ("Additional disconnect information"),
        /// Preferred maximum TPDU size (in units of 128 bytes).
        PreferredMaxTpduSize = 0xF0 => "preferred-max-tpdu-size" ("Preferred maximum TPDU size"),
        /// Inactivity timer.
        InactivityTimer = 0xF2 => "inactivity-timer" ("Inactivity timer"),
        /// Invalid TPDU (the rejected header, in an ER).
        InvalidTpdu = 0xC8 => "invalid-tpdu" ("Invalid TPDU"),
    }
}

open_enum! {
    /// S7comm ROSCTR, the message type of the header.
    pub enum Rosctr: u8 {
        /// A request.
        Job = 1 => "Job",
        /// An acknowledgement without data.
        Ack = 2 => "Ack",
        /// An acknowledgement with data: the answer to a job.
        AckData = 3 => "Ack_Data",
        /// Userdata: programming, diagnostics, cyclic data, SZL, clock...
        Userdata = 7 => "Userdata",
    }
    unknown = 0xFE;
}

open_enum! {
    /// S7comm header error class (ack and ack-data).
    pub enum ErrorClass: u8 {
        /// No error.
        NoError = 0x00 => "No error",
        /// Application relationship error.
        ApplicationRelationship = 0x81 => "Application relationship",
        /// Object definition error.
        ObjectDefinition = 0x82 => "Object definition",
        /// No resources available.
        NoResources = 0x83 => "No resources available",
        /// Error on service processing.
        ServiceProcessing = 0x84 => "Error on service processing",
        /// Error on supplies.
        Supplies = 0x85 => "Error on supplies",
        /// Access error.
        Access = 0x87 => "Access error",
    }
    unknown = 0xFE;
}

open_enum! {
    /// S7comm job function code: the first parameter byte of jobs and ack-data.
    pub enum Function: u8 {
        /// CPU services (only seen in userdata parameter heads).
        CpuServices = 0x00 => "CPU services",
        /// Setup communication: negotiates AmQ and the PDU size.
        SetupCommunication = 0xF0 => "Setup communication",
        /// Read variables.
        ReadVar = 0x04 => "Read Var",
        /// Write variables.
        WriteVar = 0x05 => "Write Var",
        /// Request download (program transfer to the PLC).
        RequestDownload = 0x1A => "Request download",
        /// Download block.
        DownloadBlock = 0x1B => "Download block",
        /// Download ended.
        DownloadEnded = 0x1C => "Download ended",
        /// Start upload (program transfer from the PLC).
        StartUpload = 0x1D => "Start upload",
        /// Upload.
        Upload = 0x1E => "Upload",
        /// End upload.
        EndUpload = 0x1F => "End upload",
        /// PI (program invocation) service: start, insert, delete, compress...
        PiService = 0x28 => "PI-Service",
        /// PLC stop.
        PlcStop = 0x29 => "PLC Stop",
    }
}

open_enum! {
    /// Syntax id of a read/write item's address specification.
    pub enum SyntaxId: u8 {
        /// S7ANY: area, DB, byte.bit address, transport size, count.
        S7Any = 0x10 => "S7ANY",
        /// PBC-R_ID.
        PbcRId = 0x13 => "PBC-R_ID",
        /// ALARM_LOCKFREE.
        AlarmLockFree = 0x15 => "ALARM_LOCKFREE",
        /// ALARM_IND.
        AlarmInd = 0x16 => "ALARM_IND",
        /// ALARM_ACK.
        AlarmAck = 0x19 => "ALARM_ACK",
        /// ALARM_QUERYREQ.
        AlarmQueryReq = 0x1A => "ALARM_QUERYREQ",
        /// NOTIFY_IND.
        NotifyInd = 0x1C => "NOTIFY_IND",
        /// Sinumerik NCK addressing.
        Nck = 0x82 => "NCK",
        /// Sinumerik NCK, M variant.
        NckM = 0x83 => "NCK_M",
        /// Sinumerik NCK, I variant.
        NckI = 0x84 => "NCK_I",
        /// Drive ES (SINAMICS parameter) addressing.
        DriveEsAny = 0xA2 => "DRIVEESANY",
        /// S7-1200/1500 symbolic (LID) addressing.
        Sym1200 = 0xB2 => "1200SYM",
        /// DB read: several DB ranges in one item.
        DbRead = 0xB0 => "DBREAD",
    }
}

open_enum! {
    /// Memory area of an S7ANY item.
    pub enum Area: u8 {
        /// Data record (S7-200 and drives).
        DataRecord = 0x01 => "Data record",
        /// System info of the S7-200 family.
        SystemInfo200 = 0x03 => "System info of 200 family",
        /// System flags of the S7-200 family.
        SystemFlags200 = 0x05 => "System flags of 200 family",
        /// Analog inputs of the S7-200 family.
        AnalogInputs200 = 0x06 => "Analog inputs of 200 family",
        /// Analog outputs of the S7-200 family.
        AnalogOutputs200 = 0x07 => "Analog outputs of 200 family",
        /// S7 counters (C).
        Counters = 0x1C => "S7 counters (C)",
        /// S7 timers (T).
        Timers = 0x1D => "S7 timers (T)",
        /// IEC counters (S7-200 family).
        IecCounters = 0x1E => "IEC counters (200 family)",
        /// IEC timers (S7-200 family).
        IecTimers = 0x1F => "IEC timers (200 family)",
        /// Direct peripheral access (P).
        Peripheral = 0x80 => "Direct peripheral access (P)",
        /// Inputs (I).
        Inputs = 0x81 => "Inputs (I)",
        /// Outputs (Q).
        Outputs = 0x82 => "Outputs (Q)",
        /// Flags / markers (M).
        Flags = 0x83 => "Flags (M)",
        /// Data blocks (DB).
        DataBlocks = 0x84 => "Data blocks (DB)",
        /// Instance data blocks (DI).
        InstanceDataBlocks = 0x85 => "Instance data blocks (DI)",
        /// Local data (L).
        Local = 0x86 => "Local data (L)",
        /// V memory (S7-200).
        V = 0x87 => "Unknown yet (V)",
    }
    unknown = 0xFE;
}

open_enum! {
    /// Transport size of an S7ANY request item: the element type its count is in.
    pub enum ItemTransportSize: u8 {
        /// One bit.
        Bit = 1 => "BIT",
        /// Bytes.
        Byte = 2 => "BYTE",
        /// Characters.
        Char = 3 => "CHAR",
        /// 16-bit words.
        Word = 4 => "WORD",
        /// 16-bit integers.
        Int = 5 => "INT",
        /// 32-bit double words.
        DWord = 6 => "DWORD",
        /// 32-bit integers.
        DInt = 7 => "DINT",
        /// 32-bit floats.
        Real = 8 => "REAL",
        /// Time of day.
        Tod = 10 => "TOD",
        /// IEC time.
        Time = 11 => "TIME",
        /// S5 time.
        S5Time = 12 => "S5TIME",
        /// Date and time.
        DateAndTime = 15 => "DATE_AND_TIME",
        /// S7 counter.
        Counter = 28 => "COUNTER",
        /// S7 timer.
        Timer = 29 => "TIMER",
        /// IEC timer.
        IecTimer = 30 => "IEC TIMER",
        /// IEC counter.
        IecCounter = 31 => "IEC COUNTER",
        /// High-speed counter.
        HsCounter = 32 => "HS COUNTER",
    }
    unknown = 0xFE;
}

impl ItemTransportSize {
    /// Bytes one element of this type takes (bits count as one byte each), if known.
    pub const fn element_bytes(self) -> Option<usize> {
        match self {
            Self::Bit | Self::Byte | Self::Char => Some(1),
            Self::Word | Self::Int | Self::Counter | Self::Timer | Self::S5Time => Some(2),
            Self::DWord | Self::DInt | Self::Real | Self::Tod | Self::Time => Some(4),
            Self::DateAndTime => Some(8),
            _ => None,
        }
    }
}

open_enum! {
    /// Transport size of a data item (answers and write data): it also sets the unit
    /// of the item's length (bits or bytes, see [`DataTransportSize::length_in_bits`]).
    pub enum DataTransportSize: u8 {
        /// No data (error answers).
        Null = 0x00 => "NULL",
        /// Bit access; the length counts bits.
        Bit = 0x03 => "BIT",
        /// Byte, word or double word access; the length counts bits.
        Byte = 0x04 => "BYTE/WORD/DWORD",
        /// Integer access; the length counts bits.
        Int = 0x05 => "INTEGER",
        /// Double integer access; the length counts bytes.
        DInt = 0x06 => "DINTEGER",
        /// Real access; the length counts bytes.
        Real = 0x07 => "REAL",
        /// Octet string; the length counts bytes.
        OctetString = 0x09 => "OCTET STRING",
        /// NCK address 1.
        NckAddress1 = 0x11 => "NCK ADDRESS1",
        /// NCK address 2.
        NckAddress2 = 0x12 => "NCK ADDRESS2",
    }
    unknown = 0xFE;
}

impl DataTransportSize {
    /// Whether the item's length field counts bits (BIT, BYTE/WORD/DWORD, INTEGER) rather
    /// than bytes (the others).
    #[inline]
    pub const fn length_in_bits(self) -> bool {
        matches!(self, Self::Bit | Self::Byte | Self::Int)
    }

    /// [`DataTransportSize::data_bytes`] of the transport size byte as sent: BIT (0x03),
    /// BYTE/WORD/DWORD (0x04) and INTEGER (0x05) count bits, the others bytes. The hot
    /// data item walk uses it to skip building the enum.
    #[inline(always)]
    pub(crate) const fn data_bytes_raw(ts: u8, length: u16) -> usize {
        let l = length as usize;
        if matches!(ts, 0x03..=0x05) {
            l.div_ceil(8)
        } else {
            l
        }
    }

    /// Bytes of data a length field of `length` stands for under this transport size.
    #[inline]
    pub const fn data_bytes(self, length: u16) -> usize {
        let l = length as usize;
        if self.length_in_bits() {
            l.div_ceil(8)
        } else {
            l
        }
    }

    /// The length field that stands for `bytes` bytes of data.
    #[inline]
    pub const fn length_field(self, bytes: usize) -> usize {
        if self.length_in_bits() {
            bytes * 8
        } else {
            bytes
        }
    }
}

open_enum! {
    /// Return code of a data item (and of userdata data parts).
    pub enum ReturnCode: u8 {
        /// Reserved: the value requests carry.
        Reserved = 0x00 => "Reserved",
        /// Hardware error.
        HardwareError = 0x01 => "Hardware error",
        /// Accessing the object not allowed.
        AccessDenied = 0x03 => "Accessing the object not allowed",
        /// Invalid address.
        InvalidAddress = 0x05 => "Invalid address",
        /// Data type not supported.
        DataTypeNotSupported = 0x06 => "Data type not supported",
        /// Data type inconsistent.
        DataTypeInconsistent = 0x07 => "Data type inconsistent",
        /// Object does not exist.
        ObjectDoesNotExist = 0x0A => "Object does not exist",
        /// Success.
        Success = 0xFF => "Success",
    }
}

open_enum! {
    /// Userdata type: the high nibble of the type/group byte.
    pub enum UserdataType: u8 {
        /// Push: unsolicited (cyclic data, alarms, mode changes).
        Push = 0 => "Push",
        /// NC push.
        NcPush = 3 => "NC Push",
        /// Request.
        Request = 4 => "Request",
        /// NC request.
        NcRequest = 7 => "NC Request",
        /// Response.
        Response = 8 => "Response",
        /// NC response.
        NcResponse = 11 => "NC Response",
    }
}

open_enum! {
    /// Userdata function group: the low nibble of the type/group byte.
    pub enum FunctionGroup: u8 {
        /// Mode transition (CPU mode change notifications).
        ModeTransition = 0 => "Mode-transition",
        /// Programmer commands (variable tables, force, memory reset, flash LED...).
        ProgrammerCommands = 1 => "Programmer commands",
        /// Cyclic services (subscriptions).
        CyclicData = 2 => "Cyclic services",
        /// Block functions (list blocks, block info).
        BlockFunctions = 3 => "Block functions",
        /// CPU functions (SZL, alarms, diagnostic messages).
        CpuFunctions = 4 => "CPU functions",
        /// Security (PLC password).
        Security = 5 => "Security",
        /// PBC BSEND/BRECV.
        Pbc = 6 => "PBC BSEND/BRECV",
        /// Time functions (read and set clock).
        TimeFunctions = 7 => "Time functions",
        /// NC programming.
        NcProgramming = 15 => "NC programming",
    }
}

open_enum! {
    /// The mode a mode-transition push announces (its subfunction).
    pub enum CpuMode: u8 {
        /// STOP.
        Stop = 0 => "STOP",
        /// Warm restart.
        WarmRestart = 1 => "Warm Restart",
        /// RUN.
        Run = 2 => "RUN",
        /// Hot restart.
        HotRestart = 3 => "Hot Restart",
        /// HOLD.
        Hold = 4 => "HOLD",
        /// Cold restart.
        ColdRestart = 6 => "Cold Restart",
        /// RUN_R (H-system redundant).
        RunRedundant = 9 => "RUN_R (H-System redundant)",
        /// LINK-UP.
        LinkUp = 11 => "LINK-UP",
        /// UPDATE.
        Update = 12 => "UPDATE",
    }
}

open_enum! {
    /// Block type of a block name (two hex digits in ASCII on the wire: "0A" is a DB).
    pub enum BlockType: u8 {
        /// Organisation block.
        Ob = 0x08 => "OB",
        /// Data block.
        Db = 0x0A => "DB",
        /// System data block.
        Sdb = 0x0B => "SDB",
        /// Function.
        Fc = 0x0C => "FC",
        /// System function.
        Sfc = 0x0D => "SFC",
        /// Function block.
        Fb = 0x0E => "FB",
        /// System function block.
        Sfb = 0x0F => "SFB",
    }
}

/// The name of a userdata subfunction within its function group, where known.
pub fn subfunction_name(group: FunctionGroup, subfunction: u8) -> Option<&'static str> {
    Some(match (group, subfunction) {
        (FunctionGroup::ModeTransition, s) => return CpuMode::from(s).name(),
        (FunctionGroup::ProgrammerCommands, s) => match s {
            1 => "Block status",
            2 => "Variable status",
            3 => "Output ISTACK",
            4 => "Output BSTACK",
            5 => "Output LSTACK",
            6 => "Time measurement from to",
            7 => "Force selection",
            8 => "Modify variable",
            9 => "Force",
            10 => "Breakpoint",
            11 => "Exit HOLD",
            12 => "Memory reset",
            13 => "Disable job",
            14 => "Enable job",
            15 => "Delete job",
            16 => "Read job list",
            17 => "Read job",
            18 => "Replace job",
            19 => "Block status v2",
            22 => "Flash LED",
            _ => return None,
        },
        (FunctionGroup::CyclicData, s) => match s {
            1 => "Cyclic transfer",
            4 => "Unsubscribe",
            5 => "Change driven transfer",
            7 => "Change driven transfer modify",
            8 => "RDREC",
            _ => return None,
        },
        (FunctionGroup::BlockFunctions, s) => match s {
            1 => "List blocks",
            2 => "List blocks of type",
            3 => "Get block info",
            _ => return None,
        },
        (FunctionGroup::CpuFunctions, s) => match s {
            1 => "Read SZL",
            2 => "Message service",
            3 => "Diagnostic message",
            5 => "ALARM_8 indication",
            6 => "NOTIFY indication",
            7 => "ALARM_8 lock",
            8 => "ALARM_8 unlock",
            9 => "SCAN indication",
            11 => "ALARM ack",
            12 => "ALARM ack indication",
            13 => "ALARM lock indication",
            14 => "ALARM unlock indication",
            17 => "ALARM_SQ indication",
            18 => "ALARM_S indication",
            19 => "ALARM query",
            22 => "NOTIFY_8 indication",
            _ => return None,
        },
        (FunctionGroup::Security, 1) => "PLC password",
        (FunctionGroup::TimeFunctions, s) => match s {
            1 => "Read clock",
            2 => "Set clock",
            3 => "Read clock (following)",
            4 => "Set clock",
            _ => return None,
        },
        _ => return None,
    })
}

/// Userdata subfunctions that the crate decodes, by group (the values of the tables
/// above that the typed bodies key on).
pub mod subfunction {
    /// Programmer commands: modify variable.
    pub const MODIFY_VARIABLE: u8 = 8;
    /// Programmer commands: force.
    pub const FORCE: u8 = 9;
    /// Programmer commands: memory reset.
    pub const MEMORY_RESET: u8 = 12;
    /// Block functions: list blocks.
    pub const LIST_BLOCKS: u8 = 1;
    /// Block functions: list blocks of a type.
    pub const LIST_BLOCKS_OF_TYPE: u8 = 2;
    /// Block functions: get block info.
    pub const BLOCK_INFO: u8 = 3;
    /// CPU functions: read SZL.
    pub const READ_SZL: u8 = 1;
    /// Security: PLC password.
    pub const PASSWORD: u8 = 1;
    /// Time functions: read clock.
    pub const READ_CLOCK: u8 = 1;
    /// Time functions: set clock.
    pub const SET_CLOCK: u8 = 2;
}
