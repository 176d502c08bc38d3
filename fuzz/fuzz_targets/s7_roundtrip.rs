//! libFuzzer target: the body is `otwire_fuzz::s7::roundtrip` (replayed on stable by otwire-s7's
//! `tests/fuzz_corpus.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otwire_fuzz::s7::roundtrip(data));
