//! A TPKT byte-stream decoder (DESIGN.md §2 "Streams"; RFC 1006 §6 framing): feed TCP
//! payload in any chunking, take whole TPKTs out, resynchronise after gaps and junk by the
//! shared rules of `otwire_core::resync`.

use bytes::{Buf, Bytes, BytesMut};
use otwire_core::Probe;
use otwire_core::resync::{Framing, Resync, Step, Verdict};

use crate::anomaly::Anomalies;
use crate::cotp::{DT_HEADER_LEN, Tpdu};
use crate::error::Error;
use crate::header::Header;
use crate::message::Message;
use crate::plus::PlusFrame;
use crate::tpkt::{MIN_TPKT_LEN, TPKT_HEADER_LEN, TPKT_VERSION, split_frame};

/// Default cap on buffered bytes: several of the largest TPKTs (65535 bytes), bounded
/// memory per connection.
pub const DEFAULT_CAPACITY_LIMIT: usize = 256 * 1024;

/// Counters a stream decoder keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StreamStats {
    /// Frames returned.
    pub frames: u64,
    /// Bytes skipped while resynchronising (junk, or partial frames after a gap).
    pub skipped_bytes: u64,
    /// Bytes dropped because the buffer was full.
    pub dropped_bytes: u64,
    /// Gaps reported with [`StreamDecoder::gap`].
    pub gaps: u64,
    /// Times the decoder lost synchronisation and searched for the next TPKT.
    pub resyncs: u64,
}

/// Splits a TPKT byte stream into whole TPKTs (feature `alloc`).
///
/// It starts in sync: right after a TPKT (and at the start) any header with a length of at
/// least 4 is taken, a version or reserved byte off being the parser's anomaly to flag
/// ([`Frame::anomalies`](crate::Frame::anomalies)). After junk or a
/// [`gap`](StreamDecoder::gap) it searches for a *plausible* TPKT: version 3, reserved 0,
/// a length of at least 7, and a COTP TPDU of class 0 whose length indicator fits (a DT's
/// is 2). The rules are `otwire_core::resync`'s, as in the other otwire crates: a candidate
/// TPKT whose content does not fill its length and that holds a whole plausible TPKT after
/// its first byte is junk (its length would swallow a real one; a consistent TPKT is a
/// frame whatever its payload holds, as endpoints frame it), and when what follows a TPKT
/// is not one, the decoder looks back
/// into it for a plausible TPKT that starts inside it and runs on past its end, and resumes
/// there. No decision waits for bytes after a frame, so feeding a stream in any chunking
/// yields the same TPKTs, and junk never hides one (unless the junk is itself a consistent
/// TPKT around it).
///
/// ```
/// use otwire_s7::{StreamDecoder, split_frame};
/// // Two DTs: a TPKT split over many segments, then one whole.
/// let stream = [3u8, 0, 0, 8, 2, 0xF0, 0x80, 0x32, 3, 0, 0, 8, 2, 0xF0, 0x80, 0x72];
/// let mut dec = StreamDecoder::new();
/// let mut frames = 0;
/// for chunk in stream.chunks(3) {
///     dec.push(chunk);
///     while let Ok(Some(tpkt)) = dec.next_frame() {
///         let (frame, _) = split_frame(&tpkt)?;
///         assert_eq!(frame.tpdu.len(), 4);
///         frames += 1;
///     }
/// }
/// assert_eq!(frames, 2);
/// # Ok::<(), otwire_s7::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    buf: BytesMut,
    capacity: usize,
    resync: Resync,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        Self::new()
    }
}

/// The largest TPKT: its length field is 16 bits.
const MAX_TPKT_LEN: usize = u16::MAX as usize;

/// The framing rules of TPKTs for the resynchronising search.
struct Tpkts;

impl Framing for Tpkts {
    fn may_start(&self, octet: u8) -> bool {
        octet == TPKT_VERSION
    }

    fn header(&self, view: &[u8], synced: bool) -> Verdict {
        if synced {
            // In sync, any length that holds the header: the rest is the parser's to flag.
            return match declared(view) {
                None => Verdict::Wait,
                Some(n) if n < TPKT_HEADER_LEN => Verdict::Junk,
                Some(n) => Verdict::Frame(n),
            };
        }
        match plausible(view) {
            Probe::Recognized => declared(view).map_or(Verdict::Wait, Verdict::Frame),
            Probe::Unrecognized => Verdict::Junk,
            Probe::NeedMore => Verdict::Wait,
        }
    }

