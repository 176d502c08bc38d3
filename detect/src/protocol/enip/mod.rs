//! EtherNet/IP (ODVA CIP Vol. 2) and CIP (Vol. 1): the [`Enip`] analyzer.
//!
//! TCP 44818 is framed into encapsulation PDUs by `otwire_enip::StreamDecoder` per
//! direction (several PDUs in a segment, one PDU over many); a UDP 44818 datagram is one
//! PDU, a UDP 2222 datagram one class 0/1 I/O packet. Every PDU and every I/O packet gives
//! one event whose [`Detail::Enip`] is the [`Message`]: the PDU or packet, the CIP message
//! it carried and what it meant, all layers' anomalies. A reply takes the action, targets
//! and marks of the request it answers, paired per session by the crate's
//! [`PairingTable`] (key: sender context for unconnected messages, connection and
//! sequence count for connected ones); Forward Open and Forward Close requests and
//! replies keep the session's CIP connections ([`Connection`], at most [`CONNECTIONS`]).
//!
//! The event's fields:
//! - `function`: the CIP service (0x00-0x7F) of the request that decided the event (the
//!   one an Unconnected Send carries, a Multiple Service Packet's most dangerous), with the
//!   wrapper's service (0x52, 0x0A) in `sub_function`; [`ENCAP`]` | command` for
//!   encapsulation PDUs without a CIP message (0x163 ListIdentity, 0x165
//!   RegisterSession...); [`IO`] for I/O packets;
//! - `unit`: the backplane slot an Unconnected Send routes to (port 1; 0 when not routed),
//!   as a Modbus unit id or an S7 rack/slot says which device behind the address (the class
//!   is the target's space: a unit per class would make every new class a new device);
//! - `action` and `marks` from `otwire_enip::cip::classify` ([`action`]);
//!   ListIdentity, ListServices and ListInterfaces are `Discovery` (with Identity reads and
//!   Symbol / Template browsing marked `BASELINED`: routine for HMIs, judged by
//!   [`EnipState`]), session commands and Connection Manager services `Other` marked
//!   `SESSION`, datagrams to a broadcast address `BROADCAST`;
//! - `targets`: `Other(class)` with `start = instance << 16 | attribute`, a Logix tag in
//!   [`TAG_SPACE`] (its name hashed), a PCCC file in [`PCCC_SPACE`];
//! - `values`: `Single` of a one-element Logix tag write or read reply (for a Multiple
//!   Service Packet reply, the deciding request's own reply), of a Set Attribute Single of
//!   1, 2 or 4 bytes;
//! - `outcome`: `Exception(general << 8 | extended low byte)` for a failed CIP reply,
//!   `Exception(`[`ENCAP_STATUS`]` | status)` for an encapsulation error (a Multiple
//!   Service Packet reply: its deciding request's reply's, when that failed);
//! - `transaction`: the sender context's low 32 bits (unconnected), the CIP sequence count
//!   (connected); none for I/O packets (their sequence numbers are [`EnipState`]'s) and
//!   List* datagrams (answered from other flows).

mod conns;
mod events;
mod state;

pub use conns::{CONNECTIONS, Connection, IoSocket};
pub use events::{
    Decision, ENCAP, ENCAP_STATUS, IDENTITY_STATUS, IO, MSP_SCAN, PCCC_SPACE, SYMBOL_CLASS,
    TAG_SPACE, TEMPLATE_CLASS, action, backplane_slot, cip_outcome, danger, decide, encap_action,
    encap_function, encap_outcome, is_browsing, tag_hash, target,
};
pub use state::{
    EnipState, FLOOD_WINDOW_US, FORWARD_OPEN_FLOOD, IO_GAP, IO_REPORT_US, NMAP_CONTEXT,
    OUT_OF_CONNECTIONS, PARSER_BUGS, REGISTER_FLOOD,
};

use otwire_enip::cip::pairing::{PairingTable, Pending as CipPending};
use otwire_enip::cip::{
    Classification, Message as CipMessage, RequestBody, ResponseBody, ServiceKind,
};
use otwire_enip::{
    Anomalies, CipData, Command, Direction as EncapDir, IoPacket, Item, Pdu, Probe, StreamDecoder,
};

