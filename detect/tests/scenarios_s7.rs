//! S7comm and S7comm-plus attack scenarios (`../shared/attack/INDICATORS.md`, S7comm
//! column). An HMI polls a PLC (read var of DB1 every second) over one COTP connection;
//! some worlds add an engineering station's periodic SZL reads, block listing and clock
//! reads, the HMI's periodic writes of DB1, or an S7comm-plus HMI; 10 minutes of learning,
//! 5 minutes of benign traffic that must raise nothing, then one attack; each test asserts
//! the exact set of techniques. Every PDU goes otwire-s7 encoder, otwire-s7 golden vector
//! or the hand-written bytes below (one comment per field) -> `Sessions<S7>::feed` ->
//! `Engine`.
#![cfg(feature = "s7")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/s7.rs"]
mod s7_pdus;
#[path = "../../s7/tests/vectors/mod.rs"]
mod vectors;

use s7_pdus::*;

use std::collections::BTreeSet;

use otwire_detect::protocol::s7::S7;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Endpoint, Engine, Flow, Meta, Mode};
use otwire_s7::{Emit, Pdu, frame};

/// 2023-11-14T22:13:20Z.
const T0: u64 = 1_700_000_000_000_000;
const SEC: u64 = 1_000_000;

const HMI: u8 = 2;
/// The engineering station (SZL reads, block listing, clock reads while learning).
const ENG: u8 = 3;
/// An HMI speaking S7comm-plus.
const PHMI: u8 = 4;
const PLC: u8 = 10;
const ROGUE: u8 = 66;

fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint::v4([10, 0, 0, last], port)
}

/// The connection of `client` from its usual port.
fn flow(client: u8) -> Flow {
    flow_from(client, 49_152 + u16::from(client))
}

fn flow_from(client: u8, port: u16) -> Flow {
    Flow::new(ep(client, port), ep(PLC, 102))
}

