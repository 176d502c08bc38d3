//! Family 6: rate, fan-out and scans per source, in fixed windows of event time: request
//! floods (T0814), many servers or units (T0846), address walks and exception bursts
//! (T0861), write storms and write sweeps (T0806).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{fold_ip, load, mix, save};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::{self, Config};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Event, Ip, Outcome, Target};
use crate::table::{BoundedMap, HintCache, TableStats};

/// A 256-bit linear-counting sketch of distinct items: fixed size, no allocation. It keeps
/// its count of set bits (saved as the bits alone, the count recomputed on load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Sketch {
    bits: [u64; 4],
    ones: u16,
}

impl Serialize for Sketch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("Sketch", &self.bits)
    }
}

impl<'de> Deserialize<'de> for Sketch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename = "Sketch")]
        struct Bits([u64; 4]);
        let Bits(bits) = Bits::deserialize(d)?;
        let ones = bits.iter().map(|w| w.count_ones() as u16).sum();
        Ok(Self { bits, ones })
    }
}

impl Sketch {
    fn insert(&mut self, h: u64) {
        let bit = (h & 255) as usize;
        if let Some(w) = self.bits.get_mut(bit / 64) {
            let m = 1u64 << (bit % 64);
            if *w & m == 0 {
                *w |= m;
                self.ones += 1;
            }
        }
    }

    /// Bits set (0 to 256).
    fn ones(&self) -> u32 {
        u32::from(self.ones)
    }

    /// Estimated distinct count: `-m ln(zeros / m)` (Whang et al., linear counting).
    #[cfg(test)]
    fn estimate(&self) -> u32 {
        estimate(self.ones())
    }
}

/// The linear-counting estimate for a sketch with `ones` bits set.
fn estimate(ones: u32) -> u32 {
    let zeros = 256u32.saturating_sub(ones);
    if zeros == 0 {
        return 1420;
    }
    (-256.0 * (f64::from(zeros) / 256.0).ln()).round() as u32
}

/// [`estimate`] for every possible count of set bits, computed once per detector (a
/// logarithm per metric per event otherwise).
#[derive(Debug, Clone)]
struct Estimates([u32; 257]);

impl Estimates {
    fn new() -> Self {
        let mut t = [0u32; 257];
        for (ones, e) in (0u32..).zip(t.iter_mut()) {
            *e = estimate(ones);
        }
        Self(t)
    }

    fn of(&self, s: &Sketch) -> u32 {
        let ones = s.ones();
        self.0
            .get(ones as usize)
            .copied()
            .unwrap_or_else(|| estimate(ones))
    }
}

/// The metrics counted per source and window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Counts {
    requests: u32,
    writes: u32,
    exceptions: u32,
    servers: Sketch,
    units: Sketch,
    targets: Sketch,
    written: Sketch,
}

const METRICS: usize = 7;

impl Counts {
    /// Every metric: requests, distinct servers, units and read targets, exceptions,
    /// writes, distinct written targets.
    fn values(&self, est: &Estimates) -> [u32; METRICS] {
        [0, 1, 2, 3, 4, 5, 6].map(|m| self.value(m, est))
    }

