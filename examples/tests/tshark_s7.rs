//! `otscan --output pdus` against tshark on every capture of `$OTWIRE_CAPTURES/s7comm`,
//! capture record by capture record: for every record tshark dissects as S7comm, the
//! ROSCTR and PDU reference of every PDU in it, the job functions and the userdata
//! function groups and subfunctions must be what otscan's records of that capture record
//! say (S7comm-plus has no tshark dissector: its records are checked to decode). Records
//! tshark marks as TCP retransmissions are skipped (otscan's reassembly drops them).
//!
//! Skipped with a message when `OTWIRE_CAPTURES` is unset; skipped when tshark is missing,
//! unless `CI` is set (then it fails).

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// otscan's S7 records, by capture record number.
fn otscan(path: &Path) -> BTreeMap<u64, Vec<Value>> {
    let by_frame = common::otscan_pdus(path, |v| {
        v["proto"] == "s7comm" || v["proto"] == "s7comm-plus"
    });
    for v in by_frame.values().flatten() {
        // DESIGN.md §4: a record holding an S7comm-plus PDU is named apart.
        assert_eq!(
            v["proto"] == "s7comm-plus",
            v["version"].is_u64(),
            "record name and S7comm-plus fields disagree: {v}"
        );
    }
    by_frame
}

/// A tshark number (decimal or 0x-hex).
fn num(s: &str) -> u64 {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap(),
    }
}

const FIELDS: &[&str] = &[
    "s7comm.header.rosctr",
    "s7comm.header.pduref",
    "s7comm.param.func",
    "s7comm.param.userdata.funcgroup",
    "s7comm.param.userdata.subfunc",
];

/// One S7comm record of tshark's.
type Row = (u64, bool, bool, Vec<Vec<u64>>);

/// Per S7comm record: whether it is a retransmission, whether it is next to a segment the
/// capture lost, and each field's values (sorted).
fn tshark(path: &Path) -> Vec<Row> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path).args([
        "-Y",
        "s7comm",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
        "-e",
        "frame.number",
        "-e",
        "tcp.analysis.retransmission",
        "-e",
        "tcp.analysis.lost_segment",
        "-e",
        "tcp.analysis.ack_lost_segment",
    ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let list = |i: usize| -> Vec<u64> {
                let mut v: Vec<u64> = cols
                    .get(i)
                    .copied()
                    .unwrap_or("")
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(num)
                    .collect();
                v.sort_unstable();
                v
            };
            let flag = |i: usize| !cols.get(i).copied().unwrap_or("").is_empty();
            (
                cols[0].parse().unwrap(),
                flag(1),
                flag(2) || flag(3),
                (4..4 + FIELDS.len()).map(list).collect(),
            )
        })
        .collect()
}

/// The same fields from otscan's records of one capture record.
fn ours(records: Option<&Vec<Value>>) -> Vec<Vec<u64>> {
    let keys = ["rosctr", "pdu_ref", "func", "ud_group", "ud_subfunc"];
    keys.iter()
        .map(|k| {
            let mut v: Vec<u64> = records
                .into_iter()
                .flatten()
                // tshark names no subfunction for mode transitions (group 0): the new
                // mode is in a field of its own.
                .filter(|r| *k != "ud_subfunc" || r["ud_group"] != 0)
                .filter_map(|r| r[*k].as_u64())
                .collect();
            v.sort_unstable();
            v
        })
        .collect()
}

/// The values of sorted `a` not matched in sorted `b` (multiset difference).
fn minus(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut rest = b.to_vec();
    a.iter()
        .filter(|x| match rest.iter().position(|y| y == *x) {
            Some(i) => {
                rest.swap_remove(i);
                false
            }
            None => true,
        })
        .copied()
        .collect()
}

#[test]
fn s7comm_records_agree_with_tshark() {
    let Some(dir) = common::captures_dir() else {
        eprintln!("skipped: OTWIRE_CAPTURES is not set");
        return;
    };
    if !common::tshark_available() {
        return;
    }
    let (mut compared, mut pooled, mut plus_records) = (0u64, 0u64, 0u64);
    let mut failures = Vec::new();
    for path in common::capture_files(&dir.join("s7comm")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let ours_by_frame = otscan(&path);
        let rows = tshark(&path);
        // Where the capture lost a segment, otscan's TCP reassembly hands the bytes after
        // the hole out only once the other side has acknowledged past it: those PDUs are
        // compared for the whole file, not record by record.
        let lossy = rows.iter().any(|r| r.2);
        let mut theirs_all = vec![Vec::new(); FIELDS.len()];
        for (frame, retransmission, _, theirs) in rows {
            if retransmission {
                continue;
            }
            compared += 1;
            if lossy {
                pooled += 1;
                for (all, v) in theirs_all.iter_mut().zip(theirs) {
                    all.extend(v);
                }
                continue;
            }
            let mine = ours(ours_by_frame.get(&frame));
            if mine != theirs {
                failures.push(format!(
                    "{name} frame {frame}: tshark {theirs:?}, otscan {mine:?}"
                ));
            }
        }
        if lossy {
            let all: Vec<Value> = ours_by_frame.values().flatten().cloned().collect();
            let mine = ours(Some(&all));
            for v in &mut theirs_all {
                v.sort_unstable();
            }
            for (i, (m, t)) in mine.iter().zip(&theirs_all).enumerate() {
                if m != t {
                    failures.push(format!(
                        "{name} (whole file) {}: only tshark {:?}, only otscan {:?}",
                        FIELDS[i],
                        minus(t, m),
                        minus(m, t)
                    ));
                }
            }
        }
        for r in ours_by_frame.values().flatten() {
            if r["version"].is_u64() {
                plus_records += 1;
                let a = r["anomalies"].as_array().unwrap();
                assert!(a.is_empty(), "{name}: {r}");
            }
        }
    }
    eprintln!("{pooled} of them in captures with lost segments, compared per file");
    eprintln!("{compared} S7comm records compared, {plus_records} S7comm-plus records decoded");
    assert!(compared > 10_000, "too few records compared: {compared}");
    assert!(
        plus_records > 500,
        "too few S7comm-plus records: {plus_records}"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
}
