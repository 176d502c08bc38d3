//! S7comm and S7comm-plus state machine and matchers, run by
//! [`Transactions`](crate::detectors::Transactions) as a [`StateExtension`]. The ATT&CK
//! rows are the S7comm column of `../shared/attack/INDICATORS.md`; the mapping of each
//! rule is in detect's README. Every rule reads the parsed message in the event's detail
//! ([`Message`]); none re-decodes bytes. One function per rule.

use otwire_s7::szl::SzlRecord;
use otwire_s7::{
    Area, Body, CpuMode, FunctionGroup, Job, Message as S7Message, Opcode, Pdu, PiKind,
    PlusFunction, PlusPdu, Tpdu, Userdata, UserdataBody, subfunction,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Message, USERDATA};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::Config;
use crate::detector::Sink;
use crate::detectors::{StateExtension, load, save};
use crate::event::{Action, Direction, Endpoint, Event, Ip, Marks, Outcome, Protocol};
use crate::table::{BoundedMap, TableStats};

mod plus;
pub(crate) use plus::sets_operating_state;

/// Password attempts are counted per (client, server) in windows of this many µs.
pub const PASSWORD_WINDOW_US: u64 = 60_000_000;
/// A password burst: this many refused passwords in one window (T0812); a password
/// accepted after at least this many refusals in the window is T0859.
pub const PASSWORD_BURST: u16 = 3;
/// Called TSAPs are counted per (client, server) in windows of this many µs.
pub const TSAP_WINDOW_US: u64 = 60_000_000;
/// A TSAP sweep: this many distinct called TSAPs in one window (T0846).
pub const TSAP_SWEEP: usize = 4;
/// S7comm-plus connections remembered per server to tell a connection's first request.
pub const PLUS_CLIENTS: usize = 8;
/// S7comm-plus object id of the CPU's execution unit (`theCPUexecUnit_Rid`, 52), whose
/// attribute `operatingStateREQ` (2167) a SetVariable writes to stop or start the CPU
/// (public S7comm-plus research; names as in the public dissector's id tables).
pub const PLUS_CPU_EXEC_UNIT: u32 = 52;
/// S7comm-plus attribute `CPUexecUnit.operatingStateREQ`.
pub const PLUS_OPERATING_STATE_REQ: u32 = 2167;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Pair {
    client: Ip,
    server: Ip,
}

/// What was learned about who does what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Known {
    /// A client that lists blocks or reads block information (userdata group 3).
    BlockLister(Ip, Ip),
    /// A client that explores the S7comm-plus object tree.
    Explorer(Ip, Ip),
    /// A client that forces variables (programmer command 9).
    Forcer(Ip, Ip),
    /// A client that writes an area of the process image / peripherals (area code).
    IoWriter(Ip, Ip, u8),
    /// A client that reads identification SZLs (false) or CPU-state SZLs (true).
    SzlReader(Ip, Ip, bool),
}

/// Refused passwords of one (client, server) in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Attempts {
    window_start: u64,
    refused: u16,
    reported: bool,
}

/// Distinct called TSAPs of one (client, server) in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Tsaps {
    window_start: u64,
    seen: [u16; TSAP_SWEEP],
    len: u8,
    reported: bool,
}

/// What is counted per (client, server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct PairState {
    passwords: Attempts,
    tsaps: Tsaps,
}

/// What is remembered per server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct ServerState {
    /// The user-program checksum of the last SZL 0x0132 index 4 answer.
    checksum: Option<[u8; 4]>,
    /// The last S7comm-plus request: its client and sequence number.
    last_request: Option<Owner>,
    /// The clients of the last [`PLUS_CLIENTS`] S7comm-plus connections (a ring), to tell
    /// a connection's first request.
    plus_clients: [Endpoint; PLUS_CLIENTS],
    /// The next slot of `plus_clients`.
    next: u8,
}

impl ServerState {
    /// Remembers `client` and says whether it was not among the recent connections.
    fn new_plus_client(&mut self, client: Endpoint) -> bool {
        if self.plus_clients.contains(&client) {
            return false;
        }
        let i = usize::from(self.next) % PLUS_CLIENTS;
        if let Some(slot) = self.plus_clients.get_mut(i) {
            *slot = client;
        }
        self.next = ((i + 1) % PLUS_CLIENTS) as u8;
        true
    }
}

/// The connection an S7comm-plus session belongs to and its last sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Owner {
    client: Endpoint,
    sequence: u16,
}

