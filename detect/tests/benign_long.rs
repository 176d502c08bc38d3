//! Issue 13 point 5, false alerts: seven hours of a benign plant speaking every protocol
//! (an hour of learning, then six judged), through the analyzers into one
//! `Engine::new(Config::default())`, must raise nothing after learning. The plant: the
//! Modbus plant of `support` (an HMI and a SCADA server polling two PLCs, an engineering
//! station writing a setpoint, SCADA writing the same value every 10 s); a DNP3 master
//! polling an outstation and operating a CROB every minute; an IEC 104 controlling station
//! interrogating, receiving spontaneous data and writing a set-point; an S7 HMI reading and
//! writing a data block; an EtherNet/IP HMI reading and writing a tag. Every client
//! reconnects from new ports every 5 minutes (TCP attempts and handshakes as network
//! events), a monitoring host checks every server port every minute (connect, close without
//! payload), every host ARPs for its peers every minute and the HMI renews its DHCP lease
//! every 30 minutes (a gratuitous ARP), and a backup SCADA server, seen during a failover
//! drill while learning, takes over from the primary after four hours.
#![cfg(all(
    feature = "modbus",
    feature = "dnp3",
    feature = "iec104",
    feature = "s7",
    feature = "enip"
))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/enip.rs"]
mod cip;
#[path = "support/dnp3.rs"]
mod dnp3_frames;
mod support;
#[path = "../../s7/tests/vectors/mod.rs"]
mod vectors;

use otwire_detect::net::{Arp, NetEvent, TcpOutcome};
use otwire_detect::protocol::dnp3::Dnp3;
use otwire_detect::protocol::enip::Enip;
use otwire_detect::protocol::iec104::Iec104;
use otwire_detect::protocol::s7::S7;
use otwire_detect::protocol::{Analyzer, Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Event, Flow, Link, Meta, Mode};
use otwire_dnp3::{
    AppControl, ControlCode, Crob, FragmentWriter, FunctionCode, MasterRequest, OpType,
    Request as DnpRequest, TripCloseCode,
};
use otwire_iec104::builders::{self, Request as Asdu};
use otwire_iec104::{Cause, CommonAddress, Element, Emit, Ioa, Qds, Qoi, SeqNum, TypeId};
use support::{HMI, PLC1, PLC2, Poller, SCADA, SEC, T0, World, ep};

const BACKUP: u8 = 4;
const MONITOR: u8 = 9;
const RTU: u8 = 20;
const STATION: u8 = 30;
const S7PLC: u8 = 40;
const LOGIX: u8 = 50;
const MIN: u64 = 60 * SEC;

/// The connections of the DNP3 master, the IEC 104 station, the S7 and the ENIP HMI:
/// client, server, server port.
const PEERS: [(u8, u8, u16); 4] = [
    (HMI, RTU, 20_000),
    (SCADA, STATION, 2404),
    (HMI, S7PLC, 102),
    (HMI, LOGIX, 44_818),
];

fn mac(host: u8) -> [u8; 6] {
    [0x02, 0, 0, 0, 0, host]
}

/// What one connection of a client to a server carries on top of its bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Conn {
    port: u16,
    /// DNP3 application and transport sequence of each direction; IEC 104 V(S) of each
    /// side and frames unacknowledged; S7 PDU reference; ENIP sender context.
    seq: [u16; 4],
}

struct Plant {
    /// The Modbus plant; its engine and alert list serve every protocol.
    w: World,
    dnp3: Sessions<Dnp3>,
    iec: Sessions<Iec104>,
    s7: Sessions<S7>,
    enip: Sessions<Enip>,
    /// The connections of [`PEERS`].
    conns: [Conn; 4],
    net_events: u64,
    events: u64,
}

impl Plant {
    fn new() -> Self {
        let mut w = World::new(Config::default(), 71);
        w.reconnect_every = 5 * MIN;
        w.pollers.push(Poller {
            client: SCADA,
            server: PLC1,
            unit: 1,
            kind: support::Kind::WriteFixed {
                addr: 30,
                value: 600,
            },
            period: 10.0,
            next: T0 + 3 * SEC,
        });
        Self {
            w,
            dnp3: Sessions::new(Transport::Tcp),
            iec: Sessions::new(Transport::Tcp),
            s7: Sessions::new(Transport::Tcp),
            enip: Sessions::new(Transport::Tcp),
            conns: [Conn::default(); 4],
            net_events: 0,
            events: 0,
        }
    }

