//! The protocol-neutral record of one application PDU (DESIGN.md §3 `Event`).
//!
//! An [`Event`] borrows its variable-length data from the parsed PDU and is built on the
//! stack: making one allocates nothing. Adapters (one module per protocol) fill it; the
//! detectors only ever read it.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::net::Link;
use crate::protocol::Detail;

/// An IP address as 16 bytes: IPv6, or IPv4 mapped into `::ffff:0:0/96` (RFC 4291 §2.5.5.2).
///
/// Kept as a plain array so that table keys stay small, `Copy` and cheap to hash.
pub type Ip = [u8; 16];

/// One side of a flow: an IP address and a transport port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Endpoint {
    /// The address, IPv4 mapped into IPv6 (RFC 4291 §2.5.5.2).
    pub ip: Ip,
    /// The TCP or UDP port.
    pub port: u16,
}

impl Endpoint {
    /// An IPv4 endpoint.
    pub const fn v4(octets: [u8; 4], port: u16) -> Self {
        let [a, b, c, d] = octets;
        Self {
            ip: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d],
            port,
        }
    }

    /// An endpoint from any IP address.
    pub const fn new(ip: IpAddr, port: u16) -> Self {
        Self {
            ip: ip_bytes(ip),
            port,
        }
    }

    /// The address as a standard [`IpAddr`] (IPv4-mapped addresses come back as IPv4).
    pub fn ip_addr(&self) -> IpAddr {
        ip_from_bytes(self.ip)
    }
}

/// The 16-byte form of an address (IPv4 mapped, RFC 4291 §2.5.5.2).
pub const fn ip_bytes(ip: IpAddr) -> Ip {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// The standard address of a 16-byte one (IPv4-mapped addresses come back as IPv4).
pub fn ip_from_bytes(ip: Ip) -> IpAddr {
    let v6 = Ipv6Addr::from(ip);
    match v6.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(v6),
    }
}

impl From<SocketAddr> for Endpoint {
    fn from(addr: SocketAddr) -> Self {
        Self::new(addr.ip(), addr.port())
    }
}

impl From<Endpoint> for SocketAddr {
    fn from(e: Endpoint) -> Self {
        SocketAddr::new(e.ip_addr(), e.port)
    }
}

impl fmt::Display for Endpoint {
    /// `"192.0.2.1:502"` or `"[2001:db8::1]:502"`, as DESIGN.md §4 writes `src` / `dst`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&SocketAddr::from(*self), f)
    }
}

impl FromStr for Endpoint {
    type Err = core::net::AddrParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SocketAddr::from_str(s).map(Self::from)
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::string::String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Unspecified IPv4 address, used for defaults.
pub const UNSPECIFIED: Ip = ip_bytes(IpAddr::V4(Ipv4Addr::UNSPECIFIED));

/// The two ends of a conversation: the client (the side that opened the connection, or the
/// master) and the server (the outstation, the PLC).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Flow {
    /// The requesting side (master, client, controlling station).
    pub client: Endpoint,
    /// The answering side (outstation, server, controlled station).
    pub server: Endpoint,
}

impl Flow {
    /// A flow from its two ends.
    pub const fn new(client: Endpoint, server: Endpoint) -> Self {
        Self { client, server }
    }
}

/// The protocol of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Protocol {
    /// Modbus (TCP, UDP, RTU), including UMAS carried in function 90.
    Modbus,
    /// DNP3 (IEEE 1815).
    Dnp3,
    /// IEC 60870-5-104 (and -101).
    Iec104,
    /// S7comm / S7comm-plus.
    S7,
    /// EtherNet/IP and CIP.
    Enip,
    /// Bytes on a protocol's port that are not that protocol.
    Unknown,
    /// A TCP network event (connection attempts and outcomes, [`crate::net`]).
    Tcp,
    /// A UDP network event (a datagram to an OT port without a message, [`crate::net`]).
    Udp,
    /// An ICMP or ICMPv6 network event ([`crate::net`]).
    Icmp,
    /// An ARP network event ([`crate::net`]).
    Arp,
}

