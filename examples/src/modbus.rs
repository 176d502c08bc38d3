//! Modbus/TCP and Modbus/UDP in otscan: the record fields of DESIGN.md §4 (Modbus
//! Application Protocol V1.1b3 §4.1, §6; Modbus Messaging on TCP/IP V1.0b §3.1.3 for the
//! MBAP header) and the identity devices report (Read Device Identification, FC 43 / MEI
//! 14, §6.21; Report Server ID, FC 17, §6.13).

use otwire_detect::protocol::Detail;
use otwire_detect::{Direction, Event};
use otwire_modbus::{Parsed, Pdu, Request, Response};
use serde::ser::SerializeMap;

use crate::assets::{Asset, MAX_VALUE_CHARS, clip};
use crate::json::{Entries, push_opt};

/// Modbus fields of a PDU record; `None` serializes as `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields {
    /// MBAP transaction identifier.
    pub tid: Option<u16>,
    /// MBAP unit identifier.
    pub unit: Option<u8>,
    /// Function code without the exception bit.
    pub func: Option<u8>,
    /// Exception code (exception responses).
    pub exception: Option<u8>,
    /// Diagnostics (FC 8) sub-function.
    pub sub_func: Option<u16>,
    /// MEI type (FC 43).
    pub mei: Option<u8>,
    /// First coil / register addressed.
    pub address: Option<u16>,
    /// Number of coils / registers.
    pub quantity: Option<u16>,
    /// The PDU's byte count field.
    pub byte_count: Option<u16>,
}

impl Fields {
    /// The fields of a Modbus event (all `null` for bytes that are not Modbus).
    pub fn of(ev: &Event<'_>) -> Self {
        let Detail::Modbus(m) = ev.detail else {
            return Self::default();
        };
        let frame = m.frame;
        let mut f = Fields {
            tid: Some(frame.header.transaction_id.0),
            unit: Some(frame.header.unit_id.0),
            func: frame.pdu.first().map(|b| b & 0x7f),
            ..Fields::default()
        };
        match m.pdu {
            Some(p) => fill(&mut f, &p.pdu, frame.pdu),
            None => {
                if ev.direction == Direction::Response
                    && frame.pdu.first().is_some_and(|b| b & 0x80 != 0)
                {
                    f.exception = frame.pdu.get(1).copied();
                }
            }
        }
        f
    }

    /// Appends `,"tid":...` through `,"byte_count":...`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        push_opt(out, b",\"tid\":", self.tid.map(u64::from));
        push_opt(out, b",\"unit\":", self.unit.map(u64::from));
        push_opt(out, b",\"func\":", self.func.map(u64::from));
        push_opt(out, b",\"exception\":", self.exception.map(u64::from));
        push_opt(out, b",\"sub_func\":", self.sub_func.map(u64::from));
        push_opt(out, b",\"mei\":", self.mei.map(u64::from));
        push_opt(out, b",\"address\":", self.address.map(u64::from));
        push_opt(out, b",\"quantity\":", self.quantity.map(u64::from));
        push_opt(out, b",\"byte_count\":", self.byte_count.map(u64::from));
    }
}

impl Entries for Fields {
    fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("tid", &self.tid)?;
        m.serialize_entry("unit", &self.unit)?;
        m.serialize_entry("func", &self.func)?;
        m.serialize_entry("exception", &self.exception)?;
        m.serialize_entry("sub_func", &self.sub_func)?;
        m.serialize_entry("mei", &self.mei)?;
        m.serialize_entry("address", &self.address)?;
        m.serialize_entry("quantity", &self.quantity)?;
        m.serialize_entry("byte_count", &self.byte_count)
    }
}

/// What one record is called in the summary.
pub const NOUN: &str = "PDUs";

/// Modbus identity is in the common part of the summary line (units and identity).
pub fn summary(_facts: &Facts, _parts: &mut Vec<String>) {}

/// Modbus asset facts beyond the common ones (units and identity are kept in [`Asset`]):
/// none.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Facts {}

/// A server's units and the identity it reports.
pub fn facts(ev: &Event<'_>, a: &mut Asset) {
    let Detail::Modbus(m) = ev.detail else {
        return;
    };
    if ev.direction != Direction::Response {
        return;
    }
    let unit = m.frame.header.unit_id.0;
    a.add_unit(unit);
    if let Some(Parsed {
        pdu: Pdu::Response(rsp),
        ..
    }) = m.pdu
    {
        identity(a, unit, &rsp);
    }
}

