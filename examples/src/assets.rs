//! The asset inventory `otscan` builds from decoded traffic: every IP address that spoke an
//! OT protocol, its role, the protocols, server ports and units seen, the identity it
//! reported, and what each protocol's module learns of it ([`Facts`]). Every table is
//! capped.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};

use hashbrown::HashMap;
use otwire_detect::protocol::Detail;
use otwire_detect::{Direction, Event, Protocol};
use serde::Serialize;

pub use crate::protocols::Facts;
use crate::record::rfc3339;

/// Most assets tracked; later addresses are counted, not stored.
pub const MAX_ASSETS: usize = 65_536;
/// Most units, ports, identity objects and per-protocol facts kept per asset.
pub const MAX_PER_ASSET: usize = 256;
/// Most (src, dst, direction, unit, protocol) combinations remembered; past it every PDU
/// takes the full (slower, same result) path.
const MAX_SEEN: usize = 1 << 20;
/// Longest identity value kept (characters).
pub const MAX_VALUE_CHARS: usize = 128;

/// One asset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asset {
    /// Sent requests (a client / master / HMI).
    pub client: bool,
    /// Sent responses (a server / slave / PLC).
    pub server: bool,
    /// Protocol names.
    pub protocols: BTreeSet<&'static str>,
    /// Ports it served on.
    pub server_ports: BTreeSet<u16>,
    /// Units (Modbus unit ids) it answered for.
    pub units: BTreeSet<u8>,
    /// Identity objects per unit: object name to value.
    pub identity: BTreeMap<u8, BTreeMap<String, String>>,
    /// Peers it talked to.
    pub peers: BTreeSet<IpAddr>,
    /// What each protocol learned of it.
    pub facts: Facts,
    /// PDUs sent.
    pub pdus: u64,
    /// First PDU (µs).
    pub first_us: i64,
    /// Last PDU (µs).
    pub last_us: i64,
}

impl Asset {
    /// "client", "server" or "client+server".
    pub fn role(&self) -> &'static str {
        match (self.client, self.server) {
            (true, true) => "client+server",
            (false, true) => "server",
            (true, false) => "client",
            (false, false) => "unknown",
        }
    }

    /// Records a unit it answered for (capped).
    pub fn add_unit(&mut self, unit: u8) {
        if self.units.len() < MAX_PER_ASSET {
            self.units.insert(unit);
        }
    }

    /// The identity objects of `unit`, made on first use (`None` past the cap of units).
    pub fn identity_mut(&mut self, unit: u8) -> Option<&mut BTreeMap<String, String>> {
        if self.identity.len() >= MAX_PER_ASSET && !self.identity.contains_key(&unit) {
            return None;
        }
        Some(self.identity.entry(unit).or_default())
    }

    fn seen(&mut self, ts: i64) {
        self.pdus += 1;
        self.first_us = self.first_us.min(ts);
        self.last_us = self.last_us.max(ts);
    }
}

/// The inventory.
#[derive(Debug, Default)]
pub struct Assets {
    table: HashMap<IpAddr, Asset>,
    /// (flow, request?, unit, protocol) combinations already recorded: a repeat only
    /// counts, and adds what its protocol learns.
    seen: hashbrown::HashSet<(u64, bool, u16, Protocol)>,
    /// Addresses not stored because the table was full.
    pub dropped: u64,
}

/// The JSON record of one asset (`otscan --output assets`).
#[derive(Debug, Serialize)]
pub struct AssetRecord<'a> {
    /// Address.
    pub ip: IpAddr,
    /// Role.
    pub role: &'static str,
    /// Protocols.
    pub protocols: &'a BTreeSet<&'static str>,
    /// Ports served.
    pub server_ports: &'a BTreeSet<u16>,
    /// Units.
    pub units: &'a BTreeSet<u8>,
    /// Identity objects per unit.
    pub identity: &'a BTreeMap<u8, BTreeMap<String, String>>,
    /// Peers.
    pub peers: &'a BTreeSet<IpAddr>,
    /// What each protocol learned.
    #[serde(flatten)]
    pub facts: &'a Facts,
    /// PDUs sent.
    pub pdus: u64,
    /// First PDU (RFC 3339).
    pub first_seen: String,
    /// Last PDU (RFC 3339).
    pub last_seen: String,
}

