//! otwire-detect fuzz body: arbitrary event sequences (application PDUs and network events:
//! TCP attempts and outcomes, UDP, ICMP, ARP, with arbitrary link metadata) and arbitrary
//! Modbus, DNP3, IEC 104, S7 and EtherNet/IP bytes through each protocol's analyzer (TCP
//! streams and UDP datagrams) and an engine with every detector on and tiny table caps. Never panics; tables never pass their caps;
//! a saved baseline reloads identically.

use otwire_detect::config::Caps;
use otwire_detect::net::{Arp, Icmp, TcpOutcome};
use otwire_detect::protocol::dnp3::Dnp3;
use otwire_detect::protocol::enip::Enip;
use otwire_detect::protocol::iec104::Iec104;
use otwire_detect::protocol::modbus::Modbus;
use otwire_detect::protocol::s7::S7;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{
    Action, Config, Conformance, Direction, Endpoint, Engine, Event, Flow, Link, Marks, Meta,
    NetEvent, Outcome, Protocol, Space, Target, Targets, Values,
};

const CAP: usize = 8;

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn u8(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes([self.u8()?, self.u8()?]))
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

fn action(b: u8) -> Action {
    const A: [Action; 13] = [
        Action::Read,
        Action::Write,
        Action::Command,
        Action::ProgramDownload,
        Action::ProgramUpload,
        Action::ModeChange,
        Action::Restart,
        Action::Discovery,
        Action::Diagnostic,
        Action::TimeSync,
        Action::FileTransfer,
        Action::Config,
        Action::Other,
    ];
    A.get(usize::from(b) % A.len())
        .copied()
        .unwrap_or(Action::Other)
}

fn space(b: u8) -> Space {
    match b % 7 {
        0 => Space::Coils,
        1 => Space::DiscreteInputs,
        2 => Space::HoldingRegisters,
        3 => Space::InputRegisters,
        4 => Space::Files,
        5 => Space::Other(u16::from(b)),
        _ => Space::None,
    }
}

/// A network event from four input bytes, on `flow` (its server port replaced).
fn network(f: &[u8], meta: Meta) -> Event<'static> {
    let g = |i: usize| f.get(i).copied().unwrap_or(0);
    let ports = [502, 20000, 2404, 102, 44818, 80, 22, u16::from(g(1))];
    let port = ports.get(usize::from(g(1) & 7)).copied().unwrap_or(0);
    let (client, server) = (meta.flow.client, meta.flow.server);
    let flow = Flow::new(client, Endpoint { port, ..server });
    let net = match g(0) % 4 {
        0 => {
            const O: [TcpOutcome; 6] = [
                TcpOutcome::Syn,
                TcpOutcome::Refused,
                TcpOutcome::Unanswered,
                TcpOutcome::HalfOpen,
                TcpOutcome::Established,
                TcpOutcome::ClosedEmpty,
            ];
            NetEvent::Tcp(
                O.get(usize::from(g(2)) % O.len())
                    .copied()
                    .unwrap_or(TcpOutcome::Syn),
            )
        }
        1 => NetEvent::Udp {
            len: u32::from(g(2)),
        },
        2 => {
            let kinds = [0, 3, 8, 11, 1, 128, 129, g(3)];
            let kind = kinds.get(usize::from(g(2) & 7)).copied().unwrap_or(8);
            NetEvent::Icmp(Icmp {
                v6: kind >= 128 || g(2) & 8 != 0,
                kind,
                code: g(3) & 7,
                quoted: (g(2) & 16 != 0).then_some((17, server.ip, port)),
            })
        }
        _ => NetEvent::Arp(Arp {
            op: 1 + u16::from(g(2) & 1),
            sender_mac: [2, 0, 0, 0, 0, g(3) & 0x0f],
            sender_ip: if g(2) & 2 != 0 {
                Endpoint::v4([0, 0, 0, 0], 0).ip
            } else {
                client.ip
            },
            target_mac: [0; 6],
            target_ip: if g(2) & 4 != 0 { client.ip } else { server.ip },
        }),
    };
    Event::network(Meta { flow, ..meta }, net)
}

fn check(engine: &Engine) {
    let s = engine.stats();
    for (name, t) in &s.tables {
        assert!(t.len <= t.cap, "{name} over its cap: {t:?}");
    }
    assert!(s.aggregation.len <= CAP);
}

