//! Family 7: protocol conformance from the parsers' anomalies: other protocols on a
//! protocol's port (T0869, T0885), undecodable PDUs (T0866), oversize frames (T0814), and
//! anomalies a host never showed while learning (T0866).

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

fn report(
    sink: &mut Sink,
    ev: &Event<'_>,
    t: &'static Technique,
    sev: Severity,
    reason: &'static str,
    what: &str,
) {
    let names: Vec<Value> = ev.conformance.names().map(Value::from).collect();
    let mut f = Finding::new(
        ev,
        t,
        sev,
        0.7,
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
    #[cfg(feature = "modbus")]
    if ev.protocol == Protocol::Modbus {
        f = f.with(
            "anomalies",
            crate::adapters::modbus::anomaly_names(ev.anomalies),
        );
    }
    if !ev.raw.is_empty() {
        let n = ev.raw.len().min(32);
        let hex: String = ev.raw.iter().take(n).map(|b| format!("{b:02x}")).collect();
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
        let c = ev.conformance;
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
            report(
                sink,
                ev,
                &catalog::T0814,
                Severity::Medium,
                "oversize",
                "an oversize frame",
            );
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