    fn declared_len(&self, view: &[u8]) -> Option<usize> {
        declared(view)
    }

    fn trusted(&self, view: &[u8]) -> Probe {
        plausible(view)
    }

    fn whole(&self, view: &[u8]) -> bool {
        is_exact_tpkt(view)
    }

    /// A *consistent* TPKT (its TPDU's lengths fill it exactly, [`consistent`]) is a frame
    /// whatever its payload holds: endpoints frame by the TPKT length, and a write var or
    /// a block download may carry bytes that read as a whole TPKT (an IDS must not take
    /// the outer frame for junk and decode a planted inner one instead). Only an
    /// inconsistent candidate is junk when it holds a whole plausible TPKT. True while the
    /// octets that tell have not arrived.
    fn may_enclose(&self, view: &[u8]) -> bool {
        // Without a plausible TPKT start inside the candidate, whether it may enclose one
        // changes nothing: skip the consistency check (the common case, and a fast one).
        !starts_inside(view) || consistent(view) != Probe::Unrecognized
    }

    fn max_frame_len(&self) -> usize {
        MAX_TPKT_LEN
    }
}

/// The TPKT length at the front of `view`, once its two bytes are there.
fn declared(view: &[u8]) -> Option<usize> {
    match *view {
        [_, _, l0, l1, ..] => Some(usize::from(u16::from_be_bytes([l0, l1]))),
        _ => None,
    }
}

/// Whether a plausible TPKT starts `view` (the strict check of the search): version 3,
/// reserved 0, length at least 7, and a class 0 TPDU type (CR, CC, DR, DC, DT, ER) whose
/// length indicator holds its fixed part and fits in the TPKT (a DT's is exactly 2).
/// Decided byte by byte: an answer once given does not change as bytes arrive.
fn plausible(view: &[u8]) -> Probe {
    let [version, rest @ ..] = view else {
        return Probe::NeedMore;
    };
    if *version != TPKT_VERSION {
        return Probe::Unrecognized;
    }
    let [reserved, rest @ ..] = rest else {
        return Probe::NeedMore;
    };
    if *reserved != 0 {
        return Probe::Unrecognized;
    }
    let Some(len) = declared(view) else {
        return Probe::NeedMore;
    };
    if len < MIN_TPKT_LEN {
        return Probe::Unrecognized;
    }
    let [_, _, li, rest @ ..] = rest else {
        return Probe::NeedMore;
    };
    let li = usize::from(*li);
    if li >= len - TPKT_HEADER_LEN {
        return Probe::Unrecognized;
    }
    let [code, ..] = rest else {
        return Probe::NeedMore;
    };
    // The fixed part of each class 0 TPDU after the length indicator (ISO 8073 §13).
    let fixed = match *code {
        0xF0 if li == DT_HEADER_LEN - 1 => return Probe::Recognized,
        0xE0 | 0xD0 | 0x80 => 6,
        0xC0 => 5,
        0x70 => 4,
        _ => return Probe::Unrecognized,
    };
    if li >= fixed {
        Probe::Recognized
    } else {
        Probe::Unrecognized
    }
}

/// Whether a plausible TPKT may start after the first octet of the candidate at the front
/// of `view` (within its declared length, as far as `view` holds it).
fn starts_inside(view: &[u8]) -> bool {
    let end = declared(view).map_or(view.len(), |n| n.min(view.len()));
    let candidate = view.get(..end).unwrap_or(view);
    candidate.iter().enumerate().skip(1).any(|(i, &b)| {
        b == TPKT_VERSION
            && plausible(candidate.get(i..).unwrap_or_default()) != Probe::Unrecognized
    })
}

