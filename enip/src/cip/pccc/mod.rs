//! PCCC over CIP: the data of the Execute PCCC service (0x4B) of the PCCC object, class
//! 0x67 (CIP Vol. 1 PCCC object; Rockwell 1770-6.5.16 "DF1 Protocol and Command Set" ch.
//! 6-8 for the command packet; pycomm3's SLC driver, MIT, for what SLC and MicroLogix send).
//!
//! A request is a requestor ID (length byte, CIP vendor id, CIP serial number, optional
//! extra bytes), then CMD, STS, TNS and, for CMD 0x06, 0x07 and 0x0F, a function code
//! (FNC) and its data. A reply repeats the requestor ID, then CMD | 0x40, STS, TNS, EXT
//! STS when STS is 0xF0, and the data.

mod codes;

pub use codes::{
    Command, CpuMode, DiagnosticFunction, ExtStatus, ExtendedFunction, FileType, ProgramFunction,
    Status,
};

use otwire_core::{EmitError, Sink};

use super::logix::Rd;
use crate::{Anomalies, Error, Layer, Parsed};

/// The Execute PCCC service code (CIP Vol. 1 PCCC object 0x67).
pub const EXECUTE_PCCC: u8 = 0x4B;
/// The PCCC object class (CIP Vol. 1).
pub const PCCC_CLASS: u16 = 0x67;
/// The reply bit of CMD (1770-6.5.16 §6).
pub const REPLY_BIT: u8 = 0x40;

/// The requestor ID that opens Execute PCCC data (CIP Vol. 1 PCCC object: length of the
/// whole ID including the length byte, CIP vendor id, CIP serial number, other bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RequestorId<'a> {
    /// CIP vendor id of the requestor.
    pub vendor: u16,
    /// CIP serial number of the requestor.
    pub serial: u32,
    /// Bytes after the serial number up to the declared length.
    pub extra: &'a [u8],
}

impl<'a> RequestorId<'a> {
    #[inline]
    fn read(rd: &mut Rd<'a>, a: &mut Anomalies) -> Result<Self, Error> {
        let len = usize::from(rd.u8()?);
        *a |= Anomalies::when(len < 7, Anomalies::PCCC_REQUESTOR_ID);
        let vendor = rd.u16()?;
        let serial = rd.u32()?;
        let extra = rd.take(len.saturating_sub(7))?;
        Ok(RequestorId {
            vendor,
            serial,
            extra,
        })
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.count8(7 + self.extra.len(), "requestor id length")?;
        s.u16_le(self.vendor)?;
        s.u32_le(self.serial)?;
        s.bytes(self.extra)
    }
}

/// The function code after CMD, STS and TNS, typed by its command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Function {
    /// The command has no function code.
    None,
    /// CMD 0x06.
    Diagnostic(DiagnosticFunction),
    /// CMD 0x07.
    Program(ProgramFunction),
    /// CMD 0x0F.
    Extended(ExtendedFunction),
}

impl Function {
    /// The FNC byte, if any.
    pub fn value(self) -> Option<u8> {
        match self {
            Function::None => None,
            Function::Diagnostic(f) => Some(f.value()),
            Function::Program(f) => Some(f.value()),
            Function::Extended(f) => Some(f.value()),
        }
    }

    /// Whether the code is in its command's table.
    pub fn is_known(self) -> bool {
        match self {
            Function::None => true,
            Function::Diagnostic(f) => f.is_known(),
            Function::Program(f) => f.is_known(),
            Function::Extended(f) => f.is_known(),
        }
    }
}

/// A logical binary address: file number, file type, element and, with three address
/// fields, sub-element (1770-6.5.16 ch. 7 "logical binary addressing": a value above 254
/// is 0xFF then two bytes, little-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Address {
    /// Bytes to read or write.
    pub byte_size: u8,
    /// File number.
    pub file_number: u16,
    /// File type.
    pub file_type: FileType,
    /// Element number.
    pub element: u16,
    /// Sub-element number (three address fields only).
    pub sub_element: Option<u16>,
}

fn read_num(rd: &mut Rd<'_>, a: &mut Anomalies) -> Result<u16, Error> {
    match rd.u8()? {
        0xFF => {
            let n = rd.u16()?;
            *a |= Anomalies::when(n < 0xFF, Anomalies::PCCC_ADDRESS_FORM);
            Ok(n)
        }
        n => Ok(u16::from(n)),
    }
}

