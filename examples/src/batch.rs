//! The scanner's front end: captured packets in, batches out. Link, IP and transport
//! headers are decoded, IP fragments reassembled, and each TCP or UDP payload is queued,
//! with the headers reassembly needs and the packet's link metadata, for the shard that
//! owns its flow; ARP packets and ICMP messages, which belong to no flow, are queued as the
//! network events they are (DESIGN.md §3) for a shard chosen by their addresses. A front
//! end owns nothing the shards use, so it can read the next batch on its own thread while
//! they run (`Scanner::read_alongside`).

use std::net::{IpAddr, SocketAddr};

use etherparse::{TcpSlice, UdpSlice};
use otwire_detect::event::ip_from_bytes;
use otwire_detect::net::{Link, NetEvent};

use crate::capture::Packet;
use crate::defrag::{Defrag, DefragLimits, DefragStats};
use crate::flow::PacketMeta;
use crate::net::{self, IpPacket};

/// Packets read before the shards run.
pub const BATCH: usize = 4096;

/// Counters of reading.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReadStats {
    pub(crate) packets: u64,
    pub(crate) bytes: u64,
    pub(crate) not_ip: u64,
    pub(crate) other_transport: u64,
    pub(crate) truncated: u64,
}

/// The TCP header fields reassembly needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TcpHeader {
    pub(crate) seq: u32,
    pub(crate) ack: u32,
    pub(crate) syn: bool,
    pub(crate) ack_flag: bool,
    pub(crate) fin: bool,
    pub(crate) rst: bool,
}

/// What a packet of a batch is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A UDP datagram.
    Udp,
    /// A TCP segment.
    Tcp(TcpHeader),
    /// An ARP packet or ICMP message: the network event at this index of `Batch::net`.
    Net(u32),
}

/// One packet of a batch; its payload is `data[start..start + len]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pkt {
    pub(crate) meta: PacketMeta,
    /// The frame's MAC addresses and the IP TTL.
    pub(crate) link: Link,
    pub(crate) shard: usize,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) len: usize,
    pub(crate) declared: usize,
}

/// Packets read and not yet handed to the shards.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) data: Vec<u8>,
    pub(crate) pkts: Vec<Pkt>,
    /// The network events of the ARP and ICMP packets (`Kind::Net`).
    pub(crate) net: Vec<NetEvent>,
    /// Payload bytes per shard.
    pub(crate) payload: Vec<usize>,
}

impl Batch {
    /// An empty batch for `shards` shards.
    pub(crate) fn new(shards: usize) -> Self {
        Batch {
            payload: vec![0; shards],
            ..Batch::default()
        }
    }

    /// Empties the batch, keeping its allocations.
    pub(crate) fn clear(&mut self) {
        self.data.clear();
        self.pkts.clear();
        self.net.clear();
        self.payload.iter_mut().for_each(|n| *n = 0);
    }

    /// The payload of `p`.
    pub(crate) fn payload(&self, p: &Pkt) -> &[u8] {
        self.data.get(p.start..p.start + p.len).unwrap_or_default()
    }

    /// The network event at `i` (`Kind::Net`).
    pub(crate) fn net(&self, i: u32) -> Option<NetEvent> {
        self.net.get(i as usize).copied()
    }
}

/// Reading: the batch being filled, IP reassembly, and the packet counter.
#[derive(Debug)]
pub(crate) struct Front {
    defrag: Defrag,
    batch: Batch,
    shards: usize,
    seq: u64,
    last: PacketMeta,
    stats: ReadStats,
}

impl Front {
    /// A front end for `shards` shards.
    pub(crate) fn new(defrag: DefragLimits, shards: usize) -> Self {
        Front {
            defrag: Defrag::new(defrag),
            batch: Batch::new(shards),
            shards,
            seq: 0,
            last: PacketMeta {
                frame: 0,
                ts_us: 0,
                seq: 0,
            },
            stats: ReadStats::default(),
        }
    }

    /// One captured packet; `true` when the batch is full.
    pub(crate) fn packet(&mut self, p: &Packet<'_>) -> bool {
        self.stats.packets += 1;
        self.stats.bytes += p.data.len() as u64;
        let meta = PacketMeta {
            frame: p.frame,
            ts_us: p.ts_us,
            seq: self.seq,
        };
        self.seq += 1;
        self.last = meta;
        let link = net::link_layer(p.linktype, p.data);
        let Some(ip) = link.as_ref().and_then(net::ip_of) else {
            match link.as_ref().and_then(net::arp_of) {
                Some(arp) => {
                    let link = link.map_or(Link::NONE, |l| l.link);
                    let (src, dst) = (ip_from_bytes(arp.sender_ip), ip_from_bytes(arp.target_ip));
                    self.network(NetEvent::Arp(arp), src, dst, meta, link);
                }
                None => self.stats.not_ip += 1,
            }
            return self.batch.pkts.len() >= BATCH;
        };
        let link = Link {
            ttl: Some(ip.ttl),
            ip_proto: Some(ip.proto),
            ..link.map_or(Link::NONE, |l| l.link)
        };
        if ip.truncated {
            self.stats.truncated += 1;
        }
        match ip.fragment {
            Some(frag) => {
                if let Some(whole) = self
                    .defrag
                    .add(ip.src, ip.dst, ip.proto, frag, ip.payload, p.ts_us)
                {
                    let ip = IpPacket {
                        fragment: None,
                        payload: &whole,
                        truncated: false,
                        declared_len: whole.len(),
                        ..ip
                    };
                    self.transport(&ip, meta, link);
                }
            }
            None => self.transport(&ip, meta, link),
        }
        self.batch.pkts.len() >= BATCH
    }

