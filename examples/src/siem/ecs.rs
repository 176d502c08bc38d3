//! `otscan --output ecs`: one alert as an Elastic Common Schema 9.4 document
//! (elastic.co/docs/reference/ecs): `event.kind` `"alert"`, the ATT&CK for ICS technique
//! and tactics under `threat.*`, the two ends under `source.*` / `destination.*`, the
//! detector under `rule.*`, otscan under `observer.*`. The evidence goes where ECS has
//! room for it: each scalar as a `labels` entry (keyword values), and the whole otwire
//! alert record, evidence included, as `event.original`.

use std::net::{IpAddr, SocketAddr};

use serde_json::{Map, Value, json};

use super::{
    FRAMEWORK, PRODUCT, VENDOR, app_proto, iana_number, tactics, technique_reference, transport,
};
use crate::record::{AlertRecord, Severity};

/// The ECS version the documents follow (`ecs.version`).
pub const ECS_VERSION: &str = "9.4.0";

/// `event.severity`: 1 (low) to 4 (critical), higher is worse.
pub fn severity(s: Severity) -> u8 {
    match s {
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// `event.risk_score`: the scores Elastic's detection rules give their four severities.
pub fn risk_score(s: Severity) -> f64 {
    match s {
        Severity::Low => 21.0,
        Severity::Medium => 47.0,
        Severity::High => 73.0,
        Severity::Critical => 99.0,
    }
}

/// The rule name of an alert: `"OTWIRE MODBUS T0855 Unauthorized Command Message
/// (dangerous_function)"` (ECS `rule.name`, EVE `alert.signature`).
pub fn rule_name(a: &AlertRecord) -> String {
    format!(
        "OTWIRE {} {} {} ({})",
        a.proto.name().to_uppercase(),
        a.technique_id,
        a.technique_name,
        a.detector
    )
}

fn endpoint(e: SocketAddr) -> Value {
    json!({ "ip": e.ip().to_string(), "address": e.ip().to_string(), "port": e.port() })
}

/// `labels`: each scalar of the evidence as a string (ECS label values are keywords, and
/// their keys hold no dots), then `confidence`, `count` and `unit`.
fn labels(a: &AlertRecord) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in &a.evidence {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        m.insert(k.replace('.', "_"), Value::String(text));
    }
    m.insert("confidence".into(), format!("{:.2}", a.confidence).into());
    m.insert("count".into(), a.count.to_string().into());
    if let Some(u) = a.unit {
        m.insert("unit".into(), u.to_string().into());
    }
    m
}

/// `related.ip`: both ends and the hosts an aggregate lists, each once.
fn related_ips(a: &AlertRecord, src: IpAddr, dst: IpAddr) -> Vec<String> {
    let mut ips: Vec<IpAddr> = vec![src, dst];
    for ip in a.sources.iter().chain(&a.hosts) {
        if !ips.contains(ip) {
            ips.push(*ip);
        }
    }
    ips.dedup();
    ips.iter().map(IpAddr::to_string).collect()
}

/// The ECS document of one alert.
pub fn document(a: &AlertRecord) -> Value {
    let src = SocketAddr::from(a.src);
    let dst = SocketAddr::from(a.dst);
    let tactics = tactics(a);
    let transport = transport(a);
    let mut network = Map::new();
    if let Some(p) = app_proto(a.proto) {
        network.insert("protocol".into(), p.into());
    }
    if let Some(t) = transport {
        network.insert("transport".into(), t.into());
        if let Some(n) = iana_number(t, dst.is_ipv6()) {
            network.insert("iana_number".into(), n.into());
        }
    }
    network.insert(
        "type".into(),
        if dst.is_ipv4() { "ipv4" } else { "ipv6" }.into(),
    );
    let mut tags = vec!["otwire", "ot"];
    if a.aggregate {
        tags.push("aggregate");
    }
    json!({
        "@timestamp": a.ts.to_string(),
        "ecs": { "version": ECS_VERSION },
        "message": a.summary,
        "tags": tags,
        "labels": labels(a),
        "event": {
            "kind": "alert",
            "category": ["intrusion_detection", "network"],
            "type": ["info"],
            "module": "otwire",
            "dataset": "otwire.alert",
            "provider": a.detector,
            "action": a.detector,
            "severity": severity(a.severity),
            "risk_score": risk_score(a.severity),
            "start": a.first_seen.to_string(),
            "end": a.last_seen.to_string(),
            "reference": technique_reference(&a.technique_id),
            "original": a.to_json_line(),
        },
        "threat": {
            "framework": FRAMEWORK,
            "technique": {
                "id": [a.technique_id],
                "name": [a.technique_name],
                "reference": [technique_reference(&a.technique_id)],
            },
            "tactic": {
                "id": tactics.iter().filter_map(|(t, _)| t.map(|t| t.id)).collect::<Vec<_>>(),
                "name": tactics.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
                "reference": tactics.iter().filter_map(|(t, _)| t.map(|t| t.reference())).collect::<Vec<_>>(),
            },
        },
        "source": endpoint(src),
        "destination": endpoint(dst),
        "network": network,
        "related": { "ip": related_ips(a, src.ip(), dst.ip()) },
        "rule": {
            "id": a.detector,
            "name": rule_name(a),
            "category": tactics.first().map(|(_, n)| n.as_str()).unwrap_or("Unclassified"),
            "description": a.technique_name,
            "reference": technique_reference(&a.technique_id),
            "ruleset": "otwire-detect",
        },
        "observer": {
            "vendor": VENDOR,
            "product": PRODUCT,
            "type": "ids",
            "version": env!("CARGO_PKG_VERSION"),
        },
    })
}
