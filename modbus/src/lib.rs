#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;

mod anomaly;
pub mod classify;
mod codes;
mod emit;
mod error;
mod frame;
#[cfg(feature = "nom")]
pub mod nom;
mod pdu;
mod read;
mod request;
mod response;
mod rtu;
#[cfg(feature = "alloc")]
mod sniff;
#[cfg(feature = "alloc")]
mod stream;
mod types;
mod umas;
mod values;

pub use anomaly::Anomalies;
pub use codes::{
    DeviceObjectId, DiagnosticCode, ExceptionCode, FunctionCategory, FunctionCode, MeiType,
    ReadDeviceIdCode, UmasFunctionCode,
};
pub use error::{EmitError, Error, Layer, Needed};
pub use frame::{
    Adu, Frame, MAX_PDU_LEN, MAX_TCP_ADU_LEN, MBAP_HEADER_LEN, MbapHeader, PORT, parse_datagram,
    probe, split_frame,
};
pub use otwire_core::{Emit, Probe, Raw};
pub use pdu::Pdu;
pub use request::{COIL_OFF, COIL_ON, Request, limits};
pub use response::{DeviceIdentification, Response};
pub use rtu::{
    CRC, LenHint, MAX_RTU_LEN, MIN_RTU_LEN, RtuAdu, RtuFrame, crc16, expected_len, split_rtu_frame,
};
#[cfg(feature = "alloc")]
pub use sniff::{DEFAULT_SNIFFER_CAPACITY, RtuSniffer, SniffedFrame, SnifferStats};
#[cfg(feature = "alloc")]
#[allow(deprecated)]
pub use stream::DEFAULT_CAPACITY;
#[cfg(feature = "alloc")]
pub use stream::{DEFAULT_CAPACITY_LIMIT, DEFAULT_MAX_LENGTH, Piece, StreamDecoder, StreamStats};
pub use types::{Address, Direction, Parsed, TransactionId, UnitId};
pub use umas::{UmasRequest, UmasResponse};
pub use values::{
    BitIter, BitValues, DeviceObject, DeviceObjects, FileRecord, FileRecords, FileSubRequest,
    FileSubRequests, FileSubResponse, FileSubResponses, RegisterIter, RegisterValues, pack_bits,
    pack_registers,
};

/// The workspace README's example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;
