//! CIP elementary data types as Logix uses them (Vol. 1 App. C-6.1; 1756-PM020 "CIP Data
//! Types"), structure handles, and tag values as a borrowed iterator.

use otwire_core::{EmitError, Sink};

use super::rd::Rd;
use crate::{Anomalies, Error};

otwire_core::open_enum! {
    /// A CIP data type code, the 16-bit word before tag data (Vol. 1 App. C-6.1;
    /// 1756-PM020 "CIP Data Types"; names as pycomm3's `DataTypes`).
    pub enum DataType: u16 {
        /// Boolean, one byte on the wire (0x00 or 0xFF).
        Bool = 0x00C1 => "BOOL",
        /// Signed 8-bit integer.
        Sint = 0x00C2 => "SINT",
        /// Signed 16-bit integer.
        Int = 0x00C3 => "INT",
        /// Signed 32-bit integer.
        Dint = 0x00C4 => "DINT",
        /// Signed 64-bit integer.
        Lint = 0x00C5 => "LINT",
        /// Unsigned 8-bit integer.
        Usint = 0x00C6 => "USINT",
        /// Unsigned 16-bit integer.
        Uint = 0x00C7 => "UINT",
        /// Unsigned 32-bit integer.
        Udint = 0x00C8 => "UDINT",
        /// Unsigned 64-bit integer.
        Ulint = 0x00C9 => "ULINT",
        /// IEEE 754 single.
        Real = 0x00CA => "REAL",
        /// IEEE 754 double.
        Lreal = 0x00CB => "LREAL",
        /// Synchronous time.
        Stime = 0x00CC => "STIME",
        /// Date.
        Date = 0x00CD => "DATE",
        /// Time of day.
        TimeOfDay = 0x00CE => "TIME_OF_DAY",
        /// Date and time.
        DateAndTime = 0x00CF => "DATE_AND_TIME",
        /// Character string, 2-byte length then the characters.
        String = 0x00D0 => "STRING",
        /// Bit string, 8 bits.
        Byte = 0x00D1 => "BYTE",
        /// Bit string, 16 bits.
        Word = 0x00D2 => "WORD",
        /// Bit string, 32 bits (Logix BOOL arrays).
        Dword = 0x00D3 => "DWORD",
        /// Bit string, 64 bits.
        Lword = 0x00D4 => "LWORD",
        /// Wide string.
        String2 = 0x00D5 => "STRING2",
        /// Duration (high resolution).
        Ftime = 0x00D6 => "FTIME",
        /// Duration (long).
        Ltime = 0x00D7 => "LTIME",
        /// Duration (short).
        Itime = 0x00D8 => "ITIME",
        /// Character string, N-byte characters.
        StringN = 0x00D9 => "STRINGN",
        /// Character string, 1-byte length then the characters.
        ShortString = 0x00DA => "SHORT_STRING",
        /// Duration (milliseconds).
        Time = 0x00DB => "TIME",
        /// CIP path segments.
        Epath = 0x00DC => "EPATH",
        /// Engineering units.
        EngUnit = 0x00DD => "ENGUNIT",
        /// International character string.
        StringI = 0x00DE => "STRINGI",
        /// A structure: the type word is followed by a 16-bit structure handle
        /// (1756-PM020 "Structure handle").
        Structure = 0x02A0 => "STRUCT",
    }
}

impl DataType {
    /// Bytes per element of a fixed-size elementary type, `None` for strings, structures
    /// and unknown types (Vol. 1 App. C-6.1).
    pub const fn size(self) -> Option<usize> {
        match self {
            DataType::Bool | DataType::Sint | DataType::Usint | DataType::Byte => Some(1),
            DataType::Int | DataType::Uint | DataType::Word => Some(2),
            DataType::Dint
            | DataType::Udint
            | DataType::Real
            | DataType::Dword
            | DataType::Date
            | DataType::Time
            | DataType::Itime => Some(4),
            DataType::Lint
            | DataType::Ulint
            | DataType::Lreal
            | DataType::Lword
            | DataType::Stime
            | DataType::TimeOfDay
            | DataType::DateAndTime
            | DataType::Ftime
            | DataType::Ltime => Some(8),
            _ => None,
        }
    }
}

