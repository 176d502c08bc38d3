//! IEC 60870-5-104 in the capture pipeline: identification (port 2404 or
//! `otwire_iec104::probe`), APDU framing with `otwire_iec104::StreamDecoder`, and the PDU
//! record fields of DESIGN.md §4 (IEC 60870-5-104 §5 for the APCI, IEC 60870-5-101 §7.2
//! for the ASDU header and information object addresses). One record per APDU.

use otwire_iec104::{
    Apci, Apdu, Direction, Frame, Params, Parsed, Probe, StreamDecoder, direction_anomalies, probe,
    split_frame,
};

use crate::flow::{FlowInfo, PacketMeta};
use crate::record::{Dir, Iec104Fields, PduRecord, ProtoFields, pipeline_anomaly};

/// The IEC 60870-5-104 port (IEC 60870-5-104 §10.2).
pub const PORT: u16 = 2404;
/// Stream chunks probed on a flow that is not on port 2404 before giving up.
pub const PROBE_CHUNKS: u8 = 8;
/// Bytes kept while a probe needs more.
const PROBE_BUFFER: usize = 64;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 64 << 10;
/// Most IOAs listed in one record (an ASDU holds at most 127 objects).
const MAX_IOAS: usize = 255;

/// Bytes on the IEC 104 port (or in a flow taken for IEC 104) that are not APDUs.
pub const NOT_IEC104: &str = "NOT_IEC104";

/// A decoded (or undecodable) APDU as the pipeline's consumers see it.
#[derive(Debug, Clone, Copy)]
pub struct Iec104Pdu<'a> {
    /// The record (also what `--output pdus` prints).
    pub record: &'a PduRecord,
    /// The flow.
    pub flow: &'a FlowInfo,
    /// The framed APDU, when there was one.
    pub frame: Option<Frame<'a>>,
    /// The decoded APDU, when it decoded.
    pub apdu: Option<Parsed<Apdu<'a>>>,
    /// The bytes: the whole APDU, or the unrecognized bytes of a NOT_IEC104 report (empty
    /// for junk skipped by the stream decoder).
    pub raw: &'a [u8],
}

/// Where the IEC 104 layer sends what it decodes.
pub trait Iec104Sink {
    /// One APDU (or a NOT_IEC104 / junk report, with `frame` empty).
    fn iec104(&mut self, pdu: &Iec104Pdu<'_>);
}

#[derive(Debug)]
enum Side {
    Probing { buf: Vec<u8>, chunks: u8 },
    Decoding(Box<StreamDecoder>),
    Rejected,
}

/// IEC 104 state of one flow.
#[derive(Debug)]
pub struct Iec104Flow {
    standard_port: bool,
    sides: [Side; 2],
    /// A NOT_IEC104 record was already given for this direction.
    reported: [bool; 2],
}

/// Whether a flow should be watched for IEC 104 (TCP only).
pub fn candidate(info: &FlowInfo) -> Option<Iec104Flow> {
    if info.transport != crate::flow::Transport::Tcp {
        return None;
    }
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
    Some(Iec104Flow {
        standard_port,
        sides: [probing(), probing()],
        reported: [false; 2],
    })
}

impl Iec104Flow {
    /// Bytes held in decoders and probe buffers.
    pub fn buffered(&self) -> usize {
        self.sides
            .iter()
            .map(|s| match s {
                Side::Probing { buf, .. } => buf.len(),
                Side::Decoding(d) => d.buffered(),
                Side::Rejected => 0,
            })
            .sum()
    }

    /// Whether either direction was recognized as IEC 104.
    pub fn is_iec104(&self) -> bool {
        self.sides.iter().any(|s| matches!(s, Side::Decoding(_)))
    }

    /// Whether both directions gave up.
    pub fn is_rejected(&self) -> bool {
        self.sides.iter().all(|s| matches!(s, Side::Rejected))
    }

    /// The next stream bytes from `side`.
    pub fn data<S: Iec104Sink>(
        &mut self,
        sink: &mut S,
        info: &FlowInfo,
        side: usize,
        meta: PacketMeta,
        data: &[u8],
    ) {
        let standard = self.standard_port;
        let Some(state) = self.sides.get_mut(side) else {
            return;
        };
        match state {
            Side::Rejected => {}
            Side::Decoding(dec) => {
                dec.push(data);
                drain(dec, sink, info, side, meta);
            }
            Side::Probing { buf, chunks } => {
                buf.extend_from_slice(data);
                match probe(buf) {
                    Probe::Recognized => {
                        let mut dec =
                            Box::new(StreamDecoder::with_capacity_limit(DECODER_CAPACITY));
                        dec.push(buf);
                        drain(&mut dec, sink, info, side, meta);
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
                            report(sink, info, side, meta, vec![NOT_IEC104], data);
                        }
                    }
                }
            }
        }
    }

