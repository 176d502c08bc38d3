//! The object library (IEEE 1815-2012 §11 and Annex A): for every standard group and
//! variation, how many octets one object takes, so that any fragment can be walked.

/// How the size of one object of a group/variation is known (IEEE 1815-2012 §4.2.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ObjectSize {
    /// Every object takes this many octets (0 for class objects g60).
    Fixed(u8),
    /// Objects are packed bits: 1 (single-bit) or 2 (double-bit) bits per point,
    /// padded to a whole octet at the end of the header (§11.3.x "packed format").
    PackedBits(u8),
    /// The variation is the size in octets (octet strings g110-g113, §11.17-§11.20).
    ByVariation,
    /// Device attributes (g0, §11.1): data type octet, length octet, value.
    DeviceAttribute,
    /// Free-format objects of variable size (file transfer g70, authentication g120,
    /// data sets g85-g88…): each must be preceded by an object size prefix.
    Variable,
}

/// The size of one object of `group`/`variation` where objects carry data, or `None` for a
/// pair the object library does not define (and for variation 0, "any variation", which
/// only appears in requests that name points without data).
pub fn object_size(group: u8, variation: u8) -> Option<ObjectSize> {
    use ObjectSize::{ByVariation, DeviceAttribute, Fixed, PackedBits, Variable};
    let size = match (group, variation) {
        // g0 device attributes: variations 1-255 name the attribute (§11.1).
        (0, 1..=255) => DeviceAttribute,
        // Binary input (§11.3), binary input event (§11.4).
        (1, 1) => PackedBits(1),
        (1, 2) => Fixed(1),
        (2, 1) => Fixed(1),
        (2, 2) => Fixed(7),
        (2, 3) => Fixed(3),
        // Double-bit binary input (§11.5), double-bit event (§11.6).
        (3, 1) => PackedBits(2),
        (3, 2) => Fixed(1),
        (4, 1) => Fixed(1),
        (4, 2) => Fixed(7),
        (4, 3) => Fixed(3),
        // Binary output status (§11.7), binary output event (§11.8).
        (10, 1) => PackedBits(1),
        (10, 2) => Fixed(1),
        (11, 1) => Fixed(1),
        (11, 2) => Fixed(7),
        // Binary output command: CROB, PCB (§11.9), pattern mask.
        (12, 1) | (12, 2) => Fixed(11),
        (12, 3) => PackedBits(1),
        // Binary output command event (§11.10).
        (13, 1) => Fixed(1),
        (13, 2) => Fixed(7),
        // Counter (§11.11), frozen counter (§11.12), counter event, frozen counter event.
        (20, 1) | (20, 3) => Fixed(5),
        (20, 2) | (20, 4) => Fixed(3),
        (20, 5) | (20, 7) => Fixed(4),
        (20, 6) | (20, 8) => Fixed(2),
        (21, 1) | (21, 3) => Fixed(5),
        (21, 2) | (21, 4) => Fixed(3),
        (21, 5) | (21, 7) => Fixed(11),
        (21, 6) | (21, 8) => Fixed(9),
        (21, 9) | (21, 11) => Fixed(4),
        (21, 10) | (21, 12) => Fixed(2),
        (22 | 23, 1) | (22 | 23, 3) => Fixed(5),
        (22 | 23, 2) | (22 | 23, 4) => Fixed(3),
        (22 | 23, 5) | (22 | 23, 7) => Fixed(11),
        (22 | 23, 6) | (22 | 23, 8) => Fixed(9),
        // Analog input (§11.15), frozen analog input, events, deadband.
        (30, 1) | (30, 5) => Fixed(5),
        (30, 2) => Fixed(3),
        (30, 3) => Fixed(4),
        (30, 4) => Fixed(2),
        (30, 6) => Fixed(9),
        (31, 1) | (31, 7) => Fixed(5),
        (31, 2) => Fixed(3),
        (31, 3) => Fixed(11),
        (31, 4) => Fixed(9),
        (31, 5) => Fixed(4),
        (31, 6) => Fixed(2),
        (31, 8) => Fixed(9),
        (32 | 33, 1) | (32 | 33, 5) => Fixed(5),
        (32 | 33, 2) => Fixed(3),
        (32 | 33, 3) | (32 | 33, 7) => Fixed(11),
        (32 | 33, 4) => Fixed(9),
        (32 | 33, 6) => Fixed(9),
        (32 | 33, 8) => Fixed(15),
        (34, 1) => Fixed(2),
        (34, 2) | (34, 3) => Fixed(4),
        // Analog output status (§11.16), output block, output event, command event.
        (40, 1) | (40, 3) => Fixed(5),
        (40, 2) => Fixed(3),
        (40, 4) => Fixed(9),
        (41, 1) | (41, 3) => Fixed(5),
        (41, 2) => Fixed(3),
        (41, 4) => Fixed(9),
        (42 | 43, 1) | (42 | 43, 5) => Fixed(5),
        (42 | 43, 2) => Fixed(3),
        (42 | 43, 3) | (42 | 43, 7) => Fixed(11),
        (42 | 43, 4) => Fixed(9),
        (42 | 43, 6) => Fixed(9),
        (42 | 43, 8) => Fixed(15),
        // Time and date (§11.21), CTO, time delay.
        (50, 1) | (50, 3) => Fixed(6),
        (50, 2) => Fixed(10),
        (50, 4) => Fixed(11),
        (51, 1) | (51, 2) => Fixed(6),
        (52, 1) | (52, 2) => Fixed(2),
        // Class objects (§11.24): no data.
        (60, 1..=4) => Fixed(0),
        // File-control (§11.25).
        (70, 1..=8) => Variable,
        // Internal indications (§11.26).
        (80, 1) => PackedBits(1),
        // Device profile, private registration (obsolete / vendor).
        (82, 1) => Variable,
        (83, 1) | (83, 2) => Variable,
        // Data sets (§11.27-§11.30).
        (85, 1) => Variable,
        (86, 1) | (86, 3) => Variable,
        (86, 2) => Fixed(1),
        (87, 1) => Variable,
        (88, 1) => Variable,
        // Application identifier, status of requested operation.
        (90, 1) => Variable,
        (91, 1) => Variable,
        // BCD integers, unsigned integer.
        (101, 1) => Fixed(2),
        (101, 2) => Fixed(4),
        (101, 3) => Fixed(8),
        (102, 1) => Fixed(1),
        // Octet strings and virtual terminal (§11.31-§11.34): variation = length.
        (110..=113, 1..=255) => ByVariation,
        // Secure authentication (§7, §11.35).
        (120, 3) => Fixed(6),
        (120, 4) => Fixed(2),
        (120, 1 | 2 | 5..=15) => Variable,
        // Security statistics (§11.36-§11.37).
        (121, 1) => Fixed(7),
        (122, 1) => Fixed(7),
        (122, 2) => Fixed(13),
        _ => return None,
    };
    Some(size)
}

