//! CIP messages (Vol. 1 §2-4): request and response headers, EPATH, services and objects.
//!
//! The input is the bytes of a CIP message as a CPF Unconnected Data item carries it (or a
//! Connected Data item after its 2-byte sequence count): nothing here depends on the
//! encapsulation types.

/// `Emit` through `encode` for a builder generic over its embedded messages (what
/// `otwire_core::emit_via_encode!` does for non-generic types).
macro_rules! emit_generic {
    ($t:ident) => {
        impl<M: otwire_core::Emit> otwire_core::Emit for $t<'_, M> {
            fn buffer_len(&self) -> usize {
                let mut c = otwire_core::Counter::default();
                let _ = self.encode(&mut c);
                c.0
            }
            fn emit(&self, buf: &mut [u8]) -> Result<usize, otwire_core::EmitError> {
                let mut w = otwire_core::Writer::new(buf, otwire_core::Emit::buffer_len(self))?;
                self.encode(&mut w)?;
                Ok(w.written())
            }
        }
    };
}

pub mod body;
pub mod build;
pub mod classify;
pub mod cm;
pub mod codes;
pub mod logix;
pub mod message;
pub mod msp;
pub mod objects;
#[cfg(feature = "alloc")]
pub mod pairing;
pub mod path;
pub mod pccc;
mod read;
#[cfg(feature = "serde")]
mod ser;

pub use body::{RequestBody, ResponseBody, ServiceKind};
pub use classify::{Classification, Operation, Scope, classify};
pub use codes::{
    ClassCode, ConnectionManagerService, ConnectionManagerStatus, GeneralStatus, Service,
};
pub use message::{Message, REPLY_BIT, Request, Response, StatusWords};
pub use msp::{MultipleService, MultipleServiceBuilder};
pub use path::{
    ElectronicKey, LogicalFormat, LogicalType, MAX_SEGMENTS, Path, PathBuilder, Segment, Segments,
};
