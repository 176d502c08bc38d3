//! Family 6 below the protocols: port scans (T0840 Network Connection Enumeration) and host
//! and ping sweeps (T0846 Remote System Discovery) from network events ([`crate::net`]).
//!
//! A probe is a TCP attempt refused, unanswered, half-open or closed without a byte, a UDP
//! datagram to an OT port without a message, an ICMP echo request or an ARP request, to a
//! (host, port) its source did not use while learning: a master reconnecting to its PLCs, a
//! PLC that reboots under its master, a monitoring station's pings are learned pairs and
//! never probes. Per source, a fixed window of `net.scan_window_secs` (an hour by default,
//! so that slow scans add up) scores the distinct ports probed on each host (a port scan)
//! and the distinct hosts probed on each port (a sweep), exactly (a table of the probes
//! made, bounded by `caps.assets`), OT ports weighing `net.ot_weight`.
//! The first window to reach its threshold is one finding with the ports or hosts touched
//! so far; each later new port or host of the window is one more finding of the same
//! group, which the engine folds into one aggregate (by source: hosts, ports, counts, first
//! and last seen).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::Config;
use crate::detector::{Detector, Family, Sink};
use crate::event::{Direction, Endpoint, Event, Ip, ip_from_bytes};
use crate::net::{Arp, NetEvent, TcpOutcome};
use crate::protocol::Transport;
use crate::table::{BoundedMap, TableStats};

/// OT server ports weighted in scans besides the registered protocols' own: OPC UA 4840,
/// BACnet/IP 47808, PCWorx 1962, OMRON FINS 9600, GE SRTP 18245/18246, ProConOS 20547,
/// MELSEC 5007, Red Lion Crimson 789, Niagara Fox 1911, HART-IP 5094, CODESYS 2455,
/// PROFINET RPC 34964, and the registry's Modbus 502, DNP3 20000, IEC 104 2404, S7 102,
/// EtherNet/IP 44818 and 2222 (repeated here so the list stands without the features).
pub const OT_PORTS: &[u16] = &[
    102, 502, 789, 1911, 1962, 2222, 2404, 2455, 4840, 5007, 5094, 9600, 18245, 18246, 20000,
    20547, 34964, 44818, 47808,
];

/// The kinds of probe, part of the tally keys.
const TCP: u8 = 6;
const UDP: u8 = 17;
const ICMP: u8 = 1;
const ARP: u8 = 0;

/// Items listed in a finding's evidence when it fires (the aggregate lists the rest).
const LISTED: usize = 8;

/// One window of one source's probes against one host (items: ports) or on one port
/// (items: hosts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Tally<T> {
    /// Window start (µs).
    start: u64,
    /// The first probe of the window (µs).
    first: u64,
    /// Weighted distinct items.
    score: u32,
    /// Distinct items.
    distinct: u32,
    /// Probes.
    probes: u32,
    /// Reported in this window.
    fired: bool,
    /// The first items, for the evidence.
    listed: [T; LISTED],
    n: u8,
}

impl<T: Copy + Default + PartialEq> Tally<T> {
    /// Counts a probe of `item` (weight `w`) at `ts`, whose exact (source, host, port) was
    /// last probed at `prev`; true if the item is new in the window.
    fn add(&mut self, ts: u64, window: u64, item: T, prev: Option<u64>, w: u32) -> bool {
        if ts.saturating_sub(self.start) >= window || self.probes == 0 {
            *self = Self {
                start: ts,
                first: ts,
                ..Self::default()
            };
        }
        self.probes = self.probes.saturating_add(1);
        if prev.is_some_and(|p| p >= self.start) {
            return false;
        }
        self.score = self.score.saturating_add(w);
        self.distinct = self.distinct.saturating_add(1);
        if let Some(slot) = self.listed.get_mut(usize::from(self.n)) {
            *slot = item;
            self.n += 1;
        }
        true
    }

    /// `f` with the window's counts as evidence.
    fn counts(&self, f: Finding) -> Finding {
        f.with("distinct", self.distinct)
            .with("probes", self.probes)
            .with("score", self.score)
            .with("first_seen_us", self.first)
    }

    fn listed(&self) -> &[T] {
        self.listed.get(..usize::from(self.n)).unwrap_or(&[])
    }
}

/// A probe: its kind, source, host and port (0 for ICMP and ARP).
#[derive(Debug, Clone, Copy)]
struct Probe {
    kind: u8,
    src: Ip,
    host: Ip,
    port: u16,
}