/// The type of tag data: an elementary type, or a structure with its handle (the type word
/// 0x02A0 then the handle; 1756-PM020 "Read Tag Service" reply data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TagType {
    /// An elementary (or unknown) type code.
    Atomic(DataType),
    /// A structure, with its 16-bit structure handle (the template's CRC).
    Struct(u16),
}

impl TagType {
    /// Reads the type word and, for a structure, its handle.
    #[inline]
    pub(crate) fn read(rd: &mut Rd<'_>, anomalies: &mut Anomalies) -> Result<Self, Error> {
        let ty = DataType::from(rd.u16()?);
        if ty == DataType::Structure {
            return Ok(TagType::Struct(rd.u16()?));
        }
        *anomalies |= Anomalies::when(!ty.is_known(), Anomalies::LOGIX_UNKNOWN_TYPE);
        Ok(TagType::Atomic(ty))
    }

    /// Writes the type word (and handle).
    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match *self {
            TagType::Atomic(t) => s.u16_le(t.value()),
            TagType::Struct(h) => {
                s.u16_le(DataType::Structure.value())?;
                s.u16_le(h)
            }
        }
    }

    /// Bytes per element, when fixed.
    pub const fn element_size(self) -> Option<usize> {
        match self {
            TagType::Atomic(t) => t.size(),
            TagType::Struct(_) => None,
        }
    }
}

/// One tag value (1756-PM020 "CIP Data Types"; little-endian, Vol. 1 App. C-1).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Value<'a> {
    /// BOOL (any non-zero byte is true).
    Bool(bool),
    /// SINT.
    Sint(i8),
    /// INT.
    Int(i16),
    /// DINT.
    Dint(i32),
    /// LINT.
    Lint(i64),
    /// USINT.
    Usint(u8),
    /// UINT.
    Uint(u16),
    /// UDINT.
    Udint(u32),
    /// ULINT.
    Ulint(u64),
    /// REAL.
    Real(f32),
    /// LREAL.
    Lreal(f64),
    /// BYTE.
    Byte(u8),
    /// WORD.
    Word(u16),
    /// DWORD (32 BOOLs of a Logix BOOL array).
    Dword(u32),
    /// LWORD.
    Lword(u64),
    /// A value of another type (structure, string, time), or bytes left over that do not
    /// make a whole element, kept as they were.
    Raw(&'a [u8]),
}

impl Value<'_> {
    fn decode(ty: DataType, b: &[u8]) -> Option<Value<'_>> {
        let a1 = || b.first_chunk::<1>().copied();
        let a2 = || b.first_chunk::<2>().copied();
        let a4 = || b.first_chunk::<4>().copied();
        let a8 = || b.first_chunk::<8>().copied();
        Some(match ty {
            DataType::Bool => Value::Bool(a1()? != [0]),
            DataType::Sint => Value::Sint(i8::from_le_bytes(a1()?)),
            DataType::Usint => Value::Usint(a1()?[0]),
            DataType::Byte => Value::Byte(a1()?[0]),
            DataType::Int => Value::Int(i16::from_le_bytes(a2()?)),
            DataType::Uint => Value::Uint(u16::from_le_bytes(a2()?)),
            DataType::Word => Value::Word(u16::from_le_bytes(a2()?)),
            DataType::Dint => Value::Dint(i32::from_le_bytes(a4()?)),
            DataType::Udint => Value::Udint(u32::from_le_bytes(a4()?)),
            DataType::Dword => Value::Dword(u32::from_le_bytes(a4()?)),
            DataType::Real => Value::Real(f32::from_le_bytes(a4()?)),
            DataType::Lint => Value::Lint(i64::from_le_bytes(a8()?)),
            DataType::Ulint => Value::Ulint(u64::from_le_bytes(a8()?)),
            DataType::Lword => Value::Lword(u64::from_le_bytes(a8()?)),
            DataType::Lreal => Value::Lreal(f64::from_le_bytes(a8()?)),
            _ => Value::Raw(b),
        })
    }

    /// Writes the value's wire bytes (a BOOL as 0xFF or 0x00, as Logix writes it).
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match *self {
            Value::Bool(v) => s.u8(if v { 0xFF } else { 0 }),
            Value::Sint(v) => s.bytes(&v.to_le_bytes()),
            Value::Usint(v) | Value::Byte(v) => s.u8(v),
            Value::Int(v) => s.bytes(&v.to_le_bytes()),
            Value::Uint(v) | Value::Word(v) => s.u16_le(v),
            Value::Dint(v) => s.bytes(&v.to_le_bytes()),
            Value::Udint(v) | Value::Dword(v) => s.u32_le(v),
            Value::Real(v) => s.bytes(&v.to_le_bytes()),
            Value::Lint(v) => s.bytes(&v.to_le_bytes()),
            Value::Ulint(v) | Value::Lword(v) => s.bytes(&v.to_le_bytes()),
            Value::Lreal(v) => s.bytes(&v.to_le_bytes()),
            Value::Raw(b) => s.bytes(b),
        }
    }
}

