//! CIP code tables: services (Vol. 1 App. A), general status (App. B), object classes,
//! Connection Manager services and extended status (Vol. 1 §3-5). Names follow Wireshark's
//! value strings (`tshark -G values`: `cip.sc`, `cip.genstat`, `cip.class`, `cip.cm.sc`,
//! `cip.cm.ext_status`), so output compares with tshark's.

use otwire_core::open_enum;

open_enum! {
    /// Common service codes (CIP Vol. 1 App. A-3; names as Wireshark's `cip.sc`). Object-specific codes (0x32-0x7F) are `Unknown` here: their meaning depends on the class (see [`ConnectionManagerService`] and `crate::cip::ServiceKind`).
    pub enum Service: u8 {
        /// 0x01 (Vol. 1 App. A-3).
        GetAttributesAll = 0x01 => "Get Attributes All",
        /// 0x02 (Vol. 1 App. A-3).
        SetAttributesAll = 0x02 => "Set Attributes All",
        /// 0x03 (Vol. 1 App. A-3).
        GetAttributeList = 0x03 => "Get Attribute List",
        /// 0x04 (Vol. 1 App. A-3).
        SetAttributeList = 0x04 => "Set Attribute List",
        /// 0x05 (Vol. 1 App. A-3).
        Reset = 0x05 => "Reset",
        /// 0x06 (Vol. 1 App. A-3).
        Start = 0x06 => "Start",
        /// 0x07 (Vol. 1 App. A-3).
        Stop = 0x07 => "Stop",
        /// 0x08 (Vol. 1 App. A-3).
        Create = 0x08 => "Create",
        /// 0x09 (Vol. 1 App. A-3).
        Delete = 0x09 => "Delete",
        /// 0x0A (Vol. 1 App. A-3).
        MultipleServicePacket = 0x0A => "Multiple Service Packet",
        /// 0x0D (Vol. 1 App. A-3).
        ApplyAttributes = 0x0D => "Apply Attributes",
        /// 0x0E (Vol. 1 App. A-3).
        GetAttributeSingle = 0x0E => "Get Attribute Single",
        /// 0x10 (Vol. 1 App. A-3).
        SetAttributeSingle = 0x10 => "Set Attribute Single",
        /// 0x11 (Vol. 1 App. A-3).
        FindNextObjectInstance = 0x11 => "Find Next Object Instance",
        /// 0x15 (Vol. 1 App. A-3).
        Restore = 0x15 => "Restore",
        /// 0x16 (Vol. 1 App. A-3).
        Save = 0x16 => "Save",
        /// 0x17 (Vol. 1 App. A-3).
        Nop = 0x17 => "Nop",
        /// 0x18 (Vol. 1 App. A-3).
        GetMember = 0x18 => "Get Member",
        /// 0x19 (Vol. 1 App. A-3).
        SetMember = 0x19 => "Set Member",
        /// 0x1A (Vol. 1 App. A-3).
        InsertMember = 0x1A => "Insert Member",
        /// 0x1B (Vol. 1 App. A-3).
        RemoveMember = 0x1B => "Remove Member",
        /// 0x1C (Vol. 1 App. A-3).
        GroupSync = 0x1C => "Group Sync",
    }
}

open_enum! {
    /// Connection Manager object-specific services (CIP Vol. 1 §3-5.5; names as Wireshark's `cip.cm.sc`).
    pub enum ConnectionManagerService: u8 {
        /// 0x4E (Vol. 1 §3-5.5).
        ForwardClose = 0x4E => "Forward Close",
        /// 0x52 (Vol. 1 §3-5.5).
        UnconnectedSend = 0x52 => "Unconnected Send",
        /// 0x54 (Vol. 1 §3-5.5).
        ForwardOpen = 0x54 => "Forward Open",
        /// 0x56 (Vol. 1 §3-5.5).
        GetConnectionData = 0x56 => "Get Connection Data",
        /// 0x57 (Vol. 1 §3-5.5).
        SearchConnectionData = 0x57 => "Search Connection Data",
        /// 0x5A (Vol. 1 §3-5.5).
        GetConnectionOwner = 0x5A => "Get Connection Owner",
        /// 0x5B (Vol. 1 §3-5.5).
        LargeForwardOpen = 0x5B => "Large Forward Open",
    }
}

