//! DNP3 state machine and matchers (IEEE 1815-2012 §4.4 function semantics, §4.4.3
//! select-before-operate, §4.2.2.4 application sequence numbers, §8.2 transport sequence),
//! run by [`Transactions`](crate::detectors::Transactions) as a [`StateExtension`]. The
//! ATT&CK rows are the DNP3 column of `../shared/attack/INDICATORS.md`. Every rule reads
//! the parsed fragment in the event's detail; none re-decodes bytes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use otwire_dnp3::FunctionCode;

use super::TRANSPORT_SEQUENCE;
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::{self, Config};
use crate::detector::Sink;
use crate::detectors::{StateExtension, load, save, secs};
use crate::event::{Direction, Endpoint, Event, Ip, Marks, Protocol};
use crate::table::{BoundedMap, TableStats};

/// A select is valid for an operate this long (µs); outstations time selects out after a
/// few seconds (§4.4.3, "select timeout"), 30 s is generous.
const SELECT_US: u64 = 30_000_000;
/// Octets of the object data hashed to compare a select with its operate.
const HASHED: usize = 2048;
/// Unsolicited responses are counted per outstation in windows of this many µs.
const STORM_WINDOW_US: u64 = 10_000_000;
/// An unsolicited storm: more than this many in a window, and more than
/// [`STORM_FACTOR`] times the learned per-window maximum.
const STORM_FLOOR: u32 = 100;
/// See [`STORM_FLOOR`].
const STORM_FACTOR: u32 = 4;