impl Assets {
    fn entry(&mut self, ip: IpAddr, ts: i64) -> Option<&mut Asset> {
        let full = self.table.len() >= MAX_ASSETS;
        match self.table.entry(ip) {
            hashbrown::hash_map::Entry::Occupied(o) => Some(o.into_mut()),
            hashbrown::hash_map::Entry::Vacant(_) if full => {
                self.dropped += 1;
                None
            }
            hashbrown::hash_map::Entry::Vacant(v) => Some(v.insert(Asset {
                first_us: ts,
                last_us: ts,
                ..Asset::default()
            })),
        }
    }

    /// Records one decoded PDU: both ends, roles, ports, peers, and what its protocol learns
    /// of the sender. Bytes that are not the protocol, and junk, teach nothing.
    pub fn observe(&mut self, ev: &Event<'_>) {
        if matches!(ev.detail, Detail::None) {
            return;
        }
        let ts = i64::try_from(ev.ts).unwrap_or(i64::MAX);
        let request = ev.direction == Direction::Request;
        // A flow's id stands for its two endpoints (what a fresh fingerprint adds is the
        // same for every flow between them).
        let fingerprint = (ev.flow_id, request, ev.unit, ev.protocol);
        let fresh = self.seen.len() >= MAX_SEEN || self.seen.insert(fingerprint);
        if !fresh {
            // Seen before: only the counters move, and the protocol's facts.
            if let Some(a) = self.table.get_mut(&ev.src().ip_addr()) {
                a.seen(ts);
                crate::protocols::facts(ev, a);
            }
            return;
        }
        let (src, dst): (SocketAddr, SocketAddr) = (ev.src().into(), ev.dst().into());
        let proto = ev.protocol.name();
        if let Some(peer) = self.entry(dst.ip(), ts) {
            peer.protocols.insert(proto);
            if request && peer.server_ports.len() < MAX_PER_ASSET {
                peer.server_ports.insert(dst.port());
            }
        }
        let Some(a) = self.entry(src.ip(), ts) else {
            return;
        };
        a.protocols.insert(proto);
        a.seen(ts);
        if a.peers.len() < MAX_PER_ASSET {
            a.peers.insert(dst.ip());
        }
        if request {
            a.client = true;
        } else {
            a.server = true;
            if a.server_ports.len() < MAX_PER_ASSET {
                a.server_ports.insert(src.port());
            }
        }
        crate::protocols::facts(ev, a);
    }

    /// Assets sorted by address.
    pub fn sorted(&self) -> Vec<(&IpAddr, &Asset)> {
        let mut v: Vec<_> = self.table.iter().collect();
        v.sort_by_key(|(ip, _)| **ip);
        v
    }

    /// Number of assets.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no asset was seen.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Looks up one asset.
    pub fn get(&self, ip: &IpAddr) -> Option<&Asset> {
        self.table.get(ip)
    }

    /// The JSON records, sorted by address.
    pub fn records(&self) -> Vec<AssetRecord<'_>> {
        self.sorted()
            .into_iter()
            .map(|(ip, a)| AssetRecord {
                ip: *ip,
                role: a.role(),
                protocols: &a.protocols,
                server_ports: &a.server_ports,
                units: &a.units,
                identity: &a.identity,
                peers: &a.peers,
                facts: &a.facts,
                pdus: a.pdus,
                first_seen: rfc3339(a.first_us),
                last_seen: rfc3339(a.last_us),
            })
            .collect()
    }
}

/// Text from device bytes: control characters dropped, at most [`MAX_VALUE_CHARS`].
pub fn clip(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    s.chars()
        .filter(|c| !c.is_control())
        .take(MAX_VALUE_CHARS)
        .collect()
}
