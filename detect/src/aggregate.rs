//! Alert aggregation (DESIGN.md §3 `Engine`, "alert aggregation and suppression"; issue 13
//! point 4, "alerts a person can act on").
//!
//! Findings are grouped by (detector, technique, reason, protocol, target), the target
//! being the destination host and unit (no unit when the event's bytes are not the
//! protocol, junk or malformed: a unit read from them is noise) ([`crate::config::AggregateBy::Target`], the default;
//! a finding about what its source does, such as a scan, marked
//! [`Finding::by_source`](crate::Finding::by_source), is grouped by its source host instead).
//! The first finding of a group is an alert at once and opens a window of
//! `suppress_secs`; the group's later findings within the window are folded into one
//! aggregate alert, emitted when the window closes (the first event at or past its end),
//! when the table is full and the group is the oldest, or at
//! [`Engine::finish`](crate::Engine::finish). A group whose window folded something stays open for another
//! window (a storm that goes on is one aggregate per window); a quiet window closes it,
//! and the next finding alerts at once again. The counts of every alert of a group add up
//! to the findings raised.
//!
//! The table holds at most `caps.alerts` groups in the order their windows opened (which
//! is the order they close in): a full table evicts the oldest, emitting its aggregate.
//! Each group lists at most `aggregation.listed` distinct peers (sources, or destination
//! hosts of a source) and ports; the others are counted in a 256-register HyperLogLog
//! (Flajolet, Fusy, Gandouet, Meunier, 2007): a standard error of 6.5 %, and close to
//! exact below a few hundred (linear counting).

use std::borrow::Cow;
use std::collections::VecDeque;

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::alert::{Alert, Finding, Severity, Timestamp};
use crate::catalog;
use crate::config::AggregateBy;
use crate::event::{Conformance, Endpoint, Event, Ip, Protocol, ip_from_bytes};
use crate::table::TableStats;

/// Registers of a sketch (2^8: the top byte of a hash picks one).
const REGISTERS: usize = 256;

/// The longest list of peers or ports an aggregate carries (whatever the configuration).
pub(crate) const MAX_LISTED: usize = 256;

/// SplitMix64's finalizer: a fixed, well-mixed hash (no random seed, so that a sketch
/// saved with a baseline goes on counting the same way after a reload).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value an aggregate lists and counts.
pub(crate) trait Item: Copy + PartialEq {
    /// A fixed hash of the value.
    fn hash(&self) -> u64;
}

impl Item for Ip {
    fn hash(&self) -> u64 {
        let v = u128::from_le_bytes(*self);
        mix(v as u64 ^ mix((v >> 64) as u64))
    }
}

impl Item for u16 {
    fn hash(&self) -> u64 {
        mix(u64::from(*self))
    }
}

/// Distinct values: the first `listed` exactly, the others counted by a sketch that is
/// only allocated once the list is full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Distinct<T> {
    listed: Vec<T>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sketch: Vec<u8>,
}

impl<T> Default for Distinct<T> {
    fn default() -> Self {
        Self {
            listed: Vec::new(),
            sketch: Vec::new(),
        }
    }
}

impl<T: Item> Distinct<T> {
    /// Adds `v` (a value already listed changes nothing).
    pub(crate) fn add(&mut self, v: T, cap: usize) {
        if self.listed.contains(&v) {
            return;
        }
        if self.sketch.is_empty() && self.listed.len() < cap.min(MAX_LISTED) {
            self.listed.push(v);
            return;
        }
        if self.sketch.len() != REGISTERS {
            self.sketch = vec![0; REGISTERS];
        }
        let h = v.hash();
        let register = (h >> 56) as usize;
        // The rank of the first 1 bit in the remaining 56 bits (a sentinel bit caps it).
        let rank = ((h << 8) | 0x80).leading_zeros() as u8 + 1;
        if let Some(r) = self.sketch.get_mut(register) {
            *r = (*r).max(rank);
        }
    }

    /// The listed values.
    pub(crate) fn listed(&self) -> &[T] {
        &self.listed
    }

    /// The distinct values not listed (an estimate; 0 exactly while the list has room).
    pub(crate) fn others(&self) -> u64 {
        if self.sketch.is_empty() {
            return 0;
        }
        let m = REGISTERS as f64;
        let mut sum = 0.0;
        let mut zeros = 0u32;
        for &r in &self.sketch {
            sum += f64::powi(2.0, -i32::from(r));
            zeros += u32::from(r == 0);
        }
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / sum;
        let e = if raw <= 2.5 * m && zeros > 0 {
            // Small range: linear counting.
            m * (m / f64::from(zeros)).ln()
        } else {
            raw
        };
        // At least one value went into the sketch.
        (e.round() as u64).max(1)
    }
}

