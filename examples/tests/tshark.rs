//! `otscan --output pdus` against tshark on every Modbus capture of `$OTWIRE_CAPTURES`
//! (MANIFEST.tsv rows `modbus` and `mixed`).
//!
//! For every Modbus PDU tshark decodes and does not call malformed, otscan must print a
//! record in the same direction (src -> dst), in the same order, with the same transaction
//! id, unit and function; where tshark's frame holds one PDU, also the same exception code,
//! address (`modbus.reference_num`, or `read_reference_num` for FC 23) and quantity
//! (`word_cnt` / `read_word_cnt` / `bit_cnt`). For a frame tshark calls malformed, otscan's
//! matching record (if any) must carry an anomaly. Frame numbers are not compared: tshark
//! does not wait for out-of-order segments (its default), otscan does, so a PDU after a hole
//! may be completed by a later frame.
//!
//! Skipped with a message when `OTWIRE_CAPTURES` is unset; fails when it names a missing
//! folder. Skipped when tshark is missing, unless `CI` is set (then it fails).

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const FIELDS: &[&str] = &[
    "frame.number",
    "ip.src",
    "ipv6.src",
    "tcp.srcport",
    "udp.srcport",
    "ip.dst",
    "ipv6.dst",
    "tcp.dstport",
    "udp.dstport",
    "mbtcp.trans_id",
    "mbtcp.unit_id",
    "modbus.func_code",
    "modbus.exception_code",
    "modbus.reference_num",
    "modbus.read_reference_num",
    "modbus.word_cnt",
    "modbus.read_word_cnt",
    "modbus.bit_cnt",
    "_ws.malformed",
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Fields {
    exception: Option<u64>,
    address: Option<u64>,
    quantity: Option<u64>,
}

#[derive(Debug, Clone)]
struct TsharkPdu {
    frame: u64,
    tid: u64,
    unit: Option<u64>,
    func: Option<u64>,
    malformed: bool,
    /// Present when the frame holds this PDU alone.
    fields: Option<Fields>,
}

fn captures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("OTWIRE_CAPTURES")?;
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "OTWIRE_CAPTURES={} is not a folder",
        dir.display()
    );
    Some(dir)
}

fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn modbus_captures(dir: &Path) -> Vec<PathBuf> {
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let proto = cols.next()?;
            let file = cols.next()?;
            let seen = cols.nth(2)?;
            (proto == "mixed" || (proto == "modbus" && seen.contains("mbtcp")))
                .then(|| dir.join(file))
        })
        .collect()
}

fn ints(s: &str) -> Vec<u64> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| x.parse().unwrap())
        .collect()
}

fn first(s: &str) -> &str {
    s.split(',').next().unwrap_or("")
}

fn tshark(path: &Path) -> HashMap<String, Vec<TsharkPdu>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(path)
        .args(["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut seqs: HashMap<String, Vec<TsharkPdu>> = HashMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let get = |name: &str| {
            let i = FIELDS.iter().position(|f| *f == name).unwrap();
            cols.get(i).copied().unwrap_or("")
        };
        let tids = ints(get("mbtcp.trans_id"));
        if tids.is_empty() {
            continue;
        }
        let or = |a: &'static str, b: &'static str| if get(a).is_empty() { get(b) } else { get(a) };
        let src = first(or("ip.src", "ipv6.src")).to_string();
        let dst = first(or("ip.dst", "ipv6.dst")).to_string();
        let sp = first(or("tcp.srcport", "udp.srcport")).to_string();
        let dp = first(or("tcp.dstport", "udp.dstport")).to_string();
        let v6 = src.contains(':');
        let key = if v6 {
            format!("[{src}]:{sp}>[{dst}]:{dp}")
        } else {
            format!("{src}:{sp}>{dst}:{dp}")
        };
        let units = ints(get("mbtcp.unit_id"));
        let funcs = ints(get("modbus.func_code"));
        let malformed = !get("_ws.malformed").is_empty();
        let frame: u64 = get("frame.number").parse().unwrap();
        let n = tids.len();
        for (i, tid) in tids.into_iter().enumerate() {
            let fields = (n == 1).then(|| {
                let pick = |names: &[&'static str]| {
                    names
                        .iter()
                        .map(|f| ints(get(f)))
                        .find(|v| !v.is_empty())
                        .and_then(|v| v.first().copied())
                };
                Fields {
                    exception: pick(&["modbus.exception_code"]),
                    address: pick(&["modbus.reference_num", "modbus.read_reference_num"]),
                    quantity: pick(&["modbus.word_cnt", "modbus.read_word_cnt", "modbus.bit_cnt"]),
                }
            });
            seqs.entry(key.clone()).or_default().push(TsharkPdu {
                frame,
                tid,
                unit: units.get(i).copied(),
                func: funcs.get(i).copied(),
                malformed: malformed && i + 1 == n,
                fields,
            });
        }
    }
    seqs
}

