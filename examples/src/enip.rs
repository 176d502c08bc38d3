//! EtherNet/IP in otscan (TCP and UDP port 44818, UDP 2222): the record fields of
//! DESIGN.md §4 for the encapsulation (ODVA CIP Vol. 2 §2), the Common Packet Format
//! (§2-6), class 0/1 I/O (§3-3) and the CIP message carried (Vol. 1 §2-4: service, status,
//! path; Multiple Service Packet and Unconnected Send, Logix tags, PCCC), one record per
//! encapsulation PDU and per I/O packet, and what devices tell of themselves (the Identity
//! object in ListIdentity replies and Get Attributes All replies, the connections they
//! accept).

use std::collections::BTreeSet;

use otwire_detect::Event;
use otwire_detect::protocol::Detail;
use otwire_enip::cip::objects::Identity as IdentityObject;
use otwire_enip::cip::{
    Message as CipMessage, MultipleService, Request, RequestBody, ResponseBody,
};
use otwire_enip::{Body, Item};
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::assets::{Asset, MAX_PER_ASSET, clip};
use crate::json::Entries;

/// Most CPF items and embedded services listed in one record.
pub const MAX_ITEMS: usize = 64;

/// EtherNet/IP fields of a record; `None` serializes as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Encapsulation command (Vol. 2 §2-3.2); `null` for an I/O packet.
    pub command: Option<u16>,
    /// Encapsulation length field.
    pub length: Option<u16>,
    /// Session handle.
    pub session: Option<u32>,
    /// Encapsulation status.
    pub status: Option<u32>,
    /// CPF item type ids, in order (at most [`MAX_ITEMS`]).
    pub cpf_items: Option<Vec<u16>>,
    /// Connection id of connected data or of an I/O packet.
    pub conn_id: Option<u32>,
    /// CIP sequence count of connected data (class 3) or of an I/O packet (class 1).
    pub conn_seq: Option<u16>,
    /// The outer CIP service, without the reply bit.
    pub cip_service: Option<u8>,
    /// Whether the CIP message is a reply.
    pub cip_reply: Option<bool>,
    /// General status of a reply.
    pub cip_status: Option<u8>,
    /// First additional status word of a reply.
    pub cip_ext_status: Option<u16>,
    /// Class of the request path.
    pub cip_class: Option<u32>,
    /// Instance of the request path.
    pub cip_instance: Option<u32>,
    /// Attribute of the request path.
    pub cip_attribute: Option<u32>,
    /// The Logix tag a request names (its own path, or the first embedded request's).
    pub symbol: Option<String>,
    /// Embedded services of a Multiple Service Packet or Unconnected Send (at most
    /// [`MAX_ITEMS`]), without the reply bit.
    pub cip_services: Option<Vec<u8>>,
    /// PCCC command of an Execute PCCC request.
    pub pccc_cmd: Option<u8>,
    /// PCCC function code of an Execute PCCC request.
    pub pccc_fnc: Option<u8>,
}

/// The Logix tag a request path names, as text.
fn tag(req: &Request<'_>) -> Option<String> {
    if !req.path.is_symbolic() {
        return None;
    }
    let mut s = String::new();
    req.path.write_tag(&mut s).ok()?;
    Some(s)
}

/// Embedded services of a Multiple Service Packet body (requests or replies).
fn msp_services(ms: &MultipleService<'_>, out: &mut Vec<u8>, symbol: &mut Option<String>) {
    for e in ms.entries() {
        if out.len() >= MAX_ITEMS {
            return;
        }
        let Some(&s) = e.first() else { continue };
        out.push(s & 0x7F);
        if s & 0x80 == 0
            && symbol.is_none()
            && let Ok(r) = Request::parse(e)
        {
            *symbol = tag(&r.pdu);
        }
    }
}

impl Fields {
    /// The fields of an ENIP event (all `null` for bytes that are not EtherNet/IP).
    pub fn of(ev: &Event<'_>) -> Self {
        let Detail::Enip(m) = ev.detail else {
            return Self::default();
        };
        let mut f = Fields::default();
        if let Some(p) = m.pdu() {
            let h = p.header;
            f.command = Some(h.command.value());
            f.length = Some(h.length);
            f.session = Some(h.session);
            f.status = Some(h.status.value());
            if let Some(cpf) = p.body.cpf() {
                f.cpf_items = Some(
                    cpf.items()
                        .take(MAX_ITEMS)
                        .map(|i| i.type_id().value())
                        .collect(),
                );
                f.conn_id = cpf.conn_id();
            }
            if let Some(d) = m.data() {
                f.conn_id = d.conn_id.or(f.conn_id);
                f.conn_seq = d.sequence;
            }
        }
        if let Some(io) = m.io() {
            f.cpf_items = Some(
                io.cpf
                    .items()
                    .take(MAX_ITEMS)
                    .map(|i| i.type_id().value())
                    .collect(),
            );
            f.conn_id = Some(io.conn_id);
            f.conn_seq = io.sequence_count();
        }
        match m.cip {
            Some(CipMessage::Request(r)) => request(&mut f, &r),
            Some(CipMessage::Response(r)) => {
                f.cip_service = Some(r.service);
                f.cip_reply = Some(true);
                f.cip_status = Some(r.general_status);
                f.cip_ext_status = r.extended_status();
                if r.service == 0x0A
                    && let Ok(ms) = MultipleService::parse(r.data)
                {
                    let mut v = Vec::new();
                    msp_services(&ms.pdu, &mut v, &mut None);
                    f.cip_services = Some(v);
                }
            }
            None => {}
        }
        f
    }

