//! What a PDU does, in the terms detection rules key on: access kind (read/write of process
//! data, program transfer, mode change, security, identification, diagnostics...), the
//! areas / DBs / byte ranges touched, and the notable operations (PLC stop, block insert or
//! delete, memory reset, password, set clock...), from the S7comm functions and userdata
//! groups as publicly documented.

use crate::codes::{Area, FunctionGroup, UserdataType, subfunction};
use crate::params::Job;
use crate::params::pi::PiKind;
use crate::params::var::{VarItems, VarSpec};
use crate::pdu::{Body, Pdu};
use crate::plus::PlusPdu;
use crate::plus::codes::PlusFunction;
use crate::userdata::UserdataBody;

/// What kind of access a PDU makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Access {
    /// Reads process data (read var, cyclic subscriptions, S7comm-plus Get*).
    Read,
    /// Writes process data (write var, modify / force variables, S7comm-plus Set*).
    Write,
    /// Transfers a program to the PLC (request download... download ended, PI _INSE).
    ProgramDownload,
    /// Transfers a program from the PLC (start upload... end upload).
    ProgramUpload,
    /// Changes the CPU's operating mode (PLC stop, P_PROGRAM, memory reset).
    ModeChange,
    /// Authenticates (PLC password, S7comm-plus InitSsl).
    Security,
    /// Asks who the device is (module / component identification SZLs).
    Identification,
    /// Reads diagnostics (other SZLs, diagnostic buffer, alarms, block lists).
    Diagnostic,
    /// Reads or sets the clock.
    TimeSync,
    /// Sets up the connection (setup communication, S7comm-plus CreateObject/DeleteObject).
    Session,
    /// Configures the PLC (compress memory, copy RAM to ROM, delete blocks).
    Config,
    /// Answers, acknowledgements and anything else.
    Other,
}

/// A notable operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Operation {
    /// PLC stop (job 0x29).
    PlcStop,
    /// Program start (PI `P_PROGRAM`).
    PlcStart,
    /// Blocks inserted / activated (PI `_INSE`).
    InsertBlock,
    /// Blocks deleted (PI `_DELE`).
    DeleteBlock,
    /// Memory compressed (PI `_GARB`).
    CompressMemory,
    /// RAM copied to ROM (PI `_MODU`).
    CopyRamToRom,
    /// Memory reset (programmer command 12).
    MemoryReset,
    /// Variables forced (programmer command 9).
    Force,
    /// Variables modified (programmer command 8).
    ModifyVariable,
    /// A password sent (security, subfunction 1).
    Password,
    /// The clock set (time functions, subfunction 2 or 4).
    SetClock,
    /// A program block downloaded (request download).
    Download,
    /// A program block uploaded (start upload).
    Upload,
    /// The CPU announced a mode change (mode-transition push).
    ModeTransition,
    /// TLS started (S7comm-plus InitSsl).
    StartTls,
}

/// A memory range a read or write touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Target {
    /// The area.
    pub area: Area,
    /// DB number (0 outside DB/DI).
    pub db: u16,
    /// First byte.
    pub start: u32,
    /// Bit within the first byte.
    pub bit: u8,
    /// Bytes spanned, where the element type has a known size.
    pub bytes: Option<usize>,
}

/// How a PDU is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Classification<'a> {
    /// The access kind.
    pub access: Access,
    /// The notable operation, if any.
    pub operation: Option<Operation>,
    /// Whether the PDU changes the PLC's program, mode, protection or process data
    /// (writes, downloads, stops, resets, forces, passwords, set clock).
    pub dangerous: bool,
    /// The items of a read / write / cyclic request, for [`Classification::targets`].
    #[cfg_attr(feature = "serde", serde(skip))]
    pub items: Option<VarItems<'a>>,
}

impl<'a> Classification<'a> {
    const fn new(access: Access) -> Self {
        Classification {
            access,
            operation: None,
            dangerous: false,
            items: None,
        }
    }

    const fn op(access: Access, operation: Operation, dangerous: bool) -> Self {
        Classification {
            access,
            operation: Some(operation),
            dangerous,
            items: None,
        }
    }

    /// The S7ANY areas, DBs and ranges the request touches (other syntaxes have none).
    pub fn targets(&self) -> impl Iterator<Item = Target> + 'a {
        self.items
            .into_iter()
            .flat_map(|i| i.iter())
            .filter_map(|s| match s {
                VarSpec::Any(a) => Some(Target {
                    area: a.area,
                    db: a.db,
                    start: a.address.byte(),
                    bit: a.address.bit(),
                    bytes: a.byte_len(),
                }),
                _ => None,
            })
    }
}

/// SZL lists that identify a module (order number, firmware, names, serial number,
/// communication and protection data, Ethernet details).
pub const fn is_identification_szl(id: u16) -> bool {
    matches!(id & 0xFF, 0x11 | 0x1C | 0x31 | 0x37) || id == 0x0132
}