    fn meta(&mut self, ts: u64, flow: Flow, src: u8) -> Meta {
        self.w.frame += 1;
        Meta {
            ts,
            frame: self.w.frame,
            flow_id: u64::from(flow.client.port),
            flow,
            link: Link {
                ip_proto: None,
                src_mac: Some(mac(src)),
                dst_mac: None,
                ttl: Some(64),
            },
        }
    }

    fn net(&mut self, ts: u64, flow: Flow, src: u8, e: NetEvent) {
        let meta = self.meta(ts, flow, src);
        self.net_events += 1;
        let alerts = self.w.engine.observe(&Event::network(meta, e));
        self.w.alerts.extend_from_slice(alerts);
    }

    /// One PDU's bytes through `A`'s sessions into the engine.
    fn feed<A: Analyzer>(
        w: &mut World,
        sessions: &mut Sessions<A>,
        events: &mut u64,
        meta: Meta,
        dir: Direction,
        bytes: &[u8],
    ) {
        let (engine, alerts) = (&mut w.engine, &mut w.alerts);
        sessions.feed(meta, dir, bytes, |ev| {
            *events += 1;
            alerts.extend_from_slice(engine.observe(ev));
        });
    }

    /// A TCP connection opened now: SYN, then the handshake completed.
    fn open(&mut self, ts: u64, flow: Flow, client: u8) {
        self.net(ts, flow, client, NetEvent::Tcp(TcpOutcome::Syn));
        self.net(
            ts + 300,
            flow,
            client,
            NetEvent::Tcp(TcpOutcome::Established),
        );
    }

    /// The metadata of a PDU sent now in `dir` on the connection of `PEERS[i]`.
    fn conn_meta(&mut self, i: usize, ts: u64, dir: Direction) -> Meta {
        let (client, server, port) = PEERS[i];
        let flow = Flow::new(ep(client, self.conns[i].port), ep(server, port));
        let sender = if dir == Direction::Request {
            client
        } else {
            server
        };
        self.meta(ts, flow, sender)
    }

    // --- DNP3 -------------------------------------------------------------------------

    fn dnp3_send(&mut self, ts: u64, dir: Direction, fragment: &[u8]) {
        let (src, dst, k) = match dir {
            Direction::Request => (1, 10, 1),
            Direction::Response => (10, 1, 2),
        };
        let first_seq = (self.conns[0].seq[k] % 64) as u8;
        let bytes = dnp3_frames::frames(dir, src, dst, first_seq, fragment);
        // A transport segment carries up to 249 octets of the fragment (§8.2).
        self.conns[0].seq[k] += fragment.len().div_ceil(249).max(1) as u16;
        let meta = self.conn_meta(0, ts, dir);
        Self::feed(
            &mut self.w,
            &mut self.dnp3,
            &mut self.events,
            meta,
            dir,
            &bytes,
        );
    }

    fn dnp3_exchange(&mut self, ts: u64, kind: MasterRequest, objects: &[u8]) {
        let seq = (self.conns[0].seq[0] % 16) as u8;
        self.conns[0].seq[0] += 1;
        let req = DnpRequest { seq, kind }.to_vec().unwrap();
        self.dnp3_send(ts, Direction::Request, &req);
        let rsp = dnp3_frames::response(seq, objects);
        self.dnp3_send(ts + 5_000, Direction::Response, &rsp);
    }

    fn dnp3_tick(&mut self, t: u64) {
        let s = (t - T0) / SEC;
        if s % 2 == 0 {
            // g30v4 analog inputs 0-1.
            let mut buf = [0u8; 64];
            let mut f =
                FragmentWriter::request(&mut buf, AppControl::request(0), FunctionCode::Read)
                    .unwrap();
            f.range(30, 4, 0, 1).unwrap();
            for k in 0..2u16 {
                let v = 1000.0 + f64::from(k) * 100.0 + 20.0 * (s as f64 / 300.0).sin();
                f.bytes(&(v as i16).to_le_bytes()).unwrap();
            }
            let n = f.finish();
            let objs = buf[2..n].to_vec();
            self.dnp3_exchange(t, MasterRequest::IntegrityPoll, &objs);
        }
        if s % 60 == 17 {
            let on = (s / 60) % 2 == 0;
            let op = if on {
                OpType::LatchOn
            } else {
                OpType::LatchOff
            };
            let crob = Crob {
                code: ControlCode::new(op, TripCloseCode::Nul, false, false),
                count: 1,
                on_time: 100,
                off_time: 0,
                status: 0,
            };
            for (k, function) in [FunctionCode::Select, FunctionCode::Operate]
                .into_iter()
                .enumerate()
            {
                let kind = MasterRequest::Crob {
                    function,
                    index: 3,
                    crob,
                };
                let req = DnpRequest { seq: 0, kind }.to_vec().unwrap();
                self.dnp3_exchange(t + k as u64 * 50_000, kind, &req[2..]);
            }
        }
    }

