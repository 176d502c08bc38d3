//! `otscan --report`: the HTML report of the bundled sample holds every asset on the map and
//! loads nothing from outside; strings from a hostile capture are escaped; a plant of a few
//! hundred hosts is drawn as subnet groups and stays small. (The page is rendered in a real
//! browser by `report_browser.rs`.)
#![allow(clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::process::Command;

use otwire_examples::report::map::{MAX_GROUPS, MAX_NODES};
use otwire_examples::sample_plant::{plant_hosts, write_plant};

fn otscan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(args)
        .output()
        .expect("run otscan")
}

/// The addresses `otscan --output assets` lists for the bundled sample.
fn sample_asset_ips() -> Vec<String> {
    let out = otscan(&["--output", "assets"]);
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["ip"].as_str().expect("ip").to_string()
        })
        .collect()
}

#[test]
fn sample_report_maps_every_asset_and_loads_nothing_from_outside() {
    let dir = std::env::temp_dir().join(format!("otscan-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("sample.html");
    let with = otscan(&["--report", path.to_str().expect("path")]);
    assert!(
        with.status.success(),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
    // The summary on stdout is the one without --report.
    let without = otscan(&[]);
    assert_eq!(with.stdout, without.stdout);

    let html = std::fs::read_to_string(&path).expect("report");
    let ips = sample_asset_ips();
    assert!(ips.len() >= 10, "{ips:?}");
    for ip in &ips {
        // A map node and an inventory row each.
        assert!(
            html.contains(&format!("data-ip=\"{ip}\" data-role=")),
            "{ip} not on the map"
        );
        assert!(
            html.contains(&format!("<tr data-ip=\"{ip}\">")),
            "{ip} not listed"
        );
    }
    // Labelled edges with operations: the rogue host's S7 stop is a mode change (red).
    assert!(html.contains("class=\"edge e2\""));
    assert!(html.contains("mode_change"));
    // ATT&CK table and evidence.
    for t in ["T0858", "T0855", "T0846"] {
        assert!(html.contains(&format!("id=\"t-{t}\"")), "{t} missing");
    }
    // Self-contained: no external resource; the policy forbids loading anything.
    assert!(html.contains("default-src 'none'"));
    // (SVG's namespace is a name, not a load; url(#...) points inside the page.)
    let loads = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for pat in [" src=", "<link", "@import", "http:", "https:", "//cdn"] {
        assert!(!loads.contains(pat), "{pat} in the report");
    }
    assert_eq!(html.matches("url(").count(), html.matches("url(#").count());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn strings_from_a_hostile_capture_are_escaped() {
    let (html, assets) = common::report_of(&common::hostile_capture(common::HOSTILE.as_bytes()));
    assert_eq!(assets, 2);
    // The name reached the report (table and map), escaped.
    assert!(
        html.matches("&lt;script&gt;document.body.dataset.pwned=1&lt;&#x2F;script&gt;&lt;img")
            .count()
            >= 2,
        "{html}"
    );
    assert!(!html.contains("pwned=1</script>"));
    assert!(!html.contains("<img"));
    // Only the report's own two scripts.
    assert_eq!(html.matches("<script>").count(), 2);
}

/// The report of `gen-sample --plant sites --plcs plcs`, checked to hold every host and to
/// stay under 3 MB, and its number of assets.
fn plant_report(sites: u8, plcs: u8) -> (String, usize) {
    let mut pcap = Vec::new();
    write_plant(&mut pcap, sites, plcs).expect("plant");
    let (html, assets) = common::report_of(&pcap);
    assert_eq!(assets, plant_hosts(sites, plcs));
    eprintln!("{assets} hosts: report of {} bytes", html.len());
    assert!(html.len() < 3 << 20, "{} bytes", html.len());
    (html, assets)
}

#[test]
fn a_plant_of_hundreds_of_hosts_is_drawn_as_groups_and_stays_small() {
    let sites = 12;
    let (html, assets) = plant_report(sites, 30);
    assert!(assets > MAX_NODES * 5, "{assets} hosts");
    eprintln!("{assets} hosts: report of {} bytes", html.len());
    // Grouped: no host box, at most MAX_GROUPS group boxes, holding every host.
    assert!(!html.contains("<g class=\"node"));
    let groups: Vec<usize> = html
        .match_indices("<g class=\"group ")
        .map(|(i, _)| {
            let rest = &html[i..];
            let n = rest.find("data-hosts=\"").expect("data-hosts") + 12;
            let end = rest[n..].find('"').expect("quote");
            rest[n..n + end].parse().expect("number")
        })
        .collect();
    assert!(groups.len() <= MAX_GROUPS && groups.len() >= 2 * usize::from(sites));
    assert_eq!(groups.iter().sum::<usize>(), assets);
    assert!(html.contains(&format!(
        "{assets} hosts are drawn as {} groups",
        groups.len()
    )));
    // Edges collapse: one per site (HMI to PLCs, a write among them) and one from the
    // historian to each site.
    let edges = html.matches("<g class=\"edge ").count();
    assert_eq!(edges, 2 * usize::from(sites));
    assert_eq!(
        html.matches("modbus: read, write</text>").count(),
        usize::from(sites)
    );
}

#[test]
fn ten_thousand_hosts_stay_a_few_mb_and_a_few_dozen_groups() {
    // 100 sites of 100 PLCs: 100 /24s are too many boxes; /22s (25 of them) are not.
    let (html, assets) = plant_report(100, 100);
    let groups = html.matches("<g class=\"group ").count();
    assert!(groups <= MAX_GROUPS, "{groups} groups");
    assert!(html.contains(&format!(
        "{assets} hosts are drawn as {groups} groups</b> (by /22 subnet"
    )));
    // Inventory rows are capped; the rest are counted.
    assert_eq!(
        html.matches("<tr data-ip=").count(),
        otwire_examples::report::inventory::MAX_ROWS
    );
}

#[test]
fn the_report_is_the_same_whatever_the_thread_count() {
    let dir = std::env::temp_dir().join(format!("otscan-report-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut reports = Vec::new();
    for n in ["1", "3"] {
        let path = dir.join(format!("t{n}.html"));
        let out = otscan(&["--threads", n, "--report", path.to_str().expect("path")]);
        assert!(out.status.success());
        reports.push(std::fs::read(&path).expect("report"));
    }
    assert!(reports[0].len() > 10_000);
    assert!(reports[0] == reports[1], "the reports differ");
    let _ = std::fs::remove_dir_all(&dir);
}
