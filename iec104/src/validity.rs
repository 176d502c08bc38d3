//! The type identification × cause of transmission table and the direction check
//! (IEC 60870-5-101 §7.2.3 and the "semantics of cause of transmission" of each type in
//! §7.3; IEC 60870-5-104 §9 Table 14).

use crate::anomaly::Anomalies;
use crate::asdu::{AsduHeader, Params};
use crate::codes::{Cause, TypeId};

/// Which side sent an ASDU: the controlling station (master, the TCP client in 104) or the
/// controlled station (outstation, the TCP server) (IEC 60870-5-101 §3.1 "control
/// direction" and "monitor direction").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Direction {
    /// From the controlling station to the controlled station.
    Control,
    /// From the controlled station to the controlling station.
    Monitor,
}

impl Direction {
    /// The other direction.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::Control => Direction::Monitor,
            Direction::Monitor => Direction::Control,
        }
    }
}

/// A set of causes 0-63 as a bit mask.
const fn causes(mut list: &[u8]) -> u64 {
    let mut m = 0u64;
    while let [first, rest @ ..] = list {
        m |= 1 << *first;
        list = rest;
    }
    m
}

/// The causes `first..=last` as a bit mask.
const fn cause_range(first: u8, last: u8) -> u64 {
    let mut m = 0u64;
    let mut c = first;
    while c <= last {
        m |= 1 << c;
        c += 1;
    }
    m
}

const INTERROGATED: u64 = cause_range(20, 36);
const COUNTER: u64 = cause_range(37, 41);
const MIRROR: u64 = causes(&[44, 45, 46, 47]);
const COMMAND: u64 = causes(&[6, 7, 8, 9, 10]) | MIRROR;
const ACT_CON: u64 = causes(&[6, 7]) | MIRROR;

/// The causes of transmission a type identification may carry, as a bit mask over 0-63
/// (bit n set: cause n allowed). Unknown types allow every cause.
#[inline]
pub fn allowed_causes(type_id: TypeId) -> u64 {
    allowed_causes_raw(u8::from(type_id))
}

/// [`allowed_causes`] for every type identification, computed at compile time.
#[allow(clippy::indexing_slicing)] // i < 256 = t.len()
static ALLOWED: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = allowed_entry(i as u8);
        i += 1;
    }
    t
};

#[inline(always)]
fn allowed_causes_raw(id: u8) -> u64 {
    ALLOWED.get(usize::from(id)).copied().unwrap_or(u64::MAX)
}

const fn allowed_entry(id: u8) -> u64 {
    match id {
        1 | 3 | 5 => causes(&[2, 3, 5, 11, 12]) | INTERROGATED,
        2 | 4 | 6 => causes(&[3, 5, 11, 12]),
        7 | 20 => causes(&[2, 3, 5]) | INTERROGATED,
        8 | 10 | 12 | 14 => causes(&[3, 5]),
        9 | 11 | 13 | 21 => causes(&[1, 2, 3, 5]) | INTERROGATED,
        15 | 16 | 37 => causes(&[3]) | COUNTER,
        17..=19 | 38..=40 => causes(&[3]),
        30..=32 => causes(&[3, 5, 11, 12]) | INTERROGATED,
        33..=36 => causes(&[3, 5]) | INTERROGATED,
        45..=51 | 58..=64 => COMMAND,
        70 => causes(&[4]),
        100 => COMMAND,
        101 => COMMAND,
        102 => causes(&[5]) | MIRROR,
        103 => causes(&[3]) | ACT_CON,
        104 | 105 | 107 => ACT_CON,
        106 => causes(&[3]) | ACT_CON,
        110..=112 => ACT_CON | INTERROGATED,
        113 => causes(&[6, 7, 8, 9]) | MIRROR,
        120..=125 | 127 => causes(&[13]) | MIRROR,
        126 => causes(&[3, 5, 13]) | MIRROR,
        41 => causes(&[3, 5]) | COUNTER,
        81..=87 | 90..=95 => causes(&[14, 15, 16]) | MIRROR,
        _ => u64::MAX,
    }
}

/// Whether `cause` is one `type_id` may carry.
pub fn cause_allowed(type_id: TypeId, cause: Cause) -> bool {
    allowed_causes(type_id) & (1u64 << (u8::from(cause) & 0x3f)) != 0
}

/// Whether a cause value is reserved or "not used" (0, 17-19, 42-43, 48-63).
#[inline]
pub fn cause_reserved(cause: Cause) -> bool {
    matches!(u8::from(cause), 0 | 17..=19 | 42 | 43 | 48..=63)
}

/// Anomalies of the data unit identifier alone.
#[inline(always)]
pub(crate) fn header_anomalies(h: &AsduHeader, _params: Params) -> Anomalies {
    let mut a = Anomalies::empty();
    let id = u8::from(h.type_id);
    if h.count == 0 {
        a |= Anomalies::ZERO_COUNT;
    }
    let cause = h.cot.cause;
    let c = u8::from(cause);
    if cause_reserved(cause) {
        a |= Anomalies::CAUSE_RESERVED;
    } else if allowed_causes_raw(id) & (1u64 << (c & 0x3f)) == 0 {
        a |= Anomalies::CAUSE_NOT_ALLOWED;
    }
    if h.cot.negative && !matches!(c, 7 | 9 | 10 | 44..=47) {
        a |= Anomalies::NEGATIVE_NOT_CONFIRMATION;
    }
    if h.common_address.0 == 0 {
        a |= Anomalies::COMMON_ADDRESS_ZERO;
    }
    if h.sq && !matches!(id, 1..=16 | 20 | 21 | 30..=37 | 110..=112 | 126) && h.type_id.is_known() {
        a |= Anomalies::SQ_NOT_ALLOWED;
    }
    a
}

/// Whether a type may be sent with SQ=1: process information in monitor direction, the
/// parameters and the directory (IEC 60870-5-101 §7.3: the other types are "single
/// information object" only).
pub fn sq_allowed(type_id: TypeId) -> bool {
    matches!(u8::from(type_id), 1..=16 | 20 | 21 | 30..=37 | 110..=112 | 126) || !type_id.is_known()
}

/// Anomalies of an ASDU seen travelling in `dir`: a command or system request from the
/// controlled station (other than its confirmations, terminations and mirrored errors), or
/// process information from the controlling station.
pub fn direction_anomalies(h: &AsduHeader, dir: Direction) -> Anomalies {
    let id = u8::from(h.type_id);
    let cause = u8::from(h.cot.cause);
    let answer = matches!(cause, 7 | 9 | 10 | 44..=47);
    let wrong = match dir {
        Direction::Control => match id {
            // Process and system information in monitor direction.
            1..=44 | 70 => true,
            // Requests go down; confirmations, terminations and interrogated parameters
            // come up.
            45..=69 | 100..=109 | 110..=119 => answer || (20..=36).contains(&cause),
            _ => false,
        },
        Direction::Monitor => match id {
            45..=69 | 100..=102 | 104..=109 | 113..=119 => !answer,
            // Clock synchronization may also be sent spontaneously (IEC 60870-5-101
            // §7.3.4.4), parameters in answer to interrogation.
            103 => !(answer || cause == 3),
            110..=112 => !(answer || (20..=36).contains(&cause)),
            _ => false,
        },
    };
    if wrong {
        Anomalies::WRONG_DIRECTION
    } else {
        Anomalies::empty()
    }
}
