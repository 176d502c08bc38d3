//! Stream decoding (DESIGN.md §2 "Streams"): link frames out of a byte stream that
//! arrives in arbitrary chunks (TCP) or with garbage and gaps (sniffed serial lines),
//! resynchronising on the `0x05 0x64` start octets (IEEE 1815-2012 §9.2.4.1.1).

use bytes::{Buf, Bytes, BytesMut};
use otwire_core::Probe;
use otwire_core::resync::{Framing, Resync, Step, Verdict};

use crate::error::Error;
use crate::link::{
    LinkConfig, MAX_FRAME_LEN, MIN_LENGTH, START, frame_len, plausible_header, split_frame_with,
};

/// Default cap on buffered bytes: many frames' worth.
pub const DEFAULT_CAPACITY_LIMIT: usize = 64 * 1024;

/// Counters of a [`StreamDecoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StreamStats {
    /// Whole frames returned.
    pub frames: u64,
    /// Bytes skipped while resynchronising (reported as [`Error::Junk`]).
    pub junk_bytes: u64,
    /// Bytes dropped because the buffer was at its capacity limit.
    pub dropped_bytes: u64,
    /// Calls to [`StreamDecoder::gap`].
    pub gaps: u64,
}

/// Splits a byte stream into whole link frames (each returned with its CRCs, ready for
/// [`split_frame`](crate::split_frame)).
///
/// A header is plausible when it starts with `0x05 0x64`, has LENGTH ≥ 5 and (unless CRC
/// checking is off) a matching header CRC; anything else at the front is junk, skipped up
/// to the next plausible header and reported as [`Error::Junk`]. A plausible header whose
/// length would swallow another frame is junk too: one that holds a whole frame with
/// matching CRCs after its start octets (IEEE 1815-2012 §9.2.4: the CRCs are what tells a
/// frame from noise). When what follows a frame is not one, the decoder looks back into it
/// for a frame that starts inside it and resumes there: it was junk whose length ran into
/// real frames; it has come out, and so do the frames it covered. Feeding a stream in any
/// chunking yields the same frames as feeding it whole.
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    buf: BytesMut,
    limit: usize,
    framing: Frames,
    resync: Resync,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new()
    }
}

/// The framing rules of link frames for the resynchronising search.
#[derive(Debug, Clone, Copy)]
struct Frames {
    config: LinkConfig,
}

impl Framing for Frames {
    fn may_start(&self, octet: u8) -> bool {
        Some(&octet) == START.first()
    }

    fn header(&self, view: &[u8], _synced: bool) -> Verdict {
        match plausible_header(view, self.config.verify_crc) {
            Probe::Recognized => Verdict::Frame(frame_len(view.get(2).copied().unwrap_or(0))),
            Probe::Unrecognized => Verdict::Junk,
            Probe::NeedMore => Verdict::Wait,
        }
    }

    fn declared_len(&self, view: &[u8]) -> Option<usize> {
        view.get(2)
            .filter(|&&l| l >= MIN_LENGTH)
            .map(|&l| frame_len(l))
    }

    fn trusted(&self, view: &[u8]) -> Probe {
        plausible_header(view, self.config.verify_crc)
    }

    fn max_frame_len(&self) -> usize {
        MAX_FRAME_LEN
    }

    fn whole(&self, view: &[u8]) -> bool {
        let config = if self.config.verify_crc {
            LinkConfig::STRICT
        } else {
            LinkConfig::NO_CRC
        };
        split_frame_with(view, config).is_ok()
    }
}

impl StreamDecoder {
    /// A decoder with the default capacity limit and CRC checking.
    pub fn new() -> Self {
        StreamDecoder::with_capacity_limit(DEFAULT_CAPACITY_LIMIT)
    }

    /// A decoder that buffers at most `limit` bytes (at least one maximal frame).
    pub fn with_capacity_limit(limit: usize) -> Self {
        StreamDecoder {
            buf: BytesMut::new(),
            limit: limit.max(MAX_FRAME_LEN),
            framing: Frames {
                config: LinkConfig::LAX,
            },
            resync: Resync::new(),
            stats: StreamStats::default(),
        }
    }

    /// Sets how headers are checked for plausibility (`verify_crc: false` accepts any
    /// header with start octets and LENGTH ≥ 5).
    pub fn with_config(mut self, config: LinkConfig) -> Self {
        self.framing.config = config;
        self
    }

    /// Appends received bytes. Bytes beyond the capacity limit are dropped, counted, and
    /// treated as a gap (as in every otwire crate): frames buffered before them are still
    /// returned, and framing resynchronises on what follows.
    pub fn push(&mut self, data: &[u8]) {
        let room = self.limit.saturating_sub(self.buf.len());
        let (keep, drop) = data.split_at(room.min(data.len()));
        self.buf.extend_from_slice(keep);
        if !drop.is_empty() {
            self.stats.dropped_bytes += drop.len() as u64;
            self.gap();
        }
    }

    /// Bytes were lost before the next [`push`](Self::push): whole frames buffered before
    /// the gap are still returned, a partial frame is dropped (counted as junk), and the
    /// decoder resynchronises.
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
        self.stats.junk_bytes += drop as u64;
    }

    /// Counters.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next whole frame; `Ok(None)` when more bytes are needed; `Err(Junk)` after
    /// skipping bytes that were not a plausible frame (call again to go on).
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
                Step::Wait => return Ok(None),
                Step::Junk { skipped, .. } => {
                    self.buf.advance(skipped);
                    return Err(Error::Junk { skipped });
                }
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
        let step = self.resync.next(&self.framing, view);
        match step {
            Step::Frame(_) => self.stats.frames += 1,
            Step::Junk { skipped, .. } => self.stats.junk_bytes += skipped as u64,
            Step::Rewind { .. } | Step::Wait => {}
        }
        step
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
