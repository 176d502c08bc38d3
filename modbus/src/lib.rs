//! otwire-modbus (in progress)
