//! The output does not depend on the number of threads (DESIGN.md §4): the records, the
//! alerts and the asset inventory of every public capture, and of the bundled sample, are
//! byte for byte the same with 1, 2 and 4 threads (one thread handing packets to the scanner,
//! more reading on a thread of their own).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use otwire_examples::detect_engine::{DetectArgs, build};
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};

/// Records, alerts and assets as JSON lines.
fn scan(bytes: &[u8], threads: usize) -> String {
    let d = build(&DetectArgs {
        learn_seconds: Some(5.0),
        ..DetectArgs::default()
    })
    .unwrap();
    let options = ScanOptions {
        threads,
        ..ScanOptions::default()
    };
    let mut s = Scanner::with_detection(options, Collect::default(), d);
    // As otscan reads: with more than one thread, on a reader thread of its own.
    common::feed(&mut s, bytes);
    let mut out = String::new();
    for p in &s.report().pdus {
        out += &serde_json::to_string(p).unwrap();
        out.push('\n');
    }
    for a in &s.report().alerts {
        out += &a.to_json_line();
        out.push('\n');
    }
    for a in s.assets().records() {
        out += &serde_json::to_string(&a).unwrap();
        out.push('\n');
    }
    out
}

fn same_for_every_thread_count(name: &str, bytes: &[u8]) {
    let one = scan(bytes, 1);
    for threads in [2, 4] {
        let many = scan(bytes, threads);
        if many != one {
            let line = one
                .lines()
                .zip(many.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{name}: {threads} threads differ from 1 at line {line}:\n{}\n{}",
                one.lines().nth(line).unwrap_or(""),
                many.lines().nth(line).unwrap_or("")
            );
        }
    }
}

#[test]
fn the_sample_is_the_same_on_any_number_of_threads() {
    same_for_every_thread_count("sample", otwire_examples::sample::SAMPLE_PCAP);
}

#[test]
fn every_capture_is_the_same_on_any_number_of_threads() {
    let Some(dir) = common::captures_dir() else {
        eprintln!("skipped: OTWIRE_CAPTURES is not set");
        return;
    };
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    assert!(files.len() >= 100, "{}", files.len());
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        same_for_every_thread_count(&f.display().to_string(), &bytes);
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p
            .extension()
            .is_some_and(|x| x == "pcap" || x == "pcapng" || x == "cap")
        {
            out.push(p);
        }
    }
    out
}