use super::framer::{Framer, Piece, stream_decoder};
use super::{Analyzer, ConnInfo, Detail, Out, Transport, junk, unparsed};
use crate::config::Config;
use crate::detectors::StateExtension;
use crate::event::{Action, Conformance, Direction, Event, Marks, Outcome, Protocol, Targets};

/// The EtherNet/IP TCP and UDP port (Vol. 2 §2-2).
pub const PORT: u16 = otwire_enip::PORT;
/// The class 0/1 I/O UDP port (Vol. 2 §3-3).
pub const IO_PORT: u16 = otwire_enip::IO_PORT;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 128 << 10;
/// Outstanding requests remembered per session for pairing.
pub const PENDING: usize = 32;

stream_decoder!(otwire_enip, DECODER_CAPACITY);

/// What a datagram or TCP frame was: an encapsulation PDU or an I/O packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet<'a> {
    /// An encapsulation PDU (TCP or UDP 44818, Vol. 2 §2).
    Pdu(Pdu<'a>),
    /// A class 0/1 I/O packet (UDP 2222, Vol. 2 §3-3).
    Io(IoPacket<'a>),
}

/// A CIP message's typed data: a request's, or a reply's given the request it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    /// A request's typed body (of the request itself: a Multiple Service Packet, an
    /// Unconnected Send, a Forward Open...; Vol. 1 App. A, §3-5.5).
    Request(RequestBody<'a>),
    /// A reply's typed body, given what its request meant.
    Response(ResponseBody<'a>),
}

/// An EtherNet/IP PDU or I/O packet and what decoded of it: the [`Detail`] of ENIP events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message<'a> {
    /// The encapsulation PDU or the I/O packet.
    pub packet: Packet<'a>,
    /// The CIP request or reply a SendRRData / SendUnitData carried, when it decoded.
    pub cip: Option<CipMessage<'a>>,
    /// The CIP message's typed data.
    pub body: Option<Body<'a>>,
    /// The request that decided the event, classified: the request itself, the one an
    /// Unconnected Send carries, or a Multiple Service Packet's most dangerous.
    pub decided: Option<Classification<'a>>,
    /// The typed body of the deciding request when it is an embedded one.
    pub decided_body: Option<RequestBody<'a>>,
    /// Embedded requests looked at (Unconnected Send, Multiple Service Packet).
    pub embedded: u16,
    /// What a reply answers (from the pairing table), when its request was seen.
    pub answers: Option<CipPending>,
    /// The CIP connection concerned: opened or closed by this Forward Open / Forward Close
    /// (request or reply), or carrying this connected message.
    pub connection: Option<Connection>,
    /// Every anomaly of the PDU, the CPF, the CIP message and the embedded messages.
    pub anomalies: Anomalies,
}

impl<'a> Message<'a> {
    const fn new(packet: Packet<'a>, anomalies: Anomalies) -> Self {
        Message {
            packet,
            cip: None,
            body: None,
            decided: None,
            decided_body: None,
            embedded: 0,
            answers: None,
            connection: None,
            anomalies,
        }
    }

    /// The encapsulation PDU, unless this is an I/O packet.
    pub const fn pdu(&self) -> Option<&Pdu<'a>> {
        match &self.packet {
            Packet::Pdu(p) => Some(p),
            Packet::Io(_) => None,
        }
    }

    /// The I/O packet, if this is one.
    pub const fn io(&self) -> Option<&IoPacket<'a>> {
        match &self.packet {
            Packet::Io(p) => Some(p),
            Packet::Pdu(_) => None,
        }
    }

    /// The CIP message bytes of a SendRRData / SendUnitData, with the connection id and
    /// sequence count of connected data ([`Pdu::cip`]).
    pub fn data(&self) -> Option<CipData<'a>> {
        self.pdu().and_then(Pdu::cip)
    }

    /// The encapsulation command, for a PDU.
    pub fn command(&self) -> Option<Command> {
        self.pdu().map(|p| p.header.command)
    }

    /// A request's typed body.
    pub const fn request(&self) -> Option<&RequestBody<'a>> {
        match &self.body {
            Some(Body::Request(b)) => Some(b),
            _ => None,
        }
    }

    /// A reply's typed body.
    pub const fn response(&self) -> Option<&ResponseBody<'a>> {
        match &self.body {
            Some(Body::Response(b)) => Some(b),
            _ => None,
        }
    }

    /// The typed body of the request that decided the event (embedded or not).
    pub fn deciding_body(&self) -> Option<&RequestBody<'a>> {
        self.decided_body.as_ref().or_else(|| self.request())
    }

    /// The CIP general status of a reply.
    pub fn general_status(&self) -> Option<u8> {
        match self.cip {
            Some(CipMessage::Response(r)) => Some(r.general_status),
            _ => None,
        }
    }

    /// The first extended status word of a reply (the Connection Manager's status).
    pub fn extended_status(&self) -> Option<u16> {
        match self.cip {
            Some(CipMessage::Response(r)) => r.extended_status(),
            _ => None,
        }
    }
}

