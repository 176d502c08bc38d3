//! Siemens S7 over ISO-on-TCP (RFC 1006 TPKT, ISO 8073 class 0 COTP): S7comm (0x32) and
//! S7comm-plus (0x72), the [`S7`] analyzer.
//!
//! Each direction is framed into TPKTs by `otwire_s7::StreamDecoder`; COTP DTs are joined
//! into TSDUs (EOT), fragmented userdata answers and S7comm-plus PDUs sent as several
//! frames are joined, and after an S7comm-plus InitSsl the payloads are TLS (both
//! directions share one `PlusSession`). Every TPKT gives one event whose [`Detail::S7`] is
//! the frame and what decoded of it, all layers' anomalies included. Answers take the
//! action, targets and marks of the job with the same PDU reference (S7comm) or sequence
//! number (S7comm-plus); the last [`PENDING`] requests are remembered.
//!
//! The event's fields:
//! - `unit`: the rack and slot of the connection's called TSAP (`rack << 8 | slot`, from
//!   the COTP connection request; 0 until one is seen); `transaction`: the S7comm PDU
//!   reference (none for userdata pushes, which answer nothing) or the S7comm-plus
//!   sequence number;
//! - `function`: an S7comm job's function code (0x04 read var, 0x05 write var, 0x1A-0x1F
//!   block transfer, 0x28 PI service, 0x29 PLC stop, 0xF0 setup communication);
//!   [`USERDATA`]` | group` for userdata, with the subfunction in `sub_function`; the
//!   S7comm-plus function code (0x04BB-0x0586), or [`PLUS`]` | opcode` for S7comm-plus
//!   PDUs without one; [`COTP`]` | TPDU code` for COTP TPDUs that complete no message
//!   (CR 0x2E0, CC 0x2D0, DT fragments 0x2F0, DR 0x280); [`TLS`] for TLS records and
//!   [`FOREIGN`] for another COTP user's bytes;
//! - `action` from `otwire_s7::classify` / `classify_plus` ([`events::action`]), with
//!   PI `_MSRST` (memory reset) and S7comm-plus SetVariable / Invoke of the CPU's
//!   operating state made `ModeChange`;
//!   `marks`: `SESSION` for COTP connection management, setup communication and
//!   S7comm-plus session PDUs, `READS_DEVICE_STATE` for SZL reads of the CPU's mode and
//!   LEDs, `BASELINED` for every SZL read request (judged by [`S7State`] against the
//!   clients seen making them), `MODIFIES_PROGRAM` for block insert and delete;
//! - `targets`: up to two S7ANY ranges of a read or write job, in space
//!   `Other(area code)`, `start` the byte address (for data blocks `db << 16 | byte`),
//!   `count` the bytes spanned;
//! - `outcome`: `Exception(class << 8 | code)` for an ack or ack-data with an error, or a
//!   userdata answer with one; `raw`: the TPKT.
//!
//! DT fragments (a TSDU not complete yet) and S7comm-plus frames that are not the last of
//! their PDU are records only (detection sees the message they complete). Bytes of
//! another COTP user (ISO session / MMS on port 102) are reported once per direction as
//! not S7 (`FOREIGN_PAYLOAD`) and then kept as records only.

mod events;
mod state;

pub use events::{COTP, FOREIGN, PLUS, TLS, USERDATA, action};
pub use state::{
    PASSWORD_BURST, PASSWORD_WINDOW_US, PLUS_CLIENTS, PLUS_CPU_EXEC_UNIT, PLUS_OPERATING_STATE_REQ,
    S7State, TSAP_SWEEP, TSAP_WINDOW_US,
};

use otwire_s7::{
    Anomalies, Body, Connection, CotpReassembler, Frame, Message as S7Message, Opcode, PlusFrame,
    PlusPdu, PlusReassembler, PlusSession, Probe, StreamDecoder, Tpdu, UserdataReassembler,
    split_frame,
};

use super::framer::{Framer, Piece, stream_decoder};
use super::{Analyzer, ConnInfo, Detail, Out, Transport, junk, unparsed};
use crate::config::Config;
use crate::detectors::StateExtension;
use crate::event::{Action, Conformance, Direction, Event, Marks, Protocol, Targets};

/// The ISO-on-TCP port (RFC 1006 §4).
pub const PORT: u16 = 102;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 128 << 10;
/// Outstanding requests remembered per connection for pairing.
pub const PENDING: usize = 8;

