//! The application layer of one flow in otscan's pipeline: the sessions of the protocols it
//! may carry (the server's port decides: one protocol on its well-known port, every
//! protocol by probe elsewhere, none on another OT protocol's port), fed by the flow table,
//! and what they decode tagged for the merge of the shards' outputs in capture order.
//! Beside them, the network events (DESIGN.md §3) of the flow: its TCP connection attempt
//! and outcome, and UDP datagrams to an OT port that decode to nothing; and those of no
//! flow (ARP, ICMP), which the shard hands in through [`Ctx::network`].

use std::net::SocketAddr;

use otwire_detect::net::{Link, NetEvent, TcpOutcome};
use otwire_detect::protocol::{Arena, ConnInfo, Out, Session, registry};
use otwire_detect::{Direction, Endpoint, Event, Flow, Meta, Outcome};

use crate::flow::{FlowApp, FlowInfo, PacketMeta, Transport, WELL_KNOWN_PORTS};

/// When an output happened: the packet's index, the phase (0: flows expired before the
/// packet, or closed at the end; 1: the packet itself), and for phase 0 the flow's
/// first-packet index. Every shard's outputs are in this order, so merging them by it
/// gives the same sequence whatever the number of shards.
pub type Key = (u64, u8, u64);

/// What a flow hands to the merge.
#[derive(Debug, Clone, Copy)]
pub enum ItemKind {
    /// The flow was created (it is numbered in this order).
    Opened,
    /// One decoded (or undecodable) PDU: its index in the shard's events.
    Event(usize),
    /// The flow ended.
    Closed,
}

/// One output of a shard: its key, its flow (the index of the flow's first packet) and what
/// it is.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Merge order.
    pub key: Key,
    /// The flow, by the index of its first packet.
    pub flow: u64,
    /// What happened.
    pub kind: ItemKind,
}

/// A shard's context for one batch of packets whose bytes live for `'b`.
#[derive(Debug)]
pub struct Ctx<'b> {
    /// Copies of bytes events borrow beyond the call that decoded them.
    pub arena: Arena<'b>,
    /// The outputs, in key order.
    pub items: Vec<Item>,
    /// The events the items point to.
    pub events: Vec<Event<'b>>,
    /// The packet being handled.
    pub seq: u64,
    /// 0 while expiring flows before a packet (and at the end), 1 for the packet.
    pub phase: u8,
    /// The MAC addresses and TTL of the packet being handled ([`Link::NONE`] in phase 0:
    /// what the flow table does on its own, expiry and the end, carries no packet's).
    pub link: Link,
    /// The flow table is retiring a flow (evicting it, or ending it for a new connection on
    /// its addresses) while it handles another packet: what that makes carries no link.
    retiring: bool,
    /// Stream bytes dropped because the arena was full (a sizing bug if ever non-zero).
    pub dropped: u64,
}

impl<'b> Ctx<'b> {
    /// A context over an arena buffer that fills `items` and `events` (emptied first;
    /// their allocations are reused).
    pub fn new(arena: &'b mut [u8], mut items: Vec<Item>, events: Vec<Event<'_>>) -> Self {
        items.clear();
        Self {
            arena: Arena::new(arena),
            items,
            events: otwire_detect::protocol::recycle(events),
            seq: 0,
            phase: 1,
            link: Link::NONE,
            retiring: false,
            dropped: 0,
        }
    }

    /// The link metadata of what is made now.
    fn link(&self) -> Link {
        if self.retiring { Link::NONE } else { self.link }
    }

    fn key(&self, info: &FlowInfo) -> Key {
        let order = if self.phase == 0 { info.first_seq } else { 0 };
        (self.seq, self.phase, order)
    }

    fn push(&mut self, info: &FlowInfo, kind: ItemKind) {
        let key = self.key(info);
        self.items.push(Item {
            key,
            flow: info.first_seq,
            kind,
        });
    }

    /// A network event of `info`'s flow.
    fn emit(&mut self, info: &FlowInfo, meta: Meta, net: NetEvent) {
        let e = self.events.len();
        self.events.push(Event::network(meta, net));
        self.push(info, ItemKind::Event(e));
    }

