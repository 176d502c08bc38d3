//! The `Detector` trait and the `Sink` findings go to (DESIGN.md §3 `Detector`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::alert::Finding;
use crate::event::Event;
use crate::table::TableStats;

/// Whether stateful detectors are building their baselines or judging against them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Baselines grow; stateful detectors report nothing.
    Learning,
    /// Baselines are frozen; deviations are reported.
    Detecting,
}

/// Where detectors put their findings. Reused across events: reporting nothing allocates
/// nothing.
#[derive(Debug)]
pub struct Sink {
    mode: Mode,
    findings: Vec<Finding>,
}

impl Sink {
    /// An empty sink in `mode`.
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            findings: Vec::new(),
        }
    }

    /// The engine's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Sets the mode.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// True while learning.
    pub fn is_learning(&self) -> bool {
        self.mode == Mode::Learning
    }

    /// Reports a finding.
    pub fn report(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// The findings reported so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Takes the findings out, leaving the sink empty (its buffer is kept).
    pub fn drain(&mut self) -> std::vec::Drain<'_, Finding> {
        self.findings.drain(..)
    }
}

/// The detector families of DESIGN.md §3, plus single-message matchers and the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// One message is enough (ATT&CK indicators marked S).
    Stateless,
    /// 1: new asset / new talker.
    NewAsset,
    /// 2: operation allowlist.
    Allowlist,
    /// 3: periodicity and missing messages.
    Periodicity,
    /// 4: protocol state and sequence.
    State,
    /// 5: value range and rate of change.
    Value,
    /// 6: rate, fan-out and scans.
    Rate,
    /// 7: protocol conformance.
    Conformance,
    /// 8: the path below the protocols: link addresses, TTLs and ARP bindings (T0830).
    Path,
}

/// A detector: sees every event, reports findings to the sink. Object-safe, so an
/// [`Engine`](crate::Engine) can hold any mix (`Box<dyn Detector>`).
///
/// Stateful detectors learn while `sink.is_learning()` and judge afterwards. Their state
/// must be bounded (capped tables, see [`BoundedMap`](crate::table::BoundedMap)) and
/// depend only on event time.
pub trait Detector: Send {
    /// A stable snake_case name, used in alerts (`detector`) and saved baselines.
    fn name(&self) -> &'static str;

    /// The family.
    fn family(&self) -> Family;

    /// Whether the detector reads network events ([`crate::net`]): the engine hands them
    /// only to detectors that say so (the protocol detectors never see them).
    fn network(&self) -> bool {
        false
    }

    /// Looks at one event.
    fn observe(&mut self, event: &Event<'_>, sink: &mut Sink);

    /// Table fill and eviction counters (all tables summed).
    fn stats(&self) -> TableStats {
        TableStats::default()
    }

    /// The learned state, for a saved baseline (`Value::Null` when stateless).
    fn save(&self) -> Result<Value, Error> {
        Ok(Value::Null)
    }

    /// Restores state saved by [`Detector::save`].
    fn load(&mut self, state: Value) -> Result<(), Error> {
        let _ = state;
        Ok(())
    }
}
