//! otprobe against a DNP3 outstation no one here wrote: dnp3py (pure Python), started on
//! 127.0.0.1 with link address 10 and known static points (tests/peers/dnp3_outstation.py).
//!
//! The interpreter is `$OTWIRE_PYTHON`, else `<workspace>/.venv/bin/python`. Without it (or
//! without dnp3py) the test prints a skip message, unless `CI` is set: then it fails.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use serde_json::{Value, json};

#[test]
fn otprobe_reads_a_dnp3py_outstation() {
    let Some(py) = common::python_with("dnp3") else {
        return;
    };
    let (_peer, port) = common::start_peer(&py, "dnp3_outstation.py");
    let target = format!("127.0.0.1:{port}");
    let (code, out) = common::otprobe(&[
        "dnp3",
        &target,
        "--outstation",
        "10",
        "--master",
        "100",
        "--interval-ms",
        "5",
        "--json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    // Link Status comes back from the outstation's link address.
    assert_eq!(v["link_status"]["Ok"], 10, "{v}");
    // dnp3py implements no device attributes: it answers the g0v254 read with IIN2.1
    // (object unknown) and no objects, which otprobe reports as such.
    let attrs = &v["device_attributes"]["Ok"];
    assert_eq!(attrs["outstation"], 10);
    assert!(
        attrs["iin_names"]
            .as_array()
            .unwrap()
            .contains(&json!("OBJECT_UNKNOWN")),
        "{attrs}"
    );
    assert_eq!(attrs["attributes"], json!({}));
    // Class 0: exactly the static points the outstation was given.
    let class0 = &v["class0"]["Ok"];
    assert_eq!(class0["outstation"], 10);
    assert!(
        !class0["iin_names"]
            .as_array()
            .unwrap()
            .contains(&json!("OBJECT_UNKNOWN"))
    );
    let points: Vec<(u64, u64, String)> = class0["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["group"].as_u64().unwrap(),
                p["index"].as_u64().unwrap(),
                p["value"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let expected = [
        (1, 0, "true"),
        (1, 1, "false"),
        (30, 0, "42"),
        (30, 1, "-7"),
        (20, 0, "1234"),
    ];
    assert_eq!(points.len(), expected.len(), "{points:?}");
    for e in expected {
        assert!(
            points.contains(&(e.0, e.1, e.2.to_string())),
            "missing g{}#{}={}: {points:?}",
            e.0,
            e.1,
            e.2
        );
    }
    // Three frames: link status and two reads (no confirm asked for single fragments).
    assert_eq!(v["requests"], 3);

    // The table names the same facts.
    let (code, table) =
        common::otprobe(&["dnp3", &target, "--outstation", "10", "--interval-ms", "5"]);
    assert_eq!(code, 0);
    assert!(
        table.contains("answered from link address 10")
            && table.contains("g30v1 #0")
            && table.contains("42"),
        "{table}"
    );
}

#[test]
fn otprobe_dnp3_fails_cleanly_on_a_closed_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _) = common::otprobe(&["dnp3", &format!("127.0.0.1:{port}"), "--timeout-ms", "500"]);
    assert_eq!(code, 1);
}
