//! Single-message ATT&CK matchers (`../shared/attack/INDICATORS.md`, rows marked S).

use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Action, Direction, Event, Marks};

/// Matches what one request shows: identification (T0888), restarts (T0816), listen-only
/// (T0814, T0804), mode changes (T0858), program download / upload (T0843 / T0845), online
/// edits (T0889) and operating-mode reads (T0868).
#[derive(Debug, Clone, Default)]
pub struct Matchers;

impl Matchers {
    /// The matchers.
    pub const fn new() -> Self {
        Self
    }
}

fn report(
    sink: &mut Sink,
    ev: &Event<'_>,
    t: &'static Technique,
    sev: Severity,
    conf: f32,
    what: &str,
) {
    let summary = format!(
        "{} {} {} ({} unit {}, function {:#04x})",
        ev.src(),
        what,
        ev.dst(),
        ev.protocol,
        ev.unit,
        ev.function
    );
    let mut f = Finding::new(ev, t, sev, conf, summary)
        .with("action", ev.action.name())
        .with("function", ev.function);
    if let Some(s) = ev.sub_function {
        f = f.with("sub_function", s);
    }
    sink.report(f);
}

impl Detector for Matchers {
    fn name(&self) -> &'static str {
        "stateless"
    }

    fn family(&self) -> Family {
        Family::Stateless
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        if ev.direction != Direction::Request
            || !ev.is_parsed()
            || ev.marks.contains(Marks::BASELINED)
        {
            return;
        }
        match ev.action {
            Action::Discovery => report(
                sink,
                ev,
                &catalog::T0888,
                Severity::Medium,
                0.9,
                "reads device identification of",
            ),
            Action::Restart => report(sink, ev, &catalog::T0816, Severity::High, 0.9, "restarts"),
            Action::ModeChange => report(
                sink,
                ev,
                &catalog::T0858,
                Severity::Critical,
                0.9,
                "changes the operating mode of",
            ),
            Action::ProgramDownload => report(
                sink,
                ev,
                &catalog::T0843,
                Severity::Critical,
                0.85,
                "downloads program data to",
            ),
            Action::ProgramUpload => report(
                sink,
                ev,
                &catalog::T0845,
                Severity::High,
                0.85,
                "uploads program data from",
            ),
            _ => {}
        }
        let m = ev.marks;
        if m.is_empty() {
            return;
        }
        if m.contains(Marks::BLOCKS_REPORTING) {
            report(
                sink,
                ev,
                &catalog::T0814,
                Severity::High,
                0.9,
                "silences (listen-only / reporting off)",
            );
            report(
                sink,
                ev,
                &catalog::T0804,
                Severity::High,
                0.8,
                "blocks reporting of",
            );
        }
        if m.contains(Marks::READS_DEVICE_STATE) {
            report(
                sink,
                ev,
                &catalog::T0868,
                Severity::Low,
                0.7,
                "reads the operating mode of",
            );
        }
        if m.contains(Marks::MODIFIES_PROGRAM) {
            report(
                sink,
                ev,
                &catalog::T0889,
                Severity::Critical,
                0.85,
                "modifies the running program of",
            );
        }
    }
}
