//! IEC 60870-5-104 attack scenarios (`../shared/attack/INDICATORS.md`, IEC 104 column and
//! the Industroyer / Industroyer2 sequences). A SCADA server interrogates two RTUs, selects
//! and executes a single command and writes a set-point; the RTUs report a measurand
//! spontaneously. 10 minutes of learning, 5 minutes of benign traffic that must raise
//! nothing, then the attack interleaved with the plant and one more minute of it; each
//! test asserts the exact set of techniques. Every APDU goes builder -> bytes ->
//! `Sessions<Iec104>::feed` -> `Engine`, with consistent N(S)/N(R) per connection.
#![cfg(all(feature = "iec104", feature = "modbus"))]
#![cfg(feature = "iec104")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::{BTreeSet, HashMap};

use otwire_detect::protocol::iec104::Iec104;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Engine, Flow, Meta, Mode};
use otwire_iec104::builders::{self, Request};
use otwire_iec104::{
    Apci, Cause, CommonAddress, Element, Emit, Ioa, Normalized, Qds, Qoi, Qrp, SeqNum, TypeId,
};
use support::{Rng, SEC, T0, ep, set};

const SCADA: u8 = 3;
const RTU1: u8 = 30;
const RTU2: u8 = 31;
const ROGUE: u8 = 66;
const ROGUE2: u8 = 67;

fn ca_of(server: u8) -> u16 {
    u16::from(server - RTU1 + 1)
}

/// Command points that exist on every RTU.
const COMMANDS: std::ops::RangeInclusive<u32> = 2001..=2005;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Task {
    Interrogate(u8),
    Spontaneous(u8),
    Command,
    Setpoint,
}

#[derive(Debug, Clone, Copy, Default)]
struct Conn {
    started: bool,
    /// V(S) of the controlling and controlled station.
    vs_c: u16,
    vs_s: u16,
    unacked: u16,
}

struct World {
    engine: Engine,
    sessions: Sessions<Iec104>,
    rng: Rng,
    now: u64,
    frame: u64,
    tasks: Vec<(Task, f64, u64)>,
    conns: HashMap<(u8, u8), Conn>,
    silent: Vec<u8>,
    alerts: Vec<Alert>,
}

