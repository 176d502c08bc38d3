//! Type identifications and causes of transmission as open enums (IEC 60870-5-101 §7.2.1
//! and §7.2.3, IEC 60870-5-104 §8, IEC 60870-5-7 for the security types).

use otwire_core::open_enum;

open_enum! {
    /// Type identification: the first octet of the ASDU (IEC 60870-5-101 §7.2.1, Table 8 and
    /// Table 9; IEC 60870-5-104 §8; IEC 60870-5-7 for 41 and 81-95).
    pub enum TypeId: u8 {
        /// Single-point information.
        SinglePoint = 1 => "M_SP_NA_1" ("Single-point information"),
        /// Single-point information with time tag CP24Time2a (101 only).
        SinglePointTime24 = 2 => "M_SP_TA_1" ("Single-point information with time tag"),
        /// Double-point information.
        DoublePoint = 3 => "M_DP_NA_1" ("Double-point information"),
        /// Double-point information with time tag CP24Time2a (101 only).
        DoublePointTime24 = 4 => "M_DP_TA_1" ("Double-point information with time tag"),
        /// Step position information.
        StepPosition = 5 => "M_ST_NA_1" ("Step position information"),
        /// Step position information with time tag CP24Time2a (101 only).
        StepPositionTime24 = 6 => "M_ST_TA_1" ("Step position information with time tag"),
        /// Bitstring of 32 bit.
        Bitstring = 7 => "M_BO_NA_1" ("Bitstring of 32 bit"),
        /// Bitstring of 32 bit with time tag CP24Time2a (101 only).
        BitstringTime24 = 8 => "M_BO_TA_1" ("Bitstring of 32 bit with time tag"),
        /// Measured value, normalized value.
        MeasuredNormalized = 9 => "M_ME_NA_1" ("Measured value, normalized value"),
        /// Measured value, normalized value with time tag CP24Time2a (101 only).
        MeasuredNormalizedTime24 = 10 => "M_ME_TA_1" ("Measured value, normalized value with time tag"),
        /// Measured value, scaled value.
        MeasuredScaled = 11 => "M_ME_NB_1" ("Measured value, scaled value"),
        /// Measured value, scaled value with time tag CP24Time2a (101 only).
        MeasuredScaledTime24 = 12 => "M_ME_TB_1" ("Measured value, scaled value with time tag"),
        /// Measured value, short floating point value.
        MeasuredFloat = 13 => "M_ME_NC_1" ("Measured value, short floating point value"),
        /// Measured value, short floating point value with time tag CP24Time2a (101 only).
        MeasuredFloatTime24 = 14 => "M_ME_TC_1" ("Measured value, short floating point value with time tag"),
        /// Integrated totals.
        IntegratedTotals = 15 => "M_IT_NA_1" ("Integrated totals"),
        /// Integrated totals with time tag CP24Time2a (101 only).
        IntegratedTotalsTime24 = 16 => "M_IT_TA_1" ("Integrated totals with time tag"),
        /// Event of protection equipment with time tag CP24Time2a (101 only).
        ProtectionEventTime24 = 17 => "M_EP_TA_1" ("Event of protection equipment with time tag"),
        /// Packed start events of protection equipment with time tag CP24Time2a (101 only).
        PackedStartEventsTime24 = 18 => "M_EP_TB_1" ("Packed start events of protection equipment with time tag"),
        /// Packed output circuit information of protection equipment, CP24Time2a (101 only).
        PackedOutputCircuitTime24 = 19 => "M_EP_TC_1" ("Packed output circuit information of protection equipment with time tag"),
        /// Packed single-point information with status change detection.
        PackedSinglePoint = 20 => "M_PS_NA_1" ("Packed single-point information with status change detection"),
        /// Measured value, normalized value without quality descriptor.
        MeasuredNormalizedNoQuality = 21 => "M_ME_ND_1" ("Measured value, normalized value without quality descriptor"),
        /// Single-point information with time tag CP56Time2a.
        SinglePointTime56 = 30 => "M_SP_TB_1" ("Single-point information with time tag CP56Time2a"),
        /// Double-point information with time tag CP56Time2a.
        DoublePointTime56 = 31 => "M_DP_TB_1" ("Double-point information with time tag CP56Time2a"),
        /// Step position information with time tag CP56Time2a.
        StepPositionTime56 = 32 => "M_ST_TB_1" ("Step position information with time tag CP56Time2a"),
        /// Bitstring of 32 bit with time tag CP56Time2a.
        BitstringTime56 = 33 => "M_BO_TB_1" ("Bitstring of 32 bit with time tag CP56Time2a"),
        /// Measured value, normalized value with time tag CP56Time2a.
        MeasuredNormalizedTime56 = 34 => "M_ME_TD_1" ("Measured value, normalized value with time tag CP56Time2a"),
        /// Measured value, scaled value with time tag CP56Time2a.
        MeasuredScaledTime56 = 35 => "M_ME_TE_1" ("Measured value, scaled value with time tag CP56Time2a"),
        /// Measured value, short floating point value with time tag CP56Time2a.
        MeasuredFloatTime56 = 36 => "M_ME_TF_1" ("Measured value, short floating point value with time tag CP56Time2a"),
        /// Integrated totals with time tag CP56Time2a.
        IntegratedTotalsTime56 = 37 => "M_IT_TB_1" ("Integrated totals with time tag CP56Time2a"),
        /// Event of protection equipment with time tag CP56Time2a.
        ProtectionEventTime56 = 38 => "M_EP_TD_1" ("Event of protection equipment with time tag CP56Time2a"),
        /// Packed start events of protection equipment with time tag CP56Time2a.
        PackedStartEventsTime56 = 39 => "M_EP_TE_1" ("Packed start events of protection equipment with time tag CP56Time2a"),
        /// Packed output circuit information of protection equipment with time tag CP56Time2a.
        PackedOutputCircuitTime56 = 40 => "M_EP_TF_1" ("Packed output circuit information of protection equipment with time tag CP56Time2a"),
        /// Integrated totals containing time-tagged security statistics (IEC 60870-5-7).
        SecurityStatistics = 41 => "S_IT_TC_1" ("Integrated totals containing time-tagged security statistics"),
        /// Single command.
        SingleCommand = 45 => "C_SC_NA_1" ("Single command"),
        /// Double command.
        DoubleCommand = 46 => "C_DC_NA_1" ("Double command"),
        /// Regulating step command.
        RegulatingStep = 47 => "C_RC_NA_1" ("Regulating step command"),
        /// Set-point command, normalized value.
        SetpointNormalized = 48 => "C_SE_NA_1" ("Set-point command, normalized value"),
        /// Set-point command, scaled value.
        SetpointScaled = 49 => "C_SE_NB_1" ("Set-point command, scaled value"),
        /// Set-point command, short floating point value.
        SetpointFloat = 50 => "C_SE_NC_1" ("Set-point command, short floating point value"),
        /// Bitstring of 32 bit command.
        BitstringCommand = 51 => "C_BO_NA_1" ("Bitstring of 32 bit command"),
        /// Single command with time tag CP56Time2a.
        SingleCommandTime56 = 58 => "C_SC_TA_1" ("Single command with time tag CP56Time2a"),
        /// Double command with time tag CP56Time2a.
        DoubleCommandTime56 = 59 => "C_DC_TA_1" ("Double command with time tag CP56Time2a"),
        /// Regulating step command with time tag CP56Time2a.
        RegulatingStepTime56 = 60 => "C_RC_TA_1" ("Regulating step command with time tag CP56Time2a"),
        /// Set-point command, normalized value, with time tag CP56Time2a.
        SetpointNormalizedTime56 = 61 => "C_SE_TA_1" ("Set-point command, normalized value with time tag CP56Time2a"),
        /// Set-point command, scaled value, with time tag CP56Time2a.
        SetpointScaledTime56 = 62 => "C_SE_TB_1" ("Set-point command, scaled value with time tag CP56Time2a"),
        /// Set-point command, short floating point value, with time tag CP56Time2a.
        SetpointFloatTime56 = 63 => "C_SE_TC_1" ("Set-point command, short floating point value with time tag CP56Time2a"),
        /// Bitstring of 32 bit command with time tag CP56Time2a.
        BitstringCommandTime56 = 64 => "C_BO_TA_1" ("Bitstring of 32 bit command with time tag CP56Time2a"),
        /// End of initialization.
        EndOfInitialization = 70 => "M_EI_NA_1" ("End of initialization"),
        /// Authentication challenge (IEC 60870-5-7).
        AuthenticationChallenge = 81 => "S_CH_NA_1" ("Authentication challenge"),
        /// Authentication reply (IEC 60870-5-7).
        AuthenticationReply = 82 => "S_RP_NA_1" ("Authentication reply"),
        /// Aggressive mode authentication request (IEC 60870-5-7).
        AggressiveModeRequest = 83 => "S_AR_NA_1" ("Aggressive mode authentication request"),
        /// Session key status request (IEC 60870-5-7).
        KeyStatusRequest = 84 => "S_KR_NA_1" ("Session key status request"),
        /// Session key status (IEC 60870-5-7).
        KeyStatus = 85 => "S_KS_NA_1" ("Session key status"),
        /// Session key change (IEC 60870-5-7).
        KeyChange = 86 => "S_KC_NA_1" ("Session key change"),
        /// Authentication error (IEC 60870-5-7).
        AuthenticationError = 87 => "S_ER_NA_1" ("Authentication error"),
        /// User status change (IEC 60870-5-7).
        UserStatusChange = 90 => "S_US_NA_1" ("User status change"),
        /// Update key change request (IEC 60870-5-7).
        UpdateKeyChangeRequest = 91 => "S_UQ_NA_1" ("Update key change request"),
        /// Update key change reply (IEC 60870-5-7).
        UpdateKeyChangeReply = 92 => "S_UR_NA_1" ("Update key change reply"),
        /// Update key change, symmetric (IEC 60870-5-7).
        UpdateKeyChangeSymmetric = 93 => "S_UK_NA_1" ("Update key change symmetric"),
        /// Update key change, asymmetric (IEC 60870-5-7).
        UpdateKeyChangeAsymmetric = 94 => "S_UA_NA_1" ("Update key change asymmetric"),
        /// Update key change confirmation (IEC 60870-5-7).
        UpdateKeyChangeConfirmation = 95 => "S_UC_NA_1" ("Update key change confirmation"),
        /// Interrogation command.
        Interrogation = 100 => "C_IC_NA_1" ("Interrogation command"),
        /// Counter interrogation command.
        CounterInterrogation = 101 => "C_CI_NA_1" ("Counter interrogation command"),
        /// Read command.
        Read = 102 => "C_RD_NA_1" ("Read command"),
        /// Clock synchronization command.
        ClockSync = 103 => "C_CS_NA_1" ("Clock synchronization command"),
        /// Test command (101 only; 104 uses C_TS_TA_1).
        Test = 104 => "C_TS_NA_1" ("Test command"),
        /// Reset process command.
        ResetProcess = 105 => "C_RP_NA_1" ("Reset process command"),
        /// Delay acquisition command (101 only).
        DelayAcquisition = 106 => "C_CD_NA_1" ("Delay acquisition command"),
        /// Test command with time tag CP56Time2a.
        TestTime56 = 107 => "C_TS_TA_1" ("Test command with time tag CP56Time2a"),
        /// Parameter of measured value, normalized value.
        ParameterNormalized = 110 => "P_ME_NA_1" ("Parameter of measured value, normalized value"),
        /// Parameter of measured value, scaled value.
        ParameterScaled = 111 => "P_ME_NB_1" ("Parameter of measured value, scaled value"),
        /// Parameter of measured value, short floating point value.
        ParameterFloat = 112 => "P_ME_NC_1" ("Parameter of measured value, short floating point value"),
        /// Parameter activation.
        ParameterActivation = 113 => "P_AC_NA_1" ("Parameter activation"),
        /// File ready.
        FileReady = 120 => "F_FR_NA_1" ("File ready"),
        /// Section ready.
        SectionReady = 121 => "F_SR_NA_1" ("Section ready"),
        /// Call directory, select file, call file, call section.
        CallFile = 122 => "F_SC_NA_1" ("Call directory, select file, call file, call section"),
        /// Last section, last segment.
        LastSection = 123 => "F_LS_NA_1" ("Last section, last segment"),
        /// Ack file, ack section.
        AckFile = 124 => "F_AF_NA_1" ("Ack file, ack section"),
        /// Segment.
        Segment = 125 => "F_SG_NA_1" ("Segment"),
        /// Directory.
        Directory = 126 => "F_DR_TA_1" ("Directory"),
        /// Query log, request archive file.
        QueryLog = 127 => "F_SC_NB_1" ("Query log - request archive file"),
    }
    unknown = 0;
}

