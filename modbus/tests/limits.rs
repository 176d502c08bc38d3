//! The quantity, address and value checks of Application Protocol §6.1-§6.6, §6.11 and
//! §6.12 at their boundaries, for every function code of the fast paths, and the same
//! answer from the general path (the same PDU with one byte too many, which the fast paths
//! do not take: it adds `LENGTH_MISMATCH` and nothing else).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otwire_modbus::{Anomalies, Request, Response};

/// The largest quantity each read and write takes (§6.1-§6.4, §6.11, §6.12); writes of one
/// coil or register have no quantity.
fn limit(fc: u8) -> Option<u16> {
    match fc {
        1 | 2 => Some(2000),
        3 | 4 => Some(125),
        15 => Some(1968),
        16 => Some(123),
        _ => None,
    }
}

/// What the specification says is off about a request's address and quantity or value.
fn expected(fc: u8, address: u16, value: u16) -> Anomalies {
    let mut a = Anomalies::empty();
    if let Some(max) = limit(fc) {
        if value == 0 || value > max {
            a |= Anomalies::QUANTITY_OUT_OF_RANGE;
        }
        if u32::from(address) + u32::from(value) > 0x1_0000 {
            a |= Anomalies::ADDRESS_OVERFLOW;
        }
    }
    if fc == 5 && value != 0x0000 && value != 0xFF00 {
        a |= Anomalies::INVALID_COIL_VALUE;
    }
    a
}

/// `PDU_TOO_LONG` for a PDU past the 253 bytes of §4.1.
fn too_long(pdu: &[u8]) -> Anomalies {
    if pdu.len() > 253 {
        Anomalies::PDU_TOO_LONG
    } else {
        Anomalies::empty()
    }
}

/// The same PDU with one byte more goes through the general path: it decodes to the same
/// message, with `LENGTH_MISMATCH` (and `PDU_TOO_LONG` past 253 bytes) added to `$want`.
macro_rules! assert_general_path_agrees {
    ($parse:path, $pdu:expr, $fast:expr, $want:expr) => {{
        let mut long = $pdu.to_vec();
        long.push(0);
        let general = $parse(&long).unwrap();
        assert_eq!(
            general.pdu, $fast.pdu,
            "both paths decode {:02x?} alike",
            $pdu
        );
        assert_eq!(
            general.anomalies,
            $want | Anomalies::LENGTH_MISMATCH | too_long(&long)
        );
    }};
}

const VALUES: [u16; 16] = [
    0, 1, 2, 122, 123, 124, 125, 126, 1967, 1968, 1969, 2000, 2001, 0xFF00, 0xFF01, 0xFFFF,
];
const ADDRESSES: [u16; 6] = [0, 1, 0xF000, 0xFF83, 0xFFFF, 0x8000];

#[test]
fn five_byte_requests_flag_exactly_the_spec_violations() {
    for fc in 1..=6u8 {
        for address in ADDRESSES {
            for value in VALUES {
                let mut pdu = vec![fc];
                pdu.extend(address.to_be_bytes());
                pdu.extend(value.to_be_bytes());
                let want = expected(fc, address, value);
                let fast = Request::parse(&pdu).unwrap();
                assert_eq!(fast.anomalies, want, "FC {fc} {address:#x} {value}");
                assert_eq!(u8::from(fast.pdu.function_code()), fc);
                assert_general_path_agrees!(Request::parse, pdu, fast, want);
            }
        }
    }
}

#[test]
fn write_multiple_requests_check_quantity_and_byte_count() {
    for fc in [15u8, 16] {
        for address in ADDRESSES {
            for quantity in VALUES {
                let right = if fc == 15 {
                    usize::from(quantity).div_ceil(8)
                } else {
                    usize::from(quantity) * 2
                };
                for count in [right.min(255), right.saturating_sub(1).min(255)] {
                    let mut pdu = vec![fc];
                    pdu.extend(address.to_be_bytes());
                    pdu.extend(quantity.to_be_bytes());
                    pdu.push(u8::try_from(count).unwrap());
                    pdu.extend(std::iter::repeat_n(0xA5, count));
                    let mut want = expected(fc, address, quantity);
                    if count != right {
                        want |= Anomalies::BYTE_COUNT_MISMATCH;
                    }
                    want |= too_long(&pdu);
                    let fast = Request::parse(&pdu).unwrap();
                    assert_eq!(fast.anomalies, want, "FC {fc} q {quantity} count {count}");
                    assert_general_path_agrees!(Request::parse, pdu, fast, want);
                }
            }
        }
    }
}

#[test]
fn five_byte_responses_echo_their_fields() {
    for fc in [5u8, 6, 15, 16] {
        for value in VALUES {
            let pdu = [fc, 0x12, 0x34, (value >> 8) as u8, value as u8];
            let fast = Response::parse(&pdu).unwrap();
            let want = if fc == 5 && value != 0 && value != 0xFF00 {
                Anomalies::INVALID_COIL_VALUE
            } else {
                Anomalies::empty()
            };
            assert_eq!(fast.anomalies, want, "FC {fc} value {value:#x}");
            assert_eq!(u8::from(fast.pdu.function_code()), fc);
            assert_general_path_agrees!(Response::parse, pdu, fast, want);
        }
    }
}

#[test]
fn read_responses_flag_odd_register_bytes_only() {
    for fc in 1..=4u8 {
        for count in [0u8, 1, 2, 3, 250, 251] {
            let mut pdu = vec![fc, count];
            pdu.extend(std::iter::repeat_n(0x5A, usize::from(count)));
            let mut want = Anomalies::empty();
            if fc >= 3 && count % 2 == 1 {
                want |= Anomalies::BYTE_COUNT_MISMATCH;
            }
            let fast = Response::parse(&pdu).unwrap();
            assert_eq!(fast.anomalies, want, "FC {fc} count {count}");
            assert_eq!(u8::from(fast.pdu.function_code()), fc);
            assert_general_path_agrees!(Response::parse, pdu, fast, want);
        }
    }
}

#[test]
fn read_write_multiple_keeps_a_read_quantity_flag_when_the_write_is_in_range() {
    // FC 23 (§6.17): read 126 registers (one past 125) at 0, write 1 register at 0.
    let pdu = [
        0x17, // Read/Write Multiple registers
        0x00, 0x00, // read starting address 0
        0x00, 0x7E, // quantity to read 126: out of range
        0x00, 0x00, // write starting address 0
        0x00, 0x01, // quantity to write 1
        0x02, // write byte count 2
        0x12, 0x34, // the register written
    ];
    let parsed = Request::parse(&pdu).unwrap();
    assert_eq!(parsed.anomalies, Anomalies::QUANTITY_OUT_OF_RANGE);
}
