//! Replays the committed fuzz corpus (`fuzz/corpus/dnp3_*`) through the fuzz target bodies,
//! so plain `cargo test` on stable exercises them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg(feature = "alloc")]

#[allow(dead_code, unreachable_pub, clippy::unwrap_used, missing_docs)]
#[path = "../../fuzz/src/dnp3.rs"]
mod dnp3;

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_file() {
            body(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n > 0, "empty corpus {}", dir.display());
    eprintln!("{target}: {n} inputs replayed");
}

#[test]
fn dnp3_parse_corpus() {
    replay("dnp3_parse", dnp3::dnp3_parse);
}

#[test]
fn dnp3_roundtrip_corpus() {
    replay("dnp3_roundtrip", dnp3::dnp3_roundtrip);
}

#[test]
fn dnp3_stream_corpus() {
    replay("dnp3_stream", dnp3::dnp3_stream);
}
