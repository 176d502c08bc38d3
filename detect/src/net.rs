//! Network events: what a packet layer sees below and around the protocols (DESIGN.md §3
//! "Network events"), and the link / IP metadata every event may carry.
//!
//! A network event is an [`Event`] like any other (same engine, same tables, same alerts)
//! whose [`Event::detail`] is [`Detail::Net`] and whose [`Event::protocol`] is one of
//! [`Protocol::Tcp`], [`Protocol::Udp`], [`Protocol::Icmp`], [`Protocol::Arp`]. otscan makes
//! them from captured packets; an embedder with its own packet layer builds them with
//! [`Event::network`]. The engine hands them only to detectors that ask for them
//! ([`Detector::network`](crate::Detector::network)), so the protocol detectors never see
//! them.
//!
//! For every network event `flow.client` is the sender of the packet that made it and
//! `flow.server` its receiver (ports 0 for ICMP and ARP), and `direction` is
//! [`Direction::Request`], except [`TcpOutcome::Refused`], which the server sent: its flow
//! is still (client, server) and its direction [`Direction::Response`].

use serde::{Deserialize, Serialize};

use crate::event::{Action, Direction, Event, Ip, Meta, Protocol};
use crate::protocol::Detail;

/// A 48-bit IEEE 802 MAC address (IEEE 802-2014 §8.1).
pub type Mac = [u8; 6];

/// Link and IP metadata of the packet that carried an event, where the caller has them
/// (captures without an Ethernet header have no MACs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Link {
    /// Ethernet source address (IEEE 802.3 §3.2.3).
    pub src_mac: Option<Mac>,
    /// Ethernet destination address (IEEE 802.3 §3.2.3).
    pub dst_mac: Option<Mac>,
    /// IPv4 time to live (RFC 791 §3.1) or IPv6 hop limit (RFC 8200 §3).
    pub ttl: Option<u8>,
    /// The IP protocol number of the traffic (RFC 791 §3.1 Protocol, RFC 8200 §3 Next
    /// Header): 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6; `None` for ARP or when unknown.
    pub ip_proto: Option<u8>,
}

impl Link {
    /// No link metadata.
    pub const NONE: Self = Self {
        src_mac: None,
        dst_mac: None,
        ttl: None,
        ip_proto: None,
    };
}

/// What a packet layer saw below the protocols (DESIGN.md §3 "Network events").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NetEvent {
    /// A TCP connection attempt or what became of it (RFC 9293 §3.5).
    Tcp(TcpOutcome),
    /// A UDP datagram to an OT port that carried no decodable message (RFC 768).
    Udp {
        /// Payload bytes.
        len: u32,
    },
    /// An ICMP (RFC 792) or ICMPv6 (RFC 4443) message.
    Icmp(Icmp),
    /// An ARP request or reply (RFC 826): an IP↔MAC binding claimed on the link.
    Arp(Arp),
}

impl NetEvent {
    /// The protocol an event of this kind carries.
    pub const fn protocol(&self) -> Protocol {
        match self {
            Self::Tcp(_) => Protocol::Tcp,
            Self::Udp { .. } => Protocol::Udp,
            Self::Icmp(_) => Protocol::Icmp,
            Self::Arp(_) => Protocol::Arp,
        }
    }
}

/// A TCP connection attempt and its outcome (RFC 9293 §3.5 connection establishment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TcpOutcome {
    /// A SYN from the client: an attempt begins (made at the first SYN of a connection).
    Syn,
    /// The server answered the SYN with RST: nothing listens on the port.
    Refused,
    /// No answer to the SYN (made when the attempt expires, is evicted, or the input ends).
    Unanswered,
    /// The server answered SYN-ACK and the client reset (or abandoned) the connection
    /// without completing the handshake: a half-open (SYN) scan.
    HalfOpen,
    /// The three-way handshake completed (the client acknowledged the SYN-ACK).
    Established,
    /// Closed (FIN or RST) after the handshake without a payload byte either way: a
    /// connect scan or a port check.
    ClosedEmpty,
}

