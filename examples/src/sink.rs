//! The scanner's sink: what happens to the shards' outputs of one batch, in capture order
//! (DESIGN.md §4). The outputs are merged, flows numbered, and detection runs (on threads of
//! its own) beside the statistics, the asset inventory and the records.

use hashbrown::HashMap;
use otwire_detect::net::{NetEvent, TcpOutcome};
use otwire_detect::protocol::Detail;
use otwire_detect::{Conformance, Event, Outcome};

use crate::assets::Assets;
use crate::conn::ItemKind;
use crate::detect_engine::DetectEngine;
use crate::record::PduRecord;
use crate::report::Collected;
use crate::scanner::{AlertStats, Report, ScanStats};
use crate::shard::Output;

/// Detection, the inventory, the counters and the report: everything after the shards.
pub(crate) struct Sink<R: Report> {
    pub(crate) detection: Option<DetectEngine>,
    pub(crate) report: R,
    pub(crate) assets: Assets,
    pub(crate) alerts: AlertStats,
    pub(crate) stats: ScanStats,
    /// What the HTML report needs beyond the inventory (when it was asked for).
    pub(crate) collected: Option<Collected>,
    /// Flow index of each open flow, by the index of its first packet.
    ids: HashMap<u64, u64>,
    next_id: u64,
}

impl<R: Report> Sink<R> {
    /// A sink writing to `report`.
    pub(crate) fn new(report: R, detection: Option<DetectEngine>) -> Self {
        Sink {
            detection,
            report,
            assets: Assets::default(),
            alerts: AlertStats::default(),
            stats: ScanStats::default(),
            collected: None,
            ids: HashMap::new(),
            next_id: 0,
        }
    }

    /// Merges the shards' outputs of one batch into capture order, numbers the flows, and
    /// runs detection (on `threads` threads when more than one) beside the inventory and the
    /// records on the events.
    pub(crate) fn handle(&mut self, outputs: &mut [Output<'_>], threads: usize) {
        for o in outputs.iter() {
            self.stats.arena_dropped += o.dropped;
        }
        let events = self.merge(outputs);
        let (stats, assets, report) = (&mut self.stats, &mut self.assets, &mut self.report);
        let mut collected = self.collected.as_mut();
        let alerts = match self.detection.as_mut() {
            // Detection on threads of its own while this one does the records.
            Some(d) if threads > 1 => std::thread::scope(|s| {
                let job = s.spawn(|| d.observe_batch(&events, threads));
                for ev in &events {
                    record(stats, assets, report, collected.as_deref_mut(), ev);
                }
                match job.join() {
                    Ok(a) => a,
                    Err(e) => std::panic::resume_unwind(e),
                }
            }),
            d => {
                let alerts = d.map(|d| d.observe_batch(&events, 1)).unwrap_or_default();
                for ev in &events {
                    record(stats, assets, report, collected.as_deref_mut(), ev);
                }
                alerts
            }
        };
        for (_, a) in &alerts {
            self.alert(a);
        }
    }

    fn alert(&mut self, a: &otwire_detect::Alert) {
        self.stats.alerts += 1;
        self.stats.findings += a.count;
        self.alerts.add(a);
        if let Some(c) = self.collected.as_mut() {
            c.alerts.add(a);
        }
        self.report.alert(a);
    }

    /// End of input (after the last batch): detection emits the aggregates still open.
    pub(crate) fn finish(&mut self) {
        let alerts = self
            .detection
            .as_mut()
            .map(|d| d.engine.finish().to_vec())
            .unwrap_or_default();
        for a in &alerts {
            self.alert(a);
        }
    }

    /// The shards' events in capture order, their flows numbered.
    fn merge<'o, 'b>(&mut self, outputs: &'o mut [Output<'b>]) -> Vec<&'o Event<'b>> {
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
        let outputs: &'o [Output<'b>] = outputs;
        order
            .iter()
            .filter_map(|&(i, e)| outputs.get(i).and_then(|o| o.events.get(e)))
            .collect()
    }
}

/// One event: statistics, inventory, the report's map, record. A network event is counted
/// and shown to the report's `event` hook only: it is no PDU and tells nothing of an asset's
/// protocols.
fn record<R: Report>(
    stats: &mut ScanStats,
    assets: &mut Assets,
    report: &mut R,
    collected: Option<&mut Collected>,
    ev: &Event<'_>,
) {
    report.event(ev);
    if let Some(net) = ev.net() {
        *stats.network.entry(net_kind(net)).or_default() += 1;
        return;
    }
    let s = stats.protocols.entry(ev.protocol.name()).or_default();
    s.pdus += 1;
    if anomalous(ev) {
        s.anomalous += 1;
    }
    assets.observe(ev);
    if let Some(c) = collected {
        c.comms.observe(ev);
    }
    if report.wants_pdus() {
        report.pdu(&PduRecord::of(ev));
    }
}

/// The name a network event is counted under in [`ScanStats::network`].
fn net_kind(net: &NetEvent) -> &'static str {
    match net {
        NetEvent::Tcp(o) => match o {
            TcpOutcome::Syn => "tcp_syn",
            TcpOutcome::Refused => "tcp_refused",
            TcpOutcome::Unanswered => "tcp_unanswered",
            TcpOutcome::HalfOpen => "tcp_half_open",
            TcpOutcome::Established => "tcp_established",
            TcpOutcome::ClosedEmpty => "tcp_closed_empty",
            _ => "tcp",
        },
        NetEvent::Udp { .. } => "udp_no_message",
        NetEvent::Icmp(i) if i.is_echo_request() => "icmp_echo_request",
        NetEvent::Icmp(i) if i.is_echo_reply() => "icmp_echo_reply",
        NetEvent::Icmp(_) => "icmp_error",
        NetEvent::Arp(_) => "arp",
        _ => "other",
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
