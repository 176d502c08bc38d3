//! DNP3 over TCP and UDP in the capture pipeline: identification (port 20000 or
//! `otwire_dnp3::probe`), link framing with `otwire_dnp3::StreamDecoder`, transport
//! reassembly with `otwire_dnp3::Reassembler`, and the PDU record fields of DESIGN.md §4
//! (IEEE 1815-2012 §9.2.4 link header, §8.2.1 transport header, §4.2.2 application header
//! and object headers). One record per link frame; the frame that completes an application
//! fragment carries `app`.

use otwire_dnp3::{
    Apdu, Frame, Parsed, Probe, Range, Reassembler, ReassemblyLimits, StreamDecoder, probe,
    split_frame,
};

use crate::flow::{FlowInfo, PacketMeta, Transport};
use crate::record::{
    Dir, Dnp3App, Dnp3Fields, Dnp3Object, PduRecord, ProtoFields, pipeline_anomaly,
};

/// The DNP3 port (IEEE 1815-2012 Annex A / IANA).
pub const PORT: u16 = 20000;
/// Stream chunks probed on a flow that is not on port 20000 before giving up.
pub const PROBE_CHUNKS: u8 = 8;
/// Bytes kept while a probe needs more.
const PROBE_BUFFER: usize = 64;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 64 << 10;
/// Fragments reassembled at once per flow.
const MAX_REASSEMBLIES: usize = 8;
/// Largest fragment reassembled (IEEE 1815-2012 §4.2.1: 2048 is the usual maximum; a
/// fragment can be configured up to 65,535 octets).
const MAX_FRAGMENT: usize = 8 << 10;

/// Bytes on a DNP3 port (or in a flow taken for DNP3) that are not DNP3 link frames.
pub const NOT_DNP3: &str = "NOT_DNP3";

/// A decoded (or undecodable) DNP3 link frame as the pipeline's consumers see it.
#[derive(Debug, Clone, Copy)]
pub struct Dnp3Pdu<'a> {
    /// The record (also what `--output pdus` prints).
    pub record: &'a PduRecord,
    /// The flow.
    pub flow: &'a FlowInfo,
    /// The link frame, when there was one.
    pub frame: Option<Frame<'a>>,
    /// The application fragment this frame completed, when it parsed.
    pub apdu: Option<Parsed<Apdu<'a>>>,
    /// The bytes: the whole link frame, or the unrecognized bytes of a NOT_DNP3 report
    /// (empty for junk skipped by the stream decoder).
    pub raw: &'a [u8],
}

/// Where the DNP3 layer sends what it decodes.
pub trait Dnp3Sink {
    /// One link frame (or a NOT_DNP3 / junk report, with `frame` empty).
    fn dnp3(&mut self, pdu: &Dnp3Pdu<'_>);
}

#[derive(Debug)]
enum Side {
    Probing { buf: Vec<u8>, chunks: u8 },
    Decoding(Box<StreamDecoder>),
    Rejected,
}

/// DNP3 state of one flow.
#[derive(Debug)]
pub struct Dnp3Flow {
    standard_port: bool,
    sides: [Side; 2],
    /// Transport reassembly per direction (reset when that direction has a gap).
    reasm: [Reassembler; 2],
    /// A NOT_DNP3 record was already given for this direction.
    reported: [bool; 2],
}

/// Whether a flow should be watched for DNP3.
pub fn candidate(info: &FlowInfo) -> Option<Dnp3Flow> {
    let ports = [info.ends[0].port(), info.ends[1].port()];
    let standard_port = ports.contains(&PORT);
    if !standard_port
        && ports
            .iter()
            .any(|p| crate::flow::WELL_KNOWN_PORTS.contains(p))
    {
        return None;
    }
    let probing = || Side::Probing {
        buf: Vec::new(),
        chunks: 0,
    };
    Some(Dnp3Flow {
        standard_port,
        sides: [probing(), probing()],
        reasm: [new_reassembler(), new_reassembler()],
        reported: [false; 2],
    })
}

fn new_reassembler() -> Reassembler {
    Reassembler::with_limits(ReassemblyLimits {
        max_fragment_size: MAX_FRAGMENT,
        max_reassemblies: MAX_REASSEMBLIES,
    })
}

fn new_decoder() -> Box<StreamDecoder> {
    Box::new(StreamDecoder::with_capacity_limit(DECODER_CAPACITY))
}

impl Dnp3Flow {
    /// Bytes held: decoders, probe buffers, and partial fragments counted at their
    /// largest size (an upper bound: the reassembler does not say how full they are).
    pub fn buffered(&self) -> usize {
        let partial: usize = self.reasm.iter().map(Reassembler::in_progress).sum();
        self.sides
            .iter()
            .map(|s| match s {
                Side::Probing { buf, .. } => buf.len(),
                Side::Decoding(d) => d.buffered(),
                Side::Rejected => 0,
            })
            .sum::<usize>()
            + partial * MAX_FRAGMENT
    }

