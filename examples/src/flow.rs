//! The flow table: TCP connections and UDP conversations, numbered in order of first packet,
//! with the client side decided once, expired by idle capture time and capped in number.
//!
//! Who is the client (DESIGN.md §4 `dir`): when exactly one side is on a protocol's
//! well-known port, the other side (the protocol's server listens there; a device on port 502
//! that opens a connection still speaks as the Modbus server, and its PDUs are responses, as
//! Wireshark reads them too); otherwise the side that sent a SYN without ACK, or received a
//! SYN-ACK; when the capture starts mid-connection, the side on the higher port; failing
//! that, the side that sent first.

use hashbrown::HashMap;
use std::net::{IpAddr, SocketAddr};

use otwire_detect::Direction;
use otwire_detect::net::TcpOutcome;
pub use otwire_detect::protocol::Transport;

use crate::tcp::{HalfStream, StreamEvent, TcpLimits};

mod handshake;
use handshake::Handshake;

/// Server ports of the protocols the scanner knows (Modbus 502 and 802 (TLS), DNP3 20000,
/// IEC 104 2404, S7/ISO-TSAP 102, EtherNet/IP 44818 and 2222).
pub const WELL_KNOWN_PORTS: &[u16] = &[502, 802, 20000, 2404, 102, 44818, 2222];

/// What the application layer knows about its flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowInfo {
    /// 0-based index of the flow in order of first packet.
    pub id: u64,
    /// Transport protocol.
    pub transport: Transport,
    /// The two endpoints; index 0 sent the flow's first packet.
    pub ends: [SocketAddr; 2],
    /// Index in `ends` of the client (the side whose messages are requests).
    pub client: usize,
    /// The capture did not show the connection opening.
    pub mid_stream: bool,
    /// The capture-order index of the flow's first packet: a key that orders flows the same
    /// way whichever thread tracks them.
    pub first_seq: u64,
}

impl FlowInfo {
    /// Whether `side` is the client.
    pub fn is_client(&self, side: usize) -> bool {
        side == self.client
    }

    /// The direction of what `side` sends: requests from the client, responses from the
    /// server.
    pub fn direction(&self, side: usize) -> Direction {
        if self.is_client(side) {
            Direction::Request
        } else {
            Direction::Response
        }
    }

    /// The side that sends in `dir`.
    pub fn side(&self, dir: Direction) -> usize {
        match dir {
            Direction::Request => self.client,
            Direction::Response => 1 - self.client.min(1),
        }
    }

    /// The endpoint of `side` (0 or 1; anything else is side 1).
    pub fn end(&self, side: usize) -> SocketAddr {
        let [a, b] = self.ends;
        if side == 0 { a } else { b }
    }

    /// The endpoint opposite `side`.
    pub fn peer(&self, side: usize) -> SocketAddr {
        self.end(usize::from(side == 0))
    }

    /// The server endpoint.
    pub fn server(&self) -> SocketAddr {
        self.peer(self.client)
    }

    /// The client endpoint.
    pub fn client_addr(&self) -> SocketAddr {
        self.end(self.client)
    }
}

/// Per-packet context handed to the application layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketMeta {
    /// Frame number of the capture record (1-based in its file).
    pub frame: u64,
    /// Capture time, microseconds since the epoch.
    pub ts_us: i64,
    /// The packet's index in the whole scan (0-based, across files).
    pub seq: u64,
}

