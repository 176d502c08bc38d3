//! otscan pipeline fuzz body: arbitrary bytes through otwire-examples' capture reader, link /
//! IP / TCP decoding, IP and TCP reassembly, Modbus, DNP3, IEC 104, S7 and EtherNet/IP
//! identification and
//! decoding, the asset inventory and otwire-detect's engine.
//!
//! The first byte picks how the rest is used:
//! - `0`: as a capture file (pcap or pcapng), read to the end;
//! - `1`: as TCP payloads between a client and a Modbus server on port 502, each chunk
//!   (length-prefixed) one segment, with fuzz-chosen direction and sequence offsets (so
//!   retransmissions, overlaps, holes and out-of-order segments all happen);
//! - `3`: the same on DNP3's port 20000; `4`: on IEC 104's port 2404; `5`: on S7's port 102;
//!   `6`: on EtherNet/IP's port 44818;
//! - `7`: as length-prefixed UDP datagrams between a client and a server, each to or from
//!   EtherNet/IP's port 44818 or its I/O port 2222 (bits of the length byte choose);
//! - `8`: as frames that make network events (`network`): ARP packets, ICMP messages
//!   (quoting fuzz bytes), TCP segments of fuzz-chosen flags between a few hosts and OT
//!   ports (so every handshake path runs, and the SYN timeout expires attempts), UDP
//!   datagrams to OT ports;
//! - anything else: as captured frames of fuzz-chosen link types.
//!
//! Shared by `fuzz_targets/otscan_pipeline.rs` (libFuzzer) and by otwire-examples'
//! `tests/fuzz_corpus.rs`. Properties: no panic, the scanner's counters agree with what it
//! reported, every PDU record's fast JSON equals serde_json's, network events are never PDU
//! records, and one thread and three threads print the same records, alerts and network
//! events.

use otwire_detect::Event;
use otwire_examples::capture::{CaptureReader, Packet};
use otwire_examples::detect_engine::{DetectArgs, build};
use otwire_examples::pcapw::{Flags, Host, arp_frame, icmp_frame, tcp_frame, udp_frame};
use otwire_examples::record::{AlertRecord, PduRecord};
use otwire_examples::scanner::{Report, ScanOptions, Scanner};

#[derive(Default)]
struct Count {
    pdus: u64,
    alerts: u64,
    network: u64,
    /// Every record and alert, as printed.
    out: Vec<u8>,
}

impl Report for Count {
    fn wants_pdus(&self) -> bool {
        true
    }
    fn pdu(&mut self, r: &PduRecord) {
        // Every record serializes, and the fast writer agrees with serde_json byte for byte.
        let slow = serde_json::to_vec(r).unwrap_or_default();
        let mut fast = Vec::new();
        r.write_json(&mut fast);
        assert_eq!(fast, slow);
        self.out.extend_from_slice(&fast);
        self.pdus += 1;
    }
    fn alert(&mut self, a: &AlertRecord) {
        let json = serde_json::to_vec(a);
        assert!(json.is_ok());
        self.out.extend(json.unwrap_or_default());
        self.alerts += 1;
    }
    fn event(&mut self, ev: &Event<'_>) {
        if ev.is_network() {
            self.out.extend(format!("{ev:?}").bytes());
            self.network += 1;
        }
    }
}

fn scanner(threads: usize) -> Scanner<Count> {
    let detection = build(&DetectArgs {
        learn_seconds: Some(1.0),
        ..DetectArgs::default()
    });
    let options = ScanOptions {
        threads,
        ..ScanOptions::default()
    };
    match detection {
        Ok(d) => Scanner::with_detection(options, Count::default(), d),
        Err(_) => Scanner::new(options, Count::default()),
    }
}

