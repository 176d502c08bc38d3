//! What a CIP request does, for detection: read or write of a class, instance, attribute or
//! tag, program transfer, mode change, reset, identification, connection management
//! (services by Vol. 1 App. A, Connection Manager §3-5, File object §5-42; Logix services
//! as pycomm3 names them).

use super::body::ServiceKind;
use super::codes::{ConnectionManagerService as Cm, Service};
use super::message::Request;
use super::path::Path;
use super::pccc::PcccRequest;

/// What a read or write touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Scope {
    /// The class (no instance, or instance 0).
    Class,
    /// An instance (no attribute).
    Instance,
    /// An attribute.
    Attribute,
    /// A Logix tag (symbolic path).
    Tag,
    /// A PCCC data-table file (PLC-5, SLC 500, MicroLogix addressing through Execute PCCC).
    File,
}

/// The kind of operation a request performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Operation {
    /// Reads (Get Attribute*, Get Member, Find Next Object Instance, Logix Read Tag).
    Read(Scope),
    /// Writes (Set Attribute*, Set/Insert/Remove Member, Create, Delete, Apply, Restore,
    /// Logix Write Tag and Read-Modify-Write).
    Write(Scope),
    /// A program or configuration sent to the device: File object (class 0x37, Vol. 1
    /// §5-42) Initiate Download, Initiate Partial Write, Download Transfer and Clear File;
    /// PCCC download requests and memory initialisation.
    ProgramDownload,
    /// A program or configuration read from the device: File object Initiate Upload,
    /// Initiate Partial Read and Upload Transfer; PCCC upload requests.
    ProgramUpload,
    /// Other program-transfer services whose direction is not known (other File object
    /// services, PCCC edit-resource and exit download/upload).
    ProgramTransfer,
    /// Start or Stop.
    ModeChange,
    /// Reset.
    Reset,
    /// Reads of the Identity object (class 0x01).
    Identification,
    /// Forward Open, Large Forward Open, Forward Close and the Connection Manager's other
    /// services.
    ConnectionManagement,
    /// Unconnected Send: the embedded request says what is done.
    Routing,
    /// Multiple Service Packet: the embedded requests say what is done.
    Batch,
    /// Execute PCCC that is none of the above (diagnostics, echo, unknown functions, data
    /// that does not decode).
    Pccc,
    /// Anything else (Save, NOP, object-specific services).
    Other,
}

/// A request's classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Classification<'a> {
    /// What the service means.
    pub kind: ServiceKind,
    /// The operation.
    pub operation: Operation,
    /// The class addressed.
    pub class: Option<u32>,
    /// The instance addressed.
    pub instance: Option<u32>,
    /// The attribute addressed.
    pub attribute: Option<u32>,
    /// The tag addressed (a symbolic path; render it with [`Path::write_tag`]).
    pub tag: Option<Path<'a>>,
}

fn scope(path: &Path<'_>) -> Scope {
    if path.is_symbolic() {
        Scope::Tag
    } else if path.attribute().is_some() {
        Scope::Attribute
    } else if path.instance().is_none_or(|i| i == 0) {
        Scope::Class
    } else {
        Scope::Instance
    }
}

/// What an Execute PCCC request does (DF1 command set, 1770-6.5.16).
fn pccc(data: &[u8]) -> Operation {
    use super::pccc::{ExtendedFunction as F, Function, ProgramFunction as P};
    let Ok(p) = PcccRequest::parse(data) else {
        return Operation::Pccc;
    };
    let req = p.pdu;
    if req.is_mode_change() {
        Operation::ModeChange
    } else if req.is_program_transfer() {
        match req.function {
            Function::Extended(
                F::DownloadRequest
                | F::DownloadAllRequest
                | F::DownloadCompleted
                | F::InitializeMemory,
            )
            | Function::Program(P::EnterDownload) => Operation::ProgramDownload,
            Function::Extended(F::Upload | F::UploadAllRequest | F::UploadCompleted)
            | Function::Program(P::EnterUpload) => Operation::ProgramUpload,
            _ => Operation::ProgramTransfer,
        }
    } else if req.is_write() {
        Operation::Write(Scope::File)
    } else if req.is_read() {
        Operation::Read(Scope::File)
    } else {
        Operation::Pccc
    }
}

/// Classifies a request.
pub fn classify<'a>(req: &Request<'a>) -> Classification<'a> {
    let path = &req.path;
    let kind = req.kind();
    let class = path.class();
    let operation = match kind {
        ServiceKind::Common(s) => match s {
            Service::GetAttributesAll | Service::GetAttributeSingle | Service::GetAttributeList
                if class == Some(0x01) =>
            {
                Operation::Identification
            }
            Service::GetAttributesAll
            | Service::GetAttributeSingle
            | Service::GetAttributeList
            | Service::GetMember
            | Service::FindNextObjectInstance => Operation::Read(scope(path)),
            Service::SetAttributesAll
            | Service::SetAttributeList
            | Service::SetAttributeSingle
            | Service::SetMember
            | Service::InsertMember
            | Service::RemoveMember
            | Service::Create
            | Service::Delete
            | Service::ApplyAttributes
            | Service::Restore => Operation::Write(scope(path)),
            Service::Start | Service::Stop => Operation::ModeChange,
            Service::Reset => Operation::Reset,
            Service::MultipleServicePacket => Operation::Batch,
            _ => Operation::Other,
        },
        ServiceKind::ConnectionManager(Cm::UnconnectedSend) => Operation::Routing,
        ServiceKind::ConnectionManager(_) => Operation::ConnectionManagement,
        ServiceKind::Logix(0x4C | 0x52) => Operation::Read(Scope::Tag),
        ServiceKind::Logix(0x4D | 0x4E | 0x53) => Operation::Write(Scope::Tag),
        ServiceKind::Logix(_) | ServiceKind::TemplateRead => Operation::Read(scope(path)),
        ServiceKind::Pccc => pccc(req.data),
        ServiceKind::ObjectSpecific {
            class: Some(0x37),
            service,
        } => match service {
            0x4C | 0x4E | 0x50 | 0x51 => Operation::ProgramDownload,
            0x4B | 0x4D | 0x4F => Operation::ProgramUpload,
            _ => Operation::ProgramTransfer,
        },
        ServiceKind::ObjectSpecific { .. } => Operation::Other,
    };
    Classification {
        kind,
        operation,
        class,
        instance: path.instance(),
        attribute: path.attribute(),
        tag: path.is_symbolic().then_some(*path),
    }
}
