//! Code tables of the EtherNet/IP encapsulation (CIP Vol. 2 §2-3.2 commands, §2-3.3 status
//! codes), the Common Packet Format item type ids (Vol. 2 §2-6.1) and the identity device
//! types (Vol. 1 §6) as open enums. Names follow Wireshark's value tables
//! (`tshark -G values`: `enip.command`, `enip.status`, `enip.cpf.typeid`,
//! `enip.lir.devtype`); the two commands Wireshark does not name take ODVA's names.
//!
//! An unknown value is data, not an error: every enum keeps it in `Unknown(n)`.

use otwire_core::open_enum;

open_enum! {
    /// Encapsulation command (Vol. 2 §2-3.2, Table 2-3.2).
    pub enum Command: u16 {
        /// No operation: either side may send it, nobody answers (§2-4.1).
        Nop = 0x0000 => "NOP",
        /// Which encapsulation services the target supports (§2-4.6).
        ListServices = 0x0004 => "List Services",
        /// Identity discovery, TCP or UDP broadcast (§2-4.2).
        ListIdentity = 0x0063 => "List Identity",
        /// Non-CIP communication interfaces (§2-4.3).
        ListInterfaces = 0x0064 => "List Interfaces",
        /// Opens a session (§2-4.4).
        RegisterSession = 0x0065 => "Register Session",
        /// Closes a session (§2-4.5).
        UnRegisterSession = 0x0066 => "Unregister Session",
        /// Unconnected (request/reply) CIP messaging (§2-4.7).
        SendRrData = 0x006F => "Send RR Data",
        /// Connected (class 3) CIP messaging (§2-4.8).
        SendUnitData = 0x0070 => "Send Unit Data",
        /// Reserved for the status indication of ODVA's earlier drafts (§2-3.2).
        IndicateStatus = 0x0072 => "Indicate Status",
        /// Reserved for cancelling a request (§2-3.2).
        Cancel = 0x0073 => "Cancel",
        /// Starts a DTLS exchange (CIP Security, Vol. 8).
        StartDtls = 0x00C8 => "StartDTLS",
    }
    unknown = 0xFFFF;
}

impl Command {
    /// Whether the command's header must carry a registered session handle (§2-4.7,
    /// §2-4.8: SendRRData and SendUnitData are only accepted within a session;
    /// UnRegisterSession closes one).
    pub const fn needs_session(self) -> bool {
        matches!(
            self,
            Command::SendRrData | Command::SendUnitData | Command::UnRegisterSession
        )
    }
}

open_enum! {
    /// Encapsulation status (Vol. 2 §2-3.3, Table 2-3.3).
    pub enum EncapStatus: u32 {
        /// Success.
        Success = 0x0000 => "Success",
        /// The sender issued an invalid or unsupported command.
        InvalidCommand = 0x0001 => "Invalid Command",
        /// The receiver ran out of memory resources.
        NoMemoryResources = 0x0002 => "No Memory Resources",
        /// Poorly formed or incorrect data in the data portion.
        IncorrectData = 0x0003 => "Incorrect Data",
        /// The session handle is not registered.
        InvalidSessionHandle = 0x0064 => "Invalid Session Handle",
        /// The message length is invalid.
        InvalidLength = 0x0065 => "Invalid Length",
        /// The encapsulation protocol version is not supported.
        UnsupportedProtocolRevision = 0x0069 => "Unsupported Protocol Revision",
        /// The encapsulated CIP service is not allowed on this port (CIP Security).
        CipServiceNotAllowed = 0x006A => "Encapsulated CIP service not allowed on this port",
    }
    unknown = 0xFFFF_FFFF;
}

open_enum! {
    /// Common Packet Format item type id (Vol. 2 §2-6.1, Table 2-6.3).
    pub enum ItemType: u16 {
        /// Null address: unconnected messaging (§2-6.2.1).
        NullAddress = 0x0000 => "Null Address Item",
        /// The ListIdentity reply item (§2-4.2.3).
        ListIdentity = 0x000C => "CIP Identity",
        /// CIP Security information in a ListIdentity reply (Vol. 8).
        SecurityInformation = 0x0086 => "CIP Security Information",
        /// EtherNet/IP capability in a ListIdentity reply (Vol. 2 §2-4.2.3).
        Capability = 0x0087 => "EtherNet/IP Capability",
        /// EtherNet/IP usage in a ListIdentity reply (Vol. 2 §2-4.2.3).
        Usage = 0x0088 => "EtherNet/IP Usage",
        /// Connected address: a connection id (§2-6.2.2).
        ConnectedAddress = 0x00A1 => "Connected Address Item",
        /// Connected data: a connected transport packet (§2-6.3.1).
        ConnectedData = 0x00B1 => "Connected Data Item",
        /// Unconnected data: an unconnected CIP message (§2-6.3.2).
        UnconnectedData = 0x00B2 => "Unconnected Data Item",
        /// The ListServices reply item (§2-4.6.3).
        ListServices = 0x0100 => "List Services Response",
        /// Socket address, originator to target (§2-6.3.3).
        SockaddrOt = 0x8000 => "Socket Address Info O->T",
        /// Socket address, target to originator (§2-6.3.3).
        SockaddrTo = 0x8001 => "Socket Address Info T->O",
        /// Sequenced address: connection id and sequence number (§2-6.2.3).
        SequencedAddress = 0x8002 => "Sequenced Address Item",
        /// Unconnected message over UDP (§2-6.3.4).
        UnconnectedUdp = 0x8003 => "Unconnected Message over UDP",
    }
    unknown = 0xFFFF;
}

