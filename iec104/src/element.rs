//! Information elements, one variant per kind of information object (IEC 60870-5-101 §7.3,
//! IEC 60870-5-104 §8). Variants with and without time tags share a variant; the type
//! identification of the ASDU says which encoding is on the wire.

use crate::anomaly::Anomalies;
use crate::codes::TypeId;
use crate::emit::Writer;
use crate::error::EmitError;
use crate::quality::{
    Afq, Bcr, Coi, Dco, Diq, Lsq, Normalized, Oci, Qcc, Qdp, Qds, Qoi, Qos, Qpa, Qpm, Qrp, Rco,
    ReadyQualifier, Scd, Sco, Scq, Sep, Siq, Sof, Spe, Vti,
};
use crate::time::{Cp16Time2a, Cp24Time2a, Cp56Time2a};

/// The time tag of a monitor-direction element: CP24Time2a (IEC 60870-5-101 only) or
/// CP56Time2a.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TimeTag {
    /// Three-octet time (types 2-19).
    Cp24(Cp24Time2a),
    /// Seven-octet time (types 30-40).
    Cp56(Cp56Time2a),
}

impl TimeTag {
    fn anomalies(self) -> Anomalies {
        match self {
            TimeTag::Cp24(t) => t.anomalies(),
            TimeTag::Cp56(t) => t.anomalies(),
        }
    }
}

/// A decoded information element (the part of an information object after its address).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Element<'a> {
    /// M_SP_NA_1 (1), M_SP_TA_1 (2), M_SP_TB_1 (30).
    SinglePoint {
        /// SIQ.
        siq: Siq,
        /// Time tag for types 2 and 30.
        time: Option<TimeTag>,
    },
    /// M_DP_NA_1 (3), M_DP_TA_1 (4), M_DP_TB_1 (31).
    DoublePoint {
        /// DIQ.
        diq: Diq,
        /// Time tag for types 4 and 31.
        time: Option<TimeTag>,
    },
    /// M_ST_NA_1 (5), M_ST_TA_1 (6), M_ST_TB_1 (32).
    StepPosition {
        /// VTI.
        vti: Vti,
        /// QDS.
        qds: Qds,
        /// Time tag for types 6 and 32.
        time: Option<TimeTag>,
    },
    /// M_BO_NA_1 (7), M_BO_TA_1 (8), M_BO_TB_1 (33).
    Bitstring {
        /// BSI, the 32 bits (first octet on the wire in the low byte).
        bsi: u32,
        /// QDS.
        qds: Qds,
        /// Time tag for types 8 and 33.
        time: Option<TimeTag>,
    },
    /// M_ME_NA_1 (9), M_ME_TA_1 (10), M_ME_TD_1 (34), M_ME_ND_1 (21, no QDS).
    Normalized {
        /// NVA.
        value: Normalized,
        /// QDS, absent for type 21.
        qds: Option<Qds>,
        /// Time tag for types 10 and 34.
        time: Option<TimeTag>,
    },
    /// M_ME_NB_1 (11), M_ME_TB_1 (12), M_ME_TE_1 (35).
    Scaled {
        /// SVA.
        value: i16,
        /// QDS.
        qds: Qds,
        /// Time tag for types 12 and 35.
        time: Option<TimeTag>,
    },
    /// M_ME_NC_1 (13), M_ME_TC_1 (14), M_ME_TF_1 (36).
    Float {
        /// R32.23 IEEE STD 754.
        value: f32,
        /// QDS.
        qds: Qds,
        /// Time tag for types 14 and 36.
        time: Option<TimeTag>,
    },
    /// M_IT_NA_1 (15), M_IT_TA_1 (16), M_IT_TB_1 (37).
    IntegratedTotals {
        /// BCR.
        bcr: Bcr,
        /// Time tag for types 16 and 37.
        time: Option<TimeTag>,
    },
    /// M_EP_TA_1 (17), M_EP_TD_1 (38).
    ProtectionEvent {
        /// SEP.
        sep: Sep,
        /// Elapsed time.
        elapsed: Cp16Time2a,
        /// Time tag.
        time: TimeTag,
    },
    /// M_EP_TB_1 (18), M_EP_TE_1 (39).
    PackedStartEvents {
        /// SPE.
        spe: Spe,
        /// QDP.
        qdp: Qdp,
        /// Relay duration time.
        duration: Cp16Time2a,
        /// Time tag.
        time: TimeTag,
    },
    /// M_EP_TC_1 (19), M_EP_TF_1 (40).
    PackedOutputCircuit {
        /// OCI.
        oci: Oci,
        /// QDP.
        qdp: Qdp,
        /// Relay operating time.
        operating: Cp16Time2a,
        /// Time tag.
        time: TimeTag,
    },
    /// M_PS_NA_1 (20).
    PackedSinglePoint {
        /// SCD.
        scd: Scd,
        /// QDS.
        qds: Qds,
    },
    /// C_SC_NA_1 (45), C_SC_TA_1 (58).
    SingleCommand {
        /// SCO.
        sco: Sco,
        /// Time tag for type 58.
        time: Option<Cp56Time2a>,
    },
    /// C_DC_NA_1 (46), C_DC_TA_1 (59).
    DoubleCommand {
        /// DCO.
        dco: Dco,
        /// Time tag for type 59.
        time: Option<Cp56Time2a>,
    },
    /// C_RC_NA_1 (47), C_RC_TA_1 (60).
    RegulatingStep {
        /// RCO.
        rco: Rco,
        /// Time tag for type 60.
        time: Option<Cp56Time2a>,
    },
    /// C_SE_NA_1 (48), C_SE_TA_1 (61).
    SetpointNormalized {
        /// NVA.
        value: Normalized,
        /// QOS.
        qos: Qos,
        /// Time tag for type 61.
        time: Option<Cp56Time2a>,
    },
    /// C_SE_NB_1 (49), C_SE_TB_1 (62).
    SetpointScaled {
        /// SVA.
        value: i16,
        /// QOS.
        qos: Qos,
        /// Time tag for type 62.
        time: Option<Cp56Time2a>,
    },
    /// C_SE_NC_1 (50), C_SE_TC_1 (63).
    SetpointFloat {
        /// R32.23.
        value: f32,
        /// QOS.
        qos: Qos,
        /// Time tag for type 63.
        time: Option<Cp56Time2a>,
    },
    /// C_BO_NA_1 (51), C_BO_TA_1 (64).
    BitstringCommand {
        /// BSI.
        bsi: u32,
        /// Time tag for type 64.
        time: Option<Cp56Time2a>,
    },
    /// M_EI_NA_1 (70).
    EndOfInitialization {
        /// COI.
        coi: Coi,
    },
    /// C_IC_NA_1 (100).
    Interrogation {
        /// QOI.
        qoi: Qoi,
    },
    /// C_CI_NA_1 (101).
    CounterInterrogation {
        /// QCC.
        qcc: Qcc,
    },
    /// C_RD_NA_1 (102): no element, the address says what to read.
    Read,
    /// C_CS_NA_1 (103).
    ClockSync {
        /// The time to set.
        time: Cp56Time2a,
    },
    /// C_TS_NA_1 (104).
    Test {
        /// FBP, fixed test bit pattern 0x55AA.
        pattern: u16,
    },
    /// C_RP_NA_1 (105).
    ResetProcess {
        /// QRP.
        qrp: Qrp,
    },
    /// C_CD_NA_1 (106).
    DelayAcquisition {
        /// The delay.
        delay: Cp16Time2a,
    },
    /// C_TS_TA_1 (107).
    TestWithTime {
        /// TSC, test sequence counter.
        counter: u16,
        /// Time tag.
        time: Cp56Time2a,
    },
    /// P_ME_NA_1 (110).
    ParameterNormalized {
        /// NVA.
        value: Normalized,
        /// QPM.
        qpm: Qpm,
    },
    /// P_ME_NB_1 (111).
    ParameterScaled {
        /// SVA.
        value: i16,
        /// QPM.
        qpm: Qpm,
    },
    /// P_ME_NC_1 (112).
    ParameterFloat {
        /// R32.23.
        value: f32,
        /// QPM.
        qpm: Qpm,
    },
    /// P_AC_NA_1 (113).
    ParameterActivation {
        /// QPA.
        qpa: Qpa,
    },
    /// F_FR_NA_1 (120).
    FileReady {
        /// NOF, name of file.
        file: u16,
        /// LOF, length of file (24 bits).
        length: u32,
        /// FRQ.
        frq: ReadyQualifier,
    },
    /// F_SR_NA_1 (121).
    SectionReady {
        /// NOF.
        file: u16,
        /// NOS, name of section.
        section: u8,
        /// LOF, length of section (24 bits).
        length: u32,
        /// SRQ.
        srq: ReadyQualifier,
    },
    /// F_SC_NA_1 (122).
    CallFile {
        /// NOF.
        file: u16,
        /// NOS.
        section: u8,
        /// SCQ.
        scq: Scq,
    },
    /// F_LS_NA_1 (123).
    LastSection {
        /// NOF.
        file: u16,
        /// NOS.
        section: u8,
        /// LSQ.
        lsq: Lsq,
        /// CHS, checksum.
        checksum: u8,
    },
    /// F_AF_NA_1 (124).
    AckFile {
        /// NOF.
        file: u16,
        /// NOS.
        section: u8,
        /// AFQ.
        afq: Afq,
    },
    /// F_SG_NA_1 (125).
    Segment {
        /// NOF.
        file: u16,
        /// NOS.
        section: u8,
        /// The segment (its LOS octet is `data.len()`).
        data: &'a [u8],
    },
    /// F_DR_TA_1 (126).
    Directory {
        /// NOF.
        file: u16,
        /// LOF (24 bits).
        length: u32,
        /// SOF.
        sof: Sof,
        /// Creation time of the file.
        time: Cp56Time2a,
    },
    /// F_SC_NB_1 (127).
    QueryLog {
        /// NOF.
        file: u16,
        /// Start of the requested range.
        start: Cp56Time2a,
        /// End of the requested range.
        stop: Cp56Time2a,
    },
    /// IEC 60870-5-7 security types (41, 81-87, 90-95): the rest of the ASDU after the
    /// information object address, kept as a typed envelope.
    Security {
        /// The security information (challenge, MAC, key data…), undecoded.
        data: &'a [u8],
    },
}

