//! Overlapping TCP retransmissions (issue 13, "Overlap handling"): a segment that resends
//! bytes with the same content changes nothing; one that resends them with different content
//! (an injection by a host on the path, or IDS evasion) is reported once on the flow
//! (`TCP_OVERLAP_CONFLICT` on a PDU record, T0830 from detection), the PDUs are those of the
//! winning copy (`--overlap first`, the default, or `last`), and nothing of the losing copy
//! is read as junk or as another protocol (no T0869 / T0885).

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use otwire_detect::Direction;
use otwire_dnp3::{
    Address, Emit, FunctionCode, LinkControl, LinkHeader, MasterRequest, PrimaryFunction,
    Request as Dnp3Request, TransportFrames,
};
use otwire_examples::capture::CaptureReader;
use otwire_examples::detect_engine::{DetectArgs, build};
use otwire_examples::flow::FlowLimits;
use otwire_examples::pcapw::{Flags, Host, LINKTYPE_ETHERNET, PcapWriter, tcp_frame};
use otwire_examples::record::PduRecord;
use otwire_examples::scanner::{Collect, ScanOptions, Scanner};
use otwire_examples::tcp::{OverlapPolicy, TcpLimits};

const MASTER: Host = Host::new([10, 0, 0, 1]);
const SLAVE: Host = Host::new([10, 0, 0, 2]);
const CPORT: u16 = 40_000;
const CISN: u32 = 1_000;
const SISN: u32 = 9_000;

/// One packet of a scenario: client bytes at a stream offset, or a server answer.
#[derive(Clone)]
enum Pkt {
    /// Client bytes at this offset of the client's stream.
    C(usize, Vec<u8>),
    /// Server bytes (in order), acknowledging the client's stream up to the offset.
    S(Vec<u8>, usize),
}

/// Writes a connection to `port` (handshake, then `pkts`, 1 ms apart) and scans it with
/// `policy` (one thread, detection from the first packet).
fn scan(port: u16, pkts: &[Pkt], policy: OverlapPolicy) -> Collect {
    let mut bytes = Vec::new();
    {
        let mut w = PcapWriter::new(&mut bytes, LINKTYPE_ETHERNET).unwrap();
        let f = |syn, ack, psh| Flags {
            syn,
            ack,
            psh,
            ..Flags::default()
        };
        let mut t = 1_000_000;
        let mut put = |w: &mut PcapWriter<&mut Vec<u8>>, frame: Vec<u8>| {
            w.packet(t, &frame).unwrap();
            t += 1000;
        };
        put(
            &mut w,
            tcp_frame(
                MASTER,
                SLAVE,
                CPORT,
                port,
                CISN,
                0,
                f(true, false, false),
                &[],
            ),
        );
        let synack = f(true, true, false);
        put(
            &mut w,
            tcp_frame(SLAVE, MASTER, port, CPORT, SISN, CISN + 1, synack, &[]),
        );
        let ack = f(false, true, false);
        put(
            &mut w,
            tcp_frame(MASTER, SLAVE, CPORT, port, CISN + 1, SISN + 1, ack, &[]),
        );
        let mut sseq = SISN + 1;
        for p in pkts {
            let (src, dst, sp, dp, seq, ack, data) = match p {
                Pkt::C(off, data) => {
                    let seq = CISN + 1 + *off as u32;
                    (MASTER, SLAVE, CPORT, port, seq, sseq, data)
                }
                Pkt::S(data, acked) => {
                    let seq = sseq;
                    sseq += data.len() as u32;
                    let ack = CISN + 1 + *acked as u32;
                    (SLAVE, MASTER, port, CPORT, seq, ack, data)
                }
            };
            let psh = f(false, true, true);
            put(&mut w, tcp_frame(src, dst, sp, dp, seq, ack, psh, data));
        }
    }
    let d = build(&DetectArgs {
        learn_seconds: Some(0.0),
        ..DetectArgs::default()
    })
    .unwrap();
    let options = ScanOptions {
        flows: FlowLimits {
            tcp: TcpLimits {
                overlap: policy,
                ..TcpLimits::default()
            },
            ..FlowLimits::default()
        },
        threads: 1,
        ..ScanOptions::default()
    };
    let mut s = Scanner::with_detection(options, Collect::default(), d);
    let mut r = CaptureReader::new(&bytes[..]).unwrap();
    while let Some(p) = r.next_packet().unwrap() {
        s.packet(&p);
    }
    s.finish();
    s.report().clone()
}

/// What a record says, without its frame number and anomalies.
fn pdus(c: &Collect) -> Vec<String> {
    c.pdus
        .iter()
        .map(|r| format!("{:?} {:?} {:?}", r.proto, r.dir, r.fields))
        .collect()
}

