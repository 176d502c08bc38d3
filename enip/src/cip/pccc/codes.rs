//! PCCC code tables: commands, statuses, function codes, file types and CPU modes
//! (Rockwell 1770-6.5.16 "DF1 Protocol and Command Set" ch. 7-8; names as Wireshark's
//! `tshark -G values` for cippccc gives them).

otwire_core::open_enum! {
    /// CMD: the command byte (1770-6.5.16 ch. 7 command table). 0x06, 0x07 and 0x0F carry
    /// a function code (FNC).
    pub enum Command: u8 {
        /// PLC-2 protected write.
        ProtectedWrite = 0x00 => "Protected write",
        /// PLC-2 unprotected read.
        UnprotectedRead = 0x01 => "Unprotected read",
        /// PLC-2 protected bit write.
        ProtectedBitWrite = 0x02 => "Protected bit write",
        /// PLC-2 unprotected bit write.
        UnprotectedBitWrite = 0x05 => "Unprotected bit write",
        /// Diagnostic commands (echo, diagnostic status, counters; FNC follows).
        Diagnostic = 0x06 => "Diagnostic",
        /// PLC-2 mode and upload/download commands (FNC follows).
        Program = 0x07 => "Program",
        /// PLC-2 unprotected write.
        UnprotectedWrite = 0x08 => "Unprotected write",
        /// PLC-3/PLC-5/SLC/MicroLogix extended commands (FNC follows).
        Extended = 0x0F => "Extended",
    }
}

impl Command {
    /// Whether a function code follows STS and TNS (CMD 0x06, 0x07, 0x0F).
    pub const fn has_function(self) -> bool {
        matches!(
            self,
            Command::Diagnostic | Command::Program | Command::Extended
        )
    }
}

otwire_core::open_enum! {
    /// STS: the reply status (1770-6.5.16 ch. 8; tshark `cip.pccc.gs.status`).
    pub enum Status: u8 {
        /// Success.
        Success = 0x00 => "Success",
        /// Illegal command or format.
        IllegalCommand = 0x10 => "Illegal command or format",
        /// Host has a problem and will not communicate.
        HostProblem = 0x20 => "Host has a problem and will not communicate",
        /// Remote node host is missing, disconnected, or shut down.
        HostMissing = 0x30 => "Remote node host is missing, disconnected, or shut down",
        /// Host could not complete function due to hardware fault.
        HardwareFault = 0x40 => "Host could not complete function due to hardware fault",
        /// Addressing problem or memory protect rungs.
        AddressingProblem = 0x50 => "Addressing problem or memory protect rungs",
        /// Function not allowed due to command protection selection.
        CommandProtection = 0x60 => "Function not allowed due to command protection selection",
        /// Processor is in Program mode.
        ProgramMode = 0x70 => "Processor is in Program mode",
        /// Compatibility mode file missing or communication zone problem.
        CompatibilityFile = 0x80 => "Compatibility mode file missing or communication zone problem",
        /// Remote node cannot buffer command.
        CannotBuffer = 0x90 => "Remote node cannot buffer command",
        /// Wait ACK (1775-KA buffer full).
        WaitAck = 0xA0 => "Wait ACK (1775-KA buffer full)",
        /// Remote node problem due to download.
        DownloadProblem = 0xB0 => "Remote node problem due to download",
        /// Wait ACK (1775-KA buffer full).
        WaitAck2 = 0xC0 => "Wait ACK (1775-KA buffer full)",
        /// Error code in the EXT STS byte.
        Extended = 0xF0 => "Error code in the EXT STS byte",
    }
}

