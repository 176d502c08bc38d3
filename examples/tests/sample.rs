//! The bundled sample capture: it is exactly what the generator writes, and otscan finds in it
//! what the generator put there.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use otwire_detect::{Direction as Dir, Protocol};
use otwire_examples::record::ProtoFields;
use otwire_examples::sample::{self, SAMPLE_PCAP};

#[test]
fn committed_sample_equals_generator_output() {
    let generated = sample::write_sample(Vec::new()).unwrap();
    assert!(generated.len() < 1 << 20, "the sample must stay under 1 MB");
    assert!(
        generated == SAMPLE_PCAP,
        "examples/data/sample.pcap differs from the generator's output: run `cargo run -p otwire-examples --bin gen-sample` and commit it"
    );
}

/// The S7 fields of a record (all `None` for other protocols).
fn s7(r: &otwire_examples::record::PduRecord) -> otwire_examples::s7::Fields {
    match &r.fields {
        ProtoFields::S7(f) => f.clone(),
        _ => otwire_examples::s7::Fields::default(),
    }
}

/// The Modbus fields of a record (all `None` for other protocols).
fn modbus(r: &otwire_examples::record::PduRecord) -> otwire_examples::modbus::Fields {
    match r.fields {
        ProtoFields::Modbus(m) => m,
        _ => otwire_examples::modbus::Fields::default(),
    }
}

