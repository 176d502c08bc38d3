//! A small simulated plant for scenario tests: Modbus/TCP pollers with seeded jitter,
//! servers whose values follow smooth curves, and helpers to inject attacks. Every PDU goes
//! the way a real user's would: encoder -> bytes -> `Sessions<Modbus>::feed` (the Modbus
//! analyzer of each connection) -> `Engine`.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use otwire_detect::protocol::modbus::Modbus;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Endpoint, Engine, Flow, Meta};
use otwire_modbus::{
    Address, Adu, BitValues, Emit, ExceptionCode, FunctionCode, RegisterValues, Request, Response,
    TransactionId, UnitId, pack_bits, pack_registers,
};

/// 2023-11-14T22:13:20Z.
pub const T0: u64 = 1_700_000_000_000_000;
pub const SEC: u64 = 1_000_000;

/// SplitMix64: a seeded, reproducible generator.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [-x, x].
    pub fn sym(&mut self, x: f64) -> f64 {
        (self.unit() * 2.0 - 1.0) * x
    }
}

pub fn host(last: u8) -> [u8; 4] {
    [10, 0, 0, last]
}

pub fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint::v4(host(last), port)
}

pub const HMI: u8 = 2;
pub const SCADA: u8 = 3;
pub const ENG: u8 = 5;
pub const PLC1: u8 = 10;
pub const PLC2: u8 = 11;

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    ReadHr {
        addr: u16,
        qty: u16,
    },
    ReadIr {
        addr: u16,
        qty: u16,
    },
    ReadCoils {
        addr: u16,
        qty: u16,
    },
    WriteSetpoint {
        addr: u16,
    },
    /// The same value written every period.
    WriteFixed {
        addr: u16,
        value: u16,
    },
}

#[derive(Debug, Clone)]
pub struct Poller {
    pub client: u8,
    pub server: u8,
    pub unit: u8,
    pub kind: Kind,
    pub period: f64,
    pub next: u64,
}

/// One recorded ADU: time, flow, direction, bytes.
pub type Recorded = (u64, Flow, Direction, Vec<u8>);

/// A raised alert with the simulation time it was raised at.
pub type Raised = Alert;

pub struct World {
    pub engine: Engine,
    pub sessions: Sessions<Modbus>,
    pub rng: Rng,
    pub pollers: Vec<Poller>,
    pub now: u64,
    pub tid: u16,
    pub frame: u64,
    pub client_port: [u16; 256],
    pub last_reconnect: u64,
    /// (server, unit) in listen-only mode: requests go unanswered.
    pub silenced: Vec<(u8, u8)>,
    /// A drifting input register: (server, unit, address, units per second, since).
    pub drift: Option<(u8, u8, u16, f64, u64)>,
    pub alerts: Vec<Raised>,
    pub events: u64,
    pub reconnect_every: u64,
    /// Holding registers last written by the plant's own setpoint writes.
    pub setpoints: std::collections::HashMap<(u8, u8, u16), u16>,
    /// When set, every ADU fed is also recorded here (time, flow, direction, bytes).
    pub record: Option<Vec<Recorded>>,
    /// The link metadata every ADU is fed with (MACs, TTL).
    pub link: otwire_detect::Link,
}

/// The benign plant: an HMI and a SCADA server polling two PLCs, an engineering station
/// adjusting a setpoint.
pub fn plant() -> Vec<Poller> {
    let p = |client, server, unit, kind, period: f64| Poller {
        client,
        server,
        unit,
        kind,
        period,
        next: T0,
    };
    vec![
        p(HMI, PLC1, 1, Kind::ReadHr { addr: 0, qty: 10 }, 1.0),
        p(HMI, PLC1, 1, Kind::ReadIr { addr: 100, qty: 8 }, 1.0),
        p(HMI, PLC1, 1, Kind::ReadCoils { addr: 0, qty: 16 }, 2.0),
        p(SCADA, PLC2, 1, Kind::ReadHr { addr: 0, qty: 20 }, 0.5),
        p(SCADA, PLC2, 2, Kind::ReadIr { addr: 0, qty: 4 }, 1.0),
        p(ENG, PLC1, 1, Kind::WriteSetpoint { addr: 20 }, 30.0),
    ]
}

