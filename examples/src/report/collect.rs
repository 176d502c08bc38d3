//! What the HTML report needs beyond the scanner's inventory and counters, collected from
//! the merged events and the alerts while a scan runs (only when a report is asked for):
//! who talks to whom in which protocol doing what ([`Comms`]), and the alerts themselves
//! ([`AlertLog`]). Both are capped, counting what they leave out.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use hashbrown::HashMap;
use otwire_detect::protocol::Detail;
use otwire_detect::{Event, Protocol};

use crate::record::{AlertRecord, Severity};

/// Most (client, server, protocol) edges kept; later ones are counted in
/// [`Comms::dropped`].
pub const MAX_EDGES: usize = 65_536;
/// Most alerts kept for the timeline and the evidence, in all.
pub const MAX_ALERTS: usize = 1_000;
/// Most alerts kept per technique (so that one noisy technique does not crowd out the
/// others).
pub const MAX_ALERTS_PER_TECHNIQUE: usize = 50;

/// detect's `Action` names, in the order the report lists them; a name not here counts as
/// the last, "other".
const ACTION_NAMES: [&str; 13] = [
    "read",
    "write",
    "command",
    "program_download",
    "program_upload",
    "mode_change",
    "restart",
    "discovery",
    "diagnostic",
    "time_sync",
    "file_transfer",
    "config",
    "other",
];

/// A set of the kinds of operation seen (detect's `Action`s by name), as bits: an edge
/// costs no allocation for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Actions(u16);

impl Actions {
    fn bit(name: &str) -> u16 {
        let i = ACTION_NAMES
            .iter()
            .position(|n| *n == name)
            .unwrap_or(ACTION_NAMES.len() - 1);
        1 << i
    }

    /// Adds an action by name.
    pub fn insert(&mut self, name: &str) {
        self.0 |= Self::bit(name);
    }

    /// Whether the action `name` is in the set.
    pub fn contains(self, name: &str) -> bool {
        self.0 & Self::bit(name) != 0
    }

    /// Both sets.
    pub fn union(self, other: Self) -> Self {
        Actions(self.0 | other.0)
    }

    /// The names, read first, other last.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        ACTION_NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }

    /// The names joined by ", ".
    pub fn join(self) -> String {
        self.names().collect::<Vec<_>>().join(", ")
    }
}

impl<'a> FromIterator<&'a str> for Actions {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut a = Actions::default();
        for n in iter {
            a.insert(n);
        }
        a
    }
}

/// One edge of the communication map: a client's traffic to a server in one protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edge {
    /// The kinds of operation seen.
    pub actions: Actions,
    /// PDUs both ways.
    pub pdus: u64,
    /// First PDU (µs).
    pub first_us: i64,
    /// Last PDU (µs).
    pub last_us: i64,
}

