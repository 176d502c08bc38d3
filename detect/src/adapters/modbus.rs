//! Modbus adapter: `otwire-modbus` types to [`Event`]s (Modbus Application Protocol V1.1b3,
//! Messaging on TCP/IP V1.0b; UMAS envelopes in FC 90).
//!
//! [`ModbusAdapter`] pairs each response with its request by (flow, transaction id), so a
//! read response's register values land on the addresses the request asked for. The
//! pairing table is capped. The stateless [`request_event`] and [`response_event`] convert
//! one already-parsed PDU.
//!
//! The adapter also follows each controller's UMAS operating mode (STOP_PLC / START_PLC
//! requests, per server and unit, in a capped table): a program download (UMAS 0x33-0x35)
//! into a controller not seen stopped is an online change of the running program, marked
//! [`Marks::MODIFIES_PROGRAM`] (T0889 Modify Program, besides T0843 for the download).

use otwire_modbus::classify::{self, Access, DataTable, Operation};
use otwire_modbus::{
    Anomalies, COIL_ON, DiagnosticCode, Error, Frame, FunctionCode, MAX_PDU_LEN, MBAP_HEADER_LEN,
    MbapHeader, Parsed, Pdu, Request, Response, UmasFunctionCode, split_frame,
};

use crate::event::{
    Action, Conformance, Direction, Endpoint, Event, Marks, Meta, Outcome, Protocol, Space, Target,
    Targets, Values,
};
use crate::table::{BoundedMap, TableStats};

/// Outstanding requests remembered by default.
pub const DEFAULT_PENDING: usize = 65_536;
/// Controllers whose UMAS operating mode is remembered.
pub const DEFAULT_MODES: usize = 4_096;

/// The summary of a request kept until its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    function: u8,
    action: Action,
    sub: Option<u16>,
    target: Target,
    marks: Marks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct PendKey {
    client: Endpoint,
    server: Endpoint,
    tid: u16,
}

/// Turns Modbus/TCP ADUs into events, pairing responses with requests.
#[derive(Debug, Clone)]
pub struct ModbusAdapter {
    pending: BoundedMap<PendKey, Pending>,
    /// Per (server, unit): whether the last UMAS mode change asked for was STOP_PLC.
    stopped: BoundedMap<(Endpoint, u16), bool>,
}

impl Default for ModbusAdapter {
    fn default() -> Self {
        Self::new()
    }
}

