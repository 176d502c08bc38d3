//! SZL (system status list, "SSL" in English Siemens manuals) reads over userdata
//! function group 4, subfunction 1: the list id and index of every read, and the answer's
//! header (record length and count) with its records (public descriptions of the S7
//! system status lists; Wireshark's `s7comm.data.userdata.szl_*` fields).

pub mod records;

use crate::anomaly::Anomalies;
use crate::error::EmitError;
use crate::read::be16;
use otwire_core::{Sink, emit_via_encode};
pub use records::{
    CommCapability, ComponentId, DiagEvent, DpModuleStatus, Ethernet, Led, ModeRecord, ModuleId,
    ModuleStatus, Protection, RackStatus, SzlRecord,
};

/// An SZL id: the list number (low byte), the partial list extract (bits 8-11) and the
/// module class (bits 12-15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct SzlId(pub u16);

impl SzlId {
    /// The list number (the low byte: 0x11 for 0x0011 and 0x0111).
    pub const fn number(self) -> u8 {
        (self.0 & 0xFF) as u8
    }

    /// The partial list extract (0x0 whole list, 0xF header only...).
    pub const fn extract(self) -> u8 {
        ((self.0 >> 8) & 0x0F) as u8
    }

    /// What the list holds, for the lists this crate types.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.number() {
            0x00 => "List of all SZL IDs",
            0x11 => "Module identification",
            0x12 => "CPU characteristics",
            0x13 => "User memory areas",
            0x14 => "System areas",
            0x15 => "Block types",
            0x19 => "Status of the module LEDs",
            0x1C => "Component identification",
            0x22 => "Interrupt status",
            0x24 => "Operating mode",
            0x31 => "Communication capability parameters",
            0x32 => "Communication status data",
            0x37 => "Ethernet details of the module",
            0x74 => "Status of the module LEDs",
            0x91 => "Module status information",
            0x92 => "Rack / station status information",
            0x94 => "Rack / station status information",
            0x96 => "Module status information (PROFINET / DP)",
            0xA0 => "Diagnostic buffer",
            _ => return None,
        })
    }
}

impl core::fmt::Display for SzlId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:#06x}", self.0)
    }
}

/// An SZL read request: list id and index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SzlRequest {
    /// The list.
    pub id: SzlId,
    /// The index within it (0 for the whole list).
    pub index: u16,
}

impl SzlRequest {
    /// Decodes the four bytes of a request's data.
    pub fn parse(data: &[u8]) -> Option<Self> {
        Some(SzlRequest {
            id: SzlId(be16(data, 0)?),
            index: be16(data, 2)?,
        })
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_be(self.id.0)?;
        s.u16_be(self.index)
    }
}

/// The answer to an SZL read: its header and records (of a whole, or first-fragment,
/// answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SzlAnswer<'a> {
    /// The list.
    pub id: SzlId,
    /// The index.
    pub index: u16,
    /// Bytes per record.
    pub record_len: u16,
    /// Number of records.
    pub record_count: u16,
    /// The records' bytes.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub records: &'a [u8],
}

/// Bytes of the SZL answer header: id, index, record length, record count.
pub const SZL_HEADER_LEN: usize = 8;

impl<'a> SzlAnswer<'a> {
    /// Decodes an answer's data (after the userdata data header). `complete` says whether
    /// this is the whole answer (not a first fragment), so that a record count that
    /// disagrees with the bytes is flagged.
    pub fn parse(data: &'a [u8], complete: bool) -> Option<(Self, Anomalies)> {
        let a = SzlAnswer {
            id: SzlId(be16(data, 0)?),
            index: be16(data, 2)?,
            record_len: be16(data, 4)?,
            record_count: be16(data, 6)?,
            records: data.get(SZL_HEADER_LEN..)?,
        };
        let want = usize::from(a.record_len) * usize::from(a.record_count);
        // Extract 0xF asks for the header only: a count without records.
        let off = a.id.extract() != 0xF
            && if complete {
                want != a.records.len()
            } else {
                want < a.records.len()
            };
        Some((a, Anomalies::when(off, Anomalies::SZL_LENGTH)))
    }

    /// The records, typed where the list is one this crate knows.
    pub fn iter(&self) -> SzlRecords<'a> {
        SzlRecords {
            id: self.id,
            index: self.index,
            len: usize::from(self.record_len),
            rest: self.records,
        }
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_be(self.id.0)?;
        s.u16_be(self.index)?;
        s.u16_be(self.record_len)?;
        s.u16_be(self.record_count)?;
        s.bytes(self.records)
    }
}

emit_via_encode!(SzlRequest, SzlAnswer<'_>);

/// Iterator over the records of an [`SzlAnswer`]; a last record cut short is not yielded.
#[derive(Debug, Clone, Copy)]
pub struct SzlRecords<'a> {
    id: SzlId,
    index: u16,
    len: usize,
    rest: &'a [u8],
}

impl<'a> Iterator for SzlRecords<'a> {
    type Item = SzlRecord<'a>;
    fn next(&mut self) -> Option<SzlRecord<'a>> {
        if self.len == 0 {
            return None;
        }
        let (rec, rest) = self.rest.split_at_checked(self.len)?;
        self.rest = rest;
        Some(SzlRecord::decode(self.id, self.index, rec))
    }
}
