//! The errors every crate shares: how many more bytes framing needs, and why a message
//! could not be encoded (DESIGN.md §2 "Errors").

use core::fmt;
use core::num::NonZeroUsize;

/// How many more bytes framing needs before it can say more (every crate's
/// `Error::Incomplete(Needed)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Needed {
    /// At least this many more bytes.
    Size(NonZeroUsize),
    /// More bytes, number unknown (frames whose length is not in their header).
    Unknown,
}

impl Needed {
    /// `Needed::Size(n)`, or `Unknown` when `n` is zero.
    pub const fn new(n: usize) -> Self {
        match NonZeroUsize::new(n) {
            Some(n) => Needed::Size(n),
            None => Needed::Unknown,
        }
    }
}

impl fmt::Display for Needed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Needed::Size(n) => write!(f, "{n} more bytes"),
            Needed::Unknown => f.write_str("more bytes"),
        }
    }
}

/// Why a message could not be encoded (DESIGN.md §2 "Encoding").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum EmitError {
    /// The output buffer is shorter than [`Emit::buffer_len`](crate::Emit::buffer_len).
    BufferTooShort {
        /// Bytes the encoding needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// A field's value does not fit its wire encoding (a byte count above 255, say).
    ValueOutOfRange {
        /// The field, by its specification name.
        field: &'static str,
    },
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::BufferTooShort { needed, available } => write!(
                f,
                "buffer too short: {needed} bytes needed, {available} available"
            ),
            EmitError::ValueOutOfRange { field } => {
                write!(f, "value of {field} does not fit its encoding")
            }
        }
    }
}

impl core::error::Error for EmitError {}