/// S7 protocol state, reported after learning (rules and techniques in detect's README):
/// restarts and memory resets (T0816), mode transitions the CPU announces (T0858,
/// restarts T0816), the user-program checksum of SZL 0x0132 index 4 changing (T0889),
/// block listing and S7comm-plus Explore by a client that never did it (T0861), forcing
/// and writes to the process image by a client that never did it (T0835), password
/// bursts (T0812) and a password accepted after a burst (T0859), TSAP sweeps (T0846),
/// and S7comm-plus sessions continued from another connection (T0830).
#[derive(Debug, Clone)]
pub struct S7State {
    known: BoundedMap<Known, ()>,
    pairs: BoundedMap<Pair, PairState>,
    servers: BoundedMap<Endpoint, ServerState>,
    /// S7comm-plus sessions by (server, session id).
    sessions: BoundedMap<(Endpoint, u32), Owner>,
}

impl S7State {
    /// A state machine with `config.caps.transactions` entries per table.
    pub fn new(config: &Config) -> Self {
        let cap = config.caps.transactions;
        Self {
            known: BoundedMap::new(cap),
            pairs: BoundedMap::new(cap),
            servers: BoundedMap::new(cap),
            sessions: BoundedMap::new(cap),
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

/// A PI service job's parameter block asks for a cold restart (`P_PROGRAM` with "C ").
fn is_cold_restart(pdu: &Pdu<'_>) -> bool {
    matches!(pdu.body, Body::Job(Job::PiService(pi))
        if pi.kind() == PiKind::Program && pi.parameter_block.first() == Some(&b'C'))
}

/// A memory reset: PI `_MSRST`, or programmer command 12 (the userdata form).
pub(crate) fn is_memory_reset(pdu: &Pdu<'_>) -> bool {
    match &pdu.body {
        Body::Job(Job::PiService(pi)) => pi.service == b"_MSRST",
        Body::Userdata(u) => {
            u.params.group == FunctionGroup::ProgrammerCommands
                && u.params.subfunction == subfunction::MEMORY_RESET
                && !u.params.is_response()
        }
        _ => false,
    }
}

impl S7State {
    /// A cold restart (`P_PROGRAM` "C ") or a memory reset requested (T0816; the mode
    /// change itself is the single-message T0858).
    fn restart(ev: &Event<'_>, pdu: &Pdu<'_>, sink: &mut Sink) {
        if sink.is_learning() || ev.direction != Direction::Request {
            return;
        }
        let what = if is_cold_restart(pdu) {
            ("cold_restart", "cold-restarts")
        } else if is_memory_reset(pdu) {
            ("memory_reset", "resets the memory of")
        } else {
            return;
        };
        report(
            sink,
            ev,
            &catalog::T0816,
            Severity::Critical,
            what.0,
            format!("{} {} the CPU {}", ev.src(), what.1, ev.dst()),
        );
    }

    /// A mode transition the CPU announces (userdata group 0 push): STOP, RUN, HOLD and
    /// the others T0858, a warm, hot or cold restart T0816.
    fn mode_transition(ev: &Event<'_>, u: &Userdata<'_>, sink: &mut Sink) {
        if sink.is_learning() || u.params.group != FunctionGroup::ModeTransition {
            return;
        }
        let mode = CpuMode::from(u.params.subfunction);
        let name = mode.name().unwrap_or("unknown");
        let restart = matches!(
            mode,
            CpuMode::WarmRestart | CpuMode::HotRestart | CpuMode::ColdRestart
        );
        let (t, reason) = if restart {
            (&catalog::T0816, "cpu_restarted")
        } else {
            (&catalog::T0858, "cpu_mode_transition")
        };
        report(
            sink,
            ev,
            t,
            Severity::High,
            reason,
            format!("CPU {} announces a transition to {name}", ev.src()),
        );
    }

    /// The user-program checksum of SZL 0x0132 index 4 differing from the server's last
    /// answer (T0889): the program changed between two reads.
    fn program_checksum(&mut self, ev: &Event<'_>, u: &Userdata<'_>, sink: &mut Sink) {
        let UserdataBody::Szl(a) = u.body else { return };
        if a.id.0 != 0x0132 || a.index != 4 {
            return;
        }
        let Some(p) = a.iter().find_map(|r| match r {
            SzlRecord::Protection(p) => Some(p),
            _ => None,
        }) else {
            return;
        };
        let now = p.program_checksum;
        let Some((server, _)) = self
            .servers
            .get_or_insert_with(ev.flow.server, ServerState::default)
        else {
            return;
        };
        let Some(before) = server.checksum.replace(now) else {
            return;
        };
        if before == now || sink.is_learning() {
            return;
        }
        let (b1, b2) = (
            u16::from_le_bytes([before[0], before[1]]),
            u16::from_le_bytes([before[2], before[3]]),
        );
        let (n1, n2) = p.program_checksum_words();
        let f = Finding::new(
            ev,
            &catalog::T0889,
            Severity::High,
            0.8,
            format!(
                "the user-program checksum of {} changed ({b1:#06x} {b2:#06x} -> {n1:#06x} {n2:#06x})",
                ev.src()
            ),
        )
        .because("program_checksum_changed")
        .with("before", format!("{b1:04x}{b2:04x}"))
        .with("after", format!("{n1:04x}{n2:04x}"));
        sink.report(f);
    }

    /// Block functions (list blocks, list blocks of a type, block info) from a client
    /// never seen listing that server's blocks (T0861).
    fn block_listing(&mut self, ev: &Event<'_>, u: &Userdata<'_>, sink: &mut Sink) {
        if u.params.group != FunctionGroup::BlockFunctions
            || !matches!(
                u.params.subfunction,
                subfunction::LIST_BLOCKS
                    | subfunction::LIST_BLOCKS_OF_TYPE
                    | subfunction::BLOCK_INFO
            )
        {
            return;
        }
        let p = pair(ev);
        if !self.learned(Known::BlockLister(p.client, p.server), sink) {
            report(
                sink,
                ev,
                &catalog::T0861,
                Severity::Medium,
                "block_listing",
                format!("{} lists the program blocks of {}", ev.src(), ev.dst()),
            );
        }
    }

    /// SZL identification reads (T0888) and CPU-state reads (T0868): the analyzer marks
    /// SZL reads `BASELINED`, so that the single-message matchers leave them here
    /// (engineering stations and HMIs read them routinely). Reported the first time a
    /// client makes one to a server while learning (no baseline yet: the single-message
    /// indicator), and after learning from a client never seen making one.
    fn szl_reads(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if !ev.marks.contains(Marks::BASELINED) {
            return;
        }
        let p = pair(ev);
        if ev.action == Action::Discovery
            && self.first_or_unlearned(Known::SzlReader(p.client, p.server, false), sink)
        {
            report(
                sink,
                ev,
                &catalog::T0888,
                Severity::Medium,
                "szl_identification",
                format!("{} reads device identification of {}", ev.src(), ev.dst()),
            );
        }
        if ev.marks.contains(Marks::READS_DEVICE_STATE)
            && self.first_or_unlearned(Known::SzlReader(p.client, p.server, true), sink)
        {
            report(
                sink,
                ev,
                &catalog::T0868,
                Severity::Low,
                "szl_cpu_state",
                format!("{} reads the operating mode of {}", ev.src(), ev.dst()),
            );
        }
    }

    /// Forcing (programmer command 9) by a client never seen forcing on that server
    /// (T0835: forced values override the process image).
    fn force(&mut self, ev: &Event<'_>, u: &Userdata<'_>, sink: &mut Sink) {
        if u.params.group != FunctionGroup::ProgrammerCommands
            || u.params.subfunction != subfunction::FORCE
        {
            return;
        }
        let p = pair(ev);
        if !self.learned(Known::Forcer(p.client, p.server), sink) {
            report(
                sink,
                ev,
                &catalog::T0835,
                Severity::Critical,
                "force",
                format!("{} forces variables of {}", ev.src(), ev.dst()),
            );
        }
    }

    /// Write var to inputs, outputs or peripherals by a client never seen writing that
    /// area of that server (T0835); data blocks and flags are the allowlist's (T0836 /
    /// T0855).
    fn io_write(&mut self, ev: &Event<'_>, pdu: &Pdu<'_>, sink: &mut Sink) {
        if !matches!(pdu.body, Body::Job(Job::WriteVar { .. })) {
            return;
        }
        let p = pair(ev);
        for t in otwire_s7::classify(pdu).targets() {
            if !matches!(t.area, Area::Inputs | Area::Outputs | Area::Peripheral) {
                continue;
            }
            let area = t.area.value();
            if !self.learned(Known::IoWriter(p.client, p.server, area), sink) {
                report(
                    sink,
                    ev,
                    &catalog::T0835,
                    Severity::High,
                    "process_image_write",
                    format!(
                        "{} writes the {} area of {} (byte {})",
                        ev.src(),
                        t.area,
                        ev.dst(),
                        t.start
                    ),
                );
                return;
            }
        }
    }

    /// Password answers: [`PASSWORD_BURST`] refusals in a window (T0812: passwords
    /// guessed; ATT&CK for ICS has no credential brute force), then an acceptance after
    /// such a burst (T0859: the guessed password is a valid account).
    fn password(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let Some((st, _)) = self.pairs.get_or_insert_with(pair(ev), PairState::default) else {
            return;
        };
        let a = &mut st.passwords;
        if ev.ts.saturating_sub(a.window_start) >= PASSWORD_WINDOW_US {
            *a = Attempts {
                window_start: ev.ts,
                ..Attempts::default()
            };
        }
        let refused = matches!(ev.outcome, Outcome::Exception(_));
        if refused {
            a.refused = a.refused.saturating_add(1);
        }
        let n = a.refused;
        if sink.is_learning() {
            return;
        }
        if refused && n >= PASSWORD_BURST && !a.reported {
            a.reported = true;
            let f = Finding::new(
                ev,
                &catalog::T0812,
                Severity::High,
                0.7,
                format!(
                    "{} refused {n} passwords from {} within {} s",
                    ev.src(),
                    ev.dst(),
                    PASSWORD_WINDOW_US / 1_000_000
                ),
            )
            .because("password_burst")
            .with("refused", n);
            sink.report(f);
        } else if !refused && n >= PASSWORD_BURST {
            *a = Attempts {
                window_start: ev.ts,
                ..Attempts::default()
            };
            let f = Finding::new(
                ev,
                &catalog::T0859,
                Severity::Critical,
                0.8,
                format!(
                    "{} accepted a password from {} after {n} refusals",
                    ev.src(),
                    ev.dst()
                ),
            )
            .because("password_after_burst")
            .with("refused", n);
            sink.report(f);
        }
    }

    /// COTP connection requests to [`TSAP_SWEEP`] distinct called TSAPs of one server in
    /// a window (T0846: rack / slot / connection type sweep).
    fn tsap_sweep(&mut self, ev: &Event<'_>, tsap: u16, sink: &mut Sink) {
        let Some((st, _)) = self.pairs.get_or_insert_with(pair(ev), PairState::default) else {
            return;
        };
        let s = &mut st.tsaps;
        if ev.ts.saturating_sub(s.window_start) >= TSAP_WINDOW_US {
            *s = Tsaps {
                window_start: ev.ts,
                ..Tsaps::default()
            };
        }
        let len = usize::from(s.len);
        let seen = s.seen.get(..len).unwrap_or(&[]);
        if seen.contains(&tsap) {
            return;
        }
        if let Some(slot) = s.seen.get_mut(len) {
            *slot = tsap;
            s.len += 1;
        }
        if usize::from(s.len) < TSAP_SWEEP || s.reported || sink.is_learning() {
            return;
        }
        s.reported = true;
        let f = Finding::new(
            ev,
            &catalog::T0846,
            Severity::Medium,
            0.7,
            format!(
                "{} tries {TSAP_SWEEP} called TSAPs of {} within {} s (TSAP sweep)",
                ev.src(),
                ev.dst(),
                TSAP_WINDOW_US / 1_000_000
            ),
        )
        .because("tsap_sweep")
        .with("tsap", tsap);
        sink.report(f);
    }

    fn s7comm(&mut self, ev: &Event<'_>, pdu: &Pdu<'_>, sink: &mut Sink) {
        match ev.direction {
            Direction::Request => {
                Self::restart(ev, pdu, sink);
                self.szl_reads(ev, sink);
                self.io_write(ev, pdu, sink);
                if let Body::Userdata(u) = &pdu.body {
                    if !u.params.is_response() {
                        self.block_listing(ev, u, sink);
                        self.force(ev, u, sink);
                    }
                }
            }
            Direction::Response => {
                if let Body::Userdata(u) = &pdu.body {
                    Self::mode_transition(ev, u, sink);
                    self.program_checksum(ev, u, sink);
                    if ev.function == USERDATA | u16::from(FunctionGroup::Security.value())
                        && u.params.subfunction == subfunction::PASSWORD
                        && u.params.is_response()
                    {
                        self.password(ev, sink);
                    }
                }
            }
        }
    }
}

impl StateExtension for S7State {
    fn protocol(&self) -> Protocol {
        Protocol::S7
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if !ev.is_parsed() || ev.record_only {
            return;
        }
        let Some(m): Option<&Message<'_>> = ev.s7() else {
            return;
        };
        if let (Some(Tpdu::ConnectionRequest(c)), Direction::Request) = (m.tpdu, ev.direction) {
            if let Some(&[a, b]) = c.dst_tsap() {
                self.tsap_sweep(ev, u16::from_be_bytes([a, b]), sink);
            }
            return;
        }
        if let Some(p) = &m.plus {
            self.explore(ev, p, sink);
            self.plus_session(ev, p, sink);
            return;
        }
        if let Some(S7Message::S7comm(pdu)) = &m.message {
            self.s7comm(ev, pdu, sink);
        }
    }

    fn stats(&self) -> TableStats {
        self.known
            .stats()
            .merge(self.pairs.stats())
            .merge(self.servers.stats())
            .merge(self.sessions.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&(&self.known, &self.pairs, &self.servers, &self.sessions))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let (k, p, sv, s) = load(state)?;
        self.known = k;
        self.pairs = p;
        self.servers = sv;
        self.sessions = s;
        Ok(())
    }
}