open_enum! {
    /// General status codes (CIP Vol. 1 App. B-1; names as Wireshark's `cip.genstat`).
    pub enum GeneralStatus: u8 {
        /// 0x00 (Vol. 1 App. B-1).
        Success = 0x00 => "Success",
        /// 0x01 (Vol. 1 App. B-1).
        ConnectionFailure = 0x01 => "Connection failure",
        /// 0x02 (Vol. 1 App. B-1).
        ResourceUnavailable = 0x02 => "Resource unavailable",
        /// 0x03 (Vol. 1 App. B-1).
        InvalidParameterValue = 0x03 => "Invalid parameter value",
        /// 0x04 (Vol. 1 App. B-1).
        PathSegmentError = 0x04 => "Path segment error",
        /// 0x05 (Vol. 1 App. B-1).
        PathDestinationUnknown = 0x05 => "Path destination unknown",
        /// 0x06 (Vol. 1 App. B-1).
        PartialTransfer = 0x06 => "Partial transfer",
        /// 0x07 (Vol. 1 App. B-1).
        ConnectionLost = 0x07 => "Connection lost",
        /// 0x08 (Vol. 1 App. B-1).
        ServiceNotSupported = 0x08 => "Service not supported",
        /// 0x09 (Vol. 1 App. B-1).
        InvalidAttributeValue = 0x09 => "Invalid attribute value",
        /// 0x0A (Vol. 1 App. B-1).
        AttributeListError = 0x0A => "Attribute list error",
        /// 0x0B (Vol. 1 App. B-1).
        AlreadyInRequestedModeState = 0x0B => "Already in requested mode/state",
        /// 0x0C (Vol. 1 App. B-1).
        ObjectStateConflict = 0x0C => "Object state conflict",
        /// 0x0D (Vol. 1 App. B-1).
        ObjectAlreadyExists = 0x0D => "Object already exists",
        /// 0x0E (Vol. 1 App. B-1).
        AttributeNotSettable = 0x0E => "Attribute not settable",
        /// 0x0F (Vol. 1 App. B-1).
        PrivilegeViolation = 0x0F => "Privilege violation",
        /// 0x10 (Vol. 1 App. B-1).
        DeviceStateConflict = 0x10 => "Device state conflict",
        /// 0x11 (Vol. 1 App. B-1).
        ReplyDataTooLarge = 0x11 => "Reply data too large",
        /// 0x12 (Vol. 1 App. B-1).
        FragmentationOfAPrimitiveValue = 0x12 => "Fragmentation of a primitive value",
        /// 0x13 (Vol. 1 App. B-1).
        NotEnoughData = 0x13 => "Not enough data",
        /// 0x14 (Vol. 1 App. B-1).
        AttributeNotSupported = 0x14 => "Attribute not supported",
        /// 0x15 (Vol. 1 App. B-1).
        TooMuchData = 0x15 => "Too much data",
        /// 0x16 (Vol. 1 App. B-1).
        ObjectDoesNotExist = 0x16 => "Object does not exist",
        /// 0x17 (Vol. 1 App. B-1).
        ServiceFragmentationSequenceNotInProgress = 0x17 => "Service fragmentation sequence not in progress",
        /// 0x18 (Vol. 1 App. B-1).
        NoStoredAttributeData = 0x18 => "No stored attribute data",
        /// 0x19 (Vol. 1 App. B-1).
        StoreOperationFailure = 0x19 => "Store operation failure",
        /// 0x1A (Vol. 1 App. B-1).
        RoutingFailureRequestPacketTooLarge = 0x1A => "Routing failure, request packet too large",
        /// 0x1B (Vol. 1 App. B-1).
        RoutingFailureResponsePacketTooLarge = 0x1B => "Routing failure, response packet too large",
        /// 0x1C (Vol. 1 App. B-1).
        MissingAttributeListEntryData = 0x1C => "Missing attribute list entry data",
        /// 0x1D (Vol. 1 App. B-1).
        InvalidAttributeValueList = 0x1D => "Invalid attribute value list",
        /// 0x1E (Vol. 1 App. B-1).
        EmbeddedServiceError = 0x1E => "Embedded service error",
        /// 0x1F (Vol. 1 App. B-1).
        VendorSpecificError = 0x1F => "Vendor specific error",
        /// 0x20 (Vol. 1 App. B-1).
        InvalidParameter = 0x20 => "Invalid parameter",
        /// 0x21 (Vol. 1 App. B-1).
        WriteOnceValueOrMediumAlreadyWritten = 0x21 => "Write-once value or medium already written",
        /// 0x22 (Vol. 1 App. B-1).
        InvalidReplyReceived = 0x22 => "Invalid reply received",
        /// 0x23 (Vol. 1 App. B-1).
        BufferOverflow = 0x23 => "Buffer overflow",
        /// 0x24 (Vol. 1 App. B-1).
        InvalidMessageFormat = 0x24 => "Invalid message format",
        /// 0x25 (Vol. 1 App. B-1).
        KeyFailureInPath = 0x25 => "Key failure in path",
        /// 0x26 (Vol. 1 App. B-1).
        PathSizeInvalid = 0x26 => "Path size invalid",
        /// 0x27 (Vol. 1 App. B-1).
        UnexpectedAttributeInList = 0x27 => "Unexpected attribute in list",
        /// 0x28 (Vol. 1 App. B-1).
        InvalidMemberId = 0x28 => "Invalid Member ID",
        /// 0x29 (Vol. 1 App. B-1).
        MemberNotSettable = 0x29 => "Member not settable",
        /// 0x2A (Vol. 1 App. B-1).
        Group2OnlyServerGeneralFailure = 0x2A => "Group 2 only server general failure",
        /// 0x2B (Vol. 1 App. B-1).
        UnknownModbusError = 0x2B => "Unknown Modbus error",
        /// 0x2C (Vol. 1 App. B-1).
        AttributeNotGettable = 0x2C => "Attribute not gettable",
    }
}

