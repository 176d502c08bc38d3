//! A per-connection sequence tracker (IEC 60870-5-104 §5.1-5.3 and §9.6): V(S)/V(R) for each
//! direction, the k and w windows, acknowledgement checks, I frames before STARTDT, and the
//! t1/t2/t3 timers, all on caller-supplied timestamps (no wall clock, so results are
//! reproducible from a capture).
//!
//! ```
//! use otwire_iec104::session::{Session, SessionConfig, SessionEvents};
//! use otwire_iec104::{Apci, Direction, SeqNum, UFunction};
//!
//! let mut s = Session::new(SessionConfig::default());
//! // An I frame before STARTDT is flagged.
//! let i = Apci::I { send: SeqNum::new(0), recv: SeqNum::new(0) };
//! assert!(s.observe(0, Direction::Control, &i).contains(SessionEvents::I_BEFORE_STARTDT));
//! s.observe(10, Direction::Control, &Apci::U(UFunction::StartDtAct));
//! s.observe(20, Direction::Monitor, &Apci::U(UFunction::StartDtCon));
//! let i = Apci::I { send: SeqNum::new(1), recv: SeqNum::new(0) };
//! assert!(s.observe(30, Direction::Control, &i).is_empty());
//! // N(S) 5 when 2 was due: a gap.
//! let i = Apci::I { send: SeqNum::new(5), recv: SeqNum::new(0) };
//! assert!(s.observe(40, Direction::Control, &i).contains(SessionEvents::SEND_SEQUENCE_ERROR));
//! ```

use crate::frame::{Apci, SeqNum, UFunction};
use crate::validity::Direction;

/// Protocol parameters of IEC 60870-5-104 §9.6 (Table 3), in microseconds for the timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SessionConfig {
    /// k: most unacknowledged I frames a sender may have outstanding (default 12).
    pub k: u16,
    /// w: the receiver acknowledges at the latest after w I frames (default 8).
    pub w: u16,
    /// t1: time-out of send or test APDUs (default 15 s).
    pub t1_us: u64,
    /// t2: time-out for acknowledges in case of no data messages (default 10 s).
    pub t2_us: u64,
    /// t3: time-out for sending test frames in case of a long idle state (default 20 s).
    pub t3_us: u64,
    /// Slack added to every timer before it counts as exceeded, for the difference between
    /// capture timestamps and the stations' own clocks (default 500 ms).
    pub grace_us: u64,
    /// Treat data transfer as started from the first frame (for captures that begin in the
    /// middle of a connection).
    pub assume_started: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            k: 12,
            w: 8,
            t1_us: 15_000_000,
            t2_us: 10_000_000,
            t3_us: 20_000_000,
            grace_us: 500_000,
            assume_started: false,
        }
    }
}

bitflags::bitflags! {
    /// What the tracker found wrong with a frame in the context of its connection.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SessionEvents: u32 {
        /// N(S) of an I frame is not the sender's V(S): frames lost, repeated or reordered
        /// (§5.1).
        const SEND_SEQUENCE_ERROR = 1 << 0;
        /// N(R) acknowledges I frames the peer never sent, or goes backwards (§5.1).
        const ACK_INVALID = 1 << 1;
        /// More than k I frames outstanding without acknowledgement (§5.5).
        const WINDOW_EXCEEDED = 1 << 2;
        /// The receiver let more than w I frames go unacknowledged (§5.5).
        const ACK_LATE = 1 << 3;
        /// An I frame while data transfer is not started: before STARTDT con or after
        /// STOPDT con (§5.3).
        const I_BEFORE_STARTDT = 1 << 4;
        /// A STARTDT, STOPDT or TESTFR confirmation with no activation pending (§5.3).
        const UNSOLICITED_CON = 1 << 5;
        /// STARTDT or STOPDT activation from the controlled station (§5.3: only the
        /// controlling station starts and stops data transfer).
        const U_WRONG_SIDE = 1 << 6;
        /// An I frame or TESTFR act was not acknowledged within t1 (§6.9).
        const T1_EXPIRED = 1 << 7;
        /// An acknowledgement came later than t2 after the I frame it acknowledges (§6.9).
        const T2_EXCEEDED = 1 << 8;
        /// The link was idle longer than t3 and the next frame was not TESTFR act (§6.9).
        const T3_IDLE = 1 << 9;
        /// A timestamp earlier than the previous one.
        const TIME_BACKWARDS = 1 << 10;
    }
}

// `names()` and the serde form (the list of flag names), as in every otwire crate.
otwire_core::flag_names!(SessionEvents);

/// Times of the oldest outstanding I frames of one sender (bounded ring; when it is full
/// the window is long broken and the oldest time is kept).
const RING: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Side {
    /// V(S): the N(S) this side's next I frame should carry.
    next_send: SeqNum,
    /// Whether any I frame from this side was seen (so `next_send` is known).
    sent_any: bool,
    /// The last N(R) the peer sent: this side's frames below it are acknowledged.
    acked: SeqNum,
    acked_known: bool,
    /// Send times of unacknowledged I frames, oldest first.
    #[cfg_attr(feature = "serde", serde(with = "ring_serde"))]
    pending: [u64; RING],
    pending_len: usize,
    t1_reported: bool,
    /// I frames this side received and has not acknowledged, and when the oldest arrived.
    recv_unacked: u16,
    recv_oldest: Option<u64>,
    /// Time this side sent TESTFR act, until confirmed.
    testfr_pending: Option<u64>,
}