fn marked(c: &Collect) -> Vec<&PduRecord> {
    c.pdus
        .iter()
        .filter(|r| r.anomalies.contains(&"TCP_OVERLAP_CONFLICT"))
        .collect()
}

fn techniques(c: &Collect, id: &str) -> usize {
    c.alerts.iter().filter(|a| a.technique_id == id).count()
}

/// Alerts other than T0830, as technique ids, sorted.
fn other_alerts(c: &Collect) -> Vec<String> {
    let mut v: Vec<String> = c
        .alerts
        .iter()
        .map(|a| a.technique_id.to_string())
        .filter(|t| t != "T0830")
        .collect();
    v.sort_unstable();
    v
}

/// Every anomaly of every record, except the conflict's.
fn anomalies(c: &Collect) -> Vec<&'static str> {
    c.pdus
        .iter()
        .flat_map(|r| r.anomalies.iter().copied())
        .filter(|a| *a != "TCP_OVERLAP_CONFLICT")
        .collect()
}

/// Modbus/TCP: a read of two holding registers, transaction `t`.
fn read(t: u8) -> Vec<u8> {
    vec![0, t, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]
}
/// Its answer.
fn answer(t: u8) -> Vec<u8> {
    vec![0, t, 0, 0, 0, 7, 1, 3, 4, 0, 1, 0, 2]
}
/// The same length as a read: write single register 0x0010 = 42, transaction 0x77.
fn write() -> Vec<u8> {
    vec![0, 0x77, 0, 0, 0, 6, 1, 6, 0, 0x10, 0, 0x2a]
}

/// Four reads, each answered; `r2` is the second request's bytes. With `ooo`, the second
/// request is sent before the first; `extra` is sent after the packet at `at`.
fn modbus(r2: &[u8], ooo: bool, extra: Option<(usize, Pkt)>) -> Vec<Pkt> {
    let n = 12;
    let mut v = if ooo {
        vec![
            Pkt::C(n, r2.to_vec()),
            Pkt::C(0, read(1)),
            Pkt::S(answer(1), n),
            Pkt::S(answer(2), 2 * n),
        ]
    } else {
        vec![
            Pkt::C(0, read(1)),
            Pkt::S(answer(1), n),
            Pkt::C(n, r2.to_vec()),
            Pkt::S(answer(2), 2 * n),
        ]
    };
    v.extend([
        Pkt::C(2 * n, read(3)),
        Pkt::S(answer(3), 3 * n),
        Pkt::C(3 * n, read(4)),
        Pkt::S(answer(4), 4 * n),
    ]);
    if let Some((at, p)) = extra {
        v.insert(at, p);
    }
    v
}

#[test]
fn modbus_overlaps_at_every_offset_of_a_frame() {
    let other = write();
    for policy in [OverlapPolicy::First, OverlapPolicy::Last] {
        for ooo in [false, true] {
            let plain = scan(502, &modbus(&read(2), ooo, None), policy);
            assert_eq!(plain.pdus.len(), 8, "{:#?}", plain.pdus);
            assert!(anomalies(&plain).is_empty() && marked(&plain).is_empty());
            for k in 0..12 {
                for e in k + 1..=12 {
                    let same = read(2)[k..e].to_vec();
                    let diff = other[k..e].to_vec();
                    // In order the part follows the third request (delivered: the window
                    // compares it); out of order it follows the queued second request.
                    let at = if ooo { 1 } else { 5 };
                    let part = |d: Vec<u8>| Some((at, Pkt::C(12 + k, d)));
                    let ctx = format!("{policy:?} ooo {ooo} {k}..{e}");
                    // The same bytes: nothing changes.
                    let c = scan(502, &modbus(&read(2), ooo, part(same.clone())), policy);
                    assert_eq!(pdus(&c), pdus(&plain), "{ctx}");
                    assert!(marked(&c).is_empty(), "{ctx}");
                    assert_eq!(techniques(&c, "T0830"), 0, "{ctx}");
                    if same == diff {
                        continue;
                    }
                    // Other bytes: the winning copy's PDUs, reported once, nothing else.
                    let c = scan(502, &modbus(&read(2), ooo, part(diff.clone())), policy);
                    let mut winner = read(2);
                    if ooo && policy == OverlapPolicy::Last {
                        winner[k..e].copy_from_slice(&diff);
                    }
                    let oracle = scan(502, &modbus(&winner, ooo, None), policy);
                    assert_eq!(pdus(&c), pdus(&oracle), "{ctx}");
                    assert!(anomalies(&c).is_empty(), "{ctx}: {:#?}", c.pdus);
                    let m = marked(&c);
                    assert_eq!(m.len(), 1, "{ctx}: {:#?}", c.pdus);
                    assert_eq!(m[0].dir, Direction::Request, "{ctx}");
                    if ooo {
                        // The record of the request whose bytes conflicted.
                        assert_eq!(
                            format!("{:?}", m[0].fields),
                            format!("{:?}", oracle.pdus[1].fields),
                            "{ctx}"
                        );
                    }
                    assert_eq!(techniques(&c, "T0830"), 1, "{ctx}: {:#?}", c.alerts);
                    assert_eq!(other_alerts(&c), other_alerts(&oracle), "{ctx}");
                }
            }
        }
    }
}

