//! Protocols: one [`Analyzer`] per protocol, driven the same way by every tool (DESIGN.md
//! §3 `protocol`; sawp's `Parse`/`Probe`, Suricata's parser registration and Zeek's
//! analyzers are the models).
//!
//! An analyzer holds one connection's session logic: per-direction framing, reassembly
//! where the protocol has it, request/response pairing. Bytes of one direction go in
//! ([`Analyzer::decode`] for TCP stream bytes and UDP datagrams alike); [`Event`]s come
//! out, each with the typed, borrowed message in [`Event::detail`], so detectors and
//! record writers never re-parse bytes. [`Stream`] wraps an analyzer with identification
//! (the well-known port, or `probe`), written once for every protocol; [`Sessions`] keys
//! streams by flow for tools that see `(flow, direction, bytes)`; [`registry`] lists the
//! protocols built in.
//!
//! Events borrow their bytes from the input (`'b`) or from an [`Arena`] the caller
//! provides for frames that had to be buffered across calls, so decoding allocates
//! nothing per message and a batch of events can be handed to other threads.
//!
//! What every protocol shares is here: [`unparsed`] events, [`conformance`] from a table of
//! anomaly bits, the names of the pipeline's own findings ([`NOT_PROTOCOL`]...).

mod arena;
mod content;
mod framer;
mod registry;
mod sessions;
mod stream;

#[cfg(feature = "dnp3")]
pub mod dnp3;
#[cfg(feature = "enip")]
pub mod enip;
#[cfg(feature = "iec104")]
pub mod iec104;
#[cfg(feature = "modbus")]
pub mod modbus;
#[cfg(feature = "s7")]
pub mod s7;

pub use arena::Arena;
pub use content::Fingerprint;
pub use framer::{Decoder, Fed, Framer, Piece};
pub use registry::{Descriptor, Detail, Registered, describe, registry};
pub use sessions::{DEFAULT_FLOWS, Sessions, recycle};
pub use stream::{PROBE_BUFFER, PROBE_CHUNKS, Session, Stream};

pub use otwire_core::Probe;

use crate::config::Config;
use crate::detectors::StateExtension;
use crate::event::{Conformance, Direction, Event, Meta, Outcome, Protocol};

/// The transport a conversation runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// TCP: bytes of each direction in order, in any chunking.
    Tcp,
    /// UDP: one datagram at a time.
    Udp,
}

/// What an analyzer is told about its connection when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnInfo {
    /// TCP or UDP.
    pub transport: Transport,
    /// The server side is on one of the protocol's well-known ports: every plausible frame
    /// is decoded, and what is not the protocol is flagged, never given up on.
    pub on_port: bool,
}

/// The record name of bytes that are not the protocol at all (another protocol on its
/// port, or bytes no probe recognised); each protocol has its own ([`Analyzer::NOT_PROTOCOL`]).
pub const NOT_PROTOCOL: &str = "NOT_PROTOCOL";
/// The record name of a frame that could not be decoded at all (the parser returned an error).
pub const MALFORMED: &str = "MALFORMED";
/// The record name of bytes skipped between frames while resynchronising.
pub const JUNK_SKIPPED: &str = "JUNK_SKIPPED";
/// The record name of a PDU whose bytes a TCP segment resent with different content
/// ([`Conformance::OVERLAP_CONFLICT`]).
pub const OVERLAP_CONFLICT: &str = "TCP_OVERLAP_CONFLICT";

/// Where an analyzer puts what it decodes: the events, and the arena for bytes that must
/// outlive the call.
#[derive(Debug)]
pub struct Out<'o, 'b> {
    /// When, which capture record, which flow (copied into every event).
    pub meta: Meta,
    /// Bytes that must outlive the call (frames buffered across calls, reassembled
    /// fragments).
    pub arena: &'o mut Arena<'b>,
    events: &'o mut Vec<Event<'b>>,
}

impl<'o, 'b> Out<'o, 'b> {
    /// Events go to `events`, copied bytes to `arena`.
    pub fn new(meta: Meta, arena: &'o mut Arena<'b>, events: &'o mut Vec<Event<'b>>) -> Self {
        Self {
            meta,
            arena,
            events,
        }
    }

    /// A fresh event of `protocol` in `dir` with this call's metadata.
    #[inline]
    pub fn event(&self, protocol: Protocol, dir: Direction) -> Event<'b> {
        Event::new(self.meta, protocol, dir)
    }

    /// Hands an event out.
    #[inline]
    pub fn emit(&mut self, ev: Event<'b>) {
        self.events.push(ev);
    }

    /// Events handed out so far (the caller's whole list).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event was handed out yet.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Keeps, of the events handed out from index `start` on, those `keep` accepts.
    pub(crate) fn retain_from(&mut self, start: usize, mut keep: impl FnMut(&Event<'b>) -> bool) {
        let mut w = start;
        for r in start..self.events.len() {
            if self.events.get(r).is_some_and(&mut keep) {
                self.events.swap(w, r);
                w += 1;
            }
        }
        self.events.truncate(w);
    }

    /// How many junk reports (`Conformance::JUNK`) follow each other from index `start`.
    pub(crate) fn junk_run(&self, start: usize) -> usize {
        self.events
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|ev| ev.conformance.contains(Conformance::JUNK))
            .count()
    }

    /// Adds `c` to the first event of direction `dir` handed out from index `start` on;
    /// returns whether there was one.
    pub(crate) fn mark_first(&mut self, start: usize, dir: Direction, c: Conformance) -> bool {
        let ev = self
            .events
            .get_mut(start..)
            .unwrap_or_default()
            .iter_mut()
            .find(|ev| ev.direction == dir);
        match ev {
            Some(ev) => {
                ev.conformance |= c;
                true
            }
            None => false,
        }
    }

    /// Replaces the `n` events from index `start` by `ev`.
    pub(crate) fn replace_run(&mut self, start: usize, n: usize, ev: Event<'b>) {
        let end = (start + n).min(self.events.len());
        if start <= end {
            self.events.splice(start..end, [ev]);
        }
    }
}

