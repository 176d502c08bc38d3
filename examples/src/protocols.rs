//! otscan's protocols, one line each (docs/ADDING_A_PROTOCOL.md): for each, the module that
//! writes its PDU record fields (DESIGN.md §4) and keeps its asset facts. The analyzers
//! themselves are `otwire-detect`'s ([`otwire_detect::protocol::registry`]).
//!
//! A protocol module holds:
//! - `Fields`: the record fields, `Fields::of(&Event)` from the event's typed detail,
//!   `write_json` (appends `,"key":value` pairs) and `serialize_entries` (the same through
//!   serde);
//! - `Facts`: the asset facts it learns (serialized flattened into the asset record, empty
//!   ones skipped), `facts(&Event, &mut Asset)` to learn them from the sender's event, and
//!   `summary(&Facts, &mut Vec<String>)` for the asset's line in the human summary;
//! - `NOUN`: what one record is called in the summary.

use otwire_detect::{Event, Protocol};
use serde::ser::SerializeMap;

use crate::json::Entries;

use crate::assets::Asset;

macro_rules! protocols {
    ($($variant:ident => $module:ident,)*) => {
        /// The protocol-specific fields of a PDU record.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum ProtoFields {
            $(
                #[doc = concat!("The fields of `", stringify!($module), "` records.")]
                $variant(crate::$module::Fields),
            )*
            /// A protocol otscan has no record fields for.
            None,
        }

        impl ProtoFields {
            /// The fields of an event's record.
            pub fn of(ev: &Event<'_>) -> Self {
                match ev.protocol {
                    $( Protocol::$variant => Self::$variant(crate::$module::Fields::of(ev)), )*
                    _ => Self::None,
                }
            }

            /// Appends the fields' JSON (`,"key":value` pairs).
            pub fn write_json(&self, out: &mut Vec<u8>) {
                match self {
                    $( Self::$variant(f) => f.write_json(out), )*
                    Self::None => {}
                }
            }

            /// Serializes the fields as entries of the record's map.
            pub fn serialize_entries<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
                match self {
                    $( Self::$variant(f) => f.serialize_entries(m), )*
                    Self::None => Ok(()),
                }
            }
        }

        /// What each protocol knows of an asset, flattened into its record.
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
        pub struct Facts {
            $(
                #[doc = concat!("What `", stringify!($module), "` traffic showed.")]
                #[serde(flatten)]
                pub $module: crate::$module::Facts,
            )*
        }

        /// Learns what an event shows of its sender.
        pub fn facts(ev: &Event<'_>, asset: &mut Asset) {
            match ev.protocol {
                $( Protocol::$variant => crate::$module::facts(ev, asset), )*
                _ => {}
            }
        }

        /// What each protocol's facts add to an asset's line in the summary.
        pub fn summary(facts: &Facts, parts: &mut Vec<String>) {
            $( crate::$module::summary(&facts.$module, parts); )*
        }

        /// What one record of `p` is called in the summary ("PDUs", "link frames").
        pub fn noun(p: Protocol) -> &'static str {
            match p {
                $( Protocol::$variant => crate::$module::NOUN, )*
                _ => "PDUs",
            }
        }

        /// The protocols otscan writes records for, in registry order.
        pub const PROTOCOLS: &[Protocol] = &[$( Protocol::$variant, )*];
    };
}

protocols! {
    Modbus => modbus,
    Dnp3 => dnp3,
    Iec104 => iec104,
    S7 => s7,
    Enip => enip,
}
