//! `otscan --output eve`: one alert as a Suricata EVE `alert` record (Suricata's "Eve JSON
//! Format" documentation): the common section (`timestamp` as
//! `2017-04-07T22:24:37.251547+0000`, `flow_id`, `pcap_cnt`, `event_type`, the tuple,
//! `proto`, `app_proto`) and `alert` (`action`, `gid`, `signature_id`, `rev`,
//! `signature`, `category`, `severity` 1 high to 3 low, `metadata` of string lists with the
//! ATT&CK keys Suricata rule sets use). otwire's own fields (summary, evidence, count) ride
//! in an `otwire` object, which EVE consumers pass through or ignore.

use std::net::SocketAddr;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{app_proto, tactics, transport};
use crate::record::{AlertRecord, Severity};

/// Suricata's generator id for rule matches.
pub const GID: u32 = 1;
/// The first signature id of the range set aside for local rules (1000000-1999999).
pub const LOCAL_SID_BASE: u32 = 1_000_000;

/// `alert.severity`: 1 (critical and high), 2 (medium), 3 (low).
pub fn severity(s: Severity) -> u8 {
    match s {
        Severity::Critical | Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
    }
}

/// A stable signature id for a (detector, technique) pair, in the local range: FNV-1a of
/// `detector/technique`, folded into 1000000-1999999.
pub fn signature_id(detector: &str, technique: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in detector.bytes().chain([b'/']).chain(technique.bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    LOCAL_SID_BASE + h % LOCAL_SID_BASE
}

/// `2017-04-07T22:24:37.251547+0000`: Suricata's timestamp form (UTC).
pub fn timestamp(ts: otwire_detect::alert::Timestamp) -> String {
    let s = ts.to_string();
    format!("{}+0000", s.strip_suffix('Z').unwrap_or(&s))
}

/// One EVE `alert` record: the common section, then `alert` (field order as Suricata
/// writes it).
#[derive(Debug, Clone, Serialize)]
pub struct EveAlert<'a> {
    /// `2017-04-07T22:24:37.251547+0000`.
    pub timestamp: String,
    /// The flow's number (positive, 63 bits); absent when otscan could not number it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<u64>,
    /// The capture record (frame) that triggered the alert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pcap_cnt: Option<u64>,
    /// Always `"alert"`.
    pub event_type: &'static str,
    /// Sender address.
    pub src_ip: String,
    /// Sender port.
    pub src_port: u16,
    /// Receiver address.
    pub dest_ip: String,
    /// Receiver port.
    pub dest_port: u16,
    /// `"TCP"`, `"UDP"` or `"ICMP"` (absent for ARP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proto: Option<&'static str>,
    /// The application protocol (`"modbus"`, `"dnp3"`, `"s7comm"`...; absent for network
    /// events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_proto: Option<&'static str>,
    /// The rule that matched.
    pub alert: EveAlertBody,
    /// otwire's own fields.
    pub otwire: Extra<'a>,
}

/// The `alert` object of an EVE alert record.
#[derive(Debug, Clone, Serialize)]
pub struct EveAlertBody {
    /// Always `"allowed"`: otscan watches, it does not block.
    pub action: &'static str,
    /// [`GID`].
    pub gid: u32,
    /// [`signature_id`].
    pub signature_id: u32,
    /// The rule's revision.
    pub rev: u32,
    /// The rule's message ([`rule_name`](super::ecs::rule_name)).
    pub signature: String,
    /// The classification: the first ATT&CK for ICS tactic.
    pub category: String,
    /// 1 (high) to 3 (low).
    pub severity: u8,
    /// Rule metadata: each key a list of strings.
    pub metadata: BTreeMap<&'static str, Vec<String>>,
}

/// otwire's fields of an EVE record (the `otwire` object).
#[derive(Debug, Clone, Serialize)]
pub struct Extra<'a> {
    /// The alert's one-line summary.
    pub summary: &'a str,
    /// The detector.
    pub detector: &'a str,
    /// Unit / link address / common address.
    pub unit: Option<u16>,
    /// 0 to 1.
    pub confidence: f32,
    /// Occurrences the alert stands for.
    pub count: u64,
    /// First occurrence.
    pub first_seen: String,
    /// Last occurrence.
    pub last_seen: String,
    /// An aggregate.
    pub aggregate: bool,
    /// Structured evidence.
    pub evidence: &'a Map<String, Value>,
}

/// The EVE `alert` record of one alert.
pub fn eve(a: &AlertRecord) -> EveAlert<'_> {
    let src = SocketAddr::from(a.src);
    let dst = SocketAddr::from(a.dst);
    let tactics = tactics(a);
    let mut metadata = BTreeMap::new();
    metadata.insert("mitre_technique_id", vec![a.technique_id.to_string()]);
    metadata.insert("mitre_technique_name", vec![a.technique_name.to_string()]);
    metadata.insert(
        "mitre_tactic_id",
        tactics
            .iter()
            .filter_map(|(t, _)| t.map(|t| t.id.to_string()))
            .collect(),
    );
    metadata.insert(
        "mitre_tactic_name",
        tactics.iter().map(|(_, n)| n.clone()).collect(),
    );
    metadata.insert("otwire_detector", vec![a.detector.to_string()]);
    EveAlert {
        timestamp: timestamp(a.ts),
        // Suricata's flow ids are positive 63-bit numbers.
        flow_id: (a.flow != u64::MAX).then_some(a.flow & (i64::MAX as u64)),
        pcap_cnt: (a.frame > 0).then_some(a.frame),
        event_type: "alert",
        src_ip: src.ip().to_string(),
        src_port: src.port(),
        dest_ip: dst.ip().to_string(),
        dest_port: dst.port(),
        proto: transport(a).map(|t| match t {
            "udp" => "UDP",
            "icmp" => "ICMP",
            _ => "TCP",
        }),
        app_proto: app_proto(a.proto),
        alert: EveAlertBody {
            action: "allowed",
            gid: GID,
            signature_id: signature_id(&a.detector, &a.technique_id),
            rev: 1,
            signature: super::ecs::rule_name(a),
            category: tactics
                .first()
                .map_or_else(|| "Misc activity".to_string(), |(_, n)| n.clone()),
            severity: severity(a.severity),
            metadata,
        },
        otwire: Extra {
            summary: &a.summary,
            detector: &a.detector,
            unit: a.unit,
            confidence: a.confidence,
            count: a.count,
            first_seen: a.first_seen.to_string(),
            last_seen: a.last_seen.to_string(),
            aggregate: a.aggregate,
            evidence: &a.evidence,
        },
    }
}