/// Vertical port scans (T0840) and horizontal host / ping sweeps (T0846) per source, from
/// failed or empty connection attempts, UDP probes, pings and ARP requests to pairs not
/// learned.
#[derive(Debug, Clone)]
pub struct NetScan {
    /// (source, host, kind, port) used while learning.
    known: BoundedMap<(Ip, Ip, u8, u16), ()>,
    /// (source, host, kind, port) probed since, and when last: what makes a port or host
    /// new in a window, exactly (until the table evicts).
    probed: BoundedMap<(Ip, Ip, u8, u16), u64>,
    /// Per (source, host): distinct ports.
    vertical: BoundedMap<(Ip, Ip), Tally<u16>>,
    /// Per (source, kind, port): distinct hosts.
    horizontal: BoundedMap<(Ip, u8, u16), Tally<Ip>>,
    /// OT ports, sorted.
    ot: Vec<u16>,
    cfg: crate::config::Net,
}

/// What a baseline keeps.
#[derive(Serialize, Deserialize)]
struct Saved {
    known: BoundedMap<(Ip, Ip, u8, u16), ()>,
    probed: BoundedMap<(Ip, Ip, u8, u16), u64>,
    vertical: BoundedMap<(Ip, Ip), Tally<u16>>,
    horizontal: BoundedMap<(Ip, u8, u16), Tally<Ip>>,
}

impl NetScan {
    /// A detector with `config.caps.assets` learned pairs and `config.caps.sources` tallies of
    /// each kind.
    pub fn new(config: &Config) -> Self {
        let mut ot: Vec<u16> = OT_PORTS.to_vec();
        ot.extend_from_slice(&config.net.ot_ports);
        for d in crate::protocol::registry() {
            ot.extend_from_slice(d.ports(Transport::Tcp));
            ot.extend_from_slice(d.ports(Transport::Udp));
        }
        ot.sort_unstable();
        ot.dedup();
        Self {
            known: BoundedMap::new(config.caps.assets),
            probed: BoundedMap::new(config.caps.assets),
            vertical: BoundedMap::new(config.caps.sources),
            horizontal: BoundedMap::new(config.caps.sources),
            ot,
            cfg: config.net.clone(),
        }
    }

    /// True for an OT port (the built-in list, the registry's and the configured ones).
    pub fn is_ot_port(&self, port: u16) -> bool {
        self.ot.binary_search(&port).is_ok()
    }

    fn weight(&self, kind: u8, port: u16) -> u32 {
        if (kind == TCP || kind == UDP) && self.is_ot_port(port) {
            self.cfg.ot_weight.max(1)
        } else {
            1
        }
    }
}

/// The probe an event is, if any (`attempt`: also a SYN or a completed handshake, which
/// are learned but never probes).
fn probe(ev: &Event<'_>, attempt: bool) -> Option<Probe> {
    let (src, host, port) = (ev.flow.client.ip, ev.flow.server.ip, ev.flow.server.port);
    let Some(net) = ev.net() else {
        // An application request: its pair is learned.
        return (attempt && ev.direction == Direction::Request).then_some(Probe {
            kind: TCP,
            src,
            host,
            port,
        });
    };
    let p = |kind, port| {
        Some(Probe {
            kind,
            src,
            host,
            port,
        })
    };
    match *net {
        NetEvent::Tcp(
            TcpOutcome::Refused
            | TcpOutcome::Unanswered
            | TcpOutcome::HalfOpen
            | TcpOutcome::ClosedEmpty,
        ) => p(TCP, port),
        NetEvent::Tcp(_) if attempt => p(TCP, port),
        NetEvent::Udp { .. } => p(UDP, port),
        NetEvent::Icmp(i) if i.is_echo_request() => p(ICMP, 0),
        NetEvent::Arp(a) if a.op == Arp::REQUEST && !a.is_probe() && !a.is_gratuitous() => {
            Some(Probe {
                kind: ARP,
                src: a.sender_ip,
                host: a.target_ip,
                port: 0,
            })
        }
        _ => None,
    }
}

fn kind_name(kind: u8) -> &'static str {
    match kind {
        TCP => "tcp",
        UDP => "udp",
        ICMP => "icmp echo",
        _ => "arp",
    }
}

/// A finding about source `p.src` probing `p.host:p.port`, grouped by source.
fn finding(
    ev: &Event<'_>,
    p: &Probe,
    t: &'static Technique,
    reason: &'static str,
    summary: String,
) -> Finding {
    let f = Finding::new(ev, t, Severity::Medium, 0.8, summary).because(reason);
    Finding {
        src: Endpoint { ip: p.src, port: 0 },
        dst: Endpoint {
            ip: p.host,
            port: p.port,
        },
        unit: None,
        ..f
    }
    .by_source()
}

