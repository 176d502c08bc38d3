//! An EtherNet/IP TCP byte-stream decoder (DESIGN.md §2 "Streams"; CIP Vol. 2 §2-3.1
//! framing by the header's length): feed TCP payload in any chunking, take whole
//! encapsulation messages out, resynchronise after gaps and junk by the shared rules of
//! `otwire_core::resync`.

use bytes::{Buf, Bytes, BytesMut};
use otwire_core::Probe;
use otwire_core::resync::{Framing, Resync, Step, Verdict};

use crate::anomaly::Anomalies;
use crate::codes::Command;
use crate::error::Error;
use crate::frame::{HEADER_LEN, MAX_DATA_LEN, MAX_FRAME_LEN, le16, le32, probe, split_frame};
use crate::pdu::{Direction, Pdu};

/// Default cap on buffered bytes: 64 KiB plus one largest message (65559 bytes).
pub const DEFAULT_CAPACITY_LIMIT: usize = 64 * 1024 + MAX_FRAME_LEN;

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
    /// Times the decoder lost synchronisation and searched for the next message.
    pub resyncs: u64,
}

/// Splits an EtherNet/IP TCP byte stream (port 44818) into whole encapsulation messages
/// (feature `alloc`).
///
/// The encapsulation has no start octet or checksum, so the decoder judges a header by
/// what it holds. It starts in sync: right after a message (and at the start) any header
/// with a *known command* is taken, whatever its length, status and options (those are the
/// parser's to flag, [`Pdu::parse`]), and a header with an unknown command when its options
/// are 0 and its length at most 65511 (Rockwell tools send the legacy command 0x0001, Vol. 2
/// Table 2-3.2 "reserved for legacy"; flagged [`Anomalies::UNKNOWN_COMMAND`]).
/// NOP (command 0) is never framed: 24 zero bytes read as one, headers are full of zeros,
/// and a NOP carries nothing (none is in the captures this crate is tested on); a NOP in
/// the stream is reported as junk and skipped.
/// After junk or a [`gap`](StreamDecoder::gap) it searches for a header the
/// [`probe`](crate::probe) recognises: a known command, a length that command can have
/// (RegisterSession 4, UnRegisterSession 0, SendRRData/SendUnitData at least 16, up to
/// 65511), options 0, and for RegisterSession protocol version 1, for
/// SendRRData/SendUnitData interface handle 0 and 1 to 16 items; or an error reply without
/// data (length 0, a status other than success, options 0: cpppo answers so). A candidate only starts
/// where its first octet is the low byte of a known command. The rules are
/// `otwire_core::resync`'s, as in the other otwire crates: a candidate whose content does
/// not fill its length (CPF items and count that disagree with it) and that holds a whole
/// plausible message after its first byte is junk; a consistent message is a frame
/// whatever its CIP payload holds. No decision waits for bytes after a frame, so feeding a
/// stream in any chunking yields the same messages.
///
/// ```
/// use otwire_enip::{Emit, StreamDecoder, register_session, split_frame};
/// let mut stream = register_session().to_vec()?;
/// stream.extend(register_session().to_vec()?);
/// let mut dec = StreamDecoder::new();
/// let mut frames = 0;
/// for chunk in stream.chunks(5) {
///     dec.push(chunk);
///     while let Ok(Some(bytes)) = dec.next_frame() {
///         let (frame, _) = split_frame(&bytes).unwrap();
///         assert_eq!(frame.data, [1, 0, 0, 0]);
///         frames += 1;
///     }
/// }
/// assert_eq!(frames, 2);
/// # Ok::<(), otwire_enip::EmitError>(())
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

/// The framing rules of encapsulation messages for the resynchronising search.
struct Messages;

impl Framing for Messages {
    /// The low byte of a known command other than NOP (the first octet of the header).
    fn may_start(&self, octet: u8) -> bool {
        matches!(
            octet,
            0x04 | 0x63 | 0x64 | 0x65 | 0x66 | 0x6F | 0x70 | 0x72 | 0x73 | 0xC8
        )
    }

    fn header(&self, view: &[u8], synced: bool) -> Verdict {
        if synced {
            // In sync: a known command other than NOP, any length; an unknown command
            // (legacy 0x0001-0x0003 of Rockwell tools) with options 0 and a length up to
            // 65511.
            return match le16(view, 0).map(Command::from) {
                None => Verdict::Wait,
                Some(Command::Nop) => Verdict::Junk,
                Some(Command::Unknown(_)) => match (declared(view), le32(view, 20)) {
                    (Some(n), _) if n > HEADER_LEN + MAX_DATA_LEN => Verdict::Junk,
                    (Some(n), Some(0)) => Verdict::Frame(n),
                    (_, None) => Verdict::Wait,
                    _ => Verdict::Junk,
                },
                Some(_) => declared(view).map_or(Verdict::Wait, Verdict::Frame),
            };
        }
        match strict(view) {
            Probe::Recognized => declared(view).map_or(Verdict::Wait, Verdict::Frame),
            Probe::Unrecognized => Verdict::Junk,
            Probe::NeedMore => Verdict::Wait,
        }
    }

    fn declared_len(&self, view: &[u8]) -> Option<usize> {
        declared(view)
    }

    fn trusted(&self, view: &[u8]) -> Probe {
        strict(view)
    }