/// The name of an object group (IEEE 1815-2012 Table 11-1 / Annex A), or `None`.
pub fn group_name(group: u8) -> Option<&'static str> {
    Some(match group {
        0 => "Device Attributes",
        1 => "Binary Input",
        2 => "Binary Input Event",
        3 => "Double-bit Binary Input",
        4 => "Double-bit Binary Input Event",
        10 => "Binary Output",
        11 => "Binary Output Event",
        12 => "Binary Output Command",
        13 => "Binary Output Command Event",
        20 => "Counter",
        21 => "Frozen Counter",
        22 => "Counter Event",
        23 => "Frozen Counter Event",
        30 => "Analog Input",
        31 => "Frozen Analog Input",
        32 => "Analog Input Event",
        33 => "Frozen Analog Input Event",
        34 => "Analog Input Deadband",
        40 => "Analog Output Status",
        41 => "Analog Output Block",
        42 => "Analog Output Event",
        43 => "Analog Output Command Event",
        50 => "Time and Date",
        51 => "Common Time of Occurrence",
        52 => "Time Delay",
        60 => "Class Data",
        70 => "File-control",
        80 => "Internal Indications",
        82 => "Device Profile",
        83 => "Private Registration Object",
        85 => "Data Set Prototype",
        86 => "Data Set Descriptor",
        87 => "Data Set",
        88 => "Data Set Event",
        90 => "Application Identifier",
        91 => "Status of Requested Operation",
        101 => "BCD Integer",
        102 => "Unsigned Integer",
        110 => "Octet String",
        111 => "Octet String Event",
        112 => "Virtual Terminal Output Block",
        113 => "Virtual Terminal Event Data",
        120 => "Authentication",
        121 => "Security Statistic",
        122 => "Security Statistic Event",
        _ => return None,
    })
}