/// The fixed size of a type's information element in octets, `None` for the variable-size
/// (125, security) and unknown types (IEC 60870-5-101 §7.3).
#[inline]
pub fn element_size(type_id: TypeId) -> Option<usize> {
    element_size_raw(u8::from(type_id))
}

/// The element size of a type as a table entry (`NONE` for variable and unknown types).
const fn size_entry(id: u8) -> u8 {
    match id {
        1 | 3 => 1,
        2 | 4 => 4,
        5 => 2,
        6 => 5,
        7 => 5,
        8 => 8,
        9 => 3,
        10 => 6,
        11 => 3,
        12 => 6,
        13 => 5,
        14 => 8,
        15 => 5,
        16 => 8,
        17 => 6,
        18 | 19 => 7,
        20 => 5,
        21 => 2,
        30 | 31 => 8,
        32 => 9,
        33 => 12,
        34 | 35 => 10,
        36 | 37 => 12,
        38 => 10,
        39 | 40 => 11,
        45..=47 => 1,
        48 | 49 => 3,
        50 => 5,
        51 => 4,
        58..=60 => 8,
        61 | 62 => 10,
        63 => 12,
        64 => 11,
        70 | 100 | 101 => 1,
        102 => 0,
        103 => 7,
        104 => 2,
        105 => 1,
        106 => 2,
        107 => 9,
        110 | 111 => 3,
        112 => 5,
        113 => 1,
        120 => 6,
        121 => 7,
        122 => 4,
        123 => 5,
        124 => 4,
        126 => 13,
        127 => 16,
        _ => NONE,
    }
}

const NONE: u8 = 0xff;

/// Element sizes indexed by type identification.
#[allow(clippy::indexing_slicing)] // i < 256 = t.len()
static SIZES: [u8; 256] = {
    let mut t = [NONE; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = size_entry(i as u8);
        i += 1;
    }
    t
};

/// [`element_size`] on the raw type identification.
#[inline(always)]
pub(crate) fn element_size_raw(id: u8) -> Option<usize> {
    match SIZES.get(usize::from(id)) {
        Some(&n) if n != NONE => Some(usize::from(n)),
        _ => None,
    }
}

