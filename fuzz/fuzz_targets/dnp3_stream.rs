#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| otwire_fuzz::dnp3::dnp3_stream(data));