impl TcpOutcome {
    /// The lowercase name (JSON, summaries).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Syn => "syn",
            Self::Refused => "refused",
            Self::Unanswered => "unanswered",
            Self::HalfOpen => "half_open",
            Self::Established => "established",
            Self::ClosedEmpty => "closed_empty",
        }
    }
}

/// An ICMP or ICMPv6 message (RFC 792, RFC 4443).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Icmp {
    /// ICMPv6 (RFC 4443) rather than ICMP (RFC 792).
    pub v6: bool,
    /// The message type.
    pub kind: u8,
    /// The message code.
    pub code: u8,
    /// For error messages: the quoted datagram's IP protocol, destination address and
    /// destination port (0 when it has none), i.e. what was unreachable.
    pub quoted: Option<(u8, Ip, u16)>,
}

impl Icmp {
    /// An echo request (ICMP type 8, ICMPv6 type 128): a ping.
    pub const fn is_echo_request(&self) -> bool {
        if self.v6 {
            self.kind == 128
        } else {
            self.kind == 8
        }
    }

    /// An echo reply (ICMP type 0, ICMPv6 type 129).
    pub const fn is_echo_reply(&self) -> bool {
        if self.v6 {
            self.kind == 129
        } else {
            self.kind == 0
        }
    }

    /// A destination unreachable error (ICMP type 3, ICMPv6 type 1).
    pub const fn is_unreachable(&self) -> bool {
        if self.v6 {
            self.kind == 1
        } else {
            self.kind == 3
        }
    }

    /// Port unreachable (ICMP 3/3, ICMPv6 1/4): nothing listens on a UDP port.
    pub const fn is_port_unreachable(&self) -> bool {
        self.is_unreachable() && self.code == if self.v6 { 4 } else { 3 }
    }
}

/// An ARP packet for IPv4 over Ethernet (RFC 826).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Arp {
    /// The operation (1 request, 2 reply).
    pub op: u16,
    /// The sender hardware address: the MAC that claims `sender_ip`.
    pub sender_mac: Mac,
    /// The sender protocol address (IPv4 mapped, RFC 4291 §2.5.5.2).
    pub sender_ip: Ip,
    /// The target hardware address (zero in requests).
    pub target_mac: Mac,
    /// The target protocol address (IPv4 mapped).
    pub target_ip: Ip,
}

impl Arp {
    /// ARP request (RFC 826 `ares_op$REQUEST`).
    pub const REQUEST: u16 = 1;
    /// ARP reply (RFC 826 `ares_op$REPLY`).
    pub const REPLY: u16 = 2;

    /// A gratuitous ARP / announcement: the sender asks for or answers its own address
    /// (RFC 5227 §3, RFC 5944 §4.6).
    pub fn is_gratuitous(&self) -> bool {
        self.sender_ip == self.target_ip
    }

    /// An ARP probe (RFC 5227 §2.1.1): sender address all zeros; it claims nothing.
    pub fn is_probe(&self) -> bool {
        self.sender_ip == crate::event::UNSPECIFIED
    }
}

impl<'a> Event<'a> {
    /// A network event (DESIGN.md §3): protocol from the kind, direction
    /// [`Direction::Request`] (a refused TCP attempt: [`Direction::Response`]), action
    /// [`Action::Other`], and `detail` [`Detail::Net`]. `meta.flow` holds the sender as
    /// client and the receiver as server (the connection's client and server for TCP).
    pub const fn network(meta: Meta, net: NetEvent) -> Self {
        let direction = match net {
            NetEvent::Tcp(TcpOutcome::Refused) => Direction::Response,
            _ => Direction::Request,
        };
        Self {
            action: Action::Other,
            detail: Detail::Net(net),
            ..Self::new(meta, net.protocol(), direction)
        }
    }

    /// True for a network event (its detail is [`Detail::Net`]).
    pub const fn is_network(&self) -> bool {
        matches!(self.detail, Detail::Net(_))
    }

    /// The network event, if this is one.
    pub const fn net(&self) -> Option<&NetEvent> {
        match &self.detail {
            Detail::Net(n) => Some(n),
            _ => None,
        }
    }
}