/// Whether `decode` knows the type (every type of [`element_size`] plus the variable ones).
#[inline]
pub fn is_decodable(type_id: TypeId) -> bool {
    is_decodable_raw(u8::from(type_id))
}

/// [`is_decodable`] on the raw type identification.
#[inline]
pub(crate) fn is_decodable_raw(id: u8) -> bool {
    element_size_raw(id).is_some() || matches!(id, 41 | 81..=87 | 90..=95 | 125)
}

/// A cursor over an element's octets; every read is checked.
struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline]
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.b.split_first_chunk::<N>()?;
        self.b = rest;
        Some(*head)
    }
    #[inline]
    fn u8(&mut self) -> Option<u8> {
        let (&v, rest) = self.b.split_first()?;
        self.b = rest;
        Some(v)
    }
    #[inline]
    fn u16(&mut self) -> Option<u16> {
        self.take::<2>().map(u16::from_le_bytes)
    }
    #[inline]
    fn i16(&mut self) -> Option<i16> {
        self.take::<2>().map(i16::from_le_bytes)
    }
    #[inline]
    fn u24(&mut self) -> Option<u32> {
        self.take::<3>()
            .map(|[a, b, c]| u32::from_le_bytes([a, b, c, 0]))
    }
    #[inline]
    fn u32(&mut self) -> Option<u32> {
        self.take::<4>().map(u32::from_le_bytes)
    }
    #[inline]
    fn f32(&mut self) -> Option<f32> {
        self.take::<4>().map(f32::from_le_bytes)
    }
    #[inline]
    fn cp16(&mut self) -> Option<Cp16Time2a> {
        self.u16().map(Cp16Time2a)
    }
    #[inline]
    fn cp24(&mut self) -> Option<Cp24Time2a> {
        self.take::<3>().map(Cp24Time2a::from_bytes)
    }
    #[inline]
    fn cp56(&mut self) -> Option<Cp56Time2a> {
        self.take::<7>().map(Cp56Time2a::from_bytes)
    }
    #[inline]
    fn t24(&mut self) -> Option<Option<TimeTag>> {
        self.cp24().map(|t| Some(TimeTag::Cp24(t)))
    }
    #[inline]
    fn t56(&mut self) -> Option<Option<TimeTag>> {
        self.cp56().map(|t| Some(TimeTag::Cp56(t)))
    }
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.b.split_at_checked(n)?;
        self.b = rest;
        Some(head)
    }
}

impl<'a> Element<'a> {
    /// Decodes the element of `type_id` at the front of `bytes`; returns it and the octets
    /// it took, or `None` when the type is unknown or the bytes are too few.
    #[inline]
    pub fn decode(type_id: TypeId, bytes: &'a [u8]) -> Option<(Element<'a>, usize)> {
        Self::decode_raw(u8::from(type_id), bytes)
    }

