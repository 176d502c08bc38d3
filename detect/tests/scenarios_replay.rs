//! Replayed commands and spoofed reports (issue 13), Modbus/TCP on the simulated plant of
//! `support`: 10 minutes of learning, 5 minutes of benign traffic that must raise nothing,
//! then the attack interleaved with the plant and one more minute of it; each test asserts
//! the exact set of techniques. An S7 and an EtherNet/IP HMI (a small world of their own,
//! below) show a write replayed with a renewed PDU reference, or in a new session. The DNP3 and IEC 104 replays are in
//! `scenarios_dnp3.rs` and `scenarios_iec104.rs`, beside the worlds they run in.
#![cfg(all(feature = "modbus", feature = "s7", feature = "enip"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/enip.rs"]
mod cip;
mod support;
#[path = "../../s7/tests/vectors/mod.rs"]
mod vectors;

use std::collections::BTreeSet;

use otwire_detect::net::{Arp, NetEvent};
use otwire_detect::protocol::enip::Enip;
use otwire_detect::protocol::s7::S7;
use otwire_detect::protocol::{Analyzer, Sessions, Transport};
use otwire_detect::{Alert, Direction, Engine, Event, Flow, Link, Meta};
use otwire_s7::Emit as _;
use support::*;

/// The attacker's MAC address.
const EVIL_MAC: [u8; 6] = [0x02, 0xee, 0xee, 0xee, 0xee, 0x01];

fn report(w: &World, since: u64) {
    for a in w.alerts_since(since) {
        eprintln!("{}", a.to_json_line());
    }
}

fn reasons(w: &World, since: u64) -> BTreeSet<String> {
    w.alerts_since(since)
        .iter()
        .map(|a| {
            let r = a.evidence.get("reason").and_then(|r| r.as_str());
            format!("{}:{}:{}", a.technique_id, a.detector, r.unwrap_or(""))
        })
        .collect()
}

/// A learned world that records every ADU from now on.
fn recording_world(seed: u64) -> World {
    let mut w = learned_world(seed);
    w.record = Some(Vec::new());
    w
}

/// The recorded request and response of the last exchange from `client` whose request
/// has function code `function`.
fn last_exchange(w: &World, client: u8, function: u8) -> (Flow, Vec<u8>, Vec<u8>) {
    let rec = w.record.as_ref().unwrap();
    let i = rec
        .iter()
        .rposition(|(_, f, d, b)| {
            *d == Direction::Request && f.client.ip == ep(client, 0).ip && b[7] == function
        })
        .expect("no such request recorded");
    let (_, flow, _, req) = &rec[i];
    let rsp = rec[i + 1..]
        .iter()
        .find(|(_, f, d, b)| f == flow && *d == Direction::Response && b[..2] == req[..2])
        .map(|r| r.3.clone())
        .unwrap();
    (*flow, req.clone(), rsp)
}

/// Runs the plant in half-second steps until `client` has just sent a request with
/// function code `function`.
fn run_until_sent(w: &mut World, client: u8, function: u8) {
    let start = w.now;
    loop {
        w.run_for(0.5);
        let sent = w
            .record
            .as_ref()
            .unwrap()
            .iter()
            .rev()
            .any(|(ts, f, d, b)| {
                *ts > start
                    && *ts + SEC / 2 >= w.now
                    && *d == Direction::Request
                    && f.client.ip == ep(client, 0).ip
                    && b[7] == function
            });
        if sent {
            return;
        }
        assert!(w.now - start < 600 * SEC, "no such request");
    }
}

/// The attacker claims `victim`'s address on the link: gratuitous ARP replies.
fn arp_spoof(w: &mut World, victim: u8) {
    for k in 0..3 {
        let ts = w.now + k * 100_000;
        let ip = ep(victim, 0).ip;
        let arp = Arp {
            op: Arp::REPLY,
            sender_mac: EVIL_MAC,
            sender_ip: ip,
            target_mac: [0xff; 6],
            target_ip: ip,
        };
        let meta = Meta {
            ts,
            frame: 0,
            flow_id: 0,
            flow: Flow::new(ep(victim, 0), ep(255, 0)),
            link: Link {
                ip_proto: None,
                src_mac: Some(EVIL_MAC),
                dst_mac: Some([0xff; 6]),
                ttl: None,
            },
        };
        let alerts = w.engine.observe(&Event::network(meta, NetEvent::Arp(arp)));
        w.alerts.extend_from_slice(alerts);
    }
}

