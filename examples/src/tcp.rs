//! TCP stream reassembly for one direction of a connection (RFC 9293 §3.4 sequence numbers).
//!
//! Bytes are delivered in sequence order exactly once: retransmitted and overlapping bytes are
//! dropped, segments that arrive early wait in a bounded out-of-order queue, and when bytes
//! are known to be missing from the capture (the queue is full, the peer acknowledged bytes
//! that were never seen, the snap length cut a segment, or the stream ends with a hole) the
//! consumer is told about the gap and delivery continues after it.
//!
//! A segment that resends a range with *different* bytes (an overlap conflict: the classic
//! IDS-evasion trick, and how an on-path attacker slips a command into a live session) is
//! told apart from a plain retransmission by comparing it with what is queued and with a
//! bounded window of the last bytes delivered ([`TcpLimits::recent_bytes`]). One copy wins,
//! by one explicit policy ([`OverlapPolicy`], the first copy by default), the conflict is
//! counted ([`TcpStats::conflicts`]) and reported to the consumer
//! ([`StreamEvent::Conflict`], just before the bytes of the range it concerns, or before the
//! next bytes when the range was delivered already), and the losing copy is dropped whole,
//! so that the consumer never sees the tail of one copy spliced after the other (which a
//! decoder can only read as junk). A one-byte segment just before the next byte is a
//! keep-alive probe (RFC 9293 §3.8.4), whatever its content, never a conflict.

use std::collections::BTreeMap;

/// Which copy wins when a segment resends a sequence range with different bytes (Suricata's
/// per-target `stream.reassembly` overlap policies "first" and "last" are the models).
///
/// Bytes already delivered cannot be taken back: a copy that conflicts with them is dropped
/// whatever the policy (after being reported). The policy decides between copies that are
/// still queued (out of order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverlapPolicy {
    /// The copy seen first wins: a conflicting copy is dropped whole (its part beyond the
    /// overlap too, which continues that copy, not the winning one).
    #[default]
    First,
    /// The copy seen last wins: it replaces the queued bytes it overlaps (the queued
    /// copies' bytes outside its range are kept).
    Last,
}

/// Limits of one direction's reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpLimits {
    /// Bytes held in the out-of-order queue.
    pub max_ooo_bytes: usize,
    /// Segments held in the out-of-order queue.
    pub max_ooo_segments: usize,
    /// The last delivered bytes kept to compare retransmissions with (0: none; a resent
    /// range older than this is taken as a plain retransmission). Kept from when
    /// [`HalfStream::keep_recent`] says (the flow table: once both directions sent data),
    /// allocated as bytes are delivered (at most twice what was delivered), freed when the
    /// stream ends; counted in [`HalfStream::held`].
    pub recent_bytes: usize,
    /// Which copy wins an overlap conflict.
    pub overlap: OverlapPolicy,
}

impl Default for TcpLimits {
    fn default() -> Self {
        Self {
            max_ooo_bytes: 256 << 10,
            max_ooo_segments: 1024,
            recent_bytes: 4 << 10,
            overlap: OverlapPolicy::First,
        }
    }
}

/// What the reassembler hands to the consumer: bytes of the segment just given (`'p`), or
/// bytes it had queued (`'q`, valid for the call only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEvent<'p, 'q> {
    /// The next bytes of the stream, from the segment being added.
    Data(&'p [u8]),
    /// The next bytes of the stream, from a segment that waited in the out-of-order queue.
    Queued(&'q [u8]),
    /// Bytes are missing here; the next bytes do not continue the previous ones.
    Gap,
    /// A segment resent bytes of the stream with different content (an overlap conflict).
    /// Reported just before the next bytes delivered when the conflict concerns bytes
    /// delivered already, else just before the (winning copy's) bytes of the range.
    Conflict,
}

/// Counters of one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TcpStats {
    /// Bytes delivered.
    pub bytes: u64,
    /// Segments whose bytes had all been delivered already.
    pub retransmissions: u64,
    /// Segments that waited in the out-of-order queue.
    pub out_of_order: u64,
    /// Gaps reported.
    pub gaps: u64,
    /// Segments whose bytes differed from a copy delivered or queued (overlap conflicts).
    pub conflicts: u64,
}