    /// A network event of no flow (ARP, ICMP) in the packet being handled, sent from `src`
    /// to `dst` (ports 0): its `flow_id` is [`NO_FLOW`].
    pub fn network(&mut self, m: PacketMeta, src: SocketAddr, dst: SocketAddr, net: NetEvent) {
        let flow = Flow::new(Endpoint::from(src), Endpoint::from(dst));
        let e = self.events.len();
        self.events
            .push(Event::network(at(m, self.link, flow, NO_FLOW), net));
        self.items.push(Item {
            key: (self.seq, self.phase, 0),
            flow: NO_FLOW,
            kind: ItemKind::Event(e),
        });
    }
}

/// The `flow_id` of a network event that belongs to no flow (ARP, ICMP).
pub const NO_FLOW: u64 = u64::MAX;

/// The protocol sessions of one flow: `None` until its first bytes (the client may still
/// change until then: a SYN-ACK decides), then the candidates in registry order.
#[derive(Default)]
pub struct Conn {
    sessions: Option<Vec<Box<dyn Session>>>,
    /// A UDP flow to an OT port: its requests that decode to nothing are network events.
    udp_to_ot_port: bool,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.sessions.iter().flatten().map(|s| s.protocol()))
            .finish()
    }
}

/// The sessions a flow gets: the protocol whose well-known port the server is on, none on
/// another OT protocol's port, else every protocol with a mapping on the transport,
/// identified by probe.
fn candidates(info: &FlowInfo) -> Vec<Box<dyn Session>> {
    let port = info.server().port();
    let transport = info.transport;
    let all = registry();
    if let Some(p) = all.iter().find(|p| p.ports(transport).contains(&port)) {
        return vec![p.open(ConnInfo {
            transport,
            on_port: true,
        })];
    }
    if WELL_KNOWN_PORTS.contains(&port) {
        return Vec::new();
    }
    all.iter()
        .filter(|p| transport == Transport::Tcp || !p.ports(transport).is_empty())
        .map(|p| {
            p.open(ConnInfo {
                transport,
                on_port: false,
            })
        })
        .collect()
}

/// Whether `port` is a server port of an OT protocol (the registry's, on either transport,
/// or [`WELL_KNOWN_PORTS`]).
fn ot_port(port: u16) -> bool {
    WELL_KNOWN_PORTS.contains(&port)
        || registry().iter().any(|p| {
            p.ports(Transport::Tcp).contains(&port) || p.ports(Transport::Udp).contains(&port)
        })
}

fn meta(info: &FlowInfo, m: PacketMeta, link: Link) -> Meta {
    let flow = Flow::new(
        Endpoint::from(info.client_addr()),
        Endpoint::from(info.server()),
    );
    // The flow's transport is known even when no packet is (expiry, eviction, end of input).
    let ip_proto = Some(match info.transport {
        Transport::Tcp => 6,
        Transport::Udp => 17,
    });
    at(m, Link { ip_proto, ..link }, flow, info.first_seq)
}

/// The meta of what packet `m` (link metadata `link`) carries on `flow`.
fn at(m: PacketMeta, link: Link, flow: Flow, flow_id: u64) -> Meta {
    Meta {
        link,
        ts: u64::try_from(m.ts_us).unwrap_or(0),
        frame: m.frame,
        flow_id,
        flow,
    }
}

impl Conn {
    fn sessions(&mut self, info: &FlowInfo) -> &mut Vec<Box<dyn Session>> {
        self.sessions.get_or_insert_with(|| candidates(info))
    }

