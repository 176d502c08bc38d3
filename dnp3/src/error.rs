//! Errors of framing, parsing and encoding (DESIGN.md §2 "Errors").

use core::fmt;

pub use otwire_core::{EmitError, Needed};

/// The DNP3 layer where decoding stopped (IEEE 1815-2012 §1.2: data link, transport
/// function, application layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Layer {
    /// The data link frame (IEEE 1815-2012 §9.2).
    Link,
    /// The transport function header (IEEE 1815-2012 §8.2).
    Transport,
    /// The application header: control, function code, IIN (IEEE 1815-2012 §4.2.2).
    Application,
    /// An object header or its objects (IEEE 1815-2012 §4.2.2.7).
    Object,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Link => "link frame",
            Layer::Transport => "transport header",
            Layer::Application => "application header",
            Layer::Object => "object header",
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
    /// A declared length exceeds a limit (a link LENGTH below 5, a fragment beyond the
    /// reassembly cap).
    #[error("declared length {declared} outside the accepted range (maximum {max})")]
    TooLong {
        /// The declared length.
        declared: usize,
        /// The largest accepted.
        max: usize,
    },
    /// Strict mode only: a CRC-16/DNP check failed (IEEE 1815-2012 §9.2.4.2). In the
    /// default (lax) mode a bad CRC is the anomaly `BAD_HEADER_CRC` / `BAD_DATA_CRC`.
    #[error("bad CRC at frame offset {offset}")]
    BadCrc {
        /// Offset of the failing CRC within the frame.
        offset: usize,
    },
    /// Stream decoding: bytes at the front were not a plausible frame and were skipped
    /// until the next `0x05 0x64` start (or the end of the buffer).
    #[error("skipped {skipped} bytes of non-DNP3 data")]
    Junk {
        /// Number of bytes dropped.
        skipped: usize,
    },
}
