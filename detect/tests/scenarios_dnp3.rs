//! DNP3 attack scenarios (`../shared/attack/INDICATORS.md`, DNP3 column). An HMI master
//! integrity-polls an outstation, operates a CROB with select-before-operate and writes an
//! analog output; the outstation reports unsolicited events. 10 minutes of learning, 5
//! minutes of benign traffic that must raise nothing, then the attack interleaved with the
//! plant and one more minute of it; each test asserts the exact set of techniques.
//! Every message goes encoder -> link frame bytes -> `Sessions<Dnp3>::feed` -> `Engine`.
#![cfg(all(feature = "dnp3", feature = "modbus"))]
#![cfg(feature = "dnp3")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::too_many_arguments
)]

#[path = "support/dnp3.rs"]
mod dnp3_frames;
mod support;

use std::collections::BTreeSet;

use otwire_detect::protocol::dnp3::Dnp3;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Engine, Flow, Meta, Mode};
use otwire_dnp3::{
    Address, AnalogValue, AppControl, ControlCode, Crob, Emit, FragmentWriter, FunctionCode, Iin,
    LinkControl, LinkHeader, MasterRequest, OpType, PrimaryFunction, Request, TransportFrames,
    TripCloseCode,
};
use support::{Rng, SEC, T0, ep, set};

const HMI: u8 = 2;
const ROGUE: u8 = 66;
const RTU: u8 = 20;
const RTU2: u8 = 21;
const MASTER_ADDR: u16 = 1;
const OUTSTATION: u16 = 10;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Task {
    Poll,
    Crob,
    Analog,
    Unsolicited,
}

struct World {
    engine: Engine,
    sessions: Sessions<Dnp3>,
    rng: Rng,
    now: u64,
    frame: u64,
    /// (task, period s, next).
    tasks: Vec<(Task, f64, u64)>,
    app_seq: u8,
    uns_seq: u8,
    tseq: [u8; 256],
    alerts: Vec<Alert>,
    /// When set, the master's messages go over a second connection from this port.
    second: Option<u16>,
}

fn crob(on: bool) -> Crob {
    Crob {
        code: ControlCode::new(
            if on {
                OpType::LatchOn
            } else {
                OpType::LatchOff
            },
            TripCloseCode::Nul,
            false,
            false,
        ),
        count: 1,
        on_time: 100,
        off_time: 0,
        status: 0,
    }
}

