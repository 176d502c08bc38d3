//! otprobe against a Modbus server no one here wrote: pymodbus, started on 127.0.0.1 with a
//! known identity and registers (tests/peers/modbus_server.py).
//!
//! The interpreter is `$OTWIRE_PYTHON`, else `<workspace>/.venv/bin/python`. Without it (or
//! without pymodbus) the test prints a skip message, unless `CI` is set: then it fails.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn python() -> Option<PathBuf> {
    let py = std::env::var_os("OTWIRE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python"))
        });
    let ok = Command::new(&py)
        .args(["-c", "import pymodbus"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(py);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} with pymodbus is required in CI (python3 -m venv .venv && .venv/bin/pip install pymodbus)",
        py.display()
    );
    eprintln!(
        "skipped: no python with pymodbus at {} (set OTWIRE_PYTHON)",
        py.display()
    );
    None
}

/// The server process, killed on drop.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_peer(py: &PathBuf) -> (Peer, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(py)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/peers/modbus_server.py"
        ))
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the pymodbus server");
    let peer = Peer(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the pymodbus server did not start listening on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (peer, port)
}

fn otprobe(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_otprobe"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn otprobe_reports_pymodbus_identity_and_registers() {
    let Some(py) = python() else { return };
    let (_peer, port) = start_peer(&py);
    let target = format!("127.0.0.1:{port}");
    let (code, out) = otprobe(&[
        "modbus",
        &target,
        "--read-holding",
        "100:5",
        "--units",
        "1-3",
        "--interval-ms",
        "5",
        "--json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();

    // Exactly the identity the server was given, every object, nothing else.
    let objects = v["device_identification"]["objects"].as_object().unwrap();
    let expected = [
        ("VendorName", "otwire test vendor"),
        ("ProductCode", "OTW-PLC-1"),
        ("MajorMinorRevision", "4.2"),
        ("VendorUrl", "https://example.invalid/otwire"),
        ("ProductName", "otwire pymodbus peer"),
        ("ModelName", "peer-model-7"),
        ("UserApplicationName", "otprobe-test"),
    ];
    assert_eq!(objects.len(), expected.len(), "{objects:?}");
    for (k, val) in expected {
        assert_eq!(objects[k], val, "object {k}");
    }
    // FC 17: pymodbus answers with its vendor name, product code and revision.
    assert!(
        v["server_id"]["Ok"]["text"]
            .as_str()
            .unwrap()
            .starts_with("otwire test vendor-OTW-PLC-1-4.2")
    );
    // The registers, exactly.
    assert_eq!(v["holding_registers"]["Ok"]["address"], 100);
    assert_eq!(
        v["holding_registers"]["Ok"]["values"],
        serde_json::json!([1001, 1002, 1003, 1004, 1005])
    );
    // pymodbus answers Report Server ID whatever the unit id.
    let units: Vec<u64> = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit"].as_u64().unwrap())
        .collect();
    assert_eq!(units, [1, 2, 3]);

    // The table form names the same facts.
    let (code, table) = otprobe(&[
        "modbus",
        &target,
        "--read-holding",
        "102:1",
        "--interval-ms",
        "5",
    ]);
    assert_eq!(code, 0);
    assert!(
        table.contains("otwire test vendor")
            && table.contains("holding 102")
            && table.contains("1003"),
        "{table}"
    );

    // A unit without those registers answers with exception 02, reported as such.
    let (_, out) = otprobe(&[
        "modbus",
        &target,
        "--unit",
        "5",
        "--read-holding",
        "100:1",
        "--no-device-id",
        "--json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["holding_registers"]["Err"],
        serde_json::json!({"kind": "exception", "detail": 2})
    );
}

#[test]
fn otprobe_fails_cleanly_on_a_closed_port() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _) = otprobe(&[
        "modbus",
        &format!("127.0.0.1:{port}"),
        "--timeout-ms",
        "500",
    ]);
    assert_eq!(code, 1);
    let out = Command::new(env!("CARGO_BIN_EXE_otprobe"))
        .args(["modbus"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing target is a usage error"
    );
}
