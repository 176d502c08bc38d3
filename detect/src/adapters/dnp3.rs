//! DNP3 adapter: `otwire-dnp3` link frames and application fragments to [`Event`]s
//! (IEEE 1815-2012: link layer §9.2, transport §8.2, application layer §4.2).
//!
//! [`Dnp3Adapter::frame`] takes one link frame (as `otwire_dnp3::StreamDecoder` or
//! [`otwire_dnp3::split_frame`] cut it), checks its CRCs, reassembles transport segments
//! per flow and returns an event when a fragment completes (or when the frame is bad or
//! breaks the transport sequence). [`Dnp3Adapter::fragment`] takes an application fragment
//! the caller reassembled. Responses take the action and targets of the request with the
//! same application sequence number on the same flow (a capped pairing table).
//!
//! The event's fields:
//! - `unit`: the outstation's link address (the destination of a request, the source of a
//!   response); `station`: the master's link address;
//! - `action`: from [`otwire_dnp3::classify()`] (Read, Command for select / operate / direct
//!   operate / freeze, Restart, ModeChange for start / stop / initialise application,
//!   FileTransfer, Config for assign class, (dis)enable unsolicited, save / activate
//!   configuration, TimeSync, Discovery for g0 reads); solicited responses take their
//!   request's action, unsolicited responses are `Read` (reported data);
//! - `function`: the application function code; `sub_function`: the first object group of
//!   a request;
//! - `targets`: up to two distinct point ranges of the object headers (range qualifiers,
//!   or the lowest to highest index of prefixed objects), `values`: the analog output value
//!   of a single g41 object, or a single analog point's value in a response;
//! - `outcome`: `Exception(iin2)` for a response with IIN2.0-2.2 (function unsupported,
//!   object unknown, parameter error);
//! - `marks`: `BROADCAST` for link destinations 0xFFFD-0xFFFF, `SESSION` for application
//!   Confirm;
//! - `transaction`: `None` (DNP3 sequence state is checked by
//!   [`Dnp3State`](crate::detectors::dnp3::Dnp3State), which reads the application control
//!   from `raw`); `raw`: the application fragment (control octet first).

use otwire_dnp3::{
    AnalogValue, Anomalies, Apdu, Error, FunctionCode, Iin, LinkHeader, Range, Reassembler,
    ReassemblyLimits, Value, split_frame,
};

use crate::event::{
    Action, Conformance, Direction, Endpoint, Event, Marks, Meta, Outcome, Protocol, Space, Target,
    Targets, Values,
};
use crate::table::{BoundedMap, TableStats};

/// Outstanding requests remembered by default.
pub const DEFAULT_PENDING: usize = 65_536;
/// Flows with a transport reassembly in progress remembered by default.
pub const DEFAULT_FLOWS: usize = 4_096;
/// Largest reassembled fragment (octets); longer ones are discarded (`FRAGMENT_TOO_LONG`).
pub const MAX_FRAGMENT: usize = 8_192;
/// Objects walked per header to find the index span of prefixed objects.
const MAX_POINTS_WALKED: usize = 256;