#[cfg(feature = "serde")]
mod ring_serde {
    use super::RING;
    use serde::{Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u64; RING], s: S) -> Result<S::Ok, S::Error> {
        v.as_slice().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u64; RING], D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = [u64; RING];
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a sequence of at most 64 timestamps")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = [0u64; RING];
                for slot in out.iter_mut() {
                    match seq.next_element::<u64>()? {
                        Some(x) => *slot = x,
                        None => break,
                    }
                }
                while seq.next_element::<u64>()?.is_some() {}
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

impl Side {
    const fn new() -> Self {
        Side {
            next_send: SeqNum::new(0),
            sent_any: false,
            acked: SeqNum::new(0),
            acked_known: false,
            pending: [0; RING],
            pending_len: 0,
            t1_reported: false,
            recv_unacked: 0,
            recv_oldest: None,
            testfr_pending: None,
        }
    }

    fn push_pending(&mut self, ts: u64) {
        if self.pending_len < RING {
            if let Some(slot) = self.pending.get_mut(self.pending_len) {
                *slot = ts;
            }
            self.pending_len += 1;
        }
    }

    /// Drops the `n` oldest pending times.
    fn pop_pending(&mut self, n: usize) {
        let n = n.min(self.pending_len);
        self.pending.copy_within(n..self.pending_len, 0);
        self.pending_len -= n;
        if n > 0 {
            self.t1_reported = false;
        }
    }

    /// Keeps only the `n` newest pending times.
    fn keep_newest(&mut self, n: usize) {
        let drop = self.pending_len.saturating_sub(n);
        self.pop_pending(drop);
    }

    fn oldest_pending(&self) -> Option<u64> {
        self.pending
            .get(..self.pending_len)
            .and_then(|p| p.first().copied())
    }
}

/// The state of one IEC 104 connection as seen by a passive observer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Session {
    config: SessionConfig,
    started: bool,
    startdt_pending: bool,
    stopdt_pending: bool,
    sides: [Side; 2],
    last_ts: Option<u64>,
}

fn idx(dir: Direction) -> usize {
    match dir {
        Direction::Control => 0,
        Direction::Monitor => 1,
    }
}

impl Session {
    /// A tracker for a connection observed from its start.
    pub fn new(config: SessionConfig) -> Self {
        Session {
            config,
            started: config.assume_started,
            startdt_pending: false,
            stopdt_pending: false,
            sides: [Side::new(), Side::new()],
            last_ts: None,
        }
    }

    /// Whether data transfer is started (STARTDT confirmed and not stopped since).
    pub fn is_started(&self) -> bool {
        self.started
    }

    /// V(S) of a side: the N(S) its next I frame should carry, once one was seen.
    pub fn next_send(&self, dir: Direction) -> Option<SeqNum> {
        self.sides
            .get(idx(dir))
            .filter(|s| s.sent_any)
            .map(|s| s.next_send)
    }

    /// I frames a side sent that the peer has not acknowledged yet (when known).
    pub fn outstanding(&self, dir: Direction) -> Option<u16> {
        self.sides
            .get(idx(dir))
            .filter(|s| s.sent_any && s.acked_known)
            .map(|s| s.next_send.distance_from(s.acked))
    }

    /// Takes one frame sent in `dir` at `ts_us` (microseconds, any epoch, non-decreasing).
    pub fn observe(&mut self, ts_us: u64, dir: Direction, apci: &Apci) -> SessionEvents {
        let mut ev = self.check_timers(ts_us);
        if let Some(last) = self.last_ts {
            if ts_us < last {
                ev |= SessionEvents::TIME_BACKWARDS;
            } else if ts_us - last > self.config.t3_us.saturating_add(self.config.grace_us)
                && *apci != Apci::U(UFunction::TestFrAct)
            {
                ev |= SessionEvents::T3_IDLE;
            }
        }
        self.last_ts = Some(self.last_ts.map_or(ts_us, |l| l.max(ts_us)));
        let me = idx(dir);
        let peer = 1 - me;
        match *apci {
            Apci::I { send, recv } => {
                if !self.started {
                    ev |= SessionEvents::I_BEFORE_STARTDT;
                }
                let k = self.config.k;
                let w = self.config.w;
                if let Some(s) = self.sides.get_mut(me) {
                    if s.sent_any && send != s.next_send {
                        ev |= SessionEvents::SEND_SEQUENCE_ERROR;
                        // Resynchronise on what was sent; keep the pending times coherent.
                        if s.acked_known {
                            let outstanding = send.distance_from(s.acked);
                            if outstanding >= 16384 {
                                s.acked_known = false;
                                s.pending_len = 0;
                            } else {
                                s.keep_newest(usize::from(outstanding));
                            }
                        }
                    }
                    s.next_send = send.next();
                    s.sent_any = true;
                    s.push_pending(ts_us);
                    if s.acked_known && s.next_send.distance_from(s.acked) > k {
                        ev |= SessionEvents::WINDOW_EXCEEDED;
                    }
                }
                if let Some(p) = self.sides.get_mut(peer) {
                    p.recv_unacked = p.recv_unacked.saturating_add(1);
                    if p.recv_oldest.is_none() {
                        p.recv_oldest = Some(ts_us);
                    }
                    if p.recv_unacked == w.saturating_add(1) {
                        ev |= SessionEvents::ACK_LATE;
                    }
                }
                ev |= self.acknowledge(ts_us, me, recv);
            }
            Apci::S { recv } => ev |= self.acknowledge(ts_us, me, recv),
            Apci::U(f) => ev |= self.u_frame(ts_us, dir, f),
        }
        ev
    }

