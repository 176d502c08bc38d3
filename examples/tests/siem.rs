//! `otscan --output ecs|eve` and `--output-file`: the bundled sample's alerts as Elastic
//! Common Schema documents (every field listed in ECS 9.4's field list, with a value of its
//! type) and as Suricata EVE alert records (read back with the shape EVE consumers use).

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::process::Command;

use otwire_detect::{Protocol, Timestamp};
use otwire_examples::record::AlertRecord;
use otwire_examples::siem::{ecs, eve};
use serde::Deserialize;
use serde_json::Value;

fn otscan(args: &[&str]) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The bundled sample's alerts, as `otscan --output alerts` writes them.
fn sample_alerts() -> Vec<AlertRecord> {
    let o = otscan(&["--output", "alerts"]);
    let alerts: Vec<AlertRecord> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(alerts.len() > 20, "the sample raises its alerts");
    alerts
}

/// One ECS field: its type and whether it holds a list.
#[derive(Debug, Clone)]
struct Field {
    ty: String,
    array: bool,
}

/// ECS 9.4's fields (../shared/ecs/fields.tsv, or OTWIRE_ECS_FIELDS). `None` (skip) when
/// missing outside CI.
fn ecs_fields() -> Option<HashMap<String, Field>> {
    let path = std::env::var_os("OTWIRE_ECS_FIELDS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/ecs/fields.tsv").into()
        });
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is required in CI",
            path.display()
        );
        eprintln!("skipped: no ECS field list at {}", path.display());
        return None;
    };
    let mut header = text.lines().next().unwrap().split('\t');
    assert_eq!(header.nth(2), Some("field"));
    let fields: HashMap<String, Field> = text
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (
                c[2].to_string(),
                Field {
                    ty: c[3].to_string(),
                    array: c[5] == "array",
                },
            )
        })
        .collect();
    assert!(fields.len() > 300, "the field list is there");
    Some(fields)
}

/// Whether `v` is a valid value of the ECS type `ty`.
fn of_type(ty: &str, v: &Value) -> bool {
    match ty {
        "keyword" | "constant_keyword" | "wildcard" | "text" | "match_only_text" => v.is_string(),
        "long" | "integer" | "short" | "byte" | "unsigned_long" => v.is_i64() || v.is_u64(),
        "float" | "half_float" | "scaled_float" | "double" => v.is_number(),
        "boolean" => v.is_boolean(),
        "ip" => v.as_str().is_some_and(|s| s.parse::<IpAddr>().is_ok()),
        "date" => v.as_str().is_some_and(|s| s.parse::<Timestamp>().is_ok()),
        _ => false,
    }
}

/// Every leaf of an ECS document, checked against the field list: listed, of its type, a
/// list exactly where the list says array. `object` fields (`labels`) hold keyword values.
fn ecs_errors(doc: &Value, fields: &HashMap<String, Field>) -> Vec<String> {
    fn walk(path: &str, v: &Value, fields: &HashMap<String, Field>, errors: &mut Vec<String>) {
        let field = fields.get(path);
        match (v, field) {
            (Value::Object(m), Some(f)) if f.ty == "object" => {
                for (k, x) in m {
                    if k.contains('.') || !x.is_string() {
                        errors.push(format!("{path}.{k}: object values are keywords"));
                    }
                }
            }
            (Value::Object(m), None) => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&p, x, fields, errors);
                }
            }
            (_, None) => errors.push(format!("{path}: not an ECS 9.4 field")),
            (Value::Array(items), Some(f)) => {
                if !f.array {
                    errors.push(format!("{path}: a list, ECS says one {}", f.ty));
                }
                for x in items {
                    if !of_type(&f.ty, x) {
                        errors.push(format!("{path}: {x} is not a {}", f.ty));
                    }
                }
            }
            (x, Some(f)) => {
                if f.array {
                    errors.push(format!("{path}: ECS says a list of {}", f.ty));
                }
                if !of_type(&f.ty, x) {
                    errors.push(format!("{path}: {x} is not a {}", f.ty));
                }
            }
        }
    }
    let mut errors = Vec::new();
    walk("", doc, fields, &mut errors);
    errors
}