    /// Appends `,"command":...` through `,"pccc_fnc":...`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        crate::json::push_entries(out, self);
    }
}

/// The fields of a CIP request: service, path, embedded services, tag, PCCC.
fn request(f: &mut Fields, r: &Request<'_>) {
    f.cip_service = Some(r.service);
    f.cip_reply = Some(false);
    f.cip_class = r.path.class();
    f.cip_instance = r.path.instance();
    f.cip_attribute = r.path.attribute();
    f.symbol = tag(r);
    let body = r.body().pdu;
    let mut services = Vec::new();
    let mut inner_body = None;
    match body {
        RequestBody::MultipleServicePacket(ms) => {
            msp_services(&ms, &mut services, &mut f.symbol);
        }
        RequestBody::UnconnectedSend(us) => {
            if let Ok(inner) = us.request() {
                let inner = inner.pdu;
                services.push(inner.service);
                if f.symbol.is_none() {
                    f.symbol = tag(&inner);
                }
                let b = inner.body().pdu;
                if let RequestBody::MultipleServicePacket(ms) = b {
                    msp_services(&ms, &mut services, &mut f.symbol);
                }
                inner_body = Some(b);
            }
        }
        _ => {}
    }
    if matches!(
        body,
        RequestBody::MultipleServicePacket(_) | RequestBody::UnconnectedSend(_)
    ) {
        f.cip_services = Some(services);
    }
    if let RequestBody::Pccc(p) = inner_body.unwrap_or(body) {
        f.pccc_cmd = Some(p.command.value());
        f.pccc_fnc = p.function.value();
    }
}

impl Entries for Fields {
    fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        m.serialize_entry("command", &self.command)?;
        m.serialize_entry("length", &self.length)?;
        m.serialize_entry("session", &self.session)?;
        m.serialize_entry("status", &self.status)?;
        m.serialize_entry("cpf_items", &self.cpf_items)?;
        m.serialize_entry("conn_id", &self.conn_id)?;
        m.serialize_entry("conn_seq", &self.conn_seq)?;
        m.serialize_entry("cip_service", &self.cip_service)?;
        m.serialize_entry("cip_reply", &self.cip_reply)?;
        m.serialize_entry("cip_status", &self.cip_status)?;
        m.serialize_entry("cip_ext_status", &self.cip_ext_status)?;
        m.serialize_entry("cip_class", &self.cip_class)?;
        m.serialize_entry("cip_instance", &self.cip_instance)?;
        m.serialize_entry("cip_attribute", &self.cip_attribute)?;
        m.serialize_entry("symbol", &self.symbol)?;
        m.serialize_entry("cip_services", &self.cip_services)?;
        m.serialize_entry("pccc_cmd", &self.pccc_cmd)?;
        m.serialize_entry("pccc_fnc", &self.pccc_fnc)
    }
}

/// What one record is called in the summary.
pub const NOUN: &str = "PDUs";

/// EtherNet/IP asset facts: the Identity object's attributes (Vol. 1 §5A-2) as the device
/// reported them, and the CIP connections it accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Vendor id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enip_vendor: Option<u16>,
    /// Device type: code and name ("14 Programmable Logic Controller").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enip_device_type: Option<String>,
    /// Product code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enip_product_code: Option<u16>,
    /// Product name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enip_product_name: Option<String>,
    /// Revision ("32.011").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enip_revision: Option<String>,
    /// Serial number ("0x00c0ffee").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enip_serial: Option<String>,
    /// The socket address a ListIdentity reply gives ("10.1.1.164:44818").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enip_socket: Option<String>,
    /// CIP connections it accepted (successful Forward Open replies): "class 3 O->T
    /// 0x7e010001 T->O 0x00001b01 RPI 500 ms".
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub enip_connections: BTreeSet<String>,
}

