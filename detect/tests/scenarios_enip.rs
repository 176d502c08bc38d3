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

#[path = "support/enip.rs"]
mod cip;
#[path = "support/enip_encap.rs"]
mod encap_bytes;

use std::collections::BTreeSet;

use cip::{
    epath, forward_close, forward_close_reply, forward_open_refused, io_packet, msp, msp_reply,
    pccc, pccc_reply, read_tag, read_tag_reply, reply, request, tag, write_tag,
};

use encap_bytes::{
    REGISTER, Triad, encap, forward_open, forward_open_reply, list_identity_reply, unconnected_send,
};
use otwire_detect::protocol::enip::Enip;
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Alert, Config, Direction, Endpoint, Engine, Flow, Meta, Mode};
use otwire_enip::cip::build::{get_attribute_single, get_attributes_all};
use otwire_enip::{Command, Emit, send_rr_data, send_unit_data};

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
// Bytes (the CIP messages are `support/enip.rs`').

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
            link: Default::default(),
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

/// The nmap `enip-info` ListIdentity request (its sender context).
const NMAP: [u8; 8] = [0, 0, 0, 0, 0xC1, 0xDE, 0xBE, 0xD1];

#[test]
fn nmap_enip_info_from_a_new_host_is_remote_system_discovery() {
    let mut w = learned();
    let t = w.now;
    // Over UDP 44818, as `nmap -sU -p 44818 --script enip-info` sends it.
    let f = Flow::new(ep(ROGUE, 50_000), ep(PLC, 44818));
    w.feed_on(
        true,
        f,
        Direction::Request,
        &encap(Command::ListIdentity, 0, NMAP, &[]),
    );
    w.now += MS;
    w.feed_on(true, f, Direction::Response, &list_identity_reply(NMAP));
    // A new client (T0848) asks who the PLC is (T0888) with nmap's probe (T0846).
    w.expect(t, &["T0846", "T0848", "T0888"]);
}

#[test]
fn a_list_identity_broadcast_is_remote_system_discovery() {
    let mut w = learned();
    let t = w.now;
    let ctx = [7, 0, 0, 0, 0, 0, 0, 0];
    let f = Flow::new(ep(ENG, 50_001), Endpoint::v4([255, 255, 255, 255], 44818));
    w.feed_on(
        true,
        f,
        Direction::Request,
        &encap(Command::ListIdentity, 0, ctx, &[]),
    );
    // The PLC answers from its own address: another flow.
    w.now += MS;
    let back = Flow::new(ep(ENG, 50_001), ep(PLC, 44818));
    w.feed_on(true, back, Direction::Response, &list_identity_reply(ctx));
    // The broadcast (T0846, twice: the rule and a new server address), identification
    // of whoever answers (T0888).
    w.expect(t, &["T0846", "T0888"]);
}

#[test]
fn a_list_identity_sweep_is_remote_system_discovery() {
    let mut w = learned();
    let t = w.now;
    for host in 20..40u8 {
        let f = Flow::new(ep(ENG, 50_002), ep(host, 44818));
        w.feed_on(
            false,
            f,
            Direction::Request,
            &encap(Command::ListIdentity, 0, [1; 8], &[]),
        );
        w.now += 10 * MS;
    }
    w.expect(t, &["T0846", "T0888"]);
}

#[test]
fn identity_get_attributes_all_from_the_hmi_is_system_information_discovery() {
    let mut w = learned();
    let t = w.now;
    let gaa = get_attributes_all(1, 1).to_vec().unwrap();
    w.unconnected(HMI, &gaa, Some(&reply(0x01, 0, &[], &IDENTITY_ALL)));
    w.expect(t, &["T0888"]);
}

#[test]
fn symbol_browsing_is_point_and_tag_identification() {
    let mut w = learned();
    let t = w.now;
    // Get Instance Attribute List (0x55) on the Symbol class from instance 0: attribute
    // count 2, attributes 1 (name) and 2 (type), as pycomm3's get_tag_list.
    let browse = request(
        0x55,
        &[0x20, 0x6B, 0x25, 0x00, 0x00, 0x00],
        &[2, 0, 1, 0, 2, 0],
    );
    w.unconnected(
        HMI,
        &unconnected_send(&browse),
        Some(&reply(0x55, 0, &[], &[])),
    );
    // Template reads (Get Attribute List on class 0x6C) too.
    let template = request(0x03, &[0x20, 0x6C, 0x24, 0x01], &[1, 0, 4, 0]);
    w.unconnected(HMI, &template, Some(&reply(0x03, 0, &[], &[])));
    w.expect(t, &["T0861"]);
}

#[test]
fn identity_reset_restarts_the_device() {
    let mut w = learned();
    let t = w.now;
    let reset = request(0x05, &epath(1, 1, None), &[0]);
    w.unconnected(HMI, &reset, Some(&reply(0x05, 0, &[], &[])));
    w.expect(t, &["T0816"]);
}

