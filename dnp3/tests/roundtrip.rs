//! Property tests: `parse(emit(x)) == x` for link frames, transport segments and
//! application fragments (including fragments split across many frames), and
//! `emit(parse(b)) == b` for canonical bytes.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_dnp3::{
    Address, Apdu, AppControl, Emit, FunctionCode, Iin, LinkControl, LinkFrame, LinkHeader, Range,
    Reassembler, Segment, TransportFrames, TransportHeader, split_frame, split_frame_strict,
};
use proptest::prelude::*;

fn link_header() -> impl Strategy<Value = LinkHeader> {
    (any::<u8>(), any::<u16>(), any::<u16>()).prop_map(|(c, d, s)| LinkHeader {
        control: LinkControl::from_u8(c),
        destination: Address(d),
        source: Address(s),
    })
}

/// One object header with data, as (group, variation, qualifier, range, objects bytes,
/// number of points).
fn object_header() -> impl Strategy<Value = (u8, u8, u8, Range, Vec<u8>, u64)> {
    let fixed = prop::sample::select(vec![
        (1u8, 2u8, 1usize),
        (2, 2, 7),
        (2, 3, 3),
        (4, 2, 7),
        (11, 2, 7),
        (12, 1, 11),
        (13, 2, 7),
        (20, 1, 5),
        (21, 5, 11),
        (22, 6, 9),
        (30, 1, 5),
        (30, 4, 2),
        (31, 8, 9),
        (32, 8, 15),
        (33, 7, 11),
        (34, 3, 4),
        (40, 4, 9),
        (41, 3, 5),
        (42, 8, 15),
        (43, 8, 15),
        (50, 1, 6),
        (50, 4, 11),
        (51, 1, 6),
        (52, 2, 2),
        (102, 1, 1),
        (121, 1, 7),
        (122, 2, 13),
    ]);
    let fixed_headers = (
        fixed,
        1u32..8,
        0u8..4,
        any::<u8>(),
        prop::collection::vec(any::<u8>(), 15 * 8 + 32),
    )
        .prop_map(|((g, v, size), count, form, start, bytes)| {
            // form 0: start-stop 8-bit; 1: start-stop 16-bit; 2: count 8 + 1-octet index;
            // 3: count 16 + 2-octet index.
            let (q, range, prefix) = match form {
                0 => (
                    0x00,
                    Range::StartStop {
                        start: u32::from(start) / 2,
                        stop: u32::from(start) / 2 + count - 1,
                    },
                    0,
                ),
                1 => (
                    0x01,
                    Range::StartStop {
                        start: 300,
                        stop: 300 + count - 1,
                    },
                    0,
                ),
                2 => (0x17, Range::Count(count), 1),
                _ => (0x28, Range::Count(count), 2),
            };
            let n = count as usize * (prefix + size);
            (g, v, q, range, bytes[..n].to_vec(), u64::from(count))
        });
    let packed = (
        prop::sample::select(vec![(1u8, 1u8, 1u64), (3, 1, 2), (10, 1, 1), (80, 1, 1)]),
        0u32..40,
        1u32..60,
        any::<[u8; 16]>(),
    )
        .prop_map(|((g, v, bits), start, count, bytes)| {
            let n = (u64::from(count) * bits).div_ceil(8) as usize;
            (
                g,
                v,
                0x01,
                Range::StartStop {
                    start,
                    stop: start + count - 1,
                },
                bytes[..n].to_vec(),
                u64::from(count),
            )
        });
    let strings = (110u8..=113, 1u8..20, prop::collection::vec(any::<u8>(), 40)).prop_map(
        |(g, len, bytes)| {
            (
                g,
                len,
                0x00,
                Range::StartStop { start: 2, stop: 3 },
                bytes[..2 * usize::from(len)].to_vec(),
                2,
            )
        },
    );
    let sized = (
        prop::sample::select(vec![(70u8, 5u8), (70, 4), (120, 1), (120, 9)]),
        prop::collection::vec(0usize..30, 1..4),
    )
        .prop_map(|((g, v), sizes)| {
            let mut data = Vec::new();
            for s in &sizes {
                data.extend_from_slice(&(*s as u16).to_le_bytes());
                data.extend((0..*s).map(|i| i as u8));
            }
            (
                g,
                v,
                0x5b,
                Range::Count(sizes.len() as u32),
                data,
                sizes.len() as u64,
            )
        });
    let attrs = (1u8..=255, prop::collection::vec(any::<u8>(), 0..12)).prop_map(|(v, val)| {
        let mut data = vec![2, val.len() as u8];
        data.extend_from_slice(&val);
        (0, v, 0x00, Range::StartStop { start: 0, stop: 0 }, data, 1)
    });
    prop_oneof![4 => fixed_headers, 2 => packed, 1 => strings, 1 => sized, 1 => attrs]
}