/// What a group is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct AggKey {
    detector: u8,
    technique: u16,
    reason: u32,
    proto: Protocol,
    /// The host the group is about: the destination, or the source of a finding about
    /// what its source does.
    host: Ip,
    by_source: bool,
    /// The other end, only when aggregating by pair (else zero).
    peer: Ip,
    unit: Option<u16>,
}

/// FNV-1a of a reason name (a small, stable key part).
fn reason_key(r: &str) -> u32 {
    r.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The latest finding folded into a group: what its aggregate says besides the counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Last {
    frame: u64,
    flow: u64,
    src: Endpoint,
    dst: Endpoint,
    confidence: f32,
    summary: String,
    evidence: Map<String, Value>,
    /// The IP protocol number of the last finding's event.
    #[serde(default)]
    ip_proto: Option<u8>,
}

/// One open group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Group {
    key: AggKey,
    /// When its window closes (µs).
    due: u64,
    /// Findings folded in this window.
    count: u64,
    first_ts: u64,
    last_ts: u64,
    severity: Severity,
    /// Sources (by target) or destination hosts (by source).
    peers: Distinct<Ip>,
    /// Destination ports.
    ports: Distinct<u16>,
    last: Option<Last>,
}

/// Every open group, in the order their windows close.
#[derive(Debug, Clone, Default)]
pub(crate) struct Aggregator {
    groups: VecDeque<Group>,
    /// The sequence number of `groups[0]`; a group's number locates it in the queue.
    front: u64,
    index: HashMap<AggKey, u64>,
    /// The latest time seen.
    now: u64,
    evictions: u64,
}

/// The state a baseline keeps (the index is rebuilt on load).
#[derive(Serialize, Deserialize)]
struct Saved {
    groups: Vec<Group>,
    now: u64,
    evictions: u64,
}

/// The settings and names aggregation needs from the engine.
pub(crate) struct Ctx<'a> {
    /// Window length, µs (0: no aggregation).
    pub(crate) window: u64,
    /// Groups held at most (0: no aggregation).
    pub(crate) cap: usize,
    /// Peers and ports listed per aggregate.
    pub(crate) listed: usize,
    /// The grouping.
    pub(crate) by: AggregateBy,
    /// Each detector's name, by index.
    pub(crate) names: &'a [&'static str],
}

impl Aggregator {
    /// Counters: groups open, the cap, groups evicted early.
    pub(crate) fn stats(&self, cap: usize) -> TableStats {
        TableStats {
            len: self.groups.len(),
            cap,
            evictions: self.evictions,
        }
    }

    /// The state for a baseline.
    pub(crate) fn save(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(Saved {
            groups: self.groups.iter().cloned().collect(),
            now: self.now,
            evictions: self.evictions,
        })
    }

    /// The aggregator a baseline saved.
    pub(crate) fn load(v: Value) -> Result<Self, serde_json::Error> {
        let s: Saved = serde_json::from_value(v)?;
        let mut a = Self {
            now: s.now,
            evictions: s.evictions,
            ..Self::default()
        };
        for g in s.groups {
            a.push(g);
        }
        Ok(a)
    }

    fn push(&mut self, g: Group) {
        let seq = self.front + self.groups.len() as u64;
        self.index.insert(g.key, seq);
        self.groups.push_back(g);
    }

    fn pop(&mut self) -> Option<Group> {
        let g = self.groups.pop_front()?;
        self.front += 1;
        self.index.remove(&g.key);
        Some(g)
    }

    /// Moves time to `ts`: closes every window that ended, emitting the aggregates of
    /// those that folded something (and keeping them open for another window).
    pub(crate) fn advance(&mut self, ts: u64, ctx: &Ctx<'_>, out: &mut impl FnMut(Alert)) {
        self.now = self.now.max(ts);
        while self.groups.front().is_some_and(|g| g.due <= self.now) {
            let Some(g) = self.pop() else { break };
            if g.count > 0 {
                out(aggregate(&g, self.now, ctx));
                self.push(Group {
                    due: self.now.saturating_add(ctx.window),
                    ..fresh(g.key, g.severity)
                });
            }
        }
    }