#[test]
fn ecs_documents_use_only_ecs_fields_with_their_types() {
    let Some(fields) = ecs_fields() else { return };
    let alerts = sample_alerts();
    let docs = lines(&otscan(&["--output", "ecs"]).stdout);
    assert_eq!(docs.len(), alerts.len(), "one document per alert");
    for (a, doc) in alerts.iter().zip(&docs) {
        // The alert record does not carry the IP protocol (`Alert::ip_proto` is not
        // serialized): take otscan's, which `transport_is_the_packets_ip_protocol` checks.
        let mut a = a.clone();
        a.ip_proto = doc["network"]["iana_number"]
            .as_str()
            .and_then(|n| n.parse().ok());
        assert_eq!(
            doc,
            &ecs::document(&a),
            "otscan writes the library's document"
        );
        let errors = ecs_errors(doc, &fields);
        assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
        assert_eq!(doc["@timestamp"], a.ts.to_string());
        assert_eq!(doc["event"]["kind"], "alert");
        assert_eq!(doc["event"]["module"], "otwire");
        assert_eq!(doc["event"]["category"][0], "intrusion_detection");
        assert_eq!(doc["threat"]["framework"], "MITRE ATT&CK for ICS");
        assert_eq!(doc["threat"]["technique"]["id"][0], *a.technique_id);
        assert_eq!(
            doc["threat"]["technique"]["reference"][0],
            format!("https://attack.mitre.org/techniques/{}/", a.technique_id)
        );
        // Every tactic of the catalog is in the ICS matrix: names and ids line up.
        let tactics = doc["threat"]["tactic"]["name"].as_array().unwrap();
        assert_eq!(tactics.len(), a.tactics.len());
        assert_eq!(
            doc["threat"]["tactic"]["id"].as_array().unwrap().len(),
            tactics.len()
        );
        assert_eq!(doc["source"]["ip"], a.src.ip_addr().to_string());
        assert_eq!(doc["destination"]["port"], a.dst.port);
        assert_eq!(doc["network"]["protocol"], a.proto.name());
        assert_eq!(doc["message"], a.summary);
        assert_eq!(
            doc["event"]["original"],
            a.to_json_line(),
            "the evidence, whole"
        );
        for (k, v) in &a.evidence {
            if let Some(s) = v.as_str() {
                assert_eq!(doc["labels"][k], *s);
            }
        }
    }
    // The sample's severities all appear, ordered like the alerts'.
    let sev: HashSet<u64> = docs
        .iter()
        .map(|d| d["event"]["severity"].as_u64().unwrap())
        .collect();
    assert!(sev.len() >= 3, "{sev:?}");
}

#[test]
fn ecs_check_rejects_what_ecs_does_not_define() {
    let Some(fields) = ecs_fields() else { return };
    let a = &sample_alerts()[0];
    let good = ecs::document(a);
    assert!(ecs_errors(&good, &fields).is_empty());
    for (path, value) in [
        ("/otwire", serde_json::json!({"x": 1})),
        ("/source/port", serde_json::json!("502")),
        ("/source/ip", serde_json::json!("not an ip")),
        ("/@timestamp", serde_json::json!("yesterday")),
        ("/event/category", serde_json::json!("intrusion_detection")),
        ("/event/kind", serde_json::json!(["alert"])),
        ("/labels", serde_json::json!({"n": 1})),
    ] {
        let mut bad = good.clone();
        let (parent, key) = path.rsplit_once('/').unwrap();
        bad.pointer_mut(if parent.is_empty() { "" } else { parent })
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert(key.to_string(), value);
        assert!(!ecs_errors(&bad, &fields).is_empty(), "{path} passes");
    }
}

/// A Suricata EVE alert record as EVE consumers read it.
#[derive(Debug, Deserialize)]
struct EveRecord {
    timestamp: String,
    flow_id: Option<u64>,
    pcap_cnt: Option<u64>,
    event_type: String,
    src_ip: IpAddr,
    src_port: u16,
    dest_ip: IpAddr,
    dest_port: u16,
    proto: String,
    app_proto: Option<String>,
    alert: EveAlert,
}

#[derive(Debug, Deserialize)]
struct EveAlert {
    action: String,
    gid: u32,
    signature_id: u32,
    rev: u32,
    signature: String,
    category: String,
    severity: u8,
    #[serde(default)]
    metadata: BTreeMap<String, Vec<String>>,
}

