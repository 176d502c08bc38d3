//! DNP3 application fragments to events (IEEE 1815-2012 §4.2.2 application header and
//! object headers, §4.4 function semantics): the event of one fragment, request/response
//! pairing by application sequence number, targets and values from the object headers.

use otwire_dnp3::{AnalogValue, Anomalies, Apdu, FunctionCode, Iin, Parsed, Range, Value};

use crate::event::{
    Action, Conformance, Direction, Event, Marks, Meta, Outcome, Protocol, Space, Target, Targets,
    Values,
};
use crate::protocol::unparsed;

/// Objects walked per header to find the index span of prefixed objects.
const MAX_POINTS_WALKED: usize = 256;
/// Requests remembered per connection for pairing.
pub const PENDING: usize = 16;

/// The outstation and master link addresses of a frame from `source` to `destination`.
pub(crate) fn stations(dir: Direction, source: u16, destination: u16) -> (u16, Option<u16>) {
    match dir {
        Direction::Request => (destination, Some(source)),
        Direction::Response => (source, Some(destination)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Pending {
    /// (outstation, application sequence number).
    key: (u16, u8),
    action: Option<Action>,
    targets: Targets,
}

/// The last [`PENDING`] requests of a connection, made at the first request.
#[derive(Debug, Default)]
pub(crate) struct PendingRing {
    slots: Option<Box<[Pending; PENDING]>>,
    next: u8,
}

impl PendingRing {
    fn put(&mut self, key: (u16, u8), action: Action, targets: Targets) {
        let ring = self
            .slots
            .get_or_insert_with(|| Box::new([Pending::default(); PENDING]));
        // A repeat of a key replaces it (a retried request).
        let i = ring
            .iter()
            .position(|p| p.action.is_some() && p.key == key)
            .unwrap_or(usize::from(self.next) % PENDING);
        if let Some(slot) = ring.get_mut(i) {
            *slot = Pending {
                key,
                action: Some(action),
                targets,
            };
        }
        if i == usize::from(self.next) % PENDING {
            self.next = ((i + 1) % PENDING) as u8;
        }
    }

    fn take(&mut self, key: (u16, u8)) -> Option<(Action, Targets)> {
        let slot = self
            .slots
            .as_mut()?
            .iter_mut()
            .find(|p| p.action.is_some() && p.key == key)?;
        let p = core::mem::take(slot);
        Some((p.action?, p.targets))
    }
}

/// The event of one application fragment sent from link address `source` to
/// `destination`, and the fragment parsed (once), paired with its request.
pub(crate) fn fragment_event<'a>(
    pending: &mut PendingRing,
    meta: Meta,
    dir: Direction,
    source: u16,
    destination: u16,
    bytes: &'a [u8],
) -> (Event<'a>, Option<Parsed<Apdu<'a>>>) {
    let mut ev = Event::new(meta, Protocol::Dnp3, dir);
    ev.raw = bytes;
    (ev.unit, ev.station) = stations(dir, source, destination);
    if destination >= 0xFFFD {
        ev.marks |= Marks::BROADCAST;
    }
    let p = match Apdu::parse(bytes) {
        Ok(p) => p,
        Err(_) => {
            ev.function = bytes.get(1).map_or(0, |&b| u16::from(b));
            return (
                unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, 0),
                None,
            );
        }
    };
    let apdu = p.pdu;
    let parsed = Some(p);
    ev.function = u16::from(apdu.function.value());
    ev.anomalies = u64::from(p.anomalies.bits());
    ev.conformance = conformance(u64::from(p.anomalies.bits()));
    let c = otwire_dnp3::classify(&apdu);
    let (targets, values, vt) = objects(&apdu);
    ev.targets = targets;
    ev.values = values;
    ev.values_target = vt;
    let key = (ev.unit, apdu.control.seq);
    if apdu.is_response() {
        if let Some(iin) = apdu.iin {
            let bad =
                iin & (Iin::NO_FUNC_CODE_SUPPORT | Iin::OBJECT_UNKNOWN | Iin::PARAMETER_ERROR);
            if !bad.is_empty() {
                ev.outcome = Outcome::Exception(bad.bits());
            }
        }
        let paired = if apdu.function == FunctionCode::Response && apdu.control.fir {
            pending.take(key)
        } else {
            None
        };
        match paired {
            Some((action, targets)) => {
                ev.action = action;
                if ev.targets.is_empty() {
                    ev.targets = targets;
                }
            }
            None => {
                ev.action = if apdu.objects.is_empty() {
                    Action::Other
                } else {
                    Action::Read
                };
            }
        }
        return (ev, parsed);
    }
    ev.action = action(c.action);
    if apdu.function == FunctionCode::Confirm {
        ev.marks |= Marks::SESSION;
    }
    ev.sub_function = { apdu.objects }.next().map(|h| u16::from(h.group));
    if apdu.function != FunctionCode::Confirm && dir == Direction::Request {
        pending.put(key, ev.action, ev.targets);
    }
    (ev, parsed)
}

/// The neutral action of a DNP3 classification.
pub fn action(a: otwire_dnp3::Action) -> Action {
    use otwire_dnp3::Action as A;
    match a {
        A::Read | A::Response => Action::Read,
        A::Write => Action::Write,
        A::Command => Action::Command,
        A::Restart => Action::Restart,
        A::ModeChange => Action::ModeChange,
        A::Discovery => Action::Discovery,
        A::TimeSync => Action::TimeSync,
        A::FileTransfer => Action::FileTransfer,
        A::Config => Action::Config,
        _ => Action::Other,
    }
}

/// The address space of an object group (IEEE 1815-2012 object library).
pub fn space(group: u8) -> Space {
    match group {
        1..=4 => Space::DiscreteInputs,
        10..=13 => Space::Coils,
        30..=34 => Space::InputRegisters,
        40..=43 => Space::HoldingRegisters,
        70 => Space::Files,
        g => Space::Other(u16::from(g)),
    }
}

fn analog(v: AnalogValue) -> i64 {
    match v {
        AnalogValue::I16(x) => i64::from(x),
        AnalogValue::I32(x) => i64::from(x),
        AnalogValue::F32(x) => f64::from(x).round() as i64,
        AnalogValue::F64(x) => x.round() as i64,
    }
}

/// Up to two distinct targets and the values of a single analog point.
fn objects<'a>(apdu: &Apdu<'a>) -> (Targets, Values<'a>, u8) {
    let mut ts: [Option<Target>; 2] = [None, None];
    let mut values = Values::None;
    let mut vt = 0u8;
    for h in apdu.objects {
        let sp = space(h.group);
        let t = match h.range {
            Range::StartStop { start, stop } => {
                Target::new(sp, start, stop.saturating_sub(start).saturating_add(1))
            }
            Range::Address(a) => Target::new(sp, a, 1),
            Range::All => Target::new(sp, 0, 0),
            Range::Count(_) => {
                let mut lo = u32::MAX;
                let mut hi = 0u32;
                for p in h.points().take(MAX_POINTS_WALKED) {
                    lo = lo.min(p.index);
                    hi = hi.max(p.index);
                }
                if lo == u32::MAX {
                    Target::new(sp, 0, 0)
                } else {
                    Target::new(sp, lo, (hi - lo).saturating_add(1))
                }
            }
        };
        let slot = match ts {
            [None, _] => 0usize,
            [Some(a), _] if a == t => continue,
            [Some(_), None] => 1,
            [Some(_), Some(_)] => break,
        };
        if values.is_empty() && h.range.count() == 1 {
            if let Some(p) = h.points().next() {
                let v = match p.value {
                    Value::AnalogOutput { value, .. } => Some(analog(value)),
                    Value::Analog { value, .. } if apdu.is_response() => Some(analog(value)),
                    _ => None,
                };
                if let Some(v) = v {
                    values = Values::Single(v);
                    vt = slot as u8;
                }
            }
        }
        if let Some(s) = ts.get_mut(slot) {
            *s = Some(t);
        }
    }
    let targets = match ts {
        [Some(a), Some(b)] => Targets::two(a, b),
        [Some(a), None] => Targets::one(a),
        _ => Targets::NONE,
    };
    (targets, values, vt)
}