/// Unsolicited responses of one outstation: the current window and the learned maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Unsolicited {
    window_start: u64,
    count: u32,
    learned_max: u32,
    fired: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Station {
    client: Ip,
    server: Ip,
    unit: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct FlowKey {
    client: Endpoint,
    server: Endpoint,
    unit: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Select {
    ts: u64,
    seq: u8,
    objects: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct LastRequest {
    ts: u64,
    seq: u8,
    function: u8,
}

/// DNP3 protocol state, reported after learning:
/// - an Operate with no Select of the same objects in the last 30 s, or whose objects
///   differ from the Select's (T0855 Unauthorized Command Message);
/// - a solicited response (first fragment) whose application sequence number is not the
///   last request's, or on a flow where no request was seen (T0856 Spoof Reporting
///   Message);
/// - an unsolicited response from an outstation (server, link address) that sent none
///   while learning (T0856);
/// - transport sequence gaps, repeats and segments without FIR, and a request whose
///   application sequence number goes back on its connection (T0830
///   Adversary-in-the-Middle).
///
/// And single-message matchers (always): Disable Unsolicited (FC 21, T0804 Block Reporting
/// Message), Activate Configuration (FC 31) and file writes (g70 under Write, Open File for
/// writing, Delete File) (T0843 Program Download), Open File for reading (T0845 Program
/// Upload), requests to the broadcast link addresses 0xFFFD-0xFFFF (T0846 Remote System
/// Discovery).
#[derive(Debug, Clone)]
pub struct Dnp3State {
    selects: BoundedMap<Station, Select>,
    requests: BoundedMap<FlowKey, LastRequest>,
    unsolicited: BoundedMap<(Ip, u16), Unsolicited>,
    /// Masters whose application sequence went back while learning.
    backwards: BoundedMap<Station, ()>,
    cfg: config::State,
}

impl Dnp3State {
    /// A state machine with `config.caps.transactions` entries per table.
    pub fn new(config: &Config) -> Self {
        let cap = config.caps.transactions;
        Self {
            selects: BoundedMap::new(cap),
            requests: BoundedMap::new(cap),
            unsolicited: BoundedMap::new(cap),
            backwards: BoundedMap::new(cap),
            cfg: config.state,
        }
    }
}

/// FNV-1a of a fragment's objects (after the control and function octets).
fn objects_hash(raw: &[u8]) -> u64 {
    raw.iter()
        .skip(2)
        .take(HASHED)
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

fn report(
    sink: &mut Sink,
    ev: &Event<'_>,
    t: &'static Technique,
    sev: Severity,
    conf: f32,
    reason: &'static str,
    what: String,
) {
    sink.report(
        Finding::new(ev, t, sev, conf, what)
            .because(reason)
            .with("function", ev.function),
    );
}

/// The file operation mode of an Open File request (g70v3: 1 read, 2 write, 3 append),
/// from the parsed fragment.
fn open_mode(ev: &Event<'_>) -> Option<u16> {
    let apdu = ev.dnp3()?.apdu?.pdu;
    apdu.objects
        .flat_map(|h| h.points())
        .find_map(|p| match p.value {
            otwire_dnp3::Value::File(otwire_dnp3::FileObject::Command { mode, .. }) => Some(mode),
            _ => None,
        })
}

impl Dnp3State {
    /// Single-message matchers (always, learning or not): Disable Unsolicited, Activate
    /// Configuration, file writes and deletes, Open File, broadcast link addresses.
    fn matchers(ev: &Event<'_>, function: FunctionCode, sink: &mut Sink) {
        let (src, dst, unit) = (ev.src(), ev.dst(), ev.unit);
        match function {
            FunctionCode::DisableUnsolicited => report(
                sink,
                ev,
                &catalog::T0804,
                Severity::High,
                0.85,
                "disable_unsolicited",
                format!("{src} disables unsolicited reporting of {dst} (dnp3 outstation {unit})"),
            ),
            FunctionCode::ActivateConfig => report(
                sink,
                ev,
                &catalog::T0843,
                Severity::Critical,
                0.8,
                "activate_config",
                format!("{src} activates a configuration on {dst} (dnp3 outstation {unit})"),
            ),
            FunctionCode::Write if ev.sub_function == Some(70) => report(
                sink,
                ev,
                &catalog::T0843,
                Severity::High,
                0.8,
                "file_write",
                format!("{src} writes file data to {dst} (dnp3 outstation {unit})"),
            ),
            FunctionCode::DeleteFile => report(
                sink,
                ev,
                &catalog::T0843,
                Severity::High,
                0.7,
                "file_delete",
                format!("{src} deletes a file on {dst} (dnp3 outstation {unit})"),
            ),
            FunctionCode::OpenFile => match open_mode(ev) {
                Some(1) => report(
                    sink,
                    ev,
                    &catalog::T0845,
                    Severity::High,
                    0.7,
                    "file_read",
                    format!("{src} opens a file for reading on {dst} (dnp3 outstation {unit})"),
                ),
                Some(2 | 3) => report(
                    sink,
                    ev,
                    &catalog::T0843,
                    Severity::High,
                    0.8,
                    "file_write",
                    format!("{src} opens a file for writing on {dst} (dnp3 outstation {unit})"),
                ),
                _ => {}
            },
            _ => {}
        }
        if ev.marks.contains(Marks::BROADCAST) {
            report(
                sink,
                ev,
                &catalog::T0846,
                Severity::Medium,
                0.6,
                "broadcast",
                format!(
                    "{src} sends dnp3 function {} to broadcast link address {unit:#06x}",
                    ev.function
                ),
            );
        }
    }

    /// Transport sequence gaps, repeats and segments without FIR (T0830), after learning.
    fn transport(ev: &Event<'_>, sink: &mut Sink) {
        let bits = ev.anomalies & u64::from(TRANSPORT_SEQUENCE.bits());
        if bits == 0 || sink.is_learning() {
            return;
        }
        let names: Vec<&str> =
            <super::Dnp3 as crate::protocol::Analyzer>::anomaly_names(bits).collect();
        sink.report(
            Finding::new(
                ev,
                &catalog::T0830,
                Severity::Medium,
                0.5,
                format!(
                    "dnp3 transport sequence broken from {} to {} ({})",
                    ev.src(),
                    ev.dst(),
                    names.join(", ")
                ),
            )
            .because("transport_sequence")
            .with("anomalies", names),
        );
    }

    /// Remembers a select; an operate with no select of the same objects in the last 30 s,
    /// or of other objects, is T0855 (after learning).
    fn select_operate(&mut self, ev: &Event<'_>, function: FunctionCode, seq: u8, sink: &mut Sink) {
        let station = Station {
            client: ev.flow.client.ip,
            server: ev.flow.server.ip,
            unit: ev.unit,
        };
        match function {
            FunctionCode::Select => {
                let s = Select {
                    ts: ev.ts,
                    seq,
                    objects: objects_hash(ev.raw),
                };
                if let Some((slot, _)) = self.selects.get_or_insert_with(station, || s) {
                    *slot = s;
                }
            }
            FunctionCode::Operate => {
                let sel = self.selects.remove(&station);
                if sink.is_learning() {
                    return;
                }
                let (reason, what) = match sel {
                    Some(s) if ev.ts.saturating_sub(s.ts) <= SELECT_US => {
                        if s.objects == objects_hash(ev.raw) {
                            return;
                        }
                        (
                            "operate_differs_from_select",
                            "objects other than it selected",
                        )
                    }
                    _ => ("operate_without_select", "without a select"),
                };
                let f = Finding::new(
                    ev,
                    &catalog::T0855,
                    Severity::High,
                    0.8,
                    format!(
                        "{} operates {} (dnp3 outstation {}) {what}",
                        ev.src(),
                        ev.dst(),
                        ev.unit
                    ),
                )
                .because(reason)
                .with("function", ev.function)
                .with("seq", seq);
                let f = match sel {
                    Some(s) => f
                        .with("select_seq", s.seq)
                        .with("select_age_s", secs(ev.ts.saturating_sub(s.ts))),
                    None => f,
                };
                sink.report(f);
            }
            _ => {}
        }
    }

    /// A request: matchers, the last request of the connection, select / operate.
    fn request(&mut self, ev: &Event<'_>, function: FunctionCode, seq: u8, sink: &mut Sink) {
        if function == FunctionCode::Confirm {
            return;
        }
        Self::matchers(ev, function, sink);
        let last = LastRequest {
            ts: ev.ts,
            seq,
            function: u8::try_from(ev.function).unwrap_or(u8::MAX),
        };
        if let Some((slot, fresh)) = self.requests.get_or_insert_with(flow_key(ev), || last) {
            let prev = core::mem::replace(slot, last);
            if !fresh {
                self.sequence_backwards(ev, prev.seq, seq, sink);
            }
        }
        self.select_operate(ev, function, seq, sink);
    }

    /// A request whose application sequence number is behind the connection's last
    /// request's (by 1 to 7, modulo 16): masters increment it for each new request and
    /// repeat it only on a retry (§4.2.2.4.3), so an old request was played back into the
    /// connection (T0830). A master seen doing it while learning (a tool that repeats a
    /// fixed exchange) is left alone.
    fn sequence_backwards(&mut self, ev: &Event<'_>, last: u8, seq: u8, sink: &mut Sink) {
        let behind = last.wrapping_sub(seq) & 0x0f;
        if !(1..=7).contains(&behind) {
            return;
        }
        let station = Station {
            client: ev.flow.client.ip,
            server: ev.flow.server.ip,
            unit: ev.unit,
        };
        if sink.is_learning() {
            let _ = self.backwards.get_or_insert_with(station, || ());
            return;
        }
        if self.backwards.contains(&station) {
            return;
        }
        report(
            sink,
            ev,
            &catalog::T0830,
            Severity::Medium,
            0.6,
            "application_sequence_backwards",
            format!(
                "{} sends dnp3 request sequence {seq} to {} (outstation {}) after sequence {last}",
                ev.src(),
                ev.dst(),
                ev.unit
            ),
        );
    }

    /// Unsolicited responses: learned per outstation; one never seen while learning is
    /// T0856, a storm past the learned rate T0814.
    fn unsolicited(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let learning = sink.is_learning();
        let key = (ev.flow.server.ip, ev.unit);
        let Some(u) = self.unsolicited.get_mut(&key) else {
            let fresh = Unsolicited {
                window_start: ev.ts,
                count: 1,
                learned_max: 0,
                fired: false,
            };
            if learning {
                let _ = self.unsolicited.get_or_insert_with(key, || fresh);
            } else {
                report(
                    sink,
                    ev,
                    &catalog::T0856,
                    Severity::High,
                    0.6,
                    "unexpected_unsolicited",
                    format!(
                        "{} sends unsolicited dnp3 responses (outstation {}) to {}, never seen while learning",
                        ev.src(),
                        ev.unit,
                        ev.dst()
                    ),
                );
            }
            return;
        };
        if ev.ts.saturating_sub(u.window_start) >= STORM_WINDOW_US {
            if learning {
                u.learned_max = u.learned_max.max(u.count);
            }
            u.window_start = ev.ts;
            u.count = 0;
            u.fired = false;
        }
        u.count = u.count.saturating_add(1);
        let limit = STORM_FLOOR.max(u.learned_max.saturating_mul(STORM_FACTOR));
        if learning || u.fired || u.count <= limit {
            return;
        }
        u.fired = true;
        let (count, learned) = (u.count, u.learned_max);
        sink.report(
            Finding::new(
                ev,
                &catalog::T0814,
                Severity::High,
                0.7,
                format!(
                    "{} sends {count} unsolicited dnp3 responses (outstation {}) in 10 s (learned maximum {learned})",
                    ev.src(),
                    ev.unit
                ),
            )
            .because("unsolicited_storm")
            .with("count", count)
            .with("learned_max", learned),
        );
    }

    /// A solicited response (first fragment) whose sequence number is not the last
    /// request's, or on a connection with no request, is T0856 (after learning).
    fn solicited(&mut self, ev: &Event<'_>, seq: u8, sink: &mut Sink) {
        let window = (self.cfg.pending_secs * 1e6) as u64;
        let (reason, what) = match self.requests.get(&flow_key(ev)) {
            None => (
                "response_without_request",
                String::from("no request was seen"),
            ),
            Some(r) if r.seq != seq && ev.ts.saturating_sub(r.ts) <= window => (
                "response_sequence_mismatch",
                format!("sequence {seq} answers request sequence {}", r.seq),
            ),
            Some(_) => return,
        };
        report(
            sink,
            ev,
            &catalog::T0856,
            Severity::High,
            0.6,
            reason,
            format!(
                "{} sends a dnp3 response (outstation {}) to {}: {what}",
                ev.src(),
                ev.unit,
                ev.dst()
            ),
        );
    }
}

fn flow_key(ev: &Event<'_>) -> FlowKey {
    FlowKey {
        client: ev.flow.client,
        server: ev.flow.server,
        unit: ev.unit,
    }
}

impl StateExtension for Dnp3State {
    fn protocol(&self) -> Protocol {
        Protocol::Dnp3
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        Self::transport(ev, sink);
        if !ev.is_parsed() {
            return;
        }
        let Some(apdu) = ev.dnp3().and_then(|m| m.apdu) else {
            return;
        };
        let (control, function) = (apdu.pdu.control, apdu.pdu.function);
        match (ev.direction, function) {
            (Direction::Request, _) => self.request(ev, function, control.seq, sink),
            (Direction::Response, FunctionCode::UnsolicitedResponse) => self.unsolicited(ev, sink),
            (Direction::Response, FunctionCode::Response) if control.fir && !sink.is_learning() => {
                self.solicited(ev, control.seq, sink)
            }
            _ => {}
        }
    }

    fn stats(&self) -> TableStats {
        self.selects
            .stats()
            .merge(self.requests.stats())
            .merge(self.unsolicited.stats())
            .merge(self.backwards.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&(
            &self.selects,
            &self.requests,
            &self.unsolicited,
            &self.backwards,
        ))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let (s, r, u, b) = load(state)?;
        self.selects = s;
        self.requests = r;
        self.unsolicited = u;
        self.backwards = b;
        Ok(())
    }
}
