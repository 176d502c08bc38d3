//! Adapters: parser types to [`Event`](crate::Event)s, one module per protocol feature.

#[cfg(feature = "dnp3")]
pub mod dnp3;
#[cfg(feature = "iec104")]
pub mod iec104;
#[cfg(feature = "modbus")]
pub mod modbus;
