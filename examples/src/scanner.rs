//! The scanner: captured packets in, PDU records, alerts and an asset inventory out
//! (DESIGN.md §4).
//!
//! Packets are read in batches. The main thread decodes link, IP and transport headers and
//! reassembles IP fragments; flows are sharded over worker threads by their addresses, and
//! each shard reassembles TCP and runs the protocols' analyzers (`otwire-detect`'s
//! [`protocol`](otwire_detect::protocol) module) on its flows. The shards' outputs are
//! merged back into capture order, flows are numbered, and detection, the asset inventory
//! and the records run on the merged events. Every shard sees every packet's time, so
//! flows expire at the same packet whatever the sharding, and the output is the same for
//! any number of threads (as long as the flow table is not full and the memory budget not
//! exceeded: both are per shard).
//!
//! ```
//! use otwire_examples::scanner::{Collect, Scanner, ScanOptions};
//! use otwire_examples::capture::CaptureReader;
//!
//! let mut scanner = Scanner::new(ScanOptions::default(), Collect::default());
//! let mut reader = CaptureReader::new(otwire_examples::sample::SAMPLE_PCAP).unwrap();
//! while let Some(packet) = reader.next_packet().unwrap() {
//!     scanner.packet(&packet);
//! }
//! scanner.finish();
//! assert!(!scanner.report().pdus.is_empty());
//! ```

use std::collections::BTreeMap;
use std::net::SocketAddr;

use etherparse::{TcpSlice, UdpSlice};
use hashbrown::HashMap;
use otwire_detect::protocol::Detail;
use otwire_detect::{Conformance, Event, Outcome};
use serde::Serialize;

use crate::assets::Assets;
use crate::capture::Packet;
use crate::conn::{Conn, Ctx, Item, ItemKind};
use crate::defrag::{Defrag, DefragLimits, DefragStats};
use crate::detect_engine::DetectEngine;
use crate::flow::{FlowLimits, FlowStats, FlowTable, PacketMeta, TcpSegment};
use crate::net::{self, IpPacket};
use crate::record::{AlertRecord, PduRecord, Severity};

/// Packets read before the shards run.
pub const BATCH: usize = 8192;

/// Where records go as they are produced.
pub trait Report {
    /// Whether PDU records are wanted (they are built only then).
    fn wants_pdus(&self) -> bool {
        false
    }
    /// One PDU record, in capture order.
    fn pdu(&mut self, _record: &PduRecord) {}
    /// One alert, as it fires.
    fn alert(&mut self, _alert: &AlertRecord) {}
}

impl Report for () {}

/// A [`Report`] that keeps everything in memory (tests, small captures).
#[derive(Debug, Default, Clone)]
pub struct Collect {
    /// PDU records.
    pub pdus: Vec<PduRecord>,
    /// Alerts.
    pub alerts: Vec<AlertRecord>,
}

impl Report for Collect {
    fn wants_pdus(&self) -> bool {
        true
    }
    fn pdu(&mut self, record: &PduRecord) {
        self.pdus.push(record.clone());
    }
    fn alert(&mut self, alert: &AlertRecord) {
        self.alerts.push(alert.clone());
    }
}

/// Limits and switches of a scan.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// Flow table and TCP reassembly limits (of the whole scan; each shard has its share).
    pub flows: FlowLimits,
    /// IP reassembly limits.
    pub defrag: DefragLimits,
    /// Shards (worker threads); 0 means one per core.
    pub threads: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            flows: FlowLimits::default(),
            defrag: DefragLimits::default(),
            threads: 1,
        }
    }
}

/// Counters of one protocol.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProtoStats {
    /// PDU records (messages, and reports of bytes that are not the protocol or junk).
    pub pdus: u64,
    /// Records with at least one anomaly.
    pub anomalous: u64,
}