    /// Whether either direction was recognized as DNP3.
    pub fn is_dnp3(&self) -> bool {
        self.sides.iter().any(|s| matches!(s, Side::Decoding(_)))
    }

    /// Whether both directions gave up.
    pub fn is_rejected(&self) -> bool {
        self.sides.iter().all(|s| matches!(s, Side::Rejected))
    }

    /// Bytes from `side`: a whole datagram (UDP) or the next stream bytes (TCP).
    pub fn data<S: Dnp3Sink>(
        &mut self,
        sink: &mut S,
        info: &FlowInfo,
        side: usize,
        meta: PacketMeta,
        data: &[u8],
    ) {
        if info.transport == Transport::Udp {
            self.datagram(sink, info, side, meta, data);
            return;
        }
        let standard = self.standard_port;
        let (Some(state), Some(reasm)) = (self.sides.get_mut(side), self.reasm.get_mut(side))
        else {
            return;
        };
        match state {
            Side::Rejected => {}
            Side::Decoding(dec) => {
                dec.push(data);
                drain(dec, reasm, sink, info, side, meta);
            }
            Side::Probing { buf, chunks } => {
                buf.extend_from_slice(data);
                match probe(buf) {
                    Probe::Recognized => {
                        let mut dec = new_decoder();
                        dec.push(buf);
                        drain(&mut dec, reasm, sink, info, side, meta);
                        *state = Side::Decoding(dec);
                    }
                    Probe::NeedMore => {
                        if buf.len() > PROBE_BUFFER {
                            buf.clear();
                        }
                    }
                    Probe::Unrecognized => {
                        buf.clear();
                        *chunks = chunks.saturating_add(1);
                        if !info.mid_stream || *chunks >= PROBE_CHUNKS {
                            *state = Side::Rejected;
                        }
                        // Reported at the first unrecognized bytes, once per direction.
                        if standard
                            && let Some(done) = self.reported.get_mut(side)
                            && !*done
                        {
                            *done = true;
                            report(sink, info, side, meta, vec![NOT_DNP3], data);
                        }
                    }
                }
            }
        }
    }

    /// The flow ended: a direction of a port-20000 flow that sent bytes no probe
    /// recognized is reported as NOT_DNP3.
    pub fn close<S: Dnp3Sink>(&mut self, sink: &mut S, info: &FlowInfo, meta: PacketMeta) {
        for side in 0..2 {
            let pending = match self.sides.get(side) {
                Some(Side::Probing { chunks, buf }) if *chunks > 0 || !buf.is_empty() => {
                    Some(buf.clone())
                }
                _ => None,
            };
            let reported = self.reported.get(side).copied().unwrap_or(true);
            if let Some(raw) = pending
                && self.standard_port
                && !reported
            {
                report(sink, info, side, meta, vec![NOT_DNP3], &raw);
            }
        }
    }

    /// Bytes from `side` are missing.
    pub fn gap(&mut self, side: usize) {
        match self.sides.get_mut(side) {
            Some(Side::Decoding(dec)) => dec.gap(),
            Some(Side::Probing { buf, .. }) => buf.clear(),
            _ => {}
        }
        // A fragment cut by the hole can never complete.
        if let Some(r) = self.reasm.get_mut(side)
            && r.in_progress() > 0
        {
            *r = new_reassembler();
        }
    }