otwire_core::open_enum! {
    /// EXT STS: the extended status after STS 0xF0 (1770-6.5.16 ch. 8; tshark
    /// `cip.pccc.es.status`).
    pub enum ExtStatus: u8 {
        /// A field has an illegal value.
        IllegalValue = 0x01 => "A field has an illegal value",
        /// Less levels specified in address than minimum for any address.
        FewLevels = 0x02 => "Less levels specified in address than minimum for any address",
        /// More levels specified in address than system supports.
        ManyLevels = 0x03 => "More levels specified in address than system supports",
        /// Symbol not found.
        SymbolNotFound = 0x04 => "Symbol not found",
        /// Symbol is of improper format.
        SymbolFormat = 0x05 => "Symbol is of improper format",
        /// Address doesn't point to something usable.
        AddressUnusable = 0x06 => "Address doesn't point to something usable",
        /// File is wrong size.
        FileSize = 0x07 => "File is wrong size",
        /// Cannot complete request, situation has changed since the start of the command.
        SituationChanged = 0x08 => "Cannot complete request, situation has changed since the start of the command",
        /// Data or file is too large.
        TooLarge = 0x09 => "Data or file is too large",
        /// Transaction size plus word address is too large.
        TransactionTooLarge = 0x0A => "Transaction size plus word address is too large",
        /// Access denied, improper privilege.
        AccessDenied = 0x0B => "Access denied, improper privilege",
        /// Condition cannot be generated - resource is not available.
        ResourceUnavailable = 0x0C => "Condition cannot be generated - resource is not available",
        /// Condition already exists - resource is already available.
        ResourceAvailable = 0x0D => "Condition already exists - resource is already available",
        /// Command cannot be executed.
        CannotExecute = 0x0E => "Command cannot be executed",
        /// Histogram overflow.
        HistogramOverflow = 0x0F => "Histogram overflow",
        /// No access.
        NoAccess = 0x10 => "No access",
        /// Illegal data type.
        IllegalDataType = 0x11 => "Illegal data type",
        /// Invalid parameter or invalid data.
        InvalidParameter = 0x12 => "Invalid parameter or invalid data",
        /// Address reference exists to deleted area.
        DeletedArea = 0x13 => "Address reference exists to deleted area",
        /// Command execution failure for unknown reason.
        UnknownFailure = 0x14 => "Command execution failure for unknown reason; possible PLC-3 histogram overflow",
        /// Data conversion error.
        ConversionError = 0x15 => "Data conversion error",
        /// Scanner not able to communicate with 1771 rack adapter.
        RackAdapter = 0x16 => "Scanner not able to communicate with 1771 rack adapter",
        /// Type mismatch.
        TypeMismatch = 0x17 => "Type mismatch",
        /// 1771 module response was not valid.
        ModuleResponse = 0x18 => "1771 module response was not valid",
        /// Duplicated label.
        DuplicatedLabel = 0x19 => "Duplicated label",
        /// File is open; another node owns it.
        FileOpen = 0x1A => "File is open; another node owns it",
        /// Another node is the program owner.
        ProgramOwner = 0x1B => "Another node is the program owner",
        /// Data table element protection violation.
        ElementProtection = 0x1E => "Data table element protection violation",
        /// Temporary internal problem.
        InternalProblem = 0x1F => "Temporary internal problem",
        /// Remote rack fault.
        RackFault = 0x22 => "Remote rack fault",
        /// Timeout.
        Timeout = 0x23 => "Timeout",
        /// Unknown error.
        UnknownError = 0x24 => "Unknown error",
    }
}

otwire_core::open_enum! {
    /// FNC of CMD 0x06, diagnostic commands (1770-6.5.16 ch. 7; tshark
    /// `cip.pccc.fnc.code_06`).
    pub enum DiagnosticFunction: u8 {
        /// Echo.
        Echo = 0x00 => "Echo",
        /// Read diagnostic counters.
        ReadCounters = 0x01 => "Read diagnostic counters",
        /// Set variables.
        SetVariables = 0x02 => "Set variables",
        /// Diagnostic status.
        DiagnosticStatus = 0x03 => "Diagnostic status",
        /// Set timeout.
        SetTimeout = 0x04 => "Set timeout",
        /// Set NAKs.
        SetNaks = 0x05 => "Set NAKs",
        /// Set ENQs.
        SetEnqs = 0x06 => "Set ENQs",
        /// Reset diagnostic counters.
        ResetCounters = 0x07 => "Reset diagnostic counters",
        /// Set data table size.
        SetDataTableSize = 0x08 => "Set data table size",
        /// Read link parameters.
        ReadLinkParameters = 0x09 => "Read link parameters",
        /// Set link parameters.
        SetLinkParameters = 0x0A => "Set link parameters",
    }
}

