//! The built-in detectors: single-message matchers and the seven stateful families of
//! DESIGN.md §3.

mod allowlist;
mod arp;
mod conformance;
mod new_asset;
mod path;
mod periodicity;
mod rate;
mod scan;
mod state;
mod stateless;
mod value;

pub use allowlist::Allowlist;
pub use arp::ArpWatch;
pub use conformance::ConformanceCheck;
pub use new_asset::NewAsset;
pub use path::PathWatch;
pub use periodicity::Periodicity;
pub use rate::RateScan;
pub use scan::{NetScan, OT_PORTS};
pub use state::{RING, StateExtension, Transactions};
pub use stateless::Matchers;
pub use value::ValueRange;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;
use crate::config::Config;
use crate::detector::Detector;
use crate::event::Ip;

/// The detectors `config.enable` turns on, in the engine's fixed order.
pub fn builtin(config: &Config) -> Vec<Box<dyn Detector>> {
    let mut v: Vec<Box<dyn Detector>> = Vec::new();
    let e = config.enable;
    if e.stateless {
        v.push(Box::new(Matchers::new()));
    }
    if e.new_asset {
        v.push(Box::new(NewAsset::new(config)));
    }
    if e.allowlist {
        v.push(Box::new(Allowlist::new(config)));
    }
    if e.periodicity {
        v.push(Box::new(Periodicity::new(config)));
    }
    if e.state {
        let t = crate::protocol::registry()
            .iter()
            .filter_map(|p| p.state_extension(config))
            .fold(Transactions::new(config), Transactions::with_extension);
        v.push(Box::new(t));
    }
    if e.value {
        v.push(Box::new(ValueRange::new(config)));
    }
    if e.rate {
        v.push(Box::new(RateScan::new(config)));
    }
    if e.conformance {
        v.push(Box::new(ConformanceCheck::new(config)));
    }
    // The network detectors (scans, ARP bindings, talker paths).
    if e.scan {
        v.push(Box::new(NetScan::new(config)));
    }
    if e.arp {
        v.push(Box::new(ArpWatch::new(config)));
    }
    if e.path {
        v.push(Box::new(PathWatch::new(config)));
    }
    v
}

/// True if `ip` is one of the trusted clients.
fn trusted(list: &[Ip], ip: &Ip) -> bool {
    list.iter().any(|t| t == ip)
}

pub(crate) fn save<T: Serialize>(t: &T) -> Result<Value, Error> {
    serde_json::to_value(t).map_err(|e| Error::Baseline(e.to_string()))
}

pub(crate) fn load<T: DeserializeOwned>(v: Value) -> Result<T, Error> {
    serde_json::from_value(v).map_err(|e| Error::Baseline(e.to_string()))
}

/// A 64-bit mix (SplitMix64 finaliser) for sketches; deterministic across runs.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Folds an address into 64 bits.
fn fold_ip(ip: &Ip) -> u64 {
    let mut hi = [0u8; 8];
    let mut lo = [0u8; 8];
    let (h, l) = ip.split_at(8);
    hi.copy_from_slice(h);
    lo.copy_from_slice(l);
    mix(u64::from_le_bytes(hi) ^ mix(u64::from_le_bytes(lo)))
}

/// Seconds between two microsecond times.
pub(crate) fn secs(us: u64) -> f64 {
    us as f64 / 1e6
}

/// A set of bytes (256 bits): exact for TTLs, a linear-counting sketch for hashed items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub(crate) struct Bits256([u64; 4]);

impl Bits256 {
    /// Adds `i`; true if it was absent.
    pub(crate) fn set(&mut self, i: u8) -> bool {
        let m = 1u64 << (i % 64);
        match self.0.get_mut(usize::from(i / 64)) {
            Some(w) if *w & m == 0 => {
                *w |= m;
                true
            }
            _ => false,
        }
    }

    /// True if `i` is in the set.
    pub(crate) fn has(&self, i: u8) -> bool {
        self.0
            .get(usize::from(i / 64))
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// True if the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The members, ascending.
    pub(crate) fn members(&self) -> Vec<u8> {
        (0..=255u8).filter(|&i| self.has(i)).collect()
    }
}

/// Up to four MACs, in the order first seen; a fifth marks the set `full` (no longer
/// judged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub(crate) struct MacSet {
    macs: [crate::net::Mac; 4],
    n: u8,
    /// A fifth MAC was seen.
    pub(crate) full: bool,
}

impl MacSet {
    /// True if `mac` is in the set.
    pub(crate) fn knows(&self, mac: &crate::net::Mac) -> bool {
        self.list().contains(mac)
    }

    /// True if no MAC was ever added.
    pub(crate) fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Adds `mac` (marking the set full when there is no room).
    pub(crate) fn learn(&mut self, mac: crate::net::Mac) {
        if self.knows(&mac) {
            return;
        }
        match self.macs.get_mut(usize::from(self.n)) {
            Some(slot) => {
                *slot = mac;
                self.n += 1;
            }
            None => self.full = true,
        }
    }

    /// The MACs.
    pub(crate) fn list(&self) -> &[crate::net::Mac] {
        self.macs.get(..usize::from(self.n)).unwrap_or(&[])
    }

    /// The MACs as `aa:bb:cc:dd:ee:ff` strings.
    pub(crate) fn names(&self) -> Vec<String> {
        self.list().iter().map(arp::mac_str).collect()
    }
}
