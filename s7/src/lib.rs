#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;

mod anomaly;
pub mod classify;
pub use classify::{Access, Classification, Operation, Target, classify, classify_plus};
mod codes;
pub mod cotp;
mod error;
mod error_codes;
mod header;
mod message;
#[cfg(feature = "nom")]
pub mod nom;
pub mod params;
mod pdu;
pub mod plus;
mod read;
#[cfg(feature = "alloc")]
mod reassembly;
#[cfg(feature = "alloc")]
mod session;
#[cfg(feature = "alloc")]
mod stream;
pub mod szl;
mod tpkt;
pub mod userdata;

pub use anomaly::{Anomalies, Parsed};
pub use codes::{
    Area, BlockType, CotpParameterCode, CpuMode, DataTransportSize, ErrorClass, Function,
    FunctionGroup, ItemTransportSize, ReturnCode, Rosctr, SyntaxId, TpduCode, UserdataType,
    subfunction, subfunction_name,
};
pub use cotp::{ConnectRequest, Connection, CotpParam, CotpParams, Data, Dt, Tpdu};
pub use error::{EmitError, Error, Layer, Needed};
pub use error_codes::ErrorCode;
pub use header::{ACK_HEADER_LEN, HEADER_LEN, Header, HeaderError, S7COMM_PROTOCOL_ID};
pub use message::{Identified, Message, PayloadKind, identify, probe};
pub use otwire_core::{Emit, Probe, Raw};
pub use params::block::{BlockControl, BlockData, BlockName};
pub use params::pi::{PiKind, PiService, PlcStop};
pub use params::var::{
    AnyItem, BitAddress, DataItem, DataItems, DbReadArea, DbReadAreas, DriveEsItem, MAX_ITEMS,
    NckItem, ReturnCodes, VarItems, VarSpec,
};
pub use params::{Job, Response, Setup};
pub use pdu::{Body, Pdu, ReadVarRequest, ReadVarResponse, SzlRead, SzlResponse, WriteVarRequest};
pub use plus::codes::{Opcode, PlusFunction, PlusVersion};
pub use plus::{PlusFrame, PlusPdu};
#[cfg(feature = "alloc")]
pub use reassembly::{
    CotpReassembler, MAX_PLUS_PDU_SIZE, MAX_REASSEMBLIES, MAX_REASSEMBLY_SIZE, PlusReassembler,
    PlusSession, Reassembled, ReassemblyLimits, ReassemblyStats, UserdataReassembler,
};
#[cfg(feature = "alloc")]
pub use session::{DirectionParser, Event};
#[cfg(feature = "alloc")]
pub use stream::{DEFAULT_CAPACITY_LIMIT, Piece, StreamDecoder, StreamStats};
pub use szl::{SzlAnswer, SzlId, SzlRecord, SzlRequest};
pub use tpkt::{
    Frame, MIN_TPKT_LEN, PORT, TPKT_HEADER_LEN, TPKT_VERSION, Tpkt, TpktHeader, TpktWith,
    split_frame,
};
pub use userdata::{S7DateTime, Userdata, UserdataBody, UserdataData, UserdataExt, UserdataParams};

/// The S7 frame a client sends: `Tpkt(Dt::last(pdu))`, a whole PDU in one TPKT.
///
/// ```
/// use otwire_s7::{Emit, Pdu, frame};
/// let bytes = frame(Pdu::setup(1, 480)).to_vec()?;
/// assert_eq!(bytes[..7], [3, 0, 0, 25, 2, 0xF0, 0x80]);
/// # Ok::<(), otwire_s7::EmitError>(())
/// ```
pub fn frame<P: Emit>(pdu: P) -> Tpkt<Dt<P>> {
    Tpkt(Dt::last(pdu))
}