impl TypeId {
    /// The direction the type travels in (IEC 60870-5-101 §7.2.1: "process information in
    /// monitor direction", "in control direction", "system information" and so on).
    pub fn direction(self) -> TypeDirection {
        match u8::from(self) {
            1..=44 | 70 => TypeDirection::Monitor,
            45..=69 | 100..=109 | 110..=119 => TypeDirection::Control,
            _ => TypeDirection::Both,
        }
    }

    /// Whether the type carries a CP56Time2a or CP24Time2a time tag.
    pub fn has_time_tag(self) -> bool {
        matches!(u8::from(self), 2 | 4 | 6 | 8 | 10 | 12 | 14 | 16..=19 | 30..=41 | 58..=64 | 103 | 107 | 126 | 127)
    }

    /// Whether the type belongs to the IEC 60870-5-7 secure authentication extension (41,
    /// 81-87, 90-95); its information is kept as a typed envelope over the raw bytes.
    pub fn is_security(self) -> bool {
        matches!(u8::from(self), 41 | 81..=87 | 90..=95)
    }
}

/// The direction a type identification belongs to (IEC 60870-5-101 §7.2.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TypeDirection {
    /// Process or system information in monitor direction (1-44, 70).
    Monitor,
    /// Process, system or parameter information in control direction (45-69, 100-119).
    Control,
    /// File transfer, security and unknown types, sent both ways.
    Both,
}

