//! Block transfer jobs 0x1A-0x1F (request download, download block, download ended, start
//! upload, upload, end upload) and block names (`_0A00001P`: file identifier, block type,
//! number, file system), as the public S7comm descriptions give them.

use crate::anomaly::Anomalies;
use crate::codes::{BlockType, Function};
use crate::error::{EmitError, Error, Layer};
use crate::read::{Cursor, be16, be32};
use otwire_core::Sink;

/// A block name as sent: `_` (file identifier, absent in PI arguments and userdata),
/// two hex digits of block type, five decimal digits of number, one file system letter
/// (`P` passive, `A` active, `B` both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockName<'a>(pub &'a [u8]);

impl<'a> BlockName<'a> {
    /// The name without its file identifier, if it has one.
    fn body(&self) -> &'a [u8] {
        match self.0 {
            [b'_', rest @ ..] => rest,
            all => all,
        }
    }

    /// The file identifier (`_`), if present.
    pub fn file_id(&self) -> Option<u8> {
        self.0.first().copied().filter(|&b| b == b'_')
    }

    /// The block type, from its two hex digits.
    pub fn block_type(&self) -> Option<BlockType> {
        let b = self.body();
        let hi = hex(*b.first()?)?;
        let lo = hex(*b.get(1)?)?;
        Some(BlockType::from(hi << 4 | lo))
    }

    /// The block number, from its five decimal digits.
    pub fn number(&self) -> Option<u32> {
        let digits = self.body().get(2..7)?;
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    }

    /// The file system letter.
    pub fn filesystem(&self) -> Option<u8> {
        self.body().get(7).copied()
    }

    /// Whether the name has the expected shape (flagged `BAD_BLOCK_NAME` when not).
    pub fn is_valid(&self) -> bool {
        self.body().len() == 8 && self.block_type().is_some() && self.number().is_some()
    }

    /// Writes "OB1", "DB10", "SDB0" into `f`.
    fn write_short(&self, f: &mut impl core::fmt::Write) -> core::fmt::Result {
        match (self.block_type(), self.number()) {
            (Some(t), Some(n)) => match t.name() {
                Some(name) => write!(f, "{name}{n}"),
                None => write!(f, "{t}-{n}"),
            },
            _ => {
                for &b in self.0 {
                    f.write_char(if b.is_ascii_graphic() { b as char } else { '?' })?;
                }
                Ok(())
            }
        }
    }
}

impl core::fmt::Display for BlockName<'_> {
    /// "OB1", "DB10"; the raw characters when the name is not well formed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.write_short(f)
    }
}

/// Serializes as `{"name": "DB10", "type": 10, "number": 10, "filesystem": "P"}`.
#[cfg(feature = "serde")]
impl serde::Serialize for BlockName<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Short<'b>(&'b BlockName<'b>);
        impl serde::Serialize for Short<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self.0)
            }
        }
        let mut st = s.serialize_struct("BlockName", 4)?;
        st.serialize_field("name", &Short(self))?;
        st.serialize_field("type", &self.block_type())?;
        st.serialize_field("number", &self.number())?;
        st.serialize_field("filesystem", &self.filesystem().map(char::from))?;
        st.end()
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// The parameter part of a block transfer job (0x1A-0x1F) or of its answer: function
/// status, the upload id, and the block name and length string where the function has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BlockControl<'a> {
    /// 0x1A request download ... 0x1F end upload.
    pub function: Function,
    /// Function status (bit 0: more data follows; bit 1: error).
    pub status: u8,
    /// Two bytes after the status (0x0100 in downloads, 0x0000 in uploads).
    pub reserved: u16,
    /// Upload id (0 before the PLC assigns one).
    pub upload_id: u32,
    /// The file name (`_0A00001P`), where the function carries one.
    pub filename: Option<BlockName<'a>>,
    /// The second string: `1` + load memory length (6 digits) + MC7 length (6 digits) in
    /// request download; the block length in a start-upload answer.
    pub part2: Option<&'a [u8]>,
}

