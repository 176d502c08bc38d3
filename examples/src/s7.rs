//! S7 in otscan (ISO-on-TCP, port 102): the record fields of DESIGN.md §4 for S7comm
//! (RFC 1006 TPKT, ISO 8073 COTP, the S7comm header, parameters and userdata as publicly
//! described) and S7comm-plus, one record per TPKT, and what PLCs tell of themselves (rack
//! and slot, PDU size, the module identification and component SZLs).
//!
//! S7comm-plus fields are in the same record shape as the S7comm ones, the fields of the
//! other protocol `null`; a record holding an S7comm-plus PDU says `proto` `"s7comm-plus"`
//! (DESIGN.md §4), though detection's `Protocol` has one S7 variant for both.

use std::collections::{BTreeMap, BTreeSet};

use otwire_detect::Event;
use otwire_detect::protocol::Detail;
use otwire_s7::szl::SzlRecord;
use otwire_s7::{
    Body, Job, Message, Pdu, PlusFrame, PlusPdu, Response, SzlAnswer, UserdataBody, VarSpec,
};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::assets::{Asset, MAX_PER_ASSET, clip};
use crate::json::Entries;

/// Most items listed in one record (a job holds at most 255).
pub const MAX_ITEMS: usize = 64;

/// One read or write item of a record: the S7ANY address of a request item, or the return
/// code, transport size and length of an answer's data item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Memory area code (0x84 DB, 0x83 flags...).
    pub area: Option<u8>,
    /// DB number.
    pub db: Option<u16>,
    /// First byte.
    pub start: Option<u32>,
    /// Bit within the first byte.
    pub bit: Option<u8>,
    /// Transport size code.
    pub transport_size: Option<u8>,
    /// Element count (requests) or data length (answers).
    pub length: Option<u16>,
    /// Return code (answers).
    pub return_code: Option<u8>,
}

/// S7 fields of a record; `None` serializes as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// COTP TPDU: "CR", "CC", "DT", "DR", "DC", "ER".
    pub cotp: Option<&'static str>,
    /// S7comm ROSCTR (1 job, 2 ack, 3 ack-data, 7 userdata).
    pub rosctr: Option<u8>,
    /// S7comm PDU reference.
    pub pdu_ref: Option<u16>,
    /// Job function code.
    pub func: Option<u8>,
    /// Header error class (acks).
    pub error_class: Option<u8>,
    /// Header error code (acks).
    pub error_code: Option<u8>,
    /// Items of a read / write job or answer.
    pub item_count: Option<u16>,
    /// The items (at most [`MAX_ITEMS`]).
    pub items: Option<Vec<Item>>,
    /// Block of a block transfer or PI service ("OB1", "DB10").
    pub block: Option<String>,
    /// PI service name ("_INSE", "P_PROGRAM").
    pub pi_service: Option<String>,
    /// Userdata type (0 push, 4 request, 8 response).
    pub ud_type: Option<u8>,
    /// Userdata function group.
    pub ud_group: Option<u8>,
    /// Userdata subfunction.
    pub ud_subfunc: Option<u8>,
    /// Userdata sequence number.
    pub ud_seq: Option<u8>,
    /// SZL id (SZL reads).
    pub szl_id: Option<u16>,
    /// SZL index (SZL reads).
    pub szl_index: Option<u16>,
    /// S7comm-plus protocol version.
    pub version: Option<u8>,
    /// S7comm-plus opcode.
    pub opcode: Option<u8>,
    /// S7comm-plus function code.
    pub function: Option<u16>,
    /// S7comm-plus sequence number.
    pub seq: Option<u16>,
    /// S7comm-plus session id.
    pub session: Option<u32>,
    /// Whether the S7comm-plus frame has an integrity part (V3).
    pub integrity: Option<bool>,
    /// TLS records (S7comm-plus after InitSsl).
    pub tls: Option<bool>,
}

/// The short name of a COTP TPDU code (ISO 8073 §13.1).
fn cotp_name(code: u8) -> Option<&'static str> {
    Some(match code {
        0xE0 => "CR",
        0xD0 => "CC",
        0x80 => "DR",
        0xC0 => "DC",
        0xF0 => "DT",
        0x70 => "ER",
        0x10 => "ED",
        0x20 => "EA",
        0x50 => "RJ",
        0x60 => "AK",
        _ => return None,
    })
}

impl Fields {
    /// The fields of an S7 event (all `null` for bytes that are not S7).
    pub fn of(ev: &Event<'_>) -> Self {
        let Detail::S7(m) = ev.detail else {
            return Self::default();
        };
        let mut f = Fields {
            cotp: m.tpdu.and_then(|t| cotp_name(t.code().value())),
            ..Fields::default()
        };
        match m.message {
            Some(Message::S7comm(pdu)) => s7comm(&mut f, &pdu),
            Some(Message::S7commPlus(frame)) => plus(&mut f, &frame, m.plus.as_ref()),
            Some(Message::Tls { .. }) => f.tls = Some(true),
            _ => {}
        }
        f
    }

