//! Vectors taken from the captures in `$OTWIRE_CAPTURES/enip` (the frame numbers are
//! Wireshark's), as hex; golden.rs comments them field by field.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

/// Decodes a hex string.
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// One vector: where it comes from, its direction, its bytes (hex).
pub struct Vector {
    pub name: &'static str,
    pub reply: bool,
    pub hex: &'static str,
}

/// iti_enip_test_listidentity.pcap frame 6: ListIdentity request over TCP.
pub const LIST_IDENTITY_REQ: &str = "63000000000000000000000000000000c1debed100000000";
/// iti_enip_test_listidentity.pcap frame 7: ListIdentity reply of a 1756-ENBT/A.
pub const LIST_IDENTITY_REPLY: &str = "63003300000000000000000000000000c1debed10000000001000c002d0001000002af120a0101a4000000000000000001000c003a00040330008e4d52000b313735362d454e42542f4103";
/// emre_ENIP_CIP-CM.pcap frame 6: ListServices request.
pub const LIST_SERVICES_REQ: &str = "040000000000000000000000000000000000000000000000";
/// emre_ENIP_CIP-CM.pcap frame 7: ListServices reply ("Communications").
pub const LIST_SERVICES_REPLY: &str = "04001a00000000000000000000000000000000000000000001000001140001002001436f6d6d756e69636174696f6e730000";
/// emre_ENIP_CIP-CM.pcap frame 8: RegisterSession request.
pub const REGISTER_REQ: &str = "65000400000000000000000000000000000000000000000001000000";
/// emre_ENIP_CIP-CM.pcap frame 9: RegisterSession reply, session 1.
pub const REGISTER_REPLY: &str = "65000400010000000000000000000000000000000000000001000000";
/// emre_ENIP_CIP-CM.pcap frame 11: SendRRData reply (Forward Open reply) with socket
/// address items.
pub const SEND_RR_FWD_OPEN_REPLY: &str = "6f0056000100000000000000c0a8641c0000485700000000000000000000040000000000b2001e00d40000000200a2f10300a2f10e00010022f513001027000010270000000000801000000208ae00000000000000000000000001801000000208aeefc005800000000000000000";
/// plant1_EthernetIP-CIP.pcap frame 29: SendRRData request (Unconnected Send).
pub const SEND_RR_PLANT1: &str = "6f00260000050213000000006ac0be000000000000000000000000001400020000000000b200160052022006240107e90800010220ac2401010001000100";
/// plant1_EthernetIP-CIP.pcap frame 1: SendUnitData request (Multiple Service Packet).
pub const SEND_UNIT_PLANT1: &str = "70003a0000010210000000001a392f000000000000000000000000000a000200a100040009133500b1002600e46a0a02200224010200060012004c022072240000ce040001004c02207224002c3d04000100";
/// ndpi_cip_io.pcap frame 1: a class 1 I/O datagram on UDP 2222 (bare CPF).
pub const IO_1: &str = "020002800800787b3a00e8cb5e04b1000c000300fdffffffffffffff0000";
/// ndpi_cip_io.pcap frame 2.
pub const IO_2: &str = "020002800800ebb4917654cc5e04b1001000c6e401000000fdffffffffffffff0000";

/// Every encapsulation vector with its direction.
pub const ALL: &[Vector] = &[
    Vector {
        name: "list identity request",
        reply: false,
        hex: LIST_IDENTITY_REQ,
    },
    Vector {
        name: "list identity reply",
        reply: true,
        hex: LIST_IDENTITY_REPLY,
    },
    Vector {
        name: "list services request",
        reply: false,
        hex: LIST_SERVICES_REQ,
    },
    Vector {
        name: "list services reply",
        reply: true,
        hex: LIST_SERVICES_REPLY,
    },
    Vector {
        name: "register request",
        reply: false,
        hex: REGISTER_REQ,
    },
    Vector {
        name: "register reply",
        reply: true,
        hex: REGISTER_REPLY,
    },
    Vector {
        name: "forward open reply",
        reply: true,
        hex: SEND_RR_FWD_OPEN_REPLY,
    },
    Vector {
        name: "plant1 send rr data",
        reply: false,
        hex: SEND_RR_PLANT1,
    },
    Vector {
        name: "plant1 send unit data",
        reply: false,
        hex: SEND_UNIT_PLANT1,
    },
];

/// The I/O vectors.
pub const IO: &[&str] = &[IO_1, IO_2];