/// `req` and `rsp` sent again from `client`'s address on a connection of its own (port
/// `port`), through the attacker's MAC.
fn replay(w: &mut World, client: u8, server: u8, port: u16, req: &[u8], rsp: &[u8]) {
    let flow = Flow::new(ep(client, port), ep(server, 502));
    w.link = Link {
        ip_proto: None,
        src_mac: Some(EVIL_MAC),
        dst_mac: None,
        ttl: Some(64),
    };
    let now = w.now;
    w.feed(now, flow, Direction::Request, req);
    w.feed(now + 2_000, flow, Direction::Response, rsp);
    w.link = Link::NONE;
}

/// The engineering station's last setpoint write, replayed byte for byte from its address
/// after an ARP spoof, a few seconds after it was sent: T0830 and T0855, from the replay
/// detector, the write being the same operation the station makes every 30 s.
#[test]
fn modbus_write_replayed_byte_for_byte_after_arp_spoof() {
    let mut w = recording_world(61);
    run_until_sent(&mut w, ENG, 6);
    let (_, req, rsp) = last_exchange(&w, ENG, 6);
    let t = w.now;
    arp_spoof(&mut w, ENG);
    w.advance(2 * SEC);
    replay(&mut w, ENG, PLC1, 47_001, &req, &rsp);
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0830", "T0855"]));
    let r = reasons(&w, t);
    assert!(r.contains("T0830:replay:replayed_verbatim"), "{r:?}");
    assert!(r.contains("T0855:replay:replayed_operation"), "{r:?}");
}

/// The same write with a new transaction id, from another connection of the station's
/// address: the content without the MBAP transaction id is what is compared.
#[test]
fn modbus_write_replayed_with_renewed_transaction_id() {
    let mut w = recording_world(62);
    run_until_sent(&mut w, ENG, 6);
    let (_, mut req, mut rsp) = last_exchange(&w, ENG, 6);
    req[..2].copy_from_slice(&0xbeefu16.to_be_bytes());
    rsp[..2].copy_from_slice(&0xbeefu16.to_be_bytes());
    let t = w.now;
    w.advance(3 * SEC);
    replay(&mut w, ENG, PLC1, 47_002, &req, &rsp);
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0830", "T0855"]));
    assert!(reasons(&w, t).contains("T0830:replay:replayed_renewed"));
}

/// A client that connects for each operation (every client here reconnects every second)
/// sends its writes on a new connection by habit: the same write sent again 2 s later from
/// yet another connection is what it always does, not judged a replay.
#[test]
fn a_client_that_connects_for_each_operation_is_left_alone() {
    let mut w = World::new(scenario_config(), 67);
    w.reconnect_every = SEC;
    w.record = Some(Vec::new());
    w.run_until(T0 + 900 * SEC);
    report(&w, T0);
    assert!(w.alerts.is_empty());
    run_until_sent(&mut w, ENG, 6);
    let (_, req, rsp) = last_exchange(&w, ENG, 6);
    let t = w.now;
    w.advance(2 * SEC);
    replay(&mut w, ENG, PLC1, 47_005, &req, &rsp);
    w.run_for(60.0);
    report(&w, t);
    assert!(w.alerts_since(t).is_empty());
}

/// A world where SCADA writes the same value to PLC1's register 30 every 10 s and every
/// client reconnects from new ports every 5 minutes.
fn fixed_writer(seed: u64) -> World {
    let mut w = World::new(scenario_config(), seed);
    w.reconnect_every = 300 * SEC;
    w.pollers.push(Poller {
        client: SCADA,
        server: PLC1,
        unit: 1,
        kind: Kind::WriteFixed {
            addr: 30,
            value: 600,
        },
        period: 10.0,
        next: T0 + 3 * SEC,
    });
    w
}

/// Identical writes on a learned cadence, across reconnects, and identical reads every
/// second raise nothing after learning (an hour of it).
#[test]
fn identical_writes_on_a_learned_cadence_raise_nothing() {
    let mut w = fixed_writer(63);
    w.run_until(T0 + 3600 * SEC);
    report(&w, T0);
    assert!(w.alerts.is_empty());
}

/// The same identical write, replayed from a second connection 2 s after the real one:
/// inside the learned 10 s cadence, so a replay.
#[test]
fn write_replayed_inside_its_learned_cadence() {
    let mut w = fixed_writer(64);
    w.record = Some(Vec::new());
    w.run_until(T0 + 905 * SEC);
    assert!(w.alerts.is_empty());
    run_until_sent(&mut w, SCADA, 6);
    let (_, req, rsp) = last_exchange(&w, SCADA, 6);
    let t = w.now;
    w.advance(SEC);
    replay(&mut w, SCADA, PLC1, 47_003, &req, &rsp);
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0830", "T0855"]));
}

