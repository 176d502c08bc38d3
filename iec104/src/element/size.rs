//! The fixed size of each type's information element (IEC 60870-5-101 §7.3), as a table
//! indexed by the type identification, and which types `Element::decode` knows.

use crate::codes::TypeId;

/// The fixed size of a type's information element in octets, `None` for the variable-size
/// (125, security) and unknown types (IEC 60870-5-101 §7.3).
#[inline]
pub fn element_size(type_id: TypeId) -> Option<usize> {
    element_size_raw(u8::from(type_id))
}

/// The element size of a type as a table entry (`NONE` for variable and unknown types).
const fn size_entry(id: u8) -> u8 {
    match id {
        1 | 3 => 1,
        2 | 4 => 4,
        5 => 2,
        6 => 5,
        7 => 5,
        8 => 8,
        9 => 3,
        10 => 6,
        11 => 3,
        12 => 6,
        13 => 5,
        14 => 8,
        15 => 5,
        16 => 8,
        17 => 6,
        18 | 19 => 7,
        20 => 5,
        21 => 2,
        30 | 31 => 8,
        32 => 9,
        33 => 12,
        34 | 35 => 10,
        36 | 37 => 12,
        38 => 10,
        39 | 40 => 11,
        45..=47 => 1,
        48 | 49 => 3,
        50 => 5,
        51 => 4,
        58..=60 => 8,
        61 | 62 => 10,
        63 => 12,
        64 => 11,
        70 | 100 | 101 => 1,
        102 => 0,
        103 => 7,
        104 => 2,
        105 => 1,
        106 => 2,
        107 => 9,
        110 | 111 => 3,
        112 => 5,
        113 => 1,
        120 => 6,
        121 => 7,
        122 => 4,
        123 => 5,
        124 => 4,
        126 => 13,
        127 => 16,
        _ => NONE,
    }
}

const NONE: u8 = 0xff;

/// Element sizes indexed by type identification.
#[allow(clippy::indexing_slicing)] // i < 256 = t.len()
static SIZES: [u8; 256] = {
    let mut t = [NONE; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = size_entry(i as u8);
        i += 1;
    }
    t
};

/// [`element_size`] on the raw type identification.
#[inline(always)]
pub(crate) fn element_size_raw(id: u8) -> Option<usize> {
    match SIZES.get(usize::from(id)) {
        Some(&n) if n != NONE => Some(usize::from(n)),
        _ => None,
    }
}

/// Whether `decode` knows the type (every type of [`element_size`] plus the variable ones).
#[inline]
pub fn is_decodable(type_id: TypeId) -> bool {
    is_decodable_raw(u8::from(type_id))
}

/// [`is_decodable`] on the raw type identification.
#[inline]
pub(crate) fn is_decodable_raw(id: u8) -> bool {
    element_size_raw(id).is_some() || matches!(id, 41 | 81..=87 | 90..=95 | 125)
}