    /// [`decode`](Element::decode) on the raw type identification.
    pub(crate) fn decode_raw(id: u8, bytes: &'a [u8]) -> Option<(Element<'a>, usize)> {
        let mut r = Reader { b: bytes };
        let e = match id {
            1 => Element::SinglePoint {
                siq: Siq(r.u8()?),
                time: None,
            },
            2 => Element::SinglePoint {
                siq: Siq(r.u8()?),
                time: r.t24()?,
            },
            30 => Element::SinglePoint {
                siq: Siq(r.u8()?),
                time: r.t56()?,
            },
            3 => Element::DoublePoint {
                diq: Diq(r.u8()?),
                time: None,
            },
            4 => Element::DoublePoint {
                diq: Diq(r.u8()?),
                time: r.t24()?,
            },
            31 => Element::DoublePoint {
                diq: Diq(r.u8()?),
                time: r.t56()?,
            },
            5 => Element::StepPosition {
                vti: Vti(r.u8()?),
                qds: Qds(r.u8()?),
                time: None,
            },
            6 => Element::StepPosition {
                vti: Vti(r.u8()?),
                qds: Qds(r.u8()?),
                time: r.t24()?,
            },
            32 => Element::StepPosition {
                vti: Vti(r.u8()?),
                qds: Qds(r.u8()?),
                time: r.t56()?,
            },
            7 => Element::Bitstring {
                bsi: r.u32()?,
                qds: Qds(r.u8()?),
                time: None,
            },
            8 => Element::Bitstring {
                bsi: r.u32()?,
                qds: Qds(r.u8()?),
                time: r.t24()?,
            },
            33 => Element::Bitstring {
                bsi: r.u32()?,
                qds: Qds(r.u8()?),
                time: r.t56()?,
            },
            9 => Element::Normalized {
                value: Normalized(r.i16()?),
                qds: Some(Qds(r.u8()?)),
                time: None,
            },
            10 => Element::Normalized {
                value: Normalized(r.i16()?),
                qds: Some(Qds(r.u8()?)),
                time: r.t24()?,
            },
            34 => Element::Normalized {
                value: Normalized(r.i16()?),
                qds: Some(Qds(r.u8()?)),
                time: r.t56()?,
            },
            21 => Element::Normalized {
                value: Normalized(r.i16()?),
                qds: None,
                time: None,
            },
            11 => Element::Scaled {
                value: r.i16()?,
                qds: Qds(r.u8()?),
                time: None,
            },
            12 => Element::Scaled {
                value: r.i16()?,
                qds: Qds(r.u8()?),
                time: r.t24()?,
            },
            35 => Element::Scaled {
                value: r.i16()?,
                qds: Qds(r.u8()?),
                time: r.t56()?,
            },
            13 => Element::Float {
                value: r.f32()?,
                qds: Qds(r.u8()?),
                time: None,
            },
            14 => Element::Float {
                value: r.f32()?,
                qds: Qds(r.u8()?),
                time: r.t24()?,
            },
            36 => Element::Float {
                value: r.f32()?,
                qds: Qds(r.u8()?),
                time: r.t56()?,
            },
            15 | 16 | 37 => {
                let bcr = Bcr {
                    value: r.u32()? as i32,
                    flags: r.u8()?,
                };
                let time = match id {
                    15 => None,
                    16 => r.t24()?,
                    _ => r.t56()?,
                };
                Element::IntegratedTotals { bcr, time }
            }
            17 => Element::ProtectionEvent {
                sep: Sep(r.u8()?),
                elapsed: r.cp16()?,
                time: TimeTag::Cp24(r.cp24()?),
            },
            38 => Element::ProtectionEvent {
                sep: Sep(r.u8()?),
                elapsed: r.cp16()?,
                time: TimeTag::Cp56(r.cp56()?),
            },
            18 => Element::PackedStartEvents {
                spe: Spe(r.u8()?),
                qdp: Qdp(r.u8()?),
                duration: r.cp16()?,
                time: TimeTag::Cp24(r.cp24()?),
            },
            39 => Element::PackedStartEvents {
                spe: Spe(r.u8()?),
                qdp: Qdp(r.u8()?),
                duration: r.cp16()?,
                time: TimeTag::Cp56(r.cp56()?),
            },
            19 => Element::PackedOutputCircuit {
                oci: Oci(r.u8()?),
                qdp: Qdp(r.u8()?),
                operating: r.cp16()?,
                time: TimeTag::Cp24(r.cp24()?),
            },
            40 => Element::PackedOutputCircuit {
                oci: Oci(r.u8()?),
                qdp: Qdp(r.u8()?),
                operating: r.cp16()?,
                time: TimeTag::Cp56(r.cp56()?),
            },
            20 => Element::PackedSinglePoint {
                scd: Scd {
                    status: r.u16()?,
                    changed: r.u16()?,
                },
                qds: Qds(r.u8()?),
            },
            45 => Element::SingleCommand {
                sco: Sco(r.u8()?),
                time: None,
            },
            58 => Element::SingleCommand {
                sco: Sco(r.u8()?),
                time: Some(r.cp56()?),
            },
            46 => Element::DoubleCommand {
                dco: Dco(r.u8()?),
                time: None,
            },
            59 => Element::DoubleCommand {
                dco: Dco(r.u8()?),
                time: Some(r.cp56()?),
            },
            47 => Element::RegulatingStep {
                rco: Rco(r.u8()?),
                time: None,
            },
            60 => Element::RegulatingStep {
                rco: Rco(r.u8()?),
                time: Some(r.cp56()?),
            },
            48 => Element::SetpointNormalized {
                value: Normalized(r.i16()?),
                qos: Qos(r.u8()?),
                time: None,
            },
            61 => Element::SetpointNormalized {
                value: Normalized(r.i16()?),
                qos: Qos(r.u8()?),
                time: Some(r.cp56()?),
            },
            49 => Element::SetpointScaled {
                value: r.i16()?,
                qos: Qos(r.u8()?),
                time: None,
            },
            62 => Element::SetpointScaled {
                value: r.i16()?,
                qos: Qos(r.u8()?),
                time: Some(r.cp56()?),
            },
            50 => Element::SetpointFloat {
                value: r.f32()?,
                qos: Qos(r.u8()?),
                time: None,
            },
            63 => Element::SetpointFloat {
                value: r.f32()?,
                qos: Qos(r.u8()?),
                time: Some(r.cp56()?),
            },
            51 => Element::BitstringCommand {
                bsi: r.u32()?,
                time: None,
            },
            64 => Element::BitstringCommand {
                bsi: r.u32()?,
                time: Some(r.cp56()?),
            },
            70 => Element::EndOfInitialization { coi: Coi(r.u8()?) },
            100 => Element::Interrogation { qoi: Qoi(r.u8()?) },
            101 => Element::CounterInterrogation { qcc: Qcc(r.u8()?) },
            102 => Element::Read,
            103 => Element::ClockSync { time: r.cp56()? },
            104 => Element::Test { pattern: r.u16()? },
            105 => Element::ResetProcess { qrp: Qrp(r.u8()?) },
            106 => Element::DelayAcquisition { delay: r.cp16()? },
            107 => Element::TestWithTime {
                counter: r.u16()?,
                time: r.cp56()?,
            },
            110 => Element::ParameterNormalized {
                value: Normalized(r.i16()?),
                qpm: Qpm(r.u8()?),
            },
            111 => Element::ParameterScaled {
                value: r.i16()?,
                qpm: Qpm(r.u8()?),
            },
            112 => Element::ParameterFloat {
                value: r.f32()?,
                qpm: Qpm(r.u8()?),
            },
            113 => Element::ParameterActivation { qpa: Qpa(r.u8()?) },
            120 => Element::FileReady {
                file: r.u16()?,
                length: r.u24()?,
                frq: ReadyQualifier(r.u8()?),
            },
            121 => Element::SectionReady {
                file: r.u16()?,
                section: r.u8()?,
                length: r.u24()?,
                srq: ReadyQualifier(r.u8()?),
            },
            122 => Element::CallFile {
                file: r.u16()?,
                section: r.u8()?,
                scq: Scq(r.u8()?),
            },
            123 => Element::LastSection {
                file: r.u16()?,
                section: r.u8()?,
                lsq: Lsq(r.u8()?),
                checksum: r.u8()?,
            },
            124 => Element::AckFile {
                file: r.u16()?,
                section: r.u8()?,
                afq: Afq(r.u8()?),
            },
            125 => {
                let file = r.u16()?;
                let section = r.u8()?;
                let los = r.u8()?;
                Element::Segment {
                    file,
                    section,
                    data: r.bytes(usize::from(los))?,
                }
            }
            126 => Element::Directory {
                file: r.u16()?,
                length: r.u24()?,
                sof: Sof(r.u8()?),
                time: r.cp56()?,
            },
            127 => Element::QueryLog {
                file: r.u16()?,
                start: r.cp56()?,
                stop: r.cp56()?,
            },
            41 | 81..=87 | 90..=95 => {
                let data = r.b;
                r.b = &[];
                Element::Security { data }
            }
            _ => return None,
        };
        Some((e, bytes.len() - r.b.len()))
    }