    /// `me` acknowledges the peer's I frames below `recv`.
    fn acknowledge(&mut self, ts: u64, me: usize, recv: SeqNum) -> SessionEvents {
        let mut ev = SessionEvents::empty();
        let t2 = self.config.t2_us.saturating_add(self.config.grace_us);
        let Some(p) = self.sides.get_mut(1 - me) else {
            return ev;
        };
        let mut still_unacked = 0u16;
        if p.sent_any {
            let ahead = recv.distance_from(p.next_send);
            if ahead != 0 && ahead < 16384 {
                ev |= SessionEvents::ACK_INVALID;
            } else if p.acked_known {
                let newly = recv.distance_from(p.acked);
                let outstanding = p.next_send.distance_from(p.acked);
                if newly > outstanding {
                    ev |= SessionEvents::ACK_INVALID;
                } else {
                    p.pop_pending(usize::from(newly));
                    p.acked = recv;
                    still_unacked = outstanding - newly;
                }
            } else {
                let outstanding = p.next_send.distance_from(recv);
                p.keep_newest(usize::from(outstanding));
                p.acked = recv;
                p.acked_known = true;
                still_unacked = outstanding;
            }
        } else {
            p.acked = recv;
            p.acked_known = true;
        }
        if let Some(s) = self.sides.get_mut(me) {
            if let Some(oldest) = s.recv_oldest {
                if ts.saturating_sub(oldest) > t2 {
                    ev |= SessionEvents::T2_EXCEEDED;
                }
            }
            s.recv_unacked = still_unacked.min(s.recv_unacked);
            if s.recv_unacked == 0 {
                s.recv_oldest = None;
            } else if ev.is_empty() {
                s.recv_oldest = Some(ts);
            }
        }
        ev
    }

    fn u_frame(&mut self, ts: u64, dir: Direction, f: UFunction) -> SessionEvents {
        let mut ev = SessionEvents::empty();
        let me = idx(dir);
        match f {
            UFunction::StartDtAct => {
                if dir == Direction::Monitor {
                    ev |= SessionEvents::U_WRONG_SIDE;
                }
                self.startdt_pending = true;
            }
            UFunction::StartDtCon => {
                if !self.startdt_pending {
                    ev |= SessionEvents::UNSOLICITED_CON;
                }
                self.startdt_pending = false;
                self.started = true;
            }
            UFunction::StopDtAct => {
                if dir == Direction::Monitor {
                    ev |= SessionEvents::U_WRONG_SIDE;
                }
                self.stopdt_pending = true;
            }
            UFunction::StopDtCon => {
                if !self.stopdt_pending {
                    ev |= SessionEvents::UNSOLICITED_CON;
                }
                self.stopdt_pending = false;
                self.started = false;
            }
            UFunction::TestFrAct => {
                if let Some(s) = self.sides.get_mut(me) {
                    s.testfr_pending = Some(ts);
                }
            }
            UFunction::TestFrCon => {
                if let Some(p) = self.sides.get_mut(1 - me) {
                    if p.testfr_pending.take().is_none() {
                        ev |= SessionEvents::UNSOLICITED_CON;
                    }
                }
            }
            UFunction::Unknown(_) => {}
        }
        ev
    }

    /// Timers that ran out by `now_us` with no frame needed: t1 on outstanding I frames and
    /// TESTFR act. Each expiry is reported once.
    pub fn check_timers(&mut self, now_us: u64) -> SessionEvents {
        let t1 = self.config.t1_us.saturating_add(self.config.grace_us);
        let mut ev = SessionEvents::empty();
        for s in self.sides.iter_mut() {
            if let Some(oldest) = s.oldest_pending() {
                if !s.t1_reported && now_us.saturating_sub(oldest) > t1 {
                    s.t1_reported = true;
                    ev |= SessionEvents::T1_EXPIRED;
                }
            }
            if let Some(t) = s.testfr_pending {
                if now_us.saturating_sub(t) > t1 {
                    s.testfr_pending = None;
                    ev |= SessionEvents::T1_EXPIRED;
                }
            }
        }
        ev
    }
}