    fn datagram<S: Dnp3Sink>(
        &mut self,
        sink: &mut S,
        info: &FlowInfo,
        side: usize,
        meta: PacketMeta,
        data: &[u8],
    ) {
        // A datagram holds whole link frames (IEEE 1815-2012 Annex E.3).
        if probe(data) != Probe::Recognized {
            if self.standard_port
                && let Some(done) = self.reported.get_mut(side)
                && !*done
            {
                *done = true;
                report(sink, info, side, meta, vec![NOT_DNP3], data);
            }
            return;
        }
        let Some(reasm) = self.reasm.get_mut(side) else {
            return;
        };
        let mut rest = data;
        while !rest.is_empty() {
            match split_frame(rest) {
                Ok((frame, tail)) => {
                    emit_frame(sink, reasm, info, side, meta, &frame);
                    rest = tail;
                }
                Err(_) => {
                    report(
                        sink,
                        info,
                        side,
                        meta,
                        vec![pipeline_anomaly::MALFORMED],
                        rest,
                    );
                    break;
                }
            }
        }
    }
}

fn drain<S: Dnp3Sink>(
    dec: &mut StreamDecoder,
    reasm: &mut Reassembler,
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
) {
    loop {
        match dec.next_frame() {
            Ok(Some(bytes)) => match split_frame(&bytes) {
                Ok((frame, _)) => emit_frame(sink, reasm, info, side, meta, &frame),
                Err(_) => report(
                    sink,
                    info,
                    side,
                    meta,
                    vec![pipeline_anomaly::MALFORMED],
                    &bytes,
                ),
            },
            Ok(None) => break,
            Err(_) => report(
                sink,
                info,
                side,
                meta,
                vec![pipeline_anomaly::JUNK_SKIPPED],
                &[],
            ),
        }
    }
}

fn dir_of(info: &FlowInfo, side: usize) -> Dir {
    if info.is_client(side) {
        Dir::Request
    } else {
        Dir::Response
    }
}

fn record(
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    d: Dnp3Fields,
    anomalies: Vec<&'static str>,
) -> PduRecord {
    PduRecord {
        frame: meta.frame,
        ts_us: meta.ts_us,
        flow: info.id,
        src: info.end(side),
        dst: info.peer(side),
        dir: dir_of(info, side),
        anomalies,
        fields: ProtoFields::Dnp3(d),
    }
}

fn report<S: Dnp3Sink>(
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    anomalies: Vec<&'static str>,
    raw: &[u8],
) {
    let rec = record(info, side, meta, Dnp3Fields::default(), anomalies);
    sink.dnp3(&Dnp3Pdu {
        record: &rec,
        flow: info,
        frame: None,
        apdu: None,
        raw,
    });
}

/// The `app` part of a record from a parsed fragment.
pub fn app_fields(apdu: &Apdu<'_>) -> Dnp3App {
    let c = apdu.control;
    Dnp3App {
        func: u8::from(apdu.function),
        seq: c.seq,
        fir: c.fir,
        fin: c.fin,
        con: c.con,
        uns: c.uns,
        iin: apdu.iin.map(|i| i.bits()),
        objects: apdu
            .objects
            .map(|h| {
                let (start, stop, count) = match h.range {
                    Range::StartStop { start, stop } => {
                        (Some(start), Some(stop), Some(h.range.count()))
                    }
                    Range::Address(a) => (Some(a), Some(a), Some(1)),
                    Range::All => (None, None, None),
                    Range::Count(n) => (None, None, Some(u64::from(n))),
                };
                Dnp3Object {
                    group: h.group,
                    variation: h.variation,
                    qualifier: h.qualifier.0,
                    start,
                    stop,
                    count,
                }
            })
            .collect(),
    }
}

/// Decodes one link frame (and the fragment it completes) and hands the record over.
fn emit_frame<S: Dnp3Sink>(
    sink: &mut S,
    reasm: &mut Reassembler,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    frame: &Frame<'_>,
) {
    let c = frame.header.control;
    let mut d = Dnp3Fields {
        link_func: Some(c.to_u8() & 0x0f),
        link_dir: Some(c.dir),
        link_prm: Some(c.prm),
        link_dst: Some(frame.header.destination.0),
        link_src: Some(frame.header.source.0),
        link_len: Some(frame.length),
        ..Dnp3Fields::default()
    };
    let mut anomalies: Vec<&'static str> = frame.anomalies.names().collect();
    let mut fragment = None;
    if frame.user_data_len() > 0 {
        if let Some(th) = frame.transport_header() {
            d.tp_fir = Some(th.fir);
            d.tp_fin = Some(th.fin);
            d.tp_seq = Some(th.seq);
        }
        let pushed = reasm.push_frame(frame);
        anomalies.extend(pushed.anomalies.names());
        fragment = pushed.fragment;
    }
    let apdu = match &fragment {
        Some(f) => match Apdu::parse(&f.data) {
            Ok(p) => {
                anomalies.extend(p.anomalies.names());
                d.app = Some(Box::new(app_fields(&p.pdu)));
                Some(p)
            }
            Err(_) => {
                anomalies.push(pipeline_anomaly::MALFORMED);
                None
            }
        },
        None => None,
    };
    let rec = record(info, side, meta, d, anomalies);
    sink.dnp3(&Dnp3Pdu {
        record: &rec,
        flow: info,
        frame: Some(*frame),
        apdu,
        raw: frame.raw,
    });
}
