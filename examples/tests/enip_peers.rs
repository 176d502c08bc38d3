//! EtherNet/IP against a server no one here wrote: cpppo's Logix simulator (GPL-3.0, only
//! run as a separate process), started on 127.0.0.1 on a free port by
//! tests/peers/enip_server.py. This proves the peer script works where the tests run: it
//! answers ListIdentity over TCP and over UDP with the identity the script sets, and
//! RegisterSession with a non-zero session handle. The requests are hand-built bytes.
//! TODO(enip): use otwire_enip builders (and its parsers for the replies) once they exist.
//!
//! The interpreter is `$OTWIRE_PYTHON`, else `<workspace>/.venv/bin/python`. Without it (or
//! without cpppo) the test prints a skip message, unless `CI` is set: then it fails.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test helpers outside #[test] fns

mod common;

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::time::Duration;

/// The sender context of every request (echoed by the target).
const CONTEXT: [u8; 8] = *b"otwire\0\0";

/// An encapsulation header (EtherNet/IP, CIP Vol. 2 §2-3): command, length, session
/// handle, status 0, sender context, options 0, all little-endian; then `data`.
fn encap(command: u16, session: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(24 + data.len());
    v.extend_from_slice(&command.to_le_bytes());
    v.extend_from_slice(&u16::try_from(data.len()).unwrap().to_le_bytes());
    v.extend_from_slice(&session.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(&CONTEXT);
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(data);
    v
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads one encapsulation message (header, then the length it gives) from a stream.
fn recv_encap(s: &mut TcpStream) -> Vec<u8> {
    let mut msg = vec![0u8; 24];
    s.read_exact(&mut msg).expect("encapsulation header");
    let len = usize::from(u16_at(&msg, 2));
    msg.resize(24 + len, 0);
    s.read_exact(&mut msg[24..]).expect("encapsulation data");
    msg
}

/// Checks a reply's header (command, status 0, our sender context, options 0) and that its
/// length field matches what came; returns the data after the header.
fn reply_data(msg: &[u8], command: u16) -> &[u8] {
    assert!(msg.len() >= 24, "short reply {msg:02x?}");
    assert_eq!(u16_at(msg, 0), command, "command in {msg:02x?}");
    assert_eq!(usize::from(u16_at(msg, 2)), msg.len() - 24, "length");
    assert_eq!(u32_at(msg, 8), 0, "status in {msg:02x?}");
    assert_eq!(msg[12..20], CONTEXT, "sender context");
    assert_eq!(u32_at(msg, 20), 0, "options");
    &msg[24..]
}

/// The identity of a ListIdentity reply's one CIP Identity item (type 0x0C, CIP Vol. 2
/// §2-4.3.2): protocol version, socket address (16 bytes), vendor, device type, product
/// code, revision, status, serial number, product name (SHORT_STRING), state.
#[derive(Debug, PartialEq)]
struct Identity {
    vendor: u16,
    device_type: u16,
    product_code: u16,
    revision: (u8, u8),
    serial: u32,
    name: String,
    state: u8,
}

fn list_identity_reply(msg: &[u8]) -> Identity {
    let data = reply_data(msg, 0x0063);
    assert_eq!(u16_at(data, 0), 1, "item count");
    assert_eq!(u16_at(data, 2), 0x000C, "CIP Identity item");
    let item = &data[6..];
    assert_eq!(usize::from(u16_at(data, 4)), item.len(), "item length");
    assert_eq!(u16_at(item, 0), 1, "encapsulation protocol version");
    // item[2..18]: the socket address (sin_family, sin_port, sin_addr big-endian; cpppo
    // sends 0.0.0.0 and 44818 whatever it listens on).
    let name_len = usize::from(item[32]);
    Identity {
        vendor: u16_at(item, 18),
        device_type: u16_at(item, 20),
        product_code: u16_at(item, 22),
        revision: (item[24], item[25]),
        serial: u32_at(item, 28),
        name: String::from_utf8(item[33..33 + name_len].to_vec()).unwrap(),
        state: item[33 + name_len],
    }
}

/// What tests/peers/enip_server.py configures (revision 2836 = 0x0B14: 20.11).
fn expected_identity() -> Identity {
    Identity {
        vendor: 1,
        device_type: 14,
        product_code: 54,
        revision: (20, 11),
        serial: 1_234_567,
        name: "otwire cpppo peer".into(),
        state: 0xFF,
    }
}

#[test]
fn cpppo_answers_list_identity_and_register_session() {
    let Some(py) = common::python_with("cpppo") else {
        return;
    };
    let (_peer, port) = common::start_peer(&py, "enip_server.py");

    // ListIdentity over UDP (the usual discovery way). The TCP listener is up; the UDP one
    // starts beside it, so the first datagram may come too early: ask up to five times.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut buf = [0u8; 1500];
    let got = (0..5).find_map(|_| {
        udp.send_to(&encap(0x0063, 0, &[]), ("127.0.0.1", port))
            .unwrap();
        udp.recv(&mut buf).ok()
    });
    let n = got.expect("a ListIdentity reply over UDP");
    assert_eq!(list_identity_reply(&buf[..n]), expected_identity());

    // ListIdentity over TCP, without a session.
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(&encap(0x0063, 0, &[])).unwrap();
    assert_eq!(
        list_identity_reply(&recv_encap(&mut tcp)),
        expected_identity()
    );

    // RegisterSession (CIP Vol. 2 §2-4.4): protocol version 1, options 0; the reply echoes
    // them and carries the session handle in the header.
    tcp.write_all(&encap(0x0065, 0, &[1, 0, 0, 0])).unwrap();
    let reply = recv_encap(&mut tcp);
    assert_eq!(reply_data(&reply, 0x0065), [1, 0, 0, 0]);
    let session = u32_at(&reply, 4);
    assert_ne!(session, 0, "session handle");

    // UnRegisterSession: no reply; the target closes the connection.
    tcp.write_all(&encap(0x0066, session, &[])).unwrap();
    let mut rest = Vec::new();
    let _ = tcp.read_to_end(&mut rest);
    assert!(
        rest.is_empty(),
        "no reply to UnRegisterSession: {rest:02x?}"
    );
}
