//! A TPKT byte-stream decoder (DESIGN.md §2 "Streams"; RFC 1006 §6 framing): feed TCP
//! payload in any chunking, take whole TPKTs out, resynchronise after gaps and junk.

use bytes::{Buf, Bytes, BytesMut};

use crate::error::{Error, Layer};
use crate::tpkt::{MIN_TPKT_LEN, TPKT_HEADER_LEN, TpktHeader};

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
}

/// Splits a TPKT byte stream into whole TPKTs.
///
/// In sync (from the start) any header with a length of at least 4 is taken: a version or
/// reserved byte off is the parser's anomaly to flag. After [`gap`](StreamDecoder::gap) and
/// after junk it waits for a *plausible* header (version 3, reserved 0, length at least 7,
/// and a COTP length indicator that fits) before it trusts the stream again.
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
#[derive(Debug)]
pub struct StreamDecoder {
    buf: BytesMut,
    capacity: usize,
    in_sync: bool,
    gap_at: Option<usize>,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        Self::new()
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
            capacity: capacity.max(usize::from(u16::MAX)),
            in_sync: true,
            gap_at: None,
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
    /// gap): whole frames already buffered are still returned, a partial frame cut by the
    /// gap is dropped (counted in `skipped_bytes`), and framing resynchronises.
    pub fn gap(&mut self) {
        self.stats.gaps += 1;
        self.in_sync = false;
        self.gap_at = Some(self.buf.len());
    }

    /// Counters so far.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next whole TPKT (header and TPDU), `Ok(None)` when more bytes are needed.
    ///
    /// `Err` reports junk at the front of the stream (a length below 4, `Malformed`); the
    /// decoder then skips to the next plausible header by itself; call again.
    pub fn next_frame(&mut self) -> Result<Option<Bytes>, Error> {
        if let Some(mark) = self.gap_at {
            let whole = TpktHeader::parse(&self.buf).is_ok_and(|h| {
                usize::from(h.length) >= TPKT_HEADER_LEN && usize::from(h.length) <= mark
            });
            if !whole {
                self.skip(mark);
                self.gap_at = None;
                self.in_sync = false;
            }
        }
        if !self.in_sync {
            self.resync();
            if !self.in_sync {
                return Ok(None);
            }
        }
        let Ok(header) = TpktHeader::parse(&self.buf) else {
            return Ok(None);
        };
        let len = usize::from(header.length);
        if len < TPKT_HEADER_LEN {
            self.in_sync = false;
            self.skip(1);
            return Err(Error::Malformed {
                layer: Layer::Tpkt,
                offset: 2,
            });
        }
        if self.buf.len() < len {
            return Ok(None);
        }
        self.stats.frames += 1;
        self.consumed(len);
        Ok(Some(self.buf.split_to(len).freeze()))
    }

    /// Feeds stream bytes and hands every frame and junk report to `f`, in order: what
    /// [`push`](StreamDecoder::push) then [`next_frame`](StreamDecoder::next_frame) until
    /// `Ok(None)` give, but a TPKT that lies wholly in `data` while nothing is buffered and
    /// the decoder is in sync is handed out borrowed from it, without being copied (such
    /// frames never count against the capacity).
    pub fn feed<'d>(&mut self, data: &'d [u8], mut f: impl FnMut(Piece<'d>)) {
        let mut rest = data;
        if self.buf.is_empty() && self.in_sync && self.gap_at.is_none() {
            while let Ok(h) = TpktHeader::parse(rest) {
                let len = usize::from(h.length);
                if len < TPKT_HEADER_LEN {
                    break;
                }
                let Some((frame, tail)) = rest.split_at_checked(len) else {
                    break;
                };
                self.stats.frames += 1;
                f(Piece::Frame(frame));
                rest = tail;
            }
        }
        if rest.is_empty() && self.buf.is_empty() && self.in_sync && self.gap_at.is_none() {
            return;
        }
        self.push(rest);
        loop {
            match self.next_frame() {
                Ok(Some(frame)) => f(Piece::Buffered(frame)),
                Ok(None) => return,
                Err(e) => f(Piece::Junk(e)),
            }
        }
    }

    /// Whether a plausible TPKT starts at `at`: version 3, reserved 0, length at least 7
    /// and a COTP length indicator inside it. Needs the LI byte to have arrived, so that
    /// the outcome does not depend on the chunking.
    fn plausible_at(&self, at: usize) -> Option<bool> {
        let b = self.buf.get(at..)?;
        let h = TpktHeader::parse(b).ok()?;
        let li = *b.get(TPKT_HEADER_LEN)?;
        let len = usize::from(h.length);
        Some(h.is_plausible() && len >= MIN_TPKT_LEN && usize::from(li) < len - TPKT_HEADER_LEN)
    }

    fn resync(&mut self) {
        let mut at = 0;
        while at + TPKT_HEADER_LEN < self.buf.len() {
            match self.plausible_at(at) {
                Some(true) => {
                    self.skip(at);
                    self.in_sync = true;
                    return;
                }
                Some(false) => at += 1,
                None => break,
            }
        }
        self.skip(at);
    }

    fn skip(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.consumed(n);
        self.buf.advance(n);
        self.stats.skipped_bytes += n as u64;
    }

    fn consumed(&mut self, n: usize) {
        self.gap_at = self
            .gap_at
            .and_then(|m| m.checked_sub(n))
            .filter(|&m| m > 0);
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
