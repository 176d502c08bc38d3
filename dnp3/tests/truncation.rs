//! Every prefix of every golden vector gives `Incomplete` (framing) or `Malformed` / a
//! shorter walk (fragments), never a panic and never an `Ok` that claims bytes it did not
//! have.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use otwire_dnp3::{Apdu, Error, Needed, Segment, split_frame, split_frame_strict};

#[test]
fn every_prefix_of_every_frame_is_incomplete() {
    for wire in common::golden_frames() {
        assert!(split_frame_strict(&wire).is_ok());
        for n in 0..wire.len() {
            match split_frame(&wire[..n]) {
                Err(Error::Incomplete(Needed::Size(k))) => {
                    assert!(n + k.get() <= wire.len(), "{n}: needs {k}")
                }
                other => panic!("prefix {n} of {wire:02x?}: {other:?}"),
            }
        }
    }
}

#[test]
fn every_prefix_of_every_fragment_walks_at_most_what_it_has() {
    for wire in common::golden_frames() {
        let (frame, _) = split_frame(&wire).unwrap();
        let user = frame.user_data();
        let Ok(seg) = Segment::parse(&user) else {
            continue;
        };
        if !(seg.header.fir && seg.header.fin) {
            continue;
        }
        let full = seg.payload;
        let Ok(whole) = Apdu::parse(full) else {
            continue;
        };
        let all: Vec<_> = whole.pdu.objects.collect();
        for n in 0..full.len() {
            match Apdu::parse(&full[..n]) {
                Ok(p) => {
                    // Headers found in a prefix are the whole fragment's, in order.
                    let got: Vec<_> = p.pdu.objects.collect();
                    assert!(got.len() <= all.len());
                    for (a, b) in got.iter().zip(&all) {
                        assert_eq!(
                            (a.group, a.variation, a.qualifier, a.range, a.data),
                            (b.group, b.variation, b.qualifier, b.range, b.data)
                        );
                    }
                    let walked = p.pdu.objects.as_bytes().len() + p.pdu.trailing.len();
                    assert!(walked <= n);
                }
                Err(Error::Malformed { offset, .. }) => assert!(offset <= n),
                Err(e) => panic!("{e:?}"),
            }
        }
    }
}