impl Protocol {
    /// The lowercase name used in JSON records (DESIGN.md §4 `proto`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Modbus => "modbus",
            Self::Dnp3 => "dnp3",
            Self::Iec104 => "iec104",
            Self::S7 => "s7comm",
            Self::Enip => "enip",
            Self::Unknown => "unknown",
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Icmp => "icmp",
            Self::Arp => "arp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which side sent the PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the client / master to the server / outstation.
    Request,
    /// From the server / outstation back (including unsolicited and spontaneous data).
    Response,
}

/// What a PDU does, in protocol-neutral terms (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Reads process data (coils, registers, points, variables).
    Read,
    /// Writes process data or parameters.
    Write,
    /// Operates an output (select/operate, direct operate, single command).
    Command,
    /// Sends a program or configuration to the device.
    ProgramDownload,
    /// Reads a program or configuration from the device.
    ProgramUpload,
    /// Changes the controller's operating mode (run, stop, init).
    ModeChange,
    /// Restarts the device or its communications.
    Restart,
    /// Asks the device who it is (identification, SZL, device attributes).
    Discovery,
    /// Diagnostics and counters.
    Diagnostic,
    /// Sets the device clock.
    TimeSync,
    /// Transfers a file.
    FileTransfer,
    /// Changes communication or reporting configuration.
    Config,
    /// Anything else (keep-alives, session management, unknown functions).
    Other,
}

impl Action {
    /// True for actions that change process state (Write, Command).
    pub const fn is_write(self) -> bool {
        matches!(self, Self::Write | Self::Command)
    }

    /// The snake_case name used in JSON records.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Command => "command",
            Self::ProgramDownload => "program_download",
            Self::ProgramUpload => "program_upload",
            Self::ModeChange => "mode_change",
            Self::Restart => "restart",
            Self::Discovery => "discovery",
            Self::Diagnostic => "diagnostic",
            Self::TimeSync => "time_sync",
            Self::FileTransfer => "file_transfer",
            Self::Config => "config",
            Self::Other => "other",
        }
    }
}

macro_rules! flags16 {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $flag:ident = $bit:expr,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        pub struct $name(pub u16);
        impl $name {
            /// No flag set.
            pub const NONE: Self = Self(0);
            $($(#[$fm])* pub const $flag: Self = Self(1 << $bit);)*
            /// Every flag, with its stable name.
            pub const ALL: &'static [(&'static str, Self)] = &[$((stringify!($flag), Self::$flag),)*];
            /// True if every flag of `other` is set.
            pub const fn contains(self, other: Self) -> bool { self.0 & other.0 == other.0 }
            /// True if any flag of `other` is set.
            pub const fn intersects(self, other: Self) -> bool { self.0 & other.0 != 0 }
            /// True if no flag is set.
            pub const fn is_empty(self) -> bool { self.0 == 0 }
            /// The names of the set flags.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().filter(move |(_, f)| self.intersects(*f)).map(|(n, _)| *n)
            }
        }
        impl core::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, o: Self) -> Self { Self(self.0 | o.0) }
        }
        impl core::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, o: Self) { self.0 |= o.0 }
        }
    };
}

