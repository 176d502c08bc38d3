//! libFuzzer target: the body is `otwire_fuzz::modbus::parse` (replayed on stable by
//! otwire-modbus's `tests/fuzz_corpus.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otwire_fuzz::modbus::parse(data));
