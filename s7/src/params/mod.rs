//! The parameter and data parts of S7comm jobs (ROSCTR 1) and their answers (ROSCTR 2 and
//! 3), typed per function: setup communication (0xF0), read / write variable (0x04, 0x05),
//! block transfer (0x1A-0x1F), PI service (0x28), PLC stop (0x29).

pub mod block;
pub mod pi;
pub mod var;

use crate::anomaly::Anomalies;
use crate::codes::Function;
use crate::error::EmitError;
use block::{BlockControl, BlockData};
use otwire_core::{Counter, Sink};
use pi::{PiService, PlcStop};
use var::{DataItems, ReturnCodes, VarItems};

/// Setup communication (0xF0): the job's proposal and the answer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Setup {
    /// The reserved byte after the function (0; some CPUs answer 1).
    pub reserved: u8,
    /// Max AmQ (parallel jobs with ack) calling.
    pub max_amq_calling: u16,
    /// Max AmQ called.
    pub max_amq_called: u16,
    /// PDU size in bytes (240, 480, 960 are usual).
    pub pdu_size: u16,
}

impl Setup {
    /// The proposal python-snap7 and STEP 7 send: AmQ 1/1, PDU size 480.
    pub const fn request(pdu_size: u16) -> Self {
        Setup {
            reserved: 0,
            max_amq_calling: 1,
            max_amq_called: 1,
            pdu_size,
        }
    }

    fn parse(params: &[u8]) -> Option<(Self, Anomalies)> {
        match *params {
            [r, c0, c1, d0, d1, p0, p1, ref rest @ ..] => {
                let s = Setup {
                    reserved: r,
                    max_amq_calling: u16::from_be_bytes([c0, c1]),
                    max_amq_called: u16::from_be_bytes([d0, d1]),
                    pdu_size: u16::from_be_bytes([p0, p1]),
                };
                let a = Anomalies::when(
                    s.pdu_size == 0 || s.max_amq_called == 0 || s.max_amq_calling == 0,
                    Anomalies::SETUP_VALUE,
                ) | Anomalies::when(!rest.is_empty(), Anomalies::LENGTH_MISMATCH);
                Some((s, a))
            }
            _ => None,
        }
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(Function::SetupCommunication.value())?;
        s.u8(self.reserved)?;
        s.u16_be(self.max_amq_calling)?;
        s.u16_be(self.max_amq_called)?;
        s.u16_be(self.pdu_size)
    }
}

/// A job (ROSCTR 1), keyed by function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Job<'a> {
    /// Setup communication (0xF0).
    Setup(Setup),
    /// Read variables (0x04).
    ReadVar {
        /// The items.
        items: VarItems<'a>,
    },
    /// Write variables (0x05).
    WriteVar {
        /// The items.
        items: VarItems<'a>,
        /// One data item per item.
        data: DataItems<'a>,
    },
    /// Block transfer (0x1A-0x1F).
    Block {
        /// The parameter part.
        control: BlockControl<'a>,
        /// The data part (the block bytes in a download-block answer).
        #[cfg_attr(feature = "serde", serde(skip))]
        data: &'a [u8],
    },
    /// PI service (0x28).
    PiService(PiService<'a>),
    /// PLC stop (0x29).
    PlcStop(PlcStop<'a>),
    /// Any other function, parts raw.
    Other {
        /// The function byte.
        function: Function,
        /// The parameter part after the function byte.
        #[cfg_attr(feature = "serde", serde(skip))]
        params: &'a [u8],
        /// The data part.
        #[cfg_attr(feature = "serde", serde(skip))]
        data: &'a [u8],
    },
}

/// Parses a job's parts. `params` is the whole parameter part (function byte first).
/// [`crate::Pdu::parse`] decodes read and write var, nearly all of the traffic, inline
/// before it calls this; this is the out-of-line path for everything else (and stays
/// complete on its own), so that the larger results do not widen the common path
/// (docs/CONVENTIONS.md).
#[inline(never)]
pub(crate) fn parse_job<'a>(params: &'a [u8], data: &'a [u8]) -> (Job<'a>, Anomalies) {
    if let [f @ (0x04 | 0x05), count, items @ ..] = params {
        let (items, left, mut a) = VarItems::split(u16::from(*count), items);
        a |= Anomalies::when(!left.is_empty(), Anomalies::LENGTH_MISMATCH);
        if *f == 0x04 {
            a |= Anomalies::when(!data.is_empty(), Anomalies::LENGTH_MISMATCH);
            return (Job::ReadVar { items }, a);
        }
        let (data, da) = DataItems::check(u16::from(*count), data, true);
        return (Job::WriteVar { items, data }, a | da);
    }
    parse_job_rare(params, data)
}

