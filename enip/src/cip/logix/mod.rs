//! Rockwell Logix tag services (ControlLogix, CompactLogix): the service data of Read
//! Tag, Write Tag, Read Modify Write, the fragmented reads and writes, Get Instance
//! Attribute List and the Template object (Rockwell 1756-PM020 "Logix5000 Data Access";
//! pycomm3 and pylogix, MIT, for what the manual leaves out).
//!
//! Input is the service code and the service data after the CIP header and request path
//! (parsed elsewhere in [`crate::cip`]), so these types do not depend on the path's.

mod rd;
mod reply;
mod request;
mod template;
mod types;

pub(crate) use rd::Rd;
pub use reply::{
    InstanceAttributeList, InstanceEntries, InstanceEntry, LogixReply, NAME_AND_TYPE, ReplyBody,
    STATUS_PARTIAL_TRANSFER,
};
pub use request::{AttributeIds, LogixRequest, read_tag_request, write_tag_request};
pub use template::{
    SYMBOL_CLASS, TEMPLATE_CLASS, TemplateAttributes, TemplateDefinition, TemplateMember,
    TemplateReadRequest,
};
pub use types::{DataType, SymbolType, TagType, Value, Values};

otwire_core::open_enum! {
    /// Logix object-specific service codes (1756-PM020 "CIP Services"; pycomm3
    /// `Services`). 0x4C on the Template class 0x6C is the template read.
    pub enum LogixService: u8 {
        /// Read Tag.
        ReadTag = 0x4C => "Read Tag",
        /// Write Tag.
        WriteTag = 0x4D => "Write Tag",
        /// Read Modify Write Tag.
        ReadModifyWrite = 0x4E => "Read Modify Write Tag",
        /// Read Tag Fragmented.
        ReadTagFragmented = 0x52 => "Read Tag Fragmented",
        /// Write Tag Fragmented.
        WriteTagFragmented = 0x53 => "Write Tag Fragmented",
        /// Get Instance Attribute List (Symbol class 0x6B).
        GetInstanceAttributeList = 0x55 => "Get Instance Attribute List",
    }
}

otwire_core::emit_via_encode!(
    LogixRequest<'_>,
    LogixReply<'_>,
    TemplateReadRequest,
    TemplateAttributes,
    TemplateDefinition<'_>,
);
