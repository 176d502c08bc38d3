//! The report's asset inventory: what each protocol told of a device (vendor and model,
//! firmware), its units and stations, and the table.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::assets::Asset;
use crate::output::ranges;

use super::map::Column;
use super::{esc, time_cell};

/// Most assets listed in the table (the map and the JSON output have them all).
pub const MAX_ROWS: usize = 2_000;

/// Pushes `v` onto `out` unless empty or already there.
fn push(out: &mut Vec<String>, v: Option<&String>) {
    if let Some(v) = v.map(|s| s.trim()).filter(|s| !s.is_empty())
        && !out.iter().any(|x| x == v)
    {
        out.push(v.to_string());
    }
}

/// Vendor and model, as the device told them (Modbus device identification, S7 SZL module
/// identification, CIP Identity object, DNP3 device attributes).
pub fn vendor_model(a: &Asset) -> String {
    let mut parts = Vec::new();
    for objs in a.identity.values() {
        for k in ["VendorName", "ProductName", "ModelName", "ProductCode"] {
            push(&mut parts, objs.get(k));
        }
    }
    let s7 = &a.facts.s7.s7_identity;
    for k in ["module_name", "order_number"] {
        push(&mut parts, s7.get(k));
    }
    let enip = &a.facts.enip;
    if let Some(v) = enip.enip_vendor {
        parts.push(format!("CIP vendor {v}"));
    }
    push(&mut parts, enip.enip_product_name.as_ref());
    push(&mut parts, enip.enip_device_type.as_ref());
    for attrs in a.facts.dnp3.dnp3_attributes.values() {
        for k in ["manufacturer_name", "product_name_and_model", "device_name"] {
            push(&mut parts, attrs.get(k));
        }
    }
    parts.join(" · ")
}

/// Firmware and hardware revisions, as the device told them.
pub fn firmware(a: &Asset) -> String {
    let mut parts = Vec::new();
    for objs in a.identity.values() {
        push(&mut parts, objs.get("MajorMinorRevision"));
    }
    let s7 = &a.facts.s7.s7_identity;
    push(&mut parts, s7.get("firmware"));
    if let Some(h) = s7.get("hardware") {
        parts.push(format!("hw {h}"));
    }
    if let Some(r) = &a.facts.enip.enip_revision {
        parts.push(format!("rev {r}"));
    }
    for attrs in a.facts.dnp3.dnp3_attributes.values() {
        push(&mut parts, attrs.get("software_version"));
    }
    parts.join(" · ")
}

/// Units and stations: Modbus units, DNP3 link addresses, IEC 104 common addresses, S7
/// rack and slot.
pub fn units(a: &Asset) -> String {
    let list = |v: &mut dyn Iterator<Item = u32>| ranges(v);
    let mut parts = Vec::new();
    if !a.units.is_empty() {
        parts.push(format!(
            "unit {}",
            list(&mut a.units.iter().map(|&u| u32::from(u)))
        ));
    }
    let d = &a.facts.dnp3;
    if !d.dnp3_outstation_addresses.is_empty() {
        parts.push(format!(
            "outstation {}",
            list(&mut d.dnp3_outstation_addresses.iter().map(|&u| u32::from(u)))
        ));
    }
    if !d.dnp3_master_addresses.is_empty() {
        parts.push(format!(
            "master {}",
            list(&mut d.dnp3_master_addresses.iter().map(|&u| u32::from(u)))
        ));
    }
    let i = &a.facts.iec104.iec104_common_addresses;
    if !i.is_empty() {
        parts.push(format!("CA {}", list(&mut i.iter().map(|&u| u32::from(u)))));
    }
    let rs = &a.facts.s7.s7_rack_slot;
    if !rs.is_empty() {
        let v: Vec<&str> = rs.iter().map(String::as_str).collect();
        parts.push(format!("rack/slot {}", v.join(",")));
    }
    parts.join("; ")
}