otwire_core::open_enum! {
    /// FNC of CMD 0x07, PLC-2 mode and program transfer (1770-6.5.16 ch. 7; tshark
    /// `cip.pccc.fnc.code_07`).
    pub enum ProgramFunction: u8 {
        /// Disable outputs.
        DisableOutputs = 0x00 => "Disable outputs",
        /// Enable outputs.
        EnableOutputs = 0x01 => "Enable outputs",
        /// Enable PLC scanning.
        EnableScanning = 0x03 => "Enable PLC scanning",
        /// Enter download mode.
        EnterDownload = 0x04 => "Enter download mode",
        /// Exit download/upload mode.
        ExitDownloadUpload = 0x05 => "Exit download/upload mode",
        /// Enter upload mode.
        EnterUpload = 0x06 => "Enter upload mode",
    }
}

otwire_core::open_enum! {
    /// FNC of CMD 0x0F, extended commands (1770-6.5.16 ch. 7; tshark
    /// `cip.pccc.fnc.code_0f`).
    pub enum ExtendedFunction: u8 {
        /// Word range write.
        WordRangeWrite = 0x00 => "Word range write",
        /// Word range read.
        WordRangeRead = 0x01 => "Word range read",
        /// Bit write.
        BitWrite = 0x02 => "Bit write",
        /// File write.
        FileWrite = 0x03 => "File write",
        /// File read.
        FileRead = 0x04 => "File read",
        /// Download request.
        DownloadRequest = 0x05 => "Download request",
        /// Upload.
        Upload = 0x06 => "Upload",
        /// Shutdown.
        Shutdown = 0x07 => "Shutdown",
        /// Physical write.
        PhysicalWrite = 0x08 => "Physical write",
        /// Physical read.
        PhysicalRead = 0x09 => "Physical read",
        /// Restart request.
        RestartRequest = 0x0A => "Restart request",
        /// Get edit resource.
        GetEditResource = 0x11 => "Get edit resource",
        /// Return edit resource.
        ReturnEditResource = 0x12 => "Return edit resource",
        /// Read bytes physical.
        ReadBytesPhysical = 0x17 => "Read bytes physical",
        /// Write bytes physical.
        WriteBytesPhysical = 0x18 => "Write bytes physical",
        /// Read-modify-write.
        ReadModifyWrite = 0x26 => "Read-modify-write",
        /// Read section size.
        ReadSectionSize = 0x29 => "Read section size",
        /// Set CPU mode.
        SetCpuMode = 0x3A => "Set CPU mode",
        /// Disable forces.
        DisableForces = 0x41 => "Disable forces",
        /// Download all request.
        DownloadAllRequest = 0x50 => "Download all request",
        /// Download completed.
        DownloadCompleted = 0x52 => "Download completed",
        /// Upload all request.
        UploadAllRequest = 0x53 => "Upload all request (upload)",
        /// Upload completed.
        UploadCompleted = 0x55 => "Upload completed",
        /// Initialize memory.
        InitializeMemory = 0x57 => "Initialize memory",
        /// Modify PLC-2 compatibility file.
        ModifyCompatibilityFile = 0x5E => "Modify PLC-2 compatibility file",
        /// Typed write.
        TypedWrite = 0x67 => "Typed write",
        /// Typed read.
        TypedRead = 0x68 => "Typed read",
        /// Read-modify-write N.
        ReadModifyWriteN = 0x79 => "Read-modify-write N",
        /// Change CPU mode.
        ChangeMode = 0x80 => "Change CPU mode",
        /// Open file.
        OpenFile = 0x81 => "Open file",
        /// Close file.
        CloseFile = 0x82 => "Close file",
        /// Execute Multiple Commands.
        ExecuteMultiple = 0x88 => "Execute Multiple Commands",
        /// Apply port configuration.
        ApplyPortConfiguration = 0x8F => "Apply port configuration",
        /// Protected typed logical read with two address fields.
        TypedLogicalRead2 = 0xA1 => "Protected typed logical read with two address fields",
        /// Protected typed logical read with three address fields.
        TypedLogicalRead3 = 0xA2 => "Protected typed logical read with three address fields",
        /// Protected typed file read.
        TypedFileRead = 0xA7 => "Protected typed file read",
        /// Protected typed logical write with two address fields.
        TypedLogicalWrite2 = 0xA9 => "Protected typed logical write with two address fields",
        /// Protected typed logical write with three address fields.
        TypedLogicalWrite3 = 0xAA => "Protected typed logical write with three address fields",
        /// Protected typed logical masked-write with three address fields.
        TypedLogicalMaskedWrite3 = 0xAB => "Protected typed logical masked-write with three address fields",
        /// Protected typed file write.
        TypedFileWrite = 0xAF => "Protected typed file write",
    }
}

