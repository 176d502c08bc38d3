//! Errors of framing, parsing and encoding (DESIGN.md §2 "Errors") for the EtherNet/IP
//! encapsulation (CIP Vol. 2 §2), the Common Packet Format (Vol. 2 §2-6), CIP messages
//! (Vol. 1 §2-4, App. C) and PCCC.

use core::fmt;

pub use otwire_core::{EmitError, Needed};

/// The part of an EtherNet/IP message where decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Layer {
    /// The 24-byte encapsulation header (Vol. 2 §2-3).
    Encapsulation,
    /// A command-specific encapsulation body (ListIdentity, RegisterSession, ...; Vol. 2 §2-4).
    Command,
    /// The Common Packet Format item list (Vol. 2 §2-6).
    Cpf,
    /// A CIP request or response header (Vol. 1 §2-4).
    Cip,
    /// An EPATH (Vol. 1 App. C).
    Path,
    /// A service's request or reply data (Connection Manager, Logix, object attributes).
    Service,
    /// A PCCC command or reply (Execute PCCC, class 0x67).
    Pccc,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Encapsulation => "encapsulation header",
            Layer::Command => "encapsulation command data",
            Layer::Cpf => "common packet format",
            Layer::Cip => "CIP header",
            Layer::Path => "CIP path",
            Layer::Service => "CIP service data",
            Layer::Pccc => "PCCC",
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
    /// A declared length is outside the accepted range.
    #[error("declared length {declared} outside the accepted range (maximum {max})")]
    TooLong {
        /// The declared length.
        declared: usize,
        /// The largest accepted.
        max: usize,
    },
    /// A stream decoder skipped `skipped` bytes that are not an encapsulation header (junk,
    /// or the rest of a PDU whose start was lost); it has resynchronised, or waits for more.
    #[error("{skipped} bytes of junk skipped")]
    Junk {
        /// Bytes skipped.
        skipped: usize,
    },
    /// A path deeper than the crate's segment cap.
    #[error("path deeper than {max} segments")]
    TooDeep {
        /// The cap.
        max: usize,
    },
}

impl Error {
    pub(crate) const fn malformed(layer: Layer, offset: usize) -> Self {
        Error::Malformed { layer, offset }
    }
}
