//! Family 4: replayed commands (issue 13). An operation whose content (the message without
//! its sequence fields, [`Detail::content`](crate::protocol::Detail::content)) was sent to
//! the same unit before, sent again by the same client host on another connection and
//! outside the operation's learned cadence: a recorded command played back, byte for byte
//! or with its transaction id and sequence numbers renewed (T0830 Adversary-in-the-Middle,
//! and T0855 Unauthorized Command Message: every judged message is an operation).
//!
//! Not judged: reads (polling repeats them by design); a repeat on the connection that sent
//! the content last (retries, toggles and brute force belong to the state and rate
//! families); one from another host (a new talker or a backup master: the new-asset and
//! allowlist families judge who may send what); a repeat older than `replay.window_secs`;
//! one from a client host that sent at least half of its operations to the server on a
//! connection other than the one before while learning (it connects for each operation).
//! An operation (server, unit, function, target; any client) repeated at least
//! `replay.min_repeats` times while learning has a cadence: its shortest learned interval
//! (sends less than a second apart are one burst); a repeat that comes at least
//! `replay.cadence_factor` of it after the operation's last send is on the cadence (a master
//! that writes the same setpoint every 10 s, from whichever connection or backup master).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, secs};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::{self, Config};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Endpoint, Event, Ip, Protocol, Target};
use crate::protocol::Fingerprint;
use crate::table::{BoundedMap, TableStats};

/// Sends of one operation less than this apart (µs) are one burst, not an interval of its
/// cadence: an IEC 104 select and its execute, a DNP3 retry.
const BURST_US: u64 = 1_000_000;

/// An operation, whatever its values and whoever sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct OpKey {
    server: Ip,
    unit: u16,
    proto: Protocol,
    function: u16,
    sub: Option<u16>,
    target: Target,
}

/// The learned cadence of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Cadence {
    /// Intervals learned.
    n: u32,
    /// The shortest learned interval (µs).
    min_gap: u64,
    /// The last send (µs).
    last: u64,
}

/// One content sent to one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct SentKey {
    server: Ip,
    unit: u16,
    proto: Protocol,
    content: u64,
}

/// Its last send: when, on which connection, and the fingerprint of its exact bytes and
/// transaction id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Sent {
    ts: u64,
    client: Endpoint,
    server_port: u16,
    raw: u64,
}

/// Reports an operation replayed from another connection outside its learned cadence
/// (module docs). Tables: operations (`caps.signatures`) and contents sent
/// (`caps.transactions`).
#[derive(Debug, Clone)]
pub struct Replay {
    ops: BoundedMap<OpKey, Cadence>,
    sent: BoundedMap<SentKey, Sent>,
    habits: BoundedMap<(Ip, Ip, Protocol), Habit>,
    cfg: config::Replay,
}

impl Replay {
    /// A detector with `config.caps.signatures` operations and `config.caps.transactions`
    /// contents.
    pub fn new(config: &Config) -> Self {
        Self {
            ops: BoundedMap::new(config.caps.signatures),
            sent: BoundedMap::new(config.caps.transactions),
            habits: BoundedMap::new(config.caps.signatures),
            cfg: config.replay,
        }
    }

    /// Learns the operation's cadence; after learning, whether this send is on it.
    fn on_cadence(&mut self, ev: &Event<'_>, learning: bool) -> bool {
        let key = OpKey {
            server: ev.flow.server.ip,
            unit: ev.unit,
            proto: ev.protocol,
            function: ev.function,
            sub: ev.sub_function,
            target: ev.targets.get(0).copied().unwrap_or_default(),
        };
        let fresh = Cadence {
            n: 0,
            min_gap: u64::MAX,
            last: ev.ts,
        };
        let Some((c, false)) = self.ops.get_or_insert_with(key, || fresh) else {
            return false;
        };
        let gap = ev.ts.saturating_sub(c.last);
        c.last = ev.ts;
        if learning {
            if gap >= BURST_US {
                c.n = c.n.saturating_add(1);
                c.min_gap = c.min_gap.min(gap);
            }
            return false;
        }
        c.n >= self.cfg.min_repeats && gap as f64 >= c.min_gap as f64 * self.cfg.cadence_factor
    }

