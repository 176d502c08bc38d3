//! Memory under hostile input (issue 10): 600,000 distinct TCP flows to port 502, each a
//! SYN and a segment of random bytes (117 MB), keep otscan under 128 MB of peak RSS at its
//! default settings, with detection and without. Before the flow table stored its flows
//! boxed and was kept from doubling under churn, this capture took otscan to 265 MB.
//!
//! Release builds only (a debug build takes minutes over 1.2 million packets): `.ci/run`
//! runs `cargo test --release -p otwire-examples --test memory`. Peak RSS is read with
//! `/usr/bin/time -f %M` (Debian's `time` package, which `.ci/run` installs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The limit the issue sets, in KiB.
const LIMIT_KB: u64 = 128 * 1024;

/// The flood capture, written once per test run.
fn flood() -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("flood-600k.pcap");
    let file = std::fs::File::create(&path).unwrap();
    let bytes = otwire_examples::flood::write_flood(
        std::io::BufWriter::with_capacity(1 << 20, file),
        600_000,
        502,
        7,
    )
    .unwrap();
    assert!(bytes > 100_000_000, "{bytes} bytes");
    path
}

/// Runs otscan with `args` on `capture`; its peak RSS in KiB and its summary.
fn peak_rss(capture: &Path, args: &[&str]) -> (u64, String) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_otscan"))
        .arg("--no-progress")
        .args(args)
        .arg(capture)
        .output()
        .expect("/usr/bin/time (Debian's `time` package) runs otscan");
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {stderr:?}"));
    (kb, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
#[cfg_attr(debug_assertions, ignore = "release builds only: 1.2 million packets")]
fn six_hundred_thousand_flows_to_502_stay_under_128_mb() {
    let capture = flood();
    for args in [&[][..], &["--no-detect"]] {
        let (kb, summary) = peak_rss(&capture, args);
        // The table was full and churning: most flows were evicted, not kept.
        assert!(summary.contains("flows 600000 "), "{summary}");
        assert!(summary.contains("evicted (table full)"), "{summary}");
        assert!(
            kb < LIMIT_KB,
            "otscan {args:?}: peak RSS {} MB, limit {} MB",
            kb / 1024,
            LIMIT_KB / 1024
        );
    }
    let _ = std::fs::remove_file(capture);
}
