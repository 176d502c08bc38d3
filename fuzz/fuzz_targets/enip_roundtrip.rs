//! libFuzzer target: the body is `otwire_fuzz::enip::roundtrip` (replayed on stable by otwire-enip's
//! `tests/fuzz_corpus.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otwire_fuzz::enip::roundtrip(data));