    /// Every recoverable violation inside the element: reserved quality bits, reserved
    /// qualifiers, not-permitted command states, non-finite floats, bad time tags.
    pub fn anomalies(&self) -> Anomalies {
        fn t(time: Option<TimeTag>) -> Anomalies {
            time.map_or(Anomalies::empty(), TimeTag::anomalies)
        }
        fn t56(time: Option<Cp56Time2a>) -> Anomalies {
            time.map_or(Anomalies::empty(), Cp56Time2a::anomalies)
        }
        fn float(v: f32) -> Anomalies {
            if v.is_finite() {
                Anomalies::empty()
            } else {
                Anomalies::FLOAT_NOT_FINITE
            }
        }
        match *self {
            Element::SinglePoint { siq, time } => siq.anomalies() | t(time),
            Element::DoublePoint { diq, time } => diq.anomalies() | t(time),
            Element::StepPosition { qds, time, .. } => qds.anomalies() | t(time),
            Element::Bitstring { qds, time, .. } => qds.anomalies() | t(time),
            Element::Normalized { qds, time, .. } => {
                qds.map_or(Anomalies::empty(), Qds::anomalies) | t(time)
            }
            Element::Scaled { qds, time, .. } => qds.anomalies() | t(time),
            Element::Float { value, qds, time } => float(value) | qds.anomalies() | t(time),
            Element::IntegratedTotals { time, .. } => t(time),
            Element::ProtectionEvent { sep, elapsed, time } => {
                sep.anomalies() | elapsed.anomalies() | time.anomalies()
            }
            Element::PackedStartEvents {
                spe,
                qdp,
                duration,
                time,
            } => spe.anomalies() | qdp.anomalies() | duration.anomalies() | time.anomalies(),
            Element::PackedOutputCircuit {
                oci,
                qdp,
                operating,
                time,
            } => oci.anomalies() | qdp.anomalies() | operating.anomalies() | time.anomalies(),
            Element::PackedSinglePoint { qds, .. } => qds.anomalies(),
            Element::SingleCommand { sco, time } => sco.anomalies() | t56(time),
            Element::DoubleCommand { dco, time } => dco.anomalies() | t56(time),
            Element::RegulatingStep { rco, time } => rco.anomalies() | t56(time),
            Element::SetpointNormalized { qos, time, .. } => qos.anomalies() | t56(time),
            Element::SetpointScaled { qos, time, .. } => qos.anomalies() | t56(time),
            Element::SetpointFloat { value, qos, time } => {
                float(value) | qos.anomalies() | t56(time)
            }
            Element::BitstringCommand { time, .. } => t56(time),
            Element::EndOfInitialization { coi } => coi.anomalies(),
            Element::Interrogation { qoi } => qoi.anomalies(),
            Element::CounterInterrogation { qcc } => qcc.anomalies(),
            Element::Read => Anomalies::empty(),
            Element::ClockSync { time } => time.anomalies(),
            Element::Test { pattern } => {
                if pattern == 0x55AA {
                    Anomalies::empty()
                } else {
                    Anomalies::TEST_PATTERN_INVALID
                }
            }
            Element::ResetProcess { qrp } => qrp.anomalies(),
            Element::DelayAcquisition { delay } => delay.anomalies(),
            Element::TestWithTime { time, .. } => time.anomalies(),
            Element::ParameterNormalized { qpm, .. } | Element::ParameterScaled { qpm, .. } => {
                qpm.anomalies()
            }
            Element::ParameterFloat { value, qpm } => float(value) | qpm.anomalies(),
            Element::ParameterActivation { qpa } => qpa.anomalies(),
            Element::FileReady { frq, .. } => frq.anomalies(),
            Element::SectionReady { srq, .. } => srq.anomalies(),
            Element::CallFile { scq, .. } => scq.anomalies(),
            Element::LastSection { lsq, .. } => lsq.anomalies(),
            Element::AckFile { afq, .. } => afq.anomalies(),
            Element::Segment { .. } | Element::Security { .. } => Anomalies::empty(),
            Element::Directory { sof, time, .. } => sof.anomalies() | time.anomalies(),
            Element::QueryLog { start, stop, .. } => start.anomalies() | stop.anomalies(),
        }
    }

    /// Octets the element takes on the wire.
    pub fn encoded_len(&self) -> usize {
        fn t(time: Option<TimeTag>) -> usize {
            match time {
                None => 0,
                Some(TimeTag::Cp24(_)) => 3,
                Some(TimeTag::Cp56(_)) => 7,
            }
        }
        fn t56(time: Option<Cp56Time2a>) -> usize {
            if time.is_some() { 7 } else { 0 }
        }
        match *self {
            Element::SinglePoint { time, .. } | Element::DoublePoint { time, .. } => 1 + t(time),
            Element::StepPosition { time, .. } => 2 + t(time),
            Element::Bitstring { time, .. } => 5 + t(time),
            Element::Normalized { qds, time, .. } => 2 + usize::from(qds.is_some()) + t(time),
            Element::Scaled { time, .. } => 3 + t(time),
            Element::Float { time, .. } | Element::IntegratedTotals { time, .. } => 5 + t(time),
            Element::ProtectionEvent { time, .. } => 3 + t(Some(time)),
            Element::PackedStartEvents { time, .. } | Element::PackedOutputCircuit { time, .. } => {
                4 + t(Some(time))
            }
            Element::PackedSinglePoint { .. } => 5,
            Element::SingleCommand { time, .. }
            | Element::DoubleCommand { time, .. }
            | Element::RegulatingStep { time, .. } => 1 + t56(time),
            Element::SetpointNormalized { time, .. } | Element::SetpointScaled { time, .. } => {
                3 + t56(time)
            }
            Element::SetpointFloat { time, .. } => 5 + t56(time),
            Element::BitstringCommand { time, .. } => 4 + t56(time),
            Element::EndOfInitialization { .. }
            | Element::Interrogation { .. }
            | Element::CounterInterrogation { .. }
            | Element::ResetProcess { .. }
            | Element::ParameterActivation { .. } => 1,
            Element::Read => 0,
            Element::ClockSync { .. } => 7,
            Element::Test { .. } | Element::DelayAcquisition { .. } => 2,
            Element::TestWithTime { .. } => 9,
            Element::ParameterNormalized { .. } | Element::ParameterScaled { .. } => 3,
            Element::ParameterFloat { .. } => 5,
            Element::FileReady { .. } => 6,
            Element::SectionReady { .. } => 7,
            Element::CallFile { .. } | Element::AckFile { .. } => 4,
            Element::LastSection { .. } => 5,
            Element::Segment { data, .. } => 4 + data.len(),
            Element::Directory { .. } => 13,
            Element::QueryLog { .. } => 16,
            Element::Security { data } => data.len(),
        }
    }

