//! The reassembler's unit tests: order, retransmissions, gaps, keep-alives, overlap
//! conflicts and their policies.

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
        StreamEvent::Data(d) | StreamEvent::Queued(d) => String::from_utf8_lossy(d).into_owned(),
        StreamEvent::Gap => "|".into(),
        StreamEvent::Conflict => "!".into(),
    }
}

#[test]
fn in_order_out_of_order_and_retransmission() {
    let mut h = HalfStream::new(TcpLimits::default());
    h.keep_recent(true);
    h.syn(99);
    let out = run(
        &mut h,
        &[
            (100, b"ab"),
            (104, b"ef"),
            (102, b"cd"),
            (100, b"ab"),
            (103, b"dEFg"),
            (103, b"defg"),
        ],
    );
    // "dEFg" resends "def" as "dEF": a conflict, dropped whole (its "g" continues the
    // other copy); "defg" agrees with what was delivered and brings "g".
    assert_eq!(out, ["ab", "cd", "ef", "!", "g"]);
    assert_eq!(h.stats().retransmissions, 1);
    assert_eq!(h.stats().conflicts, 1);
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
        ..TcpLimits::default()
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

fn with(policy: OverlapPolicy) -> HalfStream {
    let mut h = HalfStream::new(TcpLimits {
        overlap: policy,
        ..TcpLimits::default()
    });
    h.keep_recent(true);
    h.syn(0);
    h
}

/// The bytes delivered (gaps as `|`) and the number of conflict reports.
fn joined(out: &[String]) -> (String, usize) {
    let conflicts = out.iter().filter(|e| *e == "!").count();
    let data = out.iter().filter(|e| *e != "!").cloned().collect();
    (data, conflicts)
}

const FRAME: &[u8] = b"ABCDEFGH";

/// `FRAME` with bytes `k..e` changed.
fn altered(k: usize, e: usize) -> Vec<u8> {
    let mut v = FRAME.to_vec();
    for b in v.get_mut(k..e).unwrap() {
        *b = b.to_ascii_lowercase();
    }
    v
}

#[test]
fn overlaps_with_the_same_bytes_at_every_offset_are_retransmissions() {
    for policy in [OverlapPolicy::First, OverlapPolicy::Last] {
        for k in 0..FRAME.len() {
            for e in k + 1..=FRAME.len() {
                let part = &FRAME[k..e];
                // In order: the frame and the next byte, the part again, the next.
                // (One byte just before the next is a keep-alive probe whatever its
                // content, RFC 9293 §3.8.4: the next byte keeps the frame clear of it.)
                let mut h = with(policy);
                let segs = [(1, FRAME), (9, b"I"), (1 + k as u32, part), (10, b"J")];
                let out = run(&mut h, &segs);
                assert_eq!(joined(&out), ("ABCDEFGHIJ".into(), 0), "{k}..{e}");
                assert_eq!(h.stats().conflicts, 0);
                // Out of order: the frame queued, its part, then the bytes before it.
                let mut h = with(policy);
                let out = run(&mut h, &[(2, FRAME), (2 + k as u32, part), (1, b"_")]);
                assert_eq!(joined(&out), ("_ABCDEFGH".into(), 0), "{k}..{e}");
                assert_eq!(h.stats().conflicts, 0);
            }
        }
    }
}

#[test]
fn overlaps_with_other_bytes_at_every_offset_are_conflicts() {
    for policy in [OverlapPolicy::First, OverlapPolicy::Last] {
        for k in 0..FRAME.len() {
            for e in k + 1..=FRAME.len() {
                let other = altered(k, e);
                let part = &other[k..e];
                // In order: the frame was delivered; whatever the policy it stays.
                let mut h = with(policy);
                let segs = [(1, FRAME), (9, b"I"), (1 + k as u32, part), (10, b"J")];
                let out = run(&mut h, &segs);
                assert_eq!(
                    joined(&out),
                    ("ABCDEFGHIJ".into(), 1),
                    "{policy:?} {k}..{e}"
                );
                assert_eq!(out.get(2).map(String::as_str), Some("!"));
                assert_eq!(h.stats().conflicts, 1);
                assert_eq!(h.stats().retransmissions, 0);
                // Out of order: the policy decides; the report comes just before the
                // first byte of the range.
                let mut h = with(policy);
                let out = run(&mut h, &[(2, FRAME), (2 + k as u32, part), (1, b"_")]);
                let want = match policy {
                    OverlapPolicy::First => FRAME.to_vec(),
                    OverlapPolicy::Last => other.clone(),
                };
                let want = format!("_{}", String::from_utf8(want).unwrap());
                assert_eq!(joined(&out), (want.clone(), 1), "{policy:?} {k}..{e}");
                let before: String = out.iter().take_while(|e| *e != "!").cloned().collect();
                assert_eq!(before, want[..1 + k], "{policy:?} {k}..{e}");
                assert_eq!(h.stats().conflicts, 1);
                // And the other way round: the part queued first, the frame after.
                let mut h = with(policy);
                let out = run(&mut h, &[(2 + k as u32, part), (2, FRAME), (1, b"_")]);
                let want = match policy {
                    OverlapPolicy::First => {
                        // The whole later frame conflicts and is dropped: the part
                        // stays, the rest of the frame is a hole.
                        let mut s = String::from("_");
                        if k > 0 {
                            s.push('|');
                        }
                        s.push_str(std::str::from_utf8(part).unwrap());
                        s
                    }
                    OverlapPolicy::Last => "_ABCDEFGH".into(),
                };
                let mut out = out;
                h.finish(&mut |e| out.push(ev(e)));
                assert_eq!(joined(&out), (want, 1), "{policy:?} {k}..{e}");
            }
        }
    }
}

#[test]
fn a_conflicting_copy_is_dropped_whole_with_its_tail() {
    // "CD" resent as "xy" with a tail "zw" beyond the delivered bytes: the tail
    // continues the other copy, so it is not delivered after "ABCD".
    let mut h = with(OverlapPolicy::First);
    let out = run(&mut h, &[(1, b"ABCD"), (3, b"xyzw"), (5, b"EF")]);
    assert_eq!(out, ["ABCD", "!", "EF"]);
    let mut h = with(OverlapPolicy::Last);
    let out = run(&mut h, &[(1, b"ABCD"), (3, b"xyzw"), (5, b"EF")]);
    assert_eq!(out, ["ABCD", "!", "EF"]);
}

#[test]
fn keep_alive_garbage_and_old_bytes_are_no_conflict() {
    // A keep-alive probe resends the byte before the next with any content.
    let mut h = with(OverlapPolicy::First);
    let out = run(&mut h, &[(1, b"ABCD"), (4, b"\0"), (5, b"E")]);
    assert_eq!(out, ["ABCD", "E"]);
    assert_eq!(h.stats().conflicts, 0);
    // Bytes older than the window cannot be compared: a plain retransmission.
    let mut h = HalfStream::new(TcpLimits {
        recent_bytes: 4,
        ..TcpLimits::default()
    });
    h.keep_recent(true);
    h.syn(0);
    let out = run(&mut h, &[(1, b"ABCDEFGH"), (1, b"abcd"), (4, b"dEf")]);
    assert_eq!(out, ["ABCDEFGH", "!"]);
    assert_eq!(h.stats().retransmissions, 1);
    assert_eq!(h.stats().conflicts, 1);
    // After a gap the window starts again.
    let mut h = with(OverlapPolicy::First);
    let mut out = Vec::new();
    h.segment(1, b"ab", 4, &mut |e| out.push(ev(e)));
    h.segment(1, b"xy", 2, &mut |e| out.push(ev(e)));
    assert_eq!(out, ["ab", "|"]);
    assert_eq!(h.stats().conflicts, 0);
}

#[test]
fn window_grows_as_bytes_come_and_is_freed_at_the_end() {
    let mut h = with(OverlapPolicy::First);
    assert_eq!(h.held(), 0);
    run(&mut h, &[(1, b"ABCD")]);
    assert_eq!(h.held(), 4);
    let big = vec![7u8; 10_000];
    run(&mut h, &[(5, &big)]);
    assert_eq!(h.held(), 4096);
    h.finish(&mut |_| {});
    assert_eq!(h.held(), 0);
}

#[test]
fn recent_keeps_the_last_bytes_in_any_chunking() {
    let all: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    for cap in [1, 7, 64, 1000] {
        for chunk in [1, 3, 50, 999, 3000] {
            let mut r = Recent::default();
            let mut n = 0;
            for c in all.chunks(chunk) {
                r.push(c, cap);
                n += c.len();
                let want = &all[n.saturating_sub(cap)..n];
                assert_eq!(r.len(), want.len());
                assert!(!r.differs(0, want), "cap {cap} chunk {chunk} at {n}");
                if let Some(last) = want.last() {
                    assert!(r.differs(want.len() - 1, &[last.wrapping_add(1)]));
                }
            }
            assert!(r.buf.capacity() <= cap.max(1) * 2);
        }
    }
}
