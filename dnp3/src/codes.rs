//! Code tables as open enums: link functions (IEEE 1815-2012 §9.2.4.1.3, Tables 9-1, 9-2),
//! application function codes (§4.2.2.5, Table 4-3), object prefix and range codes
//! (§4.2.2.7.3, Tables 4-4 and 4-5), control status codes (§11.9.5, Table 11-5... as
//! listed in the g12 description).

use otwire_core::open_enum;

open_enum! {
    /// Link function codes of primary frames, PRM = 1 (IEEE 1815-2012 §9.2.4.1.3, Table 9-1).
    pub enum PrimaryFunction: u8 {
        /// Reset the secondary station's link states.
        ResetLinkStates = 0 => "Reset of Remote Link",
        /// Obsolete: reset of user process.
        ResetUserProcess = 1 => "Reset of User Process",
        /// Test link states (FCV = 1).
        TestLinkStates = 2 => "Test Function For Link",
        /// Confirmed user data (FCV = 1).
        ConfirmedUserData = 3 => "User Data",
        /// Unconfirmed user data.
        UnconfirmedUserData = 4 => "Unconfirmed User Data",
        /// Request link status.
        RequestLinkStatus = 9 => "Request Link Status",
    }
}

open_enum! {
    /// Link function codes of secondary frames, PRM = 0 (IEEE 1815-2012 §9.2.4.1.3, Table 9-2).
    pub enum SecondaryFunction: u8 {
        /// Positive acknowledgement.
        Ack = 0 => "ACK",
        /// Negative acknowledgement.
        Nack = 1 => "NACK",
        /// Link status report.
        LinkStatus = 11 => "Status of Link",
        /// Obsolete: link service not functioning.
        NotFunctioning = 14 => "Link Service Not Functioning",
        /// Link service not used or implemented.
        NotSupported = 15 => "Link Service Not Used or Implemented",
    }
}

open_enum! {
    /// Application layer function codes (IEEE 1815-2012 §4.2.2.5, Table 4-3): requests 0-33,
    /// responses 129-131.
    pub enum FunctionCode: u8 {
        /// Confirm (master or outstation).
        Confirm = 0 => "Confirm",
        /// Read.
        Read = 1 => "Read",
        /// Write.
        Write = 2 => "Write",
        /// Select (select-before-operate, first half).
        Select = 3 => "Select",
        /// Operate (select-before-operate, second half).
        Operate = 4 => "Operate",
        /// Direct operate.
        DirectOperate = 5 => "Direct Operate",
        /// Direct operate, no response.
        DirectOperateNoAck = 6 => "Direct Operate No Ack",
        /// Immediate freeze.
        ImmediateFreeze = 7 => "Immediate Freeze",
        /// Immediate freeze, no response.
        ImmediateFreezeNoAck = 8 => "Immediate Freeze No Ack",
        /// Freeze and clear.
        FreezeClear = 9 => "Freeze and Clear",
        /// Freeze and clear, no response.
        FreezeClearNoAck = 10 => "Freeze and Clear No ACK",
        /// Freeze at time.
        FreezeAtTime = 11 => "Freeze With Time",
        /// Freeze at time, no response.
        FreezeAtTimeNoAck = 12 => "Freeze With Time No ACK",
        /// Cold restart.
        ColdRestart = 13 => "Cold Restart",
        /// Warm restart.
        WarmRestart = 14 => "Warm Restart",
        /// Initialize data (obsolete).
        InitializeData = 15 => "Initialize Data",
        /// Initialize application.
        InitializeApplication = 16 => "Initialize Application",
        /// Start application.
        StartApplication = 17 => "Start Application",
        /// Stop application.
        StopApplication = 18 => "Stop Application",
        /// Save configuration (deprecated).
        SaveConfiguration = 19 => "Save Configuration",
        /// Enable unsolicited responses.
        EnableUnsolicited = 20 => "Enable Spontaneous Messages",
        /// Disable unsolicited responses.
        DisableUnsolicited = 21 => "Disable Spontaneous Messages",
        /// Assign class.
        AssignClass = 22 => "Assign Classes",
        /// Delay measurement.
        DelayMeasure = 23 => "Delay Measurement",
        /// Record current time (LAN time sync).
        RecordCurrentTime = 24 => "Record Current Time",
        /// Open file.
        OpenFile = 25 => "Open File",
        /// Close file.
        CloseFile = 26 => "Close File",
        /// Delete file.
        DeleteFile = 27 => "Delete File",
        /// Get file information.
        GetFileInfo = 28 => "Get File Info",
        /// Authenticate file.
        AuthenticateFile = 29 => "Authenticate File",
        /// Abort file.
        AbortFile = 30 => "Abort File",
        /// Activate configuration.
        ActivateConfig = 31 => "Activate Config",
        /// Secure authentication request.
        AuthenticateRequest = 32 => "Authentication Request",
        /// Secure authentication request, no acknowledgement (Wireshark: "Authentication
        /// Error").
        AuthenticateRequestNoAck = 33 => "Authentication Error",
        /// Solicited response.
        Response = 129 => "Response",
        /// Unsolicited response.
        UnsolicitedResponse = 130 => "Unsolicited Response",
        /// Secure authentication response.
        AuthenticateResponse = 131 => "Authentication Response",
    }
}

