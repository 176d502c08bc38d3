//! Function codes, sub-functions and other code points as open enums (Modbus Application
//! Protocol V1.1b3 §5, §6.8, §6.19-6.21, §7; Schneider UMAS as publicly documented).
//!
//! An unknown value is data, not an error: every enum keeps it in `Unknown(n)`.

use otwire_core::open_enum;

open_enum! {
    /// Function codes (Application Protocol §5.1 and §6; legacy codes from Annex A).
    ///
    /// Exception responses carry `0x80 | code`; [`Response::Exception`](crate::Response)
    /// stores the code without that bit.
    pub enum FunctionCode: u8 {
        /// FC 1 (§6.1).
        ReadCoils = 1 => "Read Coils",
        /// FC 2 (§6.2).
        ReadDiscreteInputs = 2 => "Read Discrete Inputs",
        /// FC 3 (§6.3).
        ReadHoldingRegisters = 3 => "Read Holding Registers",
        /// FC 4 (§6.4).
        ReadInputRegisters = 4 => "Read Input Registers",
        /// FC 5 (§6.5).
        WriteSingleCoil = 5 => "Write Single Coil",
        /// FC 6 (§6.6).
        WriteSingleRegister = 6 => "Write Single Register",
        /// FC 7, serial line only (§6.7).
        ReadExceptionStatus = 7 => "Read Exception Status",
        /// FC 8, serial line only (§6.8).
        Diagnostics = 8 => "Diagnostics",
        /// FC 9, legacy Modicon 484 programming (reserved, Annex A).
        Program484 = 9 => "Program (484)",
        /// FC 10, legacy Modicon 484 poll (reserved, Annex A).
        Poll484 = 10 => "Poll (484)",
        /// FC 11, serial line only (§6.9).
        GetCommEventCounter = 11 => "Get Comm Event Counter",
        /// FC 12, serial line only (§6.10).
        GetCommEventLog = 12 => "Get Comm Event Log",
        /// FC 13, legacy program controller (reserved, Annex A).
        ProgramController = 13 => "Program Controller",
        /// FC 14, legacy poll controller (reserved, Annex A).
        PollController = 14 => "Poll Controller",
        /// FC 15 (§6.11).
        WriteMultipleCoils = 15 => "Write Multiple Coils",
        /// FC 16 (§6.12).
        WriteMultipleRegisters = 16 => "Write Multiple Registers",
        /// FC 17, serial line only (§6.13).
        ReportServerId = 17 => "Report Server ID",
        /// FC 18, legacy Modicon 884/M84 programming.
        Program884 = 18 => "Program (884/M84)",
        /// FC 19, legacy reset communication link.
        ResetCommLink = 19 => "Reset Comm Link",
        /// FC 20 (§6.14).
        ReadFileRecord = 20 => "Read File Record",
        /// FC 21 (§6.15).
        WriteFileRecord = 21 => "Write File Record",
        /// FC 22 (§6.16).
        MaskWriteRegister = 22 => "Mask Write Register",
        /// FC 23 (§6.17).
        ReadWriteMultipleRegisters = 23 => "Read/Write Multiple Registers",
        /// FC 24 (§6.18).
        ReadFifoQueue = 24 => "Read FIFO Queue",
        /// FC 43, Encapsulated Interface Transport (§6.19).
        EncapsulatedInterfaceTransport = 43 => "Encapsulated Interface Transport",
        /// FC 90, Schneider Electric UMAS (Unity) (reserved in Annex A; vendor-documented).
        Umas = 90 => "UMAS",
    }
}

/// Where a function code sits in the code space (Application Protocol §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum FunctionCategory {
    /// Public and documented by the specification (§5.1).
    Public,
    /// 65-72 and 100-110: for vendors' own functions (§5.1).
    UserDefined,
    /// Reserved for legacy products (Annex A: 9, 10, 13, 14, 41, 42, 90, 91, 125-127) and
    /// the historical 18 and 19.
    Reserved,
    /// Neither public, user-defined nor reserved: nothing should send it.
    Unassigned,
    /// 0x80 and above: the exception-response space (§7).
    Exception,
}

impl FunctionCode {
    /// The code space this function code is in.
    #[inline]
    pub const fn category(self) -> FunctionCategory {
        match self.value() {
            1..=8 | 11 | 12 | 15..=17 | 20..=24 | 43 => FunctionCategory::Public,
            65..=72 | 100..=110 => FunctionCategory::UserDefined,
            9 | 10 | 13 | 14 | 18 | 19 | 41 | 42 | 90 | 91 | 125..=127 => {
                FunctionCategory::Reserved
            }
            128..=255 => FunctionCategory::Exception,
            _ => FunctionCategory::Unassigned,
        }
    }

