//! How detection plugs into the pipeline: every decoded PDU goes through a [`Detection`],
//! which may return alerts. `otwire-detect`'s engine implements it ([`crate::detect_engine`]);
//! [`NoDetection`] turns detection off.

use crate::modbus::ModbusPdu;
use crate::record::AlertRecord;

/// A detection back end.
pub trait Detection {
    /// One Modbus PDU (with its record); push alerts it raises onto `out`.
    fn modbus(&mut self, pdu: &ModbusPdu<'_>, out: &mut Vec<AlertRecord>);
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
