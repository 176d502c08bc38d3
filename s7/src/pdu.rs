//! An S7comm PDU (protocol id 0x32): the header, then the parameter and data parts the
//! header's lengths delimit, typed by ROSCTR and function; and the builders for the
//! requests clients send (setup communication, read var, SZL read).

use crate::anomaly::{Anomalies, Parsed};
use crate::codes::ReturnCode;
use crate::codes::{DataTransportSize, ErrorClass, Rosctr};
use crate::error::{EmitError, Error};
use crate::header::{Header, HeaderError};
use crate::params::var::{AnyItem, DataItem, DataItems, ReturnCodes, VarItems, VarSpec};
use crate::params::{Job, Response, Setup, parse_job, parse_response, part_len};
use crate::szl::SzlRequest;
use crate::userdata::{self, Userdata, UserdataData, UserdataParams};
use otwire_core::{Emit, Sink, emit_via_encode};

/// An S7comm PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Pdu<'a> {
    /// The header.
    pub header: Header,
    /// The parameter and data parts, typed.
    pub body: Body<'a>,
}

/// The parts of a PDU, by ROSCTR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "rosctr", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Body<'a> {
    /// ROSCTR 1.
    Job(Job<'a>),
    /// ROSCTR 2 and 3.
    Response(Response<'a>),
    /// ROSCTR 7.
    Userdata(Userdata<'a>),
    /// Unknown ROSCTR, or a userdata PDU too short for its head: parts raw.
    Other {
        /// The parameter part.
        #[cfg_attr(feature = "serde", serde(skip))]
        params: &'a [u8],
        /// The data part.
        #[cfg_attr(feature = "serde", serde(skip))]
        data: &'a [u8],
    },
}

impl<'a> Pdu<'a> {
    /// Decodes a complete S7comm PDU (the user data of a DT with EOT, reassembled).
    ///
    /// A PDU too short for its header, or that does not start with 0x32, is an error;
    /// parts that run past the end are decoded as far as they go and flagged.
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Parsed<Pdu<'a>>, Error> {
        let header = Header::parse(bytes)?;
        let mut anomalies = header.anomalies();
        let after = bytes.get(header.len()..).unwrap_or_default();
        let (params, rest) = match after.split_at_checked(usize::from(header.param_len)) {
            Some(s) => s,
            None => {
                anomalies |= Anomalies::LENGTH_MISMATCH;
                (after, &[][..])
            }
        };
        let (data, left) = match rest.split_at_checked(usize::from(header.data_len)) {
            Some(s) => s,
            None => {
                anomalies |= Anomalies::LENGTH_MISMATCH;
                (rest, &[][..])
            }
        };
        anomalies |= Anomalies::when(!left.is_empty(), Anomalies::LENGTH_MISMATCH);
        // The common shapes are built straight into the result: a message built in a
        // stack slot and copied out costs a store-forwarding stall (docs/CONVENTIONS.md).
        match (header.rosctr, params) {
            (Rosctr::Job, [f @ (0x04 | 0x05), count, items @ ..]) => {
                let count = u16::from(*count);
                let (items, left, mut a) = VarItems::split_inline(count, items);
                a |= Anomalies::when(!left.is_empty(), Anomalies::LENGTH_MISMATCH);
                let job = if *f == 0x04 {
                    a |= Anomalies::when(!data.is_empty(), Anomalies::LENGTH_MISMATCH);
                    Job::ReadVar { items }
                } else {
                    let (data, da) = DataItems::check_inline(count, data, true);
                    a |= da;
                    Job::WriteVar { items, data }
                };
                return Ok(Parsed::new(
                    Pdu {
                        header,
                        body: Body::Job(job),
                    },
                    anomalies | a,
                ));
            }
            (Rosctr::Ack | Rosctr::AckData, [0x04, count]) => {
                let (items, a) = DataItems::check_inline(u16::from(*count), data, false);
                return Ok(Parsed::new(
                    Pdu {
                        header,
                        body: Body::Response(Response::ReadVar {
                            item_count: *count,
                            items,
                        }),
                    },
                    anomalies | a,
                ));
            }
            (Rosctr::Ack | Rosctr::AckData, [0x05, count]) => {
                let a = Anomalies::when(
                    data.len() != usize::from(*count),
                    Anomalies::ITEM_COUNT_MISMATCH,
                );
                return Ok(Parsed::new(
                    Pdu {
                        header,
                        body: Body::Response(Response::WriteVar {
                            item_count: *count,
                            return_codes: ReturnCodes(data),
                        }),
                    },
                    anomalies | a,
                ));
            }
            _ => {}
        }
        let (body, a) = match header.rosctr {
            Rosctr::Job => {
                let (j, a) = parse_job(params, data);
                (Body::Job(j), a)
            }
            Rosctr::Ack | Rosctr::AckData => {
                let (r, a) = parse_response(params, data);
                (Body::Response(r), a)
            }
            Rosctr::Userdata => match userdata::parse(params, data) {
                Some((u, a)) => (Body::Userdata(u), a),
                None => (Body::Other { params, data }, Anomalies::USERDATA_HEAD),
            },
            Rosctr::Unknown(_) => (Body::Other { params, data }, Anomalies::empty()),
        };
        Ok(Parsed::new(Pdu { header, body }, anomalies | a))
    }

    /// The job function (jobs and their answers), if any.
    pub fn function(&self) -> Option<crate::codes::Function> {
        match &self.body {
            Body::Job(j) => Some(j.function()),
            Body::Response(r) => r.function(),
            _ => None,
        }
    }

    /// The header's error class and code, on acks.
    pub fn error(&self) -> Option<HeaderError> {
        self.header.error
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let (plen, dlen) = (
            part_len(|c| self.encode_params(c)),
            part_len(|c| self.encode_data(c)),
        );
        self.header.encode(s, plen, dlen)?;
        self.encode_params(s)?;
        self.encode_data(s)
    }

    fn encode_params<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match &self.body {
            Body::Job(j) => j.encode_params(s),
            Body::Response(r) => r.encode_params(s),
            Body::Userdata(u) => u.params.encode(s),
            Body::Other { params, .. } => s.bytes(params),
        }
    }

    fn encode_data<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match &self.body {
            Body::Job(j) => s.bytes(j.data()),
            Body::Response(r) => s.bytes(r.data()),
            Body::Userdata(u) => u.encode_data(s),
            Body::Other { data, .. } => s.bytes(data),
        }
    }

    /// A setup communication job proposing `pdu_size` (AmQ 1/1), as python-snap7 sends it.
    ///
    /// ```
    /// use otwire_s7::{Emit, Pdu};
    /// let mut buf = [0u8; 18];
    /// assert_eq!(Pdu::setup(0x0400, 480).emit(&mut buf), Ok(18));
    /// assert_eq!(buf, [0x32, 1, 0, 0, 4, 0, 0, 8, 0, 0, 0xF0, 0, 0, 1, 0, 1, 1, 0xE0]);
    /// ```
    pub fn setup(pdu_ref: u16, pdu_size: u16) -> Pdu<'static> {
        Pdu {
            header: job_header(pdu_ref),
            body: Body::Job(Job::Setup(Setup::request(pdu_size))),
        }
    }

    /// The CPU's answer to a setup communication: the granted values.
    pub fn setup_response(pdu_ref: u16, setup: Setup) -> Pdu<'static> {
        Pdu {
            header: ack_data_header(pdu_ref),
            body: Body::Response(Response::Setup(setup)),
        }
    }

    /// The answer to a write var job: one return code per item (0xFF success).
    pub fn write_var_response(pdu_ref: u16, return_codes: &'a [u8]) -> Pdu<'a> {
        Pdu {
            header: ack_data_header(pdu_ref),
            body: Body::Response(Response::WriteVar {
                item_count: u8::try_from(return_codes.len()).unwrap_or(u8::MAX),
                return_codes: crate::params::var::ReturnCodes(return_codes),
            }),
        }
    }

    /// An SZL read request (userdata, CPU functions, read SZL) for `id` and `index`.
    ///
    /// ```
    /// use otwire_s7::{Emit, Pdu};
    /// let mut buf = [0u8; 26];
    /// assert_eq!(Pdu::szl_read(1, 0, 0x0011, 0x0000).emit(&mut buf), Ok(26));
    /// // Header, userdata head 00 01 12 04 11 44 01 00, data FF 09 00 04 0011 0000.
    /// assert_eq!(buf[10..], [0, 1, 0x12, 4, 0x11, 0x44, 1, 0, 0xFF, 9, 0, 4, 0, 0x11, 0, 0]);
    /// ```
    pub fn szl_read(pdu_ref: u16, sequence: u8, id: u16, index: u16) -> SzlRead {
        SzlRead {
            pdu_ref,
            sequence,
            request: SzlRequest {
                id: crate::szl::SzlId(id),
                index,
            },
        }
    }
}

