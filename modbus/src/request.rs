//! Requests: every public function code, client to server (Modbus Application Protocol
//! V1.1b3 §6), plus the UMAS envelope and raw data for the rest.

use crate::anomaly::Anomalies;
use crate::codes::{DiagnosticCode, FunctionCode, MeiType, ReadDeviceIdCode};
use crate::error::Error;
use crate::frame::MAX_PDU_LEN;
use crate::read::{Cursor, two_fields};
use crate::types::{Address, Parsed};
use crate::umas::UmasRequest;
use crate::values::{BitValues, FileRecords, FileSubRequests, RegisterValues};

/// Quantity limits of §6 (inclusive).
pub mod limits {
    /// FC 1 and 2: coils or discrete inputs read (§6.1, §6.2).
    pub const READ_BITS: core::ops::RangeInclusive<u16> = 1..=2000;
    /// FC 3 and 4, and the read part of FC 23: registers read (§6.3, §6.4, §6.17).
    pub const READ_REGISTERS: core::ops::RangeInclusive<u16> = 1..=125;
    /// FC 15: coils written (§6.11).
    pub const WRITE_COILS: core::ops::RangeInclusive<u16> = 1..=1968;
    /// FC 16: registers written (§6.12).
    pub const WRITE_REGISTERS: core::ops::RangeInclusive<u16> = 1..=123;
    /// FC 23: registers written by read/write multiple (§6.17).
    pub const READ_WRITE_REGISTERS_WRITE: core::ops::RangeInclusive<u16> = 1..=121;
    /// FC 24: registers in a FIFO queue (§6.18).
    pub const FIFO_COUNT: u16 = 31;
    /// FC 20: byte count of the sub-requests (§6.14).
    pub const READ_FILE_BYTE_COUNT: core::ops::RangeInclusive<u8> = 0x07..=0xF5;
    /// FC 21: byte count of the records (§6.15).
    pub const WRITE_FILE_BYTE_COUNT: core::ops::RangeInclusive<u8> = 0x09..=0xFB;
    /// File record reference type (§6.14, §6.15).
    pub const FILE_REFERENCE_TYPE: u8 = 6;
}

/// Write Single Coil's value for ON (§6.5); OFF is 0x0000.
pub const COIL_ON: u16 = 0xFF00;
/// Write Single Coil's value for OFF (§6.5).
pub const COIL_OFF: u16 = 0x0000;

