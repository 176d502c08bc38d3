//! DNP3 over TCP and UDP (IEEE 1815-2012: link layer §9.2, transport §8.2, application
//! layer §4.2): the [`Dnp3`] analyzer.
//!
//! Each direction is framed by `otwire_dnp3::StreamDecoder` (one datagram holds whole link
//! frames, Annex E.3), transport segments are reassembled per direction (frames with a bad
//! CRC are not), and each completed application fragment is parsed once. Every link frame
//! gives one event whose [`Detail::Dnp3`] is the frame, its transport header and the
//! fragment it completed; frames that complete no fragment and break nothing are
//! [`Event::record_only`] (a record for `otscan --output pdus`, nothing for detection).
//! Responses take the action and targets of the request with the same application
//! sequence number to the same outstation on the connection.
//!
//! The event's fields:
//! - `unit`: the outstation's link address (the destination of a request, the source of a
//!   response); `station`: the master's link address;
//! - `action`: from [`otwire_dnp3::classify()`] (Read, Command for select / operate / direct
//!   operate / freeze, Restart, ModeChange for start / stop / initialise application,
//!   FileTransfer, Config for assign class, (dis)enable unsolicited, save / activate
//!   configuration, TimeSync, Discovery for g0 reads); solicited responses take their
//!   request's action, unsolicited responses are `Read` (reported data);
//! - `function`: the application function code; `sub_function`: the first object group of
//!   a request;
//! - `targets`: up to two distinct point ranges of the object headers (range qualifiers,
//!   or the lowest to highest index of prefixed objects), `values`: the analog output value
//!   of a single g41 object, or a single analog point's value in a response;
//! - `outcome`: `Exception(iin2)` for a response with IIN2.0-2.2 (function unsupported,
//!   object unknown, parameter error);
//! - `marks`: `BROADCAST` for link destinations 0xFFFD-0xFFFF, `SESSION` for application
//!   Confirm; `raw`: the application fragment (control octet first), or the frame.

mod events;
mod state;

pub use events::{PENDING, action, space};
pub use state::Dnp3State;

use otwire_dnp3::{
    Anomalies, Apdu, Error, Frame, Parsed, Probe, Reassembler, ReassemblyLimits, StreamDecoder,
    TransportHeader, probe, split_frame,
};

use super::framer::{Framer, Piece, stream_decoder};
use super::{Analyzer, ConnInfo, Detail, Out, Transport, junk, unparsed};
use crate::config::Config;
use crate::detectors::StateExtension;
use crate::event::{Conformance, Direction, Event, Marks, Protocol};

/// The DNP3 port (IEEE 1815-2012 Annex A / IANA).
pub const PORT: u16 = 20000;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 64 << 10;
/// Largest reassembled fragment (octets); longer ones are discarded (`FRAGMENT_TOO_LONG`).
/// IEEE 1815-2012 §4.2.1: 2048 is the usual maximum.
pub const MAX_FRAGMENT: usize = 8 << 10;
/// Fragments reassembled at once per direction (distinct source/destination pairs).
pub const MAX_REASSEMBLIES: usize = 8;

/// Anomaly bits of the transport function (§8.2): sequence gaps, repeats, lost segments.
pub const TRANSPORT_SEQUENCE: Anomalies = Anomalies::SEGMENT_WITHOUT_FIR
    .union(Anomalies::DUPLICATE_SEGMENT)
    .union(Anomalies::OUT_OF_SEQUENCE)
    .union(Anomalies::DROPPED_SEGMENT);

stream_decoder!(otwire_dnp3, DECODER_CAPACITY);

/// A DNP3 link frame and what it completed: the [`Detail`] of DNP3 events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message<'a> {
    /// The link frame.
    pub frame: Frame<'a>,
    /// Its transport header, when it carries user data.
    pub transport: Option<TransportHeader>,
    /// The application fragment it completed, parsed, when it completed one that parsed.
    pub apdu: Option<Parsed<Apdu<'a>>>,
    /// The bytes of the fragment it completed (also when they did not parse).
    pub fragment: Option<&'a [u8]>,
}