fn job_header(pdu_ref: u16) -> Header {
    Header {
        rosctr: Rosctr::Job,
        redundancy_id: 0,
        pdu_ref,
        param_len: 0,
        data_len: 0,
        error: None,
    }
}

/// An SZL read request to encode (from [`Pdu::szl_read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SzlRead {
    /// PDU reference.
    pub pdu_ref: u16,
    /// Userdata sequence number.
    pub sequence: u8,
    /// List id and index.
    pub request: SzlRequest,
}

impl SzlRead {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let mut buf = [0u8; 4];
        self.request.emit(&mut buf)?;
        let data = UserdataData {
            return_code: ReturnCode::Success,
            transport_size: DataTransportSize::OctetString,
            length: 4,
            payload: &buf,
        };
        let params: UserdataParams = userdata::szl_request_params(self.sequence);
        Pdu {
            header: Header {
                rosctr: Rosctr::Userdata,
                ..job_header(self.pdu_ref)
            },
            body: Body::Userdata(Userdata {
                params,
                data: Some(data),
                body: crate::userdata::UserdataBody::SzlRequest(self.request),
                raw_data: &[],
            }),
        }
        .encode(s)
    }
}

/// A read var job of S7ANY items to encode.
///
/// ```
/// use otwire_s7::{AnyItem, Area, BitAddress, Emit, ItemTransportSize, ReadVarRequest};
/// let items = [AnyItem {
///     transport_size: ItemTransportSize::Byte,
///     length: 4,
///     db: 1,
///     area: Area::DataBlocks,
///     address: BitAddress::new(10, 0),
/// }];
/// let mut buf = [0u8; 24];
/// assert_eq!(ReadVarRequest { pdu_ref: 5, items: &items }.emit(&mut buf), Ok(24));
/// // Item: 12 0A 10 02 0004 0001 84 000050 (byte 10 = bit address 80).
/// assert_eq!(buf[12..], [0x12, 0x0A, 0x10, 2, 0, 4, 0, 1, 0x84, 0, 0, 0x50]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadVarRequest<'i> {
    /// PDU reference.
    pub pdu_ref: u16,
    /// The items.
    pub items: &'i [AnyItem],
}

