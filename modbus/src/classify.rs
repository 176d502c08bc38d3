//! What a PDU does, in the terms detection rules key on: access kind, data table, address
//! range, function category and notable operations (Application Protocol §4.3 data model,
//! §5 code categories; UMAS function groups as publicly documented).

use crate::codes::{DiagnosticCode, FunctionCategory, FunctionCode, UmasFunctionCode};
use crate::request::Request;
use crate::response::Response;
use crate::types::Address;

/// The four primary tables of the data model (§4.3) plus file records and FIFO queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DataTable {
    /// Single-bit, read-write.
    Coils,
    /// Single-bit, read-only.
    DiscreteInputs,
    /// 16-bit, read-only.
    InputRegisters,
    /// 16-bit, read-write.
    HoldingRegisters,
    /// Extended memory files (FC 20/21).
    FileRecords,
    /// A FIFO queue of registers (FC 24).
    FifoQueue,
}

/// What kind of access a PDU makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Access {
    /// Reads process data.
    Read,
    /// Writes process data.
    Write,
    /// Writes then reads (FC 23).
    ReadWrite,
    /// Serial-line diagnostics and counters (FC 7, 8, 11, 12).
    Diagnostics,
    /// Asks who the device is (FC 17, FC 43/14, UMAS identification reads).
    Identification,
    /// Changes the device's state: run/stop, reservation (UMAS).
    Control,
    /// Reads the program out of the device (UMAS upload).
    ProgramUpload,
    /// Writes a program into the device (UMAS download).
    ProgramDownload,
    /// Anything else (legacy, user-defined, unknown).
    Other,
}

/// Operations worth naming on their own: restarts, listen-only, run/stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Operation {
    /// FC 8 sub 1: restart communications (ATT&CK T0816).
    RestartCommunications,
    /// FC 8 sub 4: force listen-only mode; the device stops answering (T0814, T0804).
    ForceListenOnly,
    /// FC 8 sub 10 / sub 20: clear counters (hides traces).
    ClearCounters,
    /// UMAS START_PLC (T0858).
    StartPlc,
    /// UMAS STOP_PLC (T0858).
    StopPlc,
    /// UMAS TAKE/RELEASE_PLC_RESERVATION or KEEP_ALIVE.
    Reservation,
    /// UMAS upload steps (T0845).
    ProgramUpload,
    /// UMAS download steps (T0843).
    ProgramDownload,
}

/// A contiguous range of addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AddressRange {
    /// First address.
    pub start: Address,
    /// Number of addresses (may be 0 in a malformed request).
    pub quantity: u16,
}

impl AddressRange {
    /// The last address touched (clamped to 0xFFFF), or `None` for an empty range.
    pub fn last(&self) -> Option<Address> {
        let end = u32::from(self.start.0) + u32::from(self.quantity);
        (self.quantity > 0).then(|| Address(u16::try_from(end - 1).unwrap_or(u16::MAX)))
    }

    /// Whether `address` is in the range.
    pub fn contains(&self, address: Address) -> bool {
        self.last()
            .is_some_and(|last| (self.start..=last).contains(&address))
    }
}

/// What one PDU does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Classification {
    /// The access kind.
    pub access: Access,
    /// The table read or written, when the function names one.
    pub table: Option<DataTable>,
    /// The addresses read or written (for FC 23, the read part).
    pub range: Option<AddressRange>,
    /// FC 23's write part.
    pub write_range: Option<AddressRange>,
    /// Public, user-defined, reserved…
    pub category: FunctionCategory,
    /// A notable operation, if any.
    pub operation: Option<Operation>,
}

impl Classification {
    fn new(function: FunctionCode, access: Access) -> Self {
        Classification {
            access,
            table: None,
            range: None,
            write_range: None,
            category: function.category(),
            operation: None,
        }
    }

    fn on(mut self, table: DataTable, start: Address, quantity: u16) -> Self {
        self.table = Some(table);
        self.range = Some(AddressRange { start, quantity });
        self
    }

    /// Whether the PDU changes process data or device state.
    pub fn is_write(&self) -> bool {
        matches!(
            self.access,
            Access::Write | Access::ReadWrite | Access::Control | Access::ProgramDownload
        )
    }
}

/// What a UMAS function does.
pub fn umas_access(f: UmasFunctionCode) -> (Access, Option<Operation>) {
    use UmasFunctionCode as U;
    match f {
        U::InitComm
        | U::ReadId
        | U::ReadProjectInfo
        | U::ReadPlcInfo
        | U::ReadCardInfo
        | U::ReadEthMasterData
        | U::CheckPlc
        | U::GetStatusModule => (Access::Identification, None),
        U::ReadMemoryBlock
        | U::ReadVariables
        | U::ReadCoilsRegisters
        | U::ReadIoObject
        | U::MonitorPlc => (Access::Read, None),
        U::WriteVariables | U::WriteCoilsRegisters | U::WriteIoObject => (Access::Write, None),
        U::TakePlcReservation | U::ReleasePlcReservation | U::KeepAlive => {
            (Access::Control, Some(Operation::Reservation))
        }
        U::InitializeUpload | U::UploadBlock | U::EndStrategyUpload => {
            (Access::ProgramUpload, Some(Operation::ProgramUpload))
        }
        U::InitializeDownload | U::DownloadBlock | U::EndStrategyDownload => {
            (Access::ProgramDownload, Some(Operation::ProgramDownload))
        }
        U::StartPlc => (Access::Control, Some(Operation::StartPlc)),
        U::StopPlc => (Access::Control, Some(Operation::StopPlc)),
        U::Repeat | U::ResponseOk | U::ResponseError | U::Unknown(_) => (Access::Other, None),
    }
}

