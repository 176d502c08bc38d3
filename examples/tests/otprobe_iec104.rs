//! otprobe against an IEC 60870-5-104 controlled station no one here wrote: c104 (Python
//! bindings of lib60870-C), started on 127.0.0.1 with common address 47 and known points
//! (tests/peers/iec104_server.py).
//!
//! The interpreter is `$OTWIRE_PYTHON`, else `<workspace>/.venv/bin/python`. Without it (or
//! without c104) the test prints a skip message, unless `CI` is set: then it fails.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use serde_json::{Value, json};

#[test]
fn otprobe_interrogates_a_c104_station() {
    let Some(py) = common::python_with("c104") else {
        return;
    };
    let (_peer, port) = common::start_peer(&py, "iec104_server.py");
    let target = format!("127.0.0.1:{port}");
    for ca in ["65535", "47"] {
        let (code, out) = common::otprobe(&[
            "iec104",
            &target,
            "--ca",
            ca,
            "--interval-ms",
            "5",
            "--json",
        ]);
        assert_eq!(code, 0, "{out}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["startdt_confirmed"], true, "{v}");
        assert_eq!(v["interrogation_confirmed"], true, "{v}");
        assert_eq!(v["interrogation_terminated"], true, "{v}");
        assert_eq!(v["stopdt_confirmed"], true, "{v}");
        let stations = v["stations"].as_object().unwrap();
        assert_eq!(stations.keys().collect::<Vec<_>>(), ["47"], "{v}");
        let points: Vec<(u64, &str, &str, bool)> = stations["47"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["ioa"].as_u64().unwrap(),
                    p["type_name"].as_str().unwrap(),
                    p["value"].as_str().unwrap(),
                    p["good"].as_bool().unwrap(),
                )
            })
            .collect();
        // Exactly the monitored points the station was given; the integrated total at
        // IOA 300 answers counter interrogation (C_CI_NA_1), not station interrogation
        // (IEC 60870-5-101 §7.4.5 vs §7.4.6), so it is absent.
        assert_eq!(
            points,
            [
                (100, "M_SP_NA_1", "true", true),
                (101, "M_DP_NA_1", "ON", true),
                (200, "M_ME_NC_1", "21.5", true),
                (201, "M_ME_NB_1", "-123", true),
            ]
        );
        // STARTDT, the interrogation, one S frame, STOPDT.
        assert_eq!(v["requests"], json!(4), "{v}");
    }
    // The table names the same facts.
    let (code, table) = common::otprobe(&["iec104", &target, "--interval-ms", "5"]);
    assert_eq!(code, 0);
    assert!(
        table.contains("station 47")
            && table.contains("47/200 M_ME_NC_1")
            && table.contains("21.5"),
        "{table}"
    );
}

#[test]
fn otprobe_iec104_fails_cleanly_on_a_closed_port() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _) = common::otprobe(&[
        "iec104",
        &format!("127.0.0.1:{port}"),
        "--timeout-ms",
        "500",
    ]);
    assert_eq!(code, 1);
}