open_enum! {
    /// Identity object device type (Vol. 1 §6, the device profiles), as a ListIdentity
    /// reply carries it.
    pub enum DeviceType: u16 {
        /// Device type 0.
        GenericDeviceDeprecated = 0 => "Generic Device (deprecated)",
        /// Device type 2.
        AcDrive = 2 => "AC Drive",
        /// Device type 3.
        MotorOverload = 3 => "Motor Overload",
        /// Device type 4.
        LimitSwitch = 4 => "Limit Switch",
        /// Device type 5.
        InductiveProximitySwitch = 5 => "Inductive Proximity Switch",
        /// Device type 6.
        PhotoelectricSensor = 6 => "Photoelectric Sensor",
        /// Device type 7.
        GeneralPurposeDiscreteIO = 7 => "General Purpose Discrete I/O",
        /// Device type 9.
        Resolver = 9 => "Resolver",
        /// Device type 12.
        CommunicationsAdapter = 12 => "Communications Adapter",
        /// Device type 14.
        ProgrammableLogicController = 14 => "Programmable Logic Controller",
        /// Device type 16.
        PositionController = 16 => "Position Controller",
        /// Device type 19.
        DcDrive = 19 => "DC Drive",
        /// Device type 21.
        Contactor = 21 => "Contactor",
        /// Device type 22.
        MotorStarter = 22 => "Motor Starter",
        /// Device type 23.
        SoftStart = 23 => "Soft Start",
        /// Device type 24.
        HumanMachineInterface = 24 => "Human-Machine Interface",
        /// Device type 26.
        MassFlowController = 26 => "Mass Flow Controller",
        /// Device type 27.
        PneumaticValve = 27 => "Pneumatic Valve",
        /// Device type 28.
        VacuumPressureGauge = 28 => "Vacuum Pressure Gauge",
        /// Device type 29.
        ProcessControlValue = 29 => "Process Control Value",
        /// Device type 30.
        ResidualGasAnalyzer = 30 => "Residual Gas Analyzer",
        /// Device type 31.
        DcPowerGenerator = 31 => "DC Power Generator",
        /// Device type 32.
        RfPowerGenerator = 32 => "RF Power Generator",
        /// Device type 33.
        TurbomolecularVacuumPump = 33 => "Turbomolecular Vacuum Pump",
        /// Device type 34.
        Encoder = 34 => "Encoder",
        /// Device type 35.
        SafetyDiscreteIODevice = 35 => "Safety Discrete I/O Device",
        /// Device type 36.
        FluidFlowController = 36 => "Fluid Flow Controller",
        /// Device type 37.
        CipMotionDrive = 37 => "CIP Motion Drive",
        /// Device type 38.
        ComponetRepeater = 38 => "CompoNet Repeater",
        /// Device type 39.
        MassFlowControllerEnhanced = 39 => "Mass Flow Controller, Enhanced",
        /// Device type 40.
        CipModbusDevice = 40 => "CIP Modbus Device",
        /// Device type 41.
        CipModbusTranslator = 41 => "CIP Modbus Translator",
        /// Device type 42.
        SafetyAnalogIODevice = 42 => "Safety Analog I/O Device",
        /// Device type 43.
        GenericDeviceKeyable = 43 => "Generic Device (keyable)",
        /// Device type 44.
        ManagedEthernetSwitch = 44 => "Managed Ethernet Switch",
        /// Device type 45.
        CipMotionSafetyDriveDevice = 45 => "CIP Motion Safety Drive Device",
        /// Device type 46.
        SafetyDriveDevice = 46 => "Safety Drive Device",
        /// Device type 47.
        CipMotionEncoder = 47 => "CIP Motion Encoder",
        /// Device type 48.
        CipMotionConverter = 48 => "CIP Motion Converter",
        /// Device type 49.
        CipMotionIO = 49 => "CIP Motion I/O",
        /// Device type 50.
        ControlnetPhysicalLayerComponent = 50 => "ControlNet Physical Layer Component",
        /// Device type 51.
        CircuitBreaker = 51 => "Circuit Breaker",
        /// Device type 52.
        HartDevice = 52 => "HART Device",
        /// Device type 53.
        CipHartTranslator = 53 => "CIP-HART Translator",
        /// Device type 200.
        EmbeddedComponent = 200 => "Embedded Component",
    }
}
