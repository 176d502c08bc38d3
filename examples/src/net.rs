//! Link and network layers: from a captured frame to an IP payload.
//!
//! Link types (tcpdump.org LINKTYPE_* values): Ethernet (1) with 802.1Q / 802.1ad / QinQ tags,
//! BSD loopback NULL (0, host byte order) and LOOP (108, network byte order), raw IP
//! (101, and 12/14 as some systems write DLT_RAW), IPv4 (228), IPv6 (229), Linux cooked
//! capture SLL (113) and SLL2 (276). IPv4 (RFC 791) and IPv6 (RFC 8200) headers are read with
//! `etherparse`, leniently: a frame cut short by the snap length still yields what it holds.
//! What the packet layer tells detection besides the payload is read here too: the link
//! addresses and the TTL ([`Link`]), ARP packets (RFC 826) and ICMP / ICMPv6 messages
//! (RFC 792, RFC 4443).

use std::net::IpAddr;

use etherparse::{
    ArpPacketSlice, Ethernet2Slice, Icmpv4Slice, Icmpv6Slice, Ipv6HeaderSlice, LaxIpSlice,
    SingleVlanSlice,
};
use otwire_detect::event::ip_bytes;
use otwire_detect::net::{Arp, Icmp, Link, Mac};

/// EtherType of IPv4.
const ETH_IPV4: u16 = 0x0800;
/// EtherType of IPv6.
const ETH_IPV6: u16 = 0x86dd;
/// EtherType of ARP (RFC 826).
const ETH_ARP: u16 = 0x0806;
/// Most VLAN tags stacked in one frame that are unwrapped.
const MAX_VLAN_TAGS: usize = 4;

/// Fragment information of an IP packet that carries part of its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    /// IPv4 identification (16 bits) or IPv6 fragment header identification (32 bits).
    pub id: u32,
    /// Offset of this fragment in the payload, in bytes.
    pub offset: usize,
    /// More fragments follow.
    pub more: bool,
}

/// An IP packet's addresses and payload.
#[derive(Debug, Clone, Copy)]
pub struct IpPacket<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IP protocol number of the payload (6 TCP, 17 UDP).
    pub proto: u8,
    /// Present when the packet is one fragment of a larger payload.
    pub fragment: Option<Fragment>,
    /// The payload (possibly shorter than declared when the capture cut it).
    pub payload: &'a [u8],
    /// The capture cut the packet short: `payload` is incomplete.
    pub truncated: bool,
    /// Payload length the IP header declares (`payload.len()` unless truncated).
    pub declared_len: usize,
    /// IPv4 time to live (RFC 791 §3.1) or IPv6 hop limit (RFC 8200 §3).
    pub ttl: u8,
}

/// A frame's link layer: what it carries and its addresses.
#[derive(Debug, Clone, Copy)]
pub struct LinkLayer<'a> {
    /// The EtherType (after VLAN tags) or its equivalent for the link type.
    pub ether_type: u16,
    /// The rest of the frame.
    pub payload: &'a [u8],
    /// Ethernet source and destination (SLL and SLL2 have a source only; `ttl` is `None`).
    pub link: Link,
}

/// Strips the link-layer header. Returns the EtherType-like protocol and the rest, or `None`
/// for link types and protocols the scanner does not follow.
pub fn link_payload(linktype: i32, data: &[u8]) -> Option<(u16, &[u8])> {
    link_layer(linktype, data).map(|l| (l.ether_type, l.payload))
}

