//! The scanner: captured packets in, PDU records, alerts and an asset inventory out
//! (DESIGN.md §4).
//!
//! Packets are read in batches ([`batch`](crate::batch): link, IP and transport headers,
//! IP reassembly; on a thread of its own with [`Scanner::read_alongside`]). Flows are
//! sharded over worker threads by their addresses, and each shard reassembles TCP and runs
//! the protocols' analyzers (`otwire-detect`'s [`protocol`](otwire_detect::protocol)
//! module) on its flows. The shards' outputs are merged back into capture order, flows are
//! numbered, and detection (on its own threads) runs beside the asset inventory and the
//! records on the merged events. Every shard sees every packet's time, so flows expire at
//! the same packet whatever the sharding, and the output is the same for any number of
//! threads (as long as the flow table is not full and the memory budget not exceeded:
//! both are per shard).
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

use std::sync::atomic::{AtomicBool, Ordering};

use otwire_detect::{Event, Meta};
use serde::Serialize;

use crate::assets::Assets;
pub use crate::batch::BATCH;
use crate::batch::{Batch, Front};
use crate::capture::Packet;
use crate::defrag::{DefragLimits, DefragStats};
use crate::detect_engine::DetectEngine;
use crate::flow::{FlowLimits, FlowStats, PacketMeta};
use crate::record::{AlertRecord, PduRecord, Severity};
use crate::shard::{self, Shard};
use crate::sink::Sink;

/// Where records go as they are produced.
pub trait Report {
    /// Whether PDU records are wanted (they are built only then).
    fn wants_pdus(&self) -> bool {
        false
    }
    /// One PDU record, in capture order.
    fn pdu(&mut self, _record: &PduRecord) {}
    /// One alert, in the order alerts fire (records and alerts are two streams: an
    /// event's alerts may come before or after its record).
    fn alert(&mut self, _alert: &AlertRecord) {}
    /// Every event detection sees, in capture order, before its record: the protocols'
    /// PDUs, and the network events (TCP connection attempts and outcomes, UDP datagrams to
    /// an OT port without a message, ICMP, ARP: DESIGN.md §3, `Event::is_network`), which
    /// go to detection and here only, never into the PDU records, the inventory or the
    /// protocol counts.
    fn event(&mut self, _event: &Event<'_>) {}
    /// Whether writing failed (the scan then stops reading).
    fn failed(&self) -> bool {
        false
    }
}

impl Report for () {}

/// A [`Report`] that keeps everything in memory (tests, small captures).
#[derive(Debug, Default, Clone)]
pub struct Collect {
    /// PDU records.
    pub pdus: Vec<PduRecord>,
    /// Alerts.
    pub alerts: Vec<AlertRecord>,
    /// The network events (they borrow nothing; the PDUs' events are in `pdus`).
    pub network: Vec<Event<'static>>,
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
    fn event(&mut self, event: &Event<'_>) {
        if let Some(&net) = event.net() {
            let meta = Meta {
                ts: event.ts,
                frame: event.frame,
                flow_id: event.flow_id,
                flow: event.flow,
                link: event.link,
            };
            self.network.push(Event::network(meta, net));
        }
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
    /// IP packets that were neither TCP, UDP nor an ICMP echo or error, or whose transport
    /// header was damaged.
    pub other_transport: u64,
    /// Packets the capture cut short.
    pub truncated: u64,
    /// Per protocol (by name).
    pub protocols: BTreeMap<&'static str, ProtoStats>,
    /// Network events by kind (`tcp_syn`, `tcp_refused`, `tcp_unanswered`,
    /// `tcp_half_open`, `tcp_established`, `tcp_closed_empty`, `udp_no_message`,
    /// `icmp_echo_request`, `icmp_echo_reply`, `icmp_error`, `arp`).
    pub network: BTreeMap<&'static str, u64>,
    /// Alerts raised (aggregates included).
    pub alerts: u64,
    /// The findings they stand for (the sum of their counts).
    pub findings: u64,
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
    /// Distinct alerts (by detector, technique, src, dst, summary), first record (without
    /// its evidence and tactics, to keep the table small) and count.
    pub distinct: Vec<(AlertRecord, u64)>,
    index: std::collections::HashMap<(String, String, String, String, String), usize>,
}

/// An alert without its evidence, tactics and lists: what the summary prints.
fn slim(a: &AlertRecord) -> AlertRecord {
    AlertRecord {
        tactics: Vec::new(),
        evidence: serde_json::Map::new(),
        sources: Vec::new(),
        hosts: Vec::new(),
        ports: Vec::new(),
        ..a.clone()
    }
}

/// Most distinct alerts kept for the summary.
const MAX_DISTINCT_ALERTS: usize = 10_000;

impl AlertStats {
    pub(crate) fn add(&mut self, a: &AlertRecord) {
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
            self.distinct.push((slim(a), count));
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

/// Flows (of all shards together) closed in one round at the end of input.
const FINISH_ROUND: usize = 4096;

/// The scanner.
pub struct Scanner<R: Report> {
    front: Front,
    back: Back<R>,
}

/// Everything after reading: the shards, detection, the inventory and the report.
struct Back<R: Report> {
    shards: Vec<Shard>,
    /// Each shard's scratch room.
    arenas: Vec<Vec<u8>>,
    sink: Sink<R>,
    /// A handled batch, emptied, for the front end to fill next.
    spare: Option<Batch>,
}

impl<R: Report> std::fmt::Debug for Scanner<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("stats", &self.stats())
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
            front: Front::new(options.defrag, n),
            back: Back {
                shards: (0..n).map(|_| Shard::new(share)).collect(),
                arenas: vec![Vec::new(); n],
                sink: Sink::new(report, detection),
                spare: None,
            },
        }
    }