    /// Metric `m` of [`Counts::values`], alone.
    fn value(&self, m: usize, est: &Estimates) -> u32 {
        match m {
            0 => self.requests,
            1 => est.of(&self.servers),
            2 => est.of(&self.units),
            3 => est.of(&self.targets),
            4 => self.exceptions,
            5 => self.writes,
            _ => est.of(&self.written),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Source {
    window_start: u64,
    now: Counts,
    /// Learned per-window maxima, in `Counts::values` order.
    learned: [u32; METRICS],
    /// Metrics already reported in this window (bit per metric).
    fired: u8,
}

/// Counts, per source and window, requests, distinct servers, units and targets,
/// exceptions, writes and distinct written targets; learns each source's per-window
/// maxima and reports a window exceeding `max(floor, factor * learned)`.
#[derive(Debug, Clone)]
pub struct RateScan {
    sources: BoundedMap<Ip, Source>,
    cfg: config::Rate,
    /// Where each flow's source was last found.
    hints: HintCache<4096>,
    est: Estimates,
}

impl RateScan {
    /// A detector with `config.caps.sources` entries.
    pub fn new(config: &Config) -> Self {
        Self {
            sources: BoundedMap::new(config.caps.sources),
            cfg: config.rate,
            hints: HintCache::new(),
            est: Estimates::new(),
        }
    }
}

/// `server` is `fold_ip` of the event's server address.
fn target_hash(server: u64, ev: &Event<'_>, t: &Target) -> u64 {
    mix(server
        ^ mix(u64::from(ev.unit) << 48 ^ u64::from(t.start) << 16 ^ u64::from(t.count))
        ^ u64::from(t.space.code()))
}

impl Detector for RateScan {
    fn name(&self) -> &'static str {
        "rate"
    }

    fn family(&self) -> Family {
        Family::Rate
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if !ev.is_parsed() {
            return;
        }
        let is_exception = matches!(ev.outcome, Outcome::Exception(_));
        if ev.direction == Direction::Response && !is_exception {
            return;
        }
        let learning = sink.is_learning();
        let window = self.cfg.window_secs.max(1).saturating_mul(1_000_000);
        let hint = self.hints.at(crate::table::flow_hint(ev));
        let Some((s, inserted)) =
            self.sources
                .get_or_insert_with_hint(hint, ev.flow.client.ip, Source::default)
        else {
            return;
        };
        if inserted {
            s.window_start = ev.ts;
        }
        if ev.ts.saturating_sub(s.window_start) >= window {
            if learning {
                for (l, v) in s.learned.iter_mut().zip(s.now.values(&self.est)) {
                    *l = (*l).max(v);
                }
            }
            s.now = Counts::default();
            s.fired = 0;
            s.window_start = ev.ts;
        }
        let c = &mut s.now;
        let mut touched: u8 = 0;
        if ev.direction == Direction::Response {
            c.exceptions = c.exceptions.saturating_add(1);
            touched |= 1 << 4;
        } else {
            c.requests = c.requests.saturating_add(1);
            let server = fold_ip(&ev.flow.server.ip);
            c.servers.insert(server);
            c.units.insert(mix(server ^ u64::from(ev.unit)));
            touched |= 0b111;
            for t in ev.targets.as_slice() {
                let h = target_hash(server, ev, t);
                if ev.action.is_write() {
                    c.written.insert(h);
                    touched |= 1 << 6;
                } else if ev.action == Action::Read {
                    c.targets.insert(h);
                    touched |= 1 << 3;
                }
            }
            if ev.action.is_write() {
                c.writes = c.writes.saturating_add(1);
                touched |= 1 << 5;
            }
        }
        if learning {
            return;
        }
        let cfg = self.cfg;
        let floors = [
            cfg.requests_floor,
            cfg.servers_floor,
            cfg.units_floor,
            cfg.addresses_floor,
            cfg.exceptions_floor,
            cfg.writes_floor,
            cfg.written_addresses_floor,
        ];
        // The touched metrics that have not fired in this window, lowest first.
        let mut todo = touched & !s.fired;
        while todo != 0 {
            let m = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            let bit = 1u8 << m;
            let (Some(&floor), Some(&learned)) = (floors.get(m), s.learned.get(m)) else {
                continue;
            };
            let v = s.now.value(m, &self.est);
            let limit = (f64::from(learned) * cfg.factor).max(f64::from(floor));
            if f64::from(v) <= limit {
                continue;
            }
            s.fired |= bit;
            let (t, sev, reason, what): (&'static Technique, Severity, &'static str, &str) = match m
            {
                0 => (
                    &catalog::T0814,
                    Severity::High,
                    "request_flood",
                    "requests (flood)",
                ),
                1 => (
                    &catalog::T0846,
                    Severity::Medium,
                    "server_fan_out",
                    "distinct servers",
                ),
                2 => (
                    &catalog::T0846,
                    Severity::Medium,
                    "unit_fan_out",
                    "distinct units",
                ),
                3 => (
                    &catalog::T0861,
                    Severity::Medium,
                    "address_walk",
                    "distinct read targets (address walk)",
                ),
                4 => (
                    &catalog::T0861,
                    Severity::Medium,
                    "exception_burst",
                    "exception responses",
                ),
                5 => (&catalog::T0806, Severity::High, "write_storm", "writes"),
                _ => (
                    &catalog::T0806,
                    Severity::High,
                    "write_sweep",
                    "distinct written targets (write sweep)",
                ),
            };
            let f = Finding::new(
                ev,
                t,
                sev,
                0.7,
                format!(
                    "{} made {v} {what} in {} s (learned maximum {learned}, limit {limit:.0})",
                    ev.flow.client, cfg.window_secs
                ),
            )
            .because(reason)
            .with("metric", what)
            .with("count", v)
            .with("learned_max", learned)
            .with("window_s", cfg.window_secs);
            // Flow-level: the source is the client whichever way the PDU went.
            // Aggregated by source: the aggregate lists the servers and ports it touched.
            let f = Finding {
                src: ev.flow.client,
                dst: ev.flow.server,
                unit: None,
                by_source: true,
                ..f
            };
            sink.report(f);
        }
    }

    fn stats(&self) -> TableStats {
        self.sources.stats()
    }

    fn save(&self) -> Result<Value, Error> {
        save(&self.sources)
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        self.sources = load(state)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_estimates() {
        let mut s = Sketch::default();
        for i in 0..40u64 {
            s.insert(mix(i));
        }
        let e = s.estimate();
        assert!((30..=50).contains(&e), "{e}");
        let mut one = Sketch::default();
        for _ in 0..100 {
            one.insert(mix(7));
        }
        assert_eq!(one.estimate(), 1);
    }

    #[test]
    fn sketch_saves_as_bits_and_recounts_on_load() {
        let mut s = Sketch::default();
        for i in 0..40u64 {
            s.insert(mix(i));
        }
        assert_eq!(s.ones(), s.bits.iter().map(|w| w.count_ones()).sum::<u32>());
        // The saved form is the bare bit array, as before the count was kept.
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, serde_json::to_string(&s.bits).unwrap());
        let back: Sketch = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let est = Estimates::new();
        assert_eq!(est.of(&back), s.estimate());
    }
}
