//! Live capture (`otscan --interface`): the same packets give the same records from the wire
//! as from a file (the bundled sample replayed into a veth pair inside a network namespace
//! this test creates), Ctrl-C stops cleanly with the summary, a partial batch run early
//! changes nothing, and a missing interface or a missing permission is a clear error.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use otwire_examples::capture::CaptureReader;
use otwire_examples::detect_engine::{DetectArgs, build};
use otwire_examples::sample::SAMPLE_PCAP;
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};
use serde_json::Value;

const OTSCAN: &str = env!("CARGO_BIN_EXE_otscan");

fn otscan(args: &[&str]) -> Output {
    Command::new(OTSCAN).args(args).output().unwrap()
}

/// Reads the child's stderr until otscan says the capture is open (so packets sent from
/// now on are seen); returns the rest of stderr's reader.
fn wait_capturing(child: &mut Child) -> BufReader<std::process::ChildStderr> {
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "otscan ended before capturing"
        );
        if line.contains("capturing on") {
            return err;
        }
    }
}

#[test]
fn nonexistent_interface_is_a_clear_error() {
    let o = otscan(&["--interface", "otw-nosuch0"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("otw-nosuch0: no such interface"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn capture_without_permission_is_a_clear_error() {
    // An unprivileged user (nobody, no capabilities) runs a copy of otscan it can execute.
    let setpriv = std::path::Path::new("/usr/bin/setpriv");
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    if !root || !setpriv.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root with util-linux's setpriv"
        );
        eprintln!("skipped: needs root and setpriv to drop to an unprivileged user");
        return;
    }
    let dir = std::env::temp_dir().join(format!("otscan-unprivileged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("otscan");
    std::fs::copy(OTSCAN, &bin).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = Command::new(setpriv)
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .args(["--bounding-set=-all", "--"])
        .arg(&bin)
        .args(["--interface", "lo", "--count", "1"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("lo: cannot capture") && err.contains("CAP_NET_RAW"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn list_interfaces_names_loopback() {
    let o = otscan(&["--list-interfaces"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.lines().any(|l| l.starts_with("lo ")), "{out}");
}

/// The sample scanned with detection, running the partial batch after every `every`
/// packets (0: only full batches, as for a file).
fn scan_sample(every: u64) -> Collect {
    let d = build(&DetectArgs {
        learn_seconds: Some(15.0),
        ..DetectArgs::default()
    })
    .unwrap();
    let mut s = Scanner::with_detection(ScanOptions::default(), Collect::default(), d);
    let mut reader = CaptureReader::new(SAMPLE_PCAP).unwrap();
    while let Some(p) = reader.next_packet().unwrap() {
        s.packet(&p);
        if every > 0 && p.frame % every == 0 {
            s.run_pending();
        }
    }
    s.finish();
    s.report().clone()
}

#[test]
fn running_partial_batches_changes_nothing() {
    // A live capture runs its partial batch whenever the wire goes quiet.
    let whole = scan_sample(0);
    assert!(!whole.alerts.is_empty() && whole.pdus.len() > 1000);
    for every in [1, 7, 100] {
        let early = scan_sample(every);
        assert_eq!(
            early.pdus, whole.pdus,
            "records, partial batches of {every}"
        );
        assert_eq!(
            early.alerts, whole.alerts,
            "alerts, partial batches of {every}"
        );
    }
}

#[test]
fn ctrl_c_stops_cleanly_with_the_summary() {
    let mut child = Command::new(OTSCAN)
        .args(["--interface", "lo", "--filter", "udp port 9", "--no-detect"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _err = wait_capturing(&mut child);
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.starts_with("otscan: live capture on lo,"), "{out}");
    assert!(
        out.contains("  kernel: ") && out.contains("Assets ("),
        "{out}"
    );
}

/// A network namespace, deleted on drop.
struct Netns(String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Sends every frame of a legacy pcap file on an interface (Python's standard library:
/// an AF_PACKET socket), in order and as fast as it can.
const INJECT: &str = r#"
import socket, struct, sys
iface, path = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
e = '<' if struct.unpack('<I', data[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d) else '>'
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
off = 24
while off + 16 <= len(data):
    incl = struct.unpack(e + 'IIII', data[off:off + 16])[2]
    s.send(data[off + 16:off + 16 + incl])
    off += 16 + incl
"#;

/// PDU records without their capture times (the wire gives its own).
fn without_ts(jsonl: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(jsonl)
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("ts").unwrap();
            v
        })
        .collect()
}

/// A network namespace holding a veth pair `va` / `vb`, up, with no IPv6 (no router
/// solicitations) and no addresses (no ARP): only frames the test sends cross it. `None`
/// (skip) when namespaces cannot be made, outside CI.
fn veth_netns(name: &str) -> Option<Netns> {
    let ns = Netns(format!("otwire-{name}-{}", std::process::id()));
    if !ip(&["netns", "add", &ns.0]) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root: network namespaces are possible"
        );
        eprintln!("skipped: cannot create a network namespace (needs root and iproute2)");
        return None;
    }
    let n = ns.0.as_str();
    // No IPv6 (no router solicitations), no addresses (no ARP): only the replayed frames
    // cross the pair, and the filter keeps anything else out.
    assert!(ip(&[
        "netns",
        "exec",
        n,
        "sysctl",
        "-qw",
        "net.ipv6.conf.all.disable_ipv6=1"
    ]));
    assert!(ip(&[
        "netns",
        "exec",
        n,
        "sysctl",
        "-qw",
        "net.ipv6.conf.default.disable_ipv6=1"
    ]));
    assert!(ip(&[
        "-n", n, "link", "add", "va", "type", "veth", "peer", "name", "vb"
    ]));
    assert!(ip(&["-n", n, "link", "set", "va", "up"]));
    assert!(ip(&["-n", n, "link", "set", "vb", "up"]));
    Some(ns)
}

/// The sample's frames, and its PDU records as a file scan writes them.
fn sample_scan() -> (u64, Vec<Value>) {
    let mut frames = 0u64;
    let mut reader = CaptureReader::new(SAMPLE_PCAP).unwrap();
    while reader.next_packet().unwrap().is_some() {
        frames += 1;
    }
    let file = without_ts(&otscan(&["--no-detect", "--output", "pdus", SAMPLE_FILE]).stdout);
    assert!(file.len() > 1000);
    (frames, file)
}

const SAMPLE_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample.pcap");

/// Sends the sample's frames on `vb` of the namespace.
fn inject_sample(ns: &str) {
    let sent = Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            "python3",
            "-c",
            INJECT,
            "vb",
            SAMPLE_FILE,
        ])
        .status()
        .unwrap();
    assert!(sent.success(), "injecting the sample");
}

/// otscan capturing on `va` of the namespace, only IP (`ip netns exec`).
fn live_otscan(ns: &str, args: &[&str]) -> Child {
    Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            OTSCAN,
            "--interface",
            "va",
            "--filter",
            "ip",
        ])
        .args(["--no-detect", "--output", "pdus"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn live_capture_of_a_replayed_capture_equals_the_file_scan() {
    let Some(ns) = veth_netns("replay") else {
        return;
    };
    let (frames, file) = sample_scan();
    let dir = std::env::temp_dir().join(format!("otscan-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let records = dir.join("live.jsonl");
    // --count ends the run; --duration only guards against a hang should frames be lost.
    let count = frames.to_string();
    let out = records.to_str().unwrap();
    let mut child = live_otscan(
        &ns.0,
        &["--count", &count, "--duration", "300", "--output-file", out],
    );
    let _err = wait_capturing(&mut child);
    inject_sample(&ns.0);
    let o = child.wait_with_output().unwrap();
    let summary = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{summary}");
    assert!(
        summary.starts_with(&format!("otscan: live capture on va, {frames} packets")),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("kernel: {frames} packets received, 0 dropped")),
        "{summary}"
    );
    let live = without_ts(&std::fs::read(&records).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        live.len(),
        file.len(),
        "as many records live as from the file"
    );
    for (i, (l, f)) in live.iter().zip(&file).enumerate() {
        assert_eq!(
            l, f,
            "record {i}: frame numbers, flows, fields all the same"
        );
    }
}

#[test]
fn records_stream_while_the_capture_runs() {
    // No --count: every record must arrive while otscan still captures, which only Ctrl-C
    // (sent once they are all read) ends; the --duration guard would say so otherwise.
    let Some(ns) = veth_netns("stream") else {
        return;
    };
    let (_, file) = sample_scan();
    let mut child = live_otscan(&ns.0, &["--duration", "300"]);
    let mut err = wait_capturing(&mut child);
    inject_sample(&ns.0);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut live = Vec::new();
    let mut line = String::new();
    while live.len() < file.len() {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "otscan ended first");
        live.extend(without_ts(line.as_bytes()));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(rest.contains("stopped: interrupted"), "{rest}");
    assert_eq!(live, file);
}