    fn whole(&self, view: &[u8]) -> bool {
        consistent(view) == Probe::Recognized
    }

    /// A *consistent* message (its CPF fills it exactly) is a frame whatever its CIP
    /// payload holds: endpoints frame by the length, and a write may carry bytes that read
    /// as a whole message. True while the octets that tell have not arrived.
    fn may_enclose(&self, view: &[u8]) -> bool {
        consistent(view) != Probe::Unrecognized
    }

    fn max_frame_len(&self) -> usize {
        MAX_FRAME_LEN
    }
}

/// The whole message's length at the front of `view`, once the length field is there.
fn declared(view: &[u8]) -> Option<usize> {
    le16(view, 2).map(|n| HEADER_LEN + usize::from(n))
}

/// Whether the message at the front of `view` is recognised by the probe and its data
/// fills its length exactly: the command's data typed without a structural anomaly (a
/// List* request empty, a reply's CPF items filling it with the count they declare,
/// RegisterSession 4 bytes, SendRRData/SendUnitData items that fill it). `NeedMore` until
/// the whole message has arrived.
fn consistent(view: &[u8]) -> Probe {
    match strict(view) {
        Probe::Recognized => {}
        other => return other,
    }
    let Ok((frame, _)) = split_frame(view) else {
        return Probe::NeedMore;
    };
    // List* requests are empty, their replies carry data.
    let dir = if frame.data.is_empty() {
        Direction::Request
    } else {
        Direction::Reply
    };
    let structure = Anomalies::COMMAND_DATA
        | Anomalies::CPF_COUNT
        | Anomalies::CPF_TRUNCATED
        | Anomalies::CPF_ITEM_LENGTH
        | Anomalies::CPF_LAYOUT;
    let ok = Pdu::parse(&frame, dir).is_ok_and(|p| !p.anomalies.intersects(structure));
    if ok {
        Probe::Recognized
    } else {
        Probe::Unrecognized
    }
}

/// The strict check of a header while searching and of a trusted frame: what
/// [`probe`] recognises, and an error reply without data. Final once given, as `probe`.
fn strict(view: &[u8]) -> Probe {
    match (probe(view), bare_error_reply(view)) {
        (Probe::Recognized, _) | (_, Probe::Recognized) => Probe::Recognized,
        (Probe::NeedMore, _) | (_, Probe::NeedMore) => Probe::NeedMore,
        _ => Probe::Unrecognized,
    }
}

/// An error reply without data (Vol. 2 §2-3.3: a reply whose status is not success may
/// carry no command data; cpppo answers an unsupported service so): a known command other
/// than NOP, length 0, a status other than success (cpppo's 0x0008 has no name in the
/// specification), options 0. `NeedMore` while the octets that tell are missing.
fn bare_error_reply(view: &[u8]) -> Probe {
    let command = le16(view, 0).map(Command::from);
    let checks = [
        command.map(|c| c.is_known() && c != Command::Nop),
        le16(view, 2).map(|n| n == 0),
        le32(view, 8).map(|s| s != 0),
        le32(view, 20).map(|o| o == 0),
    ];
    if checks.contains(&Some(false)) {
        Probe::Unrecognized
    } else if checks.contains(&None) {
        Probe::NeedMore
    } else {
        Probe::Recognized
    }
}

impl StreamDecoder {
    /// A decoder with [`DEFAULT_CAPACITY_LIMIT`].
    pub fn new() -> Self {
        Self::with_capacity_limit(DEFAULT_CAPACITY_LIMIT)
    }

    /// A decoder that buffers at most `capacity` bytes (raised to hold one largest encapsulation message).
    pub fn with_capacity_limit(capacity: usize) -> Self {
        StreamDecoder {
            buf: BytesMut::new(),
            capacity: capacity.max(MAX_FRAME_LEN),
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
    /// gap): whole messages already buffered are still returned (judged as if the stream ended
    /// there), a partial encapsulation message cut by the gap is dropped (counted in `skipped_bytes`), and
    /// framing resynchronises.
    pub fn gap(&mut self) {
        self.stats.gaps += 1;
        self.finish();
    }

    /// The stream ended: the bytes that could not be judged yet are judged as its end (a
    /// encapsulation message cut short is dropped, as by [`gap`](StreamDecoder::gap) but without counting a
    /// gap), and the next calls to [`next_frame`](StreamDecoder::next_frame) return what
    /// they hold.
    pub fn finish(&mut self) {
        let drop = self.resync.gap(&Messages, &self.buf);
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

    /// Whether the decoder is in sync with the encapsulation message boundaries.
    pub fn is_synced(&self) -> bool {
        self.resync.is_synced()
    }

    /// The next whole encapsulation message (header and data), `Ok(None)` when more bytes are needed, or
    /// `Err(Error::Junk)` after skipping bytes that are not an encapsulation message (call again: it has
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
    /// until `Ok(None)` give, but an encapsulation message that lies wholly in `data` while nothing is
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
        let step = self.resync.next(&Messages, view);
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
    /// A whole encapsulation message that lies in the bytes just fed (borrowed, not copied).
    Frame(&'d [u8]),
    /// A whole encapsulation message completed from buffered bytes.
    Buffered(Bytes),
    /// Junk skipped, as [`StreamDecoder::next_frame`] reports it.
    Junk(Error),
}