    /// Shards (worker threads).
    pub fn threads(&self) -> usize {
        self.back.shards.len()
    }

    /// One captured packet.
    pub fn packet(&mut self, p: &Packet<'_>) {
        if self.front.packet(p) {
            self.run_batch();
        }
    }

    /// Runs the packets read so far now, without waiting for a full batch: a live capture
    /// calls it when the wire goes quiet, so records and alerts do not wait for [`BATCH`]
    /// packets. The output is the same whatever the batch boundaries.
    pub fn run_pending(&mut self) {
        self.run_batch();
    }

    /// Runs the packets read so far through the shards and handles what they decoded.
    fn run_batch(&mut self) {
        let fresh = self.back.spare.take().unwrap_or_default();
        let full = self.front.swap(fresh);
        self.back.spare = Some(self.back.run_batch(full));
    }

    /// Reads on a thread of its own: `read` gets a function to hand each captured packet
    /// to (it returns `false` once the report has failed: stop reading), and batches are
    /// handled on this thread as they fill while the next one is read. The output is the
    /// same as handing the packets to [`packet`](Scanner::packet) one by one.
    pub fn read_alongside<T: Send>(
        &mut self,
        read: impl FnOnce(&mut dyn FnMut(&Packet<'_>) -> bool) -> T + Send,
    ) -> T {
        let Scanner { front, back } = self;
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(1);
        let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Batch>();
        if let Some(b) = back.spare.take() {
            let _ = spare_tx.send(b);
        }
        let failed = AtomicBool::new(back.sink.report.failed());
        std::thread::scope(|s| {
            let failed = &failed;
            let reader = s.spawn(move || {
                let mut hand = |p: &Packet<'_>| {
                    if front.packet(p) {
                        let fresh = spare_rx.try_recv().unwrap_or_default();
                        if full_tx.send(front.swap(fresh)).is_err() {
                            return false;
                        }
                    }
                    !failed.load(Ordering::Relaxed)
                };
                read(&mut hand)
            });
            // The batch handled last is kept: the reader may be done with its spares.
            let mut kept = None;
            for batch in full_rx {
                if let Some(b) = kept.replace(back.run_batch(batch)) {
                    let _ = spare_tx.send(b);
                }
                if back.sink.report.failed() {
                    failed.store(true, Ordering::Relaxed);
                }
            }
            if kept.is_some() {
                back.spare = kept;
            }
            match reader.join() {
                Ok(t) => t,
                Err(e) => std::panic::resume_unwind(e),
            }
        })
    }

    /// End of input: flushes every flow and lets detection report.
    pub fn finish(&mut self) {
        self.run_batch();
        let last = self.front.last();
        self.back.finish(last);
        self.front.finish();
    }

    /// The report (records collected, or the writer).
    pub fn report(&self) -> &R {
        &self.back.sink.report
    }

    /// The report, mutably (to flush a writer).
    pub fn report_mut(&mut self) -> &mut R {
        &mut self.back.sink.report
    }

    /// The asset inventory.
    pub fn assets(&self) -> &Assets {
        &self.back.sink.assets
    }

    /// Collects, from now on, what the HTML report needs beyond the inventory and the
    /// counters: the communication map's edges and the alerts with their evidence
    /// ([`crate::report`]). Off unless called (it costs a table lookup per PDU).
    pub fn collect_for_report(&mut self) {
        self.back
            .sink
            .collected
            .get_or_insert_with(Default::default);
    }

    /// What [`collect_for_report`](Scanner::collect_for_report) collected.
    pub fn collected(&self) -> Option<&crate::report::Collected> {
        self.back.sink.collected.as_ref()
    }

    /// Alert counts.
    pub fn alerts(&self) -> &AlertStats {
        &self.back.sink.alerts
    }

    /// Counters.
    pub fn stats(&self) -> ScanStats {
        let mut s = self.back.sink.stats.clone();
        let read = self.front.stats();
        s.packets = read.packets;
        s.bytes = read.bytes;
        s.not_ip = read.not_ip;
        s.other_transport = read.other_transport;
        s.truncated = read.truncated;
        let mut flows = FlowStats::default();
        for sh in &self.back.shards {
            flows = flows.merge(sh.flows.stats());
        }
        s.flows = flows;
        s.defrag = self.front.defrag_stats();
        s
    }

    /// The detection back end (to save a baseline).
    pub fn detection(&self) -> Option<&DetectEngine> {
        self.back.sink.detection.as_ref()
    }
}

impl<R: Report> Back<R> {
    /// Runs a batch through the shards and handles what they decoded; returns the batch,
    /// emptied.
    fn run_batch(&mut self, mut batch: Batch) -> Batch {
        if batch.pkts.is_empty() {
            return batch;
        }
        let arenas = &mut self.arenas;
        let mut outputs = shard::run(&mut self.shards, arenas, &batch);
        self.sink.handle(&mut outputs, self.shards.len());
        for (s, o) in self.shards.iter_mut().zip(outputs) {
            s.reclaim(o);
        }
        batch.clear();
        batch
    }

