//! One direction of an S7 connection, end to end (DESIGN.md §2 "Streams"): TCP payload in
//! any chunking → TPKTs (RFC 1006) → COTP TPDUs (ISO 8073) → TSDUs joined from DTs →
//! S7comm PDUs, S7comm-plus frames joined into PDUs, fragmented userdata answers joined,
//! TLS marked after InitSsl. Every layer's caps apply.

use crate::anomaly::Anomalies;
use crate::cotp::Tpdu;
use crate::error::Error;
use crate::message::Message;
use crate::pdu::{Body, Pdu};
use crate::plus::PlusPdu;
use crate::reassembly::{
    CotpReassembler, PlusReassembler, PlusSession, Reassembled, ReassemblyLimits,
    UserdataReassembler,
};
use crate::stream::StreamDecoder;
use crate::tpkt::split_frame;

/// What one TPKT produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Event<'a> {
    /// The COTP TPDU (`None` when the TPKT did not hold one).
    pub tpdu: Option<Tpdu<'a>>,
    /// Every anomaly of the TPKT, the TPDU, the message and the reassemblies.
    pub anomalies: Anomalies,
    /// The message a DT with EOT completed.
    pub message: Option<Message<'a>>,
    /// The data header of an S7comm-plus PDU this TPKT completed.
    pub plus: Option<PlusPdu<'a>>,
    /// A userdata answer this TPKT completed from several fragments.
    pub userdata: Option<Reassembled>,
    /// Why the TPDU or message could not be decoded.
    pub error: Option<Error>,
}

/// One direction of an S7 connection: framing, reassembly and decoding.
///
/// ```
/// use otwire_s7::{DirectionParser, Message, PlusSession};
/// let mut dir = DirectionParser::new();
/// let mut session = PlusSession::default();
/// let mut jobs = 0;
/// // Setup communication, cut in two segments.
/// let bytes = [3u8, 0, 0, 25, 2, 0xF0, 0x80, 0x32, 1, 0, 0, 0, 1, 0, 8, 0, 0, 0xF0, 0, 0, 1, 0, 1, 1, 0xE0];
/// for seg in [&bytes[..9], &bytes[9..]] {
///     dir.push(seg, &mut session, |ev| {
///         if let Some(Message::S7comm(_)) = ev.message {
///             jobs += 1;
///         }
///     });
/// }
/// assert_eq!(jobs, 1);
/// ```
#[derive(Debug, Default)]
pub struct DirectionParser {
    stream: StreamDecoder,
    cotp: CotpReassembler,
    userdata: UserdataReassembler,
    plus: PlusReassembler,
    /// Junk reported by the stream decoder (bytes that are not TPKT).
    pub junk: u64,
}

impl DirectionParser {
    /// A parser with the default limits.
    pub fn new() -> Self {
        Self::with_limits(ReassemblyLimits::default())
    }

    /// A parser with explicit reassembly limits.
    pub fn with_limits(limits: ReassemblyLimits) -> Self {
        DirectionParser {
            stream: StreamDecoder::new(),
            cotp: CotpReassembler::with_limits(limits),
            userdata: UserdataReassembler::with_limits(limits),
            plus: PlusReassembler::with_limits(limits),
            junk: 0,
        }
    }

    /// Bytes are missing before the next push (a TCP gap): partial TPKTs and TSDUs are
    /// dropped.
    pub fn gap(&mut self) {
        self.stream.gap();
        self.cotp.reset();
    }

    /// The stream decoder's counters.
    pub fn stream_stats(&self) -> crate::stream::StreamStats {
        self.stream.stats()
    }

    /// Pushes TCP payload; calls `f` once per TPKT taken out.
    pub fn push(&mut self, data: &[u8], session: &mut PlusSession, mut f: impl FnMut(Event<'_>)) {
        self.stream.push(data);
        loop {
            let tpkt = match self.stream.next_frame() {
                Ok(Some(t)) => t,
                Ok(None) => break,
                Err(_) => {
                    self.junk += 1;
                    continue;
                }
            };
            let Ok((frame, _)) = split_frame(&tpkt) else {
                continue;
            };
            let mut ev = Event {
                tpdu: None,
                anomalies: frame.anomalies(),
                message: None,
                plus: None,
                userdata: None,
                error: None,
            };
            let tpdu = match Tpdu::parse(frame.tpdu) {
                Ok(t) => t,
                Err(e) => {
                    ev.error = Some(e);
                    f(ev);
                    continue;
                }
            };
            ev.anomalies |= tpdu.anomalies;
            ev.tpdu = Some(tpdu.pdu);
            let Tpdu::Data(dt) = tpdu.pdu else {
                f(ev);
                continue;
            };
            let (tsdu, a) = self.cotp.push(dt.eot, dt.user_data);
            ev.anomalies |= a;
            let Some(tsdu) = tsdu else {
                f(ev);
                continue;
            };
            match Message::parse(tsdu, session.tls) {
                Ok(m) => {
                    ev.anomalies |= m.anomalies;
                    match m.pdu {
                        Message::S7comm(Pdu {
                            body: Body::Userdata(ud),
                            ..
                        }) => {
                            let (done, a) = self.userdata.push(&ud);
                            ev.anomalies |= a;
                            ev.userdata = done;
                        }
                        Message::S7commPlus(frame) => {
                            let (pdu, a) = self.plus.push(&frame);
                            ev.anomalies |= a;
                            if let Some(p) =
                                pdu.filter(|_| !frame.is_system()).and_then(PlusPdu::parse)
                            {
                                ev.anomalies |= p.anomalies;
                                session.observe(&p.pdu);
                                ev.plus = Some(p.pdu);
                            }
                        }
                        _ => {}
                    }
                    ev.message = Some(m.pdu);
                }
                Err(e) => ev.error = Some(e),
            }
            f(ev);
        }
    }
}
