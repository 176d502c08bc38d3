//! Replays the committed fuzz corpora (`fuzz/corpus/iec104_*`) through the same bodies the
//! libFuzzer targets run, so plain `cargo test` on stable exercises them.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    unreachable_pub,
    dead_code
)]

#[path = "../../fuzz/src/iec104.rs"]
mod bodies;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        body(&data);
        n += 1;
    }
    assert!(n > 0, "empty corpus {}", dir.display());
    n
}

#[test]
fn iec104_parse_corpus() {
    replay("iec104_parse", bodies::parse);
}

#[test]
fn iec104_roundtrip_corpus() {
    replay("iec104_roundtrip", bodies::roundtrip);
}

#[test]
fn iec104_stream_corpus() {
    replay("iec104_stream", bodies::stream);
}
