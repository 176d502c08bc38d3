//! Writing captures: a libpcap file writer (tcpdump.org "pcap" format, Ethernet, microsecond
//! timestamps) and a TCP session simulator that builds Ethernet / IPv4 / TCP headers with
//! `etherparse` (RFC 791, RFC 9293), checksums included. Used by `gen-sample`, the tests and
//! the benchmark script.

use std::io::{self, Write};

use etherparse::PacketBuilder;

/// LINKTYPE_ETHERNET.
pub const LINKTYPE_ETHERNET: u32 = 1;

/// A pcap writer.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    /// Records written.
    pub packets: u64,
    /// Bytes written, headers included.
    pub bytes: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header (version 2.4, microseconds, snap length 65535).
    pub fn new(mut out: W, linktype: u32) -> io::Result<Self> {
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&65_535u32.to_le_bytes());
        h.extend_from_slice(&linktype.to_le_bytes());
        out.write_all(&h)?;
        Ok(Self {
            out,
            packets: 0,
            bytes: 24,
        })
    }

    /// Writes one record.
    pub fn packet(&mut self, ts_us: i64, data: &[u8]) -> io::Result<()> {
        let sec = u32::try_from(ts_us.div_euclid(1_000_000)).unwrap_or(0);
        let usec = ts_us.rem_euclid(1_000_000) as u32;
        let len = u32::try_from(data.len()).map_err(|_| io::Error::other("packet too large"))?;
        let mut h = [0u8; 16];
        h[..4].copy_from_slice(&sec.to_le_bytes());
        h[4..8].copy_from_slice(&usec.to_le_bytes());
        h[8..12].copy_from_slice(&len.to_le_bytes());
        h[12..].copy_from_slice(&len.to_le_bytes());
        self.out.write_all(&h)?;
        self.out.write_all(data)?;
        self.packets += 1;
        self.bytes += 16 + u64::from(len);
        Ok(())
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// An Ethernet / IPv4 host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    /// MAC address.
    pub mac: [u8; 6],
    /// IPv4 address.
    pub ip: [u8; 4],
}

impl Host {
    /// A host with a MAC address derived from its IP (locally administered).
    pub const fn new(ip: [u8; 4]) -> Self {
        Host {
            mac: [0x02, 0x00, ip[0], ip[1], ip[2], ip[3]],
            ip,
        }
    }
}

/// Segment flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// SYN.
    pub syn: bool,
    /// ACK.
    pub ack: bool,
    /// PSH.
    pub psh: bool,
    /// FIN.
    pub fin: bool,
    /// RST.
    pub rst: bool,
}

/// Builds one Ethernet / IPv4 / TCP frame.
#[allow(clippy::too_many_arguments)]
pub fn tcp_frame(
    src: Host,
    dst: Host,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: Flags,
    payload: &[u8],
) -> Vec<u8> {
    let mut b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .ipv4(src.ip, dst.ip, 64)
        .tcp(sport, dport, seq, 64_240);
    if flags.ack {
        b = b.ack(ack);
    }
    if flags.syn {
        b = b.syn();
    }
    if flags.psh {
        b = b.psh();
    }
    if flags.fin {
        b = b.fin();
    }
    if flags.rst {
        b = b.rst();
    }
    let mut out = Vec::with_capacity(b.size(payload.len()));
    // Writing to a Vec cannot fail; a payload too large for IPv4 yields an empty frame.
    if b.write(&mut out, payload).is_err() {
        out.clear();
    }
    out
}

/// Builds one Ethernet / IPv4 / UDP frame.
pub fn udp_frame(src: Host, dst: Host, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .ipv4(src.ip, dst.ip, 64)
        .udp(sport, dport);
    let mut out = Vec::with_capacity(b.size(payload.len()));
    if b.write(&mut out, payload).is_err() {
        out.clear();
    }
    out
}

/// Builds one Ethernet / IPv4 / ICMP frame (RFC 792): `kind` and `code`, the four bytes
/// after the checksum (identifier and sequence of an echo, unused in an error), and the
/// payload (an echo's data, or an error's quoted datagram).
pub fn icmp_frame(
    src: Host,
    dst: Host,
    kind: u8,
    code: u8,
    rest: [u8; 4],
    payload: &[u8],
) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .ipv4(src.ip, dst.ip, 64)
        .icmpv4_raw(kind, code, rest);
    let mut out = Vec::with_capacity(b.size(payload.len()));
    if b.write(&mut out, payload).is_err() {
        out.clear();
    }
    out
}

