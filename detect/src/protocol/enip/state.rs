//! EtherNet/IP and CIP state machine and matchers, run by
//! [`Transactions`](crate::detectors::Transactions) as a [`StateExtension`]. The ATT&CK
//! rows are the EtherNet/IP + CIP column of `../shared/attack/INDICATORS.md`. Every rule
//! reads the parsed message in the event's detail ([`Message`]); none re-decodes bytes.
//! One function per rule.
//!
//! What the generic detectors already give is left to them: mode changes (T0858),
//! restarts (T0816), program download and upload (T0843, T0845) are single-message
//! matches on the action; tag and attribute writes outside the learned client × tag ×
//! range are the allowlist's (T0855, T0836) and the value range's (T0836); a new client
//! is the new-asset detector's (T0848); a ListIdentity sweep over many hosts is the
//! new-asset and rate detectors' (T0846); an I/O stream that stops is the periodicity
//! detector's (T0803 / T0804); malformed PDUs are the conformance detector's (T0866).

use otwire_enip::cip::cm::Triad;
use otwire_enip::cip::{RequestBody, ResponseBody};
use otwire_enip::{Anomalies, Command, IoPacket};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Message;
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::Config;
use crate::detector::Sink;
use crate::detectors::{StateExtension, load, save};
use crate::event::{Action, Direction, Event, Ip, Marks, Protocol};
use crate::table::{BoundedMap, TableStats};

/// Session and connection requests are counted per (client, server) in windows of this
/// many µs.
pub const FLOOD_WINDOW_US: u64 = 10_000_000;
/// A RegisterSession flood: this many RegisterSession requests from one client to one
/// server in a window (T0814).
pub const REGISTER_FLOOD: u16 = 20;
/// A Forward Open flood: this many Forward Open requests from one client to one server in
/// a window (T0814).
pub const FORWARD_OPEN_FLOOD: u16 = 20;
/// The Connection Manager's extended status "no more connections available" (Vol. 1
/// §3-5.6, Table 3-5.29, 0x0113): the target's connections are exhausted.
pub const OUT_OF_CONNECTIONS: u16 = 0x0113;
/// An I/O connection's encapsulation sequence number jumping ahead by more than this many
/// packets is a gap worth reporting (UDP loses a few).
pub const IO_GAP: u32 = 1000;
/// I/O sequence findings are reported at most once per connection in this many µs.
pub const IO_REPORT_US: u64 = 60_000_000;
/// The bytes nmap's `enip-info` script puts in its ListIdentity request's sender context
/// (bytes 4-7, as in `iti_enip_test_listidentity.pcap` frame 6; either half is matched).
pub const NMAP_CONTEXT: [u8; 4] = [0xC1, 0xDE, 0xBE, 0xD1];
/// Anomalies that are the shape of published CIP parser exploits rather than sloppy
/// stacks: paths deeper than any device resolves, Multiple Service Packet offsets outside
/// the body, embedded messages that do not decode, CPF items running past the data
/// (Rockwell and ODVA-stack advisories: ICSA-12-171-01, ICSA-20-063-03, ICSA-22-090-07).
pub const PARSER_BUGS: Anomalies = Anomalies::PATH_TOO_DEEP
    .union(Anomalies::MSP_OFFSET)
    .union(Anomalies::EMBEDDED_MALFORMED)
    .union(Anomalies::CPF_TRUNCATED)
    .union(Anomalies::STATUS_TRUNCATED);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Pair {
    client: Ip,
    server: Ip,
}

/// What was learned about who does what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Known {
    /// A client that identifies a server (List*, Identity reads).
    Identifier(Ip, Ip),
    /// A client that reads a server's Identity status.
    StateReader(Ip, Ip),
    /// A client that browses a server's tags or templates.
    Browser(Ip, Ip),
    /// A client that broadcasts List* requests.
    Broadcaster(Ip),
    /// A client that opens I/O connections (class 0/1) to a server.
    Scanner(Ip, Ip),
}

/// Requests of one (client, server) in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Counter {
    window_start: u64,
    n: u16,
    reported: bool,
}

