//! Typed SZL records of the lists people read (public descriptions of the S7 system status
//! lists, "System Software for S7-300/400 System and Standard Functions", chapter 34, and
//! Wireshark's `s7comm.szl.*` fields): list of lists (0x0000), module identification
//! (0xxy11), component identification (0xxy1C), communication capability (0x0131),
//! protection and checksums (0x0132 index 4), operating mode (0xxy24), LEDs (0xxy74),
//! diagnostic buffer (0xxyA0), module status (0xxy91), rack / station status (0xxy94),
//! PROFINET / DP module status (0xxy96), Ethernet details (0x0037).

use super::SzlId;
use crate::read::{be16, be32};

/// One SZL record, typed by list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "list", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum SzlRecord<'a> {
    /// 0x0000: an SZL id the module has.
    ListOfLists {
        /// The id.
        id: SzlId,
    },
    /// 0xxy11: module identification.
    ModuleId(ModuleId<'a>),
    /// 0xxy1C: component identification.
    ComponentId(ComponentId<'a>),
    /// 0x0131: communication capability parameters.
    CommCapability(CommCapability<'a>),
    /// 0x0132 index 4: protection level, switch positions, checksums.
    Protection(Protection),
    /// 0xxy24: operating mode transitions.
    Mode(ModeRecord<'a>),
    /// 0xxy74 (and 0xxy19): one LED.
    Led(Led),
    /// 0xxyA0: a diagnostic buffer entry.
    DiagEvent(DiagEvent<'a>),
    /// 0xxy91: module status.
    ModuleStatus(ModuleStatus),
    /// 0x0037: Ethernet details.
    Ethernet(Ethernet<'a>),
    /// 0xxy94 (and 0xxy92): rack / station status, one bit a station.
    RackStatus(RackStatus<'a>),
    /// 0xxy96: module status of a PROFINET IO / DP module.
    DpModuleStatus(DpModuleStatus<'a>),
    /// Any other list, or a record whose length does not fit its list: the bytes.
    Raw {
        /// The record.
        #[cfg_attr(feature = "serde", serde(skip))]
        bytes: &'a [u8],
    },
}

/// A module identification record (0xxy11, 28 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ModuleId<'a> {
    /// 1 module, 6 basic hardware, 7 basic firmware...
    pub index: u16,
    /// Order number (MLFB), 20 characters.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::params::ascii"))]
    pub order_number: &'a [u8],
    /// Module type id (BGTyp).
    pub module_type: u16,
    /// Ausbg: version of the module or release of the operating system.
    pub ausbg: u16,
    /// Ausbe: release of the PG description file.
    pub ausbe: u16,
}

impl<'a> ModuleId<'a> {
    /// The order number with its padding trimmed.
    pub fn order_number(&self) -> &'a [u8] {
        trim(self.order_number)
    }

    /// The version `V x.y.z` of firmware and hardware records (index 6 and 7: `ausbg`
    /// holds 'V' and x, `ausbe` y and z), as (x, y, z).
    pub fn version(&self) -> Option<(u8, u8, u8)> {
        let [v, x] = self.ausbg.to_be_bytes();
        let [y, z] = self.ausbe.to_be_bytes();
        (v == b'V').then_some((x, y, z))
    }
}

/// A component identification record (0xxy1C, 34 bytes): one name by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ComponentId<'a> {
    /// 1 automation system name, 2 module name, 3 plant designation, 4 copyright,
    /// 5 serial number, 7 module type name, 8 memory card serial number, 9 manufacturer
    /// and profile, 10 OEM ids, 11 location designation.
    pub index: u16,
    /// The 32 bytes after the index.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::params::ascii"))]
    pub text: &'a [u8],
}

impl<'a> ComponentId<'a> {
    /// What the index names.
    pub const fn field(&self) -> Option<&'static str> {
        Some(match self.index {
            1 => "automation system name",
            2 => "module name",
            3 => "plant designation",
            4 => "copyright",
            5 => "serial number",
            7 => "module type name",
            8 => "memory card serial number",
            9 => "manufacturer and profile",
            10 => "OEM",
            11 => "location designation",
            _ => return None,
        })
    }

    /// The text with its padding (NUL and spaces) trimmed, for the text indexes.
    pub fn value(&self) -> &'a [u8] {
        trim(self.text)
    }

    /// Index 9: manufacturer id and profile id and profile-specific type.
    pub fn manufacturer(&self) -> Option<(u16, u16, u16)> {
        (self.index == 9).then(|| {
            (
                be16(self.text, 0).unwrap_or(0),
                be16(self.text, 2).unwrap_or(0),
                be16(self.text, 4).unwrap_or(0),
            )
        })
    }

    /// Index 10: OEM id, OEM additional id (the first 20 bytes are a copyright-style
    /// text, then the two ids).
    pub fn oem(&self) -> Option<(u16, u32)> {
        (self.index == 10).then(|| {
            (
                be16(self.text, 20).unwrap_or(0),
                be32(self.text, 22).unwrap_or(0),
            )
        })
    }
}

/// A communication capability record (0x0131, 40 bytes), typed for index 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CommCapability<'a> {
    /// 1 general, 2 test and commissioning, 3 operator interface, 4 objects, 5 diagnostics...
    pub index: u16,
    /// The bytes after the index.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub bytes: &'a [u8],
}

impl CommCapability<'_> {
    /// Index 1: maximum PDU size.
    pub fn max_pdu(&self) -> Option<u16> {
        (self.index == 1).then(|| be16(self.bytes, 0)).flatten()
    }
    /// Index 1: maximum number of connections.
    pub fn max_connections(&self) -> Option<u16> {
        (self.index == 1).then(|| be16(self.bytes, 2)).flatten()
    }
    /// Index 1: MPI data rate, bits/s.
    pub fn mpi_rate(&self) -> Option<u32> {
        (self.index == 1).then(|| be32(self.bytes, 4)).flatten()
    }
    /// Index 1: communication bus data rate, bits/s.
    pub fn kbus_rate(&self) -> Option<u32> {
        (self.index == 1).then(|| be32(self.bytes, 8)).flatten()
    }
}

