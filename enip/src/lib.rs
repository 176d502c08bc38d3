#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;

mod anomaly;
pub mod cip;
mod codes;
mod cpf;
mod error;
mod frame;
#[cfg(feature = "nom")]
pub mod nom;
mod pdu;
#[cfg(feature = "alloc")]
mod stream;

pub use anomaly::{Anomalies, Parsed};
pub use codes::{Command, DeviceType, EncapStatus, ItemType};
pub use cpf::{
    AF_INET, Cpf, CpfItems, IDENTITY_FIXED_LEN, ITEM_HEADER_LEN, Identity, IoPacket, Item, Items,
    Revision, SERVICE_INFO_LEN, SOCKADDR_LEN, ServiceInfo, Sockaddr,
};
pub use error::{EmitError, Error, Layer, Needed};
pub use frame::{Frame, HEADER_LEN, Header, MAX_DATA_LEN, MAX_FRAME_LEN, probe, split_frame};
pub use otwire_core::{Emit, Probe, Raw};
pub use pdu::{
    Body, CipData, Direction, Encap, PROTOCOL_VERSION, Pdu, SendData, SendMessage, list_identity,
    list_services, register_session, send_rr_data, send_unit_data, unregister_session,
};
#[cfg(feature = "alloc")]
pub use stream::{DEFAULT_CAPACITY_LIMIT, Piece, StreamDecoder, StreamStats};

/// The registered TCP and UDP port of EtherNet/IP explicit messaging (Vol. 2 §2-2).
pub const PORT: u16 = 44818;
/// The registered UDP port of class 0/1 implicit (I/O) messaging (Vol. 2 §3-3).
pub const IO_PORT: u16 = 2222;