impl Counter {
    /// Counts one at `ts`; true the first time the window reaches `limit`.
    fn tick(&mut self, ts: u64, limit: u16) -> bool {
        if ts.saturating_sub(self.window_start) >= FLOOD_WINDOW_US {
            *self = Counter {
                window_start: ts,
                ..Counter::default()
            };
        }
        self.n = self.n.saturating_add(1);
        if self.n >= limit && !self.reported {
            self.reported = true;
            return true;
        }
        false
    }
}

/// What is counted per (client, server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct PairState {
    registers: Counter,
    forward_opens: Counter,
    refusals: Counter,
}

/// A CIP connection as its Forward Open reply established it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct IoConn {
    originator: Ip,
    target: Ip,
    ot_id: u32,
    to_id: u32,
    /// Transport class (0/1 I/O, 3 explicit).
    class: u8,
}

/// The sequence state of one I/O stream (source, connection id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct IoSeq {
    last: u32,
    reported_at: Option<u64>,
}

/// EtherNet/IP protocol state, reported after learning unless said otherwise:
/// identification by a client never seen doing it (T0888; the Identity status T0868),
/// tag / template browsing by one (T0861), List* broadcasts and nmap's `enip-info` probe
/// (T0846), RegisterSession and Forward Open floods and a target out of connections
/// (T0814), I/O connections opened by a client never seen scanning that target (T0848),
/// a Forward Close of another originator's connection (T0803, and T0804 for I/O), I/O
/// sequence replays, big gaps and I/O from a host not party to the connection (T0830),
/// CIP shaped like published parser exploits (T0866).
#[derive(Debug, Clone)]
pub struct EnipState {
    known: BoundedMap<Known, ()>,
    pairs: BoundedMap<Pair, PairState>,
    /// Established connections by (target, triad).
    conns: BoundedMap<(Ip, Triad), IoConn>,
    /// Connections by (target, connection id) for I/O packets (both ids).
    ids: BoundedMap<(Ip, u32), (Ip, Triad)>,
    /// I/O streams by (source, connection id).
    streams: BoundedMap<(Ip, u32), IoSeq>,
}

impl EnipState {
    /// A state machine with `config.caps.transactions` entries per table.
    pub fn new(config: &Config) -> Self {
        let cap = config.caps.transactions;
        Self {
            known: BoundedMap::new(cap),
            pairs: BoundedMap::new(cap),
            conns: BoundedMap::new(cap),
            ids: BoundedMap::new(cap),
            streams: BoundedMap::new(cap),
        }
    }

    /// While learning, remembers `k` and says whether it is new; afterwards says whether
    /// it was not learned.
    fn first_or_unlearned(&mut self, k: Known, sink: &Sink) -> bool {
        self.known.first_or_unlearned(k, sink.is_learning())
    }

    /// While learning, remembers `k`; afterwards says whether it was learned.
    fn learned(&mut self, k: Known, sink: &Sink) -> bool {
        self.known.learned(k, sink.is_learning())
    }

