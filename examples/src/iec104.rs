//! IEC 60870-5-104 in otscan: the record fields of DESIGN.md §4, one record per APDU (IEC
//! 60870-5-104 §5 for the APCI, IEC 60870-5-101 §7.2 for the ASDU header and information
//! object addresses), and the common addresses and points assets report.

use std::collections::{BTreeMap, BTreeSet};

use otwire_detect::Event;
use otwire_detect::protocol::Detail;
use otwire_iec104::{Apci, Apdu};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::assets::{Asset, MAX_PER_ASSET};
use crate::json::Entries;

/// Most IOAs listed in one record (an ASDU holds at most 127 objects).
const MAX_IOAS: usize = 255;
/// Most points kept per common address.
pub const MAX_POINTS: usize = 4096;

/// IEC 60870-5-104 fields of a PDU record (IEC 60870-5-104 §5; IEC 60870-5-101 §7.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// "I", "S" or "U".
    pub apci: Option<&'static str>,
    /// N(S) (I frames).
    pub tx: Option<u16>,
    /// N(R) (I and S frames).
    pub rx: Option<u16>,
    /// U function name ("STARTDT_ACT"…).
    pub u_func: Option<&'static str>,
    /// Type identification.
    pub type_id: Option<u8>,
    /// SQ bit.
    pub sq: Option<bool>,
    /// Number of information objects.
    pub num: Option<u8>,
    /// Cause of transmission (6 bits).
    pub cot: Option<u8>,
    /// P/N bit.
    pub negative: Option<bool>,
    /// T bit.
    pub test: Option<bool>,
    /// Originator address.
    pub oa: Option<u8>,
    /// Common address of ASDU.
    pub ca: Option<u16>,
    /// Information object addresses decoded.
    pub ioas: Option<Vec<u32>>,
}

impl Fields {
    /// The fields of an IEC 104 event (all `null` for bytes that are not IEC 104).
    pub fn of(ev: &Event<'_>) -> Self {
        let Detail::Iec104(m) = ev.detail else {
            return Self::default();
        };
        match m.apdu {
            Some(p) => fields(&p.pdu),
            None => {
                let apci = m.frame.apci();
                let mut f = Fields {
                    apci: Some(apci.format()),
                    rx: apci.recv().map(|r| r.value()),
                    ..Fields::default()
                };
                if let Apci::I { send, .. } = apci {
                    f.tx = Some(send.value());
                }
                f
            }
        }
    }

    /// Appends `,"apci":...` through `,"ioas":...`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        crate::json::push_entries(out, self);
    }
}

impl Entries for Fields {
    fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("apci", &self.apci)?;
        m.serialize_entry("tx", &self.tx)?;
        m.serialize_entry("rx", &self.rx)?;
        m.serialize_entry("u_func", &self.u_func)?;
        m.serialize_entry("type_id", &self.type_id)?;
        m.serialize_entry("sq", &self.sq)?;
        m.serialize_entry("num", &self.num)?;
        m.serialize_entry("cot", &self.cot)?;
        m.serialize_entry("negative", &self.negative)?;
        m.serialize_entry("test", &self.test)?;
        m.serialize_entry("oa", &self.oa)?;
        m.serialize_entry("ca", &self.ca)?;
        m.serialize_entry("ioas", &self.ioas)
    }
}

/// The record fields of a decoded APDU.
pub fn fields(apdu: &Apdu<'_>) -> Fields {
    let mut f = Fields {
        apci: Some(apdu.apci.format()),
        rx: apdu.apci.recv().map(|r| r.value()),
        ..Fields::default()
    };
    match apdu.apci {
        Apci::I { send, .. } => f.tx = Some(send.value()),
        Apci::U(u) => f.u_func = Some(u.name()),
        Apci::S { .. } => {}
    }
    if let Some(asdu) = &apdu.asdu {
        let h = asdu.header;
        f.type_id = Some(u8::from(h.type_id));
        f.sq = Some(h.sq);
        f.num = Some(h.count);
        f.cot = Some(u8::from(h.cot.cause));
        f.negative = Some(h.cot.negative);
        f.test = Some(h.cot.test);
        f.oa = Some(h.originator.0);
        f.ca = Some(h.common_address.0);
        // The object an ASDU was cut short in keeps its address (flagged TRUNCATED).
        let cut = asdu.truncated_object().map(|t| t.address);
        let ioas = asdu.objects().map(|o| o.address).chain(cut);
        f.ioas = Some(ioas.take(MAX_IOAS).map(|a| a.0).collect());
    }
    f
}

/// What one record is called in the summary.
pub const NOUN: &str = "APDUs";

/// The common addresses and the number of points reported.
pub fn summary(f: &Facts, parts: &mut Vec<String>) {
    if !f.iec104_common_addresses.is_empty() {
        let points: usize = f.iec104_points.values().map(|p| p.len()).sum();
        let mut s = format!(
            "iec104 ca {}",
            crate::output::ranges(f.iec104_common_addresses.iter().map(|&a| u32::from(a)))
        );
        if points > 0 {
            use std::fmt::Write as _;
            let _ = write!(s, " ({points} points)");
        }
        parts.push(s);
    }
}

/// IEC 104 asset facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Common addresses of ASDUs it sent (IEC 60870-5-101 §7.2.4).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub iec104_common_addresses: BTreeSet<u16>,
    /// Points it reported (monitor direction): common address to IOA to type id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub iec104_points: BTreeMap<u16, BTreeMap<u32, u8>>,
}

/// The common addresses of the sender's ASDUs and the points (IOA, type) it reports.
pub fn facts(ev: &Event<'_>, a: &mut Asset) {
    let Some(asdu) = ev.iec104().and_then(|m| m.apdu).and_then(|p| p.pdu.asdu) else {
        return;
    };
    let f = &mut a.facts.iec104;
    let ca = asdu.header.common_address.0;
    if f.iec104_common_addresses.len() < MAX_PER_ASSET {
        f.iec104_common_addresses.insert(ca);
    }
    let type_id = u8::from(asdu.header.type_id);
    // Monitor-direction process information (types 1-44) names the station's points.
    if !(1..=44).contains(&type_id) {
        return;
    }
    if f.iec104_points.len() >= MAX_PER_ASSET && !f.iec104_points.contains_key(&ca) {
        return;
    }
    let points = f.iec104_points.entry(ca).or_default();
    for o in asdu.objects() {
        if points.len() >= MAX_POINTS && !points.contains_key(&o.address.0) {
            break;
        }
        points.insert(o.address.0, type_id);
    }
}
