//! Stream decoding (DESIGN.md §2 "Streams"): link frames out of a byte stream that
//! arrives in arbitrary chunks (TCP) or with garbage and gaps (sniffed serial lines),
//! resynchronising on the `0x05 0x64` start octets (IEEE 1815-2012 §9.2.4.1.1).

use bytes::{Buf, Bytes, BytesMut};

use crate::error::Error;
use crate::link::{HEADER_LEN, LinkConfig, MAX_FRAME_LEN, MIN_LENGTH, START, crc16, frame_len};

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
/// to the next start octets and reported once as [`Error::Junk`]. Feeding a stream in any
/// chunking yields the same frames as feeding it whole.
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    buf: BytesMut,
    limit: usize,
    config: LinkConfig,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new()
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
            config: LinkConfig::LAX,
            stats: StreamStats::default(),
        }
    }

    /// Sets how headers are checked for plausibility (`verify_crc: false` accepts any
    /// header with start octets and LENGTH ≥ 5).
    pub fn with_config(mut self, config: LinkConfig) -> Self {
        self.config = config;
        self
    }

    /// Appends received bytes. Bytes beyond the capacity limit are dropped and counted.
    pub fn push(&mut self, data: &[u8]) {
        let room = self.limit.saturating_sub(self.buf.len());
        let (keep, drop) = data.split_at(room.min(data.len()));
        self.buf.extend_from_slice(keep);
        self.stats.dropped_bytes += drop.len() as u64;
    }

    /// Bytes were lost before the next [`push`](Self::push): drops any partial frame so
    /// the decoder resynchronises.
    pub fn gap(&mut self) {
        self.stats.junk_bytes += self.buf.len() as u64;
        self.buf.clear();
        self.stats.gaps += 1;
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
        match self.plausible() {
            Plausible::NeedMore => Ok(None),
            Plausible::Frame(n) => {
                if self.buf.len() < n {
                    return Ok(None);
                }
                self.stats.frames += 1;
                Ok(Some(self.buf.split_to(n).freeze()))
            }
            Plausible::Junk(from) => {
                let skip = resync_point(&self.buf, from);
                self.buf.advance(skip);
                self.stats.junk_bytes += skip as u64;
                Err(Error::Junk { skipped: skip })
            }
        }
    }

    fn plausible(&self) -> Plausible {
        let b = &self.buf[..];
        for (i, &x) in b.iter().take(2).enumerate() {
            if START.get(i) != Some(&x) {
                return Plausible::Junk(0);
            }
        }
        let Some(h) = b.first_chunk::<HEADER_LEN>() else {
            if b.get(2).is_some_and(|&l| l < MIN_LENGTH) {
                return Plausible::Junk(1);
            }
            return Plausible::NeedMore;
        };
        let (body, crc) = h.split_at(8);
        let length = body.get(2).copied().unwrap_or(0);
        if length < MIN_LENGTH || (self.config.verify_crc && crc16(body).to_le_bytes() != crc) {
            return Plausible::Junk(1);
        }
        Plausible::Frame(frame_len(length))
    }
}

enum Plausible {
    NeedMore,
    Frame(usize),
    /// Junk at the front; search for the next start from this offset.
    Junk(usize),
}

/// Where the next possible frame starts at or after `from` (at least 1 past the front):
/// the next `0x05 0x64`, or a trailing `0x05` that may begin one.
fn resync_point(b: &[u8], from: usize) -> usize {
    let from = from.max(1);
    let mut i = from;
    while let Some(&x) = b.get(i) {
        if x == START[0] {
            match b.get(i + 1) {
                Some(&y) if y == START[1] => return i,
                None => return i,
                _ => {}
            }
        }
        i += 1;
    }
    b.len().max(from.min(b.len()))
}
