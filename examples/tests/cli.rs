//! otscan's command line: the newcomer run, outputs, stdin, baselines, exit statuses.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn otscan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sample_path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample.pcap").to_string()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("otscan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The technique ids of the alerts raised at or after `from` (RFC 3339; "" for all).
fn techniques_from(jsonl: &str, from: &str) -> Vec<String> {
    let mut v: Vec<String> = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|a| a["ts"].as_str().unwrap() >= from)
        .map(|a| a["technique_id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn newcomer_run_shows_assets_and_alerts() {
    let o = otscan(&[]);
    assert_eq!(o.status.code(), Some(0));
    let s = stdout(&o);
    assert!(s.contains("Assets (13)"), "{s}");
    assert!(
        s.contains("dnp3 link frames")
            && s.contains("iec104 APDUs")
            && s.contains("s7comm TPKTs")
            && s.contains("enip PDUs 281"),
        "{s}"
    );
    assert!(
        s.contains("enip 1756-L73/B LOGIX5573 rev 32.011 serial 0x00c0ffee 1 connection"),
        "{s}"
    );
    assert!(s.contains("Schneider Electric"), "{s}");
    assert!(
        s.contains("s7 6ES7 315-2EH14-0AB0 V3.2.6 rack/slot 0/2"),
        "{s}"
    );
    assert!(
        s.contains("T0858") && s.contains("Change Operating Mode"),
        "{s}"
    );
    assert!(s.contains("Top alerts"), "{s}");
}

#[test]
fn stdin_and_file_give_the_same_records() {
    let from_file = stdout(&otscan(&["-o", "pdus", &sample_path()]));
    let mut child = Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(["-o", "pdus", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(otwire_examples::sample::SAMPLE_PCAP)
        .unwrap();
    let from_stdin = stdout(&child.wait_with_output().unwrap());
    assert_eq!(from_file.lines().count(), 971 + 64 + 93 + 136 + 281);
    assert_eq!(from_file, from_stdin);
}

#[test]
fn baseline_round_trip_gives_the_same_alerts() {
    let b = tmp("baseline.json");
    let b = b.to_str().unwrap();
    let first = otscan(&[
        "-o",
        "alerts",
        "--learn",
        "15",
        "--baseline-out",
        b,
        &sample_path(),
    ]);
    assert_eq!(first.status.code(), Some(0));
    // The same capture against the saved baseline: detection from the first packet, and the
    // baseline is the one learned in the first 15 s, so the attacks alert again. (Replaying
    // the first 15 s against a baseline that holds the same IEC 104 connection's sequence
    // numbers 15 s on is itself a replay: it alerts too, so only what follows is compared.)
    let second = otscan(&["-o", "alerts", "--baseline-in", b, &sample_path()]);
    assert_eq!(second.status.code(), Some(0));
    let after = "2026-01-15T08:00:15";
    let (a, b2) = (
        techniques_from(&stdout(&first), after),
        techniques_from(&stdout(&second), after),
    );
    assert!(a.contains(&"T0858".to_string()));
    assert!(a.contains(&"T0804".to_string()) && a.contains(&"T0816".to_string()));
    assert_eq!(a, b2);
}

#[test]
fn exit_statuses() {
    // --fail-on: 1 when an alert at or above the severity fired.
    assert_eq!(otscan(&["--fail-on", "critical"]).status.code(), Some(1));
    assert_eq!(
        otscan(&["--fail-on", "high", "--learn", "3600"])
            .status
            .code(),
        Some(1)
    );
    // Not a capture, a missing file, a bad option: 2.
    let junk = tmp("junk.pcap");
    std::fs::write(&junk, b"this is not a capture file").unwrap();
    assert_eq!(otscan(&[junk.to_str().unwrap()]).status.code(), Some(2));
    assert_eq!(otscan(&["/nonexistent/file.pcap"]).status.code(), Some(2));
    assert_eq!(otscan(&["--output", "yaml"]).status.code(), Some(2));
    // A capture cut short: scanned up to the cut, a warning, status 0.
    let cut = tmp("cut.pcap");
    std::fs::write(&cut, &otwire_examples::sample::SAMPLE_PCAP[..50_000]).unwrap();
    let o = otscan(&[cut.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cut short"));
    assert!(stdout(&o).contains("warning"));
}

#[test]
fn assets_output_is_one_json_record_per_address() {
    let s = stdout(&otscan(&["-o", "assets"]));
    let recs: Vec<serde_json::Value> = s
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 13);
    let plc1 = recs.iter().find(|r| r["ip"] == "10.10.1.21").unwrap();
    assert_eq!(plc1["role"], "server");
    assert_eq!(plc1["identity"]["1"]["ProductName"], "Modicon M340");
    let plc_s7 = recs.iter().find(|r| r["ip"] == "10.10.1.25").unwrap();
    assert_eq!(plc_s7["protocols"], serde_json::json!(["s7comm"]));
    assert_eq!(plc_s7["s7_identity"]["module_name"], "PLC_BOILER_2");
    assert_eq!(plc_s7["s7_pdu_size"], 240);
    let clx = recs.iter().find(|r| r["ip"] == "10.10.1.26").unwrap();
    assert_eq!(clx["enip_product_name"], "1756-L73/B LOGIX5573");
    assert_eq!(clx["enip_vendor"], 1);
    let meter = recs.iter().find(|r| r["ip"] == "10.10.1.24").unwrap();
    assert_eq!(meter["server_ports"], serde_json::json!([5020]));
}