fn otscan(path: &Path) -> HashMap<String, Vec<Value>> {
    let out = Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(["--output", "pdus", "--no-progress"])
        .arg(path)
        .output()
        .expect("run otscan");
    assert!(
        out.status.success(),
        "otscan failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seqs: HashMap<String, Vec<Value>> = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).expect("JSON line");
        let key = format!(
            "{}>{}",
            v["src"].as_str().unwrap(),
            v["dst"].as_str().unwrap()
        );
        seqs.entry(key).or_default().push(v);
    }
    seqs
}

fn opt(v: &Value) -> Option<u64> {
    v.as_u64()
}

#[test]
fn otscan_pdus_agree_with_tshark() {
    let Some(dir) = captures_dir() else {
        eprintln!("skipped: OTWIRE_CAPTURES is not set");
        return;
    };
    if !tshark_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tshark is required in CI (apt-get install tshark)"
        );
        eprintln!("skipped: tshark is not installed");
        return;
    }
    let files = modbus_captures(&dir);
    assert!(
        files.len() >= 10,
        "expected the Modbus captures of MANIFEST.tsv, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let (mut compared, mut malformed_flagged, mut with_fields) = (0u64, 0u64, 0u64);
    for file in &files {
        let theirs = tshark(file);
        let ours = otscan(file);
        for (key, pdus) in &theirs {
            let empty = Vec::new();
            let mine = ours.get(key).unwrap_or(&empty);
            let mut j = 0;
            for t in pdus {
                let found = (j..mine.len()).find(|&k| {
                    let r = &mine[k];
                    opt(&r["tid"]) == Some(t.tid)
                        && opt(&r["unit"]) == t.unit
                        && (t.func.is_none() || opt(&r["func"]) == t.func)
                });
                let Some(k) = found else {
                    if !t.malformed {
                        failures.push(format!(
                            "{}: {key} frame {}: no record for {t:?}",
                            file.display(),
                            t.frame
                        ));
                    }
                    continue;
                };
                j = k + 1;
                let r = &mine[k];
                compared += 1;
                if t.malformed {
                    malformed_flagged += 1;
                    if r["anomalies"].as_array().is_none_or(|a| a.is_empty()) {
                        failures.push(format!(
                            "{}: frame {}: tshark says malformed, record has no anomaly: {r}",
                            file.display(),
                            t.frame
                        ));
                    }
                    continue;
                }
                if let Some(f) = &t.fields {
                    with_fields += 1;
                    let got = Fields {
                        exception: opt(&r["exception"]),
                        address: opt(&r["address"]),
                        quantity: opt(&r["quantity"]),
                    };
                    if &got != f {
                        failures.push(format!(
                            "{}: frame {}: tshark {f:?}, otscan {got:?}: {r}",
                            file.display(),
                            t.frame
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "{} captures: {compared} PDUs matched ({with_fields} with exception/address/quantity compared, {malformed_flagged} malformed flagged)",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(compared > 20_000, "too few PDUs compared: {compared}");
}
