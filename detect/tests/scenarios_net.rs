//! Network scenarios (issue 13, "Detectors"): nmap-like scans at fast and slow rates, ARP
//! spoofing with and without forwarding, a path change of a known master, and hours of a
//! benign plant (reconnects, ARP chatter, DHCP renewals, pings, a PLC reboot, a backup
//! master taking over). Each: an hour of learning, then the attack interleaved with the
//! plant; the test asserts the exact set of techniques alerted and how many alerts the
//! engine's aggregation made of them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod net_support;

use net_support::*;
use otwire_detect::Alert;
use otwire_detect::net::{Arp, TcpOutcome};

/// Ports nmap tries first (a slice of its top ports) and the OT ports of the registry.
const TOP: &[u16] = &[
    21, 22, 23, 25, 53, 80, 81, 88, 102, 110, 111, 135, 139, 143, 389, 443, 445, 502, 587, 631,
    789, 993, 995, 1433, 1723, 1911, 1962, 2222, 2404, 3306, 3389, 4840, 5007, 5900, 8080, 9600,
    18245, 20000, 20547, 44818, 47808,
];

/// PLC1 listens on these.
fn open(port: u16) -> bool {
    matches!(port, 80 | 502)
}

/// The alerts of one technique; their counts add up to the findings.
fn with<'a>(alerts: &[&'a Alert], t: &str) -> Vec<&'a Alert> {
    alerts
        .iter()
        .copied()
        .filter(|a| a.technique_id == t)
        .collect()
}

/// A SYN scan: SYN, then RST (closed) or SYN-ACK answered by the scanner's RST (open).
fn syn_probe(n: &mut Net, host: u8, port: u16) {
    n.tcp(ATTACKER, 50_000, host, port, TcpOutcome::Syn);
    let o = if open(port) {
        TcpOutcome::HalfOpen
    } else {
        TcpOutcome::Refused
    };
    n.tcp(ATTACKER, 50_000, host, port, o);
}

/// A connect scan: the handshake completes on open ports and the scanner closes at once.
fn connect_probe(n: &mut Net, host: u8, port: u16) {
    n.tcp(ATTACKER, 50_001, host, port, TcpOutcome::Syn);
    if open(port) {
        n.tcp(ATTACKER, 50_001, host, port, TcpOutcome::Established);
        n.tcp(ATTACKER, 50_001, host, port, TcpOutcome::ClosedEmpty);
    } else {
        n.tcp(ATTACKER, 50_001, host, port, TcpOutcome::Refused);
    }
}

/// One port scan of PLC1 by the attacker: one T0840 alert at once and one aggregate of the
/// rest (the scan lasts less than the suppression window), nothing else; the ports the
/// alert counted and the aggregate's findings add up to the `ports` probed.
fn assert_one_port_scan(n: &Net, t: u64, ports: u64) {
    n.report(t);
    assert_eq!(n.techniques_since(t), set(&["T0840"]));
    let a = n.alerts_since(t);
    assert_eq!(a.len(), 2, "one alert and its aggregate");
    let (first, agg) = (a[0], a[1]);
    assert_eq!((first.detector.as_ref(), first.aggregate), ("scan", false));
    assert_eq!(
        first.src,
        ep(ATTACKER, 0),
        "the finding's source is the scanner"
    );
    assert_eq!(first.evidence["reason"], "port_scan");
    assert!(agg.aggregate);
    assert_eq!(agg.hosts, vec![std::net::IpAddr::from([10, 0, 0, PLC1])]);
    let at_first = first.evidence["distinct"].as_u64().unwrap();
    assert_eq!(at_first + agg.count, ports);
    assert_eq!(
        agg.ports.len() as u64 + agg.ports_others,
        agg.count.min(16) + agg.ports_others
    );
    assert!(agg.first_seen <= agg.last_seen);
}

#[test]
fn benign_hours_raise_nothing_after_learning() {
    let mut n = learned(config());
    let t = n.now;
    // An hour of the plant; a PLC reboot under its master (refused reconnects).
    n.run_for(1800);
    n.plant.plc1_down = 150;
    n.run_for(1800);
    // The backup master takes over for an hour, then hands back.
    n.plant.master = BACKUP;
    n.run_for(3600);
    n.plant.master = HMI;
    // A capture without link metadata: nothing to judge.
    n.plant.with_link = false;
    n.run_for(1800);
    n.finish();
    n.report(t);
    assert_eq!(n.alerts_since(t).len(), 0);
}