/// Scans the packets with one thread and with three; checks the counters and that both
/// printed the same.
fn run(packets: &[(u64, i64, i32, Vec<u8>)]) {
    let mut printed = Vec::new();
    for threads in [1, 3] {
        let mut s = scanner(threads);
        for (frame, ts_us, linktype, data) in packets {
            s.packet(&Packet {
                frame: *frame,
                ts_us: *ts_us,
                linktype: *linktype,
                data,
            });
        }
        s.finish();
        let stats = s.stats();
        assert_eq!(
            stats.protocols.values().map(|p| p.pdus).sum::<u64>(),
            s.report().pdus
        );
        assert_eq!(stats.alerts, s.report().alerts);
        assert_eq!(stats.network.values().sum::<u64>(), s.report().network);
        let net = ["tcp", "udp", "icmp", "arp"];
        assert!(!stats.protocols.keys().any(|k| net.contains(k)));
        let _ = s.assets().records();
        printed.push(std::mem::take(&mut s.report_mut().out));
    }
    assert_eq!(printed.first(), printed.last());
}

/// The fuzz body.
pub fn pipeline(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0 => capture(rest),
        1 => segments(rest, 502),
        3 => segments(rest, 20000),
        4 => segments(rest, 2404),
        5 => segments(rest, 102),
        6 => segments(rest, 44818),
        7 => datagrams(rest),
        8 => network(rest),
        _ => frames(rest),
    }
}

/// `rest` as a capture file.
pub fn capture(rest: &[u8]) {
    let mut packets = Vec::new();
    if let Ok(mut reader) = CaptureReader::new(rest) {
        let mut n = 0u64;
        while let Ok(Some(p)) = reader.next_packet() {
            n += 1;
            assert_eq!(p.frame, n);
            packets.push((p.frame, p.ts_us, p.linktype, p.data.to_vec()));
        }
    }
    run(&packets);
}

const CLIENT: Host = Host::new([10, 0, 0, 1]);
const SERVER: Host = Host::new([10, 0, 0, 2]);

/// `rest` as length-prefixed TCP segments on one connection to server port `port`.
pub fn segments(rest: &[u8], port: u16) {
    let mut packets = Vec::new();
    let mut seq = [1000u32, 5000u32];
    let mut frame = 0u64;
    let mut ts = 1_700_000_000_000_000i64;
    // The handshake, so the stream starts at a known place.
    for (src, dst, sp, dp, sq, ack, f) in [
        (
            CLIENT,
            SERVER,
            40000,
            port,
            999,
            0,
            Flags {
                syn: true,
                ..Flags::default()
            },
        ),
        (
            SERVER,
            CLIENT,
            port,
            40000,
            4999,
            1000,
            Flags {
                syn: true,
                ack: true,
                ..Flags::default()
            },
        ),
    ] {
        frame += 1;
        let bytes = tcp_frame(src, dst, sp, dp, sq, ack, f, &[]);
        packets.push((frame, ts, 1, bytes));
    }
    let mut input = rest;
    while let Some((&ctl, tail)) = input.split_first() {
        let len = usize::from(ctl & 0x3f);
        let (chunk, tail) = tail.split_at(len.min(tail.len()));
        input = tail;
        let side = usize::from(ctl & 0x40 != 0);
        // Bit 7: send this chunk from an earlier or later sequence offset (a retransmission,
        // an overlap, or a hole), chosen by the chunk's first byte.
        let offset = if ctl & 0x80 != 0 {
            i32::from(chunk.first().copied().unwrap_or(0) as i8)
        } else {
            0
        };
        let (src, dst, sp, dp) = if side == 0 {
            (CLIENT, SERVER, 40000, port)
        } else {
            (SERVER, CLIENT, port, 40000)
        };
        let my_seq = seq
            .get(side)
            .copied()
            .unwrap_or(0)
            .wrapping_add_signed(offset);
        let peer_seq = seq.get(1 - side).copied().unwrap_or(0);
        let bytes = tcp_frame(
            src,
            dst,
            sp,
            dp,
            my_seq,
            peer_seq,
            Flags {
                ack: true,
                psh: true,
                ..Flags::default()
            },
            chunk,
        );
        if offset == 0
            && let Some(sq) = seq.get_mut(side)
        {
            *sq = sq.wrapping_add(chunk.len() as u32);
        }
        frame += 1;
        ts += 1000;
        packets.push((frame, ts, 1, bytes));
    }
    run(&packets);
}

