#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod anomaly;
pub mod app;
pub mod builder;
pub mod classify;
pub mod codes;
mod emit;
pub mod error;
pub mod link;
#[cfg(feature = "nom")]
pub mod nom;
#[cfg(feature = "alloc")]
pub mod reassembly;
#[cfg(feature = "alloc")]
pub mod stream;
pub mod transport;

pub use anomaly::Anomalies;
pub use app::header::{ObjectHeader, ObjectHeaders, Point, Points, Qualifier, Range};
pub use app::objects::{ObjectSize, group_name, object_size};
pub use app::values::{
    AnalogValue, AttributeType, AuthObject, ControlCode, Crob, DeviceAttribute, DoubleBit,
    EventTime, FileObject, Flags, Timestamp, Value,
};
pub use app::{Apdu, AppControl, Iin, Limits, MAX_OBJECT_HEADERS, Parsed};
pub use builder::{FragmentWriter, MasterRequest, Request, TransportFrames};
pub use classify::{Action, Classification, classify, function_action};
pub use codes::{
    CommandStatus, FunctionCode, OpType, PrefixCode, PrimaryFunction, RangeCode, SecondaryFunction,
    TripCloseCode,
};
pub use error::{EmitError, Error, Layer, Needed};
pub use link::{
    Address, DataBlocks, Frame, LinkConfig, LinkControl, LinkFrame, LinkFunction, LinkHeader,
    UserData, probe, split_frame, split_frame_strict, split_frame_with,
};
pub use otwire_core::{Emit, Probe};
#[cfg(feature = "alloc")]
pub use reassembly::{Fragment, Pushed, Reassembler, ReassemblyLimits, ReassemblyStats};
#[cfg(feature = "alloc")]
pub use stream::{DEFAULT_CAPACITY_LIMIT, Piece, StreamDecoder, StreamStats};
pub use transport::{Segment, TransportHeader};