/// The fields of a decoded PDU. `raw` is the PDU bytes (function code first), used for the
/// declared byte count.
fn fill(m: &mut Fields, pdu: &Pdu<'_>, raw: &[u8]) {
    let byte_at = |i: usize| raw.get(i).map(|&b| u16::from(b));
    match pdu {
        Pdu::Request(r) => match r {
            Request::ReadCoils { address, quantity }
            | Request::ReadDiscreteInputs { address, quantity }
            | Request::ReadHoldingRegisters { address, quantity }
            | Request::ReadInputRegisters { address, quantity } => {
                m.address = Some(address.0);
                m.quantity = Some(*quantity);
            }
            Request::WriteSingleCoil { address, .. }
            | Request::WriteSingleRegister { address, .. }
            | Request::MaskWriteRegister { address, .. }
            | Request::ReadFifoQueue { address } => m.address = Some(address.0),
            Request::WriteMultipleCoils {
                address, quantity, ..
            }
            | Request::WriteMultipleRegisters {
                address, quantity, ..
            } => {
                m.address = Some(address.0);
                m.quantity = Some(*quantity);
                m.byte_count = byte_at(5);
            }
            Request::ReadWriteMultipleRegisters {
                read_address,
                read_quantity,
                ..
            } => {
                m.address = Some(read_address.0);
                m.quantity = Some(*read_quantity);
                m.byte_count = byte_at(9);
            }
            Request::Diagnostics { sub_function, .. } => {
                m.sub_func = Some(u16::from(*sub_function))
            }
            Request::ReadDeviceIdentification { .. } | Request::Mei { .. } => {
                m.mei = byte_at(1).map(|b| b as u8)
            }
            Request::ReadFileRecord { .. } | Request::WriteFileRecord { .. } => {
                m.byte_count = byte_at(1)
            }
            _ => {}
        },
        Pdu::Response(r) => match r {
            Response::Exception { code, .. } => m.exception = Some(u8::from(*code)),
            Response::ReadCoils { .. }
            | Response::ReadDiscreteInputs { .. }
            | Response::ReadHoldingRegisters { .. }
            | Response::ReadInputRegisters { .. }
            | Response::ReadWriteMultipleRegisters { .. }
            | Response::ReportServerId { .. }
            | Response::GetCommEventLog { .. }
            | Response::ReadFileRecord { .. }
            | Response::WriteFileRecord { .. } => m.byte_count = byte_at(1),
            Response::ReadFifoQueue { .. } => {
                m.byte_count = match (raw.get(1), raw.get(2)) {
                    (Some(&h), Some(&l)) => Some(u16::from_be_bytes([h, l])),
                    _ => None,
                };
            }
            Response::WriteSingleCoil { address, .. }
            | Response::WriteSingleRegister { address, .. }
            | Response::MaskWriteRegister { address, .. } => m.address = Some(address.0),
            Response::WriteMultipleCoils { address, quantity }
            | Response::WriteMultipleRegisters { address, quantity } => {
                m.address = Some(address.0);
                m.quantity = Some(*quantity);
            }
            Response::Diagnostics { sub_function, .. } => {
                m.sub_func = Some(u16::from(*sub_function))
            }
            Response::ReadDeviceIdentification(_) | Response::Mei { .. } => {
                m.mei = byte_at(1).map(|b| b as u8)
            }
            _ => {}
        },
    }
}

fn identity(a: &mut Asset, unit: u8, rsp: &Response<'_>) {
    match rsp {
        Response::ReadDeviceIdentification(id) => {
            let Some(objs) = a.identity_mut(unit) else {
                return;
            };
            for o in id.objects {
                if objs.len() >= crate::assets::MAX_PER_ASSET {
                    break;
                }
                let name = match o.id.name() {
                    Some(n) => n.to_string(),
                    None => format!("object_{}", u8::from(o.id)),
                };
                objs.insert(name, clip(o.value));
            }
        }
        Response::ReportServerId { data } => {
            let Some(objs) = a.identity_mut(unit) else {
                return;
            };
            let hex = otwire_detect::alert::hex(data.get(..MAX_VALUE_CHARS / 2).unwrap_or(data));
            objs.insert("ServerId".to_string(), hex);
            // Many devices put readable text after the id and run indicator bytes.
            if let Some(text) = data.get(2..) {
                let t = clip(text);
                if t.chars().filter(|c| c.is_ascii_alphanumeric()).count() >= 3 {
                    objs.insert("ServerIdText".to_string(), t.trim().to_string());
                }
            }
        }
        _ => {}
    }
}