    // --- IEC 104 ----------------------------------------------------------------------

    fn iec_feed(&mut self, ts: u64, dir: Direction, bytes: &[u8]) {
        let meta = self.conn_meta(1, ts, dir);
        Self::feed(
            &mut self.w,
            &mut self.iec,
            &mut self.events,
            meta,
            dir,
            bytes,
        );
    }

    fn iec_i(&mut self, ts: u64, dir: Direction, asdu: &Asdu) {
        let c = &mut self.conns[1].seq;
        let (send, recv) = match dir {
            Direction::Request => {
                c[0] += 1;
                c[2] = 0;
                (c[0] - 1, c[1])
            }
            Direction::Response => {
                c[1] += 1;
                c[2] += 1;
                (c[1] - 1, c[0])
            }
        };
        let ack = c[2] >= 8;
        let bytes = asdu
            .i_frame(SeqNum::new(send % 32768), SeqNum::new(recv % 32768))
            .to_vec()
            .unwrap();
        self.iec_feed(ts, dir, &bytes);
        if ack {
            self.conns[1].seq[2] = 0;
            let vr = SeqNum::new(self.conns[1].seq[1] % 32768);
            let s = builders::s_frame(vr).to_vec().unwrap();
            self.iec_feed(ts + 500, Direction::Request, &s);
        }
    }

    fn iec_connect(&mut self, ts: u64) {
        self.conns[1].seq = [0; 4];
        let act = builders::startdt_act().to_vec().unwrap();
        let con = builders::startdt_con().to_vec().unwrap();
        self.iec_feed(ts + 1_000, Direction::Request, &act);
        self.iec_feed(ts + 2_000, Direction::Response, &con);
    }

    fn measurand(t: u64, ioa: u32) -> Asdu {
        let s = (t - T0) as f64 / SEC as f64;
        let v = 2000.0 + f64::from(ioa - 1000) * 100.0 + 30.0 * (s / 400.0).sin();
        Asdu::new(
            TypeId::MeasuredScaled,
            CommonAddress(1),
            Ioa(ioa),
            Element::Scaled {
                value: v as i16,
                qds: Qds(0),
                time: None,
            },
        )
    }

    fn iec_tick(&mut self, t: u64) {
        let s = (t - T0) / SEC;
        if s % 60 == 31 {
            let gi = Asdu::interrogation(CommonAddress(1), Qoi::STATION);
            self.iec_i(t, Direction::Request, &gi);
            self.iec_i(
                t + 2_000,
                Direction::Response,
                &gi.with_cause(Cause::ActivationCon),
            );
            for ioa in 1001..=1003u32 {
                let m = Self::measurand(t, ioa).with_cause(Cause::InterrogatedStation);
                self.iec_i(
                    t + 3_000 + u64::from(ioa - 1000) * 1_000,
                    Direction::Response,
                    &m,
                );
            }
            let term = gi.with_cause(Cause::ActivationTermination);
            self.iec_i(t + 8_000, Direction::Response, &term);
        }
        if s % 2 == 1 {
            let m = Self::measurand(t, 1001).with_cause(Cause::Spontaneous);
            self.iec_i(t + 10_000, Direction::Response, &m);
        }
        if s % 30 == 11 {
            let req = Asdu::setpoint_scaled(CommonAddress(1), Ioa(3001), 110, false, None);
            self.iec_i(t, Direction::Request, &req);
            self.iec_i(
                t + 2_000,
                Direction::Response,
                &req.with_cause(Cause::ActivationCon),
            );
            let term = req.with_cause(Cause::ActivationTermination);
            self.iec_i(t + 4_000, Direction::Response, &term);
        }
    }

    // --- S7 and EtherNet/IP -------------------------------------------------------------