    /// Appends `,"cotp":...` through `,"tls":...`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        crate::json::push_entries(out, self);
    }
}

impl Entries for Fields {
    fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("cotp", &self.cotp)?;
        m.serialize_entry("rosctr", &self.rosctr)?;
        m.serialize_entry("pdu_ref", &self.pdu_ref)?;
        m.serialize_entry("func", &self.func)?;
        m.serialize_entry("error_class", &self.error_class)?;
        m.serialize_entry("error_code", &self.error_code)?;
        m.serialize_entry("item_count", &self.item_count)?;
        m.serialize_entry("items", &self.items)?;
        m.serialize_entry("block", &self.block)?;
        m.serialize_entry("pi_service", &self.pi_service)?;
        m.serialize_entry("ud_type", &self.ud_type)?;
        m.serialize_entry("ud_group", &self.ud_group)?;
        m.serialize_entry("ud_subfunc", &self.ud_subfunc)?;
        m.serialize_entry("ud_seq", &self.ud_seq)?;
        m.serialize_entry("szl_id", &self.szl_id)?;
        m.serialize_entry("szl_index", &self.szl_index)?;
        m.serialize_entry("version", &self.version)?;
        m.serialize_entry("opcode", &self.opcode)?;
        m.serialize_entry("function", &self.function)?;
        m.serialize_entry("seq", &self.seq)?;
        m.serialize_entry("session", &self.session)?;
        m.serialize_entry("integrity", &self.integrity)?;
        m.serialize_entry("tls", &self.tls)
    }
}

/// The S7comm fields of a PDU.
fn s7comm(f: &mut Fields, pdu: &Pdu<'_>) {
    let h = pdu.header;
    f.rosctr = Some(h.rosctr.value());
    f.pdu_ref = Some(h.pdu_ref);
    f.func = pdu.function().map(|x| x.value());
    if let Some(e) = h.error {
        f.error_class = Some(e.class.value());
        f.error_code = Some(e.code);
    }
    match &pdu.body {
        Body::Job(j) => match j {
            Job::ReadVar { items } | Job::WriteVar { items, .. } => {
                f.item_count = Some(items.count);
                let list = items
                    .iter()
                    .take(MAX_ITEMS)
                    .map(|s| match s {
                        VarSpec::Any(a) => Item {
                            area: Some(a.area.value()),
                            db: Some(a.db),
                            start: Some(a.address.byte()),
                            bit: Some(a.address.bit()),
                            transport_size: Some(a.transport_size.value()),
                            length: Some(a.length),
                            return_code: None,
                        },
                        _ => Item::default(),
                    })
                    .collect();
                f.items = Some(list);
            }
            Job::Block { control, .. } => f.block = control.filename.map(|n| n.to_string()),
            Job::PiService(pi) => {
                f.pi_service = Some(clip(pi.service));
                f.block = pi.blocks().next().map(|n| n.to_string());
            }
            _ => {}
        },
        Body::Response(r) => match r {
            Response::ReadVar { item_count, items } => {
                f.item_count = Some(u16::from(*item_count));
                let list = items
                    .iter()
                    .take(MAX_ITEMS)
                    .map(|d| Item {
                        transport_size: Some(d.transport_size.value()),
                        length: Some(d.length),
                        return_code: Some(d.return_code.value()),
                        ..Item::default()
                    })
                    .collect();
                f.items = Some(list);
            }
            Response::WriteVar {
                item_count,
                return_codes,
            } => {
                f.item_count = Some(u16::from(*item_count));
                let list = return_codes
                    .iter()
                    .take(MAX_ITEMS)
                    .map(|c| Item {
                        return_code: Some(c.value()),
                        ..Item::default()
                    })
                    .collect();
                f.items = Some(list);
            }
            Response::Block { control, .. } => f.block = control.filename.map(|n| n.to_string()),
            _ => {}
        },
        Body::Userdata(u) => {
            let p = u.params;
            f.ud_type = Some(p.kind.value());
            f.ud_group = Some(p.group.value());
            f.ud_subfunc = Some(p.subfunction);
            f.ud_seq = Some(p.sequence);
            if let Some((id, index)) = u.szl() {
                f.szl_id = Some(id);
                f.szl_index = Some(index);
            }
        }
        _ => {}
    }
}

/// The S7comm-plus fields of a frame and, when it completed one, its PDU.
fn plus(f: &mut Fields, frame: &PlusFrame<'_>, pdu: Option<&PlusPdu<'_>>) {
    f.version = Some(frame.version.value());
    f.integrity = Some(frame.digest.is_some());
    if let Some(p) = pdu {
        f.opcode = Some(p.opcode.value());
        f.function = p.function.map(|x| x.value());
        f.seq = p.sequence;
        f.session = p.session;
    }
}