/// The application layer of one flow. `Ctx<'b>` is the caller's context for a run of
/// packets whose bytes live for `'b`.
pub trait FlowApp: Sized {
    /// Shared context (outputs, scratch) of all flows.
    type Ctx<'b>;
    /// A new flow.
    fn new(info: &FlowInfo, ctx: &mut Self::Ctx<'_>) -> Self;
    /// Stream bytes (TCP, in order) or one whole datagram (UDP) sent in `dir`.
    fn data<'b>(
        &mut self,
        ctx: &mut Self::Ctx<'b>,
        info: &FlowInfo,
        dir: Direction,
        meta: PacketMeta,
        data: &'b [u8],
    );
    /// Stream bytes the table had queued (out of order), valid for this call only.
    fn queued(
        &mut self,
        ctx: &mut Self::Ctx<'_>,
        info: &FlowInfo,
        dir: Direction,
        meta: PacketMeta,
        data: &[u8],
    );
    /// Bytes sent in `dir` are missing before the next `data` (TCP only).
    fn gap(&mut self, ctx: &mut Self::Ctx<'_>, info: &FlowInfo, dir: Direction, meta: PacketMeta);
    /// A segment sent in `dir` resent bytes with different content (an overlap conflict,
    /// TCP only): called just before the stream bytes of the range it concerns, or before
    /// the next bytes when the range was delivered already (see [`crate::tcp`]).
    fn conflict(
        &mut self,
        ctx: &mut Self::Ctx<'_>,
        info: &FlowInfo,
        dir: Direction,
        meta: PacketMeta,
    ) {
        let _ = (ctx, info, dir, meta);
    }
    /// Bytes the application layer holds for this flow (decoder buffers), for the table's
    /// memory budget.
    fn buffered(&self) -> usize {
        0
    }
    /// A TCP connection attempt or what became of it (RFC 9293 §3.5; DESIGN.md §3
    /// "Network events"): `client` is the side (0 or 1 of `info.ends`) that sent the first
    /// SYN, whichever side `info` calls the client. Reported before the bytes of the
    /// segment that makes it; `Unanswered` and an abandoned `HalfOpen` just before `close`.
    fn attempt(
        &mut self,
        ctx: &mut Self::Ctx<'_>,
        info: &FlowInfo,
        client: usize,
        meta: PacketMeta,
        outcome: TcpOutcome,
    ) {
        let _ = (ctx, info, client, meta, outcome);
    }
    /// The table starts (`true`) or ends (`false`) retiring a flow: flushing its streams,
    /// reporting its attempt's end and closing it, on its own, whatever packet it handles.
    fn retiring(ctx: &mut Self::Ctx<'_>, on: bool) {
        let _ = (ctx, on);
    }
    /// The flow ended (closed, expired, evicted, or end of capture).
    fn close(&mut self, ctx: &mut Self::Ctx<'_>, info: &FlowInfo, meta: PacketMeta);
}

/// Limits of the flow table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowLimits {
    /// Flows tracked at once; the longest idle are evicted to make room.
    pub max_flows: usize,
    /// Idle capture time (µs) after which a flow is expired.
    pub idle_us: i64,
    /// Idle capture time (µs) after which a closed (FIN both ways or RST) flow is forgotten.
    pub closed_idle_us: i64,
    /// Idle capture time (µs) after which a flow that is only a connection attempt (a SYN
    /// and its answer, no payload either way) is forgotten, an unanswered SYN reported: a
    /// SYN scan of every port then holds a few seconds' worth of flows, not the table.
    pub syn_idle_us: i64,
    /// Reassembly limits per direction.
    pub tcp: TcpLimits,
    /// Bytes all flows together may hold in reassembly queues, windows of recent bytes and
    /// decoder buffers; past it,
    /// the flow that just grew is flushed (its queued bytes delivered with gaps, its
    /// decoders told of a gap), so memory stays bounded whatever the number of flows.
    pub max_buffered: usize,
}

impl Default for FlowLimits {
    fn default() -> Self {
        Self {
            max_flows: 65_536,
            idle_us: 600_000_000,
            closed_idle_us: 30_000_000,
            syn_idle_us: 5_000_000,
            tcp: TcpLimits::default(),
            max_buffered: 32 << 20,
        }
    }
}

/// Counters of the flow table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct FlowStats {
    /// Flows created.
    pub flows: u64,
    /// Flows expired by idle time.
    pub expired: u64,
    /// Flows evicted because the table was full.
    pub evicted: u64,
    /// TCP bytes delivered in order.
    pub tcp_bytes: u64,
    /// Retransmitted segments dropped.
    pub retransmissions: u64,
    /// Segments that arrived out of order.
    pub out_of_order: u64,
    /// Gaps (bytes missing from the capture) reported to the decoders.
    pub gaps: u64,
    /// Segments that resent bytes with different content (overlap conflicts).
    pub overlap_conflicts: u64,
    /// Flows flushed because all flows together held more than `max_buffered` bytes.
    pub pressure_flushes: u64,
    /// Bytes held in reassembly queues and decoder buffers now.
    pub buffered: u64,
}