flags16! {
    /// Protocol-neutral facts about a PDU that single-message matchers key on
    /// (ATT&CK for ICS indicators, `../shared/attack/INDICATORS.md`).
    Marks {
        /// The PDU makes the device stop answering or reporting (Modbus FC 8 sub 4 force
        /// listen-only, DNP3 disable unsolicited): T0814 / T0804.
        BLOCKS_REPORTING = 0,
        /// The PDU reads the controller's operating state (UMAS read PLC status, SZL CPU
        /// state): T0868.
        READS_DEVICE_STATE = 1,
        /// The PDU edits the running program (UMAS online change): T0889.
        MODIFIES_PROGRAM = 2,
        /// The PDU reserves the controller for exclusive engineering access (UMAS take
        /// reservation).
        RESERVATION = 3,
        /// The PDU is sent to a broadcast address (Modbus unit 0, DNP3 0xFFFD-0xFFFF).
        BROADCAST = 4,
        /// The PDU carries a vendor-specific envelope (UMAS in Modbus FC 90).
        VENDOR = 5,
        /// The PDU only keeps the session or link going: keep-alives, acknowledgements and
        /// link tests (IEC 104 S frames and U frames, DNP3 application Confirm). Not an
        /// operation on the device, so the operation allowlist does not judge it.
        SESSION = 6,
        /// Routine for some clients and suspicious from others: the single-message
        /// matchers leave the PDU to its protocol's state extension, which reports it
        /// only from a client not seen sending it while learning (S7 SZL identification
        /// and CPU-state reads, which HMIs and engineering stations make all the time).
        BASELINED = 7,
    }
}

flags16! {
    /// Protocol-neutral conformance findings, summarising a parser's `Anomalies` (family 7).
    Conformance {
        /// Nothing decodes: the bytes are not a valid PDU of the protocol.
        MALFORMED = 0,
        /// The bytes are not this protocol at all (another protocol on its port): T0869 / T0885.
        NOT_PROTOCOL = 1,
        /// A declared length or byte count disagrees with the data.
        LENGTH = 2,
        /// A function or type code that the protocol does not define.
        UNKNOWN_FUNCTION = 3,
        /// A quantity, address range or value outside what the specification allows.
        OUT_OF_SPEC = 4,
        /// Reserved bits or fields set.
        RESERVED = 5,
        /// A frame longer than the protocol's maximum.
        OVERSIZE = 6,
        /// A checksum or CRC that does not match.
        CHECKSUM = 7,
        /// Any other parser anomaly.
        OTHER = 8,
        /// Bytes skipped between frames while resynchronising (with `MALFORMED`).
        JUNK = 9,
        /// The PDU's bytes were sent twice with different content (a TCP segment resent a
        /// sequence range with other bytes: an overlap conflict in reassembly), the mark of
        /// an injection by a host on the path or of IDS evasion: T0830.
        OVERLAP_CONFLICT = 10,
    }
}

/// An address space inside a device.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Space {
    /// Single-bit read/write outputs (Modbus coils, DNP3 binary outputs).
    Coils,
    /// Single-bit read-only inputs (Modbus discrete inputs, DNP3 binary inputs).
    DiscreteInputs,
    /// Read/write words (Modbus holding registers, DNP3 analog outputs, setpoints).
    HoldingRegisters,
    /// Read-only words (Modbus input registers, DNP3 analog inputs, measurands).
    InputRegisters,
    /// File records (Modbus FC 20/21, DNP3 g70).
    Files,
    /// A protocol-specific space, identified by a protocol-chosen number.
    Other(u16),
    /// No address space.
    #[default]
    None,
}

impl Space {
    /// A small number per space (for hashing and sketches).
    pub const fn code(self) -> u32 {
        match self {
            Self::Coils => 1,
            Self::DiscreteInputs => 2,
            Self::HoldingRegisters => 3,
            Self::InputRegisters => 4,
            Self::Files => 5,
            Self::None => 0,
            Self::Other(n) => 0x1_0000 | n as u32,
        }
    }

    /// True for spaces holding single bits.
    pub const fn is_bits(self) -> bool {
        matches!(self, Self::Coils | Self::DiscreteInputs)
    }
}

/// A range of addresses in one space: `count` points from `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Target {
    /// The address space.
    pub space: Space,
    /// The first address.
    pub start: u32,
    /// How many consecutive points (0 for none).
    pub count: u32,
}

impl Target {
    /// A range of `count` points from `start` in `space`.
    pub const fn new(space: Space, start: u32, count: u32) -> Self {
        Self {
            space,
            start,
            count,
        }
    }

    /// The last address (inclusive), saturating.
    pub const fn end(&self) -> u32 {
        self.start.saturating_add(self.count.saturating_sub(1))
    }
}

