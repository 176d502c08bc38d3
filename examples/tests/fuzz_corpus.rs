//! Replays the committed fuzz corpus (`fuzz/corpus/otscan_pipeline`) through the same body
//! the libFuzzer target runs, so plain `cargo test` on stable exercises it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    unreachable_pub,
    dead_code
)]

#[path = "../../fuzz/src/otscan.rs"]
mod bodies;

use std::path::Path;

#[test]
fn otscan_pipeline_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/otscan_pipeline");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        bodies::pipeline(&data);
        n += 1;
    }
    assert!(n >= 4, "corpus {} has {n} inputs", dir.display());
}

#[test]
fn otscan_pipeline_edge_inputs() {
    // Every mode on empty, tiny and header-only inputs.
    for mode in [0u8, 1, 2, 3, 4, 8] {
        bodies::pipeline(&[mode]);
        bodies::pipeline(&[mode, 0]);
        bodies::pipeline(&[mode, 0xff, 0xff, 0xff, 0xff]);
    }
    bodies::pipeline(&[]);
    // The whole bundled sample as a capture file.
    let mut v = vec![0u8];
    v.extend_from_slice(otwire_examples::sample::SAMPLE_PCAP);
    bodies::pipeline(&v);
}