/// Classifies a request.
pub fn classify_request(req: &Request<'_>) -> Classification {
    let f = req.function_code();
    let c = Classification::new;
    match *req {
        Request::ReadCoils { address, quantity } => {
            c(f, Access::Read).on(DataTable::Coils, address, quantity)
        }
        Request::ReadDiscreteInputs { address, quantity } => {
            c(f, Access::Read).on(DataTable::DiscreteInputs, address, quantity)
        }
        Request::ReadHoldingRegisters { address, quantity } => {
            c(f, Access::Read).on(DataTable::HoldingRegisters, address, quantity)
        }
        Request::ReadInputRegisters { address, quantity } => {
            c(f, Access::Read).on(DataTable::InputRegisters, address, quantity)
        }
        Request::WriteSingleCoil { address, .. } => {
            c(f, Access::Write).on(DataTable::Coils, address, 1)
        }
        Request::WriteSingleRegister { address, .. }
        | Request::MaskWriteRegister { address, .. } => {
            c(f, Access::Write).on(DataTable::HoldingRegisters, address, 1)
        }
        Request::WriteMultipleCoils {
            address, quantity, ..
        } => c(f, Access::Write).on(DataTable::Coils, address, quantity),
        Request::WriteMultipleRegisters {
            address, quantity, ..
        } => c(f, Access::Write).on(DataTable::HoldingRegisters, address, quantity),
        Request::ReadWriteMultipleRegisters {
            read_address,
            read_quantity,
            write_address,
            write_quantity,
            ..
        } => {
            let mut k = c(f, Access::ReadWrite).on(
                DataTable::HoldingRegisters,
                read_address,
                read_quantity,
            );
            k.write_range = Some(AddressRange {
                start: write_address,
                quantity: write_quantity,
            });
            k
        }
        Request::ReadFifoQueue { address } => {
            c(f, Access::Read).on(DataTable::FifoQueue, address, 1)
        }
        Request::ReadFileRecord { .. } => Classification {
            table: Some(DataTable::FileRecords),
            ..c(f, Access::Read)
        },
        Request::WriteFileRecord { .. } => Classification {
            table: Some(DataTable::FileRecords),
            ..c(f, Access::Write)
        },
        Request::ReadExceptionStatus | Request::GetCommEventCounter | Request::GetCommEventLog => {
            c(f, Access::Diagnostics)
        }
        Request::Diagnostics { sub_function, .. } => {
            let operation = match sub_function {
                DiagnosticCode::RestartCommunications => Some(Operation::RestartCommunications),
                DiagnosticCode::ForceListenOnlyMode => Some(Operation::ForceListenOnly),
                DiagnosticCode::ClearCountersAndDiagnosticRegister
                | DiagnosticCode::ClearOverrunCounterAndFlag => Some(Operation::ClearCounters),
                _ => None,
            };
            Classification {
                operation,
                ..c(f, Access::Diagnostics)
            }
        }
        Request::ReportServerId | Request::ReadDeviceIdentification { .. } => {
            c(f, Access::Identification)
        }
        Request::Umas(u) => {
            let (access, operation) = umas_access(u.function);
            Classification {
                operation,
                ..c(f, access)
            }
        }
        Request::Mei { .. } | Request::Other { .. } => c(f, Access::Other),
    }
}

/// Classifies a response. Responses carry no addresses for reads: pair them with their
/// request (by transaction id) to know the range.
pub fn classify_response(rsp: &Response<'_>) -> Classification {
    let f = rsp.function_code();
    let c = Classification::new;
    let table = |t: DataTable, access: Access| Classification {
        table: Some(t),
        ..c(f, access)
    };
    match *rsp {
        Response::ReadCoils { .. } => table(DataTable::Coils, Access::Read),
        Response::ReadDiscreteInputs { .. } => table(DataTable::DiscreteInputs, Access::Read),
        Response::ReadHoldingRegisters { .. } => table(DataTable::HoldingRegisters, Access::Read),
        Response::ReadInputRegisters { .. } => table(DataTable::InputRegisters, Access::Read),
        Response::ReadWriteMultipleRegisters { .. } => {
            table(DataTable::HoldingRegisters, Access::ReadWrite)
        }
        Response::ReadFifoQueue { .. } => table(DataTable::FifoQueue, Access::Read),
        Response::ReadFileRecord { .. } => table(DataTable::FileRecords, Access::Read),
        Response::WriteFileRecord { .. } => table(DataTable::FileRecords, Access::Write),
        Response::WriteSingleCoil { address, .. } => {
            c(f, Access::Write).on(DataTable::Coils, address, 1)
        }
        Response::WriteSingleRegister { address, .. }
        | Response::MaskWriteRegister { address, .. } => {
            c(f, Access::Write).on(DataTable::HoldingRegisters, address, 1)
        }
        Response::WriteMultipleCoils { address, quantity } => {
            c(f, Access::Write).on(DataTable::Coils, address, quantity)
        }
        Response::WriteMultipleRegisters { address, quantity } => {
            c(f, Access::Write).on(DataTable::HoldingRegisters, address, quantity)
        }
        Response::ReadExceptionStatus { .. }
        | Response::Diagnostics { .. }
        | Response::GetCommEventCounter { .. }
        | Response::GetCommEventLog { .. } => c(f, Access::Diagnostics),
        Response::ReportServerId { .. } | Response::ReadDeviceIdentification(_) => {
            c(f, Access::Identification)
        }
        Response::Umas(_)
        | Response::Mei { .. }
        | Response::Exception { .. }
        | Response::Other { .. } => c(f, Access::Other),
    }
}
