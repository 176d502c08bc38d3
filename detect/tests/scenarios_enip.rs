//! EtherNet/IP + CIP attack scenarios (`../shared/attack/INDICATORS.md`, EtherNet/IP
//! column). A ControlLogix-like PLC (10.0.0.10) serves an HMI that reads two tags every
//! second over a class 3 connection and writes a setpoint every 10 s (unconnected,
//! through an Unconnected Send to slot 0), an I/O scanner that exchanges class 1 I/O with
//! it every 500 ms over UDP 2222, and an engineering station that identifies it every 10
//! minutes; one hour of learning, then benign traffic that must raise nothing, then one
//! attack; each test asserts the exact set of techniques. Every message goes otwire-enip
//! builders or the hand-written bytes below (one comment per field) ->
//! `Sessions<Enip>::feed` (TCP or UDP) -> `Engine`.
#![cfg(feature = "enip")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use otwire_detect::protocol::enip::Enip;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Endpoint, Engine, Flow, Meta, Mode};
use otwire_enip::cip::build::{get_attribute_single, get_attributes_all};
use otwire_enip::{Command, Emit, EncapStatus, Header, Pdu, send_rr_data, send_unit_data};

/// 2023-11-14T22:13:20Z.
const T0: u64 = 1_700_000_000_000_000;
const SEC: u64 = 1_000_000;
const MS: u64 = 1_000;
/// Learning lasts an hour.
const LEARN: u64 = 3600;

const HMI: u8 = 2;
const SCANNER: u8 = 3;
const ENG: u8 = 5;
const PLC: u8 = 10;
const ROGUE: u8 = 66;

/// The scanner's I/O connection: O->T and T->O ids the PLC assigned, its triad.
const IO_OT: u32 = 0x2000_0001;
const IO_TO: u32 = 0x2000_0002;
const IO_TRIAD: Triad = Triad {
    serial: 0x0101,
    vendor: 1,
    originator: 0x00C0_FFEE,
};
/// The HMI's class 3 connection.
const HMI_OT: u32 = 0x3000_0001;
const HMI_TO: u32 = 0x3000_0002;
const HMI_TRIAD: Triad = Triad {
    serial: 0x0202,
    vendor: 1,
    originator: 0x0000_4D11,
};

fn ip(last: u8) -> [u8; 4] {
    [10, 0, 0, last]
}

fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint::v4(ip(last), port)
}

/// The TCP connection of `client` from its usual port.
fn flow(client: u8) -> Flow {
    Flow::new(ep(client, 49_152 + u16::from(client)), ep(PLC, 44818))
}