/// Tag data of one type as a borrowed, allocation-free iterator of [`Value`]s
/// (1756-PM020 "Read Tag Service" reply data).
///
/// Fixed-size types give one value per element (bytes left over that do not make a whole
/// element come last, as [`Value::Raw`]); other types give all their bytes as one `Raw`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Values<'a> {
    ty: TagType,
    data: &'a [u8],
}

impl<'a> Values<'a> {
    /// Values of type `ty` in `data`.
    pub const fn new(ty: TagType, data: &'a [u8]) -> Self {
        Values { ty, data }
    }

    /// The data type.
    pub const fn tag_type(&self) -> TagType {
        self.ty
    }

    /// The data bytes.
    pub const fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Whether the bytes are a whole number of fixed-size elements (always true for types
    /// without a fixed size).
    pub const fn is_whole(&self) -> bool {
        match self.ty.element_size() {
            Some(n) => self.data.len() % n == 0,
            None => true,
        }
    }

    /// The number of whole elements of a fixed-size type.
    pub const fn whole_elements(&self) -> Option<usize> {
        match self.ty.element_size() {
            Some(n) => Some(self.data.len() / n),
            None => None,
        }
    }
}

impl<'a> Iterator for Values<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        if self.data.is_empty() {
            return None;
        }
        let (ty, size) = match self.ty {
            TagType::Atomic(t) => (t, t.size()),
            TagType::Struct(_) => (DataType::Structure, None),
        };
        let n = size.unwrap_or(self.data.len());
        match self.data.split_at_checked(n) {
            Some((head, tail)) => {
                self.data = tail;
                Value::decode(ty, head)
            }
            None => {
                let raw = self.data;
                self.data = &[];
                Some(Value::Raw(raw))
            }
        }
    }
}

/// The symbol type word of a Symbol object instance, attribute 2 (1756-PM020 "Symbol
/// Type Attribute"; pycomm3 `_parse_instance_attribute_list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SymbolType(pub u16);

impl SymbolType {
    /// Bit 15: a structure (the low 12 bits are its template instance).
    pub const fn is_struct(self) -> bool {
        self.0 & 0x8000 != 0
    }
    /// Bit 12: a system tag.
    pub const fn is_system(self) -> bool {
        self.0 & 0x1000 != 0
    }
    /// Bits 13-14: the number of array dimensions (0-3).
    pub const fn array_dims(self) -> u8 {
        ((self.0 >> 13) & 3) as u8
    }
    /// The template instance of a structure (bits 0-11).
    pub const fn template_instance(self) -> Option<u16> {
        if self.is_struct() {
            Some(self.0 & 0x0FFF)
        } else {
            None
        }
    }
    /// The elementary type of an atomic tag (bits 0-7).
    pub fn atomic_type(self) -> Option<DataType> {
        if self.is_struct() {
            None
        } else {
            Some(DataType::from(self.0 & 0x00FF))
        }
    }
    /// The bit position of a BOOL tag (bits 8-10).
    pub fn bool_bit(self) -> Option<u8> {
        (self.atomic_type() == Some(DataType::Bool)).then_some(((self.0 >> 8) & 7) as u8)
    }
}
