//! Template object (class 0x6C) data: its attributes and the template read
//! (1756-PM020 "Template Object"; pycomm3 `_get_structure_makeup`, `_read_template`).

use otwire_core::{EmitError, Sink};

use super::rd::Rd;
use super::types::SymbolType;
use crate::{Anomalies, Error, Layer, Parsed};

/// The Template class code (1756-PM020 "Template Object").
pub const TEMPLATE_CLASS: u16 = 0x6C;
/// The Symbol class code (1756-PM020 "Symbol Object").
pub const SYMBOL_CLASS: u16 = 0x6B;

/// Template attributes from a Get Attribute List (0x03) reply on class 0x6C
/// (1756-PM020: attribute 1 structure handle, 2 member count, 4 object definition size in
/// 32-bit words, 5 structure size in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TemplateAttributes {
    /// Attribute 1: the structure handle (the CRC Read Tag replies carry).
    pub handle: Option<u16>,
    /// Attribute 2: the number of members.
    pub member_count: Option<u16>,
    /// Attribute 4: the template definition size, in 32-bit words.
    pub object_definition_size: Option<u32>,
    /// Attribute 5: the size of the structure's data, in bytes.
    pub structure_size: Option<u32>,
}

impl TemplateAttributes {
    /// Parses Get Attribute List reply data: a count, then per attribute its id, its
    /// status (u16) and, when the status is 0, its value (Vol. 1 § ).
    pub fn parse(data: &[u8]) -> Result<Parsed<TemplateAttributes>, Error> {
        let mut rd = Rd::new(data, Layer::Service);
        let mut t = TemplateAttributes::default();
        let count = rd.u16()?;
        for _ in 0..count {
            let id = rd.u16()?;
            let status = rd.u16()?;
            if status != 0 {
                continue;
            }
            match id {
                1 => t.handle = Some(rd.u16()?),
                2 => t.member_count = Some(rd.u16()?),
                4 => t.object_definition_size = Some(rd.u32()?),
                5 => t.structure_size = Some(rd.u32()?),
                _ => return Err(Error::malformed(Layer::Service, rd.pos())),
            }
        }
        let a = Anomalies::when(!rd.is_empty(), Anomalies::LOGIX_TRAILING_DATA);
        Ok(Parsed::new(t, a))
    }

    /// Writes Get Attribute List reply data holding the attributes present, in the order
    /// 4, 5, 2, 1 (pycomm3's request order), each with status 0.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        // (id, value, width in bytes)
        let attrs = [
            (4, self.object_definition_size, 4),
            (5, self.structure_size, 4),
            (2, self.member_count.map(u32::from), 2),
            (1, self.handle.map(u32::from), 2),
        ];
        s.u16_le(attrs.iter().filter(|a| a.1.is_some()).count() as u16)?;
        for (id, value, width) in attrs {
            if let Some(v) = value {
                s.u16_le(id)?;
                s.u16_le(0)?;
                s.uint_le(v, width, "template attribute")?;
            }
        }
        Ok(())
    }

    /// The bytes of the template definition a template read returns
    /// (`object_definition_size * 4 - 23`, pycomm3).
    pub fn definition_bytes(&self) -> Option<u32> {
        self.object_definition_size?.checked_mul(4)?.checked_sub(23)
    }
}

/// A template read request (service 0x4C on class 0x6C): byte offset, bytes to read
/// (1756-PM020 "Read Template Service").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TemplateReadRequest {
    /// Byte offset in the definition.
    pub offset: u32,
    /// Bytes to read.
    pub bytes: u16,
}

impl TemplateReadRequest {
    /// Parses the request data.
    pub fn parse(data: &[u8]) -> Result<Parsed<TemplateReadRequest>, Error> {
        let mut rd = Rd::new(data, Layer::Service);
        let r = TemplateReadRequest {
            offset: rd.u32()?,
            bytes: rd.u16()?,
        };
        let a = Anomalies::when(!rd.is_empty(), Anomalies::LOGIX_TRAILING_DATA);
        Ok(Parsed::new(r, a))
    }

    /// Writes the request data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u32_le(self.offset)?;
        s.u16_le(self.bytes)
    }
}

/// One member of a template definition: 8 bytes (1756-PM020 "Read Template Service"
/// reply: info, type, offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TemplateMember {
    /// Array size for arrays, bit number for BOOLs, else 0.
    pub info: u16,
    /// The member's type word (the bits of a symbol type).
    pub member_type: SymbolType,
    /// Byte offset of the member in the structure.
    pub offset: u32,
}

/// Template read reply data (1756-PM020 "Read Template Service"): `member_count` member
/// entries, then the names, each ending with a NUL: the template's own name first
/// (`NAME;n...`), then each member's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TemplateDefinition<'a> {
    members: &'a [u8],
    names: &'a [u8],
}

impl<'a> TemplateDefinition<'a> {
    /// Splits a reply's data given the member count (template attribute 2).
    pub fn parse(data: &'a [u8], member_count: u16) -> Result<Self, Error> {
        let n = usize::from(member_count) * 8;
        let (members, names) = data
            .split_at_checked(n)
            .ok_or(Error::malformed(Layer::Service, data.len()))?;
        Ok(TemplateDefinition { members, names })
    }

    /// The member entries.
    pub fn members(&self) -> impl Iterator<Item = TemplateMember> + 'a {
        self.members.chunks_exact(8).filter_map(|c| {
            let mut rd = Rd::new(c, Layer::Service);
            Some(TemplateMember {
                info: rd.u16().ok()?,
                member_type: SymbolType(rd.u16().ok()?),
                offset: rd.u32().ok()?,
            })
        })
    }

    /// The names, the template's first (its text up to `;` is the structure name).
    pub fn names(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.names
            .split(|&b| b == 0)
            .enumerate()
            .filter(|(i, n)| !n.is_empty() || *i == 0)
            .map(|(_, n)| n)
    }

    /// Writes the data back (members, then names).
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.bytes(self.members)?;
        s.bytes(self.names)
    }

    /// The structure name (the first name up to `;`).
    pub fn structure_name(&self) -> Option<&'a [u8]> {
        let first = self.names.split(|&b| b == 0).next()?;
        first.split(|&b| b == b';').next()
    }
}
