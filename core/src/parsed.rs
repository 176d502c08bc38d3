//! A decoded message with its anomaly flags, and what a probe concluded (DESIGN.md §2
//! "Types" and "Functions").

/// A decoded message and what was off about it: DESIGN.md's "`Ok` with flags beats `Err`".
///
/// Each parser crate names it with its own flags: `otwire_modbus::Parsed<T>` is
/// `Parsed<T, otwire_modbus::Anomalies>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Parsed<T, A> {
    /// The message.
    pub pdu: T,
    /// Recoverable violations found while decoding it.
    pub anomalies: A,
}

impl<T, A> Parsed<T, A> {
    /// A message with its flags.
    #[inline]
    pub const fn new(pdu: T, anomalies: A) -> Self {
        Self { pdu, anomalies }
    }

    /// Applies `f` to the message, keeping the anomalies.
    #[inline]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Parsed<U, A> {
        Parsed {
            pdu: f(self.pdu),
            anomalies: self.anomalies,
        }
    }

    /// The message and the flags, borrowed.
    #[inline]
    pub const fn as_ref(&self) -> Parsed<&T, &A> {
        Parsed {
            pdu: &self.pdu,
            anomalies: &self.anomalies,
        }
    }
}

/// What `probe(bytes)` concluded: is this plausibly the protocol? For identification on
/// non-standard ports, and for telling another protocol on a well-known port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Probe {
    /// The bytes start like a frame of the protocol.
    Recognized,
    /// They are not the protocol.
    Unrecognized,
    /// Too few bytes to tell.
    NeedMore,
}