/// Suricata's timestamp, `2017-08-04T12:34:56.123456+0000`, as microseconds.
fn suricata_time(s: &str) -> Timestamp {
    let (t, zone) = s.split_at(s.len() - 5);
    assert_eq!(zone, "+0000", "{s}");
    assert_eq!(t.len(), 26, "{s}: seconds with six digits");
    format!("{t}Z").parse().unwrap()
}

#[test]
fn eve_records_read_back_as_suricata_alerts() {
    let alerts = sample_alerts();
    let out = otscan(&["--output", "eve"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let records: Vec<EveRecord> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), alerts.len(), "one record per alert");
    let mut sids: HashMap<u32, (String, String)> = HashMap::new();
    for (a, r) in alerts.iter().zip(&records) {
        assert_eq!(suricata_time(&r.timestamp), a.ts);
        assert_eq!(r.event_type, "alert");
        assert_eq!(r.flow_id, Some(a.flow));
        assert_eq!(r.pcap_cnt, Some(a.frame));
        assert_eq!((r.src_ip, r.src_port), (a.src.ip_addr(), a.src.port));
        assert_eq!((r.dest_ip, r.dest_port), (a.dst.ip_addr(), a.dst.port));
        assert!(r.proto == "TCP" || r.proto == "UDP", "{}", r.proto);
        assert_eq!(r.app_proto.as_deref(), Some(a.proto.name()));
        assert_eq!(
            (r.alert.action.as_str(), r.alert.gid, r.alert.rev),
            ("allowed", 1, 1)
        );
        assert!((1_000_000..2_000_000).contains(&r.alert.signature_id));
        assert_eq!(r.alert.severity, eve::severity(a.severity));
        assert!((1..=3).contains(&r.alert.severity));
        assert!(
            r.alert.signature.contains(&*a.technique_id),
            "{}",
            r.alert.signature
        );
        assert!(!r.alert.category.is_empty());
        assert_eq!(
            r.alert.metadata["mitre_technique_id"],
            [a.technique_id.to_string()]
        );
        assert_eq!(r.alert.metadata["mitre_tactic_name"].len(), a.tactics.len());
        // One signature id per (detector, technique), never shared.
        let key = (a.detector.to_string(), a.technique_id.to_string());
        assert_eq!(
            sids.entry(r.alert.signature_id).or_insert(key.clone()),
            &key
        );
    }
    let high = records.iter().filter(|r| r.alert.severity == 1).count();
    assert!(high > 0 && high < records.len());
}

