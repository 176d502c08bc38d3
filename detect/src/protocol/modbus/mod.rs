//! Modbus/TCP and Modbus/UDP (Modbus Application Protocol V1.1b3; Messaging on TCP/IP
//! V1.0b §3.1.3 for the MBAP header; UMAS envelopes in FC 90): the [`Modbus`] analyzer.
//!
//! Each direction of a TCP connection is framed by the MBAP length (in place while the
//! stream is in sync, through `otwire_modbus::StreamDecoder` otherwise); each UDP datagram
//! is one ADU. Every frame gives one event whose [`Detail::Modbus`] is the frame and its
//! parsed PDU. Responses take the action, sub-function, read target and marks of the
//! request with the same transaction id on the connection (the last [`PENDING`] requests
//! are remembered), so a read response's register values land on the addresses asked for.
//!
//! The event's fields: `unit` the MBAP unit id (`BROADCAST` for 0), `transaction` the
//! transaction id, `function` the function code without the exception bit, `sub_function`
//! the FC 8 sub-function, FC 43 MEI type or UMAS function, `action` from
//! `otwire_modbus::classify`, `targets` the address ranges (FC 23: the write range first,
//! then the read range), `values` the written or read coils and registers, `outcome`
//! `Exception(code)` for exception responses and UMAS error replies.

mod events;
mod modes;

use events::{request_event, response_event};
pub use modes::{DEFAULT_MODES, UmasModes};

use otwire_modbus::{
    Anomalies, Direction as Way, Frame, MBAP_HEADER_LEN, MbapHeader, Parsed, Pdu, Probe,
    StreamDecoder, parse_datagram, probe,
};

use super::framer::{Framer, Piece, stream_decoder};
use super::{Analyzer, ConnInfo, Detail, Enrich, Out, Transport, junk, unparsed};
use crate::event::{Action, Conformance, Direction, Event, Marks, Protocol, Target};

/// The Modbus/TCP port (Messaging on TCP/IP §4.1); 802 is Modbus/TCP security (TLS).
pub const PORT: u16 = 502;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 128 << 10;
/// Outstanding requests remembered per connection for pairing.
pub const PENDING: usize = 16;

stream_decoder!(otwire_modbus, DECODER_CAPACITY);

/// A Modbus frame and what decoded of it: the [`Detail`] of Modbus events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message<'a> {
    /// The MBAP frame (header and PDU bytes).
    pub frame: Frame<'a>,
    /// The PDU and its anomalies, when it decoded.
    pub pdu: Option<Parsed<Pdu<'a>>>,
}

/// What a request left for its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pending {
    pub(crate) tid: u16,
    pub(crate) function: u8,
    pub(crate) action: Option<Action>,
    pub(crate) sub: Option<u16>,
    pub(crate) target: Target,
    pub(crate) marks: Marks,
}

/// One Modbus connection (DESIGN.md §3 `protocol`).
#[derive(Debug)]
pub struct Modbus {
    info: ConnInfo,
    framers: [Framer<StreamDecoder>; 2],
    /// The last requests, for pairing; made at the first request.
    pending: Option<Box<[Pending; PENDING]>>,
    next: u8,
}

impl Modbus {
    /// Requests still waiting for their response (at most [`PENDING`]).
    pub fn outstanding(&self) -> usize {
        self.pending
            .as_ref()
            .map_or(0, |r| r.iter().filter(|p| p.action.is_some()).count())
    }

    fn remember(&mut self, p: Pending) {
        let ring = self
            .pending
            .get_or_insert_with(|| Box::new([Pending::default(); PENDING]));
        let i = usize::from(self.next) % PENDING;
        if let Some(slot) = ring.get_mut(i) {
            *slot = p;
        }
        self.next = ((i + 1) % PENDING) as u8;
    }

    /// The request a response with `tid` and `function` answers (taken off the ring).
    fn answered(&mut self, tid: u16, function: u8) -> Option<Pending> {
        let ring = self.pending.as_mut()?;
        let n = PENDING;
        // The most recent request with this id first.
        let newest = (0..n)
            .map(|k| (usize::from(self.next) + n - 1 - k) % n)
            .find(|&i| {
                ring.get(i)
                    .is_some_and(|p| p.action.is_some() && p.tid == tid)
            })?;
        let slot = ring.get_mut(newest)?;
        if slot.function != function {
            return None;
        }
        Some(core::mem::take(slot))
    }

