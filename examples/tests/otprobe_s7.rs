//! `otprobe s7` against an S7 server no one here wrote: python-snap7's pure-Python
//! `snap7.server.Server` (MIT), started on 127.0.0.1 on a free port
//! (tests/peers/s7_server.py), and against small scripted peers built with otwire-s7's
//! encoders for what python-snap7's server never sends (a refused connection request,
//! an SZL answer in two data units, an operating mode record, bytes that are not S7).
//! python-snap7 3.3 has no S7comm-plus server (its `s7` package is an alias of `snap7`),
//! so there is no S7comm-plus peer to test against.
//!
//! The interpreter is `$OTWIRE_PYTHON`, else `<workspace>/.venv/bin/python`. Without it (or
//! without python-snap7) the snap7 test prints a skip message, unless `CI` is set: then it
//! fails. The scripted peers need nothing.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use otwire_examples::sample_s7::{component_records, module_records};
use otwire_s7::{
    Body, Connection, Emit, Job, Pdu, Setup, StreamDecoder, SzlAnswer, SzlResponse, Tpdu, Tpkt,
    UserdataBody, frame, split_frame,
};
use serde_json::{Value, json};

#[test]
fn otprobe_identifies_a_python_snap7_server() {
    let Some(py) = common::python_with("snap7") else {
        return;
    };
    // python-snap7's server binds any port (`start_to("127.0.0.1", port)`), so it runs on
    // a free loopback port, never on 102.
    let (_peer, port) = common::start_peer(&py, "s7_server.py");
    let target = format!("127.0.0.1:{port}");
    let (code, out, err) = common::otprobe_full(&["s7", &target, "--interval-ms", "5", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    // COTP: the PG TSAPs of rack 0 slot 2 are accepted at once, with the TPDU size asked
    // for (2^10); setup communication: python-snap7 grants at most 480 bytes, AmQ 1/1.
    assert_eq!(v["protocol"], "s7comm");
    assert_eq!(v["calling_tsap"], "0x0100");
    assert_eq!(v["called_tsap"], "0x0102");
    assert_eq!(v["refused"], json!([]));
    assert_eq!(v["tpdu_size"], 1024);
    assert_eq!(v["pdu_size"], 480);
    assert_eq!(v["max_amq_calling"], 1);
    assert_eq!(v["max_amq_called"], 1);

    // SZL 0x0011: python-snap7 3.3's server answers one record of 26 bytes (index 0x0001,
    // the order number in 20 bytes, then 00 03 03 00, the version its own client reads),
    // not the 28 bytes of a real module identification record (index, order number,
    // module type, Ausbg, Ausbe): otwire-s7 keeps it raw, and otprobe shows its text.
    let szl = v["szl"].as_array().unwrap();
    assert_eq!(szl.len(), 3, "{v}");
    let module = &szl[0];
    assert_eq!(module["id"], "0x0011");
    assert_eq!(module["name"], "Module identification");
    let m = &module["answer"]["Ok"];
    assert_eq!(m["record_len"], 26, "{v}");
    assert_eq!(m["record_count"], 1);
    assert_eq!(m["anomalies"], json!([]));
    assert_eq!(m["data_units"], 1);
    let mut record = b"\x00\x01".to_vec();
    record.extend_from_slice(b"6ES7 315-2EH14-0AB0\x00");
    record.extend_from_slice(&[0x00, 3, 3, 0]);
    let hex: String = record.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        m["records"],
        json!([{"index": null, "field": null, "value": "6ES7 315-2EH14-0AB0", "hex": hex}])
    );

    // SZL 0x001C: its server sends 210 bytes after the list id and index whose first four
    // (record length, record count) are zero, then the names at the offsets of 34-byte
    // records with their indexes zero: otwire-s7 flags the header that disagrees with the
    // bytes (SZL_LENGTH), no record is declared, and otprobe shows the text found.
    let component = &szl[1];
    assert_eq!(component["id"], "0x001c");
    let c = &component["answer"]["Ok"];
    assert_eq!(c["record_len"], 0, "{v}");
    assert_eq!(c["record_count"], 0);
    assert_eq!(c["records"], json!([]));
    assert_eq!(c["anomalies"], json!(["SZL_LENGTH"]));
    assert_eq!(c["extra_bytes"], 206);
    assert_eq!(
        c["extra_text"],
        json!([
            "SNAP7-SERVER",
            "CPU 315-2 PN/DP",
            "Original Siemens Equipment",
            "S C-C2UR28922012",
            "CPU 315-2 PN/DP"
        ])
    );
    // No typed identity record, so no identity (the scripted peer below has them).
    assert_eq!(v["identity"], json!({}));

    // SZL 0x0424: its server has no operating mode list and answers with its error
    // response, whose data header carries the high byte of its error 0x8104 as return code.
    let mode = &szl[2];
    assert_eq!(mode["id"], "0x0424");
    assert_eq!(
        mode["answer"]["Err"],
        json!({"kind": "negative", "detail": "return code 0x81 (unknown)"})
    );
    assert_eq!(v["operating_mode"], Value::Null);
    // Setup communication and three SZL reads, nothing else.
    assert_eq!(v["requests"], 4);

    // The table names the same facts.
    let (code, table, _) = common::otprobe_full(&["s7", &target, "--interval-ms", "5"]);
    assert_eq!(code, 0);
    for want in [
        "TSAP 0x0100 -> 0x0102",
        "480 (max AmQ 1/1)",
        "6ES7 315-2EH14-0AB0",
        "SZL_LENGTH",
        "SNAP7-SERVER",
        "return code 0x81",
    ] {
        assert!(table.contains(want), "{want}: {table}");
    }
}

/// How a scripted peer serves its `i`-th connection.
type Serve = fn(usize, TcpStream);

/// A peer on a free loopback port that serves each connection with `serve` (its index,
/// the socket), one connection at a time; returns the port.
fn scripted_peer(serve: Serve) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for (i, sock) in listener.incoming().enumerate() {
            let Ok(sock) = sock else { return };
            sock.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            serve(i, sock);
        }
    });
    port
}