/// Three requests, each answered; an injected command resent over the second (delivered)
/// request, longer than it: reported, dropped whole whatever the policy, no junk, no "not
/// the protocol".
fn injection(port: u16, reqs: [Vec<u8>; 3], injected: Vec<u8>, answers: [Vec<u8>; 3]) {
    let (n1, n2) = (reqs[0].len(), reqs[1].len());
    let pkts = vec![
        Pkt::C(0, reqs[0].clone()),
        Pkt::S(answers[0].clone(), n1),
        Pkt::C(n1, reqs[1].clone()),
        Pkt::C(n1, injected),
        Pkt::S(answers[1].clone(), n1 + n2),
        Pkt::C(n1 + n2, reqs[2].clone()),
        Pkt::S(answers[2].clone(), n1 + n2 + reqs[2].len()),
    ];
    let plain: Vec<Pkt> = pkts
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, p)| p.clone())
        .collect();
    for policy in [OverlapPolicy::First, OverlapPolicy::Last] {
        let oracle = scan(port, &plain, policy);
        let c = scan(port, &pkts, policy);
        assert!(!c.pdus.is_empty());
        assert_eq!(pdus(&c), pdus(&oracle), "{policy:?}");
        assert!(anomalies(&c).is_empty(), "{policy:?}: {:#?}", c.pdus);
        assert_eq!(marked(&c).len(), 1, "{policy:?}: {:#?}", c.pdus);
        assert_eq!(techniques(&c, "T0830"), 1, "{policy:?}: {:#?}", c.alerts);
        assert_eq!(techniques(&c, "T0869"), 0, "{policy:?}: {:#?}", c.alerts);
        assert_eq!(techniques(&c, "T0885"), 0, "{policy:?}: {:#?}", c.alerts);
        assert_eq!(other_alerts(&c), other_alerts(&oracle), "{policy:?}");
        let t0830 = c.alerts.iter().find(|a| a.technique_id == "T0830").unwrap();
        assert_eq!(t0830.detector, "conformance");
    }
}

#[test]
fn modbus_injected_write_over_a_read_is_t0830_not_junk() {
    // Write multiple registers (FC 16, 2 registers at 0x0010): 17 bytes over a 12-byte read.
    let injected = vec![0, 2, 0, 0, 0, 11, 1, 16, 0, 0x10, 0, 2, 4, 0, 1, 0, 2];
    let reqs = [read(1), read(2), read(3)];
    injection(502, reqs, injected, [answer(1), answer(2), answer(3)]);
}

fn dnp3(master: bool, seq: u8, kind: Option<MasterRequest>) -> Vec<u8> {
    let fragment = match kind {
        Some(kind) => Dnp3Request { seq, kind }.to_vec().unwrap(),
        // A null response (FIR FIN, seq, FC 129, IIN 0).
        None => vec![0xC0 | seq, 0x81, 0, 0],
    };
    let (dst, src) = if master { (10, 1) } else { (1, 10) };
    TransportFrames {
        header: LinkHeader {
            control: LinkControl::primary(master, PrimaryFunction::UnconfirmedUserData, false),
            destination: Address(dst),
            source: Address(src),
        },
        first_seq: seq,
        fragment: &fragment,
    }
    .to_vec()
    .unwrap()
}

#[test]
fn dnp3_injected_restart_over_a_poll_is_t0830_not_junk() {
    let poll = |seq| dnp3(true, seq, Some(MasterRequest::IntegrityPoll));
    let restart = dnp3(true, 1, Some(MasterRequest::ColdRestart));
    let direct = dnp3(
        true,
        1,
        Some(MasterRequest::AnalogOutput {
            function: FunctionCode::DirectOperate,
            index: 3,
            value: otwire_dnp3::AnalogValue::F64(7.5),
        }),
    );
    assert_ne!(poll(1).len(), restart.len());
    let reqs = [poll(0), poll(1), poll(2)];
    let answers = [
        dnp3(false, 0, None),
        dnp3(false, 1, None),
        dnp3(false, 2, None),
    ];
    injection(20_000, reqs.clone(), restart, answers.clone());
    // Longer than the poll: its tail is not read as the poll's continuation.
    assert!(direct.len() > poll(1).len());
    injection(20_000, reqs, direct, answers);
}
