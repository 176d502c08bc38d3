//! A small simulated network for the network detectors' scenarios: an HMI polling two PLCs
//! over Modbus/TCP through a gateway's LAN, with the link metadata a capture gives (MACs,
//! TTLs), reconnects, ARP chatter, DHCP renewals, a monitoring station's pings, and a backup
//! master. Events are built by hand ([`Event::network`], [`Event::new`]) and go through
//! `Engine::new(config)` with every detector, as otscan would feed them.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use otwire_detect::net::{Arp, Icmp, Mac, TcpOutcome};
use otwire_detect::{
    Action, Alert, Config, Direction, Endpoint, Engine, Event, Flow, Link, Meta, NetEvent,
    Protocol, Space, Target, Targets,
};

/// 2023-11-14T22:13:20Z.
pub const T0: u64 = 1_700_000_000_000_000;
pub const SEC: u64 = 1_000_000;

pub const GW: u8 = 1;
pub const HMI: u8 = 2;
pub const BACKUP: u8 = 3;
pub const NMS: u8 = 4;
pub const PLC1: u8 = 10;
pub const PLC2: u8 = 11;
pub const LAPTOP: u8 = 50;
pub const ATTACKER: u8 = 66;

pub fn ip(last: u8) -> [u8; 16] {
    Endpoint::v4([10, 0, 0, last], 0).ip
}

pub fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint::v4([10, 0, 0, last], port)
}

pub fn mac(last: u8) -> Mac {
    [2, 0, 0, 0, 0, last]
}

/// What the plant does, second by second.
#[derive(Debug, Clone)]
pub struct Plant {
    /// The master polling the PLCs (the HMI, or the backup after a takeover).
    pub master: u8,
    /// Polling on (false: the master is cut off, as by an ARP spoof without forwarding).
    pub polling: bool,
    /// The source MAC and TTL the PLCs see the master's packets with, and the master sees
    /// the PLCs' with (`None`: each host's own MAC, TTL 64).
    pub via: Option<(Mac, u8)>,
    /// Link metadata on the plant's application events (false: a capture without it).
    pub with_link: bool,
    /// PLC2's MAC (changed once while learning: a device replaced).
    pub plc2_mac: Mac,
    /// Seconds until PLC1 answers connections again (a reboot: refused meanwhile).
    pub plc1_down: u32,
}

pub struct Net {
    pub engine: Engine,
    pub now: u64,
    pub frame: u64,
    pub flow: u64,
    pub tid: u32,
    pub secs: u64,
    pub plant: Plant,
    pub alerts: Vec<Alert>,
}

/// Every detector but periodicity: the backup master's takeover (in the learning drill and
/// after it) silences the other master's periodic polls, which periodicity rightly reports
/// missing (T0803/T0804); `benign_hours_with_periodicity` counts those apart.
pub fn config() -> Config {
    let mut c = Config {
        learning_secs: 3600,
        ..Config::default()
    };
    c.enable.periodicity = false;
    c
}

impl Net {
    pub fn new(config: Config) -> Self {
        Self {
            engine: Engine::new(config),
            now: T0,
            frame: 0,
            flow: 0,
            tid: 0,
            secs: 0,
            plant: Plant {
                master: HMI,
                polling: true,
                via: None,
                with_link: true,
                plc2_mac: mac(PLC2),
                plc1_down: 0,
            },
            alerts: Vec::new(),
        }
    }

    pub fn observe(&mut self, ev: &Event<'_>) {
        let a = self.engine.observe(ev);
        self.alerts.extend(a.iter().cloned());
    }

    pub fn finish(&mut self) {
        let a = self.engine.finish();
        self.alerts.extend(a.iter().cloned());
    }

    pub fn meta(&mut self, client: Endpoint, server: Endpoint, link: Link) -> Meta {
        self.frame += 1;
        Meta {
            ts: self.now,
            frame: self.frame,
            flow_id: self.flow,
            flow: Flow::new(client, server),
            link,
        }
    }

    /// The MAC host `last` is seen with.
    pub fn mac_of(&self, last: u8) -> Mac {
        if last == PLC2 {
            self.plant.plc2_mac
        } else {
            mac(last)
        }
    }