#[inline(never)]
fn parse_job_rare<'a>(params: &'a [u8], data: &'a [u8]) -> (Job<'a>, Anomalies) {
    let Some((&f, rest)) = params.split_first() else {
        return (
            Job::Other {
                function: Function::Unknown(0),
                params: &[],
                data,
            },
            Anomalies::TRUNCATED,
        );
    };
    match f {
        0xF0 => match Setup::parse(rest) {
            Some((s, a)) => (
                Job::Setup(s),
                a | Anomalies::when(!data.is_empty(), Anomalies::LENGTH_MISMATCH),
            ),
            None => (
                Job::Other {
                    function: f.into(),
                    params: rest,
                    data,
                },
                Anomalies::TRUNCATED,
            ),
        },
        0x1A..=0x1F => {
            let (control, a) = BlockControl::parse(f.into(), rest);
            // A job carries at least status, reserved bytes and upload id.
            let short = Anomalies::when(BlockControl::is_short(rest), Anomalies::TRUNCATED);
            (Job::Block { control, data }, a | short)
        }
        // Setup communication, PI service and PLC stop jobs have no data part: one present
        // is flagged (and not kept: the typed job has no place for it).
        0x28 => {
            let (pi, a) = PiService::parse(rest);
            (
                Job::PiService(pi),
                a | Anomalies::when(!data.is_empty(), Anomalies::LENGTH_MISMATCH),
            )
        }
        0x29 => {
            let (stop, a) = PlcStop::parse(rest);
            (
                Job::PlcStop(stop),
                a | Anomalies::when(!data.is_empty(), Anomalies::LENGTH_MISMATCH),
            )
        }
        // Read / write var without their item count.
        0x04 | 0x05 => (
            Job::Other {
                function: f.into(),
                params: rest,
                data,
            },
            Anomalies::TRUNCATED,
        ),
        _ => (
            Job::Other {
                function: f.into(),
                params: rest,
                data,
            },
            Anomalies::UNKNOWN_FUNCTION,
        ),
    }
}

impl<'a> Job<'a> {
    /// The function code.
    pub fn function(&self) -> Function {
        match self {
            Job::Setup(_) => Function::SetupCommunication,
            Job::ReadVar { .. } => Function::ReadVar,
            Job::WriteVar { .. } => Function::WriteVar,
            Job::Block { control, .. } => control.function,
            Job::PiService(_) => Function::PiService,
            Job::PlcStop(_) => Function::PlcStop,
            Job::Other { function, .. } => *function,
        }
    }

    pub(crate) fn encode_params<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match self {
            Job::Setup(setup) => setup.encode(s),
            Job::ReadVar { items } | Job::WriteVar { items, .. } => {
                s.u8(self.function().value())?;
                s.count8(usize::from(items.count), "item count")?;
                s.bytes(items.bytes)
            }
            Job::Block { control, .. } => control.encode(s),
            Job::PiService(pi) => pi.encode(s),
            Job::PlcStop(stop) => stop.encode(s),
            Job::Other {
                function, params, ..
            } => {
                s.u8(function.value())?;
                s.bytes(params)
            }
        }
    }

    pub(crate) fn data(&self) -> &'a [u8] {
        match *self {
            Job::WriteVar { data, .. } => data.bytes,
            Job::Block { data, .. } | Job::Other { data, .. } => data,
            _ => &[],
        }
    }
}

/// The answer to a job (ROSCTR 2 ack, 3 ack-data), keyed by function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Response<'a> {
    /// Setup communication (0xF0): the PDU size the CPU grants.
    Setup(Setup),
    /// Read variables (0x04): one data item per requested item.
    ReadVar {
        /// The item count.
        item_count: u8,
        /// The data items.
        items: DataItems<'a>,
    },
    /// Write variables (0x05): one return code per item.
    WriteVar {
        /// The item count.
        item_count: u8,
        /// The return codes.
        return_codes: ReturnCodes<'a>,
    },
    /// Block transfer (0x1A-0x1F).
    Block {
        /// The parameter part.
        control: BlockControl<'a>,
        /// The data part of upload / download-block answers.
        data: Option<BlockData<'a>>,
        /// The raw parameter bytes (after the function byte), for re-encoding.
        #[cfg_attr(feature = "serde", serde(skip))]
        params: &'a [u8],
        /// The raw data part.
        #[cfg_attr(feature = "serde", serde(skip))]
        raw_data: &'a [u8],
    },
    /// PI service (0x28), PLC stop (0x29) and other answers, parts raw.
    Other {
        /// The function byte.
        function: Function,
        /// The parameter part after the function byte.
        #[cfg_attr(feature = "serde", serde(skip))]
        params: &'a [u8],
        /// The data part.
        #[cfg_attr(feature = "serde", serde(skip))]
        data: &'a [u8],
    },
    /// No parameter part at all (an ack that reports an error in its header).
    Empty,
}

