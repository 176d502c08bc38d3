//! Family 7: protocol conformance from the parsers' anomalies: other protocols on a
//! protocol's port (T0869, T0885), undecodable PDUs (T0866), oversize frames (T0814; a
//! low-severity T0866 note for oversize UMAS frames in Modbus function 90, which real
//! engineering sessions send), anomalies a host never showed while learning (T0866), and
//! PDUs whose bytes were sent twice with different content (T0830: the caller's TCP
//! reassembly found a segment resending a range with other bytes,
//! [`Conformance::OVERLAP_CONFLICT`], the way an on-path host injects a command into a live
//! session or an evader hides one from the monitor).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::Config;
use crate::detector::{Detector, Family, Sink};
use crate::event::{Conformance, Direction, Event, Ip, Protocol};
use crate::table::{BoundedMap, TableStats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct HostKey {
    host: Ip,
    proto: Protocol,
    dir: Direction,
}

/// Reports what the parsers flag. Bytes that are not the protocol and undecodable PDUs
/// are always reported; the other anomaly kinds are learned per sending host (some
/// devices are always a little off) and reported when new.
#[derive(Debug, Clone)]
pub struct ConformanceCheck {
    learned: BoundedMap<HostKey, u16>,
}

impl ConformanceCheck {
    /// A detector with `config.caps.conformance` entries.
    pub fn new(config: &Config) -> Self {
        Self {
            learned: BoundedMap::new(config.caps.conformance),
        }
    }
}

/// Modbus function 90 (0x5A): Schneider Electric's UMAS envelope, whose engineering
/// traffic exceeds the 253-byte PDU of MODBUS Application Protocol V1.1b3 §4.1.
const MODBUS_UMAS: u16 = 0x5A;

/// True for a vendor-specific envelope whose frames may legitimately be oversize.
fn vendor_envelope(ev: &Event<'_>) -> bool {
    ev.protocol == Protocol::Modbus && ev.function == MODBUS_UMAS
}

fn report(
    sink: &mut Sink,
    ev: &Event<'_>,
    t: &'static Technique,
    sev: Severity,
    reason: &'static str,
    what: &str,
) {
    report_with(sink, ev, t, sev, 0.7, reason, what);
}

fn report_with(
    sink: &mut Sink,
    ev: &Event<'_>,
    t: &'static Technique,
    sev: Severity,
    confidence: f32,
    reason: &'static str,
    what: &str,
) {
    let names: Vec<Value> = ev.conformance.names().map(Value::from).collect();
    let mut f = Finding::new(
        ev,
        t,
        sev,
        confidence,
        format!(
            "{} sends {what} to {} ({})",
            ev.src(),
            ev.dst(),
            ev.protocol
        ),
    )
    .because(reason)
    .with("conformance", names)
    .with("anomaly_bits", ev.anomalies);
    if let Some(p) = crate::protocol::describe(ev.protocol) {
        let mut names = Vec::new();
        p.anomaly_names(ev.anomalies, &mut |n| names.push(n));
        f = f.with("anomalies", names);
    }
    if !ev.raw.is_empty() {
        let n = ev.raw.len().min(32);
        let hex = crate::alert::hex(ev.raw.get(..n).unwrap_or_default());
        f = f.with("head", hex).with("len", ev.raw.len());
    }
    sink.report(f);
}

impl Detector for ConformanceCheck {
    fn name(&self) -> &'static str {
        "conformance"
    }

    fn family(&self) -> Family {
        Family::Conformance
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if ev.conformance.contains(Conformance::OVERLAP_CONFLICT) {
            report_with(
                sink,
                ev,
                &catalog::T0830,
                Severity::High,
                0.8,
                "overlap_conflict",
                "TCP bytes resent with different content (injected or evading)",
            );
        }
        // The conflict is a fact about the transport, not an anomaly of the PDU to learn.
        let c = Conformance(ev.conformance.0 & !Conformance::OVERLAP_CONFLICT.0);
        if c.is_empty() {
            return;
        }
        if c.contains(Conformance::NOT_PROTOCOL) {
            report(
                sink,
                ev,
                &catalog::T0885,
                Severity::Medium,
                "not_protocol",
                "bytes that are not the protocol on its port",
            );
            report(
                sink,
                ev,
                &catalog::T0869,
                Severity::Medium,
                "not_protocol",
                "another application protocol",
            );
            return;
        }
        if c.contains(Conformance::MALFORMED) {
            report(
                sink,
                ev,
                &catalog::T0866,
                Severity::High,
                "malformed",
                "an undecodable PDU",
            );
            return;
        }
        if c.contains(Conformance::OVERSIZE) {
            if vendor_envelope(ev) {
                // Schneider UMAS engineering sessions (program transfer, monitoring) carry
                // PDUs past Modbus' 253 bytes in function 90: a conformance note, not a
                // denial of service.
                report_with(
                    sink,
                    ev,
                    &catalog::T0866,
                    Severity::Low,
                    0.3,
                    "vendor_oversize",
                    "an oversize vendor-specific (function 90) frame",
                );
            } else {
                report(
                    sink,
                    ev,
                    &catalog::T0814,
                    Severity::Medium,
                    "oversize",
                    "an oversize frame",
                );
            }
        }
        let key = HostKey {
            host: ev.src().ip,
            proto: ev.protocol,
            dir: ev.direction,
        };
        if sink.is_learning() {
            if let Some((bits, _)) = self.learned.get_or_insert_with(key, || 0) {
                *bits |= c.0;
            }
            return;
        }
        let known = self.learned.get_mut(&key).map_or(0, |b| *b);
        let new = c.0 & !known & !Conformance::OVERSIZE.0;
        if new != 0 {
            report(
                sink,
                ev,
                &catalog::T0866,
                Severity::Medium,
                "new_anomaly",
                "a malformed PDU",
            );
        }
    }

    fn stats(&self) -> TableStats {
        self.learned.stats()
    }

    fn save(&self) -> Result<Value, Error> {
        save(&self.learned)
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        self.learned = load(state)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::Mode;
    use crate::event::{Endpoint, Flow, Meta};

    fn meta() -> Meta {
        Meta {
            link: Default::default(),
            ts: 1_427_906_557_314_428,
            frame: 19,
            flow_id: 0,
            flow: Flow::new(
                Endpoint::v4([192, 168, 63, 100], 7718),
                Endpoint::v4([192, 168, 63, 253], 502),
            ),
        }
    }

    fn judge(ev: &Event<'_>, mode: Mode) -> Vec<(&'static str, Severity, &'static str)> {
        let mut d = ConformanceCheck::new(&Config::default());
        let mut sink = Sink::new(mode);
        d.observe(ev, &mut sink);
        sink.drain()
            .map(|f| (f.technique.id, f.severity, f.reason))
            .collect()
    }

    /// Frame 19 of iti_modicon_umas_test.pcap (Schneider engineering session): MBAP length
    /// 255, unit 0, function 90, UMAS session 0, UMAS function 0x0A, 251 payload bytes: a
    /// 254-byte PDU, one past Modbus' 253.
    #[cfg(feature = "modbus")]
    fn umas_oversize() -> Vec<u8> {
        let mut b = vec![
            0x00, 0x07, 0x00, 0x00, 0x00, 0xff, 0x00, 0x5a, 0x00, 0x0a, 0x00, 0x00,
        ];
        b.extend(1..=249u8);
        assert_eq!(b.len(), 261);
        b
    }

    #[cfg(feature = "modbus")]
    #[test]
    fn oversize_umas_is_a_low_conformance_note_not_denial_of_service() {
        let bytes = umas_oversize();
        let mut a = crate::protocol::Sessions::<crate::protocol::modbus::Modbus>::new(
            crate::protocol::Transport::Tcp,
        );
        for dir in [Direction::Request, Direction::Response] {
            let mut n = 0;
            a.feed(meta(), dir, &bytes, |ev| {
                n += 1;
                assert!(ev.is_parsed());
                assert_eq!(ev.function, MODBUS_UMAS);
                assert!(ev.conformance.contains(Conformance::OVERSIZE));
                let got = judge(ev, Mode::Detecting);
                assert_eq!(got, vec![("T0866", Severity::Low, "vendor_oversize")]);
                assert!(!got.iter().any(|g| g.0 == "T0814"));
                // While learning, the note is reported too (it is a single-message finding).
                assert_eq!(judge(ev, Mode::Learning), got);
            });
            assert_eq!(n, 1);
        }
    }

    #[test]
    fn oversize_frames_of_other_functions_stay_denial_of_service() {
        let mut ev = Event::new(meta(), Protocol::Modbus, Direction::Request);
        ev.function = 16;
        ev.conformance = Conformance::OVERSIZE;
        assert_eq!(
            judge(&ev, Mode::Detecting),
            vec![("T0814", Severity::Medium, "oversize")]
        );
        // Function 90 of another protocol is not UMAS.
        ev.protocol = Protocol::Iec104;
        ev.function = 90;
        assert_eq!(
            judge(&ev, Mode::Detecting).first().map(|g| g.0),
            Some("T0814")
        );
    }

    /// The route from a caller's reassembly: `Sessions::conflict` before the bytes of the
    /// range puts `OVERLAP_CONFLICT` on the next event of that direction (or on one of its
    /// own at close), which is T0830 and nothing else, in learning as in detection.
    #[cfg(feature = "modbus")]
    #[test]
    fn overlap_conflict_is_adversary_in_the_middle() {
        use crate::protocol::{Sessions, Transport, modbus::Modbus};
        let read = [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2];
        let mut a = Sessions::<Modbus>::new(Transport::Tcp);
        let mut got = Vec::new();
        let run = |a: &mut Sessions<Modbus>, conflict: bool, got: &mut Vec<_>| {
            if conflict {
                a.conflict(meta().flow, Direction::Request);
            }
            a.feed(meta(), Direction::Request, &read, |ev| {
                assert!(ev.is_parsed());
                got.push((
                    ev.conformance.contains(Conformance::OVERLAP_CONFLICT),
                    judge(ev, Mode::Detecting),
                    judge(ev, Mode::Learning),
                ));
            });
        };
        run(&mut a, false, &mut got);
        run(&mut a, true, &mut got);
        run(&mut a, false, &mut got);
        let t0830 = vec![("T0830", Severity::High, "overlap_conflict")];
        assert_eq!(
            got,
            [
                (false, vec![], vec![]),
                (true, t0830.clone(), t0830.clone()),
                (false, vec![], vec![]),
            ]
        );
        // No event after the conflict: the close reports it in one of its own.
        a.conflict(meta().flow, Direction::Request);
        let mut closed = Vec::new();
        a.close(meta(), |ev| {
            closed.push((ev.conformance, ev.direction, judge(ev, Mode::Detecting)));
        });
        assert_eq!(
            closed,
            [(Conformance::OVERLAP_CONFLICT, Direction::Request, t0830)]
        );
    }
}