fn write_num<S: Sink + ?Sized>(s: &mut S, n: u16) -> Result<(), EmitError> {
    match u8::try_from(n) {
        Ok(b) if b != 0xFF => s.u8(b),
        _ => {
            s.u8(0xFF)?;
            s.u16_le(n)
        }
    }
}

impl Address {
    fn read(rd: &mut Rd<'_>, three: bool, a: &mut Anomalies) -> Result<Self, Error> {
        let byte_size = rd.u8()?;
        let file_number = read_num(rd, a)?;
        let file_type = FileType::from(rd.u8()?);
        let element = read_num(rd, a)?;
        let sub_element = if three { Some(read_num(rd, a)?) } else { None };
        Ok(Address {
            byte_size,
            file_number,
            file_type,
            element,
            sub_element,
        })
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(self.byte_size)?;
        write_num(s, self.file_number)?;
        s.u8(self.file_type.value())?;
        write_num(s, self.element)?;
        match self.sub_element {
            Some(n) => write_num(s, n),
            None => Ok(()),
        }
    }
}

/// The data of a PCCC request after its function code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Body<'a> {
    /// Protected typed logical read or write (FNC 0xA1, 0xA2, 0xA9, 0xAA): the address and,
    /// for a write, the data.
    TypedLogical {
        /// The address.
        address: Address,
        /// Data written (empty for a read).
        data: &'a [u8],
    },
    /// Protected typed logical masked write (FNC 0xAB): the address, then the mask and the
    /// data (kept together: pycomm3 sends a 2-byte mask then the data).
    MaskedWrite {
        /// The address.
        address: Address,
        /// Mask and data.
        mask_and_data: &'a [u8],
    },
    /// Change mode (FNC 0x80): the mode byte.
    ChangeMode {
        /// The mode asked for.
        mode: CpuMode,
    },
    /// Word range read/write (FNC 0x01/0x00) and typed read/write (FNC 0x68/0x67): the
    /// packet offset and total transaction (in elements), then the PLC-5 system address
    /// and the size or data, kept (1770-6.5.16 ch. 7).
    Ranged {
        /// Offset of this packet in the transaction.
        packet_offset: u16,
        /// Elements in the whole transaction.
        total_transaction: u16,
        /// The PLC-5 system address, then the size (reads) or data (writes).
        address_and_data: &'a [u8],
    },
    /// Any other function: its data kept (echo data, typed read/write, word range,
    /// read-modify-write, program transfer).
    Data(&'a [u8]),
}

/// Execute PCCC request data (CIP Vol. 1 PCCC object; 1770-6.5.16 §6-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PcccRequest<'a> {
    /// Who sends it.
    pub requestor: RequestorId<'a>,
    /// CMD.
    pub command: Command,
    /// STS (0 in requests).
    pub status: u8,
    /// TNS, the transaction number (little-endian).
    pub tns: u16,
    /// FNC.
    pub function: Function,
    /// The function's data.
    pub body: Body<'a>,
}