stream_decoder!(otwire_s7, DECODER_CAPACITY);

/// An S7 TPKT and what decoded of it: the [`Detail`] of S7 events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message<'a> {
    /// The TPKT (header and TPDU bytes).
    pub frame: Frame<'a>,
    /// The COTP TPDU, when it decoded.
    pub tpdu: Option<Tpdu<'a>>,
    /// The message of the TSDU this TPKT completed (S7comm PDU, S7comm-plus frame, TLS,
    /// another COTP user's bytes), when it decoded.
    pub message: Option<S7Message<'a>>,
    /// The data header of the S7comm-plus PDU this TPKT completed.
    pub plus: Option<PlusPdu<'a>>,
    /// The payload of a userdata answer this TPKT completed from several data units (an
    /// SZL answer: its header and every record).
    pub joined: Option<&'a [u8]>,
    /// Every anomaly of the TPKT, the TPDU, the message and the reassemblies.
    pub anomalies: Anomalies,
}

/// What a request left for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pending {
    /// 1 S7comm (PDU reference), 2 S7comm-plus (sequence number); 0 for a free slot.
    pub(crate) kind: u8,
    pub(crate) id: u16,
    pub(crate) function: u16,
    pub(crate) sub: Option<u16>,
    pub(crate) action: Action,
    pub(crate) marks: Marks,
    pub(crate) targets: Targets,
}

impl Pending {
    const FREE: Pending = Pending {
        kind: 0,
        id: 0,
        function: 0,
        sub: None,
        action: Action::Other,
        marks: Marks::NONE,
        targets: Targets::NONE,
    };

    fn of(kind: u8, id: u16, ev: &Event<'_>) -> Self {
        Pending {
            kind,
            id,
            function: ev.function,
            sub: ev.sub_function,
            action: ev.action,
            marks: ev.marks,
            targets: ev.targets,
        }
    }
}

/// One direction's layers above TPKT.
#[derive(Debug, Default)]
struct Half {
    framer: Framer<StreamDecoder>,
    cotp: CotpReassembler,
    userdata: UserdataReassembler,
    plus: PlusReassembler,
    /// Another COTP user's bytes were reported in this direction.
    foreign: bool,
}

/// One S7 connection (DESIGN.md §3 `protocol`).
#[derive(Debug)]
pub struct S7 {
    halves: [Half; 2],
    session: PlusSession,
    unit: u16,
    pending: [Pending; PENDING],
    next: u8,
}

const fn index(dir: Direction) -> usize {
    match dir {
        Direction::Request => 0,
        Direction::Response => 1,
    }
}

/// `got` as bytes of `'b`: `input` itself when a reassembler handed it back unchanged,
/// else a copy in the arena (`None` when the arena is full).
fn rebind<'b>(out: &mut Out<'_, 'b>, got: &[u8], input: &'b [u8]) -> Option<&'b [u8]> {
    if core::ptr::eq(got, input) {
        Some(input)
    } else {
        out.arena.copy(got)
    }
}

impl S7 {
    fn remember(&mut self, p: Pending) {
        let i = usize::from(self.next) % PENDING;
        if let Some(slot) = self.pending.get_mut(i) {
            *slot = p;
        }
        self.next = ((i + 1) % PENDING) as u8;
    }

    /// The request an answer of `kind` with `id` answers (taken off the ring).
    fn answered(&mut self, kind: u8, id: u16) -> Option<Pending> {
        let n = PENDING;
        let newest = (0..n)
            .map(|k| (usize::from(self.next) + n - 1 - k) % n)
            .find(|&i| {
                self.pending
                    .get(i)
                    .is_some_and(|p| p.kind == kind && p.id == id)
            })?;
        self.pending
            .get_mut(newest)
            .map(|p| core::mem::replace(p, Pending::FREE))
    }

