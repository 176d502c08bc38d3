//! Identification, written once for every protocol (DESIGN.md §4: "the server side's port
//! decides; on a well-known port a direction is never given up"): a [`Stream`] wraps one
//! connection's [`Analyzer`] and decides, per direction, when its bytes are the protocol.
//!
//! - On the protocol's well-known port every byte is decoded: the analyzer's framing finds
//!   every plausible frame and flags what is off. A direction whose first bytes the probe
//!   does not recognise is reported once as not the protocol (`NOT_PROTOCOL`), and
//!   decoding goes on, so a client cannot hide requests behind an opening of junk.
//! - Off the port, the start of each of a direction's first [`PROBE_CHUNKS`] chunks is
//!   probed (bytes of a probe that needs more are kept, up to [`PROBE_BUFFER`]); once either
//!   direction is recognised, the connection is the protocol and both directions are
//!   decoded as on the port. A direction whose chunks are never recognised is given up.
//! - UDP datagrams stand alone: on the port each is decoded (one `NOT_PROTOCOL` per
//!   direction for datagrams that are not the protocol), off the port only those the probe
//!   recognises.

use core::marker::PhantomData;

use super::{Analyzer, ConnInfo, Out, Transport, not_protocol};
use crate::event::{Conformance, Direction, Protocol};

/// Chunks probed at the start of a direction off the well-known port before it is given up.
pub const PROBE_CHUNKS: u8 = 16;
/// Bytes kept while a probe needs more.
pub const PROBE_BUFFER: usize = 64;

/// A connection's protocol session behind one object-safe interface, whatever the
/// protocol: what a pipeline holds per candidate protocol of a flow.
pub trait Session: Send {
    /// The protocol.
    fn protocol(&self) -> Protocol;
    /// Bytes of one direction: the next TCP stream bytes, or one UDP datagram.
    fn data<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]);
    /// Bytes of `dir` are missing before the next `data`.
    fn gap(&mut self, dir: Direction);
    /// Bytes of `dir` were resent with different content (a TCP overlap conflict the
    /// caller's reassembly found, just before the bytes it concerns): the first event of
    /// `dir` decoded after it carries [`Conformance::OVERLAP_CONFLICT`]; when none comes
    /// before the connection ends, `close` reports it in an event of its own (once the
    /// direction is identified as the protocol).
    fn conflict(&mut self, dir: Direction);
    /// The connection ended.
    fn close<'b>(&mut self, out: &mut Out<'_, 'b>);
    /// Bytes held (probe buffers, partial frames, fragments in progress).
    fn buffered(&self) -> usize;
    /// A direction was recognised as the protocol (always true on the well-known port).
    fn identified(&self) -> bool;
    /// Every direction was given up: the connection is not this protocol.
    fn rejected(&self) -> bool;
}

#[derive(Debug, Default)]
enum Side {
    /// Off the port, not recognised yet.
    Probing { buf: Vec<u8>, chunks: u8 },
    /// Decoded: `frames` once something decoded as the protocol, `reported` once the
    /// direction was reported as not the protocol.
    #[default]
    Decoding,
    /// Given up.
    Rejected,
}

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    /// Something in this direction decoded as the protocol.
    frames: bool,
    /// This direction was reported as not the protocol.
    reported: bool,
    /// This direction sent bytes.
    bytes: bool,
    /// An overlap conflict waits for the next event of this direction.
    conflict: bool,
}

/// One connection of protocol `A`, with identification.
#[derive(Debug)]
pub struct Stream<A> {
    analyzer: A,
    info: ConnInfo,
    sides: [Side; 2],
    seen: [Seen; 2],
    _a: PhantomData<fn() -> A>,
}

const fn index(dir: Direction) -> usize {
    match dir {
        Direction::Request => 0,
        Direction::Response => 1,
    }
}