fn range_bytes(q: u8, r: Range) -> Vec<u8> {
    match (q & 0x0F, r) {
        (0, Range::StartStop { start, stop }) => vec![start as u8, stop as u8],
        (1, Range::StartStop { start, stop }) => {
            [(start as u16).to_le_bytes(), (stop as u16).to_le_bytes()].concat()
        }
        (7 | 11, Range::Count(n)) => vec![n as u8],
        (8, Range::Count(n)) => (n as u16).to_le_bytes().to_vec(),
        _ => unreachable!(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn link_frames_round_trip(header in link_header(), data in prop::collection::vec(any::<u8>(), 0..=250)) {
        let bytes = LinkFrame { header, user_data: &data }.to_vec().unwrap();
        prop_assert_eq!(bytes.len(), LinkFrame { header, user_data: &data }.buffer_len());
        let (frame, rest) = split_frame_strict(&bytes).unwrap();
        prop_assert!(rest.is_empty());
        prop_assert_eq!(frame.header, header);
        prop_assert_eq!(usize::from(frame.length), 5 + data.len());
        prop_assert_eq!(&*frame.user_data(), &data[..]);
        prop_assert_eq!(frame.to_link_frame(&frame.user_data()).to_vec().unwrap(), bytes);
    }

    #[test]
    fn crc16_matches_the_crc_crate_reference(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let reference = crc::Crc::<u16>::new(&crc::CRC_16_DNP).checksum(&data);
        prop_assert_eq!(otwire_dnp3::link::crc16(&data), reference);
    }

    #[test]
    fn segments_round_trip(b in any::<u8>(), payload in prop::collection::vec(any::<u8>(), 0..=249)) {
        let header = TransportHeader::from_u8(b);
        prop_assert_eq!(header.to_u8(), b);
        let bytes = Segment { header, payload: &payload }.to_vec().unwrap();
        let seg = Segment::parse(&bytes).unwrap();
        prop_assert_eq!(seg, Segment { header, payload: &payload });
    }

    #[test]
    fn fragments_round_trip(
        seq in 0u8..16, con in any::<bool>(), iin in any::<u16>(),
        headers in prop::collection::vec(object_header(), 0..6),
    ) {
        let control = AppControl { fir: true, fin: true, con, uns: false, seq };
        let mut bytes = vec![control.to_u8(), u8::from(FunctionCode::Response)];
        bytes.extend_from_slice(&iin.to_be_bytes());
        for (g, v, q, r, data, _) in &headers {
            bytes.extend_from_slice(&[*g, *v, *q]);
            bytes.extend(range_bytes(*q, *r));
            bytes.extend_from_slice(data);
        }
        let parsed = Apdu::parse(&bytes).unwrap();
        let apdu = parsed.pdu;
        prop_assert!(
            (parsed.anomalies - otwire_dnp3::Anomalies::IIN_RESERVED).is_empty(),
            "{:?}", parsed.anomalies
        );
        prop_assert_eq!(apdu.control, control);
        prop_assert_eq!(apdu.iin, Some(Iin::from_bits_retain(iin)));
        prop_assert!(apdu.trailing.is_empty());
        let got: Vec<_> = apdu.objects.collect();
        prop_assert_eq!(got.len(), headers.len());
        for (h, (g, v, q, r, data, points)) in got.iter().zip(&headers) {
            prop_assert_eq!((h.group, h.variation, h.qualifier.0, h.range), (*g, *v, *q, *r));
            prop_assert_eq!(h.data, &data[..]);
            prop_assert_eq!(h.points().count() as u64, *points);
        }
        prop_assert_eq!(apdu.to_vec().unwrap(), bytes);
    }

    #[test]
    fn long_fragments_split_into_frames_and_reassemble(
        fragment in prop::collection::vec(any::<u8>(), 0..5000), first_seq in 0u8..64,
        header in link_header(),
    ) {
        let frames = TransportFrames { header, first_seq, fragment: &fragment }.to_vec().unwrap();
        let mut reasm = Reassembler::new();
        let mut rest = &frames[..];
        let mut count = 0;
        let mut out = None;
        while !rest.is_empty() {
            let (frame, r) = split_frame(rest).unwrap();
            rest = r;
            count += 1;
            let th = frame.transport_header().unwrap();
            prop_assert_eq!(th.seq, (first_seq + count as u8 - 1) % 64);
            let pushed = reasm.push_frame(&frame);
            prop_assert!(pushed.anomalies.is_empty());
            if let Some(f) = pushed.fragment {
                out = Some(f.data);
            }
        }
        prop_assert_eq!(count, fragment.len().div_ceil(249).max(1));
        prop_assert_eq!(out, Some(fragment));
    }

    #[test]
    fn any_parsed_fragment_re_encodes_exactly(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(parsed) = Apdu::parse(&bytes) {
            prop_assert_eq!(parsed.pdu.to_vec().unwrap(), bytes.clone());
            for h in parsed.pdu.objects {
                prop_assert!(h.points().count() as u64 <= h.count());
            }
        }
    }

    #[test]
    fn any_frame_re_encodes_with_fresh_crcs(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut input = vec![0x05, 0x64];
        input.extend_from_slice(&bytes);
        if let Ok((frame, _)) = split_frame(&input) {
            let user = frame.user_data();
            let again = frame.to_link_frame(&user).to_vec().unwrap();
            let (f2, _) = split_frame_strict(&again).unwrap();
            prop_assert_eq!(f2.header, frame.header);
            prop_assert_eq!(f2.user_data(), user);
        }
    }
}
