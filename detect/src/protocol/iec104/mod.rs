//! IEC 60870-5-104 (IEC 60870-5-104 §5 APCI, IEC 60870-5-101 §7 ASDU): the [`Iec104`]
//! analyzer.
//!
//! Each direction is framed by `otwire_iec104::StreamDecoder`; every APDU gives one event
//! whose [`Detail::Iec104`] is the frame and the parsed APDU. An ASDU travelling the wrong
//! way for its type and cause (the controlling station is the client, IEC 60870-5-104 §5)
//! is flagged `WRONG_DIRECTION`, in the record and for detection alike.
//!
//! The event's fields:
//! - `unit`: the common address (0 for S and U frames); `marks`: `BROADCAST` for the
//!   global address (0xFFFF with two octets), `SESSION` for S and U frames;
//! - `action`: interrogation, counter interrogation and read (100-102) `Read`; commands
//!   45-47, 51, 58-60, 64 and set-points 48-50, 61-63 `Command`; reset process (105)
//!   `Restart`; clock synchronisation (103) `TimeSync`; file transfer (120-127)
//!   `FileTransfer`; parameters (110-113) `Config`; test and delay acquisition (104, 106,
//!   107) and TESTFR `Diagnostic`; monitor types (1-40) `Read` (reported data); STARTDT,
//!   STOPDT, S frames, end of initialisation and the rest `Other`;
//! - `function`: the type identification for I frames, [`U_FRAME`]` | control octet` for U
//!   frames (0x107 STARTDT act, 0x113 STOPDT act, 0x143 TESTFR act…), [`S_FRAME`] for S
//!   frames; `sub_function`: the cause of transmission (6 bits) of I frames;
//! - `targets`: the information object addresses (first to last), in a space by type
//!   (points `DiscreteInputs`, measurands `InputRegisters`, commands `Coils`, set-points
//!   `HoldingRegisters`, files `Files`, others `Other(type)`); `values`: the value of a
//!   single set-point, command or measurand (floats rounded, normalized values raw);
//! - `outcome`: `Exception(cot octet)` for a negative confirmation (P/N set, or causes
//!   44-47); `raw`: the APDU.

mod events;
mod state;

pub use events::{action, space};
pub use state::{Iec104State, MAX_SESSIONS};

use otwire_iec104::{
    Anomalies, Apdu, Direction as Way, Error, Frame, Params, Parsed, Probe, StreamDecoder,
    direction_anomalies, probe, split_frame,
};

use super::framer::{Framer, Piece, stream_decoder};
use super::{Analyzer, ConnInfo, Detail, Out, Transport, junk, unparsed};
use crate::config::Config;
use crate::detectors::StateExtension;
use crate::event::{Conformance, Direction, Event, Protocol};

/// The IEC 60870-5-104 port (IEC 60870-5-104 §10.2).
pub const PORT: u16 = 2404;
/// Capacity limit of each direction's stream decoder.
pub const DECODER_CAPACITY: usize = 64 << 10;
/// `function` of a U frame: this bit or'ed with the control octet.
pub const U_FRAME: u16 = 0x100;
/// `function` of an S frame.
pub const S_FRAME: u16 = 0x200;

stream_decoder!(otwire_iec104, DECODER_CAPACITY);

/// An IEC 104 APDU: the [`Detail`] of IEC 104 events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Message<'a> {
    /// The framed APDU (length, control field, ASDU octets).
    pub frame: Frame<'a>,
    /// The decoded APDU and its anomalies (direction anomalies included), when it decoded.
    pub apdu: Option<Parsed<Apdu<'a>>>,
}

/// One IEC 104 connection (DESIGN.md §3 `protocol`), with the standard field sizes
/// ([`Params::IEC104`]: COT 2, CA 2, IOA 3).
#[derive(Debug, Default)]
pub struct Iec104 {
    framers: [Framer<StreamDecoder>; 2],
}

const fn index(dir: Direction) -> usize {
    match dir {
        Direction::Request => 0,
        Direction::Response => 1,
    }
}

