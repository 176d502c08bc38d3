//! Errors of framing, parsing and encoding (DESIGN.md §2 "Errors").

use core::fmt;

pub use otwire_core::{EmitError, Needed};

/// The part of an IEC 60870-5 message where decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Layer {
    /// The APCI: start byte, length and control field (IEC 60870-5-104 §5).
    Apci,
    /// The data unit identifier of the ASDU (IEC 60870-5-101 §7.2).
    AsduHeader,
    /// The information objects of the ASDU (IEC 60870-5-101 §7.3).
    InformationObject,
    /// An IEC 60870-5-101 FT1.2 link frame (IEC 60870-5-1 §6.2.4, IEC 60870-5-2).
    Ft12,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Apci => "APCI",
            Layer::AsduHeader => "ASDU header",
            Layer::InformationObject => "information object",
            Layer::Ft12 => "FT1.2 frame",
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
    /// A declared length is outside what the protocol allows (APDU length 0-3 or above 253).
    #[error("declared length {declared} outside the accepted range (maximum {max})")]
    TooLong {
        /// The declared length.
        declared: usize,
        /// The largest accepted.
        max: usize,
    },
    /// The frame does not start with its start character (0x68 for 104; 0x10, 0x68 or 0xE5
    /// for FT1.2).
    #[error("bad start byte {found:#04x}")]
    BadStart {
        /// The byte found where the start character belongs.
        found: u8,
    },
    /// Bytes before the next plausible frame were skipped by the stream decoder.
    #[error("skipped {skipped} bytes of junk before the next frame")]
    Junk {
        /// How many bytes were dropped.
        skipped: usize,
    },
    /// An FT1.2 frame whose checksum or stop character is wrong (IEC 60870-5-1 §6.2.4.2).
    #[error("FT1.2 checksum {found:#04x}, computed {computed:#04x}")]
    BadChecksum {
        /// The checksum in the frame.
        found: u8,
        /// The checksum of the frame's bytes.
        computed: u8,
    },
}