/// A request PDU, keyed by function code (§6). Data stays borrowed from the input.
///
/// Fields that the wire carries twice (a quantity and a byte count) are kept as sent, so
/// that an IDS sees the disagreement (flagged `BYTE_COUNT_MISMATCH`); encoding recomputes
/// byte counts from the data.
///
/// Each variant's tag is its function code (`#[repr(u16)]`): a layout detail, not API, that
/// lets the decoder store the code it read instead of branching on it (docs/CONVENTIONS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
#[repr(u16)]
pub enum Request<'a> {
    /// FC 1 (§6.1).
    ReadCoils {
        /// First coil.
        address: Address,
        /// Number of coils (1-2000).
        quantity: u16,
    } = 1,
    /// FC 2 (§6.2).
    ReadDiscreteInputs {
        /// First input.
        address: Address,
        /// Number of inputs (1-2000).
        quantity: u16,
    } = 2,
    /// FC 3 (§6.3).
    ReadHoldingRegisters {
        /// First register.
        address: Address,
        /// Number of registers (1-125).
        quantity: u16,
    } = 3,
    /// FC 4 (§6.4).
    ReadInputRegisters {
        /// First register.
        address: Address,
        /// Number of registers (1-125).
        quantity: u16,
    } = 4,
    /// FC 5 (§6.5).
    WriteSingleCoil {
        /// The coil.
        address: Address,
        /// 0xFF00 (ON) or 0x0000 (OFF); anything else is flagged and kept.
        value: u16,
    } = 5,
    /// FC 6 (§6.6).
    WriteSingleRegister {
        /// The register.
        address: Address,
        /// The value.
        value: u16,
    } = 6,
    /// FC 7 (§6.7).
    ReadExceptionStatus = 7,
    /// FC 8 (§6.8).
    Diagnostics {
        /// The sub-function.
        sub_function: DiagnosticCode,
        /// Its data (usually two bytes).
        data: &'a [u8],
    } = 8,
    /// FC 11 (§6.9).
    GetCommEventCounter = 11,
    /// FC 12 (§6.10).
    GetCommEventLog = 12,
    /// FC 15 (§6.11).
    WriteMultipleCoils {
        /// First coil.
        address: Address,
        /// Number of coils as declared (1-1968).
        quantity: u16,
        /// The states, as many as `quantity` (or the byte count) allows.
        values: BitValues<'a>,
    } = 15,
    /// FC 16 (§6.12).
    WriteMultipleRegisters {
        /// First register.
        address: Address,
        /// Number of registers as declared (1-123).
        quantity: u16,
        /// The values.
        values: RegisterValues<'a>,
    } = 16,
    /// FC 17 (§6.13).
    ReportServerId = 17,
    /// FC 20 (§6.14).
    ReadFileRecord {
        /// The sub-requests.
        requests: FileSubRequests<'a>,
    } = 20,
    /// FC 21 (§6.15).
    WriteFileRecord {
        /// The records to write.
        records: FileRecords<'a>,
    } = 21,
    /// FC 22 (§6.16): result = (current AND and_mask) OR (or_mask AND NOT and_mask).
    MaskWriteRegister {
        /// The register.
        address: Address,
        /// AND mask.
        and_mask: u16,
        /// OR mask.
        or_mask: u16,
    } = 22,
    /// FC 23 (§6.17): the write happens before the read.
    ReadWriteMultipleRegisters {
        /// First register read.
        read_address: Address,
        /// Registers read (1-125).
        read_quantity: u16,
        /// First register written.
        write_address: Address,
        /// Registers written, as declared (1-121).
        write_quantity: u16,
        /// The values written.
        values: RegisterValues<'a>,
    } = 23,
    /// FC 24 (§6.18).
    ReadFifoQueue {
        /// The FIFO pointer address.
        address: Address,
    } = 24,
    /// FC 43 / MEI 14 (§6.21).
    ReadDeviceIdentification {
        /// Basic, regular, extended or one specific object.
        code: ReadDeviceIdCode,
        /// First object wanted (or the one, with code 4).
        object_id: u8,
    } = 43,
    /// FC 43 with another MEI type (13 CANopen, or reserved ones).
    Mei {
        /// MEI type.
        mei_type: MeiType,
        /// The MEI data.
        data: &'a [u8],
    } = 0x100 | 43,
    /// FC 90: a Schneider UMAS request.
    Umas(UmasRequest<'a>) = 90,
    /// Any other function code (legacy, user-defined, reserved, unassigned), data raw.
    Other {
        /// The function code.
        function: FunctionCode,
        /// Everything after it.
        data: &'a [u8],
    } = 0x1FF,
}

/// Whether `v` lies outside `range`, without a branch (one subtraction and compare).
#[inline(always)]
pub(crate) fn outside(range: core::ops::RangeInclusive<u16>, v: u16) -> bool {
    v.wrapping_sub(*range.start()) > range.end().wrapping_sub(*range.start())
}

/// `flag` when `cond`, else nothing, without a branch.
#[inline(always)]
pub(crate) fn flag_if(cond: bool, flag: Anomalies) -> Anomalies {
    Anomalies::from_bits_retain(flag.bits() * u32::from(cond))
}

/// `INVALID_COIL_VALUE` for a Write Single Coil (`byte` 5) value other than ON and OFF
/// (§6.5), without a branch; nothing for the other function codes.
#[inline(always)]
pub(crate) fn invalid_coil_value(byte: u8, value: u16) -> Anomalies {
    flag_if(
        (byte == 5) & (value != COIL_ON) & (value != COIL_OFF),
        Anomalies::INVALID_COIL_VALUE,
    )
}