impl ModbusAdapter {
    /// An adapter remembering up to [`DEFAULT_PENDING`] outstanding requests.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_PENDING)
    }

    /// An adapter remembering up to `cap` outstanding requests.
    pub fn with_capacity(cap: usize) -> Self {
        Self {
            pending: BoundedMap::new(cap),
            stopped: BoundedMap::new(DEFAULT_MODES),
        }
    }

    /// The counters of the pairing and operating-mode tables, summed.
    pub fn stats(&self) -> TableStats {
        self.pending.stats().merge(self.stopped.stats())
    }

    /// Follows UMAS mode changes and marks program downloads into a controller not seen
    /// stopped (an online change, T0889).
    fn track_mode(&mut self, ev: &mut Event<'_>, r: &Request<'_>) {
        let Request::Umas(u) = r else { return };
        let key = (ev.flow.server, ev.unit);
        match u.function {
            UmasFunctionCode::StopPlc | UmasFunctionCode::StartPlc => {
                let stop = u.function == UmasFunctionCode::StopPlc;
                if let Some((slot, _)) = self.stopped.get_or_insert_with(key, || stop) {
                    *slot = stop;
                }
            }
            UmasFunctionCode::InitializeDownload
            | UmasFunctionCode::DownloadBlock
            | UmasFunctionCode::EndStrategyDownload
                if !self.stopped.get(&key).copied().unwrap_or(false) =>
            {
                ev.marks |= Marks::MODIFIES_PROGRAM;
            }
            _ => {}
        }
    }

    /// One Modbus/TCP ADU (MBAP header and PDU, as `StreamDecoder::next_frame` returns it,
    /// or one UDP datagram). Bytes that do not decode still give an event, flagged in
    /// [`Event::conformance`] (`NOT_PROTOCOL` for another protocol on the port,
    /// `MALFORMED` for a broken Modbus frame).
    pub fn adu<'a>(&mut self, meta: Meta, dir: Direction, bytes: &'a [u8]) -> Event<'a> {
        let mut ev = Event::new(meta, Protocol::Modbus, dir);
        ev.raw = bytes;
        let header = match MbapHeader::parse(bytes) {
            Ok(h) => h,
            Err(_) => return unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, 0),
        };
        ev.unit = u16::from(header.unit_id.0);
        if header.protocol_id != 0 {
            return unparsed(ev, Conformance::NOT_PROTOCOL, Anomalies::PROTOCOL_ID.bits());
        }
        let oversize = header.pdu_len() > MAX_PDU_LEN;
        match split_frame(bytes) {
            Ok((frame, rest)) => {
                let mut ev = self.frame(meta, dir, &frame);
                ev.raw = bytes;
                if !rest.is_empty() {
                    ev.conformance |= Conformance::LENGTH;
                    ev.anomalies |= u64::from(Anomalies::LENGTH_MISMATCH.bits());
                }
                ev
            }
            Err(_) => {
                let mut c = Conformance::MALFORMED | Conformance::LENGTH;
                if oversize {
                    c |= Conformance::OVERSIZE;
                }
                let bits = if oversize {
                    Anomalies::PDU_TOO_LONG.bits()
                } else {
                    0
                };
                unparsed(ev, c, bits)
            }
        }
    }

    /// One frame split by [`otwire_modbus::split_frame`].
    pub fn frame<'a>(&mut self, meta: Meta, dir: Direction, frame: &Frame<'a>) -> Event<'a> {
        let mdir = match dir {
            Direction::Request => otwire_modbus::Direction::Request,
            Direction::Response => otwire_modbus::Direction::Response,
        };
        let unit = u16::from(frame.header.unit_id.0);
        let tid = frame.header.transaction_id.0;
        match Pdu::parse(frame, mdir) {
            Ok(p) => self.pdu(meta, unit, Some(tid), &p),
            Err(e) => {
                let mut ev = Event::new(meta, Protocol::Modbus, dir);
                ev.unit = unit;
                ev.transaction = Some(u32::from(tid));
                ev.function = frame.pdu.first().map_or(0, |b| u16::from(b & 0x7f));
                ev.raw = frame.pdu;
                let c = match e {
                    Error::TooLong { .. } => Conformance::MALFORMED | Conformance::OVERSIZE,
                    _ => Conformance::MALFORMED,
                };
                unparsed(ev, c, frame.anomalies().bits())
            }
        }
    }

    /// One parsed PDU with its unit and (for TCP) transaction id.
    pub fn pdu<'a>(
        &mut self,
        meta: Meta,
        unit: u16,
        tid: Option<u16>,
        p: &Parsed<Pdu<'a>>,
    ) -> Event<'a> {
        match p.pdu {
            Pdu::Request(ref r) => {
                let mut ev = request_event(meta, unit, tid, r, p.anomalies);
                self.track_mode(&mut ev, r);
                if let Some(tid) = tid {
                    let key = PendKey {
                        client: meta.flow.client,
                        server: meta.flow.server,
                        tid,
                    };
                    let pend = Pending {
                        function: r.function_code().value(),
                        action: ev.action,
                        sub: ev.sub_function,
                        target: ev
                            .targets
                            .get(usize::from(read_target_index(r)))
                            .copied()
                            .unwrap_or_default(),
                        marks: ev.marks,
                    };
                    if let Some((slot, _)) = self.pending.get_or_insert_with(key, || pend) {
                        *slot = pend;
                    }
                }
                ev
            }
            Pdu::Response(ref r) => {
                let pend = tid.and_then(|tid| {
                    let key = PendKey {
                        client: meta.flow.client,
                        server: meta.flow.server,
                        tid,
                    };
                    match self.pending.get(&key) {
                        Some(p) if p.function == r.function_code().value() => {
                            self.pending.remove(&key)
                        }
                        _ => None,
                    }
                });
                response_event(
                    meta,
                    unit,
                    tid,
                    r,
                    p.anomalies,
                    pend.map(|p| (p.action, p.sub, p.target, p.marks)),
                )
            }
        }
    }
}

