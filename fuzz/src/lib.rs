//! Fuzz target bodies, one module per crate. Each `fuzz_targets/*.rs` is a one-line call into
//! here, and each crate's `tests/fuzz_corpus.rs` includes its module by path so that a plain
//! `cargo test` on stable replays the committed corpus.
#![allow(missing_docs)]

pub mod detect;
pub mod dnp3;
pub mod enip;
pub mod iec104;
pub mod modbus;
pub mod otscan;
pub mod s7;