/// Whether the plausible TPKT at the front of `view` is consistent, its content filling its
/// length exactly: a COTP header that decodes clean (a CR or CC without user data), and in a
/// DT that ends a TSDU an S7comm PDU or S7comm-plus frame whose structure fills it (no
/// length, count, item, userdata header or trailer that disagrees with the bytes).
/// `NeedMore` until the whole TPKT has arrived. A TSDU segment, or a DT of another COTP
/// user, is not consistent: there is nothing to check its length against.
fn consistent(view: &[u8]) -> Probe {
    match plausible(view) {
        Probe::Recognized => {}
        other => return other,
    }
    let Some(frame) = declared(view).and_then(|n| view.get(..n)) else {
        return Probe::NeedMore;
    };
    let cotp_off = Anomalies::COTP_LENGTH
        | Anomalies::COTP_UNKNOWN_TYPE
        | Anomalies::COTP_CLASS
        | Anomalies::COTP_PARAMETER;
    let structure = Anomalies::LENGTH_MISMATCH
        | Anomalies::TRUNCATED
        | Anomalies::UNKNOWN_ROSCTR
        | Anomalies::ITEM_COUNT_MISMATCH
        | Anomalies::BAD_ITEM
        | Anomalies::BAD_DATA_ITEM
        | Anomalies::USERDATA_HEAD
        | Anomalies::USERDATA_DATA_HEADER
        | Anomalies::SZL_LENGTH
        | Anomalies::PLUS_LENGTH
        | Anomalies::PLUS_TRAILER;
    let tpdu = frame.get(TPKT_HEADER_LEN..).unwrap_or_default();
    let ok = Tpdu::parse(tpdu).is_ok_and(|t| {
        !t.anomalies.intersects(cotp_off)
            && match t.pdu {
                Tpdu::Data(dt) if dt.eot => Message::parse(dt.user_data, false).is_ok_and(|m| {
                    matches!(m.pdu, Message::S7comm(_) | Message::S7commPlus(_))
                        && !m.anomalies.intersects(structure)
                }),
                Tpdu::Data(_) => false,
                Tpdu::ConnectionRequest(c) | Tpdu::ConnectionConfirm(c) => c.user_data.is_empty(),
                _ => true,
            }
    });
    if ok {
        Probe::Recognized
    } else {
        Probe::Unrecognized
    }
}

/// Whether `view` starts with a whole plausible TPKT whose content agrees with its length:
/// a COTP TPDU whose length indicator and parameters fit, and in a DT that ends a TSDU an
/// S7comm PDU whose parameter and data lengths fill it, or an S7comm-plus frame whose length
/// and trailer do. Real TPKTs are; a false start inside another TPKT's bytes almost never is.
fn is_exact_tpkt(view: &[u8]) -> bool {
    if plausible(view) != Probe::Recognized {
        return false;
    }
    let Ok((frame, _)) = split_frame(view) else {
        return false;
    };
    let Ok(t) = Tpdu::parse(frame.tpdu) else {
        return false;
    };
    let off = Anomalies::COTP_LENGTH
        | Anomalies::COTP_UNKNOWN_TYPE
        | Anomalies::COTP_CLASS
        | Anomalies::COTP_PARAMETER;
    if t.anomalies.intersects(off) {
        return false;
    }
    match t.pdu {
        Tpdu::Data(dt) if dt.eot => match dt.user_data.first() {
            Some(&crate::header::S7COMM_PROTOCOL_ID) => {
                Header::parse(dt.user_data).is_ok_and(|h| {
                    h.len() + usize::from(h.param_len) + usize::from(h.data_len)
                        == dt.user_data.len()
                })
            }
            Some(&crate::plus::PLUS_PROTOCOL_ID) => PlusFrame::parse(dt.user_data).is_ok_and(|f| {
                !f.anomalies
                    .intersects(Anomalies::PLUS_LENGTH | Anomalies::PLUS_TRAILER)
            }),
            // Another COTP user (ISO session, TLS): nothing to check its length against.
            _ => false,
        },
        // A segment of a TSDU, or a connection TPDU: its header fits.
        _ => true,
    }
}

impl StreamDecoder {
    /// A decoder with [`DEFAULT_CAPACITY_LIMIT`].
    pub fn new() -> Self {
        Self::with_capacity_limit(DEFAULT_CAPACITY_LIMIT)
    }

    /// A decoder that buffers at most `capacity` bytes (raised to hold one largest TPKT).
    pub fn with_capacity_limit(capacity: usize) -> Self {
        StreamDecoder {
            buf: BytesMut::new(),
            capacity: capacity.max(MAX_TPKT_LEN),
            resync: Resync::synced(),
            stats: StreamStats::default(),
        }
    }

    /// Appends stream bytes. Bytes past the capacity are dropped (and counted); the
    /// decoder then treats the stream as having a gap.
    pub fn push(&mut self, data: &[u8]) {
        let room = self.capacity.saturating_sub(self.buf.len());
        let (keep, drop) = data.split_at(room.min(data.len()));
        self.buf.extend_from_slice(keep);
        if !drop.is_empty() {
            self.stats.dropped_bytes += drop.len() as u64;
            self.gap();
        }
    }