/// What a request left for its reply's event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Remembered {
    live: bool,
    key: u32,
    context: u64,
    function: u16,
    sub: Option<u16>,
    unit: u16,
    action: Action,
    marks: Marks,
    targets: Targets,
    /// The deciding request's position in its Multiple Service Packet, and what it meant.
    embedded: Option<(u16, ServiceKind)>,
}

impl Remembered {
    const FREE: Remembered = Remembered {
        live: false,
        key: 0,
        context: 0,
        function: 0,
        sub: None,
        unit: 0,
        action: Action::Other,
        marks: Marks::NONE,
        targets: Targets::NONE,
        embedded: None,
    };
}

/// One EtherNet/IP session or datagram flow (DESIGN.md §3 `protocol`).
#[derive(Debug)]
pub struct Enip {
    info: ConnInfo,
    framers: [Framer<StreamDecoder>; 2],
    pairing: PairingTable<u32>,
    pending: [Remembered; PENDING],
    next: u8,
    conns: conns::Table,
}

const fn index(dir: Direction) -> usize {
    match dir {
        Direction::Request => 0,
        Direction::Response => 1,
    }
}

const fn encap_dir(dir: Direction) -> EncapDir {
    match dir {
        Direction::Request => EncapDir::Request,
        Direction::Response => EncapDir::Reply,
    }
}

/// Pairing key of unconnected messages (the context is the sender context).
const UNCONNECTED: u32 = 0;
/// Pairing key of connected messages on a connection not in the table.
const UNKNOWN_CONNECTION: u32 = 1;

impl Enip {
    fn remember(&mut self, r: Remembered) {
        // A request pending under the same key is replaced (as the pairing table does):
        // clients that send one constant sender context must not be answered with a
        // request that never got its reply.
        if let Some(old) = self
            .pending
            .iter_mut()
            .find(|p| p.live && p.key == r.key && p.context == r.context)
        {
            *old = r;
            return;
        }
        let i = usize::from(self.next) % PENDING;
        if let Some(slot) = self.pending.get_mut(i) {
            *slot = r;
        }
        self.next = ((i + 1) % PENDING) as u8;
    }

    fn recall(&mut self, key: u32, context: u64) -> Option<Remembered> {
        let slot = self
            .pending
            .iter_mut()
            .find(|p| p.live && p.key == key && p.context == context)?;
        Some(core::mem::replace(slot, Remembered::FREE))
    }

    /// The pairing key and context of a CIP message, and its connection.
    fn key(&self, data: &CipData<'_>, context: [u8; 8]) -> (u32, u64, Option<Connection>) {
        match data.conn_id {
            Some(id) => {
                let seq = u64::from(data.sequence.unwrap_or(0));
                match self.conns.by_id(id) {
                    Some((i, c)) => (2 + i as u32, seq, Some(c)),
                    None => (UNKNOWN_CONNECTION, seq, None),
                }
            }
            None => (UNCONNECTED, u64::from_le_bytes(context), None),
        }
    }

