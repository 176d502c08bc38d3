//! The value iterators' internal iteration (`fold`, which `for_each`, `count` and `sum`
//! use) gives exactly what stepping with `next` gives, from any starting point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otwire_modbus::{BitValues, RegisterValues};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn bit_fold_matches_next(
        bytes in proptest::collection::vec(any::<u8>(), 0..6),
        count in 0usize..56,
        skip in 0usize..50,
    ) {
        let values = BitValues::new(&bytes, count);
        let mut stepped = values.iter();
        for _ in 0..skip {
            stepped.next();
        }
        let folded: Vec<bool> = stepped.fold(Vec::new(), |mut v, b| {
            v.push(b);
            v
        });
        let by_next: Vec<bool> = (skip..values.len()).map(|i| values.get(i).unwrap()).collect();
        prop_assert_eq!(folded, by_next);
        prop_assert_eq!(
            values.iter().filter(|&b| b).count(),
            (0..values.len()).filter(|&i| values.get(i).unwrap()).count()
        );
    }

    #[test]
    fn register_fold_matches_next(
        bytes in proptest::collection::vec(any::<u8>(), 0..12),
        skip in 0usize..7,
    ) {
        let values = RegisterValues::new(&bytes);
        let mut stepped = values.iter();
        for _ in 0..skip {
            stepped.next();
        }
        let rest: Vec<u16> = stepped.clone().collect();
        let folded = stepped.fold(Vec::new(), |mut v, r| {
            v.push(r);
            v
        });
        prop_assert_eq!(&folded, &rest);
        let want: Vec<u16> = bytes
            .chunks_exact(2)
            .skip(skip)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        prop_assert_eq!(folded, want);
    }
}

#[test]
fn bit_fold_stops_at_the_count_inside_a_byte() {
    // 0b1011_0101 0b1111_1111, 11 bits: 1,0,1,0,1,1,0,1 then 1,1,1.
    let values = BitValues::new(&[0b1011_0101, 0xFF], 11);
    let mut bits = Vec::new();
    values.iter().for_each(|b| bits.push(u8::from(b)));
    assert_eq!(bits, [1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1]);
    assert_eq!(values.iter().filter(|&b| b).count(), 8);
}