otwire_core::open_enum! {
    /// SLC/MicroLogix file types in logical binary addresses (1770-6.5.16 ch. 7; tshark
    /// `cip.pccc.file.type`).
    pub enum FileType: u8 {
        /// Ladder logic file.
        Ladder = 0x22 => "Ladder Logic File",
        /// Channel configuration file.
        ChannelConfig = 0x49 => "Channel Configuration File",
        /// EtherNet/IP function file.
        EtherNetIp = 0x4A => "EtherNet/IP Function File",
        /// Online editing file.
        OnlineEditing = 0x65 => "Online Editing File",
        /// IOS function file.
        Ios = 0x6A => "IOS Function File",
        /// Output data file (O).
        Output = 0x82 => "Output Data File",
        /// Input data file (I).
        Input = 0x83 => "Input Data File",
        /// Status data file (S).
        Status = 0x84 => "Status Data File",
        /// Binary data file (B).
        Binary = 0x85 => "Binary Data File",
        /// Timer data file (T).
        Timer = 0x86 => "Timer Data File",
        /// Counter data file (C).
        Counter = 0x87 => "Counter Data File",
        /// Integer data file (N).
        Integer = 0x89 => "Integer Data File",
        /// Float data file (F).
        Float = 0x8A => "Float Data File",
        /// Output force file.
        OutputForce = 0xA1 => "Output Force File",
        /// Input force file.
        InputForce = 0xA2 => "Input Force File",
        /// ES0 function file.
        Es0 = 0xE0 => "ES0 Function File",
        /// STI function file.
        Sti = 0xE2 => "STI Function File",
        /// EII function file.
        Eii = 0xE3 => "EII Function File",
        /// RTC function file.
        Rtc = 0xE4 => "RTC Function File",
        /// BHI function file.
        Bhi = 0xE5 => "BHI Function File",
        /// Memory module function file.
        MemoryModule = 0xE6 => "Memory Module Function File",
        /// Built-in LCD function file.
        Lcd = 0xEC => "Built-in LCD Function File",
        /// PTOX function file.
        Ptox = 0xED => "PTOX Function File",
        /// PWMX function file.
        Pwmx = 0xEE => "PWMX Function File",
    }
}

otwire_core::open_enum! {
    /// The mode byte of change mode, CMD 0x0F FNC 0x80 (1770-6.5.16 ch. 7; tshark
    /// `cip.pccc.cpu.mode_80`).
    pub enum CpuMode: u8 {
        /// Remote program.
        RemoteProgram = 0x01 => "Remote Program",
        /// Remote run.
        RemoteRun = 0x06 => "Remote Run",
        /// Remote test continuous.
        RemoteTestContinuous = 0x07 => "Remote Test Continuous",
        /// Remote test single scan.
        RemoteTestSingle = 0x08 => "Remote Test Single",
        /// Remote test debug.
        RemoteTestDebug = 0x09 => "Remote Test Debug",
    }
}
