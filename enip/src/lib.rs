#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;

mod anomaly;
pub mod cip;
mod error;

pub use anomaly::{Anomalies, Parsed};
pub use error::{EmitError, Error, Layer, Needed};
pub use otwire_core::{Emit, Probe};

/// The registered TCP and UDP port of EtherNet/IP explicit messaging (Vol. 2 §2-2).
pub const PORT: u16 = 44818;
/// The registered UDP port of class 0/1 implicit (I/O) messaging (Vol. 2 §3-3).
pub const IO_PORT: u16 = 2222;
