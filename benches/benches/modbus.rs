//! Modbus benches (filled in below).
fn main() {}