/// A man in the middle answers the HMI's input-register polls on a second connection with
/// responses recorded two minutes earlier, while the PLC's real answers on the HMI's own
/// connection show the process moving: T0856 from the spoofed-report detector, and T0831
/// from the value family, which sees the reported values jump between the real and the
/// recorded ones faster than the process ever changed.
#[test]
fn spoofed_responses_repeat_a_recorded_series() {
    let mut w = recording_world(65);
    let from = w.now;
    w.run_for(120.0);
    // The HMI's input-register exchanges (FC 4) of those two minutes, in order.
    let rec = w.record.take().unwrap();
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = rec
        .iter()
        .enumerate()
        .filter(|(_, (ts, f, d, b))| {
            *ts >= from && f.client.ip == ep(HMI, 0).ip && *d == Direction::Request && b[7] == 4
        })
        .map(|(i, (_, f, _, req))| {
            let rsp = rec[i + 1..]
                .iter()
                .find(|(_, g, d, b)| g == f && *d == Direction::Response && b[..2] == req[..2])
                .unwrap();
            (req.clone(), rsp.3.clone())
        })
        .collect();
    assert!(pairs.len() > 60);
    let t = w.now;
    for (req, rsp) in pairs.iter().take(20) {
        w.advance(SEC);
        replay(&mut w, HMI, PLC1, 47_004, req, rsp);
    }
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0831", "T0856"]));
    assert!(reasons(&w, t).contains("T0856:spoofed_report:report_series_repeated"));
}

/// The same recorded series replayed on the HMI's own connection with nothing new beside
/// it is a process that repeats itself, as far as the wire can tell: nothing.
#[test]
fn old_reports_without_a_changing_process_beside_them_raise_nothing() {
    let mut w = recording_world(66);
    w.run_for(30.0);
    let rec = w.record.take().unwrap();
    let t = w.now;
    // PLC2's unit 2 input registers, polled by SCADA: played back on SCADA's connection
    // while SCADA is not polling (the poller is removed).
    w.pollers.retain(|p| !(p.client == SCADA && p.unit == 2));
    let flow = w.flow(SCADA, PLC2);
    let series = rec
        .iter()
        .filter(|(_, f, _, b)| f.server.ip == ep(PLC2, 0).ip && b[6] == 2);
    for (_, _, d, b) in series {
        if *d == Direction::Request {
            w.advance(SEC);
        }
        let now = w.now;
        w.feed(now, flow, *d, b);
    }
    w.run_for(10.0);
    report(&w, t);
    assert!(
        !w.techniques_since(t).contains("T0856"),
        "{:?}",
        w.techniques_since(t)
    );
}

/// A small world for one protocol: an HMI polling PLC1 every second and writing every 10 s
/// on connections it opens itself (`open`, `poll`: the protocol's own exchanges).
struct Mini<A: Analyzer> {
    engine: Engine,
    sessions: Sessions<A>,
    server_port: u16,
    now: u64,
    /// The protocol's running number (S7 PDU reference, ENIP sender context).
    n: u16,
    alerts: Vec<Alert>,
    open: fn(&mut Self, u16),
    poll: fn(&mut Self, u16, bool),
}

impl<A: Analyzer> Mini<A> {
    /// Learned for 10 minutes on the connection from port 50 000, then 5 minutes more that
    /// raise nothing.
    fn learned(server_port: u16, open: fn(&mut Self, u16), poll: fn(&mut Self, u16, bool)) -> Self {
        let mut w = Self {
            engine: Engine::new(scenario_config()),
            sessions: Sessions::new(Transport::Tcp),
            server_port,
            now: T0,
            n: 0,
            alerts: Vec::new(),
            open,
            poll,
        };
        (w.open)(&mut w, 50_000);
        w.run_for(900);
        assert!(w.alerts.is_empty(), "{:#?}", w.alerts);
        w
    }

    fn feed(&mut self, port: u16, dir: Direction, bytes: &[u8]) {
        let meta = Meta {
            ts: self.now,
            frame: 0,
            flow_id: u64::from(port),
            flow: Flow::new(ep(HMI, port), ep(PLC1, self.server_port)),
            link: Link::NONE,
        };
        let (engine, alerts) = (&mut self.engine, &mut self.alerts);
        self.sessions.feed(meta, dir, bytes, |ev| {
            alerts.extend_from_slice(engine.observe(ev));
        });
    }

    /// A request and its answer 3 ms later.
    fn exchange(&mut self, port: u16, req: &[u8], rsp: &[u8]) {
        self.feed(port, Direction::Request, req);
        self.now += 3_000;
        self.feed(port, Direction::Response, rsp);
    }

    fn run_for(&mut self, secs: u64) {
        for _ in 0..secs {
            self.now += SEC;
            let write = (self.now - T0) / SEC % 10 == 0;
            (self.poll)(self, 50_000, write);
        }
    }

