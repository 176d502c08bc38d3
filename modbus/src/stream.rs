//! A Modbus/TCP byte-stream decoder (DESIGN.md §2 "Streams"): feed TCP payload in any
//! chunking, take whole MBAP frames out, resynchronise after gaps and junk.

use bytes::{Buf, Bytes, BytesMut};

use crate::error::{Error, Layer};
use crate::frame::{MBAP_HEADER_LEN, MbapHeader};

/// Default cap on buffered bytes: many whole frames, bounded memory per connection.
pub const DEFAULT_CAPACITY: usize = 64 * 1024;
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
    max_length: usize,
    in_sync: bool,
    /// Buffered bytes that precede the last reported gap: a frame that starts before this
    /// mark and ends after it is missing bytes and must not be returned.
    gap_at: Option<usize>,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamDecoder {
    /// A decoder with [`DEFAULT_CAPACITY`].
    pub fn new() -> Self {
        Self::with_capacity_limit(DEFAULT_CAPACITY)
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
            max_length,
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
    /// gap is dropped (counted in `skipped_bytes`), and framing resynchronises on a
    /// plausible header.
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

    /// The next whole ADU (MBAP header and PDU), `Ok(None)` when more bytes are needed.
    ///
    /// `Err` reports junk at the front of the stream: a length of 0 (`Malformed`) or above
    /// the decoder's maximum (`TooLong`), the very signal of a non-Modbus protocol on port
    /// 502. The decoder then skips to the next plausible header by itself; call again.
    pub fn next_frame(&mut self) -> Result<Option<Bytes>, Error> {
        if !self.in_sync {
            self.resync();
        }
        if let Some(mark) = self.gap_at {
            // Bytes before the mark were buffered before the gap: a frame that does not end
            // by the mark lacks the bytes that were lost.
            let whole = MbapHeader::parse(&self.buf)
                .is_ok_and(|h| MBAP_HEADER_LEN - 1 + usize::from(h.length) <= mark);
            if !whole {
                self.skip(mark);
                self.gap_at = None;
                self.in_sync = false;
                self.resync();
            }
        }
        if !self.in_sync {
            return Ok(None);
        }
        let Ok(header) = MbapHeader::parse(&self.buf) else {
            return Ok(None);
        };
        let len = usize::from(header.length);
        if len == 0 || len > self.max_length {
            self.in_sync = false;
            self.skip(1);
            return Err(if len == 0 {
                Error::Malformed {
                    layer: Layer::Mbap,
                    offset: 4,
                }
            } else {
                Error::TooLong {
                    declared: len,
                    max: self.max_length,
                }
            });
        }
        let total = MBAP_HEADER_LEN - 1 + len;
        if self.buf.len() < total {
            return Ok(None);
        }
        self.stats.frames += 1;
        self.consumed(total);
        Ok(Some(self.buf.split_to(total).freeze()))
    }

    /// Drops bytes until the buffer starts with a plausible header and function code (or
    /// too few bytes remain to tell), and trusts the stream again once one is found.
    ///
    /// The function code must have arrived before a header is trusted: deciding without it
    /// would make the outcome depend on how the stream was chunked.
    fn resync(&mut self) {
        let mut at = 0;
        while at + MBAP_HEADER_LEN < self.buf.len() {
            let plausible = self
                .buf
                .get(at..)
                .and_then(|b| MbapHeader::parse(b).ok())
                .is_some_and(|h| {
                    h.is_plausible()
                        && self
                            .buf
                            .get(at + MBAP_HEADER_LEN)
                            .is_some_and(|&f| f != 0 && f != 0x80)
                });
            if plausible {
                self.skip(at);
                self.in_sync = true;
                return;
            }
            at += 1;
        }
        self.skip(at);
    }

    fn skip(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.consumed(n);
        self.buf.advance(n);
        self.stats.skipped_bytes += n as u64;
    }

    /// Moves the gap mark as `n` bytes leave the front of the buffer.
    fn consumed(&mut self, n: usize) {
        self.gap_at = self
            .gap_at
            .and_then(|m| m.checked_sub(n))
            .filter(|&m| m > 0);
    }
}
