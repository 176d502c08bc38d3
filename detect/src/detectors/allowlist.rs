//! Family 2: operation allowlist per (client, server, unit, action, function) with learned
//! address intervals (T0855 Unauthorized Command Message, T0836 writes to new ranges,
//! T0801 / T0861 reads of new operations and ranges).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, trusted};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::Config;
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Event, Ip, Marks, Protocol, Space, Target};
use crate::table::{BoundedMap, HintCache, TableStats};

/// Intervals kept per operation; past this the two closest merge.
const INTERVALS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct OpKey {
    client: Ip,
    server: Ip,
    unit: u16,
    proto: Protocol,
    action: Action,
    function: u16,
    sub: Option<u16>,
    space: Space,
}

/// A small fixed set of disjoint, sorted address intervals (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Intervals {
    items: [(u32, u32); INTERVALS],
    len: u8,
}

impl Intervals {
    fn slice(&self) -> &[(u32, u32)] {
        self.items.get(..usize::from(self.len)).unwrap_or(&[])
    }

    fn covers(&self, lo: u32, hi: u32) -> bool {
        self.slice().iter().any(|&(a, b)| a <= lo && hi <= b)
    }

    fn add(&mut self, lo: u32, hi: u32) {
        let mut v = [(0u32, 0u32); INTERVALS + 1];
        let mut n = 0usize;
        let (mut lo, mut hi) = (lo, hi);
        for &(a, b) in self.slice() {
            // Overlapping or adjacent: absorb.
            if a <= hi.saturating_add(1) && lo <= b.saturating_add(1) {
                lo = lo.min(a);
                hi = hi.max(b);
            } else if let Some(slot) = v.get_mut(n) {
                *slot = (a, b);
                n += 1;
            }
        }
        if let Some(slot) = v.get_mut(n) {
            *slot = (lo, hi);
            n += 1;
        }
        let s = v.get_mut(..n).unwrap_or(&mut []);
        s.sort_unstable();
        let mut n = s.len();
        while n > INTERVALS {
            // Merge the pair with the smallest gap (first such pair on ties).
            let mut best = 0usize;
            let mut gap = u32::MAX;
            for i in 0..n - 1 {
                if let (Some(x), Some(y)) = (s.get(i), s.get(i + 1)) {
                    let g = y.0.saturating_sub(x.1);
                    if g < gap {
                        gap = g;
                        best = i;
                    }
                }
            }
            if let (Some(&x), Some(&y)) = (s.get(best), s.get(best + 1)) {
                if let Some(slot) = s.get_mut(best) {
                    *slot = (x.0, x.1.max(y.1));
                }
                for i in best + 1..n - 1 {
                    if let Some(&next) = s.get(i + 1) {
                        if let Some(slot) = s.get_mut(i) {
                            *slot = next;
                        }
                    }
                }
            }
            n -= 1;
        }
        self.len = 0;
        for (i, iv) in s.iter().take(n).enumerate() {
            if let Some(slot) = self.items.get_mut(i) {
                *slot = *iv;
                self.len += 1;
            }
        }
    }
}

/// Learns who does what to which unit and address ranges; afterwards reports operations
/// never seen (T0855 for writes and commands, T0801 for reads) and known operations on
/// new address ranges (T0836 for writes, T0861 for reads). Trusted clients are exempt.
#[derive(Debug, Clone)]
pub struct Allowlist {
    ops: BoundedMap<OpKey, Intervals>,
    trusted: Vec<Ip>,
    /// Where each flow's operations were last found.
    hints: HintCache<4096>,
}

impl Allowlist {
    /// A detector with `config.caps.operations` entries.
    pub fn new(config: &Config) -> Self {
        Self {
            ops: BoundedMap::new(config.caps.operations),
            trusted: config.trusted(),
            hints: HintCache::new(),
        }
    }
}

fn key(ev: &Event<'_>, t: Option<&Target>) -> OpKey {
    OpKey {
        client: ev.flow.client.ip,
        server: ev.flow.server.ip,
        unit: ev.unit,
        proto: ev.protocol,
        action: ev.action,
        function: ev.function,
        sub: ev.sub_function,
        space: t.map_or(Space::None, |t| t.space),
    }
}

