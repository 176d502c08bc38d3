//! Reassembly of APDUs from a TCP byte stream (DESIGN.md §2 "Streams"; IEC 60870-5-104 §5:
//! APDUs follow each other with no separator).

use bytes::{Bytes, BytesMut};

use crate::error::Error;
use crate::frame::{START, plausible_header, split_frame};
use otwire_core::Probe;

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
/// It starts unsynchronised: the first APDU must pass the [`probe`](crate::probe) header
/// checks, and so must the first one after junk or a [`gap`](StreamDecoder::gap). Once in
/// sync, every frame with a valid start byte and length is returned.
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    buf: BytesMut,
    limit: usize,
    synced: bool,
    /// Bytes at the front of the buffer that are whole frames from before a gap; when they
    /// are consumed the decoder resynchronises.
    before_gap: Option<usize>,
    stats: StreamStats,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        StreamDecoder::new()
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
            limit: limit.max(255),
            synced: false,
            before_gap: None,
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

    /// Tells the decoder that bytes are missing here (a TCP sequence gap): a partial APDU
    /// buffered before it is dropped, whole ones are still returned, then it resynchronises.
    pub fn gap(&mut self) {
        self.stats.gaps += 1;
        if !self.synced {
            // Frames pushed but not yet taken must survive: find where they start.
            if let Some(at) = self.find_plausible(true) {
                let _ = self.buf.split_to(at);
                self.stats.junk += at as u64;
                self.synced = true;
            }
        }
        let mut keep = 0;
        if self.synced {
            let mut rest: &[u8] = &self.buf;
            while let Ok((frame, r)) = split_frame(rest) {
                keep += frame.wire_len();
                rest = r;
            }
        }
        self.stats.dropped += (self.buf.len() - keep) as u64;
        self.buf.truncate(keep);
        self.before_gap = Some(keep);
    }

    /// The first offset whose header is plausible (`Recognized`), or with `strict` false
    /// also one that needs more bytes to tell.
    fn find_plausible(&self, strict: bool) -> Option<usize> {
        self.buf
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == START)
            .find_map(
                |(i, _)| match plausible_header(self.buf.get(i..).unwrap_or_default()) {
                    Probe::Recognized => Some(i),
                    Probe::NeedMore if !strict => Some(i),
                    _ => None,
                },
            )
    }

    /// The next whole APDU (start byte to last ASDU octet), `Ok(None)` when more bytes are
    /// needed, or `Err(Error::Junk)` after skipping bytes that are not an APDU (call again:
    /// it has resynchronised, or is waiting for more bytes to decide).
    pub fn next_frame(&mut self) -> Result<Option<Bytes>, Error> {
        if self.before_gap == Some(0) {
            self.before_gap = None;
            if self.synced {
                self.synced = false;
                self.stats.resyncs += 1;
            }
        }
        if self.synced {
            match split_frame(&self.buf) {
                Ok((frame, _)) => return Ok(Some(self.take(frame.wire_len()))),
                Err(Error::Incomplete(_)) => return Ok(None),
                Err(_) => {
                    self.synced = false;
                    self.stats.resyncs += 1;
                }
            }
        }
        // Resynchronise: find the first offset whose header is plausible, or that needs
        // more bytes to tell.
        let at = self.find_plausible(false);
        let skip = at.unwrap_or(self.buf.len());
        let found = at.is_some_and(|i| {
            plausible_header(self.buf.get(i..).unwrap_or_default()) == Probe::Recognized
        });
        if skip > 0 {
            let _ = self.buf.split_to(skip);
            self.stats.junk += skip as u64;
            if let Some(g) = self.before_gap.as_mut() {
                *g = g.saturating_sub(skip);
            }
            if found {
                self.synced = true;
            }
            return Err(Error::Junk { skipped: skip });
        }
        if found {
            self.synced = true;
            return self.next_frame();
        }
        Ok(None)
    }

    fn take(&mut self, n: usize) -> Bytes {
        self.stats.frames += 1;
        if let Some(g) = self.before_gap.as_mut() {
            *g = g.saturating_sub(n);
        }
        self.buf.split_to(n).freeze()
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether the decoder is in sync with the APDU boundaries.
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    /// The counters so far.
    pub fn stats(&self) -> StreamStats {
        self.stats
    }
}
