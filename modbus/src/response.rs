//! Responses and exception responses, server to client (Modbus Application Protocol
//! V1.1b3 §6 and §7).

use crate::anomaly::Anomalies;
use crate::codes::{DiagnosticCode, ExceptionCode, FunctionCode, MeiType, ReadDeviceIdCode};
use crate::error::Error;
use crate::frame::MAX_PDU_LEN;
use crate::read::{Cursor, two_fields};
use crate::request::{
    check_count, check_diagnostics, check_file_records, flag_if, invalid_coil_value, limits,
};
use crate::types::{Address, Parsed};
use crate::umas::UmasResponse;
use crate::values::{BitValues, DeviceObjects, FileRecords, FileSubResponses, RegisterValues};

/// The body of a Read Device Identification response (FC 43 / MEI 14, §6.21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DeviceIdentification<'a> {
    /// The Read Device ID code echoed from the request.
    pub code: ReadDeviceIdCode,
    /// Conformity level: 0x01-0x03 (stream access) or 0x81-0x83 (stream and individual).
    pub conformity_level: u8,
    /// 0xFF when more objects follow in another transaction, 0x00 otherwise.
    pub more_follows: u8,
    /// The object id to ask for next when `more_follows` is 0xFF.
    pub next_object_id: u8,
    /// Number of objects as declared.
    pub object_count: u8,
    /// The objects.
    pub objects: DeviceObjects<'a>,
}

impl DeviceIdentification<'_> {
    /// Whether another request is needed for the remaining objects.
    pub fn more(&self) -> bool {
        self.more_follows == 0xFF
    }
}

/// A response PDU, keyed by function code (§6), or an exception response (§7).
///
/// Each variant's tag is its function code (`#[repr(u16)]`): a layout detail, not API, that
/// lets the decoder store the code it read instead of branching on it (docs/CONVENTIONS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
#[repr(u16)]
pub enum Response<'a> {
    /// FC 1 (§6.1): coil states, padded to whole bytes.
    ReadCoils {
        /// The states (all bits of the data bytes; the request's quantity says how many count).
        values: BitValues<'a>,
    } = 1,
    /// FC 2 (§6.2).
    ReadDiscreteInputs {
        /// The states.
        values: BitValues<'a>,
    } = 2,
    /// FC 3 (§6.3).
    ReadHoldingRegisters {
        /// The registers.
        values: RegisterValues<'a>,
    } = 3,
    /// FC 4 (§6.4).
    ReadInputRegisters {
        /// The registers.
        values: RegisterValues<'a>,
    } = 4,
    /// FC 5 (§6.5): an echo of the request.
    WriteSingleCoil {
        /// The coil.
        address: Address,
        /// 0xFF00 or 0x0000.
        value: u16,
    } = 5,
    /// FC 6 (§6.6): an echo of the request.
    WriteSingleRegister {
        /// The register.
        address: Address,
        /// The value.
        value: u16,
    } = 6,
    /// FC 7 (§6.7).
    ReadExceptionStatus {
        /// The eight exception status outputs.
        status: u8,
    } = 7,
    /// FC 8 (§6.8).
    Diagnostics {
        /// The sub-function echoed.
        sub_function: DiagnosticCode,
        /// Its data.
        data: &'a [u8],
    } = 8,
    /// FC 11 (§6.9).
    GetCommEventCounter {
        /// 0xFFFF while a previous command is still being processed, else 0.
        status: u16,
        /// The event counter.
        event_count: u16,
    } = 11,
    /// FC 12 (§6.10).
    GetCommEventLog {
        /// Status word.
        status: u16,
        /// Event counter.
        event_count: u16,
        /// Bus message counter.
        message_count: u16,
        /// Event bytes, most recent first.
        events: &'a [u8],
    } = 12,
    /// FC 15 (§6.11).
    WriteMultipleCoils {
        /// First coil.
        address: Address,
        /// Coils written.
        quantity: u16,
    } = 15,
    /// FC 16 (§6.12).
    WriteMultipleRegisters {
        /// First register.
        address: Address,
        /// Registers written.
        quantity: u16,
    } = 16,
    /// FC 17 (§6.13): server id, run indicator (0x00 OFF, 0xFF ON) and device-specific
    /// data, whose split is device-specific.
    ReportServerId {
        /// Everything the byte count covers.
        data: &'a [u8],
    } = 17,
    /// FC 20 (§6.14).
    ReadFileRecord {
        /// The sub-responses.
        responses: FileSubResponses<'a>,
    } = 20,
    /// FC 21 (§6.15): an echo of the request.
    WriteFileRecord {
        /// The records written.
        records: FileRecords<'a>,
    } = 21,
    /// FC 22 (§6.16): an echo of the request.
    MaskWriteRegister {
        /// The register.
        address: Address,
        /// AND mask.
        and_mask: u16,
        /// OR mask.
        or_mask: u16,
    } = 22,
    /// FC 23 (§6.17).
    ReadWriteMultipleRegisters {
        /// The registers read.
        values: RegisterValues<'a>,
    } = 23,
    /// FC 24 (§6.18).
    ReadFifoQueue {
        /// FIFO count as declared (at most 31).
        fifo_count: u16,
        /// The queued registers.
        values: RegisterValues<'a>,
    } = 24,
    /// FC 43 / MEI 14 (§6.21).
    ReadDeviceIdentification(DeviceIdentification<'a>) = 43,
    /// FC 43 with another MEI type.
    Mei {
        /// MEI type.
        mei_type: MeiType,
        /// The MEI data.
        data: &'a [u8],
    } = 0x100 | 43,
    /// FC 90: a Schneider UMAS response.
    Umas(UmasResponse<'a>) = 90,
    /// An exception response: function code with the 0x80 bit, and an exception code (§7).
    Exception {
        /// The function code of the failed request (without the 0x80 bit).
        function: FunctionCode,
        /// Why it failed.
        code: ExceptionCode,
    } = 0x80,
    /// Any other function code, data raw.
    Other {
        /// The function code.
        function: FunctionCode,
        /// Everything after it.
        data: &'a [u8],
    } = 0x1FF,
}

/// Reads a one-byte count and that many bytes (or what is left, flagged `TRUNCATED`).
#[inline]
fn counted<'a>(c: &mut Cursor<'a>, a: &mut Anomalies) -> Result<&'a [u8], Error> {
    let count = c.u8()?;
    let (bytes, short) = c.take_upto(usize::from(count));
    if short {
        *a |= Anomalies::TRUNCATED;
    }
    Ok(bytes)
}

