//! Family 5: value range and rate of change per written or reported point (T0836 Modify
//! Parameter for writes, T0831 Manipulation of Control for reported values).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, secs};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog;
use crate::config::{self, Config};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Event, Ip, Outcome, Protocol, Space};
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
    hints: HintCache<512>,
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
        if ev.values.is_empty() || !ev.is_parsed() || ev.outcome != Outcome::Ok {
            return;
        }
        let written = match (ev.direction, ev.action) {
            (Direction::Request, Action::Write | Action::Command) => true,
            (Direction::Response, Action::Read) => false,
            _ => return,
        };
        let Some(t) = ev.value_target().copied() else {
            return;
        };
        if t.space.is_bits() || t.space == Space::None {
            return;
        }
        let learning = sink.is_learning();
        let cfg = self.cfg;
        // Where this flow's range started last time; then, consecutive addresses first
        // learned together sit in consecutive slots: the next slot is tried before hashing.
        let first = self.hints.at(crate::table::flow_hint(ev)
            ^ u64::from(t.start) << 20
            ^ u64::from(t.space.code()) << 40
            ^ u64::from(ev.unit) << 52);
        let mut hint = Hint::NONE;
        // `secs` of the time since `dt_at`, cached: the points of one PDU were usually last
        // reported together.
        let (mut dt_at, mut dt) = (u64::MAX, 0.0);
        let margin_nonneg = cfg.min_margin >= 0.0;
        for (i, v) in ev.values.iter().take(cfg.max_values_per_event).enumerate() {
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
            if learning {
                let ts = ev.ts;
                let got = self
                    .points
                    .get_or_insert_with_hint(&mut hint, key, || Point {
                        n: 0,
                        min: v,
                        max: v,
                        last: v,
                        last_ts: ts,
                        max_rate: 0.0,
                    });
                if i == 0 {
                    *first = hint;
                }
                if let Some((p, inserted)) = got {
                    if !inserted && !written {
                        if p.last_ts != dt_at {
                            dt_at = p.last_ts;
                            dt = secs(ev.ts.saturating_sub(p.last_ts));
                        }
                        // Computed whether or not it is used: cheaper than a branch on
                        // unpredictable values.
                        let r = v.abs_diff(p.last) as f64 / dt;
                        if dt > 0.0 {
                            p.max_rate = p.max_rate.max(r);
                        }
                    }
                    p.n = p.n.saturating_add(1);
                    p.min = p.min.min(v);
                    p.max = p.max.max(v);
                    if !written || inserted {
                        p.last = v;
                        p.last_ts = ev.ts;
                    }
                }
                continue;
            }
            let got = self.points.get_mut_with_hint(&mut hint, &key);
            if i == 0 {
                *first = hint;
            }
            let Some(p) = got else {
                continue;
            };
            let (last, last_ts) = (p.last, p.last_ts);
            if !written {
                // The rate of change is the process's: measured between reports only.
                p.last = v;
                p.last_ts = ev.ts;
            }
            if p.n < cfg.min_samples {
                continue;
            }
            // Fast path for the common case, exactly equivalent to the full test below when
            // the margin cannot be negative (`min_margin >= 0`): a value inside the learned
            // range is never out of range, and a written one, or a reported one with no
            // learned rate or no change, is never too fast. (Non-short-circuit `&` / `|`:
            // every operand is cheap and the values are not predictable branches.)
            if margin_nonneg
                & (p.min <= v)
                & (v <= p.max)
                & (written | (p.max_rate <= 0.0) | (v == last))
            {
                continue;
            }
            let width = p.max.abs_diff(p.min) as f64;
            let magnitude = p.min.unsigned_abs().max(p.max.unsigned_abs()) as f64;
            let margin = (width * cfg.tolerance)
                .max(cfg.min_margin)
                .max(magnitude * cfg.relative_margin);
            let lo = p.min as f64 - margin;
            let hi = p.max as f64 + margin;
            let vf = v as f64;
            let (reason, tech, sev) = if (vf < lo) | (vf > hi) {
                if written {
                    ("written_out_of_range", &catalog::T0836, Severity::High)
                } else {
                    ("reported_out_of_range", &catalog::T0831, Severity::Medium)
                }
            } else {
                if last_ts != dt_at {
                    dt_at = last_ts;
                    dt = secs(ev.ts.saturating_sub(last_ts));
                }
                let step = v.abs_diff(last) as f64;
                let rate = if dt > 0.0 { step / dt } else { 0.0 };
                if written
                    | (p.max_rate <= 0.0)
                    | (step <= margin)
                    | (rate <= p.max_rate * cfg.rate_factor)
                {
                    continue;
                }
                ("reported_rate", &catalog::T0831, Severity::Medium)
            };
            let (min, max, max_rate) = (p.min, p.max, p.max_rate);
            let f = Finding::new(
                ev,
                tech,
                sev,
                0.6,
                format!(
                    "{} value {v} at {:?} {addr} of {} unit {} is outside its learned behaviour [{min}, {max}]",
                    if written { "written" } else { "reported" },
                    t.space,
                    ev.flow.server,
                    ev.unit
                ),
            )
            .because(reason)
            .with("address", addr)
            .with("value", v)
            .with("previous", last)
            .with("learned_min", min)
            .with("learned_max", max)
            .with("learned_max_rate", max_rate);
            sink.report(f);
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