    /// Tells the decoder that bytes are missing before the next `push` (a TCP sequence
    /// gap): whole TPKTs already buffered are still returned (judged as if the stream ended
    /// there), a partial TPKT cut by the gap is dropped (counted in `skipped_bytes`), and
    /// framing resynchronises.
    pub fn gap(&mut self) {
        self.stats.gaps += 1;
        self.finish();
    }

    /// The stream ended: the bytes that could not be judged yet are judged as its end (a
    /// TPKT cut short is dropped, as by [`gap`](StreamDecoder::gap) but without counting a
    /// gap), and the next calls to [`next_frame`](StreamDecoder::next_frame) return what
    /// they hold.
    pub fn finish(&mut self) {
        let drop = self.resync.gap(&Tpkts, &self.buf);
        self.buf.truncate(self.buf.len() - drop);
        self.stats.skipped_bytes += drop as u64;
    }

    /// Counters so far.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether the decoder is in sync with the TPKT boundaries.
    pub fn is_synced(&self) -> bool {
        self.resync.is_synced()
    }

    /// The next whole TPKT (header and TPDU), `Ok(None)` when more bytes are needed, or
    /// `Err(Error::Junk)` after skipping bytes that are not a TPKT (call again: it has
    /// resynchronised, or is waiting for more bytes to decide).
    pub fn next_frame(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            let buf = core::mem::take(&mut self.buf);
            let step = self.judge(&buf);
            self.buf = buf;
            match step {
                Step::Rewind { back } => {
                    self.buf = BytesMut::from(&self.resync.rewound(back, &self.buf)[..]);
                }
                Step::Frame(n) => return Ok(Some(self.buf.split_to(n).freeze())),
                Step::Junk { skipped, .. } => {
                    self.buf.advance(skipped);
                    return Err(Error::Junk { skipped });
                }
                Step::Wait => return Ok(None),
            }
        }
    }

    /// Feeds stream bytes and hands every frame and junk report to `f`, in order: exactly
    /// what [`push`](StreamDecoder::push) then [`next_frame`](StreamDecoder::next_frame)
    /// until `Ok(None)` give, but a TPKT that lies wholly in `data` while nothing is
    /// buffered is handed out borrowed from it, without being copied (such frames never
    /// count against the capacity).
    pub fn feed<'d>(&mut self, data: &'d [u8], mut f: impl FnMut(Piece<'d>)) {
        let mut rest = data;
        while self.buf.is_empty() && !rest.is_empty() && !self.resync.has_settled() {
            match self.judge(rest) {
                Step::Frame(n) => {
                    let Some((frame, tail)) = rest.split_at_checked(n) else {
                        break;
                    };
                    f(Piece::Frame(frame));
                    rest = tail;
                }
                Step::Rewind { back } => {
                    self.buf = BytesMut::from(&self.resync.rewound(back, rest)[..]);
                    rest = &[];
                }
                Step::Junk { skipped, .. } => {
                    rest = rest.get(skipped..).unwrap_or_default();
                    f(Piece::Junk(Error::Junk { skipped }));
                }
                Step::Wait => break,
            }
        }
        if !rest.is_empty() {
            self.push(rest);
        } else if self.buf.is_empty() && !self.resync.has_settled() {
            // Every byte was taken borrowed: nothing to judge (the common case).
            return;
        }
        loop {
            match self.next_frame() {
                Ok(Some(b)) => f(Piece::Buffered(b)),
                Ok(None) => break,
                Err(e) => f(Piece::Junk(e)),
            }
        }
    }

    /// The next move over `view`, the bytes at the front of the stream, with its counters.
    fn judge(&mut self, view: &[u8]) -> Step {
        let was_synced = self.resync.is_synced();
        let step = self.resync.next(&Tpkts, view);
        if was_synced && (matches!(step, Step::Junk { .. }) || !self.resync.is_synced()) {
            self.stats.resyncs += 1;
        }
        match step {
            Step::Frame(_) => self.stats.frames += 1,
            Step::Junk { skipped, .. } => self.stats.skipped_bytes += skipped as u64,
            Step::Rewind { .. } | Step::Wait => {}
        }
        step
    }
}

/// A piece of the stream [`StreamDecoder::feed`] hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'d> {
    /// A whole TPKT that lies in the bytes just fed (borrowed, not copied).
    Frame(&'d [u8]),
    /// A whole TPKT completed from buffered bytes.
    Buffered(Bytes),
    /// Junk skipped, as [`StreamDecoder::next_frame`] reports it.
    Junk(Error),
}
