//! Family 5: value range and rate of change per written or reported point (T0836 Modify
//! Parameter for writes, T0831 Manipulation of Control for reported values).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, secs};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::{self, Config};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Event, Ip, Outcome, Protocol, Space, Target, Values};
use crate::table::{BoundedMap, Hint, HintCache, TableStats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct PointKey {
    server: Ip,
    unit: u16,
    proto: Protocol,
    space: Space,
    addr: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Point {
    n: u32,
    min: i64,
    max: i64,
    last: i64,
    last_ts: u64,
    /// Fastest learned change, units per second.
    max_rate: f64,
    /// The judging bounds derived from the fields above; not saved (recomputed on use).
    #[serde(skip)]
    bounds: Bounds,
}

/// What [`judge`] compares a value with, derived from a point's learned range and rate and
/// the configuration: computed on a point's first judged value and kept until learning
/// changes the point again, so that the per-value work after learning is comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Bounds {
    /// False until computed, and again whenever learning changes the point.
    valid: bool,
    /// The tolerated distance outside `[min, max]`, and the smallest step judged as a rate.
    margin: f64,
    /// `min - margin`, `max + margin`.
    lo: f64,
    hi: f64,
    /// `max_rate * rate_factor`.
    rate_limit: f64,
}

impl Point {
    /// The point's judging bounds under `cfg`, computed once.
    #[inline]
    fn bounds(&mut self, cfg: &config::ValueRange) -> Bounds {
        if !self.bounds.valid {
            let width = self.max.abs_diff(self.min) as f64;
            let magnitude = self.min.unsigned_abs().max(self.max.unsigned_abs()) as f64;
            let margin = (width * cfg.tolerance)
                .max(cfg.min_margin)
                .max(magnitude * cfg.relative_margin);
            self.bounds = Bounds {
                valid: true,
                margin,
                lo: self.min as f64 - margin,
                hi: self.max as f64 + margin,
                rate_limit: self.max_rate * cfg.rate_factor,
            };
        }
        self.bounds
    }
}

/// Learns each point's range and fastest change from the values written to it and
/// reported from it; afterwards reports written values outside the range (T0836) and
/// reported values outside the range or changing faster than learned (T0831). Word
/// values only: single bits are judged by the rate family (toggling).
#[derive(Debug, Clone)]
pub struct ValueRange {
    points: BoundedMap<PointKey, Point>,
    cfg: config::ValueRange,
    /// Where each flow's first point of a range was last found.
    hints: HintCache<4096>,
}

impl ValueRange {
    /// A detector with `config.caps.points` entries.
    pub fn new(config: &Config) -> Self {
        Self {
            points: BoundedMap::new(config.caps.points),
            cfg: config.value,
            hints: HintCache::new(),
        }
    }
}

impl Detector for ValueRange {
    fn name(&self) -> &'static str {
        "value"
    }

    fn family(&self) -> Family {
        Family::Value
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let Some((written, t)) = judged(ev) else {
            return;
        };
        let max = self.cfg.max_values_per_event;
        match ev.values {
            // Register data, the common case: the words straight from the bytes.
            Values::U16Be(b) => {
                let words = b.chunks_exact(2).take(max).map(word);
                self.judge_all(ev, sink, written, t, words);
            }
            other => self.judge_all(ev, sink, written, t, other.iter().take(max)),
        }
    }

    fn stats(&self) -> TableStats {
        self.points.stats()
    }

    fn save(&self) -> Result<Value, Error> {
        save(&self.points)
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        self.points = load(state)?;
        Ok(())
    }
}

impl ValueRange {
    /// Learns or judges each of an event's values, the first at `t.start`.
    #[inline]
    fn judge_all(
        &mut self,
        ev: &Event<'_>,
        sink: &mut Sink,
        written: bool,
        t: Target,
        values: impl Iterator<Item = i64>,
    ) {
        let learning = sink.is_learning();
        // Where this flow's range started last time; then, consecutive addresses first
        // learned together sit in consecutive slots: the next slot is tried before hashing.
        let first = self.hints.at(crate::table::flow_hint(ev)
            ^ u64::from(t.start) << 20
            ^ u64::from(t.space.code()) << 40
            ^ u64::from(ev.unit) << 52);
        let mut hint = Hint::NONE;
        let mut dt = Elapsed::new(ev.ts);
        for (i, v) in values.enumerate() {
            hint = if i == 0 { *first } else { hint.next() };
            let Some(addr) = u32::try_from(i).ok().and_then(|i| t.start.checked_add(i)) else {
                break;
            };
            let key = PointKey {
                server: ev.flow.server.ip,
                unit: ev.unit,
                proto: ev.protocol,
                space: t.space,
                addr,
            };
            let s = Sample {
                v,
                written,
                ts: ev.ts,
            };
            if learning {
                learn(&mut self.points, &mut hint, key, s, &mut dt);
            } else if let Some(f) = judge(&mut self.points, &mut hint, &key, s, &self.cfg, &mut dt)
            {
                sink.report(f.finding(ev, t.space, addr));
            }
            if i == 0 {
                *first = hint;
            }
        }
    }
}

/// A big-endian 16-bit register word (Modbus register data, [`Values::U16Be`]).
#[inline]
fn word(w: &[u8]) -> i64 {
    i64::from(u16::from_be_bytes(
        <[u8; 2]>::try_from(w).unwrap_or_default(),
    ))
}