/// The next TPKT's bytes from `sock` (None once it closes).
fn next_tpkt(sock: &mut TcpStream, dec: &mut StreamDecoder) -> Option<Vec<u8>> {
    let mut buf = [0u8; 2048];
    loop {
        if let Ok(Some(t)) = dec.next_frame() {
            return Some(t.to_vec());
        }
        match sock.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => dec.push(&buf[..n]),
        }
    }
}

/// The CPU's module identification: module, basic hardware, basic firmware.
const MODULE_ID: [(u16, &str, [u8; 2], [u8; 2]); 3] = [
    (1, "6ES7 315-2EH14-0AB0", [0, 1], [0, 1]),
    (6, "6ES7 315-2EH14-0AB0", [b'V', 1], [0, 0]),
    (7, "", [b'V', 3], [2, 6]),
];

/// The CPU's component identification.
const COMPONENT_ID: [(u16, &str); 5] = [
    (1, "S7-300 station"),
    (2, "PLC_1"),
    (3, "plant A"),
    (5, "S C-X4U421302009"),
    (7, "CPU 315-2 PN/DP"),
];

/// An operating mode record: event 0x4451 "mode transition", STOP (internal) to RUN.
const MODE_RECORD: [u8; 20] = [
    0x51, 0x44, 0xFF, 0x48, 0, 0, 0, 0, 0, 0, 0, 0, 0x26, 0x12, 0x05, 0x12, 0x00, 0x00, 0x00, 0x06,
];

fn szl_answer(id: u16, record_len: u16, records: &[u8]) -> Vec<u8> {
    SzlAnswer {
        id: otwire_s7::SzlId(id),
        index: 0,
        record_len,
        record_count: (records.len() / usize::from(record_len)) as u16,
        records,
    }
    .to_vec()
    .unwrap()
}

