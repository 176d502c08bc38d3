//! IEC 60870-5-104 state machine (§5.1 N(S)/N(R), §5.3 STARTDT/STOPDT; IEC 60870-5-101
//! §7.2.6 select/execute of commands), run by
//! [`Transactions`](crate::detectors::Transactions) as a [`StateExtension`]. The ATT&CK
//! rows are the IEC 104 column of `../shared/attack/INDICATORS.md`. Every rule reads the
//! parsed APDU in the event's detail; none re-decodes bytes.

use otwire_iec104::classify::{self, Step};
use otwire_iec104::session::{Session, SessionConfig, SessionEvents};
use otwire_iec104::{Apci, Asdu, UFunction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::U_FRAME;
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::Config;
use crate::detector::Sink;
use crate::detectors::{StateExtension, load, save};
use crate::event::{Direction, Endpoint, Event, Ip, Marks, Protocol};
use crate::table::{BoundedMap, TableStats};

/// Connections whose sequence numbers are tracked at most (a [`Session`] holds two rings
/// of 64 timestamps, about 1 KiB).
pub const MAX_SESSIONS: usize = 4_096;
/// A select is valid for its execute this long (µs).
const SELECT_US: u64 = 30_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct FlowKey {
    client: Endpoint,
    server: Endpoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct PointKey {
    client: Ip,
    server: Ip,
    ca: u16,
    ioa: u32,
    type_id: u16,
}

/// What was learned about who does what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Known {
    /// A controlling station that commands a station with select before execute, by
    /// (client, server, common address, type).
    SelectUser(Ip, Ip, u16, u16),
    /// A controlling station that sends interrogations.
    Interrogator(Ip),
    /// A controlling station that sends STOPDT.
    Stopper(Ip),
}

/// IEC 104 protocol state, reported after learning:
/// - N(S) not the sender's V(S) (frames lost, injected or replayed: T0830
///   Adversary-in-the-Middle), N(R) acknowledging frames never sent (T0856 Spoof Reporting
///   Message), from the `otwire-iec104` session tracker of each connection;
/// - STARTDT / STOPDT act from the controlled station (STOPDT: T0804 Block Reporting
///   Message; STARTDT: T0856), STOPDT act from a controlling station that never sent one
///   while learning (T0804);
/// - monitor-direction data (types 1-40, e.g. spontaneous COT 3) sent by the controlling
///   station (T0856);
/// - an execute (S/E = 0) with no select of the same type and IOA in the last 30 s, from
///   a controlling station that used select-before-execute with that type on that station
///   while learning (T0855 Unauthorized Command Message);
/// - a general interrogation to the global common address 0xFFFF from a station that never
///   interrogated while learning (T0888 Remote System Information Discovery).
#[derive(Debug, Clone)]
pub struct Iec104State {
    sessions: BoundedMap<FlowKey, Session>,
    selects: BoundedMap<PointKey, u64>,
    known: BoundedMap<Known, ()>,
}

impl Iec104State {
    /// A state machine with at most [`MAX_SESSIONS`] connections and
    /// `config.caps.transactions` selects and learned facts.
    pub fn new(config: &Config) -> Self {
        let cap = config.caps.transactions;
        Self {
            sessions: BoundedMap::new(cap.min(MAX_SESSIONS)),
            selects: BoundedMap::new(cap),
            known: BoundedMap::new(cap),
        }
    }

    fn learn(&mut self, k: Known) {
        let _ = self.known.get_or_insert_with(k, || ());
    }
}

fn report(
    sink: &mut Sink,
    ev: &Event<'_>,
    t: &'static Technique,
    sev: Severity,
    reason: &'static str,
    what: String,
) {
    let mut f = Finding::new(ev, t, sev, 0.7, what)
        .because(reason)
        .with("function", ev.function);
    if let Some(c) = ev.sub_function {
        f = f.with("cause", c);
    }
    sink.report(f);
}

impl Iec104State {
    /// N(S) / N(R) and STARTDT / STOPDT sides from the connection's session tracker.
    fn sequence(&mut self, ev: &Event<'_>, apci: Apci, sink: &mut Sink) {
        let side = match ev.direction {
            Direction::Request => otwire_iec104::Direction::Control,
            Direction::Response => otwire_iec104::Direction::Monitor,
        };
        let key = FlowKey {
            client: ev.flow.client,
            server: ev.flow.server,
        };
        let config = SessionConfig {
            assume_started: true,
            ..SessionConfig::default()
        };
        let found = self
            .sessions
            .get_or_insert_with(key, || Session::new(config))
            .map(|(s, _)| s.observe(ev.ts, side, &apci))
            .unwrap_or_default();
        if sink.is_learning() {
            return;
        }
        let (src, dst) = (ev.src(), ev.dst());
        if found.contains(SessionEvents::SEND_SEQUENCE_ERROR) {
            report(
                sink,
                ev,
                &catalog::T0830,
                Severity::Medium,
                "send_sequence_gap",
                format!("iec104 N(S) from {src} to {dst} breaks the sequence"),
            );
        }
        if found.contains(SessionEvents::ACK_INVALID) {
            report(
                sink,
                ev,
                &catalog::T0856,
                Severity::Medium,
                "invalid_ack",
                format!("iec104 N(R) from {src} to {dst} acknowledges frames never sent"),
            );
        }
        if found.contains(SessionEvents::U_WRONG_SIDE) {
            if apci == Apci::U(UFunction::StopDtAct) {
                report(
                    sink,
                    ev,
                    &catalog::T0804,
                    Severity::High,
                    "stopdt_from_controlled_station",
                    format!("controlled station {src} stops data transfer to {dst}"),
                );
            } else {
                report(
                    sink,
                    ev,
                    &catalog::T0856,
                    Severity::Medium,
                    "startdt_from_controlled_station",
                    format!("controlled station {src} sends STARTDT act to {dst}"),
                );
            }
        }
    }

    /// STOPDT act from a controlling station never seen sending one while learning (T0804).
    fn stopdt(&mut self, ev: &Event<'_>, apci: Apci, sink: &mut Sink) {
        if apci != Apci::U(UFunction::StopDtAct) || ev.direction != Direction::Request {
            return;
        }
        let client = ev.flow.client.ip;
        if sink.is_learning() {
            self.learn(Known::Stopper(client));
        } else if !self.known.contains(&Known::Stopper(client)) {
            report(
                sink,
                ev,
                &catalog::T0804,
                Severity::Medium,
                "unexpected_stopdt",
                format!(
                    "{} stops data transfer from {}, never seen while learning",
                    ev.src(),
                    ev.dst()
                ),
            );
        }
    }

    /// Monitor-direction data (types 1-40) from the controlling station (T0856).
    fn monitor_data(ev: &Event<'_>, t: u16, sink: &mut Sink) {
        if !sink.is_learning() {
            report(
                sink,
                ev,
                &catalog::T0856,
                Severity::High,
                "monitor_data_from_controlling_station",
                format!(
                    "controlling station {} sends monitor data (type {t}) to {}",
                    ev.src(),
                    ev.dst()
                ),
            );
        }
    }

    /// A general interrogation to the global address from a station that never
    /// interrogated while learning (T0888).
    fn interrogation(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let client = ev.flow.client.ip;
        if sink.is_learning() {
            self.learn(Known::Interrogator(client));
        } else if ev.marks.contains(Marks::BROADCAST)
            && !self.known.contains(&Known::Interrogator(client))
        {
            report(
                sink,
                ev,
                &catalog::T0888,
                Severity::Medium,
                "broadcast_interrogation",
                format!(
                    "{} interrogates every station behind {} (common address 0xFFFF)",
                    ev.src(),
                    ev.dst()
                ),
            );
        }
    }

    /// Select before execute: an execute with no select of the same type and IOA in the
    /// last 30 s, from a station that selected that type on that station while learning
    /// (T0855).
    fn select_execute(&mut self, ev: &Event<'_>, asdu: &Asdu<'_>, t: u16, sink: &mut Sink) {
        let step = classify::classify_asdu(asdu).step;
        let Some(ioa) = asdu.first_ioa() else { return };
        let client = ev.flow.client.ip;
        let learning = sink.is_learning();
        let point = PointKey {
            client,
            server: ev.flow.server.ip,
            ca: ev.unit,
            ioa: ioa.0,
            type_id: t,
        };
        match step {
            Some(Step::Select) => {
                if learning {
                    self.learn(Known::SelectUser(client, point.server, ev.unit, t));
                }
                if let Some((slot, _)) = self.selects.get_or_insert_with(point, || ev.ts) {
                    *slot = ev.ts;
                }
            }
            Some(Step::Execute) => {
                let selected = self
                    .selects
                    .remove(&point)
                    .is_some_and(|at| ev.ts.saturating_sub(at) <= SELECT_US);
                if !learning
                    && !selected
                    && self
                        .known
                        .contains(&Known::SelectUser(client, point.server, ev.unit, t))
                {
                    let f = Finding::new(
                        ev,
                        &catalog::T0855,
                        Severity::High,
                        0.75,
                        format!(
                            "{} executes a command (type {t}) at IOA {} of station {} on {} without selecting it",
                            ev.src(),
                            ioa.0,
                            ev.unit,
                            ev.dst()
                        ),
                    )
                    .because("execute_without_select")
                    .with("function", t)
                    .with("ioa", ioa.0);
                    sink.report(f);
                }
            }
            _ => {}
        }
    }
}

impl StateExtension for Iec104State {
    fn protocol(&self) -> Protocol {
        Protocol::Iec104
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if !ev.is_parsed() {
            return;
        }
        let Some(p) = ev.iec104().and_then(|m| m.apdu) else {
            return;
        };
        let apci = p.pdu.apci;
        self.sequence(ev, apci, sink);
        if ev.function >= U_FRAME {
            self.stopdt(ev, apci, sink);
            return;
        }
        let t = ev.function;
        if ev.direction == Direction::Response {
            return;
        }
        match t {
            1..=40 => Self::monitor_data(ev, t, sink),
            100 => self.interrogation(ev, sink),
            45..=51 | 58..=64 if ev.sub_function == Some(6) => {
                if let Some(asdu) = &p.pdu.asdu {
                    self.select_execute(ev, asdu, t, sink);
                }
            }
            _ => {}
        }
    }

    fn stats(&self) -> TableStats {
        self.sessions
            .stats()
            .merge(self.selects.stats())
            .merge(self.known.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&(&self.sessions, &self.selects, &self.known))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let (s, p, k) = load(state)?;
        self.sessions = s;
        self.selects = p;
        self.known = k;
        Ok(())
    }
}