    /// Whether this element is the one `type_id` carries (variant and time tag kind).
    pub fn matches(&self, type_id: TypeId) -> bool {
        fn tt(time: Option<TimeTag>, none: bool, cp24: bool) -> bool {
            match time {
                None => none,
                Some(TimeTag::Cp24(_)) => cp24 && !none,
                Some(TimeTag::Cp56(_)) => !cp24 && !none,
            }
        }
        let id = u8::from(type_id);
        match *self {
            Element::SinglePoint { time, .. } => {
                matches!(id, 1 | 2 | 30) && tt(time, id == 1, id == 2)
            }
            Element::DoublePoint { time, .. } => {
                matches!(id, 3 | 4 | 31) && tt(time, id == 3, id == 4)
            }
            Element::StepPosition { time, .. } => {
                matches!(id, 5 | 6 | 32) && tt(time, id == 5, id == 6)
            }
            Element::Bitstring { time, .. } => {
                matches!(id, 7 | 8 | 33) && tt(time, id == 7, id == 8)
            }
            Element::Normalized {
                qds: None, time, ..
            } => id == 21 && time.is_none(),
            Element::Normalized {
                qds: Some(_), time, ..
            } => matches!(id, 9 | 10 | 34) && tt(time, id == 9, id == 10),
            Element::Scaled { time, .. } => {
                matches!(id, 11 | 12 | 35) && tt(time, id == 11, id == 12)
            }
            Element::Float { time, .. } => {
                matches!(id, 13 | 14 | 36) && tt(time, id == 13, id == 14)
            }
            Element::IntegratedTotals { time, .. } => {
                matches!(id, 15 | 16 | 37) && tt(time, id == 15, id == 16)
            }
            Element::ProtectionEvent { time, .. } => {
                matches!(id, 17 | 38) && tt(Some(time), false, id == 17)
            }
            Element::PackedStartEvents { time, .. } => {
                matches!(id, 18 | 39) && tt(Some(time), false, id == 18)
            }
            Element::PackedOutputCircuit { time, .. } => {
                matches!(id, 19 | 40) && tt(Some(time), false, id == 19)
            }
            Element::PackedSinglePoint { .. } => id == 20,
            Element::SingleCommand { time, .. } => {
                (id == 45 && time.is_none()) || (id == 58 && time.is_some())
            }
            Element::DoubleCommand { time, .. } => {
                (id == 46 && time.is_none()) || (id == 59 && time.is_some())
            }
            Element::RegulatingStep { time, .. } => {
                (id == 47 && time.is_none()) || (id == 60 && time.is_some())
            }
            Element::SetpointNormalized { time, .. } => {
                (id == 48 && time.is_none()) || (id == 61 && time.is_some())
            }
            Element::SetpointScaled { time, .. } => {
                (id == 49 && time.is_none()) || (id == 62 && time.is_some())
            }
            Element::SetpointFloat { time, .. } => {
                (id == 50 && time.is_none()) || (id == 63 && time.is_some())
            }
            Element::BitstringCommand { time, .. } => {
                (id == 51 && time.is_none()) || (id == 64 && time.is_some())
            }
            Element::EndOfInitialization { .. } => id == 70,
            Element::Interrogation { .. } => id == 100,
            Element::CounterInterrogation { .. } => id == 101,
            Element::Read => id == 102,
            Element::ClockSync { .. } => id == 103,
            Element::Test { .. } => id == 104,
            Element::ResetProcess { .. } => id == 105,
            Element::DelayAcquisition { .. } => id == 106,
            Element::TestWithTime { .. } => id == 107,
            Element::ParameterNormalized { .. } => id == 110,
            Element::ParameterScaled { .. } => id == 111,
            Element::ParameterFloat { .. } => id == 112,
            Element::ParameterActivation { .. } => id == 113,
            Element::FileReady { .. } => id == 120,
            Element::SectionReady { .. } => id == 121,
            Element::CallFile { .. } => id == 122,
            Element::LastSection { .. } => id == 123,
            Element::AckFile { .. } => id == 124,
            Element::Segment { .. } => id == 125,
            Element::Directory { .. } => id == 126,
            Element::QueryLog { .. } => id == 127,
            Element::Security { .. } => type_id.is_security(),
        }
    }