/// Refuses the first connection (COTP DR); on the second, a CPU at rack 1 slot 3 that
/// answers 0x001C in two data units.
fn cpu_refusing_pg_tsaps(i: usize, mut sock: TcpStream) {
    let mut dec = StreamDecoder::new();
    let mut rest_of_component: Option<Vec<u8>> = None;
    while let Some(tpkt) = next_tpkt(&mut sock, &mut dec) {
        let (f, _) = split_frame(&tpkt).unwrap();
        let t = Tpdu::parse(f.tpdu).unwrap();
        assert!(t.anomalies.is_empty(), "{:?}", t.pdu);
        let reply = match t.pdu {
            Tpdu::ConnectionRequest(cr) if i == 0 => {
                // The PG TSAPs of rack 1 slot 3: 01 00 -> 01 23.
                assert_eq!(cr.src_tsap(), Some(&[0x01, 0x00][..]));
                assert_eq!(
                    Connection::s7_rack_slot(cr.dst_tsap().unwrap()),
                    Some((1, 1, 3))
                );
                // DR, reason 0x80 (normal disconnect initiated by the session entity).
                let dr = [3, 0, 0, 11, 6, 0x80, 0, 1, 0, 0x44, 0x80];
                sock.write_all(&dr).unwrap();
                return;
            }
            Tpdu::ConnectionRequest(cr) => {
                assert_eq!(cr.src_tsap(), Some(&[0x02, 0x00][..]));
                assert_eq!(cr.dst_tsap(), Some(&[0x02, 0x00][..]));
                Tpkt(Tpdu::ConnectionConfirm(Connection {
                    dst_ref: cr.src_ref,
                    src_ref: 0x0044,
                    ..cr
                }))
                .to_vec()
                .unwrap()
            }
            Tpdu::Data(dt) => {
                let p = Pdu::parse(dt.user_data).unwrap();
                assert!(p.anomalies.is_empty(), "{:?}", p.pdu);
                let r = p.pdu.header.pdu_ref;
                match p.pdu.body {
                    Body::Job(Job::Setup(s)) => {
                        frame(Pdu::setup_response(r, Setup { pdu_size: 240, ..s }))
                            .to_vec()
                            .unwrap()
                    }
                    Body::Userdata(u) => {
                        let whole = |payload: &[u8]| {
                            frame(SzlResponse {
                                pdu_ref: r,
                                sequence: 3,
                                data_unit_ref: 0,
                                last_unit: 0,
                                payload,
                            })
                            .to_vec()
                            .unwrap()
                        };
                        match u.body {
                            UserdataBody::SzlRequest(q) if q.id.0 == 0x0011 => {
                                whole(&szl_answer(0x0011, 28, &module_records(&MODULE_ID)))
                            }
                            UserdataBody::SzlRequest(q) if q.id.0 == 0x001C => {
                                let all = szl_answer(0x001C, 34, &component_records(&COMPONENT_ID));
                                let (first, rest) = all.split_at(100);
                                rest_of_component = Some(rest.to_vec());
                                frame(SzlResponse {
                                    pdu_ref: r,
                                    sequence: 9,
                                    data_unit_ref: 9,
                                    last_unit: 1,
                                    payload: first,
                                })
                                .to_vec()
                                .unwrap()
                            }
                            UserdataBody::SzlRequest(q) if q.id.0 == 0x0424 => {
                                whole(&szl_answer(0x0424, 20, &MODE_RECORD))
                            }
                            UserdataBody::Empty => {
                                // The follow-up: method 0x12, the answer's sequence and
                                // data-unit reference, data header 0A 00.
                                let ext = u.params.ext.unwrap();
                                assert_eq!((u.params.sequence, ext.data_unit_ref), (9, 9));
                                assert_eq!(u.params.method, 0x12);
                                frame(SzlResponse {
                                    pdu_ref: r,
                                    sequence: 9,
                                    data_unit_ref: 9,
                                    last_unit: 0,
                                    payload: &rest_of_component.take().unwrap(),
                                })
                                .to_vec()
                                .unwrap()
                            }
                            other => panic!("unexpected userdata {other:?}"),
                        }
                    }
                    other => panic!("otprobe sent {other:?}"),
                }
            }
            other => panic!("unexpected TPDU {other:?}"),
        };
        sock.write_all(&reply).unwrap();
    }
}

