//! Userdata (ROSCTR 7): the parameter head (method, type, function group, subfunction,
//! sequence number, and on answers and follow-up requests the data-unit reference, the
//! last-unit flag and an error code), the data header (return code, transport size,
//! length), and typed bodies per group: mode transition, programmer commands, cyclic
//! data, block functions, CPU functions (SZL), security (password), time functions
//! (public S7comm descriptions; Wireshark's `s7comm.param.userdata.*` fields).

use crate::anomaly::Anomalies;
use crate::codes::{
    CpuMode, DataTransportSize, FunctionGroup, ReturnCode, UserdataType, subfunction,
    subfunction_name,
};
use crate::error::EmitError;
use crate::error_codes::ErrorCode;
use crate::params::block::BlockName;
use crate::params::var::{DataItems, VarItems};
use crate::read::be16;
use crate::szl::{SzlAnswer, SzlRequest};
use otwire_core::Sink;

/// The three bytes every userdata parameter part starts with.
pub const USERDATA_HEAD: [u8; 3] = [0x00, 0x01, 0x12];
/// The head of the mode-transition pushes S7-300 CPUs send.
pub const MODE_PUSH_HEAD: [u8; 3] = [0x01, 0x00, 0x10];
/// The parameter length byte of those pushes (0x10, over four bytes).
const PUSH_LENGTH: u8 = 0x10;

/// The userdata parameter part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UserdataParams {
    /// The head as sent (`00 01 12`).
    pub head: [u8; 3],
    /// Method: 0x11 request, 0x12 response (0x00 in pushes of some devices).
    pub method: u8,
    /// Type: push, request, response (NC variants).
    pub kind: UserdataType,
    /// Function group.
    pub group: FunctionGroup,
    /// Subfunction within the group.
    pub subfunction: u8,
    /// Sequence number.
    pub sequence: u8,
    /// The extended part of answers and follow-up requests (parameter length 8).
    pub ext: Option<UserdataExt>,
}

/// The four bytes that extend a userdata parameter part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UserdataExt {
    /// Data-unit reference: ties the fragments of one answer together (0 when whole).
    pub data_unit_ref: u8,
    /// Last data unit: 0x00 yes, 0x01 no (more follows).
    pub last_unit: u8,
    /// Error code.
    pub error: ErrorCode,
}

impl UserdataExt {
    /// Whether this is the last data unit.
    pub const fn is_last(&self) -> bool {
        self.last_unit == 0
    }
}

impl UserdataParams {
    /// The subfunction's name within its group.
    pub fn subfunction_name(&self) -> Option<&'static str> {
        subfunction_name(self.group, self.subfunction)
    }

    /// Whether this answer is one fragment of several (a data-unit reference, or
    /// "more follows").
    pub fn is_fragment(&self) -> bool {
        self.ext
            .is_some_and(|e| e.data_unit_ref != 0 || !e.is_last())
    }

    /// Whether this is a request or push (not an answer).
    pub fn is_response(&self) -> bool {
        matches!(self.kind, UserdataType::Response | UserdataType::NcResponse)
    }

    fn parse(params: &[u8]) -> Option<(Self, Anomalies)> {
        let [h0, h1, h2, len, method, tg, sub, seq, ref ext @ ..] = *params else {
            return None;
        };
        let ext_part = match *ext {
            [dur, last, e0, e1, ..] => Some(UserdataExt {
                data_unit_ref: dur,
                last_unit: last,
                error: ErrorCode::from(u16::from_be_bytes([e0, e1])),
            }),
            _ => None,
        };
        let p = UserdataParams {
            head: [h0, h1, h2],
            method,
            kind: (tg >> 4).into(),
            group: (tg & 0x0F).into(),
            subfunction: sub,
            sequence: seq,
            ext: ext_part,
        };
        let declared = usize::from(len);
        let actual = params.len() - 4;
        // S7-300 CPUs send their mode-transition pushes with the head `01 00 10` and a
        // length byte of 0x10 over four bytes (tshark decodes them the same way); any other
        // length byte there is odd.
        let odd = if p.is_push_form() {
            len != PUSH_LENGTH
        } else {
            p.head != USERDATA_HEAD || !matches!(len, 4 | 8) || declared != actual
        };
        let a = Anomalies::when(odd, Anomalies::USERDATA_HEAD)
            | Anomalies::when(
                !p.kind.is_known() || !p.group.is_known(),
                Anomalies::UNKNOWN_CODE,
            );
        Some((p, a))
    }

    /// Whether these are the parameters of an S7-300 mode-transition push (head `01 00 10`).
    fn is_push_form(&self) -> bool {
        self.head == MODE_PUSH_HEAD && self.group == FunctionGroup::ModeTransition
    }

    pub(crate) fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.bytes(&self.head)?;
        s.u8(match (self.is_push_form(), self.ext.is_some()) {
            (true, _) => PUSH_LENGTH,
            (false, true) => 8,
            (false, false) => 4,
        })?;
        s.u8(self.method)?;
        s.u8((self.kind.value() << 4) | (self.group.value() & 0x0F))?;
        s.u8(self.subfunction)?;
        s.u8(self.sequence)?;
        if let Some(e) = self.ext {
            s.u8(e.data_unit_ref)?;
            s.u8(e.last_unit)?;
            s.u16_be(e.error.value())?;
        }
        Ok(())
    }
}