    /// Writes the element as `type_id` encodes it.
    pub(crate) fn write(&self, type_id: TypeId, w: &mut Writer<'_>) -> Result<(), EmitError> {
        if !self.matches(type_id) {
            return Err(EmitError::ValueOutOfRange {
                field: "information element (does not match the type identification)",
            });
        }
        fn time(w: &mut Writer<'_>, t: Option<TimeTag>) -> Result<(), EmitError> {
            match t {
                None => Ok(()),
                Some(TimeTag::Cp24(t)) => cp24(w, t),
                Some(TimeTag::Cp56(t)) => cp56(w, t),
            }
        }
        fn cp24(w: &mut Writer<'_>, t: Cp24Time2a) -> Result<(), EmitError> {
            w.bytes(&t.to_bytes().ok_or(EmitError::ValueOutOfRange {
                field: "CP24Time2a",
            })?)
        }
        fn cp56(w: &mut Writer<'_>, t: Cp56Time2a) -> Result<(), EmitError> {
            w.bytes(&t.to_bytes().ok_or(EmitError::ValueOutOfRange {
                field: "CP56Time2a",
            })?)
        }
        fn opt56(w: &mut Writer<'_>, t: Option<Cp56Time2a>) -> Result<(), EmitError> {
            t.map_or(Ok(()), |t| cp56(w, t))
        }
        match *self {
            Element::SinglePoint { siq, time: t } => {
                w.u8(siq.0)?;
                time(w, t)
            }
            Element::DoublePoint { diq, time: t } => {
                w.u8(diq.0)?;
                time(w, t)
            }
            Element::StepPosition { vti, qds, time: t } => {
                w.u8(vti.0)?;
                w.u8(qds.0)?;
                time(w, t)
            }
            Element::Bitstring { bsi, qds, time: t } => {
                w.bytes(&bsi.to_le_bytes())?;
                w.u8(qds.0)?;
                time(w, t)
            }
            Element::Normalized {
                value,
                qds,
                time: t,
            } => {
                w.bytes(&value.0.to_le_bytes())?;
                if let Some(q) = qds {
                    w.u8(q.0)?;
                }
                time(w, t)
            }
            Element::Scaled {
                value,
                qds,
                time: t,
            } => {
                w.bytes(&value.to_le_bytes())?;
                w.u8(qds.0)?;
                time(w, t)
            }
            Element::Float {
                value,
                qds,
                time: t,
            } => {
                w.bytes(&value.to_le_bytes())?;
                w.u8(qds.0)?;
                time(w, t)
            }
            Element::IntegratedTotals { bcr, time: t } => {
                w.bytes(&bcr.value.to_le_bytes())?;
                w.u8(bcr.flags)?;
                time(w, t)
            }
            Element::ProtectionEvent {
                sep,
                elapsed,
                time: t,
            } => {
                w.u8(sep.0)?;
                w.u16(elapsed.0)?;
                time(w, Some(t))
            }
            Element::PackedStartEvents {
                spe,
                qdp,
                duration,
                time: t,
            } => {
                w.u8(spe.0)?;
                w.u8(qdp.0)?;
                w.u16(duration.0)?;
                time(w, Some(t))
            }
            Element::PackedOutputCircuit {
                oci,
                qdp,
                operating,
                time: t,
            } => {
                w.u8(oci.0)?;
                w.u8(qdp.0)?;
                w.u16(operating.0)?;
                time(w, Some(t))
            }
            Element::PackedSinglePoint { scd, qds } => {
                w.u16(scd.status)?;
                w.u16(scd.changed)?;
                w.u8(qds.0)
            }
            Element::SingleCommand { sco, time: t } => {
                w.u8(sco.0)?;
                opt56(w, t)
            }
            Element::DoubleCommand { dco, time: t } => {
                w.u8(dco.0)?;
                opt56(w, t)
            }
            Element::RegulatingStep { rco, time: t } => {
                w.u8(rco.0)?;
                opt56(w, t)
            }
            Element::SetpointNormalized {
                value,
                qos,
                time: t,
            } => {
                w.bytes(&value.0.to_le_bytes())?;
                w.u8(qos.0)?;
                opt56(w, t)
            }
            Element::SetpointScaled {
                value,
                qos,
                time: t,
            } => {
                w.bytes(&value.to_le_bytes())?;
                w.u8(qos.0)?;
                opt56(w, t)
            }
            Element::SetpointFloat {
                value,
                qos,
                time: t,
            } => {
                w.bytes(&value.to_le_bytes())?;
                w.u8(qos.0)?;
                opt56(w, t)
            }
            Element::BitstringCommand { bsi, time: t } => {
                w.bytes(&bsi.to_le_bytes())?;
                opt56(w, t)
            }
            Element::EndOfInitialization { coi } => w.u8(coi.0),
            Element::Interrogation { qoi } => w.u8(qoi.0),
            Element::CounterInterrogation { qcc } => w.u8(qcc.0),
            Element::Read => Ok(()),
            Element::ClockSync { time: t } => cp56(w, t),
            Element::Test { pattern } => w.u16(pattern),
            Element::ResetProcess { qrp } => w.u8(qrp.0),
            Element::DelayAcquisition { delay } => w.u16(delay.0),
            Element::TestWithTime { counter, time: t } => {
                w.u16(counter)?;
                cp56(w, t)
            }
            Element::ParameterNormalized { value, qpm } => {
                w.bytes(&value.0.to_le_bytes())?;
                w.u8(qpm.0)
            }
            Element::ParameterScaled { value, qpm } => {
                w.bytes(&value.to_le_bytes())?;
                w.u8(qpm.0)
            }
            Element::ParameterFloat { value, qpm } => {
                w.bytes(&value.to_le_bytes())?;
                w.u8(qpm.0)
            }
            Element::ParameterActivation { qpa } => w.u8(qpa.0),
            Element::FileReady { file, length, frq } => {
                w.u16(file)?;
                w.uint(length, 3, "LOF")?;
                w.u8(frq.0)
            }
            Element::SectionReady {
                file,
                section,
                length,
                srq,
            } => {
                w.u16(file)?;
                w.u8(section)?;
                w.uint(length, 3, "LOF")?;
                w.u8(srq.0)
            }
            Element::CallFile { file, section, scq } => {
                w.u16(file)?;
                w.u8(section)?;
                w.u8(scq.0)
            }
            Element::LastSection {
                file,
                section,
                lsq,
                checksum,
            } => {
                w.u16(file)?;
                w.u8(section)?;
                w.u8(lsq.0)?;
                w.u8(checksum)
            }
            Element::AckFile { file, section, afq } => {
                w.u16(file)?;
                w.u8(section)?;
                w.u8(afq.0)
            }
            Element::Segment {
                file,
                section,
                data,
            } => {
                w.u16(file)?;
                w.u8(section)?;
                w.u8(u8::try_from(data.len())
                    .map_err(|_| EmitError::ValueOutOfRange { field: "LOS" })?)?;
                w.bytes(data)
            }
            Element::Directory {
                file,
                length,
                sof,
                time: t,
            } => {
                w.u16(file)?;
                w.uint(length, 3, "LOF")?;
                w.u8(sof.0)?;
                cp56(w, t)
            }
            Element::QueryLog { file, start, stop } => {
                w.u16(file)?;
                cp56(w, start)?;
                cp56(w, stop)
            }
            Element::Security { data } => w.bytes(data),
        }
    }
}

/// The anomalies of one element read straight from its octets (the same flags as
/// [`Element::decode`] followed by [`Element::anomalies`], without building the element):
/// the parse path's fast check. `bytes` must hold the element (shorter input gives fewer
/// checks, never a panic); variable-size and unknown types have none.
#[inline]
pub fn element_anomalies(type_id: TypeId, e: &[u8]) -> Anomalies {
    element_anomalies_raw(u8::from(type_id), e)
}

