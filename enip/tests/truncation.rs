//! Every prefix of every golden vector: framing says `Incomplete` with the exact count
//! missing, a datagram cut short is `Malformed` or flagged (never a clean `Ok` that claims
//! bytes it did not have), the probe never changes its mind, nothing panics.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

mod vectors;

use otwire_enip::*;
use vectors::*;

#[test]
fn every_prefix_of_a_frame_is_incomplete_by_the_bytes_missing() {
    for v in ALL {
        let b = hex(v.hex);
        for n in 0..b.len() {
            let missing = if n < HEADER_LEN {
                HEADER_LEN - n
            } else {
                b.len() - n
            };
            assert_eq!(
                split_frame(&b[..n]),
                Err(Error::Incomplete(Needed::new(missing))),
                "{} cut at {n}",
                v.name
            );
        }
    }
}

#[test]
fn every_prefix_of_a_datagram_is_malformed_or_flagged() {
    for v in ALL {
        let b = hex(v.hex);
        let d = if v.reply {
            Direction::Reply
        } else {
            Direction::Request
        };
        for n in 0..b.len() {
            match Pdu::from_datagram(&b[..n], d) {
                Err(Error::Malformed { .. }) => assert!(n < HEADER_LEN, "{} at {n}", v.name),
                Ok(p) => {
                    assert!(n >= HEADER_LEN);
                    assert!(
                        p.anomalies.contains(Anomalies::ENCAP_LENGTH),
                        "{} at {n}: {:?}",
                        v.name,
                        p.anomalies
                    );
                    // Whatever it decoded, it encodes within the bytes it was given.
                    assert!(p.pdu.buffer_len() <= n, "{} at {n}", v.name);
                }
                Err(e) => panic!("{} at {n}: {e:?}", v.name),
            }
        }
    }
}

#[test]
fn every_prefix_of_the_command_data_is_flagged() {
    for v in ALL {
        let b = hex(v.hex);
        let (frame, _) = split_frame(&b).unwrap();
        let d = if v.reply {
            Direction::Reply
        } else {
            Direction::Request
        };
        for n in 0..frame.data.len() {
            let p = Body::parse(frame.header.command, d, &frame.data[..n]);
            assert!(!p.anomalies.is_empty(), "{} data cut at {n}", v.name);
        }
    }
}

#[test]
fn every_prefix_of_an_io_packet_is_malformed_or_flagged() {
    for v in IO {
        let b = hex(v);
        for n in 0..b.len() {
            match IoPacket::parse(&b[..n]) {
                Err(Error::Malformed { .. }) => assert!(n < 2),
                Ok(p) => assert!(!p.anomalies.is_empty(), "cut at {n}"),
                Err(e) => panic!("{e:?}"),
            }
        }
    }
}

#[test]
fn the_probe_never_changes_its_mind() {
    for v in ALL {
        let b = hex(v.hex);
        assert_eq!(probe(&b), Probe::Recognized, "{}", v.name);
        for n in 0..b.len() {
            let p = probe(&b[..n]);
            assert!(
                p == Probe::NeedMore || p == Probe::Recognized,
                "{} at {n}",
                v.name
            );
        }
    }
}

proptest::proptest! {
    /// Any bytes: no parser panics, and the probe's `Recognized`/`Unrecognized` on a prefix
    /// is its answer on every longer input.
    #[test]
    fn any_bytes_never_panic_and_the_probe_is_final(
        b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..120),
        command in proptest::prop_oneof![
            proptest::strategy::Just(0x65u16), proptest::strategy::Just(0x6F),
            proptest::strategy::Just(0x70), proptest::strategy::Just(0x63),
            proptest::prelude::any::<u16>()],
        zero_options: bool,
    ) {
        let mut b = b;
        if b.len() >= 24 {
            b[..2].copy_from_slice(&command.to_le_bytes());
            if zero_options {
                b[20..24].fill(0);
            }
        }
        let full = probe(&b);
        for n in 0..=b.len() {
            let p = probe(&b[..n]);
            proptest::prop_assert!(p == Probe::NeedMore || p == full, "prefix {n}: {p:?} then {full:?}");
        }
        for d in [Direction::Request, Direction::Reply] {
            let _ = Pdu::from_datagram(&b, d);
            let _ = Pdu::split(&b, d);
        }
        if let Ok(io) = IoPacket::parse(&b) {
            let _ = (io.pdu.sequence_count(), io.pdu.payload(), io.pdu.cpf.items().count());
        }
    }
}