    fn pair_state(&mut self, ev: &Event<'_>) -> Option<&mut PairState> {
        self.pairs
            .get_or_insert_with(pair(ev), PairState::default)
            .map(|(s, _)| s)
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
    let mut f = Finding::new(ev, t, sev, 0.75, what)
        .because(reason)
        .with("function", ev.function);
    if let Some(s) = ev.sub_function {
        f = f.with("sub_function", s);
    }
    sink.report(f);
}

const fn pair(ev: &Event<'_>) -> Pair {
    Pair {
        client: ev.flow.client.ip,
        server: ev.flow.server.ip,
    }
}

impl EnipState {
    /// Identification (List*, Identity reads: T0888), Identity status reads (T0868) and
    /// Symbol / Template browsing (T0861): the analyzer marks them `BASELINED`, so that the
    /// single-message matchers leave them here. Reported the first time a client does it
    /// to a server while learning (no baseline yet), and after learning from a client never
    /// seen doing it.
    fn identification(&mut self, ev: &Event<'_>, m: &Message<'_>, sink: &mut Sink) {
        if !ev.marks.contains(Marks::BASELINED) || ev.action != Action::Discovery {
            return;
        }
        let p = pair(ev);
        let browsing = m.decided.as_ref().is_some_and(super::is_browsing);
        if browsing {
            if self.first_or_unlearned(Known::Browser(p.client, p.server), sink) {
                report(
                    sink,
                    ev,
                    &catalog::T0861,
                    Severity::Medium,
                    "tag_browsing",
                    format!("{} browses the tags of {}", ev.src(), ev.dst()),
                );
            }
            return;
        }
        if self.first_or_unlearned(Known::Identifier(p.client, p.server), sink) {
            report(
                sink,
                ev,
                &catalog::T0888,
                Severity::Medium,
                "identification",
                format!("{} reads device identification of {}", ev.src(), ev.dst()),
            );
        }
        if ev.marks.contains(Marks::READS_DEVICE_STATE)
            && self.first_or_unlearned(Known::StateReader(p.client, p.server), sink)
        {
            report(
                sink,
                ev,
                &catalog::T0868,
                Severity::Low,
                "identity_status",
                format!("{} reads the device status of {}", ev.src(), ev.dst()),
            );
        }
    }

    /// A List* request broadcast by a client never seen broadcasting (T0846: the whole
    /// subnet answers who it is).
    fn broadcast(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if !ev.marks.contains(Marks::BROADCAST) || ev.action != Action::Discovery {
            return;
        }
        if self.first_or_unlearned(Known::Broadcaster(ev.flow.client.ip), sink) {
            report(
                sink,
                ev,
                &catalog::T0846,
                Severity::Medium,
                "list_broadcast",
                format!("{} broadcasts an EtherNet/IP List request", ev.src()),
            );
        }
    }

    /// nmap's `enip-info` ListIdentity (its sender context), learning or not (T0846).
    fn nmap_probe(ev: &Event<'_>, m: &Message<'_>, sink: &mut Sink) {
        let Some(pdu) = m.pdu() else { return };
        let ctx = pdu.header.context;
        let nmap =
            ctx.get(..4) == Some(&NMAP_CONTEXT[..]) || ctx.get(4..) == Some(&NMAP_CONTEXT[..]);
        if pdu.header.command != Command::ListIdentity || !nmap {
            return;
        }
        report(
            sink,
            ev,
            &catalog::T0846,
            Severity::Medium,
            "nmap_enip_info",
            format!("{} probes {} with nmap's enip-info", ev.src(), ev.dst()),
        );
    }

    /// [`REGISTER_FLOOD`] RegisterSession or [`FORWARD_OPEN_FLOOD`] Forward Open requests
    /// from one client to one server in a window (T0814: session and connection tables
    /// exhausted).
    fn floods(&mut self, ev: &Event<'_>, m: &Message<'_>, sink: &mut Sink) {
        let register = m.command() == Some(Command::RegisterSession);
        let open = matches!(
            m.deciding_body(),
            Some(RequestBody::ForwardOpen(_) | RequestBody::LargeForwardOpen(_))
        );
        if !register && !open {
            return;
        }
        let learning = sink.is_learning();
        let Some(st) = self.pair_state(ev) else {
            return;
        };
        let (c, limit, reason, what) = if register {
            (
                &mut st.registers,
                REGISTER_FLOOD,
                "register_session_flood",
                "RegisterSession",
            )
        } else {
            (
                &mut st.forward_opens,
                FORWARD_OPEN_FLOOD,
                "forward_open_flood",
                "Forward Open",
            )
        };
        if !c.tick(ev.ts, limit) || learning {
            return;
        }
        report(
            sink,
            ev,
            &catalog::T0814,
            Severity::High,
            reason,
            format!(
                "{} sends {limit} {what} requests to {} within {} s",
                ev.src(),
                ev.dst(),
                FLOOD_WINDOW_US / 1_000_000
            ),
        );
    }