/// Strips the link-layer header, keeping its addresses: Ethernet's source and destination
/// (IEEE 802.3 §3.2.3), the source of SLL / SLL2 when its address is 6 bytes long.
#[inline]
pub fn link_layer(linktype: i32, data: &[u8]) -> Option<LinkLayer<'_>> {
    let bare = |(ether_type, payload)| LinkLayer {
        ether_type,
        payload,
        link: Link::NONE,
    };
    let from_sll = |(ether_type, payload), len: u8, addr: &[u8]| LinkLayer {
        ether_type,
        payload,
        link: Link {
            ip_proto: None,
            src_mac: if len == 6 { mac(addr) } else { None },
            ..Link::NONE
        },
    };
    match linktype {
        1 => {
            let eth = Ethernet2Slice::from_slice_without_fcs(data).ok()?;
            let (ether_type, payload) = unwrap_vlans(eth.ether_type().0, eth.payload_slice());
            Some(LinkLayer {
                ether_type,
                payload,
                link: Link {
                    ip_proto: None,
                    src_mac: Some(eth.source()),
                    dst_mac: Some(eth.destination()),
                    ttl: None,
                },
            })
        }
        0 => {
            // NULL: a 4-byte address family in the capturing host's byte order.
            let (fam, rest) = data.split_first_chunk::<4>()?;
            let le = u32::from_le_bytes(*fam);
            let be = u32::from_be_bytes(*fam);
            let fam = if le < 0x1_0000 { le } else { be };
            Some(bare((af_to_ethertype(fam)?, rest)))
        }
        108 => {
            let (fam, rest) = data.split_first_chunk::<4>()?;
            Some(bare((af_to_ethertype(u32::from_be_bytes(*fam))?, rest)))
        }
        101 | 12 | 14 => {
            let v = data.first()? >> 4;
            match v {
                4 => Some(bare((ETH_IPV4, data))),
                6 => Some(bare((ETH_IPV6, data))),
                _ => None,
            }
        }
        228 => Some(bare((ETH_IPV4, data))),
        229 => Some(bare((ETH_IPV6, data))),
        113 => {
            // SLL: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2).
            let (hdr, rest) = data.split_first_chunk::<16>()?;
            let [.., l0, l1, a0, a1, a2, a3, a4, a5, _, _, p0, p1] = *hdr;
            let len = if l0 == 0 { l1 } else { 0xff };
            let proto = u16::from_be_bytes([p0, p1]);
            Some(from_sll(
                unwrap_vlans(proto, rest),
                len,
                &[a0, a1, a2, a3, a4, a5],
            ))
        }
        276 => {
            // SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) type(1) addr len(1) addr(8).
            let (hdr, rest) = data.split_first_chunk::<20>()?;
            let [p0, p1, .., len, a0, a1, a2, a3, a4, a5, _, _] = *hdr;
            let proto = u16::from_be_bytes([p0, p1]);
            Some(from_sll(
                unwrap_vlans(proto, rest),
                len,
                &[a0, a1, a2, a3, a4, a5],
            ))
        }
        _ => None,
    }
}

fn mac(b: &[u8]) -> Option<Mac> {
    b.first_chunk::<6>().copied()
}

fn af_to_ethertype(fam: u32) -> Option<u16> {
    match fam {
        2 => Some(ETH_IPV4),
        // AF_INET6 differs per BSD: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
        10 | 24 | 28 | 30 => Some(ETH_IPV6),
        _ => None,
    }
}

fn unwrap_vlans(mut ether_type: u16, mut rest: &[u8]) -> (u16, &[u8]) {
    for _ in 0..MAX_VLAN_TAGS {
        if !matches!(ether_type, 0x8100 | 0x88a8 | 0x9100 | 0x9200) {
            break;
        }
        match SingleVlanSlice::from_slice(rest) {
            Ok(v) => {
                ether_type = v.ether_type().0;
                rest = v.payload_slice();
            }
            Err(_) => break,
        }
    }
    (ether_type, rest)
}

/// Decodes a captured frame down to its IP packet.
pub fn ip_packet(linktype: i32, data: &[u8]) -> Option<IpPacket<'_>> {
    ip_of(&link_layer(linktype, data)?)
}

/// The IP packet a link layer carries.
#[inline]
pub fn ip_of<'a>(l: &LinkLayer<'a>) -> Option<IpPacket<'a>> {
    if l.ether_type != ETH_IPV4 && l.ether_type != ETH_IPV6 {
        return None;
    }
    ip_slice(l.payload)
}

/// An IP packet from its first byte (an IPv4 or IPv6 header).
fn ip_slice(rest: &[u8]) -> Option<IpPacket<'_>> {
    let (ip, _) = LaxIpSlice::from_slice(rest).ok()?;
    match ip {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            let p = v4.payload();
            let fragment = if h.more_fragments() || h.fragments_offset().value() != 0 {
                Some(Fragment {
                    id: u32::from(h.identification()),
                    offset: usize::from(h.fragments_offset().value()) * 8,
                    more: h.more_fragments(),
                })
            } else {
                None
            };
            Some(IpPacket {
                src: IpAddr::V4(h.source_addr()),
                dst: IpAddr::V4(h.destination_addr()),
                proto: p.ip_number.0,
                fragment,
                payload: p.payload,
                truncated: p.incomplete,
                declared_len: if p.incomplete {
                    usize::from(h.total_len())
                        .saturating_sub(usize::from(h.ihl()) * 4)
                        .max(p.payload.len())
                } else {
                    p.payload.len()
                },
                ttl: h.ttl(),
            })
        }
        // IPv6 is read by `ipv6_packet` (etherparse 0.18's lax extension-header iterator
        // can index out of bounds on a damaged chain, found by fuzzing).
        LaxIpSlice::Ipv6(_) => ipv6_packet(rest),
    }
}