impl FlowStats {
    /// The sum of two tables' counters.
    pub fn merge(self, o: Self) -> Self {
        Self {
            flows: self.flows + o.flows,
            expired: self.expired + o.expired,
            evicted: self.evicted + o.evicted,
            tcp_bytes: self.tcp_bytes + o.tcp_bytes,
            retransmissions: self.retransmissions + o.retransmissions,
            out_of_order: self.out_of_order + o.out_of_order,
            gaps: self.gaps + o.gaps,
            overlap_conflicts: self.overlap_conflicts + o.overlap_conflicts,
            pressure_flushes: self.pressure_flushes + o.pressure_flushes,
            buffered: self.buffered + o.buffered,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    transport: Transport,
    lo: SocketAddr,
    hi: SocketAddr,
}

/// Two words per key instead of the derived field-by-field hash (a `SocketAddr` hashes its
/// variant, address and port one write at a time): one table lookup per packet. Equal keys
/// hash alike; nothing iterates the table in hash order (every walk sorts by first packet).
impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        fn word(a: SocketAddr) -> u64 {
            let ip = match a.ip() {
                IpAddr::V4(v) => u64::from(u32::from(v)),
                IpAddr::V6(v) => {
                    let x = u128::from(v);
                    (x as u64) ^ ((x >> 64) as u64).rotate_left(17)
                }
            };
            (ip << 16) ^ (ip >> 48) ^ u64::from(a.port())
        }
        h.write_u64(word(self.lo));
        h.write_u64(word(self.hi) ^ (u64::from(self.transport == Transport::Tcp) << 63));
    }
}

impl Key {
    fn new(transport: Transport, a: SocketAddr, b: SocketAddr) -> Self {
        if a <= b {
            Self {
                transport,
                lo: a,
                hi: b,
            }
        } else {
            Self {
                transport,
                lo: b,
                hi: a,
            }
        }
    }
}

struct Flow<A> {
    info: FlowInfo,
    app: A,
    half: [HalfStream; 2],
    fin: [bool; 2],
    closed: bool,
    last_ts: i64,
    /// Client decided by a SYN / SYN-ACK (never overridden by heuristics).
    client_from_handshake: bool,
    /// The connection's opening, for the TCP network events.
    handshake: Handshake,
    /// Bytes this flow holds (reassembly queues and decoder buffers), as last counted.
    buffered: usize,
}

/// A TCP segment's header fields the reassembly needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    /// Source.
    pub src: SocketAddr,
    /// Destination.
    pub dst: SocketAddr,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number (valid when `ack_flag`).
    pub ack: u32,
    /// SYN flag.
    pub syn: bool,
    /// ACK flag.
    pub ack_flag: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// The captured payload.
    pub payload: &'a [u8],
    /// The payload length the headers declare (larger when the capture cut the segment).
    pub declared: usize,
}

/// The flow table, generic over the application layer.
pub struct FlowTable<A: FlowApp> {
    /// Boxed: a table kept full under churn grows to about 2.6 buckets per flow, and a
    /// bucket then costs a key and a pointer, not a whole flow.
    flows: HashMap<Key, Box<Flow<A>>>,
    /// Sum of every flow's `buffered`.
    buffered: usize,
    next_id: u64,
    limits: FlowLimits,
    stats: FlowStats,
    last_sweep: i64,
}

impl<A: FlowApp> std::fmt::Debug for FlowTable<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowTable")
            .field("flows", &self.flows.len())
            .field("stats", &self.stats)
            .finish()
    }
}

fn well_known(port: u16) -> bool {
    WELL_KNOWN_PORTS.contains(&port)
}

/// Which of two endpoints is the client when no handshake was seen (0 = the first sender).
fn guess_client(first: SocketAddr, other: SocketAddr) -> usize {
    match (well_known(first.port()), well_known(other.port())) {
        (true, false) => 1,
        (false, true) => 0,
        _ if first.port() < other.port() => 1,
        _ => 0,
    }
}

impl<A: FlowApp> FlowTable<A> {
    /// An empty table.
    pub fn new(limits: FlowLimits) -> Self {
        Self {
            flows: HashMap::new(),
            buffered: 0,
            next_id: 0,
            limits,
            stats: FlowStats::default(),
            last_sweep: i64::MIN,
        }
    }

    /// Counters (reassembly counters include flows still open).
    pub fn stats(&self) -> FlowStats {
        let mut s = self.stats;
        s.buffered = self.buffered as u64;
        for f in self.flows.values() {
            add_half_stats(&mut s, &f.half);
        }
        s
    }

    /// Bytes all flows hold now (reassembly queues and decoder buffers).
    pub fn held(&self) -> usize {
        self.buffered
    }