/// Counters of a scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanStats {
    /// Capture records read.
    pub packets: u64,
    /// Captured bytes.
    pub bytes: u64,
    /// Records that were not IPv4 / IPv6 (or on an unsupported link type).
    pub not_ip: u64,
    /// IP packets that were neither TCP nor UDP, or whose transport header was damaged.
    pub other_transport: u64,
    /// Packets the capture cut short.
    pub truncated: u64,
    /// Per protocol (by name).
    pub protocols: BTreeMap<&'static str, ProtoStats>,
    /// Alerts raised.
    pub alerts: u64,
    /// Flow table counters (all shards).
    pub flows: FlowStats,
    /// IP reassembly counters.
    pub defrag: DefragStats,
    /// Stream bytes dropped for lack of scratch room (zero unless sizing is wrong).
    pub arena_dropped: u64,
}

/// Alert counts for the summary.
#[derive(Debug, Default, Clone)]
pub struct AlertStats {
    /// (technique id, technique name) -> count.
    pub by_technique: BTreeMap<(String, String), u64>,
    /// Distinct alerts (by detector, technique, src, dst, summary), first record and count.
    pub distinct: Vec<(AlertRecord, u64)>,
    index: std::collections::HashMap<(String, String, String, String, String), usize>,
}

/// Most distinct alerts kept for the summary.
const MAX_DISTINCT_ALERTS: usize = 10_000;

impl AlertStats {
    fn add(&mut self, a: &AlertRecord) {
        let count = a.count.max(1);
        *self
            .by_technique
            .entry((a.technique_id.to_string(), a.technique_name.to_string()))
            .or_default() += count;
        let key = (
            a.detector.to_string(),
            a.technique_id.to_string(),
            a.src.to_string(),
            a.dst.to_string(),
            a.summary.clone(),
        );
        if let Some(&i) = self.index.get(&key) {
            if let Some(e) = self.distinct.get_mut(i) {
                e.1 += count;
            }
        } else if self.distinct.len() < MAX_DISTINCT_ALERTS {
            self.index.insert(key, self.distinct.len());
            self.distinct.push((a.clone(), count));
        }
    }

    /// The most important distinct alerts: highest severity first, then earliest.
    pub fn top(&self, n: usize) -> Vec<&(AlertRecord, u64)> {
        let mut v: Vec<_> = self.distinct.iter().collect();
        v.sort_by(|a, b| {
            b.0.severity
                .cmp(&a.0.severity)
                .then(a.0.frame.cmp(&b.0.frame))
        });
        v.truncate(n);
        v
    }

    /// Highest severity seen.
    pub fn max_severity(&self) -> Option<Severity> {
        self.distinct.iter().map(|(a, _)| a.severity).max()
    }
}

/// The TCP header fields reassembly needs.
#[derive(Debug, Clone, Copy)]
struct TcpHeader {
    seq: u32,
    ack: u32,
    syn: bool,
    ack_flag: bool,
    fin: bool,
    rst: bool,
}

/// One TCP or UDP packet of a batch; its payload is `data[start..start + len]`.
#[derive(Debug, Clone, Copy)]
struct Pkt {
    meta: PacketMeta,
    shard: usize,
    src: SocketAddr,
    dst: SocketAddr,
    tcp: Option<TcpHeader>,
    start: usize,
    len: usize,
    declared: usize,
}

/// Packets read and not yet handed to the shards.
#[derive(Debug, Default)]
struct Batch {
    data: Vec<u8>,
    pkts: Vec<Pkt>,
    /// Payload bytes per shard.
    payload: Vec<usize>,
}

/// One shard: its flows and its scratch buffer.
struct Shard {
    flows: FlowTable<Conn>,
    arena: Vec<u8>,
    /// The last batch's vectors, emptied, kept for their allocations.
    spare_items: Vec<Item>,
    spare_events: Vec<Event<'static>>,
}