/// Most IPv6 extension headers walked before giving up.
const MAX_IPV6_EXTENSIONS: usize = 8;

/// An IPv6 packet (RFC 8200 §3, §4): the fixed header with `etherparse`, then the
/// extension-header chain (hop-by-hop 0, routing 43, fragment 44, destination options 60,
/// authentication 51, RFC 4302 §2.2) walked with checked bounds.
fn ipv6_packet(data: &[u8]) -> Option<IpPacket<'_>> {
    let h = Ipv6HeaderSlice::from_slice(data).ok()?;
    let body = data.get(40..)?;
    let declared = usize::from(h.payload_length());
    // A zero payload length is a jumbogram (RFC 2675) or unset: take what was captured.
    let (body, truncated) = if declared == 0 || declared <= body.len() {
        (
            body.get(..if declared == 0 { body.len() } else { declared })?,
            false,
        )
    } else {
        (body, true)
    };
    let mut next = h.next_header().0;
    let mut off = 0usize;
    let mut fragment = None;
    for _ in 0..MAX_IPV6_EXTENSIONS {
        let len = match next {
            0 | 43 | 60 => (usize::from(*body.get(off + 1)?) + 1) * 8,
            51 => (usize::from(*body.get(off + 1)?) + 2) * 4,
            44 => {
                let f = body.get(off..off + 8)?;
                let field = u16::from_be_bytes([*f.get(2)?, *f.get(3)?]);
                let (offset, more) = (usize::from(field >> 3) * 8, field & 1 == 1);
                if offset != 0 || more {
                    fragment = Some(Fragment {
                        id: u32::from_be_bytes([*f.get(4)?, *f.get(5)?, *f.get(6)?, *f.get(7)?]),
                        offset,
                        more,
                    });
                }
                8
            }
            _ => break,
        };
        next = *body.get(off)?;
        off = off.checked_add(len)?;
    }
    let payload = body.get(off..)?;
    Some(IpPacket {
        src: IpAddr::V6(h.source_addr()),
        dst: IpAddr::V6(h.destination_addr()),
        proto: next,
        fragment,
        payload,
        truncated,
        declared_len: if truncated {
            declared.saturating_sub(off).max(payload.len())
        } else {
            payload.len()
        },
        ttl: h.hop_limit(),
    })
}

/// The ARP packet a link layer carries, for IPv4 over Ethernet only (RFC 826: hardware
/// type 1, protocol 0x0800, address lengths 6 and 4).
pub fn arp_of(l: &LinkLayer<'_>) -> Option<Arp> {
    if l.ether_type != ETH_ARP {
        return None;
    }
    let a = ArpPacketSlice::from_slice(l.payload).ok()?;
    if a.hw_addr_type().0 != 1
        || a.proto_addr_type().0 != ETH_IPV4
        || a.hw_addr_size() != 6
        || a.proto_addr_size() != 4
    {
        return None;
    }
    let ip = |b: &[u8]| -> Option<[u8; 16]> {
        let v4: [u8; 4] = *b.first_chunk::<4>()?;
        Some(ip_bytes(IpAddr::from(v4)))
    };
    Some(Arp {
        op: a.operation().0,
        sender_mac: mac(a.sender_hw_addr())?,
        sender_ip: ip(a.sender_protocol_addr())?,
        target_mac: mac(a.target_hw_addr())?,
        target_ip: ip(a.target_protocol_addr())?,
    })
}

/// ICMP error types that quote the datagram that caused them (RFC 792: destination
/// unreachable 3, source quench 4, redirect 5, time exceeded 11, parameter problem 12).
const ICMPV4_ERRORS: [u8; 5] = [3, 4, 5, 11, 12];

/// The ICMP (protocol 1, RFC 792) or ICMPv6 (protocol 58, RFC 4443) message of an IP
/// packet: echo requests and replies, and errors with what their quoted datagram was
/// sent to (ICMPv6 errors are the types below 128, RFC 4443 §2.1). Other messages
/// (timestamps, router and neighbour discovery) give `None`.
pub fn icmp_of(ip: &IpPacket<'_>) -> Option<Icmp> {
    let (v6, kind, code, quote) = match ip.proto {
        1 => {
            let m = Icmpv4Slice::from_slice(ip.payload).ok()?;
            let (kind, code) = (m.type_u8(), m.code_u8());
            let error = ICMPV4_ERRORS.contains(&kind);
            if !error && kind != 0 && kind != 8 {
                return None;
            }
            (false, kind, code, error.then(|| m.payload()))
        }
        58 => {
            let m = Icmpv6Slice::from_slice(ip.payload).ok()?;
            let (kind, code) = (m.type_u8(), m.code_u8());
            let error = kind < 128;
            if !error && kind != 128 && kind != 129 {
                return None;
            }
            (true, kind, code, error.then(|| m.payload()))
        }
        _ => return None,
    };
    Some(Icmp {
        v6,
        kind,
        code,
        quoted: quote.and_then(quoted),
    })
}

