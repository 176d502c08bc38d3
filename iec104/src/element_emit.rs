//! Encoding of information elements (IEC 60870-5-101 §7.3), the inverse of
//! [`Element::decode`](crate::Element::decode).

use crate::codes::TypeId;
use crate::element::{Element, TimeTag};
use crate::emit::Sink;
use crate::error::EmitError;
use crate::time::{Cp24Time2a, Cp56Time2a};

impl Element<'_> {
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
    pub(crate) fn write(
        &self,
        type_id: TypeId,
        w: &mut (impl Sink + ?Sized),
    ) -> Result<(), EmitError> {
        if !self.matches(type_id) {
            return Err(EmitError::ValueOutOfRange {
                field: "information element (does not match the type identification)",
            });
        }
        fn time(w: &mut (impl Sink + ?Sized), t: Option<TimeTag>) -> Result<(), EmitError> {
            match t {
                None => Ok(()),
                Some(TimeTag::Cp24(t)) => cp24(w, t),
                Some(TimeTag::Cp56(t)) => cp56(w, t),
            }
        }
        fn cp24(w: &mut (impl Sink + ?Sized), t: Cp24Time2a) -> Result<(), EmitError> {
            w.bytes(&t.to_bytes().ok_or(EmitError::ValueOutOfRange {
                field: "CP24Time2a",
            })?)
        }
        fn cp56(w: &mut (impl Sink + ?Sized), t: Cp56Time2a) -> Result<(), EmitError> {
            w.bytes(&t.to_bytes().ok_or(EmitError::ValueOutOfRange {
                field: "CP56Time2a",
            })?)
        }
        fn opt56(w: &mut (impl Sink + ?Sized), t: Option<Cp56Time2a>) -> Result<(), EmitError> {
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
                w.u16_le(elapsed.0)?;
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
                w.u16_le(duration.0)?;
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
                w.u16_le(operating.0)?;
                time(w, Some(t))
            }
            Element::PackedSinglePoint { scd, qds } => {
                w.u16_le(scd.status)?;
                w.u16_le(scd.changed)?;
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
            Element::Test { pattern } => w.u16_le(pattern),
            Element::ResetProcess { qrp } => w.u8(qrp.0),
            Element::DelayAcquisition { delay } => w.u16_le(delay.0),
            Element::TestWithTime { counter, time: t } => {
                w.u16_le(counter)?;
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
                w.u16_le(file)?;
                w.uint_le(length, 3, "LOF")?;
                w.u8(frq.0)
            }
            Element::SectionReady {
                file,
                section,
                length,
                srq,
            } => {
                w.u16_le(file)?;
                w.u8(section)?;
                w.uint_le(length, 3, "LOF")?;
                w.u8(srq.0)
            }
            Element::CallFile { file, section, scq } => {
                w.u16_le(file)?;
                w.u8(section)?;
                w.u8(scq.0)
            }
            Element::LastSection {
                file,
                section,
                lsq,
                checksum,
            } => {
                w.u16_le(file)?;
                w.u8(section)?;
                w.u8(lsq.0)?;
                w.u8(checksum)
            }
            Element::AckFile { file, section, afq } => {
                w.u16_le(file)?;
                w.u8(section)?;
                w.u8(afq.0)
            }
            Element::Segment {
                file,
                section,
                data,
            } => {
                w.u16_le(file)?;
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
                w.u16_le(file)?;
                w.uint_le(length, 3, "LOF")?;
                w.u8(sof.0)?;
                cp56(w, t)
            }
            Element::QueryLog { file, start, stop } => {
                w.u16_le(file)?;
                cp56(w, start)?;
                cp56(w, stop)
            }
            Element::Security { data } => w.bytes(data),
        }
    }
}