/// `ADDRESS_OVERFLOW` when `quantity` entries from `address` pass the 65536-entry address
/// space (§4.3), without a branch.
#[inline(always)]
pub(crate) fn address_overflow(address: u16, quantity: u16) -> Anomalies {
    flag_if(
        u32::from(address) + u32::from(quantity) > 0x1_0000,
        Anomalies::ADDRESS_OVERFLOW,
    )
}

/// Flags a quantity outside `range` and an address range past 0xFFFF.
#[inline]
pub(crate) fn check_range(
    a: &mut Anomalies,
    address: u16,
    quantity: u16,
    range: core::ops::RangeInclusive<u16>,
) {
    // Only adds flags: FC 23 checks its read and its write part one after the other.
    *a |= flag_if(outside(range, quantity), Anomalies::QUANTITY_OUT_OF_RANGE)
        | address_overflow(address, quantity);
}

/// Flags a byte count that disagrees with what the quantity implies, or that runs short.
#[inline]
pub(crate) fn check_count(a: &mut Anomalies, declared: usize, expected: usize, short: bool) {
    if declared != expected {
        *a |= Anomalies::BYTE_COUNT_MISMATCH;
    }
    if short {
        *a |= Anomalies::TRUNCATED;
    }
}

/// Flags reserved Diagnostics sub-functions and the data rules of §6.8.1.
#[inline]
pub(crate) fn check_diagnostics(a: &mut Anomalies, sub: DiagnosticCode, data: &[u8]) {
    match sub {
        DiagnosticCode::Unknown(_) => *a |= Anomalies::RESERVED_SUB_FUNCTION,
        DiagnosticCode::ReturnQueryData => {}
        DiagnosticCode::RestartCommunications => {
            if !matches!(data, [0x00 | 0xFF, 0x00]) {
                *a |= Anomalies::INVALID_DATA_VALUE;
            }
        }
        _ => {
            if data.len() != 2 {
                *a |= Anomalies::LENGTH_MISMATCH;
            }
        }
    }
}

impl<'a> Request<'a> {
    /// Decodes a request PDU (function code and data, without MBAP header or RTU address).
    ///
    /// Returns `Err` only when the fixed fields of the function are missing; every other
    /// violation is a flag in [`Parsed::anomalies`].
    #[inline(always)]
    pub fn parse(pdu: &'a [u8]) -> Result<Parsed<Request<'a>>, Error> {
        // Most requests on the wire: FC 1-6 of five bytes, FC 15 and 16 whose byte count
        // spans the rest. Nothing is left over or short there.
        if let Some((byte @ 1..=6, address, value)) = two_fields(pdu) {
            return Ok(Parsed {
                pdu: Self::fixed(byte, address, value),
                anomalies: Self::fixed_anomalies(byte, address, value),
            });
        }
        match *pdu {
            [byte @ (15 | 16), a0, a1, q0, q1, count, ref data @ ..]
                if usize::from(count) == data.len() =>
            {
                let (address, quantity) =
                    (u16::from_be_bytes([a0, a1]), u16::from_be_bytes([q0, q1]));
                let anomalies = Self::write_multiple_anomalies(byte, address, quantity, count)
                    | flag_if(pdu.len() > MAX_PDU_LEN, Anomalies::PDU_TOO_LONG);
                return Ok(Parsed {
                    pdu: Self::write_multiple(byte, address, quantity, data),
                    anomalies,
                });
            }
            _ => {}
        }
        let mut c = Cursor::new(pdu);
        let byte = c.u8().map_err(|_| Error::EmptyPdu)?;
        let function = FunctionCode::from(byte);
        let mut a = Anomalies::empty();
        a.set(Anomalies::PDU_TOO_LONG, pdu.len() > MAX_PDU_LEN);
        let req = match byte {
            1..=6 => {
                let (address, value) = (c.u16()?, c.u16()?);
                a |= Self::fixed_anomalies(byte, address, value);
                Self::fixed(byte, address, value)
            }
            15 | 16 => {
                let (address, quantity) = (c.u16()?, c.u16()?);
                let Ok(count) = c.u8() else {
                    return Ok(Self::write_multiple_cut(byte, address, quantity, a));
                };
                let (bytes, short) = c.take_upto(usize::from(count));
                a |= Self::write_multiple_anomalies(byte, address, quantity, count);
                a |= flag_if(short, Anomalies::TRUNCATED);
                Self::write_multiple(byte, address, quantity, bytes)
            }
            _ => Self::parse_rare(function, &mut c, &mut a)?,
        };
        Ok(c.finish(req, a))
    }

    /// FC 1-6 (`byte`), whose two fields are an address and a quantity or value. The
    /// variants' tags are their function codes and their fields sit at the same offsets, so
    /// this compiles to stores, not to a branch per function code.
    #[inline]
    fn fixed(byte: u8, address: u16, value: u16) -> Request<'a> {
        let address = Address(address);
        match byte {
            1 => Request::ReadCoils {
                address,
                quantity: value,
            },
            2 => Request::ReadDiscreteInputs {
                address,
                quantity: value,
            },
            3 => Request::ReadHoldingRegisters {
                address,
                quantity: value,
            },
            4 => Request::ReadInputRegisters {
                address,
                quantity: value,
            },
            5 => Request::WriteSingleCoil { address, value },
            _ => Request::WriteSingleRegister { address, value },
        }
    }