/// Parses an answer's parts: out of line, as [`parse_job`] (read and write var answers
/// are decoded inline by [`crate::Pdu::parse`] first).
#[inline(never)]
pub(crate) fn parse_response<'a>(params: &'a [u8], data: &'a [u8]) -> (Response<'a>, Anomalies) {
    match params {
        [0x04, count] => {
            let (items, a) = DataItems::check(u16::from(*count), data, false);
            (
                Response::ReadVar {
                    item_count: *count,
                    items,
                },
                a,
            )
        }
        [0x05, count] => (
            Response::WriteVar {
                item_count: *count,
                return_codes: ReturnCodes(data),
            },
            Anomalies::when(
                data.len() != usize::from(*count),
                Anomalies::ITEM_COUNT_MISMATCH,
            ),
        ),
        _ => parse_response_rare(params, data),
    }
}

#[inline(never)]
fn parse_response_rare<'a>(params: &'a [u8], data: &'a [u8]) -> (Response<'a>, Anomalies) {
    let Some((&f, rest)) = params.split_first() else {
        return (
            Response::Empty,
            Anomalies::when(!data.is_empty(), Anomalies::LENGTH_MISMATCH),
        );
    };
    let other = |a| {
        (
            Response::Other {
                function: f.into(),
                params: rest,
                data,
            },
            a,
        )
    };
    match (f, rest) {
        (0x04, [count]) => {
            let (items, a) = DataItems::check(u16::from(*count), data, false);
            (
                Response::ReadVar {
                    item_count: *count,
                    items,
                },
                a,
            )
        }
        (0x05, [count]) => (
            Response::WriteVar {
                item_count: *count,
                return_codes: ReturnCodes(data),
            },
            Anomalies::when(
                data.len() != usize::from(*count),
                Anomalies::ITEM_COUNT_MISMATCH,
            ),
        ),
        (0x04 | 0x05, _) => other(Anomalies::LENGTH_MISMATCH),
        (0xF0, _) => match Setup::parse(rest) {
            Some((s, a)) => (
                Response::Setup(s),
                a | Anomalies::when(!data.is_empty(), Anomalies::LENGTH_MISMATCH),
            ),
            None => other(Anomalies::TRUNCATED),
        },
        (0x1A..=0x1F, _) => {
            let (control, mut a) = if BlockControl::is_short(rest) {
                let (c, _) = BlockControl::parse(f.into(), &[]);
                (
                    BlockControl {
                        status: rest.first().copied().unwrap_or(0),
                        ..c
                    },
                    Anomalies::empty(),
                )
            } else {
                BlockControl::parse(f.into(), rest)
            };
            let block = if data.is_empty() {
                None
            } else {
                match BlockData::parse(data) {
                    Some((d, da)) => {
                        a |= da;
                        Some(d)
                    }
                    None => {
                        a |= Anomalies::TRUNCATED;
                        None
                    }
                }
            };
            (
                Response::Block {
                    control,
                    data: block,
                    params: rest,
                    raw_data: data,
                },
                a,
            )
        }
        (0x28 | 0x29, _) => other(Anomalies::empty()),
        _ => other(Anomalies::UNKNOWN_FUNCTION),
    }
}

impl<'a> Response<'a> {
    /// The function code, if the answer has a parameter part.
    pub fn function(&self) -> Option<Function> {
        Some(match self {
            Response::Setup(_) => Function::SetupCommunication,
            Response::ReadVar { .. } => Function::ReadVar,
            Response::WriteVar { .. } => Function::WriteVar,
            Response::Block { control, .. } => control.function,
            Response::Other { function, .. } => *function,
            Response::Empty => return None,
        })
    }

    pub(crate) fn encode_params<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match *self {
            Response::Setup(setup) => setup.encode(s),
            Response::ReadVar { item_count, .. } | Response::WriteVar { item_count, .. } => {
                s.u8(self.function().map_or(0, |f| f.value()))?;
                s.u8(item_count)
            }
            Response::Block {
                control, params, ..
            } => {
                s.u8(control.function.value())?;
                s.bytes(params)
            }
            Response::Other {
                function, params, ..
            } => {
                s.u8(function.value())?;
                s.bytes(params)
            }
            Response::Empty => Ok(()),
        }
    }

    pub(crate) fn data(&self) -> &'a [u8] {
        match *self {
            Response::ReadVar { items, .. } => items.bytes,
            Response::WriteVar { return_codes, .. } => return_codes.0,
            Response::Block { raw_data, .. } => raw_data,
            Response::Other { data, .. } => data,
            Response::Setup(_) | Response::Empty => &[],
        }
    }
}

/// Bytes a part takes when encoded.
pub(crate) fn part_len(f: impl Fn(&mut Counter) -> Result<(), EmitError>) -> usize {
    let mut c = Counter::default();
    let _ = f(&mut c);
    c.0
}

/// Serializes bytes as a string (lossy), for service names and the like.
#[cfg(feature = "serde")]
pub(crate) fn ascii<S: serde::Serializer>(b: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&Ascii(b))
}

#[cfg(feature = "serde")]
/// Displays bytes as ASCII, `?` for what is not printable.
pub(crate) struct Ascii<'a>(pub &'a [u8]);

#[cfg(feature = "serde")]
impl core::fmt::Display for Ascii<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write;
        for &b in self.0 {
            f.write_char(if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '?'
            })?;
        }
        Ok(())
    }
}
