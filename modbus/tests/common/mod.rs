//! Test support shared by the integration tests that read real captures: finding
//! `$OTWIRE_CAPTURES`, reading pcap/pcapng records, decoding link/IP/TCP with etherparse, and
//! reassembling each TCP direction in sequence order.
#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use pcap_parser::pcapng::Block;
use pcap_parser::{Linktype, PcapCapture, PcapNGCapture};

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

/// In-order bytes of one TCP direction, as the reassembler hands them out.
pub struct Chunk {
    /// The record whose arrival made these bytes available.
    pub frame: u64,
    /// Bytes are missing before this chunk (never captured).
    pub gap: bool,
    pub bytes: Vec<u8>,
}

/// Out-of-order segments held per direction before the hole is declared a gap.
const MAX_PENDING: usize = 16;

#[derive(Default)]
struct Direction {
    /// The next expected sequence number.
    next: Option<u32>,
    /// Segments ahead of `next`, by their distance from it at insertion time's base.
    pending: BTreeMap<u32, Vec<u8>>,
    /// Base sequence number for the ordering of `pending` (wrapping distances from it).
    base: u32,
}

impl Direction {
    fn rel(&self, seq: u32) -> i64 {
        i64::from(seq.wrapping_sub(self.next.unwrap_or(seq)) as i32)
    }

    /// Accepts a segment; returns what became contiguous.
    fn accept(&mut self, seg: &Segment<'_>, frame: u64, out: &mut Vec<Chunk>) {
        let mut seq = seg.seq;
        if seg.syn {
            seq = seq.wrapping_add(1);
            if self.next.is_some() && self.next != Some(seq) {
                // A new connection on the same four-tuple.
                self.flush(frame, out);
            }
            self.next = Some(seq);
            self.base = seq;
        }
        if seg.payload.is_empty() {
            return;
        }
        if self.next.is_none() {
            // Mid-stream start: trust the first segment seen.
            self.next = Some(seq);
            self.base = seq;
        }
        let rel = self.rel(seq);
        if rel > 0 {
            let key = seq.wrapping_sub(self.base);
            let keep = self.pending.get(&key).is_none_or(|p| p.len() < seg.payload.len());
            if keep {
                self.pending.insert(key, seg.payload.to_vec());
            }
            if self.pending.len() > MAX_PENDING {
                self.skip_to_pending(frame, out);
            }
            return;
        }
        self.deliver(seq, seg.payload, frame, false, out);
        self.drain(frame, out);
    }

    /// Appends the part of `data` (starting at `seq`) past `next`.
    fn deliver(&mut self, seq: u32, data: &[u8], frame: u64, gap: bool, out: &mut Vec<Chunk>) {
        let overlap = usize::try_from(-self.rel(seq)).unwrap_or(0);
        let Some(new) = data.get(overlap..).filter(|d| !d.is_empty()) else {
            return; // a retransmission of bytes already delivered
        };
        self.next = Some(self.next.unwrap_or(seq).wrapping_add(new.len() as u32));
        match out.last_mut() {
            Some(last) if last.frame == frame && !gap => last.bytes.extend_from_slice(new),
            _ => out.push(Chunk {
                frame,
                gap,
                bytes: new.to_vec(),
            }),
        }
    }

    /// Delivers pending segments that have become contiguous.
    fn drain(&mut self, frame: u64, out: &mut Vec<Chunk>) {
        while let Some((&key, _)) = self.pending.first_key_value() {
            let seq = self.base.wrapping_add(key);
            if self.rel(seq) > 0 {
                break;
            }
            let data = self.pending.remove(&key).unwrap_or_default();
            self.deliver(seq, &data, frame, false, out);
        }
    }

    /// Declares the hole before the first pending segment a gap and moves past it.
    fn skip_to_pending(&mut self, frame: u64, out: &mut Vec<Chunk>) {
        if let Some((key, data)) = self.pending.pop_first() {
            let seq = self.base.wrapping_add(key);
            self.next = Some(seq);
            self.deliver(seq, &data, frame, true, out);
            self.drain(frame, out);
        }
    }

    /// Delivers everything still pending, each hole a gap.
    fn flush(&mut self, frame: u64, out: &mut Vec<Chunk>) {
        while !self.pending.is_empty() {
            self.skip_to_pending(frame, out);
        }
    }
}

/// Per-direction TCP reassembly: retransmissions dropped by sequence number, out-of-order
/// segments held until their hole fills (or too many wait), holes reported as gaps.
#[derive(Default)]
pub struct Reassembler {
    dirs: HashMap<(Endpoint, Endpoint), Direction>,
}

impl Reassembler {
    /// Feeds a segment; returns the in-order chunks it made available, for its direction.
    pub fn push(&mut self, seg: &Segment<'_>, frame: u64) -> Vec<Chunk> {
        let mut out = Vec::new();
        self.dirs
            .entry((seg.src, seg.dst))
            .or_default()
            .accept(seg, frame, &mut out);
        out
    }

    /// At the end of the capture: everything still pending, per direction.
    pub fn finish(&mut self, frame: u64) -> Vec<((Endpoint, Endpoint), Chunk)> {
        let mut all = Vec::new();
        let mut keys: Vec<_> = self.dirs.keys().copied().collect();
        keys.sort();
        for k in keys {
            let mut out = Vec::new();
            if let Some(d) = self.dirs.get_mut(&k) {
                d.flush(frame, &mut out);
            }
            all.extend(out.into_iter().map(|c| (k, c)));
        }
        all
    }
}

/// Reads a whole file.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