pub fn scenario_config() -> Config {
    Config {
        learning_secs: 600,
        ..Config::default()
    }
}

impl World {
    pub fn new(config: Config, seed: u64) -> Self {
        let mut rng = Rng(seed);
        let mut pollers = plant();
        for p in &mut pollers {
            p.next = T0 + (rng.unit() * p.period * SEC as f64) as u64;
        }
        let mut client_port = [0u16; 256];
        for (i, port) in client_port.iter_mut().enumerate() {
            *port = 49_152 + i as u16;
        }
        Self {
            engine: Engine::new(config),
            sessions: Sessions::new(Transport::Tcp),
            rng,
            pollers,
            now: T0,
            tid: 0,
            frame: 0,
            client_port,
            last_reconnect: T0,
            silenced: Vec::new(),
            drift: None,
            alerts: Vec::new(),
            events: 0,
            reconnect_every: 3600 * SEC,
            setpoints: std::collections::HashMap::new(),
            record: None,
            link: otwire_detect::Link::NONE,
        }
    }

    /// The value a PLC reports for a register: smooth curves, learned within 10 minutes.
    pub fn register(&self, server: u8, unit: u8, input: bool, addr: u16, t: u64) -> u16 {
        if !input {
            if let Some(v) = self.setpoints.get(&(server, unit, addr)) {
                return *v;
            }
        }
        let s = (t - T0) as f64 / SEC as f64;
        let a = f64::from(addr);
        let (base, amp, period) = if input {
            (
                1000.0 + a * 10.0 + f64::from(server),
                50.0,
                120.0 + a % 7.0 * 20.0,
            )
        } else {
            (100.0 + a + f64::from(unit), 5.0, 240.0)
        };
        let mut v = base + amp * (2.0 * std::f64::consts::PI * s / period).sin();
        if let Some((ds, du, da, rate, since)) = self.drift {
            if input && ds == server && du == unit && da == addr && t > since {
                v += rate * (t - since) as f64 / SEC as f64;
            }
        }
        v.round().clamp(0.0, 65535.0) as u16
    }

    fn next_tid(&mut self) -> u16 {
        self.tid = self.tid.wrapping_add(1);
        self.tid
    }

    pub fn flow(&self, client: u8, server: u8) -> Flow {
        Flow::new(
            ep(client, self.client_port[usize::from(client)]),
            ep(server, 502),
        )
    }

