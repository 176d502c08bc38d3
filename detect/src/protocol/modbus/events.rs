//! Modbus PDUs to events (Modbus Application Protocol V1.1b3 §6; UMAS in FC 90): the
//! event of one parsed request or response, with no connection state.

use otwire_modbus::classify::{self, Access, DataTable, Operation};
use otwire_modbus::{
    Anomalies, COIL_ON, DiagnosticCode, FunctionCode, Request, Response, UmasFunctionCode,
};

use super::Pending;
use crate::event::{
    Action, Conformance, Direction, Event, Marks, Meta, Outcome, Protocol, Space, Target, Targets,
    Values,
};

/// Which target of a request a read response's values belong to (FC 23: the read part).
pub(crate) fn read_target_index(r: &Request<'_>) -> u8 {
    match r {
        Request::ReadWriteMultipleRegisters { .. } => 1,
        _ => 0,
    }
}

/// The neutral conformance findings of Modbus anomaly bits.
pub(crate) fn conformance(bits: u64) -> Conformance {
    const A: fn(Anomalies) -> u64 = |a| u64::from(a.bits());
    let table = [
        (A(Anomalies::PROTOCOL_ID), Conformance::NOT_PROTOCOL),
        (
            A(Anomalies::LENGTH_MISMATCH | Anomalies::TRUNCATED | Anomalies::BYTE_COUNT_MISMATCH),
            Conformance::LENGTH,
        ),
        (A(Anomalies::PDU_TOO_LONG), Conformance::OVERSIZE),
        (
            A(Anomalies::QUANTITY_OUT_OF_RANGE
                | Anomalies::ADDRESS_OVERFLOW
                | Anomalies::INVALID_COIL_VALUE
                | Anomalies::INVALID_EXCEPTION_CODE
                | Anomalies::INVALID_DEVICE_ID_CODE
                | Anomalies::INVALID_REFERENCE_TYPE
                | Anomalies::INVALID_DATA_VALUE),
            Conformance::OUT_OF_SPEC,
        ),
        (
            A(Anomalies::RESERVED_FUNCTION
                | Anomalies::RESERVED_SUB_FUNCTION
                | Anomalies::RESERVED_MEI_TYPE),
            Conformance::UNKNOWN_FUNCTION,
        ),
        (A(Anomalies::BAD_CRC), Conformance::CHECKSUM),
        (!A(Anomalies::all()), Conformance::OTHER),
    ];
    super::super::conformance(bits, &table)
}

fn space(t: DataTable) -> Space {
    match t {
        DataTable::Coils => Space::Coils,
        DataTable::DiscreteInputs => Space::DiscreteInputs,
        DataTable::InputRegisters => Space::InputRegisters,
        DataTable::HoldingRegisters => Space::HoldingRegisters,
        DataTable::FileRecords => Space::Files,
        DataTable::FifoQueue => Space::Other(24),
    }
}

fn target(table: Option<DataTable>, r: classify::AddressRange) -> Target {
    Target::new(
        table.map_or(Space::None, space),
        u32::from(r.start.0),
        u32::from(r.quantity),
    )
}

/// Action and marks of a classification.
fn action_of(c: &classify::Classification) -> (Action, Marks) {
    let action = match c.operation {
        Some(Operation::RestartCommunications) => Action::Restart,
        Some(Operation::ForceListenOnly) => Action::Config,
        Some(Operation::StartPlc | Operation::StopPlc) => Action::ModeChange,
        Some(Operation::Reservation) => Action::Config,
        Some(Operation::ProgramUpload) => Action::ProgramUpload,
        Some(Operation::ProgramDownload) => Action::ProgramDownload,
        Some(Operation::ClearCounters) | None => match c.access {
            Access::Read => Action::Read,
            Access::Write | Access::ReadWrite => Action::Write,
            Access::Diagnostics => Action::Diagnostic,
            Access::Identification => Action::Discovery,
            Access::Control => Action::Config,
            Access::ProgramUpload => Action::ProgramUpload,
            Access::ProgramDownload => Action::ProgramDownload,
            Access::Other => Action::Other,
        },
    };
    let marks = match c.operation {
        Some(Operation::ForceListenOnly) => Marks::BLOCKS_REPORTING,
        Some(Operation::Reservation) => Marks::RESERVATION,
        _ => Marks::NONE,
    };
    (action, marks)
}