/// The last bytes delivered: a ring allocated on first use, grown as bytes come up to its
/// capacity (exactly what was delivered at first, then doubling), wrapping once full.
#[derive(Debug, Default)]
struct Recent {
    buf: Vec<u8>,
    /// Index in `buf` of the oldest byte (0 until `buf` is full).
    head: usize,
}

/// What a direction keeps for overlap conflicts, boxed and made on first need so that a
/// direction without it costs a pointer.
#[derive(Debug, Default)]
struct Overlaps {
    /// The last bytes delivered, to compare retransmissions with.
    recent: Recent,
    /// Delivered bytes go to `recent`.
    keep: bool,
    /// Stream position of the first conflicting byte still queued, reported when it is
    /// delivered.
    conflict_at: Option<u64>,
}

impl Recent {
    /// Appends delivered bytes, keeping the last `cap`.
    fn push(&mut self, data: &[u8], cap: usize) {
        let mut data = data
            .get(data.len().saturating_sub(cap)..)
            .unwrap_or_default();
        let room = cap.saturating_sub(self.buf.len());
        if room > 0 {
            let (now, rest) = data.split_at(data.len().min(room));
            let need = self.buf.len() + now.len();
            if need > self.buf.capacity() {
                let grown = self.buf.capacity().saturating_mul(2).min(cap).max(need);
                self.buf.reserve_exact(grown - self.buf.len());
            }
            self.buf.extend_from_slice(now);
            data = rest;
        }
        let len = self.buf.len();
        while !data.is_empty() && len > 0 {
            let head = self.head.min(len - 1);
            let n = (len - head).min(data.len());
            let (now, rest) = data.split_at(n);
            if let Some(dst) = self.buf.get_mut(head..head + n) {
                dst.copy_from_slice(now);
            }
            self.head = (head + n) % len;
            data = rest;
        }
    }

    /// Bytes held.
    fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether `data` differs from the bytes held from logical index `from` (0: the oldest).
    fn differs(&self, from: usize, data: &[u8]) -> bool {
        let (newer, older) = self.buf.split_at(self.head.min(self.buf.len()));
        !older
            .iter()
            .chain(newer)
            .skip(from)
            .take(data.len())
            .eq(data.iter())
    }

    /// Forgets the bytes (after a gap they no longer end where the stream is).
    fn clear(&mut self) {
        self.buf.clear();
        self.head = 0;
    }
}

/// Reassembly state of one direction.
#[derive(Debug, Default)]
pub struct HalfStream {
    /// Sequence number of stream position 0 (after the SYN when one was seen).
    origin: Option<u32>,
    /// Stream position of the next byte to deliver.
    next: u64,
    /// Highest stream position the peer acknowledged.
    acked: u64,
    /// Before the origin is fixed: the sequence number of the last empty segment (its
    /// sender's next byte), to recognise a keep-alive probe that comes before any data.
    idle_seq: Option<u32>,
    ooo: BTreeMap<u64, Vec<u8>>,
    ooo_bytes: usize,
    /// The window of recent bytes and the pending conflict report (none until needed).
    overlaps: Option<Box<Overlaps>>,
    limits: TcpLimits,
    stats: TcpStats,
}

