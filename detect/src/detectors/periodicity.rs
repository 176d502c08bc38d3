//! Family 3: periodicity per (flow, request signature): inter-arrival mean and deviation,
//! "expected message missing" (T0803 requests, T0804 responses) and new aperiodic requests
//! (T0801 reads, T0855 writes).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, secs};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::{self, Config};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Endpoint, Event, Ip, Protocol, Space};
use crate::table::{BoundedMap, HintCache, TableStats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct SigKey {
    client: Ip,
    server: Endpoint,
    unit: u16,
    proto: Protocol,
    dir: Direction,
    function: u16,
    sub: Option<u16>,
    space: Space,
    start: u32,
    count: u32,
}

impl SigKey {
    /// The same request (or response) to the same unit, whichever client sends it.
    fn same_request(&self, o: &Self) -> bool {
        Self {
            client: o.client,
            ..*self
        } == *o
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct SigState {
    /// Intervals learned.
    n: u32,
    /// The client's port at the last arrival (clients reconnect from new ports).
    client_port: u16,
    /// Last arrival (µs).
    last: u64,
    /// Mean interval (s), Welford.
    mean: f64,
    /// Sum of squared deviations (s²), Welford.
    m2: f64,
    /// Seen while learning.
    learned: bool,
    /// Reported missing and not back yet.
    missing: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PState {
    sigs: BoundedMap<SigKey, SigState>,
    next_sweep: u64,
}

/// Learns the inter-arrival time of each (flow, signature); afterwards reports periodic
/// messages that stop (a request: T0803 Block Command Message; a response: T0804 Block
/// Reporting Message) and requests with a signature never seen (reads T0801, writes
/// T0855). Overdue signatures are looked for every `sweep_secs` of event time.
#[derive(Debug, Clone)]
pub struct Periodicity {
    st: PState,
    cfg: config::Periodicity,
    trusted: Vec<Ip>,
    /// Where each flow's signatures were last found.
    hints: HintCache<4096>,
}

impl Periodicity {
    /// A detector with `config.caps.signatures` entries.
    pub fn new(config: &Config) -> Self {
        Self {
            st: PState {
                sigs: BoundedMap::new(config.caps.signatures),
                next_sweep: 0,
            },
            cfg: config.periodicity,
            trusted: config.trusted(),
            hints: HintCache::new(),
        }
    }

    /// Signatures overdue now, marked missing; reported unless `quiet` (while learning: a
    /// stream that stopped before learning ended is not expected any more) or another
    /// client carries on the same request (a backup master took over).
    fn sweep(&mut self, ev: &Event<'_>, sink: &mut Sink, quiet: bool) {
        let now = ev.ts;
        let cfg = self.cfg;
        let overdue = |s: &SigState| {
            if !s.learned || s.missing || s.n < cfg.min_samples {
                return None;
            }
            let sd = if s.n > 1 {
                (s.m2 / f64::from(s.n - 1)).sqrt()
            } else {
                0.0
            };
            let limit = (s.mean * cfg.missing_factor + cfg.k_sigma * sd).max(cfg.min_silence_secs);
            let silent = secs(now.saturating_sub(s.last));
            (silent > limit).then_some((sd, silent))
        };
        let due: Vec<SigKey> = self
            .st
            .sigs
            .iter()
            .filter(|(_, s)| overdue(s).is_some())
            .map(|(k, _)| *k)
            .collect();
        if due.is_empty() {
            return;
        }
        // What other clients still send, among the overdue signatures' requests.
        let carried: Vec<SigKey> = self
            .st
            .sigs
            .iter()
            .filter(|(k, s)| {
                due.iter()
                    .any(|d| d.same_request(k) && d.client != k.client)
                    && secs(now.saturating_sub(s.last))
                        <= s.mean * cfg.missing_factor + cfg.min_silence_secs
            })
            .map(|(k, _)| *k)
            .collect();
        for k in due {
            let Some(s) = self.st.sigs.get_mut(&k) else {
                continue;
            };
            let Some((sd, silent)) = overdue(s) else {
                continue;
            };
            s.missing = true;
            if quiet || carried.iter().any(|c| c.same_request(&k)) {
                continue;
            }
            let client = Endpoint {
                ip: k.client,
                port: s.client_port,
            };
            let (t, sev, src, dst, what) = match k.dir {
                Direction::Request => (
                    &catalog::T0803,
                    Severity::Medium,
                    client,
                    k.server,
                    "request",
                ),
                Direction::Response => (
                    &catalog::T0804,
                    Severity::High,
                    k.server,
                    client,
                    "response",
                ),
            };
            let f = Finding {
                technique: t,
                severity: sev,
                confidence: 0.6,
                src,
                dst,
                proto: k.proto,
                unit: Some(k.unit),
                summary: format!(
                    "periodic {} {what} (function {:#04x}, every {:.3} s) from {src} to {dst} missing for {:.1} s",
                    k.proto, k.function, s.mean, silent
                ),
                evidence: serde_json::Map::new(),
                by_source: false,
                reason: "",
            }
            .because(if k.dir == Direction::Request { "request_missing" } else { "response_missing" })
            .with("function", k.function)
            .with("start", k.start)
            .with("mean_interval_s", s.mean)
            .with("stddev_s", sd)
            .with("silent_s", silent);
            sink.report(f);
        }
    }
}

impl Detector for Periodicity {
    fn name(&self) -> &'static str {
        "periodicity"
    }

    fn family(&self) -> Family {
        Family::Periodicity
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let learning = sink.is_learning();
        if ev.ts >= self.st.next_sweep {
            self.st.next_sweep = ev
                .ts
                .saturating_add(self.cfg.sweep_secs.max(1).saturating_mul(1_000_000));
            self.sweep(ev, sink, learning);
        }
        if !ev.is_parsed() {
            return;
        }
        let t = ev.targets.get(0).copied().unwrap_or_default();
        let k = SigKey {
            client: ev.flow.client.ip,
            server: ev.flow.server,
            unit: ev.unit,
            proto: ev.protocol,
            dir: ev.direction,
            function: ev.function,
            sub: ev.sub_function,
            space: t.space,
            start: t.start,
            count: t.count,
        };
        let hint = self.hints.at(crate::table::flow_hint(ev) << 1
            ^ (ev.direction == Direction::Response) as u64
            ^ u64::from(ev.function) << 48
            ^ u64::from(t.start) << 16
            ^ u64::from(t.count) << 32);
        if let Some(s) = self.st.sigs.get_mut_with_hint(hint, &k) {
            if learning {
                let x = secs(ev.ts.saturating_sub(s.last));
                s.n = s.n.saturating_add(1);
                let d = x - s.mean;
                s.mean += d / f64::from(s.n);
                s.m2 += d * (x - s.mean);
                s.learned = true;
            }
            s.last = ev.ts;
            s.client_port = ev.flow.client.port;
            s.missing = false;
            return;
        }
        let fresh = SigState {
            n: 0,
            client_port: ev.flow.client.port,
            last: ev.ts,
            mean: 0.0,
            m2: 0.0,
            learned: learning,
            missing: false,
        };
        if self
            .st
            .sigs
            .get_or_insert_with_hint(hint, k, || fresh)
            .is_none()
            || learning
        {
            return;
        }
        if ev.direction != Direction::Request || super::trusted(&self.trusted, &ev.flow.client.ip) {
            return;
        }
        let (tech, sev) = match ev.action {
            Action::Read => (&catalog::T0801, Severity::Low),
            Action::Write | Action::Command => (&catalog::T0855, Severity::Medium),
            _ => return,
        };
        let f = Finding::new(
            ev,
            tech,
            sev,
            0.4,
            format!(
                "{} sends a request never seen while learning: {} function {:#04x} to {} unit {} at {}",
                ev.flow.client,
                ev.action.name(),
                ev.function,
                ev.flow.server,
                ev.unit,
                t.start
            ),
        )
        .with("function", ev.function)
        .with("start", t.start)
        .with("count", t.count);
        sink.report(f);
    }

    fn stats(&self) -> TableStats {
        self.st.sigs.stats()
    }

    fn save(&self) -> Result<Value, Error> {
        save(&self.st)
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        self.st = load(state)?;
        Ok(())
    }
}
