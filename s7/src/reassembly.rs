//! Reassembly with caps (DESIGN.md §2 "Streams"): COTP TSDUs from DTs without and with the
//! end-of-TSDU mark (ISO 8073 §13.7), fragmented userdata answers by data-unit reference
//! and last-unit flag, and fragmented S7comm-plus PDUs (trailer only on the last fragment,
//! V3 integrity part stripped from each); and the S7comm-plus session state (session id
//! from CreateObject, TLS after InitSsl).

use alloc::vec::Vec;

use crate::anomaly::Anomalies;
use crate::codes::FunctionGroup;
use crate::plus::{PlusFrame, PlusPdu};
use crate::userdata::Userdata;

/// Default cap on one reassembled TSDU or userdata answer (bytes): far above the 960-byte
/// S7comm PDU and the few kilobytes of the longest SZL answers.
pub const MAX_REASSEMBLY_SIZE: usize = 64 * 1024;
/// Default cap on one reassembled S7comm-plus PDU (bytes): program downloads from TIA
/// Portal send PDUs of hundreds of kilobytes.
pub const MAX_PLUS_PDU_SIZE: usize = 4 * 1024 * 1024;
/// Default cap on userdata answers in progress at once.
pub const MAX_REASSEMBLIES: usize = 16;

/// Limits of the reassemblers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReassemblyLimits {
    /// Largest TSDU or userdata answer kept; a longer one is discarded with
    /// `REASSEMBLY_TOO_LONG`.
    pub max_size: usize,
    /// Largest S7comm-plus PDU kept.
    pub max_plus_size: usize,
    /// Largest number of userdata answers in progress; past it the oldest is evicted
    /// with `REASSEMBLY_EVICTED`.
    pub max_in_progress: usize,
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        ReassemblyLimits {
            max_size: MAX_REASSEMBLY_SIZE,
            max_plus_size: MAX_PLUS_PDU_SIZE,
            max_in_progress: MAX_REASSEMBLIES,
        }
    }
}

/// Counters of a reassembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReassemblyStats {
    /// Reassemblies completed from more than one piece.
    pub completed: u64,
    /// Pieces discarded (too long, without a start).
    pub discarded: u64,
    /// Reassemblies evicted because the table was full.
    pub evicted: u64,
}

/// Rebuilds COTP TSDUs from DT TPDUs, for one direction of one connection.
///
/// A DT with EOT and nothing pending is returned as it is, without a copy.
///
/// ```
/// use otwire_s7::CotpReassembler;
/// let mut r = CotpReassembler::new();
/// assert_eq!(r.push(false, &[0x32, 1]).0, None);
/// assert_eq!(r.push(true, &[0, 0]).0, Some(&[0x32, 1, 0, 0][..]));
/// assert_eq!(r.push(true, &[0x72]).0, Some(&[0x72][..]));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CotpReassembler {
    limits: ReassemblyLimits,
    buf: Vec<u8>,
    done: bool,
    overflow: bool,
    stats: ReassemblyStats,
}

impl CotpReassembler {
    /// A reassembler with the default limits.
    pub fn new() -> Self {
        Self::with_limits(ReassemblyLimits::default())
    }

    /// A reassembler with explicit limits.
    pub fn with_limits(limits: ReassemblyLimits) -> Self {
        CotpReassembler {
            limits,
            ..Self::default()
        }
    }

    /// Counters.
    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// Bytes of a TSDU in progress.
    pub fn pending(&self) -> usize {
        if self.done { 0 } else { self.buf.len() }
    }

    /// Drops a TSDU in progress (after a TCP gap).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.done = false;
        self.overflow = false;
    }

    /// Pushes the user data of one DT; returns the whole TSDU when `eot` completes it.
    pub fn push<'s>(&'s mut self, eot: bool, user_data: &'s [u8]) -> (Option<&'s [u8]>, Anomalies) {
        if self.done {
            self.reset();
        }
        if eot && self.buf.is_empty() && !self.overflow {
            return (Some(user_data), Anomalies::empty());
        }
        if self.overflow || self.buf.len() + user_data.len() > self.limits.max_size {
            self.stats.discarded += 1;
            let first = !self.overflow;
            self.buf.clear();
            self.overflow = !eot;
            return (None, Anomalies::when(first, Anomalies::REASSEMBLY_TOO_LONG));
        }
        self.buf.extend_from_slice(user_data);
        if !eot {
            return (None, Anomalies::empty());
        }
        self.done = true;
        self.stats.completed += 1;
        (Some(&self.buf), Anomalies::empty())
    }
}

/// One userdata answer in progress.
#[derive(Debug, Clone)]
struct Slot {
    group: FunctionGroup,
    subfunction: u8,
    data_unit_ref: u8,
    data: Vec<u8>,
    age: u64,
}

/// A whole userdata answer rebuilt from its fragments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Reassembled {
    /// Function group.
    pub group: FunctionGroup,
    /// Subfunction.
    pub subfunction: u8,
    /// The joined payloads (for an SZL read: header and all records, for
    /// [`SzlAnswer::parse`](crate::SzlAnswer::parse)).
    pub payload: Vec<u8>,
}

/// Rebuilds userdata answers sent in several data units (data-unit reference and
/// last-unit flag), for one direction of one connection.
#[derive(Debug, Clone, Default)]
pub struct UserdataReassembler {
    limits: ReassemblyLimits,
    slots: Vec<Slot>,
    tick: u64,
    stats: ReassemblyStats,
}

