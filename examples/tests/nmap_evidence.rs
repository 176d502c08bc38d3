//! Evidence with real tools (issue 13): nmap's scans of the pymodbus server, captured with
//! tcpdump on a veth pair between two network namespaces the test creates (10.99.0.1, the
//! scanner, and 10.99.0.2, the server, each with a fixed MAC), and ARP spoofing crafted with
//! scapy into a pcap; otscan's pipeline on each capture gives the network events each tool
//! makes, per port.
//!
//! Needs root, `ip`, `nmap` and `tcpdump` (.ci/run installs them) and the Python peers
//! (pymodbus, scapy); skips with a message without them, and fails under `CI=1`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use otwire_detect::net::{Arp, Mac, NetEvent, TcpOutcome};
use otwire_detect::{Endpoint, Event};
use otwire_examples::detect_engine::{DetectArgs, build};
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};

const SCANNER_IP: [u8; 4] = [10, 99, 0, 1];
const SERVER_IP: [u8; 4] = [10, 99, 0, 2];
const SCANNER_MAC: Mac = [0x02, 0x99, 0, 0, 0, 1];
const SERVER_MAC: Mac = [0x02, 0x99, 0, 0, 0, 2];

/// Whether the tools run here; without them the test skips with a message, unless `CI` is
/// set: then this fails.
fn tools() -> bool {
    let runs = |cmd: &str, arg: &str| {
        Command::new(cmd)
            .arg(arg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let ok = root && runs("nmap", "--version") && runs("tcpdump", "--version") && runs("ip", "-V");
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "root, nmap, tcpdump and ip are required in CI (.ci/run installs them)"
        );
        eprintln!(
            "skipped: needs root, nmap, tcpdump and ip (apt-get install nmap tcpdump iproute2)"
        );
    }
    ok
}