    /// A Forward Open refused because the target has no connections left (T0814).
    fn exhaustion(&mut self, ev: &Event<'_>, m: &Message<'_>, sink: &mut Sink) {
        let refused = matches!(m.response(), Some(ResponseBody::ConnectionError(_)))
            && m.extended_status() == Some(OUT_OF_CONNECTIONS);
        if !refused {
            return;
        }
        let learning = sink.is_learning();
        let Some(st) = self.pair_state(ev) else {
            return;
        };
        if !st.refusals.tick(ev.ts, 1) || learning {
            return;
        }
        report(
            sink,
            ev,
            &catalog::T0814,
            Severity::High,
            "out_of_connections",
            format!("{} has no CIP connections left", ev.src()),
        );
    }

    /// A Forward Open for an I/O connection (class 0/1) from a client never seen opening
    /// one to that target (T0848: a new scanner takes the adapter).
    fn new_scanner(&mut self, ev: &Event<'_>, m: &Message<'_>, sink: &mut Sink) {
        let Some(RequestBody::ForwardOpen(fo) | RequestBody::LargeForwardOpen(fo)) =
            m.deciding_body()
        else {
            return;
        };
        if fo.transport.class() > 1 {
            return;
        }
        let p = pair(ev);
        if !self.learned(Known::Scanner(p.client, p.server), sink) {
            report(
                sink,
                ev,
                &catalog::T0848,
                Severity::High,
                "new_io_scanner",
                format!(
                    "{} opens an I/O connection to {} it never opened while learning",
                    ev.src(),
                    ev.dst()
                ),
            );
        }
    }

    /// A successful Forward Open reply: the connection, for Forward Close and I/O packets.
    fn established(&mut self, ev: &Event<'_>, m: &Message<'_>) {
        let Some(ResponseBody::ForwardOpen(r)) = m.response() else {
            return;
        };
        let target = ev.flow.server.ip;
        let class = m.connection.map_or(1, |c| c.class());
        let c = IoConn {
            originator: ev.flow.client.ip,
            target,
            ot_id: r.ot_connection_id,
            to_id: r.to_connection_id,
            class,
        };
        let key = (target, r.triad);
        if let Some((slot, _)) = self.conns.get_or_insert_with(key, || c) {
            *slot = c;
        }
        for id in [c.ot_id, c.to_id] {
            if let Some((slot, _)) = self.ids.get_or_insert_with((target, id), || key) {
                *slot = key;
            }
        }
    }

    /// A Forward Close request for a connection another host opened (T0803; an I/O
    /// connection's inputs stop too, T0804), learning or not. A successful Forward Close
    /// reply forgets the connection.
    fn forward_close(&mut self, ev: &Event<'_>, m: &Message<'_>, sink: &mut Sink) {
        let triad = match (ev.direction, m.deciding_body(), m.response()) {
            (Direction::Request, Some(RequestBody::ForwardClose(fc)), _) => fc.triad,
            (Direction::Response, _, Some(ResponseBody::ForwardClose(r))) => {
                let key = (ev.flow.server.ip, r.triad);
                if let Some(c) = self.conns.remove(&key) {
                    let _ = self.ids.remove(&(c.target, c.ot_id));
                    let _ = self.ids.remove(&(c.target, c.to_id));
                }
                return;
            }
            _ => return,
        };
        let Some(c) = self.conns.get(&(ev.flow.server.ip, triad)).copied() else {
            return;
        };
        if c.originator == ev.flow.client.ip {
            return;
        }
        let what = format!(
            "{} closes the class {} connection {} opened to {}",
            ev.src(),
            c.class,
            crate::event::ip_from_bytes(c.originator),
            ev.dst()
        );
        report(
            sink,
            ev,
            &catalog::T0803,
            Severity::High,
            "foreign_forward_close",
            what.clone(),
        );
        if c.class <= 1 {
            report(
                sink,
                ev,
                &catalog::T0804,
                Severity::High,
                "foreign_forward_close",
                what,
            );
        }
    }

