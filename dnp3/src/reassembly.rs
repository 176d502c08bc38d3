//! Transport reassembly (IEEE 1815-2012 §8.2.3): application fragments rebuilt from the
//! segments of consecutive link frames, per (source, destination) pair, with caps on
//! fragment size and on the number of concurrent reassemblies.

use alloc::vec::Vec;

use crate::anomaly::Anomalies;
use crate::link::{Address, Frame, LinkHeader};
use crate::transport::Segment;

/// Default cap on a reassembled fragment. IEEE 1815-2012 recommends 2048 octets; devices
/// may be configured larger, so the default allows 32 KiB.
pub const MAX_FRAGMENT_SIZE: usize = 32 * 1024;
/// Default cap on concurrent reassemblies (distinct source/destination pairs in progress).
pub const MAX_REASSEMBLIES: usize = 256;

/// Limits of a [`Reassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReassemblyLimits {
    /// Largest fragment assembled; a longer one is discarded with `FRAGMENT_TOO_LONG`.
    pub max_fragment_size: usize,
    /// Largest number of fragments in progress; past it the least recently used is
    /// evicted with `REASSEMBLY_EVICTED`.
    pub max_reassemblies: usize,
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        ReassemblyLimits {
            max_fragment_size: MAX_FRAGMENT_SIZE,
            max_reassemblies: MAX_REASSEMBLIES,
        }
    }
}

/// A complete application fragment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Fragment {
    /// Link source of its frames.
    pub source: Address,
    /// Link destination of its frames.
    pub destination: Address,
    /// The application octets.
    pub data: Vec<u8>,
    /// Number of segments it was built from.
    pub segments: usize,
}

/// What one pushed segment produced.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Pushed {
    /// The fragment this segment completed, if any.
    pub fragment: Option<Fragment>,
    /// Transport anomalies this segment revealed.
    pub anomalies: Anomalies,
}

#[derive(Debug, Clone)]
struct Slot {
    source: Address,
    destination: Address,
    last_seq: u8,
    data: Vec<u8>,
    segments: usize,
    last_used: u64,
}

/// Counters of a [`Reassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReassemblyStats {
    /// Fragments completed.
    pub fragments: u64,
    /// Segments discarded (duplicate, out of sequence, without FIR, too long).
    pub discarded_segments: u64,
    /// Partial fragments evicted because the table was full.
    pub evicted: u64,
}

/// Rebuilds application fragments from transport segments (§8.2.3), one reassembly per
/// (source, destination) pair. Memory is bounded by `max_reassemblies ×
/// max_fragment_size`.
#[derive(Debug, Clone, Default)]
pub struct Reassembler {
    limits: ReassemblyLimits,
    slots: Vec<Slot>,
    tick: u64,
    stats: ReassemblyStats,
}

impl Reassembler {
    /// A reassembler with the default limits.
    pub fn new() -> Self {
        Reassembler::with_limits(ReassemblyLimits::default())
    }

    /// A reassembler with explicit limits.
    pub fn with_limits(limits: ReassemblyLimits) -> Self {
        Reassembler {
            limits,
            slots: Vec::new(),
            tick: 0,
            stats: ReassemblyStats::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// Fragments in progress.
    pub fn in_progress(&self) -> usize {
        self.slots.len()
    }

    /// Pushes the segment of a link frame (frames without user data produce nothing).
    pub fn push_frame(&mut self, frame: &Frame<'_>) -> Pushed {
        let user = frame.user_data();
        self.push(&frame.header, &user)
    }

    /// Pushes a segment (de-blocked link user data) received with `header`.
    pub fn push(&mut self, header: &LinkHeader, user_data: &[u8]) -> Pushed {
        let Ok(seg) = Segment::parse(user_data) else {
            return Pushed::default();
        };
        self.tick += 1;
        let (source, destination) = (header.source, header.destination);
        let th = seg.header;
        let pos = self
            .slots
            .iter()
            .position(|s| s.source == source && s.destination == destination);
        let mut anomalies = Anomalies::empty();

        if let Some(i) = pos {
            let Some(slot) = self.slots.get_mut(i) else {
                return Pushed::default();
            };
            let expected = (slot.last_seq + 1) & 0x3F;
            if th.seq == slot.last_seq && !(th.fir && slot.segments > 1) {
                // A repeat of the last segment: discard it, keep the fragment.
                self.stats.discarded_segments += 1;
                return Pushed {
                    fragment: None,
                    anomalies: Anomalies::DUPLICATE_SEGMENT,
                };
            }
            if th.fir {
                anomalies |= Anomalies::DROPPED_SEGMENT;
                self.slots.swap_remove(i);
            } else if th.seq == expected {
                slot.last_seq = th.seq;
                slot.last_used = self.tick;
                slot.segments += 1;
                if slot.data.len() + seg.payload.len() > self.limits.max_fragment_size {
                    self.slots.swap_remove(i);
                    self.stats.discarded_segments += 1;
                    return Pushed {
                        fragment: None,
                        anomalies: Anomalies::FRAGMENT_TOO_LONG,
                    };
                }
                slot.data.extend_from_slice(seg.payload);
                if th.fin {
                    let slot = self.slots.swap_remove(i);
                    self.stats.fragments += 1;
                    return Pushed {
                        fragment: Some(Fragment {
                            source,
                            destination,
                            data: slot.data,
                            segments: slot.segments,
                        }),
                        anomalies,
                    };
                }
                return Pushed {
                    fragment: None,
                    anomalies,
                };
            } else {
                let ahead = th.seq.wrapping_sub(expected) & 0x3F;
                anomalies |= if ahead < 32 {
                    Anomalies::DROPPED_SEGMENT
                } else {
                    Anomalies::OUT_OF_SEQUENCE
                };
                self.slots.swap_remove(i);
                self.stats.discarded_segments += 1;
                return Pushed {
                    fragment: None,
                    anomalies,
                };
            }
        }

        if !th.fir {
            self.stats.discarded_segments += 1;
            return Pushed {
                fragment: None,
                anomalies: anomalies | Anomalies::SEGMENT_WITHOUT_FIR,
            };
        }
        if seg.payload.len() > self.limits.max_fragment_size {
            self.stats.discarded_segments += 1;
            return Pushed {
                fragment: None,
                anomalies: anomalies | Anomalies::FRAGMENT_TOO_LONG,
            };
        }
        if th.fin {
            self.stats.fragments += 1;
            return Pushed {
                fragment: Some(Fragment {
                    source,
                    destination,
                    data: seg.payload.to_vec(),
                    segments: 1,
                }),
                anomalies,
            };
        }
        if self.slots.len() >= self.limits.max_reassemblies.max(1) {
            if let Some((i, _)) = self
                .slots
                .iter()
                .enumerate()
                .min_by_key(|(_, s)| s.last_used)
            {
                self.slots.swap_remove(i);
                self.stats.evicted += 1;
                anomalies |= Anomalies::REASSEMBLY_EVICTED;
            }
        }
        self.slots.push(Slot {
            source,
            destination,
            last_seq: th.seq,
            data: seg.payload.to_vec(),
            segments: 1,
            last_used: self.tick,
        });
        Pushed {
            fragment: None,
            anomalies,
        }
    }
}