open_enum! {
    /// Object class codes (CIP Vol. 1 §5 and Vol. 2 §5; names as Wireshark's `cip.class`, plus the Logix Symbol and Template objects named by pycomm3).
    pub enum ClassCode: u16 {
        /// Class 0x01.
        Identity = 0x01 => "Identity",
        /// Class 0x02.
        MessageRouter = 0x02 => "Message Router",
        /// Class 0x03.
        DeviceNet = 0x03 => "DeviceNet",
        /// Class 0x04.
        Assembly = 0x04 => "Assembly",
        /// Class 0x05.
        Connection = 0x05 => "Connection",
        /// Class 0x06.
        ConnectionManager = 0x06 => "Connection Manager",
        /// Class 0x07.
        Register = 0x07 => "Register",
        /// Class 0x08.
        DiscreteInputPoint = 0x08 => "Discrete Input Point",
        /// Class 0x09.
        DiscreteOutputPoint = 0x09 => "Discrete Output Point",
        /// Class 0x0A.
        AnalogInputPoint = 0x0A => "Analog Input Point",
        /// Class 0x0B.
        AnalogOutputPoint = 0x0B => "Analog Output Point",
        /// Class 0x0E.
        PresenceSensing = 0x0E => "Presence Sensing",
        /// Class 0x0F.
        Parameter = 0x0F => "Parameter",
        /// Class 0x10.
        ParameterGroup = 0x10 => "Parameter Group",
        /// Class 0x12.
        Group = 0x12 => "Group",
        /// Class 0x1D.
        DiscreteInputGroup = 0x1D => "Discrete Input Group",
        /// Class 0x1E.
        DiscreteOutputGroup = 0x1E => "Discrete Output Group",
        /// Class 0x1F.
        DiscreteGroup = 0x1F => "Discrete Group",
        /// Class 0x20.
        AnalogInputGroup = 0x20 => "Analog Input Group",
        /// Class 0x21.
        AnalogOutputGroup = 0x21 => "Analog Output Group",
        /// Class 0x22.
        AnalogGroup = 0x22 => "Analog Group",
        /// Class 0x23.
        PositionSensor = 0x23 => "Position Sensor",
        /// Class 0x24.
        PositionControllerSupervisor = 0x24 => "Position Controller Supervisor",
        /// Class 0x25.
        PositionController = 0x25 => "Position Controller",
        /// Class 0x26.
        BlockSequencer = 0x26 => "Block Sequencer",
        /// Class 0x27.
        CommandBlock = 0x27 => "Command Block",
        /// Class 0x28.
        MotorData = 0x28 => "Motor Data",
        /// Class 0x29.
        ControlSupervisor = 0x29 => "Control Supervisor",
        /// Class 0x2A.
        AcDcDrive = 0x2A => "AC/DC Drive",
        /// Class 0x2B.
        AcknowledgeHandler = 0x2B => "Acknowledge Handler",
        /// Class 0x2C.
        Overload = 0x2C => "Overload",
        /// Class 0x2D.
        Softstart = 0x2D => "Softstart",
        /// Class 0x2E.
        Selection = 0x2E => "Selection",
        /// Class 0x30.
        SDeviceSupervisor = 0x30 => "S-Device Supervisor",
        /// Class 0x31.
        SAnalogSensor = 0x31 => "S-Analog Sensor",
        /// Class 0x32.
        SAnalogActuator = 0x32 => "S-Analog Actuator",
        /// Class 0x33.
        SSingleStageController = 0x33 => "S-Single Stage Controller",
        /// Class 0x34.
        SGasCalibration = 0x34 => "S-Gas Calibration",
        /// Class 0x35.
        TripPoint = 0x35 => "Trip Point",
        /// Class 0x37.
        File = 0x37 => "File",
        /// Class 0x38.
        SPartialPressure = 0x38 => "S-Partial Pressure",
        /// Class 0x39.
        SafetySupervisor = 0x39 => "Safety Supervisor",
        /// Class 0x3A.
        SafetyValidator = 0x3A => "Safety Validator",
        /// Class 0x3B.
        SafetyDiscreteOutputPoint = 0x3B => "Safety Discrete Output Point",
        /// Class 0x3C.
        SafetyDiscreteOutputGroup = 0x3C => "Safety Discrete Output Group",
        /// Class 0x3D.
        SafetyDiscreteInputPoint = 0x3D => "Safety Discrete Input Point",
        /// Class 0x3E.
        SafetyDiscreteInputGroup = 0x3E => "Safety Discrete Input Group",
        /// Class 0x3F.
        SafetyDualChannelOutput = 0x3F => "Safety Dual Channel Output",
        /// Class 0x40.
        SSensorCalibration = 0x40 => "S-Sensor Calibration",
        /// Class 0x41.
        EventLog = 0x41 => "Event Log",
        /// Class 0x42.
        MotionDeviceAxis = 0x42 => "Motion Device Axis",
        /// Class 0x43.
        TimeSync = 0x43 => "Time Sync",
        /// Class 0x44.
        Modbus = 0x44 => "Modbus",
        /// Class 0x45.
        OriginatorConnectionList = 0x45 => "Originator Connection List",
        /// Class 0x46.
        ModbusSerialLink = 0x46 => "Modbus Serial Link",
        /// Class 0x47.
        DeviceLevelRingDlr = 0x47 => "Device Level Ring (DLR)",
        /// Class 0x48.
        QoS = 0x48 => "QoS",
        /// Class 0x49.
        SafetyAnalogInputPoint = 0x49 => "Safety Analog Input Point",
        /// Class 0x4A.
        SafetyAnalogInputGroup = 0x4A => "Safety Analog Input Group",
        /// Class 0x4B.
        SafetyDualChannelAnalogInput = 0x4B => "Safety Dual Channel Analog Input",
        /// Class 0x4C.
        SercosIiiLink = 0x4C => "SERCOS III Link",
        /// Class 0x4D.
        TargetConnectionList = 0x4D => "Target Connection List",
        /// Class 0x4E.
        BaseEnergy = 0x4E => "Base Energy",
        /// Class 0x4F.
        ElectricalEnergy = 0x4F => "Electrical Energy",
        /// Class 0x50.
        NonElectricalEnergy = 0x50 => "Non-Electrical Energy",
        /// Class 0x51.
        BaseSwitch = 0x51 => "Base Switch",
        /// Class 0x52.
        Snmp = 0x52 => "SNMP",
        /// Class 0x53.
        PowerManagement = 0x53 => "Power Management",
        /// Class 0x54.
        RstpBridge = 0x54 => "RSTP Bridge",
        /// Class 0x55.
        RstpPort = 0x55 => "RSTP Port",
        /// Class 0x56.
        PrpHsrProtocol = 0x56 => "PRP/HSR Protocol",
        /// Class 0x57.
        PrpHsrNodesTable = 0x57 => "PRP/HSR Nodes Table",
        /// Class 0x58.
        SafetyFeedback = 0x58 => "Safety Feedback",
        /// Class 0x59.
        SafetyDualChannelFeedback = 0x59 => "Safety Dual Channel Feedback",
        /// Class 0x5A.
        SafetyStopFunctions = 0x5A => "Safety Stop Functions",
        /// Class 0x5B.
        SafetyLimitFunctions = 0x5B => "Safety Limit Functions",
        /// Class 0x5C.
        PowerCurtailment = 0x5C => "Power Curtailment",
        /// Class 0x5D.
        CipSecurity = 0x5D => "CIP Security",
        /// Class 0x5E.
        EtherNetIpSecurity = 0x5E => "EtherNet/IP Security",
        /// Class 0x5F.
        CertificateManagement = 0x5F => "Certificate Management",
        /// Class 0x60.
        Authority = 0x60 => "Authority",
        /// Class 0x61.
        PasswordAuthenticator = 0x61 => "Password Authenticator",
        /// Class 0x62.
        CertificateAuthenticator = 0x62 => "Certificate Authenticator",
        /// Class 0x67.
        Pccc = 0x67 => "PCCC Class",
        /// Class 0x6B.
        Symbol = 0x6B => "Symbol",
        /// Class 0x6C.
        Template = 0x6C => "Template",
        /// Class 0xF0.
        ControlNet = 0xF0 => "ControlNet",
        /// Class 0xF1.
        ControlNetKeeper = 0xF1 => "ControlNet Keeper",
        /// Class 0xF2.
        ControlNetScheduling = 0xF2 => "ControlNet Scheduling",
        /// Class 0xF3.
        ConnectionConfiguration = 0xF3 => "Connection Configuration",
        /// Class 0xF4.
        Port = 0xF4 => "Port",
        /// Class 0xF5.
        TcpIpInterface = 0xF5 => "TCP/IP Interface",
        /// Class 0xF6.
        EthernetLink = 0xF6 => "Ethernet Link",
        /// Class 0xF7.
        CompoNet = 0xF7 => "CompoNet",
        /// Class 0xF8.
        CompoNetRepeater = 0xF8 => "CompoNet Repeater",
        /// Class 0xF9.
        HartMasterPort = 0xF9 => "HART Master Port",
        /// Class 0xFA.
        IOAggregation = 0xFA => "I/O Aggregation",
        /// Class 0x100.
        ProtectionTrip = 0x100 => "Protection Trip",
        /// Class 0x101.
        ProtectionAlarm = 0x101 => "Protection Alarm",
        /// Class 0x102.
        CircuitBreakerSupervisor = 0x102 => "Circuit Breaker Supervisor",
        /// Class 0x103.
        CircuitBreakerStatistics = 0x103 => "Circuit Breaker Statistics",
        /// Class 0x104.
        ElectricalDemand = 0x104 => "Electrical Demand",
        /// Class 0x105.
        ElectricalStatistics = 0x105 => "Electrical Statistics",
        /// Class 0x106.
        MachineBaseData = 0x106 => "Machine Base Data",
        /// Class 0x107.
        HartProcessDevice = 0x107 => "HART Process Device",
        /// Class 0x108.
        ProcessDeviceDiagnostics = 0x108 => "Process Device Diagnostics",
        /// Class 0x109.
        LldpManagement = 0x109 => "LLDP Management",
        /// Class 0x10A.
        LldpDataTable = 0x10A => "LLDP Data Table",
        /// Class 0x10B.
        IoLinkServiceParameter = 0x10B => "IO-Link Service Parameter",
        /// Class 0x10C.
        IoLinkMasterPhy = 0x10C => "IO-Link Master PHY",
        /// Class 0x10D.
        IoLinkDevicePhy = 0x10D => "IO-Link Device PHY",
        /// Class 0x10E.
        PilotLightSupervisor = 0x10E => "Pilot Light Supervisor",
        /// Class 0x10F.
        SelectLineLink = 0x10F => "Select Line Link",
        /// Class 0x110.
        InCabinetActualTopology = 0x110 => "In-Cabinet Actual Topology",
        /// Class 0x111.
        InCabinetCommissioning = 0x111 => "In-Cabinet Commissioning",
    }
}