    /// What is off about FC 1-6's fields (§6.1-§6.6): a read quantity out of range, a read
    /// past address 0xFFFF, a coil value other than ON and OFF. Branch-free: per function
    /// code, the largest quantity (above any `u16` for the writes, which have none) and
    /// a mask that keeps the quantity in the address check of the reads only.
    #[inline(always)]
    fn fixed_anomalies(byte: u8, address: u16, value: u16) -> Anomalies {
        const LIMIT: [u32; 8] = {
            let bits = *limits::READ_BITS.end() as u32;
            let registers = *limits::READ_REGISTERS.end() as u32;
            [0, bits, bits, registers, registers, 0x1_0000, 0x1_0000, 0]
        };
        const SPAN: [u16; 8] = [0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0, 0, 0];
        // `byte & 7` is in bounds: the compiler drops the checks of `get`.
        let i = usize::from(byte & 7);
        let (limit, span) = (LIMIT.get(i).copied(), SPAN.get(i).copied());
        let (limit, span) = (limit.unwrap_or(0), span.unwrap_or(0));
        // Quantities start at 1 (checked by the const below): 0 wraps past every limit.
        const _: () =
            assert!(*limits::READ_BITS.start() == 1 && *limits::READ_REGISTERS.start() == 1);
        flag_if(
            u32::from(value.wrapping_sub(1)) >= limit,
            Anomalies::QUANTITY_OUT_OF_RANGE,
        ) | address_overflow(address, value & span)
            | invalid_coil_value(byte, value)
    }

    /// FC 15 (`byte` 15) and 16 from their fields and the bytes their byte count covers.
    #[inline]
    fn write_multiple(byte: u8, address: u16, quantity: u16, bytes: &'a [u8]) -> Request<'a> {
        let address = Address(address);
        if byte == 15 {
            Request::WriteMultipleCoils {
                address,
                quantity,
                values: BitValues::new(bytes, usize::from(quantity)),
            }
        } else {
            Request::WriteMultipleRegisters {
                address,
                quantity,
                values: RegisterValues::new(bytes),
            }
        }
    }

    /// FC 15 and 16 whose PDU ends after the quantity (§6.11, §6.12): the address and
    /// quantity that arrived, no value, flagged `TRUNCATED` (rare: out of line).
    #[inline(never)]
    fn write_multiple_cut(
        byte: u8,
        address: u16,
        quantity: u16,
        a: Anomalies,
    ) -> Parsed<Request<'a>> {
        let fields = Self::write_multiple_anomalies(byte, address, quantity, 0)
            - Anomalies::BYTE_COUNT_MISMATCH;
        Parsed {
            pdu: Self::write_multiple(byte, address, quantity, &[]),
            anomalies: a | fields | Anomalies::TRUNCATED,
        }
    }

