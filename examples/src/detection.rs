//! How detection plugs into the pipeline: every decoded PDU goes through a [`Detection`],
//! which may return alerts. `otwire-detect`'s engine implements it ([`crate::detect_engine`]);
//! [`NoDetection`] turns detection off.

use crate::dnp3::Dnp3Pdu;
use crate::iec104::Iec104Pdu;
use crate::modbus::ModbusPdu;
use crate::record::AlertRecord;

/// A detection back end.
pub trait Detection {
    /// One Modbus PDU (with its record); push alerts it raises onto `out`.
    fn modbus(&mut self, pdu: &ModbusPdu<'_>, out: &mut Vec<AlertRecord>);
    /// One DNP3 link frame (or NOT_DNP3 report); push alerts it raises onto `out`.
    fn dnp3(&mut self, _pdu: &Dnp3Pdu<'_>, _out: &mut Vec<AlertRecord>) {}
    /// One IEC 104 APDU (or NOT_IEC104 report); push alerts it raises onto `out`.
    fn iec104(&mut self, _pdu: &Iec104Pdu<'_>, _out: &mut Vec<AlertRecord>) {}
    /// End of input (periodic detectors may report missing messages here).
    fn finish(&mut self, _out: &mut Vec<AlertRecord>) {}
    /// The learned baseline as JSON, when the back end has one.
    fn save_baseline(&self) -> Result<Option<String>, String> {
        Ok(None)
    }
}

/// Detection switched off.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoDetection;

impl Detection for NoDetection {
    fn modbus(&mut self, _pdu: &ModbusPdu<'_>, _out: &mut Vec<AlertRecord>) {}
}