/// What an ICMP error's quoted datagram was sent to: its protocol, destination and (TCP,
/// UDP, SCTP) destination port, 0 when the quote is too short to hold one.
fn quoted(bytes: &[u8]) -> Option<(u8, [u8; 16], u16)> {
    let ip = match bytes.first()? >> 4 {
        6 => ipv6_packet(bytes)?,
        _ => ip_slice(bytes)?,
    };
    let port = match (ip.proto, ip.payload.get(2..4)) {
        (6 | 17 | 132, Some(&[a, b])) => u16::from_be_bytes([a, b]),
        _ => 0,
    };
    Some((ip.proto, ip_bytes(ip.dst), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPV4_UDP: [u8; 29] = [
        0x45, 0, 0, 29, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, // IPv4
        0x01, 0xf6, 0x01, 0xf6, 0, 9, 0, 0, // UDP 502 -> 502, len 9
        0xaa,
    ];

    #[test]
    fn ethernet_with_qinq() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00]);
        f.extend_from_slice(&IPV4_UDP);
        let p = ip_packet(1, &f).unwrap();
        assert_eq!(p.proto, 17);
        assert_eq!(p.payload.len(), 9);
        assert_eq!(p.src, "10.0.0.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn null_and_loop_and_raw_and_sll() {
        let mut null_le = 2u32.to_le_bytes().to_vec();
        null_le.extend_from_slice(&IPV4_UDP);
        assert!(ip_packet(0, &null_le).is_some());
        let mut null_be = 2u32.to_be_bytes().to_vec();
        null_be.extend_from_slice(&IPV4_UDP);
        assert!(ip_packet(0, &null_be).is_some());
        assert!(ip_packet(108, &null_be).is_some());
        assert!(ip_packet(101, &IPV4_UDP).is_some());
        let mut sll = vec![0u8; 14];
        sll.extend_from_slice(&[0x08, 0x00]);
        sll.extend_from_slice(&IPV4_UDP);
        assert!(ip_packet(113, &sll).is_some());
        let mut sll2 = vec![0x08, 0x00];
        sll2.extend_from_slice(&[0u8; 18]);
        sll2.extend_from_slice(&IPV4_UDP);
        assert!(ip_packet(276, &sll2).is_some());
        assert!(ip_packet(147, &IPV4_UDP).is_none());
    }

    #[test]
    fn ipv4_fragment_fields() {
        let mut p = IPV4_UDP;
        p[6] = 0x20; // MF
        let ip = ip_packet(101, &p).unwrap();
        assert_eq!(
            ip.fragment,
            Some(Fragment {
                id: 1,
                offset: 0,
                more: true
            })
        );
        p[6] = 0x00;
        p[7] = 3; // offset 3*8
        let ip = ip_packet(101, &p).unwrap();
        assert_eq!(
            ip.fragment,
            Some(Fragment {
                id: 1,
                offset: 24,
                more: false
            })
        );
    }

    fn ipv6(next: u8, ext: &[u8], payload: &[u8], declared: u16) -> Vec<u8> {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&declared.to_be_bytes());
        p.extend_from_slice(&[next, 64]);
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        p.extend_from_slice(ext);
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn ipv6_with_extensions_and_fragment() {
        // Hop-by-hop (8 bytes, next: fragment), fragment (next: UDP, offset 2*8, M=1, id 77).
        let ext = [44, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0x11, 0, 0, 0, 77];
        let pkt = ipv6(0, &ext, b"abcdefgh", 24);
        let ip = ip_packet(101, &pkt).unwrap();
        assert_eq!(ip.proto, 17);
        assert_eq!(ip.payload, b"abcdefgh");
        assert_eq!(
            ip.fragment,
            Some(Fragment {
                id: 77,
                offset: 16,
                more: true
            })
        );
        // A chain that runs past the packet is not a packet (and does not panic).
        let bad = ipv6(0, &[60, 200, 0, 0], b"", 4);
        assert!(ip_packet(101, &bad).is_none());
        // Declared longer than captured: truncated.
        let cut = ipv6(6, &[], b"xy", 20);
        let ip = ip_packet(229, &cut).unwrap();
        assert!(ip.truncated);
        assert_eq!((ip.payload.len(), ip.declared_len), (2, 20));
    }

    #[test]
    fn link_addresses_per_link_type() {
        // Ethernet: destination, source, EtherType.
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        f.extend_from_slice(&IPV4_UDP);
        let l = link_layer(1, &f).unwrap();
        assert_eq!(l.link.src_mac, Some([2, 0, 0, 0, 0, 1]));
        assert_eq!(l.link.dst_mac, Some([2, 0, 0, 0, 0, 2]));
        assert_eq!(ip_of(&l).unwrap().ttl, 64);
        // SLL2: protocol, reserved, ifindex, ARPHRD, packet type, address length 6, address.
        let mut sll2 = vec![
            0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 9, 8, 7, 6, 5, 4, 0, 0,
        ];
        sll2.extend_from_slice(&IPV4_UDP);
        let l = link_layer(276, &sll2).unwrap();
        assert_eq!(
            (l.link.src_mac, l.link.dst_mac),
            (Some([9, 8, 7, 6, 5, 4]), None)
        );
        // An SLL address of another length is no MAC; raw IP has none.
        sll2[11] = 8;
        assert_eq!(link_layer(276, &sll2).unwrap().link.src_mac, None);
        assert_eq!(link_layer(101, &IPV4_UDP).unwrap().link, Link::NONE);
    }

    #[test]
    fn icmp_kinds_and_quotes() {
        let icmp = |proto: u8, payload: &[u8]| {
            let mut ip = IPV4_UDP[..20].to_vec();
            ip[9] = proto;
            ip.extend_from_slice(payload);
            ip[3] = ip.len() as u8;
            icmp_of(&ip_packet(101, &ip).unwrap())
        };
        // Echo request: type 8, code 0, checksum, identifier, sequence.
        let echo = icmp(1, &[8, 0, 0, 0, 0, 1, 0, 1]).unwrap();
        assert!(echo.is_echo_request() && echo.quoted.is_none());
        // Port unreachable (3/3) quoting the UDP datagram to 10.0.0.2:502.
        let mut err = vec![3, 3, 0, 0, 0, 0, 0, 0];
        err.extend_from_slice(&IPV4_UDP);
        let u = icmp(1, &err).unwrap();
        assert!(u.is_port_unreachable());
        let dst = ip_bytes(IpAddr::from([10, 0, 0, 2]));
        assert_eq!(u.quoted, Some((17, dst, 502)));
        // A quote cut before the ports still names the host.
        err.truncate(8 + 20 + 2);
        assert_eq!(icmp(1, &err).unwrap().quoted, Some((17, dst, 0)));
        // Timestamp request: no event; ICMPv6 echo reply (129) on IPv6.
        assert!(icmp(1, &[13, 0, 0, 0, 0, 0, 0, 0]).is_none());
        let v6 = ipv6(58, &[], &[129, 0, 0, 0, 0, 1, 0, 1], 8);
        let r = icmp_of(&ip_packet(101, &v6).unwrap()).unwrap();
        assert!(r.v6 && r.is_echo_reply());
    }

    #[test]
    fn arp_ipv4_over_ethernet_only() {
        // Hardware 1, protocol 0x0800, lengths 6 and 4, request, sender, target.
        let mut arp = vec![0, 1, 0x08, 0x00, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1];
        arp.extend_from_slice(&[0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        fn layer(p: &[u8]) -> LinkLayer<'_> {
            LinkLayer {
                ether_type: ETH_ARP,
                payload: p,
                link: Link::NONE,
            }
        }
        let a = arp_of(&layer(&arp)).unwrap();
        assert_eq!((a.op, a.sender_mac), (1, [2, 0, 0, 0, 0, 1]));
        assert_eq!(a.target_ip, ip_bytes(IpAddr::from([10, 0, 0, 2])));
        arp[5] = 16; // IPv6 addresses: not IPv4 over Ethernet
        assert!(arp_of(&layer(&arp)).is_none());
        assert!(arp_of(&layer(&arp[..20])).is_none(), "cut short");
    }

    #[test]
    fn truncated_ip_is_flagged() {
        let ip = ip_packet(101, &IPV4_UDP[..25]).unwrap();
        assert!(ip.truncated);
        assert_eq!((ip.payload.len(), ip.declared_len), (5, 9));
    }
}