impl World {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        let mut tasks = Vec::new();
        for (task, period) in [
            (Task::Interrogate(RTU1), 60.0),
            (Task::Interrogate(RTU2), 60.0),
            (Task::Spontaneous(RTU1), 2.0),
            (Task::Spontaneous(RTU2), 3.0),
            (Task::Command, 120.0),
            (Task::Setpoint, 30.0),
        ] {
            tasks.push((task, period, T0 + (rng.unit() * period * SEC as f64) as u64));
        }
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
            conns: HashMap::new(),
            silent: Vec::new(),
            alerts: Vec::new(),
        }
    }

    fn flow(client: u8, server: u8) -> Flow {
        Flow::new(ep(client, 50_000 + u16::from(client)), ep(server, 2404))
    }

    fn feed(&mut self, ts: u64, flow: Flow, dir: Direction, bytes: &[u8]) {
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

    fn u_frame(&mut self, client: u8, server: u8, dir: Direction, apci: Apci) {
        let bytes = apci.to_vec().unwrap();
        let now = self.now;
        self.feed(now, Self::flow(client, server), dir, &bytes);
    }

    /// STARTDT act/con on first use of a connection.
    fn connect(&mut self, client: u8, server: u8) {
        if self.conns.get(&(client, server)).is_some_and(|c| c.started) {
            return;
        }
        self.conns.insert((client, server), Conn::default());
        self.u_frame(client, server, Direction::Request, builders::startdt_act());
        self.now += 1_000;
        self.u_frame(client, server, Direction::Response, builders::startdt_con());
        self.now += 1_000;
        self.conns.get_mut(&(client, server)).unwrap().started = true;
    }

    /// One I frame with the connection's sequence numbers; the controlling station
    /// acknowledges every 8 frames it receives with an S frame.
    fn i_frame(&mut self, client: u8, server: u8, dir: Direction, asdu: &Request) {
        let c = self.conns.get_mut(&(client, server)).unwrap();
        let (send, recv) = match dir {
            Direction::Request => {
                let s = c.vs_c;
                c.vs_c = (s + 1) % 32768;
                c.unacked = 0;
                (s, c.vs_s)
            }
            Direction::Response => {
                let s = c.vs_s;
                c.vs_s = (s + 1) % 32768;
                c.unacked += 1;
                (s, c.vs_c)
            }
        };
        let ack = (c.unacked >= 8).then_some(c.vs_s);
        let bytes = asdu
            .i_frame(SeqNum::new(send), SeqNum::new(recv))
            .to_vec()
            .unwrap();
        let now = self.now;
        self.feed(now, Self::flow(client, server), dir, &bytes);
        if let Some(vr) = ack {
            self.conns.get_mut(&(client, server)).unwrap().unacked = 0;
            let bytes = builders::s_frame(SeqNum::new(vr)).to_vec().unwrap();
            self.feed(
                now + 500,
                Self::flow(client, server),
                Direction::Request,
                &bytes,
            );
        }
    }

    fn step(&mut self, us: u64) {
        self.now += us;
    }

    /// Activation, then the station's confirmation (negative with cause 47 for IOAs that
    /// do not exist) and, for an execute, its termination.
    fn command(&mut self, client: u8, server: u8, req: Request, exists: bool) {
        self.connect(client, server);
        self.i_frame(client, server, Direction::Request, &req);
        self.step(2_000);
        let mut con = req.with_cause(Cause::ActivationCon);
        if !exists {
            con = req.with_cause(Cause::UnknownIoa);
            con.header.cot.negative = true;
        }
        self.i_frame(client, server, Direction::Response, &con);
        let select = match req.object.element {
            Element::SingleCommand { sco, .. } => sco.select(),
            Element::DoubleCommand { dco, .. } => dco.select(),
            Element::SetpointScaled { qos, .. } => qos.select(),
            _ => false,
        };
        let terminated = matches!(
            req.object.element,
            Element::SingleCommand { .. }
                | Element::DoubleCommand { .. }
                | Element::SetpointScaled { .. }
        );
        if exists && !select && terminated {
            self.step(2_000);
            self.i_frame(
                client,
                server,
                Direction::Response,
                &req.with_cause(Cause::ActivationTermination),
            );
        }
    }

    fn single(&mut self, client: u8, server: u8, ioa: u32, on: bool) {
        let ca = CommonAddress(ca_of(server));
        let exists = COMMANDS.contains(&ioa);
        let sel = Request::single_command(ca, Ioa(ioa), on, true, None);
        self.command(client, server, sel, exists);
        if exists {
            self.step(20_000);
            let exe = Request::single_command(ca, Ioa(ioa), on, false, None);
            self.command(client, server, exe, true);
        }
    }

    fn measurand(&self, server: u8, ioa: u32) -> i16 {
        let s = (self.now - T0) as f64 / SEC as f64;
        (1000.0 + f64::from(ioa - 1000) * 100.0 + f64::from(server) + 30.0 * (s / 90.0).sin())
            as i16
    }

    /// General interrogation of `ca` on `server`: actcon, the four measurands, actterm.
    fn interrogate(&mut self, client: u8, server: u8, ca: u16) {
        self.connect(client, server);
        let gi = Request::interrogation(CommonAddress(ca), Qoi::STATION);
        self.i_frame(client, server, Direction::Request, &gi);
        self.step(2_000);
        self.i_frame(
            client,
            server,
            Direction::Response,
            &gi.with_cause(Cause::ActivationCon),
        );
        for ioa in 1001..=1004u32 {
            self.step(1_000);
            let v = self.measurand(server, ioa);
            let m = Request::new(
                TypeId::MeasuredScaled,
                CommonAddress(ca_of(server)),
                Ioa(ioa),
                Element::Scaled {
                    value: v,
                    qds: Qds(0),
                    time: None,
                },
            )
            .with_cause(Cause::InterrogatedStation);
            self.i_frame(client, server, Direction::Response, &m);
        }
        self.step(1_000);
        self.i_frame(
            client,
            server,
            Direction::Response,
            &gi.with_cause(Cause::ActivationTermination),
        );
    }

    fn spontaneous(&mut self, server: u8) {
        if self.silent.contains(&server) {
            return;
        }
        self.connect(SCADA, server);
        let v = self.measurand(server, 1001);
        let m = Request::new(
            TypeId::MeasuredScaled,
            CommonAddress(ca_of(server)),
            Ioa(1001),
            Element::Scaled {
                value: v,
                qds: Qds(0),
                time: None,
            },
        )
        .with_cause(Cause::Spontaneous);
        self.i_frame(SCADA, server, Direction::Response, &m);
    }

    fn run_task(&mut self, task: Task) {
        match task {
            Task::Interrogate(s) => self.interrogate(SCADA, s, ca_of(s)),
            Task::Spontaneous(s) => self.spontaneous(s),
            Task::Command => {
                let on = self.rng.unit() < 0.5;
                self.single(SCADA, RTU1, 2001, on);
            }
            Task::Setpoint => {
                let v = 100 + (self.rng.unit() * 20.0) as i16;
                let req = Request::setpoint_scaled(CommonAddress(1), Ioa(3001), v, false, None);
                self.command(SCADA, RTU1, req, true);
            }
        }
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
            self.now = self.now.max(next);
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

    fn reasons(&self, ts: u64) -> BTreeSet<String> {
        self.alerts
            .iter()
            .filter(|a| a.ts.0 >= ts)
            .map(|a| format!("{}:{}:{}", a.technique_id, a.detector, reason(a)))
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
    assert!(w.alerts.is_empty(), "benign IEC 104 traffic raised alerts");
    w
}

#[test]
fn benign_polling_and_spontaneous_raise_nothing_after_learning() {
    let mut w = learned_world(31);
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
fn industroyer() {
    let mut w = learned_world(32);
    let t = w.now;
    // A new station starts data transfer with RTU1, then selects every IOA of a range:
    // those that exist are confirmed and executed, the others negatively confirmed.
    w.connect(ROGUE, RTU1);
    for ioa in 1990..2030u32 {
        w.step(30_000);
        w.single(ROGUE, RTU1, ioa, true);
    }
    // Then toggles every IOA found.
    for round in 0..6 {
        for ioa in COMMANDS {
            w.step(30_000);
            w.single(ROGUE, RTU1, ioa, round % 2 == 1);
        }
    }
    w.run_for(60.0);
    w.report(t);
    eprintln!("{:#?}", w.reasons(t));
    assert_eq!(
        w.techniques_since(t),
        set(&["T0806", "T0848", "T0855", "T0861"])
    );
    let r = w.reasons(t);
    assert!(r.contains("T0861:rate:exception_burst"));
    assert!(r.contains("T0806:rate:write_storm"));
    assert!(r.contains("T0848:new_asset:new_client"));
}

#[test]
fn industroyer2() {
    let mut w = learned_world(33);
    let t = w.now;
    // Per station: STARTDT, a general interrogation to the global address, then select and
    // execute of the configured IOAs, ON then OFF.
    for server in [RTU1, RTU2] {
        w.connect(ROGUE2, server);
        w.step(100_000);
        w.interrogate(ROGUE2, server, 0xFFFF);
        for ioa in [2002u32, 2003, 2004] {
            for on in [true, false] {
                w.step(200_000);
                w.single(ROGUE2, server, ioa, on);
            }
        }
    }
    w.run_for(60.0);
    w.report(t);
    eprintln!("{:#?}", w.reasons(t));
    // T0846: the global address is a new unit, RTU2 a server the rogue never talked to.
    assert_eq!(
        w.techniques_since(t),
        set(&["T0801", "T0846", "T0848", "T0855", "T0888"])
    );
    assert!(w.reasons(t).contains("T0888:state:broadcast_interrogation"));
}

#[test]
fn reset_process() {
    let mut w = learned_world(34);
    let t = w.now;
    let req = Request::reset_process(CommonAddress(1), Qrp(1));
    w.command(SCADA, RTU1, req, true);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0816"]));
}

#[test]
fn setpoint_outside_learned_range() {
    let mut w = learned_world(35);
    let t = w.now;
    let req = Request::setpoint_scaled(CommonAddress(1), Ioa(3001), 30_000, false, None);
    w.command(SCADA, RTU1, req, true);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0836"]));
    assert!(w.reasons(t).contains("T0836:value:written_out_of_range"));
}

#[test]
fn execute_without_select() {
    let mut w = learned_world(36);
    let t = w.now;
    // SCADA always selects IOA 2001 first; now it executes directly.
    let exe = Request::single_command(CommonAddress(1), Ioa(2001), true, false, None);
    w.command(SCADA, RTU1, exe, true);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0855"]));
    assert!(w.reasons(t).contains("T0855:state:execute_without_select"));
}

#[test]
fn stopdt_from_the_controlled_station_and_silence() {
    let mut w = learned_world(37);
    let t = w.now;
    // RTU2 stops data transfer itself, and its spontaneous reports stop.
    w.u_frame(SCADA, RTU2, Direction::Response, builders::stopdt_act());
    w.silent.push(RTU2);
    w.run_for(120.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0804"]));
    let r = w.reasons(t);
    assert!(r.contains("T0804:state:stopdt_from_controlled_station"));
    assert!(r.iter().any(|x| x.starts_with("T0804:periodicity:")));
}

#[test]
fn spontaneous_data_from_the_controlling_side() {
    let mut w = learned_world(38);
    let t = w.now;
    let m = Request::new(
        TypeId::MeasuredNormalized,
        CommonAddress(1),
        Ioa(1001),
        Element::Normalized {
            value: Normalized(100),
            qds: Some(Qds(0)),
            time: None,
        },
    )
    .with_cause(Cause::Spontaneous);
    w.i_frame(SCADA, RTU1, Direction::Request, &m);
    w.run_for(60.0);
    w.report(t);
    assert!(
        w.reasons(t)
            .contains("T0856:state:monitor_data_from_controlling_station")
    );
    // Plus: monitor data is a read-side operation SCADA never sent (allowlist T0801), and
    // the parser's WRONG_DIRECTION flag reaches detection: an anomaly SCADA never showed
    // while learning (conformance T0866).
    assert_eq!(w.techniques_since(t), set(&["T0801", "T0856", "T0866"]));
    let conformance = w
        .alerts
        .iter()
        .find(|a| a.ts.0 >= t && a.technique_id == "T0866")
        .unwrap();
    assert_eq!(reason(conformance), "new_anomaly");
    let names = conformance.evidence["anomalies"].as_array().unwrap();
    assert!(names.iter().any(|n| n == "WRONG_DIRECTION"), "{names:?}");
}

#[test]
fn sequence_number_gap() {
    let mut w = learned_world(39);
    let t = w.now;
    // An injected I frame: RTU1's V(S) jumps by 5.
    w.conns.get_mut(&(SCADA, RTU1)).unwrap().vs_s += 5;
    w.spontaneous(RTU1);
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0830"]));
    assert!(w.reasons(t).contains("T0830:state:send_sequence_gap"));
}

#[test]
fn testfr_sweep_across_hosts() {
    let mut w = learned_world(40);
    let t = w.now;
    for host in 100u8..130 {
        w.step(20_000);
        w.u_frame(SCADA, host, Direction::Request, builders::testfr_act());
    }
    w.run_for(60.0);
    w.report(t);
    // A sweep is discovery (T0846) only: TESTFR act is session upkeep, not a command, so
    // the operation allowlist leaves it alone (no T0855).
    assert_eq!(w.techniques_since(t), set(&["T0846"]));
    assert!(w.reasons(t).contains("T0846:rate:server_fan_out"));
    assert!(w.reasons(t).contains("T0846:new_asset:new_server"));
}

/// A single command's execute replayed from a second connection of the controlling
/// station's address 2 s after the real select and execute, with its N(S)/N(R) renewed
/// for the new connection (STARTDT, then N(S) 0): T0830 and T0855 from the replay detector.
#[test]
fn command_replayed_with_renewed_sequence_numbers() {
    let mut w = learned_world(41);
    let t = w.now;
    w.single(SCADA, RTU1, 2001, true);
    w.step(2 * SEC);
    let flow = Flow::new(ep(SCADA, 51_000), ep(RTU1, 2404));
    let exe = Request::single_command(CommonAddress(1), Ioa(2001), true, false, None);
    let con = exe.with_cause(Cause::ActivationCon);
    let now = w.now;
    let frames = [
        (
            Direction::Request,
            builders::startdt_act().to_vec().unwrap(),
        ),
        (
            Direction::Response,
            builders::startdt_con().to_vec().unwrap(),
        ),
        (
            Direction::Request,
            exe.i_frame(SeqNum::new(0), SeqNum::new(0))
                .to_vec()
                .unwrap(),
        ),
        (
            Direction::Response,
            con.i_frame(SeqNum::new(0), SeqNum::new(1))
                .to_vec()
                .unwrap(),
        ),
    ];
    for (k, (dir, bytes)) in frames.iter().enumerate() {
        w.feed(now + k as u64 * 1_000, flow, *dir, bytes);
    }
    w.run_for(60.0);
    w.report(t);
    assert_eq!(w.techniques_since(t), set(&["T0830", "T0855"]));
    assert!(w.reasons(t).contains("T0830:replay:replayed_renewed"));
}
