//! PI (program invocation) service, job 0x28, and PLC stop, job 0x29: the service name
//! (`P_PROGRAM`, `_INSE`, `_DELE`, `_GARB`, `_MODU`, `_N_...`) and its arguments, as the
//! public S7comm descriptions give them.

use crate::anomaly::Anomalies;
use crate::error::EmitError;
use crate::error::Layer;
use crate::params::block::BlockName;
use crate::read::Cursor;
use otwire_core::Sink;

/// A PI service job (0x28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PiService<'a> {
    /// The seven bytes after the function (`00 00 00 00 00 00 FD`).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub reserved: &'a [u8],
    /// The parameter block (the arguments).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub parameter_block: &'a [u8],
    /// The service name, in ASCII.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::params::ascii"))]
    pub service: &'a [u8],
}

/// The PI services people name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum PiKind {
    /// `P_PROGRAM`: start (or, in PLC stop, stop) the program.
    Program,
    /// `_INSE`: insert (activate) downloaded blocks.
    Insert,
    /// `_DELE`: delete blocks.
    Delete,
    /// `_GARB`: compress memory.
    Compress,
    /// `_MODU`: copy RAM to ROM.
    CopyRamToRom,
    /// `_N_...`: Sinumerik NC services.
    Nc,
    /// Anything else.
    Other,
}

impl PiKind {
    /// The kind of a service name.
    pub fn of(service: &[u8]) -> PiKind {
        match service {
            b"P_PROGRAM" => PiKind::Program,
            b"_INSE" => PiKind::Insert,
            b"_DELE" => PiKind::Delete,
            b"_GARB" => PiKind::Compress,
            b"_MODU" => PiKind::CopyRamToRom,
            [b'_', b'N', b'_', ..] => PiKind::Nc,
            _ => PiKind::Other,
        }
    }
}

impl<'a> PiService<'a> {
    pub(crate) fn parse(params: &'a [u8]) -> (Self, Anomalies) {
        let mut c = Cursor::new(params, Layer::Parameter);
        let (reserved, short) = c.take_upto(7);
        let mut pi = PiService {
            reserved,
            parameter_block: &[],
            service: &[],
        };
        if short {
            return (pi, Anomalies::TRUNCATED);
        }
        let Ok(len) = c.u16() else {
            return (pi, Anomalies::TRUNCATED);
        };
        let (block, short) = c.take_upto(usize::from(len));
        pi.parameter_block = block;
        if short {
            return (pi, Anomalies::TRUNCATED);
        }
        let Ok((service, short)) = c.counted8() else {
            return (pi, Anomalies::TRUNCATED);
        };
        pi.service = service;
        (
            pi,
            Anomalies::when(short, Anomalies::TRUNCATED)
                | Anomalies::when(!c.is_empty(), Anomalies::LENGTH_MISMATCH),
        )
    }

    /// What the service does.
    pub fn kind(&self) -> PiKind {
        PiKind::of(self.service)
    }

    /// The blocks an `_INSE` / `_DELE` names: a count, a reserved byte, then eight
    /// characters a block (`0A00001P`). Empty for other services.
    pub fn blocks(&self) -> impl Iterator<Item = BlockName<'a>> + 'a {
        let names = match (self.kind(), self.parameter_block) {
            (PiKind::Insert | PiKind::Delete, [n, _, rest @ ..]) => {
                rest.get(..usize::from(*n) * 8).unwrap_or(rest)
            }
            _ => &[],
        };
        names.chunks(8).map(BlockName)
    }

    /// The arguments as a string (the parameter block of `P_PROGRAM` and others), when
    /// they are printable ASCII.
    pub fn argument(&self) -> Option<&'a str> {
        let s = core::str::from_utf8(self.parameter_block).ok()?;
        s.bytes()
            .all(|b| b.is_ascii_graphic() || b == b' ')
            .then_some(s)
    }

    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(0x28)?;
        s.bytes(self.reserved)?;
        s.u16_be(u16::try_from(self.parameter_block.len()).map_err(|_| {
            EmitError::ValueOutOfRange {
                field: "parameter block length",
            }
        })?)?;
        s.bytes(self.parameter_block)?;
        s.count8(self.service.len(), "service name length")?;
        s.bytes(self.service)
    }
}

/// A PLC stop job (0x29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PlcStop<'a> {
    /// The five bytes after the function.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub reserved: &'a [u8],
    /// The service name (`P_PROGRAM`).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::params::ascii"))]
    pub service: &'a [u8],
}

impl<'a> PlcStop<'a> {
    pub(crate) fn parse(params: &'a [u8]) -> (Self, Anomalies) {
        let mut c = Cursor::new(params, Layer::Parameter);
        let (reserved, short) = c.take_upto(5);
        let mut stop = PlcStop {
            reserved,
            service: &[],
        };
        if short {
            return (stop, Anomalies::TRUNCATED);
        }
        let Ok((service, short)) = c.counted8() else {
            return (stop, Anomalies::TRUNCATED);
        };
        stop.service = service;
        (
            stop,
            Anomalies::when(short, Anomalies::TRUNCATED)
                | Anomalies::when(!c.is_empty(), Anomalies::LENGTH_MISMATCH),
        )
    }

    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(0x29)?;
        s.bytes(self.reserved)?;
        s.count8(self.service.len(), "service name length")?;
        s.bytes(self.service)
    }
}