/// The event of one parsed request (no pairing state).
pub(crate) fn request_event<'a>(
    meta: Meta,
    unit: u16,
    tid: Option<u16>,
    r: &Request<'a>,
    anomalies: Anomalies,
) -> Event<'a> {
    let c = classify::classify_request(r);
    let (action, mut marks) = action_of(&c);
    let mut ev = Event::new(meta, Protocol::Modbus, Direction::Request);
    ev.unit = unit;
    ev.transaction = tid.map(u32::from);
    ev.function = u16::from(r.function_code().value());
    ev.action = action;
    ev.anomalies = u64::from(anomalies.bits());
    ev.conformance = conformance(u64::from(anomalies.bits()));
    if unit == 0 {
        marks |= Marks::BROADCAST;
    }
    match *r {
        Request::Diagnostics { sub_function, .. } => ev.sub_function = Some(sub_function.value()),
        Request::ReadDeviceIdentification { .. } => ev.sub_function = Some(14),
        Request::Mei { mei_type, .. } => ev.sub_function = Some(u16::from(mei_type.value())),
        Request::Umas(u) => {
            ev.sub_function = Some(u16::from(u.function.value()));
            marks |= Marks::VENDOR;
            match u.function {
                UmasFunctionCode::ReadPlcInfo
                | UmasFunctionCode::GetStatusModule
                | UmasFunctionCode::CheckPlc => {
                    marks |= Marks::READS_DEVICE_STATE;
                }
                _ => {}
            }
        }
        _ => {}
    }
    ev.marks = marks;
    match (c.range, c.write_range) {
        (Some(read), Some(write)) => {
            // FC 23: the write part first (the values belong to it), then the read part.
            ev.targets = Targets::two(target(c.table, write), target(c.table, read));
        }
        (Some(r0), None) => ev.targets = Targets::one(target(c.table, r0)),
        _ => {
            if let Some(t) = c.table {
                ev.targets = Targets::one(Target::new(space(t), 0, 0));
            }
        }
    }
    ev.values = match *r {
        Request::WriteSingleCoil { value, .. } => Values::Single(i64::from(value == COIL_ON)),
        Request::WriteSingleRegister { value, .. } => Values::Single(i64::from(value)),
        Request::WriteMultipleCoils {
            quantity, values, ..
        } => Values::Bits {
            bytes: values.as_bytes(),
            count: u32::from(quantity).min(values.len() as u32),
        },
        Request::WriteMultipleRegisters { values, .. }
        | Request::ReadWriteMultipleRegisters { values, .. } => Values::U16Be(values.as_bytes()),
        _ => Values::None,
    };
    ev
}

/// The action a function implies when its request was not seen.
fn action_of_function(f: FunctionCode) -> Action {
    match f.value() {
        1..=4 | 7 | 24 | 20 => Action::Read,
        5 | 6 | 15 | 16 | 21 | 22 | 23 => Action::Write,
        8 | 11 | 12 => Action::Diagnostic,
        17 | 43 => Action::Discovery,
        _ => Action::Other,
    }
}

/// The event of one parsed response; `request` is what its request was (action,
/// sub-function, read target, marks), when the caller paired them.
pub(crate) fn response_event<'a>(
    meta: Meta,
    unit: u16,
    tid: Option<u16>,
    r: &Response<'a>,
    anomalies: Anomalies,
    request: Option<Pending>,
) -> Event<'a> {
    let f = r.function_code();
    let mut ev = Event::new(meta, Protocol::Modbus, Direction::Response);
    ev.unit = unit;
    ev.transaction = tid.map(u32::from);
    ev.function = u16::from(f.value() & 0x7f);
    ev.anomalies = u64::from(anomalies.bits());
    ev.conformance = conformance(u64::from(anomalies.bits()));
    let c = classify::classify_response(r);
    match request {
        Some(Pending {
            action: Some(action),
            sub,
            target: t,
            marks,
            ..
        }) => {
            ev.action = action;
            ev.sub_function = sub;
            ev.marks = marks;
            if t.space != Space::None || t.count > 0 {
                ev.targets = Targets::one(t);
            }
        }
        _ => {
            ev.action = match r {
                Response::Exception { function, .. } => action_of_function(*function),
                _ => action_of(&c).0,
            };
            if let Some(range) = c.range {
                ev.targets = Targets::one(target(c.table, range));
            }
            ev.sub_function = match *r {
                Response::Diagnostics { sub_function, .. } => Some(sub_function.value()),
                Response::ReadDeviceIdentification(_) => Some(14),
                Response::Mei { mei_type, .. } => Some(u16::from(mei_type.value())),
                _ => None,
            };
        }
    }
    if let Response::Diagnostics {
        sub_function: DiagnosticCode::ForceListenOnlyMode,
        ..
    } = r
    {
        ev.marks |= Marks::BLOCKS_REPORTING;
    }
    if let Response::Umas(_) = r {
        ev.marks |= Marks::VENDOR;
    }
    match *r {
        Response::Exception { code, .. } => {
            ev.outcome = Outcome::Exception(u16::from(code.value()))
        }
        Response::Umas(u) if u.status == UmasFunctionCode::ResponseError => {
            ev.outcome = Outcome::Exception(u16::from(u.status.value()));
        }
        _ => {}
    }
    let known_target = ev.targets.get(0).is_some_and(|t| t.count > 0);
    ev.values = match *r {
        Response::ReadCoils { values } | Response::ReadDiscreteInputs { values }
            if known_target =>
        {
            let n = ev.targets.get(0).map_or(0, |t| t.count);
            Values::Bits {
                bytes: values.as_bytes(),
                count: n.min(values.len() as u32),
            }
        }
        Response::ReadHoldingRegisters { values }
        | Response::ReadInputRegisters { values }
        | Response::ReadWriteMultipleRegisters { values }
            if known_target =>
        {
            Values::U16Be(values.as_bytes())
        }
        _ => Values::None,
    };
    ev
}
