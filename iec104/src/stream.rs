//! Reassembly of APDUs from a TCP byte stream (DESIGN.md §2 "Streams"; IEC 60870-5-104 §5:
//! APDUs follow each other with no separator).

use bytes::{Buf, Bytes, BytesMut};

use crate::anomaly::Anomalies;
use crate::asdu::{Asdu, Params};
use crate::error::Error;
use crate::frame::{Apci, CONTROL_LEN, MAX_LENGTH, START, plausible_header, split_frame};
use otwire_core::Probe;
use otwire_core::resync::{Framing, Resync, Step, Verdict};

/// Default cap on buffered bytes: far above the 255-octet APDU, low enough to bound memory.
pub const DEFAULT_CAPACITY_LIMIT: usize = 64 * 1024;

/// Counters of what a [`StreamDecoder`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StreamStats {
    /// Bytes accepted by `push`.
    pub bytes_in: u64,
    /// Whole APDUs returned.
    pub frames: u64,
    /// Bytes skipped as junk while resynchronising.
    pub junk: u64,
    /// Bytes dropped: past the capacity limit, or a partial APDU cut by a gap.
    pub dropped: u64,
    /// Calls to `gap`.
    pub gaps: u64,
    /// Times the decoder lost and looked for synchronisation.
    pub resyncs: u64,
}

/// Splits a TCP stream into APDUs, whatever the chunking (feature `alloc`).
///
/// It starts unsynchronised: the first APDU must pass the strict header checks of
/// [`probe`](crate::probe) (with one difference: a U frame whose function bits are not
/// exactly one is a frame, flagged `U_FUNCTION_INVALID` by [`Apdu::parse`](crate::Apdu)),
/// and so must the first one after junk or a [`gap`](StreamDecoder::gap). Once in sync,
/// every frame with a valid start byte and length is returned, so that its anomalies can
/// be flagged.
///
/// APDUs follow each other without separator (IEC 60870-5-104 §5), so a false length
/// would hide the frames after it. A candidate APDU that holds a whole plausible APDU of
/// exact length after its start byte is junk. When what follows an APDU is not one, the
/// decoder looks back into it for a plausible APDU that starts inside it and resumes
/// there: it was junk whose length ran into real APDUs; it has come out, and so do the
/// APDUs it covered. No decision waits for bytes after a frame, and feeding a stream in any
/// chunking yields the same frames.
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    buf: BytesMut,
    limit: usize,
    resync: Resync,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new()
    }
}

/// The framing rules of IEC 104 APDUs for the resynchronising search.
struct Apdus;

impl Framing for Apdus {
    fn may_start(&self, octet: u8) -> bool {
        octet == START
    }

    fn header(&self, view: &[u8], synced: bool) -> Verdict {
        let length = match view {
            [] => return Verdict::Wait,
            [s, ..] if *s != START => return Verdict::Junk,
            [_] => return Verdict::Wait,
            [_, l, ..] => *l,
        };
        let plausible = if synced {
            // In sync, any length the standard allows: the frame's anomalies are the
            // parser's to flag.
            if (CONTROL_LEN..=MAX_LENGTH).contains(&length) {
                Probe::Recognized
            } else {
                Probe::Unrecognized
            }
        } else {
            plausible_header(view, true)
        };
        match plausible {
            Probe::Recognized => Verdict::Frame(2 + usize::from(length)),
            Probe::Unrecognized => Verdict::Junk,
            Probe::NeedMore => Verdict::Wait,
        }
    }

    fn declared_len(&self, view: &[u8]) -> Option<usize> {
        view.get(1).map(|&l| 2 + usize::from(l))
    }

    fn trusted(&self, view: &[u8]) -> Probe {
        plausible_header(view, true)
    }

    fn whole(&self, view: &[u8]) -> bool {
        is_exact_apdu(view)
    }

    fn max_frame_len(&self) -> usize {
        2 + usize::from(MAX_LENGTH)
    }
}

impl StreamDecoder {
    /// A decoder with the default capacity limit.
    pub fn new() -> Self {
        StreamDecoder::with_capacity_limit(DEFAULT_CAPACITY_LIMIT)
    }