#[test]
fn stop_on_the_vendor_run_object_changes_the_operating_mode() {
    let mut w = learned();
    let t = w.now;
    // Stop (0x07) to class 0x8E instance 1, as the RemoteModeChange capture does.
    let stop = request(0x07, &epath(0x8E, 1, None), &[]);
    w.unconnected(ENG, &stop, Some(&reply(0x07, 0, &[], &[])));
    w.expect(t, &["T0858"]);
}

#[test]
fn pccc_change_mode_changes_the_operating_mode() {
    let mut w = learned();
    let t = w.now;
    // FNC 0x80 change mode to program (1).
    w.unconnected(ENG, &pccc(0x80, &[0x01]), Some(&pccc_reply()));
    w.expect(t, &["T0858"]);
}

#[test]
fn file_object_upload_is_a_program_upload() {
    let mut w = learned();
    let t = w.now;
    // File object (0x37) instance 0xC8: Initiate Upload (0x4B), max transfer size 0xF0.
    let upload = request(0x4B, &[0x20, 0x37, 0x24, 0xC8], &[0xF0]);
    w.unconnected(ENG, &upload, Some(&reply(0x4B, 0, &[], &[])));
    w.expect(t, &["T0845"]);
}

#[test]
fn file_object_download_is_a_program_download() {
    let mut w = learned();
    let t = w.now;
    // File object Initiate Download (0x4C): file size, checksum, revision, name.
    let download = request(
        0x4C,
        &[0x20, 0x37, 0x24, 0xC8],
        &[0x00, 0x10, 0, 0, 0, 0, 1, 1],
    );
    w.unconnected(ENG, &download, Some(&reply(0x4C, 0, &[], &[])));
    w.expect(t, &["T0843"]);
}

#[test]
fn a_setpoint_written_out_of_its_learned_range_modifies_a_parameter() {
    let mut w = learned();
    let t = w.now;
    w.unconnected(
        HMI,
        &unconnected_send(&write_tag("Setpoint", 5000)),
        Some(&reply(0x4D, 0, &[], &[])),
    );
    w.expect(t, &["T0836"]);
}

#[test]
fn a_write_to_a_tag_the_hmi_never_wrote_is_outside_its_learned_tags() {
    let mut w = learned();
    let t = w.now;
    w.unconnected(
        HMI,
        &unconnected_send(&write_tag("Pump_Cmd", 1)),
        Some(&reply(0x4D, 0, &[], &[])),
    );
    // Outside the tags the HMI writes (T0836) and a request never seen (T0855).
    w.expect(t, &["T0836", "T0855"]);
}