impl<'a> BlockControl<'a> {
    /// Decodes a block transfer parameter part (after the function byte). Short parts
    /// (the one-byte answers of 0x1A/0x1C/0x1F) give zeros and no strings.
    pub(crate) fn parse(function: Function, params: &'a [u8]) -> (Self, Anomalies) {
        let mut c = Cursor::new(params, Layer::Parameter);
        let mut b = BlockControl {
            function,
            status: 0,
            reserved: 0,
            upload_id: 0,
            filename: None,
            part2: None,
        };
        let mut a = Anomalies::empty();
        let Ok(status) = c.u8() else {
            return (b, a);
        };
        b.status = status;
        let (Ok(reserved), Ok(id)) = (c.u16(), c.u32()) else {
            return (b, a | Anomalies::when(!c.is_empty(), Anomalies::TRUNCATED));
        };
        b.reserved = reserved;
        b.upload_id = id;
        if let Ok((name, short)) = c.counted8() {
            a |= Anomalies::when(short, Anomalies::TRUNCATED);
            if function == Function::StartUpload && name.first() != Some(&b'_') {
                // The start-upload answer's string is the block length.
                b.part2 = Some(name);
            } else {
                a |= Anomalies::when(!BlockName(name).is_valid(), Anomalies::BAD_BLOCK_NAME);
                b.filename = Some(BlockName(name));
            }
        }
        // A second string follows a file name only (the start-upload answer has one).
        if b.filename.is_some() {
            if let Ok((part2, short)) = c.counted8() {
                a |= Anomalies::when(short, Anomalies::TRUNCATED);
                b.part2 = Some(part2);
            }
        }
        (
            b,
            a | Anomalies::when(!c.is_empty(), Anomalies::LENGTH_MISMATCH),
        )
    }

    /// The load memory length a request download announces.
    pub fn load_memory_len(&self) -> Option<u32> {
        decimal(self.part2?.get(1..7)?)
    }

    /// The MC7 code length a request download announces.
    pub fn mc7_len(&self) -> Option<u32> {
        decimal(self.part2?.get(7..13)?)
    }

    /// Whether more data follows (function status bit 0).
    pub fn more(&self) -> bool {
        self.status & 0x01 != 0
    }

    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(self.function.value())?;
        s.u8(self.status)?;
        s.u16_be(self.reserved)?;
        s.u32_be(self.upload_id)?;
        let strings = [self.filename.map(|n| n.0), self.part2];
        for part in strings.into_iter().flatten() {
            s.count8(part.len(), "block string length")?;
            s.bytes(part)?;
        }
        Ok(())
    }

    /// Bytes a full block control takes (status, reserved, upload id and the strings).
    pub(crate) fn is_short(params: &[u8]) -> bool {
        params.len() < 7
    }
}

fn decimal(d: &[u8]) -> Option<u32> {
    d.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// The data part of a download-block or upload answer: a length, two unknown bytes
/// (0x00FB) and the block bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BlockData<'a> {
    /// Length as declared.
    pub length: u16,
    /// The two bytes after the length (0x00FB).
    pub unknown: u16,
    /// The block bytes (MC7 code and header).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub data: &'a [u8],
}

impl<'a> BlockData<'a> {
    /// Decodes the data part; `None` when it is shorter than its four-byte head.
    pub fn parse(bytes: &'a [u8]) -> Option<(Self, Anomalies)> {
        let length = be16(bytes, 0)?;
        let unknown = be16(bytes, 2)?;
        let data = bytes.get(4..)?;
        Some((
            BlockData {
                length,
                unknown,
                data,
            },
            Anomalies::when(
                usize::from(length) != data.len(),
                Anomalies::LENGTH_MISMATCH,
            ),
        ))
    }
}

/// The first u32 after function, status and two reserved bytes (the upload id), for
/// callers that have the raw parameter part.
pub fn upload_id(params: &[u8]) -> Result<u32, Error> {
    be32(params, 4).ok_or(Error::malformed(Layer::Parameter, params.len()))
}
