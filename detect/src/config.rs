//! Engine configuration: thresholds, table caps, trusted clients (TOML, every field optional).
//!
//! ```toml
//! learning_secs = 3600
//! trusted_clients = ["192.0.2.10"]
//! [caps]
//! points = 100000
//! [rate]
//! window_secs = 10
//! [aggregation]
//! by = "target"
//! listed = 16
//! ```

use core::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::event::{Ip, ip_bytes};

/// Everything tunable. `Config::default()` is a sensible starting point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Learning lasts this many seconds of event time from the first event (0: until
    /// [`Engine::finish_learning`](crate::Engine::finish_learning) is called).
    pub learning_secs: u64,
    /// The aggregation window: the first finding of a group (detector, technique, reason,
    /// target) is an alert at once; the group's findings in the next this many seconds are
    /// counted into one aggregate alert, emitted when the window closes (0: every finding
    /// is an alert). See [`Aggregation`].
    pub suppress_secs: u64,
    /// How alerts are aggregated (the window is `suppress_secs`, the table's cap
    /// `caps.alerts`).
    pub aggregation: Aggregation,
    /// Known HMIs and engineering stations: exempt from the new-talker and allowlist
    /// families and from new-signature reports (single-message matchers, value ranges,
    /// rates and conformance still judge them).
    pub trusted_clients: Vec<IpAddr>,
    /// Table caps.
    pub caps: Caps,
    /// Which detectors run.
    pub enable: Enable,
    /// Periodicity thresholds.
    pub periodicity: Periodicity,
    /// Value range and rate-of-change thresholds.
    pub value: ValueRange,
    /// Rate / fan-out / scan thresholds.
    pub rate: Rate,
    /// Protocol state thresholds.
    pub state: State,
    /// Scan, ARP and path thresholds (the network detectors).
    pub net: Net,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            learning_secs: 3600,
            suppress_secs: 300,
            aggregation: Aggregation::default(),
            trusted_clients: Vec::new(),
            caps: Caps::default(),
            enable: Enable::default(),
            periodicity: Periodicity::default(),
            value: ValueRange::default(),
            rate: Rate::default(),
            state: State::default(),
            net: Net::default(),
        }
    }
}

impl Config {
    /// Parses a TOML document.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        toml::from_str(text).map_err(|e| Error::Config(e.to_string()))
    }

    /// The trusted clients as table keys.
    pub fn trusted(&self) -> Vec<Ip> {
        self.trusted_clients
            .iter()
            .map(|ip| ip_bytes(*ip))
            .collect()
    }
}

/// Maximum entries per table. Every table evicts (and counts evictions) past its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Caps {
    /// Known clients, servers, units and pairs (new asset); learned pairs, ARP bindings and
    /// talker paths (scan, arp, path).
    pub assets: usize,
    /// Learned operations (allowlist).
    pub operations: usize,
    /// Request / response signatures (periodicity).
    pub signatures: usize,
    /// Outstanding requests and recent responses (state).
    pub transactions: usize,
    /// Points (value range).
    pub points: usize,
    /// Sources (rate / fan-out).
    pub sources: usize,
    /// Servers with learned anomaly sets (conformance).
    pub conformance: usize,
    /// Open alert aggregation groups (a full table emits and evicts the oldest).
    pub alerts: usize,
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            assets: 65_536,
            operations: 65_536,
            signatures: 65_536,
            transactions: 65_536,
            points: 262_144,
            sources: 16_384,
            conformance: 16_384,
            alerts: 16_384,
        }
    }
}

impl Caps {
    /// Every cap set to `n` (handy for tests and small devices).
    pub const fn all(n: usize) -> Self {
        Self {
            assets: n,
            operations: n,
            signatures: n,
            transactions: n,
            points: n,
            sources: n,
            conformance: n,
            alerts: n,
        }
    }
}

/// What an alert group's target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AggregateBy {
    /// The destination host (with the protocol and unit): a storm of one kind against one
    /// target from any number of sources is one group. Findings marked
    /// [`Finding::by_source`](crate::Finding::by_source) are grouped by their source host.
    Target,
    /// The pair of hosts (with the protocol and unit): each source's findings are a group
    /// of their own.
    Pair,
}

/// Alert aggregation (DESIGN.md §3 `Engine`; `crate::Engine` documents the windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Aggregation {
    /// What a group's target is.
    pub by: AggregateBy,
    /// Distinct sources (or destination hosts) and ports an aggregate lists (at most 256);
    /// the others are counted.
    pub listed: usize,
}

impl Default for Aggregation {
    fn default() -> Self {
        Self {
            by: AggregateBy::Target,
            listed: 16,
        }
    }
}

/// Which built-in detectors [`Engine::new`](crate::Engine::new) installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Enable {
    /// Single-message ATT&CK matchers.
    pub stateless: bool,
    /// Family 1.
    pub new_asset: bool,
    /// Family 2.
    pub allowlist: bool,
    /// Family 3.
    pub periodicity: bool,
    /// Family 4.
    pub state: bool,
    /// Family 5.
    pub value: bool,
    /// Family 6.
    pub rate: bool,
    /// Family 7.
    pub conformance: bool,
    /// Network scans and sweeps (family 6, network events: `scan`).
    pub scan: bool,
    /// ARP bindings (path family: `arp`).
    pub arp: bool,
    /// Learned link addresses and TTLs of talker pairs (path family: `path`).
    pub path: bool,
}

