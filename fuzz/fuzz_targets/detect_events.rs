#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| otwire_fuzz::detect::detect_events(data));
