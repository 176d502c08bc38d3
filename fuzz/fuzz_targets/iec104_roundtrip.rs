//! libFuzzer target: the body is `otwire_fuzz::iec104::roundtrip` (replayed on stable by
//! otwire-iec104's `tests/fuzz_corpus.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otwire_fuzz::iec104::roundtrip(data));