open_enum! {
    /// Cause of transmission, the 6-bit value of the COT octet (IEC 60870-5-101 §7.2.3,
    /// IEC 60870-5-7 for 14-16).
    pub enum Cause: u8 {
        /// Not used (the value 0 is not defined).
        NotUsed = 0 => "notused" ("Not used"),
        /// Periodic, cyclic.
        Periodic = 1 => "per/cyc" ("Periodic, cyclic"),
        /// Background scan.
        Background = 2 => "back" ("Background scan"),
        /// Spontaneous.
        Spontaneous = 3 => "spont" ("Spontaneous"),
        /// Initialized.
        Initialized = 4 => "init" ("Initialized"),
        /// Request or requested.
        Request = 5 => "req" ("Request or requested"),
        /// Activation.
        Activation = 6 => "act" ("Activation"),
        /// Activation confirmation.
        ActivationCon = 7 => "actcon" ("Activation confirmation"),
        /// Deactivation.
        Deactivation = 8 => "deact" ("Deactivation"),
        /// Deactivation confirmation.
        DeactivationCon = 9 => "deactcon" ("Deactivation confirmation"),
        /// Activation termination.
        ActivationTermination = 10 => "actterm" ("Activation termination"),
        /// Return information caused by a remote command.
        ReturnRemote = 11 => "retrem" ("Return information caused by a remote command"),
        /// Return information caused by a local command.
        ReturnLocal = 12 => "retloc" ("Return information caused by a local command"),
        /// File transfer.
        File = 13 => "file" ("File transfer"),
        /// Authentication (IEC 60870-5-7).
        Authentication = 14 => "auth" ("Authentication"),
        /// Maintenance of authentication session key (IEC 60870-5-7).
        SessionKey = 15 => "seskey" ("Maintenance of authentication session key"),
        /// Maintenance of user role and update key (IEC 60870-5-7).
        UserKey = 16 => "usrkey" ("Maintenance of user role and update key"),
        /// Interrogated by station interrogation.
        InterrogatedStation = 20 => "inrogen" ("Interrogated by station interrogation"),
        /// Interrogated by group 1 interrogation.
        InterrogatedGroup1 = 21 => "inro1" ("Interrogated by group 1 interrogation"),
        /// Interrogated by group 2 interrogation.
        InterrogatedGroup2 = 22 => "inro2" ("Interrogated by group 2 interrogation"),
        /// Interrogated by group 3 interrogation.
        InterrogatedGroup3 = 23 => "inro3" ("Interrogated by group 3 interrogation"),
        /// Interrogated by group 4 interrogation.
        InterrogatedGroup4 = 24 => "inro4" ("Interrogated by group 4 interrogation"),
        /// Interrogated by group 5 interrogation.
        InterrogatedGroup5 = 25 => "inro5" ("Interrogated by group 5 interrogation"),
        /// Interrogated by group 6 interrogation.
        InterrogatedGroup6 = 26 => "inro6" ("Interrogated by group 6 interrogation"),
        /// Interrogated by group 7 interrogation.
        InterrogatedGroup7 = 27 => "inro7" ("Interrogated by group 7 interrogation"),
        /// Interrogated by group 8 interrogation.
        InterrogatedGroup8 = 28 => "inro8" ("Interrogated by group 8 interrogation"),
        /// Interrogated by group 9 interrogation.
        InterrogatedGroup9 = 29 => "inro9" ("Interrogated by group 9 interrogation"),
        /// Interrogated by group 10 interrogation.
        InterrogatedGroup10 = 30 => "inro10" ("Interrogated by group 10 interrogation"),
        /// Interrogated by group 11 interrogation.
        InterrogatedGroup11 = 31 => "inro11" ("Interrogated by group 11 interrogation"),
        /// Interrogated by group 12 interrogation.
        InterrogatedGroup12 = 32 => "inro12" ("Interrogated by group 12 interrogation"),
        /// Interrogated by group 13 interrogation.
        InterrogatedGroup13 = 33 => "inro13" ("Interrogated by group 13 interrogation"),
        /// Interrogated by group 14 interrogation.
        InterrogatedGroup14 = 34 => "inro14" ("Interrogated by group 14 interrogation"),
        /// Interrogated by group 15 interrogation.
        InterrogatedGroup15 = 35 => "inro15" ("Interrogated by group 15 interrogation"),
        /// Interrogated by group 16 interrogation.
        InterrogatedGroup16 = 36 => "inro16" ("Interrogated by group 16 interrogation"),
        /// Requested by general counter request.
        RequestedCounterGeneral = 37 => "reqcogen" ("Requested by general counter request"),
        /// Requested by group 1 counter request.
        RequestedCounterGroup1 = 38 => "reqco1" ("Requested by group 1 counter request"),
        /// Requested by group 2 counter request.
        RequestedCounterGroup2 = 39 => "reqco2" ("Requested by group 2 counter request"),
        /// Requested by group 3 counter request.
        RequestedCounterGroup3 = 40 => "reqco3" ("Requested by group 3 counter request"),
        /// Requested by group 4 counter request.
        RequestedCounterGroup4 = 41 => "reqco4" ("Requested by group 4 counter request"),
        /// Unknown type identification.
        UnknownTypeId = 44 => "uktypeid" ("Unknown type identification"),
        /// Unknown cause of transmission.
        UnknownCause = 45 => "ukcausetx" ("Unknown cause of transmission"),
        /// Unknown common address of ASDU.
        UnknownCommonAddress = 46 => "ukcomadrasdu" ("Unknown common address of ASDU"),
        /// Unknown information object address.
        UnknownIoa = 47 => "ukioa" ("Unknown information object address"),
    }
    unknown = 255;
}

impl Cause {
    /// Whether the value is one of the "unknown …" mirror causes 44-47 a station sends back
    /// for a request it cannot serve.
    pub fn is_mirror_error(self) -> bool {
        matches!(u8::from(self), 44..=47)
    }

    /// Whether the cause is 20-36, an answer to (group) interrogation.
    pub fn is_interrogated(self) -> bool {
        matches!(u8::from(self), 20..=36)
    }

    /// Whether the cause is 37-41, an answer to counter interrogation.
    pub fn is_counter_requested(self) -> bool {
        matches!(u8::from(self), 37..=41)
    }
}