impl Shard {
    /// Runs the batch's packets of shard `me` (and every packet's time); returns the
    /// outputs and the bytes dropped for lack of scratch room.
    fn run<'b>(&mut self, arena: &'b mut Vec<u8>, batch: &'b Batch, me: usize) -> Output<'b> {
        let own = batch.payload.get(me).copied().unwrap_or(0);
        let need = 2 * (self.flows.held() + own) + 4096;
        if arena.len() < need {
            arena.resize(need, 0);
        }
        let mut ctx = Ctx::new(
            arena.get_mut(..need).unwrap_or_default(),
            std::mem::take(&mut self.spare_items),
            std::mem::take(&mut self.spare_events),
        );
        for p in &batch.pkts {
            ctx.seq = p.meta.seq;
            ctx.phase = 0;
            self.flows.sweep(&mut ctx, p.meta);
            if p.shard != me {
                continue;
            }
            ctx.phase = 1;
            let payload = batch.data.get(p.start..p.start + p.len).unwrap_or_default();
            match p.tcp {
                Some(h) => {
                    let seg = TcpSegment {
                        src: p.src,
                        dst: p.dst,
                        seq: h.seq,
                        ack: h.ack,
                        syn: h.syn,
                        ack_flag: h.ack_flag,
                        fin: h.fin,
                        rst: h.rst,
                        payload,
                        declared: p.declared,
                    };
                    self.flows.tcp(&mut ctx, seg, p.meta);
                }
                None => self.flows.udp(&mut ctx, p.src, p.dst, p.meta, payload),
            }
        }
        ctx.into()
    }

    /// Closes every flow (end of input), in order of first packet.
    fn finish<'b>(&mut self, arena: &'b mut Vec<u8>, last: PacketMeta) -> Output<'b> {
        let need = 2 * self.flows.held() + 4096;
        if arena.len() < need {
            arena.resize(need, 0);
        }
        let mut ctx = Ctx::new(
            arena.get_mut(..need).unwrap_or_default(),
            std::mem::take(&mut self.spare_items),
            std::mem::take(&mut self.spare_events),
        );
        ctx.seq = u64::MAX;
        ctx.phase = 0;
        self.flows.finish(&mut ctx, last);
        ctx.into()
    }
}

/// What a shard produced from a batch.
#[derive(Debug, Default)]
struct Output<'b> {
    items: Vec<Item>,
    events: Vec<Event<'b>>,
    dropped: u64,
}

impl<'b> From<Ctx<'b>> for Output<'b> {
    fn from(c: Ctx<'b>) -> Self {
        Output {
            items: c.items,
            events: c.events,
            dropped: c.dropped,
        }
    }
}

/// The scanner.
pub struct Scanner<R: Report> {
    shards: Vec<Shard>,
    defrag: Defrag,
    batch: Batch,
    detection: Option<DetectEngine>,
    report: R,
    assets: Assets,
    alerts: AlertStats,
    stats: ScanStats,
    /// Flow index of each open flow, by the index of its first packet.
    ids: HashMap<u64, u64>,
    next_id: u64,
    seq: u64,
    last: PacketMeta,
}

