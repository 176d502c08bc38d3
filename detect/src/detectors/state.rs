//! Family 4: protocol state and sequence. Built in: request/response pairing by transaction
//! id (responses without requests, id mismatch, duplicate responses, id reuse while
//! outstanding). Protocols with richer state machines (DNP3 select-before-operate and
//! application sequence, IEC 104 N(S)/N(R)) plug in through [`StateExtension`].

use core::fmt::Debug;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{load, save, secs};
use crate::Error;
use crate::alert::{Finding, Severity};
use crate::catalog::{self, Technique};
use crate::config::{self, Config};
use crate::detector::{Detector, Family, Sink};
use crate::event::{Direction, Endpoint, Event, Protocol};
use crate::table::{BoundedMap, HintCache, TableStats};

/// A protocol-specific state machine run by [`Transactions`] on the events of its protocol.
/// The extension point later protocols use (DESIGN.md §3, family 4).
pub trait StateExtension: Send + Debug {
    /// The protocol whose events it sees.
    fn protocol(&self) -> Protocol;
    /// Looks at one event of that protocol.
    fn observe(&mut self, event: &Event<'_>, sink: &mut Sink);
    /// Table counters.
    fn stats(&self) -> TableStats {
        TableStats::default()
    }
    /// Saved state.
    fn save(&self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    /// Restores saved state.
    fn load(&mut self, state: Value) -> Result<(), Error> {
        let _ = state;
        Ok(())
    }
}

/// Transactions remembered per flow (outstanding or recently answered).
pub const RING: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct FlowKey {
    client: Endpoint,
    server: Endpoint,
    proto: Protocol,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct TxState {
    live: bool,
    tx: u32,
    requested: u64,
    function: u16,
    unit: u16,
    /// When the (first) response came, if it did.
    answered: Option<u64>,
}

/// The last [`RING`] transactions of one flow: fixed size, so a known flow never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
struct Ring {
    slots: [TxState; RING],
    next: u8,
}

impl Ring {
    fn find(&mut self, tx: u32) -> Option<&mut TxState> {
        self.slots.iter_mut().find(|s| s.live && s.tx == tx)
    }

    fn push(&mut self, st: TxState) {
        let i = usize::from(self.next) % RING;
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = st;
        }
        self.next = ((i + 1) % RING) as u8;
    }
}

/// Pairs requests and responses by transaction id, remembering the last [`RING`]
/// transactions of each flow. Reports, after learning: a response with no request, or
/// whose function or unit disagrees with its request (T0856 Spoof Reporting Message); a
/// second response to one request, or a request reusing an id that is still outstanding
/// (T0830 Adversary-in-the-Middle). Runs registered [`StateExtension`]s.
#[derive(Debug)]
pub struct Transactions {
    flows: BoundedMap<FlowKey, Ring>,
    cfg: config::State,
    extensions: Vec<Box<dyn StateExtension>>,
    /// Where each flow's transactions were last found.
    hints: HintCache<4096>,
}

impl Transactions {
    /// A detector with `config.caps.transactions` flows and no extension.
    pub fn new(config: &Config) -> Self {
        Self {
            flows: BoundedMap::new(config.caps.transactions),
            cfg: config.state,
            extensions: Vec::new(),
            hints: HintCache::new(),
        }
    }

    /// Adds a protocol state machine.
    pub fn with_extension(mut self, ext: Box<dyn StateExtension>) -> Self {
        self.extensions.push(ext);
        self
    }
}

fn finding(
    ev: &Event<'_>,
    t: &'static Technique,
    sev: Severity,
    reason: &'static str,
    what: String,
) -> Finding {
    Finding::new(ev, t, sev, 0.7, what)
        .because(reason)
        .with("transaction", ev.transaction.unwrap_or_default())
        .with("function", ev.function)
}

impl Detector for Transactions {
    fn name(&self) -> &'static str {
        "state"
    }

    fn family(&self) -> Family {
        Family::State
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        for x in &mut self.extensions {
            if x.protocol() == ev.protocol {
                x.observe(ev, sink);
            }
        }
        let Some(tx) = ev.transaction else { return };
        if !ev.is_parsed() {
            return;
        }
        let learning = sink.is_learning();
        let key = FlowKey {
            client: ev.flow.client,
            server: ev.flow.server,
            proto: ev.protocol,
        };
        let hint = self.hints.at(crate::table::flow_hint(ev));
        let pending = (self.cfg.pending_secs * 1e6) as u64;
        let answered_window = (self.cfg.answered_secs * 1e6) as u64;
        match ev.direction {
            Direction::Request => {
                let fresh = TxState {
                    live: true,
                    tx,
                    requested: ev.ts,
                    function: ev.function,
                    unit: ev.unit,
                    answered: None,
                };
                let Some((ring, _)) = self.flows.get_or_insert_with_hint(hint, key, Ring::default)
                else {
                    return;
                };
                let reused = match ring.find(tx) {
                    Some(st) => {
                        let r = st.answered.is_none()
                            && ev.ts.saturating_sub(st.requested) < pending
                            && ev.ts > st.requested;
                        *st = fresh;
                        r
                    }
                    None => {
                        ring.push(fresh);
                        false
                    }
                };
                if reused && !learning {
                    sink.report(finding(
                        ev,
                        &catalog::T0830,
                        Severity::Medium,
                        "id_reused_while_outstanding",
                        format!(
                            "{} reuses {} transaction {tx} to {} before it was answered",
                            ev.flow.client, ev.protocol, ev.flow.server
                        ),
                    ));
                }
            }
            Direction::Response => {
                let Some(st) = self
                    .flows
                    .get_mut_with_hint(hint, &key)
                    .and_then(|r| r.find(tx))
                else {
                    if !learning {
                        sink.report(finding(
                            ev,
                            &catalog::T0856,
                            Severity::High,
                            "response_without_request",
                            format!(
                                "{} sends a {} response (transaction {tx}) to {} that nobody requested",
                                ev.flow.server, ev.protocol, ev.flow.client
                            ),
                        ));
                    }
                    return;
                };
                let prior = st.answered;
                let (func, unit, requested) = (st.function, st.unit, st.requested);
                if prior.is_none() {
                    st.answered = Some(ev.ts);
                }
                if learning {
                    return;
                }
                if let Some(at) = prior {
                    if ev.ts.saturating_sub(at) < answered_window {
                        sink.report(finding(
                            ev,
                            &catalog::T0830,
                            Severity::Medium,
                            "duplicate_response",
                            format!(
                                "{} answers {} transaction {tx} to {} twice",
                                ev.flow.server, ev.protocol, ev.flow.client
                            ),
                        ));
                    }
                } else if func != ev.function || unit != ev.unit {
                    sink.report(
                        finding(
                            ev,
                            &catalog::T0856,
                            Severity::High,
                            "transaction_mismatch",
                            format!(
                                "{} answers transaction {tx} with function {:#04x} unit {} but {:#04x} unit {} was requested",
                                ev.flow.server, ev.function, ev.unit, func, unit
                            ),
                        )
                        .with("requested_function", func)
                        .with("requested_unit", unit)
                        .with("latency_s", secs(ev.ts.saturating_sub(requested))),
                    );
                }
            }
        }
    }

    fn stats(&self) -> TableStats {
        self.extensions
            .iter()
            .fold(self.flows.stats(), |a, x| a.merge(x.stats()))
    }

    fn save(&self) -> Result<Value, Error> {
        let ext = self
            .extensions
            .iter()
            .map(|x| x.save())
            .collect::<Result<Vec<_>, _>>()?;
        save(&(&self.flows, ext))
    }

    fn load(&mut self, state: Value) -> Result<(), Error> {
        let (flows, ext): (BoundedMap<FlowKey, Ring>, Vec<Value>) = load(state)?;
        if ext.len() != self.extensions.len() {
            return Err(Error::Baseline("state extensions differ".into()));
        }
        for (x, v) in self.extensions.iter_mut().zip(ext) {
            x.load(v)?;
        }
        self.flows = flows;
        Ok(())
    }
}