/// Runs one input.
pub fn detect_events(data: &[u8]) {
    let mut c = Cursor(data);
    let Some(head) = c.u8() else { return };
    let config = Config {
        learning_secs: u64::from(head & 0x0f),
        suppress_secs: u64::from(head >> 4),
        caps: Caps::all(CAP),
        ..Config::default()
    };
    let mut engine = Engine::new(config.clone());
    let mut modbus = Sessions::<Modbus>::with_capacity(Transport::Tcp, CAP);
    let mut modbus_udp = Sessions::<Modbus>::with_capacity(Transport::Udp, CAP);
    let mut dnp3 = Sessions::<Dnp3>::with_capacity(Transport::Tcp, CAP);
    let mut dnp3_udp = Sessions::<Dnp3>::with_capacity(Transport::Udp, CAP);
    let mut iec104 = Sessions::<Iec104>::with_capacity(Transport::Tcp, CAP);
    let mut s7 = Sessions::<S7>::with_capacity(Transport::Tcp, CAP);
    let mut enip = Sessions::<Enip>::with_capacity(Transport::Tcp, CAP);
    let mut enip_udp = Sessions::<Enip>::with_capacity(Transport::Udp, CAP);
    let mut ts: u64 = 1_700_000_000_000_000;
    let mut frame = 0u64;
    let mut events = 0;
    let mut reloads = 0;
    while let Some(op) = c.u8() {
        events += 1;
        if events > 512 {
            break;
        }
        // Time moves mostly forward, sometimes back a little.
        let dt = u64::from(c.u8().unwrap_or(0));
        if op & 0x80 != 0 {
            ts = ts.saturating_sub(dt * 1000);
        } else {
            ts = ts.saturating_add(dt * dt * 10_000);
        }
        frame += 1;
        let hosts = c.u8().unwrap_or(0);
        let flow = Flow::new(
            Endpoint::v4([10, 0, 0, hosts & 0x0f], 40_000 + u16::from(hosts >> 6)),
            Endpoint::v4([10, 0, 1, hosts >> 4], 502),
        );
        // Link metadata on odd time steps: a MAC and TTL that vary with the input.
        let d = dt as u8;
        let link = if d & 1 == 0 {
            Link::NONE
        } else {
            Link {
                ip_proto: None,
                src_mac: Some([2, 0, 0, 0, hosts >> 4, (hosts & 0x0f) ^ (d >> 5)]),
                dst_mac: (d & 2 != 0).then_some([2, 0, 0, 1, 0, hosts >> 4]),
                ttl: Some(62 + (d >> 6)),
            }
        };
        let meta = Meta {
            link,
            ts,
            frame,
            flow_id: u64::from(hosts),
            flow,
        };
        let dir = if op & 0x40 != 0 {
            Direction::Response
        } else {
            Direction::Request
        };
        match op & 0x07 {
            0 => {
                // Raw Modbus bytes: the next stream bytes of a connection, or a datagram.
                let n = usize::from(c.u8().unwrap_or(0));
                let bytes = c.take(n);
                let sessions = if op & 0x08 != 0 {
                    &mut modbus_udp
                } else {
                    &mut modbus
                };
                sessions.feed(meta, dir, bytes, |ev| {
                    let _ = engine.observe(ev);
                });
            }
            1 => {
                // Raw DNP3 bytes: stream bytes (a gap first, sometimes), or a datagram.
                let gap = c.u16().unwrap_or(0);
                let n = usize::from(c.u8().unwrap_or(0));
                let bytes = c.take(n);
                if gap & 1 != 0 {
                    dnp3.gap(flow, dir);
                }
                let sessions = if op & 0x08 != 0 {
                    &mut dnp3_udp
                } else {
                    &mut dnp3
                };
                sessions.feed(meta, dir, bytes, |ev| {
                    let _ = engine.observe(ev);
                });
                if gap & 2 != 0 {
                    dnp3.close(meta, |ev| {
                        let _ = engine.observe(ev);
                    });
                }
            }
            2 => {
                // Raw IEC 104 stream bytes, or (bit 3) raw S7 stream bytes, a gap first
                // when the length's top bit is set.
                let n = usize::from(c.u8().unwrap_or(0));
                let bytes = c.take(n & 0x7f);
                if op & 0x08 != 0 {
                    if n & 0x80 != 0 {
                        s7.gap(flow, dir);
                    }
                    s7.feed(meta, dir, bytes, |ev| {
                        let _ = engine.observe(ev);
                    });
                } else {
                    iec104.feed(meta, dir, bytes, |ev| {
                        let _ = engine.observe(ev);
                    });
                }
            }
            3 | 4 => {
                // A synthetic event, every field from the input.
                let f = c.take(16);
                let g = |i: usize| f.get(i).copied().unwrap_or(0);
                let vals = c.take(usize::from(g(0) % 64));
                let t0 = Target::new(
                    space(g(1)),
                    u32::from(u16::from_be_bytes([g(2), g(3)])),
                    u32::from(g(4)),
                );
                let t1 = Target::new(space(g(5)), u32::from(g(6)) << 8, u32::from(g(7)));
                let ev = Event {
                    unit: u16::from(g(8)),
                    station: (g(9) & 0x80 != 0).then_some(u16::from(g(9) & 0x0f)),
                    action: action(g(9)),
                    function: u16::from(g(10)),
                    sub_function: (g(11) & 1 != 0).then_some(u16::from(g(11))),
                    marks: Marks(u16::from(g(12))),
                    targets: match g(13) % 3 {
                        0 => Targets::NONE,
                        1 => Targets::one(t0),
                        _ => Targets::two(t0, t1),
                    },
                    values: match g(14) % 4 {
                        0 => Values::None,
                        1 => Values::Bits {
                            bytes: vals,
                            count: u32::from(g(4)),
                        },
                        2 => Values::U16Be(vals),
                        _ => Values::Single(i64::from(g(15)) - 128),
                    },
                    values_target: g(14) >> 7,
                    outcome: match g(15) % 4 {
                        0 | 1 => Outcome::Ok,
                        2 => Outcome::Exception(u16::from(g(15))),
                        _ => Outcome::Unparsed,
                    },
                    transaction: (g(8) & 1 != 0).then_some(u32::from(g(2))),
                    conformance: Conformance(u16::from(g(12)) << 1 & u16::from(g(15))),
                    anomalies: u64::from(g(11)),
                    raw: vals,
                    ..Event::new(
                        meta,
                        if g(9) & 0x80 != 0 {
                            Protocol::Dnp3
                        } else {
                            Protocol::Modbus
                        },
                        dir,
                    )
                };
                let _ = engine.observe(&ev);
            }
            5 if op & 0x30 != 0 => {
                // A network event.
                let f = c.take(4);
                let _ = engine.observe(&network(f, meta));
            }
            5 => {
                if op & 0x08 != 0 {
                    engine.finish_learning();
                } else {
                    engine.learn();
                }
            }
            6 if reloads < 4 => {
                // Save and reload: the reload saves identically.
                reloads += 1;
                if let Ok(json) = engine.save_baseline_json() {
                    let mut other = Engine::new(config.clone());
                    assert!(other.load_baseline_json(&json).is_ok());
                    assert_eq!(
                        other.save_baseline_json().ok().as_deref(),
                        Some(json.as_str())
                    );
                    engine = other;
                }
            }
            6 => {}
            7 if op & 0x08 != 0 => {
                // Raw EtherNet/IP bytes to port 44818: TCP stream bytes (a gap first when
                // bit 5 is set), or (bit 4) a UDP datagram to 44818 or (bit 5) to 2222.
                let n = usize::from(c.u8().unwrap_or(0));
                let bytes = c.take(n);
                let udp = op & 0x10 != 0;
                let port = if udp && op & 0x20 != 0 { 2222 } else { 44818 };
                let flow = Flow::new(
                    flow.client,
                    Endpoint {
                        port,
                        ..flow.server
                    },
                );
                let meta = Meta { flow, ..meta };
                let sessions = if udp {
                    &mut enip_udp
                } else {
                    if op & 0x20 != 0 {
                        enip.gap(flow, dir);
                    }
                    &mut enip
                };
                sessions.feed(meta, dir, bytes, |ev| {
                    let _ = engine.observe(ev);
                });
            }
            _ => {
                // Many requests at once (flood / scan shapes), from the input's first byte.
                let n = c.u8().unwrap_or(0) % 64;
                for i in 0..u16::from(n) {
                    let ev = Event {
                        action: Action::Read,
                        function: 3,
                        targets: Targets::one(Target::new(
                            Space::HoldingRegisters,
                            u32::from(i),
                            1,
                        )),
                        transaction: Some(u32::from(i)),
                        ..Event::new(
                            Meta {
                                link: Default::default(),
                                ts: ts + u64::from(i),
                                ..meta
                            },
                            Protocol::Modbus,
                            dir,
                        )
                    };
                    let _ = engine.observe(&ev);
                }
            }
        }
        check(&engine);
    }
    for a in engine.observe(&Event::new(
        Meta {
            link: Default::default(),
            ts,
            ..Meta::default()
        },
        Protocol::Modbus,
        Direction::Request,
    )) {
        let line = a.to_json_line();
        assert!(!line.contains('\n'));
    }
    // The end of the input: every open aggregate comes out, and the table is empty.
    for a in engine.finish() {
        assert!(a.aggregate && a.count >= 1);
        assert!(a.first_seen <= a.last_seen && a.last_seen <= a.ts);
        assert!(!a.to_json_line().contains('\n'));
    }
    assert_eq!(engine.stats().aggregation.len, 0);
}
