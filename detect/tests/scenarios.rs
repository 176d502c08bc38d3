//! Attack scenarios against a learned plant (`../shared/attack/INDICATORS.md`, "Incidents,
//! as message sequences"). Each: 10 minutes of benign polling to learn, 5 minutes of benign
//! traffic that must raise nothing, then the attack interleaved with the plant's traffic
//! and one more minute of it; the test asserts the exact set of techniques alerted.
#![cfg(feature = "modbus")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use otwire_detect::{Direction, Severity};
use otwire_modbus::{
    Address, COIL_ON, DeviceIdentification, DeviceObjects, DiagnosticCode, Emit, ExceptionCode,
    FunctionCode, ReadDeviceIdCode, RegisterValues, Request, Response, UmasFunctionCode,
    UmasRequest, UmasResponse, pack_registers,
};
use support::*;

fn report(w: &World, since: u64) {
    for a in w.alerts_since(since) {
        eprintln!("{}", a.to_json_line());
    }
}

#[test]
fn frostygoop_reader_starts_writing_out_of_range() {
    let mut w = learned_world(1);
    let t = w.now;
    // The HMI only ever read PLC1's holding registers 0-9. Now it writes them.
    let mut buf = [0u8; 8];
    let vals = pack_registers(&[9999, 9999, 9999], &mut buf).unwrap();
    let req = Request::WriteMultipleRegisters {
        address: Address(0),
        quantity: 3,
        values: RegisterValues::new(vals),
    };
    let rsp = Response::WriteMultipleRegisters {
        address: Address(0),
        quantity: 3,
    };
    w.exchange(HMI, PLC1, 1, &req, Some(&rsp));
    w.advance(300_000);
    let req = Request::WriteSingleRegister {
        address: Address(4),
        value: 40_000,
    };
    let rsp = Response::WriteSingleRegister {
        address: Address(4),
        value: 40_000,
    };
    w.exchange(HMI, PLC1, 1, &req, Some(&rsp));
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0836", "T0855"]));
    let out_of_range = w
        .alerts_since(t)
        .into_iter()
        .filter(|a| a.technique_id == "T0836" && a.detector == "value")
        .count();
    assert!(out_of_range >= 1);
}

#[test]
fn pipedream_identify_write_stop_download_start() {
    let mut w = learned_world(2);
    let t = w.now;
    const ROGUE: u8 = 66;
    // Device identification (FC 43 / MEI 14).
    let req = Request::ReadDeviceIdentification {
        code: ReadDeviceIdCode::Basic,
        object_id: 0,
    };
    let objs = [0u8, 9, b'S', b'c', b'h', b'n', b'e', b'i', b'd', b'e', b'r'];
    let rsp = Response::ReadDeviceIdentification(DeviceIdentification {
        code: ReadDeviceIdCode::Basic,
        conformity_level: 0x01,
        more_follows: 0,
        next_object_id: 0,
        object_count: 1,
        objects: DeviceObjects::new(&objs),
    });
    w.exchange(ROGUE, PLC1, 1, &req, Some(&rsp));
    w.advance(500_000);
    // A register write to the setpoint, far outside what the engineering station writes.
    let req = Request::WriteSingleRegister {
        address: Address(20),
        value: 7777,
    };
    let rsp = Response::WriteSingleRegister {
        address: Address(20),
        value: 7777,
    };
    w.exchange(ROGUE, PLC1, 1, &req, Some(&rsp));
    // UMAS: reservation, stop, program download, start.
    let payload = [0u8; 4];
    for f in [
        UmasFunctionCode::TakePlcReservation,
        UmasFunctionCode::StopPlc,
        UmasFunctionCode::InitializeDownload,
        UmasFunctionCode::DownloadBlock,
        UmasFunctionCode::DownloadBlock,
        UmasFunctionCode::EndStrategyDownload,
        UmasFunctionCode::StartPlc,
    ] {
        w.advance(200_000);
        let req = Request::Umas(UmasRequest {
            session: 0,
            function: f,
            payload: &payload,
        });
        let rsp = Response::Umas(UmasResponse {
            session: 0,
            status: UmasFunctionCode::ResponseOk,
            payload: &[],
        });
        w.exchange(ROGUE, PLC1, 1, &req, Some(&rsp));
    }
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(
        w.techniques_since(t),
        set(&["T0836", "T0843", "T0848", "T0855", "T0858", "T0888"])
    );
    assert!(
        w.alerts_since(t)
            .iter()
            .any(|a| a.technique_id == "T0858" && a.severity == Severity::Critical)
    );
}