    /// Whether a request with this code deserves the `RESERVED_FUNCTION` anomaly: reserved,
    /// unassigned or exception-space codes, but not UMAS, which this crate decodes.
    #[inline]
    pub const fn is_anomalous_in_request(self) -> bool {
        match self.category() {
            FunctionCategory::Public | FunctionCategory::UserDefined => false,
            FunctionCategory::Reserved => !matches!(self, FunctionCode::Umas),
            FunctionCategory::Unassigned | FunctionCategory::Exception => true,
        }
    }
}

open_enum! {
    /// Exception codes (Application Protocol §7).
    pub enum ExceptionCode: u8 {
        /// 01: the function code is not allowed.
        IllegalFunction = 1 => "Illegal Function",
        /// 02: the data address is not allowed.
        IllegalDataAddress = 2 => "Illegal Data Address",
        /// 03: a value in the request is not allowed.
        IllegalDataValue = 3 => "Illegal Data Value",
        /// 04: an unrecoverable error while performing the action.
        ServerDeviceFailure = 4 => "Server Device Failure",
        /// 05: accepted, long-running; poll for completion.
        Acknowledge = 5 => "Acknowledge",
        /// 06: busy with a long-running command.
        ServerDeviceBusy = 6 => "Server Device Busy",
        /// 08: parity error in extended memory (FC 20/21).
        MemoryParityError = 8 => "Memory Parity Error",
        /// 0A: the gateway has no path to the target.
        GatewayPathUnavailable = 10 => "Gateway Path Unavailable",
        /// 0B: the gateway's target did not respond.
        GatewayTargetFailedToRespond = 11 => "Gateway Target Device Failed to Respond",
    }
}

open_enum! {
    /// Diagnostics (FC 8) sub-function codes (Application Protocol §6.8.1).
    pub enum DiagnosticCode: u16 {
        /// 00: echo the request data.
        ReturnQueryData = 0 => "Return Query Data",
        /// 01: restart the serial line port (and clear the event log on 0xFF00).
        RestartCommunications = 1 => "Restart Communications Option",
        /// 02: the 16-bit diagnostic register.
        ReturnDiagnosticRegister = 2 => "Return Diagnostic Register",
        /// 03: change the ASCII end-of-message delimiter.
        ChangeAsciiInputDelimiter = 3 => "Change ASCII Input Delimiter",
        /// 04: stop responding (listen-only); no response is sent.
        ForceListenOnlyMode = 4 => "Force Listen Only Mode",
        /// 10 (0x0A): clear all counters and the diagnostic register.
        ClearCountersAndDiagnosticRegister = 10 => "Clear Counters and Diagnostic Register",
        /// 11 (0x0B).
        ReturnBusMessageCount = 11 => "Return Bus Message Count",
        /// 12 (0x0C).
        ReturnBusCommunicationErrorCount = 12 => "Return Bus Communication Error Count",
        /// 13 (0x0D).
        ReturnBusExceptionErrorCount = 13 => "Return Bus Exception Error Count",
        /// 14 (0x0E).
        ReturnServerMessageCount = 14 => "Return Server Message Count",
        /// 15 (0x0F).
        ReturnServerNoResponseCount = 15 => "Return Server No Response Count",
        /// 16 (0x10).
        ReturnServerNakCount = 16 => "Return Server NAK Count",
        /// 17 (0x11).
        ReturnServerBusyCount = 17 => "Return Server Busy Count",
        /// 18 (0x12).
        ReturnBusCharacterOverrunCount = 18 => "Return Bus Character Overrun Count",
        /// 20 (0x14).
        ClearOverrunCounterAndFlag = 20 => "Clear Overrun Counter and Flag",
    }
}

open_enum! {
    /// MEI types of FC 43 (Application Protocol §6.19).
    pub enum MeiType: u8 {
        /// 13: CANopen General Reference (§6.20).
        CanOpenGeneralReference = 13 => "CANopen General Reference",
        /// 14: Read Device Identification (§6.21).
        ReadDeviceIdentification = 14 => "Read Device Identification",
    }
}

open_enum! {
    /// Read Device ID codes of FC 43 / MEI 14 (Application Protocol §6.21).
    pub enum ReadDeviceIdCode: u8 {
        /// 01: basic identification, stream access.
        Basic = 1 => "Basic Device Identification",
        /// 02: regular identification, stream access.
        Regular = 2 => "Regular Device Identification",
        /// 03: extended identification, stream access.
        Extended = 3 => "Extended Device Identification",
        /// 04: one specific object, individual access.
        Specific = 4 => "Specific Identification Object",
    }
}