    /// Emits every open group's aggregate and forgets them all (end of input).
    pub(crate) fn flush(&mut self, ctx: &Ctx<'_>, out: &mut impl FnMut(Alert)) {
        while let Some(g) = self.pop() {
            if g.count > 0 {
                out(aggregate(&g, self.now, ctx));
            }
        }
    }

    /// One finding of `ev` by detector `detector`: an alert at once (returned) when it
    /// opens a group, else folded into its group's aggregate (`None`). Evicting the oldest
    /// group to make room emits its aggregate through `out`.
    pub(crate) fn fold(
        &mut self,
        detector: u8,
        ev: &Event<'_>,
        f: Finding,
        ctx: &Ctx<'_>,
        out: &mut impl FnMut(Alert),
    ) -> Option<Alert> {
        let ts = ev.ts;
        if ctx.window == 0 || ctx.cap == 0 {
            return Some(alert(detector, ev, f, ctx));
        }
        let (host, peer) = if f.by_source {
            (f.src.ip, f.dst.ip)
        } else {
            (f.dst.ip, f.src.ip)
        };
        let key = AggKey {
            detector,
            technique: catalog::index_of(f.technique),
            reason: reason_key(f.reason),
            proto: f.proto,
            host,
            by_source: f.by_source,
            peer: match ctx.by {
                AggregateBy::Target => [0; 16],
                AggregateBy::Pair => peer,
            },
            // A unit read from bytes that are not the protocol, junk or a malformed PDU is
            // noise, not a target.
            unit: if ev
                .conformance
                .intersects(Conformance::NOT_PROTOCOL | Conformance::JUNK | Conformance::MALFORMED)
            {
                None
            } else {
                f.unit
            },
        };
        let at = self
            .index
            .get(&key)
            .and_then(|&seq| usize::try_from(seq.wrapping_sub(self.front)).ok());
        if let Some(g) = at.and_then(|i| self.groups.get_mut(i)) {
            if g.count == 0 {
                g.first_ts = ts;
            }
            g.count += 1;
            g.first_ts = g.first_ts.min(ts);
            g.last_ts = g.last_ts.max(ts);
            g.severity = g.severity.max(f.severity);
            g.peers.add(peer, ctx.listed);
            g.ports.add(f.dst.port, ctx.listed);
            g.last = Some(Last {
                frame: ev.frame,
                flow: ev.flow_id,
                src: f.src,
                dst: f.dst,
                confidence: f.confidence,
                summary: f.summary,
                evidence: f.evidence,
                ip_proto: ev.link.ip_proto,
            });
            return None;
        }
        while self.groups.len() >= ctx.cap {
            let Some(old) = self.pop() else { break };
            self.evictions += 1;
            if old.count > 0 {
                out(aggregate(&old, self.now, ctx));
            }
        }
        self.push(Group {
            due: self.now.max(ts).saturating_add(ctx.window),
            ..fresh(key, f.severity)
        });
        Some(alert(detector, ev, f, ctx))
    }
}

/// A group with nothing folded yet.
fn fresh(key: AggKey, severity: Severity) -> Group {
    Group {
        key,
        due: 0,
        count: 0,
        first_ts: 0,
        last_ts: 0,
        severity,
        peers: Distinct::default(),
        ports: Distinct::default(),
        last: None,
    }
}

fn technique(i: u16) -> &'static catalog::Technique {
    catalog::TECHNIQUES
        .get(usize::from(i))
        .copied()
        .unwrap_or(&catalog::T0800)
}