/// One DNP3 connection (DESIGN.md §3 `protocol`).
#[derive(Debug)]
pub struct Dnp3 {
    info: ConnInfo,
    framers: [Framer<StreamDecoder>; 2],
    /// Transport reassembly per direction (dropped when that direction has a gap).
    reassembly: [Reassembler; 2],
    /// Requests waiting for their response, for pairing; made at the first request.
    pending: events::PendingRing,
}

fn reassembler() -> Reassembler {
    Reassembler::with_limits(ReassemblyLimits {
        max_fragment_size: MAX_FRAGMENT,
        max_reassemblies: MAX_REASSEMBLIES,
    })
}

const fn index(dir: Direction) -> usize {
    match dir {
        Direction::Request => 0,
        Direction::Response => 1,
    }
}

impl Dnp3 {
    /// The event of one link frame (start octets to last CRC), as the framer cut it.
    fn link_frame<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, bytes: &'b [u8]) {
        let mut ev = out.event(Protocol::Dnp3, dir);
        ev.raw = bytes;
        let (frame, rest) = match split_frame(bytes) {
            Ok(x) => x,
            Err(e) => {
                let c = match e {
                    Error::Malformed { offset: 0 | 1, .. } | Error::Junk { .. } => {
                        Conformance::NOT_PROTOCOL
                    }
                    Error::TooLong { .. } => Conformance::MALFORMED | Conformance::OVERSIZE,
                    Error::BadCrc { .. } => Conformance::MALFORMED | Conformance::CHECKSUM,
                    _ => Conformance::MALFORMED | Conformance::LENGTH,
                };
                out.emit(unparsed(ev, c, 0));
                return;
            }
        };
        let h = frame.header;
        (ev.unit, ev.station) = events::stations(dir, h.source.0, h.destination.0);
        if h.destination.is_broadcast() {
            ev.marks |= Marks::BROADCAST;
        }
        let mut message = Message {
            frame,
            transport: frame.transport_header(),
            apdu: None,
            fragment: None,
        };
        ev.detail = Detail::Dnp3(message);
        let length = if rest.is_empty() {
            Conformance::NONE
        } else {
            Conformance::LENGTH
        };
        let link_bits = u64::from(frame.anomalies.bits());
        if frame
            .anomalies
            .intersects(Anomalies::BAD_HEADER_CRC | Anomalies::BAD_DATA_CRC)
        {
            // Corrupt data is not reassembled.
            out.emit(unparsed(
                ev,
                Conformance::MALFORMED | Conformance::CHECKSUM | length,
                link_bits,
            ));
            return;
        }
        ev.anomalies = link_bits;
        if frame.user_data_len() == 0 {
            ev.record_only = true;
            out.emit(ev);
            return;
        }
        let Some(reasm) = self.reassembly.get_mut(index(dir)) else {
            return;
        };
        let pushed = reasm.push_frame(&frame);
        ev.anomalies |= u64::from(pushed.anomalies.bits());
        let Some(fragment) = pushed.fragment else {
            if pushed
                .anomalies
                .intersects(TRANSPORT_SEQUENCE | Anomalies::FRAGMENT_TOO_LONG)
            {
                let mut ev = unparsed(ev, Conformance::NONE, 0);
                if pushed.anomalies.contains(Anomalies::FRAGMENT_TOO_LONG) {
                    ev.conformance |= Conformance::OVERSIZE;
                }
                out.emit(ev);
            } else {
                ev.record_only = true;
                out.emit(ev);
            }
            return;
        };
        let Some(data) = out.arena.copy(&fragment.data) else {
            // The caller's arena is too small (counted there): the frame without its
            // fragment.
            out.emit(ev);
            return;
        };
        message.fragment = Some(data);
        let (mut fev, apdu) = events::fragment_event(
            &mut self.pending,
            out.meta,
            dir,
            h.source.0,
            h.destination.0,
            data,
        );
        message.apdu = apdu;
        fev.detail = Detail::Dnp3(message);
        fev.anomalies |= ev.anomalies;
        fev.conformance |= Self::conformance(ev.anomalies) | length;
        out.emit(fev);
    }

    /// Whole link frames of one datagram (Annex E.3).
    fn datagram<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) -> bool {
        if probe(data) != Probe::Recognized {
            return false;
        }
        let mut rest = data;
        while !rest.is_empty() {
            match split_frame(rest) {
                Ok((frame, tail)) => {
                    self.link_frame(out, dir, frame.raw);
                    rest = tail;
                }
                Err(_) => {
                    let mut ev = unparsed(
                        out.event(Protocol::Dnp3, dir),
                        Conformance::MALFORMED | Conformance::LENGTH,
                        0,
                    );
                    ev.raw = rest;
                    out.emit(ev);
                    break;
                }
            }
        }
        true
    }
}

