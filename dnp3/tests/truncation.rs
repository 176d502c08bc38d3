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

use otwire_dnp3::{
    AnalogValue, Anomalies, Apdu, Error, Flags, Needed, Qualifier, Range, Segment, Value,
    split_frame, split_frame_strict,
};

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
                    // Headers found in a prefix are the whole fragment's, in order; the
                    // one the prefix cuts short keeps its fields and its whole points.
                    let got: Vec<_> = p.pdu.objects.collect();
                    assert!(got.len() <= all.len());
                    for (a, b) in got.iter().zip(&all) {
                        assert_eq!(
                            (a.group, a.variation, a.qualifier, a.range),
                            (b.group, b.variation, b.qualifier, b.range)
                        );
                        if a.truncated {
                            assert!(b.data.starts_with(a.data) && a.data.len() < b.data.len());
                            assert!(p.anomalies.contains(Anomalies::TRUNCATED_OBJECTS));
                            let whole_points: Vec<_> = b.points().collect();
                            let cut_points: Vec<_> = a.points().collect();
                            assert!(cut_points.len() < whole_points.len().max(1));
                            assert_eq!(cut_points[..], whole_points[..cut_points.len()]);
                        } else {
                            assert_eq!(a.data, b.data);
                        }
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

#[test]
fn a_header_whose_objects_are_cut_short_is_kept_with_its_whole_points() {
    // A response: g30v1 (32-bit analog input with flags) indices 5-7, whose third object
    // is cut after two of its five octets.
    let frag = [
        0xc0, 0x81, 0x00, 0x00, // FIR FIN seq 0, Response, IIN 0
        0x1e, 0x01, 0x00, 0x05, 0x07, // g30v1, qualifier 0x00 (start-stop 8-bit), 5..7
        0x01, 0x2a, 0x00, 0x00, 0x00, // index 5: ONLINE, 42
        0x01, 0x2b, 0x00, 0x00, 0x00, // index 6: ONLINE, 43
        0x01, 0x2c, // index 7: two octets of five
    ];
    let p = Apdu::parse(&frag).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRUNCATED_OBJECTS);
    let headers: Vec<_> = p.pdu.objects.collect();
    assert_eq!(headers.len(), 1, "the header is reported, not dropped");
    let h = headers[0];
    assert_eq!((h.group, h.variation), (30, 1));
    assert_eq!(h.qualifier, Qualifier(0x00));
    assert_eq!(h.range, Range::StartStop { start: 5, stop: 7 });
    assert_eq!(h.count(), 3);
    assert!(h.truncated);
    assert_eq!(h.data, &frag[9..]);
    let points: Vec<_> = h.points().collect();
    assert_eq!(points.len(), 2, "the whole points, not the cut one");
    for (p, (index, v)) in points.iter().zip([(5, 42), (6, 43)]) {
        assert_eq!(p.index, index);
        assert_eq!(
            p.value,
            Value::Analog {
                flags: Some(Flags(1)),
                value: AnalogValue::I32(v),
                time: None
            }
        );
    }
    assert!(p.pdu.trailing.is_empty());
    // Nothing is lost: re-encoding gives the same octets.
    let mut out = vec![0; otwire_dnp3::Emit::buffer_len(&p.pdu)];
    otwire_dnp3::Emit::emit(&p.pdu, &mut out).unwrap();
    assert_eq!(out, frag);
    // A whole header before it is kept as it was, and not flagged.
    let mut two = frag[..4].to_vec();
    two.extend_from_slice(&[0x3c, 0x01, 0x06]); // g60v1 all (class 0): no objects
    two.extend_from_slice(&frag[4..]);
    let p = Apdu::parse(&two).unwrap();
    let headers: Vec<_> = p.pdu.objects.collect();
    assert_eq!(headers.len(), 2);
    assert!(!headers[0].truncated && headers[1].truncated);
    // Packed bits: g1v1 indices 0-19 need three octets; two arrived: 16 points.
    let bits = [
        0xc0, 0x81, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x13, 0xff, 0x00,
    ];
    let p = Apdu::parse(&bits).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRUNCATED_OBJECTS);
    let mut objects = p.pdu.objects;
    let h = objects.next().unwrap();
    assert_eq!(h.range, Range::StartStop { start: 0, stop: 19 });
    assert!(h.truncated);
    let points: Vec<_> = h.points().map(|p| (p.index, p.value)).collect();
    assert_eq!(points.len(), 16);
    assert_eq!(points[7], (7, Value::Bit(true)));
    assert_eq!(points[8], (8, Value::Bit(false)));
    // A header cut inside its range field has no range to report: it stays trailing.
    let p = Apdu::parse(&frag[..8]).unwrap();
    assert_eq!(p.anomalies, Anomalies::TRUNCATED_OBJECTS);
    assert_eq!(p.pdu.objects.count(), 0);
    assert_eq!(p.pdu.trailing, &frag[4..8]);
}
