//! S7comm and S7comm-plus messages to event fields: function codes, actions from
//! `otwire_s7::classify`, S7ANY targets, outcomes, and the conformance findings of the
//! crate's anomaly bits.

use otwire_s7::classify::{self, Access, Classification, Operation};
use otwire_s7::{Anomalies, Area, Body, FunctionGroup, Pdu, PlusPdu, Rosctr, UserdataType};

use super::Pending;
use crate::event::{Action, Conformance, Event, Marks, Outcome, Space, Target, Targets};

/// `function` of a userdata PDU: this bit or'ed with its function group (the subfunction
/// is the event's `sub_function`).
pub const USERDATA: u16 = 0x100;
/// `function` of a COTP TPDU that completes no message: this bit or'ed with the TPDU code
/// byte (0x2E0 CR, 0x2D0 CC, 0x280 DR, 0x2C0 DC, 0x270 ER, 0x2F0 a DT fragment).
pub const COTP: u16 = 0x200;
/// `function` of TLS records (S7comm-plus after InitSsl).
pub const TLS: u16 = 0x300;
/// `function` of another COTP user's bytes (ISO session / MMS).
pub const FOREIGN: u16 = 0x301;
/// `function` of an S7comm-plus PDU without a function code: this value or'ed with its
/// opcode (notifications, system frames, continuation frames).
pub const PLUS: u16 = 0x7200;

/// The neutral conformance findings of S7 anomaly bits.
pub(crate) fn conformance(bits: u64) -> Conformance {
    const A: fn(Anomalies) -> u64 = |a| a.bits();
    let table = [
        (A(Anomalies::FOREIGN_PAYLOAD), Conformance::NOT_PROTOCOL),
        (
            A(Anomalies::COTP_LENGTH
                | Anomalies::LENGTH_MISMATCH
                | Anomalies::TRUNCATED
                | Anomalies::ITEM_COUNT_MISMATCH
                | Anomalies::SZL_LENGTH
                | Anomalies::PLUS_LENGTH
                | Anomalies::PLUS_TRAILER
                | Anomalies::FILL_BYTE),
            Conformance::LENGTH,
        ),
        (
            A(Anomalies::COTP_UNKNOWN_TYPE
                | Anomalies::UNKNOWN_ROSCTR
                | Anomalies::UNKNOWN_FUNCTION
                | Anomalies::UNKNOWN_CODE
                | Anomalies::PLUS_UNKNOWN_CODE
                | Anomalies::PLUS_VERSION),
            Conformance::UNKNOWN_FUNCTION,
        ),
        (
            A(Anomalies::TPKT_HEADER | Anomalies::RESERVED_NONZERO),
            Conformance::RESERVED,
        ),
        (
            A(Anomalies::COTP_CLASS
                | Anomalies::COTP_PARAMETER
                | Anomalies::TOO_MANY_ITEMS
                | Anomalies::BAD_ITEM
                | Anomalies::BAD_DATA_ITEM
                | Anomalies::BAD_BLOCK_NAME
                | Anomalies::USERDATA_HEAD
                | Anomalies::USERDATA_DATA_HEADER
                | Anomalies::SETUP_VALUE
                | Anomalies::ERROR_MISMATCH),
            Conformance::OUT_OF_SPEC,
        ),
        (A(Anomalies::REASSEMBLY_TOO_LONG), Conformance::OVERSIZE),
        (A(Anomalies::PLUS_INTEGRITY), Conformance::CHECKSUM),
        (
            A(Anomalies::UNEXPECTED_FRAGMENT | Anomalies::REASSEMBLY_EVICTED)
                | !A(Anomalies::all()),
            Conformance::OTHER,
        ),
    ];
    super::super::conformance(bits, &table)
}

/// The action and marks of a classification: what detection keys on.
///
/// Access kinds map one to one where `Action` has the kind (read, write, program
/// download and upload, mode change, identification as `Discovery`, diagnostics, time);
/// security (passwords, InitSsl) and configuration are `Config`; connection set-up is
/// `Other` marked `SESSION`. A mode transition the CPU reports is `Diagnostic` (a report,
/// not a request); block insert and delete are marked `MODIFIES_PROGRAM`.
pub fn action(c: &Classification<'_>) -> (Action, Marks) {
    let action = match (c.operation, c.access) {
        (Some(Operation::ModeTransition), _) => Action::Diagnostic,
        (Some(Operation::PlcStop | Operation::PlcStart | Operation::MemoryReset), _) => {
            Action::ModeChange
        }
        (_, Access::Read) => Action::Read,
        (_, Access::Write) => Action::Write,
        (_, Access::ProgramDownload) => Action::ProgramDownload,
        (_, Access::ProgramUpload) => Action::ProgramUpload,
        (_, Access::ModeChange) => Action::ModeChange,
        (_, Access::Identification) => Action::Discovery,
        (_, Access::Diagnostic) => Action::Diagnostic,
        (_, Access::TimeSync) => Action::TimeSync,
        (_, Access::Security | Access::Config) => Action::Config,
        _ => Action::Other,
    };
    let mut marks = Marks::NONE;
    if c.access == Access::Session {
        marks |= Marks::SESSION;
    }
    if matches!(
        c.operation,
        Some(Operation::InsertBlock | Operation::DeleteBlock)
    ) {
        marks |= Marks::MODIFIES_PROGRAM;
    }
    (action, marks)
}

