//! Adapters: parser types to [`Event`](crate::Event)s, one module per protocol feature.

#[cfg(feature = "modbus")]
pub mod modbus;