/// Key of an edge: client, server, protocol name.
pub type EdgeKey = (IpAddr, IpAddr, &'static str);

/// The communication map's edges, from the merged events.
#[derive(Debug, Default)]
pub struct Comms {
    edges: HashMap<EdgeKey, Edge>,
    /// Events on edges not kept because the table was full.
    pub dropped: u64,
}

impl Comms {
    /// Records one event: its flow's client and server, protocol and action. Bytes that
    /// are not the protocol, and junk, teach nothing (as for the inventory).
    pub fn observe(&mut self, ev: &Event<'_>) {
        if matches!(ev.detail, Detail::None) || ev.protocol == Protocol::Unknown {
            return;
        }
        let key = (
            ev.flow.client.ip_addr(),
            ev.flow.server.ip_addr(),
            ev.protocol.name(),
        );
        let ts = i64::try_from(ev.ts).unwrap_or(i64::MAX);
        let full = self.edges.len() >= MAX_EDGES;
        let e = match self.edges.entry(key) {
            hashbrown::hash_map::Entry::Occupied(o) => o.into_mut(),
            hashbrown::hash_map::Entry::Vacant(_) if full => {
                self.dropped += 1;
                return;
            }
            hashbrown::hash_map::Entry::Vacant(v) => v.insert(Edge {
                first_us: ts,
                last_us: ts,
                ..Edge::default()
            }),
        };
        e.pdus += 1;
        e.first_us = e.first_us.min(ts);
        e.last_us = e.last_us.max(ts);
        e.actions.insert(ev.action.name());
    }

    /// The edges, sorted by client, server and protocol.
    pub fn sorted(&self) -> Vec<(EdgeKey, &Edge)> {
        let mut v: Vec<_> = self.edges.iter().map(|(k, e)| (*k, e)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// Number of edges kept.
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// Whether no edge was seen.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Adds an edge as if its events had been seen (tests and tools that build a map by
    /// hand).
    pub fn insert(&mut self, key: EdgeKey, edge: Edge) {
        if self.edges.len() < MAX_EDGES || self.edges.contains_key(&key) {
            self.edges.insert(key, edge);
        } else {
            self.dropped += 1;
        }
    }
}

/// One ATT&CK for ICS technique's line in the report's table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TechniqueRow {
    /// Technique name.
    pub name: String,
    /// Its tactics.
    pub tactics: BTreeSet<String>,
    /// Alerts raised (aggregates included).
    pub alerts: u64,
    /// The findings they stand for (the sum of their counts).
    pub findings: u64,
    /// Highest severity.
    pub severity: Option<Severity>,
    /// First occurrence (µs).
    pub first_us: u64,
    /// Last occurrence (µs).
    pub last_us: u64,
    /// Distinct detectors that raised it.
    pub detectors: BTreeSet<String>,
}

/// The alerts the report shows: every technique's counts, and the first alerts of each
/// technique with their evidence.
#[derive(Debug, Default)]
pub struct AlertLog {
    /// Kept alerts, in the order they fired.
    pub alerts: Vec<AlertRecord>,
    /// Alerts not kept (past [`MAX_ALERTS`] or [`MAX_ALERTS_PER_TECHNIQUE`]).
    pub dropped: u64,
    /// Per technique id (the catalog bounds it).
    pub techniques: BTreeMap<String, TechniqueRow>,
    kept_per_technique: HashMap<String, usize>,
}

impl AlertLog {
    /// Records one alert.
    pub fn add(&mut self, a: &AlertRecord) {
        let id = a.technique_id.to_string();
        let row = self
            .techniques
            .entry(id.clone())
            .or_insert_with(|| TechniqueRow {
                name: a.technique_name.to_string(),
                first_us: a.first_seen.0,
                last_us: a.last_seen.0,
                ..TechniqueRow::default()
            });
        row.alerts += 1;
        row.findings += a.count.max(1);
        row.severity = row.severity.max(Some(a.severity));
        row.first_us = row.first_us.min(a.first_seen.0);
        row.last_us = row.last_us.max(a.last_seen.0);
        for t in &a.tactics {
            row.tactics.insert(t.to_string());
        }
        row.detectors.insert(a.detector.to_string());
        let kept = self.kept_per_technique.entry(id).or_default();
        if self.alerts.len() < MAX_ALERTS && *kept < MAX_ALERTS_PER_TECHNIQUE {
            *kept += 1;
            self.alerts.push(a.clone());
        } else {
            self.dropped += 1;
        }
    }
}

/// Everything collected for the report.
#[derive(Debug, Default)]
pub struct Collected {
    /// The communication map's edges.
    pub comms: Comms,
    /// The alerts.
    pub alerts: AlertLog,
}

#[cfg(test)]
mod tests {
    use super::*;
    use otwire_detect::{Action, Direction, Endpoint, Flow, Meta};

    fn event(client: [u8; 4], action: Action) -> Event<'static> {
        let meta = Meta {
            ts: 5,
            flow: Flow::new(
                Endpoint::v4(client, 40_000),
                Endpoint::v4([10, 0, 0, 2], 502),
            ),
            ..Meta::default()
        };
        Event {
            action,
            ..Event::new(meta, Protocol::Modbus, Direction::Request)
        }
    }

    #[test]
    fn events_without_a_message_make_no_edge() {
        // Event::new has Detail::None: bytes that are not the protocol.
        let mut c = Comms::default();
        c.observe(&event([10, 0, 0, 1], Action::Write));
        assert!(c.is_empty());
    }

    #[test]
    fn actions_keep_the_report_order_and_fold_unknown_names_into_other() {
        let a: Actions = ["mode_change", "read", "no_such_action"]
            .into_iter()
            .collect();
        assert_eq!(a.join(), "read, mode_change, other");
        assert!(a.contains("read") && !a.contains("write"));
        assert_eq!(
            a.union(["write"].into_iter().collect()).join(),
            "read, write, mode_change, other"
        );
    }

    #[test]
    fn edge_table_is_capped_and_counts_the_rest() {
        let mut c = Comms::default();
        for i in 0..(MAX_EDGES as u32 + 10) {
            let [_, a, b, d] = i.to_be_bytes();
            c.insert(
                (
                    IpAddr::from([10, a, b, d]),
                    IpAddr::from([10, 0, 0, 2]),
                    "modbus",
                ),
                Edge::default(),
            );
        }
        assert_eq!(c.len(), MAX_EDGES);
        assert_eq!(c.dropped, 10);
    }
}