    /// The flow ended: a direction of a port-2404 flow that sent bytes no probe recognized
    /// is reported as NOT_IEC104.
    pub fn close<S: Iec104Sink>(&mut self, sink: &mut S, info: &FlowInfo, meta: PacketMeta) {
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
                report(sink, info, side, meta, vec![NOT_IEC104], &raw);
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
    }
}

fn drain<S: Iec104Sink>(
    dec: &mut StreamDecoder,
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
) {
    loop {
        match dec.next_frame() {
            Ok(Some(bytes)) => match split_frame(&bytes) {
                Ok((frame, _)) => emit_frame(sink, info, side, meta, frame, &bytes),
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

fn record(
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    f: Iec104Fields,
    anomalies: Vec<&'static str>,
) -> PduRecord {
    PduRecord {
        frame: meta.frame,
        ts_us: meta.ts_us,
        flow: info.id,
        src: info.end(side),
        dst: info.peer(side),
        dir: if info.is_client(side) {
            Dir::Request
        } else {
            Dir::Response
        },
        anomalies,
        fields: ProtoFields::Iec104(f),
    }
}

fn report<S: Iec104Sink>(
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    anomalies: Vec<&'static str>,
    raw: &[u8],
) {
    let rec = record(info, side, meta, Iec104Fields::default(), anomalies);
    sink.iec104(&Iec104Pdu {
        record: &rec,
        flow: info,
        frame: None,
        apdu: None,
        raw,
    });
}

/// The record fields of a decoded APDU.
pub fn fields(apdu: &Apdu<'_>) -> Iec104Fields {
    let mut f = Iec104Fields {
        apci: Some(apdu.apci.format()),
        rx: apdu.apci.recv().map(|r| r.value()),
        ..Iec104Fields::default()
    };
    match apdu.apci {
        Apci::I { send, .. } => f.tx = Some(send.value()),
        Apci::U(u) => f.u_func = Some(u.name()),
        Apci::S { .. } => {}
    }
    if let Some(asdu) = &apdu.asdu {
        let h = asdu.header;
        f.type_id = Some(u8::from(h.type_id));
        f.sq = Some(h.sq);
        f.num = Some(h.count);
        f.cot = Some(u8::from(h.cot.cause));
        f.negative = Some(h.cot.negative);
        f.test = Some(h.cot.test);
        f.oa = Some(h.originator.0);
        f.ca = Some(h.common_address.0);
        // The object an ASDU was cut short in keeps its address (flagged TRUNCATED).
        let cut = asdu.truncated_object().map(|t| t.address);
        let ioas = asdu.objects().map(|o| o.address).chain(cut);
        f.ioas = Some(ioas.take(MAX_IOAS).map(|a| a.0).collect());
    }
    f
}

fn emit_frame<S: Iec104Sink>(
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    frame: Frame<'_>,
    raw: &[u8],
) {
    // The controlling station is the client (IEC 60870-5-104 §5: it opens the connection
    // to port 2404); an ASDU travelling the wrong way is flagged.
    let way = if info.is_client(side) {
        Direction::Control
    } else {
        Direction::Monitor
    };
    let (f, anomalies, apdu) = match Apdu::parse(&frame, Params::IEC104) {
        Ok(p) => {
            let mut flags = p.anomalies;
            if let Some(asdu) = &p.pdu.asdu {
                flags |= direction_anomalies(&asdu.header, way);
            }
            (fields(&p.pdu), flags.names().collect(), Some(p))
        }
        Err(_) => {
            let apci = frame.apci();
            let mut f = Iec104Fields {
                apci: Some(apci.format()),
                rx: apci.recv().map(|r| r.value()),
                ..Iec104Fields::default()
            };
            if let Apci::I { send, .. } = apci {
                f.tx = Some(send.value());
            }
            (f, vec![pipeline_anomaly::MALFORMED], None)
        }
    };
    let rec = record(info, side, meta, f, anomalies);
    sink.iec104(&Iec104Pdu {
        record: &rec,
        flow: info,
        frame: Some(frame),
        apdu,
        raw,
    });
}
