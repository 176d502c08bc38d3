//! Interop with python-snap7 (MIT, pure Python since 3.x): its client talks to a small S7
//! server made of this crate's parser and encoders, on 127.0.0.1 only. The client connects
//! (COTP CR/CC), negotiates the PDU size (setup communication), reads and writes a DB (read
//! / write var), and reads two SZLs, one of them answered in two data units (so that the
//! client's follow-up request, `0A 00` data header, is parsed too). Every request must
//! parse without an anomaly, and the client must see exactly what the server encoded.
//!
//! Needs `OTWIRE_PYTHON` (a Python with python-snap7, `.ci/requirements.txt`); skipped with
//! a message when it is unset.

#![cfg(feature = "std")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

use otwire_s7::*;

const CLIENT: &str = r#"
import json, sys, snap7
c = snap7.client.Client()
c.connect("127.0.0.1", 0, 2, int(sys.argv[1]))
out = {"pdu": c.get_pdu_length()}
out["db"] = list(c.db_read(1, 10, 8))
c.db_write(1, 20, bytearray([1, 2, 3]))
out["mb"] = list(c.mb_read(4, 2))
order = c.get_order_code()
out["order"] = order.OrderCode.decode().strip("\x00 ")
out["version"] = [order.V1, order.V2, order.V3]
szl = c.read_szl(0x0424, 0)
out["szl_len"] = szl.Header.LengthDR
c.disconnect()
print(json.dumps(out))
"#;

/// The module identification records the server answers SZL 0x0011 with.
fn module_id_records() -> Vec<u8> {
    let mut r = Vec::new();
    for (index, text, v) in [
        (1u16, "6ES7 315-2EH14-0AB0 ", [0u8, 1, 0, 1]),
        (7, "                    ", [b'V', 3, 2, 6]),
    ] {
        r.extend_from_slice(&index.to_be_bytes());
        r.extend_from_slice(text.as_bytes());
        r.extend_from_slice(&[0x00, 0xC0]);
        r.extend_from_slice(&v);
    }
    r
}

fn enc(e: &impl Emit) -> Vec<u8> {
    e.to_vec().unwrap()
}

/// Serves one connection; returns what the client wrote and the requests it parsed.
/// What the client wrote: (DB, start byte, data).
type Writes = Vec<(u16, u32, Vec<u8>)>;

