//! The HTML report in a real browser (headless Chromium, Debian's `chromium`, installed by
//! .ci/run): the sample's report loads without a script error (its script marks `<body>`
//! with `data-ready`, and `window.onerror` with `data-error`), the map the browser built
//! holds a node for every asset, and a screenshot is taken; a hostile capture's strings run
//! no script. Skipped when chromium is absent, except under CI, where it fails.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium's command, or `None` (then the test is skipped, or fails under CI).
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing under CI (.ci/run installs it)"
        );
        eprintln!("skipped: chromium not installed (apt-get install chromium)");
    }
    found
}

/// Runs headless Chromium on `page` with `args`; returns its standard output. A profile of
/// its own in `dir`, no network services, bounded by `timeout` (a hung browser fails the
/// test rather than hanging it).
fn run(browser: &str, dir: &Path, page: &Path, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("otscan-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn sample_report_loads_in_chromium_and_maps_every_asset() {
    let Some(browser) = chromium() else { return };
    let dir = temp_dir("browser");
    let page = dir.join("sample.html");
    let out = Command::new(env!("CARGO_BIN_EXE_otscan"))
        .arg("--report")
        .arg(&page)
        .output()
        .expect("run otscan");
    assert!(out.status.success());
    let assets = Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(["--output", "assets"])
        .output()
        .expect("run otscan");
    let ips: Vec<String> = String::from_utf8_lossy(&assets.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["ip"].as_str().expect("ip").to_string()
        })
        .collect();
    assert!(ips.len() >= 10);

    let dom = run(browser, &dir, &page, &["--dump-dom"]);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the script did not finish"
    );
    assert!(!dom.contains("data-error="), "a script error");
    for ip in &ips {
        assert!(
            dom.contains(&format!("data-ip=\"{ip}\" data-role=")),
            "{ip} is not a node of the map the browser built"
        );
    }

    let shot = dir.join("report.png");
    run(
        browser,
        &dir,
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,2000",
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000);
    // Where the README's picture comes from: OTWIRE_REPORT_SCREENSHOT=docs/report.png.
    if let Some(to) = std::env::var_os("OTWIRE_REPORT_SCREENSHOT") {
        std::fs::copy(&shot, to).expect("copy the screenshot");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_hostile_capture_runs_no_script_in_the_report() {
    let Some(browser) = chromium() else { return };
    let dir = temp_dir("hostile");
    let page = dir.join("hostile.html");
    let (html, _) = common::report_of(&common::hostile_capture(common::HOSTILE.as_bytes()));
    std::fs::write(&page, html).expect("write");
    let dom = run(browser, &dir, &page, &["--dump-dom"]);
    assert!(dom.contains("data-ready=\"1\""));
    assert!(!dom.contains("data-error="));
    // The device's markup is text on the page, never run.
    assert!(!dom.contains("data-pwned"), "the capture's script ran");
    assert!(dom.contains("&lt;script&gt;document.body.dataset.pwned=1"));
    let _ = std::fs::remove_dir_all(&dir);
}
