//! Bounded IP fragment reassembly (RFC 791 §3.2 for IPv4, RFC 8200 §4.5 for IPv6).
//!
//! Every limit is a field of [`DefragLimits`]: the number of datagrams being reassembled, the
//! bytes they hold, and how long (in capture time) an incomplete one is kept. Fragments that
//! would build a payload larger than 65 535 bytes are dropped and counted.

use hashbrown::HashMap;
use std::net::IpAddr;

use crate::net::Fragment;

/// Limits of the reassembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefragLimits {
    /// Datagrams under reassembly at once; the oldest is dropped to make room.
    pub max_datagrams: usize,
    /// Bytes held by all datagrams under reassembly.
    pub max_bytes: usize,
    /// Microseconds of capture time after which an incomplete datagram is dropped.
    pub timeout_us: i64,
}

impl Default for DefragLimits {
    fn default() -> Self {
        Self {
            max_datagrams: 1024,
            max_bytes: 8 << 20,
            timeout_us: 30_000_000,
        }
    }
}

/// Largest reassembled payload (the IPv4 total length field is 16 bits).
pub const MAX_PAYLOAD: usize = 65_535;

/// Counters of the reassembler.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DefragStats {
    /// Datagrams completed.
    pub reassembled: u64,
    /// Datagrams dropped incomplete (timeout, eviction, or end of capture).
    pub dropped: u64,
    /// Fragments refused (beyond [`MAX_PAYLOAD`], or conflicting ends).
    pub refused: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    src: IpAddr,
    dst: IpAddr,
    proto: u8,
    id: u32,
}

#[derive(Debug)]
struct Datagram {
    data: Vec<u8>,
    /// Covered byte ranges, sorted and merged.
    covered: Vec<(usize, usize)>,
    total: Option<usize>,
    first_ts: i64,
}

/// The fragment reassembler.
#[derive(Debug, Default)]
pub struct Defrag {
    table: HashMap<Key, Datagram>,
    bytes: usize,
    limits: DefragLimits,
    stats: DefragStats,
}

/// Most distinct covered ranges per datagram (a fragment flood is refused past it).
const MAX_RANGES: usize = 64;