#[test]
fn sample_scan_finds_the_scene() {
    let s = common::scan(SAMPLE_PCAP);
    let pdus = &s.report().pdus;
    let count = |f: &dyn Fn(&otwire_examples::record::PduRecord) -> bool| {
        pdus.iter().filter(|r| f(r)).count()
    };
    let rogue = |r: &otwire_examples::record::PduRecord| r.src.ip().to_string() == "10.10.1.66";

    // Polling: 60 s x (2 + 2 + 3) exchanges on 502, plus 12 on port 5020 (found by probing).
    let meter = count(&|r| r.src.port() == 5020 || r.dst.port() == 5020);
    assert_eq!(meter, 24);
    // Device identification: 3 FC 43 / MEI 14 requests and one FC 17, from the rogue host.
    assert_eq!(
        count(&|r| rogue(r) && modbus(r).func == Some(43) && modbus(r).mei == Some(14)),
        3
    );
    assert_eq!(count(&|r| rogue(r) && modbus(r).func == Some(17)), 1);
    // Scans: 15 exception 02, 7 exception 0B.
    assert_eq!(count(&|r| modbus(r).exception == Some(2)), 15);
    assert_eq!(count(&|r| modbus(r).exception == Some(11)), 7);
    // FrostyGoop-like: 20 FC 16 writes of 6 registers from the rogue host.
    assert_eq!(
        count(&|r| rogue(r) && modbus(r).func == Some(16) && modbus(r).quantity == Some(6)),
        20
    );
    // UMAS: 3 FC 90 requests.
    assert_eq!(count(&|r| rogue(r) && modbus(r).func == Some(90)), 3);
    // HTTP on 502: one NOT_MODBUS record, nothing mis-parsed from it.
    let not_modbus: Vec<_> = pdus
        .iter()
        .filter(|r| r.anomalies.contains(&"NOT_MODBUS"))
        .collect();
    assert_eq!(not_modbus.len(), 1);
    assert_eq!(not_modbus[0].dst.to_string(), "10.10.1.22:502");
    assert_eq!(modbus(not_modbus[0]).func, None);
    // Everything else is clean, and every Modbus request has a response.
    assert_eq!(count(&|r| !r.anomalies.is_empty()), 1);
    let is_modbus = |r: &otwire_examples::record::PduRecord| r.proto == Protocol::Modbus;
    assert_eq!(
        count(&|r| is_modbus(r) && r.dir == Dir::Request),
        count(&|r| is_modbus(r) && r.dir == Dir::Response) + 1
    );

    // DNP3: 30 integrity polls and their answers (one link frame each), from the SCADA
    // front end; the rogue host's Disable Unsolicited and Cold Restart, answered.
    let scada = |r: &otwire_examples::record::PduRecord| r.src.ip().to_string() == "10.10.1.12";
    let dnp3 = |r: &otwire_examples::record::PduRecord| r.proto == Protocol::Dnp3;
    assert_eq!(count(&|r| dnp3(r) && scada(r)), 30);
    assert_eq!(count(&|r| dnp3(r) && rogue(r)), 2);
    assert_eq!(count(&|r| dnp3(r)), 64);
    // IEC 104: STARTDT act/con, the interrogation (act, actcon, one point, actterm), 60
    // spontaneous measurements with their S frames, TESTFR act/con three times; the rogue's
    // two connections (STARTDT act/con and one I frame each).
    let iec = |r: &otwire_examples::record::PduRecord| r.proto == Protocol::Iec104;
    assert_eq!(count(&|r| iec(r) && rogue(r)), 4);
    assert_eq!(count(&iec), 93);

    // S7: the HMI's connection (CR, CC, setup job and answer) and 60 read var jobs of
    // DB1, each answered; the rogue host's connection, three SZL reads (0x0011, 0x001C,
    // 0x0424), each answered, and a PLC stop, acknowledged. All of it clean.
    let is_s7 = |r: &otwire_examples::record::PduRecord| r.proto == Protocol::S7;
    let hmi = |r: &otwire_examples::record::PduRecord| {
        r.src.ip().to_string() == "10.10.1.10" || r.dst.ip().to_string() == "10.10.1.10"
    };
    assert_eq!(count(&is_s7), 136);
    assert_eq!(count(&|r| is_s7(r) && hmi(r)), 4 + 120);
    assert_eq!(
        count(&|r| is_s7(r) && hmi(r) && s7(r).func == Some(0x04) && s7(r).rosctr == Some(1)),
        60
    );
    assert_eq!(
        count(&|r| is_s7(r) && hmi(r) && s7(r).func == Some(0x04) && s7(r).rosctr == Some(3)),
        60
    );
    let szl: Vec<(u8, u16)> = pdus
        .iter()
        .filter(|r| is_s7(r) && s7(r).szl_id.is_some())
        .map(|r| (s7(r).ud_type.unwrap(), s7(r).szl_id.unwrap()))
        .collect();
    assert_eq!(
        szl,
        [
            (4, 0x0011),
            (8, 0x0011),
            (4, 0x001C),
            (8, 0x001C),
            (4, 0x0424),
            (8, 0x0424)
        ]
    );
    assert!(
        pdus.iter()
            .filter(|r| is_s7(r) && s7(r).szl_id.is_some())
            .all(|r| {
                r.src.ip().to_string() == "10.10.1.66" || r.dst.ip().to_string() == "10.10.1.66"
            })
    );
    assert_eq!(
        count(&|r| rogue(r) && is_s7(r) && s7(r).func == Some(0x29)),
        1
    );
    assert_eq!(
        count(&|r| is_s7(r) && s7(r).func == Some(0x29) && s7(r).rosctr == Some(3)),
        1
    );
    assert_eq!(count(&|r| is_s7(r) && !r.anomalies.is_empty()), 0);

    // The S7-300 told the rogue host who it is: module and component identification.
    let plc_s7 = s.assets().get(&"10.10.1.25".parse().unwrap()).unwrap();
    assert_eq!(plc_s7.role(), "server");
    let f = &plc_s7.facts.s7;
    assert_eq!(f.s7_pdu_size, Some(otwire_examples::sample_s7::PDU_SIZE));
    assert_eq!(f.s7_rack_slot.iter().collect::<Vec<_>>(), ["0/2"]);
    let identity: Vec<(&str, &str)> = f
        .s7_identity
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        identity,
        [
            ("automation_system_name", "S7-300 BOILER HOUSE"),
            ("copyright", "Original Siemens Equipment"),
            ("firmware", "V3.2.6"),
            ("hardware", "V4.0.0"),
            ("module_name", "PLC_BOILER_2"),
            ("module_type_name", "CPU 315-2 PN/DP"),
            ("order_number", "6ES7 315-2EH14-0AB0"),
            ("plant_designation", "BOILER HOUSE 2"),
            ("serial_number", "S C-H5N316942014"),
        ]
    );

    // EtherNet/IP: the rogue host's ListIdentity and its reply (2); the HMI's session with
    // the ControlLogix: RegisterSession and Forward Open exchanges (4), 60 Multiple Service
    // Packets of two reads and one of a read and a write, both ways (122), UnRegisterSession
    // (1); the MicroLogix session: RegisterSession (2), 12 Execute PCCC exchanges (24),
    // UnRegisterSession (1); the I/O connection: RegisterSession and Forward Open (4),
    // UnRegisterSession (1), 60 packets each way on UDP 2222 (120).
    let enip = |r: &otwire_examples::record::PduRecord| -> otwire_examples::enip::Fields {
        match &r.fields {
            ProtoFields::Enip(f) => f.clone(),
            _ => otwire_examples::enip::Fields::default(),
        }
    };
    let is_enip = |r: &otwire_examples::record::PduRecord| r.proto == Protocol::Enip;
    assert_eq!(count(&is_enip), 2 + 127 + 27 + 125);
    assert_eq!(count(&|r| is_enip(r) && !r.anomalies.is_empty()), 0);
    assert_eq!(count(&|r| is_enip(r) && rogue(r)), 1);
    assert_eq!(count(&|r| is_enip(r) && enip(r).command.is_none()), 120);
    assert_eq!(
        count(&|r| enip(r).cip_services == Some(vec![0x4C, 0x4D])),
        2
    );
    assert_eq!(
        count(&|r| enip(r).cip_service == Some(0x0A)
            && enip(r).cip_reply == Some(false)
            && enip(r).symbol.as_deref() == Some("Boiler_Temp")),
        60
    );
    assert_eq!(
        count(&|r| enip(r).pccc_cmd == Some(0x0F) && enip(r).pccc_fnc == Some(0xA2)),
        12
    );
    let clx = s.assets().get(&"10.10.1.26".parse().unwrap()).unwrap();
    let f = &clx.facts.enip;
    assert_eq!(
        f.enip_product_name.as_deref(),
        Some(otwire_examples::sample_enip::CLX_NAME)
    );
    assert_eq!(f.enip_revision.as_deref(), Some("32.011"));
    assert_eq!(f.enip_serial.as_deref(), Some("0x00c0ffee"));
    assert_eq!(
        f.enip_device_type.as_deref(),
        Some("14 Programmable Logic Controller")
    );
    assert_eq!(
        f.enip_connections.iter().collect::<Vec<_>>(),
        ["class 3 O->T 0x7e010001 T->O 0x00001b01 RPI 500 ms"]
    );
    let adapter = s.assets().get(&"10.10.1.28".parse().unwrap()).unwrap();
    assert_eq!(
        adapter
            .facts
            .enip
            .enip_connections
            .iter()
            .collect::<Vec<_>>(),
        ["class 1 O->T 0x06010002 T->O 0x00002c02 RPI 1000 ms"]
    );

    // Assets: PLC-1 reported its identity.
    let plc1 = s.assets().get(&"10.10.1.21".parse().unwrap()).unwrap();
    assert_eq!(plc1.role(), "server");
    let id = &plc1.identity[&1];
    for (obj, name) in [
        (0u8, "VendorName"),
        (1, "ProductCode"),
        (2, "MajorMinorRevision"),
        (4, "ProductName"),
    ] {
        let expected = sample::PLC1_IDENTITY
            .iter()
            .find(|(i, _)| *i == obj)
            .unwrap()
            .1;
        assert_eq!(id[name], expected);
    }
    assert_eq!(id["object_128"], "SN 8842-1193");
    let gw = s.assets().get(&"10.10.1.23".parse().unwrap()).unwrap();
    assert_eq!(
        gw.units.iter().copied().collect::<Vec<_>>(),
        (0..=10).collect::<Vec<u8>>()
    );
    let hmi = s.assets().get(&"10.10.1.10".parse().unwrap()).unwrap();
    assert_eq!(hmi.role(), "client");
}