/// The event of one APDU (start octet `0x68` to the end of its ASDU) sent in `dir`.
fn apdu<'b>(out: &Out<'_, 'b>, dir: Direction, bytes: &'b [u8]) -> Event<'b> {
    let mut ev = out.event(Protocol::Iec104, dir);
    ev.raw = bytes;
    let (frame, rest) = match split_frame(bytes) {
        Ok(x) => x,
        Err(e) => {
            let c = match e {
                Error::BadStart { .. } => Conformance::NOT_PROTOCOL,
                Error::TooLong { .. } => Conformance::MALFORMED | Conformance::OVERSIZE,
                _ => Conformance::MALFORMED | Conformance::LENGTH,
            };
            return unparsed(ev, c, 0);
        }
    };
    let mut ev = match Apdu::parse(&frame, Params::IEC104) {
        Ok(mut p) => {
            // The controlling station is the client (IEC 60870-5-104 §5: it opens the
            // connection to port 2404).
            if let Some(asdu) = &p.pdu.asdu {
                let way = match dir {
                    Direction::Request => Way::Control,
                    Direction::Response => Way::Monitor,
                };
                p.anomalies |= direction_anomalies(&asdu.header, way);
            }
            let mut ev = events::apdu_event(out.meta, dir, &p, bytes);
            ev.detail = Detail::Iec104(Message {
                frame,
                apdu: Some(p),
            });
            ev
        }
        Err(_) => {
            ev.function = frame.asdu.first().map_or(0, |&b| u16::from(b));
            ev.detail = Detail::Iec104(Message { frame, apdu: None });
            unparsed(
                ev,
                Conformance::MALFORMED | Conformance::LENGTH,
                Anomalies::APCI_LENGTH.bits(),
            )
        }
    };
    if !rest.is_empty() {
        ev.conformance |= Conformance::LENGTH;
        ev.anomalies |= Anomalies::TRAILING_BYTES.bits();
    }
    ev
}

impl Analyzer for Iec104 {
    const PROTOCOL: Protocol = Protocol::Iec104;
    const NOT_PROTOCOL: &'static str = "NOT_IEC104";
    const TCP_PORTS: &'static [u16] = &[PORT];
    const UDP_PORTS: &'static [u16] = &[];

    fn probe(data: &[u8], transport: Transport) -> Probe {
        match transport {
            Transport::Tcp => probe(data),
            Transport::Udp => Probe::Unrecognized,
        }
    }

    fn new(_info: ConnInfo) -> Self {
        Self::default()
    }

    fn decode<'b>(&mut self, out: &mut Out<'_, 'b>, dir: Direction, data: &'b [u8]) -> bool {
        let mut framer = match self.framers.get_mut(index(dir)) {
            Some(f) => core::mem::take(f),
            None => return false,
        };
        let mut decoded = false;
        framer.feed(data, out, |out, p| {
            let ev = match p {
                Piece::Frame(bytes) => {
                    decoded = true;
                    apdu(out, dir, bytes)
                }
                Piece::Junk => junk(out, Protocol::Iec104, dir),
            };
            out.emit(ev);
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
        Anomalies::from_bits_truncate(bits).names()
    }

    fn conformance(bits: u64) -> Conformance {
        events::conformance(bits)
    }

    fn state_extension(config: &Config) -> Option<Box<dyn StateExtension>> {
        Some(Box::new(Iec104State::new(config)))
    }
}

impl Event<'_> {
    /// The IEC 104 detail, when this is an IEC 104 event that carries one.
    pub fn iec104(&self) -> Option<&Message<'_>> {
        match &self.detail {
            Detail::Iec104(m) => Some(m),
            _ => None,
        }
    }
}

impl Message<'_> {
    /// Feeds what the message says, for [`Detail::content`]: the ASDU of an I frame, without
    /// the control field's N(S)/N(R) (IEC 60870-5-104 §5.1). False for S and U frames.
    pub fn content(&self, f: &mut super::Fingerprint) -> bool {
        if self.frame.asdu.is_empty() {
            return false;
        }
        f.bytes(self.frame.asdu);
        true
    }
}
