//! A Modbus/TCP byte-stream decoder (DESIGN.md §2 "Streams"): feed TCP payload in any
//! chunking, take whole MBAP frames out, resynchronise after gaps and junk.

use bytes::{Buf, Bytes, BytesMut};
use otwire_core::Probe;
use otwire_core::resync::{Framing, Resync, Step, Verdict};

use crate::codes::FunctionCode;
use crate::error::{Error, Layer};
use crate::frame::{MBAP_HEADER_LEN, MbapHeader};
use crate::rtu::{LenHint, expected_len};
use crate::types::Direction;

/// Default cap on buffered bytes: many whole frames, bounded memory per connection (the
/// same name and value in every otwire crate).
pub const DEFAULT_CAPACITY_LIMIT: usize = 64 * 1024;
/// The former name of [`DEFAULT_CAPACITY_LIMIT`].
#[deprecated(
    since = "0.1.0",
    note = "use DEFAULT_CAPACITY_LIMIT, the name every otwire crate uses"
)]
pub const DEFAULT_CAPACITY: usize = DEFAULT_CAPACITY_LIMIT;
/// Default largest MBAP length field accepted in sync: twice the specification's 254, so
/// over-long frames still decode (and are flagged) while junk is not waited for.
pub const DEFAULT_MAX_LENGTH: usize = 512;

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
}

/// Splits a Modbus/TCP byte stream into frames.
///
/// In sync (from the start), any header whose length is 1 to the maximum (512 by default)
/// is taken: a non-zero protocol id or an over-long frame is the parser's anomaly to flag,
/// not a reason to lose the frame. After [`gap`](StreamDecoder::gap) and after junk it
/// waits for a *plausible* header (protocol id 0, length 2-254, a function code other than
/// 0 and 0x80) before it trusts the stream again.
///
/// Modbus/TCP has no start octet, so junk between frames reads as a header. A candidate
/// that is not *consistent* (protocol id 0, and the length its function code and byte
/// count give in a direction, or a UMAS frame) and holds a whole consistent frame after its
/// first octet is junk. When what follows a frame is not a frame (or neither is
/// consistent), the decoder looks back into it for a consistent frame that starts inside
/// it and resumes there: the frame was junk whose length ran into real frames; it has
/// come out, and so do the frames it covered. Feeding a stream in any chunking yields the
/// same frames; [`finish`](StreamDecoder::finish) ends a stream.
///
/// ```
/// use otwire_modbus::{StreamDecoder, split_frame};
/// let stream = [0u8, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2, 0, 2, 0, 0, 0, 6, 1, 3, 0, 8, 0, 1];
/// let mut dec = StreamDecoder::new();
/// let mut frames = 0;
/// for chunk in stream.chunks(5) {
///     dec.push(chunk);
///     while let Ok(Some(adu)) = dec.next_frame() {
///         let (frame, _) = split_frame(&adu)?;
///         assert_eq!(frame.pdu[0], 3);
///         frames += 1;
///     }
/// }
/// assert_eq!(frames, 2);
/// # Ok::<(), otwire_modbus::Error>(())
/// ```
#[derive(Debug)]
pub struct StreamDecoder {
    buf: BytesMut,
    capacity: usize,
    framing: Mbap,
    resync: Resync,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        Self::new()
    }
}

/// The framing rules of Modbus/TCP ADUs for the resynchronising search.
#[derive(Debug, Clone, Copy)]
struct Mbap {
    max_length: usize,
}

impl Mbap {
    /// The MBAP length field, once its octets are there.
    fn length(view: &[u8]) -> Option<usize> {
        view.get(4..6)
            .and_then(|b| b.first_chunk::<2>())
            .map(|&l| usize::from(u16::from_be_bytes(l)))
    }

    /// Whether the frame's length is the one its function code gives in `dir` (Application
    /// Protocol §6), as far as the octets of the frame that are there tell.
    fn consistent(view: &[u8], length: usize, dir: Direction) -> Probe {
        // From the unit id on, the frame looks like an RTU frame without its CRC.
        let unit_pdu = view.get(MBAP_HEADER_LEN - 1..).unwrap_or_default();
        let in_frame = unit_pdu.get(..length).unwrap_or(unit_pdu);
        match expected_len(in_frame, dir) {
            LenHint::Exact(n) if n == length + 2 => Probe::Recognized,
            // The octets that tell are inside the frame but have not arrived yet.
            LenHint::NeedMore(n) if n <= length => Probe::NeedMore,
            // No layout to check: UMAS, whose envelope this crate decodes, is trusted.
            LenHint::Unknown if in_frame.get(1) == Some(&u8::from(FunctionCode::Umas)) => {
                Probe::Recognized
            }
            _ => Probe::Unrecognized,
        }
    }
}