impl ReadVarRequest<'_> {
    fn encode_params<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(crate::codes::Function::ReadVar.value())?;
        s.count8(self.items.len(), "item count")?;
        for item in self.items {
            VarSpec::Any(*item).encode(s)?;
        }
        Ok(())
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let plen = part_len(|c| self.encode_params(c));
        job_header(self.pdu_ref).encode(s, plen, 0)?;
        self.encode_params(s)
    }
}

/// A write var job of S7ANY items, each with its data, to encode (fill bytes after odd
/// items computed).
///
/// ```
/// use otwire_s7::{AnyItem, Area, BitAddress, DataItem, DataTransportSize, Emit,
///     ItemTransportSize, ReturnCode, WriteVarRequest};
/// let item = AnyItem {
///     transport_size: ItemTransportSize::Byte,
///     length: 1,
///     db: 0,
///     area: Area::Flags,
///     address: BitAddress::new(2, 0),
/// };
/// let data = DataItem::new(ReturnCode::Reserved, DataTransportSize::Byte, &[0x55]);
/// let bytes = WriteVarRequest { pdu_ref: 1, items: &[(item, data)] }.to_vec()?;
/// // Data: return code 0, transport size 4, length 8 bits, the byte.
/// assert_eq!(bytes[24..], [0x00, 0x04, 0x00, 0x08, 0x55]);
/// # Ok::<(), otwire_s7::EmitError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct WriteVarRequest<'i> {
    /// PDU reference.
    pub pdu_ref: u16,
    /// The items and their data.
    pub items: &'i [(AnyItem, DataItem<'i>)],
}

