//! Link and network layers: from a captured frame to an IP payload.
//!
//! Link types (tcpdump.org LINKTYPE_* values): Ethernet (1) with 802.1Q / 802.1ad / QinQ tags,
//! BSD loopback NULL (0, host byte order) and LOOP (108, network byte order), raw IP
//! (101, and 12/14 as some systems write DLT_RAW), IPv4 (228), IPv6 (229), Linux cooked
//! capture SLL (113) and SLL2 (276). IPv4 (RFC 791) and IPv6 (RFC 8200) headers are read with
//! `etherparse`, leniently: a frame cut short by the snap length still yields what it holds.

use std::net::IpAddr;

use etherparse::{Ethernet2Slice, Ipv6HeaderSlice, LaxIpSlice, SingleVlanSlice};

/// EtherType of IPv4.
const ETH_IPV4: u16 = 0x0800;
/// EtherType of IPv6.
const ETH_IPV6: u16 = 0x86dd;
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
}

/// Strips the link-layer header. Returns the EtherType-like protocol and the rest, or `None`
/// for link types and protocols the scanner does not follow.
pub fn link_payload(linktype: i32, data: &[u8]) -> Option<(u16, &[u8])> {
    match linktype {
        1 => {
            let eth = Ethernet2Slice::from_slice_without_fcs(data).ok()?;
            Some(unwrap_vlans(eth.ether_type().0, eth.payload_slice()))
        }
        0 => {
            // NULL: a 4-byte address family in the capturing host's byte order.
            let (fam, rest) = data.split_first_chunk::<4>()?;
            let le = u32::from_le_bytes(*fam);
            let be = u32::from_be_bytes(*fam);
            let fam = if le < 0x1_0000 { le } else { be };
            Some((af_to_ethertype(fam)?, rest))
        }
        108 => {
            let (fam, rest) = data.split_first_chunk::<4>()?;
            Some((af_to_ethertype(u32::from_be_bytes(*fam))?, rest))
        }
        101 | 12 | 14 => {
            let v = data.first()? >> 4;
            match v {
                4 => Some((ETH_IPV4, data)),
                6 => Some((ETH_IPV6, data)),
                _ => None,
            }
        }
        228 => Some((ETH_IPV4, data)),
        229 => Some((ETH_IPV6, data)),
        113 => {
            // SLL: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2).
            let (hdr, rest) = data.split_first_chunk::<16>()?;
            let proto = u16::from_be_bytes([hdr[14], hdr[15]]);
            Some(unwrap_vlans(proto, rest))
        }
        276 => {
            // SLL2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) type(1) addr len(1) addr(8).
            let (hdr, rest) = data.split_first_chunk::<20>()?;
            let proto = u16::from_be_bytes([hdr[0], hdr[1]]);
            Some(unwrap_vlans(proto, rest))
        }
        _ => None,
    }
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
    let (ether_type, rest) = link_payload(linktype, data)?;
    if ether_type != ETH_IPV4 && ether_type != ETH_IPV6 {
        return None;
    }
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
    })
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
    fn truncated_ip_is_flagged() {
        let ip = ip_packet(101, &IPV4_UDP[..25]).unwrap();
        assert!(ip.truncated);
        assert_eq!((ip.payload.len(), ip.declared_len), (5, 9));
    }
}