impl Framing for Mbap {
    fn may_start(&self, _octet: u8) -> bool {
        true
    }

    fn header(&self, view: &[u8], synced: bool) -> Verdict {
        let Ok(h) = MbapHeader::parse(view) else {
            return Verdict::Wait;
        };
        let length = usize::from(h.length);
        if length == 0 || length > self.max_length {
            return Verdict::Junk;
        }
        if !synced {
            if !h.is_plausible() {
                return Verdict::Junk;
            }
            match view.get(MBAP_HEADER_LEN) {
                None => return Verdict::Wait,
                Some(0x00 | 0x80) => return Verdict::Junk,
                Some(_) => {}
            }
        }
        Verdict::Frame(MBAP_HEADER_LEN - 1 + length)
    }

    fn declared_len(&self, view: &[u8]) -> Option<usize> {
        Mbap::length(view).map(|l| MBAP_HEADER_LEN - 1 + l)
    }

    fn trusted(&self, view: &[u8]) -> Probe {
        let length = match self.header(view, false) {
            Verdict::Frame(n) => n + 1 - MBAP_HEADER_LEN,
            Verdict::Junk => return Probe::Unrecognized,
            Verdict::Wait => return Probe::NeedMore,
        };
        let request = Mbap::consistent(view, length, Direction::Request);
        if request == Probe::Recognized {
            return request;
        }
        match Mbap::consistent(view, length, Direction::Response) {
            Probe::Recognized => Probe::Recognized,
            _ if request == Probe::NeedMore => Probe::NeedMore,
            response => response,
        }
    }

    fn whole(&self, view: &[u8]) -> bool {
        self.trusted(view) == Probe::Recognized
            && Mbap::length(view).is_some_and(|l| view.len() >= MBAP_HEADER_LEN - 1 + l)
    }

    /// Without a start octet, frames inside real ones are common (register values 0, 6,
    /// 0x0103 read as `00 00 00 06 01 03`): a *consistent* candidate is a frame whatever it
    /// holds; only an inconsistent one (protocol id, or a length its function code does
    /// not give) is junk when it holds a whole consistent frame.
    fn may_enclose(&self, view: &[u8]) -> bool {
        self.trusted(view) != Probe::Unrecognized
    }

    fn trusted_may_enclose(&self) -> bool {
        true
    }

    fn max_frame_len(&self) -> usize {
        MBAP_HEADER_LEN - 1 + self.max_length
    }
}

impl StreamDecoder {
    /// A decoder with [`DEFAULT_CAPACITY_LIMIT`].
    pub fn new() -> Self {
        Self::with_capacity_limit(DEFAULT_CAPACITY_LIMIT)
    }

    /// A decoder that buffers at most `capacity` bytes (raised to hold one largest frame).
    pub fn with_capacity_limit(capacity: usize) -> Self {
        Self::with_limits(capacity, DEFAULT_MAX_LENGTH)
    }

