//! Family 5: spoofed reports (issue 13). A reporting message (a read response, DNP3
//! unsolicited data, IEC 104 monitor-direction data) whose content (without sequence
//! fields, [`Detail::content`](crate::protocol::Detail::content)) repeats old ones, in the
//! order they were first reported, while the process is changing: a recorded value series
//! played back to hide what the process does (T0856 Spoof Reporting Message).
//!
//! Per report target (server, unit, function, address range) the detector numbers each
//! distinct content in the order it first appears, in a shared table of fingerprints
//! (`caps.points`). A report equal to the previous one is a steady state and says nothing.
//! A report equal to an older one is a recurrence. Only targets whose reports changed at
//! least `replay.min_changes` times while learning without any recurrence are judged: a
//! process whose every report was new (counters, time tags, moving values), where a
//! recurrence means old content. A target that recurs while learning (a pump cycling
//! between two states, a noisy value at rest) is never judged. After learning, an alert
//! needs `replay.series` recurrences in a row whose contents were first reported in that
//! same order, each last seen before the process last showed new content, with new content
//! between each two of them reported on another connection: the real process, seen beside
//! the spoofed reports (a man in the middle answering one client with a recording while
//! the outstation's real answers go to another connection). A process that repeats its
//! trajectory (a cycle longer than the learning period) brings old content on the
//! connections that poll it, not beside new content on another, and is not reported.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, secs};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::{self, Config};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Endpoint, Event, Ip, Outcome, Protocol, Target};
use crate::protocol::Fingerprint;
use crate::table::{BoundedMap, HintCache, TableStats};

/// What a series of reports is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct SeriesKey {
    server: Ip,
    unit: u16,
    proto: Protocol,
    function: u16,
    target: Target,
}

impl SeriesKey {
    /// A stable number for the key, in the fingerprint table's keys.
    fn id(&self) -> u64 {
        let t = self.target;
        Fingerprint::new()
            .bytes(&self.server)
            .bytes(self.proto.name().as_bytes())
            .u64(u64::from(self.unit) << 16 | u64::from(self.function))
            .u64(u64::from(t.space.code()))
            .u64(u64::from(t.start) << 32 | u64::from(t.count))
            .finish()
    }
}

/// The reports of one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Series {
    /// The last report's content.
    last: u64,
    /// The number the next new content gets.
    next: u32,
    /// When a new content last came (µs).
    fresh: u64,
    /// The connection it came on (the client's end).
    fresh_on: Endpoint,
    /// New contents while learning.
    changes: u32,
    /// Recurrences while learning.
    recurrences: u32,
    /// Recurrences in a row in first-reported order, after learning.
    run: u32,
    /// The number of the last recurring content.
    run_at: u32,
    /// When the last recurrence came (µs).
    run_ts: u64,
}

/// One content of one target: its number in first-report order and when it was last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    n: u32,
    ts: u64,
}

/// Reports a recorded report series played back while the process changes (module docs).
#[derive(Debug, Clone)]
pub struct SpoofedReport {
    series: BoundedMap<SeriesKey, Series>,
    seen: BoundedMap<(u64, u64), Seen>,
    cfg: config::Replay,
    /// Where each flow's targets were last found.
    hints: HintCache<4096>,
}

impl SpoofedReport {
    /// A detector with `config.caps.signatures` targets and `config.caps.points`
    /// fingerprints.
    pub fn new(config: &Config) -> Self {
        Self {
            series: BoundedMap::new(config.caps.signatures),
            seen: BoundedMap::new(config.caps.points),
            cfg: config.replay,
            hints: HintCache::new(),
        }
    }
}

impl Detector for SpoofedReport {
    fn name(&self) -> &'static str {
        "spoofed_report"
    }

    fn family(&self) -> Family {
        Family::Value
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if ev.direction != Direction::Response
            || ev.action != Action::Read
            || ev.outcome != Outcome::Ok
            || !ev.is_parsed()
        {
            return;
        }
        let learning = sink.is_learning();
        let target = ev.targets.get(0).copied().unwrap_or_default();
        let key = SeriesKey {
            server: ev.flow.server.ip,
            unit: ev.unit,
            proto: ev.protocol,
            function: ev.function,
            target,
        };
        let hint = self.hints.at(crate::table::flow_hint(ev)
            ^ u64::from(ev.function) << 48
            ^ u64::from(target.start) << 16
            ^ u64::from(target.count) << 32);
        // After learning only the judged targets matter (the fast path: one lookup).
        if !learning
            && !self
                .series
                .get_mut_with_hint(hint, &key)
                .is_some_and(|s| s.recurrences == 0 && s.changes >= self.cfg.min_changes)
        {
            return;
        }
        let Some(content) = ev.detail.content() else {
            return;
        };
        let first = Series {
            last: content,
            next: 1,
            fresh: ev.ts,
            fresh_on: ev.flow.client,
            changes: 0,
            recurrences: 0,
            run: 0,
            run_at: 0,
            run_ts: 0,
        };
        let Some((s, inserted)) = self.series.get_or_insert_with_hint(hint, key, || first) else {
            return;
        };
        if !inserted && s.last == content {
            return;
        }
        // Only a new target or a changed report needs the fingerprint table.
        let id = key.id();
        if inserted {
            let _ = self
                .seen
                .get_or_insert_with((id, content), || Seen { n: 0, ts: ev.ts });
            return;
        }
        s.last = content;
        let now = Seen {
            n: s.next,
            ts: ev.ts,
        };
        let Some((seen, new)) = self.seen.get_or_insert_with((id, content), || now) else {
            return;
        };
        if new {
            s.next = s.next.wrapping_add(1);
            s.fresh = ev.ts;
            s.fresh_on = ev.flow.client;
            if learning {
                s.changes = s.changes.saturating_add(1);
            }
            return;
        }
        let old = *seen;
        seen.ts = ev.ts;
        if learning {
            s.recurrences = s.recurrences.saturating_add(1);
            return;
        }
        // The process showed new content since the old one was last reported, on another
        // connection: the real reports beside the spoofed ones.
        let beside = s.fresh_on != ev.flow.client;
        if s.fresh <= old.ts || !beside {
            s.run = 0;
            return;
        }
        // The series goes on when the process showed new content since the last
        // recurrence and the old contents come in the order they were first reported.
        s.run = if s.run > 0 && s.fresh > s.run_ts && old.n > s.run_at {
            s.run.saturating_add(1)
        } else {
            1
        };
        s.run_at = old.n;
        s.run_ts = ev.ts;
        if s.run < self.cfg.series {
            return;
        }
        let (run, age) = (s.run, ev.ts.saturating_sub(old.ts));
        sink.report(
            Finding::new(
                ev,
                &catalog::T0856,
                Severity::High,
                0.6,
                format!(
                    "{} reports old {} content to {} (unit {}, function {:#04x}): {run} reports in a row repeat, in order, reports first made earlier ({:.1} s ago) while the process has changed since",
                    ev.flow.server,
                    ev.protocol,
                    ev.flow.client,
                    ev.unit,
                    ev.function,
                    secs(age)
                ),
            )
            .because("report_series_repeated")
            .with("function", ev.function)
            .with("run", run)
            .with("age_s", secs(age)),
        );
    }

    fn stats(&self) -> TableStats {
        self.series.stats().merge(self.seen.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&(&self.series, &self.seen))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let (series, seen) = load(state)?;
        self.series = series;
        self.seen = seen;
        Ok(())
    }
}