/// The protection record of SZL 0x0132 index 4 (40 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Protection {
    /// Protection level of the key switch (1-3).
    pub key_switch_level: u16,
    /// Parameterised protection level (0: none, 1-3).
    pub parameterized_level: u16,
    /// Valid protection level of the CPU.
    pub valid_level: u16,
    /// Mode selector position: 1 RUN, 2 RUN-P, 3 STOP, 4 MRES.
    pub mode_selector: u16,
    /// Startup switch: 1 CRST, 2 WRST.
    pub startup_switch: u16,
    /// Reserved (ken_f).
    pub reserved: u16,
    /// Id of the valid version ids / checksums (ken_rel).
    pub checksum_id: u16,
    /// Checksums 1 and 2 of the hardware configuration (ken_ver1_hw, ken_ver2_hw), as sent.
    pub hardware_checksum: [u8; 4],
    /// Checksums 1 and 2 of the user program (ken_ver1_awp, ken_ver2_awp), as sent.
    pub program_checksum: [u8; 4],
}

impl Protection {
    /// The two hardware-configuration checksums as Wireshark shows them (little-endian
    /// words: S7 writes these two fields in the CPU's byte order).
    pub const fn hardware_checksum_words(&self) -> (u16, u16) {
        let c = self.hardware_checksum;
        (
            u16::from_le_bytes([c[0], c[1]]),
            u16::from_le_bytes([c[2], c[3]]),
        )
    }

    /// The two user-program checksums as Wireshark shows them (little-endian words).
    pub const fn program_checksum_words(&self) -> (u16, u16) {
        let c = self.program_checksum;
        (
            u16::from_le_bytes([c[0], c[1]]),
            u16::from_le_bytes([c[2], c[3]]),
        )
    }

    /// The mode selector position's name.
    pub const fn mode_selector_name(&self) -> Option<&'static str> {
        Some(match self.mode_selector {
            0 => "undefined",
            1 => "RUN",
            2 => "RUN-P",
            3 => "STOP",
            4 => "MRES",
            _ => return None,
        })
    }
}

/// An operating mode record (0xxy24, 20 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ModeRecord<'a> {
    /// Event id of the transition.
    pub event_id: u16,
    /// The AE byte.
    pub ae: u8,
    /// Mode ids: bits 0-3 the requested (new) mode, bits 4-7 the previous one.
    pub bzu_id: u8,
    /// Additional information (anlinfo1-4).
    pub info: [u8; 4],
    /// Time stamp (BCD, 8 bytes).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub time: &'a [u8],
}