#[test]
fn read_modify_write_by_the_hmi_is_an_unauthorized_command() {
    let mut w = learned();
    let t = w.now;
    // Read Modify Write (0x4E): mask size 4, OR mask, AND mask.
    let rmw = request(
        0x4E,
        &tag("Setpoint"),
        &[4, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
    );
    w.unconnected(
        HMI,
        &unconnected_send(&rmw),
        Some(&reply(0x4E, 0, &[], &[])),
    );
    w.expect(t, &["T0855"]);
}

#[test]
fn a_write_hidden_among_reads_in_a_multiple_service_packet_is_seen() {
    let mut w = learned();
    let t = w.now;
    let batch = msp(&[
        read_tag("Tank_Level"),
        write_tag("Pump_Cmd", 0),
        read_tag("Pump_Speed"),
    ]);
    let replies = [
        read_tag_reply(510),
        reply(0x4D, 0, &[], &[]),
        read_tag_reply(1201),
    ];
    w.unconnected(HMI, &unconnected_send(&batch), Some(&msp_reply(&replies)));
    // The event is the write, not the first read: a tag the HMI never wrote (T0836, the
    // allowlist's ranges) and a request never seen while learning (T0855).
    w.expect(t, &["T0836", "T0855"]);
}

#[test]
fn a_tag_write_from_a_new_host_is_a_rogue_master() {
    let mut w = learned();
    let t = w.now;
    w.register(ROGUE);
    w.unconnected(
        ROGUE,
        &unconnected_send(&write_tag("Setpoint", 50)),
        Some(&reply(0x4D, 0, &[], &[])),
    );
    w.expect(t, &["T0848", "T0855"]);
}

#[test]
fn a_forward_open_flood_is_a_denial_of_service() {
    let mut w = learned();
    let t = w.now;
    w.register(HMI);
    for i in 0..30u16 {
        let tr = Triad {
            serial: 0x1000 + i,
            vendor: 0x1234,
            originator: 0xBAD,
        };
        let refused = i >= 20;
        let rep = if refused {
            forward_open_refused(&tr.bytes(), 0x0113)
        } else {
            forward_open_reply(tr, 0x4000 + u32::from(i), 0x5000 + u32::from(i), 2_000_000)
        };
        w.unconnected(
            HMI,
            &forward_open(tr, 0x5000 + u32::from(i), 2_000_000, 0xA3),
            Some(&rep),
        );
        w.now += 50 * MS;
    }
    w.expect(t, &["T0814"]);
}

#[test]
fn a_register_session_flood_is_a_denial_of_service() {
    let mut w = learned();
    let t = w.now;
    for _ in 0..25 {
        w.register(ROGUE);
        w.now += 20 * MS;
    }
    w.expect(t, &["T0814", "T0848"]);
}

#[test]
fn a_third_party_closing_the_io_connection_blocks_commands_and_reporting() {
    let mut w = learned();
    let t = w.now;
    w.unconnected(
        HMI,
        &forward_close(&IO_TRIAD.bytes()),
        Some(&forward_close_reply(&IO_TRIAD.bytes())),
    );
    // The adapter stops producing: the I/O stream goes silent.
    w.io = None;
    let t1 = w.now;
    w.run_until(t1 + 120 * SEC);
    w.expect(t, &["T0803", "T0804"]);
}

#[test]
fn the_owner_closing_its_own_connection_is_not_reported_by_the_forward_close_rule() {
    let mut w = learned();
    let t = w.now;
    w.unconnected(
        SCANNER,
        &forward_close(&IO_TRIAD.bytes()),
        Some(&forward_close_reply(&IO_TRIAD.bytes())),
    );
    let reasons: Vec<_> = w
        .explain_since(t)
        .into_iter()
        .filter(|a| a.2.contains("foreign_forward_close"))
        .collect();
    assert!(reasons.is_empty(), "{reasons:#?}");
}

#[test]
fn an_io_stream_that_stops_blocks_reporting() {
    let mut w = learned();
    let t = w.now;
    w.io = None;
    w.run_until(t + 120 * SEC);
    w.expect(t, &["T0803", "T0804"]);
}

#[test]
fn a_new_io_scanner_is_a_rogue_master() {
    let mut w = learned();
    let t = w.now;
    let tr = Triad {
        serial: 0x0303,
        vendor: 1,
        originator: 0x0000_4D11,
    };
    w.unconnected(
        HMI,
        &forward_open(tr, 0x2100_0002, 500_000, 0x01),
        Some(&forward_open_reply(tr, 0x2100_0001, 0x2100_0002, 500_000)),
    );
    w.expect(t, &["T0848"]);
}

#[test]
fn replayed_io_packets_are_adversary_in_the_middle() {
    let mut w = learned();
    let t = w.now;
    let (ot, _) = w.io.unwrap();
    // Packets replayed with old sequence numbers toward the adapter.
    for k in 0..5u32 {
        w.feed_on(
            true,
            io_flow(),
            Direction::Request,
            &io_packet(IO_OT, ot - 100 + k, 0xDEAD),
        );
    }
    w.expect(t, &["T0830"]);
}

#[test]
fn a_jump_in_io_sequence_numbers_is_adversary_in_the_middle() {
    let mut w = learned();
    let t = w.now;
    let (_, to) = w.io.unwrap();
    // The adapter's stream jumps 5000 packets ahead (another producer's numbering).
    w.feed_on(
        true,
        io_flow(),
        Direction::Response,
        &io_packet(IO_TO, to + 5000, 7),
    );
    w.expect(t, &["T0830"]);
}

#[test]
fn io_from_a_host_not_party_to_the_connection_is_adversary_in_the_middle() {
    let mut w = learned();
    w.run_until(w.now + 10 * SEC);
    let t = w.now;
    let (ot, _) = w.io.unwrap();
    let f = Flow::new(ep(ROGUE, 2222), ep(PLC, 2222));
    w.feed_on(
        true,
        f,
        Direction::Request,
        &io_packet(IO_OT, ot + 1, 0xDEAD),
    );
    // A new host (T0848) injects output data (T0855) into the scanner's connection
    // (T0830).
    w.expect(t, &["T0830", "T0848", "T0855"]);
}

#[test]
fn a_path_deeper_than_any_device_resolves_is_an_exploit() {
    let mut w = learned();
    let t = w.now;
    // 70 8-bit member segments (0x28 n) after the class: past the 64 segments decoded.
    let mut path = vec![0x20, 0x01, 0x24, 0x01];
    for i in 0..70u8 {
        path.extend([0x28, i]);
    }
    w.unconnected(HMI, &request(0x0E, &path, &[]), None);
    // The exploit shape (T0866, the rule and the conformance detector) and, as it
    // addresses the Identity object, an identification the HMI never made (T0888).
    w.expect(t, &["T0866", "T0888"]);
}

#[test]
fn multiple_service_packet_offsets_outside_the_body_are_an_exploit() {
    let mut w = learned();
    let t = w.now;
    // Count 2, offsets 6 and 0x4000 (far past the body), one request.
    let mut d = vec![2, 0, 6, 0, 0x00, 0x40];
    d.extend(read_tag("Tank_Level"));
    let bad = request(0x0A, &[0x20, 0x02, 0x24, 0x01], &d);
    w.unconnected(HMI, &unconnected_send(&bad), None);
    // The exploit shape (T0866); the one embedded request that decodes, a read the HMI
    // never makes that way, is still judged (T0801).
    w.expect(t, &["T0801", "T0866"]);
}