/// Builds one Ethernet / ARP frame (RFC 826, IPv4 over Ethernet) from `eth_src` to
/// `eth_dst`: operation `op` (1 request, 2 reply), `sender` claiming its IP, asking for or
/// telling `target` (a request's target MAC is zero).
pub fn arp_frame(
    eth_src: [u8; 6],
    eth_dst: [u8; 6],
    op: u16,
    sender: Host,
    target: Host,
) -> Vec<u8> {
    let target_mac = if op == 1 { [0; 6] } else { target.mac };
    let Ok(arp) = etherparse::ArpPacket::new(
        etherparse::ArpHardwareId::ETHERNET,
        etherparse::EtherType::IPV4,
        etherparse::ArpOperation(op),
        &sender.mac,
        &sender.ip,
        &target_mac,
        &target.ip,
    ) else {
        return Vec::new();
    };
    let b = PacketBuilder::ethernet2(eth_src, eth_dst).arp(arp);
    let mut out = Vec::with_capacity(b.size());
    if b.write(&mut out).is_err() {
        out.clear();
    }
    out
}

/// A simulated TCP connection that writes its segments to a pcap writer.
#[derive(Debug, Clone)]
pub struct TcpSession {
    /// The client.
    pub client: Host,
    /// The server.
    pub server: Host,
    /// Client port.
    pub cport: u16,
    /// Server port.
    pub sport: u16,
    cseq: u32,
    sseq: u32,
}

impl TcpSession {
    /// A connection with initial sequence numbers derived from the ports.
    pub fn new(client: Host, server: Host, cport: u16, sport: u16) -> Self {
        let cseq = u32::from(cport).wrapping_mul(2_654_435_761);
        let sseq = u32::from(sport)
            .wrapping_mul(40_503)
            .wrapping_add(u32::from(cport));
        TcpSession {
            client,
            server,
            cport,
            sport,
            cseq,
            sseq,
        }
    }

    /// Three-way handshake, 200 µs per step.
    pub fn open<W: Write>(&mut self, w: &mut PcapWriter<W>, ts_us: i64) -> io::Result<()> {
        let syn = Flags {
            syn: true,
            ..Flags::default()
        };
        w.packet(
            ts_us,
            &tcp_frame(
                self.client,
                self.server,
                self.cport,
                self.sport,
                self.cseq,
                0,
                syn,
                &[],
            ),
        )?;
        self.cseq = self.cseq.wrapping_add(1);
        let synack = Flags {
            syn: true,
            ack: true,
            ..Flags::default()
        };
        w.packet(
            ts_us + 200,
            &tcp_frame(
                self.server,
                self.client,
                self.sport,
                self.cport,
                self.sseq,
                self.cseq,
                synack,
                &[],
            ),
        )?;
        self.sseq = self.sseq.wrapping_add(1);
        self.ack_from_client(w, ts_us + 400)
    }

    /// Data from the client.
    pub fn client_send<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        ts_us: i64,
        payload: &[u8],
    ) -> io::Result<()> {
        let f = Flags {
            ack: true,
            psh: true,
            ..Flags::default()
        };
        w.packet(
            ts_us,
            &tcp_frame(
                self.client,
                self.server,
                self.cport,
                self.sport,
                self.cseq,
                self.sseq,
                f,
                payload,
            ),
        )?;
        self.cseq = self.cseq.wrapping_add(payload.len() as u32);
        Ok(())
    }

    /// Data from the server.
    pub fn server_send<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        ts_us: i64,
        payload: &[u8],
    ) -> io::Result<()> {
        let f = Flags {
            ack: true,
            psh: true,
            ..Flags::default()
        };
        w.packet(
            ts_us,
            &tcp_frame(
                self.server,
                self.client,
                self.sport,
                self.cport,
                self.sseq,
                self.cseq,
                f,
                payload,
            ),
        )?;
        self.sseq = self.sseq.wrapping_add(payload.len() as u32);
        Ok(())
    }

    /// A pure ACK from the client.
    pub fn ack_from_client<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        ts_us: i64,
    ) -> io::Result<()> {
        let f = Flags {
            ack: true,
            ..Flags::default()
        };
        w.packet(
            ts_us,
            &tcp_frame(
                self.client,
                self.server,
                self.cport,
                self.sport,
                self.cseq,
                self.sseq,
                f,
                &[],
            ),
        )
    }

    /// FIN from the client, FIN-ACK from the server, final ACK.
    pub fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, ts_us: i64) -> io::Result<()> {
        let fin = Flags {
            fin: true,
            ack: true,
            ..Flags::default()
        };
        w.packet(
            ts_us,
            &tcp_frame(
                self.client,
                self.server,
                self.cport,
                self.sport,
                self.cseq,
                self.sseq,
                fin,
                &[],
            ),
        )?;
        self.cseq = self.cseq.wrapping_add(1);
        w.packet(
            ts_us + 150,
            &tcp_frame(
                self.server,
                self.client,
                self.sport,
                self.cport,
                self.sseq,
                self.cseq,
                fin,
                &[],
            ),
        )?;
        self.sseq = self.sseq.wrapping_add(1);
        self.ack_from_client(w, ts_us + 300)
    }
}
