//! Replays the committed fuzz corpora (`fuzz/corpus/enip_*/`) through the very bodies the
//! libFuzzer targets run (`fuzz/src/enip.rs`), so that plain `cargo test` on stable checks
//! every seed and every regression input.
#![cfg(feature = "std")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

#[path = "../../fuzz/src/enip.rs"]
#[allow(dead_code, unreachable_pub)]
mod bodies;

use std::path::PathBuf;

/// Every file of `fuzz/corpus/<target>/`, sorted; the corpus must not be empty.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "{target}: only {} corpus files",
        files.len()
    );
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("corpus file");
            (p, bytes)
        })
        .collect()
}

fn replay(target: &str, body: fn(&[u8])) {
    let files = corpus(target);
    for (path, bytes) in &files {
        // Name the input if the body panics.
        let r = std::panic::catch_unwind(|| body(bytes));
        assert!(r.is_ok(), "{target}: {} fails", path.display());
    }
    println!("{target}: {} inputs replayed", files.len());
}

#[test]
fn enip_parse_corpus() {
    replay("enip_parse", bodies::parse);
}

#[test]
fn enip_roundtrip_corpus() {
    replay("enip_roundtrip", bodies::roundtrip);
}

#[test]
fn enip_stream_corpus() {
    replay("enip_stream", bodies::stream);
}
