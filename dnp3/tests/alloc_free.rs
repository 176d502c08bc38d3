//! The contiguous path allocates nothing: framing, de-blocking, transport, application
//! walk with typed points, classification, and encoding into caller buffers (a counting
//! global allocator, per thread).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use otwire_dnp3::{
    Apdu, Emit, LinkFrame, Request, Segment, Timestamp, TransportFrames, classify, split_frame,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

/// Counts every allocation of the test binary (stats_alloc wraps the system allocator);
/// this binary holds one test so nothing else allocates meanwhile.
#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Allocations while `f` runs: the fewest of up to three passes, since the libtest
/// harness's own thread may allocate meanwhile on a loaded machine, while an allocation of
/// `f` itself happens on every pass.
fn allocations(mut f: impl FnMut()) -> usize {
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        let region = Region::new(GLOBAL);
        f();
        fewest = fewest.min(region.change().allocations);
        if fewest == 0 {
            break;
        }
    }
    fewest
}

#[test]
fn parse_walk_and_emit_do_not_allocate() {
    let frames = common::golden_frames();
    let stream: Vec<u8> = frames.concat();
    let mut out = [0u8; 4096];
    let n = allocations(|| {
        let mut rest = &stream[..];
        let mut points = 0usize;
        while let Ok((frame, r)) = split_frame(rest) {
            rest = r;
            let user = frame.user_data();
            let mut buf = [0u8; 250];
            let k = frame.copy_user_data(&mut buf).unwrap();
            assert_eq!(&buf[..k], &*user);
            if let Ok(seg) = Segment::parse(&user) {
                if let Ok(p) = Apdu::parse(seg.payload) {
                    for h in p.pdu.objects {
                        points += h.points().count();
                    }
                    std::hint::black_box(classify(&p.pdu));
                    p.pdu.emit(&mut out).unwrap();
                }
            }
            LinkFrame {
                header: frame.header,
                user_data: &user,
            }
            .emit(&mut out)
            .unwrap();
        }
        assert!(points > 0);
        let req = Request::time_sync(3, Timestamp(1_700_000_000_000));
        let len = req.emit(&mut out).unwrap();
        let mut frames_out = [0u8; 512];
        TransportFrames {
            header: Default::default(),
            first_seq: 0,
            fragment: &out[..len],
        }
        .emit(&mut frames_out)
        .unwrap();
    });
    assert_eq!(n, 0, "{n} allocations on the contiguous path");
}
