//! Building messages: a writer for application fragments, the common master requests
//! (IEEE 1815-2012 §4.4, Table 4-3 function semantics; object usage per the DNP3 subset
//! levels), and the split of a fragment into transport segments and link frames (§8.2).

use crate::app::header::{Qualifier, Range, write_range};
use crate::app::values::{AnalogValue, Crob, Timestamp};
use crate::app::{AppControl, Iin};
use crate::codes::{FunctionCode, PrefixCode, RangeCode};
use crate::emit::{Emit, Sink, Writer};
use crate::error::EmitError;
use crate::link::{LinkFrame, LinkHeader};
use crate::transport::{MAX_SEGMENT_PAYLOAD, Segment, TransportHeader};

/// Writes an application fragment into a caller's buffer, header by header (no
/// allocation).
pub struct FragmentWriter<'b> {
    w: Writer<'b>,
}

impl<'b> FragmentWriter<'b> {
    /// Starts a request fragment: control and function code.
    pub fn request(
        buf: &'b mut [u8],
        control: AppControl,
        function: FunctionCode,
    ) -> Result<Self, EmitError> {
        let mut w = Writer::unchecked_len(buf);
        w.u8(control.to_u8())?;
        w.u8(function.value())?;
        Ok(FragmentWriter { w })
    }

    /// Starts a response fragment: control, function code and IIN.
    pub fn response(
        buf: &'b mut [u8],
        control: AppControl,
        function: FunctionCode,
        iin: Iin,
    ) -> Result<Self, EmitError> {
        let mut f = FragmentWriter::request(buf, control, function)?;
        f.w.bytes(&iin.to_bytes())?;
        Ok(f)
    }

    /// An object header with an explicit qualifier and range (objects follow with
    /// [`FragmentWriter::bytes`]).
    pub fn header(
        &mut self,
        group: u8,
        variation: u8,
        qualifier: Qualifier,
        range: Range,
    ) -> Result<&mut Self, EmitError> {
        self.w.bytes(&[group, variation, qualifier.0])?;
        write_range(&mut self.w, qualifier.range_code(), range)?;
        Ok(self)
    }

    /// A header for all objects of a type (qualifier 0x06).
    pub fn all(&mut self, group: u8, variation: u8) -> Result<&mut Self, EmitError> {
        self.header(
            group,
            variation,
            Qualifier::new(PrefixCode::None, RangeCode::All),
            Range::All,
        )
    }

    /// A start-stop header, with the narrowest range code that fits (0x00, 0x01, 0x02).
    pub fn range(
        &mut self,
        group: u8,
        variation: u8,
        start: u32,
        stop: u32,
    ) -> Result<&mut Self, EmitError> {
        let code = if stop <= 0xFF {
            RangeCode::StartStop8
        } else if stop <= 0xFFFF {
            RangeCode::StartStop16
        } else {
            RangeCode::StartStop32
        };
        self.header(
            group,
            variation,
            Qualifier::new(PrefixCode::None, code),
            Range::StartStop { start, stop },
        )
    }

    /// A count header without prefix (0x07 or 0x08).
    pub fn count(&mut self, group: u8, variation: u8, count: u32) -> Result<&mut Self, EmitError> {
        let code = if count <= 0xFF {
            RangeCode::Count8
        } else {
            RangeCode::Count16
        };
        self.header(
            group,
            variation,
            Qualifier::new(PrefixCode::None, code),
            Range::Count(count),
        )
    }

    /// Raw octets (objects of the previous header).
    pub fn bytes(&mut self, data: &[u8]) -> Result<&mut Self, EmitError> {
        self.w.bytes(data)?;
        Ok(self)
    }

    /// One CROB (g12v1) at `index`, qualifier 0x28 (count 1, 2-octet index prefix).
    pub fn crob(&mut self, index: u16, crob: &Crob) -> Result<&mut Self, EmitError> {
        self.header(12, 1, Qualifier(0x28), Range::Count(1))?;
        self.w.u16_le(index)?;
        self.w.bytes(&crob.to_bytes())?;
        Ok(self)
    }

    /// One analog output block (g41, variation by the value's type) at `index`,
    /// qualifier 0x28, status 0.
    pub fn analog_output(
        &mut self,
        index: u16,
        value: AnalogValue,
    ) -> Result<&mut Self, EmitError> {
        let variation = match value {
            AnalogValue::I32(_) => 1,
            AnalogValue::I16(_) => 2,
            AnalogValue::F32(_) => 3,
            AnalogValue::F64(_) => 4,
        };
        self.header(41, variation, Qualifier(0x28), Range::Count(1))?;
        self.w.u16_le(index)?;
        match value {
            AnalogValue::I32(v) => self.w.bytes(&v.to_le_bytes())?,
            AnalogValue::I16(v) => self.w.bytes(&v.to_le_bytes())?,
            AnalogValue::F32(v) => self.w.bytes(&v.to_le_bytes())?,
            AnalogValue::F64(v) => self.w.bytes(&v.to_le_bytes())?,
        }
        self.w.u8(0)?;
        Ok(self)
    }

