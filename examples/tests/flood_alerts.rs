//! Alerts a person can act on (issue 13 point 4): a flood of 20,000 flows from distinct
//! sources sending random bytes to port 502 (`gen-sample --flood`'s capture, smaller) was
//! one alert per malformed PDU, two techniques each: 40,000 lines. Aggregated by
//! (detector, technique, reason, target) it is a handful: each kind's first occurrence at
//! once, the rest in one aggregate per kind at the end of the scan, whose counts add up to
//! what fired, listing sources and the port with first and last seen.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use otwire_detect::Alert;

const FLOWS: u32 = 20_000;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("flood_alerts")
}

/// otscan's alerts on `capture`, with `config` (TOML) if given.
fn alerts(capture: &Path, config: Option<&str>) -> Vec<Alert> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_otscan"));
    cmd.args(["--no-progress", "-o", "alerts"]);
    if let Some(text) = config {
        let path = dir().join("config.toml");
        std::fs::write(&path, text).unwrap();
        cmd.arg("--config").arg(path);
    }
    let out = cmd.arg(capture).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn flood_of_distinct_sources_is_a_handful_of_alerts() {
    std::fs::create_dir_all(dir()).unwrap();
    let capture = dir().join("flood-20k.pcap");
    let file = std::fs::File::create(&capture).unwrap();
    otwire_examples::flood::write_flood(std::io::BufWriter::new(file), FLOWS, 502, 7).unwrap();

    // Without aggregation (a window of 0 s): every finding is an alert of its own.
    let each = alerts(&capture, Some("suppress_secs = 0\n"));
    assert!(each.len() > 2 * FLOWS as usize * 9 / 10, "{}", each.len());
    assert!(each.iter().all(|a| a.count == 1 && !a.aggregate));

    let got = alerts(&capture, None);
    assert!(got.len() <= 8, "{got:#?}");
    // Each kind (detector, technique, reason) alerts once at once, then once aggregated.
    let kinds = |v: &[Alert]| {
        let mut k: Vec<_> = v
            .iter()
            .map(|a| {
                (
                    a.detector.to_string(),
                    a.technique_id.to_string(),
                    a.evidence["reason"].to_string(),
                )
            })
            .collect();
        k.sort();
        k.dedup();
        k
    };
    assert_eq!(kinds(&got), kinds(&each));
    for k in kinds(&got) {
        let of: Vec<_> = got
            .iter()
            .filter(|a| kinds(std::slice::from_ref(*a))[0] == k)
            .collect();
        let fired = each
            .iter()
            .filter(|a| kinds(std::slice::from_ref(*a))[0] == k)
            .count();
        assert_eq!(
            of.iter().map(|a| a.count).sum::<u64>(),
            fired as u64,
            "{k:?}"
        );
        assert!(
            !of[0].aggregate,
            "{k:?}: the first occurrence comes at once"
        );
        if fired > 1 {
            let agg = of.iter().find(|a| a.aggregate).unwrap();
            assert_eq!(agg.ports, vec![502]);
            assert_eq!(agg.dst.to_string(), "10.0.0.2:502");
            assert_eq!(agg.sources.len(), 16);
            let sources = agg.sources.len() as u64 + agg.sources_others;
            // One source a flow; the sources past the list are estimated (±6.5 %).
            assert!(
                sources.abs_diff(agg.count) <= agg.count / 5 + 2,
                "{sources} for {}",
                agg.count
            );
            assert!(agg.first_seen < agg.last_seen);
        }
    }
    let _ = std::fs::remove_dir_all(dir());
}
