//! DNP3 and IEC 104 in otscan on synthetic traffic built with the protocol crates' encoders:
//! records, assets (DNP3 link addresses and g0 device attributes, IEC 104 common addresses
//! and points) and detection through otwire-detect's analyzers.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

use otwire_detect::Direction as Dir;
use otwire_dnp3::{
    Address, AppControl, Emit as _, FragmentWriter, FunctionCode, Iin, LinkControl, LinkHeader,
    PrimaryFunction, TransportFrames,
};
use otwire_examples::capture::Packet;
use otwire_examples::detect_engine::{DetectArgs, build};
use otwire_examples::pcapw::{Flags, Host, tcp_frame};
use otwire_examples::record::ProtoFields;
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};
use otwire_iec104::{CommonAddress, Qrp, Request, SeqNum};

const A: Host = Host::new([192, 168, 0, 1]);
const B: Host = Host::new([192, 168, 0, 2]);
const PSH: Flags = Flags {
    syn: false,
    ack: true,
    psh: true,
    fin: false,
    rst: false,
};

fn run(frames: &[Vec<u8>]) -> Scanner<Collect> {
    let detection = build(&DetectArgs::default()).unwrap();
    let mut s = Scanner::with_detection(ScanOptions::default(), Collect::default(), detection);
    for (i, f) in frames.iter().enumerate() {
        s.packet(&Packet {
            frame: i as u64 + 1,
            ts_us: 1_700_000_000_000_000 + i as i64 * 1000,
            linktype: 1,
            data: f,
        });
    }
    s.finish();
    s
}

fn dnp3_frames(dir: bool, dst: u16, src: u16, fragment: &[u8]) -> Vec<u8> {
    TransportFrames {
        header: LinkHeader {
            control: LinkControl::primary(dir, PrimaryFunction::UnconfirmedUserData, false),
            destination: Address(dst),
            source: Address(src),
        },
        first_seq: 0,
        fragment,
    }
    .to_vec()
    .unwrap()
}