/// Reads a register list with its one-byte count; an odd count is flagged.
#[inline]
fn registers<'a>(c: &mut Cursor<'a>, a: &mut Anomalies) -> Result<RegisterValues<'a>, Error> {
    Ok(register_values(counted(c, a)?, a))
}

/// A register list; an odd byte count is flagged.
#[inline(always)]
fn register_values<'a>(bytes: &'a [u8], a: &mut Anomalies) -> RegisterValues<'a> {
    let values = RegisterValues::new(bytes);
    a.set(Anomalies::BYTE_COUNT_MISMATCH, values.has_odd_byte());
    values
}

impl<'a> Response<'a> {
    /// Decodes a response PDU (function code and data). Function codes with the 0x80 bit
    /// decode as [`Response::Exception`].
    ///
    /// Returns `Err` only when the fixed fields of the function are missing; every other
    /// violation is a flag in [`Parsed::anomalies`].
    #[inline(always)]
    pub fn parse(pdu: &'a [u8]) -> Result<Parsed<Response<'a>>, Error> {
        // Most responses on the wire: FC 1-4 with a byte count that spans the rest, and
        // FC 5, 6, 15 and 16 of five bytes. Nothing is left over or short there.
        if let Some((byte @ (5 | 6 | 15 | 16), address, value)) = two_fields(pdu) {
            return Ok(Parsed {
                pdu: Self::fixed(byte, address, value),
                anomalies: invalid_coil_value(byte, value),
            });
        }
        if let [byte @ 1..=4, count, ref data @ ..] = *pdu {
            if usize::from(count) == data.len() {
                let anomalies = Self::values_anomalies(byte, data)
                    | flag_if(pdu.len() > MAX_PDU_LEN, Anomalies::PDU_TOO_LONG);
                return Ok(Parsed {
                    pdu: Self::values(byte, data),
                    anomalies,
                });
            }
        }
        let mut c = Cursor::new(pdu);
        let byte = c.u8().map_err(|_| Error::EmptyPdu)?;
        let mut a = Anomalies::empty();
        a.set(Anomalies::PDU_TOO_LONG, pdu.len() > MAX_PDU_LEN);
        let rsp = match byte {
            1..=4 => {
                let bytes = counted(&mut c, &mut a)?;
                a |= Self::values_anomalies(byte, bytes);
                Self::values(byte, bytes)
            }
            5 | 6 | 15 | 16 => {
                let (address, value) = (c.u16()?, c.u16()?);
                a |= invalid_coil_value(byte, value);
                Self::fixed(byte, address, value)
            }
            _ => Self::parse_rare(byte, &mut c, &mut a)?,
        };
        Ok(c.finish(rsp, a))
    }

    /// FC 1-4 (`byte`): the values their byte count covers. The variants' tags are their
    /// function codes and the values sit at the same offset; written as comparisons of
    /// ranges (not a `match`, which the compiler keeps as a sparse switch), this compiles
    /// to selects, with one branch between bits and registers.
    #[inline]
    fn values(byte: u8, bytes: &'a [u8]) -> Response<'a> {
        if byte <= 2 {
            let values = BitValues::from_bytes(bytes);
            if byte == 1 {
                Response::ReadCoils { values }
            } else {
                Response::ReadDiscreteInputs { values }
            }
        } else {
            let values = RegisterValues::new(bytes);
            if byte == 3 {
                Response::ReadHoldingRegisters { values }
            } else {
                Response::ReadInputRegisters { values }
            }
        }
    }

    /// What is off about FC 1-4's values: an odd byte count of registers (§6.3, §6.4).
    #[inline(always)]
    fn values_anomalies(byte: u8, bytes: &[u8]) -> Anomalies {
        flag_if(
            (byte >= 3) & RegisterValues::new(bytes).has_odd_byte(),
            Anomalies::BYTE_COUNT_MISMATCH,
        )
    }

    /// FC 5, 6, 15 and 16 (`byte`), whose two fields are an address and a value or
    /// quantity; like [`Response::values`], selects rather than a branch per code.
    #[inline]
    fn fixed(byte: u8, address: u16, value: u16) -> Response<'a> {
        let address = Address(address);
        if byte < 8 {
            if byte == 5 {
                Response::WriteSingleCoil { address, value }
            } else {
                Response::WriteSingleRegister { address, value }
            }
        } else if byte == 15 {
            Response::WriteMultipleCoils {
                address,
                quantity: value,
            }
        } else {
            Response::WriteMultipleRegisters {
                address,
                quantity: value,
            }
        }
    }

    /// The function codes other than 1-6, 15 and 16: rare on the wire, decoded out of line
    /// so that the inlined [`Response::parse`] stays small.
    #[inline(never)]
    fn parse_rare(byte: u8, c: &mut Cursor<'a>, a: &mut Anomalies) -> Result<Response<'a>, Error> {
        if byte & 0x80 != 0 {
            let code = ExceptionCode::from(c.u8()?);
            a.set(Anomalies::INVALID_EXCEPTION_CODE, !code.is_known());
            let function = FunctionCode::from(byte & 0x7F);
            return Ok(Response::Exception { function, code });
        }
        let function = FunctionCode::from(byte);
        Ok(match function {
            FunctionCode::ReadExceptionStatus => Response::ReadExceptionStatus { status: c.u8()? },
            FunctionCode::Diagnostics => {
                let sub_function = DiagnosticCode::from(c.u16()?);
                let data = c.rest();
                check_diagnostics(a, sub_function, data);
                Response::Diagnostics { sub_function, data }
            }
            FunctionCode::GetCommEventCounter => Response::GetCommEventCounter {
                status: c.u16()?,
                event_count: c.u16()?,
            },
            FunctionCode::GetCommEventLog => {
                let count = c.u8()?;
                let (status, event_count, message_count) = (c.u16()?, c.u16()?, c.u16()?);
                let want = usize::from(count).saturating_sub(6);
                let (events, short) = c.take_upto(want);
                check_count(a, usize::from(count), want + 6, short);
                Response::GetCommEventLog {
                    status,
                    event_count,
                    message_count,
                    events,
                }
            }
            FunctionCode::ReportServerId => Response::ReportServerId {
                data: counted(c, a)?,
            },
            FunctionCode::ReadFileRecord => {
                let responses = FileSubResponses::new(counted(c, a)?);
                if responses
                    .into_iter()
                    .any(|r| r.reference_type != limits::FILE_REFERENCE_TYPE)
                {
                    *a |= Anomalies::INVALID_REFERENCE_TYPE;
                }
                Response::ReadFileRecord { responses }
            }
            FunctionCode::WriteFileRecord => {
                let count = c.u8()?;
                let (bytes, short) = c.take_upto(usize::from(count));
                let records = FileRecords::new(bytes);
                check_file_records(a, records, count, limits::WRITE_FILE_BYTE_COUNT, short);
                Response::WriteFileRecord { records }
            }
            FunctionCode::MaskWriteRegister => Response::MaskWriteRegister {
                address: Address(c.u16()?),
                and_mask: c.u16()?,
                or_mask: c.u16()?,
            },
            FunctionCode::ReadWriteMultipleRegisters => Response::ReadWriteMultipleRegisters {
                values: registers(c, a)?,
            },
            FunctionCode::ReadFifoQueue => {
                let (count, fifo_count) = (c.u16()?, c.u16()?);
                let (bytes, short) = c.take_upto(usize::from(fifo_count) * 2);
                check_count(
                    a,
                    usize::from(count),
                    usize::from(fifo_count) * 2 + 2,
                    short,
                );
                a.set(
                    Anomalies::INVALID_DATA_VALUE,
                    fifo_count > limits::FIFO_COUNT,
                );
                Response::ReadFifoQueue {
                    fifo_count,
                    values: RegisterValues::new(bytes),
                }
            }
            FunctionCode::EncapsulatedInterfaceTransport => {
                let mei_type = MeiType::from(c.u8()?);
                match mei_type {
                    MeiType::ReadDeviceIdentification => {
                        Response::ReadDeviceIdentification(parse_device_identification(c, a)?)
                    }
                    _ => {
                        a.set(Anomalies::RESERVED_MEI_TYPE, !mei_type.is_known());
                        Response::Mei {
                            mei_type,
                            data: c.rest(),
                        }
                    }
                }
            }
            FunctionCode::Umas => Response::Umas(UmasResponse::parse(c)?),
            _ => {
                a.set(
                    Anomalies::RESERVED_FUNCTION,
                    function.is_anomalous_in_request(),
                );
                Response::Other {
                    function,
                    data: c.rest(),
                }
            }
        })
    }

    /// The function code of this response (for exceptions, the failed request's code).
    pub fn function_code(&self) -> FunctionCode {
        match self {
            Response::ReadCoils { .. } => FunctionCode::ReadCoils,
            Response::ReadDiscreteInputs { .. } => FunctionCode::ReadDiscreteInputs,
            Response::ReadHoldingRegisters { .. } => FunctionCode::ReadHoldingRegisters,
            Response::ReadInputRegisters { .. } => FunctionCode::ReadInputRegisters,
            Response::WriteSingleCoil { .. } => FunctionCode::WriteSingleCoil,
            Response::WriteSingleRegister { .. } => FunctionCode::WriteSingleRegister,
            Response::ReadExceptionStatus { .. } => FunctionCode::ReadExceptionStatus,
            Response::Diagnostics { .. } => FunctionCode::Diagnostics,
            Response::GetCommEventCounter { .. } => FunctionCode::GetCommEventCounter,
            Response::GetCommEventLog { .. } => FunctionCode::GetCommEventLog,
            Response::WriteMultipleCoils { .. } => FunctionCode::WriteMultipleCoils,
            Response::WriteMultipleRegisters { .. } => FunctionCode::WriteMultipleRegisters,
            Response::ReportServerId { .. } => FunctionCode::ReportServerId,
            Response::ReadFileRecord { .. } => FunctionCode::ReadFileRecord,
            Response::WriteFileRecord { .. } => FunctionCode::WriteFileRecord,
            Response::MaskWriteRegister { .. } => FunctionCode::MaskWriteRegister,
            Response::ReadWriteMultipleRegisters { .. } => FunctionCode::ReadWriteMultipleRegisters,
            Response::ReadFifoQueue { .. } => FunctionCode::ReadFifoQueue,
            Response::ReadDeviceIdentification(_) | Response::Mei { .. } => {
                FunctionCode::EncapsulatedInterfaceTransport
            }
            Response::Umas(_) => FunctionCode::Umas,
            Response::Exception { function, .. } | Response::Other { function, .. } => *function,
        }
    }

    /// The exception code, for exception responses.
    pub fn exception(&self) -> Option<ExceptionCode> {
        match self {
            Response::Exception { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Conformity levels of §6.21.
const CONFORMITY_LEVELS: [u8; 6] = [0x01, 0x02, 0x03, 0x81, 0x82, 0x83];

fn parse_device_identification<'a>(
    c: &mut Cursor<'a>,
    a: &mut Anomalies,
) -> Result<DeviceIdentification<'a>, Error> {
    let code = ReadDeviceIdCode::from(c.u8()?);
    let conformity_level = c.u8()?;
    let (more_follows, next_object_id, object_count) = (c.u8()?, c.u8()?, c.u8()?);
    if !code.is_known() || !CONFORMITY_LEVELS.contains(&conformity_level) {
        *a |= Anomalies::INVALID_DEVICE_ID_CODE;
    }
    a.set(
        Anomalies::INVALID_DATA_VALUE,
        !matches!(more_follows, 0x00 | 0xFF),
    );
    // Walk the objects to find where they end and whether the count and lengths agree.
    let all = c.rest();
    let mut rest = all;
    let mut seen = 0usize;
    while seen < usize::from(object_count) {
        let Some((&[_, len], tail)) = rest.split_first_chunk::<2>() else {
            *a |= Anomalies::TRUNCATED;
            break;
        };
        match tail.split_at_checked(usize::from(len)) {
            Some((_, t)) => rest = t,
            None => {
                *a |= Anomalies::TRUNCATED;
                rest = &[];
                break;
            }
        }
        seen += 1;
    }
    let used = all.len() - rest.len();
    let objects = DeviceObjects::new(all.get(..used).unwrap_or_default());
    a.set(Anomalies::LENGTH_MISMATCH, !rest.is_empty());
    Ok(DeviceIdentification {
        code,
        conformity_level,
        more_follows,
        next_object_id,
        object_count,
        objects,
    })
}