/// Which target of a request a read response's values belong to (FC 23: the read part).
fn read_target_index(r: &Request<'_>) -> u8 {
    match r {
        Request::ReadWriteMultipleRegisters { .. } => 1,
        _ => 0,
    }
}

fn unparsed(mut ev: Event<'_>, c: Conformance, bits: u32) -> Event<'_> {
    ev.outcome = Outcome::Unparsed;
    ev.conformance |= c;
    ev.anomalies |= u64::from(bits);
    ev
}

/// The neutral conformance flags of a set of Modbus anomalies.
pub fn conformance(a: Anomalies) -> Conformance {
    let mut c = Conformance::NONE;
    let any = |f: Anomalies| a.intersects(f);
    if any(Anomalies::PROTOCOL_ID) {
        c |= Conformance::NOT_PROTOCOL;
    }
    if any(Anomalies::LENGTH_MISMATCH | Anomalies::TRUNCATED | Anomalies::BYTE_COUNT_MISMATCH) {
        c |= Conformance::LENGTH;
    }
    if any(Anomalies::PDU_TOO_LONG) {
        c |= Conformance::OVERSIZE;
    }
    if any(Anomalies::QUANTITY_OUT_OF_RANGE
        | Anomalies::ADDRESS_OVERFLOW
        | Anomalies::INVALID_COIL_VALUE
        | Anomalies::INVALID_EXCEPTION_CODE
        | Anomalies::INVALID_DEVICE_ID_CODE
        | Anomalies::INVALID_REFERENCE_TYPE
        | Anomalies::INVALID_DATA_VALUE)
    {
        c |= Conformance::OUT_OF_SPEC;
    }
    if any(Anomalies::RESERVED_FUNCTION
        | Anomalies::RESERVED_SUB_FUNCTION
        | Anomalies::RESERVED_MEI_TYPE)
    {
        c |= Conformance::UNKNOWN_FUNCTION;
    }
    if any(Anomalies::BAD_CRC) {
        c |= Conformance::CHECKSUM;
    }
    let known = Anomalies::all();
    if !(a - known).is_empty() {
        c |= Conformance::OTHER;
    }
    c
}

/// The names of Modbus anomaly bits (for alert evidence).
pub fn anomaly_names(bits: u64) -> Vec<&'static str> {
    let a = Anomalies::from_bits_truncate(u32::try_from(bits & u64::from(u32::MAX)).unwrap_or(0));
    a.names().collect()
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
pub fn request_event<'a>(
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
    ev.conformance = conformance(anomalies);
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
pub fn response_event<'a>(
    meta: Meta,
    unit: u16,
    tid: Option<u16>,
    r: &Response<'a>,
    anomalies: Anomalies,
    request: Option<(Action, Option<u16>, Target, Marks)>,
) -> Event<'a> {
    let f = r.function_code();
    let mut ev = Event::new(meta, Protocol::Modbus, Direction::Response);
    ev.unit = unit;
    ev.transaction = tid.map(u32::from);
    ev.function = u16::from(f.value() & 0x7f);
    ev.anomalies = u64::from(anomalies.bits());
    ev.conformance = conformance(anomalies);
    let c = classify::classify_response(r);
    match request {
        Some((action, sub, t, marks)) => {
            ev.action = action;
            ev.sub_function = sub;
            ev.marks = marks;
            if t.space != Space::None || t.count > 0 {
                ev.targets = Targets::one(t);
            }
        }
        None => {
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

/// Length of an MBAP header (re-exported for callers sizing buffers).
pub const HEADER_LEN: usize = MBAP_HEADER_LEN;
