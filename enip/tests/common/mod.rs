//! Test support shared by the integration tests that read real captures: finding
//! `$OTWIRE_CAPTURES`, reading pcap/pcapng records, decoding link/IP/TCP with etherparse, and
//! reassembling each TCP direction in sequence order; UDP datagrams too (copied from
//! s7/tests/common, with `udp_datagram` added); and in [`cip`] the CIP messages of the
//! EtherNet/IP captures, walked with a minimal decoder of their own. The one capture walker
//! of every enip test (`mod common;`).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use pcap_parser::pcapng::Block;
use pcap_parser::{Linktype, PcapCapture, PcapNGCapture};

pub mod cip;

/// The captures folder from `$OTWIRE_CAPTURES`: `None` (with a message) when unset, a
/// failure when set to a folder that does not exist.
pub fn captures_dir(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("OTWIRE_CAPTURES") else {
        eprintln!("{test}: skipped, OTWIRE_CAPTURES is not set");
        return None;
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "OTWIRE_CAPTURES={} is not a folder",
        dir.display()
    );
    Some(dir)
}

/// One capture record: its 1-based number (Wireshark's frame number), link type and bytes.
pub struct Record<'a> {
    pub frame: u64,
    pub linktype: Linktype,
    pub data: &'a [u8],
}

/// Every record of a pcap or pcapng file held in memory, in file order.
pub fn records(file: &[u8]) -> Vec<Record<'_>> {
    if let Ok(cap) = PcapCapture::from_file(file) {
        let linktype = cap.header.network;
        return cap
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| Record {
                frame: i as u64 + 1,
                linktype,
                data: b.data.get(..b.caplen as usize).unwrap_or(b.data),
            })
            .collect();
    }
    let cap = PcapNGCapture::from_file(file).expect("neither pcap nor pcapng");
    let mut out = Vec::new();
    for section in &cap.sections {
        let mut interfaces = Vec::new();
        for block in &section.blocks {
            match block {
                Block::InterfaceDescription(idb) => interfaces.push(idb.linktype),
                Block::EnhancedPacket(epb) => out.push(Record {
                    frame: out.len() as u64 + 1,
                    linktype: interfaces
                        .get(epb.if_id as usize)
                        .copied()
                        .unwrap_or(Linktype::ETHERNET),
                    data: epb.data.get(..epb.caplen as usize).unwrap_or(epb.data),
                }),
                Block::SimplePacket(spb) => out.push(Record {
                    frame: out.len() as u64 + 1,
                    linktype: interfaces.first().copied().unwrap_or(Linktype::ETHERNET),
                    data: spb.data,
                }),
                _ => {}
            }
        }
    }
    out
}

/// One end of a TCP connection.
pub type Endpoint = (IpAddr, u16);

/// A TCP segment decoded from a capture record.
pub struct Segment<'a> {
    pub src: Endpoint,
    pub dst: Endpoint,
    pub seq: u32,
    pub syn: bool,
    pub fin: bool,
    pub rst: bool,
    pub payload: &'a [u8],
}

/// Decodes link, IP (v4 or v6, VLAN tags included) and TCP, leniently: a record whose IP
/// length disagrees with what was captured still yields the TCP bytes that are there.
/// IP fragments and non-TCP packets give `None`.
pub fn tcp_segment<'a>(rec: &Record<'a>) -> Option<Segment<'a>> {
    let pkt = match rec.linktype {
        Linktype::ETHERNET => LaxSlicedPacket::from_ethernet(rec.data).ok()?,
        Linktype::RAW | Linktype::IPV4 | Linktype::IPV6 => {
            LaxSlicedPacket::from_ip(rec.data).ok()?
        }
        Linktype::LINUX_SLL => LaxSlicedPacket::from_ether_type(
            etherparse::EtherType(u16::from_be_bytes([*rec.data.get(14)?, *rec.data.get(15)?])),
            rec.data.get(16..)?,
        ),
        Linktype::NULL | Linktype::LOOP => LaxSlicedPacket::from_ip(rec.data.get(4..)?).ok()?,
        _ => return None,
    };
    let (src, dst) = match pkt.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) => {
            if ip.is_payload_fragmented() {
                return None;
            }
            let h = ip.header();
            (IpAddr::from(h.source()), IpAddr::from(h.destination()))
        }
        LaxNetSlice::Ipv6(ip) => {
            let h = ip.header();
            (IpAddr::from(h.source()), IpAddr::from(h.destination()))
        }
        _ => return None,
    };
    let TransportSlice::Tcp(tcp) = pkt.transport.as_ref()? else {
        return None;
    };
    Some(Segment {
        src: (src, tcp.source_port()),
        dst: (dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload: tcp.payload(),
    })
}

