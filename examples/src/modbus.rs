//! Modbus/TCP and Modbus/UDP in the capture pipeline: identification (port 502 or
//! `otwire_modbus::probe`), stream decoding with `otwire_modbus::StreamDecoder`, and the PDU
//! record fields of DESIGN.md §4 (Modbus Application Protocol V1.1b3 §4.1, §6; Modbus
//! Messaging on TCP/IP V1.0b §3.1.3 for the MBAP header).

use otwire_modbus::{
    Anomalies, Direction, Frame, MBAP_HEADER_LEN, MbapHeader, Parsed, Pdu, Probe, Request,
    Response, StreamDecoder, parse_datagram, probe, split_frame,
};

use crate::flow::{FlowInfo, PacketMeta, Transport};
use crate::record::{Dir, ModbusFields, PduRecord, ProtoFields, pipeline_anomaly};

/// The Modbus/TCP port (Messaging on TCP/IP §4.1).
pub const PORT: u16 = 502;
/// Stream chunks probed on a flow that is not on port 502 before giving up.
pub const PROBE_CHUNKS: u8 = 8;
/// Bytes kept while a probe needs more.
const PROBE_BUFFER: usize = 64;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 128 << 10;

/// A decoded (or undecodable) Modbus PDU as the pipeline's consumers see it.
#[derive(Debug, Clone, Copy)]
pub struct ModbusPdu<'a> {
    /// The record (also what `--output pdus` prints).
    pub record: &'a PduRecord,
    /// The flow.
    pub flow: &'a FlowInfo,
    /// The MBAP frame, when there was one.
    pub frame: Option<Frame<'a>>,
    /// The parsed PDU and its anomalies, when it decoded.
    pub parsed: Option<Parsed<Pdu<'a>>>,
    /// The bytes: the whole ADU, or the unrecognized bytes of a NOT_MODBUS report.
    pub raw: &'a [u8],
}

/// Where the Modbus layer sends what it decodes.
pub trait ModbusSink {
    /// One PDU (or a NOT_MODBUS / junk report, with `frame` and `parsed` empty).
    fn modbus(&mut self, pdu: &ModbusPdu<'_>);
}

#[derive(Debug)]
enum Side {
    Probing { buf: Vec<u8>, chunks: u8 },
    Decoding(Box<Decoder>),
    Rejected,
}

/// A direction's stream decoder, and whether its stream is known to be at a frame boundary
/// (then whole frames in new data are decoded in place, without copying them through the
/// decoder; the frames are the same either way).
#[derive(Debug)]
struct Decoder {
    dec: StreamDecoder,
    in_sync: bool,
}

impl Decoder {
    fn new(in_sync: bool) -> Self {
        let mut dec = StreamDecoder::with_capacity_limit(DECODER_CAPACITY);
        if !in_sync {
            dec.gap();
        }
        Decoder { dec, in_sync }
    }

    fn feed<S: ModbusSink>(
        &mut self,
        data: &[u8],
        sink: &mut S,
        info: &FlowInfo,
        side: usize,
        meta: PacketMeta,
    ) {
        let mut rest = data;
        if self.in_sync && self.dec.buffered() == 0 {
            while let Ok((frame, tail)) = split_frame(rest) {
                let adu = rest.get(..rest.len() - tail.len()).unwrap_or_default();
                emit_frame(sink, info, side, meta, frame, adu);
                rest = tail;
            }
            if rest.is_empty() {
                return;
            }
        }
        self.dec.push(rest);
        self.in_sync = drain(&mut self.dec, sink, info, side, meta).unwrap_or(self.in_sync);
    }
}

/// Modbus state of one flow.
#[derive(Debug)]
pub struct ModbusFlow {
    standard_port: bool,
    sides: [Side; 2],
    /// UDP: a NOT_MODBUS record was already given for this direction.
    udp_reported: [bool; 2],
}

/// Whether a flow should be watched for Modbus, and how.
pub fn candidate(info: &FlowInfo) -> Option<ModbusFlow> {
    let ports = [info.ends[0].port(), info.ends[1].port()];
    let standard_port = ports.contains(&PORT);
    // Flows on another OT protocol's well-known port belong to that protocol's decoder.
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
    Some(ModbusFlow {
        standard_port,
        sides: [probing(), probing()],
        udp_reported: [false; 2],
    })
}

impl ModbusFlow {
    /// Bytes held: partial frames in the decoders and bytes waiting for a probe verdict.
    pub fn buffered(&self) -> usize {
        self.sides
            .iter()
            .map(|s| match s {
                Side::Probing { buf, .. } => buf.len(),
                Side::Decoding(d) => d.dec.buffered(),
                Side::Rejected => 0,
            })
            .sum()
    }