/// [`element_anomalies`] on the raw type identification.
#[inline]
pub(crate) fn element_anomalies_raw(id: u8, e: &[u8]) -> Anomalies {
    #[inline(always)]
    fn b(e: &[u8], i: usize) -> u8 {
        e.get(i).copied().unwrap_or(0)
    }
    #[inline(always)]
    fn cp16(e: &[u8], at: usize) -> Anomalies {
        Cp16Time2a(u16::from_le_bytes([b(e, at), b(e, at + 1)])).anomalies()
    }
    #[inline(always)]
    fn cp24(e: &[u8], at: usize) -> Anomalies {
        let ms = u16::from_le_bytes([b(e, at), b(e, at + 1)]);
        let m = b(e, at + 2);
        let mut a = Anomalies::empty();
        if ms > 59_999 || m & 0x3f > 59 {
            a |= Anomalies::TIME_OUT_OF_RANGE;
        }
        if m & 0x40 != 0 {
            a |= Anomalies::TIME_RESERVED_BITS;
        }
        a
    }
    #[inline(always)]
    fn cp56(e: &[u8], at: usize) -> Anomalies {
        let Some(t) = e.get(at..at + 7) else {
            return Anomalies::empty();
        };
        let [m0, m1, min, hour, day, month, year] = [
            b(t, 0),
            b(t, 1),
            b(t, 2),
            b(t, 3),
            b(t, 4),
            b(t, 5),
            b(t, 6),
        ];
        let mut a = Anomalies::empty();
        let d = day & 0x1f;
        let mo = month & 0x0f;
        if u16::from_le_bytes([m0, m1]) > 59_999
            || min & 0x3f > 59
            || hour & 0x1f > 23
            || d == 0
            || mo == 0
            || mo > 12
            || year & 0x7f > 99
        {
            a |= Anomalies::TIME_OUT_OF_RANGE;
        }
        if hour & 0x60 != 0 || month & 0xf0 != 0 || year & 0x80 != 0 {
            a |= Anomalies::TIME_RESERVED_BITS;
        }
        a
    }
    #[inline(always)]
    fn float(e: &[u8], at: usize) -> Anomalies {
        let v = f32::from_le_bytes([b(e, at), b(e, at + 1), b(e, at + 2), b(e, at + 3)]);
        if v.is_finite() {
            Anomalies::empty()
        } else {
            Anomalies::FLOAT_NOT_FINITE
        }
    }
    let qds = |at| Qds(b(e, at)).anomalies();
    match id {
        1 => Siq(b(e, 0)).anomalies(),
        2 => Siq(b(e, 0)).anomalies() | cp24(e, 1),
        30 => Siq(b(e, 0)).anomalies() | cp56(e, 1),
        3 => Diq(b(e, 0)).anomalies(),
        4 => Diq(b(e, 0)).anomalies() | cp24(e, 1),
        31 => Diq(b(e, 0)).anomalies() | cp56(e, 1),
        5 => qds(1),
        6 => qds(1) | cp24(e, 2),
        32 => qds(1) | cp56(e, 2),
        7 => qds(4),
        8 => qds(4) | cp24(e, 5),
        33 => qds(4) | cp56(e, 5),
        9 | 11 => qds(2),
        10 | 12 => qds(2) | cp24(e, 3),
        34 | 35 => qds(2) | cp56(e, 3),
        13 => float(e, 0) | qds(4),
        14 => float(e, 0) | qds(4) | cp24(e, 5),
        36 => float(e, 0) | qds(4) | cp56(e, 5),
        16 => cp24(e, 5),
        37 => cp56(e, 5),
        17 => Sep(b(e, 0)).anomalies() | cp16(e, 1) | cp24(e, 3),
        38 => Sep(b(e, 0)).anomalies() | cp16(e, 1) | cp56(e, 3),
        18 => Spe(b(e, 0)).anomalies() | Qdp(b(e, 1)).anomalies() | cp16(e, 2) | cp24(e, 4),
        39 => Spe(b(e, 0)).anomalies() | Qdp(b(e, 1)).anomalies() | cp16(e, 2) | cp56(e, 4),
        19 => Oci(b(e, 0)).anomalies() | Qdp(b(e, 1)).anomalies() | cp16(e, 2) | cp24(e, 4),
        40 => Oci(b(e, 0)).anomalies() | Qdp(b(e, 1)).anomalies() | cp16(e, 2) | cp56(e, 4),
        20 => qds(4),
        45 => Sco(b(e, 0)).anomalies(),
        58 => Sco(b(e, 0)).anomalies() | cp56(e, 1),
        46 => Dco(b(e, 0)).anomalies(),
        59 => Dco(b(e, 0)).anomalies() | cp56(e, 1),
        47 => Rco(b(e, 0)).anomalies(),
        60 => Rco(b(e, 0)).anomalies() | cp56(e, 1),
        48 | 49 => Qos(b(e, 2)).anomalies(),
        61 | 62 => Qos(b(e, 2)).anomalies() | cp56(e, 3),
        50 => float(e, 0) | Qos(b(e, 4)).anomalies(),
        63 => float(e, 0) | Qos(b(e, 4)).anomalies() | cp56(e, 5),
        64 => cp56(e, 4),
        70 => Coi(b(e, 0)).anomalies(),
        100 => Qoi(b(e, 0)).anomalies(),
        101 => Qcc(b(e, 0)).anomalies(),
        103 => cp56(e, 0),
        104 => {
            if u16::from_le_bytes([b(e, 0), b(e, 1)]) == 0x55AA {
                Anomalies::empty()
            } else {
                Anomalies::TEST_PATTERN_INVALID
            }
        }
        105 => Qrp(b(e, 0)).anomalies(),
        106 => cp16(e, 0),
        107 => cp56(e, 2),
        110 | 111 => Qpm(b(e, 2)).anomalies(),
        112 => float(e, 0) | Qpm(b(e, 4)).anomalies(),
        113 => Qpa(b(e, 0)).anomalies(),
        120 => ReadyQualifier(b(e, 5)).anomalies(),
        121 => ReadyQualifier(b(e, 6)).anomalies(),
        122 => Scq(b(e, 3)).anomalies(),
        123 => Lsq(b(e, 3)).anomalies(),
        124 => Afq(b(e, 3)).anomalies(),
        126 => Sof(b(e, 5)).anomalies() | cp56(e, 6),
        127 => cp56(e, 2) | cp56(e, 9),
        _ => Anomalies::empty(),
    }
}