    /// What is off about FC 15 and 16's fields (§6.11, §6.12): a quantity out of range, a
    /// write past address 0xFFFF, a byte count other than the quantity implies.
    #[inline(always)]
    fn write_multiple_anomalies(byte: u8, address: u16, quantity: u16, count: u8) -> Anomalies {
        let coils = byte == 15;
        let (range, expected) = if coils {
            (limits::WRITE_COILS, usize::from(quantity).div_ceil(8))
        } else {
            (limits::WRITE_REGISTERS, usize::from(quantity) * 2)
        };
        flag_if(outside(range, quantity), Anomalies::QUANTITY_OUT_OF_RANGE)
            | address_overflow(address, quantity)
            | flag_if(
                usize::from(count) != expected,
                Anomalies::BYTE_COUNT_MISMATCH,
            )
    }

    /// The function codes other than 1-6, 15 and 16: rare on the wire, decoded out of line
    /// so that the inlined [`Request::parse`] stays small.
    #[inline(never)]
    fn parse_rare(
        function: FunctionCode,
        c: &mut Cursor<'a>,
        a: &mut Anomalies,
    ) -> Result<Request<'a>, Error> {
        Ok(match function {
            FunctionCode::ReadExceptionStatus => Request::ReadExceptionStatus,
            FunctionCode::Diagnostics => {
                let sub_function = DiagnosticCode::from(c.u16()?);
                let data = c.rest();
                check_diagnostics(a, sub_function, data);
                Request::Diagnostics { sub_function, data }
            }
            FunctionCode::GetCommEventCounter => Request::GetCommEventCounter,
            FunctionCode::GetCommEventLog => Request::GetCommEventLog,
            FunctionCode::ReportServerId => Request::ReportServerId,
            FunctionCode::ReadFileRecord => {
                let count = c.u8()?;
                let (bytes, short) = c.take_upto(usize::from(count));
                let ok = limits::READ_FILE_BYTE_COUNT.contains(&count) && count % 7 == 0;
                check_count(
                    a,
                    usize::from(count),
                    if ok { usize::from(count) } else { usize::MAX },
                    short,
                );
                let requests = FileSubRequests::new(bytes);
                if requests
                    .into_iter()
                    .any(|r| r.reference_type != limits::FILE_REFERENCE_TYPE)
                {
                    *a |= Anomalies::INVALID_REFERENCE_TYPE;
                }
                Request::ReadFileRecord { requests }
            }
            FunctionCode::WriteFileRecord => {
                let count = c.u8()?;
                let (bytes, short) = c.take_upto(usize::from(count));
                let records = FileRecords::new(bytes);
                check_file_records(a, records, count, limits::WRITE_FILE_BYTE_COUNT, short);
                Request::WriteFileRecord { records }
            }
            FunctionCode::MaskWriteRegister => Request::MaskWriteRegister {
                address: Address(c.u16()?),
                and_mask: c.u16()?,
                or_mask: c.u16()?,
            },
            FunctionCode::ReadWriteMultipleRegisters => {
                let (read_address, read_quantity) = (c.u16()?, c.u16()?);
                let (write_address, write_quantity) = (c.u16()?, c.u16()?);
                // A PDU that ends before the byte count keeps the four fields.
                let count = c.u8().ok();
                check_range(a, read_address, read_quantity, limits::READ_REGISTERS);
                check_range(
                    a,
                    write_address,
                    write_quantity,
                    limits::READ_WRITE_REGISTERS_WRITE,
                );
                let (bytes, short) = c.take_upto(usize::from(count.unwrap_or(0)));
                match count {
                    Some(count) => check_count(
                        a,
                        usize::from(count),
                        usize::from(write_quantity) * 2,
                        short,
                    ),
                    None => *a |= Anomalies::TRUNCATED,
                }
                Request::ReadWriteMultipleRegisters {
                    read_address: Address(read_address),
                    read_quantity,
                    write_address: Address(write_address),
                    write_quantity,
                    values: RegisterValues::new(bytes),
                }
            }
            FunctionCode::ReadFifoQueue => Request::ReadFifoQueue {
                address: Address(c.u16()?),
            },
            FunctionCode::EncapsulatedInterfaceTransport => {
                let mei_type = MeiType::from(c.u8()?);
                match mei_type {
                    MeiType::ReadDeviceIdentification => {
                        let code = ReadDeviceIdCode::from(c.u8()?);
                        a.set(Anomalies::INVALID_DEVICE_ID_CODE, !code.is_known());
                        Request::ReadDeviceIdentification {
                            code,
                            object_id: c.u8()?,
                        }
                    }
                    _ => {
                        a.set(Anomalies::RESERVED_MEI_TYPE, !mei_type.is_known());
                        Request::Mei {
                            mei_type,
                            data: c.rest(),
                        }
                    }
                }
            }
            FunctionCode::Umas => Request::Umas(UmasRequest::parse(c)?),
            _ => {
                a.set(
                    Anomalies::RESERVED_FUNCTION,
                    function.is_anomalous_in_request(),
                );
                Request::Other {
                    function,
                    data: c.rest(),
                }
            }
        })
    }

    /// The function code this request carries.
    pub fn function_code(&self) -> FunctionCode {
        match self {
            Request::ReadCoils { .. } => FunctionCode::ReadCoils,
            Request::ReadDiscreteInputs { .. } => FunctionCode::ReadDiscreteInputs,
            Request::ReadHoldingRegisters { .. } => FunctionCode::ReadHoldingRegisters,
            Request::ReadInputRegisters { .. } => FunctionCode::ReadInputRegisters,
            Request::WriteSingleCoil { .. } => FunctionCode::WriteSingleCoil,
            Request::WriteSingleRegister { .. } => FunctionCode::WriteSingleRegister,
            Request::ReadExceptionStatus => FunctionCode::ReadExceptionStatus,
            Request::Diagnostics { .. } => FunctionCode::Diagnostics,
            Request::GetCommEventCounter => FunctionCode::GetCommEventCounter,
            Request::GetCommEventLog => FunctionCode::GetCommEventLog,
            Request::WriteMultipleCoils { .. } => FunctionCode::WriteMultipleCoils,
            Request::WriteMultipleRegisters { .. } => FunctionCode::WriteMultipleRegisters,
            Request::ReportServerId => FunctionCode::ReportServerId,
            Request::ReadFileRecord { .. } => FunctionCode::ReadFileRecord,
            Request::WriteFileRecord { .. } => FunctionCode::WriteFileRecord,
            Request::MaskWriteRegister { .. } => FunctionCode::MaskWriteRegister,
            Request::ReadWriteMultipleRegisters { .. } => FunctionCode::ReadWriteMultipleRegisters,
            Request::ReadFifoQueue { .. } => FunctionCode::ReadFifoQueue,
            Request::ReadDeviceIdentification { .. } | Request::Mei { .. } => {
                FunctionCode::EncapsulatedInterfaceTransport
            }
            Request::Umas(_) => FunctionCode::Umas,
            Request::Other { function, .. } => *function,
        }
    }
}

/// Checks a Write File Record byte count (range, and that the records fill it exactly) and
/// the reference types.
pub(crate) fn check_file_records(
    a: &mut Anomalies,
    records: FileRecords<'_>,
    count: u8,
    range: core::ops::RangeInclusive<u8>,
    short: bool,
) {
    let mut rest = records.as_bytes();
    let mut exact = true;
    while !rest.is_empty() {
        let Some((h, tail)) = rest.split_first_chunk::<7>() else {
            exact = false;
            break;
        };
        if h[0] != limits::FILE_REFERENCE_TYPE {
            *a |= Anomalies::INVALID_REFERENCE_TYPE;
        }
        let n = usize::from(u16::from_be_bytes([h[5], h[6]])) * 2;
        match tail.split_at_checked(n) {
            Some((_, t)) => rest = t,
            None => {
                exact = false;
                break;
            }
        }
    }
    let expected = if range.contains(&count) && exact {
        usize::from(count)
    } else {
        usize::MAX
    };
    check_count(a, usize::from(count), expected, short);
    if !exact {
        *a |= Anomalies::TRUNCATED;
    }
}