#[test]
fn sample_attacks_raise_their_techniques() {
    use otwire_examples::capture::CaptureReader;
    use otwire_examples::detect_engine::{DetectArgs, build};
    use otwire_examples::scanner::{Collect, ScanOptions, Scanner};

    let detection = build(&DetectArgs {
        learn_seconds: Some(15.0),
        ..DetectArgs::default()
    })
    .unwrap();
    let mut s = Scanner::with_detection(ScanOptions::default(), Collect::default(), detection);
    let mut reader = CaptureReader::new(SAMPLE_PCAP).unwrap();
    while let Some(p) = reader.next_packet().unwrap() {
        s.packet(&p);
    }
    s.finish();
    let alerts = &s.report().alerts;
    let fired = |id: &str, from: &str| {
        alerts
            .iter()
            .any(|a| a.technique_id == id && a.src.to_string().starts_with(from))
    };
    // Every attack of the scene, from the rogue host; nothing from the HMI's polling.
    for id in [
        "T0888", "T0848", "T0855", "T0836", "T0858", "T0869", "T0804", "T0816",
    ] {
        assert!(fired(id, "10.10.1.66:"), "{id} did not fire: {alerts:#?}");
    }
    // The DNP3 and IEC 104 attacks are seen as such.
    let on = |id: &str, p: Protocol| {
        alerts.iter().any(|a| {
            a.technique_id == id && a.proto == p && a.src.to_string().starts_with("10.10.1.66:")
        })
    };
    assert!(on("T0804", Protocol::Dnp3) && on("T0816", Protocol::Dnp3));
    assert!(on("T0888", Protocol::Iec104) && on("T0855", Protocol::Iec104));
    // The EtherNet/IP ListIdentity is identification.
    assert!(
        on("T0888", Protocol::Enip),
        "T0888 not raised on ENIP: {alerts:#?}"
    );
    // So are the S7 ones: a new client, SZL identification, the operating mode read, the
    // PLC stop.
    for id in ["T0848", "T0888", "T0868", "T0858"] {
        assert!(on(id, Protocol::S7), "{id} not raised on S7: {alerts:#?}");
    }
    // Nothing from the SCADA front end's supervision.
    assert!(
        alerts
            .iter()
            .all(|a| !a.src.to_string().starts_with("10.10.1.12:")),
        "alert on the SCADA polling: {alerts:#?}"
    );
    assert!(fired("T0846", "10.10.1.66:") || fired("T0861", "10.10.1.66:"));
    assert!(
        alerts
            .iter()
            .all(|a| !a.src.to_string().starts_with("10.10.1.10:")),
        "alert on the HMI's polling: {alerts:#?}"
    );
}