    /// The event of one encapsulation PDU (a TCP frame or a UDP 44818 datagram).
    fn encap<'b>(
        &mut self,
        out: &mut Out<'_, 'b>,
        dir: Direction,
        bytes: &'b [u8],
        datagram: bool,
    ) -> Event<'b> {
        let mut ev = out.event(Protocol::Enip, dir);
        ev.raw = bytes;
        let parsed = if datagram {
            Pdu::from_datagram(bytes, encap_dir(dir))
        } else {
            Pdu::split(bytes, encap_dir(dir)).map(|(p, _)| p)
        };
        let Ok(p) = parsed else {
            return unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, 0);
        };
        let pdu = p.pdu;
        let mut m = Message::new(Packet::Pdu(pdu), p.anomalies);
        let h = pdu.header;
        ev.function = encap_function(h.command);
        (ev.action, ev.marks) = encap_action(h.command);
        ev.outcome = encap_outcome(h.status);
        let ctx = u64::from_le_bytes(h.context);
        // List* datagrams are answered by whoever hears them, from other flows.
        let listing = ev.action == Action::Discovery;
        ev.transaction = (!(datagram && listing)).then_some(ctx as u32);
        if datagram && is_broadcast(&ev) {
            ev.marks |= Marks::BROADCAST;
        }
        if let Some(data) = pdu.cip() {
            self.cip(&mut ev, &mut m, data, h.context);
        }
        finish(ev, m)
    }

    /// The CIP part of an event.
    fn cip<'b>(
        &mut self,
        ev: &mut Event<'b>,
        m: &mut Message<'b>,
        data: CipData<'b>,
        context: [u8; 8],
    ) {
        let (key, ctx, conn) = self.key(&data, context);
        m.connection = conn;
        if data.conn_id.is_some() {
            ev.transaction = data.sequence.map(u32::from);
        }
        let msg = match CipMessage::parse(data.bytes) {
            Ok(msg) => msg,
            Err(_) => {
                m.anomalies |= Anomalies::SERVICE_DATA_SHORT;
                ev.conformance |= Conformance::MALFORMED;
                return;
            }
        };
        m.anomalies |= msg.anomalies;
        m.cip = Some(msg.pdu);
        match msg.pdu {
            CipMessage::Request(req) => {
                let (outer, d) = decide(req);
                m.body = Some(Body::Request(outer.body));
                m.decided = Some(d.classification);
                m.embedded = d.embedded;
                m.anomalies |= d.anomalies | outer.anomalies;
                if d.embedded > 0 {
                    m.decided_body = Some(d.body);
                    ev.sub_function = Some(u16::from(req.service));
                }
                ev.function = u16::from(d.request.service);
                ev.unit = d.slot;
                ev.action = d.action;
                ev.marks = d.marks;
                ev.targets = d.targets;
                ev.values = d.values;
                self.connections_request(m, &d);
                self.pairing.request(key, ctx, &req);
                self.remember(Remembered {
                    live: true,
                    key,
                    context: ctx,
                    function: ev.function,
                    sub: ev.sub_function,
                    unit: ev.unit,
                    action: ev.action,
                    marks: ev.marks,
                    targets: ev.targets,
                    embedded: d.index.map(|i| (i, d.request.kind())),
                });
            }
            CipMessage::Response(resp) => {
                let pending = self.pairing.reply(key, ctx, &resp);
                let remembered = self.recall(key, ctx);
                let kind = pending.map_or_else(|| unpaired_kind(resp.service), |p| p.kind);
                let body = resp.body(kind);
                m.anomalies |= body.anomalies;
                m.body = Some(Body::Response(body.pdu));
                m.answers = pending;
                ev.function = u16::from(resp.service);
                ev.outcome = cip_outcome(&resp);
                ev.marks = Marks::NONE;
                ev.action = Action::Other;
                if let Some(r) = remembered {
                    ev.function = r.function;
                    ev.sub_function = r.sub;
                    ev.unit = r.unit;
                    ev.action = r.action;
                    ev.marks = r.marks;
                    ev.targets = r.targets;
                }
                if matches!(kind, ServiceKind::ConnectionManager(_)) {
                    ev.marks |= Marks::SESSION;
                }
                ev.values = events::response_values(&body.pdu);
                if let (Some((i, kind)), ResponseBody::MultipleServicePacket(msp)) =
                    (remembered.and_then(|r| r.embedded), body.pdu)
                {
                    // The deciding request's own reply, at its position.
                    if let Some(Ok(r)) = msp.replies().nth(usize::from(i)) {
                        ev.values = events::response_values(&r.pdu.body(kind).pdu);
                        if ev.outcome == Outcome::Ok || resp.general_status == 0x1E {
                            ev.outcome = cip_outcome(&r.pdu);
                        }
                    }
                }
                self.connections_reply(m, &body.pdu);
            }
        }
    }

    /// A Forward Open or Forward Close request: the connection table.
    fn connections_request(&mut self, m: &mut Message<'_>, d: &Decision<'_>) {
        let routed = d.embedded > 0;
        match d.body {
            RequestBody::ForwardOpen(fo) | RequestBody::LargeForwardOpen(fo) => {
                let (ot_socket, to_socket) = sockets(m);
                let c = Connection {
                    ot_socket,
                    to_socket,
                    ..Connection::requested(&fo, routed)
                };
                self.conns.open(c);
                m.connection = Some(c);
            }
            RequestBody::ForwardClose(fc) => {
                m.connection = self.conns.closing(&fc);
            }
            _ => {}
        }
    }

    /// A Forward Open or Forward Close reply: the connection table.
    fn connections_reply(&mut self, m: &mut Message<'_>, body: &ResponseBody<'_>) {
        match body {
            ResponseBody::ForwardOpen(r) => {
                m.connection = Some(self.conns.established(r, sockets(m)));
            }
            ResponseBody::ForwardClose(r) => m.connection = self.conns.close(&r.triad),
            _ => {}
        }
    }

    /// The event of one UDP 2222 I/O packet.
    fn io<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, bytes: &'b [u8]) -> Event<'b> {
        let mut ev = out.event(Protocol::Enip, dir);
        ev.raw = bytes;
        let Ok(p) = IoPacket::parse(bytes) else {
            return unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, 0);
        };
        let m = Message::new(Packet::Io(p.pdu), p.anomalies);
        ev.function = IO;
        if is_broadcast(&ev) {
            ev.marks |= Marks::BROADCAST;
        }
        finish(ev, m)
    }

    /// One UDP datagram: an I/O packet on 2222 (unless it is an encapsulation message),
    /// else an encapsulation PDU. Bytes that are neither (no CPF / no header, or an unknown
    /// command whose length disagrees too) give no event: the stream reports the datagram
    /// as not ENIP.
    fn datagram<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) -> bool {
        let flow = out.meta.flow;
        let io_port = flow.server.port == IO_PORT
            || (flow.client.port == IO_PORT && flow.server.port != PORT);
        let ev = if io_port && otwire_enip::probe(data) != Probe::Recognized {
            let garbage = Anomalies::CPF_LAYOUT | Anomalies::CPF_TRUNCATED;
            match IoPacket::parse(data) {
                Ok(p) if !p.anomalies.contains(garbage) => self.io(out, dir, data),
                _ => return false,
            }
        } else {
            let garbage = Anomalies::UNKNOWN_COMMAND | Anomalies::ENCAP_LENGTH;
            match Pdu::from_datagram(data, encap_dir(dir)) {
                Ok(p) if !p.anomalies.contains(garbage) => self.encap(out, dir, data, true),
                _ => return false,
            }
        };
        out.emit(ev);
        true
    }
}