/// The Identity attributes in the facts.
#[allow(clippy::too_many_arguments)]
fn identity(
    f: &mut Facts,
    vendor: u16,
    device_type: u16,
    product_code: u16,
    revision: otwire_enip::Revision,
    serial: u32,
    name: &[u8],
) {
    let dt = otwire_enip::DeviceType::from(device_type);
    f.enip_vendor = Some(vendor);
    f.enip_device_type = Some(match dt.name() {
        Some(n) => format!("{device_type} {n}"),
        None => device_type.to_string(),
    });
    f.enip_product_code = Some(product_code);
    let name = clip(name).trim().to_string();
    if !name.is_empty() {
        f.enip_product_name = Some(name);
    }
    f.enip_revision = Some(revision.to_string());
    f.enip_serial = Some(format!("{serial:#010x}"));
}

/// What an ENIP event shows of its sender: the identity in a ListIdentity reply or in a
/// Get Attributes All reply of the Identity object (class 1), the connections its Forward
/// Open replies accept.
pub fn facts(ev: &Event<'_>, a: &mut Asset) {
    let Detail::Enip(m) = ev.detail else {
        return;
    };
    if ev.direction != otwire_detect::Direction::Response {
        return;
    }
    let f = &mut a.facts.enip;
    if let Some(p) = m.pdu()
        && let Body::ListIdentityReply(cpf) = p.body
    {
        for item in cpf.items() {
            if let Item::ListIdentity(id) = item {
                identity(
                    f,
                    id.vendor_id,
                    id.device_type.value(),
                    id.product_code,
                    id.revision,
                    id.serial,
                    id.product_name,
                );
                f.enip_socket = Some(format!("{}:{}", id.socket.ip(), id.socket.port));
            }
        }
    }
    let Some(CipMessage::Response(r)) = m.cip else {
        return;
    };
    if !r.is_success() {
        return;
    }
    // Get Attributes All of the Identity object (its request seen: class 1, instance 1).
    if let Some(p) = m.answers
        && p.service == 0x01
        && p.class == Some(1)
        && p.instance.is_none_or(|i| i == 1)
        && let Ok(id) = IdentityObject::parse(r.data)
    {
        let id = id.pdu;
        identity(
            f,
            id.vendor,
            id.device_type,
            id.product_code,
            otwire_enip::Revision {
                major: id.major_revision,
                minor: id.minor_revision,
            },
            id.serial,
            id.product_name,
        );
    }
    if let Some(ResponseBody::ForwardOpen(fo)) = m.response()
        && f.enip_connections.len() < MAX_PER_ASSET
    {
        let class = m
            .connection
            .map_or(String::new(), |c| format!("class {} ", c.transport & 0x0F));
        f.enip_connections.insert(format!(
            "{class}O->T {:#010x} T->O {:#010x} RPI {} ms",
            fo.ot_connection_id,
            fo.to_connection_id,
            fo.ot_api / 1000
        ));
    }
}

/// The device's product name and revision, serial, and how many connections it accepted.
pub fn summary(f: &Facts, parts: &mut Vec<String>) {
    let mut s = Vec::new();
    if let Some(n) = &f.enip_product_name {
        s.push(n.clone());
    }
    if let Some(r) = &f.enip_revision {
        s.push(format!("rev {r}"));
    }
    if let Some(n) = &f.enip_serial {
        s.push(format!("serial {n}"));
    }
    if !f.enip_connections.is_empty() {
        let n = f.enip_connections.len();
        s.push(format!("{n} connection{}", if n == 1 { "" } else { "s" }));
    }
    if !s.is_empty() {
        parts.push(format!("enip {}", s.join(" ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_json` and `serialize_entries` write the same bytes, every field set or none.
    #[test]
    fn both_writers_agree() {
        struct Map<'a>(&'a Fields);
        impl Serialize for Map<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(None)?;
                self.0.serialize_entries(&mut m)?;
                m.end()
            }
        }
        let all = Fields {
            command: Some(0x70),
            length: Some(58),
            session: Some(0x1002_0100),
            status: Some(0),
            cpf_items: Some(vec![0x00A1, 0x00B1]),
            conn_id: Some(0x0035_1309),
            conn_seq: Some(27_364),
            cip_service: Some(0x0A),
            cip_reply: Some(false),
            cip_status: Some(0),
            cip_ext_status: Some(0x0311),
            cip_class: Some(2),
            cip_instance: Some(1),
            cip_attribute: Some(7),
            symbol: Some("Program:Main.tag[3]\"x\"".into()),
            cip_services: Some(vec![0x4C, 0x4D]),
            pccc_cmd: Some(0x0F),
            pccc_fnc: Some(0xA2),
        };
        for f in [Fields::default(), all] {
            let mut fast = b"{\"x\":1".to_vec();
            f.write_json(&mut fast);
            fast.push(b'}');
            let slow = serde_json::to_string(&Map(&f)).unwrap();
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                format!("{{\"x\":1,{}", &slow[1..])
            );
        }
    }
}
