//! The asset inventory `otscan` builds from decoded traffic: every IP address that spoke an
//! OT protocol, its role, the protocols, server ports and units seen, and the identity it
//! reported (Modbus Read Device Identification, FC 43 / MEI 14, Application Protocol
//! §6.21; Report Server ID, FC 17, §6.13). Every table is capped.

use std::collections::{BTreeMap, BTreeSet};

use hashbrown::HashMap;
use std::net::{IpAddr, SocketAddr};

use otwire_modbus::{Parsed, Pdu, Response};
use serde::Serialize;

use otwire_dnp3::{AttributeType, DeviceAttribute, Value};

use crate::dnp3::Dnp3Pdu;
use crate::iec104::Iec104Pdu;
use crate::modbus::ModbusPdu;
use crate::record::{Dir, PduRecord, rfc3339};

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
    /// DNP3 link addresses it sent from as a master (DIR = 1, IEEE 1815-2012 §9.2.4.1.3.1).
    pub dnp3_master_addresses: BTreeSet<u16>,
    /// DNP3 link addresses it sent from as an outstation (DIR = 0).
    pub dnp3_outstation_addresses: BTreeSet<u16>,
    /// DNP3 device attributes (g0, IEEE 1815-2012 §11.1) per outstation link address.
    pub dnp3_attributes: BTreeMap<u16, BTreeMap<String, String>>,
    /// IEC 104 common addresses of ASDUs it sent (IEC 60870-5-101 §7.2.4).
    pub iec104_common_addresses: BTreeSet<u16>,
    /// IEC 104 points it reported (monitor direction): common address to IOA to type id.
    pub iec104_points: BTreeMap<u16, BTreeMap<u32, u8>>,
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
    /// DNP3 master link addresses.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub dnp3_master_addresses: &'a BTreeSet<u16>,
    /// DNP3 outstation link addresses.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub dnp3_outstation_addresses: &'a BTreeSet<u16>,
    /// DNP3 device attributes per outstation address.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dnp3_attributes: &'a BTreeMap<u16, BTreeMap<String, String>>,
    /// IEC 104 common addresses.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub iec104_common_addresses: &'a BTreeSet<u16>,
    /// IEC 104 points per common address: IOA to type id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub iec104_points: &'a BTreeMap<u16, BTreeMap<u32, u8>>,
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

    /// The common part of a DNP3 / IEC 104 record: both ends, counters, role, ports.
    fn common(&mut self, r: &PduRecord, proto: &'static str) -> Option<&mut Asset> {
        let (src, dst) = (r.src, r.dst);
        if let Some(peer) = self.entry(dst.ip(), r.ts_us) {
            peer.protocols.insert(proto);
            if r.dir == Dir::Request && peer.server_ports.len() < MAX_PER_ASSET {
                peer.server_ports.insert(dst.port());
            }
        }
        let a = self.entry(src.ip(), r.ts_us)?;
        a.protocols.insert(proto);
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
            }
        }
        Some(a)
    }

    /// Records one DNP3 link frame: link addresses by role, g0 device attributes.
    pub fn dnp3(&mut self, p: &Dnp3Pdu<'_>) {
        let Some(frame) = p.frame else {
            return;
        };
        let Some(a) = self.common(p.record, "dnp3") else {
            return;
        };
        let src = frame.header.source.0;
        let set = if frame.header.control.dir {
            &mut a.dnp3_master_addresses
        } else {
            &mut a.dnp3_outstation_addresses
        };
        if set.len() < MAX_PER_ASSET {
            set.insert(src);
        }
        let Some(apdu) = p.apdu.map(|x| x.pdu).filter(|x| x.is_response()) else {
            return;
        };
        for h in apdu.objects.filter(|h| h.group == 0) {
            for point in h.points() {
                if let Value::DeviceAttribute(attr) = point.value {
                    if a.dnp3_attributes.len() >= MAX_PER_ASSET
                        && !a.dnp3_attributes.contains_key(&src)
                    {
                        return;
                    }
                    let attrs = a.dnp3_attributes.entry(src).or_default();
                    if attrs.len() < MAX_PER_ASSET {
                        attrs.insert(
                            dnp3_attribute_name(h.variation),
                            dnp3_attribute_value(&attr),
                        );
                    }
                }
            }
        }
    }

    /// Records one IEC 104 APDU: common addresses and the points (IOA, type) reported.
    pub fn iec104(&mut self, p: &Iec104Pdu<'_>) {
        if p.frame.is_none() {
            return;
        }
        let Some(a) = self.common(p.record, "iec104") else {
            return;
        };
        let Some(asdu) = p.apdu.and_then(|x| x.pdu.asdu) else {
            return;
        };
        let ca = asdu.header.common_address.0;
        if a.iec104_common_addresses.len() < MAX_PER_ASSET {
            a.iec104_common_addresses.insert(ca);
        }
        let type_id = u8::from(asdu.header.type_id);
        // Monitor-direction process information (types 1-44) names the station's points.
        if !(1..=44).contains(&type_id) {
            return;
        }
        if a.iec104_points.len() >= MAX_PER_ASSET && !a.iec104_points.contains_key(&ca) {
            return;
        }
        let points = a.iec104_points.entry(ca).or_default();
        for o in asdu.objects() {
            if points.len() >= MAX_POINTS && !points.contains_key(&o.address.0) {
                break;
            }
            points.insert(o.address.0, type_id);
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
                dnp3_master_addresses: &a.dnp3_master_addresses,
                dnp3_outstation_addresses: &a.dnp3_outstation_addresses,
                dnp3_attributes: &a.dnp3_attributes,
                iec104_common_addresses: &a.iec104_common_addresses,
                iec104_points: &a.iec104_points,
                pdus: a.pdus,
                first_seen: rfc3339(a.first_us),
                last_seen: rfc3339(a.last_us),
            })
            .collect()
    }
}

/// Most IEC 104 points kept per common address.
pub const MAX_POINTS: usize = 4096;

/// Name of a g0 device attribute variation (IEEE 1815-2012 §11.1, Table 11-1 descriptions).
pub fn dnp3_attribute_name(variation: u8) -> String {
    let name = match variation {
        240 => "max_tx_fragment_size",
        241 => "max_rx_fragment_size",
        242 => "software_version",
        243 => "hardware_version",
        245 => "location",
        246 => "user_assigned_id",
        247 => "device_name",
        248 => "serial_number",
        249 => "dnp3_subset_and_conformance",
        250 => "product_name_and_model",
        252 => "manufacturer_name",
        _ => return format!("attribute_{variation}"),
    };
    name.to_string()
}

/// A g0 attribute's value as text: strings as text, unsigned integers in decimal, the rest
/// in hex.
pub fn dnp3_attribute_value(attr: &DeviceAttribute<'_>) -> String {
    if attr.data_type == AttributeType::VisibleString {
        return clip(attr.value);
    }
    if let Some(v) = attr.as_uint() {
        return v.to_string();
    }
    attr.value
        .iter()
        .take(MAX_VALUE_CHARS / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
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
                let name = match o.id.name() {
                    Some(n) => n.to_string(),
                    None => format!("object_{}", u8::from(o.id)),
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