    /// A decoder with both limits: buffered bytes, and the largest MBAP length field taken
    /// as a frame (up to 65535; the specification's own maximum is 254).
    pub fn with_limits(capacity: usize, max_length: usize) -> Self {
        let max_length = max_length.clamp(2, usize::from(u16::MAX));
        StreamDecoder {
            buf: BytesMut::new(),
            capacity: capacity.max(MBAP_HEADER_LEN - 1 + max_length),
            framing: Mbap { max_length },
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
    /// gap): whole frames already buffered are still returned (judged as if the stream
    /// ended there), a partial frame cut by the gap is dropped (counted in
    /// `skipped_bytes`), and framing resynchronises on a plausible header.
    pub fn gap(&mut self) {
        self.stats.gaps += 1;
        self.finish();
    }

    /// The stream ended: the bytes that could not be judged yet are judged as its end (a
    /// frame cut short is dropped, as by [`gap`](StreamDecoder::gap) but without counting
    /// a gap; what follows the last frame may still reveal a frame inside it), and the
    /// next calls to [`next_frame`](StreamDecoder::next_frame) return what they hold.
    pub fn finish(&mut self) {
        let drop = self.resync.gap(&self.framing, &self.buf);
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

    /// The next whole ADU (MBAP header and PDU), `Ok(None)` when more bytes are needed.
    ///
    /// `Err` reports junk at the front of the stream, once per run of junk: a length of 0
    /// or one that does not delimit a frame (`Malformed`), or one above the decoder's
    /// maximum (`TooLong`), the very signal of a non-Modbus protocol on port 502. The
    /// decoder has skipped to the next plausible header (or to bytes it cannot judge yet);
    /// call again.
    pub fn next_frame(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            let buf = core::mem::take(&mut self.buf);
            let mv = self.judge(&buf);
            self.buf = buf;
            match mv {
                Move::Frame(n) => return Ok(Some(self.buf.split_to(n).freeze())),
                Move::Rewind(back) => {
                    self.buf = BytesMut::from(&self.resync.rewound(back, &self.buf)[..]);
                }
                Move::Junk(skipped, report) => {
                    self.buf.advance(skipped);
                    if let Some(e) = report {
                        return Err(e);
                    }
                }
                Move::Wait => return Ok(None),
            }
        }
    }

    /// Feeds stream bytes and hands every frame and junk report to `f`, in order: exactly
    /// what [`push`](StreamDecoder::push) then [`next_frame`](StreamDecoder::next_frame)
    /// until `Ok(None)` give, but a frame that lies wholly in `data` while nothing is
    /// buffered is handed out borrowed from it, without being copied.
    pub fn feed<'d>(&mut self, data: &'d [u8], mut f: impl FnMut(Piece<'d>)) {
        let mut rest = data;
        while self.buf.is_empty() && !rest.is_empty() && !self.resync.has_settled() {
            match self.judge(rest) {
                Move::Frame(n) => {
                    let Some((frame, tail)) = rest.split_at_checked(n) else {
                        break;
                    };
                    f(Piece::Frame(frame));
                    rest = tail;
                }
                Move::Rewind(back) => {
                    self.buf = BytesMut::from(&self.resync.rewound(back, rest)[..]);
                    rest = &[];
                }
                Move::Junk(skipped, report) => {
                    rest = rest.get(skipped..).unwrap_or_default();
                    if let Some(e) = report {
                        f(Piece::Junk(e));
                    }
                }
                Move::Wait => break,
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

    /// The next move over `view`, the bytes at the front of the stream (the buffer, or
    /// bytes fed while it is empty), with the counters and the junk report it makes.
    fn judge(&mut self, view: &[u8]) -> Move {
        // Junk is reported where the decoder loses sync; while it searches, the bytes it
        // skips are counted only (so the reports do not depend on the chunking).
        let report = self.resync.is_synced() && !self.resync.has_settled();
        let length = Mbap::length(view).unwrap_or(0);
        match self.resync.next(&self.framing, view) {
            Step::Frame(n) => {
                self.stats.frames += 1;
                Move::Frame(n)
            }
            Step::Rewind { back } => Move::Rewind(back),
            Step::Junk { skipped, .. } => {
                self.stats.skipped_bytes += skipped as u64;
                let e = if length > self.framing.max_length {
                    Error::TooLong {
                        declared: length,
                        max: self.framing.max_length,
                    }
                } else {
                    Error::Malformed {
                        layer: Layer::Mbap,
                        offset: 4,
                    }
                };
                Move::Junk(skipped, report.then_some(e))
            }
            Step::Wait => Move::Wait,
        }
    }
}

/// A piece of the stream [`StreamDecoder::feed`] hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'d> {
    /// A whole ADU that lies in the bytes just fed (borrowed, not copied).
    Frame(&'d [u8]),
    /// A whole ADU completed from buffered bytes.
    Buffered(Bytes),
    /// Junk skipped, as [`StreamDecoder::next_frame`] reports it.
    Junk(Error),
}

/// What [`StreamDecoder::judge`] decided.
enum Move {
    Frame(usize),
    Rewind(usize),
    Junk(usize, Option<Error>),
    Wait,
}