    fn s7_feed(&mut self, ts: u64, dir: Direction, bytes: &[u8]) {
        let meta = self.conn_meta(2, ts, dir);
        Self::feed(
            &mut self.w,
            &mut self.s7,
            &mut self.events,
            meta,
            dir,
            bytes,
        );
    }

    fn s7_exchange(&mut self, ts: u64, job: &[u8], ack: &[u8]) {
        self.conns[2].seq[0] = self.conns[2].seq[0].wrapping_add(1);
        let r = self.conns[2].seq[0].to_be_bytes();
        let (mut job, mut ack) = (job.to_vec(), ack.to_vec());
        job[11..13].copy_from_slice(&r);
        ack[11..13].copy_from_slice(&r);
        self.s7_feed(ts, Direction::Request, &job);
        self.s7_feed(ts + 3_000, Direction::Response, &ack);
    }

    fn s7_connect(&mut self, ts: u64) {
        self.s7_feed(ts + 1_000, Direction::Request, vectors::CR);
        self.s7_feed(ts + 2_000, Direction::Response, vectors::CC);
        let setup = otwire_s7::frame(otwire_s7::Pdu::setup(0, 480))
            .to_vec()
            .unwrap();
        self.s7_exchange(ts + 3_000, &setup, vectors::SETUP_ACK);
    }

    fn enip_feed(&mut self, ts: u64, dir: Direction, bytes: &[u8]) {
        let meta = self.conn_meta(3, ts, dir);
        Self::feed(
            &mut self.w,
            &mut self.enip,
            &mut self.events,
            meta,
            dir,
            bytes,
        );
    }

    fn enip_connect(&mut self, ts: u64) {
        let session = 0x100 + u32::from(self.conns[3].port);
        self.conns[3].seq[1] = self.conns[3].port;
        for (k, (dir, s)) in [(Direction::Request, 0), (Direction::Response, session)]
            .into_iter()
            .enumerate()
        {
            // RegisterSession (0x65), length 4, session, status, context, options; version 1.
            let mut b = vec![0x65, 0x00, 0x04, 0x00];
            b.extend(s.to_le_bytes());
            b.extend([0u8; 16]);
            b.extend([1, 0, 0, 0]);
            self.enip_feed(ts + 1_000 + k as u64 * 1_000, dir, &b);
        }
    }

    fn enip_exchange(&mut self, ts: u64, req: &[u8], rep: &[u8]) {
        let session = 0x100 + u32::from(self.conns[3].seq[1]);
        self.conns[3].seq[0] = self.conns[3].seq[0].wrapping_add(1);
        let ctx = u64::from(self.conns[3].seq[0]).to_le_bytes();
        let q = otwire_enip::send_rr_data(session, ctx, req);
        let a = otwire_enip::send_rr_data(session, ctx, rep);
        use otwire_enip::Emit as _;
        self.enip_feed(ts, Direction::Request, &q.to_vec().unwrap());
        self.enip_feed(ts + 2_000, Direction::Response, &a.to_vec().unwrap());
    }

    fn s7_enip_tick(&mut self, t: u64) {
        let s = (t - T0) / SEC;
        self.s7_exchange(t + 100_000, vectors::READ_JOB, vectors::READ_ACK);
        let v = (1000.0 + 50.0 * (s as f64 / 200.0).sin()) as i32;
        let (read, reply) = (cip::read_tag("Level"), cip::read_tag_reply(v));
        self.enip_exchange(t + 200_000, &read, &reply);
        if s % 10 == 3 {
            self.s7_exchange(t + 300_000, vectors::WRITE_JOB, vectors::WRITE_ACK);
            let write = cip::write_tag("Setpoint", 42);
            let ok = cip::reply(0x4D, 0, &[], &[]);
            self.enip_exchange(t + 400_000, &write, &ok);
        }
    }

    // --- The plant ----------------------------------------------------------------------

    /// Every connection of the other protocols reconnects from a new port, with its TCP
    /// attempt and handshake.
    fn reconnect(&mut self, t: u64) {
        for (i, (client, server, port)) in PEERS.into_iter().enumerate() {
            self.conns[i].port = 50_000 + ((t - T0) / (5 * MIN)) as u16 * 8 + i as u16;
            let flow = Flow::new(ep(client, self.conns[i].port), ep(server, port));
            self.open(t, flow, client);
        }
        self.iec_connect(t);
        self.s7_connect(t);
        self.enip_connect(t);
    }

