//! Encoding (DESIGN.md §2 "Encoding"): the [`Emit`] trait and the encode-once writer come
//! from `otwire-core`, shared by every otwire crate.

pub(crate) use otwire_core::{Emit, Sink, Writer};