/// One protocol's session logic for one connection (DESIGN.md §3 `protocol`).
///
/// An analyzer is made per connection (nothing allocated until bytes arrive) and holds
/// only that connection's state, so connections can be spread over threads; state that
/// spans connections belongs to detection ([`crate::Engine`]).
pub trait Analyzer: Send + 'static {
    /// The protocol of its events.
    const PROTOCOL: Protocol;
    /// The record name of bytes that are not this protocol (`"NOT_MODBUS"`).
    const NOT_PROTOCOL: &'static str;
    /// Well-known server ports over TCP.
    const TCP_PORTS: &'static [u16];
    /// Well-known server ports over UDP (empty when the protocol has no UDP mapping).
    const UDP_PORTS: &'static [u16];

    /// Whether bytes at the start of a direction (TCP) or one datagram (UDP) are plausibly
    /// this protocol: identification off the well-known ports.
    fn probe(data: &[u8], transport: Transport) -> Probe;

    /// The state of a new connection.
    fn new(info: ConnInfo) -> Self;

    /// Bytes of one direction known to be this protocol: the next TCP stream bytes (in
    /// order, any chunking), or one UDP datagram. Returns whether anything in them decoded
    /// as the protocol (a frame, even a flagged one), which identification uses.
    fn decode<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) -> bool;

    /// Bytes of `dir` are missing before the next `decode` (a TCP sequence gap).
    fn gap(&mut self, dir: Direction);

    /// The connection ended: flush what can still be said.
    fn close<'b>(&mut self, out: &mut Out<'_, 'b>) {
        let _ = out;
    }

    /// Bytes held for this connection (partial frames, fragments in progress): a caller's
    /// memory budget, and twice this plus the next input's length bounds the arena bytes
    /// the next call copies.
    fn buffered(&self) -> usize;

    /// The names of this protocol's anomaly bits (`Event::anomalies`), for records and
    /// alert evidence.
    fn anomaly_names(bits: u64) -> impl Iterator<Item = &'static str>;

    /// The protocol-neutral conformance findings of a set of anomaly bits.
    fn conformance(bits: u64) -> Conformance;

    /// The protocol's own state machine, run by detection's state family
    /// ([`Transactions`](crate::detectors::Transactions)), if it has one.
    fn state_extension(config: &Config) -> Option<Box<dyn StateExtension>> {
        let _ = config;
        None
    }

    /// State spanning connections that detection adds to this protocol's events before
    /// any detector sees them (marks such as `MODIFIES_PROGRAM`), if the protocol has some.
    fn enricher() -> Option<Box<dyn Enrich>> {
        None
    }
}

/// Facts that span connections, added to events before detectors see them: the
/// [`Engine`](crate::Engine) runs each protocol's enricher, in event order, on every event
/// of that protocol, and the detectors see the event with the marks it returns added. Kept
/// out of [`Analyzer`]s so that connections can be decoded on any thread while detection
/// stays in capture order.
pub trait Enrich: Send + core::fmt::Debug {
    /// The protocol whose events it sees.
    fn protocol(&self) -> Protocol;
    /// Learns from `ev`; returns the marks to add to it.
    fn marks(&mut self, ev: &Event<'_>) -> crate::event::Marks;
}

/// Marks `ev` as undecodable: outcome `Unparsed`, conformance `c`, anomaly `bits` added.
#[inline]
pub fn unparsed(mut ev: Event<'_>, c: Conformance, bits: u64) -> Event<'_> {
    ev.outcome = Outcome::Unparsed;
    ev.conformance |= c;
    ev.anomalies |= bits;
    ev
}

/// The conformance findings of anomaly `bits` from a protocol's table of (bits, finding)
/// rows: every row whose bits intersect adds its finding.
pub fn conformance(bits: u64, table: &[(u64, Conformance)]) -> Conformance {
    table
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .fold(Conformance::NONE, |c, (_, f)| c | *f)
}

/// The event of bytes that are not the protocol at all (`NOT_PROTOCOL`), carrying them.
pub fn not_protocol<'b>(
    out: &Out<'_, 'b>,
    protocol: Protocol,
    dir: Direction,
    raw: &'b [u8],
) -> Event<'b> {
    let mut ev = unparsed(out.event(protocol, dir), Conformance::NOT_PROTOCOL, 0);
    ev.raw = raw;
    ev
}

/// The event of bytes skipped between frames while resynchronising (`JUNK_SKIPPED`):
/// undecodable (`MALFORMED`, `JUNK`).
pub fn junk<'b>(out: &Out<'_, 'b>, protocol: Protocol, dir: Direction) -> Event<'b> {
    unparsed(
        out.event(protocol, dir),
        Conformance::MALFORMED | Conformance::JUNK,
        0,
    )
}