/// The S7comm-plus session id the PLC assigns to the S7comm-plus HMI.
const SESSION: u32 = 0x380;

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
    /// The engineering station runs its checks every minute.
    eng: bool,
    /// The HMI writes DB1 bytes 0-3 every 10 s.
    writes: bool,
    /// The S7comm-plus HMI polls every second; its next sequence number.
    plus_seq: Option<u16>,
    /// The program checksum the PLC reports in SZL 0x0132 index 4.
    checksum: [u8; 4],
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
            eng: false,
            writes: false,
            plus_seq: None,
            checksum: [0x12, 0x34, 0x56, 0x78],
        }
    }

    fn feed(&mut self, client: u8, dir: Direction, bytes: &[u8]) {
        self.feed_on(flow(client), dir, bytes);
    }

    fn feed_on(&mut self, flow: Flow, dir: Direction, bytes: &[u8]) {
        self.frame += 1;
        let meta = Meta {
            link: Default::default(),
            ts: self.now,
            frame: self.frame,
            flow_id: u64::from(flow.client.port),
            flow,
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

    /// The HMI's polling until `t` (and the engineering station's, the DB writes' and
    /// the S7comm-plus HMI's when the world has them).
    fn run_until(&mut self, t: u64) {
        while self.now < t {
            self.now += SEC;
            let s = (self.now - T0) / SEC;
            self.exchange(HMI, vectors::READ_JOB, Some(vectors::READ_ACK));
            if self.writes && s % 10 == 0 {
                self.exchange(HMI, &write_db1(0), Some(vectors::WRITE_ACK));
            }
            if self.eng && s % 60 == 30 {
                self.engineering_checks();
            }
            if let Some(seq) = self.plus_seq {
                self.plus_exchange(
                    flow(PHMI),
                    &plus_request(0x054C, seq, SESSION, &GET_MULTI_BODY),
                    Some(&plus_response(0x054C, seq, &[0x00])),
                );
                self.plus_seq = Some(seq.wrapping_add(1));
            }
        }
    }

    /// The engineering station's minute: module identification, operating mode,
    /// protection and checksums, the block list, the clock.
    fn engineering_checks(&mut self) {
        self.exchange(ENG, vectors::SZL_REQ, Some(vectors::SZL_0011));
        self.exchange(ENG, &szl_request(0x0424), Some(vectors::SZL_0424));
        let protection = szl_0132_4(self.checksum);
        self.exchange(ENG, &szl_request_index(0x0132, 4), Some(&protection));
        self.exchange(
            ENG,
            &userdata_request(3, 1, &[]),
            Some(&userdata_response(3, 1, 0, &LIST_BLOCKS_ANSWER)),
        );
        self.exchange(
            ENG,
            &userdata_request(7, 1, &[]),
            Some(&userdata_response(7, 1, 0, &CLOCK)),
        );
    }

    /// An S7comm-plus request and its answer 3 ms later on `flow`.
    fn plus_exchange(&mut self, flow: Flow, request: &[u8], answer: Option<&[u8]>) {
        self.feed_on(flow, Direction::Request, request);
        if let Some(a) = answer {
            self.now += 3_000;
            self.feed_on(flow, Direction::Response, a);
        }
    }

    /// COTP connection of the S7comm-plus HMI and its session (CreateObject).
    fn plus_connect(&mut self, flow: Flow) {
        self.feed_on(flow, Direction::Request, vectors::CR);
        self.feed_on(flow, Direction::Response, vectors::CC);
        self.plus_exchange(
            flow,
            &plus_request(0x04CA, 1, 0x120, &[0x00, 0x00, 0x01, 0x20]),
            Some(&plus_response(0x04CA, 1, &CREATED_SESSION)),
        );
    }

    /// Asserts that the alerts since `ts` have exactly the techniques `items`, showing
    /// each alert's detector and reason when they do not.
    fn expect(&self, ts: u64, items: &[&str]) {
        assert_eq!(
            self.techniques_since(ts),
            set(items),
            "{:#?}",
            self.explain_since(ts)
        );
    }

    /// (technique, detector, reason) of the alerts since `ts`, for failure messages.
    fn explain_since(&self, ts: u64) -> Vec<(String, String, String)> {
        self.alerts
            .iter()
            .filter(|a| a.ts.0 >= ts)
            .map(|a| {
                let reason = a.evidence.get("reason").map(|r| r.to_string());
                (
                    a.technique_id.to_string(),
                    a.detector.to_string(),
                    reason.unwrap_or_default(),
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

/// A world that learned for 10 minutes, then ran 5 more minutes of benign polling, and
/// raised nothing but, while learning, the first SZL identification and mode reads of
/// each client (no baseline yet: the single-message indicators T0888 / T0868).
fn learned() -> World {
    learned_with(|_| {})
}

/// [`learned`] with the world set up by `setup` first.
fn learned_with(setup: impl FnOnce(&mut World)) -> World {
    let mut w = World::new();
    w.connect(HMI);
    setup(&mut w);
    w.run_until(T0 + 900 * SEC);
    assert_eq!(w.engine.mode(), Mode::Detecting);
    let first_sight = |a: &Alert| {
        a.ts.0 < T0 + 600 * SEC
            && ["T0888", "T0868"].contains(&&*a.technique_id)
            && a.evidence
                .get("reason")
                .is_some_and(|r| r.as_str().is_some_and(|r| r.starts_with("szl_")))
    };
    let others: Vec<_> = w.alerts.iter().filter(|a| !first_sight(a)).collect();
    assert!(others.is_empty(), "benign traffic raised: {others:#?}");
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
    w.expect(t, &["T0858"]);
}

#[test]
fn block_insert_is_a_program_download() {
    let mut w = learned();
    let t = w.now;
    w.exchange(HMI, vectors::REQUEST_DOWNLOAD, None);
    w.exchange(HMI, vectors::PI_INSE, None);
    // Inserting the block into the running CPU is also an online program change.
    w.expect(t, &["T0843", "T0889"]);
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
    w.expect(t, &["T0848", "T0855", "T0868", "T0888"]);
}

/// The engineering station connected, running its checks every minute.
fn with_eng(w: &mut World) {
    w.connect(ENG);
    w.eng = true;
}

/// The S7comm-plus HMI connected (session 0x380, Explore of the objects at start),
/// polling every second.
fn with_plus(w: &mut World) {
    w.plus_connect(flow(PHMI));
    w.plus_exchange(
        flow(PHMI),
        &plus_request(0x04BB, 2, SESSION, &[0x00, 0x00, 0x00, 0x03, 0x00]),
        Some(&plus_response(0x04BB, 2, &[0x00])),
    );
    w.plus_seq = Some(3);
}

#[test]
fn pi_p_program_starts_the_cpu() {
    let mut w = learned();
    let t = w.now;
    // P_PROGRAM with an empty parameter block: start (warm restart on S7-300).
    w.exchange(HMI, &pi_service(&[], b"P_PROGRAM"), None);
    w.expect(t, &["T0858"]);
}

#[test]
fn pi_cold_restart_restarts_the_device() {
    let mut w = learned();
    let t = w.now;
    // P_PROGRAM with "C ": cold restart.
    w.exchange(HMI, &pi_service(b"C ", b"P_PROGRAM"), None);
    w.expect(t, &["T0816", "T0858"]);
}

#[test]
fn the_cpu_announcing_stop_is_a_mode_change() {
    let mut w = learned();
    let t = w.now;
    // Mode-transition push: STOP (0), from the PLC on the HMI's connection.
    w.feed(HMI, Direction::Response, &mode_transition(0));
    w.expect(t, &["T0858"]);
}

#[test]
fn the_cpu_announcing_warm_and_cold_restarts_is_a_restart() {
    for mode in [1u8, 3, 6] {
        let mut w = learned();
        let t = w.now;
        // Mode-transition push: warm (1), hot (3), cold (6) restart.
        w.feed(HMI, Direction::Response, &mode_transition(mode));
        w.expect(t, &["T0816"]);
    }
}

#[test]
fn memory_reset_restarts_the_device_and_changes_its_mode() {
    // Programmer command 12 (userdata group 1) and PI _MSRST.
    for reset in [userdata_request(1, 12, &[]), pi_service(&[], b"_MSRST")] {
        let mut w = learned();
        let t = w.now;
        w.exchange(HMI, &reset, None);
        w.expect(t, &["T0816", "T0858"]);
    }
}

#[test]
fn block_upload_is_a_program_upload() {
    let mut w = learned();
    let t = w.now;
    // Start upload of OB1 (file system A), the PLC assigns upload id 7.
    w.exchange(
        HMI,
        &block_control(0x1D, 0, Some(b"_0800001A")),
        Some(&ack_data(
            &[
                0x1D, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 0x07, b'0', b'0', b'0', b'0', b'1',
                b'2', b'8',
            ],
            &[],
        )),
    );
    // Upload (id 7): 128 bytes of MC7 in the answer.
    let mut block = vec![0x00, 0x80, 0x00, 0xFB]; // length 128, 0x00FB
    block.resize(4 + 128, 0x70);
    w.exchange(
        HMI,
        &block_control(0x1E, 7, None),
        Some(&ack_data(&[0x1E, 0x00], &block)),
    );
    // End upload (id 7).
    w.exchange(
        HMI,
        &block_control(0x1F, 7, None),
        Some(&ack_data(&[0x1F], &[])),
    );
    w.expect(t, &["T0845"]);
}

#[test]
fn block_listing_by_a_client_that_never_listed_blocks() {
    let mut w = learned();
    let t = w.now;
    // List blocks; list blocks of type OB ("08"); block info of OB1 (file system A).
    w.exchange(
        HMI,
        &userdata_request(3, 1, &[]),
        Some(&userdata_response(3, 1, 0, &LIST_BLOCKS_ANSWER)),
    );
    w.exchange(HMI, &userdata_request(3, 2, b"08"), None);
    w.exchange(HMI, &userdata_request(3, 3, b"0800001A"), None);
    // Point & tag identification; the allowlist also sees three operations the HMI never
    // performed (T0855).
    w.expect(t, &["T0855", "T0861"]);
}

#[test]
fn block_listing_by_the_engineering_station_is_learned() {
    let mut w = learned_with(with_eng);
    let t = w.now;
    // Two more minutes: SZL identification, mode and protection reads, the block list and
    // the clock from the engineering station, as while learning.
    w.run_until(t + 120 * SEC);
    w.expect(t, &[]);
}

#[test]
fn a_changed_program_checksum_is_a_program_change() {
    let mut w = learned_with(with_eng);
    let t = w.now;
    // The program changed behind the monitor's back (say over an encrypted session).
    w.checksum = [0x9A, 0xBC, 0x56, 0x78];
    w.run_until(t + 120 * SEC);
    w.expect(t, &["T0889"]);
}

#[test]
fn a_db_write_outside_the_learned_range_modifies_a_parameter() {
    let mut w = learned_with(|w| w.writes = true);
    let t = w.now;
    // The HMI writes DB1 bytes 0-3 every 10 s; now bytes 100-103.
    w.exchange(HMI, &write_db1(100), Some(vectors::WRITE_ACK));
    // Modify Parameter (allowlist: a known operation on new addresses); the periodicity
    // detector has never seen this request signature (T0855).
    w.expect(t, &["T0836", "T0855"]);
}

#[test]
fn writing_outputs_manipulates_the_io_image() {
    let mut w = learned_with(|w| w.writes = true);
    let t = w.now;
    // Write var of QB0-QB3 (area 0x82).
    w.exchange(HMI, &write_var(0x82, 0, 0), Some(vectors::WRITE_ACK));
    // A new area is a new operation for the allowlist (T0855).
    w.expect(t, &["T0835", "T0855"]);
}

#[test]
fn forcing_manipulates_the_io_image() {
    let mut w = learned();
    let t = w.now;
    // Programmer command 9 (force) with its job description (not decoded).
    w.exchange(
        HMI,
        &userdata_request(1, 9, &[0x00, 0x14, 0x00, 0x01, 0x82, 0x00, 0x00, 0x00]),
        None,
    );
    w.expect(t, &["T0835", "T0855"]);
}

#[test]
fn modify_variable_by_a_client_never_seen_doing_it_is_unauthorized() {
    let mut w = learned();
    let t = w.now;
    // Programmer command 8 (modify variable).
    w.exchange(
        HMI,
        &userdata_request(1, 8, &[0x00, 0x14, 0x00, 0x01, 0x84, 0x00, 0x00, 0x01]),
        None,
    );
    w.expect(t, &["T0855"]);
}

#[test]
fn password_guessing_then_success() {
    let mut w = learned();
    let t = w.now;
    // Security group 5, subfunction 1: five refused passwords (error 0xD602), then one
    // accepted, all within a minute.
    for i in 0..6u8 {
        let next = w.now + 2 * SEC;
        w.run_until(next);
        let error = if i < 5 { 0xD602 } else { 0 };
        w.exchange(
            HMI,
            &userdata_request(5, 1, &[0x40 + i, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47]),
            Some(&userdata_response(5, 1, error, &[])),
        );
    }
    // A burst of refused passwords (T0812), the accepted one after it (T0859), and a
    // password from a client that never sent one (allowlist, T0855).
    w.expect(t, &["T0812", "T0855", "T0859"]);
}

#[test]
fn set_clock_by_a_client_never_seen_setting_it() {
    let mut w = learned_with(with_eng);
    let t = w.now;
    // Time functions, subfunction 2: set clock.
    w.exchange(
        HMI,
        &userdata_request(7, 2, &CLOCK),
        Some(&userdata_response(7, 2, 0, &[])),
    );
    w.expect(t, &["T0855"]);
}

#[test]
fn setup_communication_from_a_new_host_is_a_rogue_master() {
    let mut w = learned();
    let t = w.now;
    w.connect(ROGUE);
    w.expect(t, &["T0848"]);
}

#[test]
fn cotp_connection_requests_to_many_hosts_are_remote_system_discovery() {
    let mut w = learned();
    let t = w.now;
    // The HMI's host connects to twelve addresses on port 102 within a second.
    for host in 100..112u8 {
        let f = Flow::new(ep(HMI, 40_000 + u16::from(host)), ep(host, 102));
        w.now += 50_000;
        w.feed_on(f, Direction::Request, vectors::CR);
    }
    w.expect(t, &["T0846"]);
}

#[test]
fn a_tsap_sweep_is_remote_system_discovery() {
    let mut w = learned();
    let t = w.now;
    // Called TSAPs of rack 0 slot 2 as PG (01), OP (02), S7 basic (03) and 0x10 connections.
    for (i, kind) in [0x01u8, 0x02, 0x03, 0x10].into_iter().enumerate() {
        let mut cr = vectors::CR.to_vec();
        cr[17] = kind; // called TSAP, first byte
        w.now += SEC;
        w.feed_on(flow_from(HMI, 41_000 + i as u16), Direction::Request, &cr);
    }
    w.expect(t, &["T0846"]);
}

#[test]
fn plus_set_variable_of_the_operating_state_changes_the_mode() {
    let mut w = learned_with(with_plus);
    let t = w.now;
    let seq = w.plus_seq.unwrap();
    w.plus_exchange(
        flow(PHMI),
        &plus_request(0x04F2, seq, SESSION, &SET_CPU_STOP),
        None,
    );
    w.expect(t, &["T0858"]);
}

#[test]
fn plus_invoke_on_the_cpu_changes_the_mode() {
    let mut w = learned_with(with_plus);
    let t = w.now;
    let seq = w.plus_seq.unwrap();
    // Invoke on object 52 (the CPU execution unit).
    w.plus_exchange(
        flow(PHMI),
        &plus_request(0x056B, seq, SESSION, &[0x00, 0x00, 0x00, 0x34, 0x00]),
        None,
    );
    w.expect(t, &["T0858"]);
}

#[test]
fn plus_explore_by_a_client_that_never_explored() {
    let mut w = learned_with(with_plus);
    let t = w.now;
    // The HMI's host opens an S7comm-plus session and explores the program (object 3).
    let f = flow_from(HMI, 42_000);
    w.plus_connect(f);
    w.plus_exchange(
        f,
        &plus_request(0x04BB, 2, SESSION + 1, &[0x00, 0x00, 0x00, 0x03, 0x00]),
        None,
    );
    // Point & tag identification; a new operation for the allowlist (T0855).
    w.expect(t, &["T0855", "T0861"]);
}

#[test]
fn plus_session_continued_from_another_connection_is_a_hijack() {
    let mut w = learned_with(with_plus);
    let t = w.now;
    // From the S7comm-plus HMI's address (spoofed), a new connection sends the HMI's
    // session id with the next sequence number.
    let seq = w.plus_seq.unwrap();
    let f = flow_from(PHMI, 43_000);
    w.feed_on(f, Direction::Request, vectors::CR);
    w.feed_on(f, Direction::Response, vectors::CC);
    w.plus_exchange(
        f,
        &plus_request(0x054C, seq, SESSION, &GET_MULTI_BODY),
        None,
    );
    w.expect(t, &["T0830"]);
}

#[test]
fn plus_sequence_continued_from_another_connection_is_a_hijack() {
    let mut w = learned_with(with_plus);
    let t = w.now;
    // A new connection whose first request continues the HMI's sequence numbers (with a
    // session id the PLC never assigned).
    let seq = w.plus_seq.unwrap();
    let f = flow_from(PHMI, 43_001);
    w.feed_on(f, Direction::Request, vectors::CR);
    w.feed_on(f, Direction::Response, vectors::CC);
    w.plus_exchange(f, &plus_request(0x054C, seq, 0x7777, &GET_MULTI_BODY), None);
    w.expect(t, &["T0830"]);
}

#[test]
fn benign_polling_for_hours_raises_nothing() {
    let mut w = learned_with(|w| {
        with_eng(w);
        with_plus(w);
        w.writes = true;
    });
    let t = w.now;
    w.run_until(T0 + 3 * 3600 * SEC);
    w.expect(t, &[]);
    // While learning: the engineering station's first identification and mode reads.
    w.expect(T0, &["T0868", "T0888"]);
}

#[test]
fn the_s7_baseline_saves_and_reloads_identically() {
    let mut w = learned_with(|w| {
        with_eng(w);
        with_plus(w);
        w.writes = true;
    });
    // Some S7State counters and sessions in flight: a refused password, a TSAP tried.
    w.exchange(
        HMI,
        &userdata_request(5, 1, b"ABCDEFGH"),
        Some(&userdata_response(5, 1, 0xD602, &[])),
    );
    let saved = w.engine.save_baseline_json().unwrap();
    let mut again = Engine::new(w.engine.config().clone());
    again.load_baseline_json(&saved).unwrap();
    assert_eq!(again.save_baseline_json().unwrap(), saved);
    // The reloaded engine decides the same: the S7comm-plus session hijack is found from
    // the reloaded session table.
    let seq = w.plus_seq.unwrap();
    let hijack = plus_request(0x054C, seq, SESSION, &GET_MULTI_BODY);
    let f = flow_from(PHMI, 43_002);
    let mut techniques = Vec::new();
    for engine in [&mut w.engine, &mut again] {
        let mut sessions = Sessions::<S7>::new(Transport::Tcp);
        let meta = Meta {
            link: Default::default(),
            ts: w.now + SEC,
            frame: 1,
            flow_id: 9,
            flow: f,
        };
        let mut ids = BTreeSet::new();
        for bytes in [vectors::CR, &hijack[..]] {
            sessions.feed(meta, Direction::Request, bytes, |ev| {
                ids.extend(
                    engine
                        .observe(ev)
                        .iter()
                        .map(|a| a.technique_id.to_string()),
                );
            });
        }
        techniques.push(ids);
    }
    assert_eq!(techniques[0], set(&["T0830"]));
    assert_eq!(techniques[0], techniques[1]);
}

#[test]
fn a_cotp_connection_request_from_a_new_host_is_a_rogue_master() {
    let mut w = learned();
    let t = w.now;
    // The COTP CR alone, refused or never followed by setup communication.
    w.feed(ROGUE, Direction::Request, vectors::CR);
    w.expect(t, &["T0848"]);
}

#[test]
fn a_new_host_sweeping_many_plcs_is_a_rogue_master_discovering_systems() {
    let mut w = learned();
    let t = w.now;
    // A new host sends COTP CRs to twelve addresses on port 102 within a second.
    for host in 100..112u8 {
        let f = Flow::new(ep(ROGUE, 40_000 + u16::from(host)), ep(host, 102));
        w.now += 50_000;
        w.feed_on(f, Direction::Request, vectors::CR);
    }
    // New master (reported once per host) and the server fan-out of the rate detector.
    w.expect(t, &["T0846", "T0848"]);
}