impl Analyzer for Dnp3 {
    const PROTOCOL: Protocol = Protocol::Dnp3;
    const NOT_PROTOCOL: &'static str = "NOT_DNP3";
    const TCP_PORTS: &'static [u16] = &[PORT];
    const UDP_PORTS: &'static [u16] = &[PORT];

    fn probe(data: &[u8], _transport: Transport) -> Probe {
        probe(data)
    }

    fn new(info: ConnInfo) -> Self {
        Self {
            info,
            framers: [Framer::default(), Framer::default()],
            reassembly: [reassembler(), reassembler()],
            pending: events::PendingRing::default(),
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
            Piece::Frame(bytes) => {
                decoded = true;
                self.link_frame(out, dir, bytes);
            }
            Piece::Junk => {
                let ev = junk(out, Protocol::Dnp3, dir);
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
        // A fragment cut by the hole can never complete.
        if let Some(r) = self.reassembly.get_mut(index(dir)) {
            if r.in_progress() > 0 {
                *r = reassembler();
            }
        }
    }

    fn buffered(&self) -> usize {
        // Partial fragments count at their largest size: the reassembler does not say how
        // full they are.
        let partial: usize = self.reassembly.iter().map(Reassembler::in_progress).sum();
        self.framers.iter().map(Framer::buffered).sum::<usize>() + partial * MAX_FRAGMENT
    }

    fn anomaly_names(bits: u64) -> impl Iterator<Item = &'static str> {
        Anomalies::from_bits_truncate(u32::try_from(bits & u64::from(u32::MAX)).unwrap_or(0))
            .names()
    }

    fn conformance(bits: u64) -> Conformance {
        events::conformance(bits)
    }

    fn state_extension(config: &Config) -> Option<Box<dyn StateExtension>> {
        Some(Box::new(Dnp3State::new(config)))
    }
}

impl Event<'_> {
    /// The DNP3 detail, when this is a DNP3 event that carries one.
    pub fn dnp3(&self) -> Option<&Message<'_>> {
        match &self.detail {
            Detail::Dnp3(m) => Some(m),
            _ => None,
        }
    }
}

impl Message<'_> {
    /// Feeds what the message says, for [`Detail::content`]: the link addresses and the
    /// application fragment it completed, without the transport header (§8.2, sequence)
    /// and with the application control octet's SEQ field cleared (§4.2.2.4; FIR, FIN,
    /// CON and UNS kept). False for a frame that completed no fragment.
    pub fn content(&self, f: &mut super::Fingerprint) -> bool {
        let Some((&control, rest)) = self.fragment.and_then(<[u8]>::split_first) else {
            return false;
        };
        let h = self.frame.header;
        f.u64(u64::from(h.destination.0) << 16 | u64::from(h.source.0))
            .u64(u64::from(control & 0xF0))
            .bytes(rest);
        true
    }
}