    /// I/O packets: a sequence number repeated or going back, or jumping ahead by more
    /// than [`IO_GAP`], on one stream; a packet of a known connection from a host that is
    /// neither its originator nor its target (T0830: injected or replayed I/O).
    fn io(&mut self, ev: &Event<'_>, io: &IoPacket<'_>, sink: &mut Sink) {
        let src = ev.src().ip;
        let learning = sink.is_learning();
        let known = [ev.dst().ip, src]
            .iter()
            .find_map(|t| self.ids.get(&(*t, io.conn_id)).copied())
            .and_then(|k| self.conns.get(&k).copied());
        if let Some(c) = known {
            if src != c.originator && src != c.target && !learning {
                report(
                    sink,
                    ev,
                    &catalog::T0830,
                    Severity::High,
                    "io_foreign_source",
                    format!(
                        "{} sends I/O on connection {:#010x} between {} and {}",
                        ev.src(),
                        io.conn_id,
                        crate::event::ip_from_bytes(c.originator),
                        crate::event::ip_from_bytes(c.target)
                    ),
                );
            }
        }
        if !matches!(
            io.cpf.address(),
            Some(otwire_enip::Item::SequencedAddress { .. })
        ) {
            return;
        }
        let Some((st, inserted)) = self
            .streams
            .get_or_insert_with((src, io.conn_id), IoSeq::default)
        else {
            return;
        };
        let prev = st.last;
        st.last = io.seq;
        if inserted || learning {
            return;
        }
        let ahead = io.seq.wrapping_sub(prev) as i32;
        let reason = if ahead <= 0 {
            "io_sequence_replay"
        } else if ahead.unsigned_abs() > IO_GAP {
            "io_sequence_gap"
        } else {
            return;
        };
        if st
            .reported_at
            .is_some_and(|t| ev.ts.saturating_sub(t) < IO_REPORT_US)
        {
            return;
        }
        st.reported_at = Some(ev.ts);
        report(
            sink,
            ev,
            &catalog::T0830,
            Severity::Medium,
            reason,
            format!(
                "I/O connection {:#010x} from {} goes from sequence {prev} to {}",
                io.conn_id,
                ev.src(),
                io.seq
            ),
        );
    }

    /// CIP shaped like published parser exploits ([`PARSER_BUGS`]), learning or not
    /// (T0866).
    fn parser_bugs(ev: &Event<'_>, m: &Message<'_>, sink: &mut Sink) {
        let hit = m.anomalies & PARSER_BUGS;
        if hit.is_empty() || ev.direction != Direction::Request {
            return;
        }
        let names: Vec<&str> = hit.names().collect();
        let f = Finding::new(
            ev,
            &catalog::T0866,
            Severity::High,
            0.8,
            format!(
                "{} sends CIP shaped like a parser exploit to {} ({})",
                ev.src(),
                ev.dst(),
                names.join(", ")
            ),
        )
        .because("cip_parser_exploit")
        .with("anomalies", names);
        sink.report(f);
    }
}

impl StateExtension for EnipState {
    fn protocol(&self) -> Protocol {
        Protocol::Enip
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if !ev.is_parsed() || ev.record_only {
            return;
        }
        let Some(m): Option<&Message<'_>> = ev.enip() else {
            return;
        };
        if let Some(io) = m.io() {
            self.io(ev, io, sink);
            return;
        }
        match ev.direction {
            Direction::Request => {
                Self::parser_bugs(ev, m, sink);
                Self::nmap_probe(ev, m, sink);
                self.broadcast(ev, sink);
                self.identification(ev, m, sink);
                self.floods(ev, m, sink);
                self.new_scanner(ev, m, sink);
                self.forward_close(ev, m, sink);
            }
            Direction::Response => {
                self.exhaustion(ev, m, sink);
                self.established(ev, m);
                self.forward_close(ev, m, sink);
            }
        }
    }

    fn stats(&self) -> TableStats {
        self.known
            .stats()
            .merge(self.pairs.stats())
            .merge(self.conns.stats())
            .merge(self.ids.stats())
            .merge(self.streams.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&(
            &self.known,
            &self.pairs,
            &self.conns,
            &self.ids,
            &self.streams,
        ))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let (k, p, c, i, s) = load(state)?;
        self.known = k;
        self.pairs = p;
        self.conns = c;
        self.ids = i;
        self.streams = s;
        Ok(())
    }
}
