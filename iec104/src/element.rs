//! Information elements, one variant per kind of information object (IEC 60870-5-101 §7.3,
//! IEC 60870-5-104 §8). Variants with and without time tags share a variant; the type
//! identification of the ASDU says which encoding is on the wire.

use crate::anomaly::Anomalies;
use crate::codes::TypeId;
use crate::quality::{
    Afq, Bcr, Coi, Dco, Diq, Lsq, Normalized, Oci, Qcc, Qdp, Qds, Qoi, Qos, Qpa, Qpm, Qrp, Rco,
    ReadyQualifier, Scd, Sco, Scq, Sep, Siq, Sof, Spe, Vti,
};
use crate::time::{Cp16Time2a, Cp24Time2a, Cp56Time2a};

mod size;
pub use size::{element_size, is_decodable};
pub(crate) use size::{element_size_raw, is_decodable_raw};

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
    /// What is out of range or reserved in the time tag.
    pub fn anomalies(self) -> Anomalies {
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
    #[inline(always)]
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
}