    /// Reads the transport header and queues the packet for its shard.
    fn transport(&mut self, ip: &IpPacket<'_>, meta: PacketMeta, link: Link) {
        let (src_port, dst_port, tcp, payload, declared) = match ip.proto {
            6 => match TcpSlice::from_slice(ip.payload) {
                Ok(t) => {
                    let header = t.header_slice().len();
                    let h = TcpHeader {
                        seq: t.sequence_number(),
                        ack: t.acknowledgment_number(),
                        syn: t.syn(),
                        ack_flag: t.ack(),
                        fin: t.fin(),
                        rst: t.rst(),
                    };
                    let declared = ip
                        .declared_len
                        .saturating_sub(header)
                        .max(t.payload().len());
                    (
                        t.source_port(),
                        t.destination_port(),
                        Some(h),
                        t.payload(),
                        declared,
                    )
                }
                Err(_) => {
                    self.stats.other_transport += 1;
                    return;
                }
            },
            17 => match UdpSlice::from_slice_lax(ip.payload) {
                Ok(u) => (u.source_port(), u.destination_port(), None, u.payload(), 0),
                Err(_) => {
                    self.stats.other_transport += 1;
                    return;
                }
            },
            1 | 58 => {
                match net::icmp_of(ip) {
                    Some(icmp) => self.network(NetEvent::Icmp(icmp), ip.src, ip.dst, meta, link),
                    None => self.stats.other_transport += 1,
                }
                return;
            }
            _ => {
                self.stats.other_transport += 1;
                return;
            }
        };
        let src = SocketAddr::new(ip.src, src_port);
        let dst = SocketAddr::new(ip.dst, dst_port);
        let shard = shard_of(src, dst, tcp.is_some(), self.shards);
        let kind = match tcp {
            Some(h) => Kind::Tcp(h),
            None => Kind::Udp,
        };
        let start = self.batch.data.len();
        self.batch.data.extend_from_slice(payload);
        if let Some(n) = self.batch.payload.get_mut(shard) {
            *n += payload.len();
        }
        self.batch.pkts.push(Pkt {
            meta,
            shard,
            link,
            src,
            dst,
            kind,
            start,
            len: payload.len(),
            declared,
        });
    }

    /// Queues a network event of no flow (ARP, ICMP) sent from `src` to `dst`, for the
    /// shard of those addresses.
    fn network(&mut self, net: NetEvent, src: IpAddr, dst: IpAddr, meta: PacketMeta, link: Link) {
        let (src, dst) = (SocketAddr::new(src, 0), SocketAddr::new(dst, 0));
        let Ok(index) = u32::try_from(self.batch.net.len()) else {
            return;
        };
        self.batch.net.push(net);
        self.batch.pkts.push(Pkt {
            meta,
            link,
            shard: shard_of(src, dst, false, self.shards),
            src,
            dst,
            kind: Kind::Net(index),
            start: self.batch.data.len(),
            len: 0,
            declared: 0,
        });
    }

    /// Takes the batch read so far, putting `fresh` (emptied here) in its place.
    pub(crate) fn swap(&mut self, mut fresh: Batch) -> Batch {
        fresh.clear();
        fresh.payload.resize(self.shards, 0);
        std::mem::replace(&mut self.batch, fresh)
    }

    /// The last packet read.
    pub(crate) fn last(&self) -> PacketMeta {
        self.last
    }

    /// Counters.
    pub(crate) fn stats(&self) -> ReadStats {
        self.stats
    }

    /// IP reassembly counters.
    pub(crate) fn defrag_stats(&self) -> DefragStats {
        self.defrag.stats()
    }

    /// End of input: datagrams still in reassembly are given up (counted).
    pub(crate) fn finish(&mut self) {
        self.defrag.finish();
    }
}

/// The shard of a flow: a mix of both ends (the same for either direction).
fn shard_of(a: SocketAddr, b: SocketAddr, tcp: bool, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let end = |s: SocketAddr| -> u64 {
        let ip = match s.ip() {
            std::net::IpAddr::V4(v) => u64::from(u32::from(v)),
            std::net::IpAddr::V6(v) => {
                let x = u128::from(v);
                (x as u64) ^ ((x >> 64) as u64)
            }
        };
        ip.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ u64::from(s.port()).rotate_left(29)
    };
    let h = (end(a) ^ end(b)).wrapping_add(u64::from(tcp));
    let h = (h ^ (h >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    ((h >> 32) % n as u64) as usize
}