    /// Runs until the HMI has just written, then replays the write from a second
    /// connection (port 50 001) 2 s later; returns the techniques alerted from then on and
    /// whether the replay detector said `replayed_renewed`.
    fn replay_write(&mut self) -> (BTreeSet<String>, bool) {
        while (self.now - T0) / SEC % 10 != 0 {
            self.run_for(1);
        }
        let t = self.now;
        self.now += 2 * SEC;
        (self.open)(self, 50_001);
        (self.poll)(self, 50_001, true);
        self.run_for(60);
        for a in &self.alerts {
            eprintln!("{}", a.to_json_line());
        }
        let since: Vec<&Alert> = self.alerts.iter().filter(|a| a.ts.0 >= t).collect();
        let renewed = since.iter().any(|a| {
            a.detector == "replay"
                && a.evidence.get("reason").and_then(|r| r.as_str()) == Some("replayed_renewed")
        });
        (
            since.iter().map(|a| a.technique_id.to_string()).collect(),
            renewed,
        )
    }
}

/// An S7 job and its answer with the next PDU reference (TPKT offset 11).
fn s7_exchange(w: &mut Mini<S7>, port: u16, job: &[u8], answer: &[u8]) {
    w.n = w.n.wrapping_add(1);
    let r = w.n.to_be_bytes();
    let (mut job, mut answer) = (job.to_vec(), answer.to_vec());
    job[11..13].copy_from_slice(&r);
    answer[11..13].copy_from_slice(&r);
    w.exchange(port, &job, &answer);
}

fn s7_open(w: &mut Mini<S7>, port: u16) {
    w.feed(port, Direction::Request, vectors::CR);
    w.feed(port, Direction::Response, vectors::CC);
    let setup = otwire_s7::frame(otwire_s7::Pdu::setup(0, 480))
        .to_vec()
        .unwrap();
    s7_exchange(w, port, &setup, vectors::SETUP_ACK);
}

/// Read var every second, write var of MB0-3 every 10 s.
fn s7_poll(w: &mut Mini<S7>, port: u16, write: bool) {
    if write {
        s7_exchange(w, port, vectors::WRITE_JOB, vectors::WRITE_ACK);
    } else {
        s7_exchange(w, port, vectors::READ_JOB, vectors::READ_ACK);
    }
}

/// The HMI's write var, replayed 2 s after the real one from a second connection of its
/// address, with a renewed PDU reference: T0830 and T0855 from the replay detector.
#[test]
fn s7_write_replayed_with_a_renewed_pdu_reference() {
    let mut w = Mini::<S7>::learned(102, s7_open, s7_poll);
    let (techniques, renewed) = w.replay_write();
    assert_eq!(techniques, set(&["T0830", "T0855"]));
    assert!(renewed);
}

/// The connection's session handle: 0x100 + the HMI's port.
fn enip_session(port: u16) -> u32 {
    0x100 + u32::from(port)
}

/// RegisterSession (0x65) and its reply: header (command, length 4, session, status,
/// sender context, options), then protocol version 1 and options 0.
fn enip_open(w: &mut Mini<Enip>, port: u16) {
    for (dir, session) in [
        (Direction::Request, 0),
        (Direction::Response, enip_session(port)),
    ] {
        let mut b = vec![0x65, 0x00, 0x04, 0x00];
        b.extend(session.to_le_bytes());
        b.extend([0u8; 16]);
        b.extend([1, 0, 0, 0]);
        w.feed(port, dir, &b);
    }
}

/// Read tag `Level` every second, write tag `Setpoint` = 42 every 10 s (SendRRData with
/// the next sender context).
fn enip_poll(w: &mut Mini<Enip>, port: u16, write: bool) {
    use otwire_enip::Emit as _;
    w.n = w.n.wrapping_add(1);
    let ctx = u64::from(w.n).to_le_bytes();
    let (req, rep) = if write {
        (
            cip::write_tag("Setpoint", 42),
            cip::reply(0x4D, 0, &[], &[]),
        )
    } else {
        (cip::read_tag("Level"), cip::read_tag_reply(1000))
    };
    let s = enip_session(port);
    let q = otwire_enip::send_rr_data(s, ctx, &req).to_vec().unwrap();
    let a = otwire_enip::send_rr_data(s, ctx, &rep).to_vec().unwrap();
    w.exchange(port, &q, &a);
}

/// The HMI's tag write, replayed 2 s after the real one from a second connection of its
/// address, in its own session with a new sender context: T0830 and T0855.
#[test]
fn enip_write_replayed_in_a_new_session() {
    let mut w = Mini::<Enip>::learned(44_818, enip_open, enip_poll);
    let (techniques, renewed) = w.replay_write();
    assert_eq!(techniques, set(&["T0830", "T0855"]));
    assert!(renewed);
}