    /// Flows currently tracked.
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    /// Whether no flow is tracked.
    pub fn is_empty(&self) -> bool {
        self.flows.is_empty()
    }

    /// The flow of a packet and the packet's side (0: the flow's first sender). One hash
    /// lookup on the hot path; SYNs and a full table take a slower one.
    fn lookup_or_create(
        &mut self,
        ctx: &mut A::Ctx<'_>,
        transport: Transport,
        src: SocketAddr,
        dst: SocketAddr,
        meta: PacketMeta,
        fresh_syn: bool,
    ) -> (&mut Flow<A>, usize, usize) {
        let key = Key::new(transport, src, dst);
        if fresh_syn {
            // A new connection on a 5-tuple whose previous connection carried data or closed.
            let restart = self
                .flows
                .get(&key)
                .is_some_and(|f| f.closed || f.half.iter().any(HalfStream::has_data));
            if restart && let Some(mut old) = self.flows.remove(&key) {
                self.retire(ctx, &mut old, meta);
            }
        }
        if self.flows.len() >= self.limits.max_flows.max(1) && !self.flows.contains_key(&key) {
            self.make_room(ctx, meta);
        }
        let total = self.buffered;
        let (next_id, stats, limits) = (&mut self.next_id, &mut self.stats, self.limits);
        let flow = self.flows.entry(key).or_insert_with(|| {
            let info = FlowInfo {
                id: *next_id,
                transport,
                ends: [src, dst],
                client: guess_client(src, dst),
                mid_stream: transport == Transport::Tcp,
                first_seq: meta.seq,
            };
            *next_id += 1;
            stats.flows += 1;
            let app = A::new(&info, ctx);
            Box::new(Flow {
                info,
                app,
                half: [HalfStream::new(limits.tcp), HalfStream::new(limits.tcp)],
                fin: [false; 2],
                closed: false,
                last_ts: meta.ts_us,
                client_from_handshake: false,
                handshake: Handshake::default(),
                buffered: 0,
            })
        });
        let side = usize::from(flow.info.ends[0] != src);
        (flow, side, total)
    }