/// The data header of a userdata data part and what follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UserdataData<'a> {
    /// Return code: 0xFF with data, 0x0A (object does not exist) without.
    pub return_code: ReturnCode,
    /// Transport size: 0x09 octet string, 0x00 without data.
    pub transport_size: DataTransportSize,
    /// Length of the payload as declared.
    pub length: u16,
    /// The payload.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub payload: &'a [u8],
}

impl<'a> UserdataData<'a> {
    fn parse(data: &'a [u8]) -> Option<(Self, Anomalies)> {
        let [rc, ts, l0, l1, ref payload @ ..] = *data else {
            return None;
        };
        let d = UserdataData {
            return_code: rc.into(),
            transport_size: ts.into(),
            length: u16::from_be_bytes([l0, l1]),
            payload,
        };
        // `FF 09` (CPUs and STEP 7) with data; `0A 00` (no data: an error answer, or the
        // follow-up request simulators and clients send) with none. Cyclic pushes use
        // `FF 09` too; anything else, or a length that disagrees, is odd.
        let known = matches!(
            (rc, ts),
            (0xFF, 0x09) | (0x0A, 0x00) | (0xFF, 0x00) | (0x00, 0x00)
        );
        let a = Anomalies::when(
            !known || usize::from(d.length) != payload.len(),
            Anomalies::USERDATA_DATA_HEADER,
        );
        Some((d, a))
    }
}

/// The typed body of a userdata PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "body", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum UserdataBody<'a> {
    /// No data part, or an empty payload (error answers, follow-up requests).
    Empty,
    /// An SZL read request (group 4, subfunction 1).
    SzlRequest(SzlRequest),
    /// An SZL answer (whole: fragments are [`UserdataBody::Fragment`]).
    Szl(SzlAnswer<'a>),
    /// One fragment of an answer sent in several data units: the bytes to join (see
    /// [`UserdataReassembler`](crate::UserdataReassembler)), typed once whole.
    Fragment {
        /// The bytes.
        #[cfg_attr(feature = "serde", serde(skip))]
        bytes: &'a [u8],
    },
    /// A mode-transition push: the new mode (the subfunction).
    ModeTransition {
        /// The mode.
        mode: CpuMode,
    },
    /// A block info request (group 3, subfunction 3): type, number, file system.
    BlockInfoRequest {
        /// The block.
        block: BlockName<'a>,
    },
    /// A list-blocks-of-type request (group 3, subfunction 2): the two-character type.
    ListBlocksOfType {
        /// The block type, as "0A"-style hex characters.
        #[cfg_attr(feature = "serde", serde(skip))]
        block_type: &'a [u8],
    },
    /// A cyclic data subscription (group 2, subfunction 1 request): interval and items.
    CyclicRequest {
        /// Time base of the interval (0: 0.1 s, 1: 1 s, 2: 10 s).
        timebase: u8,
        /// Interval in units of the time base.
        interval: u8,
        /// The items (S7ANY and the other syntaxes, as in read var).
        items: VarItems<'a>,
    },
    /// Cyclic data (group 2, subfunction 1 answer or push): one data item per item.
    CyclicData {
        /// The data items.
        items: DataItems<'a>,
    },
    /// A password (group 5, subfunction 1): eight scrambled bytes.
    Password {
        /// The bytes as sent.
        #[cfg_attr(feature = "serde", serde(skip))]
        bytes: &'a [u8],
    },
    /// A clock value (group 7): a reserved byte, then BCD year..milliseconds/weekday.
    Clock {
        /// The ten bytes.
        #[cfg_attr(feature = "serde", serde(skip))]
        bytes: &'a [u8],
    },
    /// Anything else: the payload.
    Raw {
        /// The bytes.
        #[cfg_attr(feature = "serde", serde(skip))]
        bytes: &'a [u8],
    },
}

