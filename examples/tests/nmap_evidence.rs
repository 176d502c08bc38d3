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

/// Two network namespaces joined by a veth pair, deleted on drop.
struct Lab {
    scanner: String,
    server: String,
    dir: PathBuf,
}

impl Lab {
    fn new(tag: &str) -> Lab {
        let id = std::process::id() % 100_000;
        let lab = Lab {
            scanner: format!("otw-{tag}-{id}-a"),
            server: format!("otw-{tag}-{id}-b"),
            dir: std::env::temp_dir().join(format!("otwire-{tag}-{id}")),
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

    fn veth(&self) -> String {
        format!("otw{}a", std::process::id() % 100_000)
    }

    /// Starts the pymodbus server on 10.99.0.2:502 and waits until it listens.
    fn modbus_server(&self, py: &Path) -> common::Peer {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/modbus_server.py");
        let child = Command::new("ip")
            .args(["netns", "exec", &self.server])
            .arg(py)
            .args([script, "502", "10.99.0.2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the pymodbus server");
        let peer = common::Peer(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ss = run(&[
                "ip",
                "netns",
                "exec",
                &self.server,
                "ss",
                "-Hltn",
                "sport = :502",
            ]);
            if !ss.stdout.is_empty() {
                return peer;
            }
            assert!(
                Instant::now() < deadline,
                "the pymodbus server did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs `nmap ARGS 10.99.0.2` from the scanner's namespace while tcpdump captures the
    /// scanner's side of the link; the capture.
    fn nmap(&self, name: &str, args: &[&str]) -> Vec<u8> {
        let pcap = self.dir.join(format!("{name}.pcap"));
        let log = self.dir.join(format!("{name}.log"));
        let _ = std::fs::remove_file(&pcap);
        // Killed on drop should an assertion fail while it runs.
        let mut tcpdump = common::Peer(
            Command::new("ip")
                .args([
                    "netns",
                    "exec",
                    &self.scanner,
                    "tcpdump",
                    "-i",
                    &self.veth(),
                ])
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
        cmd.push("10.99.0.2");
        let out = run(&cmd);
        eprintln!(
            "nmap {}:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        );
        // Let the last answers reach the capture, then stop tcpdump (SIGINT flushes it).
        std::thread::sleep(Duration::from_millis(300));
        run(&["kill", "-INT", &tcpdump.0.id().to_string()]);
        let _ = tcpdump.0.wait();
        std::fs::read(&pcap).expect("the capture")
    }
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

/// otscan's pipeline on a capture.
fn scan(bytes: &[u8]) -> Scanner<Collect> {
    let mut s = Scanner::new(ScanOptions::default(), Collect::default());
    common::feed(&mut s, bytes);
    s
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
    let _server = lab.modbus_server(&py);
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
        assert_eq!(count(&m, port, TcpOutcome::Refused), 1, "{port}: {m:?}");
    }
    let total: usize = m.values().flat_map(|c| c.values()).sum();
    assert_eq!(total, 22, "nothing else: {m:?}");
    assert!(syn.report().pdus.is_empty());
    links_are_the_hosts(&syn);

    // Connect scan: 502 completes the handshake and closes without a byte.
    let connect = scan(&lab.nmap(
        "connect",
        &[&["-Pn", "-sT", "-p", "500-505"][..], &quick[..]].concat(),
    ));
    let m = tcp_by_port(&connect);
    assert_eq!(count(&m, 502, TcpOutcome::Syn), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::Established), 1, "{m:?}");
    assert_eq!(count(&m, 502, TcpOutcome::ClosedEmpty), 1, "{m:?}");
    for port in [500, 501, 503, 504, 505] {
        assert_eq!(count(&m, port, TcpOutcome::Refused), 1, "{port}: {m:?}");
    }
    assert!(connect.report().pdus.is_empty());
    links_are_the_hosts(&connect);

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
}
