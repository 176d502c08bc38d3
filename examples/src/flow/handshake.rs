//! A TCP connection's opening and what became of it (RFC 9293 §3.5 connection
//! establishment): the TCP network events of DESIGN.md §3, tracked per flow in three bytes
//! from the flags of the segments the flow table sees anyway.

use otwire_detect::net::TcpOutcome;

/// Where a connection's opening stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// No SYN seen (the capture started mid-connection): nothing is reported.
    #[default]
    Unseen,
    /// The client sent a SYN; no answer yet.
    SynSent,
    /// The server answered with SYN-ACK.
    SynAcked,
    /// The client acknowledged the SYN-ACK; no payload byte yet.
    Established,
    /// Payload went by, or the outcome is reported: nothing more to say.
    Done,
}

/// A flow's handshake: its state, the side that sent the first SYN, and whether any payload
/// went by.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Handshake {
    state: State,
    client: u8,
    carried: bool,
}

/// The flags and payload of one segment, as the handshake reads them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flags {
    pub(crate) syn: bool,
    pub(crate) ack: bool,
    pub(crate) fin: bool,
    pub(crate) rst: bool,
    pub(crate) payload: bool,
}

impl Handshake {
    /// The side (0 or 1 of the flow's ends) that sent the first SYN.
    pub(crate) fn client(&self) -> usize {
        usize::from(self.client)
    }

    /// A segment sent by `side`; the outcomes it makes, in order (at most two: a client's
    /// ACK of the SYN-ACK that also carries a FIN is `Established` then `ClosedEmpty`).
    #[inline]
    pub(crate) fn segment(&mut self, side: usize, f: Flags) -> [Option<TcpOutcome>; 2] {
        // The common case, a connection past its opening or seen mid-stream: nothing to do.
        let quiet = match self.state {
            State::Done => self.carried || !f.payload,
            State::Unseen => !f.syn,
            _ => false,
        };
        if quiet {
            self.carried |= f.payload;
            return [None, None];
        }
        self.step(side, f)
    }

    #[inline(never)]
    fn step(&mut self, side: usize, f: Flags) -> [Option<TcpOutcome>; 2] {
        let from_client = side == self.client();
        self.carried |= f.payload;
        let mut out = [None, None];
        match self.state {
            State::Unseen => {
                if f.syn && !f.ack && !f.rst {
                    self.state = State::SynSent;
                    self.client = u8::from(side != 0);
                    out[0] = Some(TcpOutcome::Syn);
                }
            }
            State::SynSent if from_client => {
                // The client acknowledges a SYN-ACK the capture did not see (a capture of
                // one direction, asymmetric routing): the handshake completed.
                if f.ack && !f.syn && !f.rst {
                    self.state = State::Established;
                    out[0] = Some(TcpOutcome::Established);
                    out[1] = self.established(f);
                }
            }
            State::SynSent => {
                if f.rst {
                    self.state = State::Done;
                    out[0] = Some(TcpOutcome::Refused);
                } else if f.syn && f.ack {
                    self.state = State::SynAcked;
                }
            }
            State::SynAcked => {
                if f.rst {
                    // The client resets the SYN-ACK it got (a SYN scan), or the server gives
                    // up its half-open connection: the handshake never completed.
                    self.state = State::Done;
                    out[0] = Some(TcpOutcome::HalfOpen);
                } else if from_client && f.ack && !f.syn {
                    self.state = State::Established;
                    out[0] = Some(TcpOutcome::Established);
                    out[1] = self.established(f);
                }
            }
            State::Established => out[0] = self.established(f),
            State::Done => {}
        }
        out
    }

    /// A segment of an established connection: payload ends the watch, a FIN or RST before
    /// any payload is a connection closed empty.
    fn established(&mut self, f: Flags) -> Option<TcpOutcome> {
        if f.payload {
            self.state = State::Done;
            None
        } else if f.fin || f.rst {
            self.state = State::Done;
            Some(TcpOutcome::ClosedEmpty)
        } else {
            None
        }
    }

    /// The flow ended (expired, evicted, closed, end of input): an attempt still waiting is
    /// `Unanswered` (no answer to the SYN) or `HalfOpen` (the client never acknowledged the
    /// SYN-ACK).
    pub(crate) fn end(&mut self) -> Option<TcpOutcome> {
        let o = match self.state {
            State::SynSent => TcpOutcome::Unanswered,
            State::SynAcked => TcpOutcome::HalfOpen,
            _ => return None,
        };
        self.state = State::Done;
        Some(o)
    }

