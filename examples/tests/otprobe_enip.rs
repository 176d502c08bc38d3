//! `otprobe enip` against an EtherNet/IP server no one here wrote: cpppo's Logix simulator
//! (GPL-3.0, only run as a separate process by tests/peers/enip_server.py), and against
//! small scripted peers built with otwire-enip's encoders for what cpppo never does: a
//! target that refuses Unconnected Send (an adapter without a backplane: the probe then
//! asks the Identity object directly), one that rejects RegisterSession, and a peer that
//! is not EtherNet/IP at all.
//!
//! The interpreter is `$OTWIRE_PYTHON`, else `<workspace>/.venv/bin/python`. Without it (or
//! without cpppo) the cpppo test prints a skip message, unless `CI` is set: then it fails.
//! The scripted peers need nothing.

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

use otwire_enip::cip::{Message, Response, StatusWords};
use otwire_enip::{
    Body, Command, CpfItems, DeviceType, Direction, Emit, Encap, EncapStatus, Header, Identity,
    Item, Pdu, Revision, Sockaddr, send_rr_data, split_frame,
};
use serde_json::{Value, json};

/// The identity tests/peers/enip_server.py gives cpppo, as otprobe prints it.
fn cpppo_identity() -> Value {
    json!({
        "vendor_id": 1,
        "device_type": 14,
        "device_type_name": "Programmable Logic Controller",
        "product_code": 54,
        "revision": "20.011",
        "serial": "0x0012d687",
        "product_name": "otwire cpppo peer",
        // cpppo's default status word and state (its Identity object's defaults).
        "status": "0x3160",
        "state": 255,
    })
}

#[test]
fn otprobe_identifies_cpppo() {
    let Some(py) = common::python_with("cpppo") else {
        return;
    };
    let (_peer, port) = common::start_peer(&py, "enip_server.py");
    let target = format!("127.0.0.1:{port}");
    let (code, out, err) = common::otprobe_full(&["enip", &target, "--interval-ms", "5", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["protocol"], "enip");
    // ListIdentity over TCP: cpppo reports socket 0.0.0.0:44818 whatever it listens on.
    let tcp = &v["list_identity_tcp"]["Ok"];
    assert_eq!(tcp["socket"], "0.0.0.0:44818", "{v}");
    assert_eq!(tcp["encap_version"], 1);
    assert_eq!(tcp["identity"], cpppo_identity());
    assert_eq!(tcp["anomalies"], json!([]));
    // Over UDP the same (cpppo's UDP listener may start a moment after the TCP one; the
    // probe's TCP steps come first and give it that moment).
    let udp = &v["list_identity_udp"]["Ok"];
    assert_eq!(udp["identity"], cpppo_identity(), "{v}");
    // RegisterSession gave a handle; Get Attributes All through Unconnected Send (route
    // port 1, slot 0) reached the Identity object: cpppo routes any route path locally.
    assert!(v["session"]["Ok"].as_str().unwrap().starts_with("0x"));
    let obj = &v["identity_object"]["Ok"];
    assert_eq!(obj["via"], "unconnected send, route 01 00", "{v}");
    assert_eq!(obj["identity"], cpppo_identity());
    assert_eq!(obj["anomalies"], json!([]));
    assert_eq!(v["routing_error"], Value::Null);
    assert_eq!(v["unregistered"], true);
    // TCP: ListIdentity, RegisterSession, SendRRData, UnRegisterSession; UDP: one or two.
    let sent = v["requests"].as_u64().unwrap();
    assert!((5..=6).contains(&sent), "{v}");

    // The table shows the same.
    let (code, out, err) = common::otprobe_full(&["enip", &target, "--interval-ms", "5"]);
    assert_eq!(code, 0, "{out}{err}");
    for line in [
        "list identity (tcp)  socket 0.0.0.0:44818, encapsulation version 1",
        "  product name       otwire cpppo peer",
        "  device type        14 (Programmable Logic Controller)",
        "  revision           20.011",
        "  serial number      0x0012d687",
        "identity object      get attributes all, unconnected send, route 01 00",
    ] {
        assert!(out.contains(line), "{line:?} not in\n{out}");
    }
}

/// How the scripted peer answers.
#[derive(Clone, Copy)]
enum Script {
    /// Unconnected Send refused (service not supported), direct requests answered.
    NoRouting,
    /// RegisterSession answered with encapsulation status 0x0069 (unsupported protocol
    /// revision).
    NoSession,
}

/// Product name of the scripted peer.
const NAME: &[u8] = b"1769-L33ER/A LOGIX5333ER";

/// A scripted EtherNet/IP target on a free port: one TCP connection, answers built with
/// otwire-enip.
fn scripted(script: Script) -> (std::thread::JoinHandle<Vec<String>>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut seen = Vec::new();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 2048];
        loop {
            let frame = loop {
                if let Ok((f, rest)) = split_frame(&buf) {
                    let used = buf.len() - rest.len();
                    let _ = f;
                    break Some(buf.drain(..used).collect::<Vec<u8>>());
                }
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            };
            let Some(frame) = frame else {
                return seen;
            };
            let (p, _) = Pdu::split(&frame, Direction::Request).unwrap();
            assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
            let h = p.pdu.header;
            seen.push(format!("{}", h.command));
            let reply = match h.command {
                Command::ListIdentity => list_identity_reply(h),
                Command::RegisterSession => match script {
                    Script::NoRouting => {
                        let mut hh = h;
                        hh.session = 0x1234_5678;
                        Pdu {
                            header: hh,
                            body: p.pdu.body,
                        }
                        .to_vec()
                        .unwrap()
                    }
                    Script::NoSession => {
                        let mut hh = h;
                        hh.status = EncapStatus::from(0x69);
                        Pdu {
                            header: hh,
                            body: Body::Raw(&[]),
                        }
                        .to_vec()
                        .unwrap()
                    }
                },
                Command::SendRrData => {
                    let cip = p.pdu.cip().unwrap().bytes;
                    let Message::Request(req) = Message::parse(cip).unwrap().pdu else {
                        panic!("a request")
                    };
                    seen.push(format!("cip {:#04x}", req.service));
                    let attrs = identity_attributes();
                    let resp = if req.service == 0x52 {
                        // Service not supported (0x08): no backplane to route to.
                        Response {
                            service: 0x52,
                            reserved: 0,
                            general_status: 0x08,
                            additional_status: StatusWords::new(&[]),
                            data: &[],
                        }
                    } else {
                        Response {
                            service: req.service,
                            reserved: 0,
                            general_status: 0,
                            additional_status: StatusWords::new(&[]),
                            data: &attrs,
                        }
                    };
                    let bytes = resp.to_vec().unwrap();
                    send_rr_data(h.session, h.context, &bytes).to_vec().unwrap()
                }
                Command::UnRegisterSession => return seen,
                other => panic!("unexpected {other}"),
            };
            s.write_all(&reply).unwrap();
        }
    });
    (handle, port)
}

