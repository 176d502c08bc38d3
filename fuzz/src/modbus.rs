//! Modbus fuzz bodies (filled in with otwire-modbus).
