//! Message content fingerprints (issue 13, replayed commands and spoofed reports): a
//! stable hash of what a message says without the fields that legitimately change between
//! two sends of it (transaction ids, sequence numbers, session handles). Each protocol's
//! `Message::content` says which fields it leaves out; [`Detail::content`] dispatches.

use super::Detail;
use crate::detectors::mix;

/// A stable, non-cryptographic 64-bit hash fed field by field: no random seed, so the
/// same content gives the same fingerprint in every run and build, and fingerprints saved
/// in a baseline reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    h: u64,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

impl Fingerprint {
    /// An empty fingerprint.
    pub const fn new() -> Self {
        Self {
            h: 0x243f_6a88_85a3_08d3,
        }
    }

    /// Feeds one number.
    #[inline]
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.h = mix(self.h.rotate_left(23) ^ v);
        self
    }

    /// Feeds bytes (their length first, so that `ab`,`c` and `a`,`bc` differ), eight at a
    /// time.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.u64(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.u64(rest.iter().fold(0u64, |a, &x| a << 8 | u64::from(x)));
        }
        self
    }

    /// The hash.
    pub const fn finish(&self) -> u64 {
        self.h
    }

    /// The fingerprint of `b` alone.
    pub fn of(b: &[u8]) -> u64 {
        Self::new().bytes(b).finish()
    }
}

impl Detail<'_> {
    /// The fingerprint of the message's content without the fields that legitimately
    /// change between two sends of the same message (Modbus transaction id, DNP3
    /// application and transport sequence numbers, IEC 104 N(S)/N(R), S7comm PDU reference
    /// and userdata sequence, S7comm-plus sequence number and session, EtherNet/IP session
    /// handle, sender context and CIP sequence count); `None` when the event carries no
    /// message with content (S and U frames, COTP or encapsulation session management,
    /// network events, undecoded bytes).
    pub fn content(&self) -> Option<u64> {
        let mut f = Fingerprint::new();
        self.feed_content(&mut f).then(|| f.finish())
    }

    /// Feeds the message's content to `f` (each protocol's `Message::content`).
    fn feed_content(&self, f: &mut Fingerprint) -> bool {
        match self {
            #[cfg(feature = "modbus")]
            Self::Modbus(m) => m.content(f),
            #[cfg(feature = "dnp3")]
            Self::Dnp3(m) => m.content(f),
            #[cfg(feature = "iec104")]
            Self::Iec104(m) => m.content(f),
            #[cfg(feature = "s7")]
            Self::S7(m) => m.content(f),
            #[cfg(feature = "enip")]
            Self::Enip(m) => m.content(f),
            _ => {
                let _ = f;
                false
            }
        }
    }
}