/// The map's second line for a host: its model, else its protocols.
pub fn short_label(a: &Asset) -> String {
    let vm = vendor_model(a);
    if vm.is_empty() {
        a.protocols.iter().copied().collect::<Vec<_>>().join(", ")
    } else {
        vm
    }
}

/// Writes the inventory table.
pub fn write_table(assets: &[(IpAddr, &Asset)], dropped: u64, out: &mut String) {
    out.push_str(
        "<table class=\"sortable\" id=\"assets\"><thead><tr><th>Address</th><th>Role</th>\
         <th>Vendor / model</th><th>Firmware</th><th>Protocols</th><th>Ports</th>\
         <th>Units / stations</th><th>PDUs sent</th><th>First seen</th><th>Last seen</th>\
         </tr></thead><tbody>",
    );
    for (ip, a) in assets.iter().take(MAX_ROWS) {
        let column = Column::of_role(a.role());
        let protos: Vec<&str> = a.protocols.iter().copied().collect();
        let _ = write!(
            out,
            "<tr data-ip=\"{ip}\"><td class=\"mono\" data-sort=\"{}\">{ip}</td>\
             <td><span class=\"role {}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td>{}{}</tr>",
            sort_key(*ip),
            column.class(),
            esc(column.title()),
            esc(&vendor_model(a)),
            esc(&firmware(a)),
            esc(&protos.join(", ")),
            esc(&ranges(a.server_ports.iter().map(|&p| u32::from(p)))),
            esc(&units(a)),
            a.pdus,
            time_cell(a.first_us),
            time_cell(a.last_us),
        );
    }
    out.push_str("</tbody></table>");
    let unlisted = assets.len().saturating_sub(MAX_ROWS);
    if unlisted > 0 || dropped > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">{unlisted} more assets not listed here, {dropped} addresses not \
             tracked (the inventory is full); <code>otscan --output assets</code> lists every \
             tracked asset.</p>"
        );
    }
}

/// A key that sorts addresses numerically as text (zero-padded hex of the 16-byte form).
pub fn sort_key(ip: IpAddr) -> String {
    let bytes = match ip {
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
        IpAddr::V6(a) => a.octets(),
    };
    bytes.iter().fold(String::with_capacity(32), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_from_each_protocol() {
        let mut a = Asset::default();
        let mut objs = std::collections::BTreeMap::new();
        objs.insert("VendorName".to_string(), "Schneider Electric".to_string());
        objs.insert("ProductCode".to_string(), "BMX P34 2020".to_string());
        objs.insert("MajorMinorRevision".to_string(), "v3.10".to_string());
        a.identity.insert(1, objs);
        a.facts
            .s7
            .s7_identity
            .insert("firmware".into(), "V3.3.5".into());
        a.facts.enip.enip_revision = Some("32.011".into());
        a.units.extend([1, 2, 3]);
        a.facts.iec104.iec104_common_addresses.insert(7);
        assert_eq!(vendor_model(&a), "Schneider Electric · BMX P34 2020");
        assert_eq!(firmware(&a), "v3.10 · V3.3.5 · rev 32.011");
        assert_eq!(units(&a), "unit 1-3; CA 7");
    }

    #[test]
    fn hostile_identity_is_escaped_in_the_table() {
        let mut a = Asset::default();
        let mut objs = std::collections::BTreeMap::new();
        objs.insert(
            "VendorName".to_string(),
            "<script>alert(1)</script>\"'&".to_string(),
        );
        a.identity.insert(1, objs);
        let mut out = String::new();
        write_table(&[(IpAddr::from([10, 0, 0, 1]), &a)], 0, &mut out);
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;&quot;&#x27;&amp;"));
    }

    #[test]
    fn sort_key_orders_numerically() {
        let k = |s: &str| sort_key(s.parse().unwrap());
        assert!(k("10.0.0.9") < k("10.0.0.10"));
        assert!(k("10.0.0.255") < k("10.0.1.0"));
    }
}
