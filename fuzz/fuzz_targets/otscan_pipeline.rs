//! libFuzzer target: the body is `otwire_fuzz::otscan::pipeline` (replayed on stable by
//! otwire-examples' `tests/fuzz_corpus.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otwire_fuzz::otscan::pipeline(data));
