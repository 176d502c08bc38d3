//! Small value types that give Modbus fields their meaning (Application Protocol §4.3;
//! Messaging Implementation Guide §3.1.3).

use core::fmt;

use crate::anomaly::Anomalies;

/// The unit identifier of the MBAP header, or the RTU server address (0 = broadcast on a
/// serial line, 1-247 servers, 248-255 reserved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct UnitId(pub u8);

/// The MBAP transaction identifier that pairs a response with its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct TransactionId(pub u16);

/// A 0-based data address on the wire (coil, input, register or FIFO pointer), §4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Address(pub u16);

macro_rules! newtype_conversions {
    ($($t:ident($inner:ty)),*) => {$(
        impl From<$inner> for $t {
            fn from(v: $inner) -> Self {
                $t(v)
            }
        }
        impl From<$t> for $inner {
            fn from(v: $t) -> Self {
                v.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}
newtype_conversions!(UnitId(u8), TransactionId(u16), Address(u16));

/// Which way a PDU travels: Modbus requests and responses share function codes, so their
/// bodies decode only when the direction is known (Application Protocol §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Direction {
    /// Client (master) to server (slave).
    Request,
    /// Server to client.
    Response,
}

/// A decoded message and what was off about it: DESIGN.md's "`Ok` with flags"
/// ([`otwire_core::Parsed`] with this crate's [`Anomalies`]).
pub type Parsed<T> = otwire_core::Parsed<T, Anomalies>;
