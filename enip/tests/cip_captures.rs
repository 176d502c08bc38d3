//! CIP over every capture in `$OTWIRE_CAPTURES/enip`: every CIP message parses without a
//! panic, and agrees with tshark (when on PATH) on the service, general status, additional
//! status, class, instance, attribute, symbol and the Forward Open fields.
//!
//! The CIP bytes are found by a minimal walk of the encapsulation and CPF (24-byte header,
//! interface handle 4, timeout 2, item count 2, items type/length) over each TCP segment;
//! only segments holding whole encapsulation messages are used.
//!
//! tshark quirks met here (Wireshark 4.x):
//! - `cip.sc`, `cip.class` and the other fields list every occurrence in a frame: embedded
//!   Multiple Service Packet and Unconnected Send requests, and the connection path of a
//!   Forward Open, come after the outer message's. Only the first value is compared.
//! - tshark shows a reply's class, instance and attribute from the request it paired it with,
//!   so those are compared on requests only.
//! - In a connected (class 3) request, tshark first shows the class and instance of the
//!   connection's target (from the Forward Open's connection path, as generated fields),
//!   then the request path's: there the request's values are looked for among tshark's.
//! - Connected (class 3) data is dissected as CIP only when tshark saw the Forward Open;
//!   frames without `cip.sc` are skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::cip::{enip_captures, segment_cip_messages};
use otwire_enip::cip::body::RequestBody;
use otwire_enip::cip::{Message, MultipleService, Request};