impl World {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let tasks = vec![
            (Task::Poll, 2.0, T0 + (rng.unit() * 2.0 * SEC as f64) as u64),
            (
                Task::Crob,
                60.0,
                T0 + (rng.unit() * 60.0 * SEC as f64) as u64,
            ),
            (
                Task::Analog,
                30.0,
                T0 + (rng.unit() * 30.0 * SEC as f64) as u64,
            ),
            (
                Task::Unsolicited,
                5.0,
                T0 + (rng.unit() * 5.0 * SEC as f64) as u64,
            ),
        ];
        Self {
            engine: Engine::new(Config {
                learning_secs: 600,
                ..Config::default()
            }),
            sessions: Sessions::new(Transport::Tcp),
            rng,
            now: T0,
            frame: 0,
            tasks,
            app_seq: 0,
            uns_seq: 0,
            tseq: [0; 256],
            alerts: Vec::new(),
            second: None,
        }
    }

    fn flow(client: u8, server: u8) -> Flow {
        Flow::new(ep(client, 40_000 + u16::from(client)), ep(server, 20_000))
    }

    /// The connection messages between `client` and `server` go over now.
    fn conn(&self, client: u8, server: u8) -> Flow {
        match self.second {
            Some(port) => Flow::new(ep(client, port), ep(server, 20_000)),
            None => Self::flow(client, server),
        }
    }

    /// Sends one application fragment as link frames (one per transport segment).
    fn send(
        &mut self,
        ts: u64,
        client: u8,
        server: u8,
        dir: Direction,
        src: u16,
        dst: u16,
        fragment: &[u8],
    ) {
        let i = usize::from(if dir == Direction::Request {
            client
        } else {
            server
        });
        let header = LinkHeader {
            control: LinkControl::primary(
                dir == Direction::Request,
                PrimaryFunction::UnconfirmedUserData,
                false,
            ),
            destination: Address(dst),
            source: Address(src),
        };
        let first_seq = self.tseq[i];
        let frames = TransportFrames {
            header,
            first_seq,
            fragment,
        };
        let n = frames.segments().count() as u8;
        self.tseq[i] = (first_seq + n) % 64;
        let bytes = frames.to_vec().unwrap();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let (f, r) = otwire_dnp3::split_frame(rest).unwrap();
            rest = r;
            let flow = self.conn(client, server);
            self.feed_frame(ts, flow, dir, f.raw);
        }
    }

    fn feed_frame(&mut self, ts: u64, flow: Flow, dir: Direction, bytes: &[u8]) {
        self.frame += 1;
        let meta = Meta {
            link: Default::default(),
            ts,
            frame: self.frame,
            flow_id: 0,
            flow,
        };
        let (engine, alerts) = (&mut self.engine, &mut self.alerts);
        self.sessions.feed(meta, dir, bytes, |ev| {
            alerts.extend_from_slice(engine.observe(ev));
        });
    }

    fn next_seq(&mut self) -> u8 {
        let s = self.app_seq;
        self.app_seq = (s + 1) % 16;
        s
    }

    /// A request from `client` to `server` and the outstation's response (echoing the
    /// request's objects for commands, `objects` otherwise), 5 ms later.
    fn exchange(&mut self, client: u8, server: u8, request: &[u8], objects: Option<&[u8]>) {
        let now = self.now;
        self.send(
            now,
            client,
            server,
            Direction::Request,
            MASTER_ADDR,
            OUTSTATION,
            request,
        );
        let seq = request[0] & 0x0f;
        let echo = &request[2..];
        let fc = FunctionCode::from(request[1]);
        let body = match objects {
            Some(o) => o,
            None if matches!(
                fc,
                FunctionCode::Select | FunctionCode::Operate | FunctionCode::DirectOperate
            ) =>
            {
                echo
            }
            None => &[],
        };
        let rsp = dnp3_frames::response(seq, body);
        self.send(
            now + 5_000,
            client,
            server,
            Direction::Response,
            OUTSTATION,
            MASTER_ADDR,
            &rsp,
        );
    }

    fn request(&mut self, kind: MasterRequest) -> Vec<u8> {
        let seq = self.next_seq();
        Request { seq, kind }.to_vec().unwrap()
    }

    /// The HMI selects CROB 3 latched on or off, then 50 ms later operates it; returns the
    /// two request fragments.
    fn select_operate(&mut self, select_on: bool, operate_on: bool) -> (Vec<u8>, Vec<u8>) {
        let sel = self.request(MasterRequest::Crob {
            function: FunctionCode::Select,
            index: 3,
            crob: crob(select_on),
        });
        self.exchange(HMI, RTU, &sel, None);
        self.now += 50_000;
        let op = self.request(MasterRequest::Crob {
            function: FunctionCode::Operate,
            index: 3,
            crob: crob(operate_on),
        });
        self.exchange(HMI, RTU, &op, None);
        (sel, op)
    }

    fn poll_response(&self) -> Vec<u8> {
        // g1v2 binary inputs 0-7 with flags, g30v4 16-bit analog inputs 0-3 without flag.
        let mut buf = [0u8; 64];
        let mut w =
            FragmentWriter::request(&mut buf, AppControl::request(0), FunctionCode::Read).unwrap();
        w.range(1, 2, 0, 7).unwrap();
        w.bytes(&[0x01, 0x81, 0x01, 0x01, 0x81, 0x01, 0x01, 0x01])
            .unwrap();
        w.range(30, 4, 0, 3).unwrap();
        let s = (self.now - T0) as f64 / SEC as f64;
        for k in 0..4u16 {
            let v = 1000.0 + f64::from(k) * 100.0 + 20.0 * (s / 120.0).sin();
            w.bytes(&(v as i16).to_le_bytes()).unwrap();
        }
        let n = w.finish();
        buf[2..n].to_vec()
    }

    fn run_task(&mut self, task: Task) {
        match task {
            Task::Poll => {
                let req = self.request(MasterRequest::IntegrityPoll);
                let objs = self.poll_response();
                self.exchange(HMI, RTU, &req, Some(&objs));
            }
            Task::Crob => {
                let on = self.rng.unit() < 0.5;
                self.select_operate(on, on);
            }
            Task::Analog => {
                let value = 500 + (self.rng.unit() * 20.0) as i16;
                let req = self.request(MasterRequest::AnalogOutput {
                    function: FunctionCode::DirectOperate,
                    index: 2,
                    value: AnalogValue::I16(value),
                });
                self.exchange(HMI, RTU, &req, None);
            }
            Task::Unsolicited => self.unsolicited(RTU, OUTSTATION),
        }
    }

    /// An unsolicited response with one binary input event (g2v1) and its confirm.
    fn unsolicited(&mut self, server: u8, outstation: u16) {
        let seq = self.uns_seq;
        self.uns_seq = (seq + 1) % 16;
        let control = AppControl {
            fir: true,
            fin: true,
            con: true,
            uns: true,
            seq,
        };
        let mut buf = [0u8; 32];
        let mut w = FragmentWriter::response(
            &mut buf,
            control,
            FunctionCode::UnsolicitedResponse,
            Iin::empty(),
        )
        .unwrap();
        w.header(
            2,
            1,
            otwire_dnp3::Qualifier(0x17),
            otwire_dnp3::Range::Count(1),
        )
        .unwrap();
        w.bytes(&[5, 0x81]).unwrap();
        let n = w.finish();
        let frag = buf[..n].to_vec();
        let now = self.now;
        self.send(
            now,
            HMI,
            server,
            Direction::Response,
            outstation,
            MASTER_ADDR,
            &frag,
        );
        let confirm = [
            AppControl {
                fir: true,
                fin: true,
                con: false,
                uns: true,
                seq,
            }
            .to_u8(),
            0,
        ];
        self.send(
            now + 3_000,
            HMI,
            server,
            Direction::Request,
            MASTER_ADDR,
            outstation,
            &confirm,
        );
    }

    fn run_until(&mut self, t: u64) {
        loop {
            let (i, next) = self
                .tasks
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x.2))
                .min_by_key(|x| x.1)
                .unwrap();
            if next > t {
                self.now = self.now.max(t);
                return;
            }
            self.now = next;
            let (task, period, _) = self.tasks[i];
            self.run_task(task);
            let jitter = 1.0 + self.rng.sym(0.1);
            self.tasks[i].2 = next + (period * jitter * SEC as f64) as u64;
        }
    }

    fn run_for(&mut self, secs: f64) {
        let t = self.now + (secs * SEC as f64) as u64;
        self.run_until(t);
    }

    fn techniques_since(&self, ts: u64) -> BTreeSet<String> {
        self.alerts
            .iter()
            .filter(|a| a.ts.0 >= ts)
            .map(|a| a.technique_id.to_string())
            .collect()
    }

    fn report(&self, ts: u64) {
        for a in self.alerts.iter().filter(|a| a.ts.0 >= ts) {
            eprintln!("{}", a.to_json_line());
        }
    }
}

