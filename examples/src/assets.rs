//! The asset inventory `otscan` builds from decoded traffic: every IP address that spoke an
//! OT protocol, its role, the protocols, server ports and units seen, and the identity it
//! reported (Modbus Read Device Identification, FC 43 / MEI 14, Application Protocol
//! §6.21; Report Server ID, FC 17, §6.13). Every table is capped.

use std::collections::{BTreeMap, BTreeSet};

use hashbrown::HashMap;
use std::net::{IpAddr, SocketAddr};

use otwire_modbus::{Parsed, Pdu, Response};
use serde::Serialize;

use crate::modbus::ModbusPdu;
use crate::record::{Dir, rfc3339};

/// Most assets tracked; later addresses are counted, not stored.
pub const MAX_ASSETS: usize = 65_536;
/// Most units, ports, and identity objects kept per asset.
pub const MAX_PER_ASSET: usize = 256;
/// Most (src, dst, direction, unit) combinations remembered; past it every PDU takes the
/// full (slower, same result) path.
const MAX_SEEN: usize = 1 << 20;
/// Longest identity value kept (characters).
const MAX_VALUE_CHARS: usize = 128;

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
    /// Units (Modbus unit ids) it answered for, or addressed as a client.
    pub units: BTreeSet<u8>,
    /// Identity objects per unit: object name to value.
    pub identity: BTreeMap<u8, BTreeMap<String, String>>,
    /// Peers it talked to.
    pub peers: BTreeSet<IpAddr>,
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
}

/// The inventory.
#[derive(Debug, Default)]
pub struct Assets {
    table: HashMap<IpAddr, Asset>,
    /// (src, dst, request?, unit) combinations already recorded: a repeat only counts.
    seen: hashbrown::HashSet<(SocketAddr, SocketAddr, bool, u8)>,
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

    /// Records one Modbus PDU.
    pub fn modbus(&mut self, p: &ModbusPdu<'_>) {
        let r = p.record;
        if p.frame.is_none() {
            // NOT_MODBUS or junk: no asset facts to learn.
            return;
        }
        let (src, dst) = (r.src, r.dst);
        let unit = p.frame.map(|f| f.header.unit_id.0);
        let fingerprint = (src, dst, r.dir == Dir::Request, unit.unwrap_or(0));
        let fresh = self.seen.len() >= MAX_SEEN || self.seen.insert(fingerprint);
        if !fresh {
            // Seen before: only the counters move.
            if let Some(a) = self.table.get_mut(&src.ip()) {
                a.pdus += 1;
                a.first_us = a.first_us.min(r.ts_us);
                a.last_us = a.last_us.max(r.ts_us);
            }
            if let (
                Some(Parsed {
                    pdu: Pdu::Response(rsp),
                    ..
                }),
                Some(unit),
            ) = (p.parsed, unit)
                && let Some(a) = self.table.get_mut(&src.ip())
            {
                identity(a, unit, &rsp);
            }
            return;
        }
        if let Some(peer) = self.entry(dst.ip(), r.ts_us) {
            peer.protocols.insert("modbus");
            if r.dir == Dir::Request && peer.server_ports.len() < MAX_PER_ASSET {
                peer.server_ports.insert(dst.port());
            }
        }
        let Some(a) = self.entry(src.ip(), r.ts_us) else {
            return;
        };
        a.protocols.insert("modbus");
        a.pdus += 1;
        a.first_us = a.first_us.min(r.ts_us);
        a.last_us = a.last_us.max(r.ts_us);
        if a.peers.len() < MAX_PER_ASSET {
            a.peers.insert(dst.ip());
        }
        match r.dir {
            Dir::Request => a.client = true,
            Dir::Response => {
                a.server = true;
                if a.server_ports.len() < MAX_PER_ASSET {
                    a.server_ports.insert(src.port());
                }
                if let Some(u) = unit
                    && a.units.len() < MAX_PER_ASSET
                {
                    a.units.insert(u);
                }
            }
        }
        if let (
            Some(Parsed {
                pdu: Pdu::Response(rsp),
                ..
            }),
            Some(unit),
        ) = (p.parsed, unit)
        {
            identity(a, unit, &rsp);
        }
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
                pdus: a.pdus,
                first_seen: rfc3339(a.first_us),
                last_seen: rfc3339(a.last_us),
            })
            .collect()
    }
}

fn clip(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    s.chars()
        .filter(|c| !c.is_control())
        .take(MAX_VALUE_CHARS)
        .collect()
}

fn identity(a: &mut Asset, unit: u8, rsp: &Response<'_>) {
    if a.identity.len() >= MAX_PER_ASSET && !a.identity.contains_key(&unit) {
        return;
    }
    match rsp {
        Response::ReadDeviceIdentification(id) => {
            let objs = a.identity.entry(unit).or_default();
            for o in id.objects {
                if objs.len() >= MAX_PER_ASSET {
                    break;
                }
                let name = if o.id.is_known() {
                    o.id.name().to_string()
                } else {
                    format!("object_{}", u8::from(o.id))
                };
                objs.insert(name, clip(o.value));
            }
        }
        Response::ReportServerId { data } => {
            let objs = a.identity.entry(unit).or_default();
            let hex: String = data
                .iter()
                .take(MAX_VALUE_CHARS / 2)
                .map(|b| format!("{b:02x}"))
                .collect();
            objs.insert("ServerId".to_string(), hex);
            // Many devices put readable text after the id and run indicator bytes.
            if let Some(text) = data.get(2..) {
                let t = clip(text);
                if t.chars().filter(|c| c.is_ascii_alphanumeric()).count() >= 3 {
                    objs.insert("ServerIdText".to_string(), t.trim().to_string());
                }
            }
        }
        _ => {}
    }
}