/// A date and time as S7 sends it: eight BCD bytes (year, month, day, hour, minute,
/// second, then milliseconds in three digits and the weekday in the last one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct S7DateTime {
    /// Year (1990-2089: two BCD digits, 90-99 in the 1900s).
    pub year: u16,
    /// Month, 1-12.
    pub month: u8,
    /// Day, 1-31.
    pub day: u8,
    /// Hour, 0-23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Milliseconds.
    pub millis: u16,
    /// Weekday, 1 (Sunday) - 7.
    pub weekday: u8,
}

impl S7DateTime {
    /// Decodes eight BCD bytes; `None` when a nibble is not a decimal digit.
    pub fn from_bcd(b: &[u8]) -> Option<Self> {
        let d = |i: usize| -> Option<u8> {
            let v = *b.get(i)?;
            ((v >> 4) < 10 && (v & 0x0F) < 10).then_some((v >> 4) * 10 + (v & 0x0F))
        };
        let yy = u16::from(d(0)?);
        let ms_hi = u16::from(d(6)?);
        let last = *b.get(7)?;
        if last >> 4 > 9 {
            return None;
        }
        Some(S7DateTime {
            year: if yy >= 90 { 1900 + yy } else { 2000 + yy },
            month: d(1)?,
            day: d(2)?,
            hour: d(3)?,
            minute: d(4)?,
            second: d(5)?,
            millis: ms_hi * 10 + u16::from(last >> 4),
            weekday: last & 0x0F,
        })
    }
}

/// A userdata PDU's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Userdata<'a> {
    /// The parameter part.
    pub params: UserdataParams,
    /// The data header, if the data part has one.
    pub data: Option<UserdataData<'a>>,
    /// The payload, typed.
    pub body: UserdataBody<'a>,
    /// The data part as sent (re-encoded as it is when it has no data header).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub raw_data: &'a [u8],
}

/// Parses a userdata PDU's parts; `None` when the parameter part is too short to be one.
pub(crate) fn parse<'a>(params: &'a [u8], data: &'a [u8]) -> Option<(Userdata<'a>, Anomalies)> {
    let (p, mut a) = UserdataParams::parse(params)?;
    let (d, body) = match UserdataData::parse(data) {
        Some((d, da)) => {
            a |= da;
            let (body, ba) = body(&p, d.payload);
            a |= ba;
            (Some(d), body)
        }
        None => {
            a |= Anomalies::when(!data.is_empty(), Anomalies::USERDATA_DATA_HEADER);
            (None, UserdataBody::Empty)
        }
    };
    Some((
        Userdata {
            params: p,
            data: d,
            body,
            raw_data: data,
        },
        a,
    ))
}

