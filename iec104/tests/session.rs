//! The per-connection sequence tracker (IEC 60870-5-104 §5 and §9.6).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_iec104::session::{Session, SessionConfig, SessionEvents as E};
use otwire_iec104::{Apci, Direction, SeqNum, UFunction};

const C: Direction = Direction::Control;
const M: Direction = Direction::Monitor;
const S: u64 = 1_000_000;

fn i(send: u16, recv: u16) -> Apci {
    Apci::I {
        send: SeqNum::new(send),
        recv: SeqNum::new(recv),
    }
}

fn s(recv: u16) -> Apci {
    Apci::S {
        recv: SeqNum::new(recv),
    }
}

fn u(f: UFunction) -> Apci {
    Apci::U(f)
}

fn started() -> Session {
    let mut s = Session::new(SessionConfig::default());
    assert!(s.observe(0, C, &u(UFunction::StartDtAct)).is_empty());
    assert!(s.observe(1, M, &u(UFunction::StartDtCon)).is_empty());
    assert!(s.is_started());
    s
}

#[test]
fn clean_exchange_raises_nothing() {
    let mut t = started();
    // GI act, actcon, data, actterm, acknowledgements.
    assert!(t.observe(10, C, &i(0, 0)).is_empty());
    assert!(t.observe(20, M, &i(0, 1)).is_empty());
    assert!(t.observe(30, M, &i(1, 1)).is_empty());
    assert!(t.observe(40, M, &i(2, 1)).is_empty());
    assert!(t.observe(50, C, &s(3)).is_empty());
    assert_eq!(t.next_send(M), Some(SeqNum::new(3)));
    assert_eq!(t.outstanding(M), Some(0));
    assert_eq!(t.outstanding(C), Some(0));
    // Wrap-around at 32768.
    let mut t = Session::new(SessionConfig {
        assume_started: true,
        ..SessionConfig::default()
    });
    assert!(t.observe(0, M, &i(32767, 0)).is_empty());
    assert!(t.observe(1, M, &i(0, 0)).is_empty());
    assert!(t.observe(2, C, &s(1)).is_empty());
    assert_eq!(t.outstanding(M), Some(0));
}

#[test]
fn sequence_errors() {
    let mut t = started();
    t.observe(10, M, &i(0, 0));
    assert_eq!(
        t.observe(11, M, &i(2, 0)),
        E::SEND_SEQUENCE_ERROR,
        "N(S) 1 skipped"
    );
    assert_eq!(
        t.observe(12, M, &i(2, 0)),
        E::SEND_SEQUENCE_ERROR,
        "N(S) 2 repeated"
    );
    // Acknowledging frame 5 when only 0-2 were sent.
    assert_eq!(t.observe(13, C, &s(6)), E::ACK_INVALID);
    assert!(t.observe(14, C, &s(3)).is_empty());
    // Going backwards.
    assert_eq!(t.observe(15, C, &s(1)), E::ACK_INVALID);
}

#[test]
fn windows_k_and_w() {
    let mut t = started();
    t.observe(2, C, &s(0)); // the controlling station's first acknowledgement: nothing sent yet
    for n in 0..12 {
        assert!(
            t.observe(10 + u64::from(n), M, &i(n, 0))
                .difference(E::ACK_LATE)
                .is_empty()
        );
    }
    assert!(
        t.observe(30, M, &i(12, 0)).contains(E::WINDOW_EXCEEDED),
        "13 outstanding > k = 12"
    );
    // w = 8: the 9th unacknowledged frame says the receiver is late.
    let mut t = started();
    let mut late = 0;
    for n in 0..9 {
        if t.observe(10 + u64::from(n), M, &i(n, 0))
            .contains(E::ACK_LATE)
        {
            late = n;
        }
    }
    assert_eq!(late, 8);
}

#[test]
fn startdt_rules() {
    let mut t = Session::new(SessionConfig::default());
    assert_eq!(t.observe(0, M, &i(0, 0)), E::I_BEFORE_STARTDT);
    assert_eq!(
        t.observe(1, M, &u(UFunction::StartDtCon)),
        E::UNSOLICITED_CON
    );
    assert_eq!(t.observe(2, M, &u(UFunction::StartDtAct)), E::U_WRONG_SIDE);
    let mut t = started();
    t.observe(5, C, &u(UFunction::StopDtAct));
    t.observe(6, M, &u(UFunction::StopDtCon));
    assert!(!t.is_started());
    assert_eq!(t.observe(7, C, &i(0, 0)), E::I_BEFORE_STARTDT);
    assert_eq!(
        t.observe(8, M, &u(UFunction::TestFrCon)),
        E::UNSOLICITED_CON
    );
}

#[test]
fn timers() {
    // t1: an I frame not acknowledged within 15 s.
    let mut t = started();
    t.observe(S, M, &i(0, 0));
    assert!(t.check_timers(15 * S).is_empty());
    assert_eq!(t.check_timers(17 * S), E::T1_EXPIRED);
    assert!(t.check_timers(18 * S).is_empty(), "reported once");
    // t1: TESTFR act not confirmed.
    let mut t = started();
    t.observe(S, C, &u(UFunction::TestFrAct));
    assert_eq!(t.check_timers(17 * S), E::T1_EXPIRED);
    // t2: acknowledgement after 12 s.
    let mut t = started();
    t.observe(S, M, &i(0, 0));
    assert_eq!(t.observe(13 * S, C, &s(1)), E::T2_EXCEEDED);
    // t3: 25 s idle, then data instead of TESTFR act.
    let mut t = started();
    t.observe(S, C, &s(0));
    assert_eq!(t.observe(26 * S, C, &s(0)), E::T3_IDLE);
    assert!(t.observe(50 * S, C, &u(UFunction::TestFrAct)).is_empty());
    assert_eq!(
        t.observe(40 * S, M, &u(UFunction::TestFrCon)),
        E::TIME_BACKWARDS
    );
}