    /// Whether either direction was recognized as Modbus.
    pub fn is_modbus(&self) -> bool {
        self.sides.iter().any(|s| matches!(s, Side::Decoding(_)))
    }

    /// Whether both directions gave up (the flow is not Modbus).
    pub fn is_rejected(&self) -> bool {
        self.sides.iter().all(|s| matches!(s, Side::Rejected))
    }

    /// Bytes from `side`: a whole datagram (UDP) or the next stream bytes (TCP).
    pub fn data<S: ModbusSink>(
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
        let Some(state) = self.sides.get_mut(side) else {
            return;
        };
        match state {
            Side::Rejected => {}
            Side::Decoding(dec) => dec.feed(data, sink, info, side, meta),
            Side::Probing { buf, chunks } => {
                let verdict = if buf.is_empty() {
                    probe(data)
                } else {
                    buf.extend_from_slice(data);
                    probe(buf)
                };
                match verdict {
                    Probe::Recognized => {
                        // The probe saw a frame start here: the stream is at a boundary.
                        let mut dec = Box::new(Decoder::new(true));
                        if buf.is_empty() {
                            dec.feed(data, sink, info, side, meta);
                        } else {
                            let pending = std::mem::take(buf);
                            dec.feed(&pending, sink, info, side, meta);
                        }
                        *state = Side::Decoding(dec);
                    }
                    Probe::NeedMore => {
                        if buf.is_empty() {
                            buf.extend_from_slice(data);
                        }
                        if buf.len() > PROBE_BUFFER {
                            buf.clear();
                        }
                    }
                    Probe::Unrecognized => {
                        buf.clear();
                        *chunks = chunks.saturating_add(1);
                        // At the start of a stream the first bytes are a header or nothing.
                        if !info.mid_stream || *chunks >= PROBE_CHUNKS {
                            *state = Side::Rejected;
                            if standard {
                                report_not_modbus(sink, info, side, meta, data);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The flow ended: a direction of a port-502 flow that sent bytes no probe recognized
    /// is reported as NOT_MODBUS.
    pub fn close<S: ModbusSink>(&mut self, sink: &mut S, info: &FlowInfo, meta: PacketMeta) {
        for side in 0..2 {
            let unrecognized =
                matches!(self.sides.get(side), Some(Side::Probing { chunks, .. }) if *chunks > 0);
            if unrecognized && self.standard_port {
                report_not_modbus(sink, info, side, meta, &[]);
            }
        }
    }

    /// Bytes from `side` are missing.
    pub fn gap(&mut self, side: usize) {
        match self.sides.get_mut(side) {
            Some(Side::Decoding(dec)) => {
                // Bytes buffered before a hole can never complete their frame: start afresh,
                // resynchronising on the next plausible header after the hole.
                **dec = Decoder::new(false);
            }
            Some(Side::Probing { buf, .. }) => buf.clear(),
            _ => {}
        }
    }

    fn datagram<S: ModbusSink>(
        &mut self,
        sink: &mut S,
        info: &FlowInfo,
        side: usize,
        meta: PacketMeta,
        data: &[u8],
    ) {
        // Each datagram stands alone (Messaging on TCP/IP §4.2 for UDP): off port 502 it is
        // taken for Modbus only when the probe recognizes it and its MBAP length spans the
        // datagram exactly (an mDNS query with ID 0 and flags 0 starts like an MBAP header);
        // on port 502 a plausible MBAP header is decoded too (a broken PDU is flagged), and
        // other bytes are reported once per direction.
        let recognized =
            probe(data) == Probe::Recognized && (self.standard_port || spans_datagram(data));
        if recognized || self.standard_port {
            match parse_datagram(data) {
                Ok(frame) if frame.header.is_plausible() || recognized => {
                    emit_frame(sink, info, side, meta, frame, data);
                }
                _ if self.standard_port => {
                    if let Some(done) = self.udp_reported.get_mut(side)
                        && !*done
                    {
                        *done = true;
                        report_not_modbus(sink, info, side, meta, data);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Whether the MBAP length of the header at the front of `data` covers exactly the rest of
/// the datagram (one ADU per Modbus/UDP datagram).
fn spans_datagram(data: &[u8]) -> bool {
    MbapHeader::parse(data).is_ok_and(|h| MBAP_HEADER_LEN - 1 + usize::from(h.length) == data.len())
}

/// Takes every frame out of the decoder. Returns whether the stream ended at a frame
/// boundary after a decoded frame (`Some(true)`), junk was met (`Some(false)`), or neither.
fn drain<S: ModbusSink>(
    dec: &mut StreamDecoder,
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
) -> Option<bool> {
    let mut sync = None;
    loop {
        match dec.next_frame() {
            Ok(Some(bytes)) => {
                sync = Some(true);
                match split_frame(&bytes) {
                    Ok((frame, _)) => emit_frame(sink, info, side, meta, frame, &bytes),
                    Err(_) => report(
                        sink,
                        info,
                        side,
                        meta,
                        vec![pipeline_anomaly::MALFORMED],
                        &bytes,
                    ),
                }
            }
            Ok(None) => break,
            Err(_) => {
                sync = Some(false);
                report(
                    sink,
                    info,
                    side,
                    meta,
                    vec![pipeline_anomaly::JUNK_SKIPPED],
                    &[],
                );
            }
        }
    }
    sync
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
    m: ModbusFields,
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
        fields: ProtoFields::Modbus(m),
    }
}

fn report<S: ModbusSink>(
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    anomalies: Vec<&'static str>,
    raw: &[u8],
) {
    let rec = record(info, side, meta, ModbusFields::default(), anomalies);
    sink.modbus(&ModbusPdu {
        record: &rec,
        flow: info,
        frame: None,
        parsed: None,
        raw,
    });
}

fn report_not_modbus<S: ModbusSink>(
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    raw: &[u8],
) {
    report(
        sink,
        info,
        side,
        meta,
        vec![pipeline_anomaly::NOT_MODBUS],
        raw,
    );
}

/// Decodes one MBAP frame and hands the record to the sink.
fn emit_frame<S: ModbusSink>(
    sink: &mut S,
    info: &FlowInfo,
    side: usize,
    meta: PacketMeta,
    frame: Frame<'_>,
    raw: &[u8],
) {
    let dir = dir_of(info, side);
    let direction = match dir {
        Dir::Request => Direction::Request,
        Dir::Response => Direction::Response,
    };
    let mut m = ModbusFields {
        tid: Some(frame.header.transaction_id.0),
        unit: Some(frame.header.unit_id.0),
        func: frame.pdu.first().map(|b| b & 0x7f),
        ..ModbusFields::default()
    };
    let parsed = Pdu::parse(&frame, direction);
    let mut anomalies = Vec::new();
    let parsed = match parsed {
        Ok(p) => {
            fill_fields(&mut m, &p.pdu, frame.pdu);
            push_names(&mut anomalies, p.anomalies);
            Some(p)
        }
        Err(_) => {
            push_names(&mut anomalies, frame.anomalies());
            anomalies.push(pipeline_anomaly::MALFORMED);
            if dir == Dir::Response && frame.pdu.first().is_some_and(|b| b & 0x80 != 0) {
                m.exception = frame.pdu.get(1).copied();
            }
            None
        }
    };
    let rec = record(info, side, meta, m, anomalies);
    sink.modbus(&ModbusPdu {
        record: &rec,
        flow: info,
        frame: Some(frame),
        parsed,
        raw,
    });
}

fn push_names(out: &mut Vec<&'static str>, a: Anomalies) {
    for (name, _) in a.iter_names() {
        out.push(name);
    }
}

/// The fields of DESIGN.md §4 from a decoded PDU. `raw` is the PDU bytes (function code
/// first), used for the declared byte count.
pub fn fill_fields(m: &mut ModbusFields, pdu: &Pdu<'_>, raw: &[u8]) {
    let byte_at = |i: usize| raw.get(i).map(|&b| u16::from(b));
    match pdu {
        Pdu::Request(r) => match r {
            Request::ReadCoils { address, quantity }
            | Request::ReadDiscreteInputs { address, quantity }
            | Request::ReadHoldingRegisters { address, quantity }
            | Request::ReadInputRegisters { address, quantity } => {
                m.address = Some(address.0);
                m.quantity = Some(*quantity);
            }
            Request::WriteSingleCoil { address, .. }
            | Request::WriteSingleRegister { address, .. }
            | Request::MaskWriteRegister { address, .. }
            | Request::ReadFifoQueue { address } => m.address = Some(address.0),
            Request::WriteMultipleCoils {
                address, quantity, ..
            }
            | Request::WriteMultipleRegisters {
                address, quantity, ..
            } => {
                m.address = Some(address.0);
                m.quantity = Some(*quantity);
                m.byte_count = byte_at(5);
            }
            Request::ReadWriteMultipleRegisters {
                read_address,
                read_quantity,
                ..
            } => {
                m.address = Some(read_address.0);
                m.quantity = Some(*read_quantity);
                m.byte_count = byte_at(9);
            }
            Request::Diagnostics { sub_function, .. } => {
                m.sub_func = Some(u16::from(*sub_function))
            }
            Request::ReadDeviceIdentification { .. } | Request::Mei { .. } => {
                m.mei = byte_at(1).map(|b| b as u8)
            }
            Request::ReadFileRecord { .. } | Request::WriteFileRecord { .. } => {
                m.byte_count = byte_at(1)
            }
            _ => {}
        },
        Pdu::Response(r) => match r {
            Response::Exception { code, .. } => m.exception = Some(u8::from(*code)),
            Response::ReadCoils { .. }
            | Response::ReadDiscreteInputs { .. }
            | Response::ReadHoldingRegisters { .. }
            | Response::ReadInputRegisters { .. }
            | Response::ReadWriteMultipleRegisters { .. }
            | Response::ReportServerId { .. }
            | Response::GetCommEventLog { .. }
            | Response::ReadFileRecord { .. }
            | Response::WriteFileRecord { .. } => m.byte_count = byte_at(1),
            Response::ReadFifoQueue { .. } => {
                m.byte_count = match (raw.get(1), raw.get(2)) {
                    (Some(&h), Some(&l)) => Some(u16::from_be_bytes([h, l])),
                    _ => None,
                };
            }
            Response::WriteSingleCoil { address, .. }
            | Response::WriteSingleRegister { address, .. }
            | Response::MaskWriteRegister { address, .. } => m.address = Some(address.0),
            Response::WriteMultipleCoils { address, quantity }
            | Response::WriteMultipleRegisters { address, quantity } => {
                m.address = Some(address.0);
                m.quantity = Some(*quantity);
            }
            Response::Diagnostics { sub_function, .. } => {
                m.sub_func = Some(u16::from(*sub_function))
            }
            Response::ReadDeviceIdentification(_) | Response::Mei { .. } => {
                m.mei = byte_at(1).map(|b| b as u8)
            }
            _ => {}
        },
    }
}