    /// End of input: closes every flow and handles what that decodes, the
    /// [`FINISH_ROUND`] oldest flows of all shards at a time (by one bound computed over
    /// every shard, so that the rounds, and with them how records and alerts interleave,
    /// are the same whatever the sharding): a full table's last events (an unanswered
    /// SYN's, a flushed PDU) are not all held at once.
    fn finish(&mut self, last: PacketMeta) {
        while let Some(bound) = self.finish_bound() {
            let arenas = &mut self.arenas;
            let mut outputs: Vec<_> = self
                .shards
                .iter_mut()
                .zip(arenas.iter_mut())
                .map(|(s, a)| s.finish(a, last, bound))
                .collect();
            self.sink.handle(&mut outputs, self.shards.len());
            for (s, o) in self.shards.iter_mut().zip(outputs) {
                s.reclaim(o);
            }
        }
        self.sink.finish();
    }

    /// The first-packet index of the [`FINISH_ROUND`]-th oldest flow of all shards (the
    /// newest when there are fewer), `None` when every table is empty. The global oldest
    /// are among each shard's oldest, so only those are gathered.
    fn finish_bound(&self) -> Option<u64> {
        let mut seqs: Vec<u64> = self
            .shards
            .iter()
            .flat_map(|s| s.flows.oldest_first_seqs(FINISH_ROUND))
            .collect();
        let i = FINISH_ROUND.min(seqs.len()).checked_sub(1)?;
        Some(*seqs.select_nth_unstable(i).1)
    }
}