/// Up to two address ranges touched by one PDU (Modbus FC 23 reads one and writes another).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Targets {
    items: [Target; 2],
    len: u8,
}

impl Targets {
    /// No target.
    pub const NONE: Self = Self {
        items: [Target::new(Space::None, 0, 0); 2],
        len: 0,
    };

    /// One target.
    pub const fn one(t: Target) -> Self {
        Self {
            items: [t, Target::new(Space::None, 0, 0)],
            len: 1,
        }
    }

    /// Two targets.
    pub const fn two(a: Target, b: Target) -> Self {
        Self {
            items: [a, b],
            len: 2,
        }
    }

    /// The targets as a slice.
    pub fn as_slice(&self) -> &[Target] {
        self.items.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The target at `i`.
    pub fn get(&self, i: usize) -> Option<&Target> {
        self.as_slice().get(i)
    }

    /// True if there is no target.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Process values carried by a PDU, borrowed from it.
///
/// Values belong to the target at [`Event::values_target`]: the `i`-th value is the point at
/// that target's `start + i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Values<'a> {
    /// No values.
    #[default]
    None,
    /// Packed bits, least significant bit first (Modbus coil / discrete input data).
    Bits {
        /// The packed bytes.
        bytes: &'a [u8],
        /// How many bits are meaningful.
        count: u32,
    },
    /// Big-endian 16-bit words (Modbus register data).
    U16Be(&'a [u8]),
    /// One value (a single coil or register write, a single command).
    Single(i64),
}

impl<'a> Values<'a> {
    /// How many values there are.
    pub fn len(&self) -> usize {
        match *self {
            Self::None => 0,
            Self::Bits { bytes, count } => (count as usize).min(bytes.len().saturating_mul(8)),
            Self::U16Be(b) => b.len() / 2,
            Self::Single(_) => 1,
        }
    }

    /// True if there is no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values, in order, widened to `i64` (bits as 0/1, words unsigned).
    pub fn iter(&self) -> ValueIter<'a> {
        ValueIter {
            values: *self,
            i: 0,
            n: self.len(),
        }
    }
}

/// Iterator over [`Values`]; allocation-free and `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct ValueIter<'a> {
    values: Values<'a>,
    i: usize,
    n: usize,
}

impl Iterator for ValueIter<'_> {
    type Item = i64;
    fn next(&mut self) -> Option<i64> {
        if self.i >= self.n {
            return None;
        }
        let i = self.i;
        self.i += 1;
        match self.values {
            Values::None => None,
            Values::Bits { bytes, .. } => bytes.get(i / 8).map(|b| i64::from((b >> (i % 8)) & 1)),
            Values::U16Be(b) => {
                let pair = b.get(i * 2..i * 2 + 2)?;
                let mut w = [0u8; 2];
                w.copy_from_slice(pair);
                Some(i64::from(u16::from_be_bytes(w)))
            }
            Values::Single(v) => Some(v),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let r = self.n.saturating_sub(self.i);
        (r, Some(r))
    }
}

/// How a PDU ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A normal request or a positive response.
    #[default]
    Ok,
    /// An exception or negative response, with the protocol's code (Modbus exception code,
    /// IEC 104 negative confirm cause…).
    Exception(u16),
    /// The bytes could not be decoded at all.
    Unparsed,
}

/// Metadata the caller supplies with every PDU: when, which capture record, which flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Meta {
    /// Capture timestamp in microseconds since the Unix epoch. Time comes only from here.
    pub ts: u64,
    /// The 1-based capture record number that completed the PDU (0 if unknown).
    pub frame: u64,
    /// The caller's flow number (0-based, in order of first packet).
    pub flow_id: u64,
    /// Client and server.
    pub flow: Flow,
    /// Link and IP metadata of the packet that completed the PDU, where the caller has them.
    pub link: Link,
}