open_enum! {
    /// Device identification object ids (Application Protocol §6.21, table of objects).
    /// 0x07-0x7F are reserved, 0x80-0xFF private (extended).
    pub enum DeviceObjectId: u8 {
        /// 0x00, basic, mandatory.
        VendorName = 0 => "VendorName",
        /// 0x01, basic, mandatory.
        ProductCode = 1 => "ProductCode",
        /// 0x02, basic, mandatory.
        MajorMinorRevision = 2 => "MajorMinorRevision",
        /// 0x03, regular, optional.
        VendorUrl = 3 => "VendorUrl",
        /// 0x04, regular, optional.
        ProductName = 4 => "ProductName",
        /// 0x05, regular, optional.
        ModelName = 5 => "ModelName",
        /// 0x06, regular, optional.
        UserApplicationName = 6 => "UserApplicationName",
    }
}

open_enum! {
    /// UMAS function codes carried in FC 90 (Schneider Electric Unity; public
    /// reverse-engineering write-ups). `0xFE` and `0xFD` are the response status bytes.
    pub enum UmasFunctionCode: u8 {
        /// 0x01: open a UMAS session.
        InitComm = 0x01 => "INIT_COMM",
        /// 0x02: read the PLC identification.
        ReadId = 0x02 => "READ_ID",
        /// 0x03: read project information.
        ReadProjectInfo = 0x03 => "READ_PROJECT_INFO",
        /// 0x04: read PLC information (state).
        ReadPlcInfo = 0x04 => "READ_PLC_INFO",
        /// 0x06: read SD card information.
        ReadCardInfo = 0x06 => "READ_CARD_INFO",
        /// 0x0A: echo, used for synchronisation.
        Repeat = 0x0A => "REPEAT",
        /// 0x10: take the PLC reservation (needed for writes and control).
        TakePlcReservation = 0x10 => "TAKE_PLC_RESERVATION",
        /// 0x11: release the PLC reservation.
        ReleasePlcReservation = 0x11 => "RELEASE_PLC_RESERVATION",
        /// 0x12: keep the reservation alive.
        KeepAlive = 0x12 => "KEEP_ALIVE",
        /// 0x20: read a memory block.
        ReadMemoryBlock = 0x20 => "READ_MEMORY_BLOCK",
        /// 0x22: read variables.
        ReadVariables = 0x22 => "READ_VARIABLES",
        /// 0x23: write variables.
        WriteVariables = 0x23 => "WRITE_VARIABLES",
        /// 0x24: read coils and registers.
        ReadCoilsRegisters = 0x24 => "READ_COILS_REGISTERS",
        /// 0x25: write coils and registers.
        WriteCoilsRegisters = 0x25 => "WRITE_COILS_REGISTERS",
        /// 0x30: begin a program upload (PLC to station).
        InitializeUpload = 0x30 => "INITIALIZE_UPLOAD",
        /// 0x31: one block of a program upload.
        UploadBlock = 0x31 => "UPLOAD_BLOCK",
        /// 0x32: end a program upload.
        EndStrategyUpload = 0x32 => "END_STRATEGY_UPLOAD",
        /// 0x33: begin a program download (station to PLC).
        InitializeDownload = 0x33 => "INITIALIZE_DOWNLOAD",
        /// 0x34: one block of a program download.
        DownloadBlock = 0x34 => "DOWNLOAD_BLOCK",
        /// 0x35: end a program download.
        EndStrategyDownload = 0x35 => "END_STRATEGY_DOWNLOAD",
        /// 0x39: read Ethernet master data.
        ReadEthMasterData = 0x39 => "READ_ETH_MASTER_DATA",
        /// 0x40: start the PLC (run).
        StartPlc = 0x40 => "START_PLC",
        /// 0x41: stop the PLC.
        StopPlc = 0x41 => "STOP_PLC",
        /// 0x50: monitor the PLC.
        MonitorPlc = 0x50 => "MONITOR_PLC",
        /// 0x58: check the PLC connection.
        CheckPlc = 0x58 => "CHECK_PLC",
        /// 0x70: read an I/O object.
        ReadIoObject = 0x70 => "READ_IO_OBJECT",
        /// 0x71: write an I/O object.
        WriteIoObject = 0x71 => "WRITE_IO_OBJECT",
        /// 0x73: read module status.
        GetStatusModule = 0x73 => "GET_STATUS_MODULE",
        /// 0xFD: response status, error.
        ResponseError = 0xFD => "RESPONSE_ERROR",
        /// 0xFE: response status, OK.
        ResponseOk = 0xFE => "RESPONSE_OK",
    }
}