impl ModeRecord<'_> {
    /// The requested (current) mode: 8 RUN, 4 STOP (internal), 10 HOLD...
    pub const fn mode(&self) -> u8 {
        self.bzu_id & 0x0F
    }
    /// The previous mode.
    pub const fn previous_mode(&self) -> u8 {
        self.bzu_id >> 4
    }
    /// A mode id's name.
    pub const fn mode_name(mode: u8) -> Option<&'static str> {
        Some(match mode {
            1 => "STOP (update)",
            2 => "STOP (memory reset)",
            3 => "STOP (self initialization)",
            4 => "STOP (internal)",
            5 => "Startup (complete restart)",
            7 => "Restart",
            8 => "RUN",
            10 => "HOLD",
            13 => "DEFECT",
            _ => return None,
        })
    }
}

/// One LED (0xxy74 and 0xxy19, 4 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Led {
    /// LED id (rack/slot in the high byte, LED in the low byte: 1 SF, 4 RUN, 5 STOP...).
    pub id: u16,
    /// On (1) or off (0).
    pub on: u8,
    /// Flashing (0 no, 1 normal, 2 slow).
    pub blink: u8,
}

/// A diagnostic buffer entry (0xxyA0, 20 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DiagEvent<'a> {
    /// Event id.
    pub event_id: u16,
    /// Priority class.
    pub priority: u8,
    /// OB number.
    pub ob: u8,
    /// Data id.
    pub dat_id: u16,
    /// Additional information 1.
    pub info1: u16,
    /// Additional information 2.
    pub info2: u32,
    /// Time stamp (BCD, 8 bytes).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub time: &'a [u8],
}

/// A module status record (0xxy91, 16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ModuleStatus {
    /// Address 1 (rack / DP master system).
    pub adr1: u16,
    /// Address 2 (slot / station).
    pub adr2: u16,
    /// First logical I/O address.
    pub logadr: u16,
    /// Expected module type.
    pub expected_type: u16,
    /// Actual module type.
    pub actual_type: u16,
    /// Number of sub-modules (or reserved).
    pub reserved: u16,
    /// I/O status.
    pub eastat: u16,
    /// Area id / module width.
    pub ber_bgbr: u16,
}

/// Ethernet details (0x0037, 48 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Ethernet<'a> {
    /// Logical address of the interface.
    pub logaddr: u16,
    /// IP address.
    pub ip: [u8; 4],
    /// Subnet mask.
    pub netmask: [u8; 4],
    /// Default router.
    pub gateway: [u8; 4],
    /// MAC address.
    pub mac: [u8; 6],
    /// The rest of the record.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub rest: &'a [u8],
}

/// A rack / station status record (0xxy94, 0xxy92): an index (the DP master system or
/// PROFINET IO system) and one bit a station (bit 0 of byte 0 is the record's status bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RackStatus<'a> {
    /// The IO system (0: central rack).
    pub index: u16,
    /// The status bits.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub bits: &'a [u8],
}

impl RackStatus<'_> {
    /// Whether station `n`'s bit is set.
    pub fn station(&self, n: usize) -> bool {
        self.bits
            .get(n / 8)
            .is_some_and(|b| b & (1 << (n % 8)) != 0)
    }

    /// The stations whose bit is set.
    pub fn stations(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.bits.len() * 8).filter(|&n| self.station(n))
    }
}

/// A module status record of a PROFINET IO or DP module (0xxy96): the logical address
/// first, then the address, types and status words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DpModuleStatus<'a> {
    /// Logical base address of the module.
    pub logadr: u16,
    /// IO system (DP master system / PROFINET IO system id).
    pub system: u16,
    /// API (PROFINET) or 0.
    pub api: u32,
    /// Station number.
    pub station: u16,
    /// Slot.
    pub slot: u16,
    /// Subslot.
    pub subslot: u16,
    /// The rest of the record (types, status words).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub rest: &'a [u8],
}

fn trim(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|&c| c != 0 && c != b' ')
        .map_or(0, |i| i + 1);
    b.get(..end).unwrap_or_default()
}

fn quad(b: &[u8], at: usize) -> [u8; 4] {
    be32(b, at).unwrap_or(0).to_be_bytes()
}