    /// The link metadata of a packet from `src` to `dst` on the plant's path.
    pub fn link(&self, src: u8, dst: u8) -> Link {
        if !self.plant.with_link {
            return Link::NONE;
        }
        let (src_mac, ttl) = self.plant.via.unwrap_or((self.mac_of(src), 64));
        Link {
            ip_proto: None,
            src_mac: Some(src_mac),
            dst_mac: Some(self.mac_of(dst)),
            ttl: Some(ttl),
        }
    }

    pub fn host_link(&self, src: u8) -> Link {
        Link {
            ip_proto: None,
            src_mac: Some(self.mac_of(src)),
            dst_mac: None,
            ttl: Some(64),
        }
    }

    /// A TCP network event from `client:cport` to `server:port`.
    pub fn tcp(&mut self, client: u8, cport: u16, server: u8, port: u16, o: TcpOutcome) {
        let link = self.host_link(client);
        let m = self.meta(ep(client, cport), ep(server, port), link);
        self.observe(&Event::network(m, NetEvent::Tcp(o)));
    }

    pub fn udp(&mut self, client: u8, cport: u16, server: u8, port: u16, len: u32) {
        let link = self.host_link(client);
        let m = self.meta(ep(client, cport), ep(server, port), link);
        self.observe(&Event::network(m, NetEvent::Udp { len }));
    }

    pub fn ping(&mut self, src: u8, dst: u8) {
        let echo = Icmp {
            v6: false,
            kind: 8,
            code: 0,
            quoted: None,
        };
        let link = self.host_link(src);
        let m = self.meta(ep(src, 0), ep(dst, 0), link);
        self.observe(&Event::network(m, NetEvent::Icmp(echo)));
        let reply = Icmp { kind: 0, ..echo };
        let link = self.host_link(dst);
        let m = self.meta(ep(dst, 0), ep(src, 0), link);
        self.observe(&Event::network(m, NetEvent::Icmp(reply)));
    }

    /// An ARP packet sent by `from` claiming `sender_ip` (0: a probe) for `sender_mac`.
    pub fn arp(&mut self, op: u16, sender_mac: Mac, sender_ip: u8, target_ip: u8) {
        let a = Arp {
            op,
            sender_mac,
            sender_ip: if sender_ip == 0 {
                Endpoint::v4([0, 0, 0, 0], 0).ip
            } else {
                ip(sender_ip)
            },
            target_mac: [0; 6],
            target_ip: ip(target_ip),
        };
        let link = Link {
            ip_proto: None,
            src_mac: Some(sender_mac),
            dst_mac: None,
            ttl: None,
        };
        let m = self.meta(ep(sender_ip, 0), ep(target_ip, 0), link);
        self.observe(&Event::network(m, NetEvent::Arp(a)));
    }

    /// `host` asks for `target`'s MAC and `target` answers.
    pub fn arp_exchange(&mut self, host: u8, target: u8) {
        let (hm, tm) = (self.mac_of(host), self.mac_of(target));
        self.arp(Arp::REQUEST, hm, host, target);
        self.arp(Arp::REPLY, tm, target, host);
    }

    /// A connection of the master to `plc` (SYN, then established or refused).
    pub fn connect(&mut self, master: u8, plc: u8) {
        self.flow += 1;
        let cport = 40_000 + (self.flow % 20_000) as u16;
        self.tcp(master, cport, plc, 502, TcpOutcome::Syn);
        if plc == PLC1 && self.plant.plc1_down > 0 {
            self.tcp(master, cport, plc, 502, TcpOutcome::Refused);
        } else {
            self.tcp(master, cport, plc, 502, TcpOutcome::Established);
        }
    }

    /// A read of ten holding registers and its response.
    pub fn poll(&mut self, master: u8, plc: u8) {
        self.tid = self.tid.wrapping_add(1);
        let flow = (ep(master, 40_000 + plc as u16), ep(plc, 502));
        for (dir, src, dst) in [
            (Direction::Request, master, plc),
            (Direction::Response, plc, master),
        ] {
            let link = self.link(src, dst);
            let m = self.meta(flow.0, flow.1, link);
            let ev = Event {
                unit: 1,
                action: Action::Read,
                function: 3,
                targets: Targets::one(Target::new(Space::HoldingRegisters, 0, 10)),
                transaction: Some(self.tid & 0xffff),
                ..Event::new(m, Protocol::Modbus, dir)
            };
            self.observe(&ev);
        }
    }

