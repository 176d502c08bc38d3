//! The MITRE ATT&CK for ICS v18.1 technique catalog (DESIGN.md §3 `catalog`).
//!
//! `generated.rs` is produced from `../shared/attack/ics-attack-18.1-techniques.csv` by
//! `OTWIRE_REGENERATE=1 cargo test -p otwire-detect --test catalog`; the same test checks
//! that the committed table matches the file.

use serde::{Serialize, Serializer};

#[rustfmt::skip]
mod generated;

pub use generated::*;

/// One ATT&CK for ICS technique: its id, name and tactics (ATT&CK for ICS v18.1).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Technique {
    /// The technique id, `"T0855"`.
    pub id: &'static str,
    /// The technique name, `"Unauthorized Command Message"`.
    pub name: &'static str,
    /// The tactics (ATT&CK short names, `"impair-process-control"`).
    pub tactics: &'static [&'static str],
}

impl Serialize for Technique {
    /// Serializes as the id.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

/// Looks a technique up by id (`"T0855"`).
pub fn technique(id: &str) -> Option<&'static Technique> {
    TECHNIQUES.iter().copied().find(|t| t.id == id)
}

/// The position of a technique in [`TECHNIQUES`] (a small stable key for tables).
pub fn index_of(t: &'static Technique) -> u16 {
    TECHNIQUES
        .iter()
        .position(|x| core::ptr::eq(*x, t))
        .and_then(|i| u16::try_from(i).ok())
        .unwrap_or(u16::MAX)
}
