//! The scanner: captured packets in, PDU records, alerts and an asset inventory out.
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

use std::marker::PhantomData;
use std::net::SocketAddr;

use etherparse::{TcpSlice, UdpSlice};
use serde::Serialize;

use crate::assets::Assets;
use crate::capture::Packet;
use crate::defrag::{Defrag, DefragLimits, DefragStats};
use crate::detection::{Detection, NoDetection};
use crate::dnp3::{self, Dnp3Flow, Dnp3Pdu, Dnp3Sink};
use crate::flow::{FlowApp, FlowInfo, FlowLimits, FlowStats, FlowTable, PacketMeta, TcpSegment};
use crate::iec104::{self, Iec104Flow, Iec104Pdu, Iec104Sink};
use crate::modbus::{self, ModbusFlow, ModbusPdu, ModbusSink};
use crate::net::{self, IpPacket};
use crate::record::{AlertRecord, PduRecord, Severity};

/// Where records go as they are produced.
pub trait Report {
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
    fn pdu(&mut self, record: &PduRecord) {
        self.pdus.push(record.clone());
    }
    fn alert(&mut self, alert: &AlertRecord) {
        self.alerts.push(alert.clone());
    }
}

/// Limits and switches of a scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Flow table and TCP reassembly limits.
    pub flows: FlowLimits,
    /// IP reassembly limits.
    pub defrag: DefragLimits,
}

/// Counters of a scan.
#[derive(Debug, Clone, Copy, Default, Serialize)]
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
    /// Modbus PDU records.
    pub modbus_pdus: u64,
    /// Modbus records with at least one anomaly.
    pub modbus_anomalous: u64,
    /// DNP3 records (link frames and NOT_DNP3 / junk reports).
    pub dnp3_pdus: u64,
    /// DNP3 records with at least one anomaly.
    pub dnp3_anomalous: u64,
    /// IEC 104 records (APDUs and NOT_IEC104 / junk reports).
    pub iec104_pdus: u64,
    /// IEC 104 records with at least one anomaly.
    pub iec104_anomalous: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// Flow table counters.
    pub flows: FlowStats,
    /// IP reassembly counters.
    pub defrag: DefragStats,
}

/// Alert counts for the summary.
#[derive(Debug, Default, Clone)]
pub struct AlertStats {
    /// (technique id, technique name) -> count.
    pub by_technique: std::collections::BTreeMap<(String, String), u64>,
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

/// Shared state of all flows: outputs, inventory, detection.
pub struct Ctx<R> {
    report: R,
    assets: Assets,
    detection: Box<dyn Detection>,
    alerts: AlertStats,
    stats: ScanStats,
    buf: Vec<AlertRecord>,
}

impl<R: Report> Ctx<R> {
    fn raise(&mut self) {
        for a in self.buf.drain(..) {
            self.stats.alerts += 1;
            self.alerts.add(&a);
            self.report.alert(&a);
        }
    }
}

impl<R: Report> ModbusSink for Ctx<R> {
    fn modbus(&mut self, p: &ModbusPdu<'_>) {
        self.stats.modbus_pdus += 1;
        if !p.record.anomalies.is_empty() {
            self.stats.modbus_anomalous += 1;
        }
        self.assets.modbus(p);
        self.detection.modbus(p, &mut self.buf);
        self.report.pdu(p.record);
        self.raise();
    }
}

impl<R: Report> Dnp3Sink for Ctx<R> {
    fn dnp3(&mut self, p: &Dnp3Pdu<'_>) {
        self.stats.dnp3_pdus += 1;
        if !p.record.anomalies.is_empty() {
            self.stats.dnp3_anomalous += 1;
        }
        self.assets.dnp3(p);
        self.detection.dnp3(p, &mut self.buf);
        self.report.pdu(p.record);
        self.raise();
    }
}

impl<R: Report> Iec104Sink for Ctx<R> {
    fn iec104(&mut self, p: &Iec104Pdu<'_>) {
        self.stats.iec104_pdus += 1;
        if !p.record.anomalies.is_empty() {
            self.stats.iec104_anomalous += 1;
        }
        self.assets.iec104(p);
        self.detection.iec104(p, &mut self.buf);
        self.report.pdu(p.record);
        self.raise();
    }
}

/// The application layers of one flow.
pub struct App<R> {
    modbus: Option<ModbusFlow>,
    dnp3: Option<Dnp3Flow>,
    iec104: Option<Iec104Flow>,
    _report: PhantomData<fn(R)>,
}

impl<R: Report> FlowApp for App<R> {
    type Ctx = Ctx<R>;

    fn new(info: &FlowInfo, _ctx: &mut Ctx<R>) -> Self {
        App {
            modbus: modbus::candidate(info),
            dnp3: dnp3::candidate(info),
            iec104: iec104::candidate(info),
            _report: PhantomData,
        }
    }

    fn data(
        &mut self,
        ctx: &mut Ctx<R>,
        info: &FlowInfo,
        side: usize,
        meta: PacketMeta,
        data: &[u8],
    ) {
        if let Some(m) = &mut self.modbus {
            m.data(ctx, info, side, meta, data);
            if m.is_rejected() {
                self.modbus = None;
            }
        }
        if let Some(d) = &mut self.dnp3 {
            d.data(ctx, info, side, meta, data);
            if d.is_rejected() {
                self.dnp3 = None;
            }
        }
        if let Some(i) = &mut self.iec104 {
            i.data(ctx, info, side, meta, data);
            if i.is_rejected() {
                self.iec104 = None;
            }
        }
    }