fn reason(a: &Alert) -> &str {
    a.evidence
        .get("reason")
        .and_then(|r| r.as_str())
        .unwrap_or("")
}

fn learned_world(seed: u64) -> World {
    let mut w = World::new(seed);
    w.run_until(T0 + 900 * SEC);
    assert_eq!(w.engine.mode(), Mode::Detecting);
    w.report(T0);
    assert!(w.alerts.is_empty(), "benign DNP3 traffic raised alerts");
    w
}

#[test]
fn benign_polling_raises_nothing_after_learning() {
    let mut w = learned_world(21);
    w.run_for(1800.0);
    w.report(T0);
    assert!(w.alerts.is_empty());
    // The learned state, protocol extensions included, saves and reloads identically.
    let saved = w.engine.save_baseline_json().unwrap();
    let mut again = Engine::new(w.engine.config().clone());
    again.load_baseline_json(&saved).unwrap();
    assert_eq!(again.save_baseline_json().unwrap(), saved);
}

#[test]
fn rogue_master_restart_direct_operate_disable_unsolicited() {
    let mut w = learned_world(22);
    let t = w.now;
    let req = w.request(MasterRequest::ColdRestart);
    // The outstation answers a cold restart with the time delay object g52v2.
    w.exchange(ROGUE, RTU, &req, Some(&[52, 2, 0x07, 1, 0xe8, 0x03]));
    w.run_for(0.5);
    let req = w.request(MasterRequest::Crob {
        function: FunctionCode::DirectOperate,
        index: 3,
        crob: crob(true),
    });
    w.exchange(ROGUE, RTU, &req, None);
    w.run_for(0.5);
    let req = w.request(MasterRequest::DisableUnsolicited {
        class1: true,
        class2: true,
        class3: true,
    });
    w.exchange(ROGUE, RTU, &req, None);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(
        w.techniques_since(t),
        set(&["T0804", "T0816", "T0848", "T0855"])
    );
    let a = w.alerts.iter().find(|a| a.technique_id == "T0804").unwrap();
    assert_eq!(reason(a), "disable_unsolicited");
}

