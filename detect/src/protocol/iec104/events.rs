//! IEC 104 APDUs to events (IEC 60870-5-104 §5 APCI, IEC 60870-5-101 §7 ASDU): the event
//! of one parsed APDU, with no connection state (every ASDU names its station, type,
//! cause and objects).

use otwire_iec104::classify::{self, Action as IecAction};
use otwire_iec104::{Anomalies, Apci, Apdu, DoublePointState, Element, InformationObject, Parsed};

use super::{S_FRAME, U_FRAME};
use crate::event::{
    Action, Conformance, Direction, Event, Marks, Meta, Outcome, Protocol, Space, Target, Targets,
    Values,
};

/// Objects walked to find the address span of an SQ=0 ASDU.
const MAX_OBJECTS_WALKED: usize = 127;

/// The neutral action of an IEC 104 classification.
pub fn action(a: IecAction) -> Action {
    match a {
        IecAction::Interrogation
        | IecAction::CounterInterrogation
        | IecAction::Read
        | IecAction::Monitor => Action::Read,
        IecAction::Command | IecAction::Setpoint => Action::Command,
        IecAction::Reset => Action::Restart,
        IecAction::TimeSync => Action::TimeSync,
        IecAction::File => Action::FileTransfer,
        IecAction::Parameter | IecAction::ParameterActivation => Action::Config,
        IecAction::Test | IecAction::DelayAcquisition | IecAction::KeepAlive => Action::Diagnostic,
        _ => Action::Other,
    }
}

/// The address space of a type identification.
pub fn space(type_id: u8) -> Space {
    match type_id {
        1..=4 | 30 | 31 => Space::DiscreteInputs,
        9..=14 | 21 | 34..=36 => Space::InputRegisters,
        45..=47 | 58..=60 => Space::Coils,
        48..=50 | 61..=63 => Space::HoldingRegisters,
        120..=127 => Space::Files,
        t => Space::Other(u16::from(t)),
    }
}

fn value(o: &InformationObject<'_>) -> Option<i64> {
    Some(match o.element {
        Element::SetpointScaled { value, .. } | Element::Scaled { value, .. } => i64::from(value),
        Element::SetpointNormalized { value, .. } | Element::Normalized { value, .. } => {
            i64::from(value.0)
        }
        Element::SetpointFloat { value, .. } | Element::Float { value, .. } => {
            let v = f64::from(value);
            if !v.is_finite() {
                return None;
            }
            v.round() as i64
        }
        Element::SingleCommand { sco, .. } => i64::from(sco.on()),
        Element::DoubleCommand { dco, .. } => i64::from(dco.state() == DoublePointState::On),
        _ => return None,
    })
}

/// The event of one parsed APDU; `raw` is its bytes (for evidence and the session state).
pub(crate) fn apdu_event<'a>(
    meta: Meta,
    dir: Direction,
    p: &Parsed<Apdu<'a>>,
    raw: &'a [u8],
) -> Event<'a> {
    let mut ev = Event::new(meta, Protocol::Iec104, dir);
    ev.raw = raw;
    ev.anomalies = p.anomalies.bits();
    ev.conformance = conformance(p.anomalies.bits());
    let apdu = &p.pdu;
    let c = classify::classify(&apdu.apci, apdu.asdu.as_ref());
    ev.action = action(c.action);
    match apdu.apci {
        Apci::U(f) => {
            ev.function = U_FRAME | u16::from(f.to_octet());
            ev.marks |= Marks::SESSION;
            return ev;
        }
        Apci::S { .. } => {
            ev.function = S_FRAME;
            ev.marks |= Marks::SESSION;
            return ev;
        }
        Apci::I { .. } => {}
    }
    let Some(asdu) = apdu.asdu.as_ref() else {
        return ev;
    };
    let h = asdu.header;
    let t = u8::from(h.type_id);
    ev.function = u16::from(t);
    ev.sub_function = Some(u16::from(u8::from(h.cot.cause)));
    ev.unit = h.common_address.0;
    if h.common_address.is_global(asdu.params) {
        ev.marks |= Marks::BROADCAST;
    }
    if h.cot.negative || h.cot.cause.is_mirror_error() {
        ev.outcome = Outcome::Exception(u16::from(h.cot.to_octet().unwrap_or(0)));
    }
    // Every address received, the one of an object cut short included (TRUNCATED).
    let cut = asdu.truncated_object().map(|c| c.address);
    let mut addresses = asdu.objects().map(|o| o.address).chain(cut);
    let Some(first) = addresses.next() else {
        return ev;
    };
    let sp = space(t);
    let (lo, hi, n) = addresses
        .take(MAX_OBJECTS_WALKED)
        .fold((first.0, first.0, 1u32), |(lo, hi, n), a| {
            (lo.min(a.0), hi.max(a.0), n + 1)
        });
    let count = if h.sq {
        u32::from(h.count).max(n)
    } else {
        (hi - lo).saturating_add(1)
    };
    ev.targets = Targets::one(Target::new(sp, lo, count));
    if n == 1 {
        if let Some(v) = asdu.objects().next().as_ref().and_then(value) {
            ev.values = Values::Single(v);
        }
    }
    ev
}

/// The neutral conformance findings of IEC 104 anomaly bits.
pub(crate) fn conformance(bits: u64) -> Conformance {
    let table = [
        (
            (Anomalies::APCI_LENGTH
                | Anomalies::TRAILING_BYTES
                | Anomalies::TRUNCATED
                | Anomalies::SEGMENT_LENGTH)
                .bits(),
            Conformance::LENGTH,
        ),
        (
            (Anomalies::UNKNOWN_TYPE_ID | Anomalies::U_FUNCTION_INVALID).bits(),
            Conformance::UNKNOWN_FUNCTION,
        ),
        (
            (Anomalies::APCI_RESERVED_BITS
                | Anomalies::CAUSE_RESERVED
                | Anomalies::QUALIFIER_RESERVED
                | Anomalies::QUALITY_RESERVED_BITS
                | Anomalies::TIME_RESERVED_BITS
                | Anomalies::HEADER_RESERVED)
                .bits(),
            Conformance::RESERVED,
        ),
        (
            (Anomalies::ZERO_COUNT
                | Anomalies::SQ_NOT_ALLOWED
                | Anomalies::CAUSE_NOT_ALLOWED
                | Anomalies::WRONG_DIRECTION
                | Anomalies::NEGATIVE_NOT_CONFIRMATION
                | Anomalies::COMMON_ADDRESS_ZERO
                | Anomalies::IOA_NOT_ZERO
                | Anomalies::IOA_OVERFLOW
                | Anomalies::COMMAND_STATE_INVALID
                | Anomalies::FLOAT_NOT_FINITE
                | Anomalies::TIME_OUT_OF_RANGE
                | Anomalies::TEST_PATTERN_INVALID
                | Anomalies::UNEXPECTED_ASDU)
                .bits(),
            Conformance::OUT_OF_SPEC,
        ),
        (Anomalies::FT12_CHECKSUM.bits(), Conformance::CHECKSUM),
    ];
    crate::protocol::conformance(bits, &table)
}
