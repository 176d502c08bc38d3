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

/// Hands a capture's packets to `s` as otscan does (one by one on one thread; with more, read
/// on a thread of its own, `Scanner::read_alongside`), then finishes the scan. A damaged
/// capture ends where it breaks.
pub fn feed<R: otwire_examples::scanner::Report>(s: &mut Scanner<R>, bytes: &[u8]) {
    if let Ok(mut r) = CaptureReader::new(bytes) {
        if s.threads() == 1 {
            while let Ok(Some(p)) = r.next_packet() {
                s.packet(&p);
            }
        } else {
            s.read_alongside(|hand| {
                while let Ok(Some(p)) = r.next_packet() {
                    hand(&p);
                }
            });
        }
    }
    s.finish();
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

/// The Python interpreter for the interoperability peers: `$OTWIRE_PYTHON`, else
/// `<workspace>/.venv/bin/python`, if it can import `module`. Without it the caller skips
/// with a message, unless `CI` is set: then this fails.
pub fn python_with(module: &str) -> Option<std::path::PathBuf> {
    use std::process::{Command, Stdio};
    let py = std::env::var_os("OTWIRE_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python"))
        });
    let ok = Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(py);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} with the {module} package is required in CI (.venv/bin/pip install -r .ci/requirements.txt)",
        py.display()
    );
    eprintln!(
        "skipped: no python with {module} at {} (set OTWIRE_PYTHON)",
        py.display()
    );
    None
}

/// A peer process, killed on drop.
pub struct Peer(pub std::process::Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tests/peers/<script> <port>` on a free 127.0.0.1 port and waits until it listens.
pub fn start_peer(py: &std::path::Path, script: &str) -> (Peer, u16) {
    use std::net::{TcpListener, TcpStream};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("local addr")
        .port();
    let child = Command::new(py)
        .arg(format!(
            "{}/tests/peers/{script}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the peer");
    let peer = Peer(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{script} did not start listening on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (peer, port)
}

/// Runs otprobe; returns the exit code and stdout.
pub fn otprobe(args: &[&str]) -> (i32, String) {
    let (code, out, _) = otprobe_full(args);
    (code, out)
}

/// Runs otprobe; returns the exit code, stdout and stderr.
pub fn otprobe_full(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_otprobe"))
        .args(args)
        .output()
        .expect("run otprobe");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether tshark runs; without it the caller skips with a message, unless `CI` is set:
/// then this fails.
pub fn tshark_available() -> bool {
    let ok = std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "tshark is required in CI (apt-get install tshark)"
        );
        eprintln!("skipped: tshark is not installed");
    }
    ok
}

/// The pcap and pcapng files of a folder, sorted (none for a missing folder).
pub fn capture_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<std::path::PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    v.sort();
    v
}

/// otscan's PDU records (`--output pdus --no-detect`) that `keep` keeps, by capture record
/// number.
pub fn otscan_pdus(
    path: &std::path::Path,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> std::collections::BTreeMap<u64, Vec<serde_json::Value>> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_otscan"))
        .args(["--output", "pdus", "--no-progress", "--no-detect"])
        .arg(path)
        .output()
        .expect("run otscan");
    assert!(
        out.status.success(),
        "otscan failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut by_frame: std::collections::BTreeMap<u64, Vec<serde_json::Value>> =
        std::collections::BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        if keep(&v) {
            let frame = v
                .get("frame")
                .and_then(serde_json::Value::as_u64)
                .expect("frame");
            by_frame.entry(frame).or_default().push(v);
        }
    }
    by_frame
}

/// Scans Ethernet frames (frame numbers from 1, a microsecond apart) with the default
/// options, records collected.
pub fn scan_frames(frames: &[Vec<u8>]) -> Scanner<Collect> {
    let mut s = Scanner::new(ScanOptions::default(), Collect::default());
    for (i, f) in frames.iter().enumerate() {
        s.packet(&otwire_examples::capture::Packet {
            frame: i as u64 + 1,
            ts_us: i as i64,
            linktype: 1,
            data: f,
        });
    }
    s.finish();
    s
}

/// The frames of a TCP conversation from `a`:40000 to `b`:`port` (no handshake): each
/// message from the client (`true`) or the server, PSH+ACK, sequence numbers following.
pub fn tcp_conversation(
    a: otwire_examples::pcapw::Host,
    b: otwire_examples::pcapw::Host,
    port: u16,
    messages: &[(bool, &[u8])],
) -> Vec<Vec<u8>> {
    use otwire_examples::pcapw::{Flags, tcp_frame};
    let f = Flags {
        ack: true,
        psh: true,
        ..Flags::default()
    };
    let (mut ca, mut cb) = (100u32, 900u32);
    let mut out = Vec::new();
    for &(client, bytes) in messages {
        let n = u32::try_from(bytes.len()).expect("message length");
        if client {
            out.push(tcp_frame(a, b, 40000, port, ca, cb, f, bytes));
            ca += n;
        } else {
            out.push(tcp_frame(b, a, port, 40000, cb, ca, f, bytes));
            cb += n;
        }
    }
    out
}

/// Scans `pcap` with the report collection on and returns the report's HTML and the number
/// of assets.
pub fn report_of(pcap: &[u8]) -> (String, usize) {
    let mut scanner = Scanner::new(ScanOptions::default(), ());
    scanner.collect_for_report();
    let mut reader = otwire_examples::capture::CaptureReader::new(pcap).expect("capture");
    while let Some(p) = reader.next_packet().expect("packet") {
        scanner.packet(&p);
    }
    scanner.finish();
    let mut out = Vec::new();
    otwire_examples::report::write_html(
        &mut out,
        &scanner,
        &otwire_examples::output::InputsSummary::default(),
        "test",
    )
    .expect("write");
    (
        String::from_utf8(out).expect("UTF-8"),
        scanner.assets().len(),
    )
}

/// A Modbus device identification (FC 43/14) exchange whose server reports `vendor`.
pub fn hostile_capture(vendor: &[u8]) -> Vec<u8> {
    let mbap = |tid: u8, pdu: &[u8]| {
        let len = u8::try_from(pdu.len() + 1).expect("short");
        let mut v = vec![0, tid, 0, 0, 0, len, 1];
        v.extend_from_slice(pdu);
        v
    };
    let req = mbap(1, &[0x2B, 0x0E, 0x01, 0x00]);
    let mut rsp_pdu = vec![0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00];
    rsp_pdu.push(u8::try_from(vendor.len()).expect("short"));
    rsp_pdu.extend_from_slice(vendor);
    let rsp = mbap(1, &rsp_pdu);
    let frames = tcp_conversation(
        otwire_examples::pcapw::Host::new([10, 0, 0, 1]),
        otwire_examples::pcapw::Host::new([10, 0, 0, 2]),
        502,
        &[(true, &req), (false, &rsp)],
    );
    let mut w = otwire_examples::pcapw::PcapWriter::new(Vec::new(), 1).expect("pcap");
    for (i, f) in frames.iter().enumerate() {
        w.packet(1_000_000 + i as i64, f).expect("write");
    }
    w.into_inner()
}

/// What a hostile device reports as its name.
pub const HOSTILE: &str = "<script>document.body.dataset.pwned=1</script><img src=x onerror=\"document.body.dataset.pwned=2\">";