/// Whether `pdu` asks for an answer: a job, or a userdata request.
pub(crate) fn is_request(pdu: &Pdu<'_>) -> bool {
    match &pdu.body {
        Body::Job(_) => true,
        Body::Userdata(u) => matches!(
            u.params.kind,
            UserdataType::Request | UserdataType::NcRequest
        ),
        _ => pdu.header.rosctr == Rosctr::Job,
    }
}

/// SZL lists that read the CPU's state: LEDs (0x19, 0x74) and its mode (0x24).
const fn reads_state(szl: u16) -> bool {
    matches!(szl & 0xFF, 0x19 | 0x24 | 0x74)
}

/// The event target of an S7ANY range: space `Other(area code)`, the byte address (for
/// data blocks `db << 16 | byte`), the bytes spanned.
fn target(t: &classify::Target) -> Target {
    let db_area = matches!(t.area, Area::DataBlocks | Area::InstanceDataBlocks);
    let start = if db_area {
        u32::from(t.db) << 16 | t.start.min(0xFFFF)
    } else {
        t.start
    };
    let count = t.bytes.map_or(1, |b| u32::try_from(b).unwrap_or(u32::MAX));
    Target::new(Space::Other(u16::from(t.area.value())), start, count)
}

/// The action an answer's function implies when its job was not seen.
fn action_of_function(f: u8) -> Action {
    match f {
        0x04 => Action::Read,
        0x05 => Action::Write,
        0x1A..=0x1C => Action::ProgramDownload,
        0x1D..=0x1F => Action::ProgramUpload,
        0x28 => Action::Config,
        0x29 => Action::ModeChange,
        _ => Action::Other,
    }
}

/// Fills `ev` from an S7comm PDU; `request` is the job an answer answers, when the caller
/// paired them.
pub(crate) fn s7comm(ev: &mut Event<'_>, pdu: &Pdu<'_>, request: Option<Pending>) {
    let c = classify::classify(pdu);
    let (mut action, mut marks) = action(&c);
    if super::state::is_memory_reset(pdu) {
        // PI `_MSRST` is a memory reset as programmer command 12 is.
        action = Action::ModeChange;
    }
    ev.transaction = Some(u32::from(pdu.header.pdu_ref));
    ev.action = action;
    ev.function = pdu.function().map_or(0, |f| u16::from(f.value()));
    if let Body::Userdata(u) = &pdu.body {
        ev.function = USERDATA | u16::from(u.params.group.value());
        ev.sub_function = Some(u16::from(u.params.subfunction));
        if u.params.group == FunctionGroup::CpuFunctions
            && u.szl().is_some_and(|(id, _)| reads_state(id))
        {
            marks |= Marks::READS_DEVICE_STATE;
        }
        if u.params.group == FunctionGroup::CpuFunctions && !u.params.is_response() {
            // SZL reads are judged against the clients seen making them (S7State).
            marks |= Marks::BASELINED;
        }
        if let Some(e) = u.params.ext.filter(|e| e.error.value() != 0) {
            ev.outcome = Outcome::Exception(e.error.value());
        }
        if u.params.kind == UserdataType::Push {
            // A push (mode transition, alarm, cyclic data) answers no request.
            ev.transaction = None;
        }
    }
    ev.marks = marks;
    let mut ts = c.targets().map(|t| target(&t));
    ev.targets = match (ts.next(), ts.next()) {
        (Some(a), Some(b)) => Targets::two(a, b),
        (Some(a), None) => Targets::one(a),
        _ => Targets::NONE,
    };
    if let Some(e) = pdu.error().filter(|e| !e.is_ok()) {
        ev.outcome = Outcome::Exception(u16::from(e.class.value()) << 8 | u16::from(e.code));
    }
    match request {
        Some(req) => {
            ev.action = req.action;
            ev.marks |= req.marks;
            ev.targets = req.targets;
            if ev.function == 0 {
                ev.function = req.function;
            }
            if ev.sub_function.is_none() {
                ev.sub_function = req.sub;
            }
        }
        None if matches!(pdu.body, Body::Response(_)) => {
            ev.action = action_of_function(pdu.function().map_or(0, |f| f.value()));
        }
        None => {}
    }
}

/// Fills `ev` from an S7comm-plus PDU; `request` is the request a response answers, when
/// the caller paired them.
pub(crate) fn plus(ev: &mut Event<'_>, pdu: &PlusPdu<'_>, request: Option<Pending>) {
    let c = classify::classify_plus(pdu);
    let (action, marks) = action(&c);
    ev.action = if super::state::sets_operating_state(pdu) {
        Action::ModeChange
    } else {
        action
    };
    ev.marks = marks;
    ev.transaction = pdu.sequence.map(u32::from);
    ev.function = pdu
        .function
        .map_or(PLUS | u16::from(pdu.opcode.value()), |f| f.value());
    if let Some(req) = request {
        ev.action = req.action;
        ev.marks |= req.marks;
        ev.targets = req.targets;
    }
}