fn serve(mut sock: TcpStream) -> (Writes, Vec<String>) {
    sock.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut dec = StreamDecoder::new();
    let mut writes = Vec::new();
    let mut seen = Vec::new();
    let mut pending_fragment: Option<Vec<u8>> = None;
    let mut buf = [0u8; 4096];
    loop {
        let n = match sock.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        dec.push(&buf[..n]);
        while let Ok(Some(tpkt)) = dec.next_frame() {
            let (tpkt_frame, _) = split_frame(&tpkt).unwrap();
            let t = Tpdu::parse(tpkt_frame.tpdu).unwrap();
            assert_eq!(t.anomalies, Anomalies::empty(), "{:?}", t.pdu);
            let reply: Vec<u8> = match t.pdu {
                Tpdu::ConnectionRequest(cr) => {
                    seen.push("CR".into());
                    assert_eq!(
                        Connection::s7_rack_slot(cr.dst_tsap().unwrap()).unwrap().2,
                        2
                    );
                    enc(&Tpkt(Tpdu::ConnectionConfirm(Connection {
                        dst_ref: cr.src_ref,
                        src_ref: 0x0044,
                        ..cr
                    })))
                }
                Tpdu::Data(dt) => {
                    let p = Pdu::parse(dt.user_data).unwrap();
                    assert_eq!(p.anomalies, Anomalies::empty(), "{:?}", p.pdu);
                    let r = p.pdu.header.pdu_ref;
                    match p.pdu.body {
                        Body::Job(Job::Setup(s)) => {
                            seen.push("setup".into());
                            enc(&frame(Pdu::setup_response(
                                r,
                                Setup {
                                    pdu_size: s.pdu_size.min(480),
                                    ..s
                                },
                            )))
                        }
                        Body::Job(Job::ReadVar { items }) => {
                            seen.push("read".into());
                            let spans: Vec<Vec<u8>> = items
                                .iter()
                                .map(|s| {
                                    let VarSpec::Any(a) = s else { panic!() };
                                    let start = a.address.byte();
                                    (0..a.byte_len().unwrap() as u32)
                                        .map(|i| (start + i) as u8)
                                        .collect()
                                })
                                .collect();
                            let data: Vec<DataItem<'_>> = spans
                                .iter()
                                .map(|d| {
                                    DataItem::new(ReturnCode::Success, DataTransportSize::Byte, d)
                                })
                                .collect();
                            enc(&frame(ReadVarResponse {
                                pdu_ref: r,
                                items: &data,
                            }))
                        }
                        Body::Job(Job::WriteVar { items, data }) => {
                            seen.push("write".into());
                            for (s, d) in items.iter().zip(data.iter()) {
                                let VarSpec::Any(a) = s else { panic!() };
                                writes.push((a.db, a.address.byte(), d.data.to_vec()));
                            }
                            let codes = vec![0xFF; usize::from(items.count)];
                            enc(&frame(Pdu::write_var_response(r, &codes)))
                        }
                        Body::Userdata(u) => {
                            let seq = u.params.sequence;
                            match (u.body, pending_fragment.take()) {
                                (UserdataBody::SzlRequest(q), _) if q.id.0 == 0x0011 => {
                                    seen.push("szl 0x0011".into());
                                    let recs = module_id_records();
                                    let answer = SzlAnswer {
                                        id: q.id,
                                        index: q.index,
                                        record_len: 28,
                                        record_count: 2,
                                        records: &recs,
                                    };
                                    let payload = enc(&answer);
                                    enc(&frame(SzlResponse {
                                        pdu_ref: r,
                                        sequence: seq,
                                        data_unit_ref: 0,
                                        last_unit: 0,
                                        payload: &payload,
                                    }))
                                }
                                (UserdataBody::SzlRequest(q), _) => {
                                    seen.push(format!("szl {:#06x}", q.id.0));
                                    // Operating mode RUN, sent in two data units.
                                    let rec = [
                                        0x51, 0x44, 0xFF, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0x08,
                                        0x20, 0x12, 0x05, 0x28, 0x34, 0x94,
                                    ];
                                    let answer = SzlAnswer {
                                        id: q.id,
                                        index: q.index,
                                        record_len: 20,
                                        record_count: 1,
                                        records: &rec,
                                    };
                                    let payload = enc(&answer);
                                    let (first, rest) = payload.split_at(12);
                                    pending_fragment = Some(rest.to_vec());
                                    enc(&frame(SzlResponse {
                                        pdu_ref: r,
                                        sequence: 7,
                                        data_unit_ref: 7,
                                        last_unit: 1,
                                        payload: first,
                                    }))
                                }
                                (UserdataBody::Empty, Some(rest)) => {
                                    seen.push("follow-up".into());
                                    assert!(u.params.ext.is_some());
                                    enc(&frame(SzlResponse {
                                        pdu_ref: r,
                                        sequence: 7,
                                        data_unit_ref: 7,
                                        last_unit: 0,
                                        payload: &rest,
                                    }))
                                }
                                other => panic!("unexpected userdata {other:?}"),
                            }
                        }
                        other => panic!("unexpected {other:?}"),
                    }
                }
                Tpdu::DisconnectRequest { .. } => break,
                other => panic!("unexpected TPDU {other:?}"),
            };
            sock.write_all(&reply).unwrap();
        }
    }
    (writes, seen)
}

#[test]
fn python_snap7_client_against_otwire_encoders() {
    let Some(python) = std::env::var_os("OTWIRE_PYTHON") else {
        eprintln!("python_snap7_client_against_otwire_encoders: skipped, OTWIRE_PYTHON is not set");
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        serve(sock)
    });
    let out = Command::new(python)
        .args(["-c", CLIENT, &port.to_string()])
        .output()
        .expect("python starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "client failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (writes, seen) = server.join().unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["pdu"], 480);
    assert_eq!(v["db"], serde_json::json!([10, 11, 12, 13, 14, 15, 16, 17]));
    assert_eq!(v["mb"], serde_json::json!([4, 5]));
    assert_eq!(v["order"], "6ES7 315-2EH14-0AB0");
    assert_eq!(v["version"], serde_json::json!([3, 2, 6]));
    // The two data units joined: record length, count and the 20-byte record.
    assert_eq!(v["szl_len"], 24);
    assert_eq!(writes, [(1, 20, vec![1, 2, 3])]);
    assert_eq!(
        seen,
        [
            "CR",
            "setup",
            "read",
            "write",
            "read",
            "szl 0x0011",
            "szl 0x0424",
            "follow-up"
        ]
    );
}