#[test]
fn operate_differs_from_select() {
    let mut w = learned_world(23);
    let t = w.now;
    // The HMI selects latch-on of CROB 3, then operates latch-off.
    w.select_operate(true, false);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0855"]));
    let a: Vec<_> = w.alerts.iter().filter(|a| a.ts.0 >= t).collect();
    assert_eq!(a.len(), 1);
    assert_eq!(reason(a[0]), "operate_differs_from_select");
    assert_eq!(a[0].detector, "state");
}

#[test]
fn known_host_with_a_new_master_address() {
    let mut w = learned_world(29);
    let t = w.now;
    // The HMI's host sends an integrity poll as link address 7 instead of its own 1: a
    // second master on a known machine (or a spoofed one behind it).
    let req = w.request(MasterRequest::IntegrityPoll);
    let now = w.now;
    w.send(now, HMI, RTU, Direction::Request, 7, OUTSTATION, &req);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0848"]));
    let a = w.alerts.iter().find(|a| a.technique_id == "T0848").unwrap();
    assert_eq!(reason(a), "new_master_address");
}

#[test]
fn operate_without_select() {
    let mut w = learned_world(24);
    let t = w.now;
    let op = w.request(MasterRequest::Crob {
        function: FunctionCode::Operate,
        index: 3,
        crob: crob(true),
    });
    w.exchange(HMI, RTU, &op, None);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0855"]));
    assert!(
        w.alerts
            .iter()
            .any(|a| reason(a) == "operate_without_select")
    );
}

#[test]
fn analog_output_outside_learned_range() {
    let mut w = learned_world(25);
    let t = w.now;
    let req = w.request(MasterRequest::AnalogOutput {
        function: FunctionCode::DirectOperate,
        index: 2,
        value: AnalogValue::I16(9000),
    });
    w.exchange(HMI, RTU, &req, None);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0836"]));
    assert!(w.alerts.iter().any(|a| a.detector == "value"));
}

#[test]
fn unsolicited_from_unexpected_outstation() {
    let mut w = learned_world(26);
    let t = w.now;
    // Unsolicited responses appear from a host that never reported, with its own address.
    w.unsolicited(RTU2, 77);
    w.run_for(60.0);
    w.report(t);
    // Also: a server the HMI never talked to (T0846). The HMI's application Confirms to it
    // are session upkeep, not commands: no T0855.
    assert_eq!(w.techniques_since(t), set(&["T0846", "T0856"]));
    assert!(
        w.alerts
            .iter()
            .any(|a| reason(a) == "unexpected_unsolicited")
    );
}