    /// Octets written so far: the fragment's length once the last header is in.
    pub fn finish(&self) -> usize {
        self.w.written()
    }
}

/// The common master requests (§4.4), each a single-fragment request.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MasterRequest {
    /// Integrity poll: Read class 1, 2, 3 and 0 (g60v2, v3, v4, v1, qualifier 0x06).
    IntegrityPoll,
    /// Read of the chosen event classes (g60v2-v4) and, with `class0`, static data (g60v1).
    ClassRead {
        /// Class 0 (static data).
        class0: bool,
        /// Class 1 events.
        class1: bool,
        /// Class 2 events.
        class2: bool,
        /// Class 3 events.
        class3: bool,
    },
    /// One CROB (g12v1) under Select, Operate, Direct Operate or Direct Operate No Ack.
    Crob {
        /// The command function.
        function: FunctionCode,
        /// Point index.
        index: u16,
        /// The block.
        crob: Crob,
    },
    /// One analog output block (g41) under a command function.
    AnalogOutput {
        /// The command function.
        function: FunctionCode,
        /// Point index.
        index: u16,
        /// The value (its type picks the variation).
        value: AnalogValue,
    },
    /// Cold restart (FC 13).
    ColdRestart,
    /// Warm restart (FC 14).
    WarmRestart,
    /// Enable unsolicited responses for the chosen classes (FC 20, g60v2-v4).
    EnableUnsolicited {
        /// Class 1.
        class1: bool,
        /// Class 2.
        class2: bool,
        /// Class 3.
        class3: bool,
    },
    /// Disable unsolicited responses for the chosen classes (FC 21).
    DisableUnsolicited {
        /// Class 1.
        class1: bool,
        /// Class 2.
        class2: bool,
        /// Class 3.
        class3: bool,
    },
    /// Time synchronisation: Write g50v1 (qualifier 0x07, count 1).
    TimeSync(Timestamp),
    /// Record current time (FC 24), the first step of LAN time sync.
    RecordCurrentTime,
    /// Delay measurement (FC 23).
    DelayMeasure,
    /// Read all device attributes (g0v254, qualifier 0x06).
    ReadDeviceAttributes,
    /// Clear the restart IIN: Write g80v1 index 7 = 0 (qualifier 0x00).
    ClearRestart,
}

/// A master request with its application sequence number; implements [`Emit`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Request {
    /// Application SEQ (0-15).
    pub seq: u8,
    /// What to ask.
    pub kind: MasterRequest,
}

/// Largest request the builders produce.
const MAX_REQUEST: usize = 64;

impl Request {
    /// Integrity poll (Read g60v2, g60v3, g60v4, g60v1).
    pub fn integrity_poll(seq: u8) -> Self {
        Request {
            seq,
            kind: MasterRequest::IntegrityPoll,
        }
    }
    /// Select of one CROB.
    pub fn select(seq: u8, index: u16, crob: Crob) -> Self {
        Request {
            seq,
            kind: MasterRequest::Crob {
                function: FunctionCode::Select,
                index,
                crob,
            },
        }
    }
    /// Operate of one CROB.
    pub fn operate(seq: u8, index: u16, crob: Crob) -> Self {
        Request {
            seq,
            kind: MasterRequest::Crob {
                function: FunctionCode::Operate,
                index,
                crob,
            },
        }
    }
    /// Direct operate of one CROB.
    pub fn direct_operate(seq: u8, index: u16, crob: Crob) -> Self {
        Request {
            seq,
            kind: MasterRequest::Crob {
                function: FunctionCode::DirectOperate,
                index,
                crob,
            },
        }
    }
    /// Time synchronisation (Write g50v1).
    pub fn time_sync(seq: u8, time: Timestamp) -> Self {
        Request {
            seq,
            kind: MasterRequest::TimeSync(time),
        }
    }

    fn function(&self) -> FunctionCode {
        match self.kind {
            MasterRequest::IntegrityPoll
            | MasterRequest::ClassRead { .. }
            | MasterRequest::ReadDeviceAttributes => FunctionCode::Read,
            MasterRequest::Crob { function, .. } | MasterRequest::AnalogOutput { function, .. } => {
                function
            }
            MasterRequest::ColdRestart => FunctionCode::ColdRestart,
            MasterRequest::WarmRestart => FunctionCode::WarmRestart,
            MasterRequest::EnableUnsolicited { .. } => FunctionCode::EnableUnsolicited,
            MasterRequest::DisableUnsolicited { .. } => FunctionCode::DisableUnsolicited,
            MasterRequest::TimeSync(_) | MasterRequest::ClearRestart => FunctionCode::Write,
            MasterRequest::RecordCurrentTime => FunctionCode::RecordCurrentTime,
            MasterRequest::DelayMeasure => FunctionCode::DelayMeasure,
        }
    }

