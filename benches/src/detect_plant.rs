//! The synthetic plant of the detect bench (benches/benches/detect.rs) and of
//! `examples/detect_profile.rs`: 40 clients polling 10 servers over Modbus/TCP, with the
//! plant's network events, decoded into otwire-detect events.

use otwire_detect::net::{Arp, Icmp, TcpOutcome};
use otwire_detect::protocol::modbus::Modbus;
use otwire_detect::protocol::{Arena, ConnInfo, Out, Session, Stream, Transport};
use otwire_detect::{Config, Direction, Endpoint, Event, Flow, Link, Meta, NetEvent};
use otwire_modbus::{
    Address, Adu, Emit, RegisterValues, Request, Response, TransactionId, UnitId, pack_registers,
};

/// The plant's first timestamp (µs since the epoch).
pub const T0: u64 = 1_700_000_000_000_000;

/// One captured segment: its metadata, direction and bytes.
pub struct Rec {
    /// Timestamp, flow, link.
    pub meta: Meta,
    /// Request or response side.
    pub dir: Direction,
    /// The Modbus/TCP ADU.
    pub bytes: Vec<u8>,
}

/// `secs` seconds of the plant, starting at `start`.
pub fn plant(start: u64, secs: u64, seed: u64) -> Vec<Rec> {
    let mut rng = seed;
    let mut next = || {
        rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    struct Poll {
        client: u8,
        server: u8,
        kind: u8,
        period: u64,
        next: u64,
    }
    let mut polls = Vec::new();
    for c in 0..40u8 {
        for k in 0..3u8 {
            polls.push(Poll {
                client: c,
                server: c % 10,
                kind: k,
                period: 1_000_000 + u64::from(k) * 500_000,
                next: start + u64::from(c) * 7_919,
            });
        }
    }
    let mut out = Vec::new();
    let mut tid = 0u16;
    let end = start + secs * 1_000_000;
    loop {
        let (i, t) = polls
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.next))
            .min_by_key(|x| x.1)
            .unwrap();
        if t > end {
            return out;
        }
        let p = &mut polls[i];
        let jitter = next() % (p.period / 10);
        p.next = t + p.period - p.period / 20 + jitter;
        tid = tid.wrapping_add(1);
        let flow = Flow::new(
            Endpoint::v4([10, 0, 1, p.client], 40_000 + u16::from(p.client)),
            Endpoint::v4([10, 0, 2, p.server], 502),
        );
        let unit = UnitId(1 + p.client % 3);
        let s = (t - T0) as f64 / 1e6;
        let vals: Vec<u16> = (0..10u16)
            .map(|a| {
                (1000.0
                    + f64::from(a) * 10.0
                    + 50.0 * (std::f64::consts::TAU * s / 60.0 + f64::from(a)).sin())
                    as u16
            })
            .collect();
        let mut buf = [0u8; 20];
        let packed = pack_registers(&vals, &mut buf).unwrap();
        let (req, rsp) = match p.kind {
            0 => (
                Request::ReadHoldingRegisters {
                    address: Address(0),
                    quantity: 10,
                },
                Response::ReadHoldingRegisters {
                    values: RegisterValues::new(packed),
                },
            ),
            1 => (
                Request::ReadInputRegisters {
                    address: Address(100),
                    quantity: 10,
                },
                Response::ReadInputRegisters {
                    values: RegisterValues::new(packed),
                },
            ),
            _ => {
                let v = 500 + (next() % 20) as u16;
                (
                    Request::WriteSingleRegister {
                        address: Address(20),
                        value: v,
                    },
                    Response::WriteSingleRegister {
                        address: Address(20),
                        value: v,
                    },
                )
            }
        };
        let meta = Meta {
            link: link([2, 0, 1, 0, 0, p.client], [2, 0, 2, 0, 0, p.server]),
            ts: t,
            frame: out.len() as u64 + 1,
            flow_id: 0,
            flow,
        };
        out.push(Rec {
            meta,
            dir: Direction::Request,
            bytes: Adu::new(TransactionId(tid), unit, &req).to_vec().unwrap(),
        });
        let meta = Meta {
            link: link([2, 0, 2, 0, 0, p.server], [2, 0, 1, 0, 0, p.client]),
            ts: t + 1_500,
            ..meta
        };
        out.push(Rec {
            meta,
            dir: Direction::Response,
            bytes: Adu::new(TransactionId(tid), unit, &rsp).to_vec().unwrap(),
        });
    }
}