/// Classifies an S7comm PDU.
pub fn classify<'a>(pdu: &Pdu<'a>) -> Classification<'a> {
    match &pdu.body {
        Body::Job(j) => classify_job(j),
        Body::Userdata(u) => {
            let c = Classification::new;
            let sub = u.params.subfunction;
            let request = !u.params.is_response();
            match u.params.group {
                FunctionGroup::ModeTransition => {
                    Classification::op(Access::ModeChange, Operation::ModeTransition, false)
                }
                FunctionGroup::ProgrammerCommands => match sub {
                    subfunction::MODIFY_VARIABLE => {
                        Classification::op(Access::Write, Operation::ModifyVariable, request)
                    }
                    subfunction::FORCE => {
                        Classification::op(Access::Write, Operation::Force, request)
                    }
                    subfunction::MEMORY_RESET => {
                        Classification::op(Access::ModeChange, Operation::MemoryReset, request)
                    }
                    _ => c(Access::Diagnostic),
                },
                FunctionGroup::CyclicData => Classification {
                    items: match u.body {
                        UserdataBody::CyclicRequest { items, .. } => Some(items),
                        _ => None,
                    },
                    ..c(Access::Read)
                },
                FunctionGroup::BlockFunctions => c(Access::Diagnostic),
                FunctionGroup::CpuFunctions => match u.szl() {
                    Some((id, _)) if is_identification_szl(id) => c(Access::Identification),
                    _ => c(Access::Diagnostic),
                },
                FunctionGroup::Security => {
                    Classification::op(Access::Security, Operation::Password, request)
                }
                FunctionGroup::TimeFunctions if matches!(sub, 2 | 4) => {
                    Classification::op(Access::TimeSync, Operation::SetClock, request)
                }
                FunctionGroup::TimeFunctions => c(Access::TimeSync),
                _ if u.params.kind == UserdataType::Push => c(Access::Diagnostic),
                _ => c(Access::Other),
            }
        }
        Body::Response(_) | Body::Other { .. } => Classification::new(Access::Other),
    }
}

fn classify_job<'a>(j: &Job<'a>) -> Classification<'a> {
    let c = Classification::new;
    match *j {
        Job::Setup(_) => c(Access::Session),
        Job::ReadVar { items } => Classification {
            items: Some(items),
            ..c(Access::Read)
        },
        Job::WriteVar { items, .. } => Classification {
            items: Some(items),
            dangerous: true,
            ..c(Access::Write)
        },
        Job::Block { control, .. } => match control.function.value() {
            0x1A => Classification::op(Access::ProgramDownload, Operation::Download, true),
            0x1B | 0x1C => Classification {
                dangerous: true,
                ..c(Access::ProgramDownload)
            },
            0x1D => Classification::op(Access::ProgramUpload, Operation::Upload, false),
            _ => c(Access::ProgramUpload),
        },
        Job::PiService(pi) => match pi.kind() {
            PiKind::Program => Classification::op(Access::ModeChange, Operation::PlcStart, true),
            PiKind::Insert => {
                Classification::op(Access::ProgramDownload, Operation::InsertBlock, true)
            }
            PiKind::Delete => Classification::op(Access::Config, Operation::DeleteBlock, true),
            PiKind::Compress => Classification::op(Access::Config, Operation::CompressMemory, true),
            PiKind::CopyRamToRom => {
                Classification::op(Access::Config, Operation::CopyRamToRom, true)
            }
            _ => Classification {
                dangerous: true,
                ..c(Access::Config)
            },
        },
        Job::PlcStop(_) => Classification::op(Access::ModeChange, Operation::PlcStop, true),
        Job::Other { .. } => c(Access::Other),
    }
}

/// Classifies an S7comm-plus PDU by function (object-level detail needs the attribute
/// ids, which this crate does not decode: a SetVariable may as well stop the CPU).
pub fn classify_plus<'a>(pdu: &PlusPdu<'_>) -> Classification<'a> {
    use PlusFunction as F;
    let request = pdu.opcode == crate::plus::codes::Opcode::Request;
    let c = Classification::new;
    match pdu.function {
        Some(F::GetVariable | F::GetMultiVariables | F::GetVarSubStreamed | F::GetLink) => {
            c(Access::Read)
        }
        Some(F::SetVariable | F::SetMultiVariables | F::SetVarSubStreamed) => Classification {
            dangerous: request,
            ..c(Access::Write)
        },
        Some(F::Explore | F::GetVariablesAddress) => c(Access::Diagnostic),
        Some(F::CreateObject | F::DeleteObject | F::BeginSequence | F::EndSequence) => {
            c(Access::Session)
        }
        Some(F::InitSsl) => Classification::op(Access::Security, Operation::StartTls, false),
        Some(F::Invoke | F::AddLink | F::RemoveLink) => Classification {
            dangerous: request,
            ..c(Access::Config)
        },
        _ => c(Access::Other),
    }
}