/// What one record is called in the summary.
pub const NOUN: &str = "TPKTs";

/// The PLC's order number and firmware, and its rack and slot.
pub fn summary(f: &Facts, parts: &mut Vec<String>) {
    let mut s = Vec::new();
    if let Some(o) = f.s7_identity.get("order_number") {
        s.push(o.clone());
    }
    if let Some(v) = f.s7_identity.get("firmware") {
        s.push(v.clone());
    }
    if !f.s7_rack_slot.is_empty() {
        let rs: Vec<&str> = f.s7_rack_slot.iter().map(String::as_str).collect();
        s.push(format!("rack/slot {}", rs.join(",")));
    }
    if f.s7_plus {
        s.push("S7comm-plus".to_string());
    }
    if !s.is_empty() {
        parts.push(format!("s7 {}", s.join(" ")));
    }
}

/// S7 asset facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Rack and slot ("0/2") clients addressed it as (the called TSAP of their COTP
    /// connection requests).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub s7_rack_slot: BTreeSet<String>,
    /// The PDU size it granted (setup communication answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s7_pdu_size: Option<u16>,
    /// What it said of itself in SZL answers: `order_number`, `hardware`, `firmware`
    /// (module identification, SZL 0x0011) and the component names of SZL 0x001C
    /// (`module_name`, `serial_number`, `plant_designation`...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub s7_identity: BTreeMap<String, String>,
    /// It spoke S7comm-plus.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub s7_plus: bool,
}

/// What an S7 event shows of its sender: a PLC's answers (PDU size, SZL identity, S7comm-plus).
/// The rack and slot come from the client's connection request, the one place they are
/// named: they are kept for the PLC it was sent to when the PLC answers.
pub fn facts(ev: &Event<'_>, a: &mut Asset) {
    let Detail::S7(m) = ev.detail else {
        return;
    };
    if ev.direction != otwire_detect::Direction::Response {
        return;
    }
    let f = &mut a.facts.s7;
    if ev.unit != 0 {
        let rs = format!("{}/{}", ev.unit >> 8, ev.unit & 0xFF);
        if f.s7_rack_slot.len() < MAX_PER_ASSET {
            f.s7_rack_slot.insert(rs);
        }
    }
    match m.message {
        Some(Message::S7commPlus(_)) => f.s7_plus = true,
        Some(Message::S7comm(pdu)) => match pdu.body {
            Body::Response(Response::Setup(s)) => f.s7_pdu_size = Some(s.pdu_size),
            Body::Userdata(u) => {
                if let UserdataBody::Szl(answer) = u.body {
                    identity(f, &answer);
                }
                if let Some((answer, _)) = m.joined.and_then(|j| SzlAnswer::parse(j, true)) {
                    identity(f, &answer);
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// The identity records of an SZL answer.
fn identity(f: &mut Facts, answer: &SzlAnswer<'_>) {
    for (key, value) in identity_pairs(answer) {
        if f.s7_identity.len() >= MAX_PER_ASSET {
            return;
        }
        f.s7_identity.insert(key, value);
    }
}

/// What an SZL answer says of the module's identity, in record order: `order_number`,
/// `hardware` and `firmware` from module identification (0xxy11, indexes 1, 6 and 7), and
/// the text fields of component identification (0xxy1C) by name (`module_name`,
/// `serial_number`, `plant_designation`...). Empty values and binary fields are left out.
/// otscan's asset facts and `otprobe s7` both read identities through it.
pub fn identity_pairs<'a>(
    answer: &SzlAnswer<'a>,
) -> impl Iterator<Item = (String, String)> + use<'a> {
    answer.iter().filter_map(|r| match r {
        SzlRecord::ModuleId(id) => {
            let key = match id.index {
                1 => "order_number",
                6 => "hardware",
                7 => "firmware",
                _ => return None,
            };
            let value = match id.version() {
                Some((x, y, z)) if id.index != 1 => format!("V{x}.{y}.{z}"),
                _ => clip(id.order_number()).trim().to_string(),
            };
            (!value.is_empty()).then(|| (key.to_string(), value))
        }
        SzlRecord::ComponentId(c) => {
            let key = c.field()?.to_ascii_lowercase().replace(' ', "_");
            let value = clip(c.text).trim_matches(['\0', ' ']).to_string();
            // Some indexes hold binary ids (manufacturer and profile, OEM ids): text only.
            let text = value.chars().all(|ch| ch.is_ascii_graphic() || ch == ' ');
            (!value.is_empty() && text).then_some((key, value))
        }
        _ => None,
    })
}