/// The link metadata of a packet on the plant's LAN.
fn link(src: [u8; 6], dst: [u8; 6]) -> Link {
    Link {
        ip_proto: None,
        src_mac: Some(src),
        dst_mac: Some(dst),
        ttl: Some(64),
    }
}

/// The plant's network events in `secs` seconds from `start`: each client reconnects every
/// 60 s (SYN, established), ARPs for its server every 30 s (request, reply), and a monitor
/// pings the servers every 10 s.
pub fn network(start: u64, secs: u64) -> Vec<Event<'static>> {
    let mut out = Vec::new();
    for s in 0..secs {
        let t = start + s * 1_000_000;
        for c in 0..40u8 {
            let server = c % 10;
            let (cm, sm) = ([2, 0, 1, 0, 0, c], [2, 0, 2, 0, 0, server]);
            let (cip, sip) = (
                Endpoint::v4([10, 0, 1, c], 0),
                Endpoint::v4([10, 0, 2, server], 0),
            );
            let meta = |dt: u64, client: Endpoint, server: Endpoint, l: Link| Meta {
                ts: t + dt,
                frame: 0,
                flow_id: 0,
                flow: Flow::new(client, server),
                link: l,
            };
            if (s + u64::from(c)) % 60 == 0 {
                let (ce, se) = (
                    Endpoint::v4([10, 0, 1, c], 40_000 + u16::from(c)),
                    Endpoint::v4([10, 0, 2, server], 502),
                );
                for (dt, o) in [(10, TcpOutcome::Syn), (20, TcpOutcome::Established)] {
                    out.push(Event::network(
                        meta(dt, ce, se, link(cm, sm)),
                        NetEvent::Tcp(o),
                    ));
                }
            }
            if (s + u64::from(c)) % 30 == 0 {
                for (dt, op, from, to, l) in [
                    (30, Arp::REQUEST, cip, sip, link(cm, [0xff; 6])),
                    (40, Arp::REPLY, sip, cip, link(sm, cm)),
                ] {
                    let a = Arp {
                        op,
                        sender_mac: l.src_mac.unwrap_or_default(),
                        sender_ip: from.ip,
                        target_mac: [0; 6],
                        target_ip: to.ip,
                    };
                    out.push(Event::network(meta(dt, from, to, l), NetEvent::Arp(a)));
                }
            }
        }
        if s % 10 == 0 {
            for server in 0..10u8 {
                let echo = Icmp {
                    v6: false,
                    kind: 8,
                    code: 0,
                    quoted: None,
                };
                let (m, sip) = (
                    Endpoint::v4([10, 0, 3, 1], 0),
                    Endpoint::v4([10, 0, 2, server], 0),
                );
                let l = link([2, 0, 3, 0, 0, 1], [2, 0, 2, 0, 0, server]);
                out.push(Event::network(
                    Meta {
                        ts: t + 50,
                        frame: 0,
                        flow_id: 0,
                        flow: Flow::new(m, sip),
                        link: l,
                    },
                    NetEvent::Icmp(echo),
                ));
            }
        }
    }
    out
}

/// `events` and `net` in time order.
pub fn merge<'b>(mut events: Vec<Event<'b>>, net: Vec<Event<'static>>) -> Vec<Event<'b>> {
    events.extend(net);
    events.sort_by_key(|e| e.ts);
    events
}

/// The events of every record, through one Modbus analyzer per flow; frames the analyzers
/// buffered are copied into `buf`.
pub fn decode<'b>(
    recs: &'b [Rec],
    buf: &'b mut [u8],
    streams: &mut std::collections::HashMap<otwire_detect::Flow, Stream<Modbus>>,
) -> Vec<Event<'b>> {
    let mut arena = Arena::new(buf);
    let mut events = Vec::new();
    for r in recs {
        let s = streams.entry(r.meta.flow).or_insert_with(|| {
            Stream::new(ConnInfo {
                transport: Transport::Tcp,
                on_port: true,
            })
        });
        s.data(
            &mut Out::new(r.meta, &mut arena, &mut events),
            r.dir,
            &r.bytes,
        );
    }
    events
}

/// The engine configuration of the benches: no learning period (the benches end it).
pub fn config() -> Config {
    Config {
        learning_secs: 0,
        ..Config::default()
    }
}