/// The same hours with periodicity on: the takeovers silence a master's periodic polls, and
/// periodicity's missing-message alerts (T0803/T0804) are the only ones; the network
/// detectors raise nothing.
#[test]
fn benign_hours_with_periodicity() {
    let mut c = config();
    c.enable.periodicity = true;
    let mut n = learned_quietly(c);
    let t = n.now;
    n.run_for(3600);
    n.plant.master = BACKUP;
    n.run_for(3600);
    n.finish();
    let all = n.alerts_since(t);
    eprintln!("{} periodicity alerts after learning", all.len());
    assert!(all.iter().all(|a| a.detector == "periodicity"), "{all:?}");
    assert!(n.techniques_since(t).is_subset(&set(&["T0803", "T0804"])));
}

#[test]
fn fast_syn_scan_is_one_port_scan() {
    let mut n = learned(config());
    let t = n.now;
    // nmap -sS -T4: the top ports of PLC1 in about two seconds.
    n.run_with(5, |n, i| {
        if i < 2 {
            for &p in TOP.iter().skip(i as usize * 21).take(21) {
                syn_probe(n, PLC1, p);
            }
        }
    });
    n.run_for(600);
    n.finish();
    assert_one_port_scan(&n, t, TOP.len() as u64);
}

#[test]
fn slow_syn_scan_over_minutes_is_one_port_scan() {
    let mut n = learned(config());
    let t = n.now;
    // nmap -sS -T1: one port every 15 s, twenty ports over five minutes.
    n.run_with(300, |n, i| {
        if i % 15 == 0 {
            syn_probe(n, PLC1, TOP[(i / 15) as usize]);
        }
    });
    n.run_for(600);
    n.finish();
    assert_one_port_scan(&n, t, 20);
}

#[test]
fn connect_scan_of_ot_ports_alerts_once() {
    let mut n = learned(config());
    let t = n.now;
    // nmap -sT -p 502,102,2404,20000,44818: three closed OT ports are enough.
    n.run_with(3, |n, i| {
        if i == 0 {
            for p in [502, 102, 2404, 20000, 44818] {
                connect_probe(n, PLC1, p);
            }
        }
    });
    n.run_for(600);
    n.finish();
    assert_one_port_scan(&n, t, 5);
}

#[test]
fn version_scan_over_minutes_alerts_once() {
    let mut n = learned(config());
    let t = n.now;
    // nmap -sV -T2: connects one port at a time, waits for a banner, closes.
    n.run_with(400, |n, i| {
        if i % 20 == 0 {
            connect_probe(n, PLC1, TOP[(i / 20) as usize]);
        }
    });
    n.run_for(600);
    n.finish();
    assert_one_port_scan(&n, t, 20);
}

#[test]
fn udp_probes_to_ot_ports_are_a_port_scan() {
    let mut n = learned(config());
    let t = n.now;
    // nmap -sU -p 502,20000,2222,47808,44818 (no message: empty datagrams).
    n.run_with(2, |n, i| {
        if i == 0 {
            for p in [502, 20000, 2222, 47808, 44818] {
                n.udp(ATTACKER, 50_002, PLC1, p, 0);
            }
        }
    });
    n.run_for(600);
    n.finish();
    assert_one_port_scan(&n, t, 5);
}

#[test]
fn ping_sweep_fast_and_slow_is_one_remote_system_discovery_each() {
    for gap in [0u64, 10] {
        let mut n = learned(config());
        let t = n.now;
        // nmap -sn -PE 10.0.0.0/26 from the attacker: every host in a second, or one every
        // ten seconds (eleven minutes).
        n.run_with(64 * gap.max(1), |n, i| {
            if gap == 0 && i == 0 {
                for h in 1..64 {
                    n.ping(ATTACKER, h);
                }
            } else if gap > 0 && i % gap == 0 && i / gap < 63 {
                n.ping(ATTACKER, (i / gap) as u8 + 1);
            }
        });
        n.run_for(600);
        n.finish();
        n.report(t);
        assert_eq!(n.techniques_since(t), set(&["T0846"]), "gap {gap}");
        let a = n.alerts_since(t);
        assert!(a.iter().all(|a| a.evidence["reason"] == "ping_sweep"));
        // One alert, and one aggregate per suppression window the sweep spans.
        let windows = (64 * gap.max(1)) / 300 + 1;
        assert!(a.len() >= 2 && a.len() as u64 <= windows + 1, "{}", a.len());
        // The first alert lists the sixteen hosts that made the sweep; the aggregates count
        // one finding per host after them.
        assert_eq!(a[0].evidence["distinct"], 16);
        assert_eq!(a.iter().map(|a| a.count).sum::<u64>(), 63 - 16 + 1);
    }
}