impl<R: Report> std::fmt::Debug for Scanner<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// The machine's cores.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl<R: Report> Scanner<R> {
    /// A scanner without detection.
    pub fn new(options: ScanOptions, report: R) -> Self {
        Self::build(options, report, None)
    }

    /// A scanner with detection.
    pub fn with_detection(options: ScanOptions, report: R, detection: DetectEngine) -> Self {
        Self::build(options, report, Some(detection))
    }

    fn build(options: ScanOptions, report: R, detection: Option<DetectEngine>) -> Self {
        let n = match options.threads {
            0 => cores(),
            n => n,
        }
        .clamp(1, 256);
        let share = FlowLimits {
            max_flows: options.flows.max_flows.div_ceil(n).max(1),
            max_buffered: options.flows.max_buffered.div_ceil(n),
            ..options.flows
        };
        Scanner {
            shards: (0..n)
                .map(|_| Shard {
                    flows: FlowTable::new(share),
                    arena: Vec::new(),
                    spare_items: Vec::new(),
                    spare_events: Vec::new(),
                })
                .collect(),
            defrag: Defrag::new(options.defrag),
            batch: Batch {
                payload: vec![0; n],
                ..Batch::default()
            },
            detection,
            report,
            assets: Assets::default(),
            alerts: AlertStats::default(),
            stats: ScanStats::default(),
            ids: HashMap::new(),
            next_id: 0,
            seq: 0,
            last: PacketMeta {
                frame: 0,
                ts_us: 0,
                seq: 0,
            },
        }
    }

    /// One captured packet.
    pub fn packet(&mut self, p: &Packet<'_>) {
        let stats = &mut self.stats;
        stats.packets += 1;
        stats.bytes += p.data.len() as u64;
        let meta = PacketMeta {
            frame: p.frame,
            ts_us: p.ts_us,
            seq: self.seq,
        };
        self.seq += 1;
        self.last = meta;
        let Some(ip) = net::ip_packet(p.linktype, p.data) else {
            stats.not_ip += 1;
            return;
        };
        if ip.truncated {
            stats.truncated += 1;
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
                    self.transport(&ip, meta);
                }
            }
            None => self.transport(&ip, meta),
        }
        if self.batch.pkts.len() >= BATCH {
            self.run_batch();
        }
    }

    /// Reads the transport header and queues the packet for its shard.
    fn transport(&mut self, ip: &IpPacket<'_>, meta: PacketMeta) {
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
            _ => {
                self.stats.other_transport += 1;
                return;
            }
        };
        let src = SocketAddr::new(ip.src, src_port);
        let dst = SocketAddr::new(ip.dst, dst_port);
        let shard = shard_of(src, dst, tcp.is_some(), self.shards.len());
        let start = self.batch.data.len();
        self.batch.data.extend_from_slice(payload);
        if let Some(n) = self.batch.payload.get_mut(shard) {
            *n += payload.len();
        }
        self.batch.pkts.push(Pkt {
            meta,
            shard,
            src,
            dst,
            tcp,
            start,
            len: payload.len(),
            declared,
        });
    }

    /// Runs the queued packets through the shards and handles what they decoded.
    fn run_batch(&mut self) {
        if self.batch.pkts.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let mut arenas: Vec<Vec<u8>> = self
            .shards
            .iter_mut()
            .map(|s| std::mem::take(&mut s.arena))
            .collect();
        let mut outputs: Vec<Output<'_>> = if self.shards.len() == 1 {
            self.shards
                .iter_mut()
                .zip(arenas.iter_mut())
                .map(|(s, a)| s.run(a, &batch, 0))
                .collect()
        } else {
            let batch = &batch;
            std::thread::scope(|scope| {
                let handles: Vec<_> = self
                    .shards
                    .iter_mut()
                    .zip(arenas.iter_mut())
                    .enumerate()
                    .map(|(i, (s, a))| scope.spawn(move || s.run(a, batch, i)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        };
        self.handle(&mut outputs);
        self.reclaim(outputs);
        for (s, a) in self.shards.iter_mut().zip(arenas) {
            s.arena = a;
        }
        let mut batch = batch;
        batch.data.clear();
        batch.pkts.clear();
        batch.payload.iter_mut().for_each(|n| *n = 0);
        self.batch = batch;
    }

    /// Merges the shards' outputs into capture order, numbers the flows, and runs
    /// detection, the inventory and the records on the events.
    fn handle(&mut self, outputs: &mut [Output<'_>]) {
        for o in outputs.iter() {
            self.stats.arena_dropped += o.dropped;
        }
        // Merge: the events in capture order, their flows numbered.
        let mut order: Vec<(usize, usize)> = Vec::new();
        let mut heads = vec![0usize; outputs.len()];
        loop {
            let next = outputs
                .iter()
                .zip(&heads)
                .enumerate()
                .filter_map(|(i, (o, &h))| o.items.get(h).map(|it| (it.key, i)))
                .min();
            let Some((_, i)) = next else { break };
            let Some(out) = outputs.get_mut(i) else { break };
            let Some(item) = heads.get_mut(i).and_then(|h| {
                let it = out.items.get(*h).copied();
                *h += 1;
                it
            }) else {
                break;
            };
            match item.kind {
                ItemKind::Opened => {
                    self.ids.insert(item.flow, self.next_id);
                    self.next_id += 1;
                }
                ItemKind::Closed => {
                    self.ids.remove(&item.flow);
                }
                ItemKind::Event(e) => {
                    if let Some(ev) = out.events.get_mut(e) {
                        ev.flow_id = self.ids.get(&item.flow).copied().unwrap_or(u64::MAX);
                        order.push((i, e));
                    }
                }
            }
        }
        let events: Vec<&Event<'_>> = order
            .iter()
            .filter_map(|&(i, e)| outputs.get(i).and_then(|o| o.events.get(e)))
            .collect();
        // Detection on the whole batch (detectors spread over the threads), then the
        // records, inventory and alerts of each event in order.
        let alerts = match &mut self.detection {
            Some(d) => d.observe_batch(&events, self.shards.len()),
            None => Vec::new(),
        };
        // Alerts come in event order: each event's follow its record.
        let mut next = 0;
        for (i, ev) in events.iter().enumerate() {
            self.event(ev);
            while let Some((_, a)) = alerts.get(next).filter(|(j, _)| *j == i) {
                next += 1;
                self.stats.alerts += 1;
                self.alerts.add(a);
                self.report.alert(a);
            }
        }
    }

    /// Gives each shard its output's vectors back, emptied, for the next batch.
    fn reclaim(&mut self, outputs: Vec<Output<'_>>) {
        for (s, o) in self.shards.iter_mut().zip(outputs) {
            s.spare_items = o.items;
            s.spare_events = otwire_detect::protocol::recycle(o.events);
        }
    }

    /// One event: statistics, inventory, record.
    fn event(&mut self, ev: &Event<'_>) {
        let s = self.stats.protocols.entry(ev.protocol.name()).or_default();
        s.pdus += 1;
        if anomalous(ev) {
            s.anomalous += 1;
        }
        self.assets.observe(ev);
        if self.report.wants_pdus() {
            let record = PduRecord::of(ev);
            self.report.pdu(&record);
        }
    }

    /// End of input: flushes every flow and lets detection report.
    pub fn finish(&mut self) {
        self.run_batch();
        let last = self.last;
        let mut arenas: Vec<Vec<u8>> = self
            .shards
            .iter_mut()
            .map(|s| std::mem::take(&mut s.arena))
            .collect();
        let mut outputs: Vec<_> = self
            .shards
            .iter_mut()
            .zip(arenas.iter_mut())
            .map(|(s, a)| s.finish(a, last))
            .collect();
        self.handle(&mut outputs);
        self.reclaim(outputs);
        for (s, a) in self.shards.iter_mut().zip(arenas) {
            s.arena = a;
        }
        self.defrag.finish();
    }

    /// The report (records collected, or the writer).
    pub fn report(&self) -> &R {
        &self.report
    }

    /// The report, mutably (to flush a writer).
    pub fn report_mut(&mut self) -> &mut R {
        &mut self.report
    }

    /// The asset inventory.
    pub fn assets(&self) -> &Assets {
        &self.assets
    }

    /// Alert counts.
    pub fn alerts(&self) -> &AlertStats {
        &self.alerts
    }

    /// Counters.
    pub fn stats(&self) -> ScanStats {
        let mut s = self.stats.clone();
        let mut flows = FlowStats::default();
        for sh in &self.shards {
            flows = flows.merge(sh.flows.stats());
        }
        s.flows = flows;
        s.defrag = self.defrag.stats();
        s
    }

    /// The detection back end (to save a baseline).
    pub fn detection(&self) -> Option<&DetectEngine> {
        self.detection.as_ref()
    }
}

/// Whether an event's record lists an anomaly.
fn anomalous(ev: &Event<'_>) -> bool {
    ev.anomalies != 0
        || ev
            .conformance
            .intersects(Conformance::MALFORMED | Conformance::JUNK)
        || (matches!(ev.detail, Detail::None)
            && ev.outcome == Outcome::Unparsed
            && ev.conformance.contains(Conformance::NOT_PROTOCOL))
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
