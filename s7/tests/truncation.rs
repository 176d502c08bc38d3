//! Every prefix of every golden vector: TPKT framing says `Incomplete` (never a frame it
//! does not have), and the TPDU and message decoders, given the cut bytes as if whole,
//! either refuse them or flag what is missing: no panic, no silent `Ok`.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

mod vectors;

use otwire_s7::{Anomalies, Error, Message, Tpdu, split_frame};

#[test]
fn tpkt_prefixes_are_incomplete() {
    for v in vectors::ALL {
        for n in 0..v.bytes.len() {
            match split_frame(&v.bytes[..n]) {
                Err(Error::Incomplete(_)) => {}
                other => panic!("{} cut at {n}: {other:?}", v.name),
            }
        }
        assert!(split_frame(v.bytes).is_ok());
    }
}

#[test]
fn cut_tsdus_are_refused_or_flagged() {
    for v in vectors::ALL {
        let (frame, _) = split_frame(v.bytes).unwrap();
        let Tpdu::Data(dt) = Tpdu::parse(frame.tpdu).unwrap().pdu else {
            continue;
        };
        let whole = dt.user_data;
        for n in 0..whole.len() {
            let cut = &whole[..n];
            match Message::parse(cut, false) {
                Err(_) => {}
                // An S7comm-plus frame cut right before its trailer is exactly what a
                // fragment that is not the last looks like: that decoding is right.
                Ok(m)
                    if matches!(m.pdu, Message::S7commPlus(f) if !f.trailer
                    && f.data.len() + f.digest.map_or(0, |d| d.len() + 1) == usize::from(f.length)) =>
                    {}
                Ok(m) => assert!(
                    !m.anomalies.is_empty(),
                    "{} cut at {n}: Ok without a flag: {:?}",
                    v.name,
                    m.pdu
                ),
            }
        }
    }
}

#[test]
fn cut_tpdus_are_refused_or_flagged() {
    for v in vectors::ALL {
        let (frame, _) = split_frame(v.bytes).unwrap();
        for n in 0..frame.tpdu.len() {
            // Cutting a DT's user data is not visible to COTP (the TPKT delimits it).
            let is_dt_data = n >= 3 && frame.tpdu[1] == 0xF0;
            match Tpdu::parse(&frame.tpdu[..n]) {
                Err(_) => {}
                Ok(t) => assert!(
                    is_dt_data || t.anomalies != Anomalies::empty(),
                    "{} TPDU cut at {n}: {:?}",
                    v.name,
                    t.pdu
                ),
            }
        }
    }
}