#[test]
fn slow_sweep_of_port_502_is_remote_system_discovery() {
    let mut n = learned(config());
    let t = n.now;
    // nmap -sS -p 502 -T1 10.0.0.20-59: one host every 30 s, most of them absent.
    n.run_with(1200, |n, i| {
        if i % 30 == 0 {
            let h = 20 + (i / 30) as u8;
            n.tcp(ATTACKER, 50_003, h, 502, TcpOutcome::Syn);
            n.tcp(ATTACKER, 50_003, h, 502, TcpOutcome::Unanswered);
        }
    });
    n.finish();
    n.report(t);
    assert_eq!(n.techniques_since(t), set(&["T0846"]));
    let a = n.alerts_since(t);
    assert!(a.iter().all(|a| a.evidence["reason"] == "host_sweep"));
    // 40 hosts over 20 minutes: one alert, then one aggregate per 5-minute window.
    assert!((2..=6).contains(&a.len()), "{}", a.len());
    let first = a[0];
    assert_eq!(first.evidence["port"], 502);
    assert_eq!(
        a.iter().map(|a| a.count).sum::<u64>(),
        37,
        "the fourth host fires; the 36 after it are folded"
    );
}

/// The attacker tells PLC1 it is the HMI and the HMI it is PLC1, every two seconds
/// (arpspoof in both directions), for `secs`.
fn spoof(n: &mut Net, secs: u64, forward: bool) {
    if forward {
        // Forwarded by the attacker's kernel: its MAC, one hop less.
        n.plant.via = Some((mac(ATTACKER), 63));
    } else {
        n.plant.polling = false;
    }
    n.run_with(secs, |n, i| {
        if i % 2 == 0 {
            n.arp(Arp::REPLY, mac(ATTACKER), HMI, PLC1);
            n.arp(Arp::REPLY, mac(ATTACKER), PLC1, HMI);
            n.arp(Arp::REPLY, mac(ATTACKER), GW, HMI);
        }
    });
    n.plant.via = None;
    n.plant.polling = true;
}

#[test]
fn arp_spoof_with_forwarding_is_adversary_in_the_middle() {
    let mut n = learned(config());
    let t = n.now;
    spoof(&mut n, 120, true);
    n.run_for(600);
    n.finish();
    n.report(t);
    assert_eq!(n.techniques_since(t), set(&["T0830"]));
    let arp = n.of("arp", t);
    let path = n.of("path", t);
    assert_eq!(arp.len() + path.len(), n.alerts_since(t).len());
    // ARP: the three IPs claimed (one alert and one aggregate each), and the MAC claiming
    // them all.
    let reasons = |v: &[&Alert], r: &str| v.iter().filter(|a| a.evidence["reason"] == r).count();
    assert_eq!(reasons(&arp, "binding_changed"), 6);
    // One alert for the first minute's window, one aggregate for the next one.
    assert_eq!(reasons(&arp, "many_ips"), 2);
    // The path: the HMI's requests to PLC1 and PLC2 and their answers, each with a new MAC
    // and a new TTL: per target host and reason one alert and one aggregate.
    assert_eq!(reasons(&path, "new_mac"), 6, "{path:?}");
    assert_eq!(reasons(&path, "new_ttl"), 6);
}

#[test]
fn arp_spoof_without_forwarding_is_adversary_in_the_middle() {
    let mut n = learned(config());
    let t = n.now;
    spoof(&mut n, 120, false);
    n.run_for(600);
    n.finish();
    n.report(t);
    assert_eq!(n.techniques_since(t), set(&["T0830"]));
    let arp = n.of("arp", t);
    assert_eq!(arp.len(), n.alerts_since(t).len());
    assert!(
        n.of("path", t).is_empty(),
        "nothing forwarded, nothing on the path"
    );
    assert!(arp.iter().all(|a| a.technique_id == "T0830"));
    assert_eq!(
        arp.len(),
        8,
        "as with forwarding: six binding_changed, two many_ips"
    );
}