#[test]
fn dnp3_device_attributes_become_asset_identity() {
    // Master 1 reads all attributes (g0v254) of outstation 10.
    let mut buf = [0u8; 32];
    let mut w =
        FragmentWriter::request(&mut buf, AppControl::request(3), FunctionCode::Read).unwrap();
    w.all(0, 254).unwrap();
    let n = w.finish();
    let request = dnp3_frames(true, 10, 1, &buf[..n]);
    // The answer: product name (g0v250, VSTR) and maximum transmit fragment (g0v240, UINT),
    // each one object with a 1-octet start-stop range (IEEE 1815-2012 §11.1).
    let mut buf = [0u8; 64];
    let control = AppControl {
        fir: true,
        fin: true,
        con: false,
        uns: false,
        seq: 3,
    };
    let mut w =
        FragmentWriter::response(&mut buf, control, FunctionCode::Response, Iin::empty()).unwrap();
    w.bytes(&[0, 250, 0x00, 0, 0, 1, 10]).unwrap();
    w.bytes(b"ACME RTU-5").unwrap();
    w.bytes(&[0, 240, 0x00, 0, 0, 2, 2, 0x00, 0x08]).unwrap();
    let n = w.finish();
    let response = dnp3_frames(false, 1, 10, &buf[..n]);
    let s = run(&[
        tcp_frame(A, B, 40000, 20000, 100, 900, PSH, &request),
        tcp_frame(
            B,
            A,
            20000,
            40000,
            900,
            100 + request.len() as u32,
            PSH,
            &response,
        ),
    ]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 2, "{p:?}");
    let ProtoFields::Dnp3(req) = &p[0].fields else {
        panic!("{p:?}")
    };
    assert_eq!(p[0].dir, Dir::Request);
    assert_eq!(
        (
            req.link_dir,
            req.link_prm,
            req.link_func,
            req.link_dst,
            req.link_src
        ),
        (Some(true), Some(true), Some(4), Some(10), Some(1))
    );
    let app = req.app.as_ref().unwrap();
    assert_eq!((app.func, app.seq, app.iin), (1, 3, None));
    assert_eq!((app.objects[0].group, app.objects[0].variation), (0, 254));
    let ProtoFields::Dnp3(rsp) = &p[1].fields else {
        panic!("{p:?}")
    };
    let app = rsp.app.as_ref().unwrap();
    assert_eq!((app.func, app.iin), (129, Some(0)));
    assert_eq!(app.objects.len(), 2);
    assert_eq!(
        (
            app.objects[0].start,
            app.objects[0].stop,
            app.objects[0].count
        ),
        (Some(0), Some(0), Some(1))
    );
    assert!(p.iter().all(|r| r.anomalies.is_empty()), "{p:?}");

    let outstation = s.assets().get(&"192.168.0.2".parse().unwrap()).unwrap();
    assert!(
        outstation
            .facts
            .dnp3
            .dnp3_outstation_addresses
            .contains(&10)
    );
    let attrs = &outstation.facts.dnp3.dnp3_attributes[&10];
    assert_eq!(attrs["product_name_and_model"], "ACME RTU-5");
    assert_eq!(attrs["max_tx_fragment_size"], "2048");
    let master = s.assets().get(&"192.168.0.1".parse().unwrap()).unwrap();
    assert!(master.facts.dnp3.dnp3_master_addresses.contains(&1));
    // The asset JSON carries them.
    let json = serde_json::to_string(&s.assets().records()).unwrap();
    assert!(json.contains(r#""dnp3_attributes":{"10":{"max_tx_fragment_size":"2048","product_name_and_model":"ACME RTU-5"}}"#), "{json}");
}

#[test]
fn dnp3_cold_restart_raises_an_alert() {
    let mut buf = [0u8; 8];
    let n = FragmentWriter::request(&mut buf, AppControl::request(0), FunctionCode::ColdRestart)
        .unwrap()
        .finish();
    let request = dnp3_frames(true, 10, 1, &buf[..n]);
    let s = run(&[tcp_frame(A, B, 40000, 20000, 100, 900, PSH, &request)]);
    let alerts = &s.report().alerts;
    assert!(
        alerts
            .iter()
            .any(|a| a.technique_id == "T0816" && a.proto == otwire_detect::Protocol::Dnp3),
        "{alerts:?}"
    );
}

#[test]
fn iec104_points_and_reset_process() {
    // Station B (2404) reports a short float at IOA 90 of common address 1; A resets it.
    let measured = [
        0x68, 0x12, 0x0c, 0x00, 0x06, 0x00, // I frame, N(S) = 6, N(R) = 3
        0x0d, 0x01, 0x03, 0x00, 0x01, 0x00, // M_ME_NC_1, 1 object, spontaneous, OA 0, CA 1
        0x5a, 0x00, 0x00, // IOA 90
        0x00, 0x00, 0x48, 0x42, 0x00, // 50.0, good
    ];
    let reset = Request::reset_process(CommonAddress(1), Qrp(1))
        .i_frame(SeqNum::new(3), SeqNum::new(7))
        .to_vec()
        .unwrap();
    let s = run(&[
        tcp_frame(B, A, 2404, 40000, 900, 100, PSH, &measured),
        tcp_frame(
            A,
            B,
            40000,
            2404,
            100,
            900 + measured.len() as u32,
            PSH,
            &reset,
        ),
    ]);
    let p = &s.report().pdus;
    assert_eq!(p.len(), 2, "{p:?}");
    let ProtoFields::Iec104(m) = &p[0].fields else {
        panic!("{p:?}")
    };
    assert_eq!(p[0].dir, Dir::Response);
    assert_eq!(
        (m.apci, m.tx, m.rx, m.type_id, m.num, m.cot, m.ca),
        (
            Some("I"),
            Some(6),
            Some(3),
            Some(13),
            Some(1),
            Some(3),
            Some(1)
        )
    );
    assert_eq!(m.ioas.as_deref(), Some(&[90][..]));
    let ProtoFields::Iec104(r) = &p[1].fields else {
        panic!("{p:?}")
    };
    assert_eq!(
        (r.type_id, r.cot, r.tx, r.rx),
        (Some(105), Some(6), Some(3), Some(7))
    );
    let station = s.assets().get(&"192.168.0.2".parse().unwrap()).unwrap();
    assert_eq!(station.facts.iec104.iec104_points[&1][&90], 13);
    assert!(station.facts.iec104.iec104_common_addresses.contains(&1));
    let alerts = &s.report().alerts;
    assert!(
        alerts
            .iter()
            .any(|a| a.technique_id == "T0816" && a.proto == otwire_detect::Protocol::Iec104),
        "{alerts:?}"
    );
}