#[test]
fn otprobe_s7_falls_back_on_refusal_and_joins_data_units() {
    let port = scripted_peer(cpu_refusing_pg_tsaps);
    let target = format!("127.0.0.1:{port}");
    let (code, out, err) = common::otprobe_full(&[
        "s7",
        &target,
        "--rack",
        "1",
        "--slot",
        "3",
        "--interval-ms",
        "0",
        "--json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["refused"],
        json!(["0x0100 -> 0x0123: COTP disconnect request, reason 0x80"])
    );
    assert_eq!(
        (&v["calling_tsap"], &v["called_tsap"]),
        (&json!("0x0200"), &json!("0x0200"))
    );
    assert_eq!(v["pdu_size"], 240);
    assert_eq!(
        v["identity"],
        json!({
            "order_number": "6ES7 315-2EH14-0AB0",
            "hardware": "V1.0.0",
            "firmware": "V3.2.6",
            "automation_system_name": "S7-300 station",
            "module_name": "PLC_1",
            "plant_designation": "plant A",
            "serial_number": "S C-X4U421302009",
            "module_type_name": "CPU 315-2 PN/DP",
        })
    );
    let szl = v["szl"].as_array().unwrap();
    let c = &szl[1]["answer"]["Ok"];
    assert_eq!(c["data_units"], 2, "{v}");
    assert_eq!(c["record_count"], 5);
    assert_eq!(c["anomalies"], json!([]));
    assert_eq!(c["records"][1]["field"], "module name");
    assert_eq!(c["records"][1]["value"], "PLC_1");
    assert_eq!(v["operating_mode"], "RUN (previously STOP (internal))");
    // Setup, three SZL reads and one follow-up.
    assert_eq!(v["requests"], 5);
}

/// Answers a connection request with a Modbus exception, as a Modbus device on 102 would.
fn modbus_device(_: usize, mut sock: TcpStream) {
    let mut buf = [0u8; 64];
    if sock.read(&mut buf).is_ok() {
        let _ = sock.write_all(&[0, 1, 0, 0, 0, 3, 1, 0x83, 0x02]);
    }
}

/// Accepts and says nothing.
fn silent_device(_: usize, mut sock: TcpStream) {
    let mut buf = [0u8; 64];
    while sock.read(&mut buf).is_ok_and(|n| n > 0) {}
}

/// Confirms the connection, then answers setup communication with a COTP DT carrying
/// something other than S7comm (an ISO session PDU, as an MMS server would).
fn iso_session_device(_: usize, mut sock: TcpStream) {
    let mut dec = StreamDecoder::new();
    while let Some(tpkt) = next_tpkt(&mut sock, &mut dec) {
        let (f, _) = split_frame(&tpkt).unwrap();
        let reply = match Tpdu::parse(f.tpdu).unwrap().pdu {
            Tpdu::ConnectionRequest(cr) => Tpkt(Tpdu::ConnectionConfirm(Connection {
                dst_ref: cr.src_ref,
                src_ref: 7,
                ..cr
            }))
            .to_vec()
            .unwrap(),
            _ => vec![3, 0, 0, 11, 2, 0xF0, 0x80, 0x0D, 0x02, 0x01, 0x00],
        };
        sock.write_all(&reply).unwrap();
    }
}

#[test]
fn otprobe_s7_fails_cleanly() {
    let cases: [(Serve, &str); 3] = [
        (modbus_device, "not the protocol probed: not TPKT"),
        (silent_device, "timeout"),
        (
            iso_session_device,
            "not the protocol probed: COTP user data is not S7comm (first byte 0x0d)",
        ),
    ];
    for (peer, want) in cases {
        let port = scripted_peer(peer);
        let (code, out, err) = common::otprobe_full(&[
            "s7",
            &format!("127.0.0.1:{port}"),
            "--timeout-ms",
            "400",
            "--interval-ms",
            "0",
        ]);
        assert_eq!(code, 1, "{want}: {out}");
        assert!(err.contains(want), "{want}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A closed port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _, err) =
        common::otprobe_full(&["s7", &format!("127.0.0.1:{port}"), "--timeout-ms", "400"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot connect"), "{err}");
}