    /// Only a connection attempt so far: a SYN and what answered it, no payload either way,
    /// and not an established connection still open. Such a flow expires after
    /// `FlowLimits::syn_idle_us`, so a SYN scan does not fill the table.
    pub(crate) fn attempt_only(&self) -> bool {
        !self.carried && !matches!(self.state, State::Unseen | State::Established)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Flags = Flags {
        syn: false,
        ack: false,
        fin: false,
        rst: false,
        payload: false,
    };
    const SYN: Flags = Flags { syn: true, ..NONE };
    const SYN_ACK: Flags = Flags {
        syn: true,
        ack: true,
        ..NONE
    };
    const ACK: Flags = Flags { ack: true, ..NONE };
    const RST: Flags = Flags { rst: true, ..NONE };
    const FIN: Flags = Flags {
        fin: true,
        ack: true,
        ..NONE
    };

    fn run(steps: &[(usize, Flags)]) -> (Vec<TcpOutcome>, Handshake) {
        let mut h = Handshake::default();
        let mut out = Vec::new();
        for &(side, f) in steps {
            out.extend(h.segment(side, f).into_iter().flatten());
        }
        out.extend(h.end());
        (out, h)
    }

    use TcpOutcome::*;

    #[test]
    fn outcomes_of_each_opening() {
        assert_eq!(run(&[(0, SYN), (1, RST)]).0, [Syn, Refused]);
        assert_eq!(run(&[(0, SYN), (1, SYN_ACK), (0, RST)]).0, [Syn, HalfOpen]);
        assert_eq!(
            run(&[(0, SYN), (1, SYN_ACK)]).0,
            [Syn, HalfOpen],
            "abandoned"
        );
        assert_eq!(
            run(&[(0, SYN), (0, SYN)]).0,
            [Syn, Unanswered],
            "a resent SYN"
        );
        let closed = [(0, SYN), (1, SYN_ACK), (0, ACK), (0, FIN), (1, FIN)];
        assert_eq!(run(&closed).0, [Syn, Established, ClosedEmpty]);
        let data = Flags {
            payload: true,
            ..ACK
        };
        let used = [(0, SYN), (1, SYN_ACK), (0, ACK), (0, data), (0, FIN)];
        assert_eq!(run(&used).0, [Syn, Established]);
        assert!(
            !run(&used).1.attempt_only(),
            "a connection that carried data"
        );
        // The third step carrying the FIN: established and closed empty at once.
        assert_eq!(
            run(&[(1, SYN), (0, SYN_ACK), (1, FIN)]).0,
            [Syn, Established, ClosedEmpty]
        );
        // The client is the side of the first SYN, whichever end of the flow it is.
        let (_, h) = run(&[(1, SYN)]);
        assert_eq!(h.client(), 1);
    }

    #[test]
    fn a_client_acking_an_unseen_syn_ack_is_established() {
        // A capture of the client's direction only: SYN, ACK, data.
        let data = Flags {
            payload: true,
            ..ACK
        };
        assert_eq!(
            run(&[(0, SYN), (0, ACK), (0, data)]).0,
            [Syn, Established],
            "not unanswered"
        );
        assert_eq!(run(&[(0, SYN), (0, data)]).0, [Syn, Established]);
        assert_eq!(run(&[(0, SYN), (0, RST)]).0, [Syn, Unanswered]);
    }

    #[test]
    fn mid_stream_says_nothing() {
        assert!(
            run(&[(1, SYN_ACK), (0, ACK), (0, FIN), (1, RST)])
                .0
                .is_empty()
        );
        assert!(!run(&[(0, ACK)]).1.attempt_only());
    }

    #[test]
    fn attempts_expire_early_established_connections_do_not() {
        let mut h = Handshake::default();
        h.segment(0, SYN);
        assert!(h.attempt_only());
        h.segment(1, SYN_ACK);
        assert!(h.attempt_only());
        h.segment(0, ACK);
        assert!(
            !h.attempt_only(),
            "an idle established connection keeps its time"
        );
        h.segment(0, FIN);
        assert!(h.attempt_only(), "closed without data");
    }
}
