//! Errors of framing, parsing and encoding (DESIGN.md §2 "Errors") for TPKT (RFC 1006),
//! COTP (ISO 8073), S7comm and S7comm-plus.

use core::fmt;

pub use otwire_core::{EmitError, Needed};

/// The part of an S7 message where decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Layer {
    /// The four-byte TPKT header (RFC 1006 §6).
    Tpkt,
    /// The COTP TPDU (ISO 8073 §13).
    Cotp,
    /// The S7comm header (protocol id 0x32).
    Header,
    /// The S7comm parameter part.
    Parameter,
    /// The S7comm data part.
    Data,
    /// An S7comm-plus frame (protocol id 0x72).
    Plus,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Tpkt => "TPKT header",
            Layer::Cotp => "COTP TPDU",
            Layer::Header => "S7comm header",
            Layer::Parameter => "S7comm parameter",
            Layer::Data => "S7comm data",
            Layer::Plus => "S7comm-plus frame",
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
    /// A stream decoder skipped `skipped` bytes that are not a TPKT (junk, or the rest of
    /// a TPKT whose start was lost); it has resynchronised, or waits for more bytes.
    #[error("{skipped} bytes of junk skipped")]
    Junk {
        /// Bytes skipped.
        skipped: usize,
    },
    /// The bytes are not this protocol: the first byte is not the protocol id
    /// (0x03 for TPKT, 0x32 for S7comm, 0x72 for S7comm-plus).
    #[error("not this protocol: protocol id {0:#04x}")]
    WrongProtocol(u8),
}

impl Error {
    pub(crate) const fn malformed(layer: Layer, offset: usize) -> Self {
        Error::Malformed { layer, offset }
    }
}
