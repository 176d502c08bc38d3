#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;

mod anomaly;
mod asdu;
pub mod builders;
pub mod classify;
mod codes;
mod element;
mod element_check;
mod element_emit;
mod emit;
mod error;
mod frame;
pub mod ft12;
#[cfg(feature = "nom")]
pub mod nom;
mod quality;
pub mod session;
#[cfg(feature = "alloc")]
mod stream;
mod time;
mod validity;

pub use anomaly::{Anomalies, Parsed};
pub use asdu::{
    Asdu, AsduBuilder, AsduHeader, CommonAddress, Cot, InformationObject, InformationObjects, Ioa,
    OriginatorAddress, Params, TruncatedObject,
};
pub use builders::Request;
pub use codes::{Cause, TypeDirection, TypeId};
pub use element::{Element, TimeTag, element_size, is_decodable};
pub use element_check::element_anomalies;
pub use error::{EmitError, Error, Layer, Needed};
pub use frame::{
    Apci, Apdu, CONTROL_LEN, Frame, IFrame, MAX_ASDU_LEN, MAX_LENGTH, START, SeqNum, UFunction,
    probe, split_frame,
};
pub use otwire_core::{Emit, Probe};
pub use quality::{
    Afq, Bcr, Coi, Dco, Diq, DoublePointState, Lsq, Normalized, Oci, Qcc, Qdp, Qds, Qoi, Qos, Qpa,
    Qpm, Qrp, Rco, ReadyQualifier, Scd, Sco, Scq, Sep, Siq, Sof, Spe, Vti,
};
#[cfg(feature = "alloc")]
pub use stream::{DEFAULT_CAPACITY_LIMIT, Piece, StreamDecoder, StreamStats};
pub use time::{Cp16Time2a, Cp24Time2a, Cp56Time2a};
pub use validity::{
    Direction, allowed_causes, cause_allowed, cause_reserved, direction_anomalies, sq_allowed,
};