#[test]
fn point_scan_with_exception_bursts() {
    let mut w = learned_world(3);
    let t = w.now;
    // The HMI walks PLC1's holding registers one at a time; past 49 they do not exist.
    for addr in 0u16..200 {
        w.advance(20_000);
        let req = Request::ReadHoldingRegisters {
            address: Address(addr),
            quantity: 1,
        };
        let mut buf = [0u8; 2];
        let v = w.register(PLC1, 1, false, addr, w.now);
        let vals = pack_registers(&[v], &mut buf).unwrap();
        let ok = Response::ReadHoldingRegisters {
            values: RegisterValues::new(vals),
        };
        let ex = exception(
            FunctionCode::ReadHoldingRegisters,
            ExceptionCode::IllegalDataAddress,
        );
        w.exchange(HMI, PLC1, 1, &req, Some(if addr < 50 { &ok } else { &ex }));
    }
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0801", "T0861"]));
    let rate: Vec<_> = w
        .alerts_since(t)
        .into_iter()
        .filter(|a| a.detector == "rate")
        .collect();
    assert!(
        rate.iter()
            .any(|a| a.evidence["metric"] == "exception responses")
    );
    assert!(
        rate.iter()
            .any(|a| a.evidence["metric"] == "distinct read targets (address walk)")
    );
}

#[test]
fn rogue_master_writes_one_coil() {
    let mut w = learned_world(4);
    let t = w.now;
    let req = Request::WriteSingleCoil {
        address: Address(3),
        value: COIL_ON,
    };
    let rsp = Response::WriteSingleCoil {
        address: Address(3),
        value: COIL_ON,
    };
    w.exchange(99, PLC1, 1, &req, Some(&rsp));
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0848", "T0855"]));
}

#[test]
fn force_listen_only() {
    let mut w = learned_world(5);
    let t = w.now;
    let req = Request::Diagnostics {
        sub_function: DiagnosticCode::ForceListenOnlyMode,
        data: &[0, 0],
    };
    // A device in listen-only mode does not answer, this request included.
    w.exchange(ENG, PLC1, 1, &req, None);
    w.silenced.push((PLC1, 1));
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0804", "T0814"]));
    // The periodic responses of PLC1 went missing (periodicity), beyond the matcher.
    assert!(
        w.alerts_since(t)
            .iter()
            .any(|a| a.detector == "periodicity" && a.technique_id == "T0804")
    );
}

#[test]
fn restart_communications() {
    let mut w = learned_world(6);
    let t = w.now;
    let req = Request::Diagnostics {
        sub_function: DiagnosticCode::RestartCommunications,
        data: &[0, 0],
    };
    let rsp = Response::Diagnostics {
        sub_function: DiagnosticCode::RestartCommunications,
        data: &[0, 0],
    };
    w.exchange(ENG, PLC1, 1, &req, Some(&rsp));
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0816"]));
}

#[test]
fn request_flood() {
    let mut w = learned_world(7);
    let t = w.now;
    // 4000 reads in 2 s of the same registers the SCADA server always reads.
    for _ in 0..4000 {
        let now = w.now;
        w.now = now + 500;
        let vals: Vec<u16> = (0..20)
            .map(|k| w.register(PLC2, 1, false, k, now))
            .collect();
        let mut buf = [0u8; 40];
        let packed = pack_registers(&vals, &mut buf).unwrap();
        let req = Request::ReadHoldingRegisters {
            address: Address(0),
            quantity: 20,
        };
        let rsp = Response::ReadHoldingRegisters {
            values: RegisterValues::new(packed),
        };
        w.exchange(SCADA, PLC2, 1, &req, Some(&rsp));
    }
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0814"]));
}

#[test]
fn non_modbus_client_on_502() {
    let mut w = learned_world(8);
    let t = w.now;
    let flow = w.flow(77, PLC1);
    let now = w.now;
    w.feed(
        now,
        flow,
        Direction::Request,
        b"GET / HTTP/1.1\r\nHost: 10.0.0.10:502\r\n\r\n",
    );
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0869", "T0885"]));
}