/// Types a payload by group and subfunction.
fn body<'a>(p: &UserdataParams, payload: &'a [u8]) -> (UserdataBody<'a>, Anomalies) {
    let none = Anomalies::empty();
    if payload.is_empty() {
        return (UserdataBody::Empty, none);
    }
    let response = p.is_response();
    match (p.group, p.subfunction) {
        (FunctionGroup::CpuFunctions, subfunction::READ_SZL) => {
            if !response {
                return match SzlRequest::parse(payload) {
                    Some(r) => (
                        UserdataBody::SzlRequest(r),
                        Anomalies::when(payload.len() != 4, Anomalies::LENGTH_MISMATCH),
                    ),
                    None => (UserdataBody::Raw { bytes: payload }, Anomalies::TRUNCATED),
                };
            }
            if p.is_fragment() {
                return (UserdataBody::Fragment { bytes: payload }, none);
            }
            match SzlAnswer::parse(payload, true) {
                Some((s, a)) => (UserdataBody::Szl(s), a),
                None => (UserdataBody::Raw { bytes: payload }, Anomalies::TRUNCATED),
            }
        }
        (FunctionGroup::CyclicData, 1) => cyclic(response || p.kind == UserdataType::Push, payload),
        (FunctionGroup::ModeTransition, s) => {
            (UserdataBody::ModeTransition { mode: s.into() }, none)
        }
        (FunctionGroup::BlockFunctions, subfunction::BLOCK_INFO) if !response => {
            let block = BlockName(payload);
            (
                UserdataBody::BlockInfoRequest { block },
                Anomalies::when(!block.is_valid(), Anomalies::BAD_BLOCK_NAME),
            )
        }
        (FunctionGroup::BlockFunctions, subfunction::LIST_BLOCKS_OF_TYPE) if !response => (
            UserdataBody::ListBlocksOfType {
                block_type: payload,
            },
            none,
        ),
        (FunctionGroup::Security, subfunction::PASSWORD) if !response => {
            (UserdataBody::Password { bytes: payload }, none)
        }
        (FunctionGroup::TimeFunctions, _) => (UserdataBody::Clock { bytes: payload }, none),
        _ => (UserdataBody::Raw { bytes: payload }, none),
    }
}

/// Decodes a cyclic subscription (request) or cyclic data (answer, push).
fn cyclic(data: bool, payload: &[u8]) -> (UserdataBody<'_>, Anomalies) {
    let raw = (UserdataBody::Raw { bytes: payload }, Anomalies::TRUNCATED);
    let Some((&[c0, c1], rest)) = payload.split_first_chunk::<2>() else {
        return raw;
    };
    let count = u16::from_be_bytes([c0, c1]);
    if data {
        let (items, a) = DataItems::check(count, rest, false);
        return (UserdataBody::CyclicData { items }, a);
    }
    let [timebase, interval, ref items @ ..] = *rest else {
        return raw;
    };
    let (items, left, a) = VarItems::split(count, items);
    (
        UserdataBody::CyclicRequest {
            timebase,
            interval,
            items,
        },
        a | Anomalies::when(!left.is_empty(), Anomalies::LENGTH_MISMATCH),
    )
}

impl<'a> Userdata<'a> {
    /// The clock value of a time-function PDU (read clock answer, set clock request): the
    /// last eight bytes of its ten.
    pub fn clock(&self) -> Option<S7DateTime> {
        match self.body {
            UserdataBody::Clock { bytes } => {
                S7DateTime::from_bcd(bytes.get(bytes.len().checked_sub(8)?..)?)
            }
            _ => None,
        }
    }

    /// The SZL id and index this PDU names (requests, and answers with a header).
    pub fn szl(&self) -> Option<(u16, u16)> {
        match self.body {
            UserdataBody::SzlRequest(r) => Some((r.id.0, r.index)),
            UserdataBody::Szl(a) => Some((a.id.0, a.index)),
            _ => None,
        }
    }

    /// The data part's payload (after the four-byte data header).
    pub fn payload(&self) -> &'a [u8] {
        self.data.map_or(&[], |d| d.payload)
    }

    pub(crate) fn encode_data<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match self.data {
            Some(d) => {
                s.u8(d.return_code.value())?;
                s.u8(d.transport_size.value())?;
                s.u16_be(d.length)?;
                s.bytes(d.payload)
            }
            None => s.bytes(self.raw_data),
        }
    }
}

/// An SZL read request, ready to encode inside a PDU ([`Pdu::szl_read`](crate::Pdu::szl_read)).
pub(crate) fn szl_request_params(sequence: u8) -> UserdataParams {
    UserdataParams {
        head: USERDATA_HEAD,
        method: 0x11,
        kind: UserdataType::Request,
        group: FunctionGroup::CpuFunctions,
        subfunction: subfunction::READ_SZL,
        sequence,
        ext: None,
    }
}

/// The SZL id a raw request payload names, for callers without a parsed PDU.
pub fn szl_id_of(payload: &[u8]) -> Option<u16> {
    be16(payload, 0)
}
