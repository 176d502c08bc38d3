//! Shared test support: reading the project's captures (pcap / pcapng) and reassembling
//! DNP3 TCP streams naively in order. Minimal Ethernet / SLL / loopback / IPv4 / TCP / UDP
//! decoding, written for the tests only.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pcap_parser::{Block, PcapBlockOwned, PcapError};

/// The captures folder for `proto`, or `None` (with a message) when `OTWIRE_CAPTURES` is
/// unset. Panics when it is set to a missing folder.
pub fn captures_dir(proto: &str) -> Option<PathBuf> {
    let Some(root) = std::env::var_os("OTWIRE_CAPTURES") else {
        eprintln!("OTWIRE_CAPTURES unset: capture tests skipped");
        return None;
    };
    let dir = Path::new(&root).join(proto);
    assert!(
        dir.is_dir(),
        "OTWIRE_CAPTURES/{proto} = {} is not a folder",
        dir.display()
    );
    Some(dir)
}

/// Every pcap / pcapng in `dir`, sorted.
pub fn capture_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".pcap"))
        .collect();
    v.sort();
    v
}

/// One transport payload from a capture.
#[derive(Debug, Clone)]
pub struct Packet {
    /// 1-based record number, as Wireshark counts.
    pub number: usize,
    /// (src ip, src port, dst ip, dst port).
    pub flow: ([u8; 4], u16, [u8; 4], u16),
    /// TCP (with its sequence number and SYN flag) or UDP.
    pub tcp: Option<(u32, bool)>,
    /// The payload.
    pub payload: Vec<u8>,
}

fn read_records(path: &Path) -> Vec<(usize, i32, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = pcap_parser::create_reader(1 << 20, file).unwrap();
    let mut out = Vec::new();
    let mut linktypes: Vec<i32> = Vec::new();
    let mut legacy_lt = 1;
    let mut n = 0;
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::LegacyHeader(h) => legacy_lt = h.network.0,
                    PcapBlockOwned::Legacy(b) => {
                        n += 1;
                        out.push((n, legacy_lt, b.data.to_vec()));
                    }
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => linktypes.clear(),
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        linktypes.push(idb.linktype.0)
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        n += 1;
                        let lt = linktypes.get(epb.if_id as usize).copied().unwrap_or(1);
                        let len = (epb.caplen as usize).min(epb.data.len());
                        out.push((n, lt, epb.data[..len].to_vec()));
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                        n += 1;
                        out.push((
                            n,
                            linktypes.first().copied().unwrap_or(1),
                            spb.data.to_vec(),
                        ));
                    }
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

fn ipv4_of(linktype: i32, d: &[u8]) -> Option<&[u8]> {
    match linktype {
        1 => {
            let mut off = 12;
            let mut et = u16::from_be_bytes([*d.get(off)?, *d.get(off + 1)?]);
            while et == 0x8100 || et == 0x88a8 {
                off += 4;
                et = u16::from_be_bytes([*d.get(off)?, *d.get(off + 1)?]);
            }
            (et == 0x0800).then(|| d.get(off + 2..)).flatten()
        }
        0 => {
            let fam = u32::from_le_bytes(d.get(..4)?.try_into().ok()?);
            let fam_be = u32::from_be_bytes(d.get(..4)?.try_into().ok()?);
            (fam == 2 || fam_be == 2).then(|| d.get(4..)).flatten()
        }
        101 | 228 | 12 | 14 => Some(d),
        113 => (u16::from_be_bytes([*d.get(14)?, *d.get(15)?]) == 0x0800)
            .then(|| d.get(16..))
            .flatten(),
        276 => (u16::from_be_bytes([*d.first()?, *d.get(1)?]) == 0x0800)
            .then(|| d.get(20..))
            .flatten(),
        _ => None,
    }
}

