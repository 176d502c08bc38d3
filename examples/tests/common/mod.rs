//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, clippy::expect_used)]

use otwire_examples::capture::CaptureReader;
use otwire_examples::record::PduRecord;
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};

/// Scans a capture in memory, returning the scanner (records collected).
pub fn scan(bytes: &[u8]) -> Scanner<Collect> {
    let mut scanner = Scanner::new(ScanOptions::default(), Collect::default());
    let mut reader = CaptureReader::new(bytes).expect("capture");
    while let Some(p) = reader.next_packet().expect("packet") {
        scanner.packet(&p);
    }
    scanner.finish();
    scanner
}

/// The records without their frame numbers (which depend on how the bytes were packetized).
pub fn without_frames(records: &[PduRecord]) -> Vec<PduRecord> {
    records
        .iter()
        .map(|r| PduRecord {
            frame: 0,
            ..r.clone()
        })
        .collect()
}

/// The OTWIRE_CAPTURES folder, if set (a missing folder fails).
pub fn captures_dir() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(std::env::var_os("OTWIRE_CAPTURES")?);
    assert!(
        dir.is_dir(),
        "OTWIRE_CAPTURES={} is not a folder",
        dir.display()
    );
    Some(dir)
}