    /// Learns how the client host connects; after learning, whether it sent at least half
    /// of its learned operations to this server on a connection other than the one before
    /// (a client that connects for each operation: another connection is its habit).
    fn reconnects(&mut self, ev: &Event<'_>, learning: bool) -> bool {
        let key = (ev.flow.client.ip, ev.flow.server.ip, ev.protocol);
        let port = ev.flow.client.port;
        if !learning {
            return self.habits.get(&key).is_some_and(|h| {
                h.ops >= self.cfg.min_repeats && h.fresh.saturating_mul(2) >= h.ops
            });
        }
        let first = Habit {
            ops: 0,
            fresh: 0,
            last_port: port,
        };
        if let Some((h, _)) = self.habits.get_or_insert_with(key, || first) {
            h.ops = h.ops.saturating_add(1);
            h.fresh = h.fresh.saturating_add(u32::from(h.last_port != port));
            h.last_port = port;
        }
        false
    }
}

/// How a client host sends its operations to a server: how many, and how many came on
/// another connection than the one before (clients that connect for each operation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Habit {
    ops: u32,
    fresh: u32,
    last_port: u16,
}

/// Operations: what a replay can make happen (T0855 where the command is one).
const fn is_operation(a: Action) -> bool {
    matches!(
        a,
        Action::Write
            | Action::Command
            | Action::ModeChange
            | Action::ProgramDownload
            | Action::Restart
    )
}

impl Detector for Replay {
    fn name(&self) -> &'static str {
        "replay"
    }

    fn family(&self) -> Family {
        Family::State
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if ev.direction != Direction::Request || !is_operation(ev.action) || !ev.is_parsed() {
            return;
        }
        let Some(content) = ev.detail.content() else {
            return;
        };
        let learning = sink.is_learning();
        let on_cadence = self.on_cadence(ev, learning);
        let reconnects = self.reconnects(ev, learning);
        let now = Sent {
            ts: ev.ts,
            client: ev.flow.client,
            server_port: ev.flow.server.port,
            // The bytes and the transaction id (which a Modbus event's bytes, its PDU,
            // leave out).
            raw: Fingerprint::new()
                .bytes(ev.raw)
                .u64(ev.transaction.map_or(u64::MAX, u64::from))
                .finish(),
        };
        let key = SentKey {
            server: ev.flow.server.ip,
            unit: ev.unit,
            proto: ev.protocol,
            content,
        };
        let Some((s, false)) = self.sent.get_or_insert_with(key, || now) else {
            return;
        };
        let prev = *s;
        // Another connection of the same client host: what a replay that looks like the
        // real master is (another host is the new-talker and allowlist families' to judge).
        let second_conn = prev.client.ip == now.client.ip
            && (prev.client.port != now.client.port || prev.server_port != now.server_port);
        let age = ev.ts.saturating_sub(prev.ts);
        let window = self.cfg.window_secs.saturating_mul(1_000_000);
        if learning || !second_conn || age > window || on_cadence || reconnects {
            *s = now;
            return;
        }
        // Reported: the content stays with the connection that sent it before, so the
        // real sender's next send of it is not taken for a replay.
        let verbatim = prev.raw == now.raw;
        let (reason, how) = if verbatim {
            ("replayed_verbatim", "byte for byte")
        } else {
            ("replayed_renewed", "with its sequence fields renewed")
        };
        let what = format!(
            "{} replays a {} {} (function {:#04x}) to {} unit {} {how}, {:.1} s after {} sent it",
            ev.flow.client,
            ev.protocol,
            ev.action.name(),
            ev.function,
            ev.flow.server,
            ev.unit,
            secs(age),
            prev.client
        );
        let finding = |t, reason| {
            Finding::new(ev, t, Severity::High, 0.6, what.clone())
                .because(reason)
                .with("function", ev.function)
                .with("first_sender", prev.client.to_string())
                .with("age_s", secs(age))
                .with("verbatim", verbatim)
        };
        sink.report(finding(&catalog::T0830, reason));
        sink.report(finding(&catalog::T0855, "replayed_operation"));
    }

    fn stats(&self) -> TableStats {
        self.ops
            .stats()
            .merge(self.sent.stats())
            .merge(self.habits.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&(&self.ops, &self.sent, &self.habits))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let (ops, sent, habits) = load(state)?;
        self.ops = ops;
        self.sent = sent;
        self.habits = habits;
        Ok(())
    }
}
