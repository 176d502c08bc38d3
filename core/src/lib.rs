#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;

mod emit;
mod error;
mod flag_names;
mod open_enum;
mod parsed;
pub mod resync;

pub use emit::{Counter, Emit, Raw, Sink, Writer};
pub use error::{EmitError, Needed};
pub use parsed::{Parsed, Probe};

/// What the exported macros name; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use core;
    #[cfg(feature = "serde")]
    pub use serde;
}