    /// The monitoring host's port checks, ARP chatter and DHCP renewals of minute `m`.
    fn housekeeping(&mut self, t: u64, m: u64) {
        let checks = [
            (PLC1, 502),
            (RTU, 20_000),
            (STATION, 2404),
            (S7PLC, 102),
            (LOGIX, 44_818),
        ];
        for (k, (server, port)) in checks.into_iter().enumerate() {
            let ts = t + 40 * SEC + k as u64 * 100_000;
            let flow = Flow::new(ep(MONITOR, 40_000 + (m % 1000) as u16), ep(server, port));
            self.open(ts, flow, MONITOR);
            self.net(
                ts + 1_000,
                flow,
                MONITOR,
                NetEvent::Tcp(TcpOutcome::ClosedEmpty),
            );
        }
        let pairs = [
            (HMI, PLC1),
            (HMI, RTU),
            (HMI, S7PLC),
            (HMI, LOGIX),
            (SCADA, PLC2),
            (SCADA, STATION),
            (BACKUP, PLC2),
        ];
        for (k, (a, b)) in pairs.into_iter().enumerate() {
            let ts = t + 50 * SEC + k as u64 * 10_000;
            let (ia, ib) = (ep(a, 0).ip, ep(b, 0).ip);
            let ask = Arp {
                op: Arp::REQUEST,
                sender_mac: mac(a),
                sender_ip: ia,
                target_mac: [0; 6],
                target_ip: ib,
            };
            let answer = Arp {
                op: Arp::REPLY,
                sender_mac: mac(b),
                sender_ip: ib,
                target_mac: mac(a),
                target_ip: ia,
            };
            self.net(ts, Flow::new(ep(a, 0), ep(255, 0)), a, NetEvent::Arp(ask));
            self.net(
                ts + 500,
                Flow::new(ep(b, 0), ep(a, 0)),
                b,
                NetEvent::Arp(answer),
            );
        }
        if m % 30 == 7 {
            // DHCP renewal: the HMI announces its (unchanged) address.
            let ip = ep(HMI, 0).ip;
            let g = Arp {
                op: Arp::REQUEST,
                sender_mac: mac(HMI),
                sender_ip: ip,
                target_mac: [0; 6],
                target_ip: ip,
            };
            self.net(
                t + 55 * SEC,
                Flow::new(ep(HMI, 0), ep(255, 0)),
                HMI,
                NetEvent::Arp(g),
            );
        }
    }

    /// The SCADA pollers' client: the primary, or the backup.
    fn scada(&mut self, client: u8) {
        for p in &mut self.w.pollers {
            if p.client == SCADA || p.client == BACKUP {
                p.client = client;
            }
        }
    }

    fn run(&mut self, until: u64) {
        let mut t = T0;
        while t < until {
            let s = (t - T0) / SEC;
            if s % 300 == 0 {
                self.reconnect(t);
            }
            if s % 60 == 0 {
                self.housekeeping(t, s / 60);
            }
            match s {
                // The failover drill while learning, and the takeover after four hours.
                1200 => self.scada(BACKUP),
                1800 => self.scada(SCADA),
                18_000 => self.scada(BACKUP),
                _ => {}
            }
            self.dnp3_tick(t);
            self.iec_tick(t);
            self.s7_enip_tick(t);
            t += SEC;
            self.w.run_until(t);
        }
        let last = self.w.engine.finish().to_vec();
        self.w.alerts.extend(last);
    }
}

#[test]
fn seven_hours_of_every_protocol_raise_nothing_after_learning() {
    let mut p = Plant::new();
    p.run(T0 + 7 * 3600 * SEC);
    assert_eq!(p.w.engine.mode(), Mode::Detecting);
    let after: Vec<&Alert> =
        p.w.alerts
            .iter()
            .filter(|a| a.ts.0 >= T0 + 3600 * SEC)
            .collect();
    for a in &after {
        eprintln!("{}", a.to_json_line());
    }
    let stats = p.w.engine.stats();
    let events = p.w.events + p.events + p.net_events;
    eprintln!(
        "benign run: {events} events ({} Modbus ADUs, {} other protocol events, {} network events) over 7 h, {} alerts while learning, {} after",
        p.w.events,
        p.events,
        p.net_events,
        p.w.alerts.len() - after.len(),
        after.len()
    );
    eprintln!("engine: {stats:?}");
    assert!(events > 400_000, "{events}");
    assert!(after.is_empty(), "{} false alerts", after.len());
}