#[test]
fn bad_crc_broadcast_and_flood() {
    let mut w = learned_world(27);
    let t = w.now;
    // A link frame with a corrupted data block CRC.
    let req = w.request(MasterRequest::IntegrityPoll);
    let frames = TransportFrames {
        header: LinkHeader {
            control: LinkControl::primary(true, PrimaryFunction::UnconfirmedUserData, false),
            destination: Address(OUTSTATION),
            source: Address(MASTER_ADDR),
        },
        first_seq: 0,
        fragment: &req,
    };
    let mut bytes = frames.to_vec().unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let now = w.now;
    w.feed_frame(now, World::flow(HMI, RTU), Direction::Request, &bytes);
    assert_eq!(w.techniques_since(t), set(&["T0866"]));
    // A read to the broadcast address 0xFFFF.
    let req = w.request(MasterRequest::IntegrityPoll);
    w.send(
        now + 1000,
        HMI,
        RTU,
        Direction::Request,
        MASTER_ADDR,
        0xFFFF,
        &req,
    );
    assert!(w.techniques_since(t).contains("T0846"));
    // 3000 integrity polls in 3 s.
    for _ in 0..3000 {
        w.now += 1_000;
        let req = w.request(MasterRequest::IntegrityPoll);
        let objs = w.poll_response();
        w.exchange(HMI, RTU, &req, Some(&objs));
    }
    w.run_for(60.0);
    w.report(t);
    // The broadcast read is also an operation the HMI never performed on unit 0xFFFF.
    assert_eq!(
        w.techniques_since(t),
        set(&["T0801", "T0814", "T0846", "T0866"])
    );
    assert!(w.alerts.iter().any(|a| reason(a) == "broadcast"));
    assert!(w.alerts.iter().any(|a| reason(a) == "request_flood"));
}

#[test]
fn unsolicited_storm() {
    let mut w = learned_world(28);
    let t = w.now;
    // The outstation floods its master with 400 unsolicited responses in 2 s.
    for _ in 0..400 {
        w.now += 5_000;
        w.unsolicited(RTU, OUTSTATION);
    }
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0814"]));
    assert!(w.alerts.iter().any(|a| reason(a) == "unsolicited_storm"));
}

/// A select and operate replayed byte for byte (application and transport sequence numbers
/// included) from a second connection of the master's address 2 s after the real ones:
/// T0830 and T0855 from the replay detector, the CROB being an operation the HMI makes
/// every minute.
#[test]
fn operate_replayed_from_a_second_connection() {
    let mut w = learned_world(29);
    let t = w.now;
    let before = w.tseq;
    let (sel, op) = w.select_operate(true, true);
    let after = w.tseq;
    w.now += 2 * SEC;
    w.tseq = before;
    w.second = Some(41_000);
    w.exchange(HMI, RTU, &sel, None);
    w.now += 50_000;
    w.exchange(HMI, RTU, &op, None);
    w.second = None;
    w.tseq = after;
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0830", "T0855"]));
    assert!(w.alerts.iter().any(|a| reason(a) == "replayed_verbatim"));
}

impl World {
    /// An integrity poll whose application sequence number is three behind the master's.
    fn poll_three_back(&mut self) {
        let seq = (self.app_seq + 16 - 3) % 16;
        let req = Request {
            seq,
            kind: MasterRequest::IntegrityPoll,
        }
        .to_vec()
        .unwrap();
        let objs = self.poll_response();
        self.exchange(HMI, RTU, &req, Some(&objs));
    }
}

/// An old integrity poll played back into the master's connection: its application
/// sequence number is three behind the master's (T0830).
#[test]
fn application_sequence_goes_backwards() {
    let mut w = learned_world(30);
    let t = w.now;
    w.poll_three_back();
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0830"]));
    assert!(
        w.alerts
            .iter()
            .any(|a| reason(a) == "application_sequence_backwards")
    );
}

/// A master whose application sequence went back while learning (a tool replaying a fixed
/// exchange) is left alone when it does it again.
#[test]
fn a_master_going_back_while_learning_is_left_alone() {
    let mut w = World::new(31);
    w.run_until(T0 + 300 * SEC);
    w.poll_three_back();
    w.run_until(T0 + 900 * SEC);
    assert!(w.alerts.is_empty());
    let t = w.now;
    w.poll_three_back();
    w.run_for(60.0);
    w.report(t);
    assert!(w.techniques_since(t).is_empty());
}