/// `rest` as length-prefixed UDP datagrams: a control byte (bits 0-5 the length, bit 6 the
/// direction, bit 7 port 2222 instead of 44818), then the payload.
pub fn datagrams(rest: &[u8]) {
    let mut packets = Vec::new();
    let mut input = rest;
    let mut frame = 0u64;
    let mut ts = 1_700_000_000_000_000i64;
    while let Some((&ctl, tail)) = input.split_first() {
        let len = usize::from(ctl & 0x3f);
        let (chunk, tail) = tail.split_at(len.min(tail.len()));
        input = tail;
        let port = if ctl & 0x80 != 0 { 2222 } else { 44818 };
        let bytes = if ctl & 0x40 == 0 {
            udp_frame(CLIENT, SERVER, 40000, port, chunk)
        } else {
            udp_frame(SERVER, CLIENT, port, 40000, chunk)
        };
        frame += 1;
        ts += 1000;
        packets.push((frame, ts, 1, bytes));
    }
    run(&packets);
}

/// `rest` as frames that make network events: per frame a control byte (bits 0-1 the kind:
/// ARP, ICMP, TCP, UDP; bits 2-3 the sender among four hosts; bits 4-7 the time step, up to
/// 7.5 s so that attempts expire), a byte of fields, a length byte and that many bytes.
pub fn network(rest: &[u8]) {
    const PORTS: [u16; 4] = [502, 102, 20000, 443];
    let hosts = [
        CLIENT,
        SERVER,
        Host::new([10, 0, 0, 3]),
        Host::new([192, 168, 1, 4]),
    ];
    let mut packets = Vec::new();
    let mut input = rest;
    let mut frame = 0u64;
    let mut ts = 1_700_000_000_000_000i64;
    while let [ctl, fields, len, tail @ ..] = input {
        let (data, tail) = tail.split_at(usize::from(*len).min(tail.len()));
        input = tail;
        let pick = |i: u8| hosts.get(usize::from(i % 4)).copied().unwrap_or(CLIENT);
        let (src, dst) = (pick(ctl >> 2), pick(*fields));
        let port = PORTS
            .get(usize::from(fields >> 2) % 4)
            .copied()
            .unwrap_or(502);
        let bytes = match ctl & 3 {
            0 => {
                let op = u16::from(fields >> 7) + 1;
                let eth_dst = if fields & 0x40 != 0 {
                    [0xff; 6]
                } else {
                    dst.mac
                };
                let target = if fields & 0x20 != 0 { src } else { dst };
                arp_frame(src.mac, eth_dst, op, src, target)
            }
            1 => {
                let (kind, code) = (data.first().copied().unwrap_or(8), *fields & 0x0f);
                icmp_frame(
                    src,
                    dst,
                    kind,
                    code,
                    [0; 4],
                    data.get(1..).unwrap_or_default(),
                )
            }
            2 => {
                let f = Flags {
                    syn: fields & 0x10 != 0,
                    ack: fields & 0x20 != 0,
                    fin: fields & 0x40 != 0,
                    rst: fields & 0x80 != 0,
                    psh: false,
                };
                let (sp, dp) = if ctl & 0x10 != 0 {
                    (port, 40000)
                } else {
                    (40000, port)
                };
                tcp_frame(src, dst, sp, dp, 1000, 2000, f, data)
            }
            _ => udp_frame(src, dst, 40001, port, data),
        };
        frame += 1;
        ts += i64::from(ctl >> 4) * 500_000;
        packets.push((frame, ts, 1, bytes));
    }
    run(&packets);
}

/// `rest` as captured frames: a link type byte, a length byte, the frame.
pub fn frames(rest: &[u8]) {
    const LINKTYPES: [i32; 8] = [0, 1, 12, 101, 108, 113, 228, 276];
    let mut packets = Vec::new();
    let mut input = rest;
    let mut frame = 0u64;
    while let [lt, len, tail @ ..] = input {
        let (data, tail) = tail.split_at(usize::from(*len).min(tail.len()));
        input = tail;
        frame += 1;
        let linktype = LINKTYPES.get(usize::from(lt % 8)).copied().unwrap_or(1);
        packets.push((frame, i64::from(*lt) * 1_000_000, linktype, data.to_vec()));
    }
    run(&packets);
}
