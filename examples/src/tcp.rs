//! TCP stream reassembly for one direction of a connection (RFC 9293 §3.4 sequence numbers).
//!
//! Bytes are delivered in sequence order exactly once: retransmitted and overlapping bytes are
//! dropped, segments that arrive early wait in a bounded out-of-order queue, and when bytes
//! are known to be missing from the capture (the queue is full, the peer acknowledged bytes
//! that were never seen, the snap length cut a segment, or the stream ends with a hole) the
//! consumer is told about the gap and delivery continues after it.

use std::collections::BTreeMap;

/// Limits of one direction's reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpLimits {
    /// Bytes held in the out-of-order queue.
    pub max_ooo_bytes: usize,
    /// Segments held in the out-of-order queue.
    pub max_ooo_segments: usize,
}

impl Default for TcpLimits {
    fn default() -> Self {
        Self {
            max_ooo_bytes: 256 << 10,
            max_ooo_segments: 1024,
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
    limits: TcpLimits,
    stats: TcpStats,
}

impl HalfStream {
    /// A direction with the given limits.
    pub fn new(limits: TcpLimits) -> Self {
        Self {
            limits,
            ..Self::default()
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
        if end <= next {
            self.stats.retransmissions += 1;
            return;
        }
        if pos <= next {
            let skip = (next - pos) as usize;
            let fresh = payload.get(skip..).unwrap_or(&[]);
            if !fresh.is_empty() {
                self.stats.bytes += fresh.len() as u64;
                self.next += fresh.len() as u64;
                f(StreamEvent::Data(fresh));
            }
            if (declared - payload.len()) > 0 {
                // The capture cut this segment: the rest is a hole.
                self.stats.gaps += 1;
                f(StreamEvent::Gap);
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
        let longer = self
            .ooo
            .get(&pos)
            .is_none_or(|old| old.len() < payload.len());
        if longer {
            let old = self
                .ooo
                .insert(pos, payload.to_vec())
                .map_or(0, |o| o.len());
            self.ooo_bytes = self.ooo_bytes + payload.len() - old;
        }
        if self.ooo_bytes > self.limits.max_ooo_bytes
            || self.ooo.len() > self.limits.max_ooo_segments
        {
            self.skip_hole(f);
        }
        self.skip_lost(f);
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
                self.stats.bytes += fresh.len() as u64;
                self.next += fresh.len() as u64;
                f(StreamEvent::Queued(fresh));
            }
        }
    }

    /// End of the stream: delivers what is queued, reporting the holes.
    pub fn finish<'p, F: for<'q> FnMut(StreamEvent<'p, 'q>)>(&mut self, f: &mut F) {
        while !self.ooo.is_empty() {
            self.skip_hole(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(h: &mut HalfStream, segs: &[(u32, &[u8])]) -> Vec<String> {
        let mut out = Vec::new();
        for (seq, data) in segs {
            h.segment(*seq, data, data.len(), &mut |e| out.push(ev(e)));
        }
        out
    }

    fn ev(e: StreamEvent<'_, '_>) -> String {
        match e {
            StreamEvent::Data(d) | StreamEvent::Queued(d) => {
                String::from_utf8_lossy(d).into_owned()
            }
            StreamEvent::Gap => "|".into(),
        }
    }

    #[test]
    fn in_order_out_of_order_and_retransmission() {
        let mut h = HalfStream::new(TcpLimits::default());
        h.syn(99);
        let out = run(
            &mut h,
            &[
                (100, b"ab"),
                (104, b"ef"),
                (102, b"cd"),
                (100, b"ab"),
                (103, b"dEFg"),
            ],
        );
        assert_eq!(out, ["ab", "cd", "ef", "g"]);
        assert_eq!(h.stats().retransmissions, 1);
    }

    #[test]
    fn keep_alive_before_any_data_is_not_the_stream_start() {
        // Picked up mid-stream: an empty ACK at 1000, then a keep-alive probe of one byte at
        // 999, then the data at 1000 (as in icsnpp_s7comm_plus.pcap, port 49155).
        let mut h = HalfStream::new(TcpLimits::default());
        let out = run(&mut h, &[(1000, b""), (999, b"\0"), (1000, b"abc")]);
        assert_eq!(out, ["abc"]);
        assert_eq!(h.stats().retransmissions, 1);
        // Without the empty segment, a lone first byte is data like any other.
        let mut h = HalfStream::new(TcpLimits::default());
        assert_eq!(run(&mut h, &[(999, b"x"), (1000, b"abc")]), ["x", "abc"]);
        // Once the stream has started, a probe one byte before the next is a
        // retransmission.
        let mut h = HalfStream::new(TcpLimits::default());
        assert_eq!(
            run(&mut h, &[(1000, b"ab"), (1001, b"b"), (1002, b"c")]),
            ["ab", "c"]
        );
    }

    #[test]
    fn wraparound() {
        let mut h = HalfStream::new(TcpLimits::default());
        h.syn(u32::MAX - 2);
        let out = run(&mut h, &[(u32::MAX - 1, b"ab"), (0, b"cd"), (2, b"e")]);
        assert_eq!(out, ["ab", "cd", "e"]);
    }

    #[test]
    fn queue_overflow_reports_gap() {
        let mut h = HalfStream::new(TcpLimits {
            max_ooo_bytes: 4,
            max_ooo_segments: 10,
        });
        h.syn(0);
        let out = run(&mut h, &[(1, b"a"), (5, b"xyz"), (8, b"uv")]);
        assert_eq!(out, ["a", "|", "xyz", "uv"]);
    }

    #[test]
    fn ack_beyond_hole_reports_gap() {
        let mut h = HalfStream::new(TcpLimits::default());
        h.syn(0);
        let mut out = run(&mut h, &[(1, b"a"), (5, b"e")]);
        assert_eq!(out, ["a"]);
        h.peer_acked(6, &mut |e| out.push(ev(e)));
        assert_eq!(out, ["a", "|", "e"]);
        // A later early segment already acknowledged is a hole at once.
        h.peer_acked(12, &mut |e| out.push(ev(e)));
        let more = run(&mut h, &[(10, b"j")]);
        assert_eq!(more, ["|", "j"]);
    }

    #[test]
    fn truncated_segment_is_a_gap() {
        let mut h = HalfStream::new(TcpLimits::default());
        h.syn(0);
        let mut out = Vec::new();
        h.segment(1, b"ab", 5, &mut |e| out.push(ev(e)));
        h.segment(6, b"f", 1, &mut |e| out.push(ev(e)));
        assert_eq!(out, ["ab", "|", "f"]);
    }

    #[test]
    fn finish_flushes_with_gaps() {
        let mut h = HalfStream::new(TcpLimits::default());
        let mut out = run(&mut h, &[(1000, b"a"), (1005, b"f"), (1010, b"k")]);
        h.finish(&mut |e| out.push(ev(e)));
        assert_eq!(out, ["a", "|", "f", "|", "k"]);
    }
}