fn name(ctx: &Ctx<'_>, detector: u8) -> &'static str {
    ctx.names.get(usize::from(detector)).copied().unwrap_or("")
}

/// The alert of a finding that opens a group (or of any finding, without aggregation).
fn alert(detector: u8, ev: &Event<'_>, f: Finding, ctx: &Ctx<'_>) -> Alert {
    Alert {
        ts: Timestamp(ev.ts),
        frame: ev.frame,
        flow: ev.flow_id,
        src: f.src,
        dst: f.dst,
        proto: f.proto,
        ip_proto: ev.link.ip_proto,
        unit: f.unit,
        detector: Cow::Borrowed(name(ctx, detector)),
        technique_id: Cow::Borrowed(f.technique.id),
        technique_name: Cow::Borrowed(f.technique.name),
        tactics: f
            .technique
            .tactics
            .iter()
            .map(|t| Cow::Borrowed(*t))
            .collect(),
        severity: f.severity,
        confidence: f.confidence,
        summary: f.summary,
        evidence: f.evidence,
        first_seen: Timestamp(ev.ts),
        last_seen: Timestamp(ev.ts),
        count: 1,
        aggregate: false,
        sources: Vec::new(),
        sources_others: 0,
        hosts: Vec::new(),
        hosts_others: 0,
        ports: Vec::new(),
        ports_others: 0,
    }
}

/// The aggregate of a group that folded something, emitted at `now`.
fn aggregate(g: &Group, now: u64, ctx: &Ctx<'_>) -> Alert {
    let t = technique(g.key.technique);
    let (frame, flow, src, dst, confidence, last_summary, evidence) = match &g.last {
        Some(l) => (
            l.frame,
            l.flow,
            l.src,
            l.dst,
            l.confidence,
            l.summary.as_str(),
            l.evidence.clone(),
        ),
        None => (
            0,
            0,
            Endpoint::default(),
            Endpoint::default(),
            0.0,
            "",
            Map::new(),
        ),
    };
    let peers: Vec<_> = g
        .peers
        .listed()
        .iter()
        .map(|ip| ip_from_bytes(*ip))
        .collect();
    // An estimate never says more peers or ports than findings.
    let room = g.count.saturating_sub(peers.len() as u64);
    let peers_others = g.peers.others().min(room);
    let ports_others = g
        .ports
        .others()
        .min(g.count.saturating_sub(g.ports.listed().len() as u64));
    let peer_count = peers.len() as u64 + peers_others;
    let about = if peers_others > 0 { "about " } else { "" };
    let host = ip_from_bytes(g.key.host);
    let span = g.last_ts.saturating_sub(g.first_ts) as f64 / 1e6;
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let summary = if g.key.by_source {
        format!(
            "{} more {} ({}) from {host} to {about}{peer_count} host{} in {span:.1} s; last: {last_summary}",
            g.count,
            t.id,
            t.name,
            plural(peer_count)
        )
    } else {
        format!(
            "{} more {} ({}) against {host} ({}) from {about}{peer_count} source{} in {span:.1} s; last: {last_summary}",
            g.count,
            t.id,
            t.name,
            g.key.proto.name(),
            plural(peer_count)
        )
    };
    let (sources, sources_others, hosts, hosts_others) = if g.key.by_source {
        (Vec::new(), 0, peers, peers_others)
    } else {
        (peers, peers_others, Vec::new(), 0)
    };
    Alert {
        ts: Timestamp(now),
        frame,
        flow,
        src,
        dst,
        proto: g.key.proto,
        ip_proto: g.last.as_ref().and_then(|l| l.ip_proto),
        unit: g.key.unit,
        detector: Cow::Borrowed(name(ctx, g.key.detector)),
        technique_id: Cow::Borrowed(t.id),
        technique_name: Cow::Borrowed(t.name),
        tactics: t.tactics.iter().map(|t| Cow::Borrowed(*t)).collect(),
        severity: g.severity,
        confidence,
        summary,
        evidence,
        first_seen: Timestamp(g.first_ts),
        last_seen: Timestamp(g.last_ts),
        count: g.count,
        aggregate: true,
        sources,
        sources_others,
        hosts,
        hosts_others,
        ports: g.ports.listed().to_vec(),
        ports_others,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_lists_then_estimates() {
        let mut d = Distinct::<u16>::default();
        for p in [502, 502, 20000, 502] {
            d.add(p, 4);
        }
        assert_eq!(d.listed(), &[502, 20000]);
        assert_eq!(d.others(), 0);
        let mut d = Distinct::<Ip>::default();
        for i in 0..100_000u32 {
            let mut ip = [0u8; 16];
            ip[12..].copy_from_slice(&i.to_be_bytes());
            d.add(ip, 16);
            d.add(ip, 16);
        }
        assert_eq!(d.listed().len(), 16);
        let others = d.others() as f64;
        let want = 100_000.0 - 16.0;
        assert!((others - want).abs() / want < 0.15, "{others}");
        // Small counts are close to exact (linear counting).
        let mut d = Distinct::<u16>::default();
        for p in 0..40 {
            d.add(p, 16);
        }
        assert!(d.others().abs_diff(24) <= 2, "{}", d.others());
    }
}
