#![doc = include_str!("../README.md")]
//!
//! # Modules
//!
//! - [`event`]: the protocol-neutral [`Event`] (DESIGN.md §3).
//! - [`net`]: network events (TCP attempts, UDP, ICMP, ARP) and link metadata.
//! - [`protocol`]: one analyzer per protocol (bytes of one direction in, events with the
//!   typed message out), identification, and the registry of protocols.
//! - [`catalog`]: ATT&CK for ICS v18.1 techniques.
//! - [`detectors`]: single-message matchers and the seven stateful families.
//! - [`Engine`], [`Config`], [`Alert`].

mod aggregate;
pub mod alert;
pub mod catalog;
pub mod config;
mod detector;
pub mod detectors;
mod engine;
pub mod event;
pub mod net;
pub mod protocol;
pub mod table;

pub use alert::{Alert, Finding, Severity, Timestamp};
pub use catalog::Technique;
pub use config::Config;
pub use detector::{Detector, Family, Mode, Sink};
pub use engine::{Baseline, Engine, EngineStats};
pub use event::{
    Action, Conformance, Direction, Endpoint, Event, Flow, Marks, Meta, Outcome, Protocol, Space,
    Target, Targets, Values,
};
pub use net::{Link, NetEvent};

/// What can go wrong outside the hot path: configuration and baselines.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The configuration does not parse.
    Config(String),
    /// A baseline does not serialize, parse, or fit this engine.
    Baseline(String),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Config(m) => write!(f, "configuration: {m}"),
            Self::Baseline(m) => write!(f, "baseline: {m}"),
        }
    }
}

impl std::error::Error for Error {}
