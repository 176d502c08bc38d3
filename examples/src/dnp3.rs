//! DNP3 in otscan: the record fields of DESIGN.md §4, one record per link frame (IEEE
//! 1815-2012 §9.2.4 link header, §8.2.1 transport header, §4.2.2 application header and
//! object headers; the frame that completes an application fragment carries `app`), and the
//! link addresses and device attributes (g0, §11.1) assets show.

use std::collections::{BTreeMap, BTreeSet};

use otwire_detect::Event;
use otwire_detect::protocol::Detail;
use otwire_dnp3::{Apdu, AttributeType, DeviceAttribute, Range, Value};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::assets::{Asset, MAX_PER_ASSET, MAX_VALUE_CHARS, clip};
use crate::json::Entries;

/// One DNP3 object header of an application fragment (IEEE 1815-2012 §4.2.2.7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Object {
    /// Object group.
    pub group: u8,
    /// Object variation.
    pub variation: u8,
    /// Qualifier octet (prefix code << 4 | range code).
    pub qualifier: u8,
    /// First index (range codes 0-2) or the absolute address (3-5).
    pub start: Option<u32>,
    /// Last index (range codes 0-2) or the absolute address (3-5).
    pub stop: Option<u32>,
    /// Number of objects the range designates (null for range code 6, all objects).
    pub count: Option<u64>,
}

/// The application layer of a DNP3 fragment (IEEE 1815-2012 §4.2.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct App {
    /// Function code.
    pub func: u8,
    /// Application SEQ (0-15).
    pub seq: u8,
    /// FIR.
    pub fir: bool,
    /// FIN.
    pub fin: bool,
    /// CON.
    pub con: bool,
    /// UNS.
    pub uns: bool,
    /// Internal indications (responses), IIN1 in the high octet.
    pub iin: Option<u16>,
    /// Object headers that could be walked.
    pub objects: Vec<Object>,
}

/// DNP3 fields of a PDU record: one per link frame (IEEE 1815-2012 §9.2.4, §8.2.1), with
/// `app` on the frame that completed an application fragment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Link function code (4 bits, read according to PRM).
    pub link_func: Option<u8>,
    /// DIR bit.
    pub link_dir: Option<bool>,
    /// PRM bit.
    pub link_prm: Option<bool>,
    /// Destination address.
    pub link_dst: Option<u16>,
    /// Source address.
    pub link_src: Option<u16>,
    /// LENGTH octet.
    pub link_len: Option<u8>,
    /// Transport FIR (frames with user data).
    pub tp_fir: Option<bool>,
    /// Transport FIN.
    pub tp_fin: Option<bool>,
    /// Transport SEQUENCE.
    pub tp_seq: Option<u8>,
    /// The application fragment this frame completed.
    pub app: Option<Box<App>>,
}

impl Fields {
    /// The fields of a DNP3 event (all `null` for bytes that are not DNP3).
    pub fn of(ev: &Event<'_>) -> Self {
        let Detail::Dnp3(m) = ev.detail else {
            return Self::default();
        };
        let c = m.frame.header.control;
        Fields {
            link_func: Some(c.to_u8() & 0x0f),
            link_dir: Some(c.dir),
            link_prm: Some(c.prm),
            link_dst: Some(m.frame.header.destination.0),
            link_src: Some(m.frame.header.source.0),
            link_len: Some(m.frame.length),
            tp_fir: m.transport.map(|t| t.fir),
            tp_fin: m.transport.map(|t| t.fin),
            tp_seq: m.transport.map(|t| t.seq),
            app: m.apdu.map(|p| Box::new(app_fields(&p.pdu))),
        }
    }

    /// Appends `,"link_func":...` through `,"app":...`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        crate::json::push_entries(out, self);
    }
}

impl Entries for Fields {
    fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("link_func", &self.link_func)?;
        m.serialize_entry("link_dir", &self.link_dir)?;
        m.serialize_entry("link_prm", &self.link_prm)?;
        m.serialize_entry("link_dst", &self.link_dst)?;
        m.serialize_entry("link_src", &self.link_src)?;
        m.serialize_entry("link_len", &self.link_len)?;
        m.serialize_entry("tp_fir", &self.tp_fir)?;
        m.serialize_entry("tp_fin", &self.tp_fin)?;
        m.serialize_entry("tp_seq", &self.tp_seq)?;
        m.serialize_entry("app", &self.app)
    }
}