    /// One UDP datagram.
    pub fn udp<'b>(
        &mut self,
        ctx: &mut A::Ctx<'b>,
        src: SocketAddr,
        dst: SocketAddr,
        meta: PacketMeta,
        payload: &'b [u8],
    ) {
        self.sweep(ctx, meta);
        let (f, side, _) = self.lookup_or_create(ctx, Transport::Udp, src, dst, meta, false);
        f.last_ts = meta.ts_us;
        let dir = f.info.direction(side);
        f.app.data(ctx, &f.info, dir, meta, payload);
    }

    /// One TCP segment.
    pub fn tcp<'b>(&mut self, ctx: &mut A::Ctx<'b>, seg: TcpSegment<'b>, meta: PacketMeta) {
        self.sweep(ctx, meta);
        let fresh_syn = seg.syn && !seg.ack_flag;
        let max_buffered = self.limits.max_buffered;
        let (f, side, total) =
            self.lookup_or_create(ctx, Transport::Tcp, seg.src, seg.dst, meta, fresh_syn);
        f.last_ts = meta.ts_us;
        if seg.syn {
            let client = if seg.ack_flag { 1 - side } else { side };
            let by_port = well_known(f.info.ends[0].port()) != well_known(f.info.ends[1].port());
            if !f.client_from_handshake && !f.half.iter().any(HalfStream::has_data) {
                if !by_port {
                    f.info.client = client;
                }
                f.info.mid_stream = false;
                f.client_from_handshake = true;
            }
            if let Some(h) = f.half.get_mut(side) {
                h.syn(seg.seq);
            }
        }
        let flags = handshake::Flags {
            syn: seg.syn,
            ack: seg.ack_flag,
            fin: seg.fin,
            rst: seg.rst,
            payload: seg.declared.max(seg.payload.len()) > 0,
        };
        for outcome in f.handshake.segment(side, flags).into_iter().flatten() {
            let client = f.handshake.client();
            f.app.attempt(ctx, &f.info, client, meta, outcome);
        }
        let Flow {
            info, app, half, ..
        } = f;
        let [h0, h1] = half;
        let (mine, peer) = if side == 0 { (h0, h1) } else { (h1, h0) };
        if seg.ack_flag {
            peer.peer_acked(seg.ack, &mut |e| {
                dispatch(app, ctx, info, 1 - side, meta, e)
            });
        }
        let seq = if seg.syn {
            seg.seq.wrapping_add(1)
        } else {
            seg.seq
        };
        // A window of recent bytes only for conversations (see `HalfStream::keep_recent`).
        mine.keep_recent(peer.has_data());
        mine.segment(seq, seg.payload, seg.declared, &mut |e| {
            dispatch(app, ctx, info, side, meta, e)
        });
        if seg.fin
            && let Some(fin) = f.fin.get_mut(side)
        {
            *fin = true;
        }
        if seg.rst || (f.fin[0] && f.fin[1]) {
            if !f.closed {
                let Flow {
                    info, app, half, ..
                } = f;
                for (s, h) in half.iter_mut().enumerate() {
                    h.finish(&mut |e| dispatch(app, ctx, info, s, meta, e));
                }
            }
            f.closed = true;
        }
        let before = f.buffered;
        f.buffered = held(f);
        let mut flushed = false;
        if total.saturating_sub(before) + f.buffered > max_buffered {
            // Memory pressure: this flow gives up what it holds.
            flushed = true;
            let Flow {
                info, app, half, ..
            } = &mut *f;
            for (s, h) in half.iter_mut().enumerate() {
                h.finish(&mut |e| dispatch(app, ctx, info, s, meta, e));
                app.gap(ctx, info, info.direction(s), meta);
            }
            f.buffered = held(f);
        }
        let after = f.buffered;
        self.buffered = total.saturating_sub(before) + after;
        if flushed {
            self.stats.pressure_flushes += 1;
        }
    }

    /// Expires idle flows (at most once per second of capture time). Called with every
    /// packet's time, also by a shard for packets another shard handles, so that flows
    /// expire at the same packet whatever the sharding.
    pub fn sweep(&mut self, ctx: &mut A::Ctx<'_>, meta: PacketMeta) {
        if meta.ts_us >= self.last_sweep.saturating_add(1_000_000) || meta.ts_us < self.last_sweep {
            self.last_sweep = meta.ts_us;
            self.expire(ctx, meta);
        }
    }

    fn expire(&mut self, ctx: &mut A::Ctx<'_>, meta: PacketMeta) {
        let now = meta.ts_us;
        let (idle, closed_idle) = (self.limits.idle_us, self.limits.closed_idle_us);
        let syn_idle = self.limits.syn_idle_us;
        let dead: Vec<Key> = self
            .flows
            .iter()
            .filter(|(_, f)| {
                let age = now.saturating_sub(f.last_ts);
                age > idle
                    || (f.closed && age > closed_idle)
                    || (age > syn_idle && f.handshake.attempt_only())
            })
            .map(|(k, _)| *k)
            .collect();
        let mut keys = dead;
        keys.sort_by_key(|k| self.flows.get(k).map_or(0, |f| f.info.first_seq));
        for k in keys {
            if let Some(mut f) = self.flows.remove(&k) {
                if !f.closed {
                    self.stats.expired += 1;
                }
                self.retire(ctx, &mut f, meta);
            }
        }
    }

    fn make_room(&mut self, ctx: &mut A::Ctx<'_>, meta: PacketMeta) {
        if self.flows.len() < self.limits.max_flows.max(1) {
            return;
        }
        self.expire(ctx, meta);
        if self.flows.len() < self.limits.max_flows.max(1) {
            return;
        }
        // Evict the longest-idle sixteenth (at least one) in one pass: the age of the n-th
        // oldest is found among (last packet, first packet) pairs, which are distinct, so
        // exactly n flows are at most that old.
        let n = (self.flows.len() / 16).max(1);
        let mut ages: Vec<(i64, u64)> = self
            .flows
            .values()
            .map(|f| (f.last_ts, f.info.first_seq))
            .collect();
        if ages.len() < n {
            return;
        }
        let cut = *ages.select_nth_unstable(n - 1).1;
        drop(ages);
        let mut old: Vec<(i64, u64, Key)> = self
            .flows
            .iter()
            .filter(|(_, f)| (f.last_ts, f.info.first_seq) <= cut)
            .map(|(k, f)| (f.last_ts, f.info.first_seq, *k))
            .collect();
        old.sort_unstable_by_key(|(ts, id, _)| (*ts, *id));
        for (_, _, k) in old {
            if let Some(mut f) = self.flows.remove(&k) {
                self.stats.evicted += 1;
                self.retire(ctx, &mut f, meta);
            }
        }
        self.compact(n);
    }

    /// Rebuilds the table when removals have left so few free buckets that the next `n`
    /// insertions would make it double: a table kept full under churn otherwise grows to
    /// twice the buckets its flows need.
    fn compact(&mut self, n: usize) {
        if self.flows.capacity() - self.flows.len() >= n {
            return;
        }
        let room = self.flows.len() + n;
        let old = std::mem::replace(&mut self.flows, HashMap::with_capacity(room));
        self.flows.extend(old);
    }

    fn retire(&mut self, ctx: &mut A::Ctx<'_>, f: &mut Flow<A>, meta: PacketMeta) {
        A::retiring(ctx, true);
        self.buffered = self.buffered.saturating_sub(f.buffered);
        f.buffered = 0;
        let Flow {
            info,
            app,
            half,
            closed,
            handshake,
            ..
        } = f;
        if !*closed {
            for (s, h) in half.iter_mut().enumerate() {
                h.finish(&mut |e| dispatch(app, ctx, info, s, meta, e));
            }
        }
        if let Some(outcome) = handshake.end() {
            app.attempt(ctx, info, handshake.client(), meta, outcome);
        }
        app.close(ctx, info, meta);
        add_half_stats(&mut self.stats, half);
        A::retiring(ctx, false);
    }

    /// End of input: every flow is flushed and closed, in order of first packet.
    pub fn finish(&mut self, ctx: &mut A::Ctx<'_>, meta: PacketMeta) {
        self.finish_upto(ctx, meta, u64::MAX);
    }

    /// The first-packet indexes of the `n` oldest flows (all of them when there are
    /// fewer), in no order: what a caller closing several tables in rounds takes its bound
    /// for [`finish_upto`](Self::finish_upto) from.
    pub fn oldest_first_seqs(&self, n: usize) -> Vec<u64> {
        let mut seqs: Vec<u64> = self.flows.values().map(|f| f.info.first_seq).collect();
        if n < seqs.len() {
            seqs.select_nth_unstable(n);
            seqs.truncate(n);
        }
        seqs
    }

    /// End of input, in part: the flows whose first packet is at most `bound` are flushed
    /// and closed, in order of first packet (so that a caller closing a full table in
    /// rounds holds one round's outputs at a time).
    pub fn finish_upto(&mut self, ctx: &mut A::Ctx<'_>, meta: PacketMeta, bound: u64) {
        let mut all: Vec<(u64, Key)> = self
            .flows
            .iter()
            .filter(|(_, f)| f.info.first_seq <= bound)
            .map(|(k, f)| (f.info.first_seq, *k))
            .collect();
        all.sort_unstable_by_key(|(id, _)| *id);
        for (_, k) in all {
            if let Some(mut f) = self.flows.remove(&k) {
                self.retire(ctx, &mut f, meta);
            }
        }
    }
}