#[test]
fn gratuitous_arp_storm_from_a_new_host() {
    let mut n = learned(config());
    let t = n.now;
    // A new host (its own IP: no binding changes) announcing itself 40 times in 20 s.
    n.run_with(20, |n, _| {
        n.arp(Arp::REQUEST, mac(77), 77, 77);
        n.arp(Arp::REPLY, mac(77), 77, 77);
    });
    n.run_for(600);
    n.finish();
    n.report(t);
    assert_eq!(n.techniques_since(t), set(&["T0830"]));
    let a = n.alerts_since(t);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].evidence["reason"], "gratuitous_storm");
}

#[test]
fn master_behind_a_new_router_hop_is_a_new_ttl() {
    let mut n = learned(config());
    let t = n.now;
    // Same MACs (the capture point sees the last hop), one hop more on both directions.
    n.plant.via = None;
    n.run_with(60, |n, _| {
        n.poll(HMI, PLC1);
    });
    n.finish();
    n.report(t);
    let a = n.alerts_since(t);
    assert!(a.is_empty(), "same MAC, same TTL: nothing");
    let mut n = learned(config());
    let t = n.now;
    n.run_with(60, |n, _| {
        let link = otwire_detect::Link {
            ip_proto: None,
            src_mac: Some(mac(HMI)),
            dst_mac: Some(mac(PLC1)),
            ttl: Some(62),
        };
        let m = n.meta(ep(HMI, 40_010), ep(PLC1, 502), link);
        let ev = otwire_detect::Event {
            unit: 1,
            action: otwire_detect::Action::Read,
            function: 3,
            targets: otwire_detect::Targets::one(otwire_detect::Target::new(
                otwire_detect::Space::HoldingRegisters,
                0,
                10,
            )),
            ..otwire_detect::Event::new(
                m,
                otwire_detect::Protocol::Modbus,
                otwire_detect::Direction::Request,
            )
        };
        n.observe(&ev);
    });
    n.finish();
    n.report(t);
    assert_eq!(n.techniques_since(t), set(&["T0830"]));
    let a = n.alerts_since(t);
    assert_eq!(a.len(), 2, "one alert and its aggregate");
    assert!(a.iter().all(|a| a.evidence["reason"] == "new_ttl"));
    assert_eq!(with(&a, "T0830").iter().map(|a| a.count).sum::<u64>(), 60);
}

#[test]
fn net_thresholds_and_switches_load_from_toml() {
    let c = otwire_detect::Config::from_toml(
        "[net]\nport_scan_score = 40\not_ports = [1234]\n[enable]\npath = false\n",
    )
    .unwrap();
    assert_eq!(
        (c.net.port_scan_score, c.net.ot_ports.clone()),
        (40, vec![1234])
    );
    assert_eq!(c.net.sweep_score, 16, "the rest keep their defaults");
    let names = otwire_detect::Engine::new(c).detector_names();
    assert!(names.contains(&"scan") && names.contains(&"arp") && !names.contains(&"path"));
    // A score of 40 needs ten OT ports: the five-port connect scan passes unseen.
    let mut c = config();
    c.net.port_scan_score = 40;
    let mut n = learned(c);
    let t = n.now;
    for p in [502, 102, 2404, 20000, 44818] {
        connect_probe(&mut n, PLC1, p);
    }
    n.run_for(10);
    n.finish();
    assert!(n.alerts_since(t).is_empty());
}

#[test]
fn a_reloaded_baseline_detects_the_same_scan_and_spoof() {
    let run = |n: &mut Net| {
        n.run_with(3, |n, i| {
            if i == 0 {
                for p in [502, 102, 2404, 20000, 44818] {
                    connect_probe(n, PLC1, p);
                }
            }
        });
        spoof(n, 10, true);
        n.finish();
    };
    let mut a = learned(config());
    let json = a.engine.save_baseline_json().unwrap();
    let t = a.now;
    let mut b = Net::new(config());
    b.engine.load_baseline_json(&json).unwrap();
    assert_eq!(
        b.engine.save_baseline_json().unwrap(),
        json,
        "a reload saves identically"
    );
    b.now = a.now;
    b.secs = a.secs;
    b.frame = a.frame;
    b.flow = a.flow;
    b.tid = a.tid;
    b.plant = a.plant.clone();
    run(&mut a);
    run(&mut b);
    let lines =
        |n: &Net| -> Vec<String> { n.alerts_since(t).iter().map(|a| a.to_json_line()).collect() };
    assert_eq!(
        a.techniques_since(t),
        set(&["T0830", "T0840"]),
        "the scan and the spoof"
    );
    assert_eq!(lines(&a), lines(&b));
}