/// Anomaly bits of the transport function (§8.2): sequence gaps, repeats, lost segments.
pub const TRANSPORT_SEQUENCE: Anomalies = Anomalies::SEGMENT_WITHOUT_FIR
    .union(Anomalies::DUPLICATE_SEGMENT)
    .union(Anomalies::OUT_OF_SEQUENCE)
    .union(Anomalies::DROPPED_SEGMENT);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    action: Action,
    targets: Targets,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct PendKey {
    client: Endpoint,
    server: Endpoint,
    outstation: u16,
    seq: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FlowKey {
    client: Endpoint,
    server: Endpoint,
}

/// Turns DNP3 link frames or fragments into events; reassembles transport segments per
/// flow and pairs responses with requests.
#[derive(Debug, Clone)]
pub struct Dnp3Adapter {
    pending: BoundedMap<PendKey, Pending>,
    flows: BoundedMap<FlowKey, Reassembler>,
    fragment: Vec<u8>,
}

impl Default for Dnp3Adapter {
    fn default() -> Self {
        Self::new()
    }
}

impl Dnp3Adapter {
    /// An adapter with the default caps ([`DEFAULT_PENDING`], [`DEFAULT_FLOWS`]).
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_PENDING, DEFAULT_FLOWS)
    }

    /// An adapter remembering `pending` outstanding requests and reassembling on `flows`
    /// flows (each at most 4 fragments of [`MAX_FRAGMENT`] octets in progress).
    pub fn with_capacity(pending: usize, flows: usize) -> Self {
        Self {
            pending: BoundedMap::new(pending),
            flows: BoundedMap::new(flows),
            fragment: Vec::new(),
        }
    }

    /// The pairing and reassembly tables' counters.
    pub fn stats(&self) -> TableStats {
        self.pending.stats().merge(self.flows.stats())
    }

    /// One link frame (start octets to last CRC). Returns an event when the frame completes
    /// an application fragment, when it does not decode (`MALFORMED`, `NOT_PROTOCOL`), when
    /// a CRC fails (`CHECKSUM`: the frame is not reassembled), or when it breaks the
    /// transport sequence (an `Unparsed` event carrying the transport anomaly bits, no
    /// conformance flag). Link-only frames (reset link, link status) give `None`.
    pub fn frame<'s>(
        &'s mut self,
        meta: Meta,
        dir: Direction,
        bytes: &'s [u8],
    ) -> Option<Event<'s>> {
        let mut ev = Event::new(meta, Protocol::Dnp3, dir);
        ev.raw = bytes;
        let (frame, rest) = match split_frame(bytes) {
            Ok(x) => x,
            Err(e) => {
                let c = match e {
                    Error::Malformed { offset: 0 | 1, .. } | Error::Junk { .. } => {
                        Conformance::NOT_PROTOCOL
                    }
                    Error::TooLong { .. } => Conformance::MALFORMED | Conformance::OVERSIZE,
                    Error::BadCrc { .. } => Conformance::MALFORMED | Conformance::CHECKSUM,
                    _ => Conformance::MALFORMED | Conformance::LENGTH,
                };
                return Some(unparsed(ev, c, 0));
            }
        };
        let h = frame.header;
        ev.unit = outstation(dir, &h);
        if h.destination.is_broadcast() {
            ev.marks |= Marks::BROADCAST;
        }
        let crc = Anomalies::BAD_HEADER_CRC | Anomalies::BAD_DATA_CRC;
        if frame.anomalies.intersects(crc) {
            let mut c = Conformance::MALFORMED | Conformance::CHECKSUM;
            if !rest.is_empty() {
                c |= Conformance::LENGTH;
            }
            return Some(unparsed(ev, c, u64::from(frame.anomalies.bits())));
        }
        if frame.user_data_len() == 0 {
            return None;
        }
        let key = FlowKey {
            client: meta.flow.client,
            server: meta.flow.server,
        };
        let limits = ReassemblyLimits {
            max_fragment_size: MAX_FRAGMENT,
            max_reassemblies: 4,
        };
        let (reasm, _) = self
            .flows
            .get_or_insert_with(key, || Reassembler::with_limits(limits))?;
        let pushed = reasm.push_frame(&frame);
        let link_bits = frame.anomalies | pushed.anomalies;
        let Some(fragment) = pushed.fragment else {
            if pushed
                .anomalies
                .intersects(TRANSPORT_SEQUENCE | Anomalies::FRAGMENT_TOO_LONG)
            {
                let mut ev = unparsed(ev, Conformance::NONE, u64::from(link_bits.bits()));
                if pushed.anomalies.contains(Anomalies::FRAGMENT_TOO_LONG) {
                    ev.conformance |= Conformance::OVERSIZE;
                }
                return Some(ev);
            }
            return None;
        };
        self.fragment = fragment.data;
        let mut ev = fragment_event(
            &mut self.pending,
            meta,
            dir,
            h.source.0,
            h.destination.0,
            &self.fragment,
        );
        ev.anomalies |= u64::from(link_bits.bits());
        ev.conformance |= conformance(link_bits);
        if !rest.is_empty() {
            ev.conformance |= Conformance::LENGTH;
        }
        Some(ev)
    }

    /// One application fragment the caller reassembled, sent from link address `source`
    /// to `destination`.
    pub fn fragment<'a>(
        &mut self,
        meta: Meta,
        dir: Direction,
        source: u16,
        destination: u16,
        fragment: &'a [u8],
    ) -> Event<'a> {
        fragment_event(&mut self.pending, meta, dir, source, destination, fragment)
    }
}

fn outstation(dir: Direction, h: &LinkHeader) -> u16 {
    match dir {
        Direction::Request => h.destination.0,
        Direction::Response => h.source.0,
    }
}

