//! S7comm attack scenarios (`../shared/attack/INDICATORS.md`, S7comm column). An HMI
//! polls a PLC (read var of DB1 every second) over one COTP connection; 10 minutes of learning, 5 minutes of benign traffic that must raise nothing,
//! then one attack; each test asserts the exact set of techniques. Every PDU goes
//! otwire-s7 encoder or golden bytes -> `Sessions<S7>::feed` -> `Engine`.
#![cfg(feature = "s7")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../s7/tests/vectors/mod.rs"]
mod vectors;

use std::collections::BTreeSet;

use otwire_detect::protocol::s7::S7;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Endpoint, Engine, Flow, Meta, Mode};
use otwire_s7::{Emit, Pdu, frame};

/// 2023-11-14T22:13:20Z.
const T0: u64 = 1_700_000_000_000_000;
const SEC: u64 = 1_000_000;

const HMI: u8 = 2;
const PLC: u8 = 10;
const ROGUE: u8 = 66;

fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint::v4([10, 0, 0, last], port)
}

fn flow(client: u8) -> Flow {
    Flow::new(ep(client, 49_152 + u16::from(client)), ep(PLC, 102))
}

/// `bytes` (one TPKT) with its S7comm PDU reference set to `r`.
fn with_ref(bytes: &[u8], r: u16) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[11..13].copy_from_slice(&r.to_be_bytes());
    b
}

struct World {
    engine: Engine,
    sessions: Sessions<S7>,
    now: u64,
    frame: u64,
    pdu_ref: u16,
    alerts: Vec<Alert>,
}

impl World {
    fn new() -> Self {
        let config = Config {
            learning_secs: 600,
            ..Config::default()
        };
        World {
            engine: Engine::new(config),
            sessions: Sessions::new(Transport::Tcp),
            now: T0,
            frame: 0,
            pdu_ref: 0,
            alerts: Vec::new(),
        }
    }

    fn feed(&mut self, client: u8, dir: Direction, bytes: &[u8]) {
        self.frame += 1;
        let meta = Meta {
            ts: self.now,
            frame: self.frame,
            flow_id: u64::from(client),
            flow: flow(client),
        };
        let (engine, alerts) = (&mut self.engine, &mut self.alerts);
        self.sessions.feed(meta, dir, bytes, |ev| {
            alerts.extend_from_slice(engine.observe(ev));
        });
    }

    /// A job from `client` and, when given, its answer 3 ms later (both with the next PDU
    /// reference).
    fn exchange(&mut self, client: u8, job: &[u8], answer: Option<&[u8]>) {
        self.pdu_ref = self.pdu_ref.wrapping_add(1);
        let r = self.pdu_ref;
        self.feed(client, Direction::Request, &with_ref(job, r));
        if let Some(a) = answer {
            self.now += 3_000;
            self.feed(client, Direction::Response, &with_ref(a, r));
        }
    }

    /// COTP connection and setup communication from `client`.
    fn connect(&mut self, client: u8) {
        self.feed(client, Direction::Request, vectors::CR);
        self.feed(client, Direction::Response, vectors::CC);
        let setup = frame(Pdu::setup(0, 480)).to_vec().unwrap();
        self.exchange(client, &setup, Some(vectors::SETUP_ACK));
    }

    /// The HMI's polling until `t`.
    fn run_until(&mut self, t: u64) {
        while self.now < t {
            self.now += SEC;
            self.exchange(HMI, vectors::READ_JOB, Some(vectors::READ_ACK));
        }
    }

    fn techniques_since(&self, ts: u64) -> BTreeSet<String> {
        self.alerts
            .iter()
            .filter(|a| a.ts.0 >= ts)
            .map(|a| a.technique_id.to_string())
            .collect()
    }
}

/// An SZL read request for `id`, index 0.
fn szl_request(id: u16) -> Vec<u8> {
    let mut b = vectors::SZL_REQ.to_vec();
    // The SZL id is the data part's first two bytes after the 4-byte data header.
    let at = b.len() - 4;
    b[at..at + 2].copy_from_slice(&id.to_be_bytes());
    b
}

/// A world that learned for 10 minutes, then ran 5 more minutes of benign polling, and
/// raised nothing at all.
fn learned() -> World {
    let mut w = World::new();
    w.connect(HMI);
    w.run_until(T0 + 900 * SEC);
    assert_eq!(w.engine.mode(), Mode::Detecting);
    assert!(
        w.alerts.is_empty(),
        "benign traffic raised: {:#?}",
        w.alerts
    );
    w
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn plc_stop_changes_the_operating_mode() {
    let mut w = learned();
    let t = w.now;
    w.exchange(HMI, vectors::PLC_STOP, None);
    // From the HMI's own connection: the mode change only.
    assert_eq!(w.techniques_since(t), set(&["T0858"]));
}

#[test]
fn block_insert_is_a_program_download() {
    let mut w = learned();
    let t = w.now;
    w.exchange(HMI, vectors::REQUEST_DOWNLOAD, None);
    w.exchange(HMI, vectors::PI_INSE, None);
    // Inserting the block into the running CPU is also an online program change.
    assert_eq!(w.techniques_since(t), set(&["T0843", "T0889"]));
}

#[test]
fn a_rogue_host_identifies_the_plc_and_reads_its_mode() {
    let mut w = learned();
    let t = w.now;
    w.connect(ROGUE);
    w.exchange(ROGUE, vectors::SZL_REQ, Some(vectors::SZL_0011));
    w.exchange(ROGUE, &szl_request(0x0424), Some(vectors::SZL_0424));
    // A master never seen before (T0848), identification (T0888) and the CPU mode (T0868),
    // and the mode read is an operation this client was never seen to perform (T0855).
    assert_eq!(
        w.techniques_since(t),
        set(&["T0848", "T0855", "T0868", "T0888"])
    );
}
