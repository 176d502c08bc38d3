//! A passive RTU framer for sniffed serial buses (Modbus over Serial Line V1.02 §2.5.1):
//! requests and responses of many units interleaved on one byte stream, with no length
//! field and no timing. Frames are anchored on a valid CRC-16 and their lengths predicted
//! from the function code and byte counts, trying the direction the last request implies.

use bytes::{Buf, Bytes, BytesMut};

use crate::rtu::{CRC, LenHint, MAX_RTU_LEN, MIN_RTU_LEN, crc16, expected_len};
use crate::types::Direction;

/// A frame the sniffer found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SniffedFrame {
    /// The whole RTU frame, CRC included (decode with [`RtuFrame::parse`](crate::RtuFrame::parse)).
    pub bytes: Bytes,
    /// The direction whose layout matched, or `None` when only the CRC anchored it
    /// (a function code whose length cannot be predicted).
    pub direction: Option<Direction>,
}

/// Counters the sniffer keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SnifferStats {
    /// Frames returned.
    pub frames: u64,
    /// Frames found by CRC alone.
    pub crc_anchored: u64,
    /// Bytes skipped because no frame started there.
    pub skipped_bytes: u64,
    /// Bytes dropped because the buffer was full.
    pub dropped_bytes: u64,
}

/// Default buffer cap: a few largest frames.
pub const DEFAULT_SNIFFER_CAPACITY: usize = 16 * MAX_RTU_LEN;

/// Frames a sniffed RTU byte stream. See the module docs.
#[derive(Debug)]
pub struct RtuSniffer {
    buf: BytesMut,
    capacity: usize,
    /// Unit and function code of the last request seen: its response comes next.
    last_request: Option<(u8, u8)>,
    /// Offsets `1..clean_upto` of the buffer were examined and start no predicted frame
    /// whatever bytes follow: the resync scan resumes after them instead of rescanning the
    /// buffer for every byte skipped.
    clean_upto: usize,
    stats: SnifferStats,
}

impl Default for RtuSniffer {
    fn default() -> Self {
        Self::new()
    }
}

enum Front {
    Frame(usize, Option<Direction>),
    NeedMore,
    NoMatch,
}

impl RtuSniffer {
    /// A sniffer with [`DEFAULT_SNIFFER_CAPACITY`].
    pub fn new() -> Self {
        RtuSniffer {
            buf: BytesMut::new(),
            capacity: DEFAULT_SNIFFER_CAPACITY,
            last_request: None,
            clean_upto: 0,
            stats: SnifferStats::default(),
        }
    }

    /// Appends bus bytes; past the capacity they are dropped and counted.
    pub fn push(&mut self, data: &[u8]) {
        let room = self.capacity.saturating_sub(self.buf.len());
        let (keep, drop) = data.split_at(room.min(data.len()));
        self.buf.extend_from_slice(keep);
        self.stats.dropped_bytes += drop.len() as u64;
    }

    /// Reports line silence (a 3.5-character gap, when the capture has timing): bytes still
    /// buffered after draining [`next_frame`](Self::next_frame) cannot become a frame and
    /// are discarded.
    pub fn gap(&mut self) {
        let n = self.buf.len();
        self.skip(n);
        self.last_request = None;
    }

    /// Counters so far.
    pub fn stats(&self) -> SnifferStats {
        self.stats
    }

    /// The next frame, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Option<SniffedFrame> {
        loop {
            match self.front(0) {
                Front::Frame(n, direction) => {
                    self.clean_upto = self.clean_upto.saturating_sub(n);
                    let bytes = self.buf.split_to(n).freeze();
                    self.stats.frames += 1;
                    if direction.is_none() {
                        self.stats.crc_anchored += 1;
                    }
                    self.last_request = match (direction, bytes.first(), bytes.get(1)) {
                        (Some(Direction::Request), Some(&u), Some(&f)) => Some((u, f)),
                        _ => None,
                    };
                    return Some(SniffedFrame { bytes, direction });
                }
                Front::NeedMore => return None,
                Front::NoMatch => {
                    // Skip to the next offset where a predicted frame checks out, or one
                    // byte once a largest frame's worth is buffered. Only an offset that
                    // needs more bytes can change its answer later.
                    let mut pending = None;
                    let next =
                        (self.clean_upto.max(1)..self.buf.len()).find(|&s| match self.front(s) {
                            Front::Frame(_, Some(_)) => true,
                            Front::NeedMore => {
                                pending.get_or_insert(s);
                                false
                            }
                            _ => false,
                        });
                    match next {
                        Some(s) => self.skip(s),
                        None => {
                            self.clean_upto = pending.unwrap_or(self.buf.len());
                            if self.buf.len() >= MAX_RTU_LEN {
                                self.skip(1);
                            } else {
                                return None;
                            }
                        }
                    }
                }
            }
        }
    }

    /// What starts at offset `at`.
    fn front(&self, at: usize) -> Front {
        let Some(buf) = self.buf.get(at..) else {
            return Front::NeedMore;
        };
        if buf.len() < MIN_RTU_LEN {
            return Front::NeedMore;
        }
        let answers = self.last_request.is_some_and(|(u, f)| {
            buf.first() == Some(&u) && buf.get(1).map(|b| b & 0x7F) == Some(f)
        });
        let order = if answers {
            [Direction::Response, Direction::Request]
        } else {
            [Direction::Request, Direction::Response]
        };
        let mut need_more = false;
        for dir in order {
            match expected_len(buf, dir) {
                LenHint::Exact(n) if (MIN_RTU_LEN..=MAX_RTU_LEN).contains(&n) => match buf.get(..n)
                {
                    Some(frame) if crc_matches(frame) => return Front::Frame(n, Some(dir)),
                    Some(_) => {}
                    None => need_more = true,
                },
                LenHint::NeedMore(_) => need_more = true,
                LenHint::Exact(_) | LenHint::Unknown => {}
            }
        }
        if need_more {
            return Front::NeedMore;
        }
        if at == 0 {
            // The shortest prefix whose last two bytes are the CRC of the rest, with the CRC
            // carried from one candidate length to the next.
            let longest = buf.len().min(MAX_RTU_LEN);
            let mut digest = CRC.digest();
            digest.update(buf.get(..MIN_RTU_LEN - 3).unwrap_or_default());
            for n in MIN_RTU_LEN..=longest {
                digest.update(buf.get(n - 3..n - 2).unwrap_or_default());
                let Some(&[lo, hi]) = buf.get(n - 2..n) else {
                    break;
                };
                if digest.clone().finalize() == u16::from_le_bytes([lo, hi]) {
                    return Front::Frame(n, None);
                }
            }
        }
        Front::NoMatch
    }

    fn skip(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.clean_upto = self.clean_upto.saturating_sub(n);
        self.buf.advance(n);
        self.stats.skipped_bytes += n as u64;
    }
}

/// Whether the last two bytes of `frame` are the CRC of the rest.
fn crc_matches(frame: &[u8]) -> bool {
    match frame.split_last_chunk::<2>() {
        Some((body, crc)) => crc16(body) == u16::from_le_bytes(*crc),
        None => false,
    }
}