/// Bytes a flow holds: its reassembly queues and windows and its decoders' buffers.
fn held<A: FlowApp>(f: &Flow<A>) -> usize {
    f.half.iter().map(HalfStream::held).sum::<usize>() + f.app.buffered()
}

fn add_half_stats(s: &mut FlowStats, half: &[HalfStream; 2]) {
    for h in half {
        let t = h.stats();
        s.tcp_bytes += t.bytes;
        s.retransmissions += t.retransmissions;
        s.out_of_order += t.out_of_order;
        s.gaps += t.gaps;
        s.overlap_conflicts += t.conflicts;
    }
}

fn dispatch<'b, A: FlowApp>(
    app: &mut A,
    ctx: &mut A::Ctx<'b>,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    e: StreamEvent<'b, '_>,
) {
    let dir = info.direction(side);
    match e {
        StreamEvent::Data(d) => app.data(ctx, info, dir, meta, d),
        StreamEvent::Queued(d) => app.queued(ctx, info, dir, meta, d),
        StreamEvent::Gap => app.gap(ctx, info, dir, meta),
        StreamEvent::Conflict => app.conflict(ctx, info, dir, meta),
    }
}

/// Formats an address as `ip:port` (IPv6 in brackets).
pub fn endpoint(ip: IpAddr, port: u16) -> SocketAddr {
    SocketAddr::new(ip, port)
}

#[cfg(test)]
mod tests;