/// The O->T and T->O socket address items of a PDU's CPF (Vol. 2 §2-6.3.3).
fn sockets(m: &Message<'_>) -> (Option<IoSocket>, Option<IoSocket>) {
    let Some(cpf) = m.pdu().and_then(|p| p.body.cpf()) else {
        return (None, None);
    };
    cpf.items().fold((None, None), |(ot, to), item| match item {
        Item::SockaddrOt(s) => (Some(s.into()), to),
        Item::SockaddrTo(s) => (ot, Some(s.into())),
        _ => (ot, to),
    })
}

/// What a reply's service means when its request was not seen: (Large) Forward Open is
/// the Connection Manager's (no other object defines 0x54 / 0x5B); any other service is
/// taken as sent to no particular class.
fn unpaired_kind(service: u8) -> ServiceKind {
    const CM: [u8; 4] = [0x20, 0x06, 0x24, 0x01];
    let path: &[u8] = if matches!(service, 0x54 | 0x5B) {
        &CM
    } else {
        &[]
    };
    ServiceKind::resolve(service, &otwire_enip::cip::Path::padded(path))
}

/// Whether the event's destination is an IPv4 broadcast or multicast address
/// (255.255.255.255, a .255 host part, 224.0.0.0/4).
fn is_broadcast(ev: &Event<'_>) -> bool {
    match crate::event::ip_from_bytes(ev.dst().ip) {
        core::net::IpAddr::V4(v4) => {
            v4.is_broadcast() || v4.is_multicast() || v4.octets().last() == Some(&255)
        }
        core::net::IpAddr::V6(v6) => v6.is_multicast(),
    }
}