#[test]
fn output_file_takes_the_stream_and_the_summary_stays_on_stdout() {
    let dir = std::env::temp_dir().join(format!("otscan-siem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plain = otscan(&["--output", "eve"]).stdout;
    for (mode, expected) in [
        ("eve", plain),
        ("pdus", otscan(&["--output", "pdus"]).stdout),
    ] {
        let file = dir.join(format!("{mode}.jsonl"));
        let o = otscan(&["--output", mode, "--output-file", file.to_str().unwrap()]);
        assert_eq!(
            std::fs::read(&file).unwrap(),
            expected,
            "{mode}: the same stream"
        );
        let summary = String::from_utf8_lossy(&o.stdout);
        assert!(summary.starts_with("otscan: 1 capture file"), "{summary}");
        assert!(summary.contains("Alerts by technique"), "{summary}");
    }
    // Without a JSON output there is nothing for the file: a usage error.
    let o = Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(["--output-file", dir.join("x").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn transport_and_application_protocol_follow_the_alert() {
    let Some(fields) = ecs_fields() else { return };
    let base = sample_alerts()
        .into_iter()
        .find(|a| a.proto == Protocol::Modbus)
        .unwrap();
    // (protocol, destination port) -> ECS network.transport, iana_number, network.protocol;
    // EVE proto, app_proto.
    for (proto, port, transport, iana, app, eve_proto) in [
        (
            Protocol::Modbus,
            502,
            Some("tcp"),
            Some("6"),
            Some("modbus"),
            Some("TCP"),
        ),
        (
            Protocol::Enip,
            2222,
            Some("udp"),
            Some("17"),
            Some("enip"),
            Some("UDP"),
        ),
        (
            Protocol::Enip,
            44818,
            Some("tcp"),
            Some("6"),
            Some("enip"),
            Some("TCP"),
        ),
        (
            Protocol::Udp,
            20000,
            Some("udp"),
            Some("17"),
            None,
            Some("UDP"),
        ),
        (
            Protocol::Icmp,
            0,
            Some("icmp"),
            Some("1"),
            None,
            Some("ICMP"),
        ),
        (Protocol::Arp, 0, None, None, None, None),
    ] {
        let mut a = base.clone();
        a.proto = proto;
        a.dst.port = port;
        let doc = ecs::document(&a);
        let errors = ecs_errors(&doc, &fields);
        assert!(errors.is_empty(), "{proto:?}: {errors:#?}");
        let net = &doc["network"];
        assert_eq!(net["transport"].as_str(), transport, "{proto:?}");
        assert_eq!(net["iana_number"].as_str(), iana, "{proto:?}");
        assert_eq!(net["protocol"].as_str(), app, "{proto:?}");
        let rec = serde_json::to_value(eve::eve(&a)).unwrap();
        assert_eq!(rec["proto"].as_str(), eve_proto, "{proto:?}");
        assert_eq!(rec["app_proto"].as_str(), app, "{proto:?}");
    }
}

/// The alerts of Modbus writes from a client never seen (nothing learned), over UDP and over
/// TCP (handshake, then the same write), scanned in process.
fn modbus_write_alerts(udp: bool) -> Vec<AlertRecord> {
    use otwire_examples::capture::Packet;
    use otwire_examples::detect_engine::{DetectArgs, build};
    use otwire_examples::pcapw::{Flags, Host, tcp_frame, udp_frame};
    use otwire_examples::scanner::{Collect, ScanOptions, Scanner};
    const A: Host = Host::new([192, 168, 0, 1]);
    const B: Host = Host::new([192, 168, 0, 2]);
    // MBAP: transaction 1, protocol 0, length 6, unit 1; FC 6 write register 3 := 9999.
    const WRITE: [u8; 12] = [0, 1, 0, 0, 0, 6, 1, 6, 0, 3, 0x27, 0x0f];
    let syn = Flags {
        syn: true,
        ..Flags::default()
    };
    let ack = Flags {
        ack: true,
        ..Flags::default()
    };
    let syn_ack = Flags { syn: true, ..ack };
    let psh_ack = Flags { psh: true, ..ack };
    let frames = if udp {
        vec![udp_frame(A, B, 40000, 502, &WRITE)]
    } else {
        vec![
            tcp_frame(A, B, 40000, 502, 100, 0, syn, &[]),
            tcp_frame(B, A, 502, 40000, 500, 101, syn_ack, &[]),
            tcp_frame(A, B, 40000, 502, 101, 501, ack, &[]),
            tcp_frame(A, B, 40000, 502, 101, 501, psh_ack, &WRITE),
        ]
    };
    let d = build(&DetectArgs {
        learn_seconds: Some(0.0),
        ..DetectArgs::default()
    })
    .unwrap();
    let mut s = Scanner::with_detection(ScanOptions::default(), Collect::default(), d);
    for (i, f) in frames.iter().enumerate() {
        s.packet(&Packet {
            frame: i as u64 + 1,
            ts_us: 1_700_000_000_000_000 + i as i64,
            linktype: 1,
            data: f,
        });
    }
    s.finish();
    s.report().alerts.clone()
}

/// The transport written is the one the packets used, not the protocol's usual one: Modbus
/// over UDP is `"udp"` / `"UDP"`, the same write over TCP `"tcp"` / `"TCP"`.
#[test]
fn transport_is_the_packets_ip_protocol() {
    for (udp, ip_proto, transport, eve_proto) in
        [(true, 17, "udp", "UDP"), (false, 6, "tcp", "TCP")]
    {
        let alerts = modbus_write_alerts(udp);
        assert!(
            alerts.iter().any(|a| a.proto == Protocol::Modbus),
            "the write raises alerts: {alerts:?}"
        );
        for a in alerts.iter().filter(|a| a.proto == Protocol::Modbus) {
            assert_eq!(a.ip_proto, Some(ip_proto), "{}", a.summary);
            let doc = ecs::document(a);
            assert_eq!(doc["network"]["transport"].as_str(), Some(transport));
            let rec = serde_json::to_value(eve::eve(a)).unwrap();
            assert_eq!(rec["proto"].as_str(), Some(eve_proto));
        }
    }
}