    /// Feeds one ADU (already encoded) to sessions and engine at `ts`.
    pub fn feed(&mut self, ts: u64, flow: Flow, dir: Direction, bytes: &[u8]) {
        self.frame += 1;
        self.events += 1;
        if let Some(r) = &mut self.record {
            r.push((ts, flow, dir, bytes.to_vec()));
        }
        let meta = Meta {
            link: self.link,
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

    /// Sends a request from `client` to `server` now and, if given, its response 2 ms later.
    pub fn exchange(
        &mut self,
        client: u8,
        server: u8,
        unit: u8,
        req: &Request<'_>,
        rsp: Option<&Response<'_>>,
    ) {
        let tid = self.next_tid();
        let flow = self.flow(client, server);
        let bytes = Adu::new(TransactionId(tid), UnitId(unit), req)
            .to_vec()
            .unwrap();
        let now = self.now;
        self.feed(now, flow, Direction::Request, &bytes);
        if let Some(rsp) = rsp {
            let bytes = Adu::new(TransactionId(tid), UnitId(unit), rsp)
                .to_vec()
                .unwrap();
            self.feed(now + 2_000, flow, Direction::Response, &bytes);
        }
    }

    fn poll(&mut self, i: usize) {
        let p = self.pollers[i].clone();
        let now = self.now;
        let silent = self.silenced.contains(&(p.server, p.unit));
        let mut words = [0u8; 256];
        let mut bits = [0u8; 32];
        match p.kind {
            Kind::ReadHr { addr, qty } | Kind::ReadIr { addr, qty } => {
                let input = matches!(p.kind, Kind::ReadIr { .. });
                let vals: Vec<u16> = (0..qty)
                    .map(|k| self.register(p.server, p.unit, input, addr + k, now))
                    .collect();
                let packed = pack_registers(&vals, &mut words).unwrap();
                let values = RegisterValues::new(packed);
                let (req, rsp) = if input {
                    (
                        Request::ReadInputRegisters {
                            address: Address(addr),
                            quantity: qty,
                        },
                        Response::ReadInputRegisters { values },
                    )
                } else {
                    (
                        Request::ReadHoldingRegisters {
                            address: Address(addr),
                            quantity: qty,
                        },
                        Response::ReadHoldingRegisters { values },
                    )
                };
                self.exchange(p.client, p.server, p.unit, &req, (!silent).then_some(&rsp));
            }
            Kind::ReadCoils { addr, qty } => {
                let slot = (now - T0) / (60 * SEC);
                let vals: Vec<bool> = (0..qty).map(|k| (u64::from(k) + slot) % 3 == 0).collect();
                let packed = pack_bits(&vals, &mut bits).unwrap();
                let req = Request::ReadCoils {
                    address: Address(addr),
                    quantity: qty,
                };
                let rsp = Response::ReadCoils {
                    values: BitValues::new(packed, usize::from(qty)),
                };
                self.exchange(p.client, p.server, p.unit, &req, (!silent).then_some(&rsp));
            }
            Kind::WriteSetpoint { addr } => {
                let value = 500 + (self.rng.unit() * 20.0) as u16;
                self.write_register(&p, addr, value, silent);
            }
            Kind::WriteFixed { addr, value } => self.write_register(&p, addr, value, silent),
        }
    }

    /// `p`'s client writes `value` to holding register `addr` (FC 6), answered unless
    /// `silent`.
    fn write_register(&mut self, p: &Poller, addr: u16, value: u16, silent: bool) {
        self.setpoints.insert((p.server, p.unit, addr), value);
        let req = Request::WriteSingleRegister {
            address: Address(addr),
            value,
        };
        let rsp = Response::WriteSingleRegister {
            address: Address(addr),
            value,
        };
        self.exchange(p.client, p.server, p.unit, &req, (!silent).then_some(&rsp));
    }

    /// Runs the benign plant until `t` (absolute µs), with ±10 % jitter on every period.
    pub fn run_until(&mut self, t: u64) {
        loop {
            let Some((i, next)) = self
                .pollers
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.next))
                .min_by_key(|x| x.1)
            else {
                return;
            };
            if next > t {
                self.now = self.now.max(t);
                return;
            }
            self.now = next;
            if self.now - self.last_reconnect >= self.reconnect_every {
                // Clients reconnect from new source ports now and then.
                self.last_reconnect = self.now;
                for port in &mut self.client_port {
                    *port = port.wrapping_add(256).max(49_152);
                }
            }
            self.poll(i);
            let p = &mut self.pollers[i];
            let jitter = 1.0 + self.rng.sym(0.1);
            p.next = next + (p.period * jitter * SEC as f64) as u64;
        }
    }

    /// Advances time by `secs` of benign traffic.
    pub fn run_for(&mut self, secs: f64) {
        let t = self.now + (secs * SEC as f64) as u64;
        self.run_until(t);
    }

    /// Moves the clock forward without traffic of its own (attacks interleave with polls).
    pub fn advance(&mut self, us: u64) {
        let t = self.now + us;
        self.run_until(t);
    }

    pub fn techniques_since(&self, ts: u64) -> BTreeSet<String> {
        self.alerts
            .iter()
            .filter(|a| a.ts.0 >= ts)
            .map(|a| a.technique_id.to_string())
            .collect()
    }

    pub fn alerts_since(&self, ts: u64) -> Vec<&Alert> {
        self.alerts.iter().filter(|a| a.ts.0 >= ts).collect()
    }
}

/// A world that learned for 10 minutes, then ran 5 more minutes of benign traffic, and
/// raised nothing at all.
pub fn learned_world(seed: u64) -> World {
    let mut w = World::new(scenario_config(), seed);
    w.run_until(T0 + 900 * SEC);
    assert_eq!(w.engine.mode(), otwire_detect::Mode::Detecting);
    assert!(
        w.alerts.is_empty(),
        "benign traffic raised alerts: {:#?}",
        w.alerts
    );
    w
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

pub fn exception(function: FunctionCode, code: ExceptionCode) -> Response<'static> {
    Response::Exception { function, code }
}