    /// The event of one TPKT sent in `dir`.
    fn tpkt<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, bytes: &'b [u8]) -> Event<'b> {
        let mut ev = out.event(Protocol::S7, dir);
        ev.raw = bytes;
        ev.unit = self.unit;
        let Ok((frame, _)) = split_frame(bytes) else {
            return unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, 0);
        };
        let mut m = Message {
            frame,
            tpdu: None,
            message: None,
            plus: None,
            joined: None,
            anomalies: frame.anomalies(),
        };
        let tpdu = match Tpdu::parse(frame.tpdu) {
            Ok(t) => t,
            Err(_) => {
                let bits = m.anomalies.bits();
                ev.detail = Detail::S7(m);
                return unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, bits);
            }
        };
        m.anomalies |= tpdu.anomalies;
        m.tpdu = Some(tpdu.pdu);
        ev.function = COTP | u16::from(tpdu.pdu.code().value());
        ev.marks = Marks::SESSION;
        let dt = match tpdu.pdu {
            Tpdu::Data(dt) => dt,
            Tpdu::ConnectionRequest(c) => {
                let rack_slot = c.dst_tsap().and_then(Connection::s7_rack_slot);
                if let Some((_, rack, slot)) = rack_slot {
                    self.unit = u16::from(rack) << 8 | u16::from(slot);
                    ev.unit = self.unit;
                }
                return finish(ev, m);
            }
            _ => return finish(ev, m),
        };
        let i = index(dir);
        let tsdu = match self.halves.get_mut(i) {
            Some(h) => {
                let (tsdu, a) = h.cotp.push(dt.eot, dt.user_data);
                m.anomalies |= a;
                tsdu.map(|t| rebind(out, t, dt.user_data))
            }
            None => None,
        };
        let tsdu = match tsdu {
            Some(Some(t)) => t,
            // The arena is full: the TSDU is lost (counted there).
            Some(None) => return finish(ev, m),
            None => {
                // A fragment: its record is kept, detection sees the whole TSDU.
                ev.record_only = true;
                return finish(ev, m);
            }
        };
        let msg = match S7Message::parse(tsdu, self.session.tls) {
            Ok(p) => p,
            Err(_) => {
                let bits = (m.anomalies | Anomalies::TRUNCATED).bits();
                ev.marks = Marks::NONE;
                ev.detail = Detail::S7(m);
                return unparsed(ev, Conformance::MALFORMED | Conformance::LENGTH, bits);
            }
        };
        m.anomalies |= msg.anomalies;
        m.message = Some(msg.pdu);
        ev.marks = Marks::NONE;
        match msg.pdu {
            S7Message::S7comm(pdu) => {
                if let (Body::Userdata(ud), Some(h)) = (pdu.body, self.halves.get_mut(i)) {
                    let (done, a) = h.userdata.push(&ud);
                    m.anomalies |= a;
                    if let Some(r) = done {
                        m.joined = out.arena.copy(&r.payload);
                    }
                }
                let key = pdu.header.pdu_ref;
                if events::is_request(&pdu) {
                    events::s7comm(&mut ev, &pdu, None);
                    self.remember(Pending::of(1, key, &ev));
                } else {
                    let req = self.answered(1, key);
                    events::s7comm(&mut ev, &pdu, req);
                }
            }
            S7Message::S7commPlus(pf) => self.plus(out, &mut ev, &mut m, i, pf),
            S7Message::Tls { .. } => ev.function = TLS,
            _ => {
                ev.function = FOREIGN;
                if let Some(h) = self.halves.get_mut(i) {
                    ev.record_only = h.foreign;
                    h.foreign = true;
                }
            }
        }
        finish(ev, m)
    }

    /// The S7comm-plus part of an event: joins the frame `pf` into its PDU (direction
    /// `i`) and, once whole, decodes its data header.
    fn plus<'b>(
        &mut self,
        out: &mut Out<'_, 'b>,
        ev: &mut Event<'b>,
        m: &mut Message<'b>,
        i: usize,
        pf: PlusFrame<'b>,
    ) {
        ev.function = PLUS;
        let data = match self.halves.get_mut(i) {
            Some(h) => {
                let (data, a) = h.plus.push(&pf);
                m.anomalies |= a;
                data.map(|d| rebind(out, d, pf.data))
            }
            None => None,
        };
        let data = match data {
            Some(Some(d)) => d,
            Some(None) => return,
            None => {
                // Not the last frame of its PDU.
                ev.record_only = true;
                return;
            }
        };
        let Some(p) = PlusPdu::parse(data).filter(|_| !pf.is_system()) else {
            ev.marks = Marks::SESSION;
            return;
        };
        m.anomalies |= p.anomalies;
        self.session.observe(&p.pdu);
        m.plus = Some(p.pdu);
        let seq = p.pdu.sequence.unwrap_or(0);
        if p.pdu.opcode == Opcode::Request {
            events::plus(ev, &p.pdu, None);
            self.remember(Pending::of(2, seq, ev));
        } else {
            let req = p.pdu.sequence.and_then(|s| self.answered(2, s));
            events::plus(ev, &p.pdu, req);
        }
    }
}