    fn buffered(&self) -> usize {
        self.modbus.as_ref().map_or(0, ModbusFlow::buffered)
            + self.dnp3.as_ref().map_or(0, Dnp3Flow::buffered)
            + self.iec104.as_ref().map_or(0, Iec104Flow::buffered)
    }

    fn gap(&mut self, _ctx: &mut Ctx<R>, _info: &FlowInfo, side: usize, _meta: PacketMeta) {
        if let Some(m) = &mut self.modbus {
            m.gap(side);
        }
        if let Some(d) = &mut self.dnp3 {
            d.gap(side);
        }
        if let Some(i) = &mut self.iec104 {
            i.gap(side);
        }
    }

    fn close(&mut self, ctx: &mut Ctx<R>, info: &FlowInfo, meta: PacketMeta) {
        if let Some(m) = &mut self.modbus {
            m.close(ctx, info, meta);
        }
        if let Some(d) = &mut self.dnp3 {
            d.close(ctx, info, meta);
        }
        if let Some(i) = &mut self.iec104 {
            i.close(ctx, info, meta);
        }
    }
}

/// The scanner.
pub struct Scanner<R: Report> {
    flows: FlowTable<App<R>>,
    defrag: Defrag,
    ctx: Ctx<R>,
    last: PacketMeta,
}

impl<R: Report> std::fmt::Debug for Scanner<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("stats", &self.ctx.stats)
            .finish_non_exhaustive()
    }
}

impl<R: Report> Scanner<R> {
    /// A scanner without detection.
    pub fn new(options: ScanOptions, report: R) -> Self {
        Self::with_detection(options, report, Box::new(NoDetection))
    }

    /// A scanner with a detection back end.
    pub fn with_detection(options: ScanOptions, report: R, detection: Box<dyn Detection>) -> Self {
        Scanner {
            flows: FlowTable::new(options.flows),
            defrag: Defrag::new(options.defrag),
            ctx: Ctx {
                report,
                assets: Assets::default(),
                detection,
                alerts: AlertStats::default(),
                stats: ScanStats::default(),
                buf: Vec::new(),
            },
            last: PacketMeta { frame: 0, ts_us: 0 },
        }
    }

    /// One captured packet.
    pub fn packet(&mut self, p: &Packet<'_>) {
        let stats = &mut self.ctx.stats;
        stats.packets += 1;
        stats.bytes += p.data.len() as u64;
        let meta = PacketMeta {
            frame: p.frame,
            ts_us: p.ts_us,
        };
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
    }

    fn transport(&mut self, ip: &IpPacket<'_>, meta: PacketMeta) {
        match ip.proto {
            6 => match TcpSlice::from_slice(ip.payload) {
                Ok(tcp) => {
                    let header = tcp.header_slice().len();
                    let seg = TcpSegment {
                        src: SocketAddr::new(ip.src, tcp.source_port()),
                        dst: SocketAddr::new(ip.dst, tcp.destination_port()),
                        seq: tcp.sequence_number(),
                        ack: tcp.acknowledgment_number(),
                        syn: tcp.syn(),
                        ack_flag: tcp.ack(),
                        fin: tcp.fin(),
                        rst: tcp.rst(),
                        payload: tcp.payload(),
                        declared: ip
                            .declared_len
                            .saturating_sub(header)
                            .max(tcp.payload().len()),
                    };
                    self.flows.tcp(&mut self.ctx, seg, meta);
                }
                Err(_) => self.ctx.stats.other_transport += 1,
            },
            17 => match UdpSlice::from_slice_lax(ip.payload) {
                Ok(udp) => {
                    let src = SocketAddr::new(ip.src, udp.source_port());
                    let dst = SocketAddr::new(ip.dst, udp.destination_port());
                    self.flows.udp(&mut self.ctx, src, dst, meta, udp.payload());
                }
                Err(_) => self.ctx.stats.other_transport += 1,
            },
            _ => self.ctx.stats.other_transport += 1,
        }
    }

    /// End of input: flushes every flow and lets detection report.
    pub fn finish(&mut self) {
        self.flows.finish(&mut self.ctx, self.last);
        self.defrag.finish();
        self.ctx.detection.finish(&mut self.ctx.buf);
        self.ctx.raise();
    }

    /// The report (records collected, or the writer).
    pub fn report(&self) -> &R {
        &self.ctx.report
    }

    /// The report, mutably (to flush a writer).
    pub fn report_mut(&mut self) -> &mut R {
        &mut self.ctx.report
    }

    /// The asset inventory.
    pub fn assets(&self) -> &Assets {
        &self.ctx.assets
    }

    /// Alert counts.
    pub fn alerts(&self) -> &AlertStats {
        &self.ctx.alerts
    }

    /// Counters.
    pub fn stats(&self) -> ScanStats {
        let mut s = self.ctx.stats;
        s.flows = self.flows.stats();
        s.defrag = self.defrag.stats();
        s
    }

    /// The detection back end (to save a baseline).
    pub fn detection(&self) -> &dyn Detection {
        self.ctx.detection.as_ref()
    }
}
