//! S7comm-plus code tables: protocol versions, opcodes and function codes, as the public
//! S7comm-plus descriptions (the community Wireshark plugin's documentation, conference
//! papers on S7-1200/1500 communication) name them.

use otwire_core::open_enum;

open_enum! {
    /// S7comm-plus protocol version (the second byte of the envelope).
    pub enum PlusVersion: u8 {
        /// V1: S7-1200 firmware 2-3, session set-up of later versions.
        V1 = 0x01 => "V1",
        /// V2: S7-1200 firmware 4.0-4.2 / S7-1500 1.x; a trailing integrity id.
        V2 = 0x02 => "V2",
        /// V3: an integrity part (digest) after the header of every fragment.
        V3 = 0x03 => "V3",
        /// Event / system event frames (no function code).
        Event = 0xFE => "Event",
        /// Keep-alive frames (no function code).
        KeepAlive = 0xFF => "KeepAlive",
    }
}

open_enum! {
    /// S7comm-plus data header opcode.
    pub enum Opcode: u8 {
        /// A request.
        Request = 0x31 => "Request",
        /// A response.
        Response = 0x32 => "Response",
        /// A notification (subscription data, alarms).
        Notification = 0x33 => "Notification",
        /// A second response form seen from some firmware.
        Response2 = 0x02 => "Response2",
    }
}

open_enum! {
    /// S7comm-plus function code.
    pub enum PlusFunction: u16 {
        /// Explore: browse the object tree.
        Explore = 0x04BB => "Explore",
        /// CreateObject: opens a session (the answer carries the session id).
        CreateObject = 0x04CA => "CreateObject",
        /// DeleteObject: closes a session or deletes an object.
        DeleteObject = 0x04D4 => "DeleteObject",
        /// SetVariable.
        SetVariable = 0x04F2 => "SetVariable",
        /// GetVariable.
        GetVariable = 0x04FC => "GetVariable",
        /// AddLink.
        AddLink = 0x0506 => "AddLink",
        /// RemoveLink.
        RemoveLink = 0x051A => "RemoveLink",
        /// GetLink.
        GetLink = 0x0524 => "GetLink",
        /// SetMultiVariables.
        SetMultiVariables = 0x0542 => "SetMultiVariables",
        /// GetMultiVariables.
        GetMultiVariables = 0x054C => "GetMultiVariables",
        /// BeginSequence.
        BeginSequence = 0x0556 => "BeginSequence",
        /// EndSequence.
        EndSequence = 0x0560 => "EndSequence",
        /// Invoke.
        Invoke = 0x056B => "Invoke",
        /// SetVarSubStreamed.
        SetVarSubStreamed = 0x057C => "SetVarSubStreamed",
        /// GetVarSubStreamed.
        GetVarSubStreamed = 0x0586 => "GetVarSubStreamed",
        /// GetVariablesAddress.
        GetVariablesAddress = 0x0590 => "GetVariablesAddress",
        /// Abort.
        Abort = 0x059A => "Abort",
        /// Error.
        Error = 0x05A9 => "Error",
        /// InitSsl: after its successful answer the session's payloads are TLS records.
        InitSsl = 0x05B3 => "InitSsl",
    }
}