impl<A: Analyzer> Stream<A> {
    /// A connection; `info.on_port` says whether the server side is on one of `A`'s
    /// well-known ports.
    pub fn new(info: ConnInfo) -> Self {
        let side = || {
            if info.on_port || info.transport == Transport::Udp {
                Side::Decoding
            } else {
                Side::Probing {
                    buf: Vec::new(),
                    chunks: 0,
                }
            }
        };
        Self {
            analyzer: A::new(info),
            info,
            sides: [side(), side()],
            seen: [Seen::default(); 2],
            _a: PhantomData,
        }
    }

    /// The analyzer.
    pub fn analyzer(&self) -> &A {
        &self.analyzer
    }

    /// Decodes `data` (see `decode_identify`); a pending overlap conflict of `dir` goes on
    /// the first event of `dir` that comes out.
    fn decode<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) {
        let start = out.len();
        self.decode_identify(out, dir, data);
        if let Some(s) = self.seen.get_mut(index(dir)) {
            if s.conflict && out.mark_first(start, dir, Conformance::OVERLAP_CONFLICT) {
                s.conflict = false;
            }
        }
    }

    /// Decodes `data`. A direction whose first bytes are not the protocol (its first
    /// pieces are junk, or a datagram decodes to nothing) is reported once as not the
    /// protocol, in place of that junk; decoding goes on, and the junk it meets is not
    /// reported again until something decodes.
    fn decode_identify<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) {
        let i = index(dir);
        let start = out.len();
        let decoded = self.analyzer.decode(out, dir, data);
        let Some(s) = self.seen.get_mut(i) else {
            return;
        };
        s.bytes |= !data.is_empty();
        let undecided = !s.frames && !s.reported;
        let silent = !s.frames && s.reported;
        s.frames |= decoded;
        if silent {
            // Reported as not the protocol and nothing decoded since: its junk is that.
            out.retain_from(start, |ev| !ev.conformance.contains(Conformance::JUNK));
        }
        if !undecided {
            return;
        }
        let leading_junk = out.junk_run(start);
        let nothing = !decoded && self.info.transport == Transport::Udp;
        if leading_junk > 0 || nothing {
            if let Some(s) = self.seen.get_mut(i) {
                s.reported = true;
            }
            let ev = not_protocol(out, A::PROTOCOL, dir, data);
            out.replace_run(start, leading_junk, ev);
        }
    }

    fn report<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, raw: &'b [u8]) {
        if let Some(s) = self.seen.get_mut(index(dir)) {
            s.reported = true;
        }
        let ev = not_protocol(out, A::PROTOCOL, dir, raw);
        out.emit(ev);
    }

    /// Off the port: probes the next chunk of a direction not recognised yet.
    fn probe<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) {
        let i = index(dir);
        let Some(Side::Probing { buf, chunks }) = self.sides.get_mut(i) else {
            return;
        };
        let verdict = if buf.is_empty() {
            A::probe(data, Transport::Tcp)
        } else {
            buf.extend_from_slice(data);
            match A::probe(buf, Transport::Tcp) {
                // What was kept and the new bytes are not the protocol together: the new
                // chunk may still start a frame on its own.
                super::Probe::Unrecognized => {
                    buf.clear();
                    *chunks = chunks.saturating_add(1);
                    A::probe(data, Transport::Tcp)
                }
                v => v,
            }
        };
        match verdict {
            super::Probe::Recognized => {
                let pending = core::mem::take(buf);
                // The connection is the protocol: both directions decode from here on.
                let other = self.sides.get_mut(1 - i).map(core::mem::take);
                if let Some(s) = self.sides.get_mut(i) {
                    *s = Side::Decoding;
                }
                if pending.is_empty() {
                    self.decode(out, dir, data);
                } else if let Some(copy) = out.arena.copy(&pending) {
                    self.decode(out, dir, copy);
                }
                if let Some(Side::Probing { buf, .. }) =
                    other.filter(|o| matches!(o, Side::Probing { buf, .. } if !buf.is_empty()))
                {
                    let peer = match dir {
                        Direction::Request => Direction::Response,
                        Direction::Response => Direction::Request,
                    };
                    if let Some(copy) = out.arena.copy(&buf) {
                        self.decode(out, peer, copy);
                    }
                }
            }
            super::Probe::NeedMore => {
                if buf.is_empty() {
                    buf.extend_from_slice(data);
                }
                if buf.len() > PROBE_BUFFER {
                    buf.clear();
                    *chunks = chunks.saturating_add(1);
                }
            }
            super::Probe::Unrecognized => {
                buf.clear();
                *chunks = chunks.saturating_add(1);
            }
        }
        if let Some(side) = self.sides.get_mut(i) {
            if matches!(side, Side::Probing { chunks, .. } if *chunks >= PROBE_CHUNKS) {
                *side = Side::Rejected;
            }
        }
    }
}