impl FunctionCode {
    /// Responses (129-131) carry the two IIN octets after the function code (§4.2.2.6).
    pub fn is_response(self) -> bool {
        matches!(
            self,
            FunctionCode::Response
                | FunctionCode::UnsolicitedResponse
                | FunctionCode::AuthenticateResponse
        )
    }

    /// Whether the objects under this function carry data (values, commands, files),
    /// as opposed to headers that only name points (Read, Freeze, Assign Class, Enable
    /// Unsolicited…). `group` matters for Freeze at Time, whose g50 time object has data.
    pub fn objects_carry_data(self, group: u8) -> bool {
        use FunctionCode as F;
        match self {
            F::Write
            | F::Select
            | F::Operate
            | F::DirectOperate
            | F::DirectOperateNoAck
            | F::InitializeApplication
            | F::StartApplication
            | F::StopApplication
            | F::OpenFile
            | F::CloseFile
            | F::DeleteFile
            | F::GetFileInfo
            | F::AuthenticateFile
            | F::AbortFile
            | F::ActivateConfig
            | F::AuthenticateRequest
            | F::AuthenticateRequestNoAck
            | F::Response
            | F::UnsolicitedResponse
            | F::AuthenticateResponse => true,
            F::FreezeAtTime | F::FreezeAtTimeNoAck => group == 50,
            F::Unknown(v) => v >= 0x80,
            _ => false,
        }
    }

    /// Functions that never carry object headers (§4.4: Confirm, Cold/Warm Restart, Delay
    /// Measure, Record Current Time, Save Configuration, Initialize Data).
    pub fn has_no_objects(self) -> bool {
        matches!(
            self,
            FunctionCode::Confirm
                | FunctionCode::ColdRestart
                | FunctionCode::WarmRestart
                | FunctionCode::DelayMeasure
                | FunctionCode::RecordCurrentTime
                | FunctionCode::SaveConfiguration
                | FunctionCode::InitializeData
        )
    }
}

open_enum! {
    /// Object prefix codes, qualifier bits 6-4 (IEEE 1815-2012 §4.2.2.7.3.2, Table 4-4).
    pub enum PrefixCode: u8 {
        /// Objects packed without an index prefix.
        None = 0 => "None",
        /// 1-octet index prefix.
        Index8 = 1 => "1-Octet Index Prefix",
        /// 2-octet index prefix.
        Index16 = 2 => "2-Octet Index Prefix",
        /// 4-octet index prefix.
        Index32 = 3 => "4-Octet Index Prefix",
        /// 1-octet object size prefix.
        Size8 = 4 => "1-Octet Object Size Prefix",
        /// 2-octet object size prefix.
        Size16 = 5 => "2-Octet Object Size Prefix",
        /// 4-octet object size prefix.
        Size32 = 6 => "4-Octet Object Size Prefix",
    }
}

impl PrefixCode {
    /// Width in octets of the prefix before each object (0 for none, `None` if reserved).
    pub fn width(self) -> Option<usize> {
        match self {
            PrefixCode::None => Some(0),
            PrefixCode::Index8 | PrefixCode::Size8 => Some(1),
            PrefixCode::Index16 | PrefixCode::Size16 => Some(2),
            PrefixCode::Index32 | PrefixCode::Size32 => Some(4),
            PrefixCode::Unknown(_) => None,
        }
    }

    /// An index prefix (codes 1-3).
    pub fn is_index(self) -> bool {
        matches!(
            self,
            PrefixCode::Index8 | PrefixCode::Index16 | PrefixCode::Index32
        )
    }

    /// An object size prefix (codes 4-6).
    pub fn is_size(self) -> bool {
        matches!(
            self,
            PrefixCode::Size8 | PrefixCode::Size16 | PrefixCode::Size32
        )
    }
}

