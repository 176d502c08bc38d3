//! The parse path's fast element check: the anomalies of an information element read
//! straight from its octets (IEC 60870-5-101 §7.2.6 for the quality descriptors, qualifiers
//! and time tags it checks).

use crate::anomaly::Anomalies;
use crate::codes::TypeId;
use crate::element::{Element, TimeTag};
use crate::quality::{
    Afq, Coi, Dco, Diq, Lsq, Oci, Qcc, Qdp, Qds, Qoi, Qos, Qpa, Qpm, Qrp, Rco, ReadyQualifier, Sco,
    Scq, Sep, Siq, Sof, Spe,
};
use crate::time::{Cp16Time2a, Cp56Time2a};

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

impl Element<'_> {
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
}