/// A UDP datagram decoded from a capture record: source, destination, payload.
pub fn udp_datagram<'a>(rec: &Record<'a>) -> Option<(Endpoint, Endpoint, &'a [u8])> {
    let pkt = match rec.linktype {
        Linktype::ETHERNET => LaxSlicedPacket::from_ethernet(rec.data).ok()?,
        Linktype::RAW | Linktype::IPV4 | Linktype::IPV6 => {
            LaxSlicedPacket::from_ip(rec.data).ok()?
        }
        _ => return None,
    };
    let (src, dst) = match pkt.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) => {
            if ip.is_payload_fragmented() {
                return None;
            }
            let h = ip.header();
            (IpAddr::from(h.source()), IpAddr::from(h.destination()))
        }
        LaxNetSlice::Ipv6(ip) => {
            let h = ip.header();
            (IpAddr::from(h.source()), IpAddr::from(h.destination()))
        }
        _ => return None,
    };
    let TransportSlice::Udp(udp) = pkt.transport.as_ref()? else {
        return None;
    };
    Some((
        (src, udp.source_port()),
        (dst, udp.destination_port()),
        udp.payload(),
    ))
}

/// In-order bytes of one TCP direction, as the reassembler hands them out.
pub struct Chunk {
    /// The record that carried these bytes.
    pub frame: u64,
    /// Bytes are missing before this chunk (never captured).
    pub gap: bool,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
struct Direction {
    /// The next expected sequence number.
    next: Option<u32>,
}

impl Direction {
    /// Accepts a segment the way Wireshark does without out-of-order reassembly: bytes
    /// already seen (retransmissions, old segments) are dropped, a segment ahead of the
    /// expected sequence number means the bytes between were never captured (a gap).
    fn accept(&mut self, seg: &Segment<'_>, frame: u64) -> Option<Chunk> {
        let mut seq = seg.seq;
        if seg.syn {
            seq = seq.wrapping_add(1);
            self.next = Some(seq);
        }
        if seg.payload.is_empty() {
            return None;
        }
        let next = *self.next.get_or_insert(seq);
        let ahead = seq.wrapping_sub(next) as i32;
        let (gap, bytes) = if ahead > 0 {
            (true, seg.payload)
        } else {
            // Keep only what goes past `next`: the rest is a retransmission.
            let overlap = usize::try_from(ahead.unsigned_abs()).unwrap_or(usize::MAX);
            (false, seg.payload.get(overlap..).unwrap_or_default())
        };
        if bytes.is_empty() {
            return None;
        }
        let start = if gap { seq } else { next };
        self.next = Some(start.wrapping_add(bytes.len() as u32));
        Some(Chunk {
            frame,
            gap,
            bytes: bytes.to_vec(),
        })
    }
}

/// Per-direction TCP reassembly in sequence order: retransmissions dropped by sequence
/// number, bytes never captured reported as gaps.
#[derive(Default)]
pub struct Reassembler {
    dirs: HashMap<(Endpoint, Endpoint), Direction>,
}

impl Reassembler {
    /// Feeds a segment; returns the new in-order bytes it carries, if any.
    pub fn push(&mut self, seg: &Segment<'_>, frame: u64) -> Option<Chunk> {
        self.dirs
            .entry((seg.src, seg.dst))
            .or_default()
            .accept(seg, frame)
    }
}

/// Reads a whole file.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
