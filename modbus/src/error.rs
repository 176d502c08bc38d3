//! Errors of framing, parsing and encoding (DESIGN.md §2 "Errors").

use core::fmt;

pub use otwire_core::{EmitError, Needed};

/// The part of a Modbus message where decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Layer {
    /// The MBAP header of Modbus/TCP and Modbus/UDP (Messaging Implementation Guide §3.1.3).
    Mbap,
    /// The RTU frame: address, PDU and CRC (Modbus over Serial Line §2.5.1).
    Rtu,
    /// The protocol data unit (Modbus Application Protocol §4.1).
    Pdu,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Mbap => "MBAP header",
            Layer::Rtu => "RTU frame",
            Layer::Pdu => "PDU",
        })
    }
}

/// Why nothing could be decoded (DESIGN.md §2: `Err` only when nothing can be recovered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Error {
    /// Framing only: the input ends before the frame does.
    #[error("incomplete: {0} needed")]
    Incomplete(Needed),
    /// The bytes at `offset` of `layer` cannot be decoded as that layer.
    #[error("malformed {layer} at offset {offset}")]
    Malformed {
        /// Where decoding stopped.
        layer: Layer,
        /// Byte offset from the start of that layer.
        offset: usize,
    },
    /// A declared length exceeds a limit (MBAP length 0, or beyond a configured maximum).
    #[error("declared length {declared} outside the accepted range (maximum {max})")]
    TooLong {
        /// The declared length.
        declared: usize,
        /// The largest accepted.
        max: usize,
    },
    /// The PDU is empty: not even a function code.
    #[error("empty PDU")]
    EmptyPdu,
}