impl<'a> PcccRequest<'a> {
    /// Parses Execute PCCC request data.
    #[inline]
    pub fn parse(data: &'a [u8]) -> Result<Parsed<PcccRequest<'a>>, Error> {
        let mut a = Anomalies::empty();
        let mut rd = Rd::new(data, Layer::Pccc);
        let requestor = RequestorId::read(&mut rd, &mut a)?;
        let cmd = rd.u8()?;
        a |= Anomalies::when(cmd & REPLY_BIT != 0, Anomalies::PCCC_REPLY_BIT);
        let command = Command::from(cmd);
        let status = rd.u8()?;
        a |= Anomalies::when(status != 0, Anomalies::PCCC_STATUS);
        let tns = rd.u16()?;
        let function = match command {
            Command::Diagnostic => Function::Diagnostic(rd.u8()?.into()),
            Command::Program => Function::Program(rd.u8()?.into()),
            Command::Extended => Function::Extended(rd.u8()?.into()),
            _ => Function::None,
        };
        a |= Anomalies::when(
            !command.is_known() || !function.is_known(),
            Anomalies::PCCC_UNKNOWN_FUNCTION,
        );
        let body = match function {
            Function::Extended(f) => Self::extended(f, &mut rd, &mut a)?,
            _ => Body::Data(rd.rest()),
        };
        a |= Anomalies::when(!rd.is_empty(), Anomalies::PCCC_TRAILING_DATA);
        let req = PcccRequest {
            requestor,
            command,
            status,
            tns,
            function,
            body,
        };
        Ok(Parsed::new(req, a))
    }

    fn extended(
        f: ExtendedFunction,
        rd: &mut Rd<'a>,
        a: &mut Anomalies,
    ) -> Result<Body<'a>, Error> {
        use ExtendedFunction as F;
        Ok(match f {
            F::TypedLogicalRead2 | F::TypedLogicalRead3 => Body::TypedLogical {
                address: Address::read(rd, f == F::TypedLogicalRead3, a)?,
                data: &[],
            },
            F::TypedLogicalWrite2 | F::TypedLogicalWrite3 => {
                let address = Address::read(rd, f == F::TypedLogicalWrite3, a)?;
                let data = rd.rest();
                *a |= Anomalies::when(
                    data.len() != usize::from(address.byte_size),
                    Anomalies::PCCC_BYTE_SIZE,
                );
                Body::TypedLogical { address, data }
            }
            F::TypedLogicalMaskedWrite3 => Body::MaskedWrite {
                address: Address::read(rd, true, a)?,
                mask_and_data: rd.rest(),
            },
            F::WordRangeRead | F::WordRangeWrite | F::TypedRead | F::TypedWrite => Body::Ranged {
                packet_offset: rd.u16()?,
                total_transaction: rd.u16()?,
                address_and_data: rd.rest(),
            },
            F::ChangeMode => {
                let mode = CpuMode::from(rd.u8()?);
                *a |= Anomalies::when(!mode.is_known(), Anomalies::PCCC_UNKNOWN_MODE);
                Body::ChangeMode { mode }
            }
            _ => Body::Data(rd.rest()),
        })
    }