/// One application PDU, protocol-neutral (DESIGN.md §3). Borrowing; building one allocates
/// nothing. [`Event::detail`] is the decoded message itself, typed, for detectors and
/// record writers that need more than the neutral fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event<'a> {
    /// Capture timestamp, microseconds since the Unix epoch.
    pub ts: u64,
    /// The 1-based capture record number (0 if unknown).
    pub frame: u64,
    /// The caller's flow number.
    pub flow_id: u64,
    /// Client and server.
    pub flow: Flow,
    /// Link and IP metadata (MACs, TTL) of the packet that completed the PDU.
    pub link: Link,
    /// The protocol.
    pub protocol: Protocol,
    /// Request or response.
    pub direction: Direction,
    /// Unit id / link address / common address / rack-slot.
    pub unit: u16,
    /// The requesting station's own protocol address, where the protocol names one (the
    /// DNP3 master's link address, IEEE 1815-2012 §9.2.5); `None` otherwise.
    pub station: Option<u16>,
    /// What the PDU does.
    pub action: Action,
    /// The raw function / service / type code (without an exception bit).
    pub function: u16,
    /// A sub-function (Modbus FC 8 sub-function, FC 43 MEI type, UMAS function code).
    pub sub_function: Option<u16>,
    /// Single-message facts for matchers.
    pub marks: Marks,
    /// The address ranges touched.
    pub targets: Targets,
    /// Values carried, belonging to `targets[values_target]`.
    pub values: Values<'a>,
    /// The index of the target the values belong to.
    pub values_target: u8,
    /// Success, exception, or undecodable.
    pub outcome: Outcome,
    /// The transaction id / sequence number pairing requests and responses, if any.
    pub transaction: Option<u32>,
    /// Protocol-neutral conformance findings.
    pub conformance: Conformance,
    /// The parser's own anomaly bits (protocol-specific; names via the protocol's `describe` entry).
    pub anomalies: u64,
    /// The PDU's bytes (for evidence; may be empty).
    pub raw: &'a [u8],
    /// The decoded message, typed and borrowed (`Detail::None` when there is none).
    pub detail: Detail<'a>,
    /// A message a record is written for but detection does not see (a DNP3 link frame
    /// that completes no fragment and breaks nothing); [`Engine::observe`](crate::Engine)
    /// skips it.
    pub record_only: bool,
}

impl<'a> Event<'a> {
    /// A minimal event: an `Other` request with nothing else set. Adapters and tests fill
    /// the rest with struct update syntax.
    pub const fn new(meta: Meta, protocol: Protocol, direction: Direction) -> Self {
        Self {
            ts: meta.ts,
            frame: meta.frame,
            flow_id: meta.flow_id,
            flow: meta.flow,
            link: meta.link,
            protocol,
            direction,
            unit: 0,
            station: None,
            action: Action::Other,
            function: 0,
            sub_function: None,
            marks: Marks::NONE,
            targets: Targets::NONE,
            values: Values::None,
            values_target: 0,
            outcome: Outcome::Ok,
            transaction: None,
            conformance: Conformance::NONE,
            anomalies: 0,
            raw: &[],
            detail: Detail::None,
            record_only: false,
        }
    }

    /// The sender of the PDU.
    pub const fn src(&self) -> Endpoint {
        match self.direction {
            Direction::Request => self.flow.client,
            Direction::Response => self.flow.server,
        }
    }

    /// The receiver of the PDU.
    pub const fn dst(&self) -> Endpoint {
        match self.direction {
            Direction::Request => self.flow.server,
            Direction::Response => self.flow.client,
        }
    }

    /// True if the PDU was decoded as the protocol (not `Unparsed`, not another protocol).
    pub const fn is_parsed(&self) -> bool {
        !matches!(self.outcome, Outcome::Unparsed)
            && !self.conformance.intersects(Conformance(
                Conformance::NOT_PROTOCOL.0 | Conformance::MALFORMED.0,
            ))
    }

    /// The target the values belong to.
    pub fn value_target(&self) -> Option<&Target> {
        self.targets.get(usize::from(self.values_target))
    }
}