impl WriteVarRequest<'_> {
    fn encode_params<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(crate::codes::Function::WriteVar.value())?;
        s.count8(self.items.len(), "item count")?;
        for (item, _) in self.items {
            VarSpec::Any(*item).encode(s)?;
        }
        Ok(())
    }

    fn encode_data<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        crate::params::var::DataItems::encode_items(self.items.iter().map(|(_, d)| *d), s)
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let plen = part_len(|c| self.encode_params(c));
        let dlen = part_len(|c| self.encode_data(c));
        job_header(self.pdu_ref).encode(s, plen, dlen)?;
        self.encode_params(s)?;
        self.encode_data(s)
    }
}

/// The answer to a read var job to encode: one data item per requested item (fill bytes
/// after odd items computed), for servers, honeypots and test generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadVarResponse<'i> {
    /// PDU reference of the job.
    pub pdu_ref: u16,
    /// The data items.
    pub items: &'i [DataItem<'i>],
}

impl ReadVarResponse<'_> {
    fn encode_data<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        crate::params::var::DataItems::encode_items(self.items.iter().copied(), s)
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let dlen = part_len(|c| self.encode_data(c));
        ack_data_header(self.pdu_ref).encode(s, 2, dlen)?;
        s.u8(crate::codes::Function::ReadVar.value())?;
        s.count8(self.items.len(), "item count")?;
        self.encode_data(s)
    }
}

/// The answer to an SZL read to encode (userdata response, CPU functions, read SZL): one
/// data unit with the list header and the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SzlResponse<'i> {
    /// PDU reference of the request.
    pub pdu_ref: u16,
    /// Userdata sequence number.
    pub sequence: u8,
    /// Data-unit reference and last-unit flag (0 and 0x00 for a whole answer).
    pub data_unit_ref: u8,
    /// 0x00 last unit, 0x01 more follows.
    pub last_unit: u8,
    /// The payload: the SZL header and records of a whole answer or first fragment
    /// ([`SzlAnswer`](crate::SzlAnswer) encodes one), or a later fragment's bytes.
    pub payload: &'i [u8],
}

impl SzlResponse<'_> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let params = UserdataParams {
            method: 0x12,
            kind: crate::codes::UserdataType::Response,
            ext: Some(crate::userdata::UserdataExt {
                data_unit_ref: self.data_unit_ref,
                last_unit: self.last_unit,
                error: crate::error_codes::ErrorCode::NoError,
            }),
            ..userdata::szl_request_params(self.sequence)
        };
        let length = u16::try_from(self.payload.len()).map_err(|_| EmitError::ValueOutOfRange {
            field: "data length",
        })?;
        Pdu {
            header: Header {
                rosctr: Rosctr::Userdata,
                ..job_header(self.pdu_ref)
            },
            body: Body::Userdata(Userdata {
                params,
                data: Some(UserdataData {
                    return_code: ReturnCode::Success,
                    transport_size: DataTransportSize::OctetString,
                    length,
                    payload: self.payload,
                }),
                body: crate::userdata::UserdataBody::Raw {
                    bytes: self.payload,
                },
                raw_data: &[],
            }),
        }
        .encode(s)
    }
}

fn ack_data_header(pdu_ref: u16) -> Header {
    Header {
        rosctr: Rosctr::AckData,
        error: Some(HeaderError {
            class: ErrorClass::NoError,
            code: 0,
        }),
        ..job_header(pdu_ref)
    }
}

impl Emit for Pdu<'_> {
    fn buffer_len(&self) -> usize {
        self.header.len() + part_len(|c| self.encode_params(c)) + part_len(|c| self.encode_data(c))
    }

    /// Counts each part once, then writes.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let plen = part_len(|c| self.encode_params(c));
        let dlen = part_len(|c| self.encode_data(c));
        let mut w = otwire_core::Writer::new(buf, self.header.len() + plen + dlen)?;
        self.header.encode(&mut w, plen, dlen)?;
        self.encode_params(&mut w)?;
        self.encode_data(&mut w)?;
        Ok(w.written())
    }
}

emit_via_encode!(
    SzlRead,
    ReadVarRequest<'_>,
    WriteVarRequest<'_>,
    ReadVarResponse<'_>,
    SzlResponse<'_>
);