/// Identity attributes 1-8 of the scripted peer (Vol. 1 §5A-2.2): vendor 1, device type
/// 14, product code 108, revision 33.11, status 0x3060, serial 0xC0FFEE01, name, state 3.
fn identity_attributes() -> Vec<u8> {
    let mut v = vec![0x01, 0x00, 0x0E, 0x00, 0x6C, 0x00, 33, 11, 0x60, 0x30];
    v.extend_from_slice(&0xC0FF_EE01u32.to_le_bytes());
    v.push(u8::try_from(NAME.len()).unwrap());
    v.extend_from_slice(NAME);
    v.push(3);
    v
}

fn list_identity_reply(h: Header) -> Vec<u8> {
    let id = Identity {
        encap_version: 1,
        socket: Sockaddr::new([192, 168, 1, 10], 44818),
        vendor_id: 1,
        device_type: DeviceType::from(14),
        product_code: 108,
        revision: Revision {
            major: 33,
            minor: 11,
        },
        status: 0x3060,
        serial: 0xC0FF_EE01,
        product_name: NAME,
        state: 3,
    };
    Encap {
        header: h,
        body: CpfItems(&[Item::ListIdentity(id)]),
    }
    .to_vec()
    .unwrap()
}

#[test]
fn otprobe_asks_directly_when_routing_fails() {
    let (peer, port) = scripted(Script::NoRouting);
    let target = format!("127.0.0.1:{port}");
    let (code, out, err) = common::otprobe_full(&[
        "enip",
        &target,
        "--interval-ms",
        "1",
        "--timeout-ms",
        "500",
        "--json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let tcp = &v["list_identity_tcp"]["Ok"];
    assert_eq!(tcp["socket"], "192.168.1.10:44818");
    assert_eq!(tcp["identity"]["product_name"], "1769-L33ER/A LOGIX5333ER");
    assert_eq!(tcp["identity"]["revision"], "33.011");
    assert_eq!(v["session"]["Ok"], "0x12345678");
    assert_eq!(
        v["routing_error"],
        "refused by the device: service 0xd2: general status 0x08 (Service not supported)"
    );
    let obj = &v["identity_object"]["Ok"];
    assert_eq!(obj["via"], "direct");
    assert_eq!(obj["identity"]["serial"], "0xc0ffee01");
    assert_eq!(obj["identity"]["product_code"], 108);
    assert_eq!(obj["identity"]["state"], 3);
    // Nothing listens on UDP: port unreachable or a timeout, reported, not fatal.
    assert!(v["list_identity_udp"]["Ok"].is_null(), "{v}");
    let seen = peer.join().unwrap();
    assert_eq!(
        seen,
        [
            "List Identity",
            "Register Session",
            "Send RR Data",
            "cip 0x52",
            "Send RR Data",
            "cip 0x01",
            "Unregister Session"
        ]
    );
}

#[test]
fn otprobe_reports_a_refused_session() {
    let (peer, port) = scripted(Script::NoSession);
    let target = format!("127.0.0.1:{port}");
    let (code, out, err) =
        common::otprobe_full(&["enip", &target, "--interval-ms", "1", "--timeout-ms", "500"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("session              refused by the device: encapsulation status 0x00000069"),
        "{out}"
    );
    assert!(
        out.contains("identity object      refused by the device"),
        "{out}"
    );
    let seen = peer.join().unwrap();
    assert_eq!(seen, ["List Identity", "Register Session"]);
}

#[test]
fn otprobe_says_when_the_peer_is_not_enip() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _): (TcpStream, _) = listener.accept().unwrap();
        let mut b = [0u8; 64];
        let _ = s.read(&mut b);
        // An HTTP answer: its first 24 bytes are no encapsulation header otwire-enip accepts.
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let target = format!("127.0.0.1:{port}");
    let (code, out, err) =
        common::otprobe_full(&["enip", &target, "--interval-ms", "1", "--timeout-ms", "300"]);
    t.join().unwrap();
    // Neither TCP (not EtherNet/IP) nor UDP (nothing listens) answered: exit 1.
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("not the protocol probed"), "{err}");
}