/// The `app` part of a record from a parsed fragment.
pub fn app_fields(apdu: &Apdu<'_>) -> App {
    let c = apdu.control;
    App {
        func: u8::from(apdu.function),
        seq: c.seq,
        fir: c.fir,
        fin: c.fin,
        con: c.con,
        uns: c.uns,
        iin: apdu.iin.map(|i| i.bits()),
        objects: apdu
            .objects
            .map(|h| {
                let (start, stop, count) = match h.range {
                    Range::StartStop { start, stop } => {
                        (Some(start), Some(stop), Some(h.range.count()))
                    }
                    Range::Address(a) => (Some(a), Some(a), Some(1)),
                    Range::All => (None, None, None),
                    Range::Count(n) => (None, None, Some(u64::from(n))),
                };
                Object {
                    group: h.group,
                    variation: h.variation,
                    qualifier: h.qualifier.0,
                    start,
                    stop,
                    count,
                }
            })
            .collect(),
    }
}

/// What one record is called in the summary.
pub const NOUN: &str = "link frames";

/// Link addresses by role (IEEE 1815-2012 §9.2.4.1: DIR) and the attributes devices
/// report.
pub fn summary(f: &Facts, parts: &mut Vec<String>) {
    let list = |set: &BTreeSet<u16>| crate::output::ranges(set.iter().map(|&a| u32::from(a)));
    if !f.dnp3_outstation_addresses.is_empty() {
        parts.push(format!(
            "dnp3 outstation {}",
            list(&f.dnp3_outstation_addresses)
        ));
    }
    if !f.dnp3_master_addresses.is_empty() {
        parts.push(format!("dnp3 master {}", list(&f.dnp3_master_addresses)));
    }
    for (addr, attrs) in &f.dnp3_attributes {
        let text: Vec<&str> = [
            "manufacturer_name",
            "product_name_and_model",
            "device_name",
            "software_version",
        ]
        .iter()
        .filter_map(|k| attrs.get(*k).map(String::as_str))
        .filter(|v| !v.is_empty())
        .collect();
        if !text.is_empty() {
            parts.push(format!("outstation {addr}: {}", text.join(" ")));
        }
    }
}

/// DNP3 asset facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Link addresses it sent from as a master (DIR = 1, IEEE 1815-2012 §9.2.4.1.3.1).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub dnp3_master_addresses: BTreeSet<u16>,
    /// Link addresses it sent from as an outstation (DIR = 0).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub dnp3_outstation_addresses: BTreeSet<u16>,
    /// Device attributes (g0, §11.1) per outstation link address.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dnp3_attributes: BTreeMap<u16, BTreeMap<String, String>>,
}

/// The sender's link address by role, and the g0 device attributes it reports.
pub fn facts(ev: &Event<'_>, a: &mut Asset) {
    let Detail::Dnp3(m) = ev.detail else {
        return;
    };
    let f = &mut a.facts.dnp3;
    let src = m.frame.header.source.0;
    let set = if m.frame.header.control.dir {
        &mut f.dnp3_master_addresses
    } else {
        &mut f.dnp3_outstation_addresses
    };
    if set.len() < MAX_PER_ASSET {
        set.insert(src);
    }
    let Some(apdu) = m.apdu.map(|x| x.pdu).filter(|x| x.is_response()) else {
        return;
    };
    for h in apdu.objects.filter(|h| h.group == 0) {
        for point in h.points() {
            if let Value::DeviceAttribute(attr) = point.value {
                if f.dnp3_attributes.len() >= MAX_PER_ASSET && !f.dnp3_attributes.contains_key(&src)
                {
                    return;
                }
                let attrs = f.dnp3_attributes.entry(src).or_default();
                if attrs.len() < MAX_PER_ASSET {
                    attrs.insert(attribute_name(h.variation), attribute_value(&attr));
                }
            }
        }
    }
}

/// Name of a g0 device attribute variation (IEEE 1815-2012 §11.1, Table 11-1 descriptions).
pub fn attribute_name(variation: u8) -> String {
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
pub fn attribute_value(attr: &DeviceAttribute<'_>) -> String {
    if attr.data_type == AttributeType::VisibleString {
        return clip(attr.value);
    }
    if let Some(v) = attr.as_uint() {
        return v.to_string();
    }
    let v = attr.value;
    otwire_detect::alert::hex(v.get(..MAX_VALUE_CHARS / 2).unwrap_or(v))
}