impl Default for Enable {
    fn default() -> Self {
        Self {
            stateless: true,
            new_asset: true,
            allowlist: true,
            periodicity: true,
            state: true,
            value: true,
            rate: true,
            conformance: true,
            scan: true,
            arp: true,
            path: true,
        }
    }
}

/// Periodicity thresholds (family 3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Periodicity {
    /// Samples (intervals) before a signature counts as periodic.
    pub min_samples: u32,
    /// A message is missing when silent for `mean * missing_factor + k_sigma * stddev`.
    pub missing_factor: f64,
    /// See `missing_factor`.
    pub k_sigma: f64,
    /// And never sooner than this many seconds.
    pub min_silence_secs: f64,
    /// How often (event-time seconds) overdue signatures are looked for.
    pub sweep_secs: u64,
}

impl Default for Periodicity {
    fn default() -> Self {
        Self {
            min_samples: 8,
            missing_factor: 5.0,
            k_sigma: 6.0,
            min_silence_secs: 10.0,
            sweep_secs: 1,
        }
    }
}

/// Value range thresholds (family 5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueRange {
    /// Observations of a point during learning before it is judged.
    pub min_samples: u32,
    /// Tolerance outside the learned range, as a fraction of the range's width.
    pub tolerance: f64,
    /// And at least this much (in raw units).
    pub min_margin: f64,
    /// And at least this fraction of the learned values' magnitude (sensor noise on large
    /// readings).
    pub relative_margin: f64,
    /// A reported change faster than `rate_factor` times the fastest learned change
    /// (per second) is an alert.
    pub rate_factor: f64,
    /// At most this many values of one PDU are examined (the rest are skipped).
    pub max_values_per_event: usize,
}

impl Default for ValueRange {
    fn default() -> Self {
        Self {
            min_samples: 4,
            tolerance: 0.25,
            min_margin: 2.0,
            relative_margin: 0.02,
            rate_factor: 4.0,
            max_values_per_event: 128,
        }
    }
}

/// Rate / fan-out / scan thresholds (family 6). A source exceeds a threshold when its
/// count in one window passes `max(floor, factor * learned maximum)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rate {
    /// Window length, event-time seconds.
    pub window_secs: u64,
    /// Multiplier over the learned per-window maximum.
    pub factor: f64,
    /// Requests per window (flood, T0814).
    pub requests_floor: u32,
    /// Distinct servers per window (T0846).
    pub servers_floor: u32,
    /// Distinct (server, unit) pairs per window (T0846).
    pub units_floor: u32,
    /// Distinct addresses read per window (T0861).
    pub addresses_floor: u32,
    /// Exception responses per window (T0861).
    pub exceptions_floor: u32,
    /// Writes per window (T0806).
    pub writes_floor: u32,
    /// Distinct written addresses per window (T0806).
    pub written_addresses_floor: u32,
}

impl Default for Rate {
    fn default() -> Self {
        Self {
            window_secs: 10,
            factor: 4.0,
            requests_floor: 500,
            servers_floor: 8,
            units_floor: 8,
            addresses_floor: 64,
            exceptions_floor: 10,
            writes_floor: 40,
            written_addresses_floor: 20,
        }
    }
}

/// Protocol state thresholds (family 4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct State {
    /// A request is outstanding for at most this many seconds.
    pub pending_secs: f64,
    /// A response is remembered this long to spot duplicates.
    pub answered_secs: f64,
}

impl Default for State {
    fn default() -> Self {
        Self {
            pending_secs: 10.0,
            answered_secs: 10.0,
        }
    }
}

/// Thresholds of the network detectors (`scan`, `arp`, `path`; DESIGN.md §3 "Network
/// events").
///
/// A scan probe is a TCP attempt that was refused, unanswered, half-open or closed without
/// a byte, a UDP datagram without a message, an ICMP echo request or an ARP request, to a
/// (host, port) the source did not use while learning. A source's probes add, per window,
/// one point per distinct port (`ot_weight` for an OT port) against one host (a port scan,
/// T0840) and one point per distinct host (`ot_weight` on an OT port) on one port (a host
/// or ping sweep, T0846).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Net {
    /// The scan window, event-time seconds: long, so that slow scans add up.
    pub scan_window_secs: u64,
    /// What a probe to an OT port counts for (a probe to any other port counts 1).
    pub ot_weight: u32,
    /// Points against one host in one window that make a port scan (T0840).
    pub port_scan_score: u32,
    /// Points on one port (or ICMP echo, or ARP) in one window that make a sweep (T0846).
    pub sweep_score: u32,
    /// OT ports besides the built-in list (`detectors::OT_PORTS` and every registered
    /// protocol's ports).
    pub ot_ports: Vec<u16>,
    /// The ARP window, event-time seconds.
    pub arp_window_secs: u64,
    /// Gratuitous ARPs from one MAC in one window that make a storm.
    pub gratuitous_per_window: u32,
    /// Distinct IPs one MAC claims in one window that are too many (unless it claimed as
    /// many while learning, as a proxy-ARP router does). Claims are counted up to 8.
    pub ips_per_mac: u32,
}

impl Default for Net {
    fn default() -> Self {
        Self {
            scan_window_secs: 3600,
            ot_weight: 4,
            port_scan_score: 12,
            sweep_score: 16,
            ot_ports: Vec::new(),
            arp_window_secs: 60,
            gratuitous_per_window: 20,
            ips_per_mac: 3,
        }
    }
}