    /// A decoder that buffers at most `limit` bytes (at least one maximal APDU, 255).
    pub fn with_capacity_limit(limit: usize) -> Self {
        StreamDecoder {
            buf: BytesMut::new(),
            limit: limit.max(2 + usize::from(MAX_LENGTH)),
            resync: Resync::new(),
            stats: StreamStats::default(),
        }
    }

    /// Appends stream bytes; returns how many were accepted (the rest, past the capacity
    /// limit, are dropped, counted, and treated as a gap).
    pub fn push(&mut self, data: &[u8]) -> usize {
        let room = self.limit.saturating_sub(self.buf.len());
        let n = data.len().min(room);
        if let Some(accepted) = data.get(..n) {
            self.buf.extend_from_slice(accepted);
        }
        self.stats.bytes_in += n as u64;
        if n < data.len() {
            self.stats.dropped += (data.len() - n) as u64;
            self.gap();
        }
        n
    }

    /// Tells the decoder that bytes are missing here (a TCP sequence gap): whole APDUs
    /// buffered before it are still returned (judged as if the stream ended there), a
    /// partial one is dropped, then it resynchronises.
    pub fn gap(&mut self) {
        self.stats.gaps += 1;
        self.finish();
    }

    /// The stream ended: the bytes that could not be judged yet are judged as its end (a
    /// frame cut short is dropped, as by [`gap`](StreamDecoder::gap) but without counting
    /// a gap; what follows the last frame may still reveal a frame inside it), and the
    /// next calls to [`next_frame`](StreamDecoder::next_frame) return what they hold.
    pub fn finish(&mut self) {
        let drop = self.resync.gap(&Apdus, &self.buf);
        self.buf.truncate(self.buf.len() - drop);
        self.stats.dropped += drop as u64;
    }

    /// The next whole APDU (start byte to last ASDU octet), `Ok(None)` when more bytes are
    /// needed, or `Err(Error::Junk)` after skipping bytes that are not an APDU (call again:
    /// it has resynchronised, or is waiting for more bytes to decide).
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
    /// until `Ok(None)` give, but a frame that lies wholly in `data` while nothing is
    /// buffered is handed out borrowed from it, without being copied.
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
        let step = self.resync.next(&Apdus, view);
        if was_synced && (matches!(step, Step::Junk { .. }) || !self.resync.is_synced()) {
            self.stats.resyncs += 1;
        }
        match step {
            Step::Frame(_) => self.stats.frames += 1,
            Step::Junk { skipped, .. } => self.stats.junk += skipped as u64,
            Step::Rewind { .. } | Step::Wait => {}
        }
        step
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether the decoder is in sync with the APDU boundaries.
    pub fn is_synced(&self) -> bool {
        self.resync.is_synced()
    }

    /// The counters so far.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }
}

/// Whether `input` starts with a whole APDU that passes [`plausible_header`] and whose
/// length is exactly what its content needs: an S or U frame, or an I frame whose ASDU is
/// of a type with a fixed element size (or file segments, which carry their own length)
/// and holds its count of objects with nothing left over. Real APDUs are; a false start
/// inside another frame's octets almost never is.
fn is_exact_apdu(input: &[u8]) -> bool {
    if plausible_header(input, true) != Probe::Recognized {
        return false;
    }
    let Ok((frame, _)) = split_frame(input) else {
        return false;
    };
    match frame.apci() {
        Apci::S { .. } | Apci::U(_) => true,
        Apci::I { .. } => {
            let id = frame.asdu.first().copied().unwrap_or(0);
            (crate::element::element_size_raw(id).is_some() || id == 125)
                && Asdu::parse(frame.asdu, Params::IEC104).is_ok_and(|p| {
                    !p.anomalies
                        .intersects(Anomalies::TRUNCATED | Anomalies::TRAILING_BYTES)
                })
        }
    }
}

/// A piece of the stream [`StreamDecoder::feed`] hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'d> {
    /// A whole frame that lies in the bytes just fed (borrowed, not copied).
    Frame(&'d [u8]),
    /// A whole frame completed from buffered bytes.
    Buffered(Bytes),
    /// Junk skipped, as [`StreamDecoder::next_frame`] reports it.
    Junk(Error),
}