/// The TCP and UDP payloads of a capture whose either port is in `ports`.
pub fn packets(path: &Path, ports: &[u16]) -> Vec<Packet> {
    let mut out = Vec::new();
    for (number, lt, data) in read_records(path) {
        let Some(ip) = ipv4_of(lt, &data) else {
            continue;
        };
        if ip.len() < 20 || ip[0] >> 4 != 4 {
            continue;
        }
        let ihl = usize::from(ip[0] & 0x0F) * 4;
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]])).min(ip.len());
        let proto = ip[9];
        let src: [u8; 4] = ip[12..16].try_into().unwrap();
        let dst: [u8; 4] = ip[16..20].try_into().unwrap();
        let Some(l4) = ip.get(ihl..total) else {
            continue;
        };
        let (sport, dport, tcp, payload) = match proto {
            6 if l4.len() >= 20 => {
                let doff = usize::from(l4[12] >> 4) * 4;
                let seq = u32::from_be_bytes(l4[4..8].try_into().unwrap());
                let syn = l4[13] & 0x02 != 0;
                let Some(p) = l4.get(doff..) else { continue };
                (
                    u16::from_be_bytes([l4[0], l4[1]]),
                    u16::from_be_bytes([l4[2], l4[3]]),
                    Some((seq, syn)),
                    p,
                )
            }
            17 if l4.len() >= 8 => (
                u16::from_be_bytes([l4[0], l4[1]]),
                u16::from_be_bytes([l4[2], l4[3]]),
                None,
                &l4[8..],
            ),
            _ => continue,
        };
        if !ports.contains(&sport) && !ports.contains(&dport) {
            continue;
        }
        out.push(Packet {
            number,
            flow: (src, sport, dst, dport),
            tcp,
            payload: payload.to_vec(),
        });
    }
    out
}

/// Naive in-order TCP reassembly per direction: returns, per packet, the new in-order
/// bytes and whether a gap preceded them.
#[derive(Default)]
pub struct TcpReassembly {
    next: HashMap<([u8; 4], u16, [u8; 4], u16), u32>,
}

impl TcpReassembly {
    /// New bytes of `p` (retransmitted parts removed) and whether bytes were missing.
    pub fn feed<'p>(&mut self, p: &'p Packet) -> (&'p [u8], bool) {
        let Some((seq, syn)) = p.tcp else {
            return (&p.payload, false);
        };
        let start = if syn { seq.wrapping_add(1) } else { seq };
        let next = self.next.entry(p.flow).or_insert(start);
        let len = p.payload.len() as u32;
        let diff = start.wrapping_sub(*next) as i32;
        if diff == 0 {
            *next = next.wrapping_add(len);
            (&p.payload, false)
        } else if diff < 0 {
            let skip = (-(diff as i64)) as u64;
            if skip >= u64::from(len) {
                (&[], false)
            } else {
                *next = next.wrapping_add(len - skip as u32);
                (&p.payload[skip as usize..], false)
            }
        } else {
            *next = start.wrapping_add(len);
            (&p.payload, true)
        }
    }
}

/// Golden link frames (captured; see golden.rs for the field-by-field reading), plus frames
/// built here: multi-block user data and every request builder.
pub fn golden_frames() -> Vec<Vec<u8>> {
    use otwire_dnp3::{Emit, LinkControl, LinkHeader, PrimaryFunction, TransportFrames};
    let hex = [
        "05640549640001007e5f",
        "0564058b01006400a097",
        "056411c40a0001000615c0c0153c02063c03063c04061a55",
        "05640a4401000a006e25c0f08280006b7d",
        "05640ec40a0001002529c2c102500100070700c5af",
        "05641ac4010064006227c7c9030c01280100010003016400000061196400000000005b",
        "056412c4040003001e7ceec205290228010001000000007dd0",
        "056412c4040003001e7cc9ca02320307019f0d83524c01eb2c",
        "056432c4040003009c8df7ce1946035b0124001a000a00000000b3c50000000000000000000000000001000047e60404002e2f746573742e786d6ced8f",
        "05643ac4040003004017d3cc05780307010900000001000c01281e6d01000100030164000000640000000078454b095b011000ba8db44d5e72cd0ad418e5a302e415256867bed2",
    ];
    let mut v: Vec<Vec<u8>> = hex
        .iter()
        .map(|h| {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect();
    let header = LinkHeader {
        control: LinkControl::primary(false, PrimaryFunction::UnconfirmedUserData, false),
        destination: otwire_dnp3::Address(1),
        source: otwire_dnp3::Address(1024),
    };
    // A 600-octet response fragment: three frames, the first two full (16 blocks).
    let mut fragment = vec![0xc0, 0x81, 0x00, 0x00, 0x1e, 0x04, 0x01, 0x00, 0x00];
    fragment.extend_from_slice(&[0x2b, 0x01]); // g30v4 0..299, 16-bit values
    fragment.extend((0..600u32).map(|i| i as u8));
    let tf = TransportFrames {
        header,
        first_seq: 62,
        fragment: &fragment,
    };
    // Emitted into a Vec here rather than with `to_vec`, which needs the `alloc` feature.
    let mut frames = vec![0; tf.buffer_len()];
    let n = tf.emit(&mut frames).unwrap();
    frames.truncate(n);
    let mut rest = &frames[..];
    while let Ok((f, r)) = otwire_dnp3::split_frame(rest) {
        v.push(f.raw.to_vec());
        rest = r;
    }
    v
}
