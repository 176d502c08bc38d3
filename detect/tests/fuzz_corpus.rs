//! Replays `fuzz/corpus/detect_events/*` through the fuzz body on stable (the body lives in
//! `fuzz/src/detect.rs`, shared with the cargo-fuzz target).

#![cfg(all(
    feature = "modbus",
    feature = "dnp3",
    feature = "iec104",
    feature = "s7",
    feature = "enip"
))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    unreachable_pub,
    dead_code
)]

#[path = "../../fuzz/src/detect.rs"]
mod detect_fuzz;

#[test]
fn replay_detect_events_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/detect_events");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            detect_fuzz::detect_events(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n >= 5, "corpus {} has {n} inputs", dir.display());
}

#[test]
fn short_and_empty_inputs() {
    for len in 0..64usize {
        let data: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
        detect_fuzz::detect_events(&data);
    }
}