/// Whether an event's values are judged, and as written (requests that write or command)
/// or reported (read responses); with the target they belong to. Word values only: single
/// bits are judged by the rate family (toggling).
fn judged(ev: &Event<'_>) -> Option<(bool, Target)> {
    if ev.values.is_empty() || !ev.is_parsed() || ev.outcome != Outcome::Ok {
        return None;
    }
    let written = match (ev.direction, ev.action) {
        (Direction::Request, Action::Write | Action::Command) => true,
        (Direction::Response, Action::Read) => false,
        _ => return None,
    };
    let t = ev.value_target().copied()?;
    if t.space.is_bits() || t.space == Space::None {
        return None;
    }
    Some((written, t))
}

/// One value of one point.
#[derive(Debug, Clone, Copy)]
struct Sample {
    v: i64,
    written: bool,
    ts: u64,
}

/// Seconds since a point's last report, cached: the points of one PDU were usually last
/// reported together.
#[derive(Debug, Clone, Copy)]
struct Elapsed {
    now: u64,
    at: u64,
    secs: f64,
}

impl Elapsed {
    fn new(now: u64) -> Self {
        Self {
            now,
            at: u64::MAX,
            secs: 0.0,
        }
    }

    #[inline]
    fn since(&mut self, at: u64) -> f64 {
        if at != self.at {
            self.at = at;
            self.secs = secs(self.now.saturating_sub(at));
        }
        self.secs
    }
}

/// Learning: the point's range, count, and fastest change between reports.
#[inline(always)]
fn learn(
    points: &mut BoundedMap<PointKey, Point>,
    hint: &mut Hint,
    key: PointKey,
    s: Sample,
    dt: &mut Elapsed,
) {
    let Some((p, inserted)) = points.get_or_insert_with_hint(hint, key, || Point {
        n: 0,
        min: s.v,
        max: s.v,
        last: s.v,
        last_ts: s.ts,
        max_rate: 0.0,
        bounds: Bounds::default(),
    }) else {
        return;
    };
    if !inserted && !s.written && s.v == p.last {
        // The same reading again (most polled points, most of the time): no change means
        // no rate, and the range already holds it.
        p.n = p.n.saturating_add(1);
        p.last_ts = s.ts;
        return;
    }
    if !inserted && !s.written {
        let d = dt.since(p.last_ts);
        // Computed whether or not it is used: cheaper than a branch on unpredictable
        // values.
        let r = s.v.abs_diff(p.last) as f64 / d;
        if d > 0.0 {
            p.max_rate = p.max_rate.max(r);
        }
    }
    p.bounds.valid = false;
    p.n = p.n.saturating_add(1);
    p.min = p.min.min(s.v);
    p.max = p.max.max(s.v);
    if !s.written || inserted {
        p.last = s.v;
        p.last_ts = s.ts;
    }
}

/// What a judged value broke.
#[derive(Debug, Clone, Copy)]
struct Breach {
    reason: &'static str,
    technique: &'static Technique,
    severity: Severity,
    v: i64,
    written: bool,
    last: i64,
    min: i64,
    max: i64,
    max_rate: f64,
}

impl Breach {
    fn finding(self, ev: &Event<'_>, space: Space, addr: u32) -> Finding {
        let Breach {
            v, min, max, last, ..
        } = self;
        Finding::new(
            ev,
            self.technique,
            self.severity,
            0.6,
            format!(
                "{} value {v} at {space:?} {addr} of {} unit {} is outside its learned behaviour [{min}, {max}]",
                if self.written { "written" } else { "reported" },
                ev.flow.server,
                ev.unit
            ),
        )
        .because(self.reason)
        .with("address", addr)
        .with("value", v)
        .with("previous", last)
        .with("learned_min", min)
        .with("learned_max", max)
        .with("learned_max_rate", self.max_rate)
    }
}

/// Detecting: a written value outside the learned range (T0836), a reported one outside
/// it (T0831) or changing faster than learned (T0831).
#[inline(always)]
fn judge(
    points: &mut BoundedMap<PointKey, Point>,
    hint: &mut Hint,
    key: &PointKey,
    s: Sample,
    cfg: &config::ValueRange,
    dt: &mut Elapsed,
) -> Option<Breach> {
    let p = points.get_mut_with_hint(hint, key)?;
    let v = s.v;
    let (last, last_ts) = (p.last, p.last_ts);
    if !s.written {
        // The rate of change is the process's: measured between reports only.
        p.last = v;
        p.last_ts = s.ts;
    }
    if p.n < cfg.min_samples {
        return None;
    }
    // Fast path for the common case, exactly equivalent to the full test below when the
    // margin cannot be negative (`min_margin >= 0`): a value inside the learned range is
    // never out of range, and a written one, or a reported one with no learned rate or no
    // change, is never too fast. (Non-short-circuit `&` / `|`: every operand is cheap and
    // the values are not predictable branches.)
    if (cfg.min_margin >= 0.0)
        & (p.min <= v)
        & (v <= p.max)
        & (s.written | (p.max_rate <= 0.0) | (v == last))
    {
        return None;
    }
    let b = p.bounds(cfg);
    let vf = v as f64;
    let (reason, technique, severity) = if (vf < b.lo) | (vf > b.hi) {
        if s.written {
            ("written_out_of_range", &catalog::T0836, Severity::High)
        } else {
            ("reported_out_of_range", &catalog::T0831, Severity::Medium)
        }
    } else {
        if s.written | (p.max_rate <= 0.0) {
            return None;
        }
        let step = v.abs_diff(last) as f64;
        if step <= b.margin {
            return None;
        }
        let d = dt.since(last_ts);
        let rate = if d > 0.0 { step / d } else { 0.0 };
        if rate <= b.rate_limit {
            return None;
        }
        ("reported_rate", &catalog::T0831, Severity::Medium)
    };
    Some(Breach {
        reason,
        technique,
        severity,
        v,
        written: s.written,
        last,
        min: p.min,
        max: p.max,
        max_rate: p.max_rate,
    })
}