    fn write(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut f = FragmentWriter::request(buf, AppControl::request(self.seq), self.function())?;
        let classes = |f: &mut FragmentWriter<'_>, c: [bool; 3]| -> Result<(), EmitError> {
            for (on, v) in c.into_iter().zip(2..=4) {
                if on {
                    f.all(60, v)?;
                }
            }
            Ok(())
        };
        match self.kind {
            MasterRequest::IntegrityPoll => {
                classes(&mut f, [true; 3]).and_then(|()| f.all(60, 1).map(|_| ()))?
            }
            MasterRequest::ClassRead {
                class0,
                class1,
                class2,
                class3,
            } => {
                classes(&mut f, [class1, class2, class3])?;
                if class0 {
                    f.all(60, 1)?;
                }
            }
            MasterRequest::Crob { index, crob, .. } => {
                f.crob(index, &crob)?;
            }
            MasterRequest::AnalogOutput { index, value, .. } => {
                f.analog_output(index, value)?;
            }
            MasterRequest::EnableUnsolicited {
                class1,
                class2,
                class3,
            }
            | MasterRequest::DisableUnsolicited {
                class1,
                class2,
                class3,
            } => classes(&mut f, [class1, class2, class3])?,
            MasterRequest::TimeSync(t) => {
                f.count(50, 1, 1)?.bytes(&t.to_bytes())?;
            }
            MasterRequest::ReadDeviceAttributes => {
                f.all(0, 254)?;
            }
            MasterRequest::ClearRestart => {
                f.range(80, 1, 7, 7)?.bytes(&[0])?;
            }
            MasterRequest::ColdRestart
            | MasterRequest::WarmRestart
            | MasterRequest::RecordCurrentTime
            | MasterRequest::DelayMeasure => {}
        }
        Ok(f.finish())
    }
}

impl Emit for Request {
    fn buffer_len(&self) -> usize {
        let mut scratch = [0u8; MAX_REQUEST];
        self.write(&mut scratch).unwrap_or(0)
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut scratch = [0u8; MAX_REQUEST];
        let n = self.write(&mut scratch)?;
        let mut w = Writer::new(buf, n)?;
        w.bytes(scratch.get(..n).unwrap_or_default())?;
        Ok(n)
    }
}

/// An application fragment split into transport segments of at most 249 octets, each in
/// its own link frame with CRCs (§8.2). `emit` writes all frames back to back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TransportFrames<'a> {
    /// Link header for every frame (control usually Unconfirmed User Data).
    pub header: LinkHeader,
    /// Transport SEQUENCE of the first segment; later segments count up modulo 64.
    pub first_seq: u8,
    /// The whole application fragment.
    pub fragment: &'a [u8],
}

impl<'a> TransportFrames<'a> {
    /// The segments, as (transport header, payload).
    pub fn segments(&self) -> impl Iterator<Item = (TransportHeader, &'a [u8])> + 'a {
        let n = self.fragment.len().div_ceil(MAX_SEGMENT_PAYLOAD).max(1);
        let fragment = self.fragment;
        let first = self.first_seq;
        (0..n).map(move |i| {
            let start = i * MAX_SEGMENT_PAYLOAD;
            let end = (start + MAX_SEGMENT_PAYLOAD).min(fragment.len());
            let payload = fragment.get(start..end).unwrap_or_default();
            let seq = ((usize::from(first) + i) % 64) as u8;
            (
                TransportHeader {
                    fir: i == 0,
                    fin: i + 1 == n,
                    seq,
                },
                payload,
            )
        })
    }
}

impl Emit for TransportFrames<'_> {
    fn buffer_len(&self) -> usize {
        self.segments()
            .map(|(_, p)| {
                let n = p.len() + 1;
                crate::link::HEADER_LEN + n + 2 * n.div_ceil(crate::link::BLOCK_LEN)
            })
            .sum()
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let needed = self.buffer_len();
        if buf.len() < needed {
            return Err(EmitError::BufferTooShort {
                needed,
                available: buf.len(),
            });
        }
        let mut pos = 0;
        let mut segment = [0u8; crate::link::MAX_USER_DATA];
        for (th, payload) in self.segments() {
            let n = Segment {
                header: th,
                payload,
            }
            .emit(&mut segment)?;
            let frame = LinkFrame {
                header: self.header,
                user_data: segment.get(..n).unwrap_or_default(),
            };
            let out = buf.get_mut(pos..).unwrap_or_default();
            pos += frame.emit(out)?;
        }
        Ok(pos)
    }
}