impl HalfStream {
    /// A direction with the given limits (no window of recent bytes until
    /// [`HalfStream::keep_recent`]).
    pub fn new(limits: TcpLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Whether bytes delivered from now on are kept in the window of recent bytes to
    /// compare retransmissions with. The flow table keeps them only once the other
    /// direction has sent data too (a conversation), so that a flood of one-sided flows
    /// (a SYN and a segment each, from many sources) costs no window.
    pub fn keep_recent(&mut self, on: bool) {
        if on && self.limits.recent_bytes > 0 {
            self.overlaps_mut().keep = true;
        } else if let Some(o) = self.overlaps.as_mut() {
            o.keep = on;
        }
    }

    fn overlaps_mut(&mut self) -> &mut Overlaps {
        self.overlaps.get_or_insert_with(Box::default)
    }

    fn recent(&self) -> Option<&Recent> {
        self.overlaps.as_deref().map(|o| &o.recent)
    }

    /// Notes a conflict to report before the byte at `at` is delivered.
    fn conflict_at(&mut self, at: u64) {
        let o = self.overlaps_mut();
        o.conflict_at = Some(o.conflict_at.map_or(at, |c| c.min(at)));
    }

    fn clear_recent(&mut self) {
        if let Some(o) = self.overlaps.as_mut() {
            o.recent.clear();
        }
    }

    /// Counters.
    pub fn stats(&self) -> TcpStats {
        self.stats
    }

    /// Bytes waiting in the out-of-order queue.
    pub fn queued(&self) -> usize {
        self.ooo_bytes
    }

    /// Bytes held: the out-of-order queue and the window of recent bytes (its allocation).
    pub fn held(&self) -> usize {
        self.ooo_bytes + self.recent().map_or(0, |r| r.buf.capacity())
    }

    /// Whether a SYN (or any data) fixed the stream origin.
    pub fn started(&self) -> bool {
        self.origin.is_some()
    }

    /// Whether anything was delivered or queued.
    pub fn has_data(&self) -> bool {
        self.next > 0 || !self.ooo.is_empty()
    }

    /// The SYN's sequence number plus one, when the stream started with a SYN.
    pub fn origin(&self) -> Option<u32> {
        self.origin
    }

    /// Stream position of `seq` relative to `next` (sequence numbers wrap at 2^32).
    fn position(&self, seq: u32) -> i64 {
        let origin = self.origin.unwrap_or(seq);
        let next_seq = origin.wrapping_add(self.next as u32);
        self.next as i64 + i64::from(seq.wrapping_sub(next_seq) as i32)
    }

    /// A SYN from this direction: the stream starts at `seq + 1`.
    pub fn syn(&mut self, seq: u32) {
        if self.origin.is_none() {
            self.origin = Some(seq.wrapping_add(1));
        }
    }

    /// One segment from this direction. `declared` is the payload length the IP header
    /// declares (larger than `payload` when the capture cut the segment).
    pub fn segment<'p, F: for<'q> FnMut(StreamEvent<'p, 'q>)>(
        &mut self,
        seq: u32,
        payload: &'p [u8],
        declared: usize,
        f: &mut F,
    ) {
        if payload.is_empty() && declared == 0 {
            if self.origin.is_none() {
                self.idle_seq = Some(seq);
            }
            return;
        }
        if self.origin.is_none() {
            // A keep-alive probe (RFC 9293 §3.8.4: one byte, or none, at the sequence number
            // before the next byte) on a connection picked up mid-stream: the byte was
            // acknowledged long ago and is no part of the stream ahead.
            if declared.max(payload.len()) <= 1 && self.idle_seq == Some(seq.wrapping_add(1)) {
                self.stats.retransmissions += 1;
                return;
            }
            self.origin = Some(seq);
        }
        let pos = self.position(seq);
        let declared = declared.max(payload.len());
        let end = pos + declared as i64;
        let next = self.next as i64;
        // A keep-alive probe (RFC 9293 §3.8.4) resends the byte before the next with any
        // content: a retransmission, not a conflict.
        let keep_alive = declared <= 1 && pos + 1 == next;
        if !keep_alive && (pos < next || !self.ooo.is_empty()) {
            let (delivered, queued) = self.conflicts(pos, payload);
            if delivered || queued {
                self.stats.conflicts += 1;
                if delivered {
                    // Too late to choose: the first copy was delivered.
                    f(StreamEvent::Conflict);
                    return;
                }
                match self.limits.overlap {
                    OverlapPolicy::First => {
                        // Reported when the queued (winning) bytes are delivered.
                        let at = pos.max(next) as u64;
                        self.conflict_at(at);
                        return;
                    }
                    OverlapPolicy::Last => {
                        let (a, b) = (pos.max(next) as u64, (pos + payload.len() as i64) as u64);
                        self.unqueue(a, b);
                        self.conflict_at(a);
                    }
                }
            }
        }
        if end <= next {
            self.stats.retransmissions += 1;
            return;
        }
        if pos <= next {
            let skip = (next - pos) as usize;
            let fresh = payload.get(skip..).unwrap_or(&[]);
            if !fresh.is_empty() {
                let split = self.take(fresh);
                emit(f, fresh, split, StreamEvent::Data, StreamEvent::Conflict);
            }
            if (declared - payload.len()) > 0 {
                // The capture cut this segment: the rest is a hole.
                self.stats.gaps += 1;
                f(StreamEvent::Gap);
                self.clear_recent();
                self.next = end as u64;
            }
            self.drain(f);
            return;
        }
        // Early: queue it (its available part).
        let pos = pos as u64;
        if payload.is_empty() {
            return;
        }
        self.stats.out_of_order += 1;
        if self
            .ooo
            .get(&pos)
            .is_none_or(|old| old.len() < payload.len())
        {
            self.enqueue(pos, payload.to_vec());
        }
        if self.ooo_bytes > self.limits.max_ooo_bytes
            || self.ooo.len() > self.limits.max_ooo_segments
        {
            self.skip_hole(f);
        }
        self.skip_lost(f);
    }

    /// Whether `data` at stream position `pos` differs from bytes delivered (those the
    /// window still holds) and from bytes queued at the same positions.
    fn conflicts(&self, pos: i64, data: &[u8]) -> (bool, bool) {
        let end = pos + data.len() as i64;
        let next = self.next as i64;
        let empty = Recent::default();
        let recent = self.recent().unwrap_or(&empty);
        let oldest = next - recent.len() as i64;
        let (a, b) = (pos.max(oldest), end.min(next));
        let delivered = a < b
            && data
                .get((a - pos) as usize..(b - pos) as usize)
                .is_some_and(|d| recent.differs((a - oldest) as usize, d));
        let from = pos.max(next).max(0) as u64;
        let to = end.max(0) as u64;
        let queued = from < to
            && self.ooo.range(..to).any(|(&q, old)| {
                let (a, b) = (q.max(from), (q + old.len() as u64).min(to));
                a < b
                    && match (
                        old.get((a - q) as usize..(b - q) as usize),
                        data.get((a as i64 - pos) as usize..(b as i64 - pos) as usize),
                    ) {
                        (Some(x), Some(y)) => x != y,
                        _ => false,
                    }
            });
        (delivered, queued)
    }

    /// Removes the queued bytes of stream positions `a..b` (the parts of queued segments
    /// outside it stay queued).
    fn unqueue(&mut self, a: u64, b: u64) {
        let hits: Vec<u64> = self
            .ooo
            .range(..b)
            .filter(|(q, d)| **q + d.len() as u64 > a)
            .map(|(q, _)| *q)
            .collect();
        for q in hits {
            let Some(old) = self.ooo.remove(&q) else {
                continue;
            };
            self.ooo_bytes = self.ooo_bytes.saturating_sub(old.len());
            let head = old.get(..a.saturating_sub(q) as usize).unwrap_or_default();
            if !head.is_empty() {
                self.enqueue(q, head.to_vec());
            }
            let tail = old.get((b - q) as usize..).unwrap_or_default();
            if !tail.is_empty() {
                self.enqueue(b, tail.to_vec());
            }
        }
    }

    /// Queues `data` at `pos` unless a longer segment is queued there.
    fn enqueue(&mut self, pos: u64, data: Vec<u8>) {
        let longer = self.ooo.get(&pos).is_none_or(|old| old.len() < data.len());
        if longer {
            let len = data.len();
            let old = self.ooo.insert(pos, data).map_or(0, |o| o.len());
            self.ooo_bytes = self.ooo_bytes + len - old;
        }
    }

    /// Accounts for `data` delivered as the next bytes of the stream; returns where in it a
    /// pending conflict report goes (before that byte).
    fn take(&mut self, data: &[u8]) -> Option<usize> {
        let start = self.next;
        let end = start + data.len() as u64;
        self.stats.bytes += data.len() as u64;
        self.next = end;
        let cap = self.limits.recent_bytes;
        let o = self.overlaps.as_deref_mut()?;
        if o.keep {
            o.recent.push(data, cap);
        }
        let at = o.conflict_at.filter(|&c| c < end)?;
        o.conflict_at = None;
        Some(at.saturating_sub(start) as usize)
    }

    /// Skips every hole the peer has acknowledged past: those bytes were sent and received
    /// but never captured. Depends only on stream positions, not on how they were packetized.
    fn skip_lost<'p, F: for<'q> FnMut(StreamEvent<'p, 'q>)>(&mut self, f: &mut F) {
        while let Some((&first, _)) = self.ooo.first_key_value() {
            if first > self.next && first > self.acked {
                break;
            }
            self.skip_hole(f);
        }
    }

    /// The peer acknowledged up to `ack`: bytes before it that were never seen are lost.
    pub fn peer_acked<'p, F: for<'q> FnMut(StreamEvent<'p, 'q>)>(&mut self, ack: u32, f: &mut F) {
        if self.origin.is_none() {
            return;
        }
        let pos = self.position(ack);
        // Only plausible acknowledgements (ahead of `next` by less than 1 GiB) count.
        if pos > self.next as i64 && pos - (self.next as i64) < (1 << 30) {
            self.acked = self.acked.max(pos as u64);
            self.skip_lost(f);
        }
    }

    /// Reports the hole before the first queued segment and delivers from there.
    fn skip_hole<'p, F: for<'q> FnMut(StreamEvent<'p, 'q>)>(&mut self, f: &mut F) {
        if let Some((&first, _)) = self.ooo.first_key_value()
            && first > self.next
        {
            self.stats.gaps += 1;
            f(StreamEvent::Gap);
            self.clear_recent();
            self.next = first;
        }
        self.drain(f);
    }

    fn drain<'p, F: for<'q> FnMut(StreamEvent<'p, 'q>)>(&mut self, f: &mut F) {
        while let Some(entry) = self.ooo.first_entry() {
            let pos = *entry.key();
            if pos > self.next {
                break;
            }
            let data = entry.remove();
            self.ooo_bytes = self.ooo_bytes.saturating_sub(data.len());
            let skip = (self.next - pos) as usize;
            if let Some(fresh) = data.get(skip..)
                && !fresh.is_empty()
            {
                let split = self.take(fresh);
                emit(f, fresh, split, StreamEvent::Queued, StreamEvent::Conflict);
            }
        }
    }

    /// End of the stream: delivers what is queued, reporting the holes.
    pub fn finish<'p, F: for<'q> FnMut(StreamEvent<'p, 'q>)>(&mut self, f: &mut F) {
        while !self.ooo.is_empty() {
            self.skip_hole(f);
        }
        if self
            .overlaps
            .as_mut()
            .and_then(|o| o.conflict_at.take())
            .is_some()
        {
            f(StreamEvent::Conflict);
        }
        // The stream ended: the window goes.
        self.overlaps = None;
    }
}

/// Hands `data` to `f`, with a conflict report before byte `split` when there is one.
fn emit<'a, E>(
    f: &mut impl FnMut(E),
    data: &'a [u8],
    split: Option<usize>,
    wrap: fn(&'a [u8]) -> E,
    conflict: E,
) {
    match split.and_then(|k| data.split_at_checked(k)) {
        Some((before, after)) => {
            if !before.is_empty() {
                f(wrap(before));
            }
            f(conflict);
            f(wrap(after));
        }
        None => f(wrap(data)),
    }
}

#[cfg(test)]
mod tests;