/// The neutral conformance findings of DNP3 anomaly bits (transport sequence bits are
/// judged by [`Dnp3State`](super::Dnp3State), not here).
pub(crate) fn conformance(bits: u64) -> Conformance {
    const A: fn(Anomalies) -> u64 = |a| u64::from(a.bits());
    let table = [
        (
            A(Anomalies::BAD_HEADER_CRC | Anomalies::BAD_DATA_CRC),
            Conformance::CHECKSUM,
        ),
        (
            A(Anomalies::LINK_LENGTH_MISMATCH | Anomalies::TRUNCATED_OBJECTS),
            Conformance::LENGTH,
        ),
        (
            A(Anomalies::UNKNOWN_FUNCTION
                | Anomalies::UNKNOWN_LINK_FUNCTION
                | Anomalies::UNKNOWN_OBJECT),
            Conformance::UNKNOWN_FUNCTION,
        ),
        (
            A(Anomalies::LINK_CONTROL_BITS
                | Anomalies::APP_CONTROL_BITS
                | Anomalies::IIN_RESERVED
                | Anomalies::QUALIFIER_RESERVED_BIT
                | Anomalies::RESERVED_SOURCE_ADDRESS),
            Conformance::RESERVED,
        ),
        (
            A(Anomalies::INVALID_QUALIFIER
                | Anomalies::INVALID_RANGE
                | Anomalies::UNEXPECTED_OBJECTS),
            Conformance::OUT_OF_SPEC,
        ),
        (
            A(Anomalies::TOO_MANY_HEADERS | Anomalies::FRAGMENT_TOO_LONG),
            Conformance::OVERSIZE,
        ),
    ];
    crate::protocol::conformance(bits, &table)
}