impl UserdataReassembler {
    /// A reassembler with the default limits.
    pub fn new() -> Self {
        Self::with_limits(ReassemblyLimits::default())
    }

    /// A reassembler with explicit limits.
    pub fn with_limits(limits: ReassemblyLimits) -> Self {
        UserdataReassembler {
            limits,
            ..Self::default()
        }
    }

    /// Counters.
    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// Answers in progress.
    pub fn in_progress(&self) -> usize {
        self.slots.len()
    }

    /// Bytes held for answers in progress.
    pub fn pending(&self) -> usize {
        self.slots.iter().map(|s| s.data.len()).sum()
    }

    /// Pushes a userdata PDU. Answers that are not fragments pass by (`None`); a fragment
    /// joins its answer; the last one returns the whole answer.
    pub fn push(&mut self, ud: &Userdata<'_>) -> (Option<Reassembled>, Anomalies) {
        let p = ud.params;
        let Some(ext) = p.ext.filter(|_| p.is_response() && p.is_fragment()) else {
            return (None, Anomalies::empty());
        };
        self.tick += 1;
        let payload = ud.payload();
        let pos = self.slots.iter().position(|s| {
            s.group == p.group
                && s.subfunction == p.subfunction
                && s.data_unit_ref == ext.data_unit_ref
        });
        let mut a = Anomalies::empty();
        let i = match pos {
            Some(i) => i,
            None => {
                if self.slots.len() >= self.limits.max_in_progress.max(1) {
                    if let Some((i, _)) = self.slots.iter().enumerate().min_by_key(|(_, s)| s.age) {
                        self.slots.swap_remove(i);
                        self.stats.evicted += 1;
                        a |= Anomalies::REASSEMBLY_EVICTED;
                    }
                }
                self.slots.push(Slot {
                    group: p.group,
                    subfunction: p.subfunction,
                    data_unit_ref: ext.data_unit_ref,
                    data: Vec::new(),
                    age: self.tick,
                });
                self.slots.len() - 1
            }
        };
        let Some(slot) = self.slots.get_mut(i) else {
            return (None, a);
        };
        if slot.data.len() + payload.len() > self.limits.max_size {
            self.slots.swap_remove(i);
            self.stats.discarded += 1;
            return (None, a | Anomalies::REASSEMBLY_TOO_LONG);
        }
        slot.data.extend_from_slice(payload);
        slot.age = self.tick;
        if !ext.is_last() {
            return (None, a);
        }
        let slot = self.slots.swap_remove(i);
        self.stats.completed += 1;
        (
            Some(Reassembled {
                group: slot.group,
                subfunction: slot.subfunction,
                payload: slot.data,
            }),
            a,
        )
    }
}

/// Rebuilds S7comm-plus PDUs sent as several frames (the trailer marks the last), with
/// the V3 integrity part of every frame left out, for one direction of one connection.
#[derive(Debug, Clone, Default)]
pub struct PlusReassembler {
    limits: ReassemblyLimits,
    buf: Vec<u8>,
    done: bool,
    stats: ReassemblyStats,
}

impl PlusReassembler {
    /// A reassembler with the default limits.
    pub fn new() -> Self {
        Self::with_limits(ReassemblyLimits::default())
    }

    /// A reassembler with explicit limits.
    pub fn with_limits(limits: ReassemblyLimits) -> Self {
        PlusReassembler {
            limits,
            ..Self::default()
        }
    }

    /// Counters.
    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// Bytes of a PDU in progress.
    pub fn pending(&self) -> usize {
        if self.done { 0 } else { self.buf.len() }
    }

    /// Pushes a frame; returns the PDU's data (data header and body) when the frame is
    /// the last of its PDU. A single-frame PDU comes back without a copy. System frames
    /// (keep-alive, event) pass by as they are.
    pub fn push<'s>(&'s mut self, frame: &PlusFrame<'s>) -> (Option<&'s [u8]>, Anomalies) {
        if self.done {
            self.buf.clear();
            self.done = false;
        }
        if frame.is_system() {
            return (Some(frame.data), Anomalies::empty());
        }
        if frame.trailer && self.buf.is_empty() {
            return (Some(frame.data), Anomalies::empty());
        }
        if self.buf.len() + frame.data.len() > self.limits.max_plus_size {
            self.buf.clear();
            self.stats.discarded += 1;
            return (None, Anomalies::REASSEMBLY_TOO_LONG);
        }
        self.buf.extend_from_slice(frame.data);
        if !frame.trailer {
            return (None, Anomalies::empty());
        }
        self.done = true;
        self.stats.completed += 1;
        (Some(&self.buf), Anomalies::empty())
    }
}

/// The S7comm-plus state of one connection (both directions): the session id the
/// CreateObject answer assigned, and whether InitSsl switched the payloads to TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PlusSession {
    /// The session id, once known.
    pub session: Option<u32>,
    /// Whether the connection carries TLS records from now on.
    pub tls: bool,
}

impl PlusSession {
    /// Learns from a decoded PDU.
    pub fn observe(&mut self, pdu: &PlusPdu<'_>) {
        if let Some(s) = pdu.created_session() {
            self.session = Some(s);
        }
        if pdu.starts_tls() {
            self.tls = true;
        }
    }
}