fn run(args: &[&str]) -> Output {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Sends the end-of-capture marker to `argv[1]`: a TCP RST from port 9 to port 9 with
/// sequence number "OTWM" and no checksum, by a raw socket.
const MARKER: &str = "import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
s.sendto(struct.pack('!HH4sIBBHHH', 9, 9, b'OTWM', 0, 5 << 4, 4, 0, 0, 0), (sys.argv[1], 0))";

/// Two network namespaces joined by a veth pair (or one, on its loopback), deleted on
/// drop.
struct Lab {
    scanner: String,
    server: String,
    /// The scanner's interface tcpdump captures on.
    dev: String,
    /// The address nmap scans.
    target: &'static str,
    dir: PathBuf,
    /// nmap's last report.
    report: std::cell::RefCell<String>,
    /// The last capture (what the last scan's packets were).
    capture: std::cell::RefCell<Vec<u8>>,
}

impl Lab {
    /// 10.99.0.1 (the scanner, namespace `a`) and 10.99.0.2 (the server, namespace `b`) on
    /// a veth pair, with fixed MACs.
    fn new(tag: &str) -> Lab {
        let id = std::process::id() % 100_000;
        let lab = Lab {
            scanner: format!("otw-{tag}-{id}-a"),
            server: format!("otw-{tag}-{id}-b"),
            dev: format!("otw{id}a"),
            target: "10.99.0.2",
            dir: std::env::temp_dir().join(format!("otwire-{tag}-{id}")),
            report: Default::default(),
            capture: Default::default(),
        };
        let _ = std::fs::create_dir_all(&lab.dir);
        let (a, b) = (lab.scanner.as_str(), lab.server.as_str());
        let (va, vb) = (format!("otw{id}a"), format!("otw{id}b"));
        run(&["ip", "netns", "add", a]);
        run(&["ip", "netns", "add", b]);
        run(&[
            "ip", "link", "add", &va, "type", "veth", "peer", "name", &vb,
        ]);
        run(&["ip", "link", "set", &va, "netns", a]);
        run(&["ip", "link", "set", &vb, "netns", b]);
        for (ns, dev, mac, ip) in [
            (a, &va, "02:99:00:00:00:01", "10.99.0.1/24"),
            (b, &vb, "02:99:00:00:00:02", "10.99.0.2/24"),
        ] {
            run(&["ip", "-n", ns, "link", "set", dev, "address", mac]);
            run(&["ip", "-n", ns, "addr", "add", ip, "dev", dev]);
            run(&["ip", "-n", ns, "link", "set", dev, "up"]);
            run(&["ip", "-n", ns, "link", "set", "lo", "up"]);
        }
        lab
    }

    /// One namespace: scanner and servers on its loopback, 127.0.0.1.
    fn loopback(tag: &str) -> Lab {
        let id = std::process::id() % 100_000;
        let ns = format!("otw-{tag}-{id}");
        run(&["ip", "netns", "add", &ns]);
        run(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
        let dir = std::env::temp_dir().join(format!("otwire-{tag}-{id}"));
        let _ = std::fs::create_dir_all(&dir);
        Lab {
            scanner: ns.clone(),
            server: ns,
            dev: "lo".into(),
            target: "127.0.0.1",
            dir,
            report: Default::default(),
            capture: Default::default(),
        }
    }

    /// Starts `tests/peers/<script> <port> [args]` in the server's namespace and waits
    /// until it listens on TCP `port`.
    fn peer(&self, py: &Path, script: &str, port: u16, args: &[&str]) -> common::Peer {
        let path = format!("{}/tests/peers/{script}", env!("CARGO_MANIFEST_DIR"));
        let child = Command::new("ip")
            .args(["netns", "exec", &self.server])
            .arg(py)
            .arg(path)
            .arg(port.to_string())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {script}: {e}"));
        let peer = common::Peer(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        let filter = format!("sport = :{port}");
        let ns = self.server.as_str();
        while run(&["ip", "netns", "exec", ns, "ss", "-Hltn", &filter])
            .stdout
            .is_empty()
        {
            assert!(Instant::now() < deadline, "{script} did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        peer
    }

    /// Runs `nmap -n ARGS TARGET` from the scanner's namespace while tcpdump captures the
    /// scanner's side of the link; the capture.
    fn nmap(&self, name: &str, args: &[&str]) -> Vec<u8> {
        self.nmap_at(name, args, self.target)
    }

    /// Runs `nmap -n ARGS TARGETS` as [`nmap`](Self::nmap) does.
    fn nmap_at(&self, name: &str, args: &[&str], targets: &str) -> Vec<u8> {
        let pcap = self.dir.join(format!("{name}.pcap"));
        let log = self.dir.join(format!("{name}.log"));
        let _ = std::fs::remove_file(&pcap);
        // Killed on drop should an assertion fail while it runs.
        let mut tcpdump = common::Peer(
            Command::new("ip")
                .args(["netns", "exec", &self.scanner, "tcpdump", "-i", &self.dev])
                .args(["-U", "--immediate-mode", "-n", "-s", "0", "-w"])
                .arg(&pcap)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .expect("start tcpdump"),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("listening on")) {
            assert!(Instant::now() < deadline, "tcpdump did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut cmd = vec!["ip", "netns", "exec", &self.scanner, "nmap", "-n"];
        cmd.extend_from_slice(args);
        cmd.push(targets);
        let out = run(&cmd);
        *self.report.borrow_mut() = String::from_utf8_lossy(&out.stdout).into_owned();
        eprintln!(
            "nmap {}:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        );
        // tcpdump may lag behind (a busy machine): a marker segment sent last (a RST with a
        // bad checksum, which the receiver drops unanswered and otscan reads as no event) is
        // in the file once everything before it is; then SIGINT stops tcpdump.
        let ns = self.scanner.as_str();
        run(&[
            "ip",
            "netns",
            "exec",
            ns,
            "python3",
            "-c",
            MARKER,
            self.target,
        ]);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !std::fs::read(&pcap).is_ok_and(|b| b.windows(4).any(|w| w == b"OTWM")) {
            assert!(
                Instant::now() < deadline,
                "tcpdump did not capture the marker"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        run(&["kill", "-INT", &tcpdump.0.id().to_string()]);
        let _ = tcpdump.0.wait();
        let bytes = std::fs::read(&pcap).expect("the capture");
        self.capture.borrow_mut().clone_from(&bytes);
        bytes
    }
}

impl Lab {
    /// What a closed TCP port's probe became, as the last capture's packets say: refused
    /// when the capture holds the kernel's RST from `port`, else unanswered (on a busy
    /// machine the kernel now and then sends no RST; nmap's report, read before, once said
    /// closed where otscan, given the capture, saw no answer).
    fn closed_outcome(&self, port: u16) -> TcpOutcome {
        if rst_from(&self.capture.borrow(), port) {
            TcpOutcome::Refused
        } else {
            TcpOutcome::Unanswered
        }
    }
}

/// True if the legacy pcap `bytes` (tcpdump's little-endian microsecond format, Ethernet
/// frames) hold a TCP segment from `port` with RST set.
fn rst_from(bytes: &[u8], port: u16) -> bool {
    assert_eq!(
        bytes.get(..4),
        Some(&[0xd4, 0xc3, 0xb2, 0xa1][..]),
        "tcpdump's pcap"
    );
    let mut at = 24;
    while let Some(h) = bytes.get(at..at + 16) {
        let len = u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize;
        let Some(frame) = bytes.get(at + 16..at + 16 + len) else {
            break;
        };
        at += 16 + len;
        if let Ok(p) = etherparse::SlicedPacket::from_ethernet(frame)
            && let Some(etherparse::TransportSlice::Tcp(t)) = p.transport
            && t.source_port() == port
            && t.rst()
        {
            return true;
        }
    }
    false
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in [&self.scanner, &self.server] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        if std::env::var_os("OTWIRE_KEEP_LAB").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// otscan's pipeline on a capture, with detection (every built-in detector, nothing
/// learned); prints its network and protocol counters and its alerts.
fn scan(bytes: &[u8]) -> Scanner<Collect> {
    let detection = build(&DetectArgs {
        learn_seconds: Some(0.0),
        ..DetectArgs::default()
    })
    .unwrap();
    let mut s = Scanner::with_detection(ScanOptions::default(), Collect::default(), detection);
    common::feed(&mut s, bytes);
    let stats = s.stats();
    eprintln!(
        "network events {:?}, PDUs {:?}",
        stats.network, stats.protocols
    );
    for a in &s.report().alerts {
        eprintln!(
            "  alert {} {} x{}: {}",
            a.technique_id, a.detector, a.count, a.summary
        );
    }
    s
}

/// The techniques a scan alerted on.
fn techniques(s: &Scanner<Collect>) -> BTreeSet<String> {
    s.report()
        .alerts
        .iter()
        .map(|a| a.technique_id.to_string())
        .collect()
}

/// The scan alerted on exactly these techniques (nothing learned: every talker is new).
fn alerts_exactly(s: &Scanner<Collect>, what: &str, expected: &[&str]) {
    let expected: BTreeSet<String> = expected.iter().map(|t| t.to_string()).collect();
    assert_eq!(techniques(s), expected, "{what}");
}

/// The TCP outcomes per server port: port -> outcome name -> count.
fn tcp_by_port(s: &Scanner<Collect>) -> BTreeMap<u16, BTreeMap<&'static str, usize>> {
    let mut m: BTreeMap<u16, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for e in &s.report().network {
        if let Some(NetEvent::Tcp(o)) = e.net() {
            *m.entry(e.flow.server.port)
                .or_default()
                .entry(o.name())
                .or_default() += 1;
        }
    }
    m
}

fn count(m: &BTreeMap<u16, BTreeMap<&'static str, usize>>, port: u16, o: TcpOutcome) -> usize {
    m.get(&port)
        .and_then(|c| c.get(o.name()))
        .copied()
        .unwrap_or(0)
}

/// Every TCP event of the scanner's capture carries Ethernet addresses of the two hosts and
/// a TTL.
fn links_are_the_hosts(s: &Scanner<Collect>) {
    for e in &s.report().network {
        if matches!(e.net(), Some(NetEvent::Tcp(TcpOutcome::Unanswered))) {
            continue; // made at expiry or at the end, by no packet
        }
        let macs = [e.link.src_mac, e.link.dst_mac];
        assert!(
            macs == [Some(SCANNER_MAC), Some(SERVER_MAC)]
                || macs == [Some(SERVER_MAC), Some(SCANNER_MAC)]
                || e.link.dst_mac == Some([0xff; 6]),
            "{e:?}"
        );
        if !matches!(e.net(), Some(NetEvent::Arp(_))) {
            assert!(e.link.ttl.is_some(), "{e:?}");
        }
    }
}

#[test]
fn nmap_scans_of_the_pymodbus_server_give_their_network_events() {
    if !tools() {
        return;
    }
    let Some(py) = common::python_with("pymodbus") else {
        return;
    };
    let lab = Lab::new("nmap");
    let _server = lab.peer(&py, "modbus_server.py", 502, &["10.99.0.2"]);
    let quick = ["--max-retries", "1", "-T5"];

    // SYN scan: 502 answers SYN-ACK and nmap's kernel resets it; the others refuse.
    let syn = scan(&lab.nmap(
        "syn",
        &[&["-Pn", "-sS", "-p", "500-510"][..], &quick[..]].concat(),
    ));
    let m = tcp_by_port(&syn);
    assert_eq!(m.len(), 11, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::Syn), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::HalfOpen), 1, "{m:?}");
    for port in (500..=510).filter(|p| *p != 502) {
        assert_eq!(count(&m, port, TcpOutcome::Syn), 1, "{port}: {m:?}");
        let closed = lab.closed_outcome(port);
        assert_eq!(count(&m, port, closed), 1, "{port}: {m:?}");
    }
    let total: usize = m.values().flat_map(|c| c.values()).sum();
    assert_eq!(total, 22, "nothing else: {m:?}");
    assert!(syn.report().pdus.is_empty());
    links_are_the_hosts(&syn);
    alerts_exactly(&syn, "SYN scan: a port scan", &["T0840"]);

    // Connect scan: 502 completes the handshake and closes without a byte.
    let connect = scan(&lab.nmap(
        "connect",
        &[&["-Pn", "-sT", "-p", "500-510"][..], &quick[..]].concat(),
    ));
    let m = tcp_by_port(&connect);
    assert_eq!(count(&m, 502, TcpOutcome::Syn), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::Established), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::ClosedEmpty), 1, "{m:?}");
    for port in (500..=510).filter(|p| *p != 502) {
        let closed = lab.closed_outcome(port);
        assert_eq!(count(&m, port, closed), 1, "{port}: {m:?}");
    }
    assert!(connect.report().pdus.is_empty());
    links_are_the_hosts(&connect);
    alerts_exactly(&connect, "connect scan: a port scan", &["T0840"]);

    // Version scan (lightest intensity): a SYN scan, then a connection that waits for a
    // banner that never comes and closes empty.
    let version = scan(
        &lab.nmap(
            "version",
            &[
                &["-Pn", "-sV", "--version-intensity", "0", "-p", "502"][..],
                &quick[..],
            ]
            .concat(),
        ),
    );
    let m = tcp_by_port(&version);
    assert_eq!(count(&m, 502, TcpOutcome::HalfOpen), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::Established), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::ClosedEmpty), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::Syn), 2, "{m:?}");
    alerts_exactly(&version, "two probes of one port are no scan", &[]);

    // modbus-discover: Report Slave ID and Read Device Identification on connections that
    // carry data (established, never closed empty).
    let discover = scan(
        &lab.nmap(
            "discover",
            &[
                &["-Pn", "-p", "502", "--script", "modbus-discover"][..],
                &quick[..],
            ]
            .concat(),
        ),
    );
    let m = tcp_by_port(&discover);
    assert!(count(&m, 502, TcpOutcome::Established) >= 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::ClosedEmpty), 0, "{m:?}");
    let funcs: BTreeSet<u64> = discover
        .report()
        .pdus
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok()?.get("func")?.as_u64())
        .collect();
    assert!(
        funcs.contains(&17) && funcs.contains(&43),
        "Report Slave ID and Read Device Identification: {funcs:?}"
    );
    // Remote system information discovery by a master never seen (T0848).
    alerts_exactly(&discover, "modbus-discover", &["T0848", "T0888"]);

    // Ping scan on the link: nmap asks by ARP, the server answers with its MAC.
    let ping = scan(&lab.nmap("ping", &["-sn"]));
    let arps: Vec<Arp> = arp_events(&ping.report().network);
    let server_ip = Endpoint::v4(SERVER_IP, 0).ip;
    let scanner_ip = Endpoint::v4(SCANNER_IP, 0).ip;
    assert!(
        arps.iter()
            .any(|a| a.op == Arp::REQUEST && a.sender_ip == scanner_ip && a.target_ip == server_ip),
        "{arps:?}"
    );
    assert!(
        arps.iter()
            .any(|a| a.op == Arp::REPLY && a.sender_ip == server_ip && a.sender_mac == SERVER_MAC),
        "{arps:?}"
    );
    alerts_exactly(&ping, "one host pinged", &[]);

    // A ping sweep of the /27: ARP requests to 30 addresses, a host sweep (T0846).
    let sweep = scan(&lab.nmap_at("sweep", &["-sn", "-T5"], "10.99.0.0/27"));
    let asked: BTreeSet<[u8; 16]> = arp_events(&sweep.report().network)
        .iter()
        .filter(|a| a.op == Arp::REQUEST && a.sender_ip == scanner_ip)
        .map(|a| a.target_ip)
        .collect();
    assert!(asked.len() >= 29, "{}", asked.len());
    alerts_exactly(&sweep, "ARP ping sweep", &["T0846"]);

    // Ping scan by IP: ICMP echo request and reply (with a SYN to 443, refused).
    let ping_ip = scan(&lab.nmap("ping-ip", &["-sn", "--send-ip"]));
    let icmp: Vec<_> = ping_ip
        .report()
        .network
        .iter()
        .filter_map(|e| match e.net() {
            Some(NetEvent::Icmp(i)) => Some(*i),
            _ => None,
        })
        .collect();
    assert!(icmp.iter().any(|i| i.is_echo_request()), "{icmp:?}");
    assert!(icmp.iter().any(|i| i.is_echo_reply()), "{icmp:?}");
    let m = tcp_by_port(&ping_ip);
    assert_eq!(count(&m, 443, TcpOutcome::Refused), 1, "{m:?}");
    links_are_the_hosts(&ping_ip);
    alerts_exactly(&ping_ip, "one host pinged", &[]);

    // UDP scan: an empty datagram to 502 (no Modbus message), and the server's port
    // unreachable errors quoting what was unreachable.
    let udp = scan(&lab.nmap(
        "udp",
        &[&["-Pn", "-sU", "-p", "502,20000,161"][..], &quick[..]].concat(),
    ));
    let events = &udp.report().network;
    assert!(
        events
            .iter()
            .any(|e| e.net() == Some(&NetEvent::Udp { len: 0 })
                && e.flow.server == Endpoint::v4(SERVER_IP, 502)),
        "{events:?}"
    );
    let unreachable: BTreeSet<u16> = events
        .iter()
        .filter_map(|e| match e.net() {
            Some(NetEvent::Icmp(i)) if i.is_port_unreachable() => i.quoted,
            _ => None,
        })
        .filter(|(proto, ip, _)| *proto == 17 && *ip == server_ip)
        .map(|(_, _, port)| port)
        .collect();
    assert!(
        !unreachable.is_empty() && unreachable.is_subset(&BTreeSet::from([161, 502, 20000])),
        "{unreachable:?}"
    );
    // The empty datagram to 502 and nmap's DNP3 probe are not those protocols; three
    // ports are no scan.
    alerts_exactly(&udp, "UDP scan", &["T0869", "T0885"]);
}

fn arp_events(events: &[Event<'static>]) -> Vec<Arp> {
    events
        .iter()
        .filter_map(|e| match e.net() {
            Some(NetEvent::Arp(a)) => Some(*a),
            _ => None,
        })
        .collect()
}

#[test]
fn arp_spoofing_crafted_with_scapy_gives_its_bindings() {
    let Some(py) = common::python_with("scapy") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("otwire-arp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("arp_spoof.pcap");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/arp_spoof.py");
    let out = Command::new(&py).arg(script).arg(&pcap).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pcap).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let s = scan(&bytes);
    let arps = arp_events(&s.report().network);
    assert_eq!(arps.len(), 45);
    // Who claimed each IP: 10.99.0.2 is bound to its own MAC, then rebound to the
    // attacker's; 10.99.0.1 is claimed by the attacker in gratuitous requests.
    let attacker: Mac = [0x02, 0x66, 0, 0, 0, 0x66];
    let mut claims: BTreeMap<[u8; 16], BTreeSet<Mac>> = BTreeMap::new();
    for a in &arps {
        claims.entry(a.sender_ip).or_default().insert(a.sender_mac);
    }
    let ip = |last: u8| Endpoint::v4([10, 99, 0, last], 0).ip;
    assert_eq!(
        claims.get(&ip(2)),
        Some(&BTreeSet::from([SERVER_MAC, attacker]))
    );
    assert_eq!(
        claims.get(&ip(1)),
        Some(&BTreeSet::from([SCANNER_MAC, attacker]))
    );
    let gratuitous = arps.iter().filter(|a| a.is_gratuitous()).count();
    assert_eq!(gratuitous, 20);
    let by_attacker: BTreeSet<[u8; 16]> = arps
        .iter()
        .filter(|a| a.sender_mac == attacker)
        .map(|a| a.sender_ip)
        .collect();
    assert_eq!(by_attacker.len(), 22, "10.99.0.1, .2 and .10 to .29");
    // The frames' own addresses match what the ARP packets say.
    for e in &s.report().network {
        if let Some(NetEvent::Arp(a)) = e.net() {
            assert_eq!(e.link.src_mac, Some(a.sender_mac));
        }
    }
    assert_eq!(s.stats().network.get("arp"), Some(&45));
    assert!(s.report().pdus.is_empty() && s.assets().records().is_empty());
    // Adversary-in-the-middle: the rebound IPs, the gratuitous burst, one MAC claiming many.
    alerts_exactly(&s, "ARP spoofing", &["T0830"]);
    let summaries: Vec<&str> = s
        .report()
        .alerts
        .iter()
        .map(|a| a.summary.as_str())
        .collect();
    for what in [
        "claimed by 02:66:00:00:00:66",
        "gratuitous",
        "claimed 3 IPs",
    ] {
        assert!(
            summaries.iter().any(|s| s.contains(what)),
            "{what}: {summaries:#?}"
        );
    }
}

/// The PDU records of a capture as JSON values, of protocol `proto`.
fn records(s: &Scanner<Collect>, proto: &str) -> Vec<serde_json::Value> {
    s.report()
        .pdus
        .iter()
        .filter_map(|p| serde_json::to_value(p).ok())
        .filter(|v| v.get("proto").and_then(|p| p.as_str()) == Some(proto))
        .collect()
}

/// Whether a record has `field` equal to `value`.
fn has(v: &serde_json::Value, field: &str, value: serde_json::Value) -> bool {
    v.get(field) == Some(&value)
}

#[test]
fn nmap_scripts_against_the_ot_peers_on_loopback() {
    if !tools() {
        return;
    }
    let modules = "pymodbus, snap7, c104, dnp3, cpppo";
    let Some(py) = common::python_with(modules) else {
        return;
    };
    // Every peer on its standard port on the loopback of a namespace of its own.
    let lab = Lab::loopback("ot");
    let _peers = [
        lab.peer(&py, "modbus_server.py", 502, &[]),
        lab.peer(&py, "s7_server.py", 102, &[]),
        lab.peer(&py, "iec104_server.py", 2404, &[]),
        lab.peer(&py, "dnp3_outstation.py", 20000, &[]),
        lab.peer(&py, "enip_server.py", 44818, &[]),
    ];
    let quick = ["--max-retries", "1", "-T5"];

    // A SYN scan of the OT ports: the five services half-open, 503 refused. On loopback
    // the frames carry zero MACs, and still a TTL.
    let ports = "102,502,503,2404,20000,44818";
    let syn = scan(&lab.nmap(
        "ot-syn",
        &[&["-Pn", "-sS", "-p", ports][..], &quick[..]].concat(),
    ));
    let m = tcp_by_port(&syn);
    for port in [102, 502, 2404, 20000, 44818] {
        assert_eq!(count(&m, port, TcpOutcome::Syn), 1, "{port}: {m:?}");
        assert_eq!(count(&m, port, TcpOutcome::HalfOpen), 1, "{port}: {m:?}");
    }
    let trail: Vec<String> = (syn.report().network.iter())
        .map(|e| {
            format!(
                "{} {:?} {} {}",
                e.frame,
                e.net(),
                e.flow.client,
                e.flow.server
            )
        })
        .collect();
    let closed = lab.closed_outcome(503);
    assert_eq!(count(&m, 503, closed), 1, "{m:?} {trail:#?}");
    // The events packets made carry the packets' TTL (loopback frames: zero MACs): the
    // kernel's RST 64, nmap's raw SYNs a random one.
    for e in &syn.report().network {
        let ttl = match e.net() {
            Some(NetEvent::Tcp(TcpOutcome::Syn)) => e.link.ttl.filter(|t| *t > 0),
            Some(NetEvent::Tcp(TcpOutcome::Refused)) => e.link.ttl.filter(|t| *t == 64),
            _ => continue,
        };
        assert!(ttl.is_some() && e.link.src_mac == Some([0; 6]), "{e:?}");
    }

    alerts_exactly(&syn, "SYN scan of the OT ports", &["T0840"]);

    // The identification scripts, each a conversation the protocol's analyzer decodes.
    let script = |name: &str, port: &str| {
        // s7-info waits 30 s for an answer snap7 does not give after its SZL reads.
        let args = [
            &[
                "-Pn",
                "-p",
                port,
                "--script",
                name,
                "--script-timeout",
                "5s",
            ][..],
            &quick[..],
        ]
        .concat();
        scan(&lab.nmap(name, &args))
    };
    let s7 = script("s7-info", "102");
    let szl: BTreeSet<u64> = records(&s7, "s7comm")
        .iter()
        .filter_map(|v| v.get("szl_id")?.as_u64())
        .collect();
    assert!(!szl.is_empty(), "s7-info reads SZLs: {szl:?}");
    assert!(count(&tcp_by_port(&s7), 102, TcpOutcome::Established) >= 1);
    alerts_exactly(&s7, "s7-info", &["T0848", "T0888"]);

    let enip = script("enip-info", "44818");
    let list_identity = records(&enip, "enip")
        .iter()
        .filter(|v| has(v, "command", 0x63.into()))
        .count();
    assert!(list_identity >= 1, "enip-info sends ListIdentity");
    // The state rules know enip-info's request (T0846).
    alerts_exactly(&enip, "enip-info", &["T0846", "T0848", "T0888"]);

    let iec = script("iec-identify", "2404");
    let iec104 = records(&iec, "iec104");
    assert!(
        iec104
            .iter()
            .any(|v| has(v, "u_func", "STARTDT_ACT".into())),
        "iec-identify starts data transfer: {iec104:?}"
    );
    assert!(
        iec104.iter().any(|v| has(v, "type_id", 100.into())),
        "iec-identify interrogates (C_IC_NA_1)"
    );
    // The global interrogation: a new unit (T0846), an operation never seen (T0801), every
    // station (T0888).
    alerts_exactly(&iec, "iec-identify", &["T0801", "T0846", "T0848", "T0888"]);

    let modbus = script("modbus-discover", "502");
    let funcs: BTreeSet<u64> = records(&modbus, "modbus")
        .iter()
        .filter_map(|v| v.get("func")?.as_u64())
        .collect();
    assert!(funcs.contains(&17) && funcs.contains(&43), "{funcs:?}");
    alerts_exactly(&modbus, "modbus-discover", &["T0848", "T0888"]);
}