fn num(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x") {
        u64::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

const FIELDS: &[&str] = &[
    "cip.sc",
    "cip.genstat",
    "cip.addstat",
    "cip.class",
    "cip.instance",
    "cip.attribute",
    "cip.symbol",
    "cip.cm.conn_serial_num",
    "cip.cm.vendor",
    "cip.cm.orig_serial_num",
    "cip.cm.timeout_multiplier",
    "cip.cm.otrpi",
    "cip.cm.torpi",
    "cip.cm.ot_net_params",
    "cip.cm.to_net_params",
    "cip.cm.transport_type_trigger",
];

/// tshark's first value of each field, per frame.
fn tshark(path: &std::path::Path) -> Option<HashMap<u64, Vec<Option<String>>>> {
    let mut cmd = Command::new("nice");
    cmd.args(["-n", "19", "tshark", "-r"]).arg(path);
    cmd.args([
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
        "-e",
        "frame.number",
    ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.lines()
            .filter_map(|l| {
                let mut p = l.split('\t');
                let frame = p.next()?.parse().ok()?;
                let v = p.map(|s| (!s.is_empty()).then(|| s.to_string())).collect();
                Some((frame, v))
            })
            .collect(),
    )
}

fn have_tshark() -> bool {
    Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn captures_parse_and_agree_with_tshark() {
    let Some(files) = enip_captures("cip_captures") else {
        return;
    };
    let use_tshark = have_tshark();
    if !use_tshark {
        eprintln!("cip_captures: tshark not on PATH, parsing only");
    }
    let (mut messages, mut compared, mut mismatches) = (0usize, 0usize, Vec::new());
    for f in &files {
        let bytes = common::read(f);
        let ts = if use_tshark { tshark(f) } else { None };
        for rec in common::records(&bytes) {
            let Some(seg) = common::tcp_segment(&rec) else {
                continue;
            };
            let msgs = segment_cip_messages(seg.payload);
            for (_, m) in &msgs {
                messages += 1;
                if let Ok(p) = Message::parse(m) {
                    if let Message::Request(r) = p.pdu {
                        let _ = r.body();
                        let _ = otwire_enip::cip::classify(&r);
                    }
                }
            }
            let (Some(ts), [(connected, m)]) = (&ts, msgs.as_slice()) else {
                continue;
            };
            let Some(t) = ts.get(&rec.frame) else {
                continue;
            };
            if t[0].is_none() {
                continue;
            }
            let Ok(p) = Message::parse(m) else {
                mismatches.push(format!(
                    "{} #{}: tshark decodes, we do not",
                    f.display(),
                    rec.frame
                ));
                continue;
            };
            compared += 1;
            let first = |i: usize| {
                t[i].as_deref()
                    .and_then(|s| s.split(',').next())
                    .and_then(num)
            };
            // For a connected request's path: ours among tshark's values.
            let any = |i: usize, ours: Option<u64>| {
                let all: Vec<u64> = t[i]
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .filter_map(num)
                    .collect();
                if *connected && ours.is_some_and(|o| all.contains(&o)) {
                    ours
                } else {
                    first(i)
                }
            };
            // Every service tshark lists: the outer one, then those embedded in a Multiple
            // Service Packet or an Unconnected Send.
            let theirs: Vec<u64> = t[0]
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter_map(num)
                .collect();
            let ours = services(&p.pdu);
            if ours != theirs {
                mismatches.push(format!(
                    "{} #{}: services: ours {ours:x?}, tshark {theirs:x?}",
                    f.file_name().unwrap().to_string_lossy(),
                    rec.frame
                ));
            }
            let mut check = |name: &str, ours: Option<u64>, theirs: Option<u64>| {
                if ours.is_some() && theirs.is_some() && ours != theirs {
                    mismatches.push(format!(
                        "{} #{}: {name}: ours {ours:?}, tshark {theirs:?}",
                        f.file_name().unwrap().to_string_lossy(),
                        rec.frame
                    ));
                }
            };
            check("cip.sc", Some(u64::from(p.pdu.service())), first(0));
            match p.pdu {
                Message::Response(r) => {
                    check("cip.genstat", Some(u64::from(r.general_status)), first(1));
                    check("cip.addstat", r.extended_status().map(u64::from), first(2));
                }
                Message::Request(r) => {
                    let class = r.path.class().map(u64::from);
                    let instance = r.path.instance().map(u64::from);
                    let attribute = r.path.attribute().map(u64::from);
                    check("cip.class", class, any(3, class));
                    check("cip.instance", instance, any(4, instance));
                    check("cip.attribute", attribute, any(5, attribute));
                    let sym = r.path.symbol().map(String::from_utf8_lossy);
                    let theirs = t[6].as_deref().and_then(|s| s.split(',').next());
                    if let (Some(ours), Some(theirs)) = (sym, theirs) {
                        // Compared as a hash so `check` can carry it.
                        let h = |s: &str| {
                            s.bytes()
                                .fold(0u64, |a, b| a.wrapping_mul(31) ^ u64::from(b))
                        };
                        check("cip.symbol", Some(h(&ours)), Some(h(theirs)));
                    }
                    forward_open(&r, &mut check, first);
                }
            }
        }
    }
    eprintln!("cip_captures: {messages} CIP messages, {compared} compared with tshark");
    for m in mismatches.iter().take(30) {
        eprintln!("{m}");
    }
    assert!(
        mismatches.is_empty(),
        "{} disagreements with tshark",
        mismatches.len()
    );
}

/// The outer service and the embedded ones, in order.
fn services(m: &Message<'_>) -> Vec<u64> {
    let mut out = vec![u64::from(m.service())];
    match m {
        Message::Request(r) => match r.body().pdu {
            RequestBody::MultipleServicePacket(msp) => {
                for q in msp.requests().flatten() {
                    out.extend(services(&Message::Request(q.pdu)));
                }
            }
            RequestBody::UnconnectedSend(us) => {
                if let Ok(q) = us.request() {
                    out.extend(services(&Message::Request(q.pdu)));
                }
            }
            _ => {}
        },
        Message::Response(r) if r.service == 0x0A && !r.data.is_empty() => {
            if let Ok(msp) = MultipleService::parse(r.data) {
                for q in msp.pdu.replies().flatten() {
                    out.push(u64::from(q.pdu.service));
                }
            }
        }
        Message::Response(_) => {}
    }
    out
}

fn forward_open(
    r: &Request<'_>,
    check: &mut impl FnMut(&str, Option<u64>, Option<u64>),
    first: impl Fn(usize) -> Option<u64>,
) {
    let (RequestBody::ForwardOpen(fo) | RequestBody::LargeForwardOpen(fo)) = r.body().pdu else {
        return;
    };
    check(
        "conn_serial",
        Some(fo.triad.connection_serial.into()),
        first(7),
    );
    check("vendor", Some(fo.triad.vendor.into()), first(8));
    check(
        "orig_serial",
        Some(fo.triad.originator_serial.into()),
        first(9),
    );
    check(
        "timeout_multiplier",
        Some(fo.timeout_multiplier.into()),
        first(10),
    );
    check("otrpi", Some(fo.ot_rpi.into()), first(11));
    check("torpi", Some(fo.to_rpi.into()), first(12));
    check("ot_net_params", Some(fo.ot_params.raw.into()), first(13));
    check("to_net_params", Some(fo.to_params.raw.into()), first(14));
    check("transport", Some(fo.transport.0.into()), first(15));
}
