//! Minimal capture reading for tests and benches: pcap and pcapng through `pcap-parser`,
//! Ethernet (with VLAN tags), Linux SLL, BSD loopback and raw IPv4 link types, IPv4, TCP,
//! and naive in-order TCP reassembly per direction (retransmitted bytes skipped, a hole
//! reported as a gap).

#![allow(dead_code)]

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use pcap_parser::{Block, PcapBlockOwned, PcapError, create_reader};

/// The captures folder from `$OTWIRE_CAPTURES`, or `None` (the test prints that it skips).
/// A variable set to a missing folder panics: that is a broken setup, not a skip.
pub fn captures_dir(sub: &str) -> Option<PathBuf> {
    let root = std::env::var_os("OTWIRE_CAPTURES")?;
    let dir = Path::new(&root).join(sub);
    assert!(
        dir.is_dir(),
        "OTWIRE_CAPTURES is set but {} is not a folder",
        dir.display()
    );
    Some(dir)
}

/// Every `*.pcap*` file of a folder, sorted.
pub fn capture_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(".pcap"))
        })
        .collect();
    v.sort();
    v
}

/// One TCP segment with payload.
#[derive(Debug, Clone)]
pub struct Segment {
    /// 1-based capture record number, as Wireshark counts.
    pub frame: usize,
    /// Timestamp in microseconds.
    pub ts_us: u64,
    pub src: ([u8; 4], u16),
    pub dst: ([u8; 4], u16),
    pub seq: u32,
    pub syn: bool,
    pub payload: Vec<u8>,
}

fn ipv4_tcp(frame: usize, ts_us: u64, ip: &[u8]) -> Option<Segment> {
    if ip.len() < 20 || ip[0] >> 4 != 4 || ip[9] != 6 {
        return None;
    }
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
    let frag = u16::from_be_bytes([ip[6], ip[7]]);
    if frag & 0x1fff != 0 {
        return None;
    }
    let tcp = ip.get(ihl..total)?;
    if tcp.len() < 20 {
        return None;
    }
    let off = usize::from(tcp[12] >> 4) * 4;
    let payload = tcp.get(off..)?.to_vec();
    Some(Segment {
        frame,
        ts_us,
        src: (
            [ip[12], ip[13], ip[14], ip[15]],
            u16::from_be_bytes([tcp[0], tcp[1]]),
        ),
        dst: (
            [ip[16], ip[17], ip[18], ip[19]],
            u16::from_be_bytes([tcp[2], tcp[3]]),
        ),
        seq: u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]),
        syn: tcp[13] & 0x02 != 0,
        payload,
    })
}

fn link_to_ip(linktype: i32, data: &[u8]) -> Option<&[u8]> {
    match linktype {
        1 => {
            let mut off = 12;
            let mut ethertype = u16::from_be_bytes([*data.get(12)?, *data.get(13)?]);
            while ethertype == 0x8100 || ethertype == 0x88a8 {
                off += 4;
                ethertype = u16::from_be_bytes([*data.get(off)?, *data.get(off + 1)?]);
            }
            (ethertype == 0x0800).then(|| data.get(off + 2..)).flatten()
        }
        113 => {
            let proto = u16::from_be_bytes([*data.get(14)?, *data.get(15)?]);
            (proto == 0x0800).then(|| data.get(16..)).flatten()
        }
        0 | 108 => data.get(4..),
        101 | 228 | 12 | 14 => Some(data),
        _ => None,
    }
}

/// Every IPv4 TCP segment of a capture, in capture order (including empty ones, so frame
/// numbers stay right; empty payloads are skipped by callers).
pub fn tcp_segments(path: &Path) -> Vec<Segment> {
    let file = File::open(path).unwrap();
    let mut reader = create_reader(1 << 20, file).unwrap();
    let mut out = Vec::new();
    let mut frame = 0usize;
    let mut legacy_linktype = 1i32;
    let mut if_linktypes: Vec<i32> = Vec::new();
    let mut if_tsres: Vec<u64> = Vec::new();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::LegacyHeader(h) => legacy_linktype = h.network.0,
                    PcapBlockOwned::Legacy(b) => {
                        frame += 1;
                        let ts = u64::from(b.ts_sec) * 1_000_000 + u64::from(b.ts_usec);
                        let caplen = (b.caplen as usize).min(b.data.len());
                        if let Some(ip) = link_to_ip(legacy_linktype, &b.data[..caplen]) {
                            if let Some(s) = ipv4_tcp(frame, ts, ip) {
                                out.push(s);
                            }
                        }
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => {
                        if_linktypes.clear();
                        if_tsres.clear();
                    }
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        if_linktypes.push(idb.linktype.0);
                        if_tsres.push(10u64.pow(u32::from(idb.if_tsresol & 0x7f)).max(1));
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        frame += 1;
                        let lt = if_linktypes.get(epb.if_id as usize).copied().unwrap_or(1);
                        let res = if_tsres
                            .get(epb.if_id as usize)
                            .copied()
                            .unwrap_or(1_000_000);
                        let raw = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                        let ts = if res >= 1_000_000 {
                            raw / (res / 1_000_000)
                        } else {
                            raw * (1_000_000 / res)
                        };
                        let caplen = (epb.caplen as usize).min(epb.data.len());
                        if let Some(ip) = link_to_ip(lt, &epb.data[..caplen]) {
                            if let Some(s) = ipv4_tcp(frame, ts, ip) {
                                out.push(s);
                            }
                        }
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(_)) => frame += 1,
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().unwrap(),
            Err(e) => panic!("{}: {e:?}", path.display()),
        }
    }
    out
}

/// Flow key: (src, dst).
pub type FlowKey = (([u8; 4], u16), ([u8; 4], u16));

/// What reassembly hands on for one segment.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub frame: usize,
    pub ts_us: u64,
    pub flow: FlowKey,
    /// A hole in the sequence space before these bytes.
    pub gap: bool,
    pub bytes: Vec<u8>,
}

/// Naive in-order reassembly of the segments of flows where either port is `port`.
pub fn reassemble(segments: &[Segment], port: u16) -> Vec<Chunk> {
    let mut next: HashMap<FlowKey, u32> = HashMap::new();
    let mut out = Vec::new();
    for s in segments {
        if s.src.1 != port && s.dst.1 != port {
            continue;
        }
        let key = (s.src, s.dst);
        if s.syn {
            next.insert(key, s.seq.wrapping_add(1));
            continue;
        }
        if s.payload.is_empty() {
            continue;
        }
        let expected = *next.entry(key).or_insert(s.seq);
        let delta = s.seq.wrapping_sub(expected) as i32;
        let (gap, bytes) = if delta == 0 {
            (false, &s.payload[..])
        } else if delta < 0 {
            // Retransmission or overlap: keep only what is new.
            let skip = (-(delta as i64)) as usize;
            if skip >= s.payload.len() {
                continue;
            }
            (false, &s.payload[skip..])
        } else {
            (true, &s.payload[..])
        };
        next.insert(key, s.seq.wrapping_add(s.payload.len() as u32));
        out.push(Chunk {
            frame: s.frame,
            ts_us: s.ts_us,
            flow: key,
            gap,
            bytes: bytes.to_vec(),
        });
    }
    out
}