#[test]
fn value_drifts_slowly_out_of_range() {
    let mut w = learned_world(9);
    let t = w.now;
    // Input register 102 of PLC1 (learned 1012 ± 50) creeps up by 0.5 per second: slower
    // than its learned rate of change, so only the range gives it away.
    w.drift = Some((PLC1, 1, 102, 0.5, t));
    w.run_for(400.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0831"]));
    let a = w
        .alerts_since(t)
        .into_iter()
        .find(|a| a.technique_id == "T0831")
        .unwrap();
    assert_eq!(a.evidence["reason"], "reported_out_of_range");
    assert_eq!(a.evidence["address"], 102);
}

#[test]
fn spoofed_and_duplicated_responses() {
    let mut w = learned_world(10);
    let t = w.now;
    let flow = w.flow(HMI, PLC1);
    // A response nobody asked for (transaction 0xBEEF was never requested).
    let mut buf = [0u8; 2];
    let vals = pack_registers(&[101], &mut buf).unwrap();
    let rsp = Response::ReadHoldingRegisters {
        values: RegisterValues::new(vals),
    };
    let bytes = otwire_modbus::Adu::new(
        otwire_modbus::TransactionId(0xBEEF),
        otwire_modbus::UnitId(1),
        &rsp,
    )
    .to_vec()
    .unwrap();
    let now = w.now;
    w.feed(now, flow, Direction::Response, &bytes);
    assert_eq!(w.techniques_since(t), set(&["T0856"]));
    // The next real poll's response arrives twice.
    w.record = Some(Vec::new());
    w.run_for(1.5);
    let rec = w.record.take().unwrap();
    let (ts, flow, dir, bytes) = rec
        .iter()
        .find(|r| r.2 == Direction::Response && r.1.server.ip == flow.server.ip)
        .unwrap()
        .clone();
    w.feed(ts + 1000, flow, dir, &bytes);
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0830", "T0856"]));
}

#[test]
fn malformed_and_oversize_frames() {
    let mut w = learned_world(12);
    let t = w.now;
    let flow = w.flow(HMI, PLC1);
    let now = w.now;
    // MBAP length 2: unit id and a lone function code 3, no address or quantity.
    w.feed(
        now,
        flow,
        Direction::Request,
        &[0x12, 0x34, 0, 0, 0, 2, 1, 0x03],
    );
    assert_eq!(w.techniques_since(t), set(&["T0866"]));
    // MBAP length 300: longer than any Modbus ADU (260 bytes), a read padded with junk.
    let mut big = vec![0x12, 0x35, 0, 0, 0x01, 0x2c, 1, 0x03, 0, 0, 0, 10];
    big.resize(6 + 300, 0);
    w.feed(now + 1000, flow, Direction::Request, &big);
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0814", "T0866"]));
}

#[test]
fn umas_status_read_and_program_upload() {
    let mut w = learned_world(13);
    let t = w.now;
    // The engineering station reads the PLC state, then uploads the program.
    umas_session(
        &mut w,
        &[
            UmasFunctionCode::ReadPlcInfo,
            UmasFunctionCode::InitializeUpload,
            UmasFunctionCode::UploadBlock,
            UmasFunctionCode::UploadBlock,
            UmasFunctionCode::EndStrategyUpload,
        ],
    );
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0845", "T0868", "T0888"]));
}

/// The engineering station sends these UMAS requests to PLC1, each answered OK.
fn umas_session(w: &mut World, functions: &[UmasFunctionCode]) {
    for &f in functions {
        w.advance(100_000);
        let req = Request::Umas(UmasRequest {
            session: 0,
            function: f,
            payload: &[0, 1],
        });
        let rsp = Response::Umas(UmasResponse {
            session: 0,
            status: UmasFunctionCode::ResponseOk,
            payload: &[0; 8],
        });
        w.exchange(ENG, PLC1, 1, &req, Some(&rsp));
    }
}

#[test]
fn umas_download_into_a_running_plc_is_an_online_change() {
    let mut w = learned_world(15);
    let t = w.now;
    // A program download with no STOP_PLC before it: the running program is modified
    // (T0889) as well as downloaded (T0843), with a reservation taken around it.
    umas_session(
        &mut w,
        &[
            UmasFunctionCode::TakePlcReservation,
            UmasFunctionCode::InitializeDownload,
            UmasFunctionCode::DownloadBlock,
            UmasFunctionCode::EndStrategyDownload,
            UmasFunctionCode::ReleasePlcReservation,
        ],
    );
    w.run_for(60.0);
    report(&w, t);
    // The reservation requests are operations the station never performed (T0855).
    assert_eq!(w.techniques_since(t), set(&["T0843", "T0855", "T0889"]));
    // The same download after STOP_PLC (then START_PLC) is no online change.
    let t = w.now;
    umas_session(
        &mut w,
        &[
            UmasFunctionCode::StopPlc,
            UmasFunctionCode::InitializeDownload,
            UmasFunctionCode::DownloadBlock,
            UmasFunctionCode::EndStrategyDownload,
            UmasFunctionCode::StartPlc,
        ],
    );
    w.run_for(60.0);
    report(&w, t);
    assert!(!w.techniques_since(t).contains("T0889"));
}

#[test]
fn coil_toggling_brute_force() {
    let mut w = learned_world(14);
    let t = w.now;
    // The engineering station, which only ever wrote one setpoint, toggles coil 7 fast.
    for i in 0..60u16 {
        w.advance(50_000);
        let value = if i % 2 == 0 { COIL_ON } else { 0 };
        let req = Request::WriteSingleCoil {
            address: Address(7),
            value,
        };
        let rsp = Response::WriteSingleCoil {
            address: Address(7),
            value,
        };
        w.exchange(ENG, PLC1, 1, &req, Some(&rsp));
    }
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0806", "T0855"]));
}

#[test]
fn server_sweep_from_a_known_client() {
    let mut w = learned_world(15);
    let t = w.now;
    // The HMI probes 30 addresses it never talked to, with the read it always makes.
    for host in 100u8..130 {
        w.advance(30_000);
        let req = Request::ReadHoldingRegisters {
            address: Address(0),
            quantity: 1,
        };
        let ex = exception(
            FunctionCode::ReadHoldingRegisters,
            ExceptionCode::GatewayTargetFailedToRespond,
        );
        w.exchange(HMI, host, 1, &req, Some(&ex));
    }
    w.run_for(60.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0801", "T0846", "T0861"]));
    assert!(
        w.alerts_since(t)
            .iter()
            .any(|a| a.detector == "rate" && a.technique_id == "T0846")
    );
    assert!(
        w.alerts_since(t)
            .iter()
            .any(|a| a.detector == "new_asset" && a.technique_id == "T0846")
    );
}

/// A backup SCADA server, seen during a failover drill while learning, takes over the
/// primary's polls after learning: neither the drill's end (while learning) nor the
/// takeover is a missing message. When the backup stops and nobody carries on, its polls
/// are missing (T0803 requests, T0804 responses).
#[test]
fn backup_master_takes_over_without_missing_messages() {
    const BACKUP: u8 = 4;
    let switch = |w: &mut World, from: u8, to: u8| {
        for p in &mut w.pollers {
            if p.client == from {
                p.client = to;
            }
        }
    };
    let mut w = World::new(scenario_config(), 8);
    w.run_until(T0 + 200 * SEC);
    switch(&mut w, SCADA, BACKUP);
    w.run_until(T0 + 300 * SEC);
    switch(&mut w, BACKUP, SCADA);
    w.run_until(T0 + 900 * SEC);
    report(&w, T0);
    assert!(w.alerts.is_empty());
    switch(&mut w, SCADA, BACKUP);
    w.run_for(600.0);
    report(&w, T0);
    assert!(w.alerts.is_empty());
    let t = w.now;
    w.pollers.retain(|p| p.client != BACKUP);
    w.run_for(120.0);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0803", "T0804"]));
}

/// A new client walks 100 holding registers of PLC1 in the last 5 s of learning (learned
/// silently: no baseline yet), and reads one of them again 1 s after learning ended, in the
/// same 10-second rate window. That read adds nothing new to the window's tally of
/// addresses, which already stands at about 100 against a floor of 64 (the client has no
/// learned rate): the walk is judged at the first request after learning (T0861,
/// `address_walk`), not only when the tally next grows.
#[test]
fn an_address_walk_that_began_while_learning_is_judged_when_learning_ends() {
    const WALKER: u8 = 77;
    let mut w = World::new(scenario_config(), 16);
    w.run_until(T0 + 595 * SEC);
    let read = |w: &mut World, addr: u16| {
        let req = Request::ReadHoldingRegisters {
            address: Address(addr),
            quantity: 1,
        };
        let v = [w.register(PLC1, 1, false, addr, w.now)];
        let mut buf = [0u8; 2];
        let packed = pack_registers(&v, &mut buf).unwrap();
        let rsp = Response::ReadHoldingRegisters {
            values: RegisterValues::new(packed),
        };
        w.exchange(WALKER, PLC1, 1, &req, Some(&rsp));
    };
    for addr in 0..100u16 {
        w.advance(45_000);
        read(&mut w, addr);
    }
    w.run_until(T0 + 601 * SEC);
    assert_eq!(w.engine.mode(), otwire_detect::Mode::Detecting);
    assert!(w.alerts.is_empty(), "{:#?}", w.alerts);
    let t = w.now;
    read(&mut w, 5);
    report(&w, t);
    assert_eq!(w.techniques_since(t), set(&["T0861"]));
    assert!(
        w.alerts_since(t)
            .iter()
            .any(|a| a.detector == "rate" && a.evidence["reason"] == "address_walk")
    );
}