    /// The extended function (CMD 0x0F), if any.
    pub fn extended_function(&self) -> Option<ExtendedFunction> {
        match self.function {
            Function::Extended(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the request changes data table or I/O values (PLC-2 writes, word range,
    /// bit, file, physical and typed writes, read-modify-write, forces).
    pub fn is_write(&self) -> bool {
        use ExtendedFunction as F;
        matches!(
            self.command,
            Command::ProtectedWrite
                | Command::ProtectedBitWrite
                | Command::UnprotectedBitWrite
                | Command::UnprotectedWrite
        ) || matches!(
            self.extended_function(),
            Some(
                F::WordRangeWrite
                    | F::BitWrite
                    | F::FileWrite
                    | F::PhysicalWrite
                    | F::WriteBytesPhysical
                    | F::ReadModifyWrite
                    | F::ModifyCompatibilityFile
                    | F::TypedWrite
                    | F::ReadModifyWriteN
                    | F::TypedLogicalWrite2
                    | F::TypedLogicalWrite3
                    | F::TypedLogicalMaskedWrite3
                    | F::TypedFileWrite
                    | F::DisableForces
            )
        )
    }

    /// Whether the request reads data table or I/O values (PLC-2 unprotected read, word
    /// range, file, physical and typed reads, read section size).
    pub fn is_read(&self) -> bool {
        use ExtendedFunction as F;
        self.command == Command::UnprotectedRead
            || matches!(
                self.extended_function(),
                Some(
                    F::WordRangeRead
                        | F::FileRead
                        | F::PhysicalRead
                        | F::ReadBytesPhysical
                        | F::ReadSectionSize
                        | F::TypedRead
                        | F::TypedLogicalRead2
                        | F::TypedLogicalRead3
                        | F::TypedFileRead
                )
            )
    }

    /// Whether the request changes the processor's mode or scanning (change mode, set CPU
    /// mode, shutdown, restart, PLC-2 enable/disable outputs and scanning).
    pub fn is_mode_change(&self) -> bool {
        use ExtendedFunction as F;
        matches!(
            self.function,
            Function::Extended(F::ChangeMode | F::SetCpuMode | F::Shutdown | F::RestartRequest)
                | Function::Program(
                    ProgramFunction::DisableOutputs
                        | ProgramFunction::EnableOutputs
                        | ProgramFunction::EnableScanning
                )
        )
    }

    /// Whether the request is part of a program upload, download or memory clear.
    pub fn is_program_transfer(&self) -> bool {
        use ExtendedFunction as F;
        matches!(
            self.function,
            Function::Extended(
                F::DownloadRequest
                    | F::Upload
                    | F::DownloadAllRequest
                    | F::DownloadCompleted
                    | F::UploadAllRequest
                    | F::UploadCompleted
                    | F::InitializeMemory
                    | F::GetEditResource
                    | F::ReturnEditResource
            ) | Function::Program(
                ProgramFunction::EnterDownload
                    | ProgramFunction::ExitDownloadUpload
                    | ProgramFunction::EnterUpload
            )
        )
    }

    /// The file and element addressed (typed logical reads and writes).
    pub fn address(&self) -> Option<Address> {
        match self.body {
            Body::TypedLogical { address, .. } | Body::MaskedWrite { address, .. } => Some(address),
            _ => None,
        }
    }

    /// Writes the request data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.requestor.encode(s)?;
        s.u8(self.command.value())?;
        s.u8(self.status)?;
        s.u16_le(self.tns)?;
        if let Some(f) = self.function.value() {
            s.u8(f)?;
        }
        match self.body {
            Body::TypedLogical { address, data } => {
                address.encode(s)?;
                s.bytes(data)
            }
            Body::MaskedWrite {
                address,
                mask_and_data,
            } => {
                address.encode(s)?;
                s.bytes(mask_and_data)
            }
            Body::ChangeMode { mode } => s.u8(mode.value()),
            Body::Ranged {
                packet_offset,
                total_transaction,
                address_and_data,
            } => {
                s.u16_le(packet_offset)?;
                s.u16_le(total_transaction)?;
                s.bytes(address_and_data)
            }
            Body::Data(d) => s.bytes(d),
        }
    }
}

/// Execute PCCC reply data (CIP Vol. 1 PCCC object; 1770-6.5.16 §6, ch. 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PcccReply<'a> {
    /// The requestor ID, repeated.
    pub requestor: RequestorId<'a>,
    /// CMD with the reply bit 0x40.
    pub command: u8,
    /// STS.
    pub status: Status,
    /// TNS of the request.
    pub tns: u16,
    /// EXT STS, present when STS is 0xF0.
    pub ext_status: Option<ExtStatus>,
    /// The reply data (its layout depends on the request).
    pub data: &'a [u8],
}

impl<'a> PcccReply<'a> {
    /// Parses Execute PCCC reply data.
    #[inline]
    pub fn parse(data: &'a [u8]) -> Result<Parsed<PcccReply<'a>>, Error> {
        let mut a = Anomalies::empty();
        let mut rd = Rd::new(data, Layer::Pccc);
        let requestor = RequestorId::read(&mut rd, &mut a)?;
        let command = rd.u8()?;
        a |= Anomalies::when(command & REPLY_BIT == 0, Anomalies::PCCC_REPLY_BIT);
        let status = Status::from(rd.u8()?);
        let tns = rd.u16()?;
        let ext_status = if status == Status::Extended {
            Some(ExtStatus::from(rd.u8()?))
        } else {
            None
        };
        let reply = PcccReply {
            requestor,
            command,
            status,
            tns,
            ext_status,
            data: rd.rest(),
        };
        Ok(Parsed::new(reply, a))
    }

    /// The request's command (CMD without the reply bit).
    pub fn request_command(&self) -> Command {
        Command::from(self.command & !REPLY_BIT)
    }

    /// Writes the reply data.
    pub fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.requestor.encode(s)?;
        s.u8(self.command)?;
        s.u8(self.status.value())?;
        s.u16_le(self.tns)?;
        match (self.status, self.ext_status) {
            (Status::Extended, Some(e)) => s.u8(e.value())?,
            (Status::Extended, None) => {
                return Err(EmitError::ValueOutOfRange {
                    field: "ext_status",
                });
            }
            _ => {}
        }
        s.bytes(self.data)
    }
}

otwire_core::emit_via_encode!(PcccRequest<'_>, PcccReply<'_>);