impl Defrag {
    /// A reassembler with the given limits.
    pub fn new(limits: DefragLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Counters.
    pub fn stats(&self) -> DefragStats {
        self.stats
    }

    /// Adds one fragment; returns the whole payload when this fragment completes it.
    pub fn add(
        &mut self,
        src: IpAddr,
        dst: IpAddr,
        proto: u8,
        frag: Fragment,
        payload: &[u8],
        ts_us: i64,
    ) -> Option<Vec<u8>> {
        let end = match frag.offset.checked_add(payload.len()) {
            Some(e) if e <= MAX_PAYLOAD => e,
            _ => {
                self.stats.refused += 1;
                return None;
            }
        };
        self.expire(ts_us);
        let key = Key {
            src,
            dst,
            proto,
            id: frag.id,
        };
        if !self.table.contains_key(&key) {
            while self.table.len() >= self.limits.max_datagrams.max(1)
                || self.bytes + end > self.limits.max_bytes
            {
                if !self.evict_oldest() {
                    break;
                }
            }
            if self.bytes + end > self.limits.max_bytes {
                self.stats.refused += 1;
                return None;
            }
            self.table.insert(
                key,
                Datagram {
                    data: Vec::new(),
                    covered: Vec::new(),
                    total: None,
                    first_ts: ts_us,
                },
            );
        }
        let dg = self.table.get_mut(&key)?;
        let conflicting_end = match dg.total {
            Some(t) => end > t || (!frag.more && end != t),
            None => false,
        };
        if conflicting_end || dg.covered.len() >= MAX_RANGES {
            self.stats.refused += 1;
            return None;
        }
        if !frag.more {
            dg.total = Some(end);
        }
        if dg.data.len() < end {
            self.bytes += end - dg.data.len();
            dg.data.resize(end, 0);
        }
        if let Some(dst) = dg.data.get_mut(frag.offset..end) {
            dst.copy_from_slice(payload);
        }
        insert_range(&mut dg.covered, frag.offset, end);
        let complete = match (dg.total, dg.covered.as_slice()) {
            (Some(t), [(0, e)]) => *e == t,
            _ => false,
        };
        if complete {
            let dg = self.table.remove(&key)?;
            self.bytes = self.bytes.saturating_sub(dg.data.len());
            self.stats.reassembled += 1;
            return Some(dg.data);
        }
        None
    }

    fn expire(&mut self, now: i64) {
        let timeout = self.limits.timeout_us;
        let before = self.table.len();
        let mut freed = 0;
        self.table.retain(|_, d| {
            let keep = now.saturating_sub(d.first_ts) <= timeout;
            if !keep {
                freed += d.data.len();
            }
            keep
        });
        self.bytes = self.bytes.saturating_sub(freed);
        self.stats.dropped += (before - self.table.len()) as u64;
    }

    fn evict_oldest(&mut self) -> bool {
        let Some(key) = self
            .table
            .iter()
            .min_by_key(|(_, d)| d.first_ts)
            .map(|(k, _)| *k)
        else {
            return false;
        };
        if let Some(d) = self.table.remove(&key) {
            self.bytes = self.bytes.saturating_sub(d.data.len());
            self.stats.dropped += 1;
        }
        true
    }

    /// Drops everything incomplete (end of capture).
    pub fn finish(&mut self) {
        self.stats.dropped += self.table.len() as u64;
        self.table.clear();
        self.bytes = 0;
    }
}

fn insert_range(ranges: &mut Vec<(usize, usize)>, start: usize, end: usize) {
    let mut s = start;
    let mut e = end;
    ranges.retain(|&(a, b)| {
        if b < s || a > e {
            true
        } else {
            s = s.min(a);
            e = e.max(b);
            false
        }
    });
    let pos = ranges
        .iter()
        .position(|&(a, _)| a > s)
        .unwrap_or(ranges.len());
    ranges.insert(pos, (s, e));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn reassembles_out_of_order_with_overlap() {
        let mut d = Defrag::new(DefragLimits::default());
        let f = |offset, more| Fragment {
            id: 7,
            offset,
            more,
        };
        let data: Vec<u8> = (0..40u8).collect();
        assert!(
            d.add(a("1.1.1.1"), a("2.2.2.2"), 6, f(24, false), &data[24..], 0)
                .is_none()
        );
        assert!(
            d.add(a("1.1.1.1"), a("2.2.2.2"), 6, f(0, true), &data[..16], 1)
                .is_none()
        );
        let out = d
            .add(a("1.1.1.1"), a("2.2.2.2"), 6, f(8, true), &data[8..32], 2)
            .unwrap();
        assert_eq!(out, data);
        assert_eq!(d.stats().reassembled, 1);
        assert_eq!(d.bytes, 0);
    }

    #[test]
    fn bounded_and_expiring() {
        let mut d = Defrag::new(DefragLimits {
            max_datagrams: 2,
            max_bytes: 1000,
            timeout_us: 10,
        });
        for id in 0..5 {
            d.add(
                a("1.1.1.1"),
                a("2.2.2.2"),
                6,
                Fragment {
                    id,
                    offset: 0,
                    more: true,
                },
                &[0; 100],
                0,
            );
        }
        assert!(d.table.len() <= 2);
        d.add(
            a("1.1.1.1"),
            a("2.2.2.2"),
            6,
            Fragment {
                id: 99,
                offset: 8,
                more: true,
            },
            &[0; 8],
            100,
        );
        assert_eq!(d.table.len(), 1);
        assert!(
            d.add(
                a("1.1.1.1"),
                a("2.2.2.2"),
                6,
                Fragment {
                    id: 1,
                    offset: 65_000,
                    more: true
                },
                &[0; 600],
                100
            )
            .is_none()
        );
        assert_eq!(d.stats().refused, 1);
    }
}