/// The I/O flow of the scanner (both ends on 2222).
fn io_flow() -> Flow {
    Flow::new(ep(SCANNER, 2222), ep(PLC, 2222))
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------
// Bytes.

/// The connection triad of a Forward Open / Forward Close.
#[derive(Debug, Clone, Copy)]
struct Triad {
    serial: u16,
    vendor: u16,
    originator: u32,
}

impl Triad {
    fn bytes(&self) -> Vec<u8> {
        let mut b = self.serial.to_le_bytes().to_vec(); // connection serial number
        b.extend(self.vendor.to_le_bytes()); // originator vendor id
        b.extend(self.originator.to_le_bytes()); // originator serial number
        b
    }
}

/// A CIP request: service, path size in words, padded path, data.
fn request(service: u8, path: &[u8], data: &[u8]) -> Vec<u8> {
    assert_eq!(path.len() % 2, 0);
    let mut b = vec![service, (path.len() / 2) as u8];
    b.extend(path);
    b.extend(data);
    b
}

/// A CIP reply: service | 0x80, reserved 0, general status, additional status words,
/// data.
fn reply(service: u8, status: u8, ext: &[u16], data: &[u8]) -> Vec<u8> {
    let mut b = vec![service | 0x80, 0, status, ext.len() as u8];
    for w in ext {
        b.extend(w.to_le_bytes());
    }
    b.extend(data);
    b
}

/// 8-bit logical segments: class 0x20, instance 0x24, attribute 0x30.
fn epath(class: u8, instance: u8, attribute: Option<u8>) -> Vec<u8> {
    let mut p = vec![0x20, class, 0x24, instance];
    if let Some(a) = attribute {
        p.extend([0x30, a]);
    }
    p
}

/// An ANSI extended symbol segment (0x91, length, name, pad to even).
fn tag(name: &str) -> Vec<u8> {
    let mut p = vec![0x91, name.len() as u8];
    p.extend(name.as_bytes());
    if name.len() % 2 == 1 {
        p.push(0);
    }
    p
}

/// The Connection Manager's path (class 6, instance 1).
const CM: [u8; 4] = [0x20, 0x06, 0x24, 0x01];

/// Logix Read Tag (0x4C) of one element.
fn read_tag(name: &str) -> Vec<u8> {
    request(0x4C, &tag(name), &1u16.to_le_bytes())
}

/// Logix Write Tag (0x4D) of one DINT (type 0x00C4, 1 element, value).
fn write_tag(name: &str, v: i32) -> Vec<u8> {
    let mut d = vec![0xC4, 0x00, 0x01, 0x00];
    d.extend(v.to_le_bytes());
    request(0x4D, &tag(name), &d)
}

/// A Read Tag reply of one DINT (type 0x00C4, value).
fn read_tag_reply(v: i32) -> Vec<u8> {
    let mut d = vec![0xC4, 0x00];
    d.extend(v.to_le_bytes());
    reply(0x4C, 0, &[], &d)
}

/// Unconnected Send (0x52 to the Connection Manager) of `inner` to backplane slot 0:
/// priority/tick 0x0A, 2 ticks, message size, message, pad, route size 1 word, reserved,
/// port 1 slot 0.
fn unconnected_send(inner: &[u8]) -> Vec<u8> {
    let mut d = vec![0x0A, 0x02];
    d.extend((inner.len() as u16).to_le_bytes());
    d.extend(inner);
    if inner.len() % 2 == 1 {
        d.push(0);
    }
    d.extend([0x01, 0x00, 0x01, 0x00]);
    request(0x52, &CM, &d)
}

/// Multiple Service Packet (0x0A to the Message Router): count, offsets from the count,
/// the requests.
fn msp(requests: &[Vec<u8>]) -> Vec<u8> {
    let n = requests.len();
    let mut d = (n as u16).to_le_bytes().to_vec();
    let mut off = 2 + 2 * n;
    for r in requests {
        d.extend((off as u16).to_le_bytes());
        off += r.len();
    }
    for r in requests {
        d.extend(r);
    }
    request(0x0A, &[0x20, 0x02, 0x24, 0x01], &d)
}

/// Forward Open (0x54): tick 0x0A, 0x0E ticks, O->T id 0 (the target picks), T->O id,
/// triad, timeout multiplier 1, 3 reserved bytes, O->T RPI and parameters, T->O RPI and
/// parameters (point to point, fixed, 32 bytes), transport `transport`, path to the
/// Message Router (class 3) or the assembly connection points 0x64/0x65 (class 1).
fn forward_open(t: Triad, to_id: u32, rpi_us: u32, transport: u8) -> Vec<u8> {
    let mut d = vec![0x0A, 0x0E];
    d.extend(0u32.to_le_bytes()); // O->T network connection id
    d.extend(to_id.to_le_bytes()); // T->O network connection id
    d.extend(t.bytes());
    d.extend([0x01, 0, 0, 0]); // timeout multiplier, reserved
    d.extend(rpi_us.to_le_bytes()); // O->T RPI
    d.extend(0x4820u16.to_le_bytes()); // O->T parameters: point to point, scheduled, 32 bytes
    d.extend(rpi_us.to_le_bytes()); // T->O RPI
    d.extend(0x4820u16.to_le_bytes()); // T->O parameters
    d.push(transport); // transport class and trigger
    let path: &[u8] = if transport & 0x0F == 3 {
        &[0x20, 0x02, 0x24, 0x01]
    } else {
        &[0x20, 0x04, 0x24, 0x01, 0x2C, 0x65, 0x2C, 0x64]
    };
    d.push((path.len() / 2) as u8); // connection path size
    d.extend(path);
    request(0x54, &CM, &d)
}

/// A successful Forward Open reply: O->T id, T->O id, triad, O->T and T->O actual
/// intervals, application reply size 0, reserved 0.
fn forward_open_reply(t: Triad, ot: u32, to: u32, api_us: u32) -> Vec<u8> {
    let mut d = ot.to_le_bytes().to_vec();
    d.extend(to.to_le_bytes());
    d.extend(t.bytes());
    d.extend(api_us.to_le_bytes());
    d.extend(api_us.to_le_bytes());
    d.extend([0, 0]);
    reply(0x54, 0, &[], &d)
}

/// A refused Forward Open: general status 0x01, extended status `ext`, the triad,
/// remaining path size 0, reserved.
fn forward_open_refused(t: Triad, ext: u16) -> Vec<u8> {
    let mut d = t.bytes();
    d.extend([0, 0]);
    reply(0x54, 0x01, &[ext], &d)
}

/// Forward Close (0x4E): tick, ticks, triad, path size, reserved, path.
fn forward_close(t: Triad) -> Vec<u8> {
    let mut d = vec![0x0A, 0x0E];
    d.extend(t.bytes());
    let path = [0x20, 0x04, 0x24, 0x01, 0x2C, 0x65, 0x2C, 0x64];
    d.extend([(path.len() / 2) as u8, 0]);
    d.extend(path);
    request(0x4E, &CM, &d)
}

/// A successful Forward Close reply: triad, application reply size 0, reserved.
fn forward_close_reply(t: Triad) -> Vec<u8> {
    let mut d = t.bytes();
    d.extend([0, 0]);
    reply(0x4E, 0, &[], &d)
}

/// A class 1 I/O packet: CPF of 2 items, a sequenced address item (0x8002: connection id,
/// 32-bit sequence number) and a connected data item (0x00B1: 16-bit sequence count, 4
/// bytes of data).
fn io_packet(conn: u32, seq: u32, data: u32) -> Vec<u8> {
    let mut b = 2u16.to_le_bytes().to_vec();
    b.extend(0x8002u16.to_le_bytes());
    b.extend(8u16.to_le_bytes());
    b.extend(conn.to_le_bytes());
    b.extend(seq.to_le_bytes());
    b.extend(0x00B1u16.to_le_bytes());
    b.extend(6u16.to_le_bytes());
    b.extend((seq as u16).to_le_bytes());
    b.extend(data.to_le_bytes());
    b
}

/// An encapsulation header alone (List* requests, RegisterSession), with `context`.
fn encap(command: Command, session: u32, context: [u8; 8], data: &[u8]) -> Vec<u8> {
    let mut h = Header::new(command, data.len() as u16, session);
    h.context = context;
    let mut b = Pdu {
        header: h,
        body: otwire_enip::Body::Raw(data),
    }
    .to_vec()
    .unwrap();
    b.truncate(24);
    b.extend(data);
    b
}

/// RegisterSession data: protocol version 1, options 0.
const REGISTER: [u8; 4] = [1, 0, 0, 0];

/// A ListIdentity reply of a 1756-L61 (otwire-enip's vector, as the PLC would answer).
fn list_identity_reply(context: [u8; 8]) -> Vec<u8> {
    let mut b = hex(
        "63003300000000000000000000000000c1debed10000000001000c002d0001000002af120a0101a4000000000000000001000c003a00040330008e4d52000b313735362d454e42542f4103",
    );
    b[12..20].copy_from_slice(&context);
    b
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// The world.

struct World {
    engine: Engine,
    tcp: Sessions<Enip>,
    udp: Sessions<Enip>,
    now: u64,
    frame: u64,
    alerts: Vec<Alert>,
    /// The HMI's next sender context / class 3 sequence count.
    context: u64,
    seq: u16,
    /// The scanner's I/O sequence numbers (O->T, T->O); `None` once it stopped.
    io: Option<(u32, u32)>,
    /// When the next I/O packets are due.
    io_next: u64,
    /// Session handles by client.
    sessions: [u32; 256],
}

impl World {
    fn new() -> Self {
        let config = Config {
            learning_secs: LEARN,
            ..Config::default()
        };
        World {
            engine: Engine::new(config),
            tcp: Sessions::new(Transport::Tcp),
            udp: Sessions::new(Transport::Udp),
            now: T0,
            frame: 0,
            alerts: Vec::new(),
            context: 0,
            seq: 0,
            io: None,
            io_next: T0,
            sessions: [0; 256],
        }
    }

    fn feed_on(&mut self, udp: bool, flow: Flow, dir: Direction, bytes: &[u8]) {
        self.frame += 1;
        let meta = Meta {
            ts: self.now,
            frame: self.frame,
            flow_id: u64::from(flow.client.port) << 8 | u64::from(flow.client.ip[15]),
            flow,
        };
        let (engine, alerts) = (&mut self.engine, &mut self.alerts);
        let sessions = if udp { &mut self.udp } else { &mut self.tcp };
        sessions.feed(meta, dir, bytes, |ev| {
            alerts.extend_from_slice(engine.observe(ev));
        });
    }

    fn feed(&mut self, client: u8, dir: Direction, bytes: &[u8]) {
        self.feed_on(false, flow(client), dir, bytes);
    }

    /// RegisterSession from `client` and its reply (session handle 0x100 + client).
    fn register(&mut self, client: u8) {
        let s = 0x100 + u32::from(client);
        self.sessions[usize::from(client)] = s;
        self.feed(
            client,
            Direction::Request,
            &encap(Command::RegisterSession, 0, [0; 8], &REGISTER),
        );
        self.now += MS;
        self.feed(
            client,
            Direction::Response,
            &encap(Command::RegisterSession, s, [0; 8], &REGISTER),
        );
    }

    /// An unconnected request from `client` (SendRRData) and, when given, its reply 2 ms
    /// later, with the next sender context.
    fn unconnected(&mut self, client: u8, req: &[u8], rep: Option<&[u8]>) {
        self.context += 1;
        let ctx = self.context.to_le_bytes();
        let s = self.sessions[usize::from(client)];
        self.feed(
            client,
            Direction::Request,
            &send_rr_data(s, ctx, req).to_vec().unwrap(),
        );
        if let Some(r) = rep {
            self.now += 2 * MS;
            self.feed(
                client,
                Direction::Response,
                &send_rr_data(s, ctx, r).to_vec().unwrap(),
            );
        }
    }

    /// A class 3 request of the HMI on its connection and its reply.
    fn connected(&mut self, req: &[u8], rep: &[u8]) {
        self.seq = self.seq.wrapping_add(1);
        let s = self.sessions[usize::from(HMI)];
        self.feed(
            HMI,
            Direction::Request,
            &send_unit_data(s, HMI_OT, self.seq, req).to_vec().unwrap(),
        );
        self.now += 2 * MS;
        self.feed(
            HMI,
            Direction::Response,
            &send_unit_data(s, HMI_TO, self.seq, rep).to_vec().unwrap(),
        );
    }

    /// The HMI's session and class 3 connection, the scanner's session and I/O connection,
    /// the engineering station's session.
    fn start(&mut self) {
        self.register(HMI);
        self.unconnected(
            HMI,
            &forward_open(HMI_TRIAD, HMI_TO, 2_000_000, 0xA3),
            Some(&forward_open_reply(HMI_TRIAD, HMI_OT, HMI_TO, 2_000_000)),
        );
        self.register(SCANNER);
        self.unconnected(
            SCANNER,
            &forward_open(IO_TRIAD, IO_TO, 500_000, 0x01),
            Some(&forward_open_reply(IO_TRIAD, IO_OT, IO_TO, 500_000)),
        );
        self.io = Some((1, 1));
        self.io_next = self.now;
        self.register(ENG);
    }

    /// Benign traffic until `t`: HMI reads every second and a setpoint write every 10 s,
    /// I/O every 500 ms, the engineering station's identification every 10 minutes.
    fn run_until(&mut self, t: u64) {
        while self.now < t {
            let second = self.now + SEC;
            while self.io.is_some() && self.io_next < second {
                self.now = self.now.max(self.io_next);
                self.io_exchange();
                self.io_next += 500 * MS;
            }
            self.now = second;
            let s = (self.now - T0) / SEC;
            let level = 500 + (s % 60) as i32;
            self.connected(&read_tag("Tank_Level"), &read_tag_reply(level));
            self.connected(
                &read_tag("Pump_Speed"),
                &read_tag_reply(1200 + (s % 7) as i32),
            );
            if s % 10 == 0 {
                let sp = 40 + (s / 10 % 20) as i32;
                self.unconnected(
                    HMI,
                    &unconnected_send(&write_tag("Setpoint", sp)),
                    Some(&reply(0x4D, 0, &[], &[])),
                );
            }
            if s % 600 == 300 {
                self.engineering_checks();
            }
        }
    }

    /// One I/O packet each way.
    fn io_exchange(&mut self) {
        let Some((ot, to)) = self.io else { return };
        self.feed_on(
            true,
            io_flow(),
            Direction::Request,
            &io_packet(IO_OT, ot, ot),
        );
        self.feed_on(
            true,
            io_flow(),
            Direction::Response,
            &io_packet(IO_TO, to, 7),
        );
        self.io = Some((ot + 1, to + 1));
    }

    /// The engineering station's identification: ListIdentity, Identity Get Attributes
    /// All and its status attribute.
    fn engineering_checks(&mut self) {
        let ctx = [0x45, 0x4E, 0x47, 0, 0, 0, 0, 0];
        self.feed(
            ENG,
            Direction::Request,
            &encap(Command::ListIdentity, 0, ctx, &[]),
        );
        self.now += MS;
        self.feed(ENG, Direction::Response, &list_identity_reply(ctx));
        let gaa = get_attributes_all(1, 1).to_vec().unwrap();
        self.unconnected(ENG, &gaa, Some(&reply(0x01, 0, &[], &IDENTITY_ALL)));
        let status = get_attribute_single(1, 1, 5).to_vec().unwrap();
        self.unconnected(ENG, &status, Some(&reply(0x0E, 0, &[], &[0x60, 0x00])));
    }

    fn expect(&self, ts: u64, items: &[&str]) {
        assert_eq!(
            self.techniques_since(ts),
            set(items),
            "{:#?}",
            self.explain_since(ts)
        );
    }

    fn explain_since(&self, ts: u64) -> Vec<(String, String, String, String)> {
        self.alerts
            .iter()
            .filter(|a| a.ts.0 >= ts)
            .map(|a| {
                let reason = a.evidence.get("reason").map(|r| r.to_string());
                (
                    a.technique_id.to_string(),
                    a.detector.to_string(),
                    reason.unwrap_or_default(),
                    a.summary.to_string(),
                )
            })
            .collect()
    }

    fn techniques_since(&self, ts: u64) -> BTreeSet<String> {
        self.alerts
            .iter()
            .filter(|a| a.ts.0 >= ts)
            .map(|a| a.technique_id.to_string())
            .collect()
    }
}

/// Identity Get Attributes All reply data: vendor 1, device type 0x0E, product code 0x36,
/// revision 20.11, status 0x0060, serial, product name "1756-L61/B".
const IDENTITY_ALL: [u8; 25] = [
    0x01, 0x00, 0x0E, 0x00, 0x36, 0x00, 0x14, 0x0B, 0x60, 0x00, 0x11, 0x22, 0x33, 0x44, 0x0A, b'1',
    b'7', b'5', b'6', b'-', b'L', b'6', b'1', b'/', b'B',
];

/// Learned (an hour) then 30 minutes of benign traffic, which must raise nothing after
/// learning; first sightings while learning are the identification baselines' own
/// (`first_sight`).
fn learned() -> World {
    let mut w = World::new();
    w.start();
    w.run_until(T0 + (LEARN + 1800) * SEC);
    assert_eq!(w.engine.mode(), Mode::Detecting);
    let after: Vec<_> = w
        .alerts
        .iter()
        .filter(|a| a.ts.0 >= T0 + LEARN * SEC)
        .collect();
    assert!(after.is_empty(), "benign traffic raised: {after:#?}");
    w
}

#[test]
fn hours_of_benign_hmi_and_io_traffic_raise_nothing_after_learning() {
    let mut w = learned();
    let t = w.now;
    w.run_until(t + 3 * 3600 * SEC);
    w.expect(t, &[]);
}
