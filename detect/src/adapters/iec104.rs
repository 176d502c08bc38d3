//! IEC 60870-5-104 adapter: `otwire-iec104` APDUs to [`Event`]s (IEC 60870-5-104 §5 APCI,
//! IEC 60870-5-101 §7 ASDU).
//!
//! [`Iec104Adapter::apdu`] takes one APDU (start octet `0x68` to the end of its ASDU, as
//! [`otwire_iec104::split_frame`] or the stream decoder cut it); [`apdu_event`] converts
//! an already parsed one. No pairing state is needed: every ASDU names its station, type,
//! cause and objects.
//!
//! The event's fields:
//! - `unit`: the common address (0 for S and U frames); `marks`: `BROADCAST` for the
//!   global address (0xFFFF with two octets), `SESSION` for S and U frames;
//! - `action`: interrogation, counter interrogation and read (100-102) `Read`; commands
//!   45-47, 51, 58-60, 64 and set-points 48-50, 61-63 `Command`; reset process (105)
//!   `Restart`; clock synchronisation (103) `TimeSync`; file transfer (120-127)
//!   `FileTransfer`; parameters (110-113) `Config`; test and delay acquisition (104, 106,
//!   107) and TESTFR `Diagnostic`; monitor types (1-40) `Read` (reported data); STARTDT,
//!   STOPDT, S frames, end of initialisation and the rest `Other`;
//! - `function`: the type identification for I frames, [`U_FRAME`]` | control octet` for U
//!   frames (0x107 STARTDT act, 0x113 STOPDT act, 0x143 TESTFR act…), [`S_FRAME`] for S
//!   frames; `sub_function`: the cause of transmission (6 bits) of I frames;
//! - `targets`: the information object addresses (first to last), in a space by type
//!   (points `DiscreteInputs`, measurands `InputRegisters`, commands `Coils`, set-points
//!   `HoldingRegisters`, files `Files`, others `Other(type)`); `values`: the value of a
//!   single set-point, command or measurand (floats rounded, normalized values raw);
//! - `outcome`: `Exception(cot octet)` for a negative confirmation (P/N set, or causes
//!   44-47);
//! - `transaction`: `None` (N(S)/N(R) are tracked by
//!   [`Iec104State`](crate::detectors::iec104::Iec104State) from `raw`); `raw`: the APDU.

use otwire_iec104::classify::{self, Action as IecAction};
use otwire_iec104::{
    Anomalies, Apci, Apdu, DoublePointState, Element, Error, InformationObject, Params, Parsed,
    split_frame,
};

use crate::event::{
    Action, Conformance, Direction, Event, Marks, Meta, Outcome, Protocol, Space, Target, Targets,
    Values,
};

/// `function` of a U frame: this bit or'ed with the control octet.
pub const U_FRAME: u16 = 0x100;
/// `function` of an S frame.
pub const S_FRAME: u16 = 0x200;
/// Objects walked to find the address span of an SQ=0 ASDU.
const MAX_OBJECTS_WALKED: usize = 127;

/// Turns IEC 104 APDUs into events with fixed ASDU field sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iec104Adapter {
    params: Params,
}

impl Default for Iec104Adapter {
    fn default() -> Self {
        Self::new()
    }
}

impl Iec104Adapter {
    /// An adapter for standard IEC 104 field sizes ([`Params::IEC104`]: COT 2, CA 2, IOA 3).
    pub const fn new() -> Self {
        Self {
            params: Params::IEC104,
        }
    }

    /// An adapter for non-standard field sizes.
    pub const fn with_params(params: Params) -> Self {
        Self { params }
    }

    /// One APDU. Bytes that do not decode still give an event: `NOT_PROTOCOL` when the
    /// start octet is not 0x68, `MALFORMED` (with `LENGTH` or `OVERSIZE`) otherwise.
    pub fn apdu<'a>(&self, meta: Meta, dir: Direction, bytes: &'a [u8]) -> Event<'a> {
        let mut ev = Event::new(meta, Protocol::Iec104, dir);
        ev.raw = bytes;
        let (frame, rest) = match split_frame(bytes) {
            Ok(x) => x,
            Err(e) => {
                let c = match e {
                    Error::BadStart { .. } => Conformance::NOT_PROTOCOL,
                    Error::TooLong { .. } => Conformance::MALFORMED | Conformance::OVERSIZE,
                    _ => Conformance::MALFORMED | Conformance::LENGTH,
                };
                return unparsed(ev, c, 0);
            }
        };
        let mut ev = match Apdu::parse(&frame, self.params) {
            Ok(p) => apdu_event(meta, dir, &p, bytes),
            Err(_) => {
                ev.function = frame.asdu.first().map_or(0, |&b| u16::from(b));
                unparsed(
                    ev,
                    Conformance::MALFORMED | Conformance::LENGTH,
                    Anomalies::APCI_LENGTH.bits(),
                )
            }
        };
        if !rest.is_empty() {
            ev.conformance |= Conformance::LENGTH;
            ev.anomalies |= Anomalies::TRAILING_BYTES.bits();
        }
        ev
    }
}

fn unparsed(mut ev: Event<'_>, c: Conformance, bits: u64) -> Event<'_> {
    ev.outcome = Outcome::Unparsed;
    ev.conformance |= c;
    ev.anomalies |= bits;
    ev
}

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
pub fn apdu_event<'a>(
    meta: Meta,
    dir: Direction,
    p: &Parsed<Apdu<'a>>,
    raw: &'a [u8],
) -> Event<'a> {
    let mut ev = Event::new(meta, Protocol::Iec104, dir);
    ev.raw = raw;
    ev.anomalies = p.anomalies.bits();
    ev.conformance = conformance(p.anomalies);
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

/// The neutral conformance flags of a set of IEC 104 anomalies.
pub fn conformance(a: Anomalies) -> Conformance {
    let mut c = Conformance::NONE;
    let any = |f: Anomalies| a.intersects(f);
    if any(Anomalies::APCI_LENGTH
        | Anomalies::TRAILING_BYTES
        | Anomalies::TRUNCATED
        | Anomalies::SEGMENT_LENGTH)
    {
        c |= Conformance::LENGTH;
    }
    if any(Anomalies::UNKNOWN_TYPE_ID | Anomalies::U_FUNCTION_INVALID) {
        c |= Conformance::UNKNOWN_FUNCTION;
    }
    if any(Anomalies::APCI_RESERVED_BITS
        | Anomalies::CAUSE_RESERVED
        | Anomalies::QUALIFIER_RESERVED
        | Anomalies::QUALITY_RESERVED_BITS
        | Anomalies::TIME_RESERVED_BITS
        | Anomalies::HEADER_RESERVED)
    {
        c |= Conformance::RESERVED;
    }
    if any(Anomalies::ZERO_COUNT
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
    {
        c |= Conformance::OUT_OF_SPEC;
    }
    if any(Anomalies::FT12_CHECKSUM) {
        c |= Conformance::CHECKSUM;
    }
    c
}

/// The names of IEC 104 anomaly bits (for alert evidence).
pub fn anomaly_names(bits: u64) -> Vec<&'static str> {
    Anomalies::from_bits_truncate(bits).names().collect()
}