    /// Runs `f` on each session, moving what they emit into the shard's outputs; once a
    /// session is identified, the others are dropped; given-up sessions are dropped.
    fn each<'b>(
        &mut self,
        ctx: &mut Ctx<'b>,
        info: &FlowInfo,
        m: PacketMeta,
        mut f: impl FnMut(&mut dyn Session, &mut Out<'_, 'b>),
    ) {
        let meta = meta(info, m, ctx.link());
        let sessions = self.sessions(info);
        let mut i = 0;
        while let Some(s) = sessions.get_mut(i) {
            let start = ctx.events.len();
            {
                let mut out = Out::new(meta, &mut ctx.arena, &mut ctx.events);
                f(s.as_mut(), &mut out);
            }
            let identified = s.identified();
            let rejected = s.rejected();
            for e in start..ctx.events.len() {
                ctx.push(info, ItemKind::Event(e));
            }
            if identified && sessions.len() > 1 {
                let keep = sessions.swap_remove(i);
                sessions.clear();
                sessions.push(keep);
                return;
            }
            if rejected {
                sessions.remove(i);
            } else {
                i += 1;
            }
        }
    }
}

/// A UDP request to an OT port whose sessions made no event but undecodable ones (from
/// `start` of the shard's events) is a network event: `NetEvent::Udp`.
#[inline(never)]
fn udp_without_message(
    ctx: &mut Ctx<'_>,
    info: &FlowInfo,
    m: PacketMeta,
    start: usize,
    len: usize,
) {
    let decoded = ctx
        .events
        .get(start..)
        .is_some_and(|new| new.iter().any(|e| e.outcome != Outcome::Unparsed));
    if !decoded {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        ctx.emit(info, meta(info, m, ctx.link()), NetEvent::Udp { len });
    }
}

impl FlowApp for Conn {
    type Ctx<'b> = Ctx<'b>;

    fn retiring(ctx: &mut Ctx<'_>, on: bool) {
        ctx.retiring = on;
    }

    fn new(info: &FlowInfo, ctx: &mut Ctx<'_>) -> Self {
        ctx.push(info, ItemKind::Opened);
        Conn {
            sessions: None,
            udp_to_ot_port: info.transport == Transport::Udp && ot_port(info.server().port()),
        }
    }

    fn data<'b>(
        &mut self,
        ctx: &mut Ctx<'b>,
        info: &FlowInfo,
        dir: Direction,
        m: PacketMeta,
        data: &'b [u8],
    ) {
        let start = ctx.events.len();
        self.each(ctx, info, m, |s, out| s.data(out, dir, data));
        if self.udp_to_ot_port && dir == Direction::Request {
            udp_without_message(ctx, info, m, start, data.len());
        }
    }

    fn queued(
        &mut self,
        ctx: &mut Ctx<'_>,
        info: &FlowInfo,
        dir: Direction,
        meta: PacketMeta,
        data: &[u8],
    ) {
        match ctx.arena.copy(data) {
            Some(d) => self.each(ctx, info, meta, |s, out| s.data(out, dir, d)),
            None => {
                ctx.dropped += data.len() as u64;
                self.gap(ctx, info, dir, meta);
            }
        }
    }

    fn gap(&mut self, _ctx: &mut Ctx<'_>, info: &FlowInfo, dir: Direction, _meta: PacketMeta) {
        for s in self.sessions(info).iter_mut() {
            s.gap(dir);
        }
    }

    fn conflict(&mut self, _ctx: &mut Ctx<'_>, info: &FlowInfo, dir: Direction, _meta: PacketMeta) {
        for s in self.sessions(info).iter_mut() {
            s.conflict(dir);
        }
    }

    fn attempt(
        &mut self,
        ctx: &mut Ctx<'_>,
        info: &FlowInfo,
        client: usize,
        m: PacketMeta,
        outcome: TcpOutcome,
    ) {
        // The connection's client is the side of the SYN, whichever side the protocols
        // take for the client (a device on port 502 that opens a connection).
        let flow = Flow::new(
            Endpoint::from(info.end(client)),
            Endpoint::from(info.peer(client)),
        );
        ctx.emit(
            info,
            at(m, ctx.link(), flow, info.first_seq),
            NetEvent::Tcp(outcome),
        );
    }

    fn buffered(&self) -> usize {
        self.sessions.iter().flatten().map(|s| s.buffered()).sum()
    }

    fn close(&mut self, ctx: &mut Ctx<'_>, info: &FlowInfo, meta: PacketMeta) {
        if self.sessions.is_some() {
            self.each(ctx, info, meta, |s, out| s.close(out));
        }
        ctx.push(info, ItemKind::Closed);
    }
}