/// Actions judged here; the others (identification, restarts, program transfer, mode
/// changes), and PDUs marked as blocking reporting or editing the program, are
/// single-message matches. Session upkeep (keep-alives, acknowledgements) is not an
/// operation and is left to the protocol state detectors.
const fn judged(a: Action) -> bool {
    matches!(
        a,
        Action::Read
            | Action::Write
            | Action::Command
            | Action::Config
            | Action::TimeSync
            | Action::FileTransfer
            | Action::Diagnostic
            | Action::Other
    )
}

impl Detector for Allowlist {
    fn name(&self) -> &'static str {
        "allowlist"
    }

    fn family(&self) -> Family {
        Family::Allowlist
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if ev.direction != Direction::Request
            || !ev.is_parsed()
            || !judged(ev.action)
            || ev
                .marks
                .intersects(Marks::BLOCKS_REPORTING | Marks::MODIFIES_PROGRAM | Marks::SESSION)
        {
            return;
        }
        let targets = ev.targets.as_slice();
        let none = [Target::default()];
        let list: &[Target] = if targets.is_empty() { &none } else { targets };
        let sig = crate::table::flow_hint(ev) << 8
            ^ u64::from(ev.function) << 40
            ^ u64::from(ev.unit) << 24
            ^ u64::from(ev.sub_function.unwrap_or(0)) << 56;
        for (ti, t) in list.iter().enumerate() {
            let k = key(ev, if targets.is_empty() { None } else { Some(t) });
            let hint = self.hints.at(sig ^ ti as u64);
            if sink.is_learning() {
                if let Some((iv, _)) = self
                    .ops
                    .get_or_insert_with_hint(hint, k, Intervals::default)
                {
                    if t.count > 0 {
                        iv.add(t.start, t.end());
                    }
                }
                continue;
            }
            if trusted(&self.trusted, &ev.flow.client.ip) {
                return;
            }
            let (technique, sev, conf, what) = match self.ops.get_mut_with_hint(hint, &k) {
                None if ev.action == Action::Read => (
                    &catalog::T0801,
                    Severity::Low,
                    0.5,
                    "an operation it never performed",
                ),
                None => (
                    &catalog::T0855,
                    Severity::High,
                    0.8,
                    "an operation it was never seen to perform",
                ),
                Some(iv) if t.count > 0 && !iv.covers(t.start, t.end()) => {
                    if ev.action == Action::Read {
                        (
                            &catalog::T0861,
                            Severity::Low,
                            0.5,
                            "addresses outside its learned ranges",
                        )
                    } else {
                        (
                            &catalog::T0836,
                            Severity::High,
                            0.7,
                            "addresses outside its learned ranges",
                        )
                    }
                }
                Some(_) => continue,
            };
            let f = Finding::new(
                ev,
                technique,
                sev,
                conf,
                format!(
                    "{} sends {} (function {:#04x}) to {} unit {}: {what}",
                    ev.flow.client,
                    ev.action.name(),
                    ev.function,
                    ev.flow.server,
                    ev.unit
                ),
            )
            .with("action", ev.action.name())
            .with("function", ev.function)
            .with("start", t.start)
            .with("count", t.count);
            sink.report(f);
        }
    }

    fn stats(&self) -> TableStats {
        self.ops.stats()
    }

    fn save(&self) -> Result<Value, Error> {
        save(&self.ops)
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        self.ops = load(state)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_merge_and_cap() {
        let mut iv = Intervals::default();
        iv.add(10, 19);
        iv.add(20, 29);
        assert_eq!(iv.slice(), &[(10, 29)]);
        for i in 0..20u32 {
            iv.add(i * 100 + 1000, i * 100 + 1001);
        }
        assert_eq!(iv.slice().len(), INTERVALS);
        assert!(iv.covers(10, 29));
        assert!(iv.covers(1000, 1001));
        assert!(!iv.covers(0, 5));
        let s = iv.slice();
        assert!(s.windows(2).all(|w| w[0].1 < w[1].0));
    }
}