impl Detector for NetScan {
    fn name(&self) -> &'static str {
        "scan"
    }

    fn family(&self) -> Family {
        Family::Rate
    }

    fn network(&self) -> bool {
        true
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let learning = sink.is_learning();
        if !learning && !ev.is_network() {
            return;
        }
        let Some(p) = probe(ev, learning) else {
            return;
        };
        let key = (p.src, p.host, p.kind, p.port);
        if learning {
            let _ = self.known.get_or_insert_with(key, || ());
            return;
        }
        if p.src == crate::event::UNSPECIFIED || self.known.contains(&key) {
            return;
        }
        let prev = match self.probed.get_or_insert_with(key, || ev.ts) {
            Some((last, false)) => Some(core::mem::replace(last, ev.ts)),
            _ => None,
        };
        let window = self.cfg.scan_window_secs.max(1).saturating_mul(1_000_000);
        let w = self.weight(p.kind, p.port);
        let src = ip_from_bytes(p.src);
        let host = ip_from_bytes(p.host);
        // Vertical: the ports of one host (TCP and UDP only).
        if p.kind == TCP || p.kind == UDP {
            let thr = self.cfg.port_scan_score;
            if let Some((t, _)) = self
                .vertical
                .get_or_insert_with((p.src, p.host), Tally::default)
            {
                let new = t.add(ev.ts, window, p.port, prev, w);
                if !t.fired && t.score >= thr {
                    t.fired = true;
                    let f = finding(
                        ev,
                        &p,
                        &catalog::T0840,
                        "port_scan",
                        format!(
                            "{src} probed {} ports of {host} in {:.0} s (score {}, threshold {thr})",
                            t.distinct,
                            super::secs(ev.ts.saturating_sub(t.first)),
                            t.score
                        ),
                    )
                    .with("ports", t.listed().to_vec());
                    sink.report(t.counts(f));
                } else if t.fired && new {
                    sink.report(finding(
                        ev,
                        &p,
                        &catalog::T0840,
                        "port_scan",
                        format!("{src} probed {host} {} {}", kind_name(p.kind), p.port),
                    ));
                }
            }
        }
        // Horizontal: the hosts probed on one port (or pinged, or ARPed for).
        let thr = self.cfg.sweep_score;
        let (reason, what) = match p.kind {
            ICMP => ("ping_sweep", "pinged"),
            ARP => ("arp_sweep", "ARPed for"),
            _ => ("host_sweep", "probed"),
        };
        if let Some((t, _)) = self
            .horizontal
            .get_or_insert_with((p.src, p.kind, p.port), Tally::default)
        {
            let new = t.add(ev.ts, window, p.host, prev, w);
            if !t.fired && t.score >= thr {
                t.fired = true;
                let hosts: Vec<String> = t
                    .listed()
                    .iter()
                    .map(|ip| ip_from_bytes(*ip).to_string())
                    .collect();
                let f = finding(
                    ev,
                    &p,
                    &catalog::T0846,
                    reason,
                    format!(
                        "{src} {what} {} hosts ({} {}) in {:.0} s (score {}, threshold {thr})",
                        t.distinct,
                        kind_name(p.kind),
                        p.port,
                        super::secs(ev.ts.saturating_sub(t.first)),
                        t.score
                    ),
                )
                .with("hosts", hosts)
                .with("port", p.port);
                sink.report(t.counts(f));
            } else if t.fired && new {
                sink.report(finding(
                    ev,
                    &p,
                    &catalog::T0846,
                    reason,
                    format!("{src} {what} {host} ({} {})", kind_name(p.kind), p.port),
                ));
            }
        }
    }

    fn stats(&self) -> TableStats {
        self.known
            .stats()
            .merge(self.probed.stats())
            .merge(self.vertical.stats())
            .merge(self.horizontal.stats())
    }

    fn save(&self) -> Result<Value, Error> {
        save(&Saved {
            known: self.known.clone(),
            probed: self.probed.clone(),
            vertical: self.vertical.clone(),
            horizontal: self.horizontal.clone(),
        })
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let s: Saved = load(state)?;
        self.known = s.known;
        self.probed = s.probed;
        self.vertical = s.vertical;
        self.horizontal = s.horizontal;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ot_ports_include_the_registry_and_the_configured_ones() {
        let mut c = Config::default();
        c.net.ot_ports = vec![12345];
        let s = NetScan::new(&c);
        for p in [502, 20000, 2404, 102, 44818, 2222, 4840, 47808, 12345] {
            assert!(s.is_ot_port(p), "{p}");
        }
        assert!(!s.is_ot_port(80) && !s.is_ot_port(22));
    }

    #[test]
    fn tally_counts_distinct_items_and_restarts_with_the_window() {
        let mut t = Tally::<u16>::default();
        assert!(t.add(10, 100, 502, None, 4));
        assert!(!t.add(20, 100, 502, Some(10), 4), "a repeat is not new");
        assert!(t.add(30, 100, 80, None, 1));
        assert_eq!((t.score, t.distinct, t.probes), (5, 2, 3));
        assert_eq!(t.listed(), &[502, 80]);
        // The window ends: the tally starts again, and the port probed in the last one is
        // new in this one.
        assert!(t.add(110, 100, 502, Some(20), 4));
        assert_eq!((t.score, t.distinct, t.probes, t.first), (4, 1, 1, 110));
    }
}
