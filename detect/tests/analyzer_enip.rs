//! The ENIP analyzer: every field of the event, from bytes (encapsulation, CPF, CIP,
//! Logix, PCCC, I/O), on otwire-enip's golden vectors, on messages built with its
//! builders, and on the captures in `$OTWIRE_CAPTURES/enip`.
#![cfg(feature = "enip")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../enip/tests/common/mod.rs"]
mod common;
#[path = "support/conn.rs"]
mod conn;
#[path = "../../enip/tests/vectors/mod.rs"]
mod vectors;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use otwire_detect::protocol::enip::{Enip, IO, PORT};
use otwire_detect::protocol::{Sessions, Transport};
use otwire_detect::{Direction, Endpoint, Event, Flow, Meta};

fn endpoint((ip, port): (IpAddr, u16)) -> Endpoint {
    Endpoint::new(ip, port)
}

/// Every event of a capture, summarised by `f`, TCP and UDP flows oriented by the ENIP
/// ports (44818, else 2222; I/O between two 2222 ports from the lower address).
fn capture_events<T>(name: &str, mut f: impl FnMut(&Event<'_>) -> Option<T>) -> Option<Vec<T>> {
    let dir = common::captures_dir(name)?;
    let file = common::read(&dir.join("enip").join(name));
    let mut tcp = Sessions::<Enip>::new(Transport::Tcp);
    let mut udp = Sessions::<Enip>::new(Transport::Udp);
    let mut reasm = common::Reassembler::default();
    let mut out = Vec::new();
    for rec in common::records(&file) {
        let meta = |src, dst, server_is_dst: bool| {
            let (c, s) = if server_is_dst {
                (src, dst)
            } else {
                (dst, src)
            };
            Meta {
                ts: rec.frame * 1000,
                frame: rec.frame,
                flow_id: 0,
                flow: Flow::new(endpoint(c), endpoint(s)),
            }
        };
        if let Some(seg) = common::tcp_segment(&rec) {
            let Some(chunk) = reasm.push(&seg, rec.frame) else {
                continue;
            };
            let to_server = seg.dst.1 == PORT;
            let m = meta(seg.src, seg.dst, to_server);
            let d = if to_server {
                Direction::Request
            } else {
                Direction::Response
            };
            tcp.feed(m, d, &chunk.bytes, |ev| out.extend(f(ev)));
        } else if let Some((src, dst, payload)) = common::udp_datagram(&rec) {
            let to_server = if dst.1 == PORT || src.1 == PORT {
                dst.1 == PORT
            } else {
                src.1 != 2222 || (dst.1 == 2222 && src.0 < dst.0)
            };
            let m = meta(src, dst, to_server);
            let d = if to_server {
                Direction::Request
            } else {
                Direction::Response
            };
            udp.feed(m, d, payload, |ev| out.extend(f(ev)));
        }
    }
    Some(out)
}

fn summary(ev: &Event<'_>) -> String {
    format!(
        "{:?} fn={:#x} sub={:?} unit={} {:?} marks={:?} t={:?} v={:?} out={:?} conf={:?} an={:#x}",
        ev.direction,
        ev.function,
        ev.sub_function,
        ev.unit,
        ev.action,
        ev.marks.names().collect::<Vec<_>>(),
        ev.targets.as_slice(),
        ev.values,
        ev.outcome,
        ev.conformance.names().collect::<Vec<_>>(),
        ev.anomalies
    )
}

#[test]
fn explore() {
    for name in std::fs::read_dir("/work/shared/captures/enip").unwrap() {
        let name = name.unwrap().file_name().into_string().unwrap();
        let Some(evs) = capture_events(&name, |ev| Some(summary(ev))) else {
            return;
        };
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for s in evs {
            *counts.entry(s).or_default() += 1;
        }
        println!("== {name}");
        for (s, n) in counts.iter().take(60) {
            println!("{n:5} {s}");
        }
    }
    let _ = (IO, HashMap::<u8, u8>::new());
}