fn unparsed(mut ev: Event<'_>, c: Conformance, bits: u64) -> Event<'_> {
    ev.outcome = Outcome::Unparsed;
    ev.conformance |= c;
    ev.anomalies |= bits;
    ev
}

fn fragment_event<'a>(
    pending: &mut BoundedMap<PendKey, Pending>,
    meta: Meta,
    dir: Direction,
    source: u16,
    destination: u16,
    bytes: &'a [u8],
) -> Event<'a> {
    let mut ev = Event::new(meta, Protocol::Dnp3, dir);
    ev.raw = bytes;
    (ev.unit, ev.station) = match dir {
        Direction::Request => (destination, Some(source)),
        Direction::Response => (source, Some(destination)),
    };
    if destination >= 0xFFFD {
        ev.marks |= Marks::BROADCAST;
    }
    let p = match Apdu::parse(bytes) {
        Ok(p) => p,
        Err(_) => {
            ev.function = bytes.get(1).map_or(0, |&b| u16::from(b));
            return unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, 0);
        }
    };
    let apdu = p.pdu;
    ev.function = u16::from(apdu.function.value());
    ev.anomalies = u64::from(p.anomalies.bits());
    ev.conformance = conformance(p.anomalies);
    let c = otwire_dnp3::classify(&apdu);
    let (targets, values, vt) = objects(&apdu);
    ev.targets = targets;
    ev.values = values;
    ev.values_target = vt;
    let key = PendKey {
        client: meta.flow.client,
        server: meta.flow.server,
        outstation: ev.unit,
        seq: apdu.control.seq,
    };
    if apdu.is_response() {
        if let Some(iin) = apdu.iin {
            let bad =
                iin & (Iin::NO_FUNC_CODE_SUPPORT | Iin::OBJECT_UNKNOWN | Iin::PARAMETER_ERROR);
            if !bad.is_empty() {
                ev.outcome = Outcome::Exception(bad.bits());
            }
        }
        let paired = if apdu.function == FunctionCode::Response && apdu.control.fir {
            pending.remove(&key)
        } else {
            None
        };
        match paired {
            Some(req) => {
                ev.action = req.action;
                if ev.targets.is_empty() {
                    ev.targets = req.targets;
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
        return ev;
    }
    ev.action = action(c.action);
    if apdu.function == FunctionCode::Confirm {
        ev.marks |= Marks::SESSION;
    }
    ev.sub_function = { apdu.objects }.next().map(|h| u16::from(h.group));
    if apdu.function != FunctionCode::Confirm && dir == Direction::Request {
        let req = Pending {
            action: ev.action,
            targets: ev.targets,
        };
        if let Some((slot, _)) = pending.get_or_insert_with(key, || req) {
            *slot = req;
        }
    }
    ev
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

/// The neutral conformance flags of a set of DNP3 anomalies (transport sequence bits are
/// judged by [`Dnp3State`](crate::detectors::dnp3::Dnp3State), not here).
pub fn conformance(a: Anomalies) -> Conformance {
    let mut c = Conformance::NONE;
    let any = |f: Anomalies| a.intersects(f);
    if any(Anomalies::BAD_HEADER_CRC | Anomalies::BAD_DATA_CRC) {
        c |= Conformance::CHECKSUM;
    }
    if any(Anomalies::LINK_LENGTH_MISMATCH | Anomalies::TRUNCATED_OBJECTS) {
        c |= Conformance::LENGTH;
    }
    if any(Anomalies::UNKNOWN_FUNCTION
        | Anomalies::UNKNOWN_LINK_FUNCTION
        | Anomalies::UNKNOWN_OBJECT)
    {
        c |= Conformance::UNKNOWN_FUNCTION;
    }
    if any(Anomalies::LINK_CONTROL_BITS
        | Anomalies::APP_CONTROL_BITS
        | Anomalies::IIN_RESERVED
        | Anomalies::QUALIFIER_RESERVED_BIT
        | Anomalies::RESERVED_SOURCE_ADDRESS)
    {
        c |= Conformance::RESERVED;
    }
    if any(Anomalies::INVALID_QUALIFIER | Anomalies::INVALID_RANGE | Anomalies::UNEXPECTED_OBJECTS)
    {
        c |= Conformance::OUT_OF_SPEC;
    }
    if any(Anomalies::TOO_MANY_HEADERS | Anomalies::FRAGMENT_TOO_LONG) {
        c |= Conformance::OVERSIZE;
    }
    c
}

/// The names of DNP3 anomaly bits (for alert evidence).
pub fn anomaly_names(bits: u64) -> Vec<&'static str> {
    let a = Anomalies::from_bits_truncate(u32::try_from(bits & u64::from(u32::MAX)).unwrap_or(0));
    a.names().collect()
}