    /// The event of one frame (MBAP header and PDU).
    fn frame<'b>(&mut self, out: &Out<'_, 'b>, dir: Direction, frame: Frame<'b>) -> Event<'b> {
        let way = match dir {
            Direction::Request => Way::Request,
            Direction::Response => Way::Response,
        };
        let unit = u16::from(frame.header.unit_id.0);
        let tid = frame.header.transaction_id.0;
        let meta = out.meta;
        let mut ev = match Pdu::parse(&frame, way) {
            Ok(p) => {
                let mut ev = match p.pdu {
                    Pdu::Request(ref r) => {
                        let ev = request_event(meta, unit, Some(tid), r, p.anomalies);
                        self.remember(Pending {
                            tid,
                            function: r.function_code().value(),
                            action: Some(ev.action),
                            sub: ev.sub_function,
                            target: ev
                                .targets
                                .get(usize::from(events::read_target_index(r)))
                                .copied()
                                .unwrap_or_default(),
                            marks: ev.marks,
                        });
                        ev
                    }
                    Pdu::Response(ref r) => {
                        let req = self.answered(tid, r.function_code().value());
                        response_event(meta, unit, Some(tid), r, p.anomalies, req)
                    }
                };
                ev.detail = Detail::Modbus(Message {
                    frame,
                    pdu: Some(p),
                });
                ev
            }
            Err(e) => {
                let mut ev = out.event(Protocol::Modbus, dir);
                ev.unit = unit;
                ev.transaction = Some(u32::from(tid));
                ev.function = frame.pdu.first().map_or(0, |b| u16::from(b & 0x7f));
                let c = match e {
                    otwire_modbus::Error::TooLong { .. } => {
                        Conformance::MALFORMED | Conformance::OVERSIZE
                    }
                    _ => Conformance::MALFORMED,
                };
                ev.detail = Detail::Modbus(Message { frame, pdu: None });
                unparsed(ev, c, u64::from(frame.anomalies().bits()))
            }
        };
        ev.raw = frame.pdu;
        ev
    }

    /// One ADU as the framer cut it.
    fn adu<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, adu: &'b [u8]) {
        let ev = match otwire_modbus::split_frame(adu) {
            Ok((frame, _)) => self.frame(out, dir, frame),
            // The framer's cut with a length the parser refuses: undecodable.
            Err(_) => {
                let mut ev = unparsed(out.event(Protocol::Modbus, dir), Conformance::MALFORMED, 0);
                ev.raw = adu;
                ev
            }
        };
        out.emit(ev);
    }

    /// One UDP datagram (Messaging on TCP/IP §4.2: one ADU per datagram). Off port 502 it
    /// is Modbus only when the probe recognises it and its MBAP length spans the datagram
    /// exactly (an mDNS query with id 0 and flags 0 starts like an MBAP header); on port
    /// 502 a plausible MBAP header is decoded too, and a broken PDU flagged.
    fn datagram<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) -> bool {
        let recognized = Self::udp_probe(data, self.info.on_port) == Probe::Recognized;
        match parse_datagram(data) {
            Ok(frame) if frame.header.is_plausible() || recognized => {
                let ev = self.frame(out, dir, frame);
                out.emit(ev);
                true
            }
            // On the port, a plausible header whose PDU the datagram does not hold.
            Err(_)
                if self.info.on_port && MbapHeader::parse(data).is_ok_and(|h| h.is_plausible()) =>
            {
                let mut ev = unparsed(
                    out.event(Protocol::Modbus, dir),
                    Conformance::MALFORMED | Conformance::LENGTH,
                    0,
                );
                ev.raw = data;
                out.emit(ev);
                true
            }
            _ => false,
        }
    }

    fn udp_probe(data: &[u8], on_port: bool) -> Probe {
        match probe(data) {
            Probe::Recognized if on_port || spans_datagram(data) => Probe::Recognized,
            Probe::NeedMore => Probe::NeedMore,
            _ => Probe::Unrecognized,
        }
    }
}

/// Whether the MBAP length of the header at the front of `data` covers exactly the rest of
/// the datagram.
fn spans_datagram(data: &[u8]) -> bool {
    MbapHeader::parse(data).is_ok_and(|h| MBAP_HEADER_LEN - 1 + usize::from(h.length) == data.len())
}

const fn index(dir: Direction) -> usize {
    match dir {
        Direction::Request => 0,
        Direction::Response => 1,
    }
}

impl Analyzer for Modbus {
    const PROTOCOL: Protocol = Protocol::Modbus;
    const NOT_PROTOCOL: &'static str = "NOT_MODBUS";
    const TCP_PORTS: &'static [u16] = &[PORT];
    const UDP_PORTS: &'static [u16] = &[PORT];

    fn probe(data: &[u8], transport: Transport) -> Probe {
        match transport {
            Transport::Tcp => probe(data),
            Transport::Udp => Self::udp_probe(data, false),
        }
    }

    fn new(info: ConnInfo) -> Self {
        Self {
            info,
            framers: [Framer::default(), Framer::default()],
            pending: None,
            next: 0,
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
        framer.feed(data, out, |out, p| match p {
            Piece::Frame(adu) => {
                decoded = true;
                self.adu(out, dir, adu);
            }
            Piece::Junk => {
                let ev = junk(out, Protocol::Modbus, dir);
                out.emit(ev);
            }
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
        Anomalies::from_bits_truncate(u32::try_from(bits & u64::from(u32::MAX)).unwrap_or(0))
            .names()
    }

    fn conformance(bits: u64) -> Conformance {
        events::conformance(bits)
    }

    fn enricher() -> Option<Box<dyn Enrich>> {
        Some(Box::new(UmasModes::new()))
    }
}

impl Event<'_> {
    /// The Modbus detail, when this is a Modbus event that carries one.
    pub fn modbus(&self) -> Option<&Message<'_>> {
        match &self.detail {
            Detail::Modbus(m) => Some(m),
            _ => None,
        }
    }
}

impl Message<'_> {
    /// Feeds what the message says, for [`Detail::content`]: the unit id and the PDU,
    /// without the MBAP transaction id (Modbus Messaging on TCP/IP §3.1.3).
    pub fn content(&self, f: &mut super::Fingerprint) -> bool {
        f.u64(u64::from(self.frame.header.unit_id.0))
            .bytes(self.frame.pdu);
        true
    }
}