/// Sets the anomalies and conformance of `m` on `ev` and attaches it.
fn finish<'b>(mut ev: Event<'b>, m: Message<'b>) -> Event<'b> {
    let bits = m.anomalies.bits();
    ev.anomalies |= bits;
    ev.conformance |= events::conformance(bits);
    ev.detail = Detail::S7(m);
    ev
}

impl Analyzer for S7 {
    const PROTOCOL: Protocol = Protocol::S7;
    const NOT_PROTOCOL: &'static str = "NOT_S7";
    const TCP_PORTS: &'static [u16] = &[PORT];
    const UDP_PORTS: &'static [u16] = &[];

    fn probe(data: &[u8], transport: Transport) -> Probe {
        match transport {
            Transport::Tcp => otwire_s7::probe(data),
            Transport::Udp => Probe::Unrecognized,
        }
    }

    fn new(_info: ConnInfo) -> Self {
        Self {
            halves: Default::default(),
            session: PlusSession::default(),
            unit: 0,
            pending: [Pending::FREE; PENDING],
            next: 0,
        }
    }

    fn decode<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) -> bool {
        let mut framer = match self.halves.get_mut(index(dir)) {
            Some(h) => core::mem::take(&mut h.framer),
            None => return false,
        };
        let mut decoded = false;
        framer.feed(data, out, |out, p| {
            let ev = match p {
                Piece::Frame(bytes) => {
                    let ev = self.tpkt(out, dir, bytes);
                    decoded |=
                        ev.is_parsed() && !ev.conformance.contains(Conformance::NOT_PROTOCOL);
                    ev
                }
                Piece::Junk => junk(out, Protocol::S7, dir),
            };
            out.emit(ev);
        });
        if let Some(h) = self.halves.get_mut(index(dir)) {
            h.framer = framer;
        }
        decoded
    }

    fn gap(&mut self, dir: Direction) {
        if let Some(h) = self.halves.get_mut(index(dir)) {
            h.framer.gap();
            h.cotp.reset();
        }
    }

    fn buffered(&self) -> usize {
        self.halves
            .iter()
            .map(|h| {
                h.framer.buffered() + h.cotp.pending() + h.userdata.pending() + h.plus.pending()
            })
            .sum()
    }

    fn anomaly_names(bits: u64) -> impl Iterator<Item = &'static str> {
        Anomalies::from_bits_truncate(bits).names()
    }

    fn conformance(bits: u64) -> Conformance {
        events::conformance(bits)
    }

    fn state_extension(config: &Config) -> Option<Box<dyn StateExtension>> {
        Some(Box::new(S7State::new(config)))
    }
}

impl Event<'_> {
    /// The S7 detail, when this is an S7 event that carries one.
    pub fn s7(&self) -> Option<&Message<'_>> {
        match &self.detail {
            Detail::S7(m) => Some(m),
            _ => None,
        }
    }
}

impl Message<'_> {
    /// Feeds what the message says, for [`Detail::content`]: an S7comm PDU's ROSCTR,
    /// error fields, parameters and data without the PDU reference (and, in userdata, the
    /// sequence number of the parameters); an S7comm-plus PDU's opcode, function and body
    /// without its sequence number and session id. False for COTP session management and
    /// for an S7comm PDU joined from several DTs.
    pub fn content(&self, f: &mut super::Fingerprint) -> bool {
        if let Some(p) = self.plus {
            f.u64(
                u64::from(p.opcode.value()) << 16 | u64::from(p.function.map_or(0, |x| x.value())),
            )
            .bytes(p.body);
            return true;
        }
        let (Some(Tpdu::Data(dt)), Some(S7Message::S7comm(pdu))) = (self.tpdu, self.message) else {
            return false;
        };
        let h = pdu.header;
        let head = h.len();
        let whole = head + usize::from(h.param_len) + usize::from(h.data_len);
        let bytes = dt.user_data;
        let (Some(errors), Some(body)) = (bytes.get(10..head), bytes.get(head..)) else {
            return false;
        };
        if bytes.len() != whole {
            return false;
        }
        f.u64(u64::from(h.rosctr.value())).bytes(errors);
        if h.rosctr == otwire_s7::Rosctr::Userdata {
            // Head (3), length, method, type and group, subfunction, then the sequence.
            f.bytes(body.get(..7).unwrap_or(body))
                .bytes(body.get(8..).unwrap_or_default());
        } else {
            f.bytes(body);
        }
        true
    }
}