    /// One second of the plant.
    pub fn tick(&mut self) {
        let s = self.secs;
        let master = self.plant.master;
        if self.plant.polling {
            // Reconnects every minute (the master's own policy), polls every second.
            if s % 60 == 0 {
                self.connect(master, PLC1);
                self.connect(master, PLC2);
            }
            if self.plant.plc1_down == 0 {
                self.poll(master, PLC1);
            }
            self.poll(master, PLC2);
        }
        self.plant.plc1_down = self.plant.plc1_down.saturating_sub(1);
        // ARP chatter: every host refreshes the gateway and its peers.
        if s % 30 == 7 {
            for h in [HMI, NMS, PLC1, PLC2, BACKUP] {
                self.arp_exchange(h, GW);
            }
            self.arp_exchange(master, PLC1);
            self.arp_exchange(master, PLC2);
        }
        // The monitoring station pings everything once a minute.
        if s % 60 == 30 {
            for h in [GW, HMI, BACKUP, PLC1, PLC2] {
                self.ping(NMS, h);
            }
        }
        // The laptop renews its DHCP lease every 30 minutes: DHCPREQUEST, then an ARP
        // probe and an announcement (RFC 5227).
        if s % 1800 == 100 {
            self.udp(LAPTOP, 68, GW, 67, 300);
            self.arp(Arp::REQUEST, mac(LAPTOP), 0, LAPTOP);
            self.arp(Arp::REQUEST, mac(LAPTOP), LAPTOP, LAPTOP);
            self.arp(Arp::REQUEST, mac(LAPTOP), LAPTOP, LAPTOP);
            self.arp_exchange(LAPTOP, GW);
        }
        self.secs += 1;
        self.now += SEC;
    }

    pub fn run_for(&mut self, secs: u64) {
        for _ in 0..secs {
            self.tick();
        }
    }

    /// Runs `secs` of plant, calling `extra(self, i)` at the start of each second.
    pub fn run_with(&mut self, secs: u64, mut extra: impl FnMut(&mut Self, u64)) {
        for i in 0..secs {
            extra(self, i);
            self.tick();
        }
    }

    pub fn alerts_since(&self, ts: u64) -> Vec<&Alert> {
        self.alerts.iter().filter(|a| a.ts.0 >= ts).collect()
    }

    pub fn techniques_since(&self, ts: u64) -> BTreeSet<String> {
        self.alerts_since(ts)
            .iter()
            .map(|a| a.technique_id.to_string())
            .collect()
    }

    /// The alerts of `detector` since `ts`.
    pub fn of(&self, detector: &str, ts: u64) -> Vec<&Alert> {
        self.alerts_since(ts)
            .into_iter()
            .filter(|a| a.detector == detector)
            .collect()
    }

    pub fn report(&self, since: u64) {
        for a in self.alerts_since(since) {
            eprintln!("{}", a.to_json_line());
        }
    }
}

/// An hour of learning: the plant, with the backup master taking over for ten minutes (a
/// drill) and PLC2 replaced (a new MAC, announced) after twenty.
pub fn learned(cfg: Config) -> Net {
    let n = learned_quietly(cfg);
    assert!(
        n.alerts.is_empty(),
        "learning reports nothing: {:?}",
        n.alerts
    );
    n
}

/// [`learned`], whatever learning reported.
pub fn learned_quietly(cfg: Config) -> Net {
    let mut n = Net::new(cfg);
    n.run_for(600);
    n.plant.master = BACKUP;
    n.run_for(600);
    n.plant.master = HMI;
    n.plant.plc2_mac = mac(111);
    n.arp(Arp::REQUEST, mac(111), PLC2, PLC2);
    n.run_for(2400 + 1);
    assert_eq!(n.engine.mode(), otwire_detect::Mode::Detecting);
    n
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}