/// Sets the anomalies and conformance of `m` on `ev` and attaches it.
fn finish<'b>(mut ev: Event<'b>, m: Message<'b>) -> Event<'b> {
    let bits = m.anomalies.bits();
    ev.anomalies |= bits;
    ev.conformance |= events::conformance(bits);
    ev.detail = Detail::Enip(m);
    ev
}

impl Analyzer for Enip {
    const PROTOCOL: Protocol = Protocol::Enip;
    const NOT_PROTOCOL: &'static str = "NOT_ENIP";
    const TCP_PORTS: &'static [u16] = &[PORT];
    const UDP_PORTS: &'static [u16] = &[PORT, IO_PORT];

    fn probe(data: &[u8], transport: Transport) -> Probe {
        match transport {
            Transport::Tcp => otwire_enip::probe(data),
            Transport::Udp => match otwire_enip::probe(data) {
                Probe::Recognized => Probe::Recognized,
                _ => match IoPacket::parse(data) {
                    Ok(p) if p.anomalies.is_empty() => Probe::Recognized,
                    _ => Probe::Unrecognized,
                },
            },
        }
    }

    fn new(info: ConnInfo) -> Self {
        Self {
            info,
            framers: [Framer::default(), Framer::default()],
            pairing: PairingTable::new(PENDING),
            pending: [Remembered::FREE; PENDING],
            next: 0,
            conns: conns::Table::default(),
        }
    }

    fn decode<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) -> bool {
        if self.info.transport == Transport::Udp {
            return self.datagram(out, dir, data);
        }
        let mut framer = match self.framers.get_mut(index(dir)) {
            Some(f) => core::mem::take(f),
            None => return false,
        };
        let mut decoded = false;
        framer.feed(data, out, |out, p| {
            let ev = match p {
                Piece::Frame(bytes) => {
                    let ev = self.encap(out, dir, bytes, false);
                    decoded |=
                        ev.is_parsed() && !ev.conformance.contains(Conformance::NOT_PROTOCOL);
                    ev
                }
                Piece::Junk => junk(out, Protocol::Enip, dir),
            };
            out.emit(ev);
        });
        if let Some(f) = self.framers.get_mut(index(dir)) {
            *f = framer;
        }
        decoded
    }

    fn gap(&mut self, dir: Direction) {
        if let Some(f) = self.framers.get_mut(index(dir)) {
            f.gap();
        }
    }

    fn buffered(&self) -> usize {
        self.framers.iter().map(Framer::buffered).sum()
    }

    fn anomaly_names(bits: u64) -> impl Iterator<Item = &'static str> {
        Anomalies::from_bits_truncate(bits).names()
    }

    fn conformance(bits: u64) -> Conformance {
        events::conformance(bits)
    }

    fn state_extension(config: &Config) -> Option<Box<dyn StateExtension>> {
        Some(Box::new(EnipState::new(config)))
    }
}

impl Event<'_> {
    /// The EtherNet/IP detail, when this is an ENIP event that carries one.
    pub fn enip(&self) -> Option<&Message<'_>> {
        match &self.detail {
            Detail::Enip(m) => Some(m),
            _ => None,
        }
    }
}

impl Message<'_> {
    /// Feeds what the message says, for [`Detail::content`]: the encapsulation command and
    /// the CIP message of a SendRRData / SendUnitData, without the session handle and
    /// sender context (Vol. 2 §2-3) or a connected message's sequence count (§3-2.2).
    /// False for other commands and for I/O packets.
    pub fn content(&self, f: &mut super::Fingerprint) -> bool {
        let Packet::Pdu(pdu) = &self.packet else {
            return false;
        };
        let Some(cip) = pdu.cip() else {
            return false;
        };
        f.u64(u64::from(pdu.header.command.value()))
            .bytes(cip.bytes);
        true
    }
}