open_enum! {
    /// Range specifier codes, qualifier bits 3-0 (IEEE 1815-2012 §4.2.2.7.3.3, Table 4-5).
    pub enum RangeCode: u8 {
        /// 1-octet start and stop indices.
        StartStop8 = 0 => "8-bit Start and Stop Indices",
        /// 2-octet start and stop indices.
        StartStop16 = 1 => "16-bit Start and Stop Indices",
        /// 4-octet start and stop indices.
        StartStop32 = 2 => "32-bit Start and Stop Indices",
        /// 1-octet absolute address (obsolete virtual addressing; one object).
        Address8 = 3 => "8-bit Absolute Address in Range Field",
        /// 2-octet absolute address (obsolete; one object).
        Address16 = 4 => "16-bit Absolute Address in Range Field",
        /// 4-octet absolute address (obsolete; one object).
        Address32 = 5 => "32-bit Absolute Address in Range Field",
        /// No range field: all objects of the type.
        All = 6 => "No Range Field",
        /// 1-octet object count.
        Count8 = 7 => "8-bit Single Field Quantity",
        /// 2-octet object count.
        Count16 = 8 => "16-bit Single Field Quantity",
        /// 4-octet object count.
        Count32 = 9 => "32-bit Single Field Quantity",
        /// Variable-format qualifier with a 1-octet object count (free-format objects).
        FreeFormat8 = 11 => "Free-format Qualifier",
    }
}

impl RangeCode {
    /// Width in octets of the range field (`None` for reserved codes).
    pub fn width(self) -> Option<usize> {
        match self {
            RangeCode::StartStop8 => Some(2),
            RangeCode::StartStop16 => Some(4),
            RangeCode::StartStop32 => Some(8),
            RangeCode::Address8 | RangeCode::Count8 | RangeCode::FreeFormat8 => Some(1),
            RangeCode::Address16 | RangeCode::Count16 => Some(2),
            RangeCode::Address32 | RangeCode::Count32 => Some(4),
            RangeCode::All => Some(0),
            RangeCode::Unknown(_) => None,
        }
    }
}

open_enum! {
    /// Control status codes of command objects (IEEE 1815-2012 §11.9.5.x, Table 11-7
    /// "Status Code Values"; g12, g41, g13, g43).
    pub enum CommandStatus: u8 {
        /// Accepted / completed.
        Success = 0 => "SUCCESS",
        /// Operate arrived after the select timeout.
        Timeout = 1 => "TIMEOUT",
        /// No previous matching select.
        NoSelect = 2 => "NO_SELECT",
        /// Request format error.
        FormatError = 3 => "FORMAT_ERROR",
        /// Operation not supported for this point.
        NotSupported = 4 => "NOT_SUPPORTED",
        /// Already active.
        AlreadyActive = 5 => "ALREADY_ACTIVE",
        /// Hardware error.
        HardwareError = 6 => "HARDWARE_ERROR",
        /// Local / remote switch in local.
        Local = 7 => "LOCAL",
        /// Too many objects.
        TooManyObjs = 8 => "TOO_MANY_OBJS",
        /// Not authorized.
        NotAuthorized = 9 => "NOT_AUTHORIZED",
        /// Automation inhibited.
        AutomationInhibit = 10 => "AUTOMATION_INHIBIT",
        /// Processing limited.
        ProcessingLimited = 11 => "PROCESSING_LIMITED",
        /// Value out of range.
        OutOfRange = 12 => "OUT_OF_RANGE",
        /// Downstream local.
        DownstreamLocal = 13 => "DOWNSTREAM_LOCAL",
        /// Already complete.
        AlreadyComplete = 14 => "ALREADY_COMPLETE",
        /// Blocked.
        Blocked = 15 => "BLOCKED",
        /// Cancelled.
        Cancelled = 16 => "CANCELLED",
        /// Blocked by another master.
        BlockedOtherMaster = 17 => "BLOCKED_OTHER_MASTER",
        /// Downstream failure.
        DownstreamFail = 18 => "DOWNSTREAM_FAIL",
        /// Non-participating.
        NonParticipating = 126 => "NON_PARTICIPATING",
        /// Undefined error.
        Undefined = 127 => "UNDEFINED",
    }
}

open_enum! {
    /// CROB operation type, control code bits 3-0 (IEEE 1815-2012 §11.9.5.3.1, Table 11-6;
    /// Wireshark `dnp3.ctl.op`).
    pub enum OpType: u8 {
        /// No operation.
        Nul = 0 => "NUL Operation",
        /// Pulse on.
        PulseOn = 1 => "Pulse On",
        /// Pulse off.
        PulseOff = 2 => "Pulse Off",
        /// Latch on.
        LatchOn = 3 => "Latch On",
        /// Latch off.
        LatchOff = 4 => "Latch Off",
    }
}

open_enum! {
    /// CROB trip/close code, control code bits 7-6 (IEEE 1815-2012 §11.9.5.3.1; Wireshark
    /// `dnp3.ctl.trip`).
    pub enum TripCloseCode: u8 {
        /// No trip/close pairing.
        Nul = 0 => "NUL",
        /// Close.
        Close = 1 => "Close",
        /// Trip.
        Trip = 2 => "Trip",
        /// Reserved.
        Reserved = 3 => "Reserved",
    }
}