impl<'a> SzlRecord<'a> {
    /// Types one record of list `id` (read with `index`).
    pub fn decode(id: SzlId, index: u16, rec: &'a [u8]) -> SzlRecord<'a> {
        let w = |at| be16(rec, at).unwrap_or(0);
        let raw = SzlRecord::Raw { bytes: rec };
        match (id.number(), rec.len()) {
            (0x00, 2) => SzlRecord::ListOfLists { id: SzlId(w(0)) },
            (0x11, 28) => SzlRecord::ModuleId(ModuleId {
                index: w(0),
                order_number: rec.get(2..22).unwrap_or_default(),
                module_type: w(22),
                ausbg: w(24),
                ausbe: w(26),
            }),
            (0x1C, 34) => SzlRecord::ComponentId(ComponentId {
                index: w(0),
                text: rec.get(2..).unwrap_or_default(),
            }),
            (0x31, 40) if id.0 == 0x0131 => SzlRecord::CommCapability(CommCapability {
                index: w(0),
                bytes: rec.get(2..).unwrap_or_default(),
            }),
            (0x32, 40) if id.0 == 0x0132 && w(0) == 4 && index == 4 => {
                SzlRecord::Protection(Protection {
                    key_switch_level: w(2),
                    parameterized_level: w(4),
                    valid_level: w(6),
                    mode_selector: w(8),
                    startup_switch: w(10),
                    reserved: w(12),
                    checksum_id: w(14),
                    hardware_checksum: quad(rec, 16),
                    program_checksum: quad(rec, 20),
                })
            }
            (0x24, 20) => match *rec {
                [
                    e0,
                    e1,
                    ae,
                    bzu_id,
                    _,
                    _,
                    _,
                    _,
                    i0,
                    i1,
                    i2,
                    i3,
                    ref time @ ..,
                ] => SzlRecord::Mode(ModeRecord {
                    event_id: u16::from_be_bytes([e0, e1]),
                    ae,
                    bzu_id,
                    info: [i0, i1, i2, i3],
                    time,
                }),
                _ => raw,
            },
            (0x74 | 0x19, 4) => match *rec {
                [a, b, on, blink] => SzlRecord::Led(Led {
                    id: u16::from_be_bytes([a, b]),
                    on,
                    blink,
                }),
                _ => raw,
            },
            (0xA0, 20) => match *rec {
                [
                    e0,
                    e1,
                    priority,
                    ob,
                    d0,
                    d1,
                    a0,
                    a1,
                    b0,
                    b1,
                    b2,
                    b3,
                    ref time @ ..,
                ] => SzlRecord::DiagEvent(DiagEvent {
                    event_id: u16::from_be_bytes([e0, e1]),
                    priority,
                    ob,
                    dat_id: u16::from_be_bytes([d0, d1]),
                    info1: u16::from_be_bytes([a0, a1]),
                    info2: u32::from_be_bytes([b0, b1, b2, b3]),
                    time,
                }),
                _ => raw,
            },
            (0x91, 16) => SzlRecord::ModuleStatus(ModuleStatus {
                adr1: w(0),
                adr2: w(2),
                logadr: w(4),
                expected_type: w(6),
                actual_type: w(8),
                reserved: w(10),
                eastat: w(12),
                ber_bgbr: w(14),
            }),
            (0x94 | 0x92, n) if n >= 2 => SzlRecord::RackStatus(RackStatus {
                index: w(0),
                bits: rec.get(2..).unwrap_or_default(),
            }),
            (0x96, n) if n >= 14 => SzlRecord::DpModuleStatus(DpModuleStatus {
                logadr: w(0),
                system: w(2),
                api: be32(rec, 4).unwrap_or(0),
                station: w(8),
                slot: w(10),
                subslot: w(12),
                rest: rec.get(14..).unwrap_or_default(),
            }),
            (0x37, n) if n >= 20 => {
                let mut mac = [0u8; 6];
                if let Some(m) = rec.get(14..20) {
                    mac.copy_from_slice(m);
                }
                SzlRecord::Ethernet(Ethernet {
                    logaddr: w(0),
                    ip: quad(rec, 2),
                    netmask: quad(rec, 6),
                    gateway: quad(rec, 10),
                    mac,
                    rest: rec.get(20..).unwrap_or_default(),
                })
            }
            _ => raw,
        }
    }
}