open_enum! {
    /// Connection Manager extended status codes (CIP Vol. 1 Table 3-5.33; names as Wireshark's `cip.cm.ext_status`).
    pub enum ConnectionManagerStatus: u16 {
        /// 0x0100 (Vol. 1 Table 3-5.33).
        ConnectionInUseOrDuplicateForwardOpen = 0x0100 => "Connection in use or duplicate Forward Open",
        /// 0x0103 (Vol. 1 Table 3-5.33).
        TransportClassAndTriggerCombinationNotSupported = 0x0103 => "Transport class and trigger combination not supported",
        /// 0x0106 (Vol. 1 Table 3-5.33).
        OwnershipConflict = 0x0106 => "Ownership conflict",
        /// 0x0107 (Vol. 1 Table 3-5.33).
        TargetConnectionNotFound = 0x0107 => "Target connection not found",
        /// 0x0108 (Vol. 1 Table 3-5.33).
        InvalidNetworkConnectionParameter = 0x0108 => "Invalid network connection parameter",
        /// 0x0109 (Vol. 1 Table 3-5.33).
        InvalidConnectionSize = 0x0109 => "Invalid connection size",
        /// 0x0110 (Vol. 1 Table 3-5.33).
        TargetForConnectionNotConfigured = 0x0110 => "Target for connection not configured",
        /// 0x0111 (Vol. 1 Table 3-5.33).
        RpiNotSupported = 0x0111 => "RPI not supported",
        /// 0x0112 (Vol. 1 Table 3-5.33).
        RpiValueSNotAcceptable = 0x0112 => "RPI value(s) not acceptable",
        /// 0x0113 (Vol. 1 Table 3-5.33).
        OutOfConnections = 0x0113 => "Out of connections",
        /// 0x0114 (Vol. 1 Table 3-5.33).
        VendorIdOrProductCodeMismatch = 0x0114 => "Vendor ID or product code mismatch",
        /// 0x0115 (Vol. 1 Table 3-5.33).
        DeviceTypeMismatch = 0x0115 => "Device type mismatch",
        /// 0x0116 (Vol. 1 Table 3-5.33).
        RevisionMismatch = 0x0116 => "Revision mismatch",
        /// 0x0117 (Vol. 1 Table 3-5.33).
        InvalidProducedOrConsumedApplicationPath = 0x0117 => "Invalid produced or consumed application path",
        /// 0x0118 (Vol. 1 Table 3-5.33).
        InvalidOrInconsistentConfigurationApplicationPath = 0x0118 => "Invalid or inconsistent configuration application path",
        /// 0x0119 (Vol. 1 Table 3-5.33).
        NonListenOnlyConnectionNotOpened = 0x0119 => "Non-listen only connection not opened",
        /// 0x011A (Vol. 1 Table 3-5.33).
        TargetObjectOutOfConnections = 0x011A => "Target object out of connections",
        /// 0x011B (Vol. 1 Table 3-5.33).
        RpiIsSmallerThanTheProductionInhibitTime = 0x011B => "RPI is smaller than the production inhibit time",
        /// 0x011C (Vol. 1 Table 3-5.33).
        TransportClassNotSupported = 0x011C => "Transport class not supported",
        /// 0x011D (Vol. 1 Table 3-5.33).
        ProductionTriggerNotSupported = 0x011D => "Production trigger not supported",
        /// 0x011E (Vol. 1 Table 3-5.33).
        DirectionNotSupported = 0x011E => "Direction not supported",
        /// 0x011F (Vol. 1 Table 3-5.33).
        InvalidOTFixedVariable = 0x011F => "Invalid O->T Fixed/Variable",
        /// 0x0120 (Vol. 1 Table 3-5.33).
        InvalidTOFixedVariable = 0x0120 => "Invalid T->O Fixed/Variable",
        /// 0x0121 (Vol. 1 Table 3-5.33).
        InvalidOTPriority = 0x0121 => "Invalid O->T Priority",
        /// 0x0122 (Vol. 1 Table 3-5.33).
        InvalidTOPriority = 0x0122 => "Invalid T->O Priority",
        /// 0x0123 (Vol. 1 Table 3-5.33).
        InvalidOTConnectionType = 0x0123 => "Invalid O->T connection type",
        /// 0x0124 (Vol. 1 Table 3-5.33).
        InvalidTOConnectionType = 0x0124 => "Invalid T->O connection type",
        /// 0x0125 (Vol. 1 Table 3-5.33).
        InvalidOTRedundantOwner = 0x0125 => "Invalid O->T redundant owner",
        /// 0x0126 (Vol. 1 Table 3-5.33).
        InvalidConfigurationSize = 0x0126 => "Invalid configuration size",
        /// 0x0127 (Vol. 1 Table 3-5.33).
        InvalidOTSize = 0x0127 => "Invalid O->T size",
        /// 0x0128 (Vol. 1 Table 3-5.33).
        InvalidTOSize = 0x0128 => "Invalid T->O size",
        /// 0x0129 (Vol. 1 Table 3-5.33).
        InvalidConfigurationApplicationPath = 0x0129 => "Invalid configuration application path",
        /// 0x012A (Vol. 1 Table 3-5.33).
        InvalidConsumingApplicationPath = 0x012A => "Invalid consuming application path",
        /// 0x012B (Vol. 1 Table 3-5.33).
        InvalidProducingApplicationPath = 0x012B => "Invalid producing application path",
        /// 0x012C (Vol. 1 Table 3-5.33).
        ConfigurationSymbolDoesNotExist = 0x012C => "Configuration symbol does not exist",
        /// 0x012D (Vol. 1 Table 3-5.33).
        ConsumingSymbolDoesNotExist = 0x012D => "Consuming symbol does not exist",
        /// 0x012E (Vol. 1 Table 3-5.33).
        ProducingSymbolDoesNotExist = 0x012E => "Producing symbol does not exist",
        /// 0x012F (Vol. 1 Table 3-5.33).
        InconsistentApplicationPathCombination = 0x012F => "Inconsistent application path combination",
        /// 0x0130 (Vol. 1 Table 3-5.33).
        InconsistentConsumeDataFormat = 0x0130 => "Inconsistent consume data format",
        /// 0x0131 (Vol. 1 Table 3-5.33).
        InconsistentProduceDataFormat = 0x0131 => "Inconsistent produce data format",
        /// 0x0132 (Vol. 1 Table 3-5.33).
        NullForwardOpenNotSupported = 0x0132 => "NULL ForwardOpen not supported",
        /// 0x0203 (Vol. 1 Table 3-5.33).
        ConnectionTimedOut = 0x0203 => "Connection timed out",
        /// 0x0204 (Vol. 1 Table 3-5.33).
        UnconnectedRequestTimedOut = 0x0204 => "Unconnected request timed out",
        /// 0x0205 (Vol. 1 Table 3-5.33).
        ParameterErrorInUnconnectedRequest = 0x0205 => "Parameter error in unconnected request",
        /// 0x0206 (Vol. 1 Table 3-5.33).
        MessageTooLargeForUnconnectedSend = 0x0206 => "Message too large for UnconnectedSend",
        /// 0x0207 (Vol. 1 Table 3-5.33).
        UnconnectedAcknowledgedWithoutReply = 0x0207 => "Unconnected acknowledged without reply",
        /// 0x0301 (Vol. 1 Table 3-5.33).
        NoBufferMemoryAvailable = 0x0301 => "No buffer memory available",
        /// 0x0302 (Vol. 1 Table 3-5.33).
        NetworkBandwidthNotAvailableForData = 0x0302 => "Network bandwidth not available for data",
        /// 0x0303 (Vol. 1 Table 3-5.33).
        NoConsumedConnectionIdFilterAvailable = 0x0303 => "No consumed connection ID filter available",
        /// 0x0304 (Vol. 1 Table 3-5.33).
        NotConfiguredToSendScheduledPriorityData = 0x0304 => "Not configured to send scheduled priority data",
        /// 0x0305 (Vol. 1 Table 3-5.33).
        ScheduleSignatureMismatch = 0x0305 => "Schedule signature mismatch",
        /// 0x0306 (Vol. 1 Table 3-5.33).
        ScheduleSignatureValidationNotPossible = 0x0306 => "Schedule signature validation not possible",
        /// 0x0311 (Vol. 1 Table 3-5.33).
        PortNotAvailable = 0x0311 => "Port not available",
        /// 0x0312 (Vol. 1 Table 3-5.33).
        LinkAddressNotValid = 0x0312 => "Link address not valid",
        /// 0x0315 (Vol. 1 Table 3-5.33).
        InvalidSegmentInConnectionPath = 0x0315 => "Invalid segment in connection path",
        /// 0x0316 (Vol. 1 Table 3-5.33).
        ForwardCloseConnectionPathMismatch = 0x0316 => "ForwardClose connection path mismatch",
        /// 0x0317 (Vol. 1 Table 3-5.33).
        SchedulingNotSpecified = 0x0317 => "Scheduling not specified",
        /// 0x0318 (Vol. 1 Table 3-5.33).
        LinkAddressToSelfInvalid = 0x0318 => "Link address to self invalid",
        /// 0x0319 (Vol. 1 Table 3-5.33).
        SecondaryResourcesUnavailable = 0x0319 => "Secondary resources unavailable",
        /// 0x031A (Vol. 1 Table 3-5.33).
        RackConnectionAlreadyEstablished = 0x031A => "Rack connection already established",
        /// 0x031B (Vol. 1 Table 3-5.33).
        ModuleConnectionAlreadyEstablished = 0x031B => "Module connection already established",
        /// 0x031C (Vol. 1 Table 3-5.33).
        Miscellaneous = 0x031C => "Miscellaneous",
        /// 0x031D (Vol. 1 Table 3-5.33).
        RedundantConnectionMismatch = 0x031D => "Redundant connection mismatch",
        /// 0x031E (Vol. 1 Table 3-5.33).
        NoMoreUserConfigurableLinkConsumerResourcesAvailableInTheProducingModule = 0x031E => "No more user configurable link consumer resources available in the producing module",
        /// 0x031F (Vol. 1 Table 3-5.33).
        NoMoreUserConfigurableLinkConsumerResourcesConfiguredInTheProducingModule = 0x031F => "No more user configurable link consumer resources configured in the producing module",
        /// 0x0800 (Vol. 1 Table 3-5.33).
        NetworkLinkOffline = 0x0800 => "Network link offline",
        /// 0x0801 (Vol. 1 Table 3-5.33).
        IncompatibleMulticastRpi = 0x0801 => "Incompatible Multicast RPI",
        /// 0x0802 (Vol. 1 Table 3-5.33).
        InvalidSafetyConnectionSize = 0x0802 => "Invalid Safety Connection Size",
        /// 0x0803 (Vol. 1 Table 3-5.33).
        InvalidSafetyConnectionFormat = 0x0803 => "Invalid Safety Connection Format",
        /// 0x0804 (Vol. 1 Table 3-5.33).
        InvalidTimeCorrectionConnectionParameters = 0x0804 => "Invalid Time Correction Connection Parameters",
        /// 0x0805 (Vol. 1 Table 3-5.33).
        InvalidPingIntervalEpiMultiplier = 0x0805 => "Invalid Ping Interval EPI Multiplier",
        /// 0x0806 (Vol. 1 Table 3-5.33).
        TimeCoordinationMsgMinMultiplier = 0x0806 => "Time Coordination Msg Min Multiplier",
        /// 0x0807 (Vol. 1 Table 3-5.33).
        NetworkTimeExpectationMultiplier = 0x0807 => "Network Time Expectation Multiplier",
        /// 0x0808 (Vol. 1 Table 3-5.33).
        TimeoutMultiplier = 0x0808 => "Timeout Multiplier",
        /// 0x0809 (Vol. 1 Table 3-5.33).
        InvalidMaxConsumerNumber = 0x0809 => "Invalid Max Consumer Number",
        /// 0x080A (Vol. 1 Table 3-5.33).
        InvalidCpcrc = 0x080A => "Invalid CPCRC",
        /// 0x080B (Vol. 1 Table 3-5.33).
        TimeCorrectionConnectionIdInvalid = 0x080B => "Time Correction Connection ID Invalid",
        /// 0x080C (Vol. 1 Table 3-5.33).
        ScidMismatch = 0x080C => "SCID Mismatch",
        /// 0x080D (Vol. 1 Table 3-5.33).
        TunidNotSet = 0x080D => "TUNID not set",
        /// 0x080E (Vol. 1 Table 3-5.33).
        TunidMismatch = 0x080E => "TUNID Mismatch",
        /// 0x080F (Vol. 1 Table 3-5.33).
        ConfigurationOperationNotAllowed = 0x080F => "Configuration operation not allowed",
        /// 0x0810 (Vol. 1 Table 3-5.33).
        NoTargetApplicationDataAvailable = 0x0810 => "No target application data available",
        /// 0x0811 (Vol. 1 Table 3-5.33).
        NoOriginatorApplicationDataAvailable = 0x0811 => "No originator application data available",
        /// 0x0812 (Vol. 1 Table 3-5.33).
        NodeAddressHasChangedSinceTheNetworkWasScheduled = 0x0812 => "Node address has changed since the network was scheduled",
        /// 0x0813 (Vol. 1 Table 3-5.33).
        NotConfiguredForOffSubnetMulticast = 0x0813 => "Not configured for off-subnet multicast",
        /// 0x0814 (Vol. 1 Table 3-5.33).
        InvalidProduceConsumeDataFormat = 0x0814 => "Invalid produce/consume data format",
    }
}