impl<A: Analyzer> Session for Stream<A> {
    fn protocol(&self) -> Protocol {
        A::PROTOCOL
    }

    fn data<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) {
        match self.info.transport {
            Transport::Udp => {
                if self.info.on_port || A::probe(data, Transport::Udp) == super::Probe::Recognized {
                    self.decode(out, dir, data);
                }
            }
            Transport::Tcp => match self.sides.get(index(dir)) {
                Some(Side::Decoding) => self.decode(out, dir, data),
                Some(Side::Probing { .. }) => self.probe(out, dir, data),
                _ => {}
            },
        }
    }

    fn gap(&mut self, dir: Direction) {
        match self.sides.get_mut(index(dir)) {
            Some(Side::Decoding) => self.analyzer.gap(dir),
            Some(Side::Probing { buf, .. }) => buf.clear(),
            _ => {}
        }
    }

    fn conflict(&mut self, dir: Direction) {
        if let Some(s) = self.seen.get_mut(index(dir)) {
            s.conflict = true;
        }
    }

    fn close<'b>(&mut self, out: &mut Out<'_, 'b>) {
        let start = out.len();
        self.analyzer.close(out);
        // A conflict no event carried yet: on the close's events, else on one of its own
        // (in a direction decoded as the protocol; off the port a connection never
        // recognised is not this protocol's to report).
        for dir in [Direction::Request, Direction::Response] {
            let i = index(dir);
            let decoding = matches!(self.sides.get(i), Some(Side::Decoding));
            let Some(s) = self.seen.get_mut(i) else {
                continue;
            };
            if !s.conflict || !decoding {
                continue;
            }
            s.conflict = false;
            if !out.mark_first(start, dir, Conformance::OVERLAP_CONFLICT) {
                let ev = super::unparsed(
                    out.event(A::PROTOCOL, dir),
                    Conformance::OVERLAP_CONFLICT,
                    0,
                );
                out.emit(ev);
            }
        }
        // On the port, a direction that sent bytes of which nothing decoded and that was
        // not reported yet (too few bytes for the probe to judge) is not the protocol.
        if self.info.on_port && self.info.transport == Transport::Tcp {
            for dir in [Direction::Request, Direction::Response] {
                let s = self.seen.get(index(dir)).copied().unwrap_or_default();
                if s.bytes && !s.frames && !s.reported {
                    self.report(out, dir, &[]);
                }
            }
        }
    }

    fn buffered(&self) -> usize {
        let probing: usize = self
            .sides
            .iter()
            .map(|s| match s {
                Side::Probing { buf, .. } => buf.capacity(),
                _ => 0,
            })
            .sum();
        probing + self.analyzer.buffered()
    }

    fn identified(&self) -> bool {
        self.info.on_port
            || match self.info.transport {
                Transport::Tcp => self.sides.iter().any(|s| matches!(s, Side::Decoding)),
                Transport::Udp => self.seen.iter().any(|s| s.frames),
            }
    }

    fn rejected(&self) -> bool {
        self.sides.iter().all(|s| matches!(s, Side::Rejected))
    }
}
